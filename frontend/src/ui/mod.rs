//! Pages and components. Everything shown goes through [`crate::i18n`]; everything read comes
//! from the store and is re-read when [`StoreVersion`] moves.
//!
//! - [`home`]: "My cases" and starting a form; [`case_page`]: one case (the form while it is a
//!   draft, its status once sent); [`form`]: the household form's steps; [`defined`]: a form
//!   the organisation defined, drawn from its definition; [`fields`]: the accessible
//!   field components every step is made of; [`photos_step`]: document photos; [`status`]:
//!   where a sent case stands, with its [`receipt`] (QR code, print view) and [`appointment`]
//!   (choosing slots offline, the booking as it stands now); [`autosave`]: writing drafts as the person types; [`route`]:
//!   the two routes (My cases, a case) over the History API; [`loaded`]: what an asynchronous
//!   read gave, re-read when what it reads changes; [`shared`]: shared tablets (a PIN per
//!   family's form, Finish and lock, the idle lock) and [`tablet`], its volunteer screen;
//!   [`lazy`]: a case and the volunteer screen, downloaded apart from the first screen.

mod appointment;
mod autosave;
mod case_page;
mod defined;
mod fields;
mod form;
mod home;
mod lazy;
mod loaded;
mod photos_step;
mod receipt;
mod route;
mod shared;
mod status;
mod tablet;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{tr, Lang, Msg};
use crate::platform;
use crate::store::{Store, StoreError};

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

/// The device store, once [`App`] has opened it.
pub(crate) fn store() -> Rc<Store> {
    STORE
        .with(|s| s.borrow().clone())
        .expect("store is opened before any page renders")
}

/// Bumped after every store write, in this tab or another, so readers re-read.
#[derive(Clone, Copy)]
pub(crate) struct StoreVersion(pub RwSignal<u64>);

pub(crate) fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// `move || t(Msg::X)`-style translation bound to the current language.
pub(crate) fn t(msg: Msg) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || tr(lang.get(), msg)
}

const LANG_SETTING: &str = "resguardo.lang";

/// The language a first visit starts in: the one chosen before, else the first of the
/// browser's languages the app speaks, else Spanish.
pub fn initial_lang() -> Lang {
    platform::local_setting(LANG_SETTING)
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| {
            platform::browser_languages()
                .iter()
                .find_map(|c| Lang::from_code(c))
        })
        .or_else(|| Lang::from_code("es"))
        .unwrap_or_else(Lang::english)
}

async fn open_store(version: RwSignal<u64>) -> Result<(), StoreError> {
    let store = crate::boot::open(move || version.update(|v| *v += 1)).await?;
    STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
    remember_code_from_link(&store).await;
    autosave::install_page_lifecycle_flush();
    shared::install_locking();
    Ok(())
}

/// An install link may carry the organisation's enrolment code (`/?code=...`, with `&shared=1`
/// for a shared tablet's): keep it for registration and take it out of the address bar.
async fn remember_code_from_link(store: &Store) {
    let location = platform::window().location();
    let Ok(search) = location.search() else {
        return;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    let Some(code) = params.get("code") else {
        return;
    };
    let shared = params.get("shared").as_deref() == Some("1");
    if shared && delivery::register::assume_shared(store).await.is_err() {
        return;
    }
    if delivery::register::remember_enrolment_code(store, &code)
        .await
        .is_ok()
    {
        params.delete("code");
        params.delete("shared");
        let query = params.to_string().as_string().unwrap_or_default();
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        let clean = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        if let Ok(history) = platform::window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
    }
}

/// The language picker: each language named in itself; the words are fetched (once) before
/// the switch, so the page never shows a half-translated state.
#[component]
fn LanguagePicker() -> impl IntoView {
    let lang = use_lang();
    let change = move |ev| {
        let Some(next) = Lang::from_code(&event_target_value(&ev)) else {
            return;
        };
        spawn_local(async move {
            match crate::i18n::load(next).await {
                Ok(()) => lang.set(next),
                Err(e) => web_sys::console::error_1(&e.to_string().into()),
            }
        });
    };
    view! {
        <label class="language">
            <span class="visually-hidden">{t(Msg::LanguageLabel)}</span>
            <select data-testid="language" on:change=change>
                {Lang::all()
                    .map(|l| {
                        view! {
                            <option value=l.code() lang=l.code() dir=if l.is_rtl() { "rtl" } else { "ltr" }
                                selected=move || lang.get() == l>
                                {l.autonym()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn App(initial: Lang) -> impl IntoView {
    let lang = RwSignal::new(initial);
    provide_context(lang);
    Effect::new(move |_| {
        let l = lang.get();
        platform::set_document_language(l.code(), l.is_rtl());
        platform::set_local_setting(LANG_SETTING, l.code());
    });
    let version = RwSignal::new(0u64);
    provide_context(StoreVersion(version));

    let online = RwSignal::new(platform::is_online());
    platform::on_window("online", move |_| online.set(true));
    platform::on_window("offline", move |_| online.set(false));
    let update_ready = RwSignal::new(false);
    crate::boot::start_background();
    let chunks = lazy::Chunks::new();
    provide_context(chunks);

    let opened = loaded::loaded(move || open_store(version));
    // Once home is shown, the rest of the app; the service worker's install after it.
    let preloading = std::cell::Cell::new(false);
    Effect::new(move |_| {
        if opened.get().is_some() && !preloading.replace(true) {
            // Photos a page left unprocessed when it died are finished then too.
            let store = STORE.with(|s| s.borrow().clone());
            lazy::preload_all(chunks, store, move || {
                platform::register_service_worker(move || update_ready.set(true))
            });
        }
    });
    route::provide_router();
    let page = route::use_page();

    view! {
            <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
            <header class="app-header">
                <a class="brand" href="/">{t(Msg::AppName)}</a>
                <span class="connection" role="status" data-online=move || online.get().to_string()>
                    {move || if online.get() { tr(lang.get(), Msg::Online) } else { tr(lang.get(), Msg::Offline) }}
                </span>
                <LanguagePicker />
            </header>
            <Show when=move || update_ready.get()>
                <div class="banner" role="status" data-testid="update-ready">
                    <span>{t(Msg::UpdateReady)}</span>
                    <button on:click=move |_| platform::activate_waiting_service_worker()>{t(Msg::UpdateNow)}</button>
                </div>
            </Show>
            <main id="main" tabindex="-1">
                {move || match opened.get() {
                    None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                    Some(Err(e)) => {
                        // The details are for developers; people get words they can act on.
                        web_sys::console::error_1(&format!("opening IndexedDB: {e}").into());
                        let msg = match e {
                            StoreError::QuotaExceeded => Msg::QuotaExceeded,
                            StoreError::Unavailable => Msg::StorageUnavailable,
                            _ => Msg::SaveFailed,
                        };
                        view! { <p class="problem" role="alert">{t(msg)}</p> }.into_any()
                    }
                    Some(Ok(())) => match page.get() {
                        route::Page::Home => view! { <home::Home /> }.into_any(),
                        route::Page::Case(id) => view! { <lazy::Case id=id /> }.into_any(),
                        route::Page::Tablet => view! { <lazy::Tablet /> }.into_any(),
                        route::Page::NotFound => view! { <p>{t(Msg::NotFound)}</p> }.into_any(),
                    },
                }}
            </main>
    }
}

//! Pages and components. Everything shown goes through [`crate::i18n`]; everything read comes
//! from the store and is re-read when [`StoreVersion`] moves.

mod autosave;
mod case_page;
mod form;
mod home;
mod photos_step;
mod status;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

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
pub(crate) fn t(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || tr(lang.get(), msg)
}

const LANG_SETTING: &str = "resguardo.lang";

fn initial_lang() -> Lang {
    platform::local_setting(LANG_SETTING)
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| {
            platform::browser_languages()
                .iter()
                .find_map(|c| Lang::from_code(c))
        })
        .unwrap_or(Lang::Es)
}

async fn open_store(version: RwSignal<u64>) -> Result<(), StoreError> {
    let store = crate::boot::open(move || version.update(|v| *v += 1)).await?;
    STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
    remember_code_from_link(&store).await;
    autosave::install_page_lifecycle_flush();
    Ok(())
}

/// An install link may carry the organisation's enrolment code (`/?code=...`): keep it for
/// registration and take it out of the address bar.
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
    if delivery::register::remember_enrolment_code(store, &code)
        .await
        .is_ok()
    {
        params.delete("code");
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

#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(initial_lang());
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
    platform::register_service_worker(move || update_ready.set(true));

    let opened = LocalResource::new(move || open_store(version));

    view! {
        <Router>
            <header class="app-header">
                <a class="brand" href="/">{t(Msg::AppName)}</a>
                <span class="connection" data-online=move || online.get().to_string()>
                    {move || if online.get() { tr(lang.get(), Msg::Online) } else { tr(lang.get(), Msg::Offline) }}
                </span>
                <label class="language">
                    <span class="visually-hidden">{t(Msg::LanguageLabel)}</span>
                    <select
                        data-testid="language"
                        on:change=move |ev| {
                            if let Some(l) = Lang::from_code(&event_target_value(&ev)) {
                                lang.set(l);
                            }
                        }
                    >
                        {Lang::ALL
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <option value=l.code() lang=l.code() selected=move || lang.get() == l>
                                        {l.autonym()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </header>
            <Show when=move || update_ready.get()>
                <div class="banner" role="status" data-testid="update-ready">
                    <span>{t(Msg::UpdateReady)}</span>
                    <button on:click=move |_| platform::activate_waiting_service_worker()>{t(Msg::UpdateNow)}</button>
                </div>
            </Show>
            <main>
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
                    Some(Ok(())) => view! {
                        <Routes fallback=|| view! { <p>{t(Msg::NotFound)}</p> }>
                            <Route path=path!("/") view=home::Home />
                            <Route path=path!("/case/:id") view=case_page::CasePage />
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

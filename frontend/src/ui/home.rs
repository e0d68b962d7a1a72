//! "My cases": every form on this device with its delivery state, and the way to start a new one.

use super::loaded::loaded;
use super::route::{navigate, Page};
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::outbox::OutboxState;

use super::status::{state_of, state_words};
use delivery::DeviceStore;

use super::{store, t, use_lang, StoreVersion};
use crate::i18n::{tr, tr_with, Msg};
use crate::platform;
use crate::store::{CaseRecord, OutboxItem};

/// The meta key naming the form that was open, so reopening the app returns to it.
pub(crate) const OPEN_CASE: &str = "open_case";

thread_local! {
    static LAUNCH_CHECKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let StoreVersion(version) = expect_context();

    // Launched from the installed app's icon (the manifest's start_url), go back to the form that
    // was open when the app was last closed. A browser tab restores its own URL instead. A locked
    // form stays locked (no key is open at launch): only an unlocked draft is reopened, read
    // without the locked cases' decryption, which is not part of the first download.
    let from_icon = platform::window()
        .location()
        .search()
        .is_ok_and(|s| s.contains("from=app"));
    if !LAUNCH_CHECKED.with(|c| c.replace(true)) && from_icon {
        spawn_local(async move {
            let open: Option<String> = store().meta(OPEN_CASE).await.ok().flatten();
            if let Some(id) = open.and_then(|s| s.parse().ok()) {
                let is_draft = store().outbox_item(id).await.ok().flatten().is_none();
                if is_draft && store().unlocked_case(id).await.ok().flatten().is_some() {
                    navigate(Page::Case(id), true);
                    return;
                }
            }
            let _ = store().set_meta::<Option<String>>(OPEN_CASE, &None).await;
        });
    } else {
        spawn_local(async move {
            let _ = store().set_meta::<Option<String>>(OPEN_CASE, &None).await;
        });
    }

    let cases = loaded(move || {
        version.get();
        async move {
            let cases = store().cases().await.unwrap_or_default();
            let outbox = store().outbox().await.unwrap_or_default();
            let definitions = store().form_definitions().await.unwrap_or_default();
            cases
                .into_iter()
                .map(|c| {
                    let item = outbox.iter().find(|i| i.case_id == c.id).cloned();
                    let shown = match &c.form {
                        None => (
                            c.submission.applicant.name.trim().to_owned(),
                            c.submission.people(),
                        ),
                        Some(f) => definitions
                            .iter()
                            .find(|d| d.form_id == f.form_id && d.version == f.form_version)
                            .map_or((String::new(), 1), |d| {
                                super::defined::name_and_people(d, &c)
                            }),
                    };
                    (c, item, shown)
                })
                .collect::<Vec<_>>()
        }
    });
    // The organisation's own forms, newest version of each (the household form has its button).
    let other_forms = loaded(move || {
        version.get();
        async move {
            delivery::forms::newest(&*store())
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d.form_id != protocol::form::FORM_ID)
                .map(|d| {
                    let titles = d.title.clone();
                    (d.form_id, d.version, d.languages, titles)
                })
                .collect::<Vec<_>>()
        }
    });
    let estimate = loaded(move || {
        version.get();
        platform::storage_estimate()
    });
    // A shared tablet: forms start behind a PIN and are listed without names.
    let shared = loaded(move || {
        version.get();
        async move { super::shared::settings().await.shared }
    });
    let is_shared = move || shared.get().unwrap_or(false);
    let locked = loaded(move || {
        version.get();
        async move {
            let outbox = store().outbox().await.unwrap_or_default();
            store()
                .locked_cases()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let item = outbox.iter().find(|i| i.case_id == c.id).cloned();
                    (c, item)
                })
                .collect::<Vec<_>>()
        }
    });
    // The new form waiting for its family's PIN (shared tablets).
    let choosing: RwSignal<Option<CaseRecord>, LocalStorage> = RwSignal::new_local(None);
    // A personal phone others may pick up: the person may lock a form behind a PIN too.
    let with_pin = RwSignal::new(false);
    let start = move |record: CaseRecord| {
        if is_shared() || with_pin.get_untracked() {
            choosing.set(Some(record));
            return;
        }
        spawn_local(async move {
            if store().save_draft(&record).await.is_ok() {
                // There is data worth keeping now: ask the browser not to evict it.
                navigate(Page::Case(record.id), false);
                platform::persist_storage().await;
            }
        });
    };
    let new_case = move |_| {
        start(CaseRecord::new(
            protocol::CaseId::new_random(),
            platform::now_ms(),
        ))
    };
    let just_locked = super::shared::take_just_locked();

    view! {
        <section class="home">
            <p class="tagline">{t(Msg::Tagline)}</p>
            {move || is_shared().then(|| view! { <p class="shared-note" data-testid="shared-tablet">{t(Msg::SharedTablet)}</p> })}
            <p class="status-note" role="status" data-testid="locked-note">
                {move || just_locked.then(|| tr(lang.get(), Msg::LockedForNext))}
            </p>
            {move || choosing.get().map(|record| view! {
                <super::lazy::ChoosePin record on_cancel=Callback::new(move |_| choosing.set(None)) />
            })}
            <div class="starts" hidden=move || choosing.with(|c| c.is_some())>
            {move || (!is_shared()).then(|| view! {
                <label class="choice">
                    <input type="checkbox" data-testid="start-with-pin" aria-describedby="start-with-pin-hint"
                        prop:checked=move || with_pin.get()
                        on:change=move |ev| with_pin.set(event_target_checked(&ev)) />
                    <span>{t(Msg::StartWithPin)}</span>
                </label>
                <p id="start-with-pin-hint" class="hint">{t(Msg::StartWithPinHint)}</p>
            })}
            <button class="primary big" data-testid="new-case" on:click=new_case>{t(Msg::NewCase)}</button>
            {move || other_forms.get().unwrap_or_default().into_iter().map(|(form_id, version, languages, titles)| {
                let id = form_id.clone();
                let attr = form_id.clone();
                let start = move |_| {
                    start(CaseRecord::on_form(protocol::CaseId::new_random(), &id, version, platform::now_ms()));
                };
                let title = move || {
                    let code = lang.get().code();
                    titles.get(code)
                        .or_else(|| languages.first().and_then(|l| titles.get(l)))
                        .cloned()
                        .unwrap_or_else(|| form_id.clone())
                };
                view! {
                    <button class="big" data-testid="new-form-case" data-form=attr data-version=version.to_string() on:click=start>
                        {move || tr_with(lang.get(), Msg::NewFormCase, &[("title", title().as_str().into())])}
                    </button>
                }
            }).collect_view()}
            </div>
            <h1>{t(Msg::MyCases)}</h1>
            {move || {
                let list = cases.get().unwrap_or_default();
                let locked = locked.get().unwrap_or_default();
                if list.is_empty() && locked.is_empty() {
                    return view! { <p class="empty">{t(Msg::NoCases)}</p> }.into_any();
                }
                view! {
                    <ul class="case-list">
                        {locked.into_iter().map(|(case, item)| locked_item(lang, case, item)).collect_view()}
                        {list.into_iter().map(|(case, item, shown)| case_item(lang, case, item, shown)).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {move || is_shared().then(|| view! { <p><a href="/tablet" data-testid="tablet-link">{t(Msg::TabletLink)}</a></p> })}
            <p class="storage" data-testid="storage">
                {move || match estimate.get() {
                    None => String::new(),
                    Some(Some((used, quota))) => tr_with(lang.get(), Msg::StorageUsage, &[
                        ("used", platform::human_bytes(lang.get().code(), used).as_str().into()),
                        ("quota", platform::human_bytes(lang.get().code(), quota).as_str().into()),
                    ]),
                    // Some browsers (WebKitGTK) do not say.
                    Some(None) => tr(lang.get(), Msg::StorageNotReported),
                }}
            </p>
        </section>
    }
}

fn case_item(
    lang: RwSignal<crate::i18n::Lang>,
    case: CaseRecord,
    item: Option<OutboxItem>,
    (name, people): (String, usize),
) -> impl IntoView {
    let state = state_of(item.as_ref());
    let receipt = item.as_ref().and_then(|i| i.receipt.clone());
    let attention = state == OutboxState::Rejected || state == OutboxState::WaitingAuth;
    view! {
        <li class="case-item" data-testid="case-item" data-case-id=case.id.to_string() data-state=state.as_str()>
            <a href=format!("/case/{}", case.id)>
                <span class="name">
                    <bdi>{move || if name.is_empty() { tr(lang.get(), Msg::Unnamed) } else { name.clone() }}</bdi>
                </span>
                <span class="people">
                    {move || tr_with(lang.get(), Msg::People, &[("n", people.into())])}
                </span>
                <span class="state" class:attention=attention>{move || tr(lang.get(), state_words(state))}</span>
                {receipt.map(|r| view! { <span class="receipt" dir="ltr" data-testid="receipt-code">{r.receipt_code.to_string()}</span> })}
                {move || item.as_ref().and_then(|i| super::appointment::list_line(lang.get(), i))}
            </a>
        </li>
    }
}

/// A locked case as the home screen shows it: when it began and where it stands, nothing more.
fn locked_item(
    lang: RwSignal<crate::i18n::Lang>,
    case: crate::store::locked::LockedSummary,
    item: Option<OutboxItem>,
) -> impl IntoView {
    let state = item.as_ref().map(|i| state_of(Some(i)));
    let created_at = case.created_at;
    view! {
        <li class="case-item locked" data-testid="locked-item" data-case-id=case.id.to_string()
            data-state=state.map_or("locked", |s| s.as_str()) data-open=case.open.to_string()>
            <a href=format!("/case/{}", case.id)>
                <span class="name">{move || super::shared::started_words(lang.get(), created_at)}</span>
                {state.map(|s| view! { <span class="state">{move || tr(lang.get(), state_words(s))}</span> })}
            </a>
        </li>
    }
}

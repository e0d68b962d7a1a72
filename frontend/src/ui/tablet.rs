//! `/tablet`: the volunteer screen of a shared tablet — what it holds, without a name: locked
//! forms not sent yet, forms waiting to be sent or needing their family, deliveries, storage.
//! It opens with the tablet's enrolment code (the one it registered with), or by a staff member
//! signed in on the tablet (`POST /staff/tablet-view`, audited), for this page only.

use std::cell::Cell;

use leptos::prelude::*;
use protocol::outbox::OutboxState;

use super::loaded::loaded;
use super::status::state_of;
use super::{store, t, use_lang, StoreVersion};
use crate::i18n::{tr, tr_with, Msg};
use crate::platform;
use delivery::DeviceStore;

thread_local! {
    /// The code was typed in this page (forgotten with the page, and when forms lock).
    static SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// Closes the screen again (called when the tablet locks).
pub(super) fn close() {
    SHOWN.with(|s| s.set(false));
}

/// Forgiving comparison of codes: case, spaces and hyphens do not matter (as on the server).
fn same_code(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    !norm(a).is_empty() && norm(a) == norm(b)
}

/// What the screen counts.
#[derive(Clone, Default, PartialEq)]
struct Holdings {
    locked_drafts: usize,
    waiting: usize,
    need_attention: usize,
    delivered: usize,
    last_delivery: Option<f64>,
}

#[component]
pub(super) fn TabletScreen() -> impl IntoView {
    let lang = use_lang();
    let StoreVersion(version) = expect_context();
    let shown = RwSignal::new(SHOWN.with(Cell::get));
    let typed = RwSignal::new(String::new());
    let problem: RwSignal<Option<Msg>> = RwSignal::new(None);
    let enrolled = loaded(move || async move {
        store()
            .device_auth()
            .await
            .ok()
            .and_then(|a| a.enrolment_code)
    });
    let holdings = loaded(move || {
        version.get();
        async move {
            let outbox = store().outbox().await.unwrap_or_default();
            let locked = store().locked_cases().await.unwrap_or_default();
            let mut h = Holdings {
                locked_drafts: locked
                    .iter()
                    .filter(|c| outbox.iter().all(|i| i.case_id != c.id))
                    .count(),
                ..Holdings::default()
            };
            for item in &outbox {
                match state_of(Some(item)) {
                    OutboxState::Delivered => {
                        h.delivered += 1;
                        h.last_delivery = Some(
                            h.last_delivery
                                .map_or(item.updated_at, |t| t.max(item.updated_at)),
                        );
                    }
                    OutboxState::Rejected | OutboxState::WaitingAuth => h.need_attention += 1,
                    _ => h.waiting += 1,
                }
            }
            h
        }
    });
    let estimate = loaded(move || {
        version.get();
        platform::storage_estimate()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = enrolled.get_untracked().flatten();
        if code.is_some_and(|c| same_code(&c, &typed.get_untracked())) {
            SHOWN.with(|s| s.set(true));
            shown.set(true);
            problem.set(None);
        } else {
            problem.set(Some(Msg::TabletWrongCode));
        }
    };
    // Or a staff member signed in on this tablet opens it (audited; the sign-in ends there).
    let asking = RwSignal::new(false);
    let staff_open = move |_| {
        if asking.get_untracked() {
            return;
        }
        asking.set(true);
        leptos::task::spawn_local(async move {
            let answer =
                super::shared::as_staff_on_tablet("/staff/tablet-view", serde_json::json!({}))
                    .await;
            asking.set(false);
            match answer {
                Ok(_) => {
                    SHOWN.with(|s| s.set(true));
                    shown.set(true);
                    problem.set(None);
                }
                Err(m) => problem.set(Some(m)),
            }
        });
    };
    let count = move |msg: Msg, n: usize| tr_with(lang.get(), msg, &[("n", n.into())]);
    move || {
        if !shown.get() {
            let no_code = enrolled.get().is_some_and(|c| c.is_none());
            if no_code {
                return view! {
                    <section class="tablet card"><h1>{t(Msg::TabletTitle)}</h1><p>{t(Msg::TabletNoCode)}</p></section>
                }
                .into_any();
            }
            return view! {
                <form class="tablet card" data-testid="tablet-gate" on:submit=submit novalidate>
                    <h1>{t(Msg::TabletTitle)}</h1>
                    <p id="tablet-hint" class="hint">{t(Msg::TabletCodeHint)}</p>
                    <label for="tablet-code">{t(Msg::TabletCodeLabel)}</label>
                    <input id="tablet-code" type="text" data-testid="tablet-code" autocomplete="off" dir="ltr" maxlength="20"
                        aria-describedby="tablet-hint tablet-problem"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <p id="tablet-problem" class="field-error" role="alert">{move || problem.get().map(|m| tr(lang.get(), m))}</p>
                    <button type="submit" class="primary" data-testid="tablet-show">{t(Msg::TabletShow)}</button>
                    <p class="hint">{t(Msg::TabletOrStaff)}</p>
                    <p><a href="/staff/login" target="_blank" rel="noopener">{t(Msg::StaffSignInLink)}</a></p>
                    <button type="button" data-testid="tablet-staff-open" on:click=staff_open disabled=move || asking.get()>
                        {t(Msg::StaffOpen)}
                    </button>
                </form>
            }
            .into_any();
        }
        let h = holdings.get().unwrap_or_default();
        let last = h.last_delivery;
        view! {
            <section class="tablet" data-testid="tablet-holdings">
                <h1>{t(Msg::TabletTitle)}</h1>
                <ul class="holdings">
                    <li data-testid="tablet-locked-drafts" data-n=h.locked_drafts>{count(Msg::TabletLockedDrafts, h.locked_drafts)}</li>
                    <li data-testid="tablet-waiting" data-n=h.waiting>{count(Msg::TabletWaiting, h.waiting)}</li>
                    <li data-testid="tablet-need-attention" data-n=h.need_attention>{count(Msg::TabletNeedAttention, h.need_attention)}</li>
                    <li data-testid="tablet-delivered" data-n=h.delivered>{count(Msg::TabletDelivered, h.delivered)}</li>
                    <li data-testid="tablet-last-delivery">{move || match last {
                        Some(at) => tr_with(lang.get(), Msg::TabletLastDelivery, &[("when", platform::weekday_time(at, lang.get().code()).as_str().into())]),
                        None => tr(lang.get(), Msg::TabletNoDelivery),
                    }}</li>
                    <li data-testid="storage">{move || match estimate.get() {
                        Some(Some((used, quota))) => tr_with(lang.get(), Msg::StorageUsage, &[
                            ("used", platform::human_bytes(lang.get().code(), used).as_str().into()),
                            ("quota", platform::human_bytes(lang.get().code(), quota).as_str().into()),
                        ]),
                        Some(None) => tr(lang.get(), Msg::StorageNotReported),
                        None => String::new(),
                    }}</li>
                </ul>
                <a href="/">{t(Msg::MyCases)}</a>
            </section>
        }
        .into_any()
    }
}

//! Where a submitted case stands, in plain words, with its receipt once delivered.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::api::ErrorCode;
use protocol::outbox::OutboxState;

use delivery::actions::{self, Fix};

use super::{store, t, use_lang};
use crate::i18n::{tr, tr_with, Msg};
use crate::platform;
use crate::store::OutboxItem;

/// A case with no outbox item is a draft.
pub fn state_of(item: Option<&OutboxItem>) -> OutboxState {
    item.map_or(OutboxState::Draft, |i| i.state)
}

/// The few words people see for each state.
pub fn state_words(state: OutboxState) -> Msg {
    match state {
        OutboxState::Draft => Msg::StateDraft,
        OutboxState::Queued | OutboxState::WaitingNetwork | OutboxState::WaitingAuth => {
            Msg::StateSaved
        }
        OutboxState::Sending => Msg::StateSending,
        OutboxState::Delivered => Msg::StateDelivered,
        OutboxState::Rejected => Msg::StateAttention,
    }
}

fn explanation(item: &OutboxItem) -> Msg {
    match item.state {
        OutboxState::Draft | OutboxState::Queued | OutboxState::WaitingNetwork => {
            Msg::ExplainQueued
        }
        OutboxState::Sending => Msg::ExplainSending,
        OutboxState::WaitingAuth => Msg::ExplainWaitingAuth,
        OutboxState::Delivered => Msg::ExplainDelivered,
        OutboxState::Rejected => match item.problem.as_ref() {
            Some(p) if p.code == Some(ErrorCode::ValidationFailed) => Msg::RejectedInvalid,
            Some(p) if p.code == Some(ErrorCode::CaseConflict) => Msg::RejectedConflict,
            Some(p) if p.code == Some(ErrorCode::ClientUnsupported) => Msg::RejectedOutdated,
            Some(p) if p.status.is_none() => Msg::PhotoMissingOnDevice,
            _ => Msg::RejectedOther,
        },
    }
}

/// "2 of 3 photos sent, 40 %", from what the uploader recorded in the store.
fn photo_progress(case_id: protocol::CaseId) -> impl IntoView {
    let lang = use_lang();
    let photos = super::photos_step::case_photos(case_id);
    move || {
        let photos = photos.get().unwrap_or_default();
        if photos.is_empty() {
            return None;
        }
        let total_bytes: u64 = photos
            .iter()
            .filter_map(|p| p.record.processed.as_ref().map(|x| x.size))
            .sum();
        let sent_bytes: u64 = photos.iter().map(|p| p.record.upload.sent).sum();
        let sent = photos.iter().filter(|p| p.record.upload.done).count();
        let percent = (sent_bytes * 100).checked_div(total_bytes).unwrap_or(0);
        let text = tr_with(
            lang.get(),
            Msg::PhotosProgress,
            &[
                ("sent", sent.into()),
                ("total", photos.len().into()),
                ("percent", percent.into()),
            ],
        );
        Some(view! {
            <p class="photo-progress" data-testid="photo-progress" data-percent=percent.to_string()>{text}</p>
            <progress max="100" value=percent.to_string() aria-label=move || tr(lang.get(), Msg::StateSending)></progress>
        })
    }
}

/// "Sign in again": forgets the refused token and puts the waiting cases back in the queue
/// (with the organisation's code when it asks for one); the worker registers the device and
/// their uploads continue where they stopped. What the server then says comes back through the
/// store, on the case.
fn sign_in(needs_code: bool, problem: Option<ErrorCode>, code: RwSignal<String>) -> impl IntoView {
    let lang = use_lang();
    let submit = move |_| {
        spawn_local(async move {
            let typed = code.get_untracked();
            let typed = needs_code.then_some(typed.as_str());
            if let Err(e) = actions::sign_in_again(&*store(), typed, platform::now_ms()).await {
                web_sys::console::error_1(&format!("sign in again: {e}").into());
            }
        });
    };
    let failure = match problem {
        Some(ErrorCode::EnrolmentInvalid) => Some(Msg::EnrolmentCodeInvalid),
        _ => None,
    };
    view! {
        <div class="sign-in" data-testid="sign-in">
            {needs_code.then(|| view! {
                <div class="field">
                    <label for="enrolment-code">{t(Msg::EnrolmentCodeLabel)}</label>
                    <input id="enrolment-code" data-testid="enrolment-code" type="text" autocomplete="off" autocapitalize="characters"
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    <p class="hint">{t(Msg::EnrolmentCodeHint)}</p>
                </div>
            })}
            <button type="button" class="primary" data-testid="sign-in-again" on:click=submit>
                {t(Msg::SignInAgain)}
            </button>
            {failure.map(|m| view! { <p class="problem" role="alert">{move || tr(lang.get(), m)}</p> })}
        </div>
    }
}

/// The status panel of a submitted case, with the way forward when it needs a person, and its
/// receipt once delivered. `name`: the person's name, if the device still holds it (offered for
/// the receipt's printout only).
#[component]
pub fn CaseStatus(item: Signal<Option<OutboxItem>>, name: Signal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    // The receipt is drawn only when it changes (not on every store write), so the print
    // view's choices survive the writes that follow delivery; its appointment follows the store.
    let receipt = Memo::new(move |_| {
        item.get()
            .and_then(|i| i.receipt)
            .map(|r| (r.receipt_code.to_string(), r.received_at))
    });
    let receipt_view = move || {
        receipt.get().map(|(code, received_at)| {
            view! { <super::receipt::Receipt code received_at item name=name.get_untracked() /> }
        })
    };
    // Made once: the panel below is rebuilt on every store write, and what was typed must
    // survive that.
    let code = RwSignal::new(String::new());
    let panel = move || {
        let item = item.get()?;
        let state = item.state;
        let case_id = item.case_id;
        let explain = explanation(&item);
        let problem_code = item.problem.as_ref().and_then(|p| p.code);
        let fix = actions::fix_for(&item);
        Some(view! {
            <section class="case-status" data-testid="case-status" data-state=state.as_str() role="status" aria-live="polite">
                <h2>{move || tr(lang.get(), state_words(state))}</h2>
                <p>{move || tr(lang.get(), explain)}</p>
                {(state != OutboxState::Delivered).then(|| photo_progress(case_id))}
                {match fix {
                    Fix::SignIn { needs_code } => sign_in(needs_code, problem_code, code).into_any(),
                    Fix::Correct => view! {
                        <button class="primary" data-testid="correct-again" on:click=move |_| {
                            spawn_local(async move {
                                let _ = actions::reopen(&*store(), case_id).await;
                            });
                        }>{t(Msg::EditAgain)}</button>
                    }.into_any(),
                    Fix::UpdateApp => view! {
                        <button class="primary" data-testid="update-app" on:click=move |_| {
                            let _ = platform::window().location().reload();
                        }>{t(Msg::UpdateApp)}</button>
                    }.into_any(),
                    Fix::None => ().into_any(),
                }}
            </section>
        })
    };
    view! { {panel} {receipt_view} }
}

//! Where a submitted case stands, in plain words, with its receipt once delivered.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::api::ErrorCode;
use protocol::outbox::OutboxState;

use super::{store, t, use_lang};
use crate::i18n::{tr, Msg};
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
        OutboxState::Rejected => match item.problem.as_ref().and_then(|p| p.code) {
            Some(ErrorCode::ValidationFailed) => Msg::RejectedInvalid,
            Some(ErrorCode::CaseConflict) => Msg::RejectedConflict,
            Some(ErrorCode::ClientUnsupported) => Msg::RejectedOutdated,
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
        let text = tr(lang.get(), Msg::PhotosProgress)
            .replace("{sent}", &sent.to_string())
            .replace("{total}", &photos.len().to_string())
            .replace("{percent}", &percent.to_string());
        Some(view! {
            <p class="photo-progress" data-testid="photo-progress" data-percent=percent.to_string()>{text}</p>
            <progress max="100" value=percent.to_string()></progress>
        })
    }
}

/// The sign-in form's state, kept by the status panel.
#[derive(Clone, Copy)]
struct SignInForm {
    code: RwSignal<String>,
    failure: RwSignal<Option<Msg>>,
    busy: RwSignal<bool>,
}

impl SignInForm {
    fn new() -> Self {
        SignInForm {
            code: RwSignal::new(String::new()),
            failure: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }
}

/// "Sign in again": registers the device anew (with the organisation's code when it asks for
/// one); the waiting cases then continue where their uploads stopped.
fn sign_in(needs_code: bool, form: SignInForm) -> impl IntoView {
    let lang = use_lang();
    let SignInForm {
        code,
        failure,
        busy,
    } = form;
    let submit = move |_| {
        busy.set(true);
        spawn_local(async move {
            let typed = code.get_untracked();
            let outcome =
                crate::sync::sign_in_again(&store(), needs_code.then_some(typed.as_str())).await;
            busy.set(false);
            failure.set(match outcome {
                Ok(Ok(())) => None,
                Ok(Err(problem)) if problem.status.is_none() => Some(Msg::SignInNoConnection),
                Ok(Err(problem)) if problem.code == Some(ErrorCode::EnrolmentInvalid) => {
                    Some(Msg::EnrolmentCodeInvalid)
                }
                Ok(Err(_)) | Err(_) => Some(Msg::EnrolmentCodeHint),
            });
        });
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
            <button type="button" class="primary" data-testid="sign-in-again" disabled=move || busy.get() on:click=submit>
                {t(Msg::SignInAgain)}
            </button>
            {move || failure.get().map(|m| view! { <p class="problem" role="alert">{tr(lang.get(), m)}</p> })}
        </div>
    }
}

/// The status panel of a submitted case. `on_reopen` runs after a rejected case went back to
/// draft so the person can correct it.
#[component]
pub fn CaseStatus(item: Signal<Option<OutboxItem>>) -> impl IntoView {
    let lang = use_lang();
    // Made once: the panel below is rebuilt on every store write (signing in writes too), and
    // what was typed or the last error must survive that.
    let sign_in_form = SignInForm::new();
    move || {
        let item = item.get()?;
        let state = item.state;
        let receipt = item.receipt.clone();
        let can_reopen = state == OutboxState::Rejected
            && item.problem.as_ref().and_then(|p| p.code) == Some(ErrorCode::ValidationFailed);
        let case_id = item.case_id;
        let explain = explanation(&item);
        let needs_code = matches!(
            item.problem.as_ref().and_then(|p| p.code),
            Some(ErrorCode::EnrolmentRequired | ErrorCode::EnrolmentInvalid)
        );
        Some(view! {
            <section class="case-status" data-testid="case-status" data-state=state.as_str() role="status" aria-live="polite">
                <h2>{move || tr(lang.get(), state_words(state))}</h2>
                <p>{move || tr(lang.get(), explain)}</p>
                {(state != OutboxState::Delivered).then(|| photo_progress(case_id))}
                {receipt.map(|r| {
                    let received = r.received_at.clone();
                    view! {
                        <div class="receipt-box">
                            <p class="label">{t(Msg::ReceiptLabel)}</p>
                            <p class="receipt-code" data-testid="receipt-code">{r.receipt_code.to_string()}</p>
                            <p class="hint">{t(Msg::ReceiptHint)}</p>
                            <p class="received">
                                {t(Msg::ReceivedAt)} ": " {move || platform::local_datetime(&received, lang.get().code())}
                            </p>
                        </div>
                    }
                })}
                {(state == OutboxState::WaitingAuth).then(|| sign_in(needs_code, sign_in_form))}
                {can_reopen.then(|| view! {
                    <button on:click=move |_| {
                        spawn_local(async move {
                            let _ = store().reopen_rejected(case_id).await;
                        });
                    }>{t(Msg::EditAgain)}</button>
                })}
            </section>
        })
    }
}

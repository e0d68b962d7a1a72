//! Shared tablets (a device enrolled with a shared code): a family chooses a PIN when it starts
//! its form ([`ChoosePin`]), the form is opened only with it ([`Unlock`]), and it is locked again
//! by "Finish and lock", after the organisation's idle time, and whenever the app is hidden
//! ([`install_locking`]). Locking first takes the form off the screen, then writes what was
//! still being saved, then forgets the key ([`crate::store::locked`]).

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::CaseId;
use wasm_bindgen::JsCast;

use super::route::{navigate, Page};
use super::{store, t, use_lang};
use crate::i18n::{tr, tr_with, Msg};
use crate::platform;
use crate::store::locked::UnlockError;
use crate::store::CaseRecord;
use crate::vault::{self, PinProblem};
use delivery::DeviceStore;

/// How this device runs, as the organisation last said (read from the store).
pub(super) async fn settings() -> protocol::api::DeviceSettings {
    store()
        .device_auth()
        .await
        .ok()
        .and_then(|a| a.settings)
        .unwrap_or_default()
}

fn pin_words(problem: PinProblem) -> Msg {
    match problem {
        PinProblem::SixDigits => Msg::PinSixDigits,
        PinProblem::PassphraseShort => Msg::PinPassphraseShort,
    }
}

/// The PIN a family chooses for a new form on a shared tablet; `record` is the new case, kept
/// only once it is locked.
#[component]
pub(super) fn ChoosePin(record: CaseRecord, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let problem: RwSignal<Option<Msg>> = RwSignal::new(None);
    let working = RwSignal::new(false);
    let failed: RwSignal<Option<String>> = RwSignal::new(None);
    let pin_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = pin_ref.get() {
            let _ = input.focus();
        }
    });
    let record = StoredValue::new_local(record);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if working.get_untracked() {
            return;
        }
        let chosen = pin.get_untracked();
        let found = vault::pin_problem(&chosen)
            .map(pin_words)
            .or((chosen != again.get_untracked()).then_some(Msg::PinMismatch));
        problem.set(found);
        if found.is_some() {
            if let Some(input) = pin_ref.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        working.set(true);
        spawn_local(async move {
            let record = record.get_value();
            match store()
                .start_locked(&record, &chosen, vault::PIN_ITERATIONS)
                .await
            {
                Ok(()) => {
                    navigate(Page::Case(record.id), false);
                    platform::persist_storage().await;
                }
                Err(e) => {
                    failed.set(Some(e.to_string()));
                    working.set(false);
                }
            }
        });
    };
    let described = move || {
        if problem.get().is_some() {
            "pin-hint pin-problem"
        } else {
            "pin-hint"
        }
    };
    view! {
        <form class="pin card" data-testid="choose-pin" on:submit=submit novalidate>
            <h2 id="pin-title">{t(Msg::PinTitle)}</h2>
            <p id="pin-hint" class="hint">{t(Msg::PinHint)}</p>
            <label for="pin">{t(Msg::PinLabel)}</label>
            <input id="pin" node_ref=pin_ref type="password" autocomplete="new-password" dir="ltr"
                data-testid="pin" maxlength="128" aria-describedby=described
                aria-invalid=move || problem.get().is_some().to_string()
                prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
            <label for="pin-again">{t(Msg::PinAgain)}</label>
            <input id="pin-again" type="password" autocomplete="new-password" dir="ltr"
                data-testid="pin-again" maxlength="128" aria-describedby="pin-hint"
                prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
            <p id="pin-problem" class="field-error" role="alert" data-testid="pin-problem">
                {move || problem.get().map(|m| tr(lang.get(), m))}
                {move || failed.get()}
            </p>
            <div class="actions">
                <button type="submit" class="primary" data-testid="pin-start" disabled=move || working.get()>
                    {move || tr(lang.get(), if working.get() { Msg::PinWorking } else { Msg::PinStart })}
                </button>
                <button type="button" data-testid="pin-cancel" on:click=move |_| on_cancel.run(())>{t(Msg::PinCancel)}</button>
            </div>
        </form>
    }
}

/// The PIN asked for before a locked form opens; `on_open` runs once it is open.
#[component]
pub(super) fn Unlock(id: CaseId, on_open: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let pin = RwSignal::new(String::new());
    let working = RwSignal::new(false);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    // When a try is allowed again (ms since the epoch), and the seconds left, ticking.
    let wait_until = RwSignal::new(0.0_f64);
    let seconds_left = RwSignal::new(0_u32);
    let pin_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = pin_ref.get() {
            let _ = input.focus();
        }
    });
    // A wait left from before (a reload does not reset it).
    spawn_local(async move {
        if let Ok(Some(entry)) = store().locked_case(id).await {
            wait_until.set(entry.next_try_at);
        }
    });
    // Dropped with the form, which stops it.
    let ticker = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    Effect::new(move |_| {
        let until = wait_until.get();
        let left = move || ((until - platform::now_ms()) / 1000.0).ceil().max(0.0) as u32;
        seconds_left.set(left());
        let interval = (left() > 0).then(|| {
            gloo_timers::callback::Interval::new(250, move || {
                let _ = seconds_left.try_set(left());
            })
        });
        ticker.set_value(interval);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if working.get_untracked() || seconds_left.get_untracked() > 0 {
            return;
        }
        let typed = pin.get_untracked();
        working.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = store().unlock(id, &typed, platform::now_ms()).await;
            working.set(false);
            match result {
                Ok(()) => {
                    // Photos it was locked before they were processed are processed now.
                    spawn_local(async { crate::photos::process_pending(&store()).await });
                    on_open.run(());
                }
                Err(UnlockError::WrongPin { wait_secs, .. }) => {
                    pin.set(String::new());
                    problem.set(Some(tr(lang.get_untracked(), Msg::WrongPin)));
                    wait_until.set(platform::now_ms() + f64::from(wait_secs) * 1000.0);
                    if let Some(input) = pin_ref.get_untracked() {
                        let _ = input.focus();
                    }
                }
                Err(UnlockError::TooSoon { at }) => wait_until.set(at),
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    // Forgot the PIN: a staff member signed in on this tablet opens it, then a new PIN.
    let recovering = RwSignal::new(false);
    let recover_problem: RwSignal<Option<Msg>> = RwSignal::new(None);
    let choosing_new = RwSignal::new(false);
    let staff_open = move |_| {
        if recovering.get_untracked() {
            return;
        }
        recovering.set(true);
        recover_problem.set(None);
        spawn_local(async move {
            let result = open_with_staff(id).await;
            recovering.set(false);
            match result {
                Ok(()) => choosing_new.set(true),
                Err(m) => recover_problem.set(Some(m)),
            }
        });
    };
    move || {
        if choosing_new.get() {
            return view! { <NewPin id on_done=on_open /> }.into_any();
        }
        view! {
            <form class="pin card" data-testid="unlock" on:submit=submit novalidate>
                <h2>{t(Msg::LockedTitle)}</h2>
                <p id="unlock-hint" class="hint">{t(Msg::LockedHint)}</p>
                <label for="unlock-pin">{t(Msg::PinLabel)}</label>
                <input id="unlock-pin" node_ref=pin_ref type="password" autocomplete="off" dir="ltr"
                    data-testid="unlock-pin" maxlength="128" aria-describedby="unlock-hint unlock-problem"
                    aria-invalid=move || problem.get().is_some().to_string()
                    prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
                <p id="unlock-problem" class="field-error" role="alert" data-testid="unlock-problem"
                    data-wait=move || seconds_left.get().to_string()>
                    {move || problem.get()}
                    " "
                    {move || (seconds_left.get() > 0).then(|| tr_with(lang.get(), Msg::PinWait, &[("seconds", seconds_left.get().into())]))}
                </p>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="unlock-open"
                        disabled=move || { working.get() || seconds_left.get() > 0 }>
                        {move || tr(lang.get(), if working.get() { Msg::Unlocking } else { Msg::Unlock })}
                    </button>
                </div>
            </form>
            <details class="forgot-pin card" data-testid="forgot-pin">
                <summary>{t(Msg::ForgotPin)}</summary>
                <p>{t(Msg::ForgotPinHow)}</p>
                <p><a href="/staff/login" target="_blank" rel="noopener" data-testid="staff-sign-in">{t(Msg::StaffSignInLink)}</a></p>
                <button type="button" data-testid="staff-open" on:click=staff_open disabled=move || recovering.get()>
                    {move || tr(lang.get(), if recovering.get() { Msg::StaffOpening } else { Msg::StaffOpen })}
                </button>
                <p class="field-error" role="alert" data-testid="recover-problem">
                    {move || recover_problem.get().map(|m| tr(lang.get(), m))}
                </p>
            </details>
        }
        .into_any()
    }
}

/// Sends `body` to a `/staff/…` endpoint for the staff member signed in on this tablet, with the
/// device's token; the JSON answer, or what to tell the person.
pub(super) async fn as_staff_on_tablet(
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, Msg> {
    let token = store()
        .device_auth()
        .await
        .ok()
        .and_then(|a| a.credentials)
        .map(|c| c.token)
        .ok_or(Msg::RecoverFailed)?;
    let request = gloo_net::http::Request::post(path)
        .header("authorization", &format!("Bearer {token}"))
        .json(&body)
        .map_err(|_| Msg::RecoverFailed)?;
    let response = request.send().await.map_err(|_| Msg::RecoverOffline)?;
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    if response.status() == 401 && answer["error"]["code"] == "staff_sign_in_needed" {
        return Err(Msg::RecoverSignInFirst);
    }
    if !response.ok() {
        return Err(Msg::RecoverFailed);
    }
    Ok(answer)
}

/// Asks the server to open the case's key for the staff member signed in on this tablet
/// (`POST /staff/recovery`), and opens the case with it.
async fn open_with_staff(id: CaseId) -> Result<(), Msg> {
    use base64::Engine;
    let store = store();
    let Ok(Some(recovery)) = store.recovery_of(id).await else {
        return Err(Msg::RecoverNotPossible);
    };
    let body = serde_json::json!({ "case_id": id, "recovery": recovery });
    let answer = as_staff_on_tablet("/staff/recovery", body).await?;
    let key = answer["case_key"]
        .as_str()
        .and_then(|k| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(k)
                .ok()
        })
        .ok_or(Msg::RecoverFailed)?;
    store
        .open_with_key(id, &key)
        .await
        .map_err(|_| Msg::RecoverFailed)
}

/// After a staff member opened a form whose PIN was forgotten: the family chooses a new one.
#[component]
fn NewPin(id: CaseId, on_done: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let problem: RwSignal<Option<Msg>> = RwSignal::new(None);
    let failed: RwSignal<Option<String>> = RwSignal::new(None);
    let working = RwSignal::new(false);
    let pin_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = pin_ref.get() {
            let _ = input.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if working.get_untracked() {
            return;
        }
        let chosen = pin.get_untracked();
        let found = vault::pin_problem(&chosen)
            .map(pin_words)
            .or((chosen != again.get_untracked()).then_some(Msg::PinMismatch));
        problem.set(found);
        if found.is_some() {
            return;
        }
        working.set(true);
        spawn_local(async move {
            match store().change_pin(id, &chosen, vault::PIN_ITERATIONS).await {
                Ok(()) => on_done.run(()),
                Err(e) => {
                    failed.set(Some(e.to_string()));
                    working.set(false);
                }
            }
        });
    };
    view! {
        <form class="pin card" data-testid="new-pin" on:submit=submit novalidate>
            <h2>{t(Msg::NewPinTitle)}</h2>
            <p id="new-pin-hint" class="hint">{t(Msg::NewPinHint)}</p>
            <label for="new-pin">{t(Msg::PinLabel)}</label>
            <input id="new-pin" node_ref=pin_ref type="password" autocomplete="new-password" dir="ltr"
                data-testid="new-pin-input" maxlength="128" aria-describedby="new-pin-hint new-pin-problem"
                aria-invalid=move || problem.get().is_some().to_string()
                prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
            <label for="new-pin-again">{t(Msg::PinAgain)}</label>
            <input id="new-pin-again" type="password" autocomplete="new-password" dir="ltr"
                data-testid="new-pin-again" maxlength="128" aria-describedby="new-pin-hint"
                prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
            <p id="new-pin-problem" class="field-error" role="alert">
                {move || problem.get().map(|m| tr(lang.get(), m))}
                {move || failed.get()}
            </p>
            <div class="actions">
                <button type="submit" class="primary" data-testid="new-pin-save" disabled=move || working.get()>
                    {move || tr(lang.get(), if working.get() { Msg::PinWorking } else { Msg::NewPinSave })}
                </button>
            </div>
        </form>
    }
}

/// "Finish and lock": the form leaves the screen and is locked for the next family.
#[component]
pub(super) fn FinishAndLock() -> impl IntoView {
    view! {
        <button type="button" class="finish-lock" data-testid="finish-and-lock" on:click=move |_| lock_now()>
            {t(Msg::FinishAndLock)}
        </button>
    }
}

thread_local! {
    /// When the person last touched the page (ms since the epoch).
    static LAST_TOUCH: Cell<f64> = Cell::new(platform::now_ms());
    /// A form was just locked: the home screen says so once.
    static JUST_LOCKED: Cell<bool> = const { Cell::new(false) };
    /// The camera or the file chooser was opened and the page has not come back from it yet.
    static IN_PICKER: Cell<bool> = const { Cell::new(false) };
}

/// Whether a form was locked since the home screen last asked.
pub(super) fn take_just_locked() -> bool {
    JUST_LOCKED.with(|j| j.replace(false))
}

/// Locks every open form: off the screen at once, then what was being saved is written, then
/// the keys are forgotten.
pub(super) fn lock_now() {
    super::tablet::close();
    if !store().has_open_locked() {
        return;
    }
    JUST_LOCKED.with(|j| j.set(true));
    super::tablet::close();
    if matches!(
        Page::of_path(&platform::window().location().pathname().unwrap_or_default()),
        Page::Case(_)
    ) {
        navigate(Page::Home, false);
    }
    spawn_local(async {
        super::autosave::settle_all().await;
        let store = store();
        for id in store.open_locked_ids() {
            super::autosave::forget(id);
        }
        store.lock_all();
    });
}

/// Installed once: locks after the organisation's idle time without a touch, and when the app
/// is hidden (the tablet sleeps, another app comes to the front).
pub(super) fn install_locking() {
    for event in ["pointerdown", "keydown", "input", "scroll"] {
        platform::on_document(event, |_| LAST_TOUCH.with(|t| t.set(platform::now_ms())));
    }
    // Taking a document photo hides the page behind the camera: that must not lock the form
    // under the family (the photo would come back to a locked form). The idle time still counts.
    platform::on_document("click", |event| {
        let is_picker = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .is_some_and(|input| input.type_() == "file");
        if is_picker {
            IN_PICKER.with(|p| p.set(true));
        }
    });
    platform::on_document("visibilitychange", |_| {
        if !platform::page_is_hidden() {
            IN_PICKER.with(|p| p.set(false));
        } else if !IN_PICKER.with(Cell::get) {
            lock_now();
        }
    });
    platform::on_window("pagehide", |_| lock_now());
    // A picker closed without a change (cancelled) gives the focus back to the page.
    platform::on_window("focus", |_| IN_PICKER.with(|p| p.set(false)));
    spawn_local(async {
        loop {
            gloo_timers::future::TimeoutFuture::new(5_000).await;
            if !store().has_open_locked() {
                continue;
            }
            let idle_ms = f64::from(settings().await.lock_after_secs) * 1000.0;
            if platform::now_ms() - LAST_TOUCH.with(Cell::get) >= idle_ms {
                lock_now();
            }
        }
    });
}

/// When a case began, as the home screen of a shared tablet shows it ("Tuesday 10:31").
pub(super) fn started_words(lang: crate::i18n::Lang, created_at: f64) -> String {
    tr_with(
        lang,
        Msg::LockedCase,
        &[(
            "when",
            platform::weekday_time(created_at, lang.code())
                .as_str()
                .into(),
        )],
    )
}

/// Sends a case: on a shared tablet (a case behind a PIN) sealed for the organisation at Send,
/// so the outbox holds nothing readable; as on any phone otherwise.
pub(super) async fn submit(
    current: &CaseRecord,
    today: protocol::date::Date,
) -> Result<
    Result<delivery::actions::SubmitOutcome, delivery::actions::SealAtSendError>,
    crate::store::StoreError,
> {
    let store = store();
    let now = platform::now_ms();
    if !store.is_locked_case(current.id).await? {
        return delivery::actions::submit(&*store, current, today, now)
            .await
            .map(Ok);
    }
    let mut seed = [0u8; 32];
    let seed =
        delivery::env::Random::fill_secret(&platform::BrowserRandom, &mut seed).then_some(seed);
    delivery::actions::submit_sealed(&*store, current, seed, today, now).await
}

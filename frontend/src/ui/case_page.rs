//! `/case/:id`: the form while it is a draft (the household form's screens, or a defined form's),
//! its status once submitted.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::CaseId;

use super::form::CaseForm;
use super::home::OPEN_CASE;
use super::status::CaseStatus;
use delivery::DeviceStore;

use super::{store, t, StoreVersion};
use crate::i18n::Msg;
use crate::store::{CaseRecord, StoreError};

#[component]
pub fn CasePage(id: CaseId) -> impl IntoView {
    let StoreVersion(version) = expect_context();
    // The page is made anew for each case (the route's match), so the case never changes here.
    let case_id = Memo::new(move |_| Some(id));

    // The form edits this signal; it is loaded once per case, never re-read under the typist.
    let record: RwSignal<Option<CaseRecord>> = RwSignal::new(None);
    let loaded = RwSignal::new(false);
    // A shared tablet's case that is locked now (its PIN opens it), or one open with its PIN.
    let locked = RwSignal::new(false);
    let behind_pin = RwSignal::new(false);
    let read = move |id: Option<CaseId>| {
        spawn_local(async move {
            // The newest version typed (a change a full device could not write yet), or the store's.
            let found = match id {
                Some(id) => match super::autosave::pending(id) {
                    Some(pending) => Ok(Some(pending)),
                    None => store().case(id).await,
                },
                None => Ok(None),
            };
            if let Some(id) = id {
                behind_pin.set(store().is_locked_case(id).await.unwrap_or(false));
            }
            locked.set(found == Err(StoreError::Locked));
            record.set(found.ok().flatten());
            loaded.set(true);
            if let Some(id) = id {
                let _ = store().set_meta(OPEN_CASE, &Some(id.to_string())).await;
            }
        });
    };
    Effect::new(move |_| {
        loaded.set(false);
        read(case_id.get());
    });

    let outbox = super::loaded::loaded(move || {
        version.get();
        let id = case_id.get();
        async move {
            match id {
                Some(id) => store().outbox_item(id).await.ok().flatten(),
                None => None,
            }
        }
    });
    let item = Signal::derive(move || outbox.get().flatten());
    // Switch between form and status only when submission starts or ends, not on every write.
    let submitted = Memo::new(move |_| item.with(|i| i.is_some()));
    let exists = Memo::new(move |_| record.with(|r| r.is_some()));
    // A case on a form the organisation defined, rather than the household form's own screens.
    let on_form = Memo::new(move |_| record.with(|r| r.as_ref().is_some_and(|r| r.form.is_some())));
    // Taken back to correct ("Correct and send again"): the form shows the case as the store
    // now holds it, with what the server found.
    Effect::new(move |before: Option<bool>| {
        let now = submitted.get();
        if before == Some(true) && !now {
            if let Some(id) = case_id.get_untracked() {
                spawn_local(async move {
                    if let Ok(Some(found)) = store().case(id).await {
                        record.set(Some(found));
                    }
                });
            }
        }
        now
    });

    let opened = Callback::new(move |_| read(Some(id)));
    let finish = move || {
        behind_pin
            .get()
            .then(|| view! { <super::shared::FinishAndLock /> })
    };
    let page = move || {
        if !loaded.get() {
            view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any()
        } else if locked.get() {
            view! { <super::shared::Unlock id on_open=opened /> }.into_any()
        } else if !exists.get() && !submitted.get() {
            view! {
                <p class="problem">{t(Msg::CaseNotFound)}</p>
                <a href="/">{t(Msg::MyCases)}</a>
            }
            .into_any()
        } else if submitted.get() {
            // A shared tablet's delivered case keeps only its receipt: no answers to show.
            let summary = if !exists.get() {
                ().into_any()
            } else if on_form.get() {
                view! { <super::defined::DefinedSummary record /> }.into_any()
            } else {
                view! { <super::form::Summary record /> }.into_any()
            };
            let name = Signal::derive(move || {
                record.with(|r| {
                    r.as_ref()
                        .filter(|r| r.form.is_none())
                        .map(|r| r.submission.applicant.name.clone())
                })
            });
            view! {
                <CaseStatus item name />
                {summary}
                <a class="back-link" href="/">{t(Msg::MyCases)}</a>
            }
            .into_any()
        } else if on_form.get() {
            view! { <super::defined::DefinedForm record /> }.into_any()
        } else {
            view! { <CaseForm record /> }.into_any()
        }
    };
    view! {
        {move || (!locked.get()).then(finish)}
        {page}
    }
}

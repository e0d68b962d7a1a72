//! The household's appointment on the device: choosing up to three preferred slots from the list
//! the sync worker keeps (so it works offline, and says how old the list is), and showing the
//! booking as it stands now, with what staff changed and an "add to calendar" file.

use leptos::prelude::*;
use protocol::appointment::{Appointment, Slot, MAX_PREFERENCES};
use protocol::SlotId;

use super::loaded::loaded;
use super::{store, use_lang, StoreVersion};
use crate::i18n::{tr, tr_with, Lang, Msg};
use crate::platform;
use crate::store::{DeviceStore, OutboxItem};

/// Up to three preferred slots, in the order chosen. `people`: how many the case covers (a slot
/// with too few places left for all of them cannot be chosen: the household is never split).
#[component]
pub fn SlotPicker(
    chosen: Signal<Vec<SlotId>>,
    on_change: Callback<Vec<SlotId>>,
    people: Signal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let StoreVersion(version) = expect_context();
    let kept = loaded(move || {
        version.get();
        async move { store().slots().await }
    });
    let toggle = move |slot: SlotId, on: bool| {
        let mut now = chosen.get_untracked();
        now.retain(|s| *s != slot);
        if on && now.len() < MAX_PREFERENCES {
            now.push(slot);
        }
        on_change.run(now);
    };
    let body = move || {
        let l = lang.get();
        let list = match kept.get() {
            None => return None,
            Some(Err(_)) => {
                return Some(
                    view! { <p class="problem" role="alert">{tr(l, Msg::SaveFailed)}</p> }
                        .into_any(),
                )
            }
            Some(Ok(None)) => return Some(
                view! { <p data-testid="slots-none-yet">{tr(l, Msg::AppointmentNoSlotsYet)}</p> }
                    .into_any(),
            ),
            Some(Ok(Some(list))) => list,
        };
        let as_of =
            platform::weekday_time(platform::parse_ms(&list.as_of).unwrap_or(0.0), l.code());
        let now = platform::now_ms();
        let open: Vec<Slot> = list
            .slots
            .into_iter()
            .filter(|s| platform::parse_ms(&s.starts_at).is_some_and(|t| t > now))
            .collect();
        let as_of_line = view! {
            <p class="hint" data-testid="slots-as-of">
                {tr_with(l, Msg::AppointmentSlotsAsOf, &[("when", as_of.as_str().into())])}
            </p>
        };
        if open.is_empty() {
            return Some(
                view! { {as_of_line} <p data-testid="slots-empty">{tr(l, Msg::AppointmentNoSlots)}</p> }
                    .into_any(),
            );
        }
        let rows = open
            .into_iter()
            .map(|slot| slot_row(l, slot, chosen, people, toggle))
            .collect_view();
        Some(
            view! {
                {as_of_line}
                <ul class="slots" data-testid="slots">{rows}</ul>
                {move || (chosen.with(Vec::len) >= MAX_PREFERENCES).then(|| view! {
                    <p class="hint" data-testid="slots-max">{tr(lang.get(), Msg::AppointmentMaxChosen)}</p>
                })}
            }
            .into_any(),
        )
    };
    view! {
        <section class="slot-picker" data-testid="slot-picker" aria-labelledby="slot-picker-title">
            <h2 id="slot-picker-title">{move || tr(lang.get(), Msg::AppointmentChooseTitle)}</h2>
            <p>{move || tr(lang.get(), Msg::AppointmentChooseHint)}</p>
            {body}
        </section>
    }
}

fn slot_row(
    l: Lang,
    slot: Slot,
    chosen: Signal<Vec<SlotId>>,
    people: Signal<u32>,
    toggle: impl Fn(SlotId, bool) + Copy + 'static,
) -> impl IntoView {
    let id = slot.slot_id;
    let rank = move || chosen.with(|c| c.iter().position(|s| *s == id));
    let free = slot.people_free;
    let too_small = move || free < people.get().max(1);
    let full = move || rank().is_none() && chosen.with(Vec::len) >= MAX_PREFERENCES;
    let when = platform::place_datetime(&slot.starts_at, l.code());
    view! {
        <li class="slot" data-testid="slot" data-slot-id=id.to_string()>
            <label>
                <input type="checkbox" data-testid="slot-choice"
                    prop:checked=move || rank().is_some()
                    prop:disabled=move || rank().is_none() && (too_small() || full())
                    on:change=move |ev| toggle(id, event_target_checked(&ev)) />
                <span class="slot-text">
                    <span class="slot-when" data-testid="slot-when">{when}</span>
                    <span class="slot-place"><bdi>{slot.place.clone()}</bdi></span>
                    <span class="slot-free">
                        {move || if too_small() {
                            tr_with(l, Msg::AppointmentTooSmall, &[("n", free.into())])
                        } else {
                            tr_with(l, Msg::AppointmentPlacesFree, &[("n", free.into())])
                        }}
                    </span>
                    {move || rank().map(|r| view! {
                        <span class="slot-rank" data-testid="slot-rank">
                            {tr_with(l, Msg::AppointmentChoice, &[("n", (r + 1).into())])}
                        </span>
                    })}
                </span>
            </label>
        </li>
    }
}

/// The booking on the receipt: when and where, for whom, what staff changed, and a calendar
/// file. `item`: the delivered case's outbox item as the store holds it now.
#[component]
pub fn AppointmentPanel(item: Signal<Option<OutboxItem>>) -> impl IntoView {
    let lang = use_lang();
    let shown = Memo::new(move |_| {
        item.with(|i| {
            let i = i.as_ref()?;
            let receipt = i.receipt.as_ref()?;
            Some((
                i.case_id,
                receipt.receipt_code.to_string(),
                receipt.appointment.clone(),
                i.status.clone(),
            ))
        })
    });
    move || {
        let l = lang.get();
        let (case_id, code, appointment, status) = shown.get()?;
        let changed = status
            .as_ref()
            .filter(|s| s.changed_by_staff)
            .map(|s| staff_change(l, appointment.is_some(), s));
        Some(match appointment {
            Some(a) => {
                let calendar = calendar_link(l, &a, &code, &case_id.to_string());
                view! {
                    <section class="appointment" data-testid="appointment" aria-labelledby="appointment-title">
                        <h3 id="appointment-title">{tr(l, Msg::AppointmentTitle)}</h3>
                        {changed}
                        <p class="appointment-when" data-testid="appointment-when">
                            {platform::place_datetime(&a.starts_at, l.code())}
                        </p>
                        <p data-testid="appointment-place"><bdi>{a.place.clone()}</bdi></p>
                        <p>{tr_with(l, Msg::AppointmentLength, &[("minutes", a.minutes.into())])}</p>
                        <p class="hint">{tr(l, Msg::AppointmentEveryone)}</p>
                        {calendar}
                    </section>
                }
                .into_any()
            }
            None => view! {
                <section class="appointment" data-testid="no-appointment-box">
                    {changed}
                    <p class="appointment-none" data-testid="no-appointment">{tr(l, Msg::AppointmentNone)}</p>
                </section>
            }
            .into_any(),
        })
    }
}

/// "Staff changed your appointment on …; before: …; their note", said first and announced.
fn staff_change(l: Lang, still_booked: bool, status: &delivery::StatusSeen) -> impl IntoView {
    let when = status
        .appointment_changed_at
        .as_deref()
        .map(|at| platform::local_datetime(at, l.code()))
        .unwrap_or_default();
    let headline = if still_booked {
        Msg::AppointmentChanged
    } else {
        Msg::AppointmentCancelled
    };
    let before = status.previous_appointment.as_ref().map(|p| {
        let at = platform::place_datetime(&p.starts_at, l.code());
        view! {
            <p data-testid="appointment-before">
                {tr_with(l, Msg::AppointmentBefore, &[("when", at.as_str().into())])}
            </p>
        }
    });
    let note = status
        .appointment_note
        .clone()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            view! {
                <p data-testid="appointment-note">{tr(l, Msg::AppointmentStaffNote)}" "<bdi>{n}</bdi></p>
            }
        });
    view! {
        <div class="appointment-changed" data-testid="appointment-changed" role="status">
            <p><strong>{tr_with(l, headline, &[("when", when.as_str().into())])}</strong></p>
            {before}
            {note}
        </div>
    }
}

/// A link that saves the appointment as an `.ics` file (the phone offers its calendar).
fn calendar_link(l: Lang, a: &Appointment, code: &str, uid: &str) -> Option<impl IntoView> {
    let title = tr_with(l, Msg::AppointmentCalendarTitle, &[("code", code.into())]);
    let description = tr_with(
        l,
        Msg::AppointmentCalendarDescription,
        &[("code", code.into())],
    );
    let text = protocol::calendar::EventText {
        title: &title,
        description: &description,
    };
    let file = protocol::calendar::ics(a, &text, uid, platform::now_ms()).ok()?;
    let href = format!(
        "data:text/calendar;charset=utf-8,{}",
        js_sys::encode_uri_component(&file)
    );
    Some(view! {
        <a class="button calendar" data-testid="add-to-calendar" href=href download="appointment.ics">
            {tr(l, Msg::AppointmentAddToCalendar)}
        </a>
    })
}

/// The appointment in "My cases": its start, and that staff changed it (or cancelled it).
pub fn list_line(l: Lang, item: &OutboxItem) -> Option<impl IntoView> {
    let changed = item.status.as_ref().is_some_and(|s| s.changed_by_staff);
    let booked = item.receipt.as_ref()?.appointment.as_ref();
    let line = match booked {
        Some(a) => {
            let when = platform::place_datetime(&a.starts_at, l.code());
            view! {
                {tr_with(l, Msg::AppointmentOnList, &[("when", when.as_str().into())])}
                {changed.then(|| view! { " " <strong data-testid="case-appointment-changed">{tr(l, Msg::AppointmentChangedBadge)}</strong> })}
            }
            .into_any()
        }
        None if changed => view! {
            <strong data-testid="case-appointment-changed">{tr(l, Msg::AppointmentCancelledBadge)}</strong>
        }
        .into_any(),
        None => return None,
    };
    Some(view! { <span class="appointment-line" data-testid="case-appointment">{line}</span> })
}

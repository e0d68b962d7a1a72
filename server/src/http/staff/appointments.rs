//! Appointment slots on the staff pages: each day's slots with their households and people
//! (everyone), publishing, closing and cancelling slots (admins), and on a case's page its
//! household's appointment, which any staff member may move (the whole household, to a slot
//! with room for all) or cancel, with a note. Every change is audited in its own transaction.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use protocol::{CaseId, SlotId};
use serde::Deserialize;

use super::html::{csrf_field, page, scrolling_table};
use super::text::Text;
use super::{Staff, StaffError};
use crate::http::AppState;
use crate::storage::appointments::{parse_starts_at, MoveOutcome, NewSlot, SlotState, StoredSlot};
use crate::storage::now_unix;

/// How far ahead the slots page looks.
const PAGE_DAYS: i64 = 60;

fn state_name(text: &Text, state: SlotState) -> String {
    text.t(match state {
        SlotState::Open => "slot-open",
        SlotState::Closed => "slot-closed",
        SlotState::Cancelled => "slot-cancelled",
    })
}

fn parse_slot_id(id: &str) -> Result<SlotId, StaffError> {
    id.parse().map_err(|_| StaffError::NotFound)
}

/// A slot as staff read it: its start as published (the place's own date, time and offset).
fn slot_label(slot: &StoredSlot) -> String {
    format!("{} · {} min · {}", slot.starts_at, slot.minutes, slot.place)
}

pub async fn slots_page(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
) -> Result<Markup, StaffError> {
    let now = now_unix();
    // From a few hours back, so the morning's slots stay on the page for the day.
    let slots = state
        .appointments
        .slots(now - 12 * 3600, now + PAGE_DAYS * 86_400)
        .await?;
    let mut days: Vec<(&str, Vec<&StoredSlot>)> = Vec::new();
    for slot in &slots {
        let day = slot.starts_at.get(..10).unwrap_or(&slot.starts_at);
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(slot),
            _ => days.push((day, vec![slot])),
        }
    }
    let mut households = std::collections::HashMap::new();
    for slot in &slots {
        households.insert(
            slot.slot_id,
            state.appointments.bookings(slot.slot_id).await?.len(),
        );
    }
    let body = html! {
        @if staff.role == crate::storage::staff::Role::Admin {
            form.filters.card method="post" action="/staff/slots" {
                (csrf_field(&staff))
                label { (text.t("slot-place")) " " input name="place" required maxlength="200"; }
                label { (text.t("slot-starts-at")) " " input name="starts_at" required dir="ltr" placeholder="2026-12-10T09:00-07:00"; }
                label { (text.t("slot-minutes")) " " input name="minutes" type="number" min="1" max="600" value="30"; }
                label { (text.t("slot-capacity")) " " input name="capacity" type="number" min="1" max="10000" value="12"; }
                button type="submit" { (text.t("create-slot")) }
            }
        }
        @if days.is_empty() { p { (text.t("no-slots")) } }
        @for (day, list) in &days {
            section.card data-day=(day) {
                @let people: u32 = list.iter().map(|s| s.booked).sum();
                @let homes: usize = list.iter().map(|s| households[&s.slot_id]).sum();
                h2 { bdi dir="ltr" { (day) } }
                p { (text.t_with("day-summary", &[("households", homes.into()), ("people", people.into())])) }
                (scrolling_table(day, html! {
                    table {
                        thead { tr {
                            th { (text.t("col-start")) } th { (text.t("col-place")) } th { (text.t("col-length")) }
                            th { (text.t("col-booked")) } th { (text.t("col-households")) } th { (text.t("col-state")) } th {}
                        } }
                        tbody {
                            @for s in list {
                                tr data-slot=(s.slot_id) {
                                    td dir="ltr" { (s.starts_at) }
                                    td { bdi { (s.place) } }
                                    td { (s.minutes) " min" }
                                    td data-testid="booked" { (s.booked) " / " (s.capacity) }
                                    td { a href={ "/staff/slots/" (s.slot_id) } { (households[&s.slot_id]) } }
                                    td { (state_name(&text, s.state)) }
                                    td {
                                        @if staff.role == crate::storage::staff::Role::Admin && s.state != SlotState::Cancelled {
                                            @if s.state == SlotState::Open {
                                                form method="post" action={ "/staff/slots/" (s.slot_id) "/close" } {
                                                    (csrf_field(&staff))
                                                    button type="submit" { (text.t("close-slot")) }
                                                }
                                            }
                                            form method="post" action={ "/staff/slots/" (s.slot_id) "/cancel" } {
                                                (csrf_field(&staff))
                                                label { (text.t("note")) " " input name="note" maxlength="500"; }
                                                button type="submit" { (text.t("cancel-slot")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }))
            }
        }
    };
    Ok(page(
        &text,
        &text.t("nav-slots"),
        Some(&staff),
        "/staff/slots",
        body,
    ))
}

pub async fn slot_page(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    Path(id): Path<String>,
) -> Result<Markup, StaffError> {
    let slot_id = parse_slot_id(&id)?;
    let slot = state
        .appointments
        .slot(slot_id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let bookings = state.appointments.bookings(slot_id).await?;
    let body = html! {
        p dir="ltr" { bdi { (slot_label(&slot)) } }
        p { (text.t_with("slot-summary", &[
            ("households", bookings.len().into()),
            ("people", slot.booked.into()),
            ("capacity", slot.capacity.into()),
        ])) " · " (state_name(&text, slot.state)) }
        (scrolling_table(&text.t("col-households"), html! {
            table {
                thead { tr { th { (text.t("col-receipt")) } th { (text.t("col-people")) } } }
                tbody {
                    @for b in &bookings {
                        tr {
                            td.receipt dir="ltr" { a href={ "/staff/cases/" (b.case_id) } { (b.receipt_code.to_string()) } }
                            td { (b.people) }
                        }
                    }
                }
            }
        }))
    };
    Ok(page(
        &text,
        &text.t("nav-slots"),
        Some(&staff),
        &format!("/staff/slots/{slot_id}"),
        body,
    ))
}

#[derive(Deserialize)]
pub struct NewSlotForm {
    csrf: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    capacity: String,
}

pub async fn create_slot(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewSlotForm>,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let place: String = form.place.trim().chars().take(200).collect();
    let number = |s: &str, max: u32| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
    };
    let (Some(minutes), Some(capacity)) =
        (number(&form.minutes, 600), number(&form.capacity, 10_000))
    else {
        return Err(StaffError::BadRequest("bad-slot"));
    };
    let (starts_at, starts_unix) =
        parse_starts_at(&form.starts_at).map_err(|_| StaffError::BadRequest("bad-slot-start"))?;
    if place.is_empty() {
        return Err(StaffError::BadRequest("bad-slot"));
    }
    let slot = state
        .appointments
        .create_slot(NewSlot {
            place,
            starts_at,
            starts_unix,
            minutes,
            capacity,
        })
        .await?;
    staff
        .audit(
            &state,
            "create_slot",
            None,
            &format!("slot {}: {}", slot.slot_id, slot_label(&slot)),
        )
        .await?;
    Ok(Redirect::to("/staff/slots").into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

async fn set_state(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &NoteForm,
    to: SlotState,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let note: String = form.note.chars().take(500).collect();
    state
        .appointments
        .set_slot_state(parse_slot_id(id)?, to, &staff.username, &note)
        .await?
        .ok_or(StaffError::NotFound)?;
    Ok(Redirect::to("/staff/slots").into_response())
}

pub async fn close_slot(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, StaffError> {
    set_state(&state, &staff, &id, &form, SlotState::Closed).await
}

pub async fn cancel_slot(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, StaffError> {
    set_state(&state, &staff, &id, &form, SlotState::Cancelled).await
}

/// The case page's appointment section: where the household is booked, and a form to move it
/// (to any open slot with room for everyone, also beyond the devices' window) or cancel it.
pub async fn case_section(
    state: &AppState,
    staff: &Staff,
    text: &Text,
    case_id: CaseId,
    people: u32,
    current: Option<&protocol::appointment::Appointment>,
) -> Result<Markup, StaffError> {
    let now = now_unix();
    let choices: Vec<StoredSlot> = state
        .appointments
        .slots(now, now + PAGE_DAYS * 86_400)
        .await?
        .into_iter()
        .filter(|s| s.state == SlotState::Open && s.people_free() >= people)
        .filter(|s| current.is_none_or(|c| c.slot_id != s.slot_id))
        .collect();
    Ok(html! {
        section.card data-testid="appointment" {
            h2 { (text.t("appointment")) }
            @match current {
                Some(a) => p data-testid="current-appointment" dir="ltr" { bdi { (a.starts_at) " · " (a.minutes) " min · " (a.place) } },
                None => p data-testid="current-appointment" { (text.t("no-appointment")) },
            }
            form method="post" action={ "/staff/cases/" (case_id) "/appointment" } {
                (csrf_field(staff))
                label { (text.t("move-to")) " "
                    select name="slot_id" {
                        @for s in &choices {
                            option value=(s.slot_id) { (slot_label(s)) " (" (s.people_free()) ")" }
                        }
                    }
                }
                label { (text.t("note")) " " input name="note" maxlength="500"; }
                p {
                    button type="submit" name="action" value="move" disabled[choices.is_empty()] { (text.t("move-household")) }
                    @if current.is_some() {
                        " "
                        button type="submit" name="action" value="cancel" { (text.t("cancel-appointment")) }
                    }
                }
            }
        }
    })
}

#[derive(Deserialize)]
pub struct AppointmentForm {
    csrf: String,
    action: String,
    #[serde(default)]
    slot_id: String,
    #[serde(default)]
    note: String,
}

pub async fn change_appointment(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<AppointmentForm>,
) -> Result<Response, StaffError> {
    staff.check_csrf(&form.csrf)?;
    let case_id: CaseId = id.parse().map_err(|_| StaffError::NotFound)?;
    let note: String = form.note.chars().take(500).collect();
    match form.action.as_str() {
        "move" => {
            let to = form
                .slot_id
                .parse()
                .map_err(|_| StaffError::BadRequest("bad-slot"))?;
            match state
                .appointments
                .move_appointment(case_id, to, &staff.username, &note)
                .await?
            {
                MoveOutcome::Moved => {}
                MoveOutcome::NoRoom => return Err(StaffError::BadRequest("slot-no-room")),
                MoveOutcome::NotOpen => return Err(StaffError::BadRequest("slot-not-open")),
                MoveOutcome::NoSuchSlot | MoveOutcome::NoSuchCase => {
                    return Err(StaffError::NotFound)
                }
            }
        }
        "cancel" => {
            if !state
                .appointments
                .cancel_appointment(case_id, &staff.username, &note)
                .await?
            {
                return Err(StaffError::NotFound);
            }
        }
        _ => return Err(StaffError::BadRequest("bad-slot")),
    }
    Ok(Redirect::to(&format!("/staff/cases/{case_id}")).into_response())
}

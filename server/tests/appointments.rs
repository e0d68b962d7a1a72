//! Appointments: one slot booked for the whole household in the transaction that stores its
//! case, never overbooked whatever the concurrency, the same answer on replay; the booking
//! window; staff moves and cancellations (audited); status only for the device that sent it.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, app_with, household, new_id, TestApp};
use serde_json::{json, Value};
use server::storage::appointments::{parse_starts_at, MoveOutcome, NewSlot, SlotState};
use server::storage::now_unix;

/// A slot starting `hours` from now.
async fn slot(app: &TestApp, hours: i64, capacity: u32) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(now_unix() + hours * 3600)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(-7, 0, 0).unwrap());
    let text = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (starts_at, starts_unix) = parse_starts_at(&text).unwrap();
    app.storage
        .create_slot(NewSlot {
            place: "Casa del Migrante".into(),
            starts_at,
            starts_unix,
            minutes: 30,
            capacity,
        })
        .await
        .unwrap()
        .slot_id
        .to_string()
}

/// A household of `people` (the applicant and `people - 1` members) preferring `slots`.
fn family(people: usize, slots: &[&str]) -> Value {
    let mut case = household();
    let member = case["members"][0].clone();
    case["members"] = (1..people)
        .map(|_| {
            let mut m = member.clone();
            m["member_id"] = json!(new_id());
            m
        })
        .collect();
    if !slots.is_empty() {
        case["appointment_preferences"] = json!(slots);
    }
    case
}

async fn booked(app: &TestApp, slot: &str) -> u32 {
    app.storage
        .slot(slot.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .booked
}

async fn status(app: &TestApp, case_id: &str, token: &str) -> common::Answer {
    app.send(
        Request::get(format!("/api/v1/cases/{case_id}/status"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn fifty_households_racing_for_twelve_places_never_overbook_and_stay_whole() {
    let app = app().await;
    let slot = slot(&app, 24, 12).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let app = app.clone();
        let slot = slot.clone();
        tasks.push(tokio::spawn(async move {
            let people = 1 + i % 6;
            let id = new_id();
            let body = family(people, &[&slot]);
            let answer = app.put_case(&id, &body).await;
            (id, body, people, answer)
        }));
    }
    let mut people_booked = 0;
    let mut households = 0;
    let mut results = Vec::new();
    for task in tasks {
        let (id, body, people, answer) = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
        assert_eq!(answer.json["people"], people);
        let appointment = answer.json["appointment"].clone();
        if !appointment.is_null() {
            assert_eq!(appointment["slot_id"], slot.as_str());
            people_booked += people as u32;
            households += 1;
        }
        results.push((id, body, appointment));
    }
    assert!(
        people_booked <= 12,
        "{people_booked} people in a 12-person slot"
    );
    assert!(
        households >= 2,
        "the slot was used: {households} households"
    );
    assert_eq!(
        booked(&app, &slot).await,
        people_booked,
        "the count is the households' people"
    );
    // Those left out could not have fitted: the slot has less room than the smallest of them.
    let bookings = app.storage.bookings(slot.parse().unwrap()).await.unwrap();
    assert_eq!(
        bookings.iter().map(|b| b.people).sum::<u32>(),
        people_booked
    );
    // Every replay answers the same booking.
    for (id, body, appointment) in &results {
        let again = app.put_case(id, body).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(&again.json["appointment"], appointment, "replay of {id}");
    }
    assert_eq!(
        booked(&app, &slot).await,
        people_booked,
        "replays booked nothing"
    );
}

#[tokio::test]
async fn the_first_preference_with_room_wins_else_the_earliest_slot_in_the_window() {
    let app = app().await;
    let later = slot(&app, 48, 4).await;
    let full_soon = slot(&app, 24, 2).await;
    let earliest = slot(&app, 10, 10).await;
    let beyond = slot(&app, 24 * 20, 50).await;
    let past = slot(&app, -2, 50).await;

    // A family of three: the 2-person slot cannot take it whole, the second choice can.
    let answer = app
        .put_case(&new_id(), &family(3, &[&full_soon, &later]))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert_eq!(answer.json["appointment"]["slot_id"], later.as_str());
    assert_eq!(answer.json["appointment"]["minutes"], 30);
    assert_eq!(answer.json["appointment"]["place"], "Casa del Migrante");
    assert!(answer.json["appointment"]["starts_at"]
        .as_str()
        .unwrap()
        .ends_with("-07:00"));
    assert_eq!(
        booked(&app, &full_soon).await,
        0,
        "never a part of the household"
    );

    // No preference that fits (one beyond the window, one in the past): the earliest with room.
    let answer = app.put_case(&new_id(), &family(2, &[&beyond, &past])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], earliest.as_str());
    assert_eq!(booked(&app, &beyond).await, 0);
    assert_eq!(booked(&app, &past).await, 0);

    // No preferences at all: the earliest too.
    let answer = app.put_case(&new_id(), &family(1, &[])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], earliest.as_str());

    // Nothing in the window has room for eleven: no appointment, and nothing taken.
    let answer = app.put_case(&new_id(), &family(11, &[&beyond])).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    assert!(answer.json["appointment"].is_null(), "{}", answer.json);
    assert_eq!(booked(&app, &beyond).await, 0);

    // Devices see the window's open slots with their room; not the past, not beyond.
    let list = app
        .send(Request::get("/api/v1/slots").body(Body::empty()).unwrap())
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["window_days"], 14);
    let listed: Vec<(String, u64)> = list.json["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slot_id"].as_str().unwrap().to_owned(),
                s["people_free"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (earliest.clone(), 7),
            (full_soon.clone(), 2),
            (later.clone(), 1)
        ]
    );
    // A closed slot takes nobody new and is not listed.
    app.storage
        .set_slot_state(
            earliest.parse().unwrap(),
            SlotState::Closed,
            "ana",
            "full day",
        )
        .await
        .unwrap();
    let answer = app.put_case(&new_id(), &family(1, &[&earliest])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], full_soon.as_str());
    let list = app
        .send(Request::get("/api/v1/slots").body(Body::empty()).unwrap())
        .await;
    assert!(!list.json.to_string().contains(&earliest));
}

#[tokio::test]
async fn the_window_is_a_server_setting() {
    let app = app_with(|c| c.booking_days = 2).await;
    let _far = slot(&app, 24 * 3, 10).await;
    let near = slot(&app, 24, 10).await;
    let answer = app.put_case(&new_id(), &family(2, &[])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], near.as_str());
    let list = app
        .send(Request::get("/api/v1/slots").body(Body::empty()).unwrap())
        .await;
    assert_eq!(list.json["window_days"], 2);
    assert_eq!(list.json["slots"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_preferences_are_refused_and_nothing_is_stored() {
    let app = app().await;
    let a = slot(&app, 24, 10).await;
    let (b, c, d) = (new_id(), new_id(), new_id());
    let answer = app.put_case(&new_id(), &family(1, &[&a, &b, &c, &d])).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.json
    );
    assert!(
        answer.json.to_string().contains("too_many"),
        "{}",
        answer.json
    );
    let answer = app.put_case(&new_id(), &family(1, &[&a, &a])).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.json.to_string().contains("duplicate"),
        "{}",
        answer.json
    );
    let mut bad = family(1, &[]);
    bad["appointment_preferences"] = json!(["not-a-slot"]);
    assert_eq!(
        app.put_case(&new_id(), &bad).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.count_cases().await, 0);
    assert_eq!(booked(&app, &a).await, 0);
    // An unknown slot is only a preference that cannot be met.
    let answer = app.put_case(&new_id(), &family(1, &[&b])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], a.as_str());
}

#[tokio::test]
async fn staff_move_and_cancel_the_whole_household_audited_and_the_device_sees_it() {
    let app = app().await;
    let first = slot(&app, 24, 6).await;
    let second = slot(&app, 30, 4).await;
    let tiny = slot(&app, 36, 2).await;
    let id = new_id();
    let answer = app.put_case(&id, &family(3, &[&first])).await;
    assert_eq!(answer.json["appointment"]["slot_id"], first.as_str());
    let case_id = id.parse().unwrap();

    // Too small for three: nothing changes.
    assert_eq!(
        app.storage
            .move_appointment(case_id, tiny.parse().unwrap(), "ana", "closer")
            .await
            .unwrap(),
        MoveOutcome::NoRoom
    );
    assert_eq!(
        (booked(&app, &first).await, booked(&app, &tiny).await),
        (3, 0)
    );
    assert_eq!(
        app.storage
            .move_appointment(
                case_id,
                second.parse().unwrap(),
                "ana",
                "the morning is full"
            )
            .await
            .unwrap(),
        MoveOutcome::Moved
    );
    assert_eq!(
        (booked(&app, &first).await, booked(&app, &second).await),
        (0, 3)
    );

    let seen = status(&app, &id, &app.token).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.json);
    assert_eq!(
        seen.json["receipt"]["appointment"]["slot_id"],
        second.as_str()
    );
    assert_eq!(seen.json["receipt"]["people"], 3);
    assert_eq!(seen.json["review_state"], "new");
    assert_eq!(seen.json["appointment_note"], "the morning is full");
    assert!(seen.json["appointment_changed_at"].is_string());
    // A replay of the case answers the booking as it stands now.
    let again = app.put_case(&id, &stored_body(&app, &id).await).await;
    assert_eq!(again.json["appointment"]["slot_id"], second.as_str());

    assert!(app
        .storage
        .cancel_appointment(case_id, "ana", "call us")
        .await
        .unwrap());
    assert_eq!(booked(&app, &second).await, 0);
    let seen = status(&app, &id, &app.token).await;
    assert!(seen.json["receipt"]["appointment"].is_null());
    assert_eq!(seen.json["appointment_note"], "call us");
    assert!(!app
        .storage
        .cancel_appointment(case_id, "ana", "again")
        .await
        .unwrap());

    // Cancelling a slot takes the appointment from every household in it.
    let other = new_id();
    app.put_case(&other, &family(2, &[&first])).await;
    let lost = app
        .storage
        .set_slot_state(first.parse().unwrap(), SlotState::Cancelled, "ana", "storm")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lost, vec![other.parse().unwrap()]);
    assert!(status(&app, &other, &app.token).await.json["receipt"]["appointment"].is_null());
    assert_eq!(
        app.storage
            .move_appointment(other.parse().unwrap(), first.parse().unwrap(), "ana", "")
            .await
            .unwrap(),
        MoveOutcome::NotOpen
    );

    let actions: Vec<String> = app
        .storage
        .audit_log(50, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.username, e.action))
        .collect();
    for expected in [
        "ana move_appointment",
        "ana cancel_appointment",
        "ana cancel_slot",
    ] {
        assert!(
            actions.contains(&expected.to_owned()),
            "{expected} in {actions:?}"
        );
    }
}

/// The case as stored: sent again, it is a replay.
async fn stored_body(app: &TestApp, id: &str) -> Value {
    let body = server::storage::Storage::case_body(&*app.storage, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn only_the_device_that_sent_a_case_sees_its_status() {
    let app = app().await;
    let id = new_id();
    assert_eq!(
        app.put_case(&id, &family(2, &[])).await.status,
        StatusCode::CREATED
    );
    let mine = status(&app, &id, &app.token).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.json["receipt"]["appointment"].is_null(),
        "no slots were published"
    );

    let other = app.register(json!({})).await.json["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = status(&app, &id, &other).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let unknown = status(&app, &new_id(), &app.token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        theirs.json, unknown.json,
        "another's case looks like none at all"
    );
    assert_eq!(
        status(&app, "nope", &app.token).await.status,
        StatusCode::BAD_REQUEST
    );
    let anonymous = app
        .send_anonymous(
            Request::get(format!("/api/v1/cases/{id}/status"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

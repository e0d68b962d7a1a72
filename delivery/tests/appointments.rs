//! The appointment refreshes on the in-memory store with a server answering from a table: the
//! slot list kept for offline use, and statuses that move a delivered case's appointment.

use std::cell::RefCell;
use std::collections::HashMap;

use delivery::appointments::{self, status_path, Refresh, SLOTS_PATH};
use delivery::memory::MemoryStore;
use delivery::records::{CaseRecord, DeviceAuth, DeviceCredentials};
use delivery::transport::Exchange;
use delivery::{DeviceStore, HttpAnswer, HttpRequest, NetworkError, OutboxItem, Transport};
use futures::executor::block_on;
use protocol::api::CaseReceipt;
use protocol::appointment::{Appointment, CaseStatus, Slot, SlotList};
use protocol::outbox::OutboxState;
use protocol::{CaseId, ReceiptCode, SlotId};

const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;
const NOW: f64 = 1_796_000_000_000.0;

/// Answers by URL; a URL it does not know gets no answer at all (the connection dropped).
#[derive(Default)]
struct Table {
    answers: RefCell<HashMap<String, (u16, String)>>,
    asked: RefCell<Vec<String>>,
    /// Tokens answered 401 (expired or revoked), and what `POST /devices/renew` answers.
    refused: RefCell<Vec<String>>,
    renewal: RefCell<Option<(u16, String)>>,
}

impl Table {
    fn set(&self, url: &str, status: u16, body: impl Into<String>) {
        self.answers
            .borrow_mut()
            .insert(url.into(), (status, body.into()));
    }
}

impl Transport for &Table {
    async fn send(&self, request: HttpRequest) -> Exchange {
        self.asked.borrow_mut().push(request.url.clone());
        let reply = |(status, body): (u16, String)| {
            Ok(HttpAnswer {
                status,
                body,
                headers: vec![],
            })
        };
        if request.url == delivery::register::RENEW_PATH {
            assert_eq!(request.header("authorization"), None);
            let sent: serde_json::Value =
                serde_json::from_slice(request.body.as_deref().unwrap_or_default()).unwrap();
            assert_eq!(sent, serde_json::json!({"device_id": "d1", "token": "tok"}));
            return reply(self.renewal.borrow().clone().expect("renewal answered"));
        }
        let auth = request.header("authorization").unwrap_or_default();
        assert!(auth.starts_with("Bearer tok"), "{auth}");
        if self
            .refused
            .borrow()
            .iter()
            .any(|t| auth == format!("Bearer {t}"))
        {
            return reply((
                401,
                r#"{"error":{"code":"unauthorized","message":"expired"}}"#.into(),
            ));
        }
        match self.answers.borrow().get(&request.url) {
            Some((status, body)) => Ok(HttpAnswer {
                status: *status,
                body: body.clone(),
                headers: vec![],
            }),
            None => Err(NetworkError("connection reset".into())),
        }
    }
}

fn registered(shared: bool) -> MemoryStore {
    let store = MemoryStore::new();
    let auth = DeviceAuth {
        credentials: Some(DeviceCredentials {
            device_id: "d1".into(),
            token: "tok".into(),
        }),
        settings: Some(protocol::api::DeviceSettings {
            shared,
            ..Default::default()
        }),
        ..DeviceAuth::default()
    };
    block_on(store.set_device_auth(&auth)).unwrap();
    store
}

fn slots(as_of: &str, free: u32) -> SlotList {
    SlotList {
        as_of: as_of.into(),
        window_days: 14,
        slots: vec![Slot {
            slot_id: SlotId(uuid::Uuid::from_u128(1)),
            starts_at: "2026-12-10T09:00:00-07:00".into(),
            minutes: 30,
            place: "Casa del Migrante".into(),
            people_free: free,
        }],
    }
}

#[test]
fn the_slot_list_is_kept_and_survives_a_failed_refresh() {
    let store = registered(false);
    let server = Table::default();
    let first = slots("2026-12-03T10:31:00Z", 12);
    server.set(SLOTS_PATH, 200, serde_json::to_string(&first).unwrap());
    assert_eq!(
        block_on(appointments::refresh_slots(&store, &&server)).unwrap(),
        Refresh::Done(1)
    );
    assert_eq!(block_on(store.slots()).unwrap(), Some(first.clone()));

    server.set(SLOTS_PATH, 503, "{}");
    assert_eq!(
        block_on(appointments::refresh_slots(&store, &&server)).unwrap(),
        Refresh::Refused(503)
    );
    server.answers.borrow_mut().clear();
    assert_eq!(
        block_on(appointments::refresh_slots(&store, &&server)).unwrap(),
        Refresh::Offline
    );
    assert_eq!(
        block_on(store.slots()).unwrap(),
        Some(first),
        "the list held stays for choosing offline"
    );
}

fn appointment(n: u128, starts_at: &str) -> Appointment {
    Appointment {
        slot_id: SlotId(uuid::Uuid::from_u128(n)),
        starts_at: starts_at.into(),
        minutes: 30,
        place: "Casa del Migrante".into(),
    }
}

fn delivered(store: &MemoryStore, n: u128, days_ago: f64) -> CaseReceipt {
    let id = CaseId(uuid::Uuid::from_u128(n));
    let case = CaseRecord::new(id, 1.0);
    let receipt = CaseReceipt {
        case_id: id,
        receipt_code: ReceiptCode::generate(|| n as u64),
        received_at: "2026-12-03T10:31:00Z".into(),
        people: 2,
        appointment: Some(appointment(1, "2026-12-10T09:00:00-07:00")),
    };
    let mut item = OutboxItem::queued(id, case.submission, 1.0);
    item.state = OutboxState::Delivered;
    item.updated_at = NOW - days_ago * DAY_MS;
    item.receipt = Some(receipt.clone());
    block_on(store.put_outbox(&item)).unwrap();
    receipt
}

fn status(receipt: &CaseReceipt, appointment: Option<Appointment>, note: &str) -> String {
    serde_json::to_string(&CaseStatus {
        receipt: CaseReceipt {
            appointment,
            ..receipt.clone()
        },
        review_state: "reviewed".into(),
        appointment_note: Some(note.into()),
        appointment_changed_at: Some("2026-12-04T08:00:00Z".into()),
    })
    .unwrap()
}

#[test]
fn statuses_move_and_cancel_delivered_appointments_and_skip_the_rest() {
    let store = registered(false);
    let server = Table::default();
    let moved = delivered(&store, 10, 1.0);
    let cancelled = delivered(&store, 11, 2.0);
    let unknown = delivered(&store, 12, 3.0);
    let old = delivered(&store, 13, 90.0);
    let queued = CaseId(uuid::Uuid::from_u128(14));
    let item = OutboxItem::queued(queued, CaseRecord::new(queued, 1.0).submission, 1.0);
    block_on(store.put_outbox(&item)).unwrap();

    let later = appointment(2, "2026-12-11T14:00:00-07:00");
    server.set(
        &status_path(moved.case_id),
        200,
        status(&moved, Some(later.clone()), "the morning is full"),
    );
    server.set(
        &status_path(cancelled.case_id),
        200,
        status(&cancelled, None, "we will call you"),
    );
    server.set(
        &status_path(unknown.case_id),
        404,
        r#"{"error":{"code":"not_found","message":"no such case"}}"#,
    );
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::Done(2)
    );
    let asked = server.asked.borrow().clone();
    assert_eq!(
        asked,
        vec![
            status_path(moved.case_id),
            status_path(cancelled.case_id),
            status_path(unknown.case_id),
        ],
        "the newest first; neither a queued case nor one delivered long ago is asked about"
    );
    let held = |id| block_on(store.outbox_item(id)).unwrap().unwrap();
    let now_moved = held(moved.case_id);
    assert_eq!(now_moved.receipt.unwrap().appointment, Some(later));
    let seen = now_moved.status.unwrap();
    assert_eq!(seen.previous_appointment, moved.appointment);
    assert_eq!(
        seen.appointment_note.as_deref(),
        Some("the morning is full")
    );
    let now_cancelled = held(cancelled.case_id);
    assert_eq!(now_cancelled.receipt.unwrap().appointment, None);
    assert!(now_cancelled.status.unwrap().changed_by_staff);
    assert_eq!(
        held(unknown.case_id).receipt,
        Some(unknown),
        "a 404 keeps what it had"
    );
    assert_eq!(held(queued).state, OutboxState::Queued);
    assert_eq!(
        held(old.case_id).status,
        None,
        "a case delivered long ago is left alone"
    );

    // Asked again with nothing new: nothing is written.
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::Done(0)
    );
    // The connection drops: what was learnt stays.
    server.answers.borrow_mut().clear();
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::Offline
    );
    assert!(held(moved.case_id).status.is_some());
}

#[test]
fn a_shared_tablet_asks_for_no_statuses() {
    let store = registered(true);
    let server = Table::default();
    let receipt = delivered(&store, 20, 0.0);
    server.set(
        &status_path(receipt.case_id),
        200,
        status(&receipt, None, "personal words"),
    );
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::Skipped
    );
    assert!(server.asked.borrow().is_empty());
    assert_eq!(
        block_on(store.outbox_item(receipt.case_id))
            .unwrap()
            .unwrap()
            .status,
        None
    );
}

#[test]
fn an_expired_token_is_renewed_for_the_same_device_which_goes_on_asking() {
    let store = registered(false);
    let server = Table::default();
    let receipt = delivered(&store, 30, 1.0);
    let later = appointment(2, "2026-12-11T14:00:00-07:00");
    server.set(
        &status_path(receipt.case_id),
        200,
        status(&receipt, Some(later.clone()), "moved"),
    );
    server.refused.borrow_mut().push("tok".into());
    *server.renewal.borrow_mut() = Some((
        201,
        r#"{"device_id":"d1","token":"tok2","expires_at":"2027-01-30T00:00:00Z"}"#.into(),
    ));
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::Done(1)
    );
    let auth = block_on(store.device_auth()).unwrap();
    let credentials = auth.credentials.expect("renewed");
    assert_eq!(
        (credentials.device_id.as_str(), credentials.token.as_str()),
        ("d1", "tok2")
    );
    assert_eq!(auth.previous, None);
    assert!(!auth.sign_in_needed);
    let held = block_on(store.outbox_item(receipt.case_id))
        .unwrap()
        .unwrap();
    assert_eq!(held.receipt.unwrap().appointment, Some(later));
}

#[test]
fn a_revoked_token_is_not_renewed_and_waits_for_the_person_to_sign_in() {
    let store = registered(false);
    let server = Table::default();
    let receipt = delivered(&store, 31, 1.0);
    server.set(
        &status_path(receipt.case_id),
        200,
        status(&receipt, None, "x"),
    );
    server.refused.borrow_mut().push("tok".into());
    *server.renewal.borrow_mut() = Some((
        401,
        r#"{"error":{"code":"unauthorized","message":"revoked"}}"#.into(),
    ));
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::NoToken
    );
    let auth = block_on(store.device_auth()).unwrap();
    assert!(auth.sign_in_needed, "as a refused token does when sending");
    assert_eq!(auth.credentials, None);
    assert_eq!(
        auth.previous, None,
        "refused for good: the next registration is a new device"
    );
    assert_eq!(
        block_on(store.outbox_item(receipt.case_id))
            .unwrap()
            .unwrap()
            .status,
        None
    );
    // Nothing more is asked until the person signs in again.
    let asked = server.asked.borrow().len();
    assert_eq!(
        block_on(appointments::refresh_statuses(&store, &&server, NOW)).unwrap(),
        Refresh::NoToken
    );
    assert_eq!(server.asked.borrow().len(), asked);
}

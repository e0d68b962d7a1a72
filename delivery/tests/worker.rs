//! The outbox worker on the in-memory store with a scripted server: the state machine's rules,
//! one at a time. (The simulator in `sim/` runs the same worker against the real server under
//! random schedules; these pin down the rules themselves.)

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use delivery::actions::{self, Fix, SubmitOutcome};
use delivery::env::{Clock, Random};
use delivery::memory::MemoryStore;
use delivery::records::{CaseRecord, DeviceAuth, PhotoRecord};
use delivery::transport::{Exchange, Method};
use delivery::{DeviceStore, HttpAnswer, HttpRequest, NetworkError, Transport, Worker};
use futures::executor::block_on;
use protocol::date::Date;
use protocol::outbox::OutboxState;
use protocol::{CaseId, CaseSubmission, Member, MemberId, PhotoId};

const TODAY: Date = Date {
    year: 2026,
    month: 12,
    day: 1,
};

struct TestClock(Cell<f64>);

impl Clock for TestClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

struct Half;

impl Random for Half {
    fn unit(&self) -> f64 {
        0.5
    }

    fn fill_secret(&self, out: &mut [u8]) -> bool {
        out.fill(0x5a);
        true
    }
}

/// A server that answers case PUTs from a script and remembers what it was sent. Registration
/// always works (tokens `tok-1`, `tok-2`, ...); tus requests are answered as a real server would.
#[derive(Default)]
struct Scripted {
    answers: RefCell<VecDeque<Exchange>>,
    cases: RefCell<Vec<(CaseId, CaseSubmission)>>,
    requests: RefCell<Vec<(Method, String)>>,
    registrations: Cell<u32>,
    /// Upload offsets the "server" holds.
    uploads: RefCell<std::collections::HashMap<String, (u64, u64)>>,
    /// Each upload's metadata and the bytes it received, by upload URL.
    received: RefCell<std::collections::HashMap<String, (String, Vec<u8>)>>,
    /// The organisation's key pair, when this server offers one (`GET /api/v1/keys`).
    keys: RefCell<Option<(protocol::sealed::PrivateKey, protocol::sealed::SealingKeys)>>,
    /// How many case bodies came sealed.
    sealed: Cell<u32>,
    /// What the "server" tells devices about how to run (at registration and
    /// `GET /api/v1/devices/me`); `None`: an older server that says nothing.
    settings: Cell<Option<protocol::api::DeviceSettings>>,
}

impl Scripted {
    fn then(&self, answer: Exchange) -> &Self {
        self.answers.borrow_mut().push_back(answer);
        self
    }
}

fn answer(status: u16, body: &str) -> Exchange {
    Ok(HttpAnswer {
        status,
        body: body.into(),
        headers: vec![],
    })
}

fn header(answer: &mut HttpAnswer, name: &str, value: String) {
    answer.headers.push((name.into(), value));
}

impl Transport for &Scripted {
    async fn send(&self, request: HttpRequest) -> Exchange {
        self.requests
            .borrow_mut()
            .push((request.method, request.url.clone()));
        if request.url == delivery::keys::KEYS_PATH {
            return match &*self.keys.borrow() {
                Some((_, public)) => answer(200, &serde_json::to_string(public).unwrap()),
                None => answer(404, r#"{"error":{"code":"not_found","message":"no"}}"#),
            };
        }
        if request.url == delivery::register::RENEW_PATH {
            // An older server: nothing to renew, the device registers anew.
            return answer(404, r#"{"error":{"code":"not_found","message":"no"}}"#);
        }
        if request.url == "/api/v1/devices" {
            let n = self.registrations.get() + 1;
            self.registrations.set(n);
            let settings = match self.settings.get() {
                Some(s) => format!(r#","settings":{}"#, serde_json::to_string(&s).unwrap()),
                None => String::new(),
            };
            let body = format!(
                r#"{{"device_id":"d{n}","token":"tok-{n}","expires_at":"2026-12-29T00:00:00Z"{settings}}}"#
            );
            return answer(201, &body);
        }
        let auth = request
            .header("authorization")
            .unwrap_or_default()
            .to_owned();
        assert!(
            auth.starts_with("Bearer tok-"),
            "every request carries the device token"
        );
        if request.url == delivery::register::SETTINGS_PATH {
            return match self.settings.get() {
                Some(s) => answer(200, &serde_json::to_string(&s).unwrap()),
                None => answer(404, r#"{"error":{"code":"not_found","message":"no"}}"#),
            };
        }
        if let Some(id) = request.url.strip_prefix("/api/v1/cases/") {
            let case_id: CaseId = id.parse().unwrap();
            let mut body = request.body.clone().unwrap_or_default();
            if let Ok(sealed) = serde_json::from_slice::<protocol::sealed::SealedBody>(&body) {
                let keys = self.keys.borrow();
                let (private, _) = keys.as_ref().expect("sealed only when keys were offered");
                body = private.open(case_id, &sealed.sealed).unwrap();
                self.sealed.set(self.sealed.get() + 1);
            }
            let case: CaseSubmission = serde_json::from_slice(&body).unwrap();
            self.cases.borrow_mut().push((case_id, case));
            return self
                .answers
                .borrow_mut()
                .pop_front()
                .unwrap_or(Err(NetworkError("script ran out".into())));
        }
        // A well-behaved tus server.
        let mut uploads = self.uploads.borrow_mut();
        match request.method {
            Method::Post if request.url == "/api/v1/uploads/" => {
                let length: u64 = request.header("upload-length").unwrap().parse().unwrap();
                let url = format!("/api/v1/uploads/{}", uploads.len());
                uploads.insert(url.clone(), (0, length));
                let metadata = request.header("upload-metadata").unwrap_or_default();
                self.received
                    .borrow_mut()
                    .insert(url.clone(), (metadata.to_owned(), Vec::new()));
                let mut a = HttpAnswer {
                    status: 201,
                    ..Default::default()
                };
                header(&mut a, "location", url);
                header(&mut a, "upload-offset", "0".into());
                Ok(a)
            }
            Method::Head => {
                let Some((offset, _)) = uploads.get(&request.url) else {
                    return answer(404, "");
                };
                let mut a = HttpAnswer {
                    status: 200,
                    ..Default::default()
                };
                header(&mut a, "upload-offset", offset.to_string());
                Ok(a)
            }
            Method::Patch => {
                let Some((offset, _)) = uploads.get_mut(&request.url) else {
                    return answer(404, "");
                };
                let at: u64 = request.header("upload-offset").unwrap().parse().unwrap();
                if at != *offset {
                    return answer(409, "");
                }
                *offset += request.body.as_ref().map_or(0, |b| b.len() as u64);
                if let Some((_, bytes)) = self.received.borrow_mut().get_mut(&request.url) {
                    bytes.extend(request.body.iter().flatten());
                }
                let mut a = HttpAnswer {
                    status: 204,
                    ..Default::default()
                };
                header(&mut a, "upload-offset", offset.to_string());
                Ok(a)
            }
            _ => Err(NetworkError("script ran out".into())),
        }
    }
}

fn processed(bytes: &[u8]) -> delivery::Processed {
    use sha2::Digest;
    delivery::Processed {
        size: bytes.len() as u64,
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        content_type: "image/jpeg".into(),
        width: 10,
        height: 10,
        quality: None,
    }
}

fn receipt_for(id: CaseId) -> String {
    let code = protocol::ReceiptCode::generate(|| 0x1234_5678_9abc);
    format!(
        r#"{{"case_id":"{id}","receipt_code":"{code}","received_at":"2026-11-29T15:04:05Z","people":2}}"#
    )
}

fn household(n: u128) -> CaseRecord {
    let mut record = CaseRecord::new(CaseId(uuid::Uuid::from_u128(n)), 1.0);
    let a = &mut record.submission.applicant;
    a.name = "Ana Reyes".into();
    a.date_of_birth = "1990-05-01".into();
    a.country_of_origin = "HN".into();
    a.languages = vec!["es".into()];
    let mut child = Member::new_blank();
    child.member_id = MemberId(uuid::Uuid::from_u128(n << 16));
    child.name = "Tomás".into();
    child.date_of_birth = "2018-03-03".into();
    child.relationship = "child".into();
    record.submission.members.push(child);
    record
}

fn add_photo(
    store: &MemoryStore,
    case: &CaseRecord,
    member: Option<MemberId>,
    bytes: &[u8],
) -> PhotoId {
    let id = PhotoId(uuid::Uuid::from_u128(
        case.id.0.as_u128() ^ (bytes.len() as u128) << 64,
    ));
    let record = PhotoRecord::new(id, case.id, member, "id_document", 2.0);
    store.put_photo(&record, bytes.to_vec()).unwrap();
    store
        .finish_processing(id, bytes.to_vec(), processed(bytes))
        .unwrap();
    id
}

fn send(store: &MemoryStore, case: &CaseRecord) {
    block_on(store.save_draft(case)).unwrap();
    match block_on(actions::submit(store, case, TODAY, 10.0)).unwrap() {
        SubmitOutcome::Queued(_) => {}
        other => panic!("not queued: {other:?}"),
    }
}

fn state(store: &MemoryStore, id: CaseId) -> OutboxState {
    block_on(store.outbox_item(id)).unwrap().unwrap().state
}

#[test]
fn a_send_interrupted_by_a_crash_resumes_and_delivers_once() {
    let store = MemoryStore::new();
    let case = household(1);
    send(&store, &case);
    // The page died after writing `sending` and before any answer was recorded.
    let mut half_done = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    half_done.state = OutboxState::Sending;
    block_on(store.put_outbox(&half_done)).unwrap();

    let server = Scripted::default();
    server.then(answer(200, &receipt_for(case.id)));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    assert_eq!(
        block_on(worker.run_due()).unwrap(),
        None,
        "nothing left to do"
    );
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Delivered);
    assert!(item.receipt.is_some());
    assert_eq!(server.cases.borrow().len(), 1);
    assert_eq!(
        Some(delivery::Outgoing::Household(
            server.cases.borrow()[0].1.clone()
        )),
        item.outgoing()
    );
    block_on(worker.run_due()).unwrap();
    assert_eq!(server.cases.borrow().len(), 1, "delivered is final");
}

#[test]
fn server_errors_back_off_and_the_online_event_retries_at_once() {
    let store = MemoryStore::new();
    let case = household(2);
    send(&store, &case);
    let server = Scripted::default();
    server
        .then(answer(
            500,
            r#"{"error":{"code":"internal","message":"x"}}"#,
        ))
        .then(Err(NetworkError("reset".into())))
        .then(Ok(HttpAnswer {
            status: 503,
            body: String::new(),
            headers: vec![("retry-after".into(), "120".into())],
        }))
        .then(answer(201, &receipt_for(case.id)));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    let next = block_on(worker.run_due())
        .unwrap()
        .expect("a retry is scheduled");
    assert_eq!(next - 1_000.0, 500.0, "half of the 1 s first backoff");
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert_eq!(
        (item.state, item.attempts),
        (OutboxState::WaitingNetwork, 1)
    );
    assert_eq!(item.problem.unwrap().status, Some(500));
    block_on(worker.run_due()).unwrap();
    assert_eq!(server.cases.borrow().len(), 1, "not before its time");
    clock.0.set(1_500.0);
    let next = block_on(worker.run_due()).unwrap().unwrap();
    assert_eq!(
        next - 1_500.0,
        1_000.0,
        "half of 2 s after the second failure"
    );
    clock.0.set(2_500.0);
    let next = block_on(worker.run_due()).unwrap().unwrap();
    assert_eq!(next - 2_500.0, 120_000.0, "Retry-After is honoured");
    // The network comes back: no need to wait two minutes.
    block_on(worker.reset_backoff()).unwrap();
    assert_eq!(block_on(worker.run_due()).unwrap(), None);
    assert_eq!(state(&store, case.id), OutboxState::Delivered);
    assert_eq!(server.cases.borrow().len(), 4);
}

#[test]
fn a_refused_token_pauses_the_whole_queue_until_the_person_signs_in_again() {
    let store = MemoryStore::new();
    let (first, second) = (household(3), household(4));
    send(&store, &first);
    send(&store, &second);
    let server = Scripted::default();
    server.then(answer(
        401,
        r#"{"error":{"code":"unauthorized","message":"m"}}"#,
    ));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    assert_eq!(
        block_on(worker.run_due()).unwrap(),
        None,
        "not retried on a timer"
    );
    assert_eq!(state(&store, first.id), OutboxState::WaitingAuth);
    assert_eq!(
        state(&store, second.id),
        OutboxState::WaitingAuth,
        "the queue waits as one"
    );
    assert_eq!(
        server.cases.borrow().len(),
        1,
        "the second was not sent with a refused token"
    );
    let auth = block_on(store.device_auth()).unwrap();
    assert!(auth.sign_in_needed && auth.credentials.is_none());
    let item = block_on(store.outbox_item(first.id)).unwrap().unwrap();
    assert_eq!(actions::fix_for(&item), Fix::SignIn { needs_code: false });

    // A case sent meanwhile waits too, and nobody registers behind the person's back.
    let third = household(5);
    send(&store, &third);
    block_on(worker.run_due()).unwrap();
    assert_eq!(state(&store, third.id), OutboxState::WaitingAuth);
    assert_eq!(server.registrations.get(), 1);

    block_on(actions::sign_in_again(&store, None, 1_000.0)).unwrap();
    for case in [&first, &second, &third] {
        server.then(answer(201, &receipt_for(case.id)));
    }
    block_on(worker.run_due()).unwrap();
    assert_eq!(server.registrations.get(), 2, "signed in again");
    for case in [&first, &second, &third] {
        assert_eq!(state(&store, case.id), OutboxState::Delivered);
    }
}

#[test]
fn an_enrolment_code_the_server_refuses_asks_the_person_for_one() {
    let store = MemoryStore::new();
    let case = household(6);
    send(&store, &case);
    struct NeedsCode;
    impl Transport for NeedsCode {
        async fn send(&self, request: HttpRequest) -> Exchange {
            assert_eq!(request.url, "/api/v1/devices");
            answer(
                403,
                r#"{"error":{"code":"enrolment_required","message":"m"}}"#,
            )
        }
    }
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, NeedsCode, &clock, Half);
    block_on(worker.run_due()).unwrap();
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert_eq!(item.state, OutboxState::WaitingAuth);
    assert_eq!(actions::fix_for(&item), Fix::SignIn { needs_code: true });
    block_on(actions::sign_in_again(&store, Some(" K7QM-X9A2 "), 1_000.0)).unwrap();
    assert_eq!(
        block_on(store.device_auth())
            .unwrap()
            .enrolment_code
            .as_deref(),
        Some("K7QM-X9A2")
    );
    assert_eq!(state(&store, case.id), OutboxState::Queued);
}

#[test]
fn photos_go_first_and_a_photos_missing_answer_makes_the_client_ask_again() {
    let store = MemoryStore::new();
    let case = household(7);
    block_on(store.save_draft(&case)).unwrap();
    let member = case.submission.members[0].member_id;
    let photo = add_photo(&store, &case, Some(member), &[7u8; 300_000]);
    send(&store, &case);
    let server = Scripted::default();
    let missing = format!(
        r#"{{"error":{{"code":"photos_missing","message":"m","missing_photos":["{photo}"]}}}}"#
    );
    server
        .then(answer(409, &missing))
        .then(answer(201, &receipt_for(case.id)));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    block_on(worker.run_due()).unwrap();
    assert_eq!(server.cases.borrow().len(), 1);
    let record = block_on(store.photo(photo)).unwrap().unwrap();
    assert!(
        !record.upload.done,
        "the server lacks it: ask about it again"
    );
    assert_eq!(state(&store, case.id), OutboxState::WaitingNetwork);

    // The server lost the upload altogether: HEAD says 404, so it is created again under the
    // same photo ID, sent whole, and the case is accepted.
    server.uploads.borrow_mut().clear();
    clock.0.set(10_000.0);
    block_on(worker.run_due()).unwrap();
    assert_eq!(state(&store, case.id), OutboxState::Delivered);
    let requests = server.requests.borrow();
    let creations = requests
        .iter()
        .filter(|(m, u)| *m == Method::Post && u == "/api/v1/uploads/")
        .count();
    assert_eq!(creations, 2, "created again after the server lost it");
    let sent = &server.cases.borrow()[1].1;
    assert_eq!(sent.photos[0].photo_id, photo);
}

#[test]
fn sending_validates_exactly_what_is_sent_photos_included() {
    let store = MemoryStore::new();
    let case = household(8);
    block_on(store.save_draft(&case)).unwrap();
    let member = case.submission.members[0].member_id;
    let theirs = add_photo(&store, &case, Some(member), b"their passport");
    // The member is removed, but (as an older build did) their photo stays behind.
    let mut without = case.clone();
    without.submission.members.clear();
    block_on(store.save_draft(&without)).unwrap();
    match block_on(actions::submit(&store, &without, TODAY, 10.0)).unwrap() {
        SubmitOutcome::Invalid(errors) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, format!("photos.{theirs}.member_id"));
            assert_eq!(actions::photo_of_path(&errors[0].field), Some(theirs));
        }
        other => panic!("sent a case the server would refuse: {other:?}"),
    }
    assert_eq!(
        block_on(store.outbox_item(case.id)).unwrap(),
        None,
        "nothing queued"
    );

    // Removing a member the way the app does takes their photos along.
    let second = household(9);
    block_on(store.save_draft(&second)).unwrap();
    let member = second.submission.members[0].member_id;
    add_photo(&store, &second, Some(member), b"photo of the child");
    let mine = add_photo(&store, &second, None, b"my own passport!");
    assert_eq!(
        block_on(actions::photos_of_member(&store, &second, member))
            .unwrap()
            .len(),
        1
    );
    let saved = block_on(actions::remove_member(&store, &second, member, 11.0)).unwrap();
    let left: Vec<PhotoId> = block_on(store.photos_of_case(second.id))
        .unwrap()
        .iter()
        .map(|p| p.photo_id)
        .collect();
    assert_eq!(left, vec![mine]);
    match block_on(actions::submit(&store, &saved, TODAY, 12.0)).unwrap() {
        SubmitOutcome::Queued(item) => {
            assert_eq!(
                item.outgoing().unwrap().photos().len(),
                1,
                "exactly the photos kept"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn photos_still_processing_or_unreadable_keep_the_case_a_draft() {
    let store = MemoryStore::new();
    let case = household(10);
    block_on(store.save_draft(&case)).unwrap();
    let id = PhotoId(uuid::Uuid::from_u128(77));
    store
        .put_photo(
            &PhotoRecord::new(id, case.id, None, "id_document", 2.0),
            b"raw".to_vec(),
        )
        .unwrap();
    assert_eq!(
        block_on(actions::submit(&store, &case, TODAY, 10.0)).unwrap(),
        SubmitOutcome::PhotosNotReady
    );
    store.mark_unreadable(id).unwrap();
    assert_eq!(
        block_on(actions::submit(&store, &case, TODAY, 10.0)).unwrap(),
        SubmitOutcome::PhotosUnreadable(vec![id])
    );
    block_on(store.delete_photo(id)).unwrap();
    assert!(matches!(
        block_on(actions::submit(&store, &case, TODAY, 10.0)).unwrap(),
        SubmitOutcome::Queued(_)
    ));
}

#[test]
fn a_refused_case_can_be_corrected_and_the_servers_words_stay_on_it() {
    let store = MemoryStore::new();
    let case = household(11);
    send(&store, &case);
    let server = Scripted::default();
    server.then(answer(
        422,
        r#"{"error":{"code":"validation_failed","message":"m","fields":[{"field":"members.0.date_of_birth","code":"date_in_future"}]}}"#,
    ));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    block_on(worker.run_due()).unwrap();
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Rejected);
    assert_eq!(actions::fix_for(&item), Fix::Correct);
    block_on(worker.run_due()).unwrap();
    assert_eq!(server.cases.borrow().len(), 1, "not resent by itself");
    block_on(actions::reopen(&store, case.id)).unwrap();
    let reopened = block_on(store.case(case.id)).unwrap().unwrap();
    let problem = reopened
        .last_problem
        .clone()
        .expect("the server's words are kept");
    assert_eq!(problem.fields[0].field, "members.0.date_of_birth");
    send(&store, &reopened);
    assert_eq!(
        block_on(store.case(case.id)).unwrap().unwrap().last_problem,
        None,
        "sent again: the old words go"
    );
}

#[test]
fn items_queued_by_older_builds_still_deliver() {
    let store = MemoryStore::new();
    let case = household(12);
    block_on(store.save_draft(&case)).unwrap();
    add_photo(&store, &case, None, b"an older build's photo");
    // What an older build wrote: an outbox item with no frozen submission, and its token under
    // the old shape.
    let mut legacy = delivery::OutboxItem::queued(case.id, CaseSubmission::default(), 1.0);
    legacy.submission = None;
    block_on(store.enqueue(&case, &legacy)).unwrap();
    block_on(store.set_device_auth(&DeviceAuth {
        credentials: Some(delivery::records::DeviceCredentials {
            device_id: "old".into(),
            token: "tok-0".into(),
        }),
        ..DeviceAuth::default()
    }))
    .unwrap();
    let server = Scripted::default();
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    // The upload goes through the fake tus server; the PUT is then answered with a receipt.
    block_on(worker.run_due()).unwrap();
    server.then(answer(201, &receipt_for(case.id)));
    block_on(worker.reset_backoff()).unwrap();
    block_on(worker.run_due()).unwrap();
    assert_eq!(state(&store, case.id), OutboxState::Delivered);
    assert_eq!(server.registrations.get(), 0, "the old token is used");
    let sent = &server.cases.borrow()[0].1;
    assert_eq!(sent.photos.len(), 1);
    assert_eq!(sent.applicant, case.submission.applicant);
}

fn offer_keys(server: &Scripted, key_id: &str, ikm: u8) {
    let (private, public) = protocol::sealed::key_pair(key_id, &[ikm; 32]);
    let keys = protocol::sealed::SealingKeys {
        current: key_id.into(),
        keys: vec![public],
    };
    *server.keys.borrow_mut() = Some((private, keys));
}

#[test]
fn cases_go_sealed_when_the_organisation_offers_a_key_and_a_rotated_key_is_fetched_again() {
    let store = MemoryStore::new();
    let case = household(9);
    send(&store, &case);
    let server = Scripted::default();
    offer_keys(&server, "k1", 1);
    // The server has rotated and lost k1 (it never does: it keeps old keys; this is the path
    // for a server restored without them), then takes the case sealed to k2.
    server
        .then(answer(
            400,
            r#"{"error":{"code":"unknown_key","message":"x"}}"#,
        ))
        .then(answer(201, &receipt_for(case.id)));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    block_on(worker.run_due()).unwrap();
    assert_eq!(
        server.sealed.get(),
        1,
        "sealed to the key the server offered"
    );
    assert_eq!(state(&store, case.id), OutboxState::WaitingNetwork);
    assert!(
        block_on(store.sealing_keys()).unwrap().is_none(),
        "the unknown key is forgotten"
    );
    offer_keys(&server, "k2", 2);
    block_on(worker.reset_backoff()).unwrap();
    assert_eq!(block_on(worker.run_due()).unwrap(), None);
    assert_eq!(state(&store, case.id), OutboxState::Delivered);
    assert_eq!(server.sealed.get(), 2);
    assert_eq!(
        block_on(store.sealing_keys()).unwrap().map(|k| k.current),
        Some("k2".to_owned())
    );
    // What the server opened is exactly the frozen case.
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert_eq!(
        Some(delivery::Outgoing::Household(
            server.cases.borrow()[1].1.clone()
        )),
        item.outgoing()
    );
    let keys_fetched = server
        .requests
        .borrow()
        .iter()
        .filter(|(_, url)| url == delivery::keys::KEYS_PATH)
        .count();
    assert_eq!(keys_fetched, 2, "once at first, once after the refusal");
}

#[test]
fn a_shared_tablet_stays_one_while_it_signs_in_again_and_hears_a_changed_idle_lock() {
    use protocol::api::DeviceSettings;
    let store = MemoryStore::default();
    let server = Scripted::default();
    let tablet = DeviceSettings {
        shared: true,
        lock_after_secs: 120,
    };
    server.settings.set(Some(tablet));
    let token = block_on(delivery::register::ensure_token(&&server, &store)).unwrap();
    assert_eq!(token, delivery::register::Token::Ready("tok-1".into()));
    assert!(
        block_on(store.device_auth()).unwrap().is_shared(),
        "known at registration"
    );

    // The token is refused and the person has not signed in yet: still a shared tablet.
    block_on(delivery::register::sign_in_needed(
        &store,
        delivery::Problem::on_device("401"),
    ))
    .unwrap();
    let auth = block_on(store.device_auth()).unwrap();
    assert!(auth.credentials.is_none() && auth.is_shared());
    block_on(actions::sign_in_again(&store, None, 1_000.0)).unwrap();
    assert!(block_on(store.device_auth()).unwrap().is_shared());

    // The organisation shortens the idle lock: the next refresh brings it.
    let shorter = DeviceSettings {
        lock_after_secs: 45,
        ..tablet
    };
    server.settings.set(Some(shorter));
    assert_eq!(
        block_on(delivery::register::refresh_settings(&&server, &store)).unwrap(),
        Some(shorter)
    );
    assert_eq!(
        block_on(store.device_auth()).unwrap().settings,
        Some(shorter)
    );

    // An older server that says nothing leaves what was known.
    server.settings.set(None);
    assert_eq!(
        block_on(delivery::register::refresh_settings(&&server, &store)).unwrap(),
        None
    );
    block_on(actions::sign_in_again(&store, None, 2_000.0)).unwrap();
    block_on(delivery::register::ensure_token(&&server, &store)).unwrap();
    assert_eq!(
        block_on(store.device_auth()).unwrap().settings,
        Some(shorter)
    );
}

#[test]
fn a_case_sealed_at_send_is_delivered_with_nobodys_pin_and_its_outbox_item_names_nobody() {
    let store = MemoryStore::new();
    let case = household(21);
    block_on(store.save_draft(&case)).unwrap();
    let photo = add_photo(&store, &case, None, b"passport bytes");
    let server = Scripted::default();

    // No organisation key on the tablet yet: nothing is queued, the draft stays.
    let early = block_on(actions::submit_sealed(
        &store,
        &case,
        Some([3; 32]),
        TODAY,
        10.0,
    ))
    .unwrap();
    assert_eq!(early.unwrap_err(), actions::SealAtSendError::NoKey);
    assert!(block_on(store.outbox_item(case.id)).unwrap().is_none());

    offer_keys(&server, "k1", 1);
    let keys = server.keys.borrow().as_ref().unwrap().1.clone();
    block_on(store.set_sealing_keys(Some(&keys))).unwrap();
    let queued = block_on(actions::submit_sealed(
        &store,
        &case,
        Some([3; 32]),
        TODAY,
        10.0,
    ))
    .unwrap();
    assert!(matches!(queued, Ok(SubmitOutcome::Queued(_))));
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert!(
        item.outgoing().is_none(),
        "nothing of the answers in the clear"
    );
    let kept = serde_json::to_string(&item).unwrap();
    assert!(!kept.contains("Ana") && !kept.contains("Tomás"), "{kept}");
    assert_eq!(item.photos_sent().unwrap()[0].photo_id, photo);

    // The server loses the answer once; the same seal goes again and is taken.
    server
        .then(Err(NetworkError("cut".into())))
        .then(answer(201, &receipt_for(case.id)));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    block_on(worker.run_due()).unwrap();
    block_on(worker.reset_backoff()).unwrap();
    block_on(worker.run_due()).unwrap();
    assert_eq!(state(&store, case.id), OutboxState::Delivered);
    assert_eq!(server.sealed.get(), 2, "both attempts sealed");
    let opened = server.cases.borrow();
    assert_eq!(opened[0], opened[1], "the very same case both times");
    assert_eq!(opened[0].1.applicant.name, "Ana Reyes");
    assert_eq!(opened[0].1.photos[0].photo_id, photo);
    let uploads = server
        .requests
        .borrow()
        .iter()
        .filter(|(m, _)| *m == Method::Patch)
        .count();
    assert!(uploads >= 1, "the photo went first");
    // The photo travelled sealed: only the organisation's key opens what was uploaded.
    let received = server.received.borrow();
    let (metadata, bytes) = received.values().next().expect("an upload");
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    assert!(
        metadata.contains(&format!("sealed_key {}", b64("k1"))),
        "{metadata}"
    );
    let enc = metadata
        .split(',')
        .find_map(|kv| kv.strip_prefix("sealed_enc "))
        .map(|v| {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(v).unwrap()).unwrap()
        })
        .expect("sealed_enc");
    assert_ne!(&bytes[..], b"passport bytes");
    let keys = server.keys.borrow();
    let (private, _) = keys.as_ref().unwrap();
    assert_eq!(
        private.open_photo(case.id, photo, &enc, bytes).unwrap(),
        b"passport bytes"
    );
    drop(keys);

    // Delivered: nothing of the case stays on the tablet but its receipt.
    assert_eq!(block_on(store.case(case.id)).unwrap(), None);
    assert!(block_on(store.photos_of_case(case.id)).unwrap().is_empty());
    let item = block_on(store.outbox_item(case.id)).unwrap().unwrap();
    assert!(item.receipt.is_some() && item.sealed.is_none() && item.outgoing().is_none());
}

#[test]
fn a_seal_made_at_send_to_a_key_the_server_lost_is_refused_not_retried_for_ever() {
    let store = MemoryStore::new();
    let case = household(22);
    block_on(store.save_draft(&case)).unwrap();
    let server = Scripted::default();
    offer_keys(&server, "k1", 1);
    let keys = server.keys.borrow().as_ref().unwrap().1.clone();
    block_on(store.set_sealing_keys(Some(&keys))).unwrap();
    block_on(actions::submit_sealed(
        &store,
        &case,
        Some([4; 32]),
        TODAY,
        10.0,
    ))
    .unwrap()
    .unwrap();
    server.then(answer(
        400,
        r#"{"error":{"code":"unknown_key","message":"x"}}"#,
    ));
    let clock = TestClock(Cell::new(1_000.0));
    let worker = Worker::new(&store, &server, &clock, Half);
    block_on(worker.run_due()).unwrap();
    assert_eq!(state(&store, case.id), OutboxState::Rejected);
    // Taken back, it is a draft again; sent again, it is sealed afresh.
    block_on(store.reopen_rejected(case.id)).unwrap();
    assert!(block_on(store.outbox_item(case.id)).unwrap().is_none());
}

#[test]
fn a_shared_install_link_makes_a_tablet_shared_until_the_server_says_otherwise() {
    use protocol::api::DeviceSettings;
    let store = MemoryStore::default();
    block_on(delivery::register::assume_shared(&store)).unwrap();
    assert!(
        block_on(store.device_auth()).unwrap().is_shared(),
        "before any registration"
    );
    // The server decides once it answers (here: the code was a personal one after all).
    let server = Scripted::default();
    server.settings.set(Some(DeviceSettings {
        shared: false,
        lock_after_secs: 120,
    }));
    block_on(delivery::register::ensure_token(&&server, &store)).unwrap();
    assert!(!block_on(store.device_auth()).unwrap().is_shared());
    // A link never overrides what the server said.
    block_on(delivery::register::assume_shared(&store)).unwrap();
    assert!(!block_on(store.device_auth()).unwrap().is_shared());
}

//! The store and the outbox worker on real IndexedDB in headless Chromium
//! (`wasm-bindgen-test`): what is written survives closing and reopening the database, and a
//! delivery interrupted at any point resumes to exactly one successful send.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use frontend::store::{CaseRecord, OutboxItem, Store, StoreError};
use frontend::sync::{HttpAnswer, HttpRequest, NetworkError, Transport, Worker};
use protocol::outbox::OutboxState;
use protocol::{CaseId, CaseSubmission, Member};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static NOW: Cell<f64> = const { Cell::new(1_000_000.0) };
}

fn fake_now() -> f64 {
    NOW.with(|n| n.get())
}

fn advance(ms: f64) {
    NOW.with(|n| n.set(n.get() + ms));
}

fn half() -> f64 {
    0.5
}

/// A server that answers from a script and remembers what it was sent.
#[derive(Default)]
struct Scripted {
    answers: RefCell<VecDeque<Result<HttpAnswer, NetworkError>>>,
    calls: RefCell<Vec<(CaseId, CaseSubmission)>>,
    requests: RefCell<Vec<HttpRequest>>,
    registrations: Cell<u32>,
}

impl Scripted {
    fn then(self: &Rc<Self>, answer: Result<HttpAnswer, NetworkError>) -> Rc<Self> {
        self.answers.borrow_mut().push_back(answer);
        self.clone()
    }
}

/// The worker owns its transport; the test keeps a second handle to read the calls.
struct Shared(Rc<Scripted>);

impl Transport for Shared {
    async fn send(&self, request: HttpRequest) -> Result<HttpAnswer, NetworkError> {
        let this = &self.0;
        if request.url == "/api/v1/devices" {
            this.registrations.set(this.registrations.get() + 1);
            let body = r#"{"device_id":"d","token":"tok-1","expires_at":"2026-12-29T00:00:00Z"}"#;
            return Ok(HttpAnswer {
                status: 201,
                body: body.into(),
                headers: vec![],
            });
        }
        let auth = request
            .headers
            .iter()
            .find(|(n, _)| *n == "authorization")
            .map(|(_, v)| v.clone());
        assert_eq!(
            auth.as_deref(),
            Some("Bearer tok-1"),
            "every request carries the device token"
        );
        if let Some(id) = request.url.strip_prefix("/api/v1/cases/") {
            let case: CaseSubmission =
                serde_json::from_slice(request.body.as_deref().unwrap_or_default()).unwrap();
            this.calls.borrow_mut().push((id.parse().unwrap(), case));
        }
        this.requests.borrow_mut().push(request);
        this.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or(Err(NetworkError("script ran out".into())))
    }
}

fn answer(status: u16, body: String) -> Result<HttpAnswer, NetworkError> {
    Ok(HttpAnswer {
        status,
        body,
        headers: vec![],
    })
}

fn receipt_code() -> String {
    protocol::ReceiptCode::generate(|| 0x1234_5678_9abc).to_string()
}

fn receipt_for(id: CaseId) -> String {
    let code = receipt_code();
    format!(
        r#"{{"case_id":"{id}","receipt_code":"{code}","received_at":"2026-11-29T15:04:05Z","people":2}}"#
    )
}

async fn fresh_store(name: &str) -> Store {
    Store::delete_database(name).await.unwrap();
    Store::open_named(name).await.unwrap()
}

fn household(now: f64) -> CaseRecord {
    let mut record = CaseRecord::new(now);
    record.step = 3;
    record.submission.applicant.name = "Ana Reyes".into();
    record.submission.applicant.languages = vec!["es".into(), "ht".into()];
    let mut child = Member::new_blank();
    child.name = "Tomás".into();
    child.relationship = "child".into();
    record.submission.members.push(child);
    record
}

#[wasm_bindgen_test]
async fn drafts_survive_closing_and_reopening_the_database() {
    let store = fresh_store("test-drafts").await;
    let first = household(1.0);
    let mut second = CaseRecord::new(2.0);
    second.submission.applicant.name = "Second".into();
    store.save_draft(&first).await.unwrap();
    store.save_draft(&second).await.unwrap();
    store.close();

    let store = Store::open_named("test-drafts").await.unwrap();
    assert_eq!(store.case(first.id).await.unwrap(), Some(first.clone()));
    let all = store.cases().await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id, first.id],
        "newest first"
    );
    assert_eq!(
        store.outbox_item(first.id).await.unwrap(),
        None,
        "a draft has no outbox item"
    );
}

#[wasm_bindgen_test]
async fn submitting_freezes_the_case_and_survives_reopening() {
    let store = fresh_store("test-enqueue").await;
    let case = household(1.0);
    store.save_draft(&case).await.unwrap();
    let item = store.enqueue(&case, 5.0).await.unwrap();
    assert_eq!(item.state, OutboxState::Queued);
    assert_eq!(
        store.save_draft(&case).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.delete_draft(case.id).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.enqueue(&case, 6.0).await.unwrap_err(),
        StoreError::AlreadySubmitted
    );
    store.close();

    let store = Store::open_named("test-enqueue").await.unwrap();
    assert_eq!(store.outbox_item(case.id).await.unwrap(), Some(item));
    assert_eq!(store.case(case.id).await.unwrap(), Some(case));
}

#[wasm_bindgen_test]
async fn a_send_interrupted_by_a_crash_resumes_and_delivers_once() {
    let store = fresh_store("test-crash").await;
    let case = household(fake_now());
    store.enqueue(&case, fake_now()).await.unwrap();
    // The page died after writing `sending` and before any answer was recorded.
    let mut half_done = store.outbox_item(case.id).await.unwrap().unwrap();
    half_done.state = OutboxState::Sending;
    store.put_outbox(&half_done).await.unwrap();
    store.close();

    let store = Rc::new(Store::open_named("test-crash").await.unwrap());
    let server = Rc::new(Scripted::default()).then(answer(200, receipt_for(case.id)));
    let worker = Worker::new(store.clone(), Shared(server.clone()), fake_now, half);
    assert_eq!(worker.run_due().await.unwrap(), None, "nothing left to do");
    let item = store.outbox_item(case.id).await.unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Delivered);
    assert_eq!(
        item.receipt.unwrap().receipt_code.to_string(),
        receipt_code()
    );
    assert_eq!(server.calls.borrow().len(), 1);
    assert_eq!(server.calls.borrow()[0], (case.id, case.submission.clone()));

    // Delivered is final: another run sends nothing.
    worker.run_due().await.unwrap();
    assert_eq!(server.calls.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn server_errors_back_off_and_the_online_event_retries_at_once() {
    let store = Rc::new(fresh_store("test-backoff").await);
    let case = household(fake_now());
    store.enqueue(&case, fake_now()).await.unwrap();
    let server = Rc::new(Scripted::default())
        .then(answer(
            500,
            r#"{"error":{"code":"internal","message":"x"}}"#.into(),
        ))
        .then(Err(NetworkError("reset".into())))
        .then(Ok(HttpAnswer {
            status: 503,
            body: String::new(),
            headers: vec![("retry-after".into(), "120".into())],
        }))
        .then(answer(201, receipt_for(case.id)));
    let worker = Worker::new(store.clone(), Shared(server.clone()), fake_now, half);

    let next = worker
        .run_due()
        .await
        .unwrap()
        .expect("a retry is scheduled");
    assert_eq!(next - fake_now(), 500.0, "half of the 1 s first backoff");
    let item = store.outbox_item(case.id).await.unwrap().unwrap();
    assert_eq!(
        (item.state, item.attempts),
        (OutboxState::WaitingNetwork, 1)
    );
    assert_eq!(item.problem.unwrap().status, Some(500));

    worker.run_due().await.unwrap();
    assert_eq!(server.calls.borrow().len(), 1, "not before its time");

    advance(500.0);
    let next = worker.run_due().await.unwrap().unwrap();
    assert_eq!(
        next - fake_now(),
        1000.0,
        "half of 2 s after the second failure"
    );
    assert_eq!(
        store
            .outbox_item(case.id)
            .await
            .unwrap()
            .unwrap()
            .problem
            .unwrap()
            .status,
        None
    );

    advance(1000.0);
    let next = worker.run_due().await.unwrap().unwrap();
    assert_eq!(next - fake_now(), 120_000.0, "Retry-After is honoured");

    // The network comes back: no need to wait two minutes.
    worker.reset_backoff().await.unwrap();
    assert_eq!(worker.run_due().await.unwrap(), None);
    let item = store.outbox_item(case.id).await.unwrap().unwrap();
    assert_eq!((item.state, item.attempts), (OutboxState::Delivered, 0));
    assert_eq!(server.calls.borrow().len(), 4);
}

#[wasm_bindgen_test]
async fn expired_login_waits_and_rejection_needs_a_person() {
    let store = Rc::new(fresh_store("test-auth").await);
    let waiting = household(fake_now());
    let invalid = household(fake_now());
    store.enqueue(&waiting, fake_now()).await.unwrap();
    let server = Rc::new(Scripted::default()).then(answer(401, String::new()));
    let worker = Worker::new(store.clone(), Shared(server.clone()), fake_now, half);
    assert_eq!(
        worker.run_due().await.unwrap(),
        None,
        "waiting for sign-in is not retried on a timer"
    );
    assert_eq!(
        store.outbox_item(waiting.id).await.unwrap().unwrap().state,
        OutboxState::WaitingAuth
    );
    assert_eq!(
        server.registrations.get(),
        1,
        "the first sync registered the device"
    );
    let device: Option<Option<frontend::sync::DeviceCredentials>> =
        store.meta("device").await.unwrap();
    assert_eq!(
        device,
        Some(None),
        "a refused token is forgotten, so signing in again registers afresh"
    );
    assert!(
        store.case(waiting.id).await.unwrap().is_some(),
        "nothing is dropped"
    );

    store.enqueue(&invalid, fake_now()).await.unwrap();
    server.then(answer(
        422,
        r#"{"error":{"code":"validation_failed","message":"m","fields":[{"field":"applicant.name","code":"required"}]}}"#.into(),
    ));
    worker.run_due().await.unwrap();
    let rejected: OutboxItem = store.outbox_item(invalid.id).await.unwrap().unwrap();
    assert_eq!(rejected.state, OutboxState::Rejected);
    assert_eq!(
        rejected.problem.as_ref().unwrap().fields[0].field,
        "applicant.name"
    );
    worker.run_due().await.unwrap();
    assert_eq!(
        server.calls.borrow().len(),
        2,
        "a rejected case is not resent by itself"
    );

    // The person corrects it: back to a draft under the same ID.
    store.reopen_rejected(invalid.id).await.unwrap();
    assert_eq!(store.outbox_item(invalid.id).await.unwrap(), None);
    store.save_draft(&invalid).await.unwrap();
}

#[wasm_bindgen_test]
async fn settings_round_trip() {
    let store = fresh_store("test-meta").await;
    assert_eq!(store.meta::<String>("open_case").await.unwrap(), None);
    store
        .set_meta("open_case", &Some("abc".to_string()))
        .await
        .unwrap();
    assert_eq!(
        store.meta::<Option<String>>("open_case").await.unwrap(),
        Some(Some("abc".to_string()))
    );
}

fn blob_of(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

async fn blob_bytes(blob: &web_sys::Blob) -> Vec<u8> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .unwrap();
    js_sys::Uint8Array::new(&buffer).to_vec()
}

#[wasm_bindgen_test]
async fn photos_are_kept_as_blobs_and_survive_reopening() {
    use frontend::store::{Photo, PhotoRecord, Processed};
    let store = fresh_store("test-photos").await;
    let case = household(1.0);
    store.save_draft(&case).await.unwrap();
    let record = PhotoRecord {
        photo_id: protocol::PhotoId::new_random(),
        case_id: case.id,
        member_id: Some(case.submission.members[0].member_id),
        kind: "birth_certificate".into(),
        created_at: 2.0,
        processed: None,
        upload: Default::default(),
        unreadable: false,
    };
    let id = record.photo_id;
    store
        .put_photo(&Photo {
            record,
            raw: Some(blob_of(b"as taken")),
            photo: None,
            thumbnail: None,
        })
        .await
        .unwrap();
    assert_eq!(store.unprocessed_photos().await.unwrap(), vec![id]);
    store.close();

    // Processing finishes after a "reload": the original is replaced by the processed pair.
    let store = Store::open_named("test-photos").await.unwrap();
    let taken = store.photo(id).await.unwrap().unwrap();
    assert_eq!(blob_bytes(taken.raw.as_ref().unwrap()).await, b"as taken");
    let processed = Processed {
        size: 9,
        sha256: "ab".repeat(32),
        content_type: "image/jpeg".into(),
        width: 2048,
        height: 1536,
    };
    let found = store
        .update_photo(
            id,
            |r| r.processed = Some(processed.clone()),
            Some((None, Some(blob_of(b"processed")), Some(blob_of(b"thumb")))),
        )
        .await
        .unwrap();
    assert!(found);
    store
        .update_photo(id, |r| r.upload.sent = 4, None)
        .await
        .unwrap();
    let photo = store.photo(id).await.unwrap().unwrap();
    assert!(photo.raw.is_none());
    assert_eq!(
        blob_bytes(photo.photo.as_ref().unwrap()).await,
        b"processed",
        "blobs survive a details-only update"
    );
    assert_eq!(photo.record.upload.sent, 4);
    assert_eq!(
        photo.record.as_ref_for_case().unwrap().sha256,
        "ab".repeat(32)
    );
    assert!(store.unprocessed_photos().await.unwrap().is_empty());
    assert_eq!(store.photos_of_case(case.id).await.unwrap().len(), 1);

    // Submitted: photos are frozen too. A draft's deletion takes its photos with it.
    let other = household(3.0);
    store.save_draft(&other).await.unwrap();
    let mut extra = photo.clone();
    extra.record.photo_id = protocol::PhotoId::new_random();
    extra.record.case_id = other.id;
    store.put_photo(&extra).await.unwrap();
    store.delete_draft(other.id).await.unwrap();
    assert!(store.photos_of_case(other.id).await.unwrap().is_empty());
    store.enqueue(&case, 5.0).await.unwrap();
    assert_eq!(
        store.delete_photo(id).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.put_photo(&photo).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert!(
        !store
            .update_photo(protocol::PhotoId::new_random(), |_| {}, None)
            .await
            .unwrap(),
        "a deleted photo stays deleted"
    );
}

//! The IndexedDB store on real IndexedDB in headless Chromium (`wasm-bindgen-test`): it keeps
//! the delivery engine's store rules (the same conformance suite the in-memory store passes),
//! what is written survives closing and reopening the database, photos are kept as Blobs, data
//! written by older builds still reads, and the worker delivers through it exactly once.

use std::cell::RefCell;

use delivery::conformance::{self, PhotoFixture};
use delivery::env::FnSource;
use delivery::transport::Exchange;
use delivery::{DeviceStore, HttpAnswer, HttpRequest, NetworkError, Transport, Worker};
use frontend::store::{CaseRecord, OutboxItem, Photo, PhotoRecord, Processed, Store, StoreError};
use protocol::outbox::OutboxState;
use protocol::{CaseId, CaseSubmission, Member, PhotoId};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn blob_of(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

fn typed_blob_of(bytes: &[u8], kind: &str) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).unwrap()
}

async fn blob_bytes(blob: &web_sys::Blob) -> Vec<u8> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .unwrap();
    js_sys::Uint8Array::new(&buffer).to_vec()
}

/// Puts photos into IndexedDB the way the app does: the picture as taken, then the processed
/// Blob and thumbnail written over it.
struct IdbPhotos;

impl PhotoFixture<Store> for IdbPhotos {
    async fn add_processed_photo(
        &self,
        store: &Store,
        record: &PhotoRecord,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let mut taken = record.clone();
        taken.processed = None;
        store
            .put_photo(&Photo {
                record: taken,
                raw: Some(blob_of(b"as taken")),
                photo: None,
                thumbnail: None,
                sealed: None,
            })
            .await?;
        let processed = record.processed.clone();
        store
            .update_photo(
                record.photo_id,
                |r| r.processed = processed,
                Some((None, Some(blob_of(bytes)), Some(blob_of(b"thumb")))),
            )
            .await?;
        Ok(())
    }
}

async fn fresh_store(name: &str) -> Store {
    Store::delete_database(name).await.unwrap();
    Store::open_named(name).await.unwrap()
}

fn household(now: f64) -> CaseRecord {
    let mut record = CaseRecord::new(CaseId::new_random(), now);
    record.step = 3;
    let a = &mut record.submission.applicant;
    a.name = "Ana Reyes".into();
    a.date_of_birth = "1990-05-01".into();
    a.country_of_origin = "HN".into();
    a.languages = vec!["es".into(), "ht".into()];
    let mut child = Member::new_blank();
    child.name = "Tomás".into();
    child.date_of_birth = "2018-03-03".into();
    child.relationship = "child".into();
    record.submission.members.push(child);
    record
}

#[wasm_bindgen_test]
async fn indexeddb_keeps_the_engines_store_rules() {
    let store = fresh_store("test-conformance").await;
    conformance::run_all(&store, &IdbPhotos).await;
}

#[wasm_bindgen_test]
async fn drafts_and_the_outbox_survive_closing_and_reopening_the_database() {
    let store = fresh_store("test-reopen").await;
    let first = household(1.0);
    let mut second = CaseRecord::new(CaseId::new_random(), 2.0);
    second.submission.applicant.name = "Second".into();
    store.save_draft(&first).await.unwrap();
    store.save_draft(&second).await.unwrap();
    let item = OutboxItem::queued(second.id, second.submission.clone(), 5.0);
    store.enqueue(&second, &item).await.unwrap();
    store.close();

    let store = Store::open_named("test-reopen").await.unwrap();
    assert_eq!(store.case(first.id).await.unwrap(), Some(first.clone()));
    let all = store.cases().await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id, first.id],
        "newest first"
    );
    assert_eq!(store.outbox_item(second.id).await.unwrap(), Some(item));
    assert_eq!(
        store.outbox_item(first.id).await.unwrap(),
        None,
        "a draft has no outbox item"
    );
}

#[wasm_bindgen_test]
async fn indexeddb_keeps_the_engines_store_rules_where_blobs_are_refused() {
    let store = fresh_store("test-conformance-bytes").await;
    store.keep_blobs_as_bytes();
    conformance::run_all(&store, &IdbPhotos).await;
}

#[wasm_bindgen_test]
async fn photos_are_kept_as_blobs_and_survive_reopening() {
    photos_survive_reopening("test-photos", false).await;
}

/// WebKit's private sessions refuse Blobs in IndexedDB: the photo is kept as its bytes, and read
/// back as a Blob of the same type.
#[wasm_bindgen_test]
async fn photos_are_kept_as_bytes_where_blobs_are_refused_and_survive_reopening() {
    photos_survive_reopening("test-photos-bytes", true).await;
}

async fn photos_survive_reopening(name: &str, as_bytes: bool) {
    let store = fresh_store(name).await;
    if as_bytes {
        store.keep_blobs_as_bytes();
    }
    let case = household(1.0);
    store.save_draft(&case).await.unwrap();
    let record = PhotoRecord::new(
        PhotoId::new_random(),
        case.id,
        Some(case.submission.members[0].member_id),
        "birth_certificate",
        2.0,
    );
    let id = record.photo_id;
    store
        .put_photo(&Photo {
            record,
            raw: Some(typed_blob_of(b"as taken", "image/x-test")),
            photo: None,
            thumbnail: None,
            sealed: None,
        })
        .await
        .unwrap();
    assert_eq!(store.unprocessed_photos().await.unwrap(), vec![id]);
    store.close();

    // Processing finishes after a "reload": the original is replaced by the processed pair.
    let store = Store::open_named(name).await.unwrap();
    if as_bytes {
        store.keep_blobs_as_bytes();
    }
    let taken = store.photo_with_blobs(id).await.unwrap().unwrap();
    assert_eq!(blob_bytes(taken.raw.as_ref().unwrap()).await, b"as taken");
    assert_eq!(
        taken.raw.as_ref().unwrap().type_(),
        "image/x-test",
        "the type is kept"
    );
    let processed = Processed {
        size: 9,
        sha256: "ab".repeat(32),
        content_type: "image/jpeg".into(),
        width: 2048,
        height: 1536,
        quality: None,
    };
    assert!(store
        .update_photo(
            id,
            |r| r.processed = Some(processed.clone()),
            Some((None, Some(blob_of(b"processed")), Some(blob_of(b"thumb")))),
        )
        .await
        .unwrap());
    let progress = delivery::UploadProgress {
        url: None,
        sent: 4,
        done: false,
    };
    assert!(store.set_upload_progress(id, &progress).await.unwrap());
    let photo = store.photo_with_blobs(id).await.unwrap().unwrap();
    assert!(photo.raw.is_none());
    assert_eq!(
        blob_bytes(photo.photo.as_ref().unwrap()).await,
        b"processed",
        "blobs survive a details-only update"
    );
    assert_eq!(photo.record.upload.sent, 4);
    assert_eq!(
        store.photo_bytes(id, 2, 6).await.unwrap(),
        Some(b"oces".to_vec()),
        "the uploader reads slices of the Blob"
    );
    assert!(store.unprocessed_photos().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn what_an_older_build_kept_still_reads() {
    let store = fresh_store("test-legacy").await;
    // The device's token and enrolment code as builds before `device_auth` kept them.
    store
        .set_meta(
            "device",
            &Some(serde_json::json!({"device_id": "d", "token": "old-token"})),
        )
        .await
        .unwrap();
    store
        .set_meta("enrolment_code", &Some("K7QM-X9A2".to_string()))
        .await
        .unwrap();
    let auth = store.device_auth().await.unwrap();
    assert_eq!(
        auth.credentials.map(|c| c.token).as_deref(),
        Some("old-token")
    );
    assert_eq!(auth.enrolment_code.as_deref(), Some("K7QM-X9A2"));
    assert!(!auth.sign_in_needed);
}

/// Resolves when `request` succeeds (raw IndexedDB, as an older build left the database).
async fn idb_done(request: &web_sys::IdbRequest) -> wasm_bindgen::JsValue {
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
    request.result().unwrap()
}

#[wasm_bindgen_test]
async fn a_version_1_database_opens_with_its_drafts() {
    use serde::Serialize;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let name = "test-version-1";
    Store::delete_database(name).await.unwrap();
    // Version 1 as the first builds made it: no photos store yet.
    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .unwrap()
        .unchecked_into();
    let request = factory.open_with_u32(name, 1).unwrap();
    let opening = request.clone();
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let db: web_sys::IdbDatabase = opening.result().unwrap().unchecked_into();
        for (store, key) in [("cases", "id"), ("outbox", "case_id"), ("meta", "key")] {
            let params = web_sys::IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str(key));
            db.create_object_store_with_optional_parameters(store, &params)
                .unwrap();
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db: web_sys::IdbDatabase = idb_done(&request).await.unchecked_into();
    let case = household(1.0);
    let value = case
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    let tx = db
        .transaction_with_str_and_mode("cases", web_sys::IdbTransactionMode::Readwrite)
        .unwrap();
    idb_done(&tx.object_store("cases").unwrap().put(&value).unwrap()).await;
    db.close();

    let store = Store::open_named(name).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap(), Some(case.clone()));
    // The photos store and its index came with the upgrade.
    let record = PhotoRecord::new(PhotoId::new_random(), case.id, None, "passport", 2.0);
    store
        .put_photo(&Photo {
            record: record.clone(),
            raw: Some(blob_of(b"as taken")),
            photo: None,
            thumbnail: None,
            sealed: None,
        })
        .await
        .unwrap();
    assert_eq!(store.photos_of_case(case.id).await.unwrap(), vec![record]);
    store.close();
}

/// Answers the case PUT with a receipt and records it; registration always works.
#[derive(Default)]
struct Server {
    cases: RefCell<Vec<(CaseId, CaseSubmission)>>,
}

impl Transport for &Server {
    async fn send(&self, request: HttpRequest) -> Exchange {
        if request.url == "/api/v1/devices" {
            return Ok(HttpAnswer {
                status: 201,
                body: r#"{"device_id":"d","token":"tok","expires_at":"2026-12-29T00:00:00Z"}"#
                    .into(),
                headers: vec![],
            });
        }
        let Some(id) = request.url.strip_prefix("/api/v1/cases/") else {
            return Err(NetworkError("unexpected".into()));
        };
        let id: CaseId = id.parse().unwrap();
        let case = serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
        self.cases.borrow_mut().push((id, case));
        let code = protocol::ReceiptCode::generate(|| 0x1234_5678_9abc);
        Ok(HttpAnswer {
            status: 201,
            body: format!(
                r#"{{"case_id":"{id}","receipt_code":"{code}","received_at":"2026-11-29T15:04:05Z","people":2}}"#
            ),
            headers: vec![],
        })
    }
}

fn now() -> f64 {
    1_000_000.0
}

struct Half;

impl delivery::env::Random for Half {
    fn unit(&self) -> f64 {
        0.5
    }

    fn fill_secret(&self, out: &mut [u8]) -> bool {
        out.fill(7);
        true
    }
}

#[wasm_bindgen_test]
async fn a_send_interrupted_by_a_crash_resumes_through_indexeddb_and_delivers_once() {
    let store = fresh_store("test-crash").await;
    let case = household(now());
    store.save_draft(&case).await.unwrap();
    let today = protocol::date::Date::new(2026, 12, 1).unwrap();
    let outcome = delivery::actions::submit(&store, &case, today, now())
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        delivery::actions::SubmitOutcome::Queued(_)
    ));
    // The page died after writing `sending` and before any answer was recorded.
    let mut half_done = store.outbox_item(case.id).await.unwrap().unwrap();
    half_done.state = OutboxState::Sending;
    store.put_outbox(&half_done).await.unwrap();
    store.close();

    let store = Store::open_named("test-crash").await.unwrap();
    let server = Server::default();
    let worker = Worker::new(&store, &server, FnSource(now), Half);
    assert_eq!(worker.run_due().await.unwrap(), None, "nothing left to do");
    let item = store.outbox_item(case.id).await.unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Delivered);
    assert!(item.receipt.is_some());
    assert_eq!(server.cases.borrow().len(), 1);
    assert_eq!(
        server.cases.borrow()[0].1.applicant,
        case.submission.applicant
    );
    worker.run_due().await.unwrap();
    assert_eq!(server.cases.borrow().len(), 1, "delivered is final");
}

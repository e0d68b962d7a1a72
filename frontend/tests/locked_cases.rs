//! Cases locked behind a family's PIN on real IndexedDB and WebCrypto in headless Chromium: the
//! answers are kept only encrypted, read and written only while the case is open, wrong PINs
//! slow down (counted across reopening the database) and never erase, and nothing of a locked
//! case is ever written in the clear.

use delivery::DeviceStore;
use frontend::store::locked::UnlockError;
use frontend::store::{CaseRecord, Store, StoreError};
use protocol::CaseId;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Few rounds: these tests are about the rules, not the cost (measured by `make bench-pin`).
const FAST: u32 = 10_000;

async fn fresh_store(name: &str) -> Store {
    Store::delete_database(name).await.unwrap();
    Store::open_named(name).await.unwrap()
}

fn family(now: f64) -> CaseRecord {
    let mut record = CaseRecord::new(CaseId::new_random(), now);
    record.submission.applicant.name = "Marta Díaz Secret".into();
    record
}

async fn nothing_in_the_clear(store: &Store, id: CaseId) {
    assert!(
        store.cases().await.unwrap().iter().all(|c| c.id != id),
        "not among the clear cases"
    );
    let entry = store.locked_case(id).await.unwrap().unwrap();
    let kept = serde_json::to_string(&entry).unwrap();
    assert!(
        !kept.contains("Marta") && !kept.contains("Secret"),
        "{kept}"
    );
}

#[wasm_bindgen_test]
async fn a_locked_case_is_read_and_written_only_while_open_and_kept_encrypted() {
    let store = fresh_store("locked-open-close").await;
    let mut case = family(1_000.0);
    store.start_locked(&case, "482913", FAST).await.unwrap();
    nothing_in_the_clear(&store, case.id).await;
    assert!(store.is_locked_case(case.id).await.unwrap());
    let listed = store.locked_cases().await.unwrap();
    assert_eq!(
        (listed.len(), listed[0].id, listed[0].open),
        (1, case.id, true)
    );

    // Open: reads and writes go through its key.
    assert_eq!(store.case(case.id).await.unwrap().as_ref(), Some(&case));
    case.submission.applicant.phone = "+52 55 1234 5678".into();
    case.updated_at = 2_000.0;
    store.save_draft(&case).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap().as_ref(), Some(&case));
    nothing_in_the_clear(&store, case.id).await;

    // Locked: neither read nor written (a late autosave is refused, never written in the clear).
    store.lock(case.id);
    assert!(!store.locked_cases().await.unwrap()[0].open);
    assert_eq!(store.case(case.id).await, Err(StoreError::Locked));
    let mut late = case.clone();
    late.submission.applicant.name = "Marta Díaz Secret, late".into();
    assert_eq!(store.save_draft(&late).await, Err(StoreError::Locked));
    nothing_in_the_clear(&store, case.id).await;

    // Another page (a reload) opens it with the PIN and finds the last write.
    store.close();
    let store = Store::open_named("locked-open-close").await.unwrap();
    assert_eq!(store.case(case.id).await, Err(StoreError::Locked));
    store.unlock(case.id, "482913", 3_000.0).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap().as_ref(), Some(&case));

    // Deleting the draft deletes it whole.
    store.delete_draft(case.id).await.unwrap();
    assert!(!store.is_locked_case(case.id).await.unwrap());
    assert_eq!(store.case(case.id).await, Ok(None));
}

#[wasm_bindgen_test]
async fn wrong_pins_slow_down_across_reopening_and_never_erase() {
    let name = "locked-wrong-pins";
    let store = fresh_store(name).await;
    let case = family(1_000.0);
    store
        .start_locked(&case, "casa azul 7", FAST)
        .await
        .unwrap();
    store.lock_all();

    let mut now = 10_000.0;
    for failures in 1..=2 {
        assert_eq!(
            store.unlock(case.id, "casa azul 8", now).await,
            Err(UnlockError::WrongPin {
                failures,
                wait_secs: 0
            })
        );
    }
    assert_eq!(
        store.unlock(case.id, "casa azul 8", now).await,
        Err(UnlockError::WrongPin {
            failures: 3,
            wait_secs: 5
        })
    );
    // Even the right PIN waits out the delay; a reload does not reset it.
    store.close();
    let store = Store::open_named(name).await.unwrap();
    assert_eq!(
        store.unlock(case.id, "casa azul 7", now + 1_000.0).await,
        Err(UnlockError::TooSoon { at: now + 5_000.0 })
    );
    now += 5_000.0;
    assert_eq!(
        store.unlock(case.id, "1111111", now).await,
        Err(UnlockError::WrongPin {
            failures: 4,
            wait_secs: 15
        })
    );
    now += 15_000.0;
    store.unlock(case.id, "casa azul 7", now).await.unwrap();
    assert_eq!(
        store.case(case.id).await.unwrap().as_ref(),
        Some(&case),
        "nothing erased"
    );
    assert_eq!(
        store.locked_case(case.id).await.unwrap().unwrap().failures,
        0,
        "the count starts again"
    );
}

#[wasm_bindgen_test]
async fn clear_drafts_and_locked_ones_live_side_by_side() {
    let store = fresh_store("locked-side-by-side").await;
    let clear = family(1_000.0);
    store.save_draft(&clear).await.unwrap();
    let locked = family(2_000.0);
    store.start_locked(&locked, "246810", FAST).await.unwrap();
    store.lock_all();
    assert_eq!(store.cases().await.unwrap().len(), 1);
    assert_eq!(store.case(clear.id).await.unwrap().as_ref(), Some(&clear));
    assert_eq!(store.locked_cases().await.unwrap().len(), 1);
    // Deleting one leaves the other.
    store.delete_draft(clear.id).await.unwrap();
    assert_eq!(store.locked_cases().await.unwrap().len(), 1);
    assert!(
        store
            .locked_case(locked.id)
            .await
            .unwrap()
            .unwrap()
            .recovery
            .is_none(),
        "no organisation key was held"
    );
}

fn blob_of(bytes: &[u8], kind: &str) -> web_sys::Blob {
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

#[wasm_bindgen_test]
async fn a_locked_cases_photos_are_read_only_while_it_is_open_and_its_seal_always() {
    use frontend::store::{Photo, PhotoRecord};
    let name = "locked-photos";
    let store = fresh_store(name).await;
    let case = family(1_000.0);
    store.start_locked(&case, "135790", FAST).await.unwrap();
    let record = PhotoRecord::new(
        protocol::PhotoId::new_random(),
        case.id,
        None,
        "id_document",
        1_500.0,
    );
    let id = record.photo_id;
    store
        .put_photo(&Photo {
            record: record.clone(),
            raw: Some(blob_of(b"passport as taken", "image/png")),
            photo: None,
            thumbnail: None,
            sealed: None,
        })
        .await
        .unwrap();
    let processed = delivery::conformance::processed(b"passport processed");
    let done = processed.clone();
    assert!(store
        .update_photo(
            id,
            |r| r.processed = Some(done),
            Some((
                None,
                Some(blob_of(b"passport processed", "image/jpeg")),
                Some(blob_of(b"passport thumb", "image/jpeg")),
            )),
        )
        .await
        .unwrap());
    let open = store.photo_with_blobs(id).await.unwrap().unwrap();
    assert_eq!(
        blob_bytes(open.photo.as_ref().unwrap()).await,
        b"passport processed"
    );
    assert_eq!(open.photo.as_ref().unwrap().type_(), "image/jpeg");
    assert_eq!(
        blob_bytes(open.thumbnail.as_ref().unwrap()).await,
        b"passport thumb"
    );
    assert!(open.raw.is_none(), "the original is gone once processed");
    assert_eq!(
        store.photo_bytes(id, 0, 8).await.unwrap(),
        Some(b"passport".to_vec())
    );

    // Locked, and read by another page: the details are there, the pictures are not.
    store.lock(case.id);
    store.close();
    let store = Store::open_named(name).await.unwrap();
    let locked = store.photo_with_blobs(id).await.unwrap().unwrap();
    assert_eq!(locked.record.processed, Some(processed.clone()));
    assert!(locked.photo.is_none() && locked.thumbnail.is_none());
    assert_eq!(store.photo_bytes(id, 0, 8).await.unwrap(), None);
    // Nothing of it is written in the clear while locked.
    assert_eq!(
        store
            .update_photo(
                id,
                |_| {},
                Some((None, Some(blob_of(b"clear", "image/jpeg")), None))
            )
            .await,
        Err(StoreError::Locked)
    );
    let another = PhotoRecord::new(
        protocol::PhotoId::new_random(),
        case.id,
        None,
        "id_document",
        1_600.0,
    );
    assert_eq!(
        store
            .put_photo(&Photo {
                record: another,
                raw: Some(blob_of(b"clear", "image/png")),
                photo: None,
                thumbnail: None,
                sealed: None,
            })
            .await,
        Err(StoreError::Locked)
    );

    // Open again: the pictures come back as they were; sealed, the seal is what is read, even
    // once the case is locked again.
    store.unlock(case.id, "135790", 2_000.0).await.unwrap();
    let reopened = store.photo_with_blobs(id).await.unwrap().unwrap();
    assert_eq!(
        blob_bytes(reopened.photo.as_ref().unwrap()).await,
        b"passport processed"
    );
    let seal = delivery::records::PhotoSeal {
        key_id: "k1".into(),
        enc: "enc".into(),
        size: 6,
        sha256: "0".repeat(64),
        seals: processed.sha256.clone(),
    };
    assert!(store
        .seal_photo(id, &seal, b"SEALED".to_vec())
        .await
        .unwrap());
    store.lock(case.id);
    assert_eq!(
        store.photo_bytes(id, 0, 100).await.unwrap(),
        Some(b"SEALED".to_vec())
    );
}

#[wasm_bindgen_test]
async fn a_wrong_key_from_outside_opens_nothing_and_a_locked_case_keeps_its_pin() {
    let store = fresh_store("locked-recovery").await;
    let case = family(1_000.0);
    store.start_locked(&case, "975310", FAST).await.unwrap();
    store.lock(case.id);
    assert!(store.open_with_key(case.id, &[7; 32]).await.is_err());
    assert_eq!(store.case(case.id).await, Err(StoreError::Locked));
    assert!(
        store.change_pin(case.id, "111111", FAST).await.is_err(),
        "a locked case's PIN is not changed"
    );
    assert_eq!(
        store.recovery_of(case.id).await.unwrap(),
        None,
        "no organisation key held"
    );
    store.unlock(case.id, "975310", 2_000.0).await.unwrap();
    store.change_pin(case.id, "246802", FAST).await.unwrap();
    store.lock(case.id);
    assert!(matches!(
        store.unlock(case.id, "975310", 3_000.0).await,
        Err(UnlockError::WrongPin { .. })
    ));
    store.unlock(case.id, "246802", 4_000.0).await.unwrap();
    assert_eq!(store.case(case.id).await.unwrap().as_ref(), Some(&case));
    let entry = store.locked_case(case.id).await.unwrap().unwrap();
    assert_eq!(entry.failures, 0, "opening clears the count");
}

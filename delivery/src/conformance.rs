//! The rules every [`DeviceStore`] keeps, as a suite any implementation runs: natively on
//! [`crate::memory::MemoryStore`], in headless Chromium on the IndexedDB store. Each check
//! panics with what broke.

use protocol::outbox::OutboxState;
use protocol::{CaseId, Member, MemberId, PhotoId};
use sha2::{Digest, Sha256};

use crate::records::{
    CaseRecord, DeviceAuth, DeviceCredentials, OutboxItem, PhotoRecord, Processed, UploadProgress,
};
use crate::store::{DeviceStore, StoreError};

/// How a suite puts photos into a store (each store keeps bytes its own way).
#[allow(async_fn_in_trait)]
pub trait PhotoFixture<S: DeviceStore> {
    /// Stores `record` (whose `processed` is set) with `bytes` as its processed picture.
    async fn add_processed_photo(
        &self,
        store: &S,
        record: &PhotoRecord,
        bytes: &[u8],
    ) -> Result<(), StoreError>;
}

pub fn processed(bytes: &[u8]) -> Processed {
    Processed {
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
        content_type: "image/jpeg".into(),
        width: 10,
        height: 10,
        quality: None,
    }
}

fn case_with_member(id: CaseId) -> (CaseRecord, MemberId) {
    let mut case = CaseRecord::new(id, 1.0);
    case.submission.applicant.name = "Ana Reyes".into();
    let mut member = Member::new_blank();
    member.member_id = MemberId(uuid::Uuid::from_u128(id.0.as_u128() ^ 1));
    member.name = "Tomás".into();
    let member_id = member.member_id;
    case.submission.members.push(member);
    (case, member_id)
}

fn photo(case_id: CaseId, n: u128, member: Option<MemberId>, bytes: &[u8]) -> PhotoRecord {
    let mut record = PhotoRecord::new(
        PhotoId(uuid::Uuid::from_u128(case_id.0.as_u128() ^ (n << 8))),
        case_id,
        member,
        "id_document",
        n as f64,
    );
    record.processed = Some(processed(bytes));
    record
}

fn id(n: u128) -> CaseId {
    CaseId(uuid::Uuid::from_u128(
        0x5eed_0000_0000_0000_0000_0000_0000_0000 | n,
    ))
}

/// Runs every check on `store`, which must be empty.
pub async fn run_all<S: DeviceStore>(store: &S, photos: &impl PhotoFixture<S>) {
    drafts_round_trip(store).await;
    submitted_cases_are_frozen(store, photos).await;
    enqueue_checks_the_photos_it_freezes(store, photos).await;
    removing_a_member_removes_their_photos_atomically(store, photos).await;
    reopening_keeps_the_servers_problem(store).await;
    photo_bytes_and_progress(store, photos).await;
    device_auth_round_trips(store).await;
    deleting_a_draft_deletes_its_photos(store, photos).await;
    form_definitions_and_form_cases_round_trip(store).await;
    sealing_keys_are_kept_and_forgotten(store).await;
    erasing_a_delivered_case_keeps_only_its_receipt(store, photos).await;
    a_sealed_photo_sends_its_sealed_bytes(store, photos).await;
    slots_are_kept_and_replaced(store).await;
    a_status_changes_only_its_delivered_case(store).await;
}

/// A photo's seal is kept beside it: its sealed bytes are what it sends (while the seal is for
/// the photo as it is), the photo itself stays, and a submitted case's photos cannot be sealed.
pub async fn a_sealed_photo_sends_its_sealed_bytes<S: DeviceStore>(
    store: &S,
    photos: &impl PhotoFixture<S>,
) {
    let (case, _) = case_with_member(id(13));
    store.save_draft(&case).await.expect("save draft");
    let p = photo(case.id, 1, None, b"the passport page");
    photos
        .add_processed_photo(store, &p, b"the passport page")
        .await
        .expect("photo");
    let sealed = b"sealed: not the passport page at all".to_vec();
    let seal = crate::records::PhotoSeal {
        key_id: "k1".into(),
        enc: "enc".into(),
        size: sealed.len() as u64,
        sha256: hex::encode(Sha256::digest(&sealed)),
        seals: p
            .processed
            .as_ref()
            .map(|x| x.sha256.clone())
            .unwrap_or_default(),
    };
    assert!(store
        .seal_photo(p.photo_id, &seal, sealed.clone())
        .await
        .expect("seal"));
    let record = store.photo(p.photo_id).await.expect("read").expect("kept");
    assert_eq!(record.current_seal(), Some(&seal));
    assert_eq!(record.processed, p.processed, "the photo itself stays");
    assert_eq!(
        store.photo_bytes(p.photo_id, 0, 1000).await.expect("read"),
        Some(sealed.clone())
    );
    assert_eq!(
        store.photo_bytes(p.photo_id, 8, 12).await.expect("read"),
        Some(sealed[8..12].to_vec())
    );
    // A seal of other bytes (the photo was processed again since) is not this photo's.
    let stale = crate::records::PhotoSeal {
        seals: "0".repeat(64),
        ..seal.clone()
    };
    assert!(store
        .seal_photo(p.photo_id, &stale, sealed)
        .await
        .expect("seal"));
    assert_eq!(
        store.photo_bytes(p.photo_id, 0, 1000).await.expect("read"),
        Some(b"the passport page".to_vec())
    );
    let gone = PhotoId(uuid::Uuid::from_u128(8));
    assert!(!store.seal_photo(gone, &seal, vec![1]).await.expect("seal"));
    let mut submission = case.submission.clone();
    submission.photos = p.as_ref_for_case().into_iter().collect();
    let item = OutboxItem::queued(case.id, submission, 1.0);
    store.enqueue(&case, &item).await.expect("enqueue");
    assert_eq!(
        store.seal_photo(p.photo_id, &seal, vec![1]).await,
        Err(StoreError::AlreadySubmitted)
    );
}

/// A delivered case sealed at Send is erased whole in one write; its receipt stays.
pub async fn erasing_a_delivered_case_keeps_only_its_receipt<S: DeviceStore>(
    store: &S,
    photos: &impl PhotoFixture<S>,
) {
    let (case, _) = case_with_member(id(11));
    store.save_draft(&case).await.expect("save draft");
    let p = photo(case.id, 1, None, b"passport");
    photos
        .add_processed_photo(store, &p, b"passport")
        .await
        .expect("photo");
    let other = case_with_member(id(12)).0;
    store.save_draft(&other).await.expect("another draft");
    let mut item = OutboxItem::queued(case.id, case.submission.clone(), 1.0);
    item.state = OutboxState::Delivered;
    item.receipt = Some(protocol::api::CaseReceipt {
        case_id: case.id,
        receipt_code: protocol::ReceiptCode::generate(|| 7),
        received_at: "2026-12-02T10:31:00Z".into(),
        people: 2,
        appointment: None,
    });
    item.submission = None;
    store.erase_delivered(&item).await.expect("erase");
    assert_eq!(store.case(case.id).await.expect("read"), None);
    assert!(store
        .photos_of_case(case.id)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(store.photo(p.photo_id).await.expect("read"), None);
    assert_eq!(store.outbox_item(case.id).await.expect("read"), Some(item));
    assert!(
        store.case(other.id).await.expect("read").is_some(),
        "other cases stay"
    );
}

/// The organisation's public keys survive a reload, and forgetting them leaves none.
pub async fn sealing_keys_are_kept_and_forgotten(store: &impl DeviceStore) {
    assert_eq!(store.sealing_keys().await.expect("read"), None);
    let (_, public) = protocol::sealed::key_pair("k1", &[3; 32]);
    let keys = protocol::sealed::SealingKeys {
        current: "k1".into(),
        keys: vec![public],
    };
    store.set_sealing_keys(Some(&keys)).await.expect("write");
    assert_eq!(store.sealing_keys().await.expect("read"), Some(keys));
    store.set_sealing_keys(None).await.expect("forget");
    assert_eq!(store.sealing_keys().await.expect("read"), None);
}

/// Definitions are kept by form and version, and a case on a form keeps its answers and, once
/// sent, exactly the submission it froze.
pub async fn form_definitions_and_form_cases_round_trip(store: &impl DeviceStore) {
    use protocol::definition::{household, sample};
    assert_eq!(store.form_definitions().await.expect("list"), vec![]);
    let mut v1 = sample::definition(2);
    v1.form_id = "sample".into();
    v1.version = 1;
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.title.insert("en".into(), "Second".into());
    store.put_form_definition(&v2).await.expect("put v2");
    store.put_form_definition(&v1).await.expect("put v1");
    store
        .put_form_definition(household::definition())
        .await
        .expect("put household");
    store.put_form_definition(&v1).await.expect("put v1 again");
    assert_eq!(
        store.form_definition("sample", 2).await.expect("read"),
        Some(v2.clone())
    );
    assert_eq!(
        store.form_definition("sample", 3).await.expect("read"),
        None
    );
    let all = store.form_definitions().await.expect("list");
    let keys: Vec<(String, u32)> = all.iter().map(|d| (d.form_id.clone(), d.version)).collect();
    assert_eq!(
        keys,
        [
            ("household-intake".into(), 1),
            ("sample".into(), 1),
            ("sample".into(), 2)
        ]
    );
    assert_eq!(
        &all[0],
        household::definition(),
        "a definition comes back whole"
    );

    let mut case = CaseRecord::on_form(id(90), "sample", 1, 1.0);
    if let Some(form) = case.form.as_mut() {
        form.answers
            .insert("person_name".into(), serde_json::json!("Zoë"));
        form.answers
            .insert("n".into(), serde_json::json!([1.5, {"a": true}]));
    }
    store.save_draft(&case).await.expect("save form draft");
    assert_eq!(store.case(case.id).await.expect("read"), Some(case.clone()));
    let submission = protocol::Submission {
        form_id: "sample".into(),
        form_version: 1,
        answers: case.form.clone().map(|f| f.answers).unwrap_or_default(),
        photos: vec![],
        appointment_preferences: vec![],
    };
    let item = OutboxItem::queued(case.id, submission.clone(), 2.0);
    store.enqueue(&case, &item).await.expect("enqueue");
    let stored = store
        .outbox_item(case.id)
        .await
        .expect("read")
        .expect("queued");
    assert_eq!(
        stored.outgoing(),
        Some(crate::records::Outgoing::Form(submission))
    );
}

pub async fn drafts_round_trip(store: &impl DeviceStore) {
    let (mut case, _) = case_with_member(id(1));
    case.step = 3;
    store.save_draft(&case).await.expect("save draft");
    assert_eq!(store.case(case.id).await.expect("read"), Some(case.clone()));
    case.submission.applicant.name = "Ana María Reyes".into();
    store.save_draft(&case).await.expect("save again");
    assert_eq!(
        store
            .case(case.id)
            .await
            .expect("read")
            .map(|c| c.submission.applicant.name),
        Some("Ana María Reyes".into())
    );
}

pub async fn submitted_cases_are_frozen<S: DeviceStore>(store: &S, photos: &impl PhotoFixture<S>) {
    let (case, member) = case_with_member(id(2));
    store.save_draft(&case).await.expect("save draft");
    let p = photo(case.id, 1, Some(member), b"frozen");
    photos
        .add_processed_photo(store, &p, b"frozen")
        .await
        .expect("photo");
    let mut submission = case.submission.clone();
    submission.photos = vec![p.as_ref_for_case().expect("processed")];
    store
        .enqueue(&case, &OutboxItem::queued(case.id, submission, 5.0))
        .await
        .expect("enqueue");
    assert_eq!(
        store.save_draft(&case).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.save_draft_deleting_photos(&case, &[p.photo_id]).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.delete_photo(p.photo_id).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert_eq!(
        store.delete_draft(case.id).await,
        Err(StoreError::AlreadySubmitted)
    );
    let again = OutboxItem::queued(case.id, case.submission.clone(), 6.0);
    assert_eq!(
        store.enqueue(&case, &again).await,
        Err(StoreError::AlreadySubmitted)
    );
    assert!(
        store.photo(p.photo_id).await.expect("read").is_some(),
        "the photo of a sent case stays"
    );
    assert_eq!(
        store.reopen_rejected(case.id).await,
        Err(StoreError::AlreadySubmitted),
        "only a rejected case reopens"
    );
}

pub async fn enqueue_checks_the_photos_it_freezes<S: DeviceStore>(
    store: &S,
    photos: &impl PhotoFixture<S>,
) {
    let (case, _) = case_with_member(id(3));
    store.save_draft(&case).await.expect("save draft");
    let kept = photo(case.id, 1, None, b"kept");
    let extra = photo(case.id, 2, None, b"extra");
    photos
        .add_processed_photo(store, &kept, b"kept")
        .await
        .expect("photo");
    photos
        .add_processed_photo(store, &extra, b"extra")
        .await
        .expect("photo");
    let mut changed = case.clone();
    changed.submission.applicant.name = "Changed".into();
    let mut submission = changed.submission.clone();
    submission.photos = vec![kept.as_ref_for_case().expect("processed")];
    let item = OutboxItem::queued(case.id, submission.clone(), 5.0);
    assert_eq!(
        store.enqueue(&changed, &item).await,
        Err(StoreError::PhotosChanged),
        "a photo it does not send is still there"
    );
    assert_eq!(
        store.outbox_item(case.id).await.expect("read"),
        None,
        "nothing queued"
    );
    assert_eq!(
        store.case(case.id).await.expect("read"),
        Some(case.clone()),
        "the answers unchanged"
    );
    submission
        .photos
        .push(extra.as_ref_for_case().expect("processed"));
    let item = OutboxItem::queued(case.id, submission, 5.0);
    store
        .enqueue(&changed, &item)
        .await
        .expect("enqueue with every photo");
    assert_eq!(store.outbox_item(case.id).await.expect("read"), Some(item));
    assert_eq!(store.case(case.id).await.expect("read"), Some(changed));
}

pub async fn removing_a_member_removes_their_photos_atomically<S: DeviceStore>(
    store: &S,
    photos: &impl PhotoFixture<S>,
) {
    let (case, member) = case_with_member(id(4));
    store.save_draft(&case).await.expect("save draft");
    let theirs = photo(case.id, 1, Some(member), b"theirs");
    let mine = photo(case.id, 2, None, b"mine");
    photos
        .add_processed_photo(store, &theirs, b"theirs")
        .await
        .expect("photo");
    photos
        .add_processed_photo(store, &mine, b"mine")
        .await
        .expect("photo");
    let mut without = case.clone();
    without.submission.members.clear();
    store
        .save_draft_deleting_photos(&without, &[theirs.photo_id])
        .await
        .expect("remove member");
    let left: Vec<PhotoId> = store
        .photos_of_case(case.id)
        .await
        .expect("read")
        .iter()
        .map(|p| p.photo_id)
        .collect();
    assert_eq!(left, vec![mine.photo_id]);
    assert_eq!(store.case(case.id).await.expect("read"), Some(without));
}

pub async fn reopening_keeps_the_servers_problem(store: &impl DeviceStore) {
    let (case, _) = case_with_member(id(5));
    store.save_draft(&case).await.expect("save draft");
    let mut item = OutboxItem::queued(case.id, case.submission.clone(), 5.0);
    store.enqueue(&case, &item).await.expect("enqueue");
    item.state = OutboxState::Rejected;
    item.problem = Some(crate::records::Problem::on_device("the server said no"));
    store.put_outbox(&item).await.expect("reject");
    store.reopen_rejected(case.id).await.expect("reopen");
    assert_eq!(store.outbox_item(case.id).await.expect("read"), None);
    let reopened = store
        .case(case.id)
        .await
        .expect("read")
        .expect("the case stays");
    assert_eq!(
        reopened.last_problem.map(|p| p.message),
        Some("the server said no".into())
    );
    store
        .save_draft(&case)
        .await
        .expect("a reopened case is a draft again");
}

pub async fn photo_bytes_and_progress<S: DeviceStore>(store: &S, photos: &impl PhotoFixture<S>) {
    let (case, _) = case_with_member(id(6));
    store.save_draft(&case).await.expect("save draft");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let p = photo(case.id, 1, None, &bytes);
    photos
        .add_processed_photo(store, &p, &bytes)
        .await
        .expect("photo");
    assert_eq!(
        store.photo_bytes(p.photo_id, 10, 20).await.expect("read"),
        Some(bytes[10..20].to_vec())
    );
    assert_eq!(
        store
            .photo_bytes(p.photo_id, 990, 2000)
            .await
            .expect("read"),
        Some(bytes[990..].to_vec())
    );
    let progress = UploadProgress {
        url: Some("/api/v1/uploads/x".into()),
        sent: 500,
        done: false,
    };
    assert!(store
        .set_upload_progress(p.photo_id, &progress)
        .await
        .expect("write"));
    assert_eq!(
        store
            .photo(p.photo_id)
            .await
            .expect("read")
            .map(|r| r.upload),
        Some(progress.clone())
    );
    let gone = PhotoId(uuid::Uuid::from_u128(7));
    assert!(!store
        .set_upload_progress(gone, &progress)
        .await
        .expect("write"));
    assert_eq!(store.photo_bytes(gone, 0, 10).await.expect("read"), None);
}

pub async fn device_auth_round_trips(store: &impl DeviceStore) {
    assert_eq!(
        store.device_auth().await.expect("read"),
        DeviceAuth::default()
    );
    let auth = DeviceAuth {
        credentials: Some(DeviceCredentials {
            device_id: "d".into(),
            token: "t".into(),
        }),
        sign_in_needed: false,
        problem: None,
        enrolment_code: Some("K7QM-X9A2".into()),
        settings: Some(protocol::api::DeviceSettings {
            shared: true,
            lock_after_secs: 45,
        }),
        previous: Some(DeviceCredentials {
            device_id: "d0".into(),
            token: "t0".into(),
        }),
    };
    store.set_device_auth(&auth).await.expect("write");
    assert_eq!(store.device_auth().await.expect("read"), auth);
    assert!(store.device_auth().await.expect("read").is_shared());
}

pub async fn deleting_a_draft_deletes_its_photos<S: DeviceStore>(
    store: &S,
    photos: &impl PhotoFixture<S>,
) {
    let (case, _) = case_with_member(id(7));
    store.save_draft(&case).await.expect("save draft");
    let p = photo(case.id, 1, None, b"bytes");
    photos
        .add_processed_photo(store, &p, b"bytes")
        .await
        .expect("photo");
    store.delete_draft(case.id).await.expect("delete");
    assert_eq!(store.case(case.id).await.expect("read"), None);
    assert!(store
        .photos_of_case(case.id)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(store.photo(p.photo_id).await.expect("read"), None);
}

fn slot_list(as_of: &str, n: u128) -> protocol::appointment::SlotList {
    protocol::appointment::SlotList {
        as_of: as_of.into(),
        window_days: 14,
        slots: vec![protocol::appointment::Slot {
            slot_id: protocol::SlotId(uuid::Uuid::from_u128(n)),
            starts_at: "2026-12-10T09:00:00-07:00".into(),
            minutes: 30,
            place: "Casa del Migrante".into(),
            people_free: 12,
        }],
    }
}

/// The open slots survive a reload, and a newer list replaces the one before.
pub async fn slots_are_kept_and_replaced(store: &impl DeviceStore) {
    assert_eq!(store.slots().await.expect("read"), None);
    let first = slot_list("2026-12-03T10:31:00Z", 1);
    store.set_slots(&first).await.expect("write");
    assert_eq!(store.slots().await.expect("read"), Some(first));
    let mut second = slot_list("2026-12-03T11:00:00Z", 2);
    second.slots.clear();
    store.set_slots(&second).await.expect("replace");
    assert_eq!(store.slots().await.expect("read"), Some(second));
}

fn appointment(n: u128, starts_at: &str) -> protocol::appointment::Appointment {
    protocol::appointment::Appointment {
        slot_id: protocol::SlotId(uuid::Uuid::from_u128(n)),
        starts_at: starts_at.into(),
        minutes: 30,
        place: "Casa del Migrante".into(),
    }
}

/// A status moves a delivered case's appointment and remembers the one before; it never touches
/// a case that is not delivered, nor one delivered under another receipt, and an unchanged
/// status writes nothing.
pub async fn a_status_changes_only_its_delivered_case(store: &impl DeviceStore) {
    use protocol::appointment::CaseStatus;
    let case = CaseRecord::new(id(40), 1.0);
    let first = appointment(1, "2026-12-10T09:00:00-07:00");
    let receipt = protocol::api::CaseReceipt {
        case_id: case.id,
        receipt_code: protocol::ReceiptCode::generate(|| 40),
        received_at: "2026-12-03T10:31:00Z".into(),
        people: 3,
        appointment: Some(first.clone()),
    };
    let mut item = OutboxItem::queued(case.id, case.submission.clone(), 1.0);
    item.state = OutboxState::Delivered;
    item.receipt = Some(receipt.clone());
    store.put_outbox(&item).await.expect("delivered");

    let moved = appointment(2, "2026-12-11T14:00:00-07:00");
    let status = CaseStatus {
        receipt: protocol::api::CaseReceipt {
            appointment: Some(moved.clone()),
            ..receipt.clone()
        },
        review_state: "reviewed".into(),
        appointment_note: Some("Moved: the morning is full".into()),
        appointment_changed_at: Some("2026-12-04T08:00:00Z".into()),
    };
    assert!(store.record_status(&status).await.expect("record"));
    let held = store
        .outbox_item(case.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(held.state, OutboxState::Delivered);
    assert_eq!(
        held.receipt.as_ref().and_then(|r| r.appointment.clone()),
        Some(moved)
    );
    let seen = held.status.clone().expect("status kept");
    assert_eq!(seen.previous_appointment, Some(first), "what moved is kept");
    assert!(seen.changed_by_staff);
    assert_eq!(seen.review_state, "reviewed");
    assert_eq!(
        seen.appointment_note.as_deref(),
        Some("Moved: the morning is full")
    );

    assert!(
        !store.record_status(&status).await.expect("again"),
        "the same status changes nothing"
    );
    assert_eq!(
        store.outbox_item(case.id).await.expect("read").as_ref(),
        Some(&held),
        "and keeps what moved"
    );

    let mut other_code = status.clone();
    other_code.receipt.receipt_code = protocol::ReceiptCode::generate(|| 41);
    other_code.receipt.appointment = None;
    assert!(!store
        .record_status(&other_code)
        .await
        .expect("other receipt"));

    let queued_case = CaseRecord::new(id(41), 1.0);
    let queued = OutboxItem::queued(queued_case.id, queued_case.submission.clone(), 1.0);
    store.put_outbox(&queued).await.expect("queued");
    let mut for_queued = status.clone();
    for_queued.receipt.case_id = queued_case.id;
    assert!(!store.record_status(&for_queued).await.expect("queued"));
    assert_eq!(
        store.outbox_item(queued_case.id).await.expect("read"),
        Some(queued),
        "a status never makes a case delivered"
    );
    let mut unknown = status;
    unknown.receipt.case_id = id(42);
    assert!(!store.record_status(&unknown).await.expect("unknown"));
    assert_eq!(store.outbox_item(id(42)).await.expect("read"), None);
}

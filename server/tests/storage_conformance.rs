//! The storage traits themselves, on the back end the run names: SQLite in a temporary
//! directory, or PostgreSQL when `RESGUARDO_TEST_DATABASE_URL` is set (`make test` runs both).
//! "Two processes" are two storages opened on the same database, each with its own pool, racing
//! from many tasks: what one decides, the other must see.

mod common;

use std::sync::Arc;

use protocol::{CaseId, PhotoId};
use server::storage::appointments::{BookingWindow, NewSlot};
use server::storage::staff::{Role, StaffSession, StaffUser};
use server::storage::{
    now_rfc3339, now_unix, ClaimedPhoto, CreateOutcome, Database, Device, DraftOutcome,
    EnrolmentCode, Location, NewCase, PutOutcome, StoredForm, Upload,
};

/// Two storages (two pools) on one fresh database, and the directory that holds it.
async fn two_processes() -> (Arc<dyn Database>, Arc<dyn Database>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let at = Location {
        data_dir: dir.path().to_owned(),
        database_url: common::test_database_url().await,
        blob_url: None,
    };
    let a = at.open().await.unwrap();
    let b = at.open().await.unwrap();
    (a, b, dir)
}

fn new_case(case_id: CaseId, body: &str) -> NewCase {
    NewCase {
        case_id,
        fingerprint: format!("fp-{body}"),
        body: format!("{{\"answers\":{{\"note\":\"{body}\"}}}}").into_bytes(),
        form_id: "household-intake".into(),
        form_version: 1,
        people: 1,
        device_id: None,
        preferences: Vec::new(),
        booking: None,
        photos: Vec::new(),
    }
}

fn new_upload(case_id: CaseId, length: u64, expires_at: i64) -> Upload {
    Upload {
        photo_id: PhotoId::new_random(),
        case_id,
        length,
        offset: 0,
        sha256: "ab".repeat(32),
        content_type: "image/jpeg".into(),
        metadata: String::new(),
        expires_at,
        completed: false,
        device_id: None,
        sealed: None,
        opened: None,
    }
}

#[tokio::test]
async fn a_case_is_stored_once_however_many_race_from_two_processes() {
    let (a, b, _dir) = two_processes().await;
    let id = CaseId::new_random();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            store.put_case(new_case(id, "same")).await.unwrap()
        }));
    }
    let mut created = Vec::new();
    let mut replayed = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            PutOutcome::Created(r) => created.push(r),
            PutOutcome::Replayed(r) => replayed.push(r),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one insert wins");
    assert!(
        replayed.iter().all(|r| *r == created[0]),
        "every replay gets the first receipt"
    );
    assert_eq!(
        a.put_case(new_case(id, "different")).await.unwrap(),
        PutOutcome::Conflict
    );
    let stored = b.list_cases().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].receipt, created[0]);
    assert_eq!(
        a.case_body(id).await.unwrap().unwrap(),
        new_case(id, "same").body
    );
    assert_eq!(a.case_body(CaseId::new_random()).await.unwrap(), None);
}

#[tokio::test]
async fn photos_are_claimed_with_their_case_or_the_case_is_not_stored() {
    let (a, b, _dir) = two_processes().await;
    let case_id = CaseId::new_random();
    let later = now_unix() + 3600;
    let photo = new_upload(case_id, 10, later);
    let CreateOutcome::Created(created) = a.create_upload(photo.clone()).await.unwrap() else {
        panic!("created");
    };
    assert_eq!(created.offset, 0);
    assert!(matches!(
        b.create_upload(photo.clone()).await.unwrap(),
        CreateOutcome::Existing(_)
    ));
    let mut other = photo.clone();
    other.sha256 = "cd".repeat(32);
    assert_eq!(
        b.create_upload(other).await.unwrap(),
        CreateOutcome::Conflict
    );

    let mut case = new_case(case_id, "with photo");
    case.photos = vec![ClaimedPhoto {
        photo_id: photo.photo_id,
        length: 10,
        sha256: photo.sha256.clone(),
        content_type: "image/jpeg".into(),
    }];
    // Not stored yet: the case is refused and nothing is written.
    assert_eq!(
        a.put_case(case.clone()).await.unwrap(),
        PutOutcome::PhotosMissing(vec![photo.photo_id])
    );
    assert!(b.list_cases().await.unwrap().is_empty());

    b.set_upload_offset(photo.photo_id, 10, later)
        .await
        .unwrap();
    let full = a.full_uploads().await.unwrap();
    assert_eq!(full.len(), 1, "full but not stored: start-up finishes it");
    a.complete_upload(photo.photo_id, later).await.unwrap();
    assert!(b.full_uploads().await.unwrap().is_empty());
    assert_eq!(b.photos().await.unwrap().len(), 1);

    assert!(matches!(
        b.put_case(case).await.unwrap(),
        PutOutcome::Created(_)
    ));
    // Claimed: never expired, never deleted as an orphan, however late.
    let far = later + 10 * 86_400;
    assert!(a.expired_uploads(far).await.unwrap().is_empty());
    assert!(!a
        .delete_upload_if_expired(photo.photo_id, far)
        .await
        .unwrap());
    assert_eq!(b.photos_of_case(case_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn uploads_expire_once_and_count_against_their_device() {
    let (a, b, _dir) = two_processes().await;
    let device = uuid::Uuid::new_v4();
    let now = now_unix();
    let mut stale = new_upload(CaseId::new_random(), 100, now - 10);
    stale.device_id = Some(device);
    let mut moving = new_upload(CaseId::new_random(), 50, now + 3600);
    moving.device_id = Some(device);
    a.create_upload(stale.clone()).await.unwrap();
    b.create_upload(moving.clone()).await.unwrap();
    assert_eq!(a.unfinished_upload_bytes(device).await.unwrap(), 150);
    assert_eq!(
        b.unfinished_upload_bytes(uuid::Uuid::new_v4())
            .await
            .unwrap(),
        0
    );

    assert_eq!(b.expired_uploads(now).await.unwrap(), vec![stale.photo_id]);
    // The moving one moved again: not expired even if it was listed a moment ago.
    assert!(!a
        .delete_upload_if_expired(moving.photo_id, now)
        .await
        .unwrap());
    let (first, second) = tokio::join!(
        a.delete_upload_if_expired(stale.photo_id, now),
        b.delete_upload_if_expired(stale.photo_id, now)
    );
    assert!(
        first.unwrap() ^ second.unwrap(),
        "exactly one process deletes it"
    );
    assert_eq!(a.upload(stale.photo_id).await.unwrap(), None);
    assert_eq!(a.unfinished_upload_bytes(device).await.unwrap(), 50);

    // A finished upload no case names expires too (an orphan).
    b.complete_upload(moving.photo_id, now - 1).await.unwrap();
    assert_eq!(a.expired_uploads(now).await.unwrap(), vec![moving.photo_id]);
    a.delete_upload(moving.photo_id).await.unwrap();
    assert!(b.photos().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_slot_is_never_overbooked_by_two_processes() {
    let (a, b, _dir) = two_processes().await;
    let now = now_unix();
    let slot = a
        .create_slot(NewSlot {
            place: "Albergue".into(),
            starts_at: "2030-01-01T09:00:00-06:00".into(),
            starts_unix: now + 3600,
            minutes: 30,
            capacity: 3,
        })
        .await
        .unwrap();
    let window = BookingWindow {
        now,
        until: now + 86_400,
    };
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut case = new_case(CaseId::new_random(), &format!("household {i}"));
            case.preferences = vec![slot.slot_id];
            case.booking = Some(window);
            store.put_case(case).await.unwrap()
        }));
    }
    let mut booked = 0;
    for t in tasks {
        let PutOutcome::Created(receipt) = t.await.unwrap() else {
            panic!("created")
        };
        booked += usize::from(receipt.appointment.is_some());
    }
    assert_eq!(
        booked, 3,
        "three households, one person each, fill it exactly"
    );
    let stored = b.slot(slot.slot_id).await.unwrap().unwrap();
    assert_eq!(stored.booked, 3);
    assert_eq!(a.bookings(slot.slot_id).await.unwrap().len(), 3);
    assert!(b.open_slots(window).await.unwrap().is_empty(), "full");
}

#[tokio::test]
async fn a_token_is_renewed_once_and_never_after_revocation() {
    let (a, b, _dir) = two_processes().await;
    a.add_enrolment_code(EnrolmentCode {
        code: "K7QMX9A2".into(),
        label: "Shelter A".into(),
        created_at: now_rfc3339(),
        expires_at: None,
        revoked: false,
        uses: 0,
        shared: true,
    })
    .await
    .unwrap();
    let device_id = uuid::Uuid::new_v4();
    b.add_device(Device {
        device_id,
        token_hash: "old".into(),
        created_at: now_rfc3339(),
        expires_at: now_unix() + 60,
        revoked: false,
        enrolment_code: Some("K7QMX9A2".into()),
        shared: true,
    })
    .await
    .unwrap();
    let code = a.enrolment_code("K7QMX9A2").await.unwrap().unwrap();
    assert_eq!((code.uses, code.shared), (1, true));
    assert!(a.expire_device(device_id).await.unwrap());
    let old = b.device_by_token_hash("old").await.unwrap().unwrap();
    assert!(old.expires_at < now_unix() && old.shared);

    let later = now_unix() + 3600;
    let (one, two) = tokio::join!(
        a.renew_device(device_id, "old", "new-a", later),
        b.renew_device(device_id, "old", "new-b", later)
    );
    let won: Vec<Device> = [one.unwrap(), two.unwrap()].into_iter().flatten().collect();
    assert_eq!(won.len(), 1, "one renewal wins");
    assert_eq!(won[0].device_id, device_id);
    assert_eq!(a.device_by_token_hash("old").await.unwrap(), None);

    assert!(b.revoke_device(device_id).await.unwrap());
    assert_eq!(
        a.renew_device(device_id, &won[0].token_hash, "again", later)
            .await
            .unwrap(),
        None
    );
    assert!(!a.revoke_device(uuid::Uuid::new_v4()).await.unwrap());
    assert_eq!(
        b.devices().await.unwrap()[0].status_at(now_unix()),
        "revoked"
    );
    assert!(b.revoke_enrolment_code("K7QMX9A2").await.unwrap());
    assert!(!b.revoke_enrolment_code("NOSUCH00").await.unwrap());
    assert_eq!(
        a.enrolment_codes().await.unwrap()[0].status_at(now_unix()),
        "revoked"
    );
}

#[tokio::test]
async fn a_published_form_never_changes() {
    let (a, b, _dir) = two_processes().await;
    let form = |title: &str| StoredForm {
        form_id: "intake".into(),
        version: 2,
        title: title.into(),
        definition: format!("{{\"title\":\"{title}\"}}").into_bytes(),
        created_at: now_rfc3339(),
        published_at: None,
    };
    assert_eq!(
        a.save_form_draft(form("one")).await.unwrap(),
        DraftOutcome::Created
    );
    assert_eq!(
        b.save_form_draft(form("two")).await.unwrap(),
        DraftOutcome::Replaced
    );
    let (p1, p2) = tokio::join!(a.publish_form("intake", 2), b.publish_form("intake", 2));
    assert!(p1.unwrap() ^ p2.unwrap(), "published once");
    assert_eq!(
        a.save_form_draft(form("three")).await.unwrap(),
        DraftOutcome::Published
    );
    let stored = b.form("intake", 2).await.unwrap().unwrap();
    assert_eq!(stored.title, "two");
    assert!(stored.published_at.is_some());
    assert_eq!(a.forms().await.unwrap().len(), 1);
    assert_eq!(a.form("intake", 3).await.unwrap(), None);
}

#[tokio::test]
async fn failed_logins_from_two_processes_all_count_and_sessions_are_shared() {
    let (a, b, _dir) = two_processes().await;
    a.add_staff_user(StaffUser {
        username: "rita".into(),
        password_hash: "$argon2id$not-checked-here".into(),
        role: Role::Reviewer,
        failed_logins: 0,
        locked_until: None,
    })
    .await
    .unwrap();
    let now = now_unix();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            store.login_failed("rita", 5, now, now + 900).await.unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let user = b.staff_user("rita").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 8, "no failure lost to a race");
    assert_eq!(user.locked_until, Some(now + 900));
    a.login_succeeded("rita").await.unwrap();
    assert_eq!(
        b.staff_user("rita").await.unwrap().unwrap().failed_logins,
        0
    );

    let session = StaffSession {
        username: "rita".into(),
        role: Role::Reviewer,
        csrf_token: "csrf".into(),
        expires_at: now + 3600,
    };
    a.add_session("hash", session.clone()).await.unwrap();
    assert_eq!(b.session("hash").await.unwrap(), Some(session));
    b.delete_session("hash").await.unwrap();
    assert_eq!(a.session("hash").await.unwrap(), None);
}

#[tokio::test]
async fn one_writer_per_upload_across_processes_until_its_lease_runs_out() {
    let (a, b, _dir) = two_processes().await;
    let photo = PhotoId::new_random();
    let now = now_unix();
    let (one, two) = tokio::join!(
        a.lease_upload(photo, "process a", "a1", now, now + 30),
        b.lease_upload(photo, "process b", "b1", now, now + 30)
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert!(one ^ two, "one process gets the lease");
    let (holder, other) = if one { (&a, &b) } else { (&b, &a) };
    let (process, token, other_process) = if one {
        ("process a", "a1", "process b")
    } else {
        ("process b", "b1", "process a")
    };
    assert!(holder
        .renew_upload_lease(photo, token, now + 40)
        .await
        .unwrap());
    // The other process is refused while it runs, and cannot renew or release what it lacks.
    assert!(!other
        .lease_upload(photo, other_process, "o1", now + 35, now + 65)
        .await
        .unwrap());
    assert!(!other
        .renew_upload_lease(photo, "o1", now + 65)
        .await
        .unwrap());
    other.release_upload(photo, "o1").await.unwrap();
    assert!(!other
        .lease_upload(photo, other_process, "o2", now + 1, now + 31)
        .await
        .unwrap());
    // The same process may hand it to its next request (it keeps its own apart in memory);
    // the earlier request's late release then gives back nothing.
    assert!(holder
        .lease_upload(photo, process, "next", now + 2, now + 32)
        .await
        .unwrap());
    holder.release_upload(photo, token).await.unwrap();
    assert!(!holder
        .renew_upload_lease(photo, token, now + 40)
        .await
        .unwrap());
    assert!(holder
        .renew_upload_lease(photo, "next", now + 40)
        .await
        .unwrap());
    // Given back: free at once for the other.
    holder.release_upload(photo, "next").await.unwrap();
    assert!(other
        .lease_upload(photo, other_process, "o3", now + 3, now + 33)
        .await
        .unwrap());
    // A process that died: its lease runs out, and then the other takes it.
    assert!(!holder
        .lease_upload(photo, process, "late", now + 33, now + 63)
        .await
        .unwrap());
    assert!(holder
        .lease_upload(photo, process, "late", now + 34, now + 64)
        .await
        .unwrap());
}

#[tokio::test]
async fn a_rate_limit_is_shared_by_two_processes() {
    let (a, b, _dir) = two_processes().await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            store
                .count_rate_event("registrations", "1.2.3.4", 60_000, 5)
                .await
                .unwrap()
        }));
    }
    let mut counted = 0;
    for t in tasks {
        counted += usize::from(t.await.unwrap());
    }
    assert_eq!(counted, 5, "never more than the room, however many race");
    assert_eq!(
        a.rate_events("registrations", "1.2.3.4", 60_000)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        b.rate_events("logins_by_ip", "1.2.3.4", 60_000)
            .await
            .unwrap(),
        0
    );
    assert!(b
        .count_rate_event("registrations", "1.2.3.4", 120_000, 5)
        .await
        .unwrap());
    a.forget_rate_windows(120_000).await.unwrap();
    assert_eq!(
        b.rate_events("registrations", "1.2.3.4", 60_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        b.rate_events("registrations", "1.2.3.4", 120_000)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn processes_starting_together_share_one_set_of_keys_and_see_a_rotation() {
    use server::keys::Keyring;
    let (a, b, dir) = two_processes().await;
    let (a, b): (
        Arc<dyn server::storage::Storage>,
        Arc<dyn server::storage::Storage>,
    ) = (a, b);
    let (ring_a, ring_b) = tokio::join!(
        Keyring::open_or_create_in(a.clone(), dir.path()),
        Keyring::open_or_create_in(b.clone(), dir.path())
    );
    let (ring_a, ring_b) = (ring_a.unwrap(), ring_b.unwrap());
    let (current, keys) = ring_a.public_keys();
    assert_eq!(ring_b.public_keys().0, current, "one key, whoever wrote it");
    assert_eq!(keys.len(), 1);
    assert!(
        !dir.path().join("org-keys.json").exists(),
        "no file of its own"
    );

    // A sealed case for the current key opens in the other process.
    let case: CaseId = CaseId::new_random();
    let sealed = protocol::sealed::seal(&keys[0], case, b"a household", [7; 32]).unwrap();
    assert_eq!(ring_b.open(case, &sealed).unwrap().unwrap(), b"a household");

    // Two rotations at once: both land, neither loses the other.
    let (r1, r2) = tokio::join!(
        Keyring::rotate_in(a.clone(), dir.path()),
        Keyring::rotate_in(b.clone(), dir.path())
    );
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    // A device that fetched the newest key from one process is understood by the other at once.
    ring_a.learn(&r1).await;
    ring_a.learn(&r2).await;
    let listed: Vec<String> = ring_a.list().into_iter().map(|k| k.key_id).collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.contains(&r1) && listed.contains(&r2) && listed.contains(&current));
    ring_b.refresh_from_database().await;
    assert_eq!(ring_b.public_keys().0, ring_a.public_keys().0);
    assert_eq!(
        ring_b.open(case, &sealed).unwrap().unwrap(),
        b"a household",
        "old keys kept"
    );
}

//! `server migrate` on a populated embedded installation: everything arrives in PostgreSQL (and
//! the photos in S3 when the run has a bucket), verified, and a second run changes nothing.
//! Needs `RESGUARDO_TEST_DATABASE_URL` (the PostgreSQL pass of `make test`); without it the test
//! says so and does nothing.

mod common;

use axum::http::StatusCode;
use common::tus::{upload_whole, Photo};
use common::{app_with, household};
use serde_json::json;
use server::storage::appointments::NewSlot;
use server::storage::staff::Role;
use server::storage::{now_unix, Location};

#[tokio::test]
async fn an_embedded_installation_moves_over_whole_and_a_second_run_changes_nothing() {
    let Some(to) = common::test_database_url().await else {
        eprintln!("skipped: RESGUARDO_TEST_DATABASE_URL names no PostgreSQL to migrate to");
        return;
    };
    let blob_to = common::test_blob_url();
    // The embedded installation, filled through the API: SQLite and files.
    let app = app_with(|c| {
        c.database_url = None;
        c.blob_url = None;
    })
    .await;
    app.storage
        .create_slot(NewSlot {
            place: "Albergue".into(),
            starts_at: "2030-01-01T09:00:00-06:00".into(),
            starts_unix: now_unix() + 3600,
            minutes: 30,
            capacity: 10,
        })
        .await
        .unwrap();
    let mut receipts = Vec::new();
    for i in 0..3 {
        let mut photo = Photo::new(20_000 + i * 1_000);
        let case_id = common::new_id();
        photo.case_id = case_id.clone();
        upload_whole(&app, &photo, 7_000).await;
        let mut case = household();
        case["photos"] = json!([{"photo_id": photo.id, "kind": "id_document", "size": photo.bytes.len(),
            "sha256": photo.sha256(), "content_type": "image/jpeg"}]);
        let answer = app.put_case(&case_id, &case).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
        receipts.push(answer.json);
    }
    assert!(
        receipts.iter().all(|r| r["appointment"].is_object()),
        "booked"
    );
    server::http::staff::auth::create_user(
        &*app.storage,
        "rita",
        "a long password 123",
        Role::Admin,
    )
    .await
    .unwrap();
    let before = dump(&Location::data_dir(app.dir.path())).await;

    let from = format!("sqlite://{}", app.dir.path().display());
    let first = server::migrate::run(&from, &to, blob_to.as_deref())
        .await
        .unwrap();
    for t in &first.tables {
        assert_eq!(t.source, t.target, "{}: every row", t.table);
        assert_eq!(
            t.copied as i64, t.source,
            "{}: copied on the first run",
            t.table
        );
    }
    assert_eq!((first.photos, first.photos_verified), (3, 3));
    assert_eq!(first.photos_copied, if blob_to.is_some() { 3 } else { 0 });
    let file_keys = server::keys::Keyring::open_or_create(app.dir.path()).unwrap();
    assert_eq!(
        first.keys,
        file_keys
            .list()
            .into_iter()
            .map(|k| k.key_id)
            .collect::<Vec<_>>(),
        "the installation's sealing keys are in the database"
    );

    // The migrated installation answers as the old one did.
    let migrated = Location {
        data_dir: app.dir.path().to_owned(),
        database_url: Some(to.clone()),
        blob_url: blob_to.clone(),
    };
    assert_eq!(
        dump(&migrated).await,
        before,
        "dump-cases the same, receipts and appointments included"
    );
    let mut report = Vec::new();
    server::verify_photos(&migrated, &mut report).await.unwrap();
    let db = migrated.open().await.unwrap();
    assert_eq!(
        db.staff_user("rita").await.unwrap().unwrap().role,
        Role::Admin
    );
    assert_eq!(
        db.devices().await.unwrap().len(),
        app.storage.devices().await.unwrap().len()
    );

    // Again: nothing copied twice, and the same in the end.
    let second = server::migrate::run(&from, &to, blob_to.as_deref())
        .await
        .unwrap();
    assert!(second
        .tables
        .iter()
        .all(|t| t.copied == 0 && t.source == t.target));
    assert_eq!((second.photos_copied, second.photos_verified), (0, 3));
    assert_eq!(dump(&migrated).await, before);

    // New rows in PostgreSQL do not collide with the copied ones' order.
    let case_id = common::new_id();
    let put = db
        .put_case(server::storage::NewCase {
            case_id: case_id.parse().unwrap(),
            fingerprint: "after".into(),
            body: br#"{"answers":{}}"#.to_vec(),
            form_id: "household-intake".into(),
            form_version: 1,
            people: 1,
            device_id: None,
            preferences: Vec::new(),
            booking: None,
            photos: Vec::new(),
        })
        .await
        .unwrap();
    assert!(matches!(put, server::storage::PutOutcome::Created(_)));
    let listed = db.list_cases().await.unwrap();
    assert_eq!(
        listed.last().unwrap().receipt.case_id.to_string(),
        case_id,
        "the newest last"
    );
}

async fn dump(at: &Location) -> serde_json::Value {
    let mut out = Vec::new();
    server::dump_cases(at, &mut out).await.unwrap();
    serde_json::from_slice(&out).unwrap()
}

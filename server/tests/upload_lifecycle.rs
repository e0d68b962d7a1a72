//! An upload's life after its bytes: finishing it is idempotent and happens whenever every byte
//! is there (so no upload stays full but unstored), writers never interleave, clean-up never
//! removes what is moving or what a case names, and one device cannot hoard the disk.

mod common;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::tus::*;
use common::{app, app_with, household, new_id, TestApp};
use serde_json::json;
use server::storage::blobs::BlobStore;

/// A case that names `photos` (all the applicant's), under their case ID.
fn case_naming(photos: &[&Photo]) -> serde_json::Value {
    let mut case = household();
    case["photos"] = json!(photos
        .iter()
        .map(|p| json!({"photo_id": p.id, "kind": "id_document", "size": p.bytes.len(), "sha256": p.sha256(), "content_type": "image/jpeg"}))
        .collect::<Vec<_>>());
    case
}

fn photo_of_case(len: usize, case_id: &str) -> Photo {
    let mut photo = Photo::new(len);
    photo.case_id = case_id.to_owned();
    photo
}

/// Sends every chunk but the last; the last chunk's move into place fails.
async fn full_but_unstored(app: &TestApp, photo: &Photo) {
    assert_eq!(create(app, photo).await.status, StatusCode::CREATED);
    let half = photo.bytes.len() / 2;
    assert_eq!(
        patch(app, photo, 0, &photo.bytes[..half]).await.status,
        StatusCode::NO_CONTENT
    );
    app.blobs.fail_promotes(1);
    let last = patch(app, photo, half, &photo.bytes[half..]).await;
    assert!(
        last.status.is_server_error(),
        "the failed move is an error: {}",
        last.status
    );
    let row = app.storage_upload(photo).await;
    assert_eq!(
        (row.0, row.1),
        (photo.bytes.len() as i64, false),
        "full, not stored"
    );
}

impl TestApp {
    /// (offset, stored) as the database has it.
    async fn storage_upload(&self, photo: &Photo) -> (i64, bool) {
        let upload = self
            .storage
            .upload(photo.id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        (upload.offset as i64, upload.completed)
    }
}

#[tokio::test]
async fn head_finishes_a_full_upload_before_reporting_it() {
    let app = app().await;
    let case_id = new_id();
    let photo = photo_of_case(30_000, &case_id);
    full_but_unstored(&app, &photo).await;
    let answer = head(&app, &photo).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(offset(&answer), photo.bytes.len() as u64);
    assert_eq!(
        stored_photo_bytes(&app, &photo).await.as_deref(),
        Some(&photo.bytes[..])
    );
    let put = app.put_case(&case_id, &case_naming(&[&photo])).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
}

#[tokio::test]
async fn a_repeated_creation_finishes_a_full_upload() {
    let app = app().await;
    let case_id = new_id();
    let photo = photo_of_case(30_000, &case_id);
    full_but_unstored(&app, &photo).await;
    let again = create(&app, &photo).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(offset(&again), photo.bytes.len() as u64);
    assert!(app.storage_upload(&photo).await.1);
    assert_eq!(
        app.put_case(&case_id, &case_naming(&[&photo])).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn start_up_finishes_uploads_left_full() {
    let mut app = app().await;
    let case_id = new_id();
    let photo = photo_of_case(30_000, &case_id);
    full_but_unstored(&app, &photo).await;
    app.restart().await;
    assert!(
        app.storage_upload(&photo).await.1,
        "stored before anyone asked"
    );
    assert_eq!(
        stored_photo_bytes(&app, &photo).await.as_deref(),
        Some(&photo.bytes[..])
    );
}

#[tokio::test]
async fn a_full_upload_whose_bytes_are_wrong_starts_over_instead_of_being_reported_done() {
    let app = app().await;
    let photo = Photo::new(20_000);
    full_but_unstored(&app, &photo).await;
    // The staged bytes rot (or a buggy writer spoiled them) before they were checked.
    let mut part = app
        .blobs
        .open_part(photo.id.parse().unwrap(), 0)
        .await
        .unwrap();
    part.write(&vec![0u8; photo.bytes.len()]).await.unwrap();
    part.commit().await.unwrap();
    let answer = head(&app, &photo).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(offset(&answer), 0, "never reported complete");
    assert_eq!(app.storage_upload(&photo).await, (0, false));
    upload_whole_from(&app, &photo, 0, 7_000).await;
    assert_eq!(
        stored_photo_bytes(&app, &photo).await.as_deref(),
        Some(&photo.bytes[..])
    );
}

async fn upload_whole_from(app: &TestApp, photo: &Photo, from: usize, chunk: usize) {
    let mut at = from;
    while at < photo.bytes.len() {
        let end = (at + chunk).min(photo.bytes.len());
        let answer = patch(app, photo, at, &photo.bytes[at..end]).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json);
        at = end;
    }
}

/// A PATCH whose body arrives from `rx`, sent as its own task.
fn slow_patch(
    app: &TestApp,
    photo: &Photo,
    offset: usize,
    len: usize,
) -> (
    tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    tokio::task::JoinHandle<StatusCode>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let request = patch_request(photo, offset, &photo.bytes[offset..offset + len])
        .header("authorization", format!("Bearer {}", app.token))
        .body(Body::from_stream(tokio_stream_from(rx)))
        .unwrap();
    let router = app.router.clone();
    let task = tokio::spawn(async move {
        tower::ServiceExt::oneshot(router, request)
            .await
            .unwrap()
            .status()
    });
    (tx, task)
}

#[tokio::test]
async fn a_client_that_hangs_up_right_after_the_last_byte_still_gets_its_photo_stored() {
    let app = app().await;
    let case_id = new_id();
    let photo = photo_of_case(400_000, &case_id);
    assert_eq!(create(&app, &photo).await.status, StatusCode::CREATED);
    let (tx, task) = slow_patch(&app, &photo, 0, photo.bytes.len());
    for piece in photo.bytes.chunks(100_000) {
        tx.send(Ok(Bytes::copy_from_slice(piece))).await.unwrap();
    }
    drop(tx);
    // The connection closes the moment the last byte is in: the handler is cancelled.
    let part = app
        .dir
        .path()
        .join("uploads")
        .join(format!("{}.part", photo.id));
    for _ in 0..500 {
        if std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == photo.bytes.len() as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    task.abort();
    let _ = task.await;
    app.state.settled().await;
    assert!(
        app.storage_upload(&photo).await.1,
        "stored although nobody waited"
    );
    assert_eq!(
        app.put_case(&case_id, &case_naming(&[&photo])).await.status,
        StatusCode::CREATED
    );
}

// Several threads, so requests really run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_to_one_upload_never_interleave_bytes() {
    let app = app().await;
    let photo = Photo::new(60_000);
    assert_eq!(create(&app, &photo).await.status, StatusCode::CREATED);
    // Eight clients race from the offset each last heard, some creating with upload, through two
    // processes; any interleaving would spoil the whole-file hash (460) or the stored bytes.
    // Half the writers reach a second process on the same database and photo store, as behind
    // a load balancer: exclusion must hold across processes, not only inside one.
    let second = app.second_process().await;
    let mut tasks = Vec::new();
    for writer in 0..8usize {
        let router = if writer % 2 == 0 {
            app.router.clone()
        } else {
            second.clone()
        };
        let token = app.token.clone();
        let (id, bytes, metadata) = (photo.id.clone(), photo.bytes.clone(), photo.metadata());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for round in 0..40usize {
                let head = Request::head(format!("/api/v1/uploads/{id}"))
                    .header("tus-resumable", "1.0.0")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let answer = tower::ServiceExt::oneshot(router.clone(), head)
                    .await
                    .unwrap();
                let Some(at) = answer.headers().get("upload-offset") else {
                    continue;
                };
                let at: usize = at.to_str().unwrap().parse().unwrap();
                if at == bytes.len() {
                    break;
                }
                let end = (at + 1_000 + (writer * 1_237 + round * 613) % 9_000).min(bytes.len());
                let request = if at == 0 && writer % 2 == 0 {
                    Request::post("/api/v1/uploads/")
                        .header("upload-length", bytes.len().to_string())
                        .header("upload-metadata", metadata.as_str())
                } else {
                    Request::patch(format!("/api/v1/uploads/{id}"))
                        .header("upload-offset", at.to_string())
                }
                .header("tus-resumable", "1.0.0")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/offset+octet-stream")
                .body(Body::from(bytes[at..end].to_vec()))
                .unwrap();
                let status = tower::ServiceExt::oneshot(router.clone(), request)
                    .await
                    .unwrap()
                    .status();
                statuses.push(status.as_u16());
                tokio::task::yield_now().await;
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert!(
        !all.contains(&460),
        "no interleaved bytes spoiled the hash: {all:?}"
    );
    assert!(all.iter().all(|s| *s < 500), "no server errors: {all:?}");
    // On a slower store the racers may run out of rounds first: one writer finishes from
    // wherever they left it, and what is stored is still exactly the photo.
    let at = offset(&head(&app, &photo).await) as usize;
    if at < photo.bytes.len() {
        upload_whole_from(&app, &photo, at, 7_000).await;
    }
    assert!(
        stored_photo_bytes(&app, &photo).await.as_deref() == Some(&photo.bytes[..]),
        "the stored photo is exactly the bytes sent"
    );
}

#[tokio::test]
async fn clean_up_leaves_alone_an_upload_that_is_moving() {
    let app = app_with(|c| c.upload_expiry_secs = 1).await;
    let photo = Photo::new(20_000);
    assert_eq!(create(&app, &photo).await.status, StatusCode::CREATED);
    let (tx, task) = slow_patch(&app, &photo, 0, 10_000);
    tx.send(Ok(Bytes::copy_from_slice(&photo.bytes[..5_000])))
        .await
        .unwrap();
    let part = app
        .dir
        .path()
        .join("uploads")
        .join(format!("{}.part", photo.id));
    for _ in 0..500 {
        if std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) >= 5_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(
        server::http::uploads::remove_expired(&app.state)
            .await
            .unwrap(),
        0
    );
    tx.send(Ok(Bytes::copy_from_slice(&photo.bytes[5_000..10_000])))
        .await
        .unwrap();
    drop(tx);
    assert_eq!(task.await.unwrap(), StatusCode::NO_CONTENT);
    let answer = head(&app, &photo).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "what was answered 204 is there"
    );
    assert_eq!(offset(&answer), 10_000);
}

#[tokio::test]
async fn expiry_counts_from_the_last_activity() {
    let app = app_with(|c| c.upload_expiry_secs = 2).await;
    let photo = Photo::new(20_000);
    assert_eq!(create(&app, &photo).await.status, StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert_eq!(
        patch(&app, &photo, 0, &photo.bytes[..5_000]).await.status,
        StatusCode::NO_CONTENT
    );
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    // 3.1 s after creation, 1.8 s after it last moved.
    assert_eq!(
        server::http::uploads::remove_expired(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(head(&app, &photo).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert_eq!(
        server::http::uploads::remove_expired(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(head(&app, &photo).await.status, StatusCode::NOT_FOUND);
    assert!(!app
        .dir
        .path()
        .join("uploads")
        .join(format!("{}.part", photo.id))
        .exists());
}

#[tokio::test]
async fn finished_uploads_no_case_names_are_removed_after_the_expiry_and_named_ones_stay() {
    let app = app_with(|c| c.upload_expiry_secs = 1).await;
    let case_id = new_id();
    let named = photo_of_case(3_000, &case_id);
    let orphan = Photo::new(3_000);
    let unfinished = Photo::new(5_000);
    upload_whole(&app, &named, 1_000).await;
    upload_whole(&app, &orphan, 1_000).await;
    assert_eq!(create(&app, &unfinished).await.status, StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    // The case arrives after the expiry but before the clean-up: it claims its photo in time.
    assert_eq!(
        app.put_case(&case_id, &case_naming(&[&named])).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        server::http::uploads::remove_expired(&app.state)
            .await
            .unwrap(),
        2
    );
    assert!(stored_photo_bytes(&app, &named).await.is_some());
    assert!(stored_photo_bytes(&app, &orphan).await.is_none());
    assert_eq!(head(&app, &orphan).await.status, StatusCode::NOT_FOUND);
    // The orphan's device may upload it again under the same ID.
    upload_whole(&app, &orphan, 1_000).await;
}

#[tokio::test]
async fn a_case_whose_photo_was_cleaned_up_is_told_which_one_and_can_send_it_again() {
    let app = app_with(|c| c.upload_expiry_secs = 1).await;
    let case_id = new_id();
    let photo = photo_of_case(3_000, &case_id);
    upload_whole(&app, &photo, 1_000).await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(
        server::http::uploads::remove_expired(&app.state)
            .await
            .unwrap(),
        1
    );
    let put = app.put_case(&case_id, &case_naming(&[&photo])).await;
    assert_eq!(put.json["error"]["code"], "photos_missing");
    assert_eq!(put.json["error"]["missing_photos"], json!([photo.id]));
    assert_eq!(
        head(&app, &photo).await.status,
        StatusCode::NOT_FOUND,
        "so the client creates it again"
    );
    upload_whole(&app, &photo, 1_000).await;
    assert_eq!(
        app.put_case(&case_id, &case_naming(&[&photo])).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn one_device_may_keep_only_so_many_unfinished_bytes() {
    let app = app_with(|c| c.device_unfinished_upload_bytes = 10_000).await;
    let first = Photo::new(6_000);
    let second = Photo::new(6_000);
    assert_eq!(create(&app, &first).await.status, StatusCode::CREATED);
    let refused = create(&app, &second).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json["error"]["code"], "upload_quota_exceeded");
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(
        create(&app, &first).await.status,
        StatusCode::CREATED,
        "repeating a creation adds nothing"
    );
    // Another device has its own allowance.
    let other = app.register(json!({})).await.json["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = app
        .send(
            create_request(&second, &second.metadata(), second.bytes.len())
                .header("authorization", format!("Bearer {other}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    // Finishing the first frees the room.
    let mut mine = Photo::new(6_000);
    mine.case_id = first.case_id.clone();
    upload_whole_from(&app, &first, 0, 3_000).await;
    assert_eq!(create(&app, &mine).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_full_disk_is_507_with_retry_after_and_keeps_nothing_half_written() {
    let app = app().await;
    let photo = Photo::new(10_000);
    assert_eq!(create(&app, &photo).await.status, StatusCode::CREATED);
    assert_eq!(
        patch(&app, &photo, 0, &photo.bytes[..4_000]).await.status,
        StatusCode::NO_CONTENT
    );
    app.blobs.set_disk_full(true);
    let full = patch(&app, &photo, 4_000, &photo.bytes[4_000..]).await;
    assert_eq!(full.status, StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(full.json["error"]["code"], "insufficient_storage");
    assert!(full.headers.contains_key("retry-after"));
    app.blobs.set_disk_full(false);
    assert_eq!(offset(&head(&app, &photo).await), 4_000);
    upload_whole_from(&app, &photo, 4_000, 3_000).await;
    assert_eq!(
        stored_photo_bytes(&app, &photo).await.as_deref(),
        Some(&photo.bytes[..])
    );
}

//! tus 1.0.0 at `/api/v1/uploads/`: every protocol rule, and cases that name photos.

mod common;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use base64::Engine;
use common::tus::*;
use common::{app, app_with, household, new_id};
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn options_advertises_the_protocol() {
    let app = app().await;
    let answer = app
        .send(
            Request::options("/api/v1/uploads/")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.headers["tus-resumable"], "1.0.0");
    assert_eq!(answer.headers["tus-version"], "1.0.0");
    assert_eq!(
        answer.headers["tus-extension"],
        "creation,creation-with-upload,checksum,expiration,termination"
    );
    assert_eq!(answer.headers["tus-checksum-algorithm"], "sha1,sha256");
    assert_eq!(
        answer.headers["tus-max-size"],
        (128 * 1024 * 1024).to_string()
    );
}

#[tokio::test]
async fn a_photo_uploaded_in_chunks_is_stored_after_its_hash_is_checked() {
    let app = app().await;
    let photo = Photo::new(300_000);
    let created = create(&app, &photo).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.headers["location"], photo.url());
    assert_eq!(created.headers["tus-resumable"], "1.0.0");
    assert!(created.headers.contains_key("upload-expires"));

    let first = patch(&app, &photo, 0, &photo.bytes[..100_000]).await;
    assert_eq!(
        (first.status, offset(&first)),
        (StatusCode::NO_CONTENT, 100_000)
    );
    let probe = head(&app, &photo).await;
    assert_eq!((probe.status, offset(&probe)), (StatusCode::OK, 100_000));
    assert_eq!(probe.headers["upload-length"], "300000");
    assert_eq!(probe.headers["cache-control"], "no-store");
    assert_eq!(probe.headers["upload-metadata"], photo.metadata().as_str());
    assert_eq!(
        stored_photo_bytes(&app, &photo).await,
        None,
        "nothing half-written is in place"
    );

    let last = patch(&app, &photo, 100_000, &photo.bytes[100_000..]).await;
    assert_eq!(
        (last.status, offset(&last)),
        (StatusCode::NO_CONTENT, 300_000)
    );
    assert_eq!(stored_photo_bytes(&app, &photo).await.unwrap(), photo.bytes);
    let done = head(&app, &photo).await;
    assert_eq!(offset(&done), 300_000);
    assert!(
        !done.headers.contains_key("upload-expires"),
        "a stored photo does not expire"
    );
}

#[tokio::test]
async fn creation_with_upload_takes_the_first_bytes_in_the_post() {
    let app = app().await;
    let photo = Photo::new(50_000);
    let answer = app
        .send(
            create_request(&photo, &photo.metadata(), photo.bytes.len())
                .header("content-type", "application/offset+octet-stream")
                .body(Body::from(photo.bytes[..20_000].to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (answer.status, offset(&answer)),
        (StatusCode::CREATED, 20_000)
    );
    assert_eq!(
        patch(&app, &photo, 20_000, &photo.bytes[20_000..])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored_photo_bytes(&app, &photo).await.unwrap(), photo.bytes);
}

#[tokio::test]
async fn creating_a_known_photo_again_returns_the_same_upload() {
    let app = app().await;
    let photo = Photo::new(10_000);
    create(&app, &photo).await;
    patch(&app, &photo, 0, &photo.bytes[..4_000]).await;
    let again = create(&app, &photo).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers["location"], photo.url());
    assert_eq!(
        offset(&again),
        4_000,
        "the lost 201 does not restart the upload"
    );

    let different = app
        .send(
            create_request(
                &photo,
                &photo.metadata_with(&"0".repeat(64), "image/jpeg"),
                10_000,
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(different.status, StatusCode::CONFLICT);
    assert_eq!(different.json["error"]["code"], "upload_conflict");
    assert_eq!(offset(&head(&app, &photo).await), 4_000);
}

#[tokio::test]
async fn a_wrong_offset_is_409_and_changes_nothing() {
    let app = app().await;
    let photo = Photo::new(10_000);
    create(&app, &photo).await;
    patch(&app, &photo, 0, &photo.bytes[..1_000]).await;
    for wrong in [0, 500, 2_000] {
        let answer = patch(&app, &photo, wrong, &photo.bytes[wrong..wrong + 100]).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "offset {wrong}");
        assert_eq!(answer.json["error"]["code"], "upload_conflict");
    }
    assert_eq!(offset(&head(&app, &photo).await), 1_000);
}

#[tokio::test]
async fn protocol_violations_get_their_status() {
    let app = app_with(|c| c.max_upload_bytes = 1_000_000).await;
    let photo = Photo::new(10_000);

    let no_version = app
        .send(
            Request::post("/api/v1/uploads/")
                .header("upload-length", "10")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(no_version.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(no_version.headers["tus-version"], "1.0.0");
    assert_eq!(no_version.json["error"]["code"], "unsupported_tus_version");

    let too_big = app
        .send(
            create_request(&photo, &photo.metadata(), 1_000_001)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);

    let not_an_image = app
        .send(
            create_request(
                &photo,
                &photo.metadata_with(&photo.sha256(), "application/pdf"),
                10_000,
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(not_an_image.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let no_metadata = app
        .send(
            create_request(&photo, "", 10_000)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (
            no_metadata.status,
            no_metadata.json["error"]["code"].as_str()
        ),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );

    create(&app, &photo).await;
    let wrong_type = app
        .send(
            Request::patch(photo.url())
                .header("tus-resumable", "1.0.0")
                .header("upload-offset", "0")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let overflow = patch(&app, &photo, 0, &vec![1u8; 10_001]).await;
    assert_eq!(overflow.status, StatusCode::PAYLOAD_TOO_LARGE);

    let unknown = app
        .send(
            Request::head(format!("/api/v1/uploads/{}", new_id()))
                .header("tus-resumable", "1.0.0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let traversal = app
        .send(
            Request::head("/api/v1/uploads/..%2F..%2Fetc%2Fpasswd")
                .header("tus-resumable", "1.0.0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(traversal.status, StatusCode::NOT_FOUND);
    assert_eq!(
        offset(&head(&app, &photo).await),
        0,
        "nothing was written by the refused requests"
    );
}

#[tokio::test]
async fn chunk_checksums_sha1_and_sha256_and_a_mismatch_is_460_and_discarded() {
    let app = app().await;
    let photo = Photo::new(3_000);
    create(&app, &photo).await;
    let sha1 = |b: &[u8]| format!("sha1 {}", B64.encode(sha1::Sha1::digest(b)));
    let sha256 = |b: &[u8]| format!("sha256 {}", B64.encode(Sha256::digest(b)));

    let good = app
        .send(
            patch_request(&photo, 0, &photo.bytes[..1_000])
                .header("upload-checksum", sha1(&photo.bytes[..1_000]))
                .body(Body::from(photo.bytes[..1_000].to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(good.status, StatusCode::NO_CONTENT);

    let bad = app
        .send(
            patch_request(&photo, 1_000, &photo.bytes[1_000..2_000])
                .header("upload-checksum", sha256(b"something else"))
                .body(Body::from(photo.bytes[1_000..2_000].to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 460);
    assert_eq!(bad.json["error"]["code"], "checksum_mismatch");
    assert_eq!(
        offset(&head(&app, &photo).await),
        1_000,
        "the bad chunk was discarded"
    );

    let unsupported = app
        .send(
            patch_request(&photo, 1_000, &photo.bytes[1_000..2_000])
                .header("upload-checksum", "md5 AAAA")
                .body(Body::from(photo.bytes[1_000..2_000].to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (
            unsupported.status,
            unsupported.json["error"]["code"].as_str()
        ),
        (StatusCode::BAD_REQUEST, Some("unsupported_checksum"))
    );

    let rest = &photo.bytes[1_000..];
    let fine = app
        .send(
            patch_request(&photo, 1_000, rest)
                .header("upload-checksum", sha256(rest))
                .body(Body::from(rest.to_vec()))
                .unwrap(),
        )
        .await;
    assert_eq!(fine.status, StatusCode::NO_CONTENT);
    assert_eq!(stored_photo_bytes(&app, &photo).await.unwrap(), photo.bytes);
}

#[tokio::test]
async fn a_whole_file_that_does_not_match_its_sha256_is_not_stored() {
    let app = app().await;
    let photo = Photo::new(2_000);
    let lie = app
        .send(
            create_request(
                &photo,
                &photo.metadata_with(&"ab".repeat(32), "image/jpeg"),
                2_000,
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(lie.status, StatusCode::CREATED);
    let answer = patch(&app, &photo, 0, &photo.bytes).await;
    assert_eq!(answer.status.as_u16(), 460);
    assert_eq!(
        offset(&head(&app, &photo).await),
        0,
        "the upload starts over"
    );
    assert_eq!(stored_photo_bytes(&app, &photo).await, None);
    assert!(server::storage::Storage::photos(&*app.storage)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn termination_deletes_an_unfinished_upload_but_not_a_stored_photo() {
    let app = app().await;
    let photo = Photo::new(5_000);
    create(&app, &photo).await;
    patch(&app, &photo, 0, &photo.bytes[..1_000]).await;
    let delete = |p: &Photo| {
        Request::delete(p.url())
            .header("tus-resumable", "1.0.0")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        app.send(delete(&photo)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(head(&app, &photo).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(delete(&photo)).await.status, StatusCode::NOT_FOUND);

    let stored = Photo::new(1_000);
    upload_whole(&app, &stored, 1_000).await;
    assert_eq!(app.send(delete(&stored)).await.status, StatusCode::CONFLICT);
    assert!(stored_photo_bytes(&app, &stored).await.is_some());
}

#[tokio::test]
async fn concurrent_patches_to_one_upload_one_wins_the_other_is_409() {
    let app = app().await;
    let photo = Photo::new(20_000);
    create(&app, &photo).await;
    // The first PATCH streams slowly and holds the upload while the second arrives.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let slow_body = Body::from_stream(tokio_stream_from(rx));
    let first = {
        let router = app.router.clone();
        let request = patch_request(&photo, 0, &photo.bytes[..10_000])
            .header("authorization", format!("Bearer {}", app.token))
            .body(slow_body)
            .unwrap();
        tokio::spawn(async move {
            tower::ServiceExt::oneshot(router, request)
                .await
                .unwrap()
                .status()
        })
    };
    tx.send(Ok(Bytes::copy_from_slice(&photo.bytes[..5_000])))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let second = patch(&app, &photo, 0, &photo.bytes[..10_000]).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.json["error"]["code"], "upload_locked");
    tx.send(Ok(Bytes::copy_from_slice(&photo.bytes[5_000..10_000])))
        .await
        .unwrap();
    drop(tx);
    assert_eq!(first.await.unwrap(), StatusCode::NO_CONTENT);
    assert_eq!(offset(&head(&app, &photo).await), 10_000);
}

#[tokio::test]
async fn a_case_is_accepted_only_when_every_photo_is_stored_with_its_hash() {
    let app = app().await;
    let case_id = new_id();
    let mut id_page = Photo::new(4_000);
    id_page.case_id = case_id.clone();
    let mut birth = Photo::new(3_000);
    birth.case_id = case_id.clone();
    let mut case = household();
    let member = case["members"][0]["member_id"].clone();
    case["photos"] = json!([
        {"photo_id": id_page.id, "kind": "id_document", "size": 4000, "sha256": id_page.sha256(), "content_type": "image/jpeg"},
        {"photo_id": birth.id, "member_id": member, "kind": "birth_certificate", "size": 3000, "sha256": birth.sha256(), "content_type": "image/jpeg"},
    ]);

    let early = app.put_case(&case_id, &case).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.json["error"]["code"], "photos_missing");
    assert_eq!(
        early.json["error"]["missing_photos"],
        json!([id_page.id, birth.id])
    );

    upload_whole(&app, &id_page, 1_500).await;
    let still = app.put_case(&case_id, &case).await;
    assert_eq!(still.json["error"]["missing_photos"], json!([birth.id]));
    assert_eq!(app.count_cases().await, 0);

    upload_whole(&app, &birth, 1_000).await;
    let accepted = app.put_case(&case_id, &case).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.json);
    assert_eq!(accepted.json["people"], 2);

    // A photo stored for another case does not count for this one.
    let other_case = new_id();
    let mut borrowing = household();
    borrowing["photos"] = json!([{"photo_id": id_page.id, "kind": "id_document", "size": 4000, "sha256": id_page.sha256(), "content_type": "image/jpeg"}]);
    let refused = app.put_case(&other_case, &borrowing).await;
    assert_eq!(refused.json["error"]["code"], "photos_missing");
}

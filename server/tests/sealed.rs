//! Cases sealed for the organisation (`protocol::sealed`): the server opens them with the keys in
//! its data directory and then treats them exactly as plain cases — the same validation, the same
//! fingerprint, one stored case per ID. Rotated-out keys still open what was sealed to them.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, household, new_id, TestApp};
use protocol::sealed::{seal, SealingKeys};
use serde_json::{json, Value};

async fn keys(app: &TestApp) -> SealingKeys {
    let answer = app
        .send_anonymous(Request::get("/api/v1/keys").body(Body::empty()).unwrap())
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    serde_json::from_value(answer.json).unwrap()
}

fn sealed_body(keys: &SealingKeys, case_id: &str, case: &Value, seed: u8) -> Value {
    let key = keys.current().expect("a current key");
    let sealed = seal(
        key,
        case_id.parse().unwrap(),
        case.to_string().as_bytes(),
        [seed; 32],
    )
    .unwrap();
    json!({ "sealed": sealed })
}

#[tokio::test]
async fn a_sealed_case_is_stored_once_as_the_case_itself() {
    let app = app().await;
    let keys = keys(&app).await;
    assert_eq!(keys.keys.len(), 1);
    assert!(keys.keys[0].suite.contains("X25519"));

    let id = new_id();
    let case = household();
    let first = app.put_case(&id, &sealed_body(&keys, &id, &case, 1)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let receipt = first.json["receipt_code"].clone();
    // Sealed again (a fresh seal of the same case) or sent plain: the same receipt, one case.
    let resealed = app.put_case(&id, &sealed_body(&keys, &id, &case, 2)).await;
    assert_eq!(resealed.status, StatusCode::OK);
    assert_eq!(resealed.json["receipt_code"], receipt);
    let plain = app.put_case(&id, &case).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.json["receipt_code"], receipt);
    assert_eq!(app.count_cases().await, 1);
    // What is stored is the case, not the seal.
    let stored = app.storage.list_cases().await.unwrap();
    let body: Value = serde_json::from_slice(&stored[0].body).unwrap();
    assert_eq!(
        body["answers"]["applicant"]["name"],
        case["applicant"]["name"]
    );

    // A different case sealed under the same ID is still a conflict.
    let mut other = household();
    other["applicant"]["name"] = json!("Someone Else");
    let conflict = app.put_case(&id, &sealed_body(&keys, &id, &other, 3)).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_sealed_case_is_validated_and_refused_plainly_when_it_does_not_open() {
    let app = app().await;
    let keys = keys(&app).await;
    let id = new_id();
    let mut bad = household();
    bad["applicant"]["name"] = json!("");
    let refused = app.put_case(&id, &sealed_body(&keys, &id, &bad, 1)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json["error"]["fields"][0]["field"],
        "applicant.name"
    );

    // Sealed for another case's ID: it does not open under this one.
    let other_id = new_id();
    let moved = app
        .put_case(&id, &sealed_body(&keys, &other_id, &household(), 1))
        .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST);
    assert_eq!(moved.json["error"]["code"], "sealed_unreadable");
    let mut unknown = sealed_body(&keys, &id, &household(), 1);
    unknown["sealed"]["key_id"] = json!("k20990101-000000");
    let answer = app.put_case(&id, &unknown).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["error"]["code"], "unknown_key");
    assert_eq!(app.count_cases().await, 0, "nothing was stored");
}

#[tokio::test]
async fn a_case_sealed_to_a_rotated_out_key_still_delivers() {
    let app = app().await;
    let before = keys(&app).await;
    let id = new_id();
    let body = sealed_body(&before, &id, &household(), 1);
    let rotated = if app.on_postgres() {
        // Shared keys: rotated in the database; the server reads them again (every 5 s).
        let storage: std::sync::Arc<dyn server::storage::Storage> = app.storage.clone();
        let rotated = server::keys::Keyring::rotate_in(storage, app.dir.path())
            .await
            .unwrap();
        app.state.keys.refresh_from_database().await;
        rotated
    } else {
        let rotated = server::keys::Keyring::rotate(app.dir.path()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        rotated
    };
    let after = keys(&app).await;
    assert_eq!(
        after.current, rotated,
        "the running server serves the new key"
    );
    assert_eq!(after.keys.len(), 2, "and keeps the old one");
    let answer = app.put_case(&id, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    let id2 = new_id();
    let fresh = app
        .put_case(&id2, &sealed_body(&after, &id2, &household(), 2))
        .await;
    assert_eq!(fresh.status, StatusCode::CREATED);
}

/// A photo sealed for the organisation, as a shared tablet sends it.
struct SealedPhoto {
    photo: common::tus::Photo,
    sealed: protocol::sealed::SealedPhoto,
}

impl SealedPhoto {
    fn new(keys: &SealingKeys, len: usize, seed: u8) -> SealedPhoto {
        let photo = common::tus::Photo::new(len);
        Self::of(keys, photo, seed)
    }

    fn of(keys: &SealingKeys, photo: common::tus::Photo, seed: u8) -> SealedPhoto {
        let sealed = protocol::sealed::seal_photo(
            keys.current().unwrap(),
            photo.case_id.parse().unwrap(),
            photo.id.parse().unwrap(),
            &photo.bytes,
            [seed; 32],
        )
        .unwrap();
        SealedPhoto { photo, sealed }
    }

    fn sealed_sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.sealed.ciphertext))
    }

    fn metadata(&self) -> String {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        format!(
            "{},sealed_key {},sealed_enc {}",
            self.photo
                .metadata_with(&self.sealed_sha256(), "image/jpeg"),
            b64(&self.sealed.key_id),
            b64(&self.sealed.enc)
        )
    }

    async fn create(&self, app: &TestApp) -> common::Answer {
        app.send(
            common::tus::create_request(
                &self.photo,
                &self.metadata(),
                self.sealed.ciphertext.len(),
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await
    }

    /// Creates the upload and sends the sealed bytes in chunks; the last chunk's answer.
    async fn upload(&self, app: &TestApp, chunk: usize) -> common::Answer {
        let created = self.create(app).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
        let mut last = created;
        for (i, piece) in self.sealed.ciphertext.chunks(chunk).enumerate() {
            last = common::tus::patch(app, &self.photo, i * chunk, piece).await;
        }
        last
    }

    fn case_naming_it(&self) -> Value {
        let mut case = household();
        case["photos"] = json!([{
            "photo_id": self.photo.id, "kind": "id_document", "size": self.photo.bytes.len(),
            "sha256": self.photo.sha256(), "content_type": "image/jpeg",
        }]);
        case
    }
}

#[tokio::test]
async fn a_sealed_photo_travels_sealed_and_is_stored_opened() {
    use common::tus::{head, offset, patch, stored_photo_bytes};
    let app = app().await;
    let keys = keys(&app).await;
    let photo = SealedPhoto::new(&keys, 60_000, 5);
    let length = photo.sealed.ciphertext.len();
    assert_eq!(photo.create(&app).await.status, StatusCode::CREATED);
    let first = patch(&app, &photo.photo, 0, &photo.sealed.ciphertext[..25_000]).await;
    assert_eq!(
        (first.status, offset(&first)),
        (StatusCode::NO_CONTENT, 25_000)
    );
    // The offsets and the length are the sealed bytes'.
    let probe = head(&app, &photo.photo).await;
    assert_eq!(probe.headers["upload-length"], length.to_string().as_str());
    let last = patch(
        &app,
        &photo.photo,
        25_000,
        &photo.sealed.ciphertext[25_000..],
    )
    .await;
    assert_eq!(
        (last.status, offset(&last)),
        (StatusCode::NO_CONTENT, length as u64),
        "{}",
        last.json
    );
    // What is stored is the photo itself, opened.
    assert_eq!(
        stored_photo_bytes(&app, &photo.photo).await.unwrap(),
        photo.photo.bytes
    );
    let repeated = photo.create(&app).await;
    assert_eq!(
        (repeated.status, offset(&repeated)),
        (StatusCode::CREATED, length as u64),
        "a repeated creation finds the stored photo"
    );
    assert_eq!(offset(&head(&app, &photo.photo).await), length as u64);

    // A sealed case names the photo as it is (its own size and hash), and is stored with it.
    let case = photo.case_naming_it();
    let sealed = sealed_body(&keys, &photo.photo.case_id, &case, 9);
    let answer = app.put_case(&photo.photo.case_id, &sealed).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    let stored = app.storage.photos().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].photo_length(), photo.photo.bytes.len() as u64);
    assert_eq!(stored[0].photo_sha256(), photo.photo.sha256());
    assert!(stored[0].sealed.is_some());
    // The staff see the photo, at its own length.
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn a_sealed_photo_that_does_not_open_keeps_nothing_and_says_why() {
    use common::tus::{head, offset, stored_photo_bytes};
    let app = app().await;
    let keys = keys(&app).await;
    // Sealed as another photo: the bytes arrive whole and match their hash, but do not open
    // as this photo.
    let mut photo = SealedPhoto::new(&keys, 5_000, 6);
    let mut elsewhere = common::tus::Photo::new(5_000);
    elsewhere.case_id = photo.photo.case_id.clone();
    photo.sealed = SealedPhoto::of(&keys, elsewhere, 6).sealed;
    let last = photo.upload(&app, 2_000).await;
    assert_eq!(last.status, StatusCode::BAD_REQUEST);
    assert_eq!(last.json["error"]["code"], "sealed_unreadable");
    assert_eq!(stored_photo_bytes(&app, &photo.photo).await, None);
    assert_eq!(offset(&head(&app, &photo.photo).await), 0, "nothing kept");
    let case = photo.case_naming_it();
    let answer = app.put_case(&photo.photo.case_id, &case).await;
    assert_eq!(answer.json["error"]["code"], "photos_missing");

    // A key the server does not hold is refused at creation; so is a malformed seal.
    let mut unknown = SealedPhoto::new(&keys, 1_000, 7);
    unknown.sealed.key_id = "k20990101-000000".into();
    let refused = unknown.create(&app).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json["error"]["code"], "unknown_key");
    let mut garbled = SealedPhoto::new(&keys, 1_000, 8);
    garbled.sealed.enc = "short".into();
    assert_eq!(garbled.create(&app).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        head(&app, &garbled.photo).await.status,
        StatusCode::NOT_FOUND,
        "nothing was created"
    );
}

#[tokio::test]
async fn a_sealed_photo_whose_move_into_place_failed_is_finished_later() {
    use common::tus::{head, offset, stored_photo_bytes};
    let mut app = app().await;
    let keys = keys(&app).await;
    let photo = SealedPhoto::new(&keys, 20_000, 9);
    let length = photo.sealed.ciphertext.len() as u64;
    app.blobs.fail_promotes(1);
    let last = photo.upload(&app, 8_000).await;
    assert_ne!(last.status, StatusCode::NO_CONTENT, "the move failed");
    assert_eq!(stored_photo_bytes(&app, &photo.photo).await, None);
    // Opened and staged already; a restart (or a HEAD) puts it in place.
    app.restart().await;
    assert_eq!(offset(&head(&app, &photo.photo).await), length);
    assert_eq!(
        stored_photo_bytes(&app, &photo.photo).await.unwrap(),
        photo.photo.bytes
    );
    let answer = app
        .put_case(&photo.photo.case_id, &photo.case_naming_it())
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
}

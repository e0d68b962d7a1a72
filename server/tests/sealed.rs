//! Cases sealed for the organisation (`protocol::sealed`): the server opens them with the keys in
//! its data directory and then treats them exactly as plain cases — the same validation, the same
//! fingerprint, one stored case per ID. Rotated-out keys still open what was sealed to them.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, household, new_id, TestApp};
use protocol::sealed::{seal, SealingKeys};
use serde_json::{json, Value};
use server::storage::Storage;

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
    let rotated = server::keys::Keyring::rotate(app.dir.path()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
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

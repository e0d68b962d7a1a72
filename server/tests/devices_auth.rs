//! Devices and their tokens: who may send cases and photos, enrolment codes, expiry,
//! revocation and the registration rate limit.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, app_with, household, new_id, TestApp};
use serde_json::json;
use server::storage::EnrolmentCode;

fn put_case_request(token: Option<&str>) -> Request<Body> {
    let mut builder = Request::put(format!("/api/v1/cases/{}", new_id()))
        .header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(Body::from(household().to_string())).unwrap()
}

fn create_upload_request(token: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/api/v1/uploads/")
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "10")
        .header("upload-metadata", "photo_id eA==");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(Body::empty()).unwrap()
}

async fn status_for(app: &TestApp, token: Option<&str>) -> [StatusCode; 2] {
    [
        app.send_anonymous(put_case_request(token)).await.status,
        app.send_anonymous(create_upload_request(token))
            .await
            .status,
    ]
}

#[tokio::test]
async fn registration_gives_a_token_that_only_the_server_can_check() {
    let app = app().await;
    let answer = app.register(json!({})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let token = answer.json["token"].as_str().unwrap();
    assert!(token.len() >= 43, "256 bits");
    assert!(answer.json["device_id"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());
    assert!(answer.json["expires_at"].as_str().unwrap().ends_with('Z'));
    let devices = app.storage.devices().await.unwrap();
    assert!(
        devices.iter().all(|d| d.token_hash != token),
        "only a hash is stored"
    );
    assert!(devices
        .iter()
        .any(|d| d.token_hash == server::secrets::token_hash(token)));

    // An empty body registers too.
    let empty = app
        .send_anonymous(
            Request::post("/api/v1/devices")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(empty.status, StatusCode::CREATED);
}

#[tokio::test]
async fn cases_and_uploads_need_a_valid_device_token() {
    let app = app().await;
    let token = app.token.clone();
    // 400 for the upload: the token is fine, the metadata is not.
    assert_eq!(
        status_for(&app, Some(&token)).await,
        [StatusCode::CREATED, StatusCode::BAD_REQUEST]
    );
    for bad in [None, Some("not-a-token"), Some("")] {
        assert_eq!(
            status_for(&app, bad).await,
            [StatusCode::UNAUTHORIZED; 2],
            "{bad:?}"
        );
    }
    let refused = app.send_anonymous(put_case_request(None)).await;
    assert_eq!(refused.json["error"]["code"], "unauthorized");
    assert_eq!(refused.headers["www-authenticate"], "Bearer");
    assert_eq!(app.count_cases().await, 1);

    // tus discovery stays open; health and the API description too.
    let options = app
        .send_anonymous(
            Request::options("/api/v1/uploads/")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    for path in ["/api/v1/health", "/api/v1/openapi.json"] {
        assert_eq!(
            app.send_anonymous(Request::get(path).body(Body::empty()).unwrap())
                .await
                .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_device_can_never_read_a_case() {
    let app = app().await;
    let id = new_id();
    assert_eq!(
        app.put_case(&id, &household()).await.status,
        StatusCode::CREATED
    );
    for path in [
        format!("/api/v1/cases/{id}"),
        "/api/v1/cases".into(),
        "/api/v1/uploads/".into(),
    ] {
        let answer = app
            .send(Request::get(&path).body(Body::empty()).unwrap())
            .await;
        assert!(
            answer.status == StatusCode::METHOD_NOT_ALLOWED
                || answer.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            answer.status
        );
        assert!(!answer.json.to_string().contains("María"));
    }
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused() {
    let app = app_with(|c| c.token_lifetime_secs = 2).await;
    let fresh = app.register(json!({})).await.json["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = app.register(json!({})).await.json;
    let revoked_token = revoked["token"].as_str().unwrap();
    let revoked_id = revoked["device_id"].as_str().unwrap().parse().unwrap();
    assert!(app.storage.revoke_device(revoked_id).await.unwrap());
    assert_eq!(
        status_for(&app, Some(revoked_token)).await,
        [StatusCode::UNAUTHORIZED; 2]
    );
    assert_eq!(
        app.send_anonymous(put_case_request(Some(&fresh)))
            .await
            .status,
        StatusCode::CREATED
    );

    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_eq!(
        status_for(&app, Some(&fresh)).await,
        [StatusCode::UNAUTHORIZED; 2],
        "expired"
    );
    // Signing in again gives a token that works.
    let again = app.register(json!({})).await.json["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.send_anonymous(put_case_request(Some(&again)))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_refused_upload_chunk_gets_a_401_that_closes_the_connection() {
    let app = app().await;
    let answer = app
        .send_anonymous(
            Request::patch(format!("/api/v1/uploads/{}", new_id()))
                .header("tus-resumable", "1.0.0")
                .header("upload-offset", "0")
                .header("content-type", "application/offset+octet-stream")
                .body(Body::from(vec![7u8; 300_000]))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers["tus-resumable"], "1.0.0");
    assert_eq!(
        answer.headers["connection"], "close",
        "the rest is never read"
    );
    assert_eq!(answer.json["error"]["code"], "unauthorized");
}

async fn add_code(app: &TestApp, code: &str, expires_at: Option<i64>) {
    app.storage
        .add_enrolment_code(EnrolmentCode {
            code: code.into(),
            label: "Shelter A".into(),
            created_at: "2026-11-29T00:00:00Z".into(),
            expires_at,
            revoked: false,
            uses: 0,
            shared: false,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn when_enrolment_is_required_only_a_valid_code_registers() {
    let app = app_with(|c| c.require_enrolment = true).await;
    assert!(
        app.token.is_empty(),
        "the test app itself could not register without a code"
    );
    let none = app.register(json!({})).await;
    assert_eq!(
        (none.status, none.json["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("enrolment_required"))
    );
    let unknown = app.register(json!({"enrolment_code": "NOPE1234"})).await;
    assert_eq!(
        (unknown.status, unknown.json["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("enrolment_invalid"))
    );

    add_code(&app, "K7QMX9A2", None).await;
    add_code(&app, "OLDC0DE1", Some(1)).await;
    let typed = app.register(json!({"enrolment_code": " k7qm-x9a2 "})).await;
    assert_eq!(
        typed.status,
        StatusCode::CREATED,
        "read the forgiving way: {}",
        typed.json
    );
    let expired = app.register(json!({"enrolment_code": "OLDC0DE1"})).await;
    assert_eq!(expired.json["error"]["code"], "enrolment_invalid");

    assert!(app.storage.revoke_enrolment_code("K7QMX9A2").await.unwrap());
    let revoked = app.register(json!({"enrolment_code": "K7QMX9A2"})).await;
    assert_eq!(revoked.json["error"]["code"], "enrolment_invalid");
    let token = typed.json["token"].as_str().unwrap();
    assert_eq!(
        app.send_anonymous(put_case_request(Some(token)))
            .await
            .status,
        StatusCode::CREATED,
        "registered devices stay"
    );
    let codes = app.storage.enrolment_codes().await.unwrap();
    assert_eq!(codes.iter().find(|c| c.code == "K7QMX9A2").unwrap().uses, 1);
}

#[tokio::test]
async fn registration_is_rate_limited_with_retry_after() {
    let app = app_with(|c| c.registrations_per_minute = 3).await;
    // The test app registered once already.
    for _ in 0..2 {
        assert_eq!(app.register(json!({})).await.status, StatusCode::CREATED);
    }
    let limited = app.register(json!({})).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json["error"]["code"], "rate_limited");
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
}

#[tokio::test]
async fn registration_refuses_bad_json_clearly() {
    let app = app().await;
    let answer = app
        .send_anonymous(
            Request::post("/api/v1/devices")
                .body(Body::from(r#"{"enrolment_code": 5, "x": 1}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["error"]["code"], "malformed_json");
}

#[tokio::test]
async fn a_shared_code_makes_a_shared_tablet_told_its_idle_lock_at_registration_and_after() {
    let app = app_with(|c| c.shared_lock_after_secs = 45).await;
    let personal = app.register(json!({})).await;
    assert_eq!(personal.status, StatusCode::CREATED);
    assert_eq!(
        personal.json["settings"],
        json!({"shared": false, "lock_after_secs": 45})
    );
    let mut printed = Vec::new();
    server::admin::create_enrolment_code(
        &app.config.location(),
        "Shelter A tablet 2",
        None,
        true,
        &mut printed,
    )
    .await
    .unwrap();
    let printed = String::from_utf8(printed).unwrap();
    assert!(
        printed.trim_end().ends_with("&shared=1"),
        "a shared code's install link says so: {printed}"
    );
    let codes = app.storage.enrolment_codes().await.unwrap();
    let code = codes
        .iter()
        .find(|c| c.label == "Shelter A tablet 2")
        .unwrap();
    assert!(code.shared);
    let mut listed = Vec::new();
    server::admin::list_enrolment_codes(&app.config.location(), &mut listed)
        .await
        .unwrap();
    let listed = String::from_utf8(listed).unwrap();
    assert!(
        listed.contains(&format!("{}\tactive\tshared\t", code.code)),
        "{listed}"
    );

    let tablet = app
        .register(json!({"enrolment_code": code.code.to_lowercase()}))
        .await;
    assert_eq!(tablet.status, StatusCode::CREATED);
    assert_eq!(
        tablet.json["settings"],
        json!({"shared": true, "lock_after_secs": 45})
    );
    let token = tablet.json["token"].as_str().unwrap();
    let me = |token: String| {
        Request::get("/api/v1/devices/me")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let asked = app.send_anonymous(me(token.to_owned())).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(asked.json, json!({"shared": true, "lock_after_secs": 45}));
    let phone = personal.json["token"].as_str().unwrap();
    let asked = app.send_anonymous(me(phone.to_owned())).await;
    assert_eq!(asked.json["shared"], false);
    let nobody = app.send_anonymous(me("not-a-token".into())).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    // The device stays a shared tablet; the devices listing says which is which.
    let devices = app.storage.devices().await.unwrap();
    let id = tablet.json["device_id"].as_str().unwrap();
    assert!(devices
        .iter()
        .any(|d| d.device_id.to_string() == id && d.shared));
    assert_eq!(devices.iter().filter(|d| d.shared).count(), 1);
}

#[tokio::test]
async fn the_idle_lock_setting_is_bounded() {
    use clap::Parser;
    for (given, ok) in [("9", false), ("10", true), ("3600", true), ("3601", false)] {
        let parsed = server::Config::try_parse_from(["server", "--shared-lock-after-secs", given]);
        assert_eq!(parsed.is_ok(), ok, "{given}");
    }
    let default = server::Config::try_parse_from(["server"]).unwrap();
    assert_eq!(default.shared_lock_after_secs, 120);
}

fn renew_request(body: serde_json::Value) -> Request<Body> {
    Request::post("/api/v1/devices/renew")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn status_request(case_id: &str, token: &str) -> Request<Body> {
    Request::get(format!("/api/v1/cases/{case_id}/status"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn an_expired_token_is_renewed_for_the_same_device_which_keeps_its_cases() {
    let app = app().await;
    let device = app.register(json!({})).await.json;
    let (id, old) = (
        device["device_id"].as_str().unwrap().to_owned(),
        device["token"].as_str().unwrap().to_owned(),
    );
    let case_id = new_id();
    let sent = app
        .send_anonymous(
            Request::put(format!("/api/v1/cases/{case_id}"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {old}"))
                .body(Body::from(household().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED);
    assert!(app
        .storage
        .expire_device(id.parse().unwrap())
        .await
        .unwrap());
    assert_eq!(
        app.send_anonymous(status_request(&case_id, &old))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let renewed = app
        .send_anonymous(renew_request(json!({"device_id": id, "token": old})))
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.json);
    assert_eq!(renewed.json["device_id"], id.as_str(), "the same device");
    let new = renewed.json["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let status = app.send_anonymous(status_request(&case_id, &new)).await;
    assert_eq!(status.status, StatusCode::OK, "its case is still its own");
    assert_eq!(status.json["receipt"]["case_id"], case_id.as_str());

    // The old token renews nothing twice, and a token of another device renews nothing.
    let again = app
        .send_anonymous(renew_request(json!({"device_id": id, "token": old})))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.json["error"]["code"], "unauthorized");
    let other = app.register(json!({})).await.json;
    let crossed = app
        .send_anonymous(renew_request(
            json!({"device_id": id, "token": other["token"]}),
        ))
        .await;
    assert_eq!(crossed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.send_anonymous(status_request(&case_id, &new))
            .await
            .status,
        StatusCode::OK,
        "a refused renewal leaves the renewed token working"
    );

    // A revoked device is not renewed: it must register anew.
    assert!(app
        .storage
        .revoke_device(id.parse().unwrap())
        .await
        .unwrap());
    let revoked = app
        .send_anonymous(renew_request(json!({"device_id": id, "token": new})))
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);

    let bad = app
        .send_anonymous(renew_request(json!({"device_id": "nope", "token": new})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json["error"]["code"], "malformed_json");
}

fn registration_from(peer: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/api/v1/devices").header("content-type", "application/json");
    if let Some(f) = forwarded_for {
        builder = builder.header("x-forwarded-for", f);
    }
    let mut request = builder.body(Body::from("{}")).unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    request
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit_and_nobody_else_can_pick_one(
) {
    let app = app_with(|c| {
        c.registrations_per_minute = 2;
        c.trust_proxy = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let status = |peer: &'static str, xff: Option<&'static str>| {
        let app = &app;
        async move {
            app.send_anonymous(registration_from(peer, xff))
                .await
                .status
        }
    };
    // Through the proxy: counted per client it names.
    for _ in 0..2 {
        assert_eq!(
            status("127.0.0.1", Some("203.0.113.5")).await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        status("127.0.0.1", Some("203.0.113.5")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        status("127.0.0.1", Some("203.0.113.6")).await,
        StatusCode::CREATED,
        "another client behind the same proxy is not held back"
    );
    // Straight to the server, the header is anyone's to write: ignored.
    for xff in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(status("192.0.2.9", Some(xff)).await, StatusCode::CREATED);
    }
    assert_eq!(
        status("192.0.2.9", Some("198.51.100.3")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a new X-Forwarded-For does not buy a direct client more tries"
    );
}

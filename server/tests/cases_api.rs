//! `PUT /api/v1/cases/{id}`: exactly-once storage, conflicts, validation and error shapes.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, app_with, household, new_id};
use serde_json::json;

#[tokio::test]
async fn first_put_stores_and_answers_a_receipt() {
    let app = app().await;
    let id = new_id();
    let answer = app.put_case(&id, &household()).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json["case_id"], id);
    assert_eq!(answer.json["people"], 2);
    let code = answer.json["receipt_code"].as_str().unwrap();
    assert!(code.parse::<protocol::ReceiptCode>().is_ok(), "{code}");
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn a_replay_gets_the_same_receipt_and_stores_nothing_new() {
    let app = app().await;
    let id = new_id();
    let first = app.put_case(&id, &household()).await;
    // Same content, keys in another order: still the same case.
    let mut reordered = serde_json::Map::new();
    for (k, v) in household().as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let again = app
        .put_case(&id, &serde_json::Value::Object(reordered))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json, first.json);
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn different_content_under_a_used_id_is_a_conflict_and_changes_nothing() {
    let app = app().await;
    let id = new_id();
    app.put_case(&id, &household()).await;
    let mut other = household();
    other["applicant"]["name"] = json!("Someone Else");
    let answer = app.put_case(&id, &other).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json["error"]["code"], "case_conflict");
    let stored = app.storage_body(&id).await;
    assert_eq!(stored["answers"]["applicant"]["name"], "María José Pérez");
}

#[tokio::test]
async fn invalid_cases_list_every_bad_field_and_store_nothing() {
    let app = app().await;
    let mut bad = household();
    bad["applicant"]["name"] = json!("  ");
    bad["applicant"]["country_of_origin"] = json!("ZZ");
    bad["members"][0]["date_of_birth"] = json!("2016-02-30");
    let answer = app.put_case(&new_id(), &bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json["error"]["code"], "validation_failed");
    let fields: Vec<(String, String)> = answer.json["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            ("applicant.name".into(), "required".into()),
            (
                "applicant.country_of_origin".into(),
                "invalid_choice".into()
            ),
            ("members.0.date_of_birth".into(), "invalid_date".into()),
        ]
    );
    assert_eq!(app.count_cases().await, 0);
}

#[tokio::test]
async fn concurrent_puts_of_one_id_store_one_case() {
    let app = std::sync::Arc::new(app().await);
    let id = new_id();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let app = app.clone();
            let id = id.clone();
            tokio::spawn(async move { app.put_case(&id, &household()).await })
        })
        .collect();
    let mut created = 0;
    let mut receipts = std::collections::HashSet::new();
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => {}
            other => panic!("unexpected {other}: {}", answer.json),
        }
        receipts.insert(answer.json["receipt_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(created, 1);
    assert_eq!(receipts.len(), 1);
    assert_eq!(app.count_cases().await, 1);
}

#[tokio::test]
async fn receipts_differ_between_cases() {
    let app = app().await;
    let mut codes = std::collections::HashSet::new();
    for _ in 0..50 {
        let answer = app.put_case(&new_id(), &household()).await;
        assert!(codes.insert(answer.json["receipt_code"].as_str().unwrap().to_owned()));
    }
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let app = app().await;
    let not_uuid = app.put_case("not-a-uuid", &household()).await;
    assert_eq!(
        (not_uuid.status, not_uuid.json["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_id"))
    );

    let broken = app
        .send(
            Request::put(format!("/api/v1/cases/{}", new_id()))
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"form_id": "household-intake", "applicant": {"name": "Secret Name""#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json["error"]["code"], "malformed_json");
    assert!(
        !broken.json.to_string().contains("Secret"),
        "errors must not echo the body"
    );

    let mut extra = household();
    extra["applicant"]["passport_number"] = json!("X123");
    let unknown = app.put_case(&new_id(), &extra).await;
    assert_eq!(unknown.json["error"]["code"], "malformed_json");

    let text = app
        .send(
            Request::put(format!("/api/v1/cases/{}", new_id()))
                .header("content-type", "text/plain")
                .body(Body::from("hi"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (text.status, text.json["error"]["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );

    let old = app
        .send(
            Request::put(format!("/api/v1/cases/{}", new_id()))
                .header("content-type", "application/json")
                .header("x-resguardo-client", "0.0.9")
                .body(Body::from(household().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (old.status, old.json["error"]["code"].as_str()),
        (StatusCode::UPGRADE_REQUIRED, Some("client_unsupported"))
    );
    assert_eq!(app.count_cases().await, 0);
}

#[tokio::test]
async fn every_failure_is_json_including_404_405_and_413() {
    let app = app_with(|c| c.max_json_bytes = 4096).await;
    let missing = app
        .send(
            Request::get("/api/v1/nothing-here")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (missing.status, missing.json["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let root = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        root.status,
        StatusCode::NOT_FOUND,
        "no built app in this test"
    );
    assert_eq!(root.json["error"]["code"], "not_found");

    let wrong_method = app
        .send(
            Request::delete(format!("/api/v1/cases/{}", new_id()))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json["error"]["code"], "method_not_allowed");
    assert!(wrong_method.headers.contains_key("allow"));

    let mut big = household();
    big["applicant"]["needs_note"] = json!("x".repeat(10_000));
    let too_large = app.put_case(&new_id(), &big).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.json["error"]["code"], "payload_too_large");
    assert_eq!(app.count_cases().await, 0);
}

#[tokio::test]
async fn paths_that_are_not_utf8_get_json_errors() {
    let app = app().await;
    let case = app.put_case("%FF", &household()).await;
    assert_eq!(
        (case.status, case.json["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_id"))
    );
    // The tus routes answer through the router's own extractor rejection.
    let upload = app
        .send(
            Request::patch("/api/v1/uploads/%C3%28")
                .header("tus-resumable", "1.0.0")
                .header("upload-offset", "0")
                .header("content-type", "application/offset+octet-stream")
                .body(Body::from("x"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (upload.status, upload.json["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    assert!(upload.json["error"]["message"].as_str().is_some());
}

#[tokio::test]
async fn a_declared_oversized_case_is_refused_with_json_413_before_reading() {
    let app = app().await;
    let answer = app
        .send(
            Request::put(format!("/api/v1/cases/{}", new_id()))
                .header("content-type", "application/json")
                .header("content-length", (8 * 1024 * 1024).to_string())
                .body(Body::from(household().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (answer.status, answer.json["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    assert_eq!(answer.headers["connection"], "close");
    assert_eq!(app.count_cases().await, 0);
}

#[tokio::test]
async fn health_answers_with_the_version() {
    let app = app().await;
    let answer = app
        .send(Request::get("/api/v1/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["status"], "ok");
    assert_eq!(answer.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn liveness_asks_nothing_and_readiness_asks_the_database_and_the_photo_store() {
    let app = app().await;
    let get = |path: &'static str| {
        let app = &app;
        async move {
            app.send(Request::get(path).body(Body::empty()).unwrap())
                .await
                .status
        }
    };
    for path in [
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/health",
    ] {
        assert_eq!(get(path).await, StatusCode::OK, "{path}");
    }
    if app.on_s3() {
        // A bucket that is not there: not ready, still alive.
        let lost = app_with(|c| c.blob_url = Some("s3://no-such-bucket-here/x".into())).await;
        let status = |path: &'static str| {
            let lost = &lost;
            async move {
                lost.send(Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .status
            }
        };
        assert_eq!(
            status("/api/v1/health/ready").await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status("/api/v1/health/live").await, StatusCode::OK);
        return;
    }
    // The photo store gone (a disk unmounted): not ready, still alive.
    std::fs::remove_dir_all(app.dir.path().join("photos")).unwrap();
    assert_eq!(
        get("/api/v1/health/ready").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get("/api/v1/health").await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get("/api/v1/health/live").await, StatusCode::OK);
    std::fs::create_dir(app.dir.path().join("photos")).unwrap();
    assert_eq!(get("/api/v1/health/ready").await, StatusCode::OK);
}

#[tokio::test]
async fn openapi_documents_every_route_with_a_valid_example() {
    let app = app().await;
    let doc = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let put = &doc["paths"]["/api/v1/cases/{case_id}"]["put"];
    for status in [
        "200", "201", "400", "408", "409", "413", "415", "422", "426", "500",
    ] {
        assert!(put["responses"][status].is_object(), "missing {status}");
    }
    assert!(doc["paths"]["/api/v1/health"]["get"].is_object());
    assert!(put["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());
    assert_eq!(put["security"][0]["device_token"], json!([]));
    assert_eq!(
        doc["components"]["securitySchemes"]["device_token"]["scheme"],
        "bearer"
    );
    let register = &doc["paths"]["/api/v1/devices"]["post"];
    assert!(register["responses"]["429"]["headers"]["Retry-After"].is_object());
    for (path, method) in [
        ("/api/v1/uploads/", "options"),
        ("/api/v1/uploads/", "post"),
        ("/api/v1/uploads/{photo_id}", "head"),
        ("/api/v1/uploads/{photo_id}", "patch"),
        ("/api/v1/uploads/{photo_id}", "delete"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    for schema in [
        "CaseSubmission",
        "Applicant",
        "Member",
        "CaseReceipt",
        "ErrorBody",
        "ErrorCode",
        "FieldCode",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "missing schema {schema}"
        );
    }
    // The example must be a case the server accepts.
    let example = put["requestBody"]["content"]["application/json"]["example"].clone();
    let answer = app.put_case(&new_id(), &example).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
}

trait StoredBody {
    async fn storage_body(&self, id: &str) -> serde_json::Value;
}

impl StoredBody for common::TestApp {
    async fn storage_body(&self, id: &str) -> serde_json::Value {
        let bytes = self
            .storage
            .case_body(id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}

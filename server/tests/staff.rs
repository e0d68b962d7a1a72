//! The staff side: login, sessions, CSRF, lock-out, rate limits, the pages, the export, the audit
//! log, and an authorisation matrix over every route.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app_with, household, new_id, SqlArg, TestApp};
use http_body_util::BodyExt;
use server::http::staff::auth::create_user;
use server::storage::appointments::SlotState;
use server::storage::staff::Role;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

struct Raw {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    /// The page's text, without the invisible isolates that keep values' direction.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).replace(['\u{2068}', '\u{2069}'], "")
    }
}

async fn raw(app: &TestApp, request: Request<Body>) -> Raw {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    html[start..].split('"').next().unwrap().to_owned()
}

fn set_cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<(String, String)> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=')?;
            (k == name).then(|| (val.to_owned(), attrs.to_owned()))
        })
}

/// A signed-in staff member: the session cookie and the CSRF token of its forms.
#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn try_login(app: &TestApp, username: &str, password: &str) -> Raw {
    let page = raw(
        app,
        Request::get("/staff/login").body(Body::empty()).unwrap(),
    )
    .await;
    let csrf = hidden_value(&page.text(), "csrf");
    let (login_cookie, _) = set_cookie_value(&page.headers, "resguardo_login_csrf").unwrap();
    let form = format!(
        "csrf={csrf}&username={username}&password={}",
        password.replace(' ', "+")
    );
    raw(
        app,
        Request::post("/staff/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("resguardo_login_csrf={login_cookie}"))
            .body(Body::from(form))
            .unwrap(),
    )
    .await
}

async fn login(app: &TestApp, username: &str) -> Session {
    let answer = try_login(app, username, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let (cookie, attrs) = set_cookie_value(&answer.headers, "resguardo_staff").unwrap();
    assert!(
        attrs.contains("HttpOnly") && attrs.contains("SameSite=Strict"),
        "{attrs}"
    );
    let page = get(app, "/staff/cases", Some(&cookie)).await;
    Session {
        csrf: hidden_value(&page.text(), "csrf"),
        cookie,
    }
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> Raw {
    let mut request = Request::get(path);
    if let Some(c) = cookie {
        request = request.header("cookie", format!("resguardo_staff={c}"));
    }
    raw(app, request.body(Body::empty()).unwrap()).await
}

async fn post_form(app: &TestApp, path: &str, cookie: Option<&str>, form: &str) -> Raw {
    let mut request =
        Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        request = request.header("cookie", format!("resguardo_staff={c}"));
    }
    raw(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

async fn staffed_app(tweak: impl FnOnce(&mut server::Config)) -> TestApp {
    let app = app_with(tweak).await;
    create_user(&*app.storage, "rita", PASSWORD, Role::Reviewer)
        .await
        .unwrap();
    create_user(&*app.storage, "ana", PASSWORD, Role::Admin)
        .await
        .unwrap();
    app
}

/// A case with a photo of the applicant; returns (case_id, receipt code, photo bytes, photo id).
async fn case_with_photo(app: &TestApp) -> (String, String, Vec<u8>, String) {
    use base64::Engine;
    use sha2::Digest;
    let case_id = new_id();
    let photo_id = new_id();
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let meta = format!(
        "photo_id {},case_id {},sha256 {},content_type {}",
        b64(&photo_id),
        b64(&case_id),
        b64(&sha),
        b64("image/jpeg")
    );
    let created = app
        .send(
            Request::post("/api/v1/uploads/")
                .header("tus-resumable", "1.0.0")
                .header("upload-length", "5000")
                .header("upload-metadata", meta)
                .header("content-type", "application/offset+octet-stream")
                .body(Body::from(bytes.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let mut case = household();
    case["photos"] = serde_json::json!([{"photo_id": photo_id, "kind": "id_document", "size": 5000, "sha256": sha, "content_type": "image/jpeg"}]);
    let answer = app.put_case(&case_id, &case).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    (
        case_id,
        answer.json["receipt_code"].as_str().unwrap().to_owned(),
        bytes,
        photo_id,
    )
}

#[tokio::test]
async fn a_reviewer_finds_a_case_by_receipt_sees_everything_and_marks_it_reviewed() {
    let app = staffed_app(|_| {}).await;
    let (case_id, receipt, _, photo_id) = case_with_photo(&app).await;
    app.put_case(&new_id(), &household()).await;
    let rita = login(&app, "rita").await;

    let list = get(
        &app,
        &format!("/staff/cases?q={}", receipt.to_lowercase()),
        Some(&rita.cookie),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.text().matches("data-case-id=").count(),
        1,
        "search by receipt code finds one case"
    );
    assert!(list.text().contains(&receipt));
    assert_eq!(
        get(&app, "/staff/cases?state=new", Some(&rita.cookie))
            .await
            .text()
            .matches("data-case-id=")
            .count(),
        2
    );
    assert_eq!(
        get(
            &app,
            "/staff/cases?from=2000-01-01&to=2000-12-31",
            Some(&rita.cookie)
        )
        .await
        .text()
        .matches("data-case-id=")
        .count(),
        0
    );
    assert_eq!(
        get(&app, "/staff/cases?q=NOT-A-CODE", Some(&rita.cookie))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let page = get(&app, &format!("/staff/cases/{case_id}"), Some(&rita.cookie))
        .await
        .text();
    for expected in [
        "María José Pérez",
        "Luis Pérez",
        "child",
        "HN",
        &format!("/staff/photos/{photo_id}"),
    ] {
        assert!(page.contains(expected), "{expected} on the case page");
    }
    let photo = get(
        &app,
        &format!("/staff/photos/{photo_id}"),
        Some(&rita.cookie),
    )
    .await;
    let policy = photo.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("sandbox"),
        "a photo opened on its own gets its own policy: {policy}"
    );
    assert_eq!(
        (
            photo.status,
            photo.headers["content-type"].to_str().unwrap()
        ),
        (StatusCode::OK, "image/jpeg")
    );
    assert_eq!(photo.body.len(), 5000);

    let reviewed = post_form(
        &app,
        &format!("/staff/cases/{case_id}/review"),
        Some(&rita.cookie),
        &format!("csrf={}&note=Called+back", rita.csrf),
    )
    .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER);
    let page = get(&app, &format!("/staff/cases/{case_id}"), Some(&rita.cookie))
        .await
        .text();
    assert!(page.contains("Reviewed by rita") && page.contains("Called back"));
    assert_eq!(
        get(&app, "/staff/cases?state=reviewed", Some(&rita.cookie))
            .await
            .text()
            .matches("data-case-id=")
            .count(),
        1
    );

    let audit = app.storage.audit_log(100, 0).await.unwrap();
    let actions: Vec<(String, String)> = audit
        .iter()
        .map(|e| (e.username.clone(), e.action.clone()))
        .collect();
    assert!(actions.contains(&("rita".into(), "view_case".into())));
    assert!(actions.contains(&("rita".into(), "review_case".into())));
}

#[tokio::test]
async fn state_changing_forms_need_the_csrf_token() {
    let app = staffed_app(|_| {}).await;
    let (case_id, ..) = case_with_photo(&app).await;
    let rita = login(&app, "rita").await;
    for form in ["note=x".to_owned(), "csrf=wrong&note=x".to_owned()] {
        let answer = post_form(
            &app,
            &format!("/staff/cases/{case_id}/review"),
            Some(&rita.cookie),
            &form,
        )
        .await;
        assert!(
            answer.status == StatusCode::FORBIDDEN || answer.status.is_client_error(),
            "{form}: {}",
            answer.status
        );
    }
    assert!(
        get(&app, &format!("/staff/cases/{case_id}"), Some(&rita.cookie))
            .await
            .text()
            .contains("Mark reviewed")
    );
    assert_eq!(
        post_form(&app, "/staff/logout", Some(&rita.cookie), "csrf=wrong")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The login form has its own token (a cookie and a field that must match).
    let forged = raw(
        &app,
        Request::post("/staff/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf=x&username=rita&password={}",
                PASSWORD.replace(' ', "+")
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let out = post_form(
        &app,
        "/staff/logout",
        Some(&rita.cookie),
        &format!("csrf={}", rita.csrf),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/staff/cases", Some(&rita.cookie)).await.status,
        StatusCode::SEE_OTHER,
        "the session is gone"
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let app = staffed_app(|c| c.logins_per_minute = 100).await;
    for _ in 0..5 {
        assert_eq!(
            try_login(&app, "rita", "wrong password 123").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = try_login(&app, "rita", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "even the right password is refused while locked"
    );
    assert!(set_cookie_value(&locked.headers, "resguardo_staff").is_none());
    // Others are not affected.
    login(&app, "ana").await;
    let unknown = try_login(&app, "nobody", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.text().contains("Wrong username or password"));
}

/// The words of a login page's problem paragraph.
fn problem(answer: &Raw) -> String {
    let html = answer.text();
    let start = html
        .find("class=\"problem\"")
        .unwrap_or_else(|| panic!("no problem in {html}"));
    let text = &html[start..];
    text[text.find('>').unwrap() + 1..text.find("</p>").unwrap()].to_owned()
}

#[tokio::test]
async fn a_locked_account_answers_exactly_like_a_wrong_password() {
    let app = staffed_app(|c| c.logins_per_minute = 100).await;
    let wrong = try_login(&app, "rita", "wrong password 123").await;
    for _ in 0..4 {
        try_login(&app, "rita", "wrong password 123").await;
    }
    let locked = try_login(&app, "rita", PASSWORD).await;
    let unknown = try_login(&app, "nobody", PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.status, wrong.status, "the status does not tell");
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(problem(&locked), problem(&wrong), "the words do not tell");
    assert_eq!(problem(&unknown), problem(&wrong));
    assert_eq!(
        problem(&wrong),
        "Wrong username or password. After 5 failed attempts an account is locked for 15 minutes."
    );
}

#[tokio::test]
async fn an_expired_lockout_starts_counting_from_zero() {
    let app = staffed_app(|c| c.logins_per_minute = 100).await;
    for _ in 0..5 {
        try_login(&app, "rita", "wrong password 123").await;
    }
    assert_eq!(
        try_login(&app, "rita", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "locked"
    );
    // Fifteen minutes later, as far as the account knows.
    app.execute(
        "UPDATE staff_users SET locked_until = $1 WHERE username = 'rita'",
        &[SqlArg::Int(
            time::OffsetDateTime::now_utc().unix_timestamp() - 1,
        )],
    )
    .await;
    // One slip after the lock-out must not lock the account again at once.
    assert_eq!(
        try_login(&app, "rita", "wrong password 123").await.status,
        StatusCode::UNAUTHORIZED
    );
    let user = app.storage.staff_user("rita").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 1, "counting started again");
    assert!(user.locked_until.is_none());
    login(&app, "rita").await;
}

#[tokio::test]
async fn logins_are_rate_limited_with_retry_after() {
    let app = staffed_app(|c| c.logins_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(
            try_login(&app, "rita", "wrong password 123").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = try_login(&app, "rita", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn sessions_expire() {
    // Sessions end on whole seconds: a 1-second one could end between the login and its first
    // page, so give it 2 and wait past them.
    let app = staffed_app(|c| c.staff_session_secs = 2).await;
    let rita = login(&app, "rita").await;
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    let answer = get(&app, "/staff/cases", Some(&rita.cookie)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.headers["location"], "/staff/login");
}

#[tokio::test]
async fn the_export_zip_holds_the_cases_members_and_photos() {
    use std::io::Read;
    let app = staffed_app(|_| {}).await;
    let (case_id, receipt, photo_bytes, photo_id) = case_with_photo(&app).await;
    let mut tricky = household();
    tricky["applicant"]["name"] = serde_json::json!("=HYPERLINK(\"http://x\"), \"Quoted\"");
    tricky["applicant"]["needs_note"] = serde_json::json!("\t＝cmd;=x");
    assert_eq!(
        app.put_case(&new_id(), &tricky).await.status,
        StatusCode::CREATED
    );
    let ana = login(&app, "ana").await;
    let today = time::OffsetDateTime::now_utc().date();
    // As a browser asks: compression accepted.
    let zip = raw(
        &app,
        Request::get(format!("/staff/export?from={today}&to={today}"))
            .header("cookie", format!("resguardo_staff={}", ana.cookie))
            .header("accept-encoding", "gzip, deflate, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(zip.status, StatusCode::OK);
    assert!(
        !zip.headers.contains_key("content-encoding"),
        "a ZIP is not compressed again"
    );
    assert_eq!(zip.headers["content-type"], "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let mut read = |name: &str| {
        let mut s = Vec::new();
        archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the zip"))
            .read_to_end(&mut s)
            .unwrap();
        s
    };
    let cases_csv = String::from_utf8(read("household-intake.csv")).unwrap();
    assert!(cases_csv.starts_with(
        "case_id,receipt_code,received_at,form_version,review_state,reviewed_by,review_note,people,applicant.name,"
    ));
    assert!(cases_csv.contains(&receipt) && cases_csv.contains("María José Pérez"));
    assert!(
        cases_csv.contains("\"'=HYPERLINK(\"\"http://x\"\"), \"\"Quoted\"\"\""),
        "quoted and neutralised: {cases_csv}"
    );
    assert!(
        cases_csv.contains(",'\t＝cmd;=x,"),
        "a tab and a full-width sign neutralised too: {cases_csv}"
    );
    assert_eq!(cases_csv.lines().count(), 3);
    let members_csv = String::from_utf8(read("household-intake-members.csv")).unwrap();
    assert!(members_csv
        .starts_with("case_id,receipt_code,member_id,name,date_of_birth,relationship\r\n"));
    assert!(members_csv.contains("Luis Pérez") && members_csv.contains("child"));
    let json: serde_json::Value = serde_json::from_slice(&read("cases.json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(
        read(&format!("photos/{receipt}/{photo_id}.jpg")),
        photo_bytes
    );

    let exported: Vec<_> = app
        .storage
        .audit_log(100, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "export_case")
        .collect();
    assert_eq!(exported.len(), 2);
    assert!(exported.iter().all(|e| e.username == "ana"));
    assert!(exported
        .iter()
        .any(|e| e.case_id.map(|c| c.to_string()) == Some(case_id.clone())));

    let empty = get(
        &app,
        "/staff/export?from=2000-01-01&to=2000-01-02",
        Some(&ana.cookie),
    )
    .await;
    let archive = zip::ZipArchive::new(std::io::Cursor::new(empty.body)).unwrap();
    assert_eq!(archive.len(), 3, "the three data files, no photos");
}

#[tokio::test]
async fn authorisation_matrix_over_every_route() {
    let app = staffed_app(|_| {}).await;
    let (case_id, _, _, photo_id) = case_with_photo(&app).await;
    let rita = login(&app, "rita").await;
    let ana = login(&app, "ana").await;
    let revoked = app.register(serde_json::json!({})).await.json;
    let revoked_token = revoked["token"].as_str().unwrap().to_owned();
    app.storage
        .revoke_device(revoked["device_id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    let victim = app.register(serde_json::json!({})).await.json["device_id"]
        .as_str()
        .unwrap()
        .to_owned();

    #[derive(Clone, Copy, Debug)]
    enum Who {
        Anonymous,
        Device,
        RevokedDevice,
        Reviewer,
        Admin,
    }
    use Who::*;
    let token_for = |who: Who| match who {
        Device => Some(app.token.clone()),
        RevokedDevice => Some(revoked_token.clone()),
        _ => None,
    };
    let session_for = |who: Who| match who {
        Reviewer => Some(&rita),
        Admin => Some(&ana),
        _ => None,
    };
    let request = |who: Who, method: &str, path: &str| {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token_for(who) {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let mut body = Body::empty();
        if let Some(s) = session_for(who) {
            b = b.header("cookie", format!("resguardo_staff={}", s.cookie));
            if method == "POST" && path.starts_with("/staff") {
                b = b.header("content-type", "application/x-www-form-urlencoded");
                body = Body::from(format!("csrf={}", s.csrf));
            }
        }
        if method == "PUT" {
            b = b.header("content-type", "application/json");
            body = Body::from(household().to_string());
        }
        b.body(body).unwrap()
    };
    const LOGIN: u16 = 303;
    let new_case = format!("/api/v1/cases/{}", new_id());
    let matrix: Vec<(&str, String, [u16; 5])> = vec![
        // route                                         anon   device revoked reviewer admin
        ("PUT", new_case.clone(), [401, 200, 401, 401, 401]),
        ("POST", "/api/v1/uploads/".into(), [401, 412, 401, 401, 401]),
        (
            "HEAD",
            format!("/api/v1/uploads/{photo_id}"),
            [401, 412, 401, 401, 401],
        ),
        (
            "GET",
            format!("/api/v1/cases/{case_id}"),
            [405, 405, 405, 405, 405],
        ),
        (
            "GET",
            "/staff/cases".into(),
            [LOGIN, LOGIN, LOGIN, 200, 200],
        ),
        (
            "GET",
            format!("/staff/cases/{case_id}"),
            [LOGIN, LOGIN, LOGIN, 200, 200],
        ),
        (
            "GET",
            format!("/staff/photos/{photo_id}"),
            [LOGIN, LOGIN, LOGIN, 200, 200],
        ),
        (
            "GET",
            "/staff/export".into(),
            [LOGIN, LOGIN, LOGIN, 200, 200],
        ),
        (
            "GET",
            "/staff/enrolment".into(),
            [LOGIN, LOGIN, LOGIN, 403, 200],
        ),
        (
            "GET",
            "/staff/devices".into(),
            [LOGIN, LOGIN, LOGIN, 403, 200],
        ),
        (
            "GET",
            "/staff/audit".into(),
            [LOGIN, LOGIN, LOGIN, 403, 200],
        ),
        (
            "POST",
            "/staff/enrolment".into(),
            [LOGIN, LOGIN, LOGIN, 403, 303],
        ),
        (
            "POST",
            format!("/staff/devices/{victim}/revoke"),
            [LOGIN, LOGIN, LOGIN, 403, 303],
        ),
        ("GET", "/api/v1/forms".into(), [401, 200, 401, 401, 401]),
        ("GET", "/api/v1/slots".into(), [401, 200, 401, 401, 401]),
        (
            "GET",
            format!("/api/v1/cases/{case_id}/status"),
            [401, 200, 401, 401, 401],
        ),
        (
            "GET",
            "/staff/slots".into(),
            [LOGIN, LOGIN, LOGIN, 200, 200],
        ),
        // The admin's form is empty: refused as a bad slot, not as a missing right.
        (
            "POST",
            "/staff/slots".into(),
            [LOGIN, LOGIN, LOGIN, 403, 400],
        ),
        (
            "GET",
            "/api/v1/devices/me".into(),
            [401, 200, 401, 401, 401],
        ),
        (
            "GET",
            "/api/v1/forms/household-intake/1".into(),
            [401, 200, 401, 401, 401],
        ),
        (
            "GET",
            "/staff/forms".into(),
            [LOGIN, LOGIN, LOGIN, 403, 200],
        ),
        (
            "GET",
            "/staff/forms/household-intake/1".into(),
            [LOGIN, LOGIN, LOGIN, 403, 200],
        ),
        (
            "POST",
            "/staff/forms/household-intake/1/publish".into(),
            [LOGIN, LOGIN, LOGIN, 403, 303],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, expected) in &matrix {
        for (i, who) in [Anonymous, Device, RevokedDevice, Reviewer, Admin]
            .into_iter()
            .enumerate()
        {
            // The first device PUT creates the case; a replay of the same body then answers 200.
            let status = raw(&app, request(who, method, path)).await.status.as_u16();
            let want = if *method == "PUT" && matches!(who, Device) {
                [201, 200]
            } else {
                [expected[i], expected[i]]
            };
            if !want.contains(&status) {
                failures.push(format!(
                    "{method} {path} as {who:?}: {status}, expected {}",
                    expected[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn ids_in_paths_never_reach_files_outside_the_data_directory() {
    let app = staffed_app(|_| {}).await;
    let ana = login(&app, "ana").await;
    for path in [
        "/staff/photos/..%2F..%2Fresguardo.sqlite3",
        "/staff/photos/../resguardo.sqlite3",
        "/staff/photos/%2e%2e%2fresguardo.sqlite3",
        "/staff/cases/..%2F..%2Fetc%2Fpasswd",
        "/staff/photos/00000000-0000-0000-0000-000000000000",
    ] {
        let answer = get(&app, path, Some(&ana.cookie)).await;
        assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
        assert!(!answer.text().contains("SQLite format"), "{path}");
    }
}

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----resguardo-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, session: &Session, file_name: &str, bytes: &[u8]) -> Raw {
    let (content_type, body) = multipart(&session.csrf, file_name, bytes);
    raw(
        app,
        Request::post("/staff/forms")
            .header("cookie", format!("resguardo_staff={}", session.cookie))
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn an_admin_uploads_a_draft_looks_it_over_and_publishes_it() {
    let app = staffed_app(|_| {}).await;
    let ana = login(&app, "ana").await;
    let rita = login(&app, "rita").await;
    let fixture = std::fs::read(format!(
        "{}/../tests/fixtures/forms/child-protection-v1.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();

    // Invalid: every problem on the page, nothing kept.
    let mut broken: serde_json::Value = serde_json::from_slice(&fixture).unwrap();
    broken["pages"][0]["items"][0]["type"] = serde_json::json!("txet");
    broken["pages"][1]["relevant"] = serde_json::json!("${nobody} = 'x'");
    let refused = upload(&app, &ana, "broken.json", broken.to_string().as_bytes()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text();
    assert!(page.contains("unknown type `txet`"), "{page}");
    assert!(
        page.contains("`${nobody}` is not a field of this form"),
        "{page}"
    );
    assert!(app.storage.forms().await.unwrap().is_empty());
    let unreadable = upload(&app, &ana, "form.xlsx", b"not a spreadsheet").await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unreadable.text().contains("not an .xlsx spreadsheet"));
    // The CSRF token is checked, and reviewers may not upload.
    let mut forged = ana.clone();
    forged.csrf = "forged".into();
    assert_eq!(
        upload(&app, &forged, "v1.json", &fixture).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload(&app, &rita, "v1.json", &fixture).await.status,
        StatusCode::FORBIDDEN
    );

    let saved = upload(&app, &ana, "child-protection-v1.json", &fixture).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.headers["location"], "/staff/forms/child-protection/1");
    let draft = get(&app, "/staff/forms/child-protection/1", Some(&ana.cookie))
        .await
        .text();
    assert!(draft.contains("Draft") && draft.contains("Publish this version"));
    assert!(
        draft.contains("Child&#39;s name") || draft.contains("Child's name"),
        "{draft}"
    );
    let list = get(&app, "/staff/forms", Some(&ana.cookie)).await.text();
    assert!(list.contains("data-form=\"child-protection\""));
    let api = app
        .send(Request::get("/api/v1/forms").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        api.json["forms"].as_array().unwrap().len(),
        1,
        "a draft is not offered to devices"
    );

    let published = post_form(
        &app,
        "/staff/forms/child-protection/1/publish",
        Some(&ana.cookie),
        &format!("csrf={}", ana.csrf),
    )
    .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let api = app
        .send(Request::get("/api/v1/forms").body(Body::empty()).unwrap())
        .await;
    assert_eq!(api.json["forms"].as_array().unwrap().len(), 2);
    let detail = get(&app, "/staff/forms/child-protection/1", Some(&ana.cookie))
        .await
        .text();
    assert!(!detail.contains("Publish this version"));
    // Published versions never change.
    let mut changed: serde_json::Value = serde_json::from_slice(&fixture).unwrap();
    changed["title"]["en"] = serde_json::json!("Other");
    let conflict = upload(&app, &ana, "changed.json", changed.to_string().as_bytes()).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.text().contains("published versions never change"));

    let actions: Vec<String> = app
        .storage
        .audit_log(100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.detail))
        .collect();
    assert!(
        actions.contains(&"upload_form child-protection v1".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"publish_form child-protection v1".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_admin_tries_a_draft_judged_by_the_interpreter_and_nothing_is_stored() {
    let app = staffed_app(|_| {}).await;
    let ana = login(&app, "ana").await;
    let rita = login(&app, "rita").await;
    let fixture = std::fs::read(format!(
        "{}/../tests/fixtures/forms/child-protection-v1.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let saved = upload(&app, &ana, "child-protection-v1.json", &fixture).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let detail = get(&app, "/staff/forms/child-protection/1", Some(&ana.cookie))
        .await
        .text();
    assert!(detail.contains("href=\"/staff/forms/child-protection/1/try\""));
    let url = "/staff/forms/child-protection/1/try";
    assert_eq!(
        get(&app, url, Some(&rita.cookie)).await.status,
        StatusCode::FORBIDDEN,
        "reviewers may not"
    );

    // Empty: the first page only (the children's page waits for "yes").
    let empty = get(&app, url, Some(&ana.cookie)).await.text();
    assert!(empty.contains("data-field=\"carer_name\""), "{empty}");
    assert!(!empty.contains("data-page=\"children\""));
    let try_with = |body: String| {
        let (app, cookie) = (&app, ana.cookie.clone());
        async move { post_form(app, url, Some(&cookie), &body).await }
    };
    let csrf = format!("csrf={}", ana.csrf);

    // Check with nothing typed: the name is required.
    let refused = try_with(format!("{csrf}&check=1")).await;
    assert_eq!(refused.status, StatusCode::OK);
    let page = refused.text();
    assert!(page.contains("data-testid=\"try-problems\""), "{page}");
    assert!(page.contains("data-problem=\"required\""));

    // "Yes" shows the children's page; Add gives it an entry with its own UUID.
    let added = try_with(format!(
        "{csrf}&a.carer_name=Rosa&a.travelling_with_children=true&add=children"
    ))
    .await
    .text();
    assert!(added.contains("data-page=\"children\""), "{added}");
    assert!(added.contains("data-entry=\"children.0\""));
    let id_at = added
        .find("name=\"a.children.0.child_id\" value=\"")
        .unwrap()
        + 36;
    let child_id = &added[id_at..id_at + 36];
    assert!(child_id.parse::<protocol::MemberId>().is_ok(), "{child_id}");
    // A four-year-old is not asked about school; an age out of range is named.
    let young = try_with(format!(
        "{csrf}&check=1&a.carer_name=Rosa&a.travelling_with_children=true&n.children=1\
         &a.children.0.child_id={child_id}&a.children.0.child_name=Ana&a.children.0.age=44"
    ))
    .await
    .text();
    assert!(young.contains("children.0.age"), "{young}");
    assert!(young.contains("data-problem=\"out_of_range\""), "{young}");
    let fine = try_with(format!(
        "{csrf}&check=1&form_lang=es&a.carer_name=Rosa&a.travelling_with_children=true&n.children=1\
         &a.children.0.child_id={child_id}&a.children.0.child_name=Ana&a.children.0.age=4"
    ))
    .await
    .text();
    assert!(fine.contains("data-testid=\"try-no-problems\""), "{fine}");
    assert!(!fine.contains("data-field=\"children.0.in_school\""));
    assert!(
        fine.contains("Sobre usted"),
        "the form in the language chosen: {fine}"
    );
    assert!(
        fine.contains(&format!("&quot;child_id&quot;: &quot;{child_id}&quot;")),
        "{fine}"
    );
    // A forged token is refused; nothing was stored at any point.
    let forged = try_with("csrf=forged&check=1".into()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(app.storage.list_cases().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_form_with_two_published_versions_exports_to_one_table_and_one_per_repeat() {
    use std::io::Read;
    let app = staffed_app(|_| {}).await;
    let fixtures = format!("{}/../tests/fixtures/forms", env!("CARGO_MANIFEST_DIR"));
    for file in ["child-protection-v1.json", "child-protection-v2.yaml"] {
        let bytes = std::fs::read(format!("{fixtures}/{file}")).unwrap();
        let def = server::forms::import::read(file, &bytes).unwrap();
        app.state.forms.publish_definition(&def).await.unwrap();
    }
    let child = |name: &str, age: u32| serde_json::json!({"child_id": new_id(), "child_name": name, "age": age});
    let v1 = serde_json::json!({"form_id": "child-protection", "form_version": 1,
        "answers": {"carer_name": "Rosa", "travelling_with_children": true, "children": [child("Ana", 4), child("Luz", 9)]}});
    let v2 = serde_json::json!({"form_id": "child-protection", "form_version": 2,
        "answers": {"carer_name": "Berta", "travelling_with_children": true, "staying": "shelter", "children": [child("Eva", 12)]}});
    for case in [&v1, &v2] {
        assert_eq!(
            app.put_case(&new_id(), case).await.status,
            StatusCode::CREATED
        );
    }
    let ana = login(&app, "ana").await;
    let today = time::OffsetDateTime::now_utc().date();
    let zip = get(
        &app,
        &format!("/staff/export?from={today}&to={today}"),
        Some(&ana.cookie),
    )
    .await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the zip"))
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let form = read("child-protection.csv");
    let mut lines = form.lines();
    assert_eq!(
        lines.next().unwrap(),
        "case_id,receipt_code,received_at,form_version,review_state,reviewed_by,review_note,people,carer_name,travelling_with_children,staying,photos",
        "the columns of both versions, named after the fields"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().any(|r| r.contains(",1,new,,,3,Rosa,yes,,0")),
        "{form}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(",2,new,,,2,Berta,yes,shelter,0")),
        "{form}"
    );
    let children = read("child-protection-children.csv");
    assert!(
        children.starts_with("case_id,receipt_code,child_id,child_name,age,in_school\r\n"),
        "{children}"
    );
    assert_eq!(
        children.lines().count(),
        4,
        "three children, one row each: {children}"
    );
    // The household form has its tables too, empty.
    assert_eq!(read("household-intake.csv").lines().count(), 1);
    // The case page follows the definition too.
    let cases = app.storage.list_cases().await.unwrap();
    let page = get(
        &app,
        &format!("/staff/cases/{}", cases[0].receipt.case_id),
        Some(&ana.cookie),
    )
    .await
    .text();
    assert!(
        page.contains("Your name") && page.contains("Rosa") && page.contains("Family member 1"),
        "{page}"
    );
}

#[tokio::test]
async fn an_admin_makes_a_code_for_shared_tablets_and_sees_which_devices_are_shared() {
    let app = staffed_app(|_| {}).await;
    let ana = login(&app, "ana").await;
    for form in [
        format!("csrf={}&label=Shelter+A+tablet+2&days=&shared=on", ana.csrf),
        format!("csrf={}&label=Volunteer+phones&days=30", ana.csrf),
    ] {
        let made = post_form(&app, "/staff/enrolment", Some(&ana.cookie), &form).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    }
    let codes = app.storage.enrolment_codes().await.unwrap();
    let tablet = codes
        .iter()
        .find(|c| c.label == "Shelter A tablet 2")
        .unwrap();
    let phones = codes
        .iter()
        .find(|c| c.label == "Volunteer phones")
        .unwrap();
    assert!(tablet.shared && !phones.shared);
    let page = get(&app, "/staff/enrolment", Some(&ana.cookie))
        .await
        .text();
    assert!(
        page.contains(&format!(
            r#"data-code="{}" data-shared="true""#,
            tablet.code
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        r#"data-code="{}" data-shared="false""#,
        phones.code
    )));
    assert!(page.contains("Shared tablet") && page.contains("Personal phone"));
    assert!(
        page.contains(&format!("/?code={}&amp;shared=1", tablet.code)),
        "the install link says shared"
    );
    assert!(page.contains(&format!("/?code={}<", phones.code)));

    let registered = app
        .register(serde_json::json!({"enrolment_code": tablet.code}))
        .await;
    assert_eq!(registered.json["settings"]["shared"], true);
    let id = registered.json["device_id"].as_str().unwrap();
    let devices = get(&app, "/staff/devices", Some(&ana.cookie)).await.text();
    assert!(
        devices.contains(&format!(r#"data-device-id="{id}" data-shared="true""#)),
        "{devices}"
    );
    let audit = get(&app, "/staff/audit", Some(&ana.cookie)).await.text();
    assert!(
        audit.contains(&format!("{} (shared tablets)", tablet.code)),
        "{audit}"
    );
}

#[tokio::test]
async fn a_staff_member_signed_in_on_the_tablet_opens_a_forgotten_pins_case_once_and_it_is_audited()
{
    use base64::Engine;
    let app = staffed_app(|_| {}).await;
    let keys: protocol::sealed::SealingKeys = serde_json::from_value(
        app.send_anonymous(Request::get("/api/v1/keys").body(Body::empty()).unwrap())
            .await
            .json,
    )
    .unwrap();
    let case_id = new_id();
    let case: protocol::CaseId = case_id.parse().unwrap();
    let key = keys.current().unwrap();
    let recovery = protocol::sealed::seal_case_key(key, case, &[9; 32], [1; 32]).unwrap();
    let body = serde_json::json!({ "case_id": case_id, "recovery": recovery }).to_string();
    let ask = |cookie: Option<&str>, token: Option<&str>, content_type: &str, body: String| {
        let mut b = Request::post("/staff/recovery").header("content-type", content_type);
        if let Some(c) = cookie {
            b = b.header("cookie", format!("resguardo_staff={c}"));
        }
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b.body(Body::from(body)).unwrap()
    };
    let json = |r: &Raw| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap();
    let token = app.token.clone();

    // No staff member signed in on this device: said so, plainly (the app shows the way).
    let alone = raw(
        &app,
        ask(None, Some(&token), "application/json", body.clone()),
    )
    .await;
    assert_eq!(alone.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&alone)["error"]["code"], "staff_sign_in_needed");
    let rita = login(&app, "rita").await;
    // Not from the app on a registered device, or not as JSON: refused.
    let no_device = raw(
        &app,
        ask(Some(&rita.cookie), None, "application/json", body.clone()),
    )
    .await;
    assert_eq!(json(&no_device)["error"]["code"], "unauthorized");
    let as_form = raw(
        &app,
        ask(
            Some(&rita.cookie),
            Some(&token),
            "application/x-www-form-urlencoded",
            body.clone(),
        ),
    )
    .await;
    assert_eq!(as_form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A sealed case is not a case key: the endpoint opens nothing else.
    let sealed_case =
        protocol::sealed::seal(key, case, household().to_string().as_bytes(), [2; 32]).unwrap();
    let wrong = serde_json::json!({ "case_id": case_id, "recovery": sealed_case }).to_string();
    let refused = raw(
        &app,
        ask(Some(&rita.cookie), Some(&token), "application/json", wrong),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&refused)["error"]["code"], "sealed_unreadable");

    let opened = raw(
        &app,
        ask(
            Some(&rita.cookie),
            Some(&token),
            "application/json",
            body.clone(),
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
    let key_back = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(json(&opened)["case_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(key_back, vec![9; 32]);
    assert_eq!(opened.headers["cache-control"], "no-store");
    let (cleared, attrs) = set_cookie_value(&opened.headers, "resguardo_staff").unwrap();
    assert!(cleared.is_empty() && attrs.contains("Max-Age=0"), "{attrs}");
    // The staff sign-in ended with it: it is not left on the shared tablet.
    assert_eq!(
        get(&app, "/staff/cases", Some(&rita.cookie)).await.status,
        StatusCode::SEE_OTHER
    );
    let again = raw(
        &app,
        ask(Some(&rita.cookie), Some(&token), "application/json", body),
    )
    .await;
    assert_eq!(json(&again)["error"]["code"], "staff_sign_in_needed");
    let audit = app.storage.audit_log(100, 0).await.unwrap();
    let unlocks: Vec<_> = audit.iter().filter(|e| e.action == "unlock_case").collect();
    assert_eq!(unlocks.len(), 1, "{audit:?}");
    assert_eq!(unlocks[0].username, "rita");
    assert_eq!(unlocks[0].case_id, Some(case));
    assert!(
        unlocks[0].detail.contains("device"),
        "{}",
        unlocks[0].detail
    );
}

#[tokio::test]
async fn a_staff_sign_in_opens_a_tablets_volunteer_screen_once_and_it_is_audited() {
    let app = staffed_app(|_| {}).await;
    let ask = |cookie: Option<&str>| {
        let mut b = Request::post("/staff/tablet-view")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", app.token));
        if let Some(c) = cookie {
            b = b.header("cookie", format!("resguardo_staff={c}"));
        }
        b.body(Body::from("{}")).unwrap()
    };
    let json = |r: &Raw| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap();
    let alone = raw(&app, ask(None)).await;
    assert_eq!(json(&alone)["error"]["code"], "staff_sign_in_needed");
    let rita = login(&app, "rita").await;
    let shown = raw(&app, ask(Some(&rita.cookie))).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    assert_eq!(json(&shown)["username"], "rita");
    assert_eq!(
        get(&app, "/staff/cases", Some(&rita.cookie)).await.status,
        StatusCode::SEE_OTHER,
        "the sign-in ended"
    );
    let audit = app.storage.audit_log(100, 0).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "view_tablet" && e.username == "rita" && e.detail.contains("device")));
}

#[tokio::test]
async fn an_admin_publishes_a_slot_a_reviewer_moves_a_household_into_it_and_the_receipt_page_shows_it(
) {
    let app = staffed_app(|c| c.receipt_lookups_per_minute = 8).await;
    let rita = login(&app, "rita").await;
    let ana = login(&app, "ana").await;
    // A reviewer cannot publish; an admin can, and a bad start is refused plainly.
    let form = |csrf: &str, starts: &str| {
        format!(
            "csrf={csrf}&place=Casa+del+Migrante&starts_at={}&minutes=30&capacity=4",
            starts.replace('+', "%2B")
        )
    };
    let day = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    let starts = format!(
        "{:04}-{:02}-{:02}T09:00-07:00",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    assert_eq!(
        post_form(
            &app,
            "/staff/slots",
            Some(&rita.cookie),
            &form(&rita.csrf, &starts)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let bad = post_form(
        &app,
        "/staff/slots",
        Some(&ana.cookie),
        &form(&ana.csrf, "tomorrow"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("2026-12-10T09:00-07:00"),
        "{}",
        bad.text()
    );
    assert_eq!(
        post_form(
            &app,
            "/staff/slots",
            Some(&ana.cookie),
            &form(&ana.csrf, &starts)
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let slots = app
        .send(Request::get("/api/v1/slots").body(Body::empty()).unwrap())
        .await
        .json;
    let slot_id = slots["slots"][0]["slot_id"].as_str().unwrap().to_owned();
    assert_eq!(
        slots["slots"][0]["starts_at"],
        format!("{}:00-07:00", &starts[..16])
    );

    // A household of two arrives before the slot existed for it: no appointment. (The slot is
    // closed while it arrives, so it is not booked by itself.)
    app.storage
        .set_slot_state(slot_id.parse().unwrap(), SlotState::Closed, "ana", "")
        .await
        .unwrap();
    let case_id = new_id();
    let sent = app.put_case(&case_id, &household()).await;
    assert!(sent.json["appointment"].is_null(), "{}", sent.json);
    let code = sent.json["receipt_code"].as_str().unwrap().to_owned();
    let page = get(&app, &format!("/staff/cases/{case_id}"), Some(&rita.cookie)).await;
    assert!(page.text().contains("No appointment"), "{}", page.text());
    // Closed: it cannot be chosen, and a move there is refused.
    let mv = |csrf: &str| format!("csrf={csrf}&action=move&slot_id={slot_id}&note=come+early");
    let refused = post_form(
        &app,
        &format!("/staff/cases/{case_id}/appointment"),
        Some(&rita.cookie),
        &mv(&rita.csrf),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    app.storage
        .set_slot_state(slot_id.parse().unwrap(), SlotState::Open, "ana", "")
        .await
        .unwrap();
    let moved = post_form(
        &app,
        &format!("/staff/cases/{case_id}/appointment"),
        Some(&rita.cookie),
        &mv(&rita.csrf),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text());
    let page = get(&app, &format!("/staff/cases/{case_id}"), Some(&rita.cookie)).await;
    assert!(page.text().contains("Casa del Migrante"), "{}", page.text());

    // The day's page counts the household and its people; the slot's page lists its receipt.
    let day_page = get(&app, "/staff/slots", Some(&rita.cookie)).await.text();
    assert!(day_page.contains("Households: 1 · People: 2"), "{day_page}");
    assert!(day_page.contains("2 / 4"), "{day_page}");
    let slot_page = get(&app, &format!("/staff/slots/{slot_id}"), Some(&rita.cookie))
        .await
        .text();
    assert!(slot_page.contains(&code), "{slot_page}");
    let audit = app.storage.audit_log(20, 0).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.username == "rita" && e.action == "move_appointment"));
    assert!(audit
        .iter()
        .any(|e| e.username == "ana" && e.action == "create_slot"));

    // The receipt page: the place's own date and time, the month named in the reader's
    // language; nothing personal (no name, no note).
    let public = |lang: &str, code: &str| {
        Request::get(format!("/r/{code}"))
            .header("accept-language", lang)
            .body(Body::empty())
            .unwrap()
    };
    let es = raw(&app, public("es", &code)).await;
    assert_eq!(es.status, StatusCode::OK);
    let months_es = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let month = usize::from(u8::from(day.month())) - 1;
    let expected = format!(
        "{} de {} de {}, a las 09:00",
        day.day(),
        months_es[month],
        day.year()
    );
    assert!(es.text().contains(&expected), "{expected} in {}", es.text());
    assert!(es.text().contains("Casa del Migrante"));
    assert!(es.text().contains("Recibido; todavía sin revisar."));
    assert!(es.text().contains("El personal cambió esta cita"));
    assert!(
        !es.text().contains("come early"),
        "staff's note stays with staff"
    );
    let name = household()["applicant"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!es.text().contains(&name), "nothing personal");
    let ar = raw(&app, public("ar", &code)).await.text();
    // A link made by the app carries the person's language, whatever the browser says.
    let chosen = raw(&app, public("en", &format!("{code}?lang=es")))
        .await
        .text();
    assert!(chosen.contains(&expected), "{chosen}");
    let months_ar = [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ];
    assert!(
        ar.contains("dir=\"rtl\"") && ar.contains(months_ar[month]),
        "{ar}"
    );
    // Unknown and malformed codes: "not found", and nothing more.
    let unknown = raw(&app, public("en", "7K3MQ-9XA0Z")).await;
    let malformed = raw(&app, public("en", "nonsense")).await;
    assert_eq!(
        (unknown.status, malformed.status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(unknown.body, malformed.body);
    // Rate-limited per address: codes cannot be tried at speed.
    let mut limited = false;
    for _ in 0..10 {
        if raw(&app, public("en", "7K3MQ-9XA0Z")).await.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
        }
    }
    assert!(limited, "the lookups were never limited");
}

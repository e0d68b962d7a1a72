//! The staff side: server-rendered pages (no scripts, so the strict CSP holds) for the people
//! who review what arrived. Login with an argon2id password and a session cookie (HttpOnly,
//! SameSite=Strict, Secure over TLS); every form carries a CSRF token; accounts lock after
//! repeated failures; everything a staff member views or exports goes to the audit log.
//!
//! - [`auth`]: login, logout, sessions, passwords (and `server admin create-user`).
//! - [`cases`]: the case list, one case with its photos, marking reviewed.
//! - [`appointments`]: slots by day with their households; publish, close, cancel (admins); a
//!   case's household moved or its appointment cancelled (any staff member).
//! - [`admin`]: enrolment codes, devices, the audit log (admins only).
//! - [`export`]: the ZIP of a date range, streamed.
//! - [`forms`]: form definitions: upload a draft, look it over, publish (admins only).
//! - [`form_try`]: trying a version as a plain form, judged by the interpreter, nothing stored.
//! - [`recovery`]: what a staff member signed in on a shared tablet does there through the app
//!   (JSON): open a locked case whose PIN was forgotten, open the volunteer screen.
//! - [`receipt_lookup`]: `/r/{receipt code}`, the one public page: an appointment and review
//!   state for a person who has only their code.
//! - [`text`]: the pages' words in the staff member's language; [`html`]: the layout.

pub mod admin;
pub mod appointments;
pub mod auth;
pub mod cases;
pub mod export;
pub mod form_try;
pub mod forms;
mod html;
pub mod receipt_lookup;
pub mod recovery;
pub mod text;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use protocol::CaseId;

use super::AppState;
use crate::storage::staff::{AuditEntry, Role, StaffSession};
use crate::storage::{now_rfc3339, now_unix};

pub const SESSION_COOKIE: &str = "resguardo_staff";

/// Every page but the export (which may take long to gather) answers within `request_timeout`, so
/// a login body that trickles in forever is cut off (408).
pub fn router(request_timeout: std::time::Duration) -> Router<AppState> {
    let export = Router::new().route("/staff/export", get(export::export));
    Router::new()
        .route("/staff", get(|| async { Redirect::to("/staff/cases") }))
        .route("/staff/", get(|| async { Redirect::to("/staff/cases") }))
        .route("/staff/staff.css", get(stylesheet))
        .route("/staff/login", get(auth::login_page).post(auth::login))
        .route("/staff/logout", post(auth::logout))
        .route("/staff/cases", get(cases::list))
        .route("/staff/cases/{case_id}", get(cases::detail))
        .route("/staff/cases/{case_id}/review", post(cases::review))
        .route("/staff/photos/{photo_id}", get(cases::photo))
        .route(
            "/staff/enrolment",
            get(admin::enrolment_page).post(admin::create_code),
        )
        .route("/staff/enrolment/{code}/revoke", post(admin::revoke_code))
        .route("/staff/devices", get(admin::devices_page))
        .route(
            "/staff/devices/{device_id}/revoke",
            post(admin::revoke_device),
        )
        .route("/staff/audit", get(admin::audit_page))
        .route("/staff/forms", get(forms::list).post(forms::upload))
        .route("/staff/forms/{form_id}/{version}", get(forms::detail))
        .route(
            "/staff/forms/{form_id}/{version}/try",
            get(form_try::show).post(form_try::check),
        )
        .route(
            "/staff/forms/{form_id}/{version}/publish",
            post(forms::publish),
        )
        .route("/staff/language", get(text::choose))
        .route("/r/{code}", get(receipt_lookup::page))
        .route(
            "/staff/slots",
            get(appointments::slots_page).post(appointments::create_slot),
        )
        .route("/staff/slots/{slot_id}", get(appointments::slot_page))
        .route(
            "/staff/slots/{slot_id}/close",
            post(appointments::close_slot),
        )
        .route(
            "/staff/slots/{slot_id}/cancel",
            post(appointments::cancel_slot),
        )
        .route(
            "/staff/cases/{case_id}/appointment",
            post(appointments::change_appointment),
        )
        .route("/staff/recovery", post(recovery::recover))
        .route("/staff/tablet-view", post(recovery::tablet_view))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .merge(export)
        .layer(middleware::from_fn(translate_problems))
}

/// Marks a problem page so [`translate_problems`] can render it in the reader's language.
#[derive(Debug, Clone, Copy)]
struct ProblemPage(&'static str);

fn problem_page(text: &text::Text, message: &str, path: &str) -> maud::Markup {
    let words = text.t(message);
    html::page(
        text,
        &words,
        None,
        path,
        maud::html! { p.problem role="alert" { (words) } },
    )
}

/// Problem pages come out of handlers in English; here they are rendered again in the language
/// of the request.
async fn translate_problems(request: Request, next: Next) -> Response {
    let text = text::Text::for_request(request.headers());
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    match response.extensions().get::<ProblemPage>().copied() {
        Some(ProblemPage(message)) => {
            let (mut parts, _) = response.into_parts();
            // The English page's length does not fit the translated one.
            parts.headers.remove(header::CONTENT_LENGTH);
            (parts, problem_page(&text, message, &path)).into_response()
        }
        None => response,
    }
}

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        include_str!("staff.css"),
    )
        .into_response()
}

/// What a staff request can fail with: pages answer with a page, never JSON.
#[derive(Debug)]
pub enum StaffError {
    /// Not signed in (or the session ended): go to the login page.
    Login,
    /// Signed in, but this needs an admin.
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    BadCsrf,
    NotFound,
    /// The ID of the message (in `staff.ftl`) that says what is wrong.
    BadRequest(&'static str),
    Internal(crate::http::Error),
}

impl From<crate::storage::StorageError> for StaffError {
    fn from(e: crate::storage::StorageError) -> Self {
        StaffError::Internal(crate::http::Error::Storage(e))
    }
}

impl IntoResponse for StaffError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            StaffError::Login => return Redirect::to("/staff/login").into_response(),
            StaffError::Forbidden => (StatusCode::FORBIDDEN, "for-admins"),
            StaffError::BadCsrf => (StatusCode::FORBIDDEN, "form-expired"),
            StaffError::NotFound => (StatusCode::NOT_FOUND, "nothing-here"),
            StaffError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            StaffError::Internal(e) => return e.into_response(),
        };
        let mut response = (
            status,
            problem_page(&text::Text::english(), message, "/staff/cases"),
        )
            .into_response();
        response.extensions_mut().insert(ProblemPage(message));
        response
    }
}

/// A signed-in staff member (extracting it requires a live session).
#[derive(Debug, Clone)]
pub struct Staff {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
}

impl Staff {
    pub fn require_admin(&self) -> Result<(), StaffError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(StaffError::Forbidden)
        }
    }

    pub fn check_csrf(&self, sent: &str) -> Result<(), StaffError> {
        if crate::secrets::constant_time_eq(sent.as_bytes(), self.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(StaffError::BadCsrf)
        }
    }

    pub async fn audit(
        &self,
        state: &AppState,
        action: &str,
        case_id: Option<CaseId>,
        detail: &str,
    ) -> Result<(), StaffError> {
        state
            .staff
            .audit(AuditEntry {
                at: now_rfc3339(),
                username: self.username.clone(),
                action: action.to_owned(),
                case_id,
                detail: detail.to_owned(),
            })
            .await?;
        Ok(())
    }
}

pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(StaffError::Login);
        };
        let hash = crate::secrets::token_hash(&token);
        let session: Option<StaffSession> = state.staff.session(&hash).await?;
        match session {
            Some(s) if s.expires_at > now_unix() => Ok(Staff {
                username: s.username,
                role: s.role,
                csrf_token: s.csrf_token,
            }),
            Some(_) => {
                state.staff.delete_session(&hash).await?;
                Err(StaffError::Login)
            }
            None => Err(StaffError::Login),
        }
    }
}

/// `State` for handlers that only need it alongside [`Staff`].
pub type S = State<AppState>;

//! Staff sign-in: argon2id passwords, session cookies, CSRF tokens, lock-out and rate limits.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use maud::html;

use super::html::page;
use super::text::Text;
use super::{cookie, Staff, StaffError, SESSION_COOKIE};
use crate::http::devices::ClientAddr;
use crate::http::AppState;
use crate::secrets::{self, constant_time_eq, token_hash};
use crate::storage::now_unix;
use crate::storage::staff::{Role, StaffSession, StaffStorage, StaffUser};

const LOGIN_CSRF_COOKIE: &str = "resguardo_login_csrf";
/// How long an account stays locked after too many failures.
const LOCKOUT_SECS: i64 = 15 * 60;

fn random_token() -> Result<String, StaffError> {
    secrets::random_token().map_err(|e| StaffError::Internal(crate::http::Error::io(e)))
}

/// An argon2id hash (PHC string) of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = secrets::random_bytes::<16>().map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// `server admin create-user`: adds a staff account.
pub async fn create_user(
    staff: &dyn StaffStorage,
    username: &str,
    password: &str,
    role: Role,
) -> Result<(), String> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || "._-@".contains(c))
    {
        return Err("a username is 1-64 letters, digits or . _ - @".into());
    }
    if password.chars().count() < 12 {
        return Err("a password has at least 12 characters".into());
    }
    if staff
        .staff_user(username)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("{username} already exists"));
    }
    let password_hash = hash_password(password)?;
    staff
        .add_staff_user(StaffUser {
            username: username.to_owned(),
            password_hash,
            role,
            failed_logins: 0,
            locked_until: None,
        })
        .await
        .map_err(|e| e.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

fn login_form(text: &Text, csrf: &str, message: Option<&str>) -> maud::Markup {
    html! {
        @if let Some(m) = message {
            p.problem role="alert" { (m) }
        }
        form.card method="post" action="/staff/login" {
            input type="hidden" name="csrf" value=(csrf);
            label { (text.t("username")) " " input name="username" autocomplete="username" required; }
            label { (text.t("password")) " " input name="password" type="password" autocomplete="current-password" required; }
            p { button type="submit" { (text.t("log-in")) } }
        }
    }
}

fn login_response(
    state: &AppState,
    text: &Text,
    message: Option<&str>,
    status: axum::http::StatusCode,
) -> Result<Response, StaffError> {
    let csrf = random_token()?;
    let body = login_form(text, &csrf, message);
    let mut response = (
        status,
        page(text, &text.t("log-in"), None, "/staff/login", body),
    )
        .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies),
    );
    Ok(response)
}

pub async fn login_page(State(state): State<AppState>, text: Text) -> Result<Response, StaffError> {
    login_response(&state, &text, None, axum::http::StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    text: Text,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, StaffError> {
    let username = form.username.trim().to_owned();
    let allowed = match state.logins_by_ip.check(&client).await {
        Ok(()) => state.logins_by_account.check(&username).await,
        refused => refused,
    };
    if let Err(wait) = allowed {
        let mut response = login_response(
            &state,
            &text,
            Some(&text.t("login-too-many")),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        )?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(response);
    }
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(StaffError::BadCsrf);
    }
    let now = now_unix();
    let user = state.staff.staff_user(&username).await?;
    // Unknown, wrong and locked look the same from outside (same status, same words, the same
    // password-hashing work), so a login form never tells who has an account.
    let refused = text.t_with(
        "login-wrong",
        &[
            ("attempts", state.lockout_after.into()),
            ("minutes", (LOCKOUT_SECS / 60).into()),
        ],
    );
    let refuse = || {
        login_response(
            &state,
            &text,
            Some(&refused),
            axum::http::StatusCode::UNAUTHORIZED,
        )
    };
    let Some(user) = user else {
        let _ = verify_password(&form.password, DUMMY_HASH);
        tracing::warn!("staff login failed");
        return refuse();
    };
    let password_ok = verify_password(&form.password, &user.password_hash);
    if user.locked_until.is_some_and(|t| t > now) {
        tracing::warn!(username = %user.username, "staff login refused: account locked");
        return refuse();
    }
    if !password_ok {
        state
            .staff
            .login_failed(
                &user.username,
                i64::from(state.lockout_after),
                now,
                now + LOCKOUT_SECS,
            )
            .await?;
        tracing::warn!(username = %user.username, "staff login failed");
        return refuse();
    }
    state.staff.login_succeeded(&user.username).await?;
    let token = random_token()?;
    let lifetime = i64::try_from(state.staff_session_secs).unwrap_or(8 * 3600);
    state
        .staff
        .add_session(
            &token_hash(&token),
            StaffSession {
                username: user.username.clone(),
                role: user.role,
                csrf_token: random_token()?,
                expires_at: now + lifetime,
            },
        )
        .await?;
    tracing::info!(username = %user.username, "staff logged in");
    let mut response = Redirect::to("/staff/cases").into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, lifetime, state.secure_cookies),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, StaffError> {
    staff.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.staff.delete_session(&token_hash(&token)).await?;
    }
    let mut response = Redirect::to("/staff/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies),
    );
    Ok(response)
}

/// An argon2id hash of a random password nobody knows, verified against for unknown usernames.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1Xq0t3bHzMXhNoC0r0m3Zp1lOM5kRUAj4CjLH1yZ8aU";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_as_much_as_a_real_one() {
        let parsed = PasswordHash::new(DUMMY_HASH).expect("a valid PHC string");
        let real = hash_password("correct horse battery staple").unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(parsed.algorithm, real.algorithm);
        assert_eq!(parsed.params, real.params);
        assert!(!verify_password("", DUMMY_HASH));
    }
}

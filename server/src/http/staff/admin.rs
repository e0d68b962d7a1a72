//! Administrators' pages: enrolment codes (create, list, revoke), devices (revoke) and the
//! audit log.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::auth::CsrfForm;
use super::html::{csrf_field, esc, page};
use super::{Staff, StaffError};
use crate::http::devices::{new_enrolment_code, normalize_code};
use crate::http::AppState;
use crate::storage::{now_rfc3339, now_unix, EnrolmentCode};

/// A "Revoke" form for something still active (nothing otherwise).
fn revoke_button(status: &str, action: &str, staff: &Staff) -> String {
    if status != "active" {
        return String::new();
    }
    format!("<form method=\"post\" action=\"{action}\">{}<button type=\"submit\">Revoke</button></form>", csrf_field(staff))
}

pub async fn enrolment_page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, StaffError> {
    staff.require_admin()?;
    let now = now_unix();
    let rows: String = state
        .storage
        .enrolment_codes()
        .await?
        .iter()
        .map(|c| {
            let status = c.status_at(now);
            let revoke = revoke_button(status, &format!("/staff/enrolment/{}/revoke", esc(&c.code)), &staff);
            format!(
                "<tr data-code=\"{code}\"><td class=\"receipt\">{shown}</td><td>{label}</td><td>{status}</td><td>{uses}</td>\
                 <td><code>/?code={code}</code></td><td>{revoke}</td></tr>",
                code = esc(&c.code),
                shown = esc(&format!("{}-{}", &c.code[..4.min(c.code.len())], &c.code[4.min(c.code.len())..])),
                label = esc(&c.label),
                uses = c.uses,
            )
        })
        .collect();
    let body = format!(
        "<form method=\"post\" action=\"/staff/enrolment\" class=\"filters card\">{}\
           <label>Label <input name=\"label\" maxlength=\"100\" placeholder=\"Shelter A, December\"></label>\
           <label>Days valid (empty: no end) <input name=\"days\" type=\"number\" min=\"1\" max=\"3650\"></label>\
           <button type=\"submit\">Create code</button></form>\
         <table><thead><tr><th>Code</th><th>Label</th><th>State</th><th>Uses</th><th>Install link</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table>",
        csrf_field(&staff)
    );
    Ok(page("Enrolment codes", Some(&staff), &body))
}

#[derive(Deserialize)]
pub struct NewCodeForm {
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    days: String,
}

pub async fn create_code(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewCodeForm>,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let days = match form.days.trim() {
        "" => None,
        d => Some(
            d.parse::<u32>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or(StaffError::BadRequest(
                    "Days valid is a number from 1 to 3650.",
                ))?,
        ),
    };
    let code = new_enrolment_code().map_err(StaffError::Internal)?;
    state
        .storage
        .add_enrolment_code(EnrolmentCode {
            code: code.clone(),
            label: form.label.chars().take(100).collect(),
            created_at: now_rfc3339(),
            expires_at: days.map(|d| now_unix() + i64::from(d) * 86_400),
            revoked: false,
            uses: 0,
        })
        .await?;
    staff
        .audit(&state, "create_enrolment_code", None, &code)
        .await?;
    Ok(Redirect::to("/staff/enrolment").into_response())
}

pub async fn revoke_code(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let code = normalize_code(&code);
    if !state.storage.revoke_enrolment_code(&code).await? {
        return Err(StaffError::NotFound);
    }
    staff
        .audit(&state, "revoke_enrolment_code", None, &code)
        .await?;
    Ok(Redirect::to("/staff/enrolment").into_response())
}

pub async fn devices_page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, StaffError> {
    staff.require_admin()?;
    let now = now_unix();
    let rows: String = state
        .storage
        .devices()
        .await?
        .iter()
        .map(|d| {
            let status = d.status_at(now);
            let revoke = revoke_button(status, &format!("/staff/devices/{}/revoke", d.device_id), &staff);
            format!(
                "<tr data-device-id=\"{}\"><td><code>{}</code></td><td>{}</td><td>{status}</td><td>{}</td><td>{revoke}</td></tr>",
                d.device_id,
                d.device_id,
                esc(&d.created_at),
                esc(d.enrolment_code.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let body = format!(
        "<table><thead><tr><th>Device</th><th>Registered</th><th>State</th><th>Enrolment code</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    Ok(page("Devices", Some(&staff), &body))
}

pub async fn revoke_device(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let device_id = id.parse().map_err(|_| StaffError::NotFound)?;
    if !state.storage.revoke_device(device_id).await? {
        return Err(StaffError::NotFound);
    }
    staff.audit(&state, "revoke_device", None, &id).await?;
    Ok(Redirect::to("/staff/devices").into_response())
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, StaffError> {
    staff.require_admin()?;
    const SIZE: i64 = 100;
    let page_no = q.page.unwrap_or(1).max(1);
    let entries = state.staff.audit_log(SIZE, (page_no - 1) * SIZE).await?;
    let rows: String = entries
        .iter()
        .map(|e| {
            let case = e
                .case_id
                .map(|c| format!("<a href=\"/staff/cases/{c}\">{c}</a>"))
                .unwrap_or_default();
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{case}</td><td>{}</td></tr>",
                esc(&e.at),
                esc(&e.username),
                esc(&e.action),
                esc(&e.detail)
            )
        })
        .collect();
    let more = if entries.len() as i64 == SIZE {
        format!(
            "<p class=\"pager\"><a href=\"/staff/audit?page={}\">Older</a></p>",
            page_no + 1
        )
    } else {
        String::new()
    };
    let body = format!(
        "<table><thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Case</th><th>Detail</th></tr></thead><tbody>{rows}</tbody></table>{more}"
    );
    Ok(page("Audit log", Some(&staff), &body))
}

//! Administrators' pages: enrolment codes (create, list, revoke), devices (revoke) and the
//! audit log.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::auth::CsrfForm;
use super::html::{csrf_field, page, scrolling_table};
use super::text::Text;
use super::{Staff, StaffError};
use crate::http::devices::{new_enrolment_code, normalize_code};
use crate::http::AppState;
use crate::storage::{now_rfc3339, now_unix, EnrolmentCode};

/// A "Revoke" form for something still active (nothing otherwise).
fn revoke_button(text: &Text, status: &str, action: &str, staff: &Staff) -> Markup {
    html! {
        @if status == "active" {
            form method="post" action=(action) {
                (csrf_field(staff))
                button type="submit" { (text.t("revoke")) }
            }
        }
    }
}

fn status_name(text: &Text, status: &str) -> String {
    match status {
        "active" => text.t("status-active"),
        "expired" => text.t("status-expired"),
        _ => text.t("status-revoked"),
    }
}

fn kind_name(text: &Text, shared: bool) -> String {
    text.t(if shared {
        "kind-shared"
    } else {
        "kind-personal"
    })
}

pub async fn enrolment_page(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    let now = now_unix();
    let codes = state.storage.enrolment_codes().await?;
    let body = html! {
        form.filters.card method="post" action="/staff/enrolment" {
            (csrf_field(&staff))
            label { (text.t("label")) " " input name="label" maxlength="100" placeholder=(text.t("label-placeholder")); }
            label { (text.t("days-valid")) " " input name="days" type="number" min="1" max="3650"; }
            label.check { input name="shared" type="checkbox" value="on"; " " (text.t("shared-tablets")) }
            button type="submit" { (text.t("create-code")) }
        }
        (scrolling_table(&text.t("nav-enrolment"), html! {
            table {
                thead { tr {
                    th { (text.t("col-code")) } th { (text.t("col-label")) } th { (text.t("col-kind")) }
                    th { (text.t("col-state")) } th { (text.t("col-uses")) } th { (text.t("col-install-link")) } th {}
                } }
                tbody {
                    @for c in &codes {
                        @let status = c.status_at(now);
                        @let cut = 4.min(c.code.len());
                        tr data-code=(c.code) data-shared=(c.shared) {
                            td.receipt dir="ltr" { (c.code[..cut]) "-" (c.code[cut..]) }
                            td { bdi { (c.label) } }
                            td { (kind_name(&text, c.shared)) }
                            td { (status_name(&text, status)) }
                            td { (c.uses) }
                            td { code dir="ltr" { (crate::admin::install_query(&c.code, c.shared)) } }
                            td { (revoke_button(&text, status, &format!("/staff/enrolment/{}/revoke", c.code), &staff)) }
                        }
                    }
                }
            }
        }))
    };
    Ok(page(
        &text,
        &text.t("nav-enrolment"),
        Some(&staff),
        "/staff/enrolment",
        body,
    ))
}

#[derive(Deserialize)]
pub struct NewCodeForm {
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    days: String,
    /// A checkbox: present (`on`) when ticked.
    #[serde(default)]
    shared: Option<String>,
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
                .ok_or(StaffError::BadRequest("bad-days"))?,
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
            shared: form.shared.is_some(),
        })
        .await?;
    let what = if form.shared.is_some() {
        format!("{code} (shared tablets)")
    } else {
        code
    };
    staff
        .audit(&state, "create_enrolment_code", None, &what)
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
    text: Text,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    let now = now_unix();
    let devices = state.storage.devices().await?;
    let body = html! {
        (scrolling_table(&text.t("nav-devices"), html! {
            table {
                thead { tr {
                    th { (text.t("col-device")) } th { (text.t("col-registered")) } th { (text.t("col-kind")) }
                    th { (text.t("col-state")) } th { (text.t("col-enrolment-code")) } th {}
                } }
                tbody {
                    @for d in &devices {
                        @let status = d.status_at(now);
                        tr data-device-id=(d.device_id) data-shared=(d.shared) {
                            td { code dir="ltr" { (d.device_id) } }
                            td { bdi { (d.created_at) } }
                            td { (kind_name(&text, d.shared)) }
                            td { (status_name(&text, status)) }
                            td dir="ltr" { (d.enrolment_code.as_deref().unwrap_or("")) }
                            td { (revoke_button(&text, status, &format!("/staff/devices/{}/revoke", d.device_id), &staff)) }
                        }
                    }
                }
            }
        }))
    };
    Ok(page(
        &text,
        &text.t("nav-devices"),
        Some(&staff),
        "/staff/devices",
        body,
    ))
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
    text: Text,
    Query(q): Query<PageQuery>,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    const SIZE: i64 = 100;
    let page_no = q.page.unwrap_or(1).max(1);
    let entries = state.staff.audit_log(SIZE, (page_no - 1) * SIZE).await?;
    let body = html! {
        (scrolling_table(&text.t("nav-audit"), html! {
            table {
                thead { tr {
                    th { (text.t("col-when")) } th { (text.t("col-who")) } th { (text.t("col-what")) }
                    th { (text.t("col-case")) } th { (text.t("col-detail")) }
                } }
                tbody {
                    @for e in &entries {
                        tr {
                            td { bdi { (e.at) } }
                            td { bdi { (e.username) } }
                            td { code { (e.action) } }
                            td { @if let Some(c) = e.case_id { a href={ "/staff/cases/" (c) } dir="ltr" { (c) } } }
                            td { bdi { (e.detail) } }
                        }
                    }
                }
            }
        }))
        @if entries.len() as i64 == SIZE {
            p.pager { a href={ "/staff/audit?page=" (page_no + 1) } { (text.t("older")) } }
        }
    };
    Ok(page(
        &text,
        &text.t("nav-audit"),
        Some(&staff),
        "/staff/audit",
        body,
    ))
}

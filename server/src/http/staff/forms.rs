//! Forms (admins only): every form and version, uploading a definition as a draft (JSON, YAML or
//! an XLSForm spreadsheet), looking it over page by page, and publishing it.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use protocol::definition::{FormDefinition, Item};

use super::auth::CsrfForm;
use super::html::{csrf_field, page, scrolling_table};
use super::text::Text;
use super::{Staff, StaffError};
use crate::forms::{import, FormError};
use crate::http::AppState;

/// A definition file is small; a spreadsheet of a long form is well under this.
const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

fn upload_form(text: &Text, staff: &Staff) -> Markup {
    html! {
        form.filters.card method="post" action="/staff/forms" enctype="multipart/form-data" {
            (csrf_field(staff))
            label { (text.t("form-file")) " " input type="file" name="file" accept=".json,.yaml,.yml,.xlsx" required; }
            button type="submit" { (text.t("upload-draft")) }
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    let versions = state.forms.versions().await?;
    let body = html! {
        p { (text.t("forms-note")) }
        (upload_form(&text, &staff))
        (scrolling_table(&text.t("nav-forms"), html! {
            table {
                thead { tr {
                    th { (text.t("col-form")) } th { (text.t("col-version")) } th { (text.t("col-title")) }
                    th { (text.t("col-state")) }
                } }
                tbody {
                    @for v in &versions {
                        tr data-form=(v.form_id) data-version=(v.version) {
                            td { a href={ "/staff/forms/" (v.form_id) "/" (v.version) } dir="ltr" { (v.form_id) } }
                            td { (v.version) }
                            td { bdi { (v.title) } }
                            td class={ "state-" (if v.published { "published" } else { "draft" }) } {
                                (text.t(match (v.built_in, v.published) {
                                    (true, _) => "form-built-in",
                                    (false, true) => "form-published",
                                    (false, false) => "form-draft",
                                }))
                            }
                        }
                    }
                }
            }
        }))
    };
    Ok(page(
        &text,
        &text.t("nav-forms"),
        Some(&staff),
        "/staff/forms",
        body,
    ))
}

/// A page that says why an upload was refused, with the upload form to try again.
fn refused(
    text: &Text,
    staff: &Staff,
    status: StatusCode,
    lead: &str,
    details: &[String],
) -> Response {
    let body = html! {
        div.problem role="alert" {
            p { (text.t(lead)) }
            @if !details.is_empty() {
                ul.problems { @for d in details { li { bdi { (d) } } } }
            }
        }
        (upload_form(text, staff))
    };
    (
        status,
        page(
            text,
            &text.t("nav-forms"),
            Some(staff),
            "/staff/forms",
            body,
        ),
    )
        .into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    mut multipart: Multipart,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| StaffError::BadRequest("form-no-file"))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| StaffError::BadRequest("form-no-file"))?;
                if bytes.len() > MAX_FILE_BYTES {
                    return Err(StaffError::BadRequest("form-no-file"));
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return Ok(refused(
            &text,
            &staff,
            StatusCode::BAD_REQUEST,
            "form-no-file",
            &[],
        ));
    };
    let def = match import::read(&name, &bytes) {
        Ok(def) => def,
        Err(import::ImportError::XlsForm(problems)) => {
            let details: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Ok(refused(
                &text,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                "form-problems",
                &details,
            ));
        }
        Err(e) => {
            return Ok(refused(
                &text,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                "form-unreadable",
                &[e.to_string()],
            ));
        }
    };
    match state.forms.save_draft(&def).await {
        Ok(_) => {
            let detail = format!("{} v{}", def.form_id, def.version);
            staff.audit(&state, "upload_form", None, &detail).await?;
            Ok(
                Redirect::to(&format!("/staff/forms/{}/{}", def.form_id, def.version))
                    .into_response(),
            )
        }
        Err(FormError::Invalid(problems)) => {
            let details: Vec<String> = problems.iter().map(ToString::to_string).collect();
            Ok(refused(
                &text,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                "form-problems",
                &details,
            ))
        }
        Err(FormError::Changed { .. }) => Ok(refused(
            &text,
            &staff,
            StatusCode::CONFLICT,
            "form-changed",
            &[],
        )),
        Err(FormError::NotNewer { .. }) => Ok(refused(
            &text,
            &staff,
            StatusCode::CONFLICT,
            "form-not-newer",
            &[],
        )),
        Err(FormError::NotFound { .. }) => Err(StaffError::NotFound),
        Err(FormError::Storage(e)) => Err(e.into()),
    }
}

fn parse_version(version: &str) -> Result<u32, StaffError> {
    version.parse().map_err(|_| StaffError::NotFound)
}

/// Items as nested lists: what a person filling it in will be asked, and the rules.
fn items(def: &FormDefinition, lang: &str, text: &Text, items: &[Item]) -> Markup {
    html! {
        ul.items {
            @for item in items {
                li data-item=(item.name) {
                    strong { bdi { (def.text(&item.label, lang)) } }
                    " " code dir="ltr" { (item.name) } " · " (item.kind)
                    @if item.required { " · " (text.t("required-field")) }
                    @if let Some(r) = &item.relevant { " · " (text.t("shown-when")) " " code dir="ltr" { (r) } }
                    @if let Some(c) = &item.constraint { " · " code dir="ltr" { (c) } }
                    @if !item.items.is_empty() { (self::items(def, lang, text, &item.items)) }
                }
            }
        }
    }
}

pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    Path((form_id, version)): Path<(String, String)>,
) -> Result<Markup, StaffError> {
    staff.require_admin()?;
    let version = parse_version(&version)?;
    let (def, published) = state
        .forms
        .any(&form_id, version)
        .await?
        .ok_or(StaffError::NotFound)?;
    let lang = text.lang().code;
    let path = format!("/staff/forms/{form_id}/{version}");
    let body = html! {
        p {
            bdi { (def.text(&def.title, lang)) } " · " code dir="ltr" { (def.form_id) } " · "
            (text.t("col-version")) " " (def.version) " · "
            (text.t(if published { "form-published" } else { "form-draft" }))
        }
        p { (text.t("form-languages")) ": " span dir="ltr" { (def.languages.join(", ")) } }
        p { a href={ (path) "/try" } data-testid="try-form" { (text.t("try-it")) } }
        @if !published {
            form method="post" action={ (path) "/publish" } {
                (csrf_field(&staff))
                button type="submit" { (text.t("publish-form")) }
            }
        }
        @for page in &def.pages {
            section.card data-page=(page.name) {
                h2 { bdi { (def.text(&page.label, lang)) } }
                @if let Some(r) = &page.relevant { p { (text.t("shown-when")) " " code dir="ltr" { (r) } } }
                (items(&def, lang, &text, &page.items))
            }
        }
    };
    Ok(page(&text, &text.t("nav-forms"), Some(&staff), &path, body))
}

pub async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path((form_id, version)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, StaffError> {
    staff.require_admin()?;
    staff.check_csrf(&form.csrf)?;
    let version = parse_version(&version)?;
    match state.forms.publish(&form_id, version).await {
        Ok(()) => {}
        Err(FormError::Storage(e)) => return Err(e.into()),
        Err(_) => return Err(StaffError::NotFound),
    }
    staff
        .audit(
            &state,
            "publish_form",
            None,
            &format!("{form_id} v{version}"),
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/forms/{form_id}/{version}")).into_response())
}

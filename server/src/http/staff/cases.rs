//! The case list (newest first; by receipt code, date and review state; paged), one case with
//! every member and photo, and marking a case reviewed.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use protocol::{CaseId, CaseSubmission, PhotoId, ReceiptCode};
use serde::Deserialize;

use super::html::{csrf_field, esc, page};
use super::{Staff, StaffError};
use crate::http::AppState;
use crate::storage::staff::{CaseFilter, ReviewedCase};

const PAGE_SIZE: i64 = 25;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: Option<i64>,
}

fn date_or_none(s: &str) -> Result<Option<String>, StaffError> {
    match s.trim() {
        "" => Ok(None),
        d => d
            .parse::<protocol::date::Date>()
            .map(|d| Some(d.to_string()))
            .map_err(|_| StaffError::BadRequest("Dates are YYYY-MM-DD.")),
    }
}

pub fn filter_of(from: &str, to: &str, q: &str, state: &str) -> Result<CaseFilter, StaffError> {
    let receipt_code = match q.trim() {
        "" => None,
        code => Some(
            code.parse::<ReceiptCode>()
                .map_err(|_| {
                    StaffError::BadRequest(
                        "That is not a receipt code (10 letters and digits, like 7K3MQ-9XA0Z).",
                    )
                })?
                .to_string(),
        ),
    };
    let review_state = match state {
        "" => None,
        "new" | "reviewed" => Some(state.to_owned()),
        _ => return Err(StaffError::BadRequest("Unknown review state.")),
    };
    Ok(CaseFilter {
        receipt_code,
        from: date_or_none(from)?,
        to: date_or_none(to)?,
        review_state,
    })
}

fn submission(case: &ReviewedCase) -> Option<CaseSubmission> {
    serde_json::from_slice(&case.stored.body).ok()
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, StaffError> {
    let filter = filter_of(&query.from, &query.to, &query.q, &query.state)?;
    let page_no = query.page.unwrap_or(1).max(1);
    let (cases, total) = state
        .staff
        .find_cases(&filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    let rows: String = cases
        .iter()
        .map(|c| {
            let r = &c.stored.receipt;
            let name = submission(c).map(|s| s.applicant.name).unwrap_or_default();
            format!(
                "<tr data-case-id=\"{id}\"><td><a class=\"receipt\" href=\"/staff/cases/{id}\">{code}</a></td><td>{at}</td>\
                 <td>{name}</td><td>{people}</td><td class=\"state-{st}\">{st}</td></tr>",
                id = r.case_id,
                code = r.receipt_code,
                at = esc(&r.received_at),
                name = esc(&name),
                people = r.people,
                st = esc(&c.review_state),
            )
        })
        .collect();
    let selected = |v: &str| if query.state == v { " selected" } else { "" };
    let params = |p: i64| {
        format!(
            "?q={}&amp;from={}&amp;to={}&amp;state={}&amp;page={p}",
            esc(&query.q),
            esc(&query.from),
            esc(&query.to),
            esc(&query.state)
        )
    };
    let last_page = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut pager = format!("<p class=\"pager\">Page {page_no} of {last_page} · {total} cases");
    if page_no > 1 {
        pager.push_str(&format!(
            " <a href=\"/staff/cases{}\">Newer</a>",
            params(page_no - 1)
        ));
    }
    if page_no < last_page {
        pager.push_str(&format!(
            " <a href=\"/staff/cases{}\">Older</a>",
            params(page_no + 1)
        ));
    }
    pager.push_str("</p>");
    let body = format!(
        "<form class=\"filters\" method=\"get\" action=\"/staff/cases\">\
           <label>Receipt code <input name=\"q\" value=\"{q}\" placeholder=\"7K3MQ-9XA0Z\"></label>\
           <label>From <input type=\"date\" name=\"from\" value=\"{from}\"></label>\
           <label>To <input type=\"date\" name=\"to\" value=\"{to}\"></label>\
           <label>State <select name=\"state\"><option value=\"\">Any</option>\
             <option value=\"new\"{new}>New</option><option value=\"reviewed\"{rev}>Reviewed</option></select></label>\
           <button type=\"submit\">Search</button></form>\
         <form class=\"filters\" method=\"get\" action=\"/staff/export\">\
           <label>Export from <input type=\"date\" name=\"from\" value=\"{from}\"></label>\
           <label>to <input type=\"date\" name=\"to\" value=\"{to}\"></label>\
           <button type=\"submit\">Download ZIP</button></form>\
         <table><thead><tr><th>Receipt</th><th>Received (UTC)</th><th>Applicant</th><th>People</th><th>Review</th></tr></thead>\
         <tbody>{rows}</tbody></table>{pager}",
        q = esc(&query.q),
        from = esc(&query.from),
        to = esc(&query.to),
        new = selected("new"),
        rev = selected("reviewed"),
    );
    Ok(page("Cases", Some(&staff), &body))
}

fn parse_case_id(id: &str) -> Result<CaseId, StaffError> {
    id.parse().map_err(|_| StaffError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, StaffError> {
    let case_id = parse_case_id(&id)?;
    let case = state
        .staff
        .reviewed_case(case_id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let s = submission(&case).ok_or(StaffError::NotFound)?;
    staff.audit(&state, "view_case", Some(case_id), "").await?;
    let r = &case.stored.receipt;
    let photos_of = |member: Option<protocol::MemberId>| -> String {
        let figures: String = s
            .photos
            .iter()
            .filter(|p| p.member_id == member)
            .map(|p| {
                format!(
                    "<figure data-photo-id=\"{id}\"><a href=\"/staff/photos/{id}\"><img src=\"/staff/photos/{id}\" alt=\"{kind}\"></a>\
                     <figcaption>{kind} · <a href=\"/staff/photos/{id}\">full size</a></figcaption></figure>",
                    id = p.photo_id,
                    kind = esc(&p.kind)
                )
            })
            .collect();
        if figures.is_empty() {
            "<p>No photos.</p>".into()
        } else {
            format!("<div class=\"photos\">{figures}</div>")
        }
    };
    let a = &s.applicant;
    let members: String = s
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "<section class=\"card member\"><h3>Family member {n}</h3><dl><dt>Name</dt><dd>{name}</dd>\
                 <dt>Date of birth</dt><dd>{dob}</dd><dt>Relationship</dt><dd>{rel}</dd></dl>{photos}</section>",
                n = i + 1,
                name = esc(&m.name),
                dob = esc(&m.date_of_birth),
                rel = esc(&m.relationship),
                photos = photos_of(Some(m.member_id))
            )
        })
        .collect();
    let review = match case.review_state.as_str() {
        "reviewed" => format!(
            "<p class=\"state-reviewed\">Reviewed by {} at {}</p><p>{}</p>",
            esc(case.reviewed_by.as_deref().unwrap_or("")),
            esc(case.reviewed_at.as_deref().unwrap_or("")),
            esc(case.review_note.as_deref().unwrap_or(""))
        ),
        _ => format!(
            "<form method=\"post\" action=\"/staff/cases/{}/review\">{}\
             <label>Note <textarea name=\"note\" rows=\"3\" maxlength=\"2000\"></textarea></label>\
             <p><button type=\"submit\">Mark reviewed</button></p></form>",
            r.case_id,
            csrf_field(&staff)
        ),
    };
    let body = format!(
        "<p>Receipt <span class=\"receipt\">{code}</span> · received {at} · {people} people</p>\
         <section class=\"card applicant\"><h2>Applicant</h2><dl>\
           <dt>Name</dt><dd>{name}</dd><dt>Date of birth</dt><dd>{dob}</dd><dt>Country of origin</dt><dd>{country}</dd>\
           <dt>Phone</dt><dd>{phone}</dd><dt>Languages</dt><dd>{langs}</dd><dt>Needs</dt><dd>{needs}</dd><dt>Note</dt><dd>{note}</dd>\
         </dl>{photos}</section>{members}<section class=\"card\"><h2>Review</h2>{review}</section>",
        code = r.receipt_code,
        at = esc(&r.received_at),
        people = r.people,
        name = esc(&a.name),
        dob = esc(&a.date_of_birth),
        country = esc(&a.country_of_origin),
        phone = esc(&a.phone),
        langs = esc(&a.languages.join(", ")),
        needs = esc(&a.needs.join(", ")),
        note = esc(&a.needs_note),
        photos = photos_of(None),
    );
    Ok(page(
        &format!("Case {}", r.receipt_code),
        Some(&staff),
        &body,
    ))
}

#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

pub async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, StaffError> {
    staff.check_csrf(&form.csrf)?;
    let case_id = parse_case_id(&id)?;
    let note: String = form.note.chars().take(2000).collect();
    if !state
        .staff
        .review_case(case_id, &staff.username, &note)
        .await?
    {
        return Err(StaffError::NotFound);
    }
    staff
        .audit(&state, "review_case", Some(case_id), "")
        .await?;
    Ok(Redirect::to(&format!("/staff/cases/{case_id}")).into_response())
}

/// A stored photo, to signed-in staff only. The ID is parsed as a UUID before any path is built.
pub async fn photo(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, StaffError> {
    let photo_id: PhotoId = id.parse().map_err(|_| StaffError::NotFound)?;
    let upload = state
        .storage
        .upload(photo_id)
        .await?
        .filter(|u| u.completed)
        .ok_or(StaffError::NotFound)?;
    let file = state
        .blobs
        .open_photo(photo_id)
        .await
        .map_err(|_| StaffError::NotFound)?;
    // Fused: the compression layer may poll once more after the end (tower-http#732).
    let body = Body::from_stream(futures_util::StreamExt::fuse(
        tokio_util::io::ReaderStream::new(file),
    ));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&upload.content_type)
            .unwrap_or(HeaderValue::from_static("image/jpeg")),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(upload.length));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Opened on its own, the browser's image viewer styles the page inline; nothing else may run.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    );
    Ok(response)
}

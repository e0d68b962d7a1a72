//! The case list (newest first; by receipt code, date and review state; paged), one case with
//! every answer, repeat entry and photo as its form's definition lays them out, and marking a
//! case reviewed.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use protocol::definition::{ChoiceList, FormDefinition, Item, Kind};
use protocol::{CaseId, PhotoId, PhotoRef, ReceiptCode, Submission};
use serde::Deserialize;

use super::html::{csrf_field, page, scrolling_table};
use super::text::Text;
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
            .map_err(|_| StaffError::BadRequest("bad-dates")),
    }
}

pub fn filter_of(from: &str, to: &str, q: &str, state: &str) -> Result<CaseFilter, StaffError> {
    let receipt_code = match q.trim() {
        "" => None,
        code => Some(
            code.parse::<ReceiptCode>()
                .map_err(|_| StaffError::BadRequest("bad-receipt"))?
                .to_string(),
        ),
    };
    let review_state = match state {
        "" => None,
        "new" | "reviewed" => Some(state.to_owned()),
        _ => return Err(StaffError::BadRequest("bad-review-state")),
    };
    Ok(CaseFilter {
        receipt_code,
        from: date_or_none(from)?,
        to: date_or_none(to)?,
        review_state,
    })
}

fn submission(case: &ReviewedCase) -> Option<Submission> {
    serde_json::from_slice(&case.stored.body).ok()
}

/// The name of the person who filled the case in (the definition's `name` role).
async fn applicant_name(state: &AppState, case: &ReviewedCase) -> Result<String, StaffError> {
    let Some(s) = submission(case) else {
        return Ok(String::new());
    };
    let Some(def) = state.forms.published(&s.form_id, s.form_version).await? else {
        return Ok(String::new());
    };
    Ok(crate::forms::tables::cell(crate::forms::tables::at(
        &s.answers,
        &def.roles.name,
    )))
}

fn review_state_name(text: &Text, state: &str) -> String {
    match state {
        "reviewed" => text.t("state-reviewed"),
        _ => text.t("state-new"),
    }
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    Query(query): Query<ListQuery>,
) -> Result<Markup, StaffError> {
    let filter = filter_of(&query.from, &query.to, &query.q, &query.state)?;
    let page_no = query.page.unwrap_or(1).max(1);
    let (cases, total) = state
        .staff
        .find_cases(&filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    let link = |p: i64| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &query.q)
            .append_pair("from", &query.from)
            .append_pair("to", &query.to)
            .append_pair("state", &query.state)
            .append_pair("page", &p.to_string())
            .finish();
        format!("/staff/cases?{query}")
    };
    let last_page = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut names = Vec::with_capacity(cases.len());
    for c in &cases {
        names.push(applicant_name(&state, c).await?);
    }
    let body = html! {
        form.filters method="get" action="/staff/cases" {
            label { (text.t("receipt-code")) " " input name="q" value=(query.q) placeholder="7K3MQ-9XA0Z" dir="ltr"; }
            label { (text.t("from")) " " input type="date" name="from" value=(query.from); }
            label { (text.t("to")) " " input type="date" name="to" value=(query.to); }
            label { (text.t("review-state")) " "
                select name="state" {
                    option value="" { (text.t("any-state")) }
                    option value="new" selected[query.state == "new"] { (text.t("state-new")) }
                    option value="reviewed" selected[query.state == "reviewed"] { (text.t("state-reviewed")) }
                }
            }
            button type="submit" { (text.t("search")) }
        }
        form.filters method="get" action="/staff/export" {
            label { (text.t("export-from")) " " input type="date" name="from" value=(query.from); }
            label { (text.t("export-to")) " " input type="date" name="to" value=(query.to); }
            button type="submit" { (text.t("download-zip")) }
        }
        (scrolling_table(&text.t("cases"), html! {
            table {
                thead { tr {
                    th { (text.t("col-receipt")) } th { (text.t("col-received")) } th { (text.t("col-applicant")) }
                    th { (text.t("col-people")) } th { (text.t("col-review")) }
                } }
                tbody {
                    @for (c, name) in cases.iter().zip(&names) {
                        @let r = &c.stored.receipt;
                        tr data-case-id=(r.case_id) {
                            td { a.receipt href={ "/staff/cases/" (r.case_id) } dir="ltr" { (r.receipt_code) } }
                            td { bdi { (r.received_at) } }
                            td { bdi { (name) } }
                            td { (r.people) }
                            td class={ "state-" (c.review_state) } { (review_state_name(&text, &c.review_state)) }
                        }
                    }
                }
            }
        }))
        p.pager {
            (text.t_with("page-of", &[("page", page_no.into()), ("pages", last_page.into()), ("total", total.into())]))
            @if page_no > 1 { " " a href=(link(page_no - 1)) { (text.t("newer")) } }
            @if page_no < last_page { " " a href=(link(page_no + 1)) { (text.t("older")) } }
        }
    };
    Ok(page(
        &text,
        &text.t("cases"),
        Some(&staff),
        "/staff/cases",
        body,
    ))
}

fn parse_case_id(id: &str) -> Result<CaseId, StaffError> {
    id.parse().map_err(|_| StaffError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    text: Text,
    Path(id): Path<String>,
) -> Result<Markup, StaffError> {
    let case_id = parse_case_id(&id)?;
    let case = state
        .staff
        .reviewed_case(case_id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let s = submission(&case).ok_or(StaffError::NotFound)?;
    let def = state
        .forms
        .published(&s.form_id, s.form_version)
        .await?
        .ok_or(StaffError::NotFound)?;
    staff.audit(&state, "view_case", Some(case_id), "").await?;
    let r = &case.stored.receipt;
    let lang = text.lang().code;
    let people_repeat = def.documents().and_then(|d| d.people.clone());
    let photos_of = |member: Option<String>| -> Markup {
        let photos: Vec<&PhotoRef> = s
            .photos
            .iter()
            .filter(|p| p.member_id.map(|m| m.to_string()) == member)
            .collect();
        photo_list(&text, &def, lang, &photos)
    };
    let top: Vec<(String, &Item)> = def
        .walk()
        .into_iter()
        .filter(|(path, item)| item.kind().is_some_and(Kind::is_field) && !in_repeat(&def, path))
        .collect();
    let repeats: Vec<(String, &Item)> = def
        .walk()
        .into_iter()
        .filter(|(path, item)| item.kind() == Some(Kind::Repeat) && !path.contains('.'))
        .collect();
    let appointment = super::appointments::case_section(
        &state,
        &staff,
        &text,
        case_id,
        r.people,
        r.appointment.as_ref(),
    )
    .await?;
    let body = html! {
        p { (text.t_with("case-summary", &[
            ("code", r.receipt_code.to_string().as_str().into()),
            ("at", r.received_at.as_str().into()),
            ("people", r.people.into()),
        ])) }
        p.form-version { (def.text(&def.title, lang)) " · " (def.form_id) " v" (def.version) }
        section.card.applicant {
            h2 { (text.t("applicant")) }
            (answer_list(&def, lang, &top, &s.answers))
            (photos_of(None))
        }
        @for (path, repeat) in &repeats {
            @let household = def.roles.household.as_deref() == Some(path.as_str());
            @let key = repeat.item_id_key();
            @let fields = fields_of(&def, path);
            @for (i, entry) in s.answers.get(path).and_then(|v| v.as_array()).into_iter().flatten().filter_map(|e| e.as_object()).enumerate() {
                section.card.member.repeat data-repeat=(path) {
                    h3 {
                        @if household { (text.t_with("family-member", &[("n", (i + 1).into())])) }
                        @else { (def.text(&repeat.label, lang)) " " (i + 1) }
                    }
                    (answer_list(&def, lang, &fields, entry))
                    @if people_repeat.as_deref() == Some(path.as_str()) {
                        (photos_of(entry.get(key).and_then(|v| v.as_str()).map(str::to_owned)))
                    }
                }
            }
        }
        (appointment)
        section.card {
            h2 { (text.t("review")) }
            @if case.review_state == "reviewed" {
                p.state-reviewed { (text.t_with("reviewed-by", &[
                    ("user", case.reviewed_by.as_deref().unwrap_or("").into()),
                    ("at", case.reviewed_at.as_deref().unwrap_or("").into()),
                ])) }
                p { (case.review_note.as_deref().unwrap_or("")) }
            } @else {
                form method="post" action={ "/staff/cases/" (r.case_id) "/review" } {
                    (csrf_field(&staff))
                    label { (text.t("note")) " " textarea name="note" rows="3" maxlength="2000" {} }
                    p { button type="submit" { (text.t("mark-reviewed")) } }
                }
            }
        }
    };
    let title = text.t_with(
        "case-title",
        &[("code", r.receipt_code.to_string().as_str().into())],
    );
    Ok(page(
        &text,
        &title,
        Some(&staff),
        &format!("/staff/cases/{case_id}"),
        body,
    ))
}

/// Whether a definition path lies inside a repeat.
fn in_repeat(def: &FormDefinition, path: &str) -> bool {
    let mut prefix = String::new();
    for part in path.split('.') {
        if !prefix.is_empty() && def.item(&prefix).and_then(Item::kind) == Some(Kind::Repeat) {
            return true;
        }
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
    }
    false
}

/// The fields of a repeat's entries (not those of a repeat inside it), with their paths from
/// the entry.
fn fields_of<'d>(def: &'d FormDefinition, repeat: &str) -> Vec<(String, &'d Item)> {
    let prefix = format!("{repeat}.");
    def.walk()
        .into_iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix(&prefix)?.to_owned();
            let mut inner = repeat.to_owned();
            let parts: Vec<&str> = rest.split('.').collect();
            for part in &parts[..parts.len() - 1] {
                inner = format!("{inner}.{part}");
                if def.item(&inner).and_then(Item::kind) == Some(Kind::Repeat) {
                    return None;
                }
            }
            item.kind()
                .is_some_and(Kind::is_field)
                .then_some((rest, item))
        })
        .collect()
}

/// Answers as a definition list, labelled in the staff member's language where the form has it.
fn answer_list(
    def: &FormDefinition,
    lang: &str,
    fields: &[(String, &Item)],
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Markup {
    html! {
        dl {
            @for (path, item) in fields {
                @let value = crate::forms::tables::at(answers, path);
                dt { (def.text(&item.label, lang)) }
                dd data-field=(path) {
                    @match (item.kind(), value) {
                        (Some(Kind::Phone), Some(v)) => { span dir="ltr" { (crate::forms::tables::cell(Some(v))) } }
                        (Some(Kind::SelectOne | Kind::SelectMultiple), Some(v)) => {
                            @let codes: Vec<&str> = match v {
                                serde_json::Value::Array(a) => a.iter().filter_map(|c| c.as_str()).collect(),
                                other => other.as_str().into_iter().collect(),
                            };
                            @for (i, code) in codes.iter().enumerate() {
                                @if i > 0 { ", " }
                                data value=(code) { (choice_name(def, item, code, lang)) }
                            }
                        }
                        (_, v) => { bdi { (crate::forms::tables::cell(v)) } }
                    }
                }
            }
        }
    }
}

/// A choice's name in `lang`; built-in lists (countries, languages) show their codes.
fn choice_name(def: &FormDefinition, item: &Item, code: &str, lang: &str) -> String {
    match item.choices.as_ref().and_then(|l| def.choices.get(l)) {
        Some(ChoiceList::Listed(choices)) => choices
            .iter()
            .find(|c| c.name == code)
            .map_or_else(|| code.to_owned(), |c| def.text(&c.label, lang).to_owned()),
        _ => code.to_owned(),
    }
}

fn photo_list(text: &Text, def: &FormDefinition, lang: &str, photos: &[&PhotoRef]) -> Markup {
    let kind_name = |kind: &str| {
        def.documents()
            .map_or_else(|| kind.to_owned(), |d| choice_name(def, d, kind, lang))
    };
    html! {
        @if photos.is_empty() {
            p { (text.t("no-photos")) }
        } @else {
            div.photos {
                @for p in photos {
                    figure data-photo-id=(p.photo_id) {
                        a href={ "/staff/photos/" (p.photo_id) } { img src={ "/staff/photos/" (p.photo_id) } alt=(kind_name(&p.kind)); }
                        figcaption { (kind_name(&p.kind)) " · " a href={ "/staff/photos/" (p.photo_id) } { (text.t("full-size")) } }
                    }
                }
            }
        }
    }
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
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(upload.photo_length()),
    );
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

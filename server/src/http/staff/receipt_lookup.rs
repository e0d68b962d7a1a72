//! `/r/{receipt code}`: the one server-rendered page that is not for staff. A person who has only
//! their receipt code (written down, or the QR code of a shared tablet's receipt) sees the
//! appointment's date, time and place and whether the case was reviewed — nothing personal, not
//! even staff's note. It is rate-limited per address, and a code that does not exist (or is not a
//! code at all) gets "not found" and nothing more. It lives with the staff pages because it uses
//! their words (`staff.ftl`, under `public-`) and their language choice.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use protocol::appointment::CaseStatus;
use protocol::ReceiptCode;

use super::text::Text;
use super::StaffError;
use crate::http::devices::ClientAddr;
use crate::http::AppState;

/// The months' names, in the message files so each language names them itself.
const MONTHS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
    "month-9", "month-10", "month-11", "month-12",
];

/// `?lang=es`: a link made by the app opens in the person's language, whatever the browser's.
#[derive(serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    text: Text,
    Path(code): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<Response, StaffError> {
    let text = match query.lang.as_deref().and_then(locales::language) {
        Some(lang) => Text::new(lang),
        None => text,
    };
    if state.receipt_lookups.check(&client).await.is_err() {
        let body = html! { p role="alert" { (text.t("public-too-many")) } };
        return Ok((StatusCode::TOO_MANY_REQUESTS, layout(&text, body)).into_response());
    }
    let found = match code.parse::<ReceiptCode>() {
        Ok(code) => state.appointments.status_by_receipt(&code).await?,
        Err(_) => None,
    };
    let Some(status) = found else {
        let body = html! { p role="alert" { (text.t("public-not-found")) } };
        return Ok((StatusCode::NOT_FOUND, layout(&text, body)).into_response());
    };
    Ok(layout(&text, status_view(&text, &status)).into_response())
}

fn status_view(text: &Text, status: &CaseStatus) -> Markup {
    let code = status.receipt.receipt_code.to_string();
    let review = if status.review_state == "reviewed" {
        text.t("public-state-reviewed")
    } else {
        text.t("public-state-new")
    };
    html! {
        p.receipt-code { (text.t("public-receipt")) " " bdi dir="ltr" data-testid="receipt-code" { (code) } }
        h2 { (text.t("public-appointment")) }
        @match &status.receipt.appointment {
            Some(a) => {
                dl data-testid="appointment" {
                    dt { (text.t("public-when")) }
                    dd data-testid="appointment-when" { (when(text, &a.starts_at)) }
                    dt { (text.t("public-length")) }
                    dd { (text.t_with("public-minutes", &[("minutes", f64::from(a.minutes).into())])) }
                    dt { (text.t("public-place")) }
                    dd data-testid="appointment-place" { bdi { (a.place) } }
                }
                @if status.appointment_changed_at.is_some() {
                    p data-testid="appointment-changed" { (text.t("public-changed")) }
                }
            }
            None => {
                p data-testid="no-appointment" { (text.t("public-no-appointment")) }
                @if status.appointment_changed_at.is_some() {
                    p data-testid="appointment-changed" { (text.t("public-cancelled")) }
                }
            }
        }
        h2 { (text.t("public-review")) }
        p data-testid="review-state" { (review) }
    }
}

/// The start as the place's own date and time (the offset it was published with), with the
/// month named in the reader's language: never a numeric date that reads differently by country.
fn when(text: &Text, starts_at: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(at) = time::OffsetDateTime::parse(starts_at, &Rfc3339) else {
        return starts_at.to_owned();
    };
    let month = MONTHS[usize::from(u8::from(at.month())) - 1];
    let date = text.t_with(
        "public-date",
        &[
            ("day", f64::from(at.day()).into()),
            ("month", text.t(month).as_str().into()),
            ("year", f64::from(at.year()).into()),
        ],
    );
    let clock = format!("{:02}:{:02}", at.hour(), at.minute());
    text.t_with(
        "public-date-time",
        &[
            ("date", date.as_str().into()),
            ("time", clock.as_str().into()),
        ],
    )
}

fn layout(text: &Text, body: Markup) -> Markup {
    let lang = text.lang();
    html! {
        (DOCTYPE)
        html lang=(lang.code) dir=(if lang.rtl { "rtl" } else { "ltr" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (text.t("public-title")) }
                link rel="stylesheet" href="/staff/staff.css";
            }
            body {
                main {
                    h1 { (text.t("public-title")) }
                    (body)
                }
            }
        }
    }
}

//! The export of a date range as a ZIP, the way ODK Central does it: `cases.csv`,
//! `members.csv`, `cases.json`, and the photos in one folder per case. Streamed as it is written,
//! so a large export never sits in memory; every exported case is written to the audit log.

use std::borrow::Cow;
use std::io::Write;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use protocol::CaseSubmission;
use serde::Deserialize;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use super::cases::filter_of;
use super::{Staff, StaffError};
use crate::http::AppState;
use crate::storage::blobs::BlobStore;
use crate::storage::staff::ReviewedCase;
use crate::storage::Upload;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ExportQuery>,
) -> Result<Response, StaffError> {
    let filter = filter_of(&q.from, &q.to, "", "")?;
    let mut cases = Vec::new();
    loop {
        let (batch, total) = state
            .staff
            .find_cases(&filter, 500, cases.len() as i64)
            .await?;
        let done = batch.is_empty();
        cases.extend(batch);
        if done || cases.len() as i64 >= total {
            break;
        }
    }
    cases.reverse(); // oldest first in the files
    let range = format!(
        "{}..{}",
        filter.from.as_deref().unwrap_or(""),
        filter.to.as_deref().unwrap_or("")
    );
    let mut photos = Vec::new();
    for case in &cases {
        let id = case.stored.receipt.case_id;
        staff.audit(&state, "export_case", Some(id), &range).await?;
        for upload in state.staff.photos_of_case(id).await? {
            photos.push((case.stored.receipt.receipt_code.to_string(), upload));
        }
    }
    tracing::info!(username = %staff.username, cases = cases.len(), "export");

    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    let blobs = state.blobs.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter {
            tx,
            buffer: Vec::with_capacity(CHUNK),
        };
        let written =
            write_zip(&mut writer, &cases, &photos, &blobs, &runtime).and_then(|()| writer.flush());
        if let Err(e) = written {
            tracing::warn!(error = %e, "export stopped");
            let _ = writer.tx.blocking_send(Err(e));
        }
    });
    // Fused: the compression layer may poll once more after the end (tower-http#732).
    let stream =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }));
    let name = format!(
        "resguardo-export-{}.zip",
        range.replace("..", "-to-").trim_matches('-')
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

const CHUNK: usize = 64 * 1024;

/// A `Write` that hands the bytes to the response body, 64 KiB at a time.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the download was cancelled"))
    }
}

/// A cell as it goes into the CSV: one that a spreadsheet could read as a formula gets a
/// leading `'`, so it shows what was typed and never runs (OWASP's CSV injection advice, plus the
/// full-width signs and the tricks some spreadsheets still fall for). Quoting is the `csv`
/// crate's.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    const FORMULA_STARTS: [char; 9] = ['=', '+', '-', '@', '|', '＝', '＋', '－', '＠'];
    let risky = cell.starts_with(['\t', '\r', '\n', ' '])
        || cell
            .trim_start_matches(|c: char| c.is_whitespace())
            .starts_with(FORMULA_STARTS)
        || cell.contains(";=");
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes one CSV file (header and rows, CRLF line ends) into the open ZIP entry.
fn write_csv<'a>(
    out: impl Write,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cow<'a, str>>>,
) -> std::io::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    csv.write_record(header)?;
    for row in rows {
        csv.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    csv.flush()
}

fn write_zip(
    writer: &mut ChannelWriter,
    cases: &[ReviewedCase],
    photos: &[(String, Upload)],
    blobs: &Arc<dyn BlobStore>,
    runtime: &tokio::runtime::Handle,
) -> std::io::Result<()> {
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new_stream(writer);

    let parsed: Vec<(&ReviewedCase, CaseSubmission)> = cases
        .iter()
        .filter_map(|c| serde_json::from_slice(&c.stored.body).ok().map(|s| (c, s)))
        .collect();

    zip.start_file("cases.csv", deflated)?;
    write_csv(
        &mut zip,
        &[
            "case_id",
            "receipt_code",
            "received_at",
            "review_state",
            "reviewed_by",
            "review_note",
            "people",
            "applicant_name",
            "date_of_birth",
            "country_of_origin",
            "phone",
            "languages",
            "needs",
            "needs_note",
            "photos",
        ],
        parsed.iter().map(|(c, s)| {
            let r = &c.stored.receipt;
            let a = &s.applicant;
            vec![
                r.case_id.to_string().into(),
                r.receipt_code.to_string().into(),
                r.received_at.as_str().into(),
                c.review_state.as_str().into(),
                c.reviewed_by.as_deref().unwrap_or("").into(),
                c.review_note.as_deref().unwrap_or("").into(),
                r.people.to_string().into(),
                a.name.as_str().into(),
                a.date_of_birth.as_str().into(),
                a.country_of_origin.as_str().into(),
                a.phone.as_str().into(),
                a.languages.join(" ").into(),
                a.needs.join(" ").into(),
                a.needs_note.as_str().into(),
                s.photos.len().to_string().into(),
            ]
        }),
    )?;

    zip.start_file("members.csv", deflated)?;
    write_csv(
        &mut zip,
        &[
            "case_id",
            "receipt_code",
            "member_id",
            "name",
            "date_of_birth",
            "relationship",
        ],
        parsed.iter().flat_map(|(c, s)| {
            let r = &c.stored.receipt;
            s.members.iter().map(move |m| {
                vec![
                    r.case_id.to_string().into(),
                    r.receipt_code.to_string().into(),
                    m.member_id.to_string().into(),
                    m.name.as_str().into(),
                    m.date_of_birth.as_str().into(),
                    m.relationship.as_str().into(),
                ]
            })
        }),
    )?;

    zip.start_file("cases.json", deflated)?;
    let json: Vec<serde_json::Value> = parsed
        .iter()
        .map(|(c, s)| {
            serde_json::json!({
                "case_id": c.stored.receipt.case_id,
                "receipt_code": c.stored.receipt.receipt_code,
                "received_at": c.stored.receipt.received_at,
                "review_state": c.review_state,
                "case": s,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut zip, &json).map_err(std::io::Error::other)?;

    for (receipt, upload) in photos {
        let extension = match upload.content_type.as_str() {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        };
        zip.start_file(
            format!("photos/{receipt}/{}.{extension}", upload.photo_id),
            stored,
        )?;
        let reader = runtime.block_on(blobs.open_photo(upload.photo_id))?;
        let mut file = tokio_util::io::SyncIoBridge::new_with_handle(reader, runtime.clone());
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{neutralise, write_csv};

    #[test]
    fn formula_like_cells_are_neutralised() {
        for risky in [
            "=HYPERLINK(\"http://x\")",
            "+1 555",
            "-2+3",
            "@SUM(A1)",
            "|cmd",
            "＝1+1",
            "＋1",
            "－1",
            "＠A1",
            "\tplain after a tab",
            "\rplain after a CR",
            "\nplain after a LF",
            " plain after a space",
            "  =after spaces",
            "\t=after a tab",
            "\r\n+after CR LF",
            "a;=b",
            "x;=cmd|' /C calc'!A0",
        ] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["plain", "María José", "a=b", "1991-04-17", "", "a;b", "x-y"] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
    }

    #[test]
    fn cells_are_quoted_by_the_csv_writer() {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &["a", "b"],
            [vec!["say \"hi\", then".into(), "línea\nnueva".into()]],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,b\r\n\"say \"\"hi\"\", then\",\"línea\nnueva\"\r\n"
        );
    }
}

//! The export of a date range as a ZIP, the way ODK Central does it: `cases.csv`,
//! `members.csv`, `cases.json`, and the photos in one folder per case. Streamed as it is written,
//! so a large export never sits in memory; every exported case is written to the audit log.

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

/// A CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@` neutralised so a
/// spreadsheet never runs a formula someone typed into the form.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv_row(fields: &[&str]) -> String {
    let mut row = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
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
    zip.write_all(
        csv_row(&[
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
        ])
        .as_bytes(),
    )?;
    for (c, s) in &parsed {
        let r = &c.stored.receipt;
        let a = &s.applicant;
        zip.write_all(
            csv_row(&[
                &r.case_id.to_string(),
                &r.receipt_code.to_string(),
                &r.received_at,
                &c.review_state,
                c.reviewed_by.as_deref().unwrap_or(""),
                c.review_note.as_deref().unwrap_or(""),
                &r.people.to_string(),
                &a.name,
                &a.date_of_birth,
                &a.country_of_origin,
                &a.phone,
                &a.languages.join(" "),
                &a.needs.join(" "),
                &a.needs_note,
                &s.photos.len().to_string(),
            ])
            .as_bytes(),
        )?;
    }

    zip.start_file("members.csv", deflated)?;
    zip.write_all(
        csv_row(&[
            "case_id",
            "receipt_code",
            "member_id",
            "name",
            "date_of_birth",
            "relationship",
        ])
        .as_bytes(),
    )?;
    for (c, s) in &parsed {
        let r = &c.stored.receipt;
        for m in &s.members {
            zip.write_all(
                csv_row(&[
                    &r.case_id.to_string(),
                    &r.receipt_code.to_string(),
                    &m.member_id.to_string(),
                    &m.name,
                    &m.date_of_birth,
                    &m.relationship,
                ])
                .as_bytes(),
            )?;
        }
    }

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
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1 555"), "'+1 555");
        assert_eq!(csv_field("línea\nnueva"), "\"línea\nnueva\"");
    }
}

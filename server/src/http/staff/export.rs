//! The export of a date range as a ZIP, the way ODK Central does it: per form, one CSV for the
//! form (`household-intake.csv`) and one per repeat group (`household-intake-members.csv`), with
//! columns named after the fields and every version in the same files; `cases.json` with every
//! submission whole; and the photos in one folder per case. Streamed as it is written,
//! so a large export never sits in memory; every exported case is written to the audit log.

use std::borrow::Cow;
use std::io::Write;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use protocol::{FormDefinition, Submission};
use serde::Deserialize;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use super::cases::filter_of;
use super::{Staff, StaffError};
use crate::forms::tables::{at, cell, entries, tables, Shape};
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
    let mut parsed = Vec::new();
    // Every published form has its tables, empty or not, so a download always has the columns.
    let mut forms: Vec<(String, Vec<Arc<FormDefinition>>)> = Vec::new();
    for v in state.forms.published_versions().await? {
        let Some(def) = state.forms.published(&v.form_id, v.version).await? else {
            continue;
        };
        match forms.iter_mut().find(|(id, _)| *id == v.form_id) {
            Some((_, versions)) => versions.push(def),
            None => forms.push((v.form_id, vec![def])),
        }
    }
    for case in cases {
        let Ok(submission) = serde_json::from_slice::<Submission>(&case.stored.body) else {
            tracing::error!(case_id = %case.stored.receipt.case_id, "a stored case does not parse");
            continue;
        };
        let def = state
            .forms
            .published(&submission.form_id, submission.form_version)
            .await?;
        if let Some(def) = def {
            match forms.iter_mut().find(|(id, _)| *id == submission.form_id) {
                Some((_, versions)) => {
                    if !versions.iter().any(|v| v.version == def.version) {
                        versions.push(def);
                    }
                }
                None => forms.push((submission.form_id.clone(), vec![def])),
            }
        }
        parsed.push((case, submission));
    }
    for (_, versions) in &mut forms {
        versions.sort_by_key(|v| v.version);
    }

    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    let blobs = state.blobs.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter {
            tx,
            buffer: Vec::with_capacity(CHUNK),
        };
        let written = write_zip(&mut writer, &parsed, &forms, &photos, &blobs, &runtime)
            .and_then(|()| writer.flush());
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
    parsed: &[(ReviewedCase, Submission)],
    forms: &[(String, Vec<Arc<FormDefinition>>)],
    photos: &[(String, Upload)],
    blobs: &Arc<dyn BlobStore>,
    runtime: &tokio::runtime::Handle,
) -> std::io::Result<()> {
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new_stream(writer);

    for (form_id, versions) in forms {
        let versions: Vec<&FormDefinition> = versions.iter().map(|v| v.as_ref()).collect();
        let shape = Shape::of(&versions);
        let of_form: Vec<&(ReviewedCase, Submission)> = parsed
            .iter()
            .filter(|(_, s)| s.form_id == *form_id)
            .collect();
        for table in tables(form_id, &versions) {
            zip.start_file(format!("{}.csv", table.name), deflated)?;
            match &table.repeat {
                None => {
                    let mut header: Vec<&str> = vec![
                        "case_id",
                        "receipt_code",
                        "received_at",
                        "form_version",
                        "review_state",
                        "reviewed_by",
                        "review_note",
                        "people",
                    ];
                    header.extend(table.columns.iter().map(String::as_str));
                    header.push("photos");
                    write_csv(
                        &mut zip,
                        &header,
                        of_form.iter().map(|(c, s)| {
                            let r = &c.stored.receipt;
                            let mut row: Vec<Cow<str>> = vec![
                                r.case_id.to_string().into(),
                                r.receipt_code.to_string().into(),
                                r.received_at.as_str().into(),
                                s.form_version.to_string().into(),
                                c.review_state.as_str().into(),
                                c.reviewed_by.as_deref().unwrap_or("").into(),
                                c.review_note.as_deref().unwrap_or("").into(),
                                r.people.to_string().into(),
                            ];
                            row.extend(
                                table
                                    .columns
                                    .iter()
                                    .map(|col| cell(at(&s.answers, col)).into()),
                            );
                            row.push(s.photos.len().to_string().into());
                            row
                        }),
                    )?;
                }
                Some(repeat) => {
                    let id_key = table.id_key.as_deref().unwrap_or("item_id");
                    let mut header: Vec<&str> = vec!["case_id", "receipt_code"];
                    if table.parent.is_some() {
                        header.push("parent_id");
                    }
                    header.push(id_key);
                    header.extend(table.columns.iter().map(String::as_str));
                    let mut rows = Vec::new();
                    for (c, s) in &of_form {
                        let r = &c.stored.receipt;
                        for (parent, entry) in entries(&s.answers, repeat, &shape) {
                            let mut row: Vec<Cow<str>> = vec![
                                r.case_id.to_string().into(),
                                r.receipt_code.to_string().into(),
                            ];
                            if table.parent.is_some() {
                                row.push(parent.unwrap_or("").to_owned().into());
                            }
                            row.push(cell(entry.get(id_key)).into());
                            row.extend(table.columns.iter().map(|col| cell(at(entry, col)).into()));
                            rows.push(row);
                        }
                    }
                    write_csv(&mut zip, &header, rows)?;
                }
            }
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

//! Reading a definition from a file as people write one: JSON, YAML, or an XLSForm spreadsheet.
//! What is read here is then checked by [`protocol::definition::check`] before it is kept.

use protocol::definition::FormDefinition;

use super::xlsform::{self, SheetProblem};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("`{0}` is not a form file: use .json, .yaml, .yml or .xlsx")]
    UnknownFormat(String),
    #[error("not a form definition: {0}")]
    Json(String),
    #[error("not a form definition: {0}")]
    Yaml(String),
    #[error("the spreadsheet has {} problem(s):\n{}", .0.len(), list(.0))]
    XlsForm(Vec<SheetProblem>),
}

fn list(problems: &[SheetProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `bytes` as the format its file name says.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<FormDefinition, ImportError> {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "json" => serde_json::from_slice(bytes).map_err(|e| {
            ImportError::Json(format!("line {}, column {}: {e}", e.line(), e.column()))
        }),
        "yaml" | "yml" => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ImportError::Yaml("the file is not UTF-8 text".into()))?;
            serde_saphyr::from_str(text).map_err(|e| ImportError::Yaml(e.to_string()))
        }
        "xlsx" => xlsform::import(bytes).map_err(ImportError::XlsForm),
        _ => Err(ImportError::UnknownFormat(file_name.to_owned())),
    }
}

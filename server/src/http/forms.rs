//! `GET /api/v1/forms` and `GET /api/v1/forms/{form_id}/{version}`: the published forms a device
//! fetches when online and keeps for offline use.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use protocol::api::{ErrorBody, FormList, FormSummary};
use protocol::FormDefinition;

use super::{AppState, Error};

#[utoipa::path(
    get,
    path = "/api/v1/forms",
    tag = "forms",
    security(("device_token" = [])),
    responses(
        (status = 200, description = "Every published form version", body = FormList),
        (status = 401, description = "`unauthorized`: no valid device token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 500, description = "`internal`", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<FormList>, Error> {
    let mut forms = Vec::new();
    for v in state.forms.published_versions().await? {
        if let Some(def) = state.forms.published(&v.form_id, v.version).await? {
            forms.push(FormSummary {
                form_id: v.form_id,
                version: v.version,
                title: def.title.clone(),
            });
        }
    }
    Ok(Json(FormList { forms }))
}

#[utoipa::path(
    get,
    path = "/api/v1/forms/{form_id}/{version}",
    tag = "forms",
    params(
        ("form_id" = String, Path, description = "The form's ID", example = "household-intake"),
        ("version" = u32, Path, description = "A published version", example = 1),
    ),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The definition; a published version never changes", body = FormDefinition),
        (status = 401, description = "`unauthorized`: no valid device token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 404, description = "`not_found`: no such published version", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    )
)]
pub async fn definition(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<FormDefinition>, Error> {
    let Ok(Path((form_id, version))) = path else {
        return Err(Error::NotFound);
    };
    let version: u32 = version.parse().map_err(|_| Error::NotFound)?;
    match state.forms.published(&form_id, version).await? {
        Some(def) => Ok(Json(def.as_ref().clone())),
        None => Err(Error::NotFound),
    }
}

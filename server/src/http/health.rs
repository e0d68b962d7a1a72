//! `GET /api/v1/health`: the server is up and its storage answers.

use axum::extract::State;
use axum::Json;
use protocol::api::Health;

use super::{AppState, Error};

#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "health",
    responses(
        (status = 200, description = "Serving, storage reachable", body = Health),
        (status = 503, description = "Storage does not answer", body = protocol::api::ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, Error> {
    state.storage.ping().await.map_err(|e| {
        tracing::error!(error = %e, "health check failed");
        Error::Unavailable
    })?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

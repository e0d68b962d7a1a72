//! Health for load balancers and operators: `GET /api/v1/health/live` (the process serves) and
//! `GET /api/v1/health/ready`, also `GET /api/v1/health` (the database and the photo store
//! answer: send it traffic).

use axum::extract::State;
use axum::Json;
use protocol::api::Health;

use super::{AppState, Error};

fn ok() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/health/live",
    tag = "health",
    responses((status = 200, description = "The process serves (nothing else is asked)", body = Health))
)]
pub async fn live() -> Json<Health> {
    ok()
}

#[utoipa::path(
    get,
    path = "/api/v1/health/ready",
    tag = "health",
    responses(
        (status = 200, description = "Ready: the database and the photo store answer", body = Health),
        (status = 503, description = "The database or the photo store does not answer", body = protocol::api::ErrorBody),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, Error> {
    state.storage.ping().await.map_err(|e| {
        tracing::error!(error = %e, "readiness: the database does not answer");
        Error::Unavailable
    })?;
    state.blobs.ready().await.map_err(|e| {
        tracing::error!(error = %e, "readiness: the photo store does not answer");
        Error::Unavailable
    })?;
    Ok(ok())
}

#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "health",
    responses(
        (status = 200, description = "Serving, the database and the photo store reachable (as /ready)", body = Health),
        (status = 503, description = "The database or the photo store does not answer", body = protocol::api::ErrorBody),
    )
)]
pub async fn health(state: State<AppState>) -> Result<Json<Health>, Error> {
    ready(state).await
}

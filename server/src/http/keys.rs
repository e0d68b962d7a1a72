//! `GET /api/v1/keys`: the organisation's public keys, so a device can seal a case that only the
//! server opens (`protocol::sealed`). Public by nature: no token needed.

use axum::extract::State;
use axum::Json;
use protocol::sealed::SealingKeys;

use super::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/keys",
    tag = "keys",
    responses(
        (status = 200, description = "Seal to `current`; older keys are listed because cases sealed to them still open", body = SealingKeys),
    )
)]
pub async fn keys(State(state): State<AppState>) -> Json<SealingKeys> {
    let (current, keys) = state.keys.public_keys();
    Json(SealingKeys { current, keys })
}

//! `POST /api/v1/devices`: a device registers and gets its bearer token (`/renew`: a new token
//! for the same device once its token expired); the middleware
//! [`require_device`] lets only registered, unrevoked, unexpired devices send cases and photos.
//!
//! Tokens are 256 random bits; the server keeps only their SHA-256. A device never reads
//! anything back: these routes accept data, they do not serve it.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use protocol::api::DeviceSettings;

use super::{AppState, Error};
use crate::secrets::{random_bytes, random_token, token_hash};
use crate::storage::{now_unix, Device};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Required when the organisation requires enrolment (from the install link or typed).
    #[serde(default)]
    pub enrolment_code: Option<String>,
}

/// `POST /api/v1/devices/renew`: the device's last token, refused or expired.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    pub device_id: uuid::Uuid,
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Registered {
    pub device_id: uuid::Uuid,
    /// Send as `Authorization: Bearer <token>`; shown once, never stored by the server.
    pub token: String,
    /// When the token stops working (RFC 3339); the device then signs in again.
    pub expires_at: String,
    /// How this device is to run (a shared tablet or a personal phone).
    pub settings: DeviceSettings,
}

/// Enrolment codes are read the forgiving way: case, spaces and hyphens do not matter.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A new enrolment code: 8 Crockford base32 symbols (40 bits), shown as `XXXX-XXXX`.
pub fn new_enrolment_code() -> Result<String, Error> {
    const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = random_bytes::<8>().map_err(Error::io)?;
    Ok(bytes
        .iter()
        .map(|b| SYMBOLS[usize::from(b % 32)] as char)
        .collect())
}

/// The client's address as the rate limits count it ([`client_addr`]); "unknown" when the
/// router runs without a socket (tests).
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_addr(
            &state.trusted_proxies,
            peer,
            &parts.headers,
        )))
    }
}

/// The client's address: the connection's own, or, when the connection comes from a trusted
/// proxy, the nearest address `X-Forwarded-For` names that is not itself a trusted proxy
/// (read from the right: entries further left were written by whoever sent the request, and
/// anyone can write them). A header a trusted proxy garbled counts as that proxy.
pub fn client_addr(
    trusted: &[std::net::IpAddr],
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> String {
    let Some(peer) = peer.map(|p| p.to_canonical()) else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let mut hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("").split(','))
        .map(str::trim)
        .collect();
    let mut nearest = peer;
    while let Some(hop) = hops.pop() {
        match hop.parse::<std::net::IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) if trusted.contains(&ip) => nearest = ip,
            Ok(ip) => return ip.to_string(),
            Err(_) => break,
        }
    }
    nearest.to_string()
}

#[utoipa::path(
    post,
    path = "/api/v1/devices",
    tag = "devices",
    request_body(content = Registration, content_type = "application/json", example = json!({})),
    responses(
        (status = 201, description = "Registered; keep the token", body = Registered),
        (status = 400, description = "`malformed_json`, or `bad_request` for a body that broke off", body = protocol::api::ErrorBody),
        (status = 408, description = "`timeout`: the body stopped arriving; retry", body = protocol::api::ErrorBody),
        (status = 403, description = "`enrolment_required` or `enrolment_invalid`", body = protocol::api::ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB", body = protocol::api::ErrorBody),
        (status = 429, description = "`rate_limited`: too many registrations from this address", body = protocol::api::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<Registered>), Error> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let client = client_addr(&state.trusted_proxies, peer, request.headers());
    state
        .registrations
        .check(&client)
        .await
        .map_err(Error::RateLimited)?;
    let body = super::body::read_limited(request.into_body(), 64 * 1024).await?;
    let registration: Registration = if body.iter().all(u8::is_ascii_whitespace) {
        Registration::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Error::MalformedJson(format!("line {}, column {}", e.line(), e.column()))
        })?
    };
    let now = now_unix();
    let code = match registration
        .enrolment_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(typed) => {
            let normalized = normalize_code(typed);
            let found = state.storage.enrolment_code(&normalized).await?;
            match found {
                Some(code) if code.usable_at(now) => Some(code),
                _ => return Err(Error::EnrolmentInvalid),
            }
        }
        None if state.require_enrolment => return Err(Error::EnrolmentRequired),
        None => None,
    };
    let shared = code.as_ref().is_some_and(|c| c.shared);
    let token = random_token().map_err(Error::io)?;
    let expires_at =
        now.saturating_add(i64::try_from(state.token_lifetime_secs).unwrap_or(i64::MAX / 2));
    let device = Device {
        device_id: uuid::Uuid::new_v4(),
        token_hash: token_hash(&token),
        created_at: crate::storage::now_rfc3339(),
        expires_at,
        revoked: false,
        enrolment_code: code.map(|c| c.code),
        shared,
    };
    state.storage.add_device(device.clone()).await?;
    tracing::info!(device_id = %device.device_id, shared, "device registered");
    Ok((
        StatusCode::CREATED,
        Json(registered(&state, &device, token)),
    ))
}

/// A device whose token expired gets a new one for the same device, so the cases it sent stay
/// its own (their status, their appointment). A revoked device, or a token that is not the
/// device's last one, gets 401: such a device registers anew, with an enrolment code where the
/// organisation asks for one.
#[utoipa::path(
    post,
    path = "/api/v1/devices/renew",
    tag = "devices",
    request_body(content = Renewal, content_type = "application/json"),
    responses(
        (status = 201, description = "Renewed: the same device, a new token; keep it", body = Registered),
        (status = 400, description = "`malformed_json`, or `bad_request` for a body that broke off", body = protocol::api::ErrorBody),
        (status = 401, description = "`unauthorized`: no such device, revoked, or not its last token", body = protocol::api::ErrorBody),
        (status = 408, description = "`timeout`: the body stopped arriving; retry", body = protocol::api::ErrorBody),
        (status = 413, description = "`payload_too_large`: over 64 KiB", body = protocol::api::ErrorBody),
        (status = 429, description = "`rate_limited`: too many registrations from this address", body = protocol::api::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn renew(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<Registered>), Error> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let client = client_addr(&state.trusted_proxies, peer, request.headers());
    state
        .registrations
        .check(&client)
        .await
        .map_err(Error::RateLimited)?;
    let body = super::body::read_limited(request.into_body(), 64 * 1024).await?;
    let renewal: Renewal = serde_json::from_slice(&body)
        .map_err(|e| Error::MalformedJson(format!("line {}, column {}", e.line(), e.column())))?;
    let token = random_token().map_err(Error::io)?;
    let expires_at =
        now_unix().saturating_add(i64::try_from(state.token_lifetime_secs).unwrap_or(i64::MAX / 2));
    let device = state
        .storage
        .renew_device(
            renewal.device_id,
            &token_hash(&renewal.token),
            &token_hash(&token),
            expires_at,
        )
        .await?
        .ok_or(Error::Unauthorized)?;
    tracing::info!(device_id = %device.device_id, "device token renewed");
    Ok((
        StatusCode::CREATED,
        Json(registered(&state, &device, token)),
    ))
}

fn registered(state: &AppState, device: &Device, token: String) -> Registered {
    let expires_at = time::OffsetDateTime::from_unix_timestamp(device.expires_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    Registered {
        device_id: device.device_id,
        token,
        expires_at,
        settings: settings_for(state, device),
    }
}

fn settings_for(state: &AppState, device: &Device) -> DeviceSettings {
    DeviceSettings {
        shared: device.shared,
        lock_after_secs: state.shared_lock_after_secs,
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/devices/me",
    tag = "devices",
    security(("device_token" = [])),
    responses(
        (status = 200, description = "How the organisation wants this device to run now", body = DeviceSettings),
        (status = 401, description = "`unauthorized`: no valid device token", body = protocol::api::ErrorBody),
    )
)]
/// `GET /api/v1/devices/me`: this device's settings as they are now (a device asks with the
/// forms, so a changed idle lock reaches tablets that registered before the change).
pub async fn settings(
    State(state): State<AppState>,
    axum::Extension(device): axum::Extension<Device>,
) -> Json<DeviceSettings> {
    Json(settings_for(&state, &device))
}

/// Case and upload routes: only a registered device's valid token gets through.
pub async fn require_device(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    // tus discovery (OPTIONS) reveals nothing and carries no data.
    if request.method() == axum::http::Method::OPTIONS {
        return Ok(next.run(request).await);
    }
    let token = bearer(request.headers());
    if let Some(device) = valid_device(&state, token.as_deref()).await? {
        let mut request = request;
        request
            .extensions_mut()
            .insert(SendingDevice(device.device_id));
        request.extensions_mut().insert(device);
        return Ok(next.run(request).await);
    }
    // Nothing of a refused body is worth reading: a little is drained so a small request ends
    // cleanly, then the connection closes (after a lingering read, so the client sees the 401).
    Ok(
        super::body::refuse(request.into_body(), Error::Unauthorized)
            .await
            .into_response(),
    )
}

pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The device a request came from, once [`require_device`] let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendingDevice(pub uuid::Uuid);

pub(crate) async fn valid_device(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<Device>, Error> {
    let Some(token) = token else { return Ok(None) };
    let device = state
        .storage
        .device_by_token_hash(&token_hash(token))
        .await?;
    Ok(device.filter(|d| !d.revoked && d.expires_at > now_unix()))
}

#[cfg(test)]
mod tests {
    use super::client_addr;
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        let spoofed = forwarded(&["198.51.100.9"]);
        assert_eq!(
            client_addr(&[], Some(ip("203.0.113.5")), &spoofed),
            "203.0.113.5"
        );
        assert_eq!(
            client_addr(&trusted, Some(ip("203.0.113.5")), &spoofed),
            "203.0.113.5"
        );
        assert_eq!(
            client_addr(&trusted, Some(ip("10.0.0.1")), &spoofed),
            "198.51.100.9"
        );
        assert_eq!(client_addr(&trusted, None, &spoofed), "unknown");
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_whatever_was_written_before_it() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client wrote a fake first entry; two trusted proxies appended after it.
        let headers = forwarded(&["1.2.3.4, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(
            client_addr(&trusted, Some(ip("10.0.0.1")), &headers),
            "203.0.113.7"
        );
        // Only proxies, or no header: the nearest proxy itself.
        assert_eq!(
            client_addr(&trusted, Some(ip("10.0.0.1")), &forwarded(&["10.0.0.2"])),
            "10.0.0.2"
        );
        assert_eq!(
            client_addr(&trusted, Some(ip("10.0.0.1")), &HeaderMap::new()),
            "10.0.0.1"
        );
        // Garbled by a proxy: counts as that proxy, never as what came before.
        assert_eq!(
            client_addr(
                &trusted,
                Some(ip("10.0.0.1")),
                &forwarded(&["203.0.113.7, junk"])
            ),
            "10.0.0.1"
        );
        // IPv4 seen over IPv6 is the same address.
        assert_eq!(
            client_addr(
                &[ip("127.0.0.1")],
                Some(ip("::ffff:127.0.0.1")),
                &forwarded(&["2001:db8::1"])
            ),
            "2001:db8::1"
        );
    }
}

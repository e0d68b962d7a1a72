//! Device registration (`POST /api/v1/devices`): the first sync registers the device and keeps
//! its bearer token in the store. When the server refuses the token, the store says so
//! ([`DeviceAuth::sign_in_needed`]) and nothing is sent until the person signs in again; the
//! next registration then carries the enrolment code the person typed, if any. The server's
//! [`DeviceSettings`] (a shared tablet? its idle lock) come with the registration and are asked
//! for again with the forms ([`refresh_settings`]).

use protocol::api::{DeviceSettings, ErrorBody};

use crate::records::{DeviceAuth, DeviceCredentials, Problem};
use crate::store::{DeviceStore, StoreError};
use crate::transport::{bearer, client_version, Exchange, HttpRequest, Method, Transport};

pub const DEVICES_PATH: &str = "/api/v1/devices";
pub const RENEW_PATH: &str = "/api/v1/devices/renew";

/// Whether the device may send, and with which token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Ready(String),
    /// The person must sign in again first.
    SignInNeeded(Option<Problem>),
    /// Registration did not work; `answer` says how.
    Failed(Exchange),
}

/// This device's token, registering first when it has none (and no sign-in is pending).
pub async fn ensure_token(
    transport: &impl Transport,
    store: &impl DeviceStore,
) -> Result<Token, StoreError> {
    let auth = store.device_auth().await?;
    if auth.sign_in_needed {
        return Ok(Token::SignInNeeded(auth.problem));
    }
    if let Some(device) = &auth.credentials {
        return Ok(Token::Ready(device.token.clone()));
    }
    // The same device again when the server renews its refused token; a new one only when it
    // will not (revoked, or an older server).
    match renew(transport, store).await? {
        Renewed::Token(token) => return Ok(Token::Ready(token)),
        Renewed::NoAnswer(answer) => return Ok(Token::Failed(answer)),
        Renewed::Refused => {}
    }
    let mut auth = store.device_auth().await?;
    let body = match &auth.enrolment_code {
        Some(code) => serde_json::json!({ "enrolment_code": code }),
        None => serde_json::json!({}),
    };
    let answer = transport
        .send(HttpRequest {
            method: Method::Post,
            url: DEVICES_PATH.into(),
            headers: vec![
                ("content-type", "application/json".into()),
                client_version(),
            ],
            body: Some(body.to_string().into_bytes()),
        })
        .await;
    let registered = answer
        .as_ref()
        .ok()
        .filter(|a| a.status == 201)
        .and_then(|a| serde_json::from_str::<Registered>(&a.body).ok());
    match registered {
        Some(Registered {
            credentials,
            settings,
        }) => {
            let token = credentials.token.clone();
            auth.credentials = Some(credentials);
            auth.previous = None;
            auth.problem = None;
            // An older server says nothing: what was known stays.
            auth.settings = settings.or(auth.settings);
            store.set_device_auth(&auth).await?;
            Ok(Token::Ready(token))
        }
        None => Ok(Token::Failed(answer)),
    }
}

/// What asking to renew the last refused token came to.
enum Renewed {
    Token(String),
    /// No answer: try again later rather than become another device.
    NoAnswer(Exchange),
    /// Nothing to renew, or the server will not.
    Refused,
}

/// Offers the credentials the server last refused for renewal; on success they are this
/// device's again, with the new token.
async fn renew(
    transport: &impl Transport,
    store: &impl DeviceStore,
) -> Result<Renewed, StoreError> {
    let mut auth = store.device_auth().await?;
    let Some(previous) = auth.previous.clone() else {
        return Ok(Renewed::Refused);
    };
    let body = serde_json::json!({ "device_id": previous.device_id, "token": previous.token });
    let answer = transport
        .send(HttpRequest {
            method: Method::Post,
            url: RENEW_PATH.into(),
            headers: vec![
                ("content-type", "application/json".into()),
                client_version(),
            ],
            body: Some(body.to_string().into_bytes()),
        })
        .await;
    let renewed = match &answer {
        Err(_) => return Ok(Renewed::NoAnswer(answer)),
        Ok(a) if a.status == 201 => serde_json::from_str::<Registered>(&a.body).ok(),
        Ok(a) if a.status == 429 || a.status >= 500 => return Ok(Renewed::NoAnswer(answer)),
        Ok(_) => None,
    };
    match renewed.filter(|r| r.credentials.device_id == previous.device_id) {
        Some(Registered {
            credentials,
            settings,
        }) => {
            let token = credentials.token.clone();
            auth.credentials = Some(credentials);
            auth.previous = None;
            auth.settings = settings.or(auth.settings);
            store.set_device_auth(&auth).await?;
            Ok(Renewed::Token(token))
        }
        None => {
            // Refused for good: the next registration is a new device.
            auth.previous = None;
            store.set_device_auth(&auth).await?;
            Ok(Renewed::Refused)
        }
    }
}

/// A request was refused with 401 outside the outbox (asking about a delivered case): the
/// token is renewed if the server will, else the person must sign in again as when sending.
/// The renewed token, if any.
pub async fn token_refused(
    transport: &impl Transport,
    store: &impl DeviceStore,
    problem: Problem,
) -> Result<Option<String>, StoreError> {
    let mut auth = store.device_auth().await?;
    if let Some(refused) = auth.credentials.take() {
        auth.previous = Some(refused);
        store.set_device_auth(&auth).await?;
    }
    match renew(transport, store).await? {
        Renewed::Token(token) => Ok(Some(token)),
        Renewed::NoAnswer(_) => Ok(None),
        Renewed::Refused => {
            sign_in_needed(store, problem).await?;
            Ok(None)
        }
    }
}

/// The registration answer as the device reads it.
#[derive(serde::Deserialize)]
struct Registered {
    #[serde(flatten)]
    credentials: DeviceCredentials,
    #[serde(default)]
    settings: Option<DeviceSettings>,
}

pub const SETTINGS_PATH: &str = "/api/v1/devices/me";

/// Asks the server how this device is to run now and keeps the answer; `None` when it could
/// not be asked (offline, no token) or answered something else: what was known stays.
pub async fn refresh_settings(
    transport: &impl Transport,
    store: &impl DeviceStore,
) -> Result<Option<DeviceSettings>, StoreError> {
    let Token::Ready(token) = ensure_token(transport, store).await? else {
        return Ok(None);
    };
    let answer = transport
        .send(HttpRequest {
            method: Method::Get,
            url: SETTINGS_PATH.into(),
            headers: vec![bearer(&token), client_version()],
            body: None,
        })
        .await;
    let Some(settings) = answer
        .ok()
        .filter(|a| a.status == 200)
        .and_then(|a| serde_json::from_str::<DeviceSettings>(&a.body).ok())
    else {
        return Ok(None);
    };
    let mut auth = store.device_auth().await?;
    if auth.settings != Some(settings) {
        auth.settings = Some(settings);
        store.set_device_auth(&auth).await?;
    }
    Ok(Some(settings))
}

/// The server refused the token (or the registration needs a person): pause until the person
/// signs in again.
pub async fn sign_in_needed(store: &impl DeviceStore, problem: Problem) -> Result<(), StoreError> {
    let mut auth = store.device_auth().await?;
    if let Some(refused) = auth.credentials.take() {
        auth.previous = Some(refused);
    }
    auth.sign_in_needed = true;
    auth.problem = Some(problem);
    store.set_device_auth(&auth).await
}

/// Keeps an enrolment code (from the install link or typed) for the next registration.
pub async fn remember_enrolment_code(
    store: &impl DeviceStore,
    code: &str,
) -> Result<(), StoreError> {
    let code = code.trim();
    let mut auth = store.device_auth().await?;
    auth.enrolment_code = (!code.is_empty()).then(|| code.to_owned());
    store.set_device_auth(&auth).await
}

/// The install link says this is a shared tablet: until the server has said how the device is
/// to run, run as one (a link can only make a device stricter; the server's answer then decides).
pub async fn assume_shared(store: &impl DeviceStore) -> Result<(), StoreError> {
    let mut auth = store.device_auth().await?;
    if auth.settings.is_none() {
        auth.settings = Some(DeviceSettings {
            shared: true,
            ..DeviceSettings::default()
        });
        store.set_device_auth(&auth).await?;
    }
    Ok(())
}

/// What a failed exchange tells a person (and the log).
pub fn problem_of(answer: &Exchange) -> Problem {
    match answer {
        Err(e) => Problem::on_device(e.0.clone()),
        Ok(a) => match serde_json::from_str::<ErrorBody>(&a.body) {
            Ok(body) => Problem {
                status: Some(a.status),
                code: Some(body.error.code),
                message: body.error.message,
                fields: body.error.fields,
                missing_photos: body.error.missing_photos,
            },
            Err(_) => Problem {
                status: Some(a.status),
                code: None,
                message: format!("HTTP {}", a.status),
                fields: Vec::new(),
                missing_photos: Vec::new(),
            },
        },
    }
}

/// Whether a registration answer needs a person (an enrolment code) rather than time.
pub fn registration_needs_person(answer: &Exchange) -> bool {
    use protocol::outbox::{disposition, Disposition};
    let status = answer.as_ref().ok().map(|a| a.status);
    !matches!(
        disposition(status),
        Disposition::Retry | Disposition::Delivered
    )
}

impl DeviceAuth {
    /// After the person pressed "Sign in again": the refused token is offered for renewal
    /// once, else the next sync registers afresh.
    pub fn signing_in_again(mut self) -> Self {
        if let Some(refused) = self.credentials.take() {
            self.previous = Some(refused);
        }
        self.sign_in_needed = false;
        self.problem = None;
        self
    }
}

//! How the engine reaches the server: one HTTP exchange at a time. The browser sends with
//! `fetch`; the simulator hands the request to the real server router, with faults in between.

use protocol::outbox::parse_retry_after_seconds;

/// One HTTP request the engine makes.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    /// Same-origin path, or an absolute URL the server gave (tus `Location`).
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What came back from one HTTP exchange.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
    /// The response headers the protocol reads (lowercase names).
    pub headers: Vec<(String, String)>,
}

/// Response headers the engine reads; a transport needs to copy only these.
pub const READ_HEADERS: [&str; 3] = ["retry-after", "location", "upload-offset"];

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn retry_after_ms(&self) -> Option<f64> {
        self.header("retry-after")
            .and_then(parse_retry_after_seconds)
    }
}

/// No HTTP answer at all: offline, reset, timed out, cut off mid-way.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("network: {0}")]
pub struct NetworkError(pub String);

/// One exchange's outcome.
pub type Exchange = Result<HttpAnswer, NetworkError>;

#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> Exchange;
}

/// Every request carries the build version so the server can refuse a client it no longer
/// understands instead of misreading its data.
pub fn client_version() -> (&'static str, String) {
    (
        protocol::api::CLIENT_VERSION_HEADER,
        env!("CARGO_PKG_VERSION").to_owned(),
    )
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// A GET with the device's token: its status and body, or `Err` when no answer came.
pub(crate) async fn get(
    transport: &impl Transport,
    url: String,
    token: &str,
) -> Result<(u16, String), NetworkError> {
    transport
        .send(HttpRequest {
            method: Method::Get,
            url,
            headers: vec![bearer(token), client_version()],
            body: None,
        })
        .await
        .map(|a| (a.status, a.body))
}

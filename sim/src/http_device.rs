//! The real delivery engine's clock and transport for devices that talk to a real server over
//! real HTTP (`soak-devices`, `load-devices`), rather than to the router in process.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use delivery::env::Clock;
use delivery::transport::{Exchange, READ_HEADERS};
use delivery::{HttpAnswer, HttpRequest, NetworkError, Transport};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

/// The engine's clock, running `speed` times faster than the wall clock (its backoff reaches
/// five minutes), from a fixed date.
pub struct FastClock {
    start: Instant,
    base: f64,
    speed: f64,
}

impl FastClock {
    pub fn new(speed: f64) -> Self {
        FastClock {
            start: Instant::now(),
            base: 1_796_000_000_000.0,
            speed,
        }
    }
}

impl Clock for FastClock {
    fn now_ms(&self) -> f64 {
        self.base + self.start.elapsed().as_secs_f64() * 1000.0 * self.speed
    }
}

/// The engine's transport over real HTTP/1.1 to `base` (a server, or a proxy in front of it).
pub struct Http {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Http {
    pub fn new(base: &str) -> Self {
        Http {
            base: base.trim_end_matches('/').to_owned(),
            client: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
        }
    }
}

impl Transport for &Http {
    async fn send(&self, request: HttpRequest) -> Exchange {
        let url = if request.url.starts_with("http") {
            request.url.clone()
        } else {
            format!("{}{}", self.base, request.url)
        };
        let mut builder = axum::http::Request::builder()
            .method(request.method.as_str())
            .uri(url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = Full::new(Bytes::from(request.body.clone().unwrap_or_default()));
        let built = builder
            .body(body)
            .map_err(|e| NetworkError(e.to_string()))?;
        let exchange = async {
            let response = self
                .client
                .request(built)
                .await
                .map_err(|e| NetworkError(e.to_string()))?;
            let status = response.status().as_u16();
            let headers = READ_HEADERS
                .iter()
                .filter_map(|name| {
                    response
                        .headers()
                        .get(*name)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| ((*name).to_owned(), v.to_owned()))
                })
                .collect();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| NetworkError(e.to_string()))?
                .to_bytes();
            Ok(HttpAnswer {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
                headers,
            })
        };
        tokio::time::timeout(Duration::from_secs(30), exchange)
            .await
            .unwrap_or_else(|_| Err(NetworkError("timed out".into())))
    }
}

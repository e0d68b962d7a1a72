//! Settings, from the command line or the environment (`RESGUARDO_*`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "server", version, about = "Resguardo API and app server")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "RESGUARDO_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Where the photos and the organisation's keys live, and the database unless
    /// `--database-url` names one; created if missing.
    #[arg(long, env = "RESGUARDO_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The database: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/NAME` (every
    /// process behind one load balancer names the same one). By default a SQLite file in the
    /// data directory.
    #[arg(long, env = "RESGUARDO_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Where photos are kept: `s3://BUCKET/PREFIX` (AWS S3, MinIO, Garage, Ceph...; reached with
    /// `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), shared by
    /// every process. By default the data directory.
    #[arg(long, env = "RESGUARDO_BLOB_URL")]
    pub blob_url: Option<String>,

    /// The built app (Trunk's `dist/`); served when it exists.
    #[arg(long, env = "RESGUARDO_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Largest JSON body accepted, in bytes.
    #[arg(long, env = "RESGUARDO_MAX_JSON_BYTES", default_value_t = 1024 * 1024)]
    pub max_json_bytes: usize,

    /// Seconds a JSON request or a staff page (the export excepted) may take before it is
    /// answered 408. Photo uploads have no total limit, only the body idle timeout.
    #[arg(long, env = "RESGUARDO_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Seconds a client may take to send a request's headers (also how long an idle keep-alive
    /// connection stays open); then the connection is closed.
    #[arg(long, env = "RESGUARDO_HEADER_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub header_read_timeout_secs: u64,

    /// Seconds a request body may go without sending a byte before it is cut off. An idle
    /// timeout, not a total one: a photo chunk that keeps moving on 2G may take as long as it
    /// needs.
    #[arg(long, env = "RESGUARDO_BODY_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub body_idle_timeout_secs: u64,

    /// Seconds requests in flight get to finish after SIGTERM/Ctrl-C; then the server stops
    /// anyway.
    #[arg(long, env = "RESGUARDO_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Largest photo upload (tus `Tus-Max-Size`), in bytes.
    #[arg(long, env = "RESGUARDO_MAX_UPLOAD_BYTES", default_value_t = 128 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Bytes of unfinished uploads one device may have open at once (then 429
    /// `upload_quota_exceeded` until some finish or expire).
    #[arg(long, env = "RESGUARDO_DEVICE_UPLOAD_CAP_BYTES", default_value_t = 512 * 1024 * 1024)]
    pub device_unfinished_upload_bytes: u64,

    /// Seconds an upload is kept after it last moved before it expires and is cleaned up (7
    /// days); a finished one that no case names is removed after the same time.
    #[arg(long, env = "RESGUARDO_UPLOAD_EXPIRY_SECS", default_value_t = 7 * 24 * 3600)]
    pub upload_expiry_secs: u64,

    /// Seconds a device token stays valid (30 days); then the device signs in again.
    #[arg(long, env = "RESGUARDO_TOKEN_LIFETIME_SECS", default_value_t = 30 * 24 * 3600)]
    pub token_lifetime_secs: u64,

    /// Devices must present an enrolment code (from the install link or typed) to register.
    #[arg(long, env = "RESGUARDO_REQUIRE_ENROLMENT", default_value_t = false)]
    pub require_enrolment: bool,

    /// Seconds an open case on a shared tablet waits untouched before it locks itself (sent to
    /// the tablets; 10 to 3600).
    #[arg(long, env = "RESGUARDO_SHARED_LOCK_AFTER_SECS", default_value_t = protocol::api::DEFAULT_LOCK_AFTER_SECS,
          value_parser = clap::value_parser!(u32).range(10..=3600))]
    pub shared_lock_after_secs: u32,

    /// Device registrations allowed per client address per minute.
    #[arg(long, env = "RESGUARDO_REGISTRATIONS_PER_MINUTE", default_value_t = 20)]
    pub registrations_per_minute: u32,

    /// Seconds a staff session lasts (8 hours).
    #[arg(long, env = "RESGUARDO_STAFF_SESSION_SECS", default_value_t = 8 * 3600)]
    pub staff_session_secs: u64,

    /// Mark the staff session cookie `Secure` (set this when served over HTTPS).
    #[arg(long, env = "RESGUARDO_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// Staff login attempts allowed per client address per minute.
    #[arg(long, env = "RESGUARDO_LOGINS_PER_MINUTE", default_value_t = 10)]
    pub logins_per_minute: u32,

    /// Failed logins in a row that lock a staff account (for 15 minutes).
    #[arg(long, env = "RESGUARDO_LOCKOUT_AFTER", default_value_t = 5)]
    pub lockout_after: u32,

    /// How many days ahead households are booked into slots (devices see the slots in it).
    #[arg(long, env = "RESGUARDO_BOOKING_DAYS", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(1..=366))]
    pub booking_days: u32,

    /// Lookups of `/r/{receipt code}` allowed per client address per minute.
    #[arg(
        long,
        env = "RESGUARDO_RECEIPT_LOOKUPS_PER_MINUTE",
        default_value_t = 30
    )]
    pub receipt_lookups_per_minute: u32,

    /// Proxies in front of this server (addresses, comma-separated) whose `X-Forwarded-For` is
    /// believed: a request from one of them is counted, for rate limits, as from the nearest
    /// address that header names that is not itself a trusted proxy. None by default: the
    /// connection's own address counts and the header is ignored (anyone can write it).
    #[arg(long, env = "RESGUARDO_TRUST_PROXY", value_delimiter = ',')]
    pub trust_proxy: Vec<std::net::IpAddr>,
}

impl Config {
    /// Defaults for tests and embedding: everything under `data_dir`, no static files.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            addr: ([127, 0, 0, 1], 0).into(),
            data_dir: data_dir.into(),
            database_url: None,
            blob_url: None,
            static_dir: PathBuf::from("/nonexistent"),
            max_json_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            header_read_timeout_secs: 30,
            body_idle_timeout_secs: 60,
            shutdown_grace_secs: 10,
            max_upload_bytes: 128 * 1024 * 1024,
            device_unfinished_upload_bytes: 512 * 1024 * 1024,
            upload_expiry_secs: 7 * 24 * 3600,
            token_lifetime_secs: 30 * 24 * 3600,
            require_enrolment: false,
            shared_lock_after_secs: protocol::api::DEFAULT_LOCK_AFTER_SECS,
            registrations_per_minute: 20,
            staff_session_secs: 8 * 3600,
            secure_cookies: false,
            logins_per_minute: 10,
            lockout_after: 5,
            booking_days: 14,
            receipt_lookups_per_minute: 30,
            trust_proxy: Vec::new(),
        }
    }

    /// Where it stores what it stores.
    pub fn location(&self) -> crate::storage::Location {
        crate::storage::Location {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            blob_url: self.blob_url.clone(),
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
    }

    pub fn body_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.body_idle_timeout_secs.max(1))
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

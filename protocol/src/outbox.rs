//! The device's delivery state machine (DESIGN.md, "Outbox state machine") as pure functions:
//! the sync worker asks these what a response means and how long to wait, then writes the
//! answer to IndexedDB before acting on it.

use serde::{Deserialize, Serialize};

/// Where one case stands on its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Being filled in; not yet handed to the outbox.
    Draft,
    /// Submitted; waiting for the worker.
    Queued,
    /// A request is (or was, when the page died) in flight.
    Sending,
    /// The server holds it; the receipt is on the device.
    Delivered,
    /// The last try failed for a reason that goes away by itself; retried on a timer.
    WaitingNetwork,
    /// The server wants a new sign-in; nothing is retried until then.
    WaitingAuth,
    /// The server refused the content; a person must fix it.
    Rejected,
}

impl OutboxState {
    /// The wire/storage name (`waiting_network`, ...), also used as a stable UI attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Draft => "draft",
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Delivered => "delivered",
            OutboxState::WaitingNetwork => "waiting_network",
            OutboxState::WaitingAuth => "waiting_auth",
            OutboxState::Rejected => "rejected",
        }
    }

    /// States the worker picks up (when their time has come).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Sending | OutboxState::WaitingNetwork
        )
    }
}

/// What the worker does after an attempt, decided by the HTTP status alone (or its absence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Delivered,
    Retry,
    WaitForAuth,
    Reject,
}

/// `None` is a network failure (no response at all).
pub fn disposition(status: Option<u16>) -> Disposition {
    match status {
        None => Disposition::Retry,
        Some(200..=299) => Disposition::Delivered,
        Some(401 | 403) => Disposition::WaitForAuth,
        Some(408 | 425 | 429) => Disposition::Retry,
        Some(500..=599) => Disposition::Retry,
        Some(_) => Disposition::Reject,
    }
}

pub const BACKOFF_BASE_MS: f64 = 1_000.0;
pub const BACKOFF_CAP_MS: f64 = 300_000.0;

/// Exponential backoff with full jitter: a uniform wait in `[0, min(cap, base·2^attempt))`,
/// but never shorter than what the server asked for with `Retry-After`. `unit_random` is in
/// `[0, 1)`; `attempt` counts failures since the last success or `online` event, from 0.
pub fn backoff_ms(attempt: u32, unit_random: f64, retry_after_ms: Option<f64>) -> f64 {
    let ceiling = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(30) as i32)).min(BACKOFF_CAP_MS);
    let jittered = ceiling * unit_random.clamp(0.0, 1.0);
    match retry_after_ms {
        Some(server_says) => jittered.max(server_says.min(BACKOFF_CAP_MS * 12.0)),
        None => jittered,
    }
}

/// `Retry-After` in seconds (the HTTP-date form is left to the caller, which has a clock).
pub fn parse_retry_after_seconds(value: &str) -> Option<f64> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .map(|s| f64::from(s) * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_documented_dispositions() {
        use Disposition::*;
        let table = [
            (None, Retry),
            (Some(200), Delivered),
            (Some(201), Delivered),
            (Some(401), WaitForAuth),
            (Some(403), WaitForAuth),
            (Some(408), Retry),
            (Some(429), Retry),
            (Some(500), Retry),
            (Some(502), Retry),
            (Some(503), Retry),
            (Some(400), Reject),
            (Some(404), Reject),
            (Some(409), Reject),
            (Some(413), Reject),
            (Some(422), Reject),
            (Some(426), Reject),
        ];
        for (status, want) in table {
            assert_eq!(disposition(status), want, "{status:?}");
        }
    }

    #[test]
    fn backoff_grows_to_the_cap_with_full_jitter() {
        assert_eq!(backoff_ms(0, 0.999_999, None).round(), 1000.0);
        assert_eq!(backoff_ms(3, 0.5, None), 4000.0);
        assert_eq!(backoff_ms(50, 0.999_999, None).round(), BACKOFF_CAP_MS);
        assert_eq!(backoff_ms(5, 0.0, None), 0.0);
    }

    #[test]
    fn retry_after_is_a_floor() {
        assert_eq!(backoff_ms(0, 0.1, Some(30_000.0)), 30_000.0);
        assert_eq!(backoff_ms(10, 0.9, Some(1.0)), backoff_ms(10, 0.9, None));
        assert_eq!(parse_retry_after_seconds(" 120 "), Some(120_000.0));
        assert_eq!(
            parse_retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"),
            None
        );
    }

    #[test]
    fn names_match_serde() {
        use OutboxState::*;
        for s in [
            Draft,
            Queued,
            Sending,
            Delivered,
            WaitingNetwork,
            WaitingAuth,
            Rejected,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn pending_states() {
        use OutboxState::*;
        for s in [Queued, Sending, WaitingNetwork] {
            assert!(s.is_pending());
        }
        for s in [Draft, Delivered, WaitingAuth, Rejected] {
            assert!(!s.is_pending());
        }
    }
}

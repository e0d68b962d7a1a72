//! Rate limits shared by every server process on one database: at most `max` events per key in
//! a sliding `window`, kept as a count per key and window in the database
//! ([`Storage::count_rate_event`]).
//!
//! The window slides by weighting the previous window's count by how much of it still overlaps
//! the last `window` (the "sliding window counter"): no burst of twice the limit across a window
//! boundary, and one conditional upsert per event, so two processes cannot both take the last
//! place.

use std::sync::Arc;
use std::time::Duration;

use crate::storage::Storage;

pub struct RateLimiter {
    storage: Arc<dyn Storage>,
    /// What is limited (`registrations`, `logins_by_ip`, ...): keys of different limits never mix.
    scope: &'static str,
    max: i64,
    window_ms: i64,
}

impl RateLimiter {
    pub fn new(storage: Arc<dyn Storage>, scope: &'static str, max: u32, window: Duration) -> Self {
        RateLimiter {
            storage,
            scope,
            max: i64::from(max.max(1)),
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
        }
    }

    /// Counts one event for `key`; `Err(seconds)` says how long until one is allowed again. If
    /// the database cannot be asked, the event is let through (and logged): the request that
    /// follows needs the database anyway and fails there with a proper error.
    pub async fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, now_ms()).await
    }

    async fn check_at(&self, key: &str, now_ms: i64) -> Result<(), u64> {
        let start = now_ms - now_ms.rem_euclid(self.window_ms);
        let into = now_ms - start;
        let refused = || {
            let left_ms = self.window_ms - into;
            Err(u64::try_from(left_ms.div_euclid(1000) + 1).unwrap_or(1))
        };
        let previous = match self
            .storage
            .rate_events(self.scope, key, start - self.window_ms)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, scope = self.scope, "reading a rate limit failed");
                return Ok(());
            }
        };
        // The part of the previous window still inside the last `window`, rounded up.
        let carried = (previous * (self.window_ms - into) + self.window_ms - 1) / self.window_ms;
        if carried >= self.max {
            return refused();
        }
        match self
            .storage
            .count_rate_event(self.scope, key, start, self.max - carried)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => refused(),
            Err(e) => {
                tracing::error!(error = %e, scope = self.scope, "counting a rate limit failed");
                Ok(())
            }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn limiter(max: u32, window: Duration) -> (RateLimiter, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::storage::sqlite::SqliteStorage::open(dir.path())
            .await
            .unwrap();
        (
            RateLimiter::new(Arc::new(storage), "test", max, window),
            dir,
        )
    }

    #[tokio::test]
    async fn allows_max_then_says_how_long_to_wait() {
        let (limiter, _dir) = limiter(3, Duration::from_secs(60)).await;
        let t = 1_000_000_000_000;
        for i in 0..3 {
            assert_eq!(limiter.check_at("1.2.3.4", t + i).await, Ok(()));
        }
        let wait = limiter.check_at("1.2.3.4", t + 3).await.unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(
            limiter.check_at("5.6.7.8", t + 4).await,
            Ok(()),
            "keys are counted apart"
        );
    }

    #[tokio::test]
    async fn the_window_slides_without_a_burst_at_its_edge() {
        let (limiter, _dir) = limiter(4, Duration::from_secs(60)).await;
        let start = 1_000_000_020_000; // a window's start: a multiple of 60 000
                                       // Four at the very end of one window...
        for i in 0..4 {
            assert_eq!(limiter.check_at("k", start + 59_000 + i).await, Ok(()));
        }
        // ...still count at the start of the next: no four more at once.
        assert!(limiter.check_at("k", start + 60_000).await.is_err());
        // Half a window on, half of them have slid out.
        assert_eq!(limiter.check_at("k", start + 90_000).await, Ok(()));
        assert_eq!(limiter.check_at("k", start + 90_001).await, Ok(()));
        assert!(limiter.check_at("k", start + 90_002).await.is_err());
        // A window on, the two let through then still weigh: two more, not four.
        for i in 0..2 {
            assert_eq!(limiter.check_at("k", start + 120_000 + i).await, Ok(()));
        }
        assert!(limiter.check_at("k", start + 120_002).await.is_err());
    }
}

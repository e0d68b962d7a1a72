//! A small in-memory rate limiter: at most `max` events per key in a sliding `window`. Enough for
//! one server process; behind a load balancer each process limits on its own.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            max: max.max(1) as usize,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; `Err(seconds)` says how long until one is allowed again.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        // Forget keys that have been quiet for a whole window, so the map cannot grow forever.
        if events.len() > 10_000 {
            events.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let queue = events.entry(key.to_owned()).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            let oldest = queue.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        queue.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert_eq!(limiter.check("1.2.3.4"), Ok(()));
        }
        let wait = limiter.check("1.2.3.4").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert_eq!(limiter.check("5.6.7.8"), Ok(()), "keys are counted apart");
    }

    #[test]
    fn the_window_slides() {
        let limiter = RateLimiter::new(1, Duration::from_millis(50));
        assert_eq!(limiter.check("k"), Ok(()));
        assert!(limiter.check("k").is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(limiter.check("k"), Ok(()));
    }
}

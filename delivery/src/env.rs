//! Time and chance, passed in: the browser gives `Date.now()` and `Math.random()`, the simulator
//! a virtual clock and a seeded generator, so a schedule replays exactly.

pub trait Clock {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> f64;
}

pub trait Random {
    /// Uniform in `[0, 1)` (backoff jitter: need not be unpredictable).
    fn unit(&self) -> f64;

    /// Unpredictable bytes, for sealing a case (the browser's `crypto.getRandomValues`; the
    /// simulator's seeded generator, so a schedule replays); `false` when there are none to be
    /// had, and then nothing is sealed with guessable ones.
    fn fill_secret(&self, out: &mut [u8]) -> bool;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> f64 {
        (**self).now_ms()
    }
}

impl<R: Random + ?Sized> Random for &R {
    fn unit(&self) -> f64 {
        (**self).unit()
    }

    fn fill_secret(&self, out: &mut [u8]) -> bool {
        (**self).fill_secret(out)
    }
}

/// A plain function as a clock (the browser's is `fn() -> f64`). Not a random source: sealing
/// needs unpredictable bytes, which a `fn() -> f64` cannot promise.
#[derive(Clone, Copy)]
pub struct FnSource(pub fn() -> f64);

impl Clock for FnSource {
    fn now_ms(&self) -> f64 {
        (self.0)()
    }
}

//! Time and chance, passed in: the browser gives `Date.now()` and `Math.random()`, the simulator
//! a virtual clock and a seeded generator, so a schedule replays exactly.

pub trait Clock {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> f64;
}

pub trait Random {
    /// Uniform in `[0, 1)`.
    fn unit(&self) -> f64;
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
}

/// A plain function as a clock or random source (the browser's are `fn() -> f64`).
#[derive(Clone, Copy)]
pub struct FnSource(pub fn() -> f64);

impl Clock for FnSource {
    fn now_ms(&self) -> f64 {
        (self.0)()
    }
}

impl Random for FnSource {
    fn unit(&self) -> f64 {
        (self.0)()
    }
}

//! Time, injectable.
//!
//! The service reads the time only through [`Clock`], so tests drive a whole
//! back-off schedule (minutes in production) with a [`FakeClock`] in
//! microseconds. Times are milliseconds since the Unix epoch by the wall
//! clock, because retry deadlines are stored and must mean the same thing
//! after a restart; a monotonic clock restarts with the process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: Send {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        // A clock set before 1970 reads as 1970: deadlines then pass early,
        // which at worst fires a retry sooner than planned.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that moves only when told. Clones share one time, so a test
/// keeps a clone to advance the clock the service owns.
#[derive(Clone, Debug, Default)]
pub struct FakeClock {
    now_ms: Arc<AtomicU64>,
}

impl FakeClock {
    pub fn new(start_ms: u64) -> FakeClock {
        FakeClock {
            now_ms: Arc::new(AtomicU64::new(start_ms)),
        }
    }

    pub fn advance_ms(&self, by_ms: u64) {
        self.now_ms.fetch_add(by_ms, Ordering::SeqCst);
    }

    /// Sets the time, backwards too (a wall clock can jump back).
    pub fn set_ms(&self, at_ms: u64) {
        self.now_ms.store(at_ms, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_clock_clones_share_the_time() {
        let clock = FakeClock::new(1_000);
        let handle = clock.clone();
        handle.advance_ms(500);
        assert_eq!(clock.now_ms(), 1_500);
        handle.set_ms(10);
        assert_eq!(clock.now_ms(), 10);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now_ms() > 1_577_836_800_000);
    }
}

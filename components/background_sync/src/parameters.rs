//! The policy numbers of background sync, read from prefs once.
//!
//! Chromium calls these the background sync parameters; the defaults are
//! Chromium's (see `resources/prefs.json`). Everything that turns a number
//! into a decision (how long to wait before attempt n, whether an attempt is
//! the last chance, whether a tag is too long) is here, so the state machine
//! reads as the spec and the arithmetic is tested once.

use base::prefs::Prefs;

/// How often, how patiently and how long a sync event may be fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the last one with `lastChance`; at least 1.
    pub max_attempts: u32,
    /// Wait after the first failed attempt.
    pub initial_retry_delay_ms: u64,
    /// Each further wait is this many times the previous one.
    pub retry_delay_factor: u32,
    /// How long one event may run before it counts as failed. 0 means the
    /// service sets no limit (the worker host may still have one).
    pub max_event_duration_ms: u64,
    /// Longest tag accepted by `register()`, in UTF-8 bytes.
    pub max_tag_length_bytes: usize,
}

impl RetryPolicy {
    /// The policy the prefs describe.
    ///
    /// `background_sync.max_attempts = 0` is read as 1: with zero attempts a
    /// `register()` promise would resolve for an event that can never fire,
    /// and "the last chance is attempt `max_attempts - 1`" would have no
    /// answer. One attempt, which is also the last chance, is the closest
    /// meaningful policy.
    pub fn from_prefs(prefs: &Prefs) -> RetryPolicy {
        RetryPolicy {
            max_attempts: prefs.background_sync_max_attempts().max(1),
            initial_retry_delay_ms: prefs.background_sync_initial_retry_delay_ms(),
            retry_delay_factor: prefs.background_sync_retry_delay_factor(),
            max_event_duration_ms: prefs.background_sync_max_event_duration_ms(),
            max_tag_length_bytes: prefs.background_sync_max_tag_length_bytes(),
        }
    }

    /// The wait before the next attempt once `num_attempts` attempts have
    /// failed: `initial_retry_delay * retry_delay_factor^(num_attempts - 1)`,
    /// saturating instead of overflowing. `num_attempts = 0` has no wait.
    pub fn retry_delay_ms(&self, num_attempts: u32) -> u64 {
        let Some(exponent) = num_attempts.checked_sub(1) else {
            return 0;
        };
        let factor = u64::from(self.retry_delay_factor)
            .checked_pow(exponent)
            .unwrap_or(u64::MAX);
        self.initial_retry_delay_ms.saturating_mul(factor)
    }

    /// The longest wait this policy ever asks for (before the last
    /// attempt). A stored deadline further away than that can only come
    /// from a wall clock that jumped backwards.
    pub fn longest_retry_delay_ms(&self) -> u64 {
        (1..self.max_attempts)
            .map(|attempts| self.retry_delay_ms(attempts))
            .max()
            .unwrap_or(0)
    }

    /// Whether `tag` is short enough, counted in UTF-8 bytes as Chromium
    /// does (not in UTF-16 code units as JS `length` would).
    pub fn tag_fits(&self, tag: &str) -> bool {
        tag.len() <= self.max_tag_length_bytes
    }
}

impl Default for RetryPolicy {
    /// The policy of the default prefs.
    fn default() -> RetryPolicy {
        RetryPolicy::from_prefs(&Prefs::defaults())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_MS: u64 = 60 * 1000;

    #[test]
    fn defaults_are_chromiums() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 3);
        assert_eq!(policy.initial_retry_delay_ms, 5 * MINUTE_MS);
        assert_eq!(policy.retry_delay_factor, 3);
        assert_eq!(policy.max_event_duration_ms, 3 * MINUTE_MS);
        assert_eq!(policy.max_tag_length_bytes, 10240);
    }

    #[test]
    fn default_schedule_waits_5_then_15_minutes() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.retry_delay_ms(0), 0);
        assert_eq!(policy.retry_delay_ms(1), 5 * MINUTE_MS);
        assert_eq!(policy.retry_delay_ms(2), 15 * MINUTE_MS);
        assert_eq!(policy.longest_retry_delay_ms(), 15 * MINUTE_MS);
    }

    #[test]
    fn prefs_override_the_policy() {
        let prefs = Prefs::with_overrides([
            "background_sync.max_attempts=5",
            "background_sync.initial_retry_delay_ms=10",
            "background_sync.retry_delay_factor=2",
            "background_sync.max_event_duration_ms=7",
            "background_sync.max_tag_length_bytes=4",
        ])
        .unwrap();
        let policy = RetryPolicy::from_prefs(&prefs);
        assert_eq!(
            policy,
            RetryPolicy {
                max_attempts: 5,
                initial_retry_delay_ms: 10,
                retry_delay_factor: 2,
                max_event_duration_ms: 7,
                max_tag_length_bytes: 4,
            }
        );
        let delays: Vec<u64> = (1..5).map(|n| policy.retry_delay_ms(n)).collect();
        assert_eq!(delays, [10, 20, 40, 80]);
    }

    #[test]
    fn max_attempts_of_zero_means_one() {
        let prefs = Prefs::with_overrides(["background_sync.max_attempts=0"]).unwrap();
        let policy = RetryPolicy::from_prefs(&prefs);
        assert_eq!(policy.max_attempts, 1);
        assert_eq!(policy.longest_retry_delay_ms(), 0);
    }

    #[test]
    fn huge_delays_saturate() {
        let policy = RetryPolicy {
            initial_retry_delay_ms: u64::MAX / 2,
            retry_delay_factor: u32::MAX,
            max_attempts: 100,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.retry_delay_ms(2), u64::MAX);
        assert_eq!(policy.retry_delay_ms(99), u64::MAX);
        assert_eq!(policy.longest_retry_delay_ms(), u64::MAX);
    }

    #[test]
    fn tag_length_counts_utf8_bytes() {
        let policy = RetryPolicy::default();
        assert!(policy.tag_fits(""));
        assert!(policy.tag_fits(&"a".repeat(10240)));
        assert!(!policy.tag_fits(&"a".repeat(10241)));
        // 5120 two-byte characters are 10240 bytes; one more ASCII is too many.
        let two_byte = "é".repeat(5120);
        assert!(policy.tag_fits(&two_byte));
        assert!(!policy.tag_fits(&format!("{two_byte}a")));
    }
}

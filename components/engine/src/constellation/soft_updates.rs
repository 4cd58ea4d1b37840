//! Soft updates the constellation has promised (<https://w3c.github.io/ServiceWorker/#soft-update>):
//! after a navigation in a registration's scope, its update check runs a moment later, as in
//! Chromium (one second after the last such navigation), so it does not compete with the
//! page's own loading and a page that navigates its frames five times costs one check. The
//! timer is the main loop's: it waits for the earliest one with its other deadlines.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base::id::ServiceWorkerRegistrationId;

/// How long after the last navigation the check runs.
pub(super) const SOFT_UPDATE_DELAY: Duration = Duration::from_secs(1);

/// The registrations waiting for their update check, by when it is due.
#[derive(Default)]
pub(super) struct SoftUpdates {
    due: HashMap<ServiceWorkerRegistrationId, Instant>,
}

impl SoftUpdates {
    /// A navigation in `registration`'s scope at `now`: its check is due a delay later (a check
    /// already waiting waits that long again).
    pub fn after_navigation(&mut self, registration: ServiceWorkerRegistrationId, now: Instant) {
        self.due.insert(registration, now + SOFT_UPDATE_DELAY);
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.due.values().min().copied()
    }

    /// The registrations whose check is due at `now`, in id order, no longer waiting.
    pub fn take_due(&mut self, now: Instant) -> Vec<ServiceWorkerRegistrationId> {
        let mut due: Vec<_> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(registration, _)| *registration)
            .collect();
        due.sort_by_key(|registration| registration.0);
        for registration in &due {
            self.due.remove(registration);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_is_due_a_delay_after_the_last_navigation() {
        let mut updates = SoftUpdates::default();
        let (a, b) = (
            ServiceWorkerRegistrationId(1),
            ServiceWorkerRegistrationId(2),
        );
        let start = Instant::now();
        updates.after_navigation(a, start);
        updates.after_navigation(b, start + Duration::from_millis(300));
        assert_eq!(updates.next_deadline(), Some(start + SOFT_UPDATE_DELAY));
        // Another navigation of `a` puts its check off.
        updates.after_navigation(a, start + Duration::from_millis(500));
        assert!(updates.take_due(start + SOFT_UPDATE_DELAY).is_empty());
        let b_due = start + Duration::from_millis(300) + SOFT_UPDATE_DELAY;
        assert_eq!(updates.take_due(b_due), [b]);
        assert_eq!(
            updates.next_deadline(),
            Some(start + Duration::from_millis(500) + SOFT_UPDATE_DELAY)
        );
        assert_eq!(updates.take_due(start + Duration::from_secs(10)), [a]);
        assert_eq!(updates.next_deadline(), None);
    }
}

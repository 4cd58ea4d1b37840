//! Which registrations act now, and when the service next needs the time.
//!
//! Pure functions over the registrations and the conditions of the moment
//! (time, network, workers marked offline). The service asks them after
//! every request; the host keeps a single timer, set by
//! [`Action::ScheduleWakeup`], which [`WakeupTimer`] only re-arms when the
//! time actually changes.

use std::collections::BTreeSet;

use background_sync_traits::SyncState;
use base::id::ServiceWorkerRegistrationId;

use crate::action::Action;
use crate::manager::SyncRegistrations;

/// A (service-worker registration, tag) key.
pub(crate) type SyncKey = (ServiceWorkerRegistrationId, String);

/// What, besides a registration's own state, decides whether it fires.
pub(crate) struct Conditions<'a> {
    pub now_ms: u64,
    pub online: bool,
    /// Workers the embedder marked offline (a devtools switch).
    pub offline_workers: &'a BTreeSet<ServiceWorkerRegistrationId>,
}

impl Conditions<'_> {
    /// Whether a ready registration of `registration` may fire: the network
    /// is online and its worker is not marked offline.
    pub fn allow_firing(&self, registration: ServiceWorkerRegistrationId) -> bool {
        self.online && !self.offline_workers.contains(&registration)
    }
}

/// Waiting registrations whose back-off deadline has passed.
pub(crate) fn due_for_retry(registrations: &SyncRegistrations, now_ms: u64) -> Vec<SyncKey> {
    registrations
        .waiting()
        .filter(|(_, _, sync)| {
            sync.state == SyncState::Waiting && sync.delay_until_ms.is_none_or(|at| at <= now_ms)
        })
        .map(|(registration, tag, _)| (registration, tag.to_owned()))
        .collect()
}

/// Registrations to fire now, at most `limit`: ready by their own state,
/// and allowed by the conditions.
pub(crate) fn ready_to_fire(
    registrations: &SyncRegistrations,
    conditions: &Conditions<'_>,
    limit: usize,
) -> Vec<SyncKey> {
    if !conditions.online {
        return Vec::new();
    }
    registrations
        .confirmed_pending()
        .filter(|(registration, _, sync)| {
            sync.is_ready(conditions.now_ms) && conditions.allow_firing(*registration)
        })
        .take(limit)
        .map(|(registration, tag, _)| (registration, tag.to_owned()))
        .collect()
}

/// The earliest time at which something will change by itself: a back-off
/// ends, a pending registration becomes ready or is ready but not fired yet
/// (only if it could fire then; a pass fires a limited slice), or an event
/// in flight runs out of time.
pub(crate) fn next_wakeup(
    registrations: &SyncRegistrations,
    event_deadlines: impl Iterator<Item = u64>,
    conditions: &Conditions<'_>,
) -> Option<u64> {
    let waiting = registrations
        .waiting()
        .map(|(_, _, sync)| sync.delay_until_ms.unwrap_or(conditions.now_ms));
    // Offline, no pending registration can fire: they need no look.
    let pending = conditions
        .online
        .then(|| {
            registrations
                .confirmed_pending()
                .filter(|(registration, _, _)| conditions.allow_firing(*registration))
                .map(|(_, _, sync)| sync.delay_until_ms.unwrap_or(conditions.now_ms))
        })
        .into_iter()
        .flatten();
    waiting.chain(pending).chain(event_deadlines).min()
}

/// The host's one timer, as last set.
#[derive(Debug, Default)]
pub(crate) struct WakeupTimer {
    scheduled_ms: Option<u64>,
}

impl WakeupTimer {
    /// The action that moves the timer to `next`, if it is not there yet.
    pub fn reschedule(&mut self, next: Option<u64>) -> Option<Action> {
        if next == self.scheduled_ms {
            return None;
        }
        self.scheduled_ms = next;
        Some(match next {
            Some(at_ms) => Action::ScheduleWakeup { at_ms },
            None => Action::CancelWakeup,
        })
    }

    /// The timer fired, so it is no longer set.
    pub fn fired(&mut self) {
        self.scheduled_ms = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::DispatchId;
    use crate::manager::SyncRegistration;

    const NOW: u64 = 10_000;
    const A: ServiceWorkerRegistrationId = ServiceWorkerRegistrationId(1);
    const B: ServiceWorkerRegistrationId = ServiceWorkerRegistrationId(2);

    fn confirmed() -> SyncRegistration {
        SyncRegistration {
            confirmed: true,
            ..SyncRegistration::new(3)
        }
    }

    fn waiting_until(at: u64) -> SyncRegistration {
        SyncRegistration {
            state: SyncState::Waiting,
            delay_until_ms: Some(at),
            num_attempts: 1,
            ..confirmed()
        }
    }

    fn conditions(online: bool, offline: &BTreeSet<ServiceWorkerRegistrationId>) -> Conditions<'_> {
        Conditions {
            now_ms: NOW,
            online,
            offline_workers: offline,
        }
    }

    #[test]
    fn confirmed_pending_fires_when_online_only() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "ready", Some(confirmed()));
        registrations.set(A, "unconfirmed", Some(SyncRegistration::new(3)));
        registrations.set(B, "ready too", Some(confirmed()));
        let none = BTreeSet::new();
        assert_eq!(
            ready_to_fire(&registrations, &conditions(true, &none), usize::MAX),
            [(A, "ready".to_owned()), (B, "ready too".to_owned())]
        );
        assert!(ready_to_fire(&registrations, &conditions(false, &none), usize::MAX).is_empty());
    }

    #[test]
    fn worker_marked_offline_does_not_fire() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "a", Some(confirmed()));
        registrations.set(B, "b", Some(confirmed()));
        let offline = BTreeSet::from([A]);
        assert_eq!(
            ready_to_fire(&registrations, &conditions(true, &offline), usize::MAX),
            [(B, "b".to_owned())]
        );
    }

    #[test]
    fn waiting_is_due_once_its_deadline_passes() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "due", Some(waiting_until(NOW)));
        registrations.set(A, "later", Some(waiting_until(NOW + 1)));
        assert_eq!(due_for_retry(&registrations, NOW), [(A, "due".to_owned())]);
    }

    #[test]
    fn next_wakeup_is_the_earliest_deadline() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "w", Some(waiting_until(NOW + 500)));
        let none = BTreeSet::new();
        let online = conditions(true, &none);
        assert_eq!(
            next_wakeup(&registrations, std::iter::empty(), &online),
            Some(NOW + 500)
        );
        assert_eq!(
            next_wakeup(&registrations, [NOW + 200].into_iter(), &online),
            Some(NOW + 200)
        );
    }

    #[test]
    fn backoff_still_ends_while_offline() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "w", Some(waiting_until(NOW + 500)));
        let none = BTreeSet::new();
        assert_eq!(
            next_wakeup(
                &registrations,
                std::iter::empty(),
                &conditions(false, &none)
            ),
            Some(NOW + 500)
        );
    }

    #[test]
    fn delayed_pending_wakes_only_if_it_could_fire() {
        let mut registrations = SyncRegistrations::default();
        let delayed = SyncRegistration {
            delay_until_ms: Some(NOW + 50),
            ..confirmed()
        };
        registrations.set(A, "p", Some(delayed));
        let none = BTreeSet::new();
        assert_eq!(
            next_wakeup(&registrations, std::iter::empty(), &conditions(true, &none)),
            Some(NOW + 50)
        );
        assert_eq!(
            next_wakeup(
                &registrations,
                std::iter::empty(),
                &conditions(false, &none)
            ),
            None
        );
    }

    #[test]
    fn ready_but_unfired_pending_wakes_now_and_the_slice_is_limited() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "p1", Some(confirmed()));
        registrations.set(A, "p2", Some(confirmed()));
        let none = BTreeSet::new();
        assert_eq!(
            next_wakeup(&registrations, std::iter::empty(), &conditions(true, &none)),
            Some(NOW)
        );
        assert_eq!(
            ready_to_fire(&registrations, &conditions(true, &none), 1),
            [(A, "p1".to_owned())]
        );
    }

    #[test]
    fn nothing_timed_means_no_wakeup() {
        let mut registrations = SyncRegistrations::default();
        registrations.set(A, "p", Some(confirmed().fired(DispatchId(1))));
        let none = BTreeSet::new();
        assert_eq!(
            next_wakeup(&registrations, std::iter::empty(), &conditions(true, &none)),
            None
        );
    }

    #[test]
    fn timer_is_rearmed_only_on_change() {
        let mut timer = WakeupTimer::default();
        assert_eq!(timer.reschedule(None), None);
        assert_eq!(
            timer.reschedule(Some(5)),
            Some(Action::ScheduleWakeup { at_ms: 5 })
        );
        assert_eq!(timer.reschedule(Some(5)), None);
        assert_eq!(timer.reschedule(None), Some(Action::CancelWakeup));
        timer.reschedule(Some(7));
        timer.fired();
        assert_eq!(
            timer.reschedule(Some(7)),
            Some(Action::ScheduleWakeup { at_ms: 7 })
        );
    }
}

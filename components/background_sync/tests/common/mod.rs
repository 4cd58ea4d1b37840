//! A sync service with a fake clock and a memory store, and helpers to read
//! its actions.

#![allow(dead_code)]

use background_sync::{
    Action, DispatchId, FakeClock, MemorySyncStore, RetryPolicy, ServiceWorkerRegistrationId,
    SyncError, SyncEventOutcome, SyncService,
};

pub const START_MS: u64 = 1_700_000_000_000;
pub const MINUTE_MS: u64 = 60 * 1000;

pub const SW_A: ServiceWorkerRegistrationId = ServiceWorkerRegistrationId(1);
pub const SW_B: ServiceWorkerRegistrationId = ServiceWorkerRegistrationId(2);

/// A dispatch the service asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatched {
    pub dispatch: DispatchId,
    pub registration: ServiceWorkerRegistrationId,
    pub tag: String,
    pub last_chance: bool,
}

pub fn dispatches(actions: &[Action]) -> Vec<Dispatched> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::DispatchSyncEvent {
                dispatch,
                registration,
                tag,
                last_chance,
            } => Some(Dispatched {
                dispatch: *dispatch,
                registration: *registration,
                tag: tag.clone(),
                last_chance: *last_chance,
            }),
            _ => None,
        })
        .collect()
}

/// The one dispatch in `actions`.
pub fn only_dispatch(actions: &[Action]) -> Dispatched {
    let mut all = dispatches(actions);
    assert_eq!(all.len(), 1, "expected one dispatch in {actions:?}");
    all.remove(0)
}

/// The wake-up time `actions` set last, if any.
pub fn scheduled_wakeup(actions: &[Action]) -> Option<u64> {
    actions.iter().rev().find_map(|action| match action {
        Action::ScheduleWakeup { at_ms } => Some(*at_ms),
        _ => None,
    })
}

pub struct Harness {
    pub service: SyncService,
    pub clock: FakeClock,
    pub store: MemorySyncStore,
    pub policy: RetryPolicy,
}

impl Harness {
    /// A service with the default (Chromium) policy, not yet online.
    pub fn new() -> Harness {
        Harness::with_policy(RetryPolicy::default())
    }

    pub fn with_policy(policy: RetryPolicy) -> Harness {
        Harness::on_store(policy, MemorySyncStore::new(), FakeClock::new(START_MS))
    }

    pub fn on_store(policy: RetryPolicy, store: MemorySyncStore, clock: FakeClock) -> Harness {
        let service = SyncService::with_policy(
            policy.clone(),
            Box::new(store.clone()),
            Box::new(clock.clone()),
        );
        Harness {
            service,
            clock,
            store,
            policy,
        }
    }

    /// A service that is online already.
    pub fn online() -> Harness {
        let mut harness = Harness::new();
        harness.service.set_online(true);
        harness
    }

    /// Stops this service and starts another on the same store and clock,
    /// as an engine restart does.
    pub fn restarted(self) -> Harness {
        let Harness {
            service,
            clock,
            store,
            policy,
        } = self;
        drop(service);
        Harness::on_store(policy, store, clock)
    }

    pub fn register(&mut self, registration: ServiceWorkerRegistrationId, tag: &str) {
        self.service
            .register(registration, tag)
            .unwrap_or_else(|error| panic!("register({tag:?}) failed: {error}"));
    }

    /// `register()` and its confirmation, as a page does.
    pub fn register_confirmed(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Vec<Action> {
        self.register(registration, tag);
        self.service.confirm_registration(registration, tag)
    }

    /// `register()` and its confirmation while online, and the event it fires ending in
    /// success; returns that event.
    pub fn register_and_succeed(
        &mut self,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Dispatched {
        let fired = only_dispatch(&self.register_confirmed(registration, tag));
        self.service
            .event_outcome(fired.dispatch, SyncEventOutcome::Success);
        fired
    }

    pub fn tags(&self, registration: ServiceWorkerRegistrationId) -> Vec<String> {
        self.service.get_tags(registration).unwrap()
    }

    pub fn tags_result(
        &self,
        registration: ServiceWorkerRegistrationId,
    ) -> Result<Vec<String>, SyncError> {
        self.service.get_tags(registration)
    }

    /// Advances the clock and delivers the wake-up, as the host's timer does.
    pub fn advance_and_wake(&mut self, by_ms: u64) -> Vec<Action> {
        self.clock.advance_ms(by_ms);
        self.service.wake()
    }
}

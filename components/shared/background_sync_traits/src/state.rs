//! The state of one sync registration, as stored and as listed.
//!
//! <https://wicg.github.io/background-sync/spec/#sync-registration-state>

use std::fmt;
use std::str::FromStr;

use base::id::ServiceWorkerRegistrationId;
use serde::{Deserialize, Serialize};

/// Where a sync registration is in its life. The names are the spec's, and
/// [`SyncState::as_str`] is also how the profile database spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncState {
    /// Waiting to fire: for its registering context to confirm, for the
    /// network, or for nothing.
    Pending,
    /// A failed attempt is backing off until `delay_until_ms`.
    Waiting,
    /// A `sync` event for it is being dispatched or handled.
    Firing,
    /// `register()` was called again while it was firing: it fires again
    /// once the current event completes, whatever the outcome.
    ReregisteredWhileFiring,
}

impl SyncState {
    pub const ALL: [SyncState; 4] = [
        SyncState::Pending,
        SyncState::Waiting,
        SyncState::Firing,
        SyncState::ReregisteredWhileFiring,
    ];

    /// The spec's name of the state (`"reregistered-while-firing"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Pending => "pending",
            SyncState::Waiting => "waiting",
            SyncState::Firing => "firing",
            SyncState::ReregisteredWhileFiring => "reregistered-while-firing",
        }
    }
}

impl fmt::Display for SyncState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A state name that is none of the spec's, read from a file or a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown sync registration state {0:?}")]
pub struct UnknownSyncState(pub String);

impl FromStr for SyncState {
    type Err = UnknownSyncState;

    fn from_str(text: &str) -> Result<SyncState, UnknownSyncState> {
        SyncState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownSyncState(text.to_owned()))
    }
}

/// One sync registration as the service stores and lists it: the row of
/// the `sync_registrations` table, and what devtools-style listings show.
///
/// Whether its registering context has confirmed it is deliberately absent:
/// that lives only in the running service, and every registration loaded
/// from storage counts as confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRegistrationInfo {
    /// The service-worker registration the sync belongs to.
    pub registration: ServiceWorkerRegistrationId,
    /// The tag given to `register()`; unique per service-worker registration.
    pub tag: String,
    pub state: SyncState,
    /// Failed attempts so far (an attempt cut short by an engine restart is
    /// not counted).
    pub num_attempts: u32,
    /// Attempts allowed in total, fixed when the registration was created.
    pub max_attempts: u32,
    /// Milliseconds since the Unix epoch before which it must not fire;
    /// `None` for "no delay".
    pub delay_until_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_are_the_specs() {
        let names: Vec<&str> = SyncState::ALL.iter().map(|state| state.as_str()).collect();
        assert_eq!(
            names,
            ["pending", "waiting", "firing", "reregistered-while-firing"]
        );
    }

    #[test]
    fn state_names_parse_back() {
        for state in SyncState::ALL {
            assert_eq!(state.as_str().parse::<SyncState>(), Ok(state));
        }
        assert_eq!(
            "Pending".parse::<SyncState>(),
            Err(UnknownSyncState("Pending".to_owned()))
        );
    }

    #[test]
    fn serde_uses_the_same_names() {
        for state in SyncState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<SyncState>(&json).unwrap(), state);
        }
    }

    #[test]
    fn registration_info_round_trips_through_json() {
        let info = SyncRegistrationInfo {
            registration: ServiceWorkerRegistrationId(3),
            tag: "outbox ✉".to_owned(),
            state: SyncState::Waiting,
            num_attempts: 1,
            max_attempts: 3,
            delay_until_ms: Some(1_700_000_000_000),
        };
        let json = serde_json::to_string(&info).unwrap();
        assert_eq!(
            serde_json::from_str::<SyncRegistrationInfo>(&json).unwrap(),
            info
        );
    }
}

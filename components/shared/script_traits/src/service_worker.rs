//! Snapshots of registrations and workers, as the registry reports them.
//!
//! These are values, not handles: a page builds its
//! `ServiceWorkerRegistration` and `ServiceWorker` objects from them and
//! keys them by id, so two snapshots of the same registration map to the
//! same JS object.

use std::fmt;

use base::id::ServiceWorkerRegistrationId;
use serde::{Deserialize, Serialize};
use url::Url;

/// One service worker (one version of a registration's script), numbered
/// by the constellation. Ids are not reused while the engine runs; they are
/// not stored, so a worker loaded after a restart gets a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceWorkerId(pub u64);

impl fmt::Display for ServiceWorkerId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "service-worker-{}", self.0)
    }
}

/// <https://w3c.github.io/ServiceWorker/#dfn-state>. A new worker is
/// `parsed` while its script first runs (only the worker itself sees it, as
/// `self.serviceWorker.state`); Install makes it `installing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceWorkerState {
    Parsed,
    Installing,
    Installed,
    Activating,
    Activated,
    Redundant,
}

impl ServiceWorkerState {
    /// The `ServiceWorkerState` Web IDL enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceWorkerState::Parsed => "parsed",
            ServiceWorkerState::Installing => "installing",
            ServiceWorkerState::Installed => "installed",
            ServiceWorkerState::Activating => "activating",
            ServiceWorkerState::Activated => "activated",
            ServiceWorkerState::Redundant => "redundant",
        }
    }
}

impl fmt::Display for ServiceWorkerState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// <https://w3c.github.io/ServiceWorker/#dfn-update-via-cache>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateViaCache {
    #[default]
    Imports,
    All,
    None,
}

/// <https://w3c.github.io/ServiceWorker/#dfn-type>: how a worker's main script runs, as a
/// classic script or as a module script (its imports static `import`s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkerType {
    #[default]
    Classic,
    Module,
}

/// A worker as `ServiceWorker` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceWorkerInfo {
    pub id: ServiceWorkerId,
    /// `ServiceWorker.scriptURL`.
    pub script_url: Url,
    pub state: ServiceWorkerState,
}

/// A registration as `ServiceWorkerRegistration` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInfo {
    pub id: ServiceWorkerRegistrationId,
    pub scope: Url,
    pub update_via_cache: UpdateViaCache,
    pub installing: Option<ServiceWorkerInfo>,
    pub waiting: Option<ServiceWorkerInfo>,
    pub active: Option<ServiceWorkerInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_are_the_web_idl_values() {
        let names: Vec<String> = [
            ServiceWorkerState::Installing,
            ServiceWorkerState::Installed,
            ServiceWorkerState::Activating,
            ServiceWorkerState::Activated,
            ServiceWorkerState::Redundant,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "installing",
                "installed",
                "activating",
                "activated",
                "redundant"
            ]
        );
    }

    #[test]
    fn worker_id_displays_with_its_kind() {
        assert_eq!(ServiceWorkerId(3).to_string(), "service-worker-3");
    }
}

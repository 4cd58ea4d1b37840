//! What the engine tells its embedder as things happen: the story of each
//! sync registration (registered, dispatched, completed or failed and what
//! comes next), the per-tag log developers cannot otherwise see, and each
//! change of the network state the engine goes by, with its cause (the
//! shell prints them with `-v`).
//!
//! Events are delivered on the constellation thread, in order, through
//! [`crate::EngineOptions::events`]; a callback must not block.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use background_sync_traits::SyncEventFailure;
use net::ConnectivityChange;
use url::Url;

/// Receives the engine's events (see the module docs).
pub type EventCallback = Arc<dyn Fn(EngineEvent) + Send + Sync>;

/// Something the embedder may want to know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineEvent {
    /// A step in the life of a sync registration.
    Sync(SyncLogEntry),
    /// The engine went online or offline (as the constellation applied
    /// the network observer's report).
    Network(ConnectivityChange),
    /// A service worker's uncaught exception or unhandled rejection (its
    /// `file:line:col Uncaught ...` line, also printed on stderr).
    WorkerError { scope: Url, message: String },
}

impl fmt::Display for EngineEvent {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineEvent::Sync(entry) => entry.fmt(formatter),
            EngineEvent::Network(change) => {
                write!(formatter, "network {}: {}", change.state, change.cause)
            }
            EngineEvent::WorkerError { scope, message } => {
                write!(formatter, "service worker {scope}: {message}")
            }
        }
    }
}

/// One line of a tag's story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncLogEntry {
    /// The scope of the service-worker registration the tag belongs to.
    pub scope: Url,
    pub tag: String,
    pub kind: SyncLogKind,
}

/// What happened to the tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncLogKind {
    /// `register(tag)` succeeded (a new registration, or one registered
    /// again).
    Registered,
    /// A `sync` event was sent to the worker (started first if it was
    /// stopped). `devtools`: an embedder's "dispatch sync now", which
    /// changes nothing stored.
    Dispatched { last_chance: bool, devtools: bool },
    /// Every `waitUntil` promise fulfilled.
    Completed { devtools: bool },
    /// The attempt failed. `retry_in`: when the registration fires again
    /// (`Some(0)`: at once, it was registered again while firing); `None`:
    /// it was dropped (that was its last chance), or this was a devtools
    /// dispatch, which changes nothing.
    Failed {
        reason: SyncEventFailure,
        retry_in: Option<Duration>,
        devtools: bool,
    },
    /// The attempt was cut off by something else (its worker was stopped
    /// for another event, the engine shut down): not counted; it fires
    /// again.
    Interrupted { devtools: bool },
}

impl fmt::Display for SyncLogEntry {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "sync {} {:?}: ", self.scope, self.tag)?;
        let devtools = |devtools: bool| if devtools { " (devtools)" } else { "" };
        match &self.kind {
            SyncLogKind::Registered => formatter.write_str("registered"),
            SyncLogKind::Dispatched {
                last_chance,
                devtools: by_devtools,
            } => write!(
                formatter,
                "dispatched, lastChance {last_chance}{}",
                devtools(*by_devtools)
            ),
            SyncLogKind::Completed {
                devtools: by_devtools,
            } => write!(formatter, "completed{}", devtools(*by_devtools)),
            SyncLogKind::Failed {
                reason,
                devtools: true,
                ..
            } => write!(
                formatter,
                "failed ({reason}) (devtools; nothing stored changes)"
            ),
            SyncLogKind::Failed {
                reason,
                retry_in: Some(delay),
                ..
            } => write!(
                formatter,
                "failed ({reason}); next attempt in {} ms",
                delay.as_millis()
            ),
            SyncLogKind::Failed {
                reason,
                retry_in: None,
                ..
            } => write!(
                formatter,
                "failed ({reason}); dropped after its last chance"
            ),
            SyncLogKind::Interrupted {
                devtools: by_devtools,
            } => write!(
                formatter,
                "interrupted (its worker was stopped for something else); not counted, it fires \
                 again{}",
                devtools(*by_devtools)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: SyncLogKind) -> String {
        SyncLogEntry {
            scope: Url::parse("http://127.0.0.1:8000/").unwrap(),
            tag: "outbox".to_owned(),
            kind,
        }
        .to_string()
    }

    #[test]
    fn a_network_change_reads_with_its_cause() {
        let change = ConnectivityChange {
            state: net::Connectivity::Online,
            cause: "veth0 up with 192.0.2.2".to_owned(),
        };
        assert_eq!(
            EngineEvent::Network(change).to_string(),
            "network online: veth0 up with 192.0.2.2"
        );
    }

    #[test]
    fn log_lines_read_as_a_story() {
        assert_eq!(
            entry(SyncLogKind::Registered),
            "sync http://127.0.0.1:8000/ \"outbox\": registered"
        );
        assert!(entry(SyncLogKind::Dispatched {
            last_chance: true,
            devtools: false
        })
        .ends_with("dispatched, lastChance true"));
        assert!(entry(SyncLogKind::Failed {
            reason: SyncEventFailure::HandlerThrew,
            retry_in: Some(Duration::from_millis(50)),
            devtools: false,
        })
        .ends_with("failed (the handler threw); next attempt in 50 ms"));
        assert!(entry(SyncLogKind::Failed {
            reason: SyncEventFailure::TimedOut,
            retry_in: None,
            devtools: false,
        })
        .ends_with("dropped after its last chance"));
    }
}

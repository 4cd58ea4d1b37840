//! The network as the engine goes by it: the reports of a
//! [`NetworkObserver`](net::NetworkObserver) (the OS's interfaces, or the
//! embedder's override), applied on the constellation thread.
//!
//! The constellation subscribes once, when the engine starts, and reads
//! the state right after (so no change falls between the two). It then
//! applies every report, in order, as one step: it logs the change with
//! its cause (target `bgsync::engine::constellation`) and tells the
//! embedder (`EngineEvent::Network`), every loaded page (`navigator.onLine`,
//! the `online` and `offline` events, `fetch()` refusing to send while
//! offline), every running worker, and last the sync service (online fires
//! every ready registration). Pages and workers that start later get the
//! state in their setup (a page still loading gets it there, not as a
//! message it would only read after the setup). A worker hears of a change
//! before any `sync` event the change causes (same channel, sent first),
//! so a handler's `fetch()` sees the network its event was fired for.
//!
//! Flapping needs nothing special here: the observer debounces OS changes
//! (`net.network_debounce_ms`); overrides are applied one by one, and the
//! sync service never fires a registration that is already firing, so a
//! burst of offline/online changes fires each ready tag once.

use crossbeam_channel::Receiver;
use net::{Connectivity, ConnectivityChange};

/// The constellation's end of the observer: its subscription, and the
/// state it last applied.
pub(crate) struct NetworkLink {
    changes: Receiver<ConnectivityChange>,
    state: Connectivity,
}

impl NetworkLink {
    /// `state` must be read after `changes` subscribed.
    pub fn new(changes: Receiver<ConnectivityChange>, state: Connectivity) -> NetworkLink {
        NetworkLink { changes, state }
    }

    /// The reports still to apply.
    pub fn changes(&self) -> &Receiver<ConnectivityChange> {
        &self.changes
    }

    /// The state the engine goes by.
    pub fn state(&self) -> Connectivity {
        self.state
    }

    pub fn is_online(&self) -> bool {
        self.state.is_online()
    }

    /// Takes `change` as the state; whether it is one (a change reported
    /// between the subscription and the first read is both in the state
    /// read and in the channel).
    pub fn apply(&mut self, change: &ConnectivityChange) -> bool {
        if change.state == self.state {
            return false;
        }
        self.state = change.state;
        true
    }
}

//! Applying the network observer's reports in the constellation thread
//! (see `crate::network` for who hears what, and why in this order).

use net::ConnectivityChange;
use script_traits::ToClientMsg;

use super::{Constellation, LOG_TARGET};
use crate::events::EngineEvent;

impl Constellation {
    /// The observer reported `change`: everyone who acts on the network
    /// hears it. The sync events it fires are carried out afterwards
    /// (`after_work`), so workers hear of the change first.
    pub(super) fn network_changed(&mut self, change: ConnectivityChange) {
        if !self.network.apply(&change) {
            log::debug!(
                target: LOG_TARGET,
                "network report {} ({}) is the state already",
                change.state,
                change.cause
            );
            return;
        }
        log::info!(
            target: LOG_TARGET,
            "the network is {}: {}",
            change.state,
            change.cause
        );
        let online = change.state.is_online();
        if let Some(events) = &self.events {
            events(EngineEvent::Network(change));
        }
        self.host
            .clients
            .broadcast_to_loaded(|| ToClientMsg::NetworkChanged { online });
        self.host.workers.set_online(online);
        self.host.sync.set_online(online);
    }
}

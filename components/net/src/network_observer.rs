//! The network observer: is the engine online, and when does that change?
//!
//! Background sync fires "when the network observer reports it is online";
//! `navigator.onLine` and offline `fetch()` follow the same report. This
//! module decides it and tells its subscribers; it does not load anything
//! and knows nobody above it (the constellation and script threads
//! subscribe).
//!
//! - **OS state.** On Linux a listener thread sleeps on an rtnetlink socket
//!   subscribed to link and address events (`RTMGRP_LINK`,
//!   `RTMGRP_IPV4_IFADDR`, `RTMGRP_IPV6_IFADDR`), after a dump of both
//!   tables at start (`netlink.rs`). The OS is online when some non-loopback
//!   interface is up and running (`IFF_UP` and `IFF_RUNNING`, the kernel's
//!   oper state up) with an address that is neither link-local
//!   (169.254/16, fe80::/10) nor tentative (`interfaces.rs`).
//! - **Debounce.** A change of the OS state is reported once it has lasted
//!   [`ObserverConfig::debounce`] (pref `net.network_debounce_ms`, 100 ms
//!   by default): a flap that comes back within the window is never
//!   reported, and a burst is reported once, with its final state. Each
//!   change restarts the window, so a link that flaps faster than the window
//!   keeps the last reported state until it settles.
//! - **Override.** [`NetworkObserver::set_override`] is the embedder's
//!   switch (devtools' "offline"): `Some(state)` wins over the OS state,
//!   `None` returns to it. It applies at once, without debounce, and
//!   reports the effective state if that changed.
//! - **Fallback.** Where there is no netlink (not Linux, or the socket
//!   cannot be opened) the OS state is "online", with a warning in the log,
//!   and [`NetworkObserver::os_state_available`] says so. The override still
//!   works.
//!
//! Every reported change is logged at info level on target
//! `bgsync::net::observer` with its cause (`offline: eth0 lost its last
//! address 192.0.2.2`, `online: override`), and reaches each subscriber as a
//! [`ConnectivityChange`] carrying that cause.
//!
//! ```
//! use net::{Connectivity, NetworkObserver};
//!
//! let observer = NetworkObserver::start()?;
//! // Subscribe, then read the state: every change after that value arrives.
//! let changes = observer.subscribe();
//! let online_now = observer.state().is_online();
//! observer.set_override(Some(Connectivity::Offline));
//! assert_eq!(observer.state(), Connectivity::Offline);
//! if online_now {
//!     assert_eq!(changes.try_recv().unwrap().cause, "override");
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Dropping the observer stops its threads. [`NetworkObserver::start_with_source`]
//! runs everything above the socket on [`InterfaceEvent`]s a test provides.

mod interfaces;
#[cfg(target_os = "linux")]
mod netlink;

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use base::Prefs;
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use serde::{Deserialize, Serialize};

pub use interfaces::InterfaceEvent;
use interfaces::InterfaceTable;

/// The `log` target of every line this module writes.
pub const LOG_TARGET: &str = "bgsync::net::observer";

/// Online or offline, as the observer reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Connectivity {
    Online,
    Offline,
}

impl Connectivity {
    pub fn is_online(self) -> bool {
        self == Connectivity::Online
    }
}

impl fmt::Display for Connectivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Connectivity::Online => "online",
            Connectivity::Offline => "offline",
        })
    }
}

/// A change of the effective state, as subscribers receive it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectivityChange {
    /// The new effective state (never the same as the previous report).
    pub state: Connectivity,
    /// Why, for people: `eth0 lost its last address 192.0.2.2`, `override`.
    pub cause: String,
}

/// How a [`NetworkObserver`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObserverConfig {
    /// How long an OS state change must last before it is reported.
    pub debounce: Duration,
}

impl ObserverConfig {
    /// The pref holding [`ObserverConfig::debounce`], in milliseconds.
    pub const DEBOUNCE_PREF: &'static str = base::prefs::names::NET_NETWORK_DEBOUNCE_MS;
    /// The debounce of [`ObserverConfig::default`] (the pref's default too).
    pub const DEFAULT_DEBOUNCE_MS: u64 = 100;

    /// The config of the prefs.
    pub fn from_prefs(prefs: &Prefs) -> ObserverConfig {
        ObserverConfig {
            debounce: Duration::from_millis(prefs.net_network_debounce_ms()),
        }
    }
}

impl Default for ObserverConfig {
    fn default() -> Self {
        ObserverConfig {
            debounce: Duration::from_millis(Self::DEFAULT_DEBOUNCE_MS),
        }
    }
}

/// Watches the OS's network interfaces and reports online/offline changes.
///
/// Cheap to share behind an `Arc`: every method takes `&self`. Dropping it
/// stops its threads.
pub struct NetworkObserver {
    shared: Arc<Mutex<Shared>>,
    /// Dropped to stop the state thread (nothing is ever sent).
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    #[cfg(target_os = "linux")]
    source: Option<netlink::NetlinkSource>,
}

impl NetworkObserver {
    /// Starts observing the OS with the default config.
    pub fn start() -> io::Result<NetworkObserver> {
        Self::start_with_config(ObserverConfig::default())
    }

    /// Starts observing the OS: subscribes to rtnetlink, computes the
    /// current state from a dump (so [`state`](Self::state) is right when
    /// this returns) and spawns the threads. Without netlink, falls back to
    /// "online" (see [`os_state_available`](Self::os_state_available)); an
    /// error means a thread could not be spawned.
    pub fn start_with_config(config: ObserverConfig) -> io::Result<NetworkObserver> {
        #[cfg(target_os = "linux")]
        {
            let (updates, events) = unbounded();
            match netlink::NetlinkSource::start(updates) {
                Ok((source, initial)) => {
                    let mut observer = Self::spawn(config, initial, events)?;
                    observer.source = Some(source);
                    Ok(observer)
                }
                Err(error) => {
                    log::warn!(
                        target: LOG_TARGET,
                        "no rtnetlink ({error}): the network state is unknown, assuming online"
                    );
                    Ok(Self::without_os_state("rtnetlink is unavailable"))
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = config;
            log::warn!(
                target: LOG_TARGET,
                "no network observer on this OS: the network state is unknown, assuming online"
            );
            Ok(Self::without_os_state("no network observer on this OS"))
        }
    }

    /// Starts an observer whose OS state comes from `initial` and then from
    /// the batches received on `updates`, instead of the OS: the same state
    /// computation, debounce, override and reports, for tests. Each batch
    /// is applied as one step. When every sender of `updates` is gone the
    /// source counts as lost: OS state unavailable, online.
    pub fn start_with_source(
        config: ObserverConfig,
        initial: Vec<InterfaceEvent>,
        updates: Receiver<Vec<InterfaceEvent>>,
    ) -> io::Result<NetworkObserver> {
        Self::spawn(config, initial, updates)
    }

    /// The effective state: the override if set, else the OS state as last
    /// reported. A subscriber that reads it after [`subscribe`](Self::subscribe)
    /// receives every change after the value it read.
    pub fn state(&self) -> Connectivity {
        self.lock().reported
    }

    /// The OS state as last reported (after debounce), ignoring the override.
    pub fn os_state(&self) -> Connectivity {
        self.lock().os_state
    }

    /// False when the OS state is a guess ("online") because there is no
    /// netlink here, or its listener failed.
    pub fn os_state_available(&self) -> bool {
        self.lock().os_state_available
    }

    /// The override set by [`set_override`](Self::set_override), if any.
    pub fn override_state(&self) -> Option<Connectivity> {
        self.lock().override_state
    }

    /// A new subscriber: receives every later change of the effective state.
    /// Dropping the receiver unsubscribes (at the next change).
    pub fn subscribe(&self) -> Receiver<ConnectivityChange> {
        self.subscribe_notifying(|| {})
    }

    /// [`subscribe`](Self::subscribe), and `notify` runs after each change
    /// is queued: for a subscriber that sleeps on something other than the
    /// receiver (the constellation sleeps on its ipc channels).
    pub fn subscribe_notifying(
        &self,
        notify: impl Fn() + Send + 'static,
    ) -> Receiver<ConnectivityChange> {
        let (sender, receiver) = unbounded();
        self.lock().subscribers.push(Subscriber {
            sender,
            notify: Box::new(notify),
        });
        receiver
    }

    /// Forces the effective state (`Some`) or returns to the OS state
    /// (`None`), at once; reports the effective state if it changed.
    pub fn set_override(&self, state: Option<Connectivity>) {
        let mut shared = self.lock();
        if shared.override_state == state {
            return;
        }
        shared.override_state = state;
        let cause = match state {
            Some(state) => {
                log::debug!(target: LOG_TARGET, "override set: {state}");
                "override".to_owned()
            }
            None => {
                log::debug!(target: LOG_TARGET, "override cleared");
                format!("override cleared; OS: {}", shared.os_cause)
            }
        };
        shared.publish_if_changed(cause);
    }

    fn spawn(
        config: ObserverConfig,
        initial: Vec<InterfaceEvent>,
        updates: Receiver<Vec<InterfaceEvent>>,
    ) -> io::Result<NetworkObserver> {
        let mut table = InterfaceTable::default();
        table.apply_batch(&initial);
        let state = table.state();
        let cause = table.describe();
        log::info!(target: LOG_TARGET, "{state} at start: {cause}");
        let shared = Arc::new(Mutex::new(Shared::new(true, state, cause)));

        let (stop, stopped) = unbounded();
        let state_thread = StateThread {
            table,
            debouncer: Debouncer::new(config.debounce, state),
            updates,
            stopped,
            shared: shared.clone(),
        };
        let thread = thread::Builder::new()
            .name("bgsync-net-observer".to_owned())
            .spawn(move || state_thread.run())?;
        Ok(NetworkObserver {
            shared,
            stop: Some(stop),
            thread: Some(thread),
            #[cfg(target_os = "linux")]
            source: None,
        })
    }

    fn without_os_state(why: &str) -> NetworkObserver {
        let cause = format!("{why}; assuming online");
        NetworkObserver {
            shared: Arc::new(Mutex::new(Shared::new(false, Connectivity::Online, cause))),
            stop: None,
            thread: None,
            #[cfg(target_os = "linux")]
            source: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }
}

impl Drop for NetworkObserver {
    fn drop(&mut self) {
        // The state thread first: stopping the source first would look to it
        // like a lost source.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        #[cfg(target_os = "linux")]
        drop(self.source.take());
    }
}

impl fmt::Debug for NetworkObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = self.lock();
        f.debug_struct("NetworkObserver")
            .field("state", &shared.reported)
            .field("os_state", &shared.os_state)
            .field("override_state", &shared.override_state)
            .field("os_state_available", &shared.os_state_available)
            .finish_non_exhaustive()
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // Nothing in Shared can be left half-updated by a panic.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What callers read and the state thread writes.
struct Shared {
    os_state_available: bool,
    /// The OS state after debounce.
    os_state: Connectivity,
    /// The cause of `os_state`'s last change (or the description at
    /// start), for the report when the override is cleared.
    os_cause: String,
    override_state: Option<Connectivity>,
    /// The effective state last reported.
    reported: Connectivity,
    subscribers: Vec<Subscriber>,
}

struct Subscriber {
    sender: Sender<ConnectivityChange>,
    notify: Box<dyn Fn() + Send>,
}

impl fmt::Debug for Subscriber {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Subscriber")
    }
}

impl Shared {
    fn new(os_state_available: bool, os_state: Connectivity, os_cause: String) -> Shared {
        Shared {
            os_state_available,
            os_state,
            os_cause,
            override_state: None,
            reported: os_state,
            subscribers: Vec::new(),
        }
    }

    fn effective(&self) -> Connectivity {
        self.override_state.unwrap_or(self.os_state)
    }

    fn os_state_settled(&mut self, state: Connectivity, cause: String) {
        self.os_state = state;
        self.os_cause.clone_from(&cause);
        match self.override_state {
            Some(forced) => log::info!(
                target: LOG_TARGET,
                "OS {state} ({cause}); the override keeps the engine {forced}"
            ),
            None => self.publish_if_changed(cause),
        }
    }

    fn publish_if_changed(&mut self, cause: String) {
        let state = self.effective();
        if state == self.reported {
            return;
        }
        self.reported = state;
        log::info!(target: LOG_TARGET, "{state}: {cause}");
        let change = ConnectivityChange { state, cause };
        self.subscribers.retain(|subscriber| {
            let sent = subscriber.sender.send(change.clone()).is_ok();
            if sent {
                (subscriber.notify)();
            }
            sent
        });
    }
}

/// Holds back OS state changes until they have lasted the window.
#[derive(Debug)]
struct Debouncer {
    window: Duration,
    /// The state last let through.
    settled: Connectivity,
    /// The state now, and the cause of its last change.
    latest: Connectivity,
    latest_cause: String,
    /// When `latest` (different from `settled`) will have lasted the window.
    deadline: Option<Instant>,
}

impl Debouncer {
    fn new(window: Duration, state: Connectivity) -> Debouncer {
        Debouncer {
            window,
            settled: state,
            latest: state,
            latest_cause: String::new(),
            deadline: None,
        }
    }

    fn observe(&mut self, state: Connectivity, cause: String, now: Instant) {
        if state == self.latest {
            return;
        }
        self.latest = state;
        self.latest_cause = cause;
        self.deadline = (state != self.settled).then(|| now + self.window);
    }

    fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The change to report once the deadline has passed.
    fn settle(&mut self, now: Instant) -> Option<(Connectivity, String)> {
        match self.deadline {
            Some(deadline) if now >= deadline => {
                self.deadline = None;
                self.settled = self.latest;
                Some((self.latest, std::mem::take(&mut self.latest_cause)))
            }
            _ => None,
        }
    }
}

/// The thread that applies OS events and lets changes through the debounce.
struct StateThread {
    table: InterfaceTable,
    debouncer: Debouncer,
    updates: Receiver<Vec<InterfaceEvent>>,
    stopped: Receiver<()>,
    shared: Arc<Mutex<Shared>>,
}

impl StateThread {
    fn run(mut self) {
        loop {
            let timer = match self.debouncer.deadline() {
                Some(deadline) => crossbeam_channel::at(deadline),
                None => crossbeam_channel::never(),
            };
            select! {
                recv(self.stopped) -> _ => return,
                recv(self.updates) -> batch => match batch {
                    Ok(batch) => self.apply(&batch),
                    Err(_) => return self.source_lost(),
                },
                recv(timer) -> _ => {
                    if let Some((state, cause)) = self.debouncer.settle(Instant::now()) {
                        lock(&self.shared).os_state_settled(state, cause);
                    }
                }
            }
        }
    }

    fn apply(&mut self, batch: &[InterfaceEvent]) {
        if let Some((state, cause)) = self.table.apply_batch(batch) {
            log::debug!(
                target: LOG_TARGET,
                "OS {state} ({cause}); reported if it lasts {:?}",
                self.debouncer.window
            );
            self.debouncer.observe(state, cause, Instant::now());
        }
    }

    fn source_lost(self) {
        log::warn!(
            target: LOG_TARGET,
            "the network event source stopped: the network state is unknown, assuming online"
        );
        {
            let mut shared = lock(&self.shared);
            shared.os_state_available = false;
            shared.os_state_settled(
                Connectivity::Online,
                "the network event source stopped; assuming online".to_owned(),
            );
        }
        let _ = self.stopped.recv();
    }
}

#[cfg(test)]
mod tests;

//! Message ports that have left the global that made them
//! (https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports): the process's
//! port router and the framing of messages that carry ports.
//!
//! Two ports of one channel that stay in one global talk directly (`dom/messageport.rs`). Once
//! either is transferred, both ends are *routed*: every message for a port waits in the
//! router's queue for that port, wherever the port is, and the thread that holds the port (its
//! *home*) gets a wake-up task per message and takes one message per task. A port in transit
//! (serialized into a message that has not been read yet) has no home: its messages wait,
//! and go to its new home when the message carrying it is read. So nothing is lost or
//! reordered by a transfer, and a message posted on a port whose other end has gone (its
//! global ended, or it was closed) is dropped.
//!
//! Every script thread (pages, dedicated and service workers) is in the engine's process, so
//! the router is a process-wide table; messages between threads never go through the
//! constellation (a service worker's `postMessage` does, but only carries port ids). Port ids
//! are random 128-bit numbers: a forged message cannot name another global's port.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use mozjs::context::JSContext;

use crate::event_loop::RemotePoster;

const LOG_TARGET: &str = "bgsync::script::message_ports";

/// A port's identity, the same in every global it travels to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortId(pub u128);

impl PortId {
    /// A new random id.
    pub fn new() -> PortId {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let random = |salt: u64| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(salt);
            hasher.write_u64(count);
            hasher.finish()
        };
        PortId((u128::from(random(1)) << 64) | u128::from(random(2)))
    }
}

impl Default for PortId {
    fn default() -> PortId {
        PortId::new()
    }
}

/// A message's framed bytes (see [`frame`]) on their way. If it is dropped before it is
/// read (its port closed, its global ended, its receiver gone), the ports it carries are
/// closed, so their other ends hear of it and the router keeps nothing for them.
#[derive(Debug)]
pub struct FramedMessage(Option<Vec<u8>>);

impl FramedMessage {
    pub fn new(bytes: Vec<u8>) -> FramedMessage {
        FramedMessage(Some(bytes))
    }

    /// The bytes, to be read (and the ports they carry made) by the receiver.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for FramedMessage {
    fn drop(&mut self) {
        if let Some(bytes) = self.0.take() {
            discard(&bytes);
        }
    }
}

/// The message `bytes` will never be read: the ports it carries are closed.
pub fn discard(bytes: &[u8]) {
    let Some((ports, _)) = unframe(bytes) else {
        return;
    };
    for (id, other) in ports {
        forget(id);
        if let Some(other) = other {
            send(other, PortItem::OtherEndClosed);
        }
    }
}

/// A port a message carries: its id, and its other end's (`None` for none).
pub type CarriedPort = (PortId, Option<PortId>);

/// What waits in a routed port's queue.
#[derive(Debug)]
pub enum PortItem {
    /// A message.
    Message(FramedMessage),
    /// The other end was closed or its global ended: disentangle.
    OtherEndClosed,
}

/// A routed port as the router knows it.
struct Route {
    /// The loop of the thread holding the port; `None` while it is in transit.
    home: Option<RemotePoster>,
    queue: VecDeque<PortItem>,
}

/// At most this many items wait for a port in transit; more are dropped (and logged), so a
/// port whose carrying message is never read cannot grow without bound.
const MAX_IN_TRANSIT: usize = 100_000;

fn routes() -> &'static Mutex<HashMap<PortId, Route>> {
    static ROUTES: OnceLock<Mutex<HashMap<PortId, Route>>> = OnceLock::new();
    ROUTES.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with_routes<R>(f: impl FnOnce(&mut HashMap<PortId, Route>) -> R) -> R {
    let mut routes = routes()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut routes)
}

/// Wakes `home` to take one item of port `id`'s queue.
fn wake(home: &RemotePoster, id: PortId) {
    home.post(Box::new(move |cx: &mut JSContext| {
        // SAFETY: event-loop tasks run in their global's realm.
        let global = unsafe { crate::dom::globalscope::current_global(cx) };
        if let Some(port) = global.message_ports().find(id) {
            port.routed_item_ready(cx);
        }
    }));
}

/// Starts routing port `id` (it is leaving its global, or its other end is): `queued` are the
/// messages it had not dispatched yet, first in its queue. `home` is `None` for a port in
/// transit.
pub fn route(id: PortId, home: Option<RemotePoster>, queued: Vec<FramedMessage>) {
    let count = queued.len();
    with_routes(|routes| {
        let route = routes.entry(id).or_insert_with(|| Route {
            home: None,
            queue: VecDeque::new(),
        });
        for (position, message) in queued.into_iter().enumerate() {
            route.queue.insert(position, PortItem::Message(message));
        }
        route.home = home;
        if let Some(home) = &route.home {
            for _ in 0..count {
                wake(home, id);
            }
        }
    });
}

/// Port `id` arrived in the global whose loop `home` is: what waited for it is delivered.
pub fn arrive(id: PortId, home: RemotePoster) {
    with_routes(|routes| {
        let route = routes.entry(id).or_insert_with(|| Route {
            home: None,
            queue: VecDeque::new(),
        });
        for _ in 0..route.queue.len() {
            wake(&home, id);
        }
        route.home = Some(home);
    });
}

/// Queues `item` for port `id`. Dropped if the port is not routed (closed, or its global
/// ended).
pub fn send(id: PortId, item: PortItem) {
    // Dropped (if it is) after the lock is released: dropping a message closes its ports.
    let _unsent = with_routes(|routes| {
        let Some(route) = routes.get_mut(&id) else {
            return Some(item);
        };
        if route.home.is_none() && route.queue.len() >= MAX_IN_TRANSIT {
            log::warn!(target: LOG_TARGET, "dropping a message for a port in transit: its queue is full");
            return Some(item);
        }
        route.queue.push_back(item);
        if let Some(home) = &route.home {
            wake(home, id);
        }
        None
    });
}

/// The next item waiting for port `id`.
pub fn take(id: PortId) -> Option<PortItem> {
    with_routes(|routes| routes.get_mut(&id)?.queue.pop_front())
}

/// Whether items wait for port `id`.
pub fn has_items(id: PortId) -> bool {
    with_routes(|routes| routes.get(&id).is_some_and(|route| !route.queue.is_empty()))
}

/// Port `id` is closed or its global ended: its queue goes (after the lock is released: the
/// ports its messages carry are closed in turn), and nothing more is routed to it.
pub fn forget(id: PortId) {
    let removed = with_routes(|routes| routes.remove(&id));
    drop(removed);
}

/// How many ports are routed now, in this process (for tests: none is left once the globals
/// that held them have ended).
pub fn routed_count() -> usize {
    with_routes(|routes| routes.len())
}

/// The ports a message carries, before the clone's bytes: `[count: u32 LE]` then, for each
/// transferred port in transfer order, its id and its other end's id (0 for none), 16 bytes
/// LE each.
pub fn frame(ports: &[CarriedPort], clone: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(4 + ports.len() * 32 + clone.len());
    bytes.extend_from_slice(&(ports.len() as u32).to_le_bytes());
    for (id, other) in ports {
        bytes.extend_from_slice(&id.0.to_le_bytes());
        bytes.extend_from_slice(&other.map_or(0, |other| other.0).to_le_bytes());
    }
    bytes.extend_from_slice(clone);
    bytes
}

/// The ports and the clone's bytes of a framed message; `None` if it is malformed.
pub fn unframe(bytes: &[u8]) -> Option<(Vec<CarriedPort>, &[u8])> {
    let count = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let ports_end = count.checked_mul(32)?.checked_add(4)?;
    let table = bytes.get(4..ports_end)?;
    let ports = table
        .chunks_exact(32)
        .map(|chunk| {
            let id = u128::from_le_bytes(chunk[..16].try_into().expect("16 bytes"));
            let other = u128::from_le_bytes(chunk[16..].try_into().expect("16 bytes"));
            (PortId(id), (other != 0).then_some(PortId(other)))
        })
        .collect();
    Some((ports, &bytes[ports_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_malformed_ones_are_refused() {
        let a = PortId::new();
        let b = PortId::new();
        assert_ne!(a, b);
        let framed = frame(&[(a, Some(b)), (b, None)], b"clone");
        let (ports, clone) = unframe(&framed).unwrap();
        assert_eq!(ports, [(a, Some(b)), (b, None)]);
        assert_eq!(clone, b"clone");
        assert_eq!(unframe(&frame(&[], b"")).unwrap().0, []);
        assert!(unframe(b"").is_none());
        assert!(unframe(&[2, 0, 0, 0, 1, 2, 3]).is_none());
        assert!(unframe(&u32::MAX.to_le_bytes()).is_none());
    }

    #[test]
    fn a_port_in_transit_keeps_its_messages_in_order_and_a_forgotten_one_drops_them() {
        let id = PortId::new();
        let message = |text: &[u8]| FramedMessage::new(frame(&[], text));
        route(id, None, vec![message(b"1")]);
        send(id, PortItem::Message(message(b"2")));
        route(id, None, vec![message(b"0")]);
        let taken: Vec<Vec<u8>> = std::iter::from_fn(|| match take(id) {
            Some(PortItem::Message(message)) => Some(message.into_bytes()),
            _ => None,
        })
        .collect();
        let expected: Vec<Vec<u8>> = [b"0", b"1", b"2"].iter().map(|t| frame(&[], *t)).collect();
        assert_eq!(taken, expected);
        forget(id);
        send(id, PortItem::Message(message(b"lost")));
        assert!(!has_items(id));
    }

    #[test]
    fn a_message_dropped_unread_closes_the_ports_it_carries() {
        let carried = PortId::new();
        let other = PortId::new();
        route(carried, None, Vec::new());
        route(other, None, Vec::new());
        let holder = PortId::new();
        route(holder, None, Vec::new());
        send(
            holder,
            PortItem::Message(FramedMessage::new(frame(&[(carried, Some(other))], b""))),
        );
        // The port holding the message goes: the message is dropped, its port closed, and
        // the carried port's other end told.
        forget(holder);
        assert!(!has_items(carried));
        assert!(matches!(take(other), Some(PortItem::OtherEndClosed)));
        forget(other);
        with_routes(|routes| {
            assert!(!routes.contains_key(&carried));
            assert!(!routes.contains_key(&holder));
        });
    }
}

//! The process's BroadcastChannel table
//! (https://html.spec.whatwg.org/multipage/web-messaging.html#broadcasting-to-other-browsing-contexts):
//! which open channels listen to which name of which origin, and on which event loop.
//!
//! Every global of the engine (pages, frames, dedicated and service workers) runs in this
//! process, so a message goes from the poster's thread straight to each listener's loop as a
//! task, without the constellation. The table holds only ids and loop posters: the
//! BroadcastChannel objects stay with their globals (`dom/broadcastchannel.rs`), which find
//! them by id when the task runs. Listeners are kept in creation order, so each loop gets the
//! messages for its channels in the order the spec asks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use mozjs::context::JSContext;
use url::Origin;

use crate::event_loop::RemotePoster;

/// A listening channel's number, unique in the process.
pub type ChannelId = u64;

struct Listener {
    id: ChannelId,
    poster: RemotePoster,
}

/// The listeners of each (origin, name).
type Table = HashMap<(Origin, String), Vec<Listener>>;

fn table() -> &'static Mutex<Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn locked() -> std::sync::MutexGuard<'static, Table> {
    table()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a listener's loop runs for a message: `deliver(cx, channel, bytes)`, in the
/// listener's realm.
pub type Deliver = fn(&mut JSContext, ChannelId, &[u8]);

/// A new listener of `name` in `origin`, whose messages are posted to `poster`'s loop.
pub fn listen(origin: &Origin, name: &str, poster: RemotePoster) -> ChannelId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    locked()
        .entry((origin.clone(), name.to_owned()))
        .or_default()
        .push(Listener { id, poster });
    id
}

/// The listener `id` hears nothing more.
pub fn forget(origin: &Origin, name: &str, id: ChannelId) {
    let mut table = locked();
    let key = (origin.clone(), name.to_owned());
    if let Some(listeners) = table.get_mut(&key) {
        listeners.retain(|listener| listener.id != id);
        if listeners.is_empty() {
            table.remove(&key);
        }
    }
}

/// Posts `bytes` (a serialized message) to every listener of `name` in `origin` but `from`.
pub fn broadcast(origin: &Origin, name: &str, from: ChannelId, bytes: Vec<u8>, deliver: Deliver) {
    let bytes = Arc::new(bytes);
    let table = locked();
    let Some(listeners) = table.get(&(origin.clone(), name.to_owned())) else {
        return;
    };
    for listener in listeners.iter().filter(|listener| listener.id != from) {
        let (id, bytes) = (listener.id, bytes.clone());
        listener
            .poster
            .post(Box::new(move |cx| deliver(cx, id, &bytes)));
    }
}

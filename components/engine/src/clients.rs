//! The constellation's record of its clients (pages): who they are, what
//! origin they run in, and which service worker controls them.
//!
//! <https://w3c.github.io/ServiceWorker/#dfn-service-worker-client>
//!
//! A client is recorded when the embedder creates it, with the origin of
//! the URL it was asked to load; that origin is what every request of the
//! page is judged by. It becomes visible to workers (`clients.get()`,
//! `matchAll()`) once its document is loaded ([`Client::url`] set).

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};

use base::id::ServiceWorkerRegistrationId;
use base::origin::Origin;
use crossbeam_channel::Sender;
use script_traits::{ClientId, ClientInfo, ClientType, FrameType, ServiceWorkerId, ToClientMsg};
use url::Url;

use crate::postman::Postman;
use crate::replies::ReplyChannel;

const LOG_TARGET: &str = "bgsync::engine::clients";

/// The worker controlling a client, and the registration it belongs to (a
/// new active worker of that registration takes the client over).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Controller {
    pub worker: ServiceWorkerId,
    pub registration: ServiceWorkerRegistrationId,
}

#[derive(Debug)]
pub(crate) struct Client {
    pub id: ClientId,
    /// The origin of the URL the embedder asked for: the client's origin.
    pub origin: Origin,
    pub requested_url: Url,
    /// The document's final URL, once loaded.
    pub url: Option<Url>,
    pub sender: Postman<ToClientMsg>,
    /// A page (`Window`) or a page's dedicated worker (`Worker`).
    pub client_type: ClientType,
    /// `TopLevel` for a page, `Nested` for a page's frame, `None` for a worker.
    pub frame_type: FrameType,
    pub controller: Option<Controller>,
    /// Creation order.
    pub created: u64,
    /// Dropped with the record: tells whoever holds the receiver (the
    /// embedder's `run_page`) that the constellation has served everything
    /// the page sent.
    _gone: Option<Sender<()>>,
}

impl Client {
    /// The client as a worker's `Client` object shows it; `None` until its
    /// document is loaded.
    pub fn info(&self) -> Option<ClientInfo> {
        Some(ClientInfo {
            id: self.id.clone(),
            url: self.url.clone()?,
            client_type: self.client_type,
            frame_type: self.frame_type,
        })
    }

    pub fn is_loaded(&self) -> bool {
        self.url.is_some()
    }

    /// Where the answers to the page's requests go.
    pub fn reply_channel(&self) -> ReplyChannel {
        ReplyChannel::Client {
            client: self.id.clone(),
            sender: self.sender.clone(),
        }
    }

    /// Sends `message` to the page; a page that is gone is logged, not an
    /// error (its channel-closed notice is on its way).
    pub fn send(&self, message: ToClientMsg) {
        if !self.sender.send(message) {
            log::debug!(target: LOG_TARGET, "cannot reach client {}: it is gone", self.id);
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Clients {
    clients: BTreeMap<ClientId, Client>,
    next_order: u64,
}

impl Clients {
    /// Records a new client (a page, or a page's dedicated worker) about to load `url`.
    pub fn add(
        &mut self,
        url: Url,
        client_type: ClientType,
        frame_type: FrameType,
        sender: Postman<ToClientMsg>,
        gone: Option<Sender<()>>,
    ) -> ClientId {
        let id = loop {
            let id = new_client_id();
            if !self.clients.contains_key(&id) {
                break id;
            }
        };
        self.next_order += 1;
        let client = Client {
            id: id.clone(),
            origin: url.origin(),
            requested_url: url,
            url: None,
            sender,
            client_type,
            frame_type,
            controller: None,
            created: self.next_order,
            _gone: gone,
        };
        log::debug!(target: LOG_TARGET, "client {id} created for {}", client.requested_url);
        self.clients.insert(id.clone(), client);
        id
    }

    pub fn remove(&mut self, id: &ClientId) {
        if self.clients.remove(id).is_some() {
            log::debug!(target: LOG_TARGET, "client {id} is gone");
        }
    }

    pub fn get(&self, id: &ClientId) -> Option<&Client> {
        self.clients.get(id)
    }

    pub fn get_mut(&mut self, id: &ClientId) -> Option<&mut Client> {
        self.clients.get_mut(id)
    }

    /// Sends a `message()` to every loaded client. (A client still loading
    /// gets the state of things in its setup, and handles its channel's
    /// messages only after the setup: one sent before would be stale.)
    pub fn broadcast_to_loaded(&self, message: impl Fn() -> ToClientMsg) {
        for client in self.clients.values().filter(|client| client.is_loaded()) {
            client.send(message());
        }
    }

    /// Whether some client satisfies `predicate`.
    pub fn any(&self, predicate: impl Fn(&Client) -> bool) -> bool {
        self.clients.values().any(predicate)
    }

    /// The loaded clients of `origin`, oldest first.
    pub fn loaded_of_origin<'a>(
        &'a self,
        origin: &'a Origin,
    ) -> impl Iterator<Item = &'a Client> + 'a {
        let mut clients: Vec<&Client> = self
            .clients
            .values()
            .filter(|client| client.is_loaded() && client.origin == *origin)
            .collect();
        clients.sort_by_key(|client| client.created);
        clients.into_iter()
    }

    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Client> + '_ {
        self.clients.values_mut()
    }

    pub fn loaded_of_origin_mut<'a>(
        &'a mut self,
        origin: &'a Origin,
    ) -> impl Iterator<Item = &'a mut Client> + 'a {
        self.clients
            .values_mut()
            .filter(|client| client.is_loaded() && client.origin == *origin)
    }
}

/// Whether a document that finished loading at `final_url` may keep the
/// origin of `requested_url`: the same tuple origin, or (for URLs with an
/// opaque origin, such as `file:`) the same URL.
pub(crate) fn same_document_origin(requested_url: &Url, final_url: &Url) -> bool {
    let origin = requested_url.origin();
    if origin.is_tuple() {
        return origin == final_url.origin();
    }
    let without_fragment = |url: &Url| {
        let mut url = url.clone();
        url.set_fragment(None);
        url
    };
    without_fragment(requested_url) == without_fragment(final_url)
}

/// A random, UUID-shaped id (version 4 layout), as browsers give clients.
fn new_client_id() -> ClientId {
    let random = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(salt);
        hasher.finish()
    };
    let (high, low) = (random(1), random(2));
    let high = (high & !0xf000) | 0x4000;
    let low = (low & !(0xc << 60)) | (0x8 << 60);
    ClientId(format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn client_ids_are_unique_and_uuid_shaped() {
        let ids: HashSet<String> = (0..1000).map(|_| new_client_id().0).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids.iter().take(10) {
            let parts: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
            assert_eq!(id.as_bytes()[14], b'4', "{id}");
        }
    }

    #[test]
    fn a_document_keeps_its_origin_only_without_a_cross_origin_redirect() {
        let page = url("http://127.0.0.1:8000/page.html");
        assert!(same_document_origin(
            &page,
            &url("http://127.0.0.1:8000/other.html")
        ));
        assert!(!same_document_origin(
            &page,
            &url("http://localhost:8000/page.html")
        ));
        let file = url("file:///tmp/page.html");
        assert!(same_document_origin(&file, &url("file:///tmp/page.html#x")));
        assert!(!same_document_origin(&file, &url("file:///tmp/other.html")));
    }
}

//! `WindowClient.navigate()` (<https://w3c.github.io/ServiceWorker/#client-navigate>) in the
//! constellation: a worker asks to navigate a window it controls; the window's thread
//! navigates it (a frame; bgsync does not navigate a top-level page, which refuses), and the
//! client made for the new document names the request when it connects; the worker is answered
//! when that client's document has loaded (its client, or `None` if it is of another origin),
//! or with a TypeError if the navigation was refused or its client went away first.
//!
//! A request waits here in two steps: by token until the new document's client says it is the
//! navigation's ([`ScriptMsg::NavigationStarted`]), then by that client until its
//! `DocumentLoaded`. A client that goes away takes its requests with it, answered.

use std::collections::HashMap;

use base::origin::Origin;
use script_traits::{ClientId, ClientType, NavigateClientReply, ServiceWorkerId, ToClientMsg};
use url::Url;

use super::{Constellation, LOG_TARGET};
use crate::replies::Responder;

/// One `navigate()` in flight.
struct Navigation {
    responder: Responder<NavigateClientReply>,
    /// The worker's origin: a new document of another origin is answered `None`.
    origin: Origin,
    /// The client asked to navigate (until the new document's client names the request).
    client: ClientId,
}

/// The `navigate()` requests in flight.
#[derive(Default)]
pub(super) struct ClientNavigations {
    next_token: u64,
    /// Sent to the client to navigate, by token.
    asked: HashMap<u64, Navigation>,
    /// Started: by the client of the new document.
    started: HashMap<ClientId, Navigation>,
}

impl Constellation {
    /// `navigate(url)` of `worker` (of `origin`) on `client`: the client must be a window
    /// the worker controls.
    pub(super) fn navigate_client(
        &mut self,
        worker: ServiceWorkerId,
        origin: &Origin,
        client: ClientId,
        url: Url,
        responder: Responder<NavigateClientReply>,
    ) {
        let controlled = self.host.clients.get(&client).filter(|record| {
            record.is_loaded()
                && record.origin == *origin
                && record.client_type == ClientType::Window
                && record
                    .controller
                    .is_some_and(|controller| controller.worker == worker)
        });
        let Some(record) = controlled else {
            return responder.send(Err(
                "Failed to execute 'navigate' on 'WindowClient': This service worker is not \
                 the client's active service worker."
                    .to_owned(),
            ));
        };
        let navigations = &mut self.navigations;
        navigations.next_token += 1;
        let token = navigations.next_token;
        log::debug!(target: LOG_TARGET, "{worker} navigates client {client} to {url} ({token})");
        record.send(ToClientMsg::Navigate { url, token });
        navigations.asked.insert(
            token,
            Navigation {
                responder,
                origin: origin.clone(),
                client,
            },
        );
    }

    /// `client` is the new document of the navigation numbered `token`.
    pub(super) fn navigation_started(&mut self, client: &ClientId, token: u64) {
        let Some(navigation) = self.navigations.asked.remove(&token) else {
            log::warn!(target: LOG_TARGET, "client {client} named a navigation {token} no one asked for; ignored");
            return;
        };
        self.navigations.started.insert(client.clone(), navigation);
    }

    /// The client asked to navigate by request `token` cannot.
    pub(super) fn navigation_refused(&mut self, client: &ClientId, token: u64, reason: String) {
        let asked_of_it = self
            .navigations
            .asked
            .get(&token)
            .is_some_and(|navigation| navigation.client == *client);
        if !asked_of_it {
            log::warn!(target: LOG_TARGET, "client {client} refused a navigation {token} not asked of it; ignored");
            return;
        }
        if let Some(navigation) = self.navigations.asked.remove(&token) {
            navigation.responder.send(Err(format!(
                "Failed to execute 'navigate' on 'WindowClient': {reason}"
            )));
        }
    }

    /// `client`'s document loaded: the navigation it was made for, if any, is answered with it.
    pub(super) fn navigated_client_loaded(&mut self, client: &ClientId) {
        let Some(navigation) = self.navigations.started.remove(client) else {
            return;
        };
        let info = self
            .host
            .clients
            .get(client)
            .filter(|record| record.origin == navigation.origin)
            .and_then(|record| record.info());
        navigation.responder.send(Ok(info));
    }

    /// `client` went away: the navigations it was asked for, or made for, fail.
    pub(super) fn navigations_of_gone_client(&mut self, client: &ClientId) {
        let failed = |navigation: Navigation| {
            navigation.responder.send(Err(
                "Failed to execute 'navigate' on 'WindowClient': The navigation did not \
                 complete."
                    .to_owned(),
            ))
        };
        if let Some(navigation) = self.navigations.started.remove(client) {
            failed(navigation);
        }
        let asked: Vec<u64> = self
            .navigations
            .asked
            .iter()
            .filter(|(_, navigation)| navigation.client == *client)
            .map(|(token, _)| *token)
            .collect();
        for token in asked {
            if let Some(navigation) = self.navigations.asked.remove(&token) {
                failed(navigation);
            }
        }
    }
}

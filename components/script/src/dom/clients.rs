//! Clients (https://w3c.github.io/ServiceWorker/#clients-interface): `self.clients` in a
//! service worker, answered by the constellation's client records.

use script_traits::WorkerMsg;

use crate::constellation_link::{request_promise, service_worker_error};
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::client::Client;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Clients {
    reflector: Reflector,
}

impl Clients {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Clients> {
        ClientsBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Clients {
                reflector: Reflector::new(),
            }),
        )
    }
}

impl ClientsMethods for Clients {
    /// <https://w3c.github.io/ServiceWorker/#clients-get>
    fn Get(&self, cx: &mut JSContext, client: DOMString) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_worker(WorkerMsg::GetClient { client, id }),
                |cx, global, promise, reply| match reply {
                    Some(info) => {
                        let client = Client::new(cx, global, info);
                        promise.resolve(cx, &client);
                    }
                    None => promise.resolve(cx, &()),
                },
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#clients-matchall>
    fn MatchAll(&self, cx: &mut JSContext, options: &ClientQueryOptions) -> Fallible<Rc<Promise>> {
        let client_type = match options.type_ {
            ClientType::Window => Some(script_traits::ClientType::Window),
            ClientType::Worker => Some(script_traits::ClientType::Worker),
            ClientType::Sharedworker => Some(script_traits::ClientType::SharedWorker),
            ClientType::All => None,
        };
        let include_uncontrolled = options.include_uncontrolled;
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| {
                    link.send_worker(WorkerMsg::MatchAllClients {
                        include_uncontrolled,
                        client_type,
                        id,
                    })
                },
                |cx, global, promise, infos| {
                    let clients: Vec<_> = infos
                        .into_iter()
                        .map(|info| Client::new(cx, global, info))
                        .collect();
                    promise.resolve(cx, &clients);
                },
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#clients-claim>
    /// <https://w3c.github.io/ServiceWorker/#clients-openwindow>: the URL is checked, then
    /// the step that needs user activation fails (a headless engine has none).
    fn OpenWindow(&self, cx: &mut JSContext, url: DOMString) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let error = match global.base_url().join(&url) {
            Err(_) => Error::Type(format!(
                "Failed to execute 'openWindow' on 'Clients': The URL '{url}' is invalid."
            )),
            Ok(parsed) if parsed.as_str() == "about:blank" => Error::Type(
                "Failed to execute 'openWindow' on 'Clients': 'about:blank' is not allowed.".into(),
            ),
            Ok(_) => Error::dom(
                DOMErrorName::InvalidAccessError,
                "Failed to execute 'openWindow' on 'Clients': Not allowed to open a window \
                 without user activation.",
            ),
        };
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            promise.reject_error(cx, global, error);
            Ok(promise)
        }
    }
    fn Claim(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_worker(WorkerMsg::Claim { id }),
                |cx, global, promise, reply| match reply {
                    Ok(()) => promise.resolve(cx, &()),
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            Ok(promise)
        }
    }
}

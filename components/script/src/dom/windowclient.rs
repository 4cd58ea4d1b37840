//! WindowClient (https://w3c.github.io/ServiceWorker/#windowclient-interface): a service
//! worker's view of a page. bgsync is headless: a page is visible, and a top-level page has
//! the focus (as `document.hasFocus()` says), a nested one does not. `navigate()` navigates a
//! frame; a top-level page is not navigated (TypeError).

use script_traits::{ClientInfo, WorkerMsg};

use crate::constellation_link::request_promise;
use crate::dom::client::Client;
use crate::dom::domexception::DOMErrorName;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct WindowClient {
    client: Client,
}

impl WindowClient {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        info: ClientInfo,
    ) -> DomRoot<WindowClient> {
        WindowClientBinding::Wrap(
            cx,
            global,
            None,
            Box::new(WindowClient {
                client: Client::new_inherited(info),
            }),
        )
    }

    fn rejected(&self, cx: &mut JSContext, error: Error) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            promise.reject_error(cx, self.global(), error);
            Ok(promise)
        }
    }
}

impl WindowClientMethods for WindowClient {
    fn VisibilityState(&self, _cx: &mut JSContext) -> DocumentVisibilityState {
        DocumentVisibilityState::Visible
    }
    fn Focused(&self, _cx: &mut JSContext) -> bool {
        self.client.frame_type() == script_traits::FrameType::TopLevel
    }
    fn AncestorOrigins(&self, _cx: &mut JSContext) -> Frozen<DOMString> {
        // A top-level page has no ancestors.
        Frozen(Vec::new())
    }
    /// <https://w3c.github.io/ServiceWorker/#client-focus>: needs user activation, which a
    /// headless engine never has.
    fn Focus(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        self.rejected(
            cx,
            Error::dom(
                DOMErrorName::InvalidAccessError,
                "Failed to execute 'focus' on 'WindowClient': Not allowed to focus a window \
                 (no user activation in a headless engine).",
            ),
        )
    }
    /// <https://w3c.github.io/ServiceWorker/#client-navigate>: the constellation checks that
    /// this worker controls the client and asks the client's thread to navigate it (a frame:
    /// bgsync does not navigate a top-level page, which rejects with a TypeError); the promise
    /// resolves with the new document's client, or null if it is of another origin.
    fn Navigate(&self, cx: &mut JSContext, url: DOMString) -> Fallible<Rc<Promise>> {
        // Steps 1-2: parsed against the worker's API base URL.
        let Ok(url) = self.global().base_url().join(&url) else {
            return self.rejected(
                cx,
                Error::Type(format!(
                    "Failed to execute 'navigate' on 'WindowClient': '{url}' is not a valid URL."
                )),
            );
        };
        // Step 3.
        if url.scheme() == "about" && url.path() == "blank" {
            return self.rejected(
                cx,
                Error::Type(
                    "Failed to execute 'navigate' on 'WindowClient': about:blank is not a \
                     navigation target."
                        .into(),
                ),
            );
        }
        let client = self.client.id().clone();
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_worker(WorkerMsg::NavigateClient { client, url, id }),
                |cx, global, promise, reply| match reply {
                    Ok(Some(info)) => {
                        let client = Client::new(cx, global, info);
                        promise.resolve(cx, &client);
                    }
                    Ok(None) => promise.resolve(cx, &None::<DomRoot<Client>>),
                    Err(message) => promise.reject_error(cx, global, Error::Type(message)),
                },
            );
            Ok(promise)
        }
    }
}

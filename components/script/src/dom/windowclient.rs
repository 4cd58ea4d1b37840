//! WindowClient (https://w3c.github.io/ServiceWorker/#windowclient-interface): a service
//! worker's view of a page. bgsync is headless: a page is visible, and a top-level page has
//! the focus (as `document.hasFocus()` says), a nested one does not.

use script_traits::ClientInfo;

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
    fn AncestorOrigins(&self, _cx: &mut JSContext) -> Vec<DOMString> {
        // A top-level page has no ancestors.
        Vec::new()
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
    fn Navigate(&self, cx: &mut JSContext, _url: DOMString) -> Fallible<Rc<Promise>> {
        self.rejected(
            cx,
            Error::Type(
                "Failed to execute 'navigate' on 'WindowClient': bgsync pages cannot be \
                 navigated."
                    .into(),
            ),
        )
    }
}

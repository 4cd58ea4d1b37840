//! Client (https://w3c.github.io/ServiceWorker/#client-interface): a service worker's view of
//! a page. A snapshot: `clients.get()`/`matchAll()` make new objects every time.

use script_traits::{ClientInfo, SerializedMessage, WorkerMsg};

use crate::constellation_link::disconnected_error;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Client {
    reflector: Reflector,
    #[no_trace]
    info: ClientInfo,
}

impl Client {
    /// A new object for `info`: a WindowClient for a window client.
    pub fn new(cx: &mut JSContext, global: &GlobalScope, info: ClientInfo) -> DomRoot<Client> {
        if info.client_type == script_traits::ClientType::Window {
            return DomRoot::upcast(crate::dom::windowclient::WindowClient::new(
                cx, global, info,
            ));
        }
        ClientBinding::Wrap(cx, global, None, Box::new(Client::new_inherited(info)))
    }

    pub(crate) fn frame_type(&self) -> script_traits::FrameType {
        self.info.frame_type
    }

    pub(crate) fn id(&self) -> &script_traits::ClientId {
        &self.info.id
    }

    pub(crate) fn new_inherited(info: ClientInfo) -> Client {
        Client {
            reflector: Reflector::new(),
            info,
        }
    }
}

impl ClientMethods for Client {
    fn Url(&self, _cx: &mut JSContext) -> DOMString {
        self.info.url.to_string()
    }
    fn FrameType(&self, _cx: &mut JSContext) -> FrameType {
        match self.info.frame_type {
            script_traits::FrameType::Auxiliary => FrameType::Auxiliary,
            script_traits::FrameType::TopLevel => FrameType::TopLevel,
            script_traits::FrameType::Nested => FrameType::Nested,
            script_traits::FrameType::None => FrameType::None,
        }
    }
    fn Id(&self, _cx: &mut JSContext) -> DOMString {
        self.info.id.0.clone()
    }
    fn Type(&self, _cx: &mut JSContext) -> ClientType {
        match self.info.client_type {
            script_traits::ClientType::Window => ClientType::Window,
            script_traits::ClientType::Worker => ClientType::Worker,
            script_traits::ClientType::SharedWorker => ClientType::Sharedworker,
        }
    }

    crate::post_message_overloads!();
}

impl Client {
    /// <https://w3c.github.io/ServiceWorker/#dom-client-postmessage-message-options> (both overloads)
    fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        // SAFETY: bindings call in the object's realm; `message` is rooted by the caller.
        let bytes =
            unsafe { crate::dom::postmessage::serialize_message(cx, message, transfer, "Client")? };
        let link = self
            .global()
            .constellation_link()
            .ok_or_else(|| disconnected_error(self.global()))?;
        link.send_worker(WorkerMsg::PostMessageToClient {
            client: self.info.id.clone(),
            message: SerializedMessage(bytes),
        });
        Ok(())
    }
}

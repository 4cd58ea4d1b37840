//! ExtendableMessageEvent (https://w3c.github.io/ServiceWorker/#extendablemessageevent-interface):
//! what a service worker's `message` listeners receive.

use std::cell::RefCell;

use mozjs::jsapi::Heap;

use crate::dom::client::Client;
use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::messageport::MessagePort;
use crate::dom::postmessage::ports_as_objects;
use crate::dom::prelude::*;
use crate::dom::serviceworker::ServiceWorker;

#[derive(Trace)]
#[repr(C)]
pub struct ExtendableMessageEvent {
    extendableevent: ExtendableEvent,
    data: Heap<JSVal>,
    origin: String,
    last_event_id: String,
    source_client: MutNullableDom<Client>,
    source_worker: MutNullableDom<ServiceWorker>,
    /// The ports the message transferred.
    ports: RefCell<Vec<Dom<MessagePort>>>,
}

impl ExtendableMessageEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        origin: String,
        last_event_id: String,
    ) -> DomRoot<ExtendableMessageEvent> {
        ExtendableMessageEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ExtendableMessageEvent {
                extendableevent: ExtendableEvent::new_inherited(global),
                data: Heap::default(),
                origin,
                last_event_id,
                source_client: MutNullableDom::default(),
                source_worker: MutNullableDom::default(),
                ports: RefCell::new(Vec::new()),
            }),
        )
    }

    /// The trusted `message` event of a message from a client.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: HandleValue<'_>,
        origin: String,
        source: &Client,
    ) -> DomRoot<ExtendableMessageEvent> {
        let event = Self::create(cx, global, None, origin, String::new());
        // Set after boxing (a Heap must not move once it holds a GC pointer), from the
        // caller's root: making the event may collect and move `data`.
        event.data.set(data.get());
        event.source_client.set(Some(source));
        event.upcast::<Event>().init("message", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl ExtendableMessageEvent {
    /// Sets the ports the message transferred (`event.ports`).
    pub fn set_ports(&self, ports: Vec<DomRoot<MessagePort>>) {
        *self.ports.borrow_mut() = ports.iter().map(|port| Dom::from_ref(&**port)).collect();
    }

    /// The trusted `message` event of a message from a service worker (`source`).
    pub fn new_trusted_from_worker(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: HandleValue<'_>,
        origin: String,
        source: &ServiceWorker,
    ) -> DomRoot<ExtendableMessageEvent> {
        let event = Self::create(cx, global, None, origin, String::new());
        event.data.set(data.get());
        event.source_worker.set(Some(source));
        event.upcast::<Event>().init("message", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl ExtendableMessageEventMethods for ExtendableMessageEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &ExtendableMessageEventInit,
    ) -> DomRoot<ExtendableMessageEvent> {
        let event = Self::create(
            cx,
            global,
            proto,
            init.origin.clone(),
            init.last_event_id.clone(),
        );
        event.data.set(init.data.get());
        match &init.source {
            Some(ClientOrServiceWorker::Client(client)) => event.source_client.set(Some(client)),
            Some(ClientOrServiceWorker::ServiceWorker(worker)) => {
                event.source_worker.set(Some(worker))
            }
            None => {}
        }
        event
            .upcast::<Event>()
            .init_from_dict(&type_, &init.parent.parent);
        event
    }
    fn Data(&self, _cx: &mut JSContext) -> JSVal {
        self.data.get()
    }
    fn Origin(&self, _cx: &mut JSContext) -> DOMString {
        self.origin.clone()
    }
    fn LastEventId(&self, _cx: &mut JSContext) -> DOMString {
        self.last_event_id.clone()
    }
    fn Source(&self, _cx: &mut JSContext) -> Option<ClientOrServiceWorker> {
        if let Some(client) = self.source_client.get() {
            return Some(ClientOrServiceWorker::Client(client));
        }
        self.source_worker
            .get()
            .map(ClientOrServiceWorker::ServiceWorker)
    }
    fn Ports(&self, _cx: &mut JSContext) -> Frozen<RootedObject> {
        Frozen(ports_as_objects(&self.ports.borrow()))
    }
}

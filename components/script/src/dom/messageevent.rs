//! MessageEvent (https://html.spec.whatwg.org/multipage/comms.html#the-messageevent-interface):
//! what `message` listeners receive from a window's `postMessage`, a service worker, a
//! MessagePort or a dedicated worker.

use std::cell::RefCell;

use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::crossoriginwindowproxy::CrossOriginWindowProxy;
use crate::dom::event::Event;
use crate::dom::messageport::MessagePort;
use crate::dom::postmessage::ports_as_objects;
use crate::dom::prelude::*;
use crate::dom::serviceworker::ServiceWorker;
use crate::dom::window::Window;

/// Where a message came from (`event.source`).
pub enum Source<'a> {
    None,
    Window(&'a Window),
    /// A window of another origin than the receiver's.
    Proxy(&'a CrossOriginWindowProxy),
    Worker(&'a ServiceWorker),
}

#[derive(Trace)]
#[repr(C)]
pub struct MessageEvent {
    event: Event,
    data: Heap<JSVal>,
    origin: String,
    last_event_id: String,
    /// `source`: one of these four at most.
    source_window: MutNullableDom<Window>,
    source_proxy: MutNullableDom<CrossOriginWindowProxy>,
    source_port: MutNullableDom<MessagePort>,
    source_worker: MutNullableDom<ServiceWorker>,
    /// The ports the message transferred.
    ports: RefCell<Vec<Dom<MessagePort>>>,
}

impl MessageEvent {
    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        origin: String,
        last_event_id: String,
        source: Source<'_>,
    ) -> DomRoot<MessageEvent> {
        let (window, proxy, worker) = match source {
            Source::None => (None, None, None),
            Source::Window(window) => (Some(window), None, None),
            Source::Proxy(proxy) => (None, Some(proxy), None),
            Source::Worker(worker) => (None, None, Some(worker)),
        };
        MessageEventBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(MessageEvent {
                event: Event::new_inherited(global),
                data: Heap::default(),
                origin,
                last_event_id,
                source_window: MutNullableDom::new(window),
                source_proxy: MutNullableDom::new(proxy),
                source_port: MutNullableDom::default(),
                source_worker: MutNullableDom::new(worker),
                ports: RefCell::new(Vec::new()),
            }),
        )
    }

    /// The trusted `message` event of a message that came through a MessagePort (no
    /// origin, no source: https://html.spec.whatwg.org/multipage/web-messaging.html#message-port-post-message-steps).
    pub fn new_port_message(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: HandleValue<'_>,
        ports: Vec<DomRoot<MessagePort>>,
    ) -> DomRoot<MessageEvent> {
        let event = Self::create(cx, global, None, String::new(), String::new(), Source::None);
        event.data.set(data.get());
        event.set_ports(ports);
        event.upcast::<Event>().init("message", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }

    /// Sets the ports the message transferred (`event.ports`).
    pub fn set_ports(&self, ports: Vec<DomRoot<MessagePort>>) {
        *self.ports.borrow_mut() = ports.iter().map(|port| Dom::from_ref(&**port)).collect();
    }

    /// The trusted `message` event of a message from a service worker or a window
    /// (`source`), whose origin is `origin`.
    pub fn new_trusted(
        cx: &mut JSContext,
        global: &GlobalScope,
        data: HandleValue<'_>,
        origin: String,
        source: Source<'_>,
    ) -> DomRoot<MessageEvent> {
        let event = Self::create(cx, global, None, origin, String::new(), source);
        // Set after boxing (a Heap must not move once it holds a GC pointer), from the
        // caller's root: making the event may collect and move `data`.
        event.data.set(data.get());
        event.upcast::<Event>().init("message", false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl MessageEvent {
    /// An event stream's event (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage):
    /// of type `event_type`, its `data` the string `data`, its `origin` the stream's final
    /// URL's, its `lastEventId` the stream's last event ID.
    pub fn new_event_stream(
        cx: &mut JSContext,
        global: &GlobalScope,
        event_type: &str,
        data: &str,
        origin: String,
        last_event_id: String,
    ) -> DomRoot<MessageEvent> {
        let event = Self::create(cx, global, None, origin, last_event_id, Source::None);
        rooted!(&in(cx) let mut value = UndefinedValue());
        // SAFETY: in the global's realm (the caller's); `value` is rooted.
        unsafe { data.to_js(cx, value.handle_mut()) };
        event.data.set(value.get());
        event.upcast::<Event>().init(event_type, false, false);
        event.upcast::<Event>().set_trusted(true);
        event
    }
}

impl MessageEventMethods for MessageEvent {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        type_: DOMString,
        init: &MessageEventInit,
    ) -> DomRoot<MessageEvent> {
        let event = Self::create(
            cx,
            global,
            proto,
            init.origin.clone(),
            init.last_event_id.clone(),
            Source::None,
        );
        match &init.source {
            Some(WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::Window(window)) => {
                event.source_window.set(Some(window))
            }
            Some(
                WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::CrossOriginWindowProxy(
                    proxy,
                ),
            ) => event.source_proxy.set(Some(proxy)),
            Some(WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::MessagePort(port)) => {
                event.source_port.set(Some(port))
            }
            Some(WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::ServiceWorker(
                worker,
            )) => event.source_worker.set(Some(worker)),
            None => {}
        }
        event.data.set(init.data.get());
        event.upcast::<Event>().init_from_dict(&type_, &init.parent);
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
    fn Source(
        &self,
        _cx: &mut JSContext,
    ) -> Option<WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker> {
        if let Some(window) = self.source_window.get() {
            return Some(
                WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::Window(window),
            );
        }
        if let Some(proxy) = self.source_proxy.get() {
            return Some(
                WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::CrossOriginWindowProxy(
                    proxy,
                ),
            );
        }
        if let Some(port) = self.source_port.get() {
            return Some(
                WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::MessagePort(port),
            );
        }
        self.source_worker
            .get()
            .map(WindowOrCrossOriginWindowProxyOrMessagePortOrServiceWorker::ServiceWorker)
    }
    fn Ports(&self, _cx: &mut JSContext) -> Frozen<RootedObject> {
        Frozen(ports_as_objects(&self.ports.borrow()))
    }
}

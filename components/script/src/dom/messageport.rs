//! MessagePort (https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports): a
//! message posted on one end is a `message` event at the other, in a task of its own, once
//! that end is started (`start()`, or setting `onmessage`). Until then messages wait.
//!
//! Two ends in one global talk directly: a message goes into the other end's queue. Once
//! either end is transferred (`postMessage(message, [port])` to a worker, a page, or another
//! port), both are *routed* (`crate::message_ports`): their messages wait in the process's
//! router, which wakes the thread holding the port. A transferred port object stays behind
//! detached: it posts nothing and cannot be transferred again. [`MessagePorts`] is a
//! global's record of its routed ports; they are closed when the global ends.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::messageevent::MessageEvent;
use crate::dom::postmessage::{deserialize_message, serialize_message};
use crate::dom::prelude::*;
use crate::message_ports::{self, FramedMessage, PortId, PortItem};

#[derive(Trace)]
#[repr(C)]
pub struct MessagePort {
    eventtarget: EventTarget,
    #[no_trace]
    id: PortId,
    /// The other end, while both are in this global and neither was transferred.
    entangled: MutNullableDom<MessagePort>,
    /// Routed: the other end's id (`None` once it is closed or gone).
    #[no_trace]
    routed_to: Cell<Option<PortId>>,
    /// Messages go through the router (this end or the other was transferred).
    routed: Cell<bool>,
    /// The port message queue of an unrouted port: serialized messages not yet dispatched.
    #[no_trace]
    queue: RefCell<VecDeque<FramedMessage>>,
    /// The port message queue is enabled (`start()`, or `onmessage` was set).
    started: Cell<bool>,
    /// A task to dispatch the queue is on its way.
    draining: Cell<bool>,
    closed: Cell<bool>,
    /// Transferred to another global: this object is what was left behind.
    detached: Cell<bool>,
}

/// The routed ports a global holds, by id: where the router's wake-ups find them.
#[derive(Trace, Default)]
pub struct MessagePorts {
    routed: RefCell<Vec<Dom<MessagePort>>>,
}

impl MessagePorts {
    pub(crate) fn find(&self, id: PortId) -> Option<DomRoot<MessagePort>> {
        self.routed
            .borrow()
            .iter()
            .find(|port| port.id == id)
            .map(Dom::root)
    }

    fn add(&self, port: &MessagePort) {
        if self.find(port.id).is_none() {
            self.routed.borrow_mut().push(Dom::from_ref(port));
        }
    }

    fn remove(&self, id: PortId) {
        self.routed.borrow_mut().retain(|port| port.id != id);
    }

    /// The global ends: its ports are closed, so their other ends hear of it and nothing
    /// more is routed here.
    pub fn end_all(&self) {
        let ports: Vec<DomRoot<MessagePort>> = self.routed.borrow().iter().map(Dom::root).collect();
        for port in ports {
            port.close_routed();
        }
        self.routed.borrow_mut().clear();
    }
}

impl MessagePort {
    fn create(cx: &mut JSContext, global: &GlobalScope, id: PortId) -> DomRoot<MessagePort> {
        MessagePortBinding::Wrap(
            cx,
            global,
            None,
            Box::new(MessagePort {
                eventtarget: EventTarget::new_inherited(),
                id,
                entangled: MutNullableDom::default(),
                routed_to: Cell::new(None),
                routed: Cell::new(false),
                queue: RefCell::new(VecDeque::new()),
                started: Cell::new(false),
                draining: Cell::new(false),
                closed: Cell::new(false),
                detached: Cell::new(false),
            }),
        )
    }

    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<MessagePort> {
        Self::create(cx, global, PortId::new())
    }

    /// The port `id` as it arrives in `global` in a message, entangled with `other`: routed
    /// here from now on (what waited for it in transit is delivered once it is started).
    pub fn arrived(
        cx: &mut JSContext,
        global: &GlobalScope,
        id: PortId,
        other: Option<PortId>,
    ) -> DomRoot<MessagePort> {
        let port = Self::create(cx, global, id);
        port.routed.set(true);
        port.routed_to.set(other);
        global.message_ports().add(&port);
        message_ports::arrive(id, global.event_loop().poster());
        port
    }

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#entangle>
    pub fn entangle(a: &MessagePort, b: &MessagePort) {
        a.entangled.set(Some(b));
        b.entangled.set(Some(a));
    }

    pub fn is_detached(&self) -> bool {
        self.detached.get()
    }

    /// This port was written into a message that leaves for another global: from now on it is
    /// routed, in transit until the message is read, with the messages it had not dispatched;
    /// an other end in this global is routed too. This object stays behind, detached.
    /// Returns the ids the message carries: this port's and its other end's.
    pub(crate) fn transfer_out(&self) -> (PortId, Option<PortId>) {
        self.detached.set(true);
        self.started.set(false);
        let queued: Vec<FramedMessage> = self.queue.borrow_mut().drain(..).collect();
        let other = if let Some(local) = self.entangled.get() {
            self.entangled.set(None);
            local.entangled.set(None);
            local.become_routed(Some(self.id));
            Some(local.id)
        } else if self.routed.get() {
            self.global().message_ports().remove(self.id);
            self.routed_to.get()
        } else {
            None
        };
        self.routed_to.set(None);
        self.routed.set(false);
        message_ports::route(self.id, None, queued);
        (self.id, other)
    }

    /// The other end of this port (in this global) was transferred: route this one too,
    /// entangled with `other`, its queue first.
    fn become_routed(&self, other: Option<PortId>) {
        let queued: Vec<FramedMessage> = self.queue.borrow_mut().drain(..).collect();
        self.routed.set(true);
        self.routed_to.set(other);
        let global = self.global();
        global.message_ports().add(self);
        message_ports::route(self.id, Some(global.event_loop().poster()), queued);
    }

    /// Enables the port message queue (`start()`, or `onmessage` set): what waits is
    /// dispatched, a message per task.
    pub(crate) fn start_queue(&self) {
        if self.detached.get() {
            return;
        }
        self.started.set(true);
        self.drain_later();
    }

    /// The router has an item for this port (a wake-up task).
    pub(crate) fn routed_item_ready(&self, cx: &mut JSContext) {
        if !self.started.get() && self.eventtarget.get_event_handler(cx, "message").is_some() {
            self.started.set(true);
        }
        self.drain_later();
    }

    /// `bytes` arrives in this unrouted port's queue; dispatched now (in a task) if the port
    /// is started, else when it is.
    fn enqueue(&self, cx: &mut JSContext, message: FramedMessage) {
        if self.closed.get() {
            return;
        }
        self.queue.borrow_mut().push_back(message);
        // Setting `onmessage` starts the port ("the first time onmessage is set").
        if !self.started.get() && self.eventtarget.get_event_handler(cx, "message").is_some() {
            self.started.set(true);
        }
        self.drain_later();
    }

    fn has_items(&self) -> bool {
        if self.routed.get() {
            message_ports::has_items(self.id)
        } else {
            !self.queue.borrow().is_empty()
        }
    }

    fn next_item(&self) -> Option<PortItem> {
        if self.routed.get() {
            message_ports::take(self.id)
        } else {
            self.queue.borrow_mut().pop_front().map(PortItem::Message)
        }
    }

    /// Queues a task that dispatches the next item, if the port is started.
    fn drain_later(&self) {
        if !self.started.get() || self.closed.get() || self.draining.get() || !self.has_items() {
            return;
        }
        self.draining.set(true);
        let port = DomRoot::from_ref(self);
        self.global()
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                port.draining.set(false);
                if port.closed.get() || port.detached.get() {
                    return;
                }
                // One message per task, as each is a task of its own in the spec.
                match port.next_item() {
                    // SAFETY: tasks run in the port's realm.
                    Some(PortItem::Message(message)) => unsafe {
                        port.dispatch(cx, &message.into_bytes())
                    },
                    Some(PortItem::OtherEndClosed) => port.routed_to.set(None),
                    None => {}
                }
                port.drain_later();
            }));
    }

    /// Fires the `message` event of `bytes` (or `messageerror`).
    ///
    /// # Safety
    /// `cx` in the port's realm.
    unsafe fn dispatch(&self, cx: &mut JSContext, bytes: &[u8]) {
        let target = self.upcast::<EventTarget>();
        rooted!(&in(cx) let mut data = UndefinedValue());
        let Ok(ports) = deserialize_message(cx, bytes, data.handle_mut()) else {
            target.fire_event(cx, "messageerror");
            return;
        };
        let event = MessageEvent::new_port_message(cx, self.global(), data.handle(), ports);
        target.dispatch_event(cx, event.upcast::<Event>());
    }

    /// Closes a routed port: its queue goes, and its other end is told.
    fn close_routed(&self) {
        self.closed.set(true);
        message_ports::forget(self.id);
        if let Some(other) = self.routed_to.take() {
            message_ports::send(other, PortItem::OtherEndClosed);
        }
    }
}

impl MessagePortMethods for MessagePort {
    crate::post_message_overloads!();

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-start>
    fn Start(&self, _cx: &mut JSContext) {
        self.start_queue();
    }

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-messageport-close>:
    /// both ends are disentangled; messages not yet dispatched here are dropped. (No `close`
    /// event at the other end: see MessagePort.webidl.)
    fn Close(&self, _cx: &mut JSContext) {
        if self.closed.get() {
            return;
        }
        // A closed port is detached: it cannot be transferred any more.
        self.detached.set(true);
        if self.routed.get() {
            self.global().message_ports().remove(self.id);
            self.close_routed();
            return;
        }
        self.closed.set(true);
        // Dropped after the borrow: the ports they carry are closed.
        let dropped: Vec<FramedMessage> = self.queue.borrow_mut().drain(..).collect();
        drop(dropped);
        if let Some(other) = self.entangled.get() {
            self.entangled.set(None);
            other.entangled.set(None);
        }
    }
}

impl MessagePort {
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#message-port-post-message-steps>
    fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        let listed = |port: &MessagePort| {
            transfer
                .iter()
                .any(|object| object.get() == port.reflector().get())
        };
        if listed(self) {
            return Err(Error::dom(
                DOMErrorName::DataCloneError,
                "Failed to execute 'postMessage' on 'MessagePort': a port cannot be \
                 transferred through itself.",
            ));
        }
        // The other end in the transfer list: the message (and the channel) is lost.
        let doomed = self.entangled.get().is_some_and(|other| listed(&other));
        // Serialized even with no other end: a value that cannot be cloned still throws.
        // SAFETY: bindings call in the port's realm; `message` is rooted by the caller.
        let message =
            FramedMessage::new(unsafe { serialize_message(cx, message, transfer, "MessagePort")? });
        // A message with nowhere to go is dropped here (and the ports it carries closed).
        if doomed || self.detached.get() {
            return Ok(());
        }
        if let Some(other) = self.entangled.get() {
            other.enqueue(cx, message);
        } else if let Some(other) = self.routed_to.get() {
            message_ports::send(other, PortItem::Message(message));
        }
        Ok(())
    }
}

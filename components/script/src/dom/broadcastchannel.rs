//! BroadcastChannel (https://html.spec.whatwg.org/multipage/web-messaging.html#broadcasting-to-other-browsing-contexts):
//! a message posted on a channel is a `message` event at every other open channel of the same
//! name and origin, in any global of the engine (windows, frames, dedicated and service
//! workers), each in a task of its listener's loop.
//!
//! An open channel is listed in the process's table (`crate::broadcast_channels`) and kept by
//! its global ([`BroadcastChannels`]) until it is closed or its global ends, so a channel with
//! only an `onmessage` handler keeps hearing messages whatever script still refers to it. An
//! open channel does not keep its loop from going idle: a page that only waits for a
//! broadcast has nothing left to do.

use std::cell::Cell;

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use url::Origin;

use crate::broadcast_channels::{self, ChannelId};
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::structuredclone::{deserialize, serialize};
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::globalscope::current_global;
use crate::dom::messageevent::{MessageEvent, Source};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct BroadcastChannel {
    eventtarget: EventTarget,
    name: String,
    #[no_trace]
    origin: Origin,
    id: ChannelId,
    closed: Cell<bool>,
}

/// The open channels of a global, by id: where a message's task finds its channel.
#[derive(Trace, Default)]
pub struct BroadcastChannels {
    open: std::cell::RefCell<Vec<Dom<BroadcastChannel>>>,
}

impl BroadcastChannels {
    fn find(&self, id: ChannelId) -> Option<DomRoot<BroadcastChannel>> {
        self.open
            .borrow()
            .iter()
            .find(|channel| channel.id == id)
            .map(Dom::root)
    }

    /// The global ends: its channels are closed.
    pub fn end_all(&self) {
        let open: Vec<DomRoot<BroadcastChannel>> =
            self.open.borrow().iter().map(Dom::root).collect();
        for channel in open {
            channel.close();
        }
    }
}

impl BroadcastChannel {
    /// Closes the channel: it is forgotten by the table and by its global.
    fn close(&self) {
        if self.closed.replace(true) {
            return;
        }
        broadcast_channels::forget(&self.origin, &self.name, self.id);
        self.global()
            .broadcast_channels()
            .open
            .borrow_mut()
            .retain(|channel| channel.id != self.id);
    }

    /// Fires the `message` event of `bytes` (or `messageerror`) at the channel.
    ///
    /// # Safety
    /// `cx` in the channel's realm.
    unsafe fn dispatch(&self, cx: &mut JSContext, bytes: &[u8]) {
        let target = self.upcast::<EventTarget>();
        rooted!(&in(cx) let mut data = UndefinedValue());
        if deserialize(cx, bytes, data.handle_mut()).is_err() {
            target.fire_event(cx, "messageerror");
            return;
        }
        let origin = self.origin.ascii_serialization();
        let event =
            MessageEvent::new_trusted(cx, self.global(), data.handle(), origin, Source::None);
        target.dispatch_event(cx, event.upcast::<Event>());
    }
}

/// A message's task in a listener's loop (run in the realm of the listener's global).
fn deliver(cx: &mut JSContext, id: ChannelId, bytes: &[u8]) {
    // SAFETY: remote tasks run in the realm of the global they were posted for.
    let global = unsafe { current_global(cx) };
    let Some(channel) = global.broadcast_channels().find(id) else {
        return;
    };
    if channel.closed.get() {
        return;
    }
    // SAFETY: as above, the channel's realm.
    unsafe { channel.dispatch(cx, bytes) };
}

impl BroadcastChannelMethods for BroadcastChannel {
    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-broadcastchannel>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        name: DOMString,
    ) -> DomRoot<BroadcastChannel> {
        let origin = global.origin();
        let id = broadcast_channels::listen(&origin, &name, global.event_loop().poster());
        let channel = BroadcastChannelBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(BroadcastChannel {
                eventtarget: EventTarget::new_inherited(),
                name: name.clone(),
                origin,
                id,
                closed: Cell::new(false),
            }),
        );
        global
            .broadcast_channels()
            .open
            .borrow_mut()
            .push(Dom::from_ref(&*channel));
        channel
    }

    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-broadcastchannel-postmessage>
    fn PostMessage(&self, cx: &mut JSContext, message: HandleValue<'_>) -> Fallible<()> {
        if self.closed.get() {
            return Err(Error::dom(
                DOMErrorName::InvalidStateError,
                "Failed to execute 'postMessage' on 'BroadcastChannel': Channel is closed",
            ));
        }
        // SAFETY: bindings call in the channel's realm; `message` is rooted by the caller.
        let bytes = unsafe { serialize(cx, message)? };
        broadcast_channels::broadcast(&self.origin, &self.name, self.id, bytes, deliver);
        Ok(())
    }

    /// <https://html.spec.whatwg.org/multipage/web-messaging.html#dom-broadcastchannel-close>
    fn Close(&self, _cx: &mut JSContext) {
        self.close();
    }
}

//! XMLHttpRequestEventTarget (https://xhr.spec.whatwg.org/#xmlhttprequesteventtarget): the
//! progress event handlers an XMLHttpRequest and its upload share. Not constructible.

use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct XMLHttpRequestEventTarget {
    eventtarget: EventTarget,
}

/// The progress events, each with its handler attribute here.
pub const PROGRESS_EVENTS: [&str; 7] = [
    "loadstart",
    "progress",
    "abort",
    "error",
    "load",
    "timeout",
    "loadend",
];

impl XMLHttpRequestEventTarget {
    pub fn new_inherited() -> XMLHttpRequestEventTarget {
        XMLHttpRequestEventTarget {
            eventtarget: EventTarget::new_inherited(),
        }
    }

    /// Whether a listener (or a handler) of a progress event is registered: what the upload
    /// listener flag records at `send()`.
    pub fn has_progress_listeners(&self) -> bool {
        let target = self.upcast::<EventTarget>();
        PROGRESS_EVENTS
            .iter()
            .any(|event_type| target.has_listeners_for(event_type))
    }
}

impl XMLHttpRequestEventTargetMethods for XMLHttpRequestEventTarget {}

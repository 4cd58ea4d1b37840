//! AbortSignal (https://dom.spec.whatwg.org/#interface-AbortSignal): the abort state an
//! AbortController sets, and what runs when it does: listeners added with `{signal}` are
//! removed, fetches given the signal reject, then `abort` fires.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mozjs::jsapi::Heap;
use mozjs::rooted;

use crate::dom::bindings::trusted::Trusted;
use crate::dom::domexception::DOMErrorName;
use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;

/// <https://dom.spec.whatwg.org/#abortsignal-abort-algorithms>
#[derive(Trace)]
pub enum AbortAlgorithm {
    /// The listener numbered `id` that `addEventListener(..., {signal})` added to the target.
    RemoveListener(Dom<EventTarget>, #[no_trace] u64),
    /// A `fetch()` given the signal (its request, `crate::fetch::start`'s number): its promise
    /// rejects with the reason (if it is still pending), and the request is canceled.
    RejectFetch(#[no_trace] Trusted<Rc<Promise>>, u64),
    /// A signal that follows this one (a Request's, following its init's).
    Follow(Dom<AbortSignal>),
    /// A `pipeTo()` given the signal: it shuts down with the reason (if it still runs).
    Pipe(#[no_trace] Rc<crate::dom::streampipe::Pipe>),
}

#[derive(Trace)]
#[repr(C)]
pub struct AbortSignal {
    eventtarget: EventTarget,
    #[no_trace]
    aborted: Cell<bool>,
    reason: Heap<JSVal>,
    algorithms: RefCell<Vec<AbortAlgorithm>>,
}

impl AbortSignal {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<AbortSignal> {
        AbortSignalBinding::Wrap(
            cx,
            global,
            None,
            Box::new(AbortSignal {
                eventtarget: EventTarget::new_inherited(),
                aborted: Cell::new(false),
                reason: Heap::default(),
                algorithms: RefCell::new(Vec::new()),
            }),
        )
    }

    pub fn aborted(&self) -> bool {
        self.aborted.get()
    }

    pub fn reason(&self) -> JSVal {
        self.reason.get()
    }

    /// A new signal that follows `parent` (https://dom.spec.whatwg.org/#create-a-dependent-abort-signal):
    /// aborted with it, or already if it is.
    pub fn following(
        cx: &mut JSContext,
        global: &GlobalScope,
        parent: Option<&AbortSignal>,
    ) -> DomRoot<AbortSignal> {
        let signal = AbortSignal::new(cx, global);
        if let Some(parent) = parent {
            if parent.aborted() {
                signal.aborted.set(true);
                signal.reason.set(parent.reason());
            } else {
                parent.add_algorithm(AbortAlgorithm::Follow(Dom::from_ref(&signal)));
            }
        }
        signal
    }

    /// `AbortSignal.timeout()`'s timer fired: aborts with a "TimeoutError" DOMException.
    ///
    /// # Safety
    /// `cx` in the signal's realm.
    pub unsafe fn signal_timeout(&self, cx: &mut JSContext) {
        let error = Error::dom(DOMErrorName::TimeoutError, "signal timed out");
        crate::dom::bindings::error::throw_error(cx, self.global(), error);
        rooted!(&in(cx) let mut exception = mozjs::jsval::UndefinedValue());
        if crate::dom::bindings::error::take_pending_exception(cx, exception.handle_mut()) {
            self.signal_abort(cx, exception.get());
        }
    }

    /// Adds an abort algorithm (nothing, once aborted: the caller checks first).
    pub fn add_algorithm(&self, algorithm: AbortAlgorithm) {
        if !self.aborted.get() {
            self.algorithms.borrow_mut().push(algorithm);
        }
    }

    /// Sets the reason: `reason`, or a new "AbortError" DOMException when undefined.
    ///
    /// # Safety
    /// `cx` in the signal's realm.
    unsafe fn set_reason(&self, cx: &mut JSContext, reason: JSVal) {
        if !reason.is_undefined() {
            self.reason.set(reason);
            return;
        }
        let error = Error::dom(DOMErrorName::AbortError, "signal is aborted without reason");
        crate::dom::bindings::error::throw_error(cx, self.global(), error);
        rooted!(&in(cx) let mut exception = mozjs::jsval::UndefinedValue());
        if crate::dom::bindings::error::take_pending_exception(cx, exception.handle_mut()) {
            self.reason.set(exception.get());
        }
    }

    /// <https://dom.spec.whatwg.org/#abortsignal-signal-abort>
    ///
    /// # Safety
    /// `cx` in the signal's realm.
    pub unsafe fn signal_abort(&self, cx: &mut JSContext, reason: JSVal) {
        // Step 1: already aborted: nothing.
        if self.aborted.replace(true) {
            return;
        }
        // Step 2.
        self.set_reason(cx, reason);
        // Steps 3-5: the abort algorithms, then the event.
        let algorithms = std::mem::take(&mut *self.algorithms.borrow_mut());
        for algorithm in algorithms {
            match algorithm {
                AbortAlgorithm::RemoveListener(target, id) => target.remove_listener_by_id(id),
                AbortAlgorithm::RejectFetch(promise, request) => {
                    crate::fetch::cancel(request);
                    if let Some(promise) = promise.take() {
                        promise.reject(cx, &self.reason.get());
                    }
                }
                AbortAlgorithm::Follow(signal) => signal.signal_abort(cx, self.reason.get()),
                AbortAlgorithm::Pipe(pipe) => {
                    if !pipe.finished() {
                        pipe.abort(cx, self.reason.get());
                    }
                }
            }
        }
        self.upcast::<EventTarget>().fire_event(cx, "abort");
    }
}

impl AbortSignalMethods for AbortSignal {
    /// <https://dom.spec.whatwg.org/#dom-abortsignal-abort>
    fn Abort(
        cx: &mut JSContext,
        global: &GlobalScope,
        reason: Option<HandleValue<'_>>,
    ) -> DomRoot<AbortSignal> {
        let signal = AbortSignal::new(cx, global);
        signal.aborted.set(true);
        let reason = reason.map_or(mozjs::jsval::UndefinedValue(), |reason| reason.get());
        // SAFETY: bindings call in the global's realm.
        unsafe { signal.set_reason(cx, reason) };
        signal
    }
    /// <https://dom.spec.whatwg.org/#dom-abortsignal-any>: aborted with the first of
    /// `signals` that aborts (at once if one already has).
    fn Any(
        cx: &mut JSContext,
        global: &GlobalScope,
        signals: Vec<DomRoot<AbortSignal>>,
    ) -> DomRoot<AbortSignal> {
        let signal = AbortSignal::new(cx, global);
        if let Some(aborted) = signals.iter().find(|source| source.aborted()) {
            signal.aborted.set(true);
            signal.reason.set(aborted.reason());
            return signal;
        }
        for source in &signals {
            source.add_algorithm(AbortAlgorithm::Follow(Dom::from_ref(&signal)));
        }
        signal
    }
    /// <https://dom.spec.whatwg.org/#dom-abortsignal-timeout>
    fn Timeout(
        cx: &mut JSContext,
        global: &GlobalScope,
        milliseconds: u64,
    ) -> DomRoot<AbortSignal> {
        let signal = AbortSignal::new(cx, global);
        let delay = i32::try_from(milliseconds).unwrap_or(i32::MAX);
        global.timers().schedule(
            crate::timers::TimerHandler::AbortSignal(signal.clone()),
            delay,
            Vec::new(),
            false,
        );
        signal
    }
    fn Aborted(&self, _cx: &mut JSContext) -> bool {
        self.aborted.get()
    }
    fn Reason(&self, _cx: &mut JSContext) -> JSVal {
        self.reason.get()
    }
    /// <https://dom.spec.whatwg.org/#dom-abortsignal-throwifaborted>
    fn ThrowIfAborted(&self, cx: &mut JSContext) -> Fallible<()> {
        if !self.aborted.get() {
            return Ok(());
        }
        rooted!(&in(cx) let reason = self.reason.get());
        // SAFETY: bindings call in the signal's realm; the reason is rooted.
        unsafe {
            mozjs::rust::wrappers2::JS_SetPendingException(
                cx,
                reason.handle(),
                mozjs::jsapi::JS::ExceptionStackBehavior::Capture,
            )
        };
        Err(Error::JSFailed)
    }
}

//! EventTarget: listener lists, event handler attributes and the dispatch algorithm
//! (https://dom.spec.whatwg.org/#concept-event-dispatch), without shadow trees.

use std::cell::RefCell;

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::abortsignal::AbortAlgorithm;
use crate::dom::bindings::callback::{AsCallback, Held};
use crate::dom::event::{Event, EventPhase};
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::window::Window;

/// What a listener calls: an `addEventListener` callback, or the event handler attribute of
/// that name (`onload`), whose value the entry holds.
#[derive(Trace)]
enum ListenerCallback {
    Listener(Held<EventListener>),
    Handler(StoredHandler),
}

/// Traced by its target (the list holds its callbacks unrooted).
#[derive(Trace)]
struct Listener {
    /// Unique on the thread: a dispatch skips a listener whose entry is gone (removed).
    id: u64,
    event_type: String,
    callback: ListenerCallback,
    capture: bool,
    once: bool,
    passive: bool,
}

impl Listener {
    fn is_handler_for(&self, event_type: &str) -> bool {
        matches!(self.callback, ListenerCallback::Handler(_)) && self.event_type == event_type
    }
}

thread_local!(static NEXT_LISTENER_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });

fn next_listener_id() -> u64 {
    NEXT_LISTENER_ID.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    })
}

/// A listener as a dispatch calls it: taken from the list before the first call, so listeners
/// added meanwhile are not called, and removed ones are skipped (their `id` is no longer in
/// the list). Its callback is kept alive by the list, or rooted again by the `Held` that let
/// go of it. A handler's value is read when it is called.
struct Invocation {
    id: u64,
    callback: Option<Rc<EventListener>>,
    once: bool,
    passive: bool,
}

/// An event handler attribute's value.
#[derive(Clone)]
pub enum EventHandlerValue {
    Plain(Rc<EventHandlerNonNull>),
    OnError(Rc<OnErrorEventHandlerNonNull>),
    /// From a content attribute (`<body onload="...">`): compiled when first needed
    /// (https://html.spec.whatwg.org/#getting-the-current-value-of-the-event-handler).
    Source {
        body: String,
        url: String,
        line: u32,
    },
}

/// Compiles an event handler content attribute into a function of `event` (or, for a
/// window's `onerror`, of the error's parts). A syntax error is reported and gives `None`.
unsafe fn compile_handler(
    cx: &mut JSContext,
    global: &GlobalScope,
    event_type: &str,
    body: &str,
    url: &str,
    line: u32,
) -> Option<crate::dom::bindings::callback::CallbackFunction> {
    use std::ffi::CString;
    let on_error = event_type == "error" && global.upcast_event_target().is::<Window>();
    let names: &[&std::ffi::CStr] = if on_error {
        &[c"event", c"source", c"lineno", c"colno", c"error"]
    } else {
        &[c"event"]
    };
    let argv: Vec<*const std::ffi::c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let chain = mozjs::rust::EnvironmentChain::new(cx, mozjs::jsapi::JS::SupportUnscopables::Yes);
    let options = mozjs::rust::CompileOptionsWrapper::new(
        cx,
        CString::new(url.replace('\0', "")).unwrap_or_default(),
        line,
    );
    let name = CString::new(format!("on{event_type}")).unwrap_or_default();
    let function = mozjs::rust::wrappers2::CompileFunctionUtf8(
        cx,
        chain.get(),
        options.ptr,
        name.as_ptr(),
        argv.len() as u32,
        argv.as_ptr(),
        body.as_ptr() as *const std::ffi::c_char,
        body.len(),
    );
    if function.is_null() {
        crate::script_runtime::report_pending_exception(cx, global);
        return None;
    }
    let object = mozjs::jsapi::JS_GetFunctionObject(function);
    Some(crate::dom::bindings::callback::CallbackFunction::new_unchecked(cx, object))
}

/// An event handler attribute's value as its target keeps it: callbacks held traced.
#[derive(Trace)]
enum StoredHandler {
    Plain(Held<EventHandlerNonNull>),
    OnError(Held<OnErrorEventHandlerNonNull>),
    Source {
        body: String,
        url: String,
        line: u32,
    },
    /// A content attribute whose source did not compile: the listener stays, calling nothing.
    Empty,
}

impl StoredHandler {
    fn new(value: EventHandlerValue) -> StoredHandler {
        match value {
            EventHandlerValue::Plain(callback) => StoredHandler::Plain(Held::new(callback)),
            EventHandlerValue::OnError(callback) => StoredHandler::OnError(Held::new(callback)),
            EventHandlerValue::Source { body, url, line } => {
                StoredHandler::Source { body, url, line }
            }
        }
    }

    fn value(&self) -> Option<EventHandlerValue> {
        Some(match self {
            StoredHandler::Plain(callback) => EventHandlerValue::Plain(callback.get().clone()),
            StoredHandler::OnError(callback) => EventHandlerValue::OnError(callback.get().clone()),
            StoredHandler::Source { body, url, line } => EventHandlerValue::Source {
                body: body.clone(),
                url: url.clone(),
                line: *line,
            },
            StoredHandler::Empty => return None,
        })
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct EventTarget {
    reflector: Reflector,
    /// Listeners and event handler attributes (an entry for each handler set, at the place
    /// HTML gives it). Callbacks are traced from here, not rooted (`callback::Held`): a
    /// listener that refers to its target does not keep it alive.
    listeners: RefCell<Vec<Listener>>,
}

impl EventTarget {
    pub fn new_inherited() -> EventTarget {
        EventTarget {
            reflector: Reflector::new(),
            listeners: RefCell::new(Vec::new()),
        }
    }

    /// The value of the event handler attribute for `event_type` (`"load"` for `onload`),
    /// compiling a content attribute's source on first use.
    pub fn get_event_handler(
        &self,
        cx: &mut JSContext,
        event_type: &str,
    ) -> Option<EventHandlerValue> {
        let value = self
            .listeners
            .borrow()
            .iter()
            .find(|l| l.is_handler_for(event_type))
            .and_then(|l| match &l.callback {
                ListenerCallback::Handler(handler) => handler.value(),
                ListenerCallback::Listener(_) => None,
            })?;
        let EventHandlerValue::Source { body, url, line } = value else {
            return Some(value);
        };
        let global = self.global();
        // SAFETY: called from script-thread code in the page's realm.
        let compiled = unsafe { compile_handler(cx, global, event_type, &body, &url, line) };
        let value = match compiled {
            Some(callback)
                if event_type == "error" && global.upcast_event_target().is::<Window>() =>
            {
                EventHandlerValue::OnError(Rc::new(OnErrorEventHandlerNonNull::from_callback(
                    callback,
                )))
            }
            Some(callback) => {
                EventHandlerValue::Plain(Rc::new(EventHandlerNonNull::from_callback(callback)))
            }
            None => {
                drop(self.replace_handler(event_type, StoredHandler::Empty));
                return None;
            }
        };
        drop(self.replace_handler(event_type, StoredHandler::new(value.clone())));
        Some(value)
    }

    /// Puts `handler` in the entry of the event handler attribute for `event_type`; gives it
    /// back if there is no such entry.
    fn replace_handler(&self, event_type: &str, handler: StoredHandler) -> Option<StoredHandler> {
        let mut listeners = self.listeners.borrow_mut();
        let Some(entry) = listeners.iter_mut().find(|l| l.is_handler_for(event_type)) else {
            return Some(handler);
        };
        let old = std::mem::replace(&mut entry.callback, ListenerCallback::Handler(handler));
        drop(listeners);
        // Dropped with the list no longer borrowed (a `Held` let go may root its callback).
        drop(old);
        None
    }

    /// Sets an event handler attribute; the first non-null value also registers the
    /// listener that calls it, at the position it has from then on (HTML's rule).
    pub fn set_event_handler(&self, event_type: &str, value: Option<EventHandlerValue>) {
        match value {
            Some(value) => {
                if let Some(handler) = self.replace_handler(event_type, StoredHandler::new(value)) {
                    self.listeners.borrow_mut().push(Listener {
                        id: next_listener_id(),
                        event_type: event_type.to_string(),
                        callback: ListenerCallback::Handler(handler),
                        capture: false,
                        once: false,
                        passive: false,
                    });
                }
            }
            None => {
                let gone = take_where(&self.listeners, |l| l.is_handler_for(event_type));
                drop(gone);
            }
        }
    }

    pub fn has_listeners_for(&self, event_type: &str) -> bool {
        self.listeners
            .borrow()
            .iter()
            .any(|l| l.event_type == event_type)
    }

    /// The parent in the event path: a node's parent, a document's window (except for
    /// `load`, which does not propagate from the document to the window).
    fn get_the_parent(&self, event: &Event) -> Option<DomRoot<EventTarget>> {
        // `self` is rooted by the caller (the dispatch's path).
        let this = self;
        // IndexedDB: a request's parent is its transaction, a transaction's its connection.
        if let Some(request) = this.downcast::<crate::dom::idbrequest::IDBRequest>() {
            return request.transaction().map(DomRoot::upcast);
        }
        if let Some(transaction) = this.downcast::<crate::dom::idbtransaction::IDBTransaction>() {
            return Some(DomRoot::upcast(transaction.db()));
        }
        if let Some(node) = this.downcast::<Node>() {
            if let Some(parent) = node.parent_node() {
                return Some(DomRoot::upcast(parent));
            }
            if let Some(document) = node.downcast::<crate::dom::document::Document>() {
                if !event.type_is("load") {
                    if let Some(window) = document.window() {
                        return Some(DomRoot::upcast(window));
                    }
                }
            }
        }
        None
    }

    /// Dispatches `event` to this target (https://dom.spec.whatwg.org/#concept-event-dispatch).
    /// Returns false if the event was canceled.
    ///
    /// # Safety
    /// `cx` in this object's realm.
    pub unsafe fn dispatch_event(&self, cx: &mut JSContext, event: &Event) -> bool {
        event.set_dispatching(true);
        event.set_target(Some(self));
        // Room for a request's path (request, transaction, database) without growing.
        let mut path: Vec<DomRoot<EventTarget>> = Vec::with_capacity(4);
        path.push(DomRoot::from_ref(self));
        while let Some(parent) = path.last().and_then(|t| t.get_the_parent(event)) {
            path.push(parent);
        }
        // Capturing: from the outermost ancestor down to the parent.
        for target in path.iter().skip(1).rev() {
            if event.stop_propagation_flag() {
                break;
            }
            event.set_phase(EventPhase::Capturing);
            target.invoke_listeners(cx, event, true);
        }
        // At the target, capturing listeners first, then the others (the DOM's order since
        // 2021: the target is in both the capturing and the bubbling pass of the path).
        for capture in [true, false] {
            if event.stop_propagation_flag() {
                break;
            }
            event.set_phase(EventPhase::AtTarget);
            self.invoke_listeners(cx, event, capture);
        }
        if event.bubbles() {
            for target in path.iter().skip(1) {
                if event.stop_propagation_flag() {
                    break;
                }
                event.set_phase(EventPhase::Bubbling);
                target.invoke_listeners(cx, event, false);
            }
        }
        event.set_phase(EventPhase::None);
        event.set_current_target(None);
        event.set_dispatching(false);
        event.clear_propagation_flags();
        !event.canceled()
    }

    /// Calls the listeners for the event's type that are capturing (`capture`) or not, in
    /// registration order.
    unsafe fn invoke_listeners(&self, cx: &mut JSContext, event: &Event, capture: bool) {
        event.set_current_target(Some(self));
        let snapshot: Vec<Invocation> = self
            .listeners
            .borrow()
            .iter()
            .filter(|l| l.capture == capture && event.type_is(&l.event_type))
            .map(|l| Invocation {
                id: l.id,
                callback: match &l.callback {
                    ListenerCallback::Listener(callback) => Some(callback.get().clone()),
                    ListenerCallback::Handler(_) => None,
                },
                once: l.once,
                passive: l.passive,
            })
            .collect();
        if snapshot.is_empty() {
            return;
        }
        let global = self.global();
        rooted!(&in(cx) let mut this = UndefinedValue());
        self.to_js(cx, this.handle_mut());
        for listener in snapshot {
            if !self.listeners.borrow().iter().any(|l| l.id == listener.id) {
                // Removed since the dispatch began.
                continue;
            }
            if listener.once {
                let gone = take_where(&self.listeners, |l| l.id == listener.id);
                drop(gone);
            }
            event.set_in_passive_listener(listener.passive);
            let result = match &listener.callback {
                Some(callback) => callback.HandleEvent(cx, this.handle(), event),
                None => self.call_handler(cx, event, this.handle()),
            };
            event.set_in_passive_listener(false);
            if let Err(error) = result {
                event.set_listener_threw();
                crate::script_runtime::report_error(cx, global, error);
            }
            crate::script_runtime::after_callback(cx, global);
            if event.stop_immediate_propagation_flag() {
                break;
            }
        }
    }

    /// Calls an event handler attribute's value (https://html.spec.whatwg.org/#the-event-handler-processing-algorithm).
    unsafe fn call_handler(
        &self,
        cx: &mut JSContext,
        event: &Event,
        this: HandleValue<'_>,
    ) -> Result<(), Error> {
        let Some(handler) = self.get_event_handler(cx, &event.type_()) else {
            return Ok(());
        };
        match handler {
            EventHandlerValue::OnError(handler) => {
                // A global's onerror (a window's or a worker's) gets the error's parts as
                // arguments; true cancels ("special error event handling").
                if let Some(error_event) = event.downcast::<crate::dom::errorevent::ErrorEvent>() {
                    if std::ptr::eq(self, self.global().upcast_event_target()) {
                        let message = EventOrString::String(error_event.message());
                        let error = RootedValue::new(error_event.error_value());
                        let rv = handler.Call(
                            cx,
                            this,
                            message,
                            error_event.filename(),
                            error_event.lineno(),
                            error_event.colno(),
                            error.handle(),
                        )?;
                        if rv.get().is_boolean() && rv.get().to_boolean() {
                            event.cancel();
                        }
                        return Ok(());
                    }
                }
                let arg = EventOrString::Event(DomRoot::from_ref(event));
                let undefined = RootedValue::undefined();
                let rv = handler.Call(cx, this, arg, String::new(), 0, 0, undefined.handle())?;
                if rv.get().is_boolean() && !rv.get().to_boolean() {
                    event.cancel();
                }
            }
            EventHandlerValue::Plain(handler) => {
                let rv = handler.Call(cx, this, event)?;
                if rv.get().is_boolean() && !rv.get().to_boolean() {
                    event.cancel();
                }
            }
            // get_event_handler compiles sources before returning them.
            EventHandlerValue::Source { .. } => {}
        }
        Ok(())
    }

    /// Fires a simple event (not bubbling, not cancelable) at this target.
    ///
    /// # Safety
    /// `cx` in this object's realm.
    pub unsafe fn fire_event(&self, cx: &mut JSContext, event_type: &str) -> bool {
        let event = Event::new(cx, self.global(), event_type, false, false);
        event.set_trusted(true);
        self.dispatch_event(cx, &event)
    }
}

/// The getter of an event handler IDL attribute (`onload`), for generated bindings.
///
/// # Safety
/// `cx` in the target's realm; `rval` rooted.
pub unsafe fn get_event_handler_attribute(
    cx: &mut JSContext,
    target: &EventTarget,
    event_type: &str,
    mut rval: MutableHandleValue<'_>,
) {
    match target.get_event_handler(cx, event_type) {
        Some(EventHandlerValue::Plain(h)) => rval.set(h.callback.value()),
        Some(EventHandlerValue::OnError(h)) => rval.set(h.callback.value()),
        _ => rval.set(mozjs::jsval::NullValue()),
    }
}

/// The setter of an event handler IDL attribute: an object becomes the handler
/// (`[LegacyTreatNonObjectAsNull]`), anything else clears it.
///
/// # Safety
/// `cx` in the target's realm; `value` rooted.
pub unsafe fn set_event_handler_attribute(
    cx: &mut JSContext,
    target: &EventTarget,
    event_type: &str,
    on_error: bool,
    value: HandleValue<'_>,
) {
    if !value.get().is_object() {
        target.set_event_handler(event_type, None);
        return;
    }
    // SAFETY: `value` is rooted, and the callback is `Held` by the target below, before
    // anything can collect.
    let callback = crate::dom::bindings::callback::CallbackFunction::new_for_holder(
        cx,
        value.get().to_object(),
    );
    let handler = if on_error {
        EventHandlerValue::OnError(Rc::new(OnErrorEventHandlerNonNull::from_callback(callback)))
    } else {
        EventHandlerValue::Plain(Rc::new(EventHandlerNonNull::from_callback(callback)))
    };
    target.set_event_handler(event_type, Some(handler));
    // Setting `onmessage` starts a port's message queue, and a client's
    // (https://html.spec.whatwg.org/multipage/web-messaging.html#handler-messageeventtarget-onmessage,
    // https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-onmessage).
    if event_type == "message" {
        if let Some(port) = target.downcast::<crate::dom::messageport::MessagePort>() {
            port.start_queue();
        } else if let Some(container) =
            target.downcast::<crate::dom::serviceworkercontainer::ServiceWorkerContainer>()
        {
            container.enable_messages(cx);
        }
    }
}

fn flatten_options(options: &AddEventListenerOptionsOrBoolean) -> (bool, bool, bool) {
    match options {
        AddEventListenerOptionsOrBoolean::Boolean(capture) => (*capture, false, false),
        AddEventListenerOptionsOrBoolean::AddEventListenerOptions(o) => {
            (o.parent.capture, o.once, o.passive.unwrap_or(false))
        }
    }
}

impl EventTargetMethods for EventTarget {
    /// <https://dom.spec.whatwg.org/#dom-eventtarget-eventtarget>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<EventTarget> {
        EventTargetBinding::Wrap(cx, global, proto, Box::new(EventTarget::new_inherited()))
    }

    /// <https://dom.spec.whatwg.org/#dom-eventtarget-addeventlistener>
    fn AddEventListener(
        &self,
        _cx: &mut JSContext,
        type_: DOMString,
        callback: Option<Rc<EventListener>>,
        options: AddEventListenerOptionsOrBoolean,
    ) {
        // Step 2: If listener's callback is null, then return.
        let Some(callback) = callback else {
            return;
        };
        let (capture, once, passive) = flatten_options(&options);
        let signal = match &options {
            AddEventListenerOptionsOrBoolean::AddEventListenerOptions(o) => o.signal.clone(),
            AddEventListenerOptionsOrBoolean::Boolean(_) => None,
        };
        // Step 3: an aborted signal adds nothing.
        if signal.as_ref().is_some_and(|signal| signal.aborted()) {
            return;
        }
        let mut listeners = self.listeners.borrow_mut();
        // Step 4: add only if no equal listener (type, callback, capture) is present.
        let duplicate = listeners.iter().any(|l| {
            l.event_type == type_
                && l.capture == capture
                && matches!(&l.callback, ListenerCallback::Listener(c) if c.get().callback == callback.callback)
        });
        if !duplicate {
            let id = next_listener_id();
            listeners.push(Listener {
                id,
                event_type: type_,
                callback: ListenerCallback::Listener(Held::new(callback)),
                capture,
                once,
                passive,
            });
            drop(listeners);
            // Step 5: the signal's abort removes the listener.
            if let Some(signal) = signal {
                signal.add_algorithm(AbortAlgorithm::RemoveListener(Dom::from_ref(self), id));
            }
        }
    }

    /// <https://dom.spec.whatwg.org/#dom-eventtarget-removeeventlistener>
    fn RemoveEventListener(
        &self,
        _cx: &mut JSContext,
        type_: DOMString,
        callback: Option<Rc<EventListener>>,
        options: EventListenerOptionsOrBoolean,
    ) {
        let Some(callback) = callback else {
            return;
        };
        let capture = match options {
            EventListenerOptionsOrBoolean::Boolean(c) => c,
            EventListenerOptionsOrBoolean::EventListenerOptions(o) => o.capture,
        };
        let gone = take_where(&self.listeners, |l| {
            l.event_type == type_
                && l.capture == capture
                && matches!(&l.callback, ListenerCallback::Listener(c) if c.get().callback == callback.callback)
        });
        drop(gone);
    }

    /// <https://dom.spec.whatwg.org/#dom-eventtarget-dispatchevent>
    fn DispatchEvent(&self, cx: &mut JSContext, event: &Event) -> Fallible<bool> {
        // Step 1: If event's dispatch flag is set, or if its initialized flag is not set,
        // then throw an "InvalidStateError" DOMException.
        if event.dispatching() || !event.initialized() {
            return Err(Error::invalid_state(
                "The event is already being dispatched.",
            ));
        }
        // Step 2: Initialize event's isTrusted attribute to false.
        event.set_trusted(false);
        // SAFETY: called from a binding native, in this object's realm.
        Ok(unsafe { self.dispatch_event(cx, event) })
    }
}

impl EventTarget {
    /// Removes the listener numbered `id`, if it is still there (an AbortSignal's abort).
    pub(crate) fn remove_listener_by_id(&self, id: u64) {
        let gone = take_where(&self.listeners, |l| l.id == id);
        drop(gone);
    }
}

/// Takes the listeners matching `predicate` out of `list`, in order, and returns them: the
/// caller drops them after the list's borrow ends.
fn take_where(
    list: &RefCell<Vec<Listener>>,
    predicate: impl FnMut(&Listener) -> bool,
) -> Vec<Listener> {
    let mut list = list.borrow_mut();
    let (gone, kept) = std::mem::take(&mut *list).into_iter().partition(predicate);
    *list = kept;
    gone
}

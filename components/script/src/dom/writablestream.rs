//! WritableStream (https://streams.spec.whatwg.org/#ws-class) with the Streams standard's
//! abstract operations for it; its default controller (`writablestreamdefaultcontroller.rs`:
//! the queue of chunks and the close sentinel, the sink's algorithms) and default writer
//! (`writablestreamdefaultwriter.rs`: `ready`, `closed`, `write()`).
//!
//! A stream's sink is a page's underlying sink object or the writable side of a
//! TransformStream. As for ReadableStream, JS values and promises sit in traced heap cells.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::prelude::*;
use crate::dom::readablestream::{error_value, rejected_promise, rejected_with, resolved_promise};
use crate::dom::writablestreamdefaultcontroller::{Sink, WritableStreamDefaultController};
use crate::dom::writablestreamdefaultwriter::WritableStreamDefaultWriter;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WritableState {
    Writable,
    Closed,
    Erroring,
    Errored,
}

/// <https://streams.spec.whatwg.org/#pending-abort-request>
#[derive(Trace)]
struct PendingAbort {
    promise: Box<Heap<*mut JSObject>>,
    reason: Box<Heap<JSVal>>,
    #[no_trace]
    was_already_erroring: bool,
}

#[derive(Trace)]
#[repr(C)]
pub struct WritableStream {
    reflector: Reflector,
    #[no_trace]
    state: Cell<WritableState>,
    stored_error: Heap<JSVal>,
    writer: MutNullableDom<WritableStreamDefaultWriter>,
    controller: MutNullableDom<WritableStreamDefaultController>,
    #[no_trace]
    backpressure: Cell<bool>,
    close_request: Heap<*mut JSObject>,
    in_flight_close_request: Heap<*mut JSObject>,
    in_flight_write_request: Heap<*mut JSObject>,
    pending_abort: RefCell<Option<PendingAbort>>,
    write_requests: RefCell<VecDeque<Box<Heap<*mut JSObject>>>>,
}

/// Takes the promise out of `cell` (null after), if there is one.
unsafe fn take_promise(cell: &Heap<*mut JSObject>) -> Option<Rc<Promise>> {
    let object = cell.get();
    if object.is_null() {
        return None;
    }
    cell.set(std::ptr::null_mut());
    Some(Promise::from_object(object))
}

impl WritableStream {
    /// <https://streams.spec.whatwg.org/#initialize-writable-stream>
    pub fn new_uninitialized(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<WritableStream> {
        WritableStreamBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(WritableStream {
                reflector: Reflector::new(),
                state: Cell::new(WritableState::Writable),
                stored_error: Heap::default(),
                writer: MutNullableDom::default(),
                controller: MutNullableDom::default(),
                backpressure: Cell::new(false),
                close_request: Heap::default(),
                in_flight_close_request: Heap::default(),
                in_flight_write_request: Heap::default(),
                pending_abort: RefCell::new(None),
                write_requests: RefCell::new(VecDeque::new()),
            }),
        )
    }

    pub fn state(&self) -> WritableState {
        self.state.get()
    }

    pub fn stored_error(&self) -> JSVal {
        self.stored_error.get()
    }

    pub fn backpressure(&self) -> bool {
        self.backpressure.get()
    }

    pub fn controller(&self) -> DomRoot<WritableStreamDefaultController> {
        self.controller
            .get()
            .expect("a stream has its controller from construction")
    }

    pub fn set_controller(&self, controller: &WritableStreamDefaultController) {
        self.controller.set(Some(controller));
    }

    pub fn writer(&self) -> Option<DomRoot<WritableStreamDefaultWriter>> {
        self.writer.get()
    }

    pub fn set_writer(&self, writer: Option<&WritableStreamDefaultWriter>) {
        self.writer.set(writer);
    }

    /// <https://streams.spec.whatwg.org/#is-writable-stream-locked>
    pub fn is_locked(&self) -> bool {
        self.writer.get().is_some()
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-close-queued-or-in-flight>
    pub fn close_queued_or_in_flight(&self) -> bool {
        !self.close_request.get().is_null() || !self.in_flight_close_request.get().is_null()
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-has-operation-marked-in-flight>
    pub fn has_operation_marked_in_flight(&self) -> bool {
        !self.in_flight_write_request.get().is_null()
            || !self.in_flight_close_request.get().is_null()
    }

    pub fn has_in_flight_write(&self) -> bool {
        !self.in_flight_write_request.get().is_null()
    }

    /// <https://streams.spec.whatwg.org/#acquire-writable-stream-default-writer>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn acquire_writer(
        &self,
        cx: &mut JSContext,
    ) -> Fallible<DomRoot<WritableStreamDefaultWriter>> {
        let writer = WritableStreamDefaultWriter::new(cx, self.global(), None);
        writer.set_up(cx, self)?;
        Ok(writer)
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-abort>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn abort(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        if matches!(self.state(), WritableState::Closed | WritableState::Errored) {
            return resolved_promise(cx);
        }
        self.controller().signal_abort(cx, reason);
        if matches!(self.state(), WritableState::Closed | WritableState::Errored) {
            return resolved_promise(cx);
        }
        if let Some(pending) = &*self.pending_abort.borrow() {
            return Promise::from_object(pending.promise.get());
        }
        let was_already_erroring = self.state() == WritableState::Erroring;
        let reason = if was_already_erroring {
            UndefinedValue()
        } else {
            reason
        };
        let promise = Promise::new(cx);
        *self.pending_abort.borrow_mut() = Some(PendingAbort {
            promise: Heap::boxed(promise.object()),
            reason: Heap::boxed(reason),
            was_already_erroring,
        });
        if !was_already_erroring {
            self.start_erroring(cx, reason);
        }
        promise
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-close>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn close(&self, cx: &mut JSContext) -> Rc<Promise> {
        if matches!(self.state(), WritableState::Closed | WritableState::Errored) {
            let error = error_value(
                cx,
                self.global(),
                Error::Type("The stream is closed or errored.".into()),
            );
            return rejected_promise(cx, error.get());
        }
        let promise = Promise::new(cx);
        self.close_request.set(promise.object());
        if let Some(writer) = self.writer() {
            if self.backpressure.get() && self.state() == WritableState::Writable {
                writer.ready_promise(cx).resolve(cx, &UndefinedValue());
            }
        }
        self.controller().close(cx);
        promise
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-add-write-request>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn add_write_request(&self, cx: &mut JSContext) -> Rc<Promise> {
        let promise = Promise::new(cx);
        self.write_requests
            .borrow_mut()
            .push_back(Heap::boxed(promise.object()));
        promise
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-deal-with-rejection>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn deal_with_rejection(&self, cx: &mut JSContext, error: JSVal) {
        if self.state() == WritableState::Writable {
            self.start_erroring(cx, error);
        } else {
            self.finish_erroring(cx);
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-start-erroring>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn start_erroring(&self, cx: &mut JSContext, reason: JSVal) {
        let controller = self.controller();
        self.state.set(WritableState::Erroring);
        self.stored_error.set(reason);
        if let Some(writer) = self.writer() {
            writer.ensure_ready_promise_rejected(cx, reason);
        }
        if !self.has_operation_marked_in_flight() && controller.started() {
            self.finish_erroring(cx);
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-finish-erroring>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn finish_erroring(&self, cx: &mut JSContext) {
        self.state.set(WritableState::Errored);
        let controller = self.controller();
        controller.error_steps();
        let stored = self.stored_error.get();
        let requests = std::mem::take(&mut *self.write_requests.borrow_mut());
        for request in requests {
            Promise::from_object(request.get()).reject(cx, &stored);
        }
        let Some(abort) = self.pending_abort.borrow_mut().take() else {
            self.reject_close_and_closed_promise_if_needed(cx);
            return;
        };
        let abort_promise = Promise::from_object(abort.promise.get());
        if abort.was_already_erroring {
            abort_promise.reject(cx, &stored);
            self.reject_close_and_closed_promise_if_needed(cx);
            return;
        }
        let result = controller.abort_steps(cx, abort.reason.get());
        let stream = DomRoot::from_ref(self);
        result.when_settled(
            cx,
            Box::new(move |cx, outcome| {
                match outcome {
                    Ok(_) => abort_promise.resolve(cx, &UndefinedValue()),
                    Err(reason) => abort_promise.reject(cx, &reason.get()),
                }
                stream.reject_close_and_closed_promise_if_needed(cx);
            }),
        );
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn finish_in_flight_write(&self, cx: &mut JSContext) {
        if let Some(promise) = take_promise(&self.in_flight_write_request) {
            promise.resolve(cx, &UndefinedValue());
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write-with-error>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn finish_in_flight_write_with_error(&self, cx: &mut JSContext, error: JSVal) {
        if let Some(promise) = take_promise(&self.in_flight_write_request) {
            promise.reject(cx, &error);
        }
        self.deal_with_rejection(cx, error);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn finish_in_flight_close(&self, cx: &mut JSContext) {
        if let Some(promise) = take_promise(&self.in_flight_close_request) {
            promise.resolve(cx, &UndefinedValue());
        }
        if self.state() == WritableState::Erroring {
            self.stored_error.set(UndefinedValue());
            if let Some(abort) = self.pending_abort.borrow_mut().take() {
                Promise::from_object(abort.promise.get()).resolve(cx, &UndefinedValue());
            }
        }
        self.state.set(WritableState::Closed);
        if let Some(writer) = self.writer() {
            writer.closed_promise(cx).resolve(cx, &UndefinedValue());
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close-with-error>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn finish_in_flight_close_with_error(&self, cx: &mut JSContext, error: JSVal) {
        if let Some(promise) = take_promise(&self.in_flight_close_request) {
            promise.reject(cx, &error);
        }
        if let Some(abort) = self.pending_abort.borrow_mut().take() {
            Promise::from_object(abort.promise.get()).reject(cx, &error);
        }
        self.deal_with_rejection(cx, error);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-mark-close-request-in-flight>
    pub fn mark_close_request_in_flight(&self) {
        self.in_flight_close_request.set(self.close_request.get());
        self.close_request.set(std::ptr::null_mut());
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-mark-first-write-request-in-flight>
    pub fn mark_first_write_request_in_flight(&self) {
        if let Some(request) = self.write_requests.borrow_mut().pop_front() {
            self.in_flight_write_request.set(request.get());
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-reject-close-and-closed-promise-if-needed>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn reject_close_and_closed_promise_if_needed(&self, cx: &mut JSContext) {
        let stored = self.stored_error.get();
        if let Some(promise) = take_promise(&self.close_request) {
            promise.reject(cx, &stored);
        }
        if let Some(writer) = self.writer() {
            let closed = writer.closed_promise(cx);
            closed.reject(cx, &stored);
            closed.mark_handled(cx);
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-update-backpressure>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn update_backpressure(&self, cx: &mut JSContext, backpressure: bool) {
        if let Some(writer) = self.writer() {
            if backpressure != self.backpressure.get() {
                if backpressure {
                    writer.reset_ready_promise(cx);
                } else {
                    writer.ready_promise(cx).resolve(cx, &UndefinedValue());
                }
            }
        }
        self.backpressure.set(backpressure);
    }
}

/// A sink method's result as a promise (a throw: rejected with the exception).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn promise_from_result(
    cx: &mut JSContext,
    global: &GlobalScope,
    result: Result<JSVal, Error>,
) -> Rc<Promise> {
    match result {
        Ok(value) => {
            rooted!(&in(cx) let value = value);
            match <Rc<Promise>>::from_js(cx, value.handle(), &Conv::plain("stream")) {
                Ok(promise) => promise,
                Err(error) => rejected_with(cx, global, error),
            }
        }
        Err(error) => rejected_with(cx, global, error),
    }
}

/// A strategy's high water mark (https://streams.spec.whatwg.org/#validate-and-normalize-high-water-mark).
pub fn high_water_mark(strategy: &QueuingStrategy, default: f64, what: &str) -> Fallible<f64> {
    match strategy.high_water_mark {
        Some(mark) if mark.is_nan() || mark < 0.0 => Err(Error::Range(format!(
            "Failed to construct '{what}': Cannot create a stream with a negative or NaN \
             highWaterMark."
        ))),
        Some(mark) => Ok(mark),
        None => Ok(default),
    }
}

impl WritableStreamMethods for WritableStream {
    /// <https://streams.spec.whatwg.org/#ws-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        underlying_sink: Option<RootedObject>,
        strategy: &QueuingStrategy,
    ) -> Fallible<DomRoot<WritableStream>> {
        rooted!(&in(cx) let mut sink_value = mozjs::jsval::NullValue());
        if let Some(object) = &underlying_sink {
            sink_value.set(ObjectValue(object.get()));
        }
        // SAFETY: bindings call in the global's realm; the value is rooted.
        let dict = unsafe {
            UnderlyingSink::from_js(cx, sink_value.handle(), &Conv::plain("WritableStream"))
        }?;
        if dict.type_.as_ref().is_some_and(|t| !t.get().is_undefined()) {
            return Err(Error::Range(
                "Failed to construct 'WritableStream': Invalid type is specified".into(),
            ));
        }
        let stream = WritableStream::new_uninitialized(cx, global, proto);
        let high_water_mark = high_water_mark(strategy, 1.0, "WritableStream")?;
        let controller = WritableStreamDefaultController::new(cx, global);
        let sink = Sink::Script {
            object: Heap::boxed(
                underlying_sink
                    .as_ref()
                    .map_or(std::ptr::null_mut(), |o| o.get()),
            ),
            write: dict.write.map(crate::dom::bindings::callback::Held::new),
            close: dict.close.map(crate::dom::bindings::callback::Held::new),
            abort: dict.abort.map(crate::dom::bindings::callback::Held::new),
        };
        let size = strategy
            .size
            .clone()
            .map(crate::dom::bindings::callback::Held::new);
        // SAFETY: as above.
        unsafe {
            controller.set_up(cx, &stream, sink, high_water_mark, size);
            let start_result = match &dict.start {
                Some(start) => {
                    rooted!(&in(cx) let this = sink_value.get());
                    start.Call(cx, this.handle(), &controller)?.get()
                }
                None => UndefinedValue(),
            };
            controller.start_with(cx, start_result);
        }
        Ok(stream)
    }

    fn Locked(&self, _cx: &mut JSContext) -> bool {
        self.is_locked()
    }

    /// <https://streams.spec.whatwg.org/#ws-abort>
    fn Abort(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the stream's realm.
        unsafe {
            if self.is_locked() {
                let error = Error::Type(
                    "Failed to execute 'abort' on 'WritableStream': Cannot abort a locked stream"
                        .into(),
                );
                return Ok(rejected_with(cx, self.global(), error));
            }
            Ok(self.abort(cx, reason.map_or(UndefinedValue(), |r| r.get())))
        }
    }

    /// <https://streams.spec.whatwg.org/#ws-close>
    fn Close(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        unsafe {
            if self.is_locked() || self.close_queued_or_in_flight() {
                let error = Error::Type(
                    "Failed to execute 'close' on 'WritableStream': Cannot close a locked or \
                     closing stream"
                        .into(),
                );
                return Ok(rejected_with(cx, self.global(), error));
            }
            Ok(self.close(cx))
        }
    }

    /// <https://streams.spec.whatwg.org/#ws-get-writer>
    fn GetWriter(&self, cx: &mut JSContext) -> Fallible<DomRoot<WritableStreamDefaultWriter>> {
        // SAFETY: as above.
        unsafe { self.acquire_writer(cx) }
    }
}

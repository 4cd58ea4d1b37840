//! WritableStreamDefaultController
//! (https://streams.spec.whatwg.org/#ws-default-controller-class): a writable stream's queue
//! (chunks with their sizes, then the close sentinel), its strategy, its sink's algorithms
//! and the AbortSignal that `abort()` signals. As the readable controller does, it clones
//! out what script needs before running it, with no borrow held.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::abortsignal::AbortSignal;
use crate::dom::bindings::callback::Held;
use crate::dom::prelude::*;
use crate::dom::readablestream::{error_value, resolved_promise};
use crate::dom::transformstream::TransformStream;
use crate::dom::writablestream::{promise_from_result, WritableState, WritableStream};

/// Where a writable stream's chunks go.
#[derive(Trace)]
pub enum Sink {
    /// Algorithms cleared (the stream closed or errored).
    None,
    /// A page's underlying sink object (`this` of its methods) and its methods.
    Script {
        object: Box<Heap<*mut JSObject>>,
        write: Option<Held<UnderlyingSinkWriteCallback>>,
        close: Option<Held<UnderlyingSinkCloseCallback>>,
        abort: Option<Held<UnderlyingSinkAbortCallback>>,
    },
    /// The writable side of a TransformStream.
    Transform(Dom<TransformStream>),
}

/// A queued chunk (`None`: the close sentinel) and its size.
type QueueEntry = (Option<Box<Heap<JSVal>>>, f64);

#[derive(Trace)]
#[repr(C)]
pub struct WritableStreamDefaultController {
    reflector: Reflector,
    stream: MutNullableDom<WritableStream>,
    /// Chunks with their sizes; `None` is the close sentinel.
    queue: RefCell<VecDeque<QueueEntry>>,
    #[no_trace]
    queue_total_size: Cell<f64>,
    #[no_trace]
    started: Cell<bool>,
    #[no_trace]
    high_water_mark: Cell<f64>,
    size: RefCell<Option<Held<QueuingStrategySize>>>,
    sink: RefCell<Sink>,
    signal: MutNullableDom<AbortSignal>,
}

impl WritableStreamDefaultController {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
    ) -> DomRoot<WritableStreamDefaultController> {
        let controller = WritableStreamDefaultControllerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(WritableStreamDefaultController {
                reflector: Reflector::new(),
                stream: MutNullableDom::default(),
                queue: RefCell::new(VecDeque::new()),
                queue_total_size: Cell::new(0.0),
                started: Cell::new(false),
                high_water_mark: Cell::new(1.0),
                size: RefCell::new(None),
                sink: RefCell::new(Sink::None),
                signal: MutNullableDom::default(),
            }),
        );
        let signal = AbortSignal::new(cx, global);
        controller.signal.set(Some(&signal));
        controller
    }

    fn stream(&self) -> Option<DomRoot<WritableStream>> {
        self.stream.get()
    }

    pub fn started(&self) -> bool {
        self.started.get()
    }

    /// Signals the controller's AbortSignal (`WritableStreamAbort`, step 2).
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn signal_abort(&self, cx: &mut JSContext, reason: JSVal) {
        if let Some(signal) = self.signal.get() {
            signal.signal_abort(cx, reason);
        }
    }

    /// <https://streams.spec.whatwg.org/#set-up-writable-stream-default-controller>, up to
    /// the start algorithm (the caller's, then [`Self::start_with`]).
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn set_up(
        &self,
        cx: &mut JSContext,
        stream: &WritableStream,
        sink: Sink,
        high_water_mark: f64,
        size: Option<Held<QueuingStrategySize>>,
    ) {
        self.stream.set(Some(stream));
        stream.set_controller(self);
        self.high_water_mark.set(high_water_mark);
        *self.size.borrow_mut() = size;
        *self.sink.borrow_mut() = sink;
        let backpressure = self.backpressure();
        stream.update_backpressure(cx, backpressure);
    }

    /// The start algorithm returned `start_result`: once it settles the controller has
    /// started and writes what is queued.
    ///
    /// # Safety
    /// As above.
    pub unsafe fn start_with(&self, cx: &mut JSContext, start_result: JSVal) {
        let promise = promise_from_result(cx, self.global(), Ok(start_result));
        let controller = DomRoot::from_ref(self);
        promise.when_settled(
            cx,
            Box::new(move |cx, outcome| {
                controller.started.set(true);
                match outcome {
                    Ok(_) => controller.advance_queue_if_needed(cx),
                    Err(reason) => {
                        if let Some(stream) = controller.stream() {
                            stream.deal_with_rejection(cx, reason.get());
                        }
                    }
                }
            }),
        );
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-get-desired-size>
    pub fn desired_size(&self) -> f64 {
        self.high_water_mark.get() - self.queue_total_size.get()
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-get-backpressure>
    fn backpressure(&self) -> bool {
        self.desired_size() <= 0.0
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-clear-algorithms>
    fn clear_algorithms(&self) {
        *self.sink.borrow_mut() = Sink::None;
        *self.size.borrow_mut() = None;
    }

    /// <https://streams.spec.whatwg.org/#ws-default-controller-private-error> (resets the queue).
    pub fn error_steps(&self) {
        self.queue.borrow_mut().clear();
        self.queue_total_size.set(0.0);
    }

    /// <https://streams.spec.whatwg.org/#ws-default-controller-private-abort>
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn abort_steps(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        let sink = std::mem::replace(&mut *self.sink.borrow_mut(), Sink::None);
        *self.size.borrow_mut() = None;
        match sink {
            Sink::None => resolved_promise(cx),
            Sink::Script { object, abort, .. } => match abort {
                None => resolved_promise(cx),
                Some(abort) => {
                    rooted!(&in(cx) let this = object_or_undefined(object.get()));
                    rooted!(&in(cx) let reason = reason);
                    let result = abort
                        .get()
                        .Call(cx, this.handle(), reason.handle())
                        .map(|v| v.get());
                    promise_from_result(cx, self.global(), result)
                }
            },
            Sink::Transform(stream) => stream.sink_abort(cx, reason),
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-close>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn close(&self, cx: &mut JSContext) {
        self.queue.borrow_mut().push_back((None, 0.0));
        self.advance_queue_if_needed(cx);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-get-chunk-size>
    ///
    /// # Safety
    /// As above; `chunk` rooted.
    pub unsafe fn chunk_size(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> f64 {
        let size = self.size.borrow().as_ref().map(|size| size.get().clone());
        let Some(size) = size else {
            return 1.0;
        };
        rooted!(&in(cx) let undefined = UndefinedValue());
        match size.Call(cx, undefined.handle(), chunk) {
            Ok(size) => size,
            Err(error) => {
                let error = error_value(cx, self.global(), error);
                self.error_if_needed(cx, error.get());
                1.0
            }
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-write>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn write(&self, cx: &mut JSContext, chunk: HandleValue<'_>, size: f64) {
        if !size.is_finite() || size < 0.0 {
            let error =
                Error::Range("The size of a chunk must be a finite, non-negative number.".into());
            let error = error_value(cx, self.global(), error);
            self.error_if_needed(cx, error.get());
            return;
        }
        self.queue
            .borrow_mut()
            .push_back((Some(Heap::boxed(chunk.get())), size));
        self.queue_total_size
            .set(self.queue_total_size.get() + size);
        let Some(stream) = self.stream() else {
            return;
        };
        if !stream.close_queued_or_in_flight() && stream.state() == WritableState::Writable {
            stream.update_backpressure(cx, self.backpressure());
        }
        self.advance_queue_if_needed(cx);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-advance-queue-if-needed>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn advance_queue_if_needed(&self, cx: &mut JSContext) {
        let Some(stream) = self.stream() else {
            return;
        };
        if !self.started.get() || stream.has_in_flight_write() {
            return;
        }
        match stream.state() {
            WritableState::Closed | WritableState::Errored => return,
            WritableState::Erroring => {
                stream.finish_erroring(cx);
                return;
            }
            WritableState::Writable => {}
        }
        let front = self
            .queue
            .borrow()
            .front()
            .map(|(chunk, _)| chunk.as_ref().map(|chunk| chunk.get()));
        match front {
            None => {}
            Some(None) => self.process_close(cx, &stream),
            Some(Some(chunk)) => {
                rooted!(&in(cx) let chunk = chunk);
                self.process_write(cx, &stream, chunk.handle());
            }
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-error-if-needed>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn error_if_needed(&self, cx: &mut JSContext, error: JSVal) {
        if self
            .stream()
            .is_some_and(|stream| stream.state() == WritableState::Writable)
        {
            self.error(cx, error);
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-error>
    unsafe fn error(&self, cx: &mut JSContext, error: JSVal) {
        self.clear_algorithms();
        if let Some(stream) = self.stream() {
            stream.start_erroring(cx, error);
        }
    }

    fn dequeue(&self) {
        if let Some((_, size)) = self.queue.borrow_mut().pop_front() {
            let total = self.queue_total_size.get() - size;
            self.queue_total_size
                .set(if total < 0.0 { 0.0 } else { total });
        }
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-process-close>
    unsafe fn process_close(&self, cx: &mut JSContext, stream: &WritableStream) {
        stream.mark_close_request_in_flight();
        self.dequeue();
        let sink = std::mem::replace(&mut *self.sink.borrow_mut(), Sink::None);
        *self.size.borrow_mut() = None;
        let closed = match sink {
            Sink::None => resolved_promise(cx),
            Sink::Script { object, close, .. } => match close {
                None => resolved_promise(cx),
                Some(close) => {
                    rooted!(&in(cx) let this = object_or_undefined(object.get()));
                    let result = close.get().Call(cx, this.handle()).map(|v| v.get());
                    promise_from_result(cx, self.global(), result)
                }
            },
            Sink::Transform(transform) => transform.sink_close(cx),
        };
        let stream = DomRoot::from_ref(stream);
        closed.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => stream.finish_in_flight_close(cx),
                Err(reason) => stream.finish_in_flight_close_with_error(cx, reason.get()),
            }),
        );
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-controller-process-write>
    unsafe fn process_write(
        &self,
        cx: &mut JSContext,
        stream: &WritableStream,
        chunk: HandleValue<'_>,
    ) {
        stream.mark_first_write_request_in_flight();
        let (object, write, transform) = match &*self.sink.borrow() {
            Sink::None => (std::ptr::null_mut(), None, None),
            Sink::Script { object, write, .. } => {
                (object.get(), write.as_ref().map(|w| w.get().clone()), None)
            }
            Sink::Transform(transform) => (std::ptr::null_mut(), None, Some(transform.root())),
        };
        let written = match (write, transform) {
            (_, Some(transform)) => transform.sink_write(cx, chunk),
            (Some(write), None) => {
                rooted!(&in(cx) let this = object_or_undefined(object));
                let result = write.Call(cx, this.handle(), chunk, self).map(|v| v.get());
                promise_from_result(cx, self.global(), result)
            }
            (None, None) => resolved_promise(cx),
        };
        let controller = DomRoot::from_ref(self);
        let stream = DomRoot::from_ref(stream);
        written.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    stream.finish_in_flight_write(cx);
                    controller.dequeue();
                    if !stream.close_queued_or_in_flight()
                        && stream.state() == WritableState::Writable
                    {
                        stream.update_backpressure(cx, controller.backpressure());
                    }
                    controller.advance_queue_if_needed(cx);
                }
                Err(reason) => {
                    if stream.state() == WritableState::Writable {
                        controller.clear_algorithms();
                    }
                    stream.finish_in_flight_write_with_error(cx, reason.get());
                }
            }),
        );
    }
}

fn object_or_undefined(object: *mut JSObject) -> JSVal {
    if object.is_null() {
        UndefinedValue()
    } else {
        ObjectValue(object)
    }
}

impl WritableStreamDefaultControllerMethods for WritableStreamDefaultController {
    fn Signal(&self, cx: &mut JSContext) -> DomRoot<AbortSignal> {
        self.signal.or_init(|| AbortSignal::new(cx, self.global()))
    }

    /// <https://streams.spec.whatwg.org/#ws-default-controller-error>
    fn Error(&self, cx: &mut JSContext, e: Option<HandleValue<'_>>) {
        // SAFETY: bindings call in the controller's realm.
        unsafe { self.error_if_needed(cx, e.map_or(UndefinedValue(), |e| e.get())) }
    }
}

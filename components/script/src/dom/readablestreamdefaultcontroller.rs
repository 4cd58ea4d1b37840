//! ReadableStreamDefaultController
//! (https://streams.spec.whatwg.org/#rs-default-controller-class): a default stream's queue
//! of chunks with their sizes, its strategy, and its source's pull and cancel algorithms.
//!
//! Script runs from here (the source's `pull` and `cancel`, the strategy's `size`) with no
//! borrow of the controller's cells held: what it needs is cloned out first, so a source
//! that closes, errors or enqueues from inside them finds the controller consistent.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::callback::Held;
use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::prelude::*;
use crate::dom::readablestream::{
    error_value, rejected_promise, rejected_with, resolved_promise, tee_cancel, tee_pull,
    ReadRequest, ReadableStream, StreamState,
};
use crate::dom::readablestreamdefaultreader::ReadableStreamDefaultReader;

/// Where a stream's chunks come from: its pull and cancel algorithms.
#[derive(Trace)]
pub enum Source {
    /// Nothing to pull or cancel: a body's bytes (all enqueued at once), or a source whose
    /// algorithms were cleared (the stream closed or errored).
    None,
    /// A page's underlying source object (`this` of its methods) and its methods.
    Script {
        object: Box<Heap<*mut JSObject>>,
        pull: Option<Held<UnderlyingSourcePullCallback>>,
        cancel: Option<Held<UnderlyingSourceCancelCallback>>,
    },
    /// `ReadableStream.from()`'s async iterator and its `next` method.
    Iterator {
        iterator: Box<Heap<*mut JSObject>>,
        next: Box<Heap<JSVal>>,
    },
    /// The readable side of a TransformStream.
    Transform(Dom<crate::dom::transformstream::TransformStream>),
    /// Branch 0 or 1 of a tee: the tee's reader, which holds its state.
    TeeBranch(Dom<ReadableStreamDefaultReader>, #[no_trace] usize),
}

#[derive(Trace)]
#[repr(C)]
pub struct ReadableStreamDefaultController {
    reflector: Reflector,
    stream: MutNullableDom<ReadableStream>,
    /// The queue: each chunk with its size.
    queue: RefCell<VecDeque<(Box<Heap<JSVal>>, f64)>>,
    #[no_trace]
    queue_total_size: Cell<f64>,
    #[no_trace]
    started: Cell<bool>,
    #[no_trace]
    close_requested: Cell<bool>,
    #[no_trace]
    pull_again: Cell<bool>,
    #[no_trace]
    pulling: Cell<bool>,
    #[no_trace]
    high_water_mark: Cell<f64>,
    size: RefCell<Option<Held<QueuingStrategySize>>>,
    source: RefCell<Source>,
}

impl ReadableStreamDefaultController {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
    ) -> DomRoot<ReadableStreamDefaultController> {
        ReadableStreamDefaultControllerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(ReadableStreamDefaultController {
                reflector: Reflector::new(),
                stream: MutNullableDom::default(),
                queue: RefCell::new(VecDeque::new()),
                queue_total_size: Cell::new(0.0),
                started: Cell::new(false),
                close_requested: Cell::new(false),
                pull_again: Cell::new(false),
                pulling: Cell::new(false),
                high_water_mark: Cell::new(1.0),
                size: RefCell::new(None),
                source: RefCell::new(Source::None),
            }),
        )
    }

    fn stream(&self) -> Option<DomRoot<ReadableStream>> {
        self.stream.get()
    }

    /// <https://streams.spec.whatwg.org/#set-up-readable-stream-default-controller>, steps
    /// 1-8 (the start algorithm is the caller's, then [`Self::start_with`]).
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn set_up(
        &self,
        _cx: &mut JSContext,
        stream: &ReadableStream,
        source: Source,
        high_water_mark: f64,
        size: Option<Held<QueuingStrategySize>>,
    ) {
        self.stream.set(Some(stream));
        self.high_water_mark.set(high_water_mark);
        *self.size.borrow_mut() = size;
        *self.source.borrow_mut() = source;
        stream.set_controller(self);
    }

    /// Steps 9-11: the start algorithm returned `start_result`; once it resolves the
    /// controller has started and pulls if it should.
    ///
    /// # Safety
    /// As above.
    pub unsafe fn start_with(&self, cx: &mut JSContext, start_result: JSVal) {
        rooted!(&in(cx) let result = start_result);
        let promise = match <Rc<Promise>>::from_js(cx, result.handle(), &Conv::plain("start")) {
            Ok(promise) => promise,
            Err(_) => {
                self.error(cx, UndefinedValue());
                return;
            }
        };
        let controller = DomRoot::from_ref(self);
        promise.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    controller.started.set(true);
                    controller.call_pull_if_needed(cx);
                }
                Err(reason) => controller.error(cx, reason.get()),
            }),
        );
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-can-close-or-enqueue>
    pub fn can_close_or_enqueue(&self) -> bool {
        !self.close_requested.get()
            && self
                .stream()
                .is_some_and(|stream| stream.state() == StreamState::Readable)
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-get-desired-size>
    pub fn desired_size(&self) -> Option<f64> {
        match self.stream()?.state() {
            StreamState::Errored => None,
            StreamState::Closed => Some(0.0),
            StreamState::Readable => Some(self.high_water_mark.get() - self.queue_total_size.get()),
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-default-controller-has-backpressure>
    pub fn has_backpressure(&self) -> bool {
        !self.should_call_pull()
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-should-call-pull>
    fn should_call_pull(&self) -> bool {
        let Some(stream) = self.stream() else {
            return false;
        };
        if !self.can_close_or_enqueue() || !self.started.get() {
            return false;
        }
        if stream.is_locked() && stream.num_read_requests() > 0 {
            return true;
        }
        self.desired_size().is_some_and(|size| size > 0.0)
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-call-pull-if-needed>
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn call_pull_if_needed(&self, cx: &mut JSContext) {
        if !self.should_call_pull() {
            return;
        }
        if self.pulling.get() {
            self.pull_again.set(true);
            return;
        }
        self.pulling.set(true);
        let pulled = self.pull_algorithm(cx);
        let controller = DomRoot::from_ref(self);
        pulled.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    controller.pulling.set(false);
                    if controller.pull_again.replace(false) {
                        controller.call_pull_if_needed(cx);
                    }
                }
                Err(reason) => controller.error(cx, reason.get()),
            }),
        );
    }

    /// The source's pull algorithm: a promise for when it is done.
    unsafe fn pull_algorithm(&self, cx: &mut JSContext) -> Rc<Promise> {
        /// What to pull from, taken out of the source before any script runs.
        enum Pull {
            Nothing,
            Script(*mut JSObject, Rc<UnderlyingSourcePullCallback>),
            Tee(DomRoot<ReadableStreamDefaultReader>),
            Transform(DomRoot<crate::dom::transformstream::TransformStream>),
            Iterator(*mut JSObject, JSVal),
        }
        let pull = match &*self.source.borrow() {
            Source::None | Source::Script { pull: None, .. } => Pull::Nothing,
            Source::Script {
                object,
                pull: Some(pull),
                ..
            } => Pull::Script(object.get(), pull.get().clone()),
            Source::TeeBranch(reader, _) => Pull::Tee(reader.root()),
            Source::Transform(stream) => Pull::Transform(stream.root()),
            Source::Iterator { iterator, next } => Pull::Iterator(iterator.get(), next.get()),
        };
        match pull {
            Pull::Nothing => resolved_promise(cx),
            Pull::Tee(reader) => tee_pull(cx, &reader),
            Pull::Transform(stream) => stream.source_pull(cx),
            Pull::Iterator(iterator, next) => self.pull_iterator(cx, iterator, next),
            Pull::Script(object, pull) => {
                rooted!(&in(cx) let this = object_or_undefined(object));
                let result = pull.Call(cx, this.handle(), self).map(|value| value.get());
                self.promise_from(cx, result)
            }
        }
    }

    /// The source's cancel algorithm (https://streams.spec.whatwg.org/#rs-default-controller-private-cancel):
    /// the queue emptied, the algorithms cleared.
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn cancel_steps(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        self.reset_queue();
        let source = std::mem::replace(&mut *self.source.borrow_mut(), Source::None);
        *self.size.borrow_mut() = None;
        match source {
            Source::None => resolved_promise(cx),
            Source::Script { object, cancel, .. } => {
                let Some(cancel) = cancel else {
                    return resolved_promise(cx);
                };
                rooted!(&in(cx) let this = object_or_undefined(object.get()));
                rooted!(&in(cx) let reason = reason);
                let result = cancel
                    .get()
                    .Call(cx, this.handle(), reason.handle())
                    .map(|value| value.get());
                self.promise_from(cx, result)
            }
            Source::TeeBranch(reader, index) => tee_cancel(cx, &reader.root(), index, reason),
            Source::Transform(stream) => stream.source_cancel(cx, reason),
            Source::Iterator { iterator, .. } => self.cancel_iterator(cx, iterator.get(), reason),
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-from-iterable>, the pull algorithm:
    /// the iterator's next result, enqueued (or the end, closing the stream).
    unsafe fn pull_iterator(
        &self,
        cx: &mut JSContext,
        iterator: *mut JSObject,
        next: JSVal,
    ) -> Rc<Promise> {
        rooted!(&in(cx) let next = next);
        if !crate::dom::bindings::conversions::is_callable(next.handle()) {
            let error =
                Error::Type("ReadableStream.from: the iterator's next is not a function".into());
            return rejected_with(cx, self.global(), error);
        }
        let function = crate::dom::bindings::callback::CallbackFunction::new_unchecked(
            cx,
            next.get().to_object(),
        );
        rooted!(&in(cx) let this = ObjectValue(iterator));
        let result = function
            .call(cx, this.handle(), &[])
            .map(|value| value.get());
        let next_promise = self.promise_from(cx, result);
        let pulled = Promise::new(cx);
        let settle = pulled.clone();
        let controller = DomRoot::from_ref(self);
        next_promise.when_settled(
            cx,
            Box::new(move |cx, outcome| {
                let result = match outcome {
                    Ok(result) => result,
                    Err(reason) => return settle.reject(cx, &reason.get()),
                };
                if !result.get().is_object() {
                    let error = Error::Type(
                        "ReadableStream.from: the iterator result is not an object".into(),
                    );
                    let error = error_value(cx, controller.global(), error);
                    return settle.reject(cx, &error.get());
                }
                rooted!(&in(cx) let object = result.get().to_object());
                rooted!(&in(cx) let mut done = UndefinedValue());
                rooted!(&in(cx) let mut value = UndefinedValue());
                if !mozjs::rust::wrappers2::JS_GetProperty(
                    cx,
                    object.handle(),
                    c"done".as_ptr(),
                    done.handle_mut(),
                ) || !mozjs::rust::wrappers2::JS_GetProperty(
                    cx,
                    object.handle(),
                    c"value".as_ptr(),
                    value.handle_mut(),
                ) {
                    let error = crate::script_runtime::take_exception(cx)
                        .map_or(UndefinedValue(), |e| e.get());
                    return settle.reject(cx, &error);
                }
                if mozjs::rust::ToBoolean(done.handle()) {
                    controller.close_stream(cx);
                } else if controller.enqueue(cx, value.handle()).is_err() {
                    let error = crate::script_runtime::take_exception(cx)
                        .map_or(UndefinedValue(), |e| e.get());
                    return settle.reject(cx, &error);
                }
                settle.resolve(cx, &UndefinedValue());
            }),
        );
        pulled
    }

    /// `ReadableStream.from()`'s cancel algorithm: the iterator's `return(reason)`, if it
    /// has one, whose result must be an object.
    unsafe fn cancel_iterator(
        &self,
        cx: &mut JSContext,
        iterator: *mut JSObject,
        reason: JSVal,
    ) -> Rc<Promise> {
        rooted!(&in(cx) let object = iterator);
        rooted!(&in(cx) let mut method = UndefinedValue());
        if !mozjs::rust::wrappers2::JS_GetProperty(
            cx,
            object.handle(),
            c"return".as_ptr(),
            method.handle_mut(),
        ) {
            return self.promise_from(cx, Err(Error::JSFailed));
        }
        if method.get().is_null_or_undefined() {
            return resolved_promise(cx);
        }
        if !crate::dom::bindings::conversions::is_callable(method.handle()) {
            let error =
                Error::Type("ReadableStream.from: the iterator's return is not a function".into());
            return rejected_with(cx, self.global(), error);
        }
        let function = crate::dom::bindings::callback::CallbackFunction::new_unchecked(
            cx,
            method.get().to_object(),
        );
        rooted!(&in(cx) let this = ObjectValue(iterator));
        let result = function
            .call(cx, this.handle(), &[&reason])
            .map(|value| value.get());
        let returned = self.promise_from(cx, result);
        let canceled = Promise::new(cx);
        let settle = canceled.clone();
        let global_of = DomRoot::from_ref(self);
        returned.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(result) if result.get().is_object() => settle.resolve(cx, &UndefinedValue()),
                Ok(_) => {
                    let error = Error::Type(
                        "ReadableStream.from: return() gave something that is not an object".into(),
                    );
                    let error = error_value(cx, global_of.global(), error);
                    settle.reject(cx, &error.get());
                }
                Err(reason) => settle.reject(cx, &reason.get()),
            }),
        );
        canceled
    }

    /// A callback's result as a promise (a throw: rejected with the exception), as Web IDL
    /// converts a callback's `Promise` result.
    unsafe fn promise_from(&self, cx: &mut JSContext, result: Result<JSVal, Error>) -> Rc<Promise> {
        match result {
            Ok(value) => {
                rooted!(&in(cx) let value = value);
                match <Rc<Promise>>::from_js(cx, value.handle(), &Conv::plain("stream")) {
                    Ok(promise) => promise,
                    Err(error) => {
                        let error = error_value(cx, self.global(), error);
                        rejected_promise(cx, error.get())
                    }
                }
            }
            Err(error) => {
                let error = error_value(cx, self.global(), error);
                rejected_promise(cx, error.get())
            }
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-default-controller-private-pull>
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn pull_steps(&self, cx: &mut JSContext, request: ReadRequest) {
        let Some(stream) = self.stream() else {
            return;
        };
        let first = self.queue.borrow_mut().pop_front();
        if let Some((chunk, size)) = first {
            rooted!(&in(cx) let chunk = chunk.get());
            let total = self.queue_total_size.get() - size;
            self.queue_total_size
                .set(if total < 0.0 { 0.0 } else { total });
            if self.close_requested.get() && self.queue.borrow().is_empty() {
                self.clear_algorithms();
                stream.close(cx);
            } else {
                self.call_pull_if_needed(cx);
            }
            request.chunk_steps(cx, chunk.handle());
        } else {
            stream.add_read_request(request);
            self.call_pull_if_needed(cx);
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-clear-algorithms>
    fn clear_algorithms(&self) {
        *self.source.borrow_mut() = Source::None;
        *self.size.borrow_mut() = None;
    }

    /// <https://streams.spec.whatwg.org/#reset-queue>
    fn reset_queue(&self) {
        self.queue.borrow_mut().clear();
        self.queue_total_size.set(0.0);
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-close>
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn close_stream(&self, cx: &mut JSContext) {
        if !self.can_close_or_enqueue() {
            return;
        }
        self.close_requested.set(true);
        if self.queue.borrow().is_empty() {
            self.clear_algorithms();
            if let Some(stream) = self.stream() {
                stream.close(cx);
            }
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-enqueue>: an
    /// error is the size algorithm's (the stream is errored with it too).
    ///
    /// # Safety
    /// `cx` in the controller's realm; `chunk` rooted.
    pub unsafe fn enqueue(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> Fallible<()> {
        if !self.can_close_or_enqueue() {
            return Ok(());
        }
        let Some(stream) = self.stream() else {
            return Ok(());
        };
        if stream.is_locked() && stream.num_read_requests() > 0 {
            stream.fulfill_read_request(cx, chunk, false);
        } else {
            let size = self.size.borrow().as_ref().map(|size| size.get().clone());
            rooted!(&in(cx) let undefined = UndefinedValue());
            let size = match size {
                None => 1.0,
                Some(size) => match size.Call(cx, undefined.handle(), chunk) {
                    Ok(size) => size,
                    Err(error) => {
                        let error = error_value(cx, self.global(), error);
                        self.error(cx, error.get());
                        rooted!(&in(cx) let error = error.get());
                        mozjs::rust::wrappers2::JS_SetPendingException(
                            cx,
                            error.handle(),
                            mozjs::jsapi::JS::ExceptionStackBehavior::Capture,
                        );
                        return Err(Error::JSFailed);
                    }
                },
            };
            if !size.is_finite() || size < 0.0 {
                let error = Error::Range(
                    "The size of a chunk must be a finite, non-negative number.".into(),
                );
                let value = error_value(cx, self.global(), error.clone());
                self.error(cx, value.get());
                return Err(error);
            }
            self.queue
                .borrow_mut()
                .push_back((Heap::boxed(chunk.get()), size));
            self.queue_total_size
                .set(self.queue_total_size.get() + size);
        }
        self.call_pull_if_needed(cx);
        Ok(())
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-default-controller-error>
    ///
    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn error(&self, cx: &mut JSContext, error: JSVal) {
        let Some(stream) = self.stream() else {
            return;
        };
        if stream.state() != StreamState::Readable {
            return;
        }
        self.reset_queue();
        self.clear_algorithms();
        stream.error(cx, error);
    }
}

fn object_or_undefined(object: *mut JSObject) -> JSVal {
    if object.is_null() {
        UndefinedValue()
    } else {
        ObjectValue(object)
    }
}

impl ReadableStreamDefaultControllerMethods for ReadableStreamDefaultController {
    fn DesiredSize(&self, _cx: &mut JSContext) -> Option<f64> {
        self.desired_size()
    }

    /// <https://streams.spec.whatwg.org/#rs-default-controller-close>
    fn Close(&self, cx: &mut JSContext) -> Fallible<()> {
        if !self.can_close_or_enqueue() {
            return Err(Error::Type(
                "Failed to execute 'close' on 'ReadableStreamDefaultController': Cannot close a \
                 readable stream that has already been requested to be closed or is not readable"
                    .into(),
            ));
        }
        // SAFETY: bindings call in the controller's realm.
        unsafe { self.close_stream(cx) };
        Ok(())
    }

    /// <https://streams.spec.whatwg.org/#rs-default-controller-enqueue>
    fn Enqueue(&self, cx: &mut JSContext, chunk: Option<HandleValue<'_>>) -> Fallible<()> {
        if !self.can_close_or_enqueue() {
            return Err(Error::Type(
                "Failed to execute 'enqueue' on 'ReadableStreamDefaultController': Cannot \
                 enqueue a chunk into a readable stream that is closed or has been requested to \
                 be closed"
                    .into(),
            ));
        }
        rooted!(&in(cx) let chunk = chunk.map_or(UndefinedValue(), |chunk| chunk.get()));
        // SAFETY: as above; the chunk is rooted.
        unsafe { self.enqueue(cx, chunk.handle()) }
    }

    /// <https://streams.spec.whatwg.org/#rs-default-controller-error>
    fn Error(&self, cx: &mut JSContext, e: Option<HandleValue<'_>>) {
        // SAFETY: as above.
        unsafe { self.error(cx, e.map_or(UndefinedValue(), |e| e.get())) }
    }
}

//! ReadableStream (https://streams.spec.whatwg.org/#rs-class), a default (not byte) stream,
//! with the Streams standard's abstract operations for it, its default controller
//! (`readablestreamdefaultcontroller.rs`: the queue and the underlying source) and its default
//! reader (`readablestreamdefaultreader.rs`: the read requests).
//!
//! A stream's source is a page's underlying source object, a body's bytes (the `body` of a
//! Request or Response), or a branch of a `tee()`. Rust reads streams as well as script does:
//! a read request is a `read()` promise, a [`Collector`] ([`read_all_bytes`]: Fetch's "fully
//! read" of a body, for `text()`, `respondWith()`, `fetch()` and `cache.put()`), or a tee.
//!
//! Invariants: a stream has its controller from construction; it has at most one reader,
//! and a reader's stream is the stream whose reader it is. JS values (chunks, the stored
//! error, promises) are kept in traced heap cells, never rooted, so a stream that script
//! drops is collected with whatever it holds.

use std::cell::{Cell, RefCell};

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::buffer::Uint8Array;
use crate::dom::bindings::conversions::{define_member, new_plain_object, Conv, FromJs};
use crate::dom::bindings::error::take_pending_exception;
use crate::dom::prelude::*;
use crate::dom::readablestreamdefaultcontroller::{ReadableStreamDefaultController, Source};
use crate::dom::readablestreamdefaultreader::ReadableStreamDefaultReader;
use crate::dom::writablestream::WritableStream;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamState {
    Readable,
    Closed,
    Errored,
}

#[derive(Trace)]
#[repr(C)]
pub struct ReadableStream {
    reflector: Reflector,
    #[no_trace]
    state: Cell<StreamState>,
    /// Read or canceled at least once (a body stream that is disturbed is a used body).
    #[no_trace]
    disturbed: Cell<bool>,
    stored_error: Heap<JSVal>,
    controller: MutNullableDom<ReadableStreamDefaultController>,
    reader: MutNullableDom<ReadableStreamDefaultReader>,
}

/// <https://streams.spec.whatwg.org/#read-request>: what a read of the stream is for.
#[derive(Trace)]
pub enum ReadRequest {
    /// `reader.read()`: its promise, settled with a `{value, done}` result.
    Promise(Box<Heap<*mut JSObject>>),
    /// An async iterator's `next()`: its promise, and the reader, released when the stream
    /// ends or errors.
    IteratorNext(Box<Heap<*mut JSObject>>, Dom<ReadableStreamDefaultReader>),
    /// Rust reading a body to its end.
    Collect(#[no_trace] Rc<Collector>),
    /// A `pipeTo()` reading the next chunk to write.
    Pipe(#[no_trace] Rc<crate::dom::streampipe::Pipe>),
    /// A `tee()` reading for its two branches: the reader that holds the tee's state.
    Tee(Dom<ReadableStreamDefaultReader>),
}

impl ReadRequest {
    /// A read request settling a new promise, and that promise.
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn promise(cx: &mut JSContext) -> (ReadRequest, Rc<Promise>) {
        let promise = Promise::new(cx);
        (ReadRequest::Promise(Heap::boxed(promise.object())), promise)
    }

    /// # Safety
    /// `cx` in the stream's realm; `chunk` rooted.
    pub unsafe fn chunk_steps(self, cx: &mut JSContext, chunk: HandleValue<'_>) {
        match self {
            ReadRequest::Promise(promise) => {
                let result = read_result(cx, chunk, false);
                Promise::from_object(promise.get()).resolve(cx, &result);
            }
            ReadRequest::IteratorNext(promise, _) => {
                let result = read_result(cx, chunk, false);
                Promise::from_object(promise.get()).resolve(cx, &result);
            }
            ReadRequest::Collect(collector) => collector.chunk(cx, chunk),
            ReadRequest::Pipe(pipe) => pipe.chunk(cx, chunk),
            ReadRequest::Tee(reader) => tee_chunk(cx, reader.root(), chunk),
        }
    }

    /// # Safety
    /// As above.
    pub unsafe fn close_steps(self, cx: &mut JSContext) {
        match self {
            ReadRequest::Promise(promise) => {
                rooted!(&in(cx) let undefined = UndefinedValue());
                let result = read_result(cx, undefined.handle(), true);
                Promise::from_object(promise.get()).resolve(cx, &result);
            }
            ReadRequest::IteratorNext(promise, reader) => {
                reader.release(cx);
                rooted!(&in(cx) let undefined = UndefinedValue());
                let result = read_result(cx, undefined.handle(), true);
                Promise::from_object(promise.get()).resolve(cx, &result);
            }
            ReadRequest::Collect(collector) => collector.finish(cx, Ok(())),
            ReadRequest::Pipe(pipe) => pipe.source_closed(cx),
            ReadRequest::Tee(reader) => tee_close(cx, &reader),
        }
    }

    /// # Safety
    /// As above; `error` rooted.
    pub unsafe fn error_steps(self, cx: &mut JSContext, error: HandleValue<'_>) {
        match self {
            ReadRequest::Promise(promise) => {
                Promise::from_object(promise.get()).reject(cx, &error.get())
            }
            ReadRequest::IteratorNext(promise, reader) => {
                reader.release(cx);
                Promise::from_object(promise.get()).reject(cx, &error.get());
            }
            ReadRequest::Collect(collector) => collector.finish(cx, Err(error.get())),
            ReadRequest::Pipe(pipe) => pipe.source_errored(cx, error.get()),
            ReadRequest::Tee(reader) => {
                reader.with_tee(|tee| tee.reading.set(false));
            }
        }
    }
}

/// A `{value, done}` object (https://streams.spec.whatwg.org/#readablestreamdefaultreader-read).
unsafe fn read_result(cx: &mut JSContext, chunk: HandleValue<'_>, done: bool) -> RootedObject {
    let object = new_plain_object(cx);
    define_member(cx, &object, "value", &chunk.get());
    define_member(cx, &object, "done", &done);
    object
}

/// The value of `error`, thrown in `global` and caught (to reject or error with).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn error_value(cx: &mut JSContext, global: &GlobalScope, error: Error) -> RootedValue {
    crate::dom::bindings::error::throw_error(cx, global, error);
    rooted!(&in(cx) let mut value = UndefinedValue());
    take_pending_exception(cx, value.handle_mut());
    RootedValue::new(value.get())
}

/// A promise already resolved with undefined.
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn resolved_promise(cx: &mut JSContext) -> Rc<Promise> {
    let promise = Promise::new(cx);
    promise.resolve(cx, &UndefinedValue());
    promise
}

/// A promise already rejected with `error`, made in `global`.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn rejected_with(cx: &mut JSContext, global: &GlobalScope, error: Error) -> Rc<Promise> {
    let reason = error_value(cx, global, error);
    rejected_promise(cx, reason.get())
}

/// A promise already rejected with `reason`.
///
/// # Safety
/// `cx` in a realm.
pub unsafe fn rejected_promise(cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
    let promise = Promise::new(cx);
    promise.reject(cx, &reason);
    promise
}

impl ReadableStream {
    /// <https://streams.spec.whatwg.org/#initialize-readable-stream>: a readable stream
    /// without its controller yet.
    fn new_uninitialized(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<ReadableStream> {
        ReadableStreamBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ReadableStream {
                reflector: Reflector::new(),
                state: Cell::new(StreamState::Readable),
                disturbed: Cell::new(false),
                stored_error: Heap::default(),
                controller: MutNullableDom::default(),
                reader: MutNullableDom::default(),
            }),
        )
    }

    /// A stream of `bytes` as one Uint8Array chunk, closed (a body's stream,
    /// https://fetch.spec.whatwg.org/#concept-bodyinit-extract: its bytes are all there).
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn from_bytes(
        cx: &mut JSContext,
        global: &GlobalScope,
        bytes: &[u8],
    ) -> Fallible<DomRoot<ReadableStream>> {
        let stream = Self::new_uninitialized(cx, global, None);
        let controller = ReadableStreamDefaultController::new(cx, global);
        controller.set_up(cx, &stream, Source::None, 0.0, None);
        if !bytes.is_empty() {
            let chunk = Uint8Array::new(cx, bytes)?;
            rooted!(&in(cx) let mut value = UndefinedValue());
            chunk.to_js(cx, value.handle_mut());
            controller.enqueue(cx, value.handle())?;
        }
        controller.close_stream(cx);
        controller.start_with(cx, UndefinedValue());
        Ok(stream)
    }

    /// <https://streams.spec.whatwg.org/#create-readable-stream> with a native source (a
    /// TransformStream's readable side), started when `start_result` settles.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn new_with_source(
        cx: &mut JSContext,
        global: &GlobalScope,
        source: Source,
        high_water_mark: f64,
        size: Option<crate::dom::bindings::callback::Held<QueuingStrategySize>>,
        start_result: JSVal,
    ) -> DomRoot<ReadableStream> {
        let stream = Self::new_uninitialized(cx, global, None);
        let controller = ReadableStreamDefaultController::new(cx, global);
        controller.set_up(cx, &stream, source, high_water_mark, size);
        controller.start_with(cx, start_result);
        stream
    }

    /// <https://streams.spec.whatwg.org/#create-readable-stream> for a tee branch.
    unsafe fn new_branch(
        cx: &mut JSContext,
        global: &GlobalScope,
        reader: &ReadableStreamDefaultReader,
        branch: usize,
    ) -> DomRoot<ReadableStream> {
        let stream = Self::new_uninitialized(cx, global, None);
        let controller = ReadableStreamDefaultController::new(cx, global);
        let source = Source::TeeBranch(Dom::from_ref(reader), branch);
        controller.set_up(cx, &stream, source, 1.0, None);
        controller.start_with(cx, UndefinedValue());
        stream
    }

    pub fn state(&self) -> StreamState {
        self.state.get()
    }

    pub fn stored_error(&self) -> JSVal {
        self.stored_error.get()
    }

    /// <https://streams.spec.whatwg.org/#is-readable-stream-disturbed>
    pub fn is_disturbed(&self) -> bool {
        self.disturbed.get()
    }

    pub fn set_disturbed(&self) {
        self.disturbed.set(true);
    }

    /// <https://streams.spec.whatwg.org/#is-readable-stream-locked>
    pub fn is_locked(&self) -> bool {
        self.reader.get().is_some()
    }

    pub fn controller(&self) -> DomRoot<ReadableStreamDefaultController> {
        self.controller
            .get()
            .expect("a stream has its controller from construction")
    }

    pub fn set_controller(&self, controller: &ReadableStreamDefaultController) {
        self.controller.set(Some(controller));
    }

    pub fn reader(&self) -> Option<DomRoot<ReadableStreamDefaultReader>> {
        self.reader.get()
    }

    pub fn set_reader(&self, reader: Option<&ReadableStreamDefaultReader>) {
        self.reader.set(reader);
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-get-num-read-requests>
    pub fn num_read_requests(&self) -> usize {
        self.reader
            .get()
            .map_or(0, |reader| reader.num_read_requests())
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-add-read-request>
    pub fn add_read_request(&self, request: ReadRequest) {
        if let Some(reader) = self.reader.get() {
            reader.add_read_request(request);
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-fulfill-read-request>
    ///
    /// # Safety
    /// `cx` in the stream's realm; `chunk` rooted.
    pub unsafe fn fulfill_read_request(
        &self,
        cx: &mut JSContext,
        chunk: HandleValue<'_>,
        done: bool,
    ) {
        let Some(request) = self
            .reader
            .get()
            .and_then(|reader| reader.take_read_request())
        else {
            return;
        };
        if done {
            request.close_steps(cx);
        } else {
            request.chunk_steps(cx, chunk);
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-close>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn close(&self, cx: &mut JSContext) {
        self.state.set(StreamState::Closed);
        let Some(reader) = self.reader.get() else {
            return;
        };
        reader.closed_promise(cx).resolve(cx, &UndefinedValue());
        for request in reader.take_read_requests() {
            request.close_steps(cx);
        }
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-error>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn error(&self, cx: &mut JSContext, error: JSVal) {
        self.state.set(StreamState::Errored);
        self.stored_error.set(error);
        let Some(reader) = self.reader.get() else {
            return;
        };
        let closed = reader.closed_promise(cx);
        closed.reject(cx, &error);
        closed.mark_handled(cx);
        rooted!(&in(cx) let error = error);
        for request in reader.take_read_requests() {
            request.error_steps(cx, error.handle());
        }
        // A tee's reader: its closed promise rejected, so the branches error (done here
        // rather than in a reaction to that promise, which would root the tee until then).
        tee_error(cx, &reader, error.get());
    }

    /// <https://streams.spec.whatwg.org/#readable-stream-cancel>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn cancel(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        self.disturbed.set(true);
        match self.state.get() {
            StreamState::Closed => return resolved_promise(cx),
            StreamState::Errored => return rejected_promise(cx, self.stored_error.get()),
            StreamState::Readable => {}
        }
        self.close(cx);
        let source_cancel = self.controller().cancel_steps(cx, reason);
        // Reacting with undefined: a new promise that follows the source's without its value.
        let promise = Promise::new(cx);
        let result = promise.clone();
        let added = source_cancel.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => result.resolve(cx, &UndefinedValue()),
                Err(reason) => result.reject(cx, &reason.get()),
            }),
        );
        if !added {
            promise.reject(cx, &UndefinedValue());
        }
        promise
    }

    /// <https://streams.spec.whatwg.org/#acquire-readable-stream-reader>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn acquire_reader(
        &self,
        cx: &mut JSContext,
    ) -> Fallible<DomRoot<ReadableStreamDefaultReader>> {
        let reader = ReadableStreamDefaultReader::new(cx, self.global(), None);
        reader.set_up(cx, self)?;
        Ok(reader)
    }

    /// Whether the stream can no longer be a body (https://fetch.spec.whatwg.org/#body-unusable).
    pub fn is_unusable(&self) -> bool {
        self.is_disturbed() || self.is_locked()
    }
}

impl ReadableStreamMethods for ReadableStream {
    /// <https://streams.spec.whatwg.org/#rs-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        underlying_source: Option<RootedObject>,
        strategy: &QueuingStrategy,
    ) -> Fallible<DomRoot<ReadableStream>> {
        // Step 1-2: the source object as an UnderlyingSource dictionary.
        rooted!(&in(cx) let mut source_value = mozjs::jsval::NullValue());
        if let Some(object) = &underlying_source {
            source_value.set(ObjectValue(object.get()));
        }
        // SAFETY: bindings call in the global's realm; the value is rooted.
        let dict = unsafe {
            UnderlyingSource::from_js(cx, source_value.handle(), &Conv::plain("ReadableStream"))
        }?;
        // Step 3.
        let stream = ReadableStream::new_uninitialized(cx, global, proto);
        // Step 4: byte streams are not implemented.
        if dict.type_.is_some() {
            return Err(Error::Range(
                "Failed to construct 'ReadableStream': byte streams (type \"bytes\") are not \
                 supported."
                    .into(),
            ));
        }
        // Step 5: the strategy.
        if strategy
            .high_water_mark
            .is_some_and(|mark| mark.is_nan() || mark < 0.0)
        {
            return Err(Error::Range(
                "Failed to construct 'ReadableStream': Cannot create a stream with a negative or \
                 NaN highWaterMark."
                    .into(),
            ));
        }
        let high_water_mark = strategy.high_water_mark.unwrap_or(1.0);
        // Step 5.4: set up the controller from the source.
        let controller = ReadableStreamDefaultController::new(cx, global);
        let source = Source::Script {
            object: Heap::boxed(
                underlying_source
                    .as_ref()
                    .map_or(std::ptr::null_mut(), |o| o.get()),
            ),
            pull: dict.pull.map(crate::dom::bindings::callback::Held::new),
            cancel: dict.cancel.map(crate::dom::bindings::callback::Held::new),
        };
        // SAFETY: as above.
        unsafe {
            controller.set_up(
                cx,
                &stream,
                source,
                high_water_mark,
                strategy
                    .size
                    .clone()
                    .map(crate::dom::bindings::callback::Held::new),
            );
            let start_result = match &dict.start {
                Some(start) => {
                    rooted!(&in(cx) let this = source_value.get());
                    start.Call(cx, this.handle(), &controller)?.get()
                }
                None => UndefinedValue(),
            };
            controller.start_with(cx, start_result);
        }
        Ok(stream)
    }

    /// <https://streams.spec.whatwg.org/#rs-from>: a stream of an async iterable's values (or
    /// a sync iterable's, awaited), pulled one at a time.
    fn From(
        cx: &mut JSContext,
        global: &GlobalScope,
        async_iterable: HandleValue<'_>,
    ) -> Fallible<DomRoot<ReadableStream>> {
        // SAFETY: bindings call in the global's realm.
        unsafe {
            let pair = crate::script_runtime::call_helper(
                cx,
                global,
                GET_ASYNC_ITERATOR,
                &[&async_iterable.get()],
            )?;
            rooted!(&in(cx) let pair = pair.get().to_object());
            rooted!(&in(cx) let mut iterator = UndefinedValue());
            rooted!(&in(cx) let mut next = UndefinedValue());
            if !mozjs::rust::wrappers2::JS_GetElement(cx, pair.handle(), 0, iterator.handle_mut())
                || !mozjs::rust::wrappers2::JS_GetElement(cx, pair.handle(), 1, next.handle_mut())
            {
                return Err(Error::JSFailed);
            }
            let source = Source::Iterator {
                iterator: Heap::boxed(iterator.get().to_object()),
                next: Heap::boxed(next.get()),
            };
            Ok(Self::new_with_source(
                cx,
                global,
                source,
                0.0,
                None,
                UndefinedValue(),
            ))
        }
    }

    fn Locked(&self, _cx: &mut JSContext) -> bool {
        self.is_locked()
    }

    /// <https://streams.spec.whatwg.org/#rs-cancel>
    fn Cancel(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the stream's realm.
        unsafe {
            if self.is_locked() {
                let error = error_value(
                    cx,
                    self.global(),
                    Error::Type("Failed to execute 'cancel' on 'ReadableStream': Cannot cancel a locked stream".into()),
                );
                return Ok(rejected_promise(cx, error.get()));
            }
            Ok(self.cancel(cx, reason.map_or(UndefinedValue(), |reason| reason.get())))
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-get-reader>
    fn GetReader(
        &self,
        cx: &mut JSContext,
        options: &ReadableStreamGetReaderOptions,
    ) -> Fallible<DomRoot<ReadableStreamDefaultReader>> {
        if options.mode.is_some() {
            return Err(Error::Type(
                "Failed to execute 'getReader' on 'ReadableStream': Cannot use a BYOB reader \
                 with a non-byte stream"
                    .into(),
            ));
        }
        // SAFETY: bindings call in the stream's realm.
        unsafe { self.acquire_reader(cx) }
    }

    /// <https://streams.spec.whatwg.org/#ref-for-asynchronous-iterator-initialization-steps>:
    /// the iterator's state is its reader (which keeps `preventCancel`).
    fn AsyncIteratorInit(
        &self,
        cx: &mut JSContext,
        options: &ReadableStreamIteratorOptions,
    ) -> Fallible<JSVal> {
        // SAFETY: bindings call in the stream's realm.
        let reader = unsafe { self.acquire_reader(cx) }?;
        reader.set_prevent_cancel(options.prevent_cancel);
        Ok(ObjectValue(reader.reflector().get()))
    }

    /// <https://streams.spec.whatwg.org/#ref-for-dfn-get-the-next-iteration-result>
    fn AsyncIteratorNext(
        &self,
        cx: &mut JSContext,
        state: HandleValue<'_>,
    ) -> Fallible<Rc<Promise>> {
        // SAFETY: as above; `state` is the reader `AsyncIteratorInit` gave.
        unsafe {
            let reader: DomRoot<ReadableStreamDefaultReader> =
                FromJs::from_js(cx, state, &Conv::plain("ReadableStream AsyncIterator"))?;
            if reader.stream().is_none() {
                return Err(Error::Type(
                    "Cannot iterate a stream whose reader was released".into(),
                ));
            }
            let promise = Promise::new(cx);
            let request =
                ReadRequest::IteratorNext(Heap::boxed(promise.object()), Dom::from_ref(&*reader));
            default_reader_read(cx, &reader, request);
            Ok(promise)
        }
    }

    /// <https://streams.spec.whatwg.org/#ref-for-asynchronous-iterator-return>
    fn AsyncIteratorReturn(
        &self,
        cx: &mut JSContext,
        state: HandleValue<'_>,
        value: HandleValue<'_>,
    ) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        unsafe {
            let reader: DomRoot<ReadableStreamDefaultReader> =
                FromJs::from_js(cx, state, &Conv::plain("ReadableStream AsyncIterator"))?;
            let Some(stream) = reader.stream() else {
                return Ok(resolved_promise(cx));
            };
            if reader.prevent_cancel() {
                reader.release(cx);
                return Ok(resolved_promise(cx));
            }
            let result = stream.cancel(cx, value.get());
            reader.release(cx);
            Ok(result)
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-pipe-to>
    fn PipeTo(
        &self,
        cx: &mut JSContext,
        destination: &WritableStream,
        options: &StreamPipeOptions,
    ) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the stream's realm.
        unsafe {
            if self.is_locked() || destination.is_locked() {
                let error = Error::Type(
                    "Failed to execute 'pipeTo' on 'ReadableStream': Cannot pipe a locked stream \
                     or to a locked stream"
                        .into(),
                );
                return Ok(rejected_with(cx, self.global(), error));
            }
            crate::dom::streampipe::pipe_to(
                cx,
                self,
                destination,
                pipe_options(options),
                options.signal.clone(),
            )
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-pipe-through>
    fn PipeThrough(
        &self,
        cx: &mut JSContext,
        transform: &ReadableWritablePair,
        options: &StreamPipeOptions,
    ) -> Fallible<DomRoot<ReadableStream>> {
        if self.is_locked() {
            return Err(Error::Type(
                "Failed to execute 'pipeThrough' on 'ReadableStream': Cannot pipe a locked stream"
                    .into(),
            ));
        }
        if transform.writable.is_locked() {
            return Err(Error::Type(
                "Failed to execute 'pipeThrough' on 'ReadableStream': Cannot pipe to a locked \
                 stream"
                    .into(),
            ));
        }
        // SAFETY: as above.
        unsafe {
            let promise = crate::dom::streampipe::pipe_to(
                cx,
                self,
                &transform.writable,
                pipe_options(options),
                options.signal.clone(),
            )?;
            promise.mark_handled(cx);
        }
        Ok(transform.readable.clone())
    }

    /// <https://streams.spec.whatwg.org/#rs-tee>
    fn Tee(&self, cx: &mut JSContext) -> Fallible<Vec<DomRoot<ReadableStream>>> {
        // SAFETY: bindings call in the stream's realm.
        let (first, second) = unsafe { tee(cx, self) }?;
        Ok(vec![first, second])
    }
}

/// <https://tc39.es/ecma262/#sec-getiterator> with kind async: `[iterator, next]`, a sync
/// iterator wrapped as CreateAsyncFromSyncIterator does (its values awaited). Not iterable:
/// a TypeError, thrown at once.
const GET_ASYNC_ITERATOR: &str = r#"(function (iterable) {
  const method = iterable == null ? undefined : iterable[Symbol.asyncIterator];
  if (method != null) {
    if (typeof method !== "function") throw new TypeError("ReadableStream.from: @@asyncIterator is not a function");
    const iterator = method.call(iterable);
    if (Object(iterator) !== iterator) throw new TypeError("ReadableStream.from: the async iterator is not an object");
    return [iterator, iterator.next];
  }
  const syncMethod = iterable == null ? undefined : iterable[Symbol.iterator];
  if (typeof syncMethod !== "function") throw new TypeError("ReadableStream.from: the argument is not iterable");
  const sync = syncMethod.call(iterable);
  if (Object(sync) !== sync) throw new TypeError("ReadableStream.from: the iterator is not an object");
  const syncNext = sync.next;
  const settle = (result) => {
    if (Object(result) !== result) throw new TypeError("ReadableStream.from: the iterator result is not an object");
    const done = Boolean(result.done);
    return Promise.resolve(result.value).then((value) => ({ value, done }));
  };
  const wrapper = {
    next() { return settle(syncNext.call(sync)); },
    return(value) {
      const method = sync.return;
      if (method == null) return Promise.resolve({ value, done: true });
      return settle(method.call(sync, value));
    },
  };
  return [wrapper, wrapper.next];
})"#;

fn pipe_options(options: &StreamPipeOptions) -> crate::dom::streampipe::PipeOptions {
    crate::dom::streampipe::PipeOptions {
        prevent_close: options.prevent_close,
        prevent_abort: options.prevent_abort,
        prevent_cancel: options.prevent_cancel,
    }
}

/// <https://streams.spec.whatwg.org/#abstract-opdef-readablestreamdefaulttee> (chunks are not
/// cloned for the second branch): the state the two branches share. It lives in the tee's
/// reader (which the stream traces while locked), and each branch's source and the tee's
/// pending read name that reader, so whatever reaches the tee traces it.
#[derive(Trace)]
pub struct Tee {
    branches: [MutNullableDom<ReadableStream>; 2],
    #[no_trace]
    reading: Cell<bool>,
    #[no_trace]
    read_again: Cell<bool>,
    #[no_trace]
    canceled: [Cell<bool>; 2],
    reasons: [Heap<JSVal>; 2],
    /// Settled when both branches are canceled (with the stream's cancel), or the stream
    /// closes or errors first.
    cancel_promise: Heap<*mut JSObject>,
}

/// Tees `stream` into two branches that each read every chunk.
///
/// # Safety
/// `cx` in the stream's realm.
pub unsafe fn tee(
    cx: &mut JSContext,
    stream: &ReadableStream,
) -> Fallible<(DomRoot<ReadableStream>, DomRoot<ReadableStream>)> {
    let global = stream.global();
    let reader = stream.acquire_reader(cx)?;
    let cancel_promise = Promise::new(cx);
    reader.set_tee(Box::new(Tee {
        branches: [MutNullableDom::default(), MutNullableDom::default()],
        reading: Cell::new(false),
        read_again: Cell::new(false),
        canceled: [Cell::new(false), Cell::new(false)],
        reasons: [Heap::default(), Heap::default()],
        cancel_promise: Heap::default(),
    }));
    reader.with_tee(|tee| tee.cancel_promise.set(cancel_promise.object()));
    let first = ReadableStream::new_branch(cx, global, &reader, 0);
    let second = ReadableStream::new_branch(cx, global, &reader, 1);
    reader.with_tee(|tee| {
        tee.branches[0].set(Some(&first));
        tee.branches[1].set(Some(&second));
    });
    Ok((first, second))
}

/// The tee's cancel promise, resolved unless both branches were canceled (then the stream's
/// cancel settles it).
unsafe fn tee_resolve_cancel(cx: &mut JSContext, reader: &ReadableStreamDefaultReader) {
    let promise = reader.with_tee(|tee| {
        (!tee.canceled[0].get() || !tee.canceled[1].get()).then(|| tee.cancel_promise.get())
    });
    if let Some(Some(promise)) = promise {
        Promise::from_object(promise).resolve(cx, &UndefinedValue());
    }
}

/// The branches, as far as they are not canceled.
fn tee_live_branches(reader: &ReadableStreamDefaultReader) -> Vec<DomRoot<ReadableStream>> {
    reader
        .with_tee(|tee| {
            (0..2)
                .filter(|&index| !tee.canceled[index].get())
                .filter_map(|index| tee.branches[index].get())
                .collect()
        })
        .unwrap_or_default()
}

/// The branches' pull algorithm.
///
/// # Safety
/// `cx` in the stream's realm.
pub unsafe fn tee_pull(cx: &mut JSContext, reader: &ReadableStreamDefaultReader) -> Rc<Promise> {
    let already = reader.with_tee(|tee| {
        let already = tee.reading.replace(true);
        if already {
            tee.read_again.set(true);
        }
        already
    });
    if already == Some(false) {
        default_reader_read(cx, reader, ReadRequest::Tee(Dom::from_ref(reader)));
    }
    resolved_promise(cx)
}

/// Branch `index`'s cancel algorithm.
///
/// # Safety
/// As above.
pub unsafe fn tee_cancel(
    cx: &mut JSContext,
    reader: &ReadableStreamDefaultReader,
    index: usize,
    reason: JSVal,
) -> Rc<Promise> {
    let Some((promise, both)) = reader.with_tee(|tee| {
        tee.canceled[index].set(true);
        tee.reasons[index].set(reason);
        let both = tee.canceled[1 - index]
            .get()
            .then(|| [tee.reasons[0].get(), tee.reasons[1].get()]);
        (tee.cancel_promise.get(), both)
    }) else {
        return resolved_promise(cx);
    };
    let cancel_promise = Promise::from_object(promise);
    if let (Some([first, second]), Some(stream)) = (both, reader.stream()) {
        // A composite reason: both branches' reasons, in an array.
        let composite = vec![RootedValue::new(first), RootedValue::new(second)];
        rooted!(&in(cx) let mut value = UndefinedValue());
        composite.to_js(cx, value.handle_mut());
        let result = stream.cancel(cx, value.get());
        let settle = cancel_promise.clone();
        result.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(value) => settle.resolve(cx, &value.get()),
                Err(reason) => settle.reject(cx, &reason.get()),
            }),
        );
    }
    cancel_promise
}

/// Chunk steps: in a microtask, both branches not canceled get the chunk.
unsafe fn tee_chunk(
    cx: &mut JSContext,
    reader: DomRoot<ReadableStreamDefaultReader>,
    chunk: HandleValue<'_>,
) {
    let microtask = Promise::new(cx);
    microtask.resolve(cx, &chunk.get());
    microtask.when_settled(
        cx,
        Box::new(move |cx, outcome| {
            let Ok(chunk) = outcome else {
                return;
            };
            reader.with_tee(|tee| tee.read_again.set(false));
            for branch in tee_live_branches(&reader) {
                // A branch's enqueue fails only with a size algorithm, which branches do
                // not have.
                let _ = branch.controller().enqueue(cx, chunk);
            }
            reader.with_tee(|tee| tee.reading.set(false));
            if reader.with_tee(|tee| tee.read_again.get()) == Some(true) {
                tee_pull(cx, &reader);
            }
        }),
    );
}

/// Close steps.
unsafe fn tee_close(cx: &mut JSContext, reader: &ReadableStreamDefaultReader) {
    reader.with_tee(|tee| tee.reading.set(false));
    for branch in tee_live_branches(reader) {
        branch.controller().close_stream(cx);
    }
    tee_resolve_cancel(cx, reader);
}

/// The teed stream errored: so do both branches.
unsafe fn tee_error(cx: &mut JSContext, reader: &ReadableStreamDefaultReader, error: JSVal) {
    let branches: Vec<_> = reader
        .with_tee(|tee| {
            tee.branches
                .iter()
                .filter_map(|branch| branch.get())
                .collect()
        })
        .unwrap_or_default();
    if branches.is_empty() {
        return;
    }
    for branch in branches {
        branch.controller().error(cx, error);
    }
    tee_resolve_cancel(cx, reader);
}

/// <https://streams.spec.whatwg.org/#readable-stream-default-reader-read>
///
/// # Safety
/// `cx` in the stream's realm.
pub unsafe fn default_reader_read(
    cx: &mut JSContext,
    reader: &ReadableStreamDefaultReader,
    request: ReadRequest,
) {
    let Some(stream) = reader.stream() else {
        return;
    };
    stream.disturbed.set(true);
    match stream.state() {
        StreamState::Closed => request.close_steps(cx),
        StreamState::Errored => {
            rooted!(&in(cx) let error = stream.stored_error());
            request.error_steps(cx, error.handle());
        }
        StreamState::Readable => stream.controller().pull_steps(cx, request),
    }
}

/// What reading a stream to its end calls with its bytes, or the error that stopped it.
pub type Collected = Box<dyn FnOnce(&mut JSContext, Result<Vec<u8>, JSVal>)>;

/// Reads a body stream's Uint8Array chunks to the end
/// (https://fetch.spec.whatwg.org/#body-fully-read): a chunk of another kind is a TypeError
/// (and cancels the stream). `limit` bounds the bytes (`net.max_response_bytes`): more is a
/// TypeError too.
pub struct Collector {
    reader: RefCell<Option<DomRoot<ReadableStreamDefaultReader>>>,
    bytes: RefCell<Vec<u8>>,
    limit: u64,
    done: RefCell<Option<Collected>>,
    /// A read of `read_next` is being made; `answered`: it had its chunk at once.
    in_read: Cell<bool>,
    answered: Cell<bool>,
}

/// Reads `stream` to its end, then calls `done` (at once if every chunk is already queued).
/// A locked stream is an error at once.
///
/// # Safety
/// `cx` in the stream's realm.
pub unsafe fn read_all_bytes(
    cx: &mut JSContext,
    stream: &ReadableStream,
    limit: u64,
    done: Collected,
) {
    let reader = match stream.acquire_reader(cx) {
        Ok(reader) => reader,
        Err(error) => {
            let error = error_value(cx, stream.global(), error);
            done(cx, Err(error.get()));
            return;
        }
    };
    let collector = Rc::new(Collector {
        reader: RefCell::new(Some(reader.clone())),
        bytes: RefCell::new(Vec::new()),
        limit,
        done: RefCell::new(Some(done)),
        in_read: Cell::new(false),
        answered: Cell::new(false),
    });
    collector.read_next(cx);
}

impl Collector {
    /// Reads until a read has to wait (the chunk steps of a later enqueue read on) or the
    /// stream ends. Chunks already queued are taken in this loop, not by recursion.
    unsafe fn read_next(self: &Rc<Self>, cx: &mut JSContext) {
        loop {
            let Some(reader) = self.reader.borrow().clone() else {
                return;
            };
            self.in_read.set(true);
            self.answered.set(false);
            default_reader_read(cx, &reader, ReadRequest::Collect(self.clone()));
            self.in_read.set(false);
            if !self.answered.get() || self.done.borrow().is_none() {
                return;
            }
        }
    }

    unsafe fn chunk(self: Rc<Self>, cx: &mut JSContext, chunk: HandleValue<'_>) {
        let Some(reader) = self.reader.borrow().clone() else {
            return;
        };
        let global = reader.global();
        let bytes = Uint8Array::from_js(cx, chunk, &Conv::plain("body"));
        let error = match bytes {
            Ok(bytes) => {
                let mut all = self.bytes.borrow_mut();
                if (all.len() + bytes.len()) as u64 > self.limit {
                    Some(Error::Type(format!(
                        "The body is larger than net.max_response_bytes ({} bytes).",
                        self.limit
                    )))
                } else {
                    all.extend_from_slice(&bytes.to_vec());
                    None
                }
            }
            Err(_) => Some(Error::Type(
                "The body stream gave a chunk that is not a Uint8Array.".into(),
            )),
        };
        if let Some(error) = error {
            let error = error_value(cx, global, error);
            if let Some(stream) = reader.stream() {
                stream.cancel(cx, error.get());
            }
            self.finish(cx, Err(error.get()));
            return;
        }
        // Answered within `read_next`'s read: its loop reads on. Otherwise (an enqueue
        // answered a waiting read) read on from here.
        if self.in_read.get() {
            self.answered.set(true);
        } else {
            self.read_next(cx);
        }
    }

    unsafe fn finish(&self, cx: &mut JSContext, outcome: Result<(), JSVal>) {
        let Some(done) = self.done.borrow_mut().take() else {
            return;
        };
        // The reader stays: a body read to its end keeps its stream locked.
        self.reader.borrow_mut().take();
        let bytes = std::mem::take(&mut *self.bytes.borrow_mut());
        done(cx, outcome.map(|()| bytes));
    }
}

//! WritableStreamDefaultWriter (https://streams.spec.whatwg.org/#default-writer-class): the
//! lock on a writable stream, its `ready` and `closed` promises, and `write()`.

use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::prelude::*;
use crate::dom::readablestream::{error_value, rejected_promise, rejected_with, resolved_promise};
use crate::dom::writablestream::{WritableState, WritableStream};

#[derive(Trace)]
#[repr(C)]
pub struct WritableStreamDefaultWriter {
    reflector: Reflector,
    stream: MutNullableDom<WritableStream>,
    closed: Heap<*mut JSObject>,
    ready: Heap<*mut JSObject>,
}

/// A TypeError about a released writer.
fn released(method: &str) -> Error {
    Error::Type(format!(
        "Failed to execute '{method}' on 'WritableStreamDefaultWriter': This writable stream \
         writer has been released and cannot be used"
    ))
}

impl WritableStreamDefaultWriter {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<WritableStreamDefaultWriter> {
        WritableStreamDefaultWriterBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(WritableStreamDefaultWriter {
                reflector: Reflector::new(),
                stream: MutNullableDom::default(),
                closed: Heap::default(),
                ready: Heap::default(),
            }),
        )
    }

    pub fn stream(&self) -> Option<DomRoot<WritableStream>> {
        self.stream.get()
    }

    unsafe fn promise_in(cx: &mut JSContext, cell: &Heap<*mut JSObject>) -> Rc<Promise> {
        if cell.get().is_null() {
            let promise = Promise::new(cx);
            cell.set(promise.object());
            return promise;
        }
        Promise::from_object(cell.get())
    }

    /// # Safety
    /// `cx` in the writer's realm.
    pub unsafe fn closed_promise(&self, cx: &mut JSContext) -> Rc<Promise> {
        Self::promise_in(cx, &self.closed)
    }

    /// # Safety
    /// As above.
    pub unsafe fn ready_promise(&self, cx: &mut JSContext) -> Rc<Promise> {
        Self::promise_in(cx, &self.ready)
    }

    /// A new pending `ready` (backpressure began).
    ///
    /// # Safety
    /// As above.
    pub unsafe fn reset_ready_promise(&self, cx: &mut JSContext) {
        let promise = Promise::new(cx);
        self.ready.set(promise.object());
    }

    /// <https://streams.spec.whatwg.org/#set-up-writable-stream-default-writer>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn set_up(&self, cx: &mut JSContext, stream: &WritableStream) -> Fallible<()> {
        if stream.is_locked() {
            return Err(Error::Type(
                "Cannot create a writer for a stream that is already locked to a writer".into(),
            ));
        }
        self.stream.set(Some(stream));
        stream.set_writer(Some(self));
        let stored = stream.stored_error();
        let (ready, closed) = match stream.state() {
            WritableState::Writable => {
                let ready = if !stream.close_queued_or_in_flight() && stream.backpressure() {
                    Promise::new(cx)
                } else {
                    resolved_promise(cx)
                };
                (ready, Promise::new(cx))
            }
            WritableState::Erroring => {
                let ready = rejected_promise(cx, stored);
                ready.mark_handled(cx);
                (ready, Promise::new(cx))
            }
            WritableState::Closed => (resolved_promise(cx), resolved_promise(cx)),
            WritableState::Errored => {
                let ready = rejected_promise(cx, stored);
                ready.mark_handled(cx);
                let closed = rejected_promise(cx, stored);
                closed.mark_handled(cx);
                (ready, closed)
            }
        };
        self.ready.set(ready.object());
        self.closed.set(closed.object());
        Ok(())
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-ready-promise-rejected>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn ensure_ready_promise_rejected(&self, cx: &mut JSContext, error: JSVal) {
        let ready = self.ready_promise(cx);
        let ready = if ready.is_pending() {
            ready
        } else {
            let fresh = Promise::new(cx);
            self.ready.set(fresh.object());
            fresh
        };
        ready.reject(cx, &error);
        ready.mark_handled(cx);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-closed-promise-rejected>
    unsafe fn ensure_closed_promise_rejected(&self, cx: &mut JSContext, error: JSVal) {
        let closed = self.closed_promise(cx);
        let closed = if closed.is_pending() {
            closed
        } else {
            let fresh = Promise::new(cx);
            self.closed.set(fresh.object());
            fresh
        };
        closed.reject(cx, &error);
        closed.mark_handled(cx);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-writer-release>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn release(&self, cx: &mut JSContext) {
        let Some(stream) = self.stream.get() else {
            return;
        };
        let error = error_value(
            cx,
            self.global(),
            Error::Type("Releasing the writer's lock on the stream".into()),
        );
        self.ensure_ready_promise_rejected(cx, error.get());
        self.ensure_closed_promise_rejected(cx, error.get());
        stream.set_writer(None);
        self.stream.set(None);
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-writer-write>
    ///
    /// # Safety
    /// As above; `chunk` rooted.
    pub unsafe fn write(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> Rc<Promise> {
        let Some(stream) = self.stream.get() else {
            return rejected_with(cx, self.global(), released("write"));
        };
        let controller = stream.controller();
        let size = controller.chunk_size(cx, chunk);
        if self.stream.get().as_deref().map(|s| s as *const _) != Some(&*stream as *const _) {
            return rejected_with(cx, self.global(), released("write"));
        }
        match stream.state() {
            WritableState::Errored | WritableState::Erroring => {
                return rejected_promise(cx, stream.stored_error());
            }
            WritableState::Closed => {
                let error = Error::Type("The stream is closing or closed.".into());
                return rejected_with(cx, self.global(), error);
            }
            WritableState::Writable if stream.close_queued_or_in_flight() => {
                let error = Error::Type("The stream is closing or closed.".into());
                return rejected_with(cx, self.global(), error);
            }
            WritableState::Writable => {}
        }
        let promise = stream.add_write_request(cx);
        controller.write(cx, chunk, size);
        promise
    }

    /// <https://streams.spec.whatwg.org/#writable-stream-default-writer-close-with-error-propagation>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn close_with_error_propagation(&self, cx: &mut JSContext) -> Rc<Promise> {
        let Some(stream) = self.stream.get() else {
            return resolved_promise(cx);
        };
        if stream.close_queued_or_in_flight() || stream.state() == WritableState::Closed {
            return resolved_promise(cx);
        }
        if stream.state() == WritableState::Errored {
            return rejected_promise(cx, stream.stored_error());
        }
        stream.close(cx)
    }
}

impl WritableStreamDefaultWriterMethods for WritableStreamDefaultWriter {
    /// <https://streams.spec.whatwg.org/#default-writer-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        stream: &WritableStream,
    ) -> Fallible<DomRoot<WritableStreamDefaultWriter>> {
        let writer = Self::new(cx, global, proto);
        // SAFETY: bindings call in the global's realm.
        unsafe { writer.set_up(cx, stream) }?;
        Ok(writer)
    }

    fn Closed(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        Ok(unsafe { self.closed_promise(cx) })
    }

    fn Ready(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        Ok(unsafe { self.ready_promise(cx) })
    }

    /// <https://streams.spec.whatwg.org/#default-writer-desired-size>
    fn DesiredSize(&self, _cx: &mut JSContext) -> Fallible<Option<f64>> {
        let stream = self.stream.get().ok_or_else(|| released("desiredSize"))?;
        Ok(match stream.state() {
            WritableState::Errored | WritableState::Erroring => None,
            WritableState::Closed => Some(0.0),
            WritableState::Writable => Some(stream.controller().desired_size()),
        })
    }

    /// <https://streams.spec.whatwg.org/#default-writer-abort>
    fn Abort(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        unsafe {
            let Some(stream) = self.stream.get() else {
                return Ok(rejected_with(cx, self.global(), released("abort")));
            };
            Ok(stream.abort(cx, reason.map_or(UndefinedValue(), |r| r.get())))
        }
    }

    /// <https://streams.spec.whatwg.org/#default-writer-close>
    fn Close(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        unsafe {
            let Some(stream) = self.stream.get() else {
                return Ok(rejected_with(cx, self.global(), released("close")));
            };
            if stream.close_queued_or_in_flight() {
                let error = Error::Type("The stream is closing or closed.".into());
                return Ok(rejected_with(cx, self.global(), error));
            }
            Ok(stream.close(cx))
        }
    }

    fn ReleaseLock(&self, cx: &mut JSContext) {
        // SAFETY: as above.
        unsafe { self.release(cx) }
    }

    fn Write(&self, cx: &mut JSContext, chunk: Option<HandleValue<'_>>) -> Fallible<Rc<Promise>> {
        rooted!(&in(cx) let chunk = chunk.map_or(UndefinedValue(), |c| c.get()));
        // SAFETY: as above; the chunk is rooted.
        Ok(unsafe { self.write(cx, chunk.handle()) })
    }
}

//! ReadableStreamDefaultReader (https://streams.spec.whatwg.org/#default-reader-class): the
//! lock on a stream, its `closed` promise and its pending read requests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::prelude::*;
use crate::dom::readablestream::{
    default_reader_read, error_value, rejected_promise, ReadRequest, ReadableStream, StreamState,
    Tee,
};

#[derive(Trace)]
#[repr(C)]
pub struct ReadableStreamDefaultReader {
    reflector: Reflector,
    stream: MutNullableDom<ReadableStream>,
    closed: Box<Heap<*mut JSObject>>,
    read_requests: RefCell<VecDeque<ReadRequest>>,
    /// The state of the tee this reader reads for, if it is a tee's.
    tee: RefCell<Option<Box<Tee>>>,
    /// An async iterator's reader: whether `return()` leaves the stream uncanceled.
    #[no_trace]
    prevent_cancel: Cell<bool>,
}

impl ReadableStreamDefaultReader {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<ReadableStreamDefaultReader> {
        ReadableStreamDefaultReaderBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(ReadableStreamDefaultReader {
                reflector: Reflector::new(),
                stream: MutNullableDom::default(),
                closed: Heap::boxed(std::ptr::null_mut()),
                read_requests: RefCell::new(VecDeque::new()),
                tee: RefCell::new(None),
                prevent_cancel: Cell::new(false),
            }),
        )
    }

    pub fn stream(&self) -> Option<DomRoot<ReadableStream>> {
        self.stream.get()
    }

    /// The `closed` promise.
    ///
    /// # Safety
    /// `cx` in the reader's realm.
    pub unsafe fn closed_promise(&self, cx: &mut JSContext) -> Rc<Promise> {
        if self.closed.get().is_null() {
            let promise = Promise::new(cx);
            self.closed.set(promise.object());
            return promise;
        }
        Promise::from_object(self.closed.get())
    }

    /// <https://streams.spec.whatwg.org/#set-up-readable-stream-default-reader>, with
    /// <https://streams.spec.whatwg.org/#readable-stream-reader-generic-initialize>.
    ///
    /// # Safety
    /// `cx` in the reader's realm.
    pub unsafe fn set_up(&self, cx: &mut JSContext, stream: &ReadableStream) -> Fallible<()> {
        if stream.is_locked() {
            return Err(Error::Type(
                "ReadableStreamDefaultReader constructor can only accept readable streams that \
                 are not yet locked to a reader"
                    .into(),
            ));
        }
        self.stream.set(Some(stream));
        stream.set_reader(Some(self));
        let closed = Promise::new(cx);
        self.closed.set(closed.object());
        match stream.state() {
            StreamState::Readable => {}
            StreamState::Closed => closed.resolve(cx, &UndefinedValue()),
            StreamState::Errored => {
                closed.reject(cx, &stream.stored_error());
                closed.mark_handled(cx);
            }
        }
        Ok(())
    }

    pub fn set_prevent_cancel(&self, prevent: bool) {
        self.prevent_cancel.set(prevent);
    }

    pub fn prevent_cancel(&self) -> bool {
        self.prevent_cancel.get()
    }

    pub fn set_tee(&self, tee: Box<Tee>) {
        *self.tee.borrow_mut() = Some(tee);
    }

    /// `f` of the tee's state (`None`: not a tee's reader). Its cells are set through shared
    /// borrows only, so script that `f`'s callers run may reach it again.
    pub fn with_tee<R>(&self, f: impl FnOnce(&Tee) -> R) -> Option<R> {
        self.tee.borrow().as_deref().map(f)
    }

    pub fn num_read_requests(&self) -> usize {
        self.read_requests.borrow().len()
    }

    pub fn add_read_request(&self, request: ReadRequest) {
        self.read_requests.borrow_mut().push_back(request);
    }

    pub fn take_read_request(&self) -> Option<ReadRequest> {
        self.read_requests.borrow_mut().pop_front()
    }

    pub fn take_read_requests(&self) -> VecDeque<ReadRequest> {
        std::mem::take(&mut *self.read_requests.borrow_mut())
    }

    /// <https://streams.spec.whatwg.org/#abstract-opdef-readablestreamdefaultreaderrelease>:
    /// the stream is unlocked; `closed` and pending reads reject with a TypeError.
    ///
    /// # Safety
    /// `cx` in the reader's realm.
    pub unsafe fn release(&self, cx: &mut JSContext) {
        let Some(stream) = self.stream.get() else {
            return;
        };
        let error = || Error::Type("Releasing the reader's lock on the stream".into());
        let reason = error_value(cx, self.global(), error());
        if stream.state() == StreamState::Readable {
            self.closed_promise(cx).reject(cx, &reason.get());
        } else {
            let closed = rejected_promise(cx, reason.get());
            self.closed.set(closed.object());
        }
        self.closed_promise(cx).mark_handled(cx);
        stream.set_reader(None);
        self.stream.set(None);
        rooted!(&in(cx) let reason = reason.get());
        for request in self.take_read_requests() {
            request.error_steps(cx, reason.handle());
        }
    }
}

impl ReadableStreamDefaultReaderMethods for ReadableStreamDefaultReader {
    /// <https://streams.spec.whatwg.org/#default-reader-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        stream: &ReadableStream,
    ) -> Fallible<DomRoot<ReadableStreamDefaultReader>> {
        let reader = Self::new(cx, global, proto);
        // SAFETY: bindings call in the global's realm.
        unsafe { reader.set_up(cx, stream) }?;
        Ok(reader)
    }

    /// <https://streams.spec.whatwg.org/#default-reader-read>
    fn Read(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the reader's realm.
        unsafe {
            if self.stream.get().is_none() {
                let error = error_value(
                    cx,
                    self.global(),
                    Error::Type(
                        "Failed to execute 'read' on 'ReadableStreamDefaultReader': This readable \
                         stream reader has been released and cannot be used to read from its \
                         previous owner stream"
                            .into(),
                    ),
                );
                return Ok(rejected_promise(cx, error.get()));
            }
            let (request, promise) = ReadRequest::promise(cx);
            default_reader_read(cx, self, request);
            Ok(promise)
        }
    }

    /// <https://streams.spec.whatwg.org/#default-reader-release-lock>
    fn ReleaseLock(&self, cx: &mut JSContext) {
        // SAFETY: as above.
        unsafe { self.release(cx) }
    }

    fn Closed(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        Ok(unsafe { self.closed_promise(cx) })
    }

    /// <https://streams.spec.whatwg.org/#generic-reader-cancel>
    fn Cancel(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) -> Fallible<Rc<Promise>> {
        // SAFETY: as above.
        unsafe {
            let Some(stream) = self.stream.get() else {
                let error = error_value(
                    cx,
                    self.global(),
                    Error::Type(
                        "Failed to execute 'cancel' on 'ReadableStreamDefaultReader': This \
                         readable stream reader has been released and cannot be used to cancel \
                         its previous owner stream"
                            .into(),
                    ),
                );
                return Ok(rejected_promise(cx, error.get()));
            };
            Ok(stream.cancel(cx, reason.map_or(UndefinedValue(), |reason| reason.get())))
        }
    }
}

//! <https://streams.spec.whatwg.org/#readable-stream-pipe-to>: `pipeTo()` (and so
//! `pipeThrough()`), a loop that waits for the writer's `ready`, reads a chunk, writes it,
//! and carries closing and errors forward and backward, then releases both locks.
//!
//! The pipe's state is Rust's while it runs (the source and destination, their reader and
//! writer are rooted by it); it ends with its promise, so a finished pipe holds nothing.

use std::cell::{Cell, RefCell};

use mozjs::jsval::UndefinedValue;

use crate::dom::abortsignal::{AbortAlgorithm, AbortSignal};
use crate::dom::prelude::*;
use crate::dom::readablestream::{
    default_reader_read, error_value, resolved_promise, ReadRequest, ReadableStream, StreamState,
};
use crate::dom::readablestreamdefaultreader::ReadableStreamDefaultReader;
use crate::dom::writablestream::{WritableState, WritableStream};
use crate::dom::writablestreamdefaultwriter::WritableStreamDefaultWriter;

/// What `pipeTo()`'s options say.
#[derive(Clone, Copy, Default)]
pub struct PipeOptions {
    pub prevent_close: bool,
    pub prevent_abort: bool,
    pub prevent_cancel: bool,
}

pub struct Pipe {
    source: DomRoot<ReadableStream>,
    dest: DomRoot<WritableStream>,
    reader: DomRoot<ReadableStreamDefaultReader>,
    writer: DomRoot<WritableStreamDefaultWriter>,
    options: PipeOptions,
    shutting_down: Cell<bool>,
    finished: Cell<bool>,
    promise: Rc<Promise>,
    /// The last write's promise: shutting down waits for every chunk read to be written.
    last_write: RefCell<Option<Rc<Promise>>>,
}

/// Pipes `source` to `dest` (both unlocked: the caller checks); the promise settles when the
/// pipe ends.
///
/// # Safety
/// `cx` in the source's realm.
pub unsafe fn pipe_to(
    cx: &mut JSContext,
    source: &ReadableStream,
    dest: &WritableStream,
    options: PipeOptions,
    signal: Option<DomRoot<AbortSignal>>,
) -> Fallible<Rc<Promise>> {
    let reader = source.acquire_reader(cx)?;
    let writer = dest.acquire_writer(cx)?;
    source.set_disturbed();
    let pipe = Rc::new(Pipe {
        source: DomRoot::from_ref(source),
        dest: DomRoot::from_ref(dest),
        reader,
        writer,
        options,
        shutting_down: Cell::new(false),
        finished: Cell::new(false),
        promise: Promise::new(cx),
        last_write: RefCell::new(None),
    });
    let promise = pipe.promise.clone();
    if let Some(signal) = signal {
        if signal.aborted() {
            pipe.abort(cx, signal.reason());
            return Ok(promise);
        }
        signal.add_algorithm(AbortAlgorithm::Pipe(pipe.clone()));
    }
    pipe.watch(cx);
    // Closing backward: a destination already closing or closed.
    if dest.close_queued_or_in_flight() || dest.state() == WritableState::Closed {
        pipe.dest_closed(cx);
    } else {
        pipe.pump(cx);
    }
    Ok(promise)
}

impl Pipe {
    /// Watches both `closed` promises: the source or the destination erroring (or the
    /// destination closing) ends the pipe.
    unsafe fn watch(self: &Rc<Self>, cx: &mut JSContext) {
        let pipe = self.clone();
        self.reader.closed_promise(cx).when_settled(
            cx,
            Box::new(move |cx, outcome| {
                if let Err(error) = outcome {
                    if pipe.source.state() == StreamState::Errored {
                        pipe.source_errored(cx, error.get());
                    }
                }
            }),
        );
        let pipe = self.clone();
        self.writer.closed_promise(cx).when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Err(error) => {
                    if pipe.dest.state() == WritableState::Errored {
                        pipe.dest_errored(cx, error.get());
                    }
                }
                Ok(_) => pipe.dest_closed(cx),
            }),
        );
    }

    /// Waits for the writer to be ready, then reads a chunk.
    unsafe fn pump(self: &Rc<Self>, cx: &mut JSContext) {
        if self.shutting_down.get() {
            return;
        }
        let pipe = self.clone();
        self.writer.ready_promise(cx).when_settled(
            cx,
            Box::new(move |cx, outcome| {
                if outcome.is_ok() && !pipe.shutting_down.get() {
                    default_reader_read(cx, &pipe.reader, ReadRequest::Pipe(pipe.clone()));
                }
            }),
        );
    }

    /// A chunk read: written, then the next.
    ///
    /// # Safety
    /// `cx` in the source's realm; `chunk` rooted.
    pub unsafe fn chunk(self: Rc<Self>, cx: &mut JSContext, chunk: HandleValue<'_>) {
        let written = self.writer.write(cx, chunk);
        written.mark_handled(cx);
        *self.last_write.borrow_mut() = Some(written);
        self.pump(cx);
    }

    /// Closing forward.
    ///
    /// # Safety
    /// `cx` in the source's realm.
    pub unsafe fn source_closed(self: Rc<Self>, cx: &mut JSContext) {
        if self.options.prevent_close {
            self.shutdown(cx, None, None);
        } else {
            let writer = self.writer.clone();
            self.shutdown(
                cx,
                Some(Box::new(move |cx| writer.close_with_error_propagation(cx))),
                None,
            );
        }
    }

    /// Errors forward.
    ///
    /// # Safety
    /// `cx` in the source's realm.
    pub unsafe fn source_errored(self: &Rc<Self>, cx: &mut JSContext, error: JSVal) {
        if self.options.prevent_abort {
            self.shutdown(cx, None, Some(error));
        } else {
            let dest = self.dest.clone();
            let reason = RootedValue::new(error);
            self.shutdown(
                cx,
                Some(Box::new(move |cx| dest.abort(cx, reason.get()))),
                Some(error),
            );
        }
    }

    /// Errors backward.
    unsafe fn dest_errored(self: &Rc<Self>, cx: &mut JSContext, error: JSVal) {
        if self.options.prevent_cancel {
            self.shutdown(cx, None, Some(error));
        } else {
            let source = self.source.clone();
            let reason = RootedValue::new(error);
            self.shutdown(
                cx,
                Some(Box::new(move |cx| source.cancel(cx, reason.get()))),
                Some(error),
            );
        }
    }

    /// Closing backward.
    unsafe fn dest_closed(self: &Rc<Self>, cx: &mut JSContext) {
        if self.shutting_down.get() {
            return;
        }
        let error = error_value(
            cx,
            self.source.global(),
            Error::Type("The destination stream closed".into()),
        );
        if self.options.prevent_cancel {
            self.shutdown(cx, None, Some(error.get()));
        } else {
            let source = self.source.clone();
            let reason = error.clone();
            self.shutdown(
                cx,
                Some(Box::new(move |cx| source.cancel(cx, reason.get()))),
                Some(error.get()),
            );
        }
    }

    /// The signal aborted: abort the destination and cancel the source (as the options
    /// allow), then end with the reason.
    ///
    /// # Safety
    /// `cx` in the source's realm.
    pub unsafe fn abort(self: &Rc<Self>, cx: &mut JSContext, reason: JSVal) {
        let pipe = self.clone();
        let error = RootedValue::new(reason);
        let action: PipeAction = Box::new(move |cx| {
            let mut actions = Vec::new();
            if !pipe.options.prevent_abort && pipe.dest.state() == WritableState::Writable {
                actions.push(pipe.dest.abort(cx, error.get()));
            }
            if !pipe.options.prevent_cancel && pipe.source.state() == StreamState::Readable {
                actions.push(pipe.source.cancel(cx, error.get()));
            }
            all(cx, actions)
        });
        self.shutdown(cx, Some(action), Some(reason));
    }

    /// <https://streams.spec.whatwg.org/#rs-pipeTo-shutdown-with-an-action> (and without):
    /// once every chunk read is written (while the destination can still take them), the
    /// action runs; the pipe then ends with `error`, or the action's failure.
    unsafe fn shutdown(
        self: &Rc<Self>,
        cx: &mut JSContext,
        action: Option<PipeAction>,
        error: Option<JSVal>,
    ) {
        if self.shutting_down.replace(true) {
            return;
        }
        let error = error.map(RootedValue::new);
        let pipe = self.clone();
        let then: Box<dyn FnOnce(&mut JSContext)> = Box::new(move |cx| {
            let Some(action) = action else {
                pipe.finalize(cx, error.map(|e| e.get()));
                return;
            };
            let done = action(cx);
            let after = pipe.clone();
            done.when_settled(
                cx,
                Box::new(move |cx, outcome| match outcome {
                    Ok(_) => after.finalize(cx, error.map(|e| e.get())),
                    Err(failure) => after.finalize(cx, Some(failure.get())),
                }),
            );
        });
        let pending = self.last_write.borrow().clone();
        let writable =
            self.dest.state() == WritableState::Writable && !self.dest.close_queued_or_in_flight();
        match pending {
            Some(write) if writable => {
                write.when_settled(cx, Box::new(move |cx, _| then(cx)));
            }
            _ => then(cx),
        }
    }

    /// <https://streams.spec.whatwg.org/#rs-pipeTo-finalize>
    unsafe fn finalize(&self, cx: &mut JSContext, error: Option<JSVal>) {
        if self.finished.replace(true) {
            return;
        }
        self.writer.release(cx);
        self.reader.release(cx);
        match error {
            Some(error) => self.promise.reject(cx, &error),
            None => self.promise.resolve(cx, &UndefinedValue()),
        }
    }

    pub fn finished(&self) -> bool {
        self.finished.get()
    }
}

/// What a pipe does as it shuts down: a promise for when that is done.
type PipeAction = Box<dyn FnOnce(&mut JSContext) -> Rc<Promise>>;

/// A promise fulfilled when all of `promises` are, rejected with the first rejection.
unsafe fn all(cx: &mut JSContext, promises: Vec<Rc<Promise>>) -> Rc<Promise> {
    if promises.is_empty() {
        return resolved_promise(cx);
    }
    let result = Promise::new(cx);
    let remaining = Rc::new(Cell::new(promises.len()));
    for promise in promises {
        let result = result.clone();
        let remaining = remaining.clone();
        promise.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    remaining.set(remaining.get() - 1);
                    if remaining.get() == 0 {
                        result.resolve(cx, &UndefinedValue());
                    }
                }
                Err(reason) => result.reject(cx, &reason.get()),
            }),
        );
    }
    result
}

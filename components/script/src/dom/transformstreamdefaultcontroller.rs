//! TransformStreamDefaultController
//! (https://streams.spec.whatwg.org/#ts-default-controller-class): `enqueue()`, `error()`,
//! `terminate()` on a TransformStream, and its transformer's algorithms: a page's
//! transformer, or a native one (TextEncoderStream's UTF-8 encoder, TextDecoderStream's
//! decoder).

use std::cell::{Cell, RefCell};

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::buffer::{AllowSharedBufferSource, Uint8Array};
use crate::dom::bindings::callback::Held;
use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::prelude::*;
use crate::dom::readablestream::{error_value, resolved_promise};
use crate::dom::textdecoder::TextDecoder;
use crate::dom::transformstream::TransformStream;
use crate::dom::writablestream::promise_from_result;

/// A transform stream's transform, flush and cancel algorithms.
#[derive(Trace)]
pub enum TransformAlgorithms {
    /// Cleared (the stream is closing, canceled or errored).
    None,
    /// A page's transformer object (`this` of its methods) and its methods; a missing
    /// `transform` passes chunks through.
    Script {
        object: Box<Heap<*mut JSObject>>,
        transform: Option<Held<TransformerTransformCallback>>,
        flush: Option<Held<TransformerFlushCallback>>,
        cancel: Option<Held<TransformerCancelCallback>>,
    },
    /// TextEncoderStream (https://encoding.spec.whatwg.org/#encode-and-enqueue-a-chunk): a
    /// high surrogate left at the end of the last chunk, waiting for its pair.
    Encode(#[no_trace] Cell<Option<u16>>),
    /// TextDecoderStream: its decoder, decoding in streaming mode.
    Decode(Dom<TextDecoder>),
}

#[derive(Trace)]
#[repr(C)]
pub struct TransformStreamDefaultController {
    reflector: Reflector,
    stream: MutNullableDom<TransformStream>,
    algorithms: RefCell<TransformAlgorithms>,
    finish_promise: Heap<*mut JSObject>,
}

impl TransformStreamDefaultController {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
    ) -> DomRoot<TransformStreamDefaultController> {
        TransformStreamDefaultControllerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(TransformStreamDefaultController {
                reflector: Reflector::new(),
                stream: MutNullableDom::default(),
                algorithms: RefCell::new(TransformAlgorithms::None),
                finish_promise: Heap::default(),
            }),
        )
    }

    /// <https://streams.spec.whatwg.org/#set-up-transform-stream-default-controller>
    pub fn set_up(&self, stream: &TransformStream, algorithms: TransformAlgorithms) {
        self.stream.set(Some(stream));
        *self.algorithms.borrow_mut() = algorithms;
    }

    fn stream(&self) -> DomRoot<TransformStream> {
        self.stream.get().expect("set up at construction")
    }

    pub fn finish_promise(&self) -> Option<Rc<Promise>> {
        let object = self.finish_promise.get();
        // SAFETY: a promise this controller keeps traced.
        (!object.is_null()).then(|| unsafe { Promise::from_object(object) })
    }

    /// # Safety
    /// `cx` in the controller's realm.
    pub unsafe fn new_finish_promise(&self, cx: &mut JSContext) -> Rc<Promise> {
        let promise = Promise::new(cx);
        self.finish_promise.set(promise.object());
        promise
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-controller-clear-algorithms>
    pub fn clear_algorithms(&self) {
        *self.algorithms.borrow_mut() = TransformAlgorithms::None;
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-controller-enqueue>: an
    /// error is thrown (pending) as `Err(JSFailed)`, or returned.
    ///
    /// # Safety
    /// As above; `chunk` rooted.
    pub unsafe fn enqueue(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> Fallible<()> {
        let stream = self.stream();
        let readable = stream.readable();
        let readable_controller = readable.controller();
        if !readable_controller.can_close_or_enqueue() {
            return Err(Error::Type(
                "Failed to execute 'enqueue' on 'TransformStreamDefaultController': The readable \
                 side is closed or errored"
                    .into(),
            ));
        }
        if let Err(error) = readable_controller.enqueue(cx, chunk) {
            let error = match error {
                Error::JSFailed => crate::script_runtime::take_exception(cx)
                    .map_or(UndefinedValue(), |value| value.get()),
                error => error_value(cx, self.global(), error).get(),
            };
            stream.error_writable_and_unblock_write(cx, error);
            rooted!(&in(cx) let stored = readable.stored_error());
            mozjs::rust::wrappers2::JS_SetPendingException(
                cx,
                stored.handle(),
                mozjs::jsapi::JS::ExceptionStackBehavior::Capture,
            );
            return Err(Error::JSFailed);
        }
        let backpressure = readable_controller.has_backpressure();
        if Some(backpressure) != stream.backpressure() && backpressure {
            stream.set_backpressure(cx, true);
        }
        Ok(())
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-controller-terminate>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn terminate(&self, cx: &mut JSContext) {
        let stream = self.stream();
        stream.readable().controller().close_stream(cx);
        let error = error_value(
            cx,
            self.global(),
            Error::Type("The transform stream was terminated".into()),
        );
        stream.error_writable_and_unblock_write(cx, error.get());
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-controller-perform-transform>
    ///
    /// # Safety
    /// As above; `chunk` rooted.
    pub unsafe fn perform_transform(
        &self,
        cx: &mut JSContext,
        chunk: HandleValue<'_>,
    ) -> Rc<Promise> {
        let transformed = self.transform_algorithm(cx, chunk);
        let result = Promise::new(cx);
        let settle = result.clone();
        let stream = self.stream();
        transformed.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => settle.resolve(cx, &UndefinedValue()),
                Err(reason) => {
                    stream.error(cx, reason.get());
                    settle.reject(cx, &reason.get());
                }
            }),
        );
        result
    }

    /// The enqueue of a transform that passes the chunk on, as a promise.
    unsafe fn enqueue_as_promise(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> Rc<Promise> {
        match self.enqueue(cx, chunk) {
            Ok(()) => resolved_promise(cx),
            Err(error) => promise_from_result(cx, self.global(), Err(error)),
        }
    }

    /// The transformer's transform algorithm.
    unsafe fn transform_algorithm(
        &self,
        cx: &mut JSContext,
        chunk: HandleValue<'_>,
    ) -> Rc<Promise> {
        enum Step {
            Script(*mut JSObject, Option<Rc<TransformerTransformCallback>>),
            Encode(Option<u16>),
            Decode(DomRoot<TextDecoder>),
            Nothing,
        }
        let step = match &*self.algorithms.borrow() {
            TransformAlgorithms::None => Step::Nothing,
            TransformAlgorithms::Script {
                object, transform, ..
            } => Step::Script(object.get(), transform.as_ref().map(|t| t.get().clone())),
            TransformAlgorithms::Encode(pending) => Step::Encode(pending.take()),
            TransformAlgorithms::Decode(decoder) => Step::Decode(decoder.root()),
        };
        match step {
            Step::Nothing => resolved_promise(cx),
            Step::Script(_, None) => self.enqueue_as_promise(cx, chunk),
            Step::Script(object, Some(transform)) => {
                rooted!(&in(cx) let this = if object.is_null() { UndefinedValue() } else { ObjectValue(object) });
                let result = transform
                    .Call(cx, this.handle(), chunk, self)
                    .map(|v| v.get());
                promise_from_result(cx, self.global(), result)
            }
            Step::Encode(pending) => self.encode(cx, chunk, pending),
            Step::Decode(decoder) => {
                let bytes = match AllowSharedBufferSource::from_js(
                    cx,
                    chunk,
                    &Conv::plain("TextDecoderStream"),
                ) {
                    Ok(bytes) => bytes,
                    Err(error) => return promise_from_result(cx, self.global(), Err(error)),
                };
                let text = decoder.decode_stream(Some(bytes), false);
                self.enqueue_text(cx, text)
            }
        }
    }

    /// <https://encoding.spec.whatwg.org/#encode-and-enqueue-a-chunk>
    unsafe fn encode(
        &self,
        cx: &mut JSContext,
        chunk: HandleValue<'_>,
        pending: Option<u16>,
    ) -> Rc<Promise> {
        let units = match crate::dom::bindings::conversions::utf16_of(cx, chunk) {
            Ok(units) => units,
            Err(error) => return promise_from_result(cx, self.global(), Err(error)),
        };
        let mut all: Vec<u16> = pending.into_iter().collect();
        all.extend_from_slice(&units);
        // A high surrogate at the end waits for the next chunk.
        let keep = all
            .last()
            .copied()
            .filter(|unit| (0xD800..0xDC00).contains(unit));
        if keep.is_some() {
            all.pop();
        }
        if let TransformAlgorithms::Encode(pending) = &*self.algorithms.borrow() {
            pending.set(keep);
        }
        let text = String::from_utf16_lossy(&all);
        if text.is_empty() {
            return resolved_promise(cx);
        }
        self.enqueue_bytes(cx, text.as_bytes())
    }

    unsafe fn enqueue_bytes(&self, cx: &mut JSContext, bytes: &[u8]) -> Rc<Promise> {
        let array = match Uint8Array::new(cx, bytes) {
            Ok(array) => array,
            Err(error) => return promise_from_result(cx, self.global(), Err(error)),
        };
        rooted!(&in(cx) let mut value = UndefinedValue());
        array.to_js(cx, value.handle_mut());
        self.enqueue_as_promise(cx, value.handle())
    }

    unsafe fn enqueue_text(&self, cx: &mut JSContext, text: Fallible<String>) -> Rc<Promise> {
        match text {
            Ok(text) if text.is_empty() => resolved_promise(cx),
            Ok(text) => {
                rooted!(&in(cx) let mut value = UndefinedValue());
                text.to_js(cx, value.handle_mut());
                self.enqueue_as_promise(cx, value.handle())
            }
            Err(error) => promise_from_result(cx, self.global(), Err(error)),
        }
    }

    /// The transformer's flush algorithm.
    ///
    /// # Safety
    /// As above.
    pub unsafe fn flush_algorithm(&self, cx: &mut JSContext) -> Rc<Promise> {
        enum Step {
            Script(*mut JSObject, Option<Rc<TransformerFlushCallback>>),
            Encode(Option<u16>),
            Decode(DomRoot<TextDecoder>),
        }
        let step = match &*self.algorithms.borrow() {
            TransformAlgorithms::None => Step::Script(std::ptr::null_mut(), None),
            TransformAlgorithms::Script { object, flush, .. } => {
                Step::Script(object.get(), flush.as_ref().map(|f| f.get().clone()))
            }
            TransformAlgorithms::Encode(pending) => Step::Encode(pending.take()),
            TransformAlgorithms::Decode(decoder) => Step::Decode(decoder.root()),
        };
        match step {
            Step::Script(_, None) => resolved_promise(cx),
            Step::Script(object, Some(flush)) => {
                rooted!(&in(cx) let this = if object.is_null() { UndefinedValue() } else { ObjectValue(object) });
                let result = flush.Call(cx, this.handle(), self).map(|v| v.get());
                promise_from_result(cx, self.global(), result)
            }
            // A lone high surrogate at the end is U+FFFD.
            Step::Encode(Some(_)) => self.enqueue_bytes(cx, "\u{FFFD}".as_bytes()),
            Step::Encode(None) => resolved_promise(cx),
            Step::Decode(decoder) => {
                let text = decoder.decode_stream(None, true);
                self.enqueue_text(cx, text)
            }
        }
    }

    /// The transformer's cancel algorithm.
    ///
    /// # Safety
    /// As above.
    pub unsafe fn cancel_algorithm(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        let script = match &*self.algorithms.borrow() {
            TransformAlgorithms::Script { object, cancel, .. } => {
                cancel.as_ref().map(|c| (object.get(), c.get().clone()))
            }
            _ => None,
        };
        let Some((object, cancel)) = script else {
            return resolved_promise(cx);
        };
        rooted!(&in(cx) let this = if object.is_null() { UndefinedValue() } else { ObjectValue(object) });
        rooted!(&in(cx) let reason = reason);
        let result = cancel
            .Call(cx, this.handle(), reason.handle())
            .map(|v| v.get());
        promise_from_result(cx, self.global(), result)
    }
}

impl TransformStreamDefaultControllerMethods for TransformStreamDefaultController {
    /// <https://streams.spec.whatwg.org/#ts-default-controller-desired-size>
    fn DesiredSize(&self, _cx: &mut JSContext) -> Option<f64> {
        self.stream().readable().controller().desired_size()
    }

    /// <https://streams.spec.whatwg.org/#ts-default-controller-enqueue>
    fn Enqueue(&self, cx: &mut JSContext, chunk: Option<HandleValue<'_>>) -> Fallible<()> {
        rooted!(&in(cx) let chunk = chunk.map_or(UndefinedValue(), |c| c.get()));
        // SAFETY: bindings call in the controller's realm; the chunk is rooted.
        unsafe { self.enqueue(cx, chunk.handle()) }
    }

    /// <https://streams.spec.whatwg.org/#ts-default-controller-error>
    fn Error(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) {
        // SAFETY: as above.
        unsafe {
            self.stream()
                .error(cx, reason.map_or(UndefinedValue(), |r| r.get()))
        }
    }

    /// <https://streams.spec.whatwg.org/#ts-default-controller-terminate>
    fn Terminate(&self, cx: &mut JSContext) {
        // SAFETY: as above.
        unsafe { self.terminate(cx) }
    }
}

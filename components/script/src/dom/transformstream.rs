//! TransformStream (https://streams.spec.whatwg.org/#ts-class): a writable side whose chunks
//! a transformer turns into the readable side's, with the Streams standard's abstract
//! operations for it. Its controller (`transformstreamdefaultcontroller.rs`) holds the
//! transformer: a page's object, or a native one (TextEncoderStream, TextDecoderStream).
//!
//! The writable side's sink and the readable side's source name this stream (`Sink::Transform`,
//! `Source::Transform`), so either side reaching it traces it and its other side.

use std::cell::Cell;

use mozjs::jsapi::Heap;
use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::callback::Held;
use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::prelude::*;
use crate::dom::readablestream::{ReadableStream, StreamState};
use crate::dom::readablestreamdefaultcontroller::Source;
use crate::dom::transformstreamdefaultcontroller::{
    TransformAlgorithms, TransformStreamDefaultController,
};
use crate::dom::writablestream::{high_water_mark, WritableState, WritableStream};
use crate::dom::writablestreamdefaultcontroller::{Sink, WritableStreamDefaultController};

#[derive(Trace)]
#[repr(C)]
pub struct TransformStream {
    reflector: Reflector,
    /// `None` until the stream is set up.
    #[no_trace]
    backpressure: Cell<Option<bool>>,
    backpressure_change: Heap<*mut JSObject>,
    controller: MutNullableDom<TransformStreamDefaultController>,
    readable: MutNullableDom<ReadableStream>,
    writable: MutNullableDom<WritableStream>,
}

/// What the readable side gets when the sink's abort or close algorithm is done.
type ReadableStep = Box<dyn FnOnce(&mut JSContext, &ReadableStream)>;

/// What a new TransformStream is made of.
pub struct TransformParts {
    pub transformer: TransformAlgorithms,
    /// The transformer's `start` and its `this`, if it has one.
    pub start: Option<(Rc<TransformerStartCallback>, RootedValue)>,
    pub writable_high_water_mark: f64,
    pub writable_size: Option<Held<QueuingStrategySize>>,
    pub readable_high_water_mark: f64,
    pub readable_size: Option<Held<QueuingStrategySize>>,
}

impl TransformStream {
    /// <https://streams.spec.whatwg.org/#ts-constructor>, steps 5-12, for a transformer
    /// already read.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        parts: TransformParts,
    ) -> Fallible<DomRoot<TransformStream>> {
        let stream = TransformStreamBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(TransformStream {
                reflector: Reflector::new(),
                backpressure: Cell::new(None),
                backpressure_change: Heap::default(),
                controller: MutNullableDom::default(),
                readable: MutNullableDom::default(),
                writable: MutNullableDom::default(),
            }),
        );
        let start_promise = Promise::new(cx);
        // InitializeTransformStream: both sides start when the transformer has.
        let writable = WritableStream::new_uninitialized(cx, global, None);
        let writable_controller = WritableStreamDefaultController::new(cx, global);
        writable_controller.set_up(
            cx,
            &writable,
            Sink::Transform(Dom::from_ref(&*stream)),
            parts.writable_high_water_mark,
            parts.writable_size,
        );
        writable_controller.start_with(cx, ObjectValue(start_promise.object()));
        let source = Source::Transform(Dom::from_ref(&*stream));
        let readable = ReadableStream::new_with_source(
            cx,
            global,
            source,
            parts.readable_high_water_mark,
            parts.readable_size,
            ObjectValue(start_promise.object()),
        );
        stream.readable.set(Some(&readable));
        stream.writable.set(Some(&writable));
        stream.set_backpressure(cx, true);
        let controller = TransformStreamDefaultController::new(cx, global);
        controller.set_up(&stream, parts.transformer);
        stream.controller.set(Some(&controller));
        match parts.start {
            Some((start, this)) => {
                let result = start.Call(cx, this.handle(), &controller)?;
                start_promise.resolve(cx, &result.get());
            }
            None => start_promise.resolve(cx, &UndefinedValue()),
        }
        Ok(stream)
    }

    pub fn readable(&self) -> DomRoot<ReadableStream> {
        self.readable.get().expect("set up at construction")
    }

    pub fn writable(&self) -> DomRoot<WritableStream> {
        self.writable.get().expect("set up at construction")
    }

    fn controller(&self) -> DomRoot<TransformStreamDefaultController> {
        self.controller.get().expect("set up at construction")
    }

    pub fn backpressure(&self) -> Option<bool> {
        self.backpressure.get()
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-set-backpressure>
    ///
    /// # Safety
    /// `cx` in the stream's realm.
    pub unsafe fn set_backpressure(&self, cx: &mut JSContext, backpressure: bool) {
        let old = self.backpressure_change.get();
        if !old.is_null() {
            Promise::from_object(old).resolve(cx, &UndefinedValue());
        }
        let promise = Promise::new(cx);
        self.backpressure_change.set(promise.object());
        self.backpressure.set(Some(backpressure));
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-error>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn error(&self, cx: &mut JSContext, error: JSVal) {
        self.readable().controller().error(cx, error);
        self.error_writable_and_unblock_write(cx, error);
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-error-writable-and-unblock-write>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn error_writable_and_unblock_write(&self, cx: &mut JSContext, error: JSVal) {
        self.controller().clear_algorithms();
        self.writable().controller().error_if_needed(cx, error);
        self.unblock_write(cx);
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-unblock-write>
    unsafe fn unblock_write(&self, cx: &mut JSContext) {
        if self.backpressure.get() == Some(true) {
            self.set_backpressure(cx, false);
        }
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-sink-write-algorithm>
    ///
    /// # Safety
    /// As above; `chunk` rooted.
    pub unsafe fn sink_write(&self, cx: &mut JSContext, chunk: HandleValue<'_>) -> Rc<Promise> {
        let controller = self.controller();
        if self.backpressure.get() != Some(true) {
            return controller.perform_transform(cx, chunk);
        }
        let change = Promise::from_object(self.backpressure_change.get());
        let result = Promise::new(cx);
        let settle = result.clone();
        let stream = DomRoot::from_ref(self);
        let kept = RootedValue::new(chunk.get());
        change.when_settled(
            cx,
            Box::new(move |cx, _| {
                let writable = stream.writable();
                if writable.state() == WritableState::Erroring {
                    settle.reject(cx, &writable.stored_error());
                    return;
                }
                let transformed = controller.perform_transform(cx, kept.handle());
                follow(cx, &transformed, settle);
            }),
        );
        result
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-sink-abort-algorithm>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn sink_abort(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        let reason = RootedValue::new(reason);
        let kept = reason.clone();
        self.finish_readable(
            cx,
            move |cx, controller| controller.cancel_algorithm(cx, kept.get()),
            Box::new(move |cx, readable| readable.controller().error(cx, reason.get())),
        )
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-sink-close-algorithm>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn sink_close(&self, cx: &mut JSContext) -> Rc<Promise> {
        self.finish_readable(
            cx,
            |cx, controller| controller.flush_algorithm(cx),
            Box::new(|cx, readable| readable.controller().close_stream(cx)),
        )
    }

    /// What the sink's abort and close algorithms share: once per stream (the finish
    /// promise), run the transformer's `step` and clear its algorithms; when it is done the
    /// readable side gets `then` (unless it errored meanwhile), and when it fails it errors.
    unsafe fn finish_readable(
        &self,
        cx: &mut JSContext,
        step: impl FnOnce(&mut JSContext, &TransformStreamDefaultController) -> Rc<Promise>,
        then: ReadableStep,
    ) -> Rc<Promise> {
        let controller = self.controller();
        if let Some(finish) = controller.finish_promise() {
            return finish;
        }
        let finish = controller.new_finish_promise(cx);
        let stepped = step(cx, &controller);
        controller.clear_algorithms();
        let readable = self.readable();
        let settle = finish.clone();
        stepped.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    if readable.state() == StreamState::Errored {
                        settle.reject(cx, &readable.stored_error());
                    } else {
                        then(cx, &readable);
                        settle.resolve(cx, &UndefinedValue());
                    }
                }
                Err(error) => {
                    readable.controller().error(cx, error.get());
                    settle.reject(cx, &error.get());
                }
            }),
        );
        finish
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-source-pull-algorithm>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn source_pull(&self, cx: &mut JSContext) -> Rc<Promise> {
        self.set_backpressure(cx, false);
        Promise::from_object(self.backpressure_change.get())
    }

    /// <https://streams.spec.whatwg.org/#transform-stream-default-source-cancel-algorithm>
    ///
    /// # Safety
    /// As above.
    pub unsafe fn source_cancel(&self, cx: &mut JSContext, reason: JSVal) -> Rc<Promise> {
        let controller = self.controller();
        if let Some(finish) = controller.finish_promise() {
            return finish;
        }
        let finish = controller.new_finish_promise(cx);
        let canceled = controller.cancel_algorithm(cx, reason);
        controller.clear_algorithms();
        let writable = self.writable();
        let stream = DomRoot::from_ref(self);
        let settle = finish.clone();
        let reason = RootedValue::new(reason);
        canceled.when_settled(
            cx,
            Box::new(move |cx, outcome| match outcome {
                Ok(_) => {
                    if writable.state() == WritableState::Errored {
                        settle.reject(cx, &writable.stored_error());
                    } else {
                        writable.controller().error_if_needed(cx, reason.get());
                        stream.unblock_write(cx);
                        settle.resolve(cx, &UndefinedValue());
                    }
                }
                Err(error) => {
                    writable.controller().error_if_needed(cx, error.get());
                    stream.unblock_write(cx);
                    settle.reject(cx, &error.get());
                }
            }),
        );
        finish
    }
}

/// Settles `target` as `source` settles.
///
/// # Safety
/// `cx` in the promises' realm.
pub unsafe fn follow(cx: &mut JSContext, source: &Promise, target: Rc<Promise>) {
    source.when_settled(
        cx,
        Box::new(move |cx, outcome| match outcome {
            Ok(value) => target.resolve(cx, &value.get()),
            Err(reason) => target.reject(cx, &reason.get()),
        }),
    );
}

impl TransformStreamMethods for TransformStream {
    /// <https://streams.spec.whatwg.org/#ts-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        transformer: Option<RootedObject>,
        writable_strategy: &QueuingStrategy,
        readable_strategy: &QueuingStrategy,
    ) -> Fallible<DomRoot<TransformStream>> {
        rooted!(&in(cx) let mut value = mozjs::jsval::NullValue());
        if let Some(object) = &transformer {
            value.set(ObjectValue(object.get()));
        }
        // SAFETY: bindings call in the global's realm; the value is rooted.
        let dict =
            unsafe { Transformer::from_js(cx, value.handle(), &Conv::plain("TransformStream")) }?;
        let defined =
            |member: &Option<RootedValue>| member.as_ref().is_some_and(|v| !v.get().is_undefined());
        if defined(&dict.readable_type) || defined(&dict.writable_type) {
            return Err(Error::Range(
                "Failed to construct 'TransformStream': Invalid type is specified".into(),
            ));
        }
        let readable_high_water_mark = high_water_mark(readable_strategy, 0.0, "TransformStream")?;
        let writable_high_water_mark = high_water_mark(writable_strategy, 1.0, "TransformStream")?;
        let parts = TransformParts {
            transformer: TransformAlgorithms::Script {
                object: Heap::boxed(
                    transformer
                        .as_ref()
                        .map_or(std::ptr::null_mut(), |o| o.get()),
                ),
                transform: dict.transform.map(Held::new),
                flush: dict.flush.map(Held::new),
                cancel: dict.cancel.map(Held::new),
            },
            start: dict
                .start
                .map(|start| (start, RootedValue::new(value.get()))),
            writable_high_water_mark,
            writable_size: writable_strategy.size.clone().map(Held::new),
            readable_high_water_mark,
            readable_size: readable_strategy.size.clone().map(Held::new),
        };
        // SAFETY: as above.
        unsafe { TransformStream::create(cx, global, proto, parts) }
    }

    fn Readable(&self, _cx: &mut JSContext) -> DomRoot<ReadableStream> {
        self.readable()
    }

    fn Writable(&self, _cx: &mut JSContext) -> DomRoot<WritableStream> {
        self.writable()
    }
}

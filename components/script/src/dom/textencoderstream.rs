//! TextEncoderStream (https://encoding.spec.whatwg.org/#interface-textencoderstream): a
//! TransformStream whose native transformer encodes string chunks as UTF-8 Uint8Arrays (a
//! surrogate pair cut between chunks is put back together).

use std::cell::Cell;

use crate::dom::prelude::*;
use crate::dom::readablestream::ReadableStream;
use crate::dom::transformstream::{TransformParts, TransformStream};
use crate::dom::transformstreamdefaultcontroller::TransformAlgorithms;
use crate::dom::writablestream::WritableStream;

#[derive(Trace)]
#[repr(C)]
pub struct TextEncoderStream {
    reflector: Reflector,
    transform: Dom<TransformStream>,
}

impl TextEncoderStreamMethods for TextEncoderStream {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<TextEncoderStream> {
        let parts = TransformParts {
            transformer: TransformAlgorithms::Encode(Cell::new(None)),
            start: None,
            writable_high_water_mark: 1.0,
            writable_size: None,
            readable_high_water_mark: 0.0,
            readable_size: None,
        };
        // SAFETY: bindings call in the global's realm; a native transformer has no start to
        // throw.
        let transform = unsafe { TransformStream::create(cx, global, None, parts) }
            .expect("a native transform stream sets up without script");
        TextEncoderStreamBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(TextEncoderStream {
                reflector: Reflector::new(),
                transform: Dom::from_ref(&*transform),
            }),
        )
    }

    fn Encoding(&self, _cx: &mut JSContext) -> DOMString {
        "utf-8".into()
    }

    fn Readable(&self, _cx: &mut JSContext) -> DomRoot<ReadableStream> {
        self.transform.readable()
    }

    fn Writable(&self, _cx: &mut JSContext) -> DomRoot<WritableStream> {
        self.transform.writable()
    }
}

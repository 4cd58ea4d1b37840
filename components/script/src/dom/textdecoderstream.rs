//! TextDecoderStream (https://encoding.spec.whatwg.org/#interface-textdecoderstream): a
//! TransformStream whose native transformer decodes BufferSource chunks with a TextDecoder
//! in streaming mode (flushed when the writable side closes).

use crate::dom::prelude::*;
use crate::dom::readablestream::ReadableStream;
use crate::dom::textdecoder::TextDecoder;
use crate::dom::transformstream::{TransformParts, TransformStream};
use crate::dom::transformstreamdefaultcontroller::TransformAlgorithms;
use crate::dom::writablestream::WritableStream;

#[derive(Trace)]
#[repr(C)]
pub struct TextDecoderStream {
    reflector: Reflector,
    decoder: Dom<TextDecoder>,
    transform: Dom<TransformStream>,
}

impl TextDecoderStreamMethods for TextDecoderStream {
    /// <https://encoding.spec.whatwg.org/#dom-textdecoderstream>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        label: DOMString,
        options: &TextDecoderOptions,
    ) -> Fallible<DomRoot<TextDecoderStream>> {
        let decoder =
            <TextDecoder as TextDecoderMethods>::Constructor(cx, global, None, label, options)
                .map_err(|error| match error {
                    Error::Range(message) => {
                        Error::Range(message.replace("'TextDecoder'", "'TextDecoderStream'"))
                    }
                    error => error,
                })?;
        let parts = TransformParts {
            transformer: TransformAlgorithms::Decode(Dom::from_ref(&*decoder)),
            start: None,
            writable_high_water_mark: 1.0,
            writable_size: None,
            readable_high_water_mark: 0.0,
            readable_size: None,
        };
        // SAFETY: bindings call in the global's realm.
        let transform = unsafe { TransformStream::create(cx, global, None, parts) }?;
        Ok(TextDecoderStreamBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(TextDecoderStream {
                reflector: Reflector::new(),
                decoder: Dom::from_ref(&*decoder),
                transform: Dom::from_ref(&*transform),
            }),
        ))
    }

    fn Encoding(&self, cx: &mut JSContext) -> DOMString {
        self.decoder.Encoding(cx)
    }

    fn Fatal(&self, cx: &mut JSContext) -> bool {
        self.decoder.Fatal(cx)
    }

    fn IgnoreBOM(&self, cx: &mut JSContext) -> bool {
        self.decoder.IgnoreBOM(cx)
    }

    fn Readable(&self, _cx: &mut JSContext) -> DomRoot<ReadableStream> {
        self.transform.readable()
    }

    fn Writable(&self, _cx: &mut JSContext) -> DomRoot<WritableStream> {
        self.transform.writable()
    }
}

//! TextDecoder (https://encoding.spec.whatwg.org/#interface-textdecoder), on encoding_rs:
//! every encoding of the Encoding Standard and its labels, `fatal`, `ignoreBOM`, and
//! streaming decodes.

use std::cell::{Cell, RefCell};

use encoding_rs::{Decoder, DecoderResult, Encoding};

use crate::dom::bindings::buffer::AllowSharedBufferSource;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct TextDecoder {
    reflector: Reflector,
    #[no_trace]
    encoding: &'static Encoding,
    fatal: bool,
    ignore_bom: bool,
    /// The decoder of a stream in progress (`decode(..., {stream: true})`), kept between
    /// calls; none when the next call starts afresh.
    #[no_trace]
    decoder: RefCell<Option<Decoder>>,
    /// The spec's "do not flush": the last call was a streaming one.
    do_not_flush: Cell<bool>,
}

impl TextDecoder {
    fn new_decoder(&self) -> Decoder {
        // With BOM handling, a BOM of the decoder's own encoding is removed (the standard's
        // "BOM seen" step); with ignoreBOM it is kept as U+FEFF.
        if self.ignore_bom {
            self.encoding.new_decoder_without_bom_handling()
        } else {
            self.encoding.new_decoder_with_bom_removal()
        }
    }
}

impl TextDecoderMethods for TextDecoder {
    /// <https://encoding.spec.whatwg.org/#dom-textdecoder>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        label: DOMString,
        options: &TextDecoderOptions,
    ) -> Fallible<DomRoot<TextDecoder>> {
        let encoding = Encoding::for_label(label.as_bytes())
            .filter(|encoding| *encoding != encoding_rs::REPLACEMENT)
            .ok_or_else(|| {
                Error::Range(format!(
                    "Failed to construct 'TextDecoder': The encoding label provided ('{label}') \
                     is invalid."
                ))
            })?;
        Ok(TextDecoderBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(TextDecoder {
                reflector: Reflector::new(),
                encoding,
                fatal: options.fatal,
                ignore_bom: options.ignore_bom,
                decoder: RefCell::new(None),
                do_not_flush: Cell::new(false),
            }),
        ))
    }
    /// The encoding's name, lower-cased ("utf-8", "windows-1252", "utf-16le").
    fn Encoding(&self, _cx: &mut JSContext) -> DOMString {
        self.encoding.name().to_ascii_lowercase()
    }
    fn Fatal(&self, _cx: &mut JSContext) -> bool {
        self.fatal
    }
    fn IgnoreBOM(&self, _cx: &mut JSContext) -> bool {
        self.ignore_bom
    }
    /// <https://encoding.spec.whatwg.org/#dom-textdecoder-decode>
    fn Decode(
        &self,
        _cx: &mut JSContext,
        input: Option<AllowSharedBufferSource>,
        options: &TextDecodeOptions,
    ) -> Fallible<DOMString> {
        self.decode_stream(input, !options.stream)
    }
}

impl TextDecoder {
    /// Decodes `input` as the next part of a stream; `last` ends the stream (a call after
    /// that starts a new one). TextDecoderStream decodes its chunks with this too.
    pub fn decode_stream(
        &self,
        input: Option<AllowSharedBufferSource>,
        last: bool,
    ) -> Fallible<DOMString> {
        // A call after a non-streaming one starts a new stream.
        let mut slot = self.decoder.borrow_mut();
        if !self.do_not_flush.get() {
            *slot = None;
        }
        let decoder = slot.get_or_insert_with(|| self.new_decoder());
        self.do_not_flush.set(!last);
        let bytes = input.map(|input| input.to_vec()).unwrap_or_default();
        let capacity = decoder
            .max_utf8_buffer_length(bytes.len())
            .ok_or_else(|| Error::Range("The input is too large to decode.".into()))?;
        let mut output = String::with_capacity(capacity);
        if self.fatal {
            let (result, _read) =
                decoder.decode_to_string_without_replacement(&bytes, &mut output, last);
            if let DecoderResult::Malformed(..) = result {
                // An error ends the stream: the next call starts afresh.
                *slot = None;
                self.do_not_flush.set(false);
                return Err(Error::Type(
                    "Failed to execute 'decode' on 'TextDecoder': The encoded data was not \
                     valid."
                        .into(),
                ));
            }
        } else {
            let _ = decoder.decode_to_string(&bytes, &mut output, last);
        }
        if last {
            *slot = None;
        }
        Ok(output)
    }
}

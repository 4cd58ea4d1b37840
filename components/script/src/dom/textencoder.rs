//! TextEncoder (https://encoding.spec.whatwg.org/#interface-textencoder): UTF-8 only, as the
//! standard has it.

use crate::dom::bindings::buffer::Uint8Array;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct TextEncoder {
    reflector: Reflector,
}

impl TextEncoderMethods for TextEncoder {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<TextEncoder> {
        TextEncoderBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(TextEncoder {
                reflector: Reflector::new(),
            }),
        )
    }
    fn Encoding(&self, _cx: &mut JSContext) -> DOMString {
        "utf-8".into()
    }
    /// <https://encoding.spec.whatwg.org/#dom-textencoder-encode>: the binding already made
    /// the input a scalar value string (lone surrogates are U+FFFD).
    fn Encode(&self, cx: &mut JSContext, input: DOMString) -> Fallible<Uint8Array> {
        Uint8Array::new(cx, input.as_bytes())
    }
    /// <https://encoding.spec.whatwg.org/#dom-textencoder-encodeinto>: as many whole scalar
    /// values of `source` as fit; `read` counts UTF-16 code units, `written` bytes.
    fn EncodeInto(
        &self,
        _cx: &mut JSContext,
        source: DOMString,
        destination: Uint8Array,
    ) -> TextEncoderEncodeIntoResult {
        let (read, written) = destination
            .write_with(|bytes| encode_into(&source, bytes))
            .unwrap_or((0, 0));
        TextEncoderEncodeIntoResult {
            read: Some(read),
            written: Some(written),
        }
    }
}

/// Writes the longest prefix of `source` made of whole characters that fits in
/// `destination`; (UTF-16 code units read, bytes written).
fn encode_into(source: &str, destination: &mut [u8]) -> (u64, u64) {
    let (mut read, mut written) = (0, 0);
    for character in source.chars() {
        let length = character.len_utf8();
        if written + length > destination.len() {
            break;
        }
        character.encode_utf8(&mut destination[written..written + length]);
        written += length;
        read += character.len_utf16();
    }
    (read as u64, written as u64)
}

#[cfg(test)]
mod tests {
    use super::encode_into;

    #[test]
    fn encode_into_writes_whole_characters_only() {
        let mut buffer = [0u8; 4];
        // "a" (1 byte), "é" (2 bytes), "😀" (4 bytes, 2 UTF-16 code units): the emoji does not fit.
        assert_eq!(encode_into("aé😀", &mut buffer), (2, 3));
        assert_eq!(&buffer[..3], "aé".as_bytes());
        let mut exact = [0u8; 4];
        assert_eq!(encode_into("😀", &mut exact), (2, 4));
        assert_eq!(encode_into("abc", &mut []), (0, 0));
    }
}

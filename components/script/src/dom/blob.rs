//! Blob (https://w3c.github.io/FileAPI/#blob-section): immutable bytes with a type, in memory.

use crate::dom::body::{Body, BodyReader};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Blob {
    reflector: Reflector,
    /// Shared, never copied: slices and blob URLs of big blobs cost no second copy.
    #[no_trace]
    bytes: std::sync::Arc<Vec<u8>>,
    type_: String,
}

impl Blob {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        bytes: Vec<u8>,
        type_: String,
    ) -> DomRoot<Blob> {
        BlobBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Blob::new_inherited(bytes, type_)),
        )
    }

    /// The Blob part of a File.
    pub fn new_inherited(bytes: Vec<u8>, type_: String) -> Blob {
        Blob {
            reflector: Reflector::new(),
            bytes: std::sync::Arc::new(bytes),
            type_,
        }
    }

    /// The bytes, shared (what a blob URL keeps).
    pub fn shared_bytes(&self) -> std::sync::Arc<Vec<u8>> {
        self.bytes.clone()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn type_(&self) -> &str {
        &self.type_
    }

    /// Reads the bytes as a Body would (https://w3c.github.io/FileAPI/#dom-blob-text).
    fn read(&self, cx: &mut JSContext, reader: BodyReader) -> Fallible<Rc<Promise>> {
        let body = Body::new(Some(self.bytes.to_vec()));
        // SAFETY: bindings call in the blob's realm.
        unsafe { body.consume(cx, self.global(), reader) }
    }
}

/// <https://w3c.github.io/FileAPI/#convert-line-endings-to-native>: "\r\n" and "\r" become
/// "\n" (the native ending here).
fn native_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// <https://w3c.github.io/FileAPI/#process-blob-parts>
pub(crate) fn bytes_of_parts(
    parts: Vec<BufferSourceOrBlobOrUSVString>,
    endings: EndingType,
) -> Vec<u8> {
    let mut bytes = Vec::new();
    for part in parts {
        match part {
            BufferSourceOrBlobOrUSVString::USVString(text) => {
                let text = if endings == EndingType::Native {
                    native_endings(&text)
                } else {
                    text
                };
                bytes.extend_from_slice(text.as_bytes());
            }
            BufferSourceOrBlobOrUSVString::Blob(blob) => bytes.extend_from_slice(&blob.bytes),
            BufferSourceOrBlobOrUSVString::BufferSource(source) => {
                bytes.extend_from_slice(&source.to_vec())
            }
        }
    }
    bytes
}

/// A type as a Blob keeps it: lower-cased, or empty if it has a character outside U+0020 to
/// U+007E.
pub(crate) fn normalized_type(type_: &str) -> String {
    if type_.chars().all(|c| (' '..='~').contains(&c)) {
        type_.to_ascii_lowercase()
    } else {
        String::new()
    }
}

/// <https://w3c.github.io/FileAPI/#slice-method-algo>: a relative start or end (negative
/// counts from the end), clamped to `size`.
fn relative(index: Option<i64>, default: u64, size: u64) -> u64 {
    match index {
        None => default,
        Some(index) if index < 0 => size.saturating_sub(index.unsigned_abs()),
        Some(index) => (index as u64).min(size),
    }
}

impl BlobMethods for Blob {
    /// <https://w3c.github.io/FileAPI/#constructorBlob>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        blob_parts: Option<Vec<BufferSourceOrBlobOrUSVString>>,
        options: &BlobPropertyBag,
    ) -> Fallible<DomRoot<Blob>> {
        let bytes = bytes_of_parts(blob_parts.unwrap_or_default(), options.endings);
        Ok(Blob::new(
            cx,
            global,
            proto,
            bytes,
            normalized_type(&options.type_),
        ))
    }
    fn Size(&self, _cx: &mut JSContext) -> u64 {
        self.bytes.len() as u64
    }
    fn Type(&self, _cx: &mut JSContext) -> DOMString {
        self.type_.clone()
    }
    /// <https://w3c.github.io/FileAPI/#dfn-slice>
    fn Slice(
        &self,
        cx: &mut JSContext,
        start: Option<i64>,
        end: Option<i64>,
        content_type: Option<DOMString>,
    ) -> DomRoot<Blob> {
        let size = self.bytes.len() as u64;
        let start = relative(start, 0, size);
        let end = relative(end, size, size);
        let span = &self.bytes[start as usize..end.max(start) as usize];
        let type_ = content_type
            .map(|t| normalized_type(&t))
            .unwrap_or_default();
        Blob::new(cx, self.global(), None, span.to_vec(), type_)
    }
    fn Text(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        self.read(cx, BodyReader::Text)
    }
    fn ArrayBuffer(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        self.read(cx, BodyReader::ArrayBuffer)
    }
    /// <https://w3c.github.io/FileAPI/#dom-blob-bytes>
    fn Bytes(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        self.read(cx, BodyReader::Bytes)
    }
    /// <https://w3c.github.io/FileAPI/#dom-blob-stream>: the blob's bytes as one chunk.
    fn Stream(
        &self,
        cx: &mut JSContext,
    ) -> Fallible<DomRoot<crate::dom::readablestream::ReadableStream>> {
        // SAFETY: bindings call in the blob's realm.
        unsafe {
            crate::dom::readablestream::ReadableStream::from_bytes(cx, self.global(), &self.bytes)
        }
    }
}

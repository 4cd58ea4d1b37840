//! The Body mixin (https://fetch.spec.whatwg.org/#body-mixin) shared by Request and Response:
//! a buffered body, read once by `text()`, `json()`, `arrayBuffer()`, `blob()` or `formData()`.

use std::cell::{Cell, RefCell};

use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::typedarray::{ArrayBuffer, CreateWith};

use crate::dom::bindings::error::take_pending_exception;
use crate::dom::prelude::*;

/// How a body is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyReader {
    ArrayBuffer,
    /// A Blob of this type.
    Blob(String),
    /// A FormData, parsed by the body's Content-Type (its value, if any).
    FormData(Option<String>),
    Json,
    Text,
}

/// A buffered body (`None`: a null body), whether it was read, and why it broke off (a
/// navigation preload response whose body the network cut: reading it is a TypeError).
#[derive(Default, Trace)]
pub struct Body {
    bytes: RefCell<Option<Vec<u8>>>,
    used: Cell<bool>,
    #[no_trace]
    error: RefCell<Option<String>>,
}

impl Body {
    pub fn new(bytes: Option<Vec<u8>>) -> Body {
        Body {
            bytes: RefCell::new(bytes),
            used: Cell::new(false),
            error: RefCell::new(None),
        }
    }

    /// The body broke off (`reason`): what came of it is not the body.
    pub fn set_error(&self, reason: Option<String>) {
        *self.error.borrow_mut() = reason;
    }

    pub fn error(&self) -> Option<String> {
        self.error.borrow().clone()
    }

    /// <https://fetch.spec.whatwg.org/#dom-body-bodyused>
    pub fn used(&self) -> bool {
        self.used.get()
    }

    /// A copy of the bytes, for clones and for sending.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.bytes.borrow().clone()
    }

    /// Moves the bytes out to a new Request (or to the network): a non-null body is then
    /// used (disturbed) here.
    pub fn transfer(&self) -> Option<Vec<u8>> {
        let bytes = self.bytes.borrow_mut().take();
        if bytes.is_some() {
            self.used.set(true);
        }
        bytes
    }

    pub fn is_null(&self) -> bool {
        self.bytes.borrow().is_none()
    }

    /// <https://fetch.spec.whatwg.org/#concept-body-consume-body>
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn consume(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
        reader: BodyReader,
    ) -> Fallible<Rc<Promise>> {
        if self.used.get() {
            return Err(Error::Type(
                "Failed to read the body: the body stream already read.".into(),
            ));
        }
        if let Some(reason) = self.error() {
            self.used.set(true);
            self.bytes.borrow_mut().take();
            return Err(Error::Type(format!("Failed to read the body: {reason}")));
        }
        let bytes = match self.bytes.borrow_mut().take() {
            Some(bytes) => {
                self.used.set(true);
                bytes
            }
            None => Vec::new(),
        };
        let promise = Promise::new(cx);
        match reader {
            BodyReader::Text => promise.resolve(cx, &decode_utf8(&bytes)),
            BodyReader::Blob(type_) => {
                let blob = crate::dom::blob::Blob::new(cx, global, None, bytes, type_);
                promise.resolve(cx, &blob);
            }
            BodyReader::ArrayBuffer => {
                rooted!(&in(cx) let mut buffer = std::ptr::null_mut::<JSObject>());
                if ArrayBuffer::create(cx, CreateWith::Slice(&bytes), buffer.handle_mut()).is_err()
                {
                    promise.reject_error(
                        cx,
                        global,
                        Error::Range("Out of memory creating an ArrayBuffer.".into()),
                    );
                } else {
                    rooted!(&in(cx) let value = ObjectValue(buffer.get()));
                    promise.resolve(cx, &value.get());
                }
            }
            BodyReader::FormData(content_type) => {
                match crate::dom::formdata::FormData::parse_body(
                    cx,
                    global,
                    &bytes,
                    content_type.as_deref(),
                ) {
                    Ok(form) => promise.resolve(cx, &form),
                    Err(error) => promise.reject_error(cx, global, error),
                }
            }
            BodyReader::Json => {
                let text: Vec<u16> = decode_utf8(&bytes).encode_utf16().collect();
                rooted!(&in(cx) let mut value = UndefinedValue());
                if mozjs::rust::wrappers2::JS_ParseJSON(
                    cx,
                    text.as_ptr(),
                    text.len() as u32,
                    value.handle_mut(),
                ) {
                    promise.resolve(cx, &value.get());
                } else {
                    rooted!(&in(cx) let mut exception = UndefinedValue());
                    if take_pending_exception(cx, exception.handle_mut()) {
                        promise.reject(cx, &exception.get());
                    }
                }
            }
        }
        Ok(promise)
    }
}

/// <https://encoding.spec.whatwg.org/#utf-8-decode>: BOM stripped, errors replaced.
fn decode_utf8(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// <https://fetch.spec.whatwg.org/#concept-bodyinit-extract>: the bytes of a BodyInit and
/// its Content-Type.
pub fn extract(
    init: &BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString,
) -> (Vec<u8>, Option<String>) {
    type Init = BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString;
    match init {
        Init::USVString(text) => (
            text.clone().into_bytes(),
            Some("text/plain;charset=UTF-8".to_owned()),
        ),
        Init::URLSearchParams(params) => (
            params.serialize().into_bytes(),
            Some("application/x-www-form-urlencoded;charset=UTF-8".to_owned()),
        ),
        Init::BufferSource(source) => (source.to_vec(), None),
        Init::Blob(blob) => (
            blob.bytes().to_vec(),
            Some(blob.type_().to_owned()).filter(|type_| !type_.is_empty()),
        ),
        Init::FormData(form) => {
            let (bytes, content_type) = form.encode_multipart();
            (bytes, Some(content_type))
        }
    }
}

/// The Body members of an interface whose struct has a `body: Body` field (Request, Response).
#[macro_export]
macro_rules! body_mixin_methods {
    () => {
        fn BodyUsed(&self, _cx: &mut JSContext) -> bool {
            self.body.used()
        }
        fn ArrayBuffer(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            // SAFETY: bindings call in the object's realm.
            unsafe {
                self.body.consume(
                    cx,
                    self.global(),
                    $crate::dom::body::BodyReader::ArrayBuffer,
                )
            }
        }
        fn Json(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            // SAFETY: as above.
            unsafe {
                self.body
                    .consume(cx, self.global(), $crate::dom::body::BodyReader::Json)
            }
        }
        fn Blob(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            // The body's MIME type: its Content-Type header's value, lower-cased.
            let type_ = self
                .header_list()
                .into_iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map(|(_, value)| value.to_ascii_lowercase())
                .unwrap_or_default();
            // SAFETY: as above.
            unsafe {
                self.body.consume(
                    cx,
                    self.global(),
                    $crate::dom::body::BodyReader::Blob(type_),
                )
            }
        }
        fn FormData(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            let content_type = self
                .header_list()
                .into_iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                .map(|(_, value)| value);
            // SAFETY: as above.
            unsafe {
                self.body.consume(
                    cx,
                    self.global(),
                    $crate::dom::body::BodyReader::FormData(content_type),
                )
            }
        }
        fn Text(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            // SAFETY: as above.
            unsafe {
                self.body
                    .consume(cx, self.global(), $crate::dom::body::BodyReader::Text)
            }
        }
    };
}

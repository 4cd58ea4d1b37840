//! The Body mixin (https://fetch.spec.whatwg.org/#body-mixin) shared by Request and Response:
//! a body read once by `text()`, `json()`, `arrayBuffer()`, `blob()`, `formData()` or through
//! its `body` stream.
//!
//! A body is its bytes until script asks for its stream (`body`) or gives one
//! (`new Response(stream)`); from then on the stream is the body, and reading it for Rust
//! (consuming, `respondWith()`, `fetch()`, `cache.put()`) reads the stream to its end
//! ([`crate::dom::readablestream::read_all_bytes`]). What travels between threads and
//! processes is always bytes.

use std::cell::{Cell, RefCell};

use mozjs::jsval::{ObjectValue, UndefinedValue};
use mozjs::rooted;
use mozjs::typedarray::{ArrayBuffer, CreateWith};

use crate::dom::bindings::error::take_pending_exception;
use crate::dom::prelude::*;
use crate::dom::readablestream::{read_all_bytes, ReadableStream};

/// How a body is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyReader {
    ArrayBuffer,
    /// A Uint8Array of the bytes (`bytes()`).
    Bytes,
    /// A Blob of this type.
    Blob(String),
    /// A FormData, parsed by the body's Content-Type (its value, if any).
    FormData(Option<String>),
    Json,
    Text,
}

/// A body: its bytes (`None` and no stream: a null body) or its stream, whether it was
/// read, and why it broke off (a navigation preload response whose body the network cut:
/// reading it is a TypeError).
#[derive(Default, Trace)]
pub struct Body {
    bytes: RefCell<Option<Vec<u8>>>,
    stream: MutNullableDom<ReadableStream>,
    used: Cell<bool>,
    #[no_trace]
    error: RefCell<Option<String>>,
}

/// What a body is made of: bytes, or a stream script gave.
pub enum BodySource {
    Bytes(Vec<u8>),
    Stream(DomRoot<ReadableStream>),
}

/// What reading a whole body for Rust calls: its bytes (none: a null body), or the error
/// that stopped the read (a JS value in the body's realm).
pub type WholeBody = Box<dyn FnOnce(&mut JSContext, Result<Option<Vec<u8>>, JSVal>)>;

impl Body {
    pub fn new(bytes: Option<Vec<u8>>) -> Body {
        Body {
            bytes: RefCell::new(bytes),
            stream: MutNullableDom::default(),
            used: Cell::new(false),
            error: RefCell::new(None),
        }
    }

    pub fn from_source(source: Option<BodySource>) -> Body {
        match source {
            None => Body::new(None),
            Some(BodySource::Bytes(bytes)) => Body::new(Some(bytes)),
            Some(BodySource::Stream(stream)) => {
                let body = Body::new(None);
                body.stream.set(Some(&stream));
                body
            }
        }
    }

    /// The body's stream, made from its bytes the first time script asks
    /// (https://fetch.spec.whatwg.org/#dom-body-body); `None` for a null body. A body already
    /// read without a stream gets a closed, disturbed, locked one, as its stream would be.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn stream(
        &self,
        cx: &mut JSContext,
        global: &GlobalScope,
    ) -> Fallible<Option<DomRoot<ReadableStream>>> {
        if let Some(stream) = self.stream.get() {
            return Ok(Some(stream));
        }
        let bytes = self.bytes.borrow_mut().take();
        let stream = match bytes {
            Some(bytes) => ReadableStream::from_bytes(cx, global, &bytes)?,
            None if self.used.get() => {
                let stream = ReadableStream::from_bytes(cx, global, &[])?;
                stream.set_disturbed();
                stream.acquire_reader(cx)?;
                stream
            }
            None => return Ok(None),
        };
        if let Some(reason) = self.error() {
            // A body that broke off: its stream errors at the first read.
            let error = crate::dom::readablestream::error_value(
                cx,
                global,
                Error::Type(format!("Failed to read the body: {reason}")),
            );
            stream.controller().error(cx, error.get());
        }
        self.stream.set(Some(&stream));
        Ok(Some(stream))
    }

    /// Becomes `other` (a clone's body, made after its object).
    pub fn replace_with(&self, other: Body) {
        *self.bytes.borrow_mut() = other.bytes.into_inner();
        self.stream.set(other.stream.get().as_deref());
        self.used.set(other.used.get());
        *self.error.borrow_mut() = other.error.into_inner();
    }

    /// Whether the body has a stream (script asked for it or gave it).
    pub fn has_stream(&self) -> bool {
        self.stream.get().is_some()
    }

    /// <https://fetch.spec.whatwg.org/#body-unusable>: read, or its stream locked.
    pub fn is_unusable(&self) -> bool {
        self.used() || self.stream.get().is_some_and(|stream| stream.is_locked())
    }

    /// Reads the whole body for Rust (to send it, store it or answer with it), then calls
    /// `done`: at once for bytes, when its stream ends for a stream. The body is used.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn read_whole(
        &self,
        cx: &mut JSContext,
        owner: &GlobalScope,
        limit: u64,
        done: WholeBody,
    ) {
        match self.stream.get() {
            Some(stream) => {
                self.used.set(true);
                // The stream may be another global's (a frame's fetch() given its parent's
                // stream): it is read in its realm, and `done` runs in the owner's.
                let owner = RootedObject::new(owner.reflector().get());
                let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), stream.reflector().get());
                read_all_bytes(
                    cx,
                    &stream,
                    limit,
                    Box::new(move |cx, result| {
                        let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), owner.get());
                        match result {
                            Ok(bytes) => done(cx, Ok(Some(bytes))),
                            Err(error) => {
                                rooted!(&in(cx) let mut error = error);
                                mozjs::rust::wrappers2::JS_WrapValue(cx, error.handle_mut());
                                done(cx, Err(error.get()))
                            }
                        }
                    }),
                )
            }
            None => {
                let bytes = self.transfer();
                done(cx, Ok(bytes))
            }
        }
    }

    /// A copy of this body for a clone (https://fetch.spec.whatwg.org/#concept-body-clone):
    /// the bytes copied, or the stream teed (this body keeps one branch).
    ///
    /// # Safety
    /// `cx` in the body's realm.
    pub unsafe fn clone_body(&self, cx: &mut JSContext) -> Fallible<Body> {
        let Some(stream) = self.stream.get() else {
            let body = Body::new(self.bytes());
            body.set_error(self.error());
            return Ok(body);
        };
        let (first, second) = crate::dom::readablestream::tee(cx, &stream)?;
        self.stream.set(Some(&first));
        Ok(Body::from_source(Some(BodySource::Stream(second))))
    }

    /// Moves the body out to a new Request: its bytes or its stream. A non-null body is then
    /// used here.
    pub fn take_source(&self) -> Option<BodySource> {
        if let Some(stream) = self.stream.get() {
            self.used.set(true);
            return Some(BodySource::Stream(stream));
        }
        self.transfer().map(BodySource::Bytes)
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
            || self
                .stream
                .get()
                .is_some_and(|stream| stream.is_disturbed())
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
        self.bytes.borrow().is_none() && self.stream.get().is_none()
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
        if self.is_unusable() {
            return Err(Error::Type(
                "Failed to read the body: the body stream already read.".into(),
            ));
        }
        if let Some(reason) = self.error().filter(|_| !self.has_stream()) {
            self.used.set(true);
            self.bytes.borrow_mut().take();
            return Err(Error::Type(format!("Failed to read the body: {reason}")));
        }
        let promise = Promise::new(cx);
        let settle = promise.clone();
        let limit = global.event_loop().loader().max_response_bytes();
        self.read_whole(
            cx,
            global,
            limit,
            Box::new(move |cx, result| {
                let global = crate::dom::globalscope::current_global(cx);
                match result {
                    Ok(bytes) => package(cx, global, &settle, reader, bytes.unwrap_or_default()),
                    Err(error) => settle.reject(cx, &error),
                }
            }),
        );
        Ok(promise)
    }
}

/// <https://fetch.spec.whatwg.org/#concept-body-package-data>: settles `promise` with
/// `bytes` read as `reader` says.
///
/// # Safety
/// `cx` in `global`'s realm.
unsafe fn package(
    cx: &mut JSContext,
    global: &GlobalScope,
    promise: &Promise,
    reader: BodyReader,
    bytes: Vec<u8>,
) {
    match reader {
        BodyReader::Text => promise.resolve(cx, &decode_utf8(&bytes)),
        BodyReader::Blob(type_) => {
            let blob = crate::dom::blob::Blob::new(cx, global, None, bytes, type_);
            promise.resolve(cx, &blob);
        }
        BodyReader::ArrayBuffer => {
            rooted!(&in(cx) let mut buffer = std::ptr::null_mut::<JSObject>());
            if ArrayBuffer::create(cx, CreateWith::Slice(&bytes), buffer.handle_mut()).is_err() {
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
        BodyReader::Bytes => match crate::dom::bindings::buffer::Uint8Array::new(cx, &bytes) {
            Ok(array) => promise.resolve(cx, &array),
            Err(error) => promise.reject_error(cx, global, error),
        },
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
}

/// <https://encoding.spec.whatwg.org/#utf-8-decode>: BOM stripped, errors replaced.
fn decode_utf8(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// <https://fetch.spec.whatwg.org/#concept-bodyinit-extract> for XMLHttpRequest's body
/// (no streams): the bytes and the Content-Type they imply.
pub fn extract(
    init: &BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString,
) -> (Vec<u8>, Option<String>) {
    type Init = BlobOrBufferSourceOrFormDataOrURLSearchParamsOrUSVString;
    match init {
        Init::USVString(text) => text_body(text),
        Init::URLSearchParams(params) => params_body(params),
        Init::BufferSource(source) => (source.to_vec(), None),
        Init::Blob(blob) => blob_body(blob),
        Init::FormData(form) => form.encode_multipart_typed(),
    }
}

/// <https://fetch.spec.whatwg.org/#concept-bodyinit-extract> for a Request's or Response's
/// BodyInit: bytes, or the stream itself (which must not be read or locked yet).
pub fn extract_init(
    init: &BlobOrBufferSourceOrFormDataOrURLSearchParamsOrReadableStreamOrUSVString,
) -> Fallible<(BodySource, Option<String>)> {
    type Init = BlobOrBufferSourceOrFormDataOrURLSearchParamsOrReadableStreamOrUSVString;
    let (bytes, content_type) = match init {
        Init::ReadableStream(stream) => {
            if stream.is_unusable() {
                return Err(Error::Type(
                    "The body stream is locked or already read.".into(),
                ));
            }
            return Ok((BodySource::Stream(stream.clone()), None));
        }
        Init::USVString(text) => text_body(text),
        Init::URLSearchParams(params) => params_body(params),
        Init::BufferSource(source) => (source.to_vec(), None),
        Init::Blob(blob) => blob_body(blob),
        Init::FormData(form) => form.encode_multipart_typed(),
    };
    Ok((BodySource::Bytes(bytes), content_type))
}

fn text_body(text: &str) -> (Vec<u8>, Option<String>) {
    (
        text.as_bytes().to_vec(),
        Some("text/plain;charset=UTF-8".to_owned()),
    )
}

fn params_body(params: &crate::dom::urlsearchparams::URLSearchParams) -> (Vec<u8>, Option<String>) {
    (
        params.serialize().into_bytes(),
        Some("application/x-www-form-urlencoded;charset=UTF-8".to_owned()),
    )
}

fn blob_body(blob: &crate::dom::blob::Blob) -> (Vec<u8>, Option<String>) {
    (
        blob.bytes().to_vec(),
        Some(blob.type_().to_owned()).filter(|type_| !type_.is_empty()),
    )
}

/// The Body members of an interface whose struct has a `body: Body` field (Request, Response).
#[macro_export]
macro_rules! body_mixin_methods {
    () => {
        fn BodyUsed(&self, _cx: &mut JSContext) -> bool {
            self.body.used()
        }
        fn Body(
            &self,
            cx: &mut JSContext,
        ) -> Fallible<Option<DomRoot<$crate::dom::readablestream::ReadableStream>>> {
            // SAFETY: bindings call in the object's realm.
            unsafe { self.body.stream(cx, self.global()) }
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
        fn Bytes(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
            // SAFETY: bindings call in the object's realm.
            unsafe {
                self.body
                    .consume(cx, self.global(), $crate::dom::body::BodyReader::Bytes)
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

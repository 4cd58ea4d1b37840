//! DOMException (https://webidl.spec.whatwg.org/#idl-DOMException).

use crate::dom::bindings::prelude::*;

/// The names of the error table of Web IDL, with their legacy codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DOMErrorName {
    IndexSizeError,
    HierarchyRequestError,
    WrongDocumentError,
    InvalidCharacterError,
    NoModificationAllowedError,
    NotFoundError,
    NotSupportedError,
    InUseAttributeError,
    InvalidStateError,
    SyntaxError,
    InvalidModificationError,
    NamespaceError,
    InvalidAccessError,
    TypeMismatchError,
    SecurityError,
    NetworkError,
    AbortError,
    URLMismatchError,
    QuotaExceededError,
    TimeoutError,
    InvalidNodeTypeError,
    DataCloneError,
    EncodingError,
    NotReadableError,
    UnknownError,
    ConstraintError,
    DataError,
    TransactionInactiveError,
    ReadOnlyError,
    VersionError,
    OperationError,
    NotAllowedError,
}

impl DOMErrorName {
    pub fn as_str(&self) -> &'static str {
        use DOMErrorName::*;
        match self {
            IndexSizeError => "IndexSizeError",
            HierarchyRequestError => "HierarchyRequestError",
            WrongDocumentError => "WrongDocumentError",
            InvalidCharacterError => "InvalidCharacterError",
            NoModificationAllowedError => "NoModificationAllowedError",
            NotFoundError => "NotFoundError",
            NotSupportedError => "NotSupportedError",
            InUseAttributeError => "InUseAttributeError",
            InvalidStateError => "InvalidStateError",
            SyntaxError => "SyntaxError",
            InvalidModificationError => "InvalidModificationError",
            NamespaceError => "NamespaceError",
            InvalidAccessError => "InvalidAccessError",
            TypeMismatchError => "TypeMismatchError",
            SecurityError => "SecurityError",
            NetworkError => "NetworkError",
            AbortError => "AbortError",
            URLMismatchError => "URLMismatchError",
            QuotaExceededError => "QuotaExceededError",
            TimeoutError => "TimeoutError",
            InvalidNodeTypeError => "InvalidNodeTypeError",
            DataCloneError => "DataCloneError",
            EncodingError => "EncodingError",
            NotReadableError => "NotReadableError",
            UnknownError => "UnknownError",
            ConstraintError => "ConstraintError",
            DataError => "DataError",
            TransactionInactiveError => "TransactionInactiveError",
            ReadOnlyError => "ReadOnlyError",
            VersionError => "VersionError",
            OperationError => "OperationError",
            NotAllowedError => "NotAllowedError",
        }
    }

    /// The legacy `code` of a name (0 for names without one).
    pub fn code_of(name: &str) -> u16 {
        match name {
            "IndexSizeError" => 1,
            "HierarchyRequestError" => 3,
            "WrongDocumentError" => 4,
            "InvalidCharacterError" => 5,
            "NoModificationAllowedError" => 7,
            "NotFoundError" => 8,
            "NotSupportedError" => 9,
            "InUseAttributeError" => 10,
            "InvalidStateError" => 11,
            "SyntaxError" => 12,
            "InvalidModificationError" => 13,
            "NamespaceError" => 14,
            "InvalidAccessError" => 15,
            "TypeMismatchError" => 17,
            "SecurityError" => 18,
            "NetworkError" => 19,
            "AbortError" => 20,
            "URLMismatchError" => 21,
            "QuotaExceededError" => 22,
            "TimeoutError" => 23,
            "InvalidNodeTypeError" => 24,
            "DataCloneError" => 25,
            _ => 0,
        }
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct DOMException {
    reflector: Reflector,
    name: String,
    message: String,
    /// Where script was when the exception was made (file, line, column), for the report
    /// of an uncaught exception.
    location: (String, u32, u32),
}

impl DOMException {
    /// What SpiderMonkey's error reporting asks of an uncaught DOMException: its message
    /// and where it was made.
    pub fn report_info(&self) -> (String, &str, u32, u32) {
        let (file, line, column) = &self.location;
        (
            format!("{}: {}", self.name, self.message),
            file,
            *line,
            *column,
        )
    }
}

fn scripted_caller(cx: &JSContext) -> (String, u32, u32) {
    mozjs::rust::describe_scripted_caller(cx)
        .map(|caller| (caller.filename, caller.line, caller.col))
        .unwrap_or_default()
}

impl DOMException {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        name: DOMErrorName,
        message: String,
    ) -> DomRoot<DOMException> {
        DOMExceptionBinding::Wrap(
            cx,
            global,
            None,
            Box::new(DOMException {
                reflector: Reflector::new(),
                name: name.as_str().to_string(),
                message,
                location: scripted_caller(cx),
            }),
        )
    }
}

impl DOMExceptionMethods for DOMException {
    /// <https://webidl.spec.whatwg.org/#dom-domexception-domexception>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        message: DOMString,
        name: DOMString,
    ) -> DomRoot<DOMException> {
        DOMExceptionBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(DOMException {
                reflector: Reflector::new(),
                name,
                message,
                location: scripted_caller(cx),
            }),
        )
    }
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }
    fn Message(&self, _cx: &mut JSContext) -> DOMString {
        self.message.clone()
    }
    fn Code(&self, _cx: &mut JSContext) -> u16 {
        DOMErrorName::code_of(&self.name)
    }
}

//! The errors of IndexedDB requests, each with the DOMException name a
//! script thread turns it into.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The DOMException names IndexedDB requests fail with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdbErrorName {
    Constraint,
    Data,
    NotFound,
    Version,
    QuotaExceeded,
    Abort,
    InvalidState,
    Unknown,
}

impl IdbErrorName {
    /// The DOMException's `name`.
    pub fn dom_exception_name(self) -> &'static str {
        match self {
            IdbErrorName::Constraint => "ConstraintError",
            IdbErrorName::Data => "DataError",
            IdbErrorName::NotFound => "NotFoundError",
            IdbErrorName::Version => "VersionError",
            IdbErrorName::QuotaExceeded => "QuotaExceededError",
            IdbErrorName::Abort => "AbortError",
            IdbErrorName::InvalidState => "InvalidStateError",
            IdbErrorName::Unknown => "UnknownError",
        }
    }
}

/// A failed IndexedDB request: the exception's name and message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdbError {
    pub name: IdbErrorName,
    pub message: String,
}

impl IdbError {
    pub fn new(name: IdbErrorName, message: impl Into<String>) -> IdbError {
        IdbError {
            name,
            message: message.into(),
        }
    }
}

impl fmt::Display for IdbError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}: {}",
            self.name.dom_exception_name(),
            self.message
        )
    }
}

impl std::error::Error for IdbError {}

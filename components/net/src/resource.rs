//! What a load produces: a [`Resource`], or the [`LoadError`] that stopped it.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

/// A loaded resource, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// The final URL, after redirects. It keeps the requested URL's fragment
    /// (Fetch: a redirect without a fragment inherits the request's).
    pub url: Url,
    pub status: u16,
    /// The canonical reason phrase of `status` (`"Not Found"`); the phrase
    /// the server actually sent is not kept by the HTTP client.
    pub status_text: String,
    /// Response headers in arrival order; names lower-cased, values decoded
    /// as UTF-8 with invalid bytes replaced.
    pub headers: Vec<(String, String)>,
    /// The MIME type essence, lower-cased (`"text/html"`), from the
    /// `Content-Type` header, the `data:` URL or the file extension.
    pub content_type: Option<String>,
    /// The `charset` parameter of the MIME type, lower-cased (`"utf-8"`).
    pub charset: Option<String>,
    pub body: Vec<u8>,
    /// Whether at least one redirect was followed.
    pub redirected: bool,
    /// Why the body broke off after the head arrived (`body` has what came before): only
    /// for a request that asked for it (`RequestOptions::keep_broken_body`); any other load
    /// whose body breaks is an error.
    #[serde(default)]
    pub body_error: Option<String>,
}

impl Resource {
    /// The `Location` of a redirect response (a [`is_redirect_status`] with one), if it is one.
    pub fn redirect_location(&self) -> Option<&str> {
        is_redirect_status(self.status)
            .then(|| self.header("location"))
            .flatten()
    }

    /// The first header named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether `status` is in 200..=299, like `Response.ok`.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a load produced no [`Resource`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    #[error("unsupported URL scheme {0:?}")]
    UnsupportedScheme(String),
    #[error("file not found: {}", .0.display())]
    FileNotFound(PathBuf),
    #[error("{} is a directory, not a file", .0.display())]
    IsADirectory(PathBuf),
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Connection refused, DNS failure, TLS failure, timeout, malformed HTTP.
    #[error("network error: {0}")]
    Network(String),
    #[error("response body is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("too many redirects (more than {})", crate::MAX_REDIRECTS)]
    TooManyRedirects,
}

/// <https://fetch.spec.whatwg.org/#redirect-status>: 301, 302, 303, 307 or 308.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

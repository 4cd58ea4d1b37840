//! MIME types: the essence and charset of a `Content-Type`, and the type a
//! file's extension implies.

use std::path::Path;
use std::str::FromStr;

use data_url::mime::Mime;

/// A MIME type reduced to what [`crate::Resource`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContentType {
    /// `type/subtype`, lower-cased.
    pub essence: String,
    /// The `charset` parameter, lower-cased.
    pub charset: Option<String>,
}

impl ContentType {
    pub fn from_mime(mime: &Mime) -> ContentType {
        ContentType {
            // The MIME Sniffing parser lower-cases type and subtype already.
            essence: format!("{}/{}", mime.type_, mime.subtype),
            charset: mime
                .get_parameter("charset")
                .map(|charset| charset.to_ascii_lowercase()),
        }
    }

    /// Parses a `Content-Type` header value with the MIME Sniffing parser;
    /// `None` for a value that is no MIME type (which Fetch treats as absent).
    pub fn parse(header_value: &str) -> Option<ContentType> {
        Mime::from_str(header_value)
            .ok()
            .map(|mime| ContentType::from_mime(&mime))
    }

    /// The type a browser serves a local file with, from its extension
    /// (case-insensitive); `None` for an unknown or missing extension.
    pub fn from_extension(path: &Path) -> Option<ContentType> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        let essence = match extension.as_str() {
            "html" | "htm" => "text/html",
            "xhtml" | "xht" => "application/xhtml+xml",
            "js" | "mjs" => "text/javascript",
            "json" => "application/json",
            "webmanifest" => "application/manifest+json",
            "css" => "text/css",
            "txt" => "text/plain",
            "xml" => "application/xml",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "ico" => "image/x-icon",
            "wasm" => "application/wasm",
            "woff" => "font/woff",
            "woff2" => "font/woff2",
            "pdf" => "application/pdf",
            _ => return None,
        };
        Some(ContentType {
            essence: essence.to_owned(),
            charset: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_gives_lowercased_essence_and_charset() {
        assert_eq!(
            ContentType::parse("Text/HTML; Charset=\"UTF-8\""),
            Some(ContentType {
                essence: "text/html".to_owned(),
                charset: Some("utf-8".to_owned()),
            })
        );
        assert_eq!(
            ContentType::parse("application/json"),
            Some(ContentType {
                essence: "application/json".to_owned(),
                charset: None,
            })
        );
    }

    #[test]
    fn header_value_that_is_no_mime_type_is_ignored() {
        assert_eq!(ContentType::parse("nonsense"), None);
        assert_eq!(ContentType::parse(""), None);
    }

    #[test]
    fn extensions_map_to_web_types() {
        let essence = |name: &str| ContentType::from_extension(Path::new(name)).map(|t| t.essence);
        assert_eq!(essence("index.HTML").as_deref(), Some("text/html"));
        assert_eq!(essence("sw.mjs").as_deref(), Some("text/javascript"));
        assert_eq!(essence("a.svg").as_deref(), Some("image/svg+xml"));
        assert_eq!(essence("README"), None);
        assert_eq!(essence("archive.tar.zst"), None);
    }
}

//! MIME type facts shared by the script side and the constellation.

use data_url::mime::Mime;

/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>: whether `text` parses as a MIME
/// type.
pub fn is_mime_type(text: &str) -> bool {
    text.parse::<Mime>().is_ok()
}

/// The `charset` parameter of the MIME type `content_type`, as the MIME Sniffing parser reads
/// it (quotes removed); `None` if it has none or is no MIME type.
pub fn charset(content_type: &str) -> Option<String> {
    let mime = content_type.parse::<Mime>().ok()?;
    mime.get_parameter("charset").map(str::to_owned)
}

/// <https://mimesniff.spec.whatwg.org/#mime-type-essence>, simplified: the type and subtype
/// before any parameter, trimmed, in lower case.
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// <https://mimesniff.spec.whatwg.org/#javascript-mime-type>, judged by the essence
/// (parameters such as `charset` are ignored; case-insensitive).
pub fn is_javascript_mime_type(content_type: &str) -> bool {
    let essence = essence(content_type);
    matches!(
        essence.as_str(),
        "application/ecmascript"
            | "application/javascript"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "text/javascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
}

/// <https://mimesniff.spec.whatwg.org/#json-mime-type>: `application/json`, `text/json`, or
/// any `+json` subtype, by the essence.
pub fn is_json_mime_type(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "application/json"
        || essence == "text/json"
        || essence
            .split_once('/')
            .is_some_and(|(_, subtype)| subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mime_types_by_essence() {
        assert!(is_json_mime_type("application/json; charset=utf-8"));
        assert!(is_json_mime_type("Text/JSON"));
        assert!(is_json_mime_type("application/manifest+json"));
        assert!(!is_json_mime_type("text/javascript"));
        assert!(!is_json_mime_type("json"));
    }

    #[test]
    fn charset_and_validity_as_the_mime_sniffing_parser_reads_them() {
        assert_eq!(
            charset("text/plain; charset=\"ISO-8859-1\""),
            Some("ISO-8859-1".into())
        );
        assert_eq!(charset("Text/HTML;Charset=utf-8;x=y"), Some("utf-8".into()));
        assert_eq!(charset("text/plain"), None);
        assert_eq!(charset("no mime type; charset=utf-8"), None);
        assert!(is_mime_type("application/json"));
        assert!(!is_mime_type("json"));
        assert!(!is_mime_type("text /plain"));
    }

    #[test]
    fn javascript_mime_types_by_essence() {
        assert!(is_javascript_mime_type("text/javascript"));
        assert!(is_javascript_mime_type(
            "Application/JavaScript; charset=utf-8"
        ));
        assert!(!is_javascript_mime_type("text/plain"));
        assert!(!is_javascript_mime_type("module"));
        assert!(!is_javascript_mime_type(""));
    }
}

//! <https://w3c.github.io/webappsec-referrer-policy/#determine-requests-referrer>: the referrer a
//! request carries, from the URL of the document or worker that makes it, its referrer policy
//! and the URL it goes to.
//!
//! Fetch determines it in main fetch, before a service worker sees the request: the worker's
//! `event.request.referrer` is this URL (`""` for none), never `about:client`.

use url::{Position, Url};

use crate::origin::is_potentially_trustworthy;

/// The policy that applies when the request and its client name none.
pub const DEFAULT_POLICY: &str = "strict-origin-when-cross-origin";

/// The referrer policies' names (https://w3c.github.io/webappsec-referrer-policy/#referrer-policies).
pub const POLICIES: [&str; 8] = [
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// The policy a `Referrer-Policy` header names
/// (https://w3c.github.io/webappsec-referrer-policy/#parse-referrer-policy-from-header): the
/// last of its comma-separated tokens that is a policy; `None` when none is.
pub fn parse_header(value: &str) -> Option<&'static str> {
    value.split(',').rev().find_map(|token| {
        let token = token.trim().to_ascii_lowercase();
        POLICIES.iter().find(|policy| **policy == token).copied()
    })
}

/// A referrer URL longer than this is sent as its origin only.
const MAX_LENGTH: usize = 4096;

/// The referrer of a request from `source` to `target` under `policy` (a referrer policy's
/// name; `""` is the default policy): `None` for no referrer. A source that is not an http(s)
/// URL (about:, data:, blob: of an opaque origin) gives no referrer.
pub fn determine(source: &Url, policy: &str, target: &Url) -> Option<Url> {
    if !matches!(source.scheme(), "http" | "https") {
        return None;
    }
    let full = strip(source, false);
    let origin_only = strip(source, true);
    let full = if full.as_str().len() > MAX_LENGTH {
        origin_only.clone()
    } else {
        full
    };
    let same_origin = source.origin() == target.origin();
    let downgrade = is_potentially_trustworthy(source) && !is_potentially_trustworthy(target);
    let policy = if policy.is_empty() {
        DEFAULT_POLICY
    } else {
        policy
    };
    match policy {
        "no-referrer" => None,
        "origin" => Some(origin_only),
        "unsafe-url" => Some(full),
        "strict-origin" => (!downgrade).then_some(origin_only),
        "same-origin" => same_origin.then_some(full),
        "origin-when-cross-origin" => Some(if same_origin { full } else { origin_only }),
        "no-referrer-when-downgrade" => (!downgrade).then_some(full),
        // "strict-origin-when-cross-origin", and any name this function does not know.
        _ if same_origin => Some(full),
        _ => (!downgrade).then_some(origin_only),
    }
}

/// <https://w3c.github.io/webappsec-referrer-policy/#strip-url>: no credentials, no fragment,
/// and with `origin_only`, no path or query either (`https://host:port/`).
fn strip(url: &Url, origin_only: bool) -> Url {
    let end = if origin_only {
        Position::BeforePath
    } else {
        Position::AfterQuery
    };
    let kept = format!(
        "{}://{}{}",
        url.scheme(),
        &url[Position::BeforeHost..Position::AfterPort],
        &url[Position::BeforePath..end]
    );
    let mut stripped = Url::parse(&kept).unwrap_or_else(|_| url.clone());
    if origin_only {
        stripped.set_path("/");
    }
    stripped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn referrer(source: &str, policy: &str, target: &str) -> Option<String> {
        determine(&url(source), policy, &url(target)).map(|url| url.to_string())
    }

    #[test]
    fn a_referrer_policy_header_names_its_last_known_token() {
        assert_eq!(parse_header("origin"), Some("origin"));
        assert_eq!(parse_header("no-referrer, Unsafe-URL"), Some("unsafe-url"));
        assert_eq!(parse_header("same-origin, nonsense"), Some("same-origin"));
        assert_eq!(parse_header("nonsense"), None);
        assert_eq!(parse_header(""), None);
    }

    #[test]
    fn the_default_policy_sends_the_full_url_to_the_same_origin_and_the_origin_elsewhere() {
        let page = "https://a.test/dir/page.html?q=1#frag";
        assert_eq!(
            referrer(page, "", "https://a.test/other").as_deref(),
            Some("https://a.test/dir/page.html?q=1")
        );
        assert_eq!(
            referrer(page, "", "https://b.test/").as_deref(),
            Some("https://a.test/")
        );
        assert_eq!(referrer(page, "", "http://b.test/"), None);
    }

    #[test]
    fn credentials_are_never_sent() {
        assert_eq!(
            referrer(
                "https://user:pw@a.test:8443/p",
                "unsafe-url",
                "http://b.test/"
            )
            .as_deref(),
            Some("https://a.test:8443/p")
        );
    }

    #[test]
    fn each_policy_decides_as_the_spec_says() {
        let page = "https://a.test/p";
        let same = "https://a.test/x";
        let cross = "https://b.test/x";
        let down = "http://b.test/x";
        let cases = [
            ("no-referrer", [None, None, None]),
            ("origin", [Some("https://a.test/"); 3]),
            ("unsafe-url", [Some(page); 3]),
            (
                "strict-origin",
                [Some("https://a.test/"), Some("https://a.test/"), None],
            ),
            ("same-origin", [Some(page), None, None]),
            (
                "origin-when-cross-origin",
                [Some(page), Some("https://a.test/"), Some("https://a.test/")],
            ),
            ("no-referrer-when-downgrade", [Some(page), Some(page), None]),
        ];
        for (policy, expected) in cases {
            for (target, expected) in [same, cross, down].into_iter().zip(expected) {
                assert_eq!(
                    referrer(page, policy, target).as_deref(),
                    expected,
                    "{policy} to {target}"
                );
            }
        }
    }

    #[test]
    fn a_source_without_an_http_url_gives_no_referrer() {
        assert_eq!(
            referrer("about:blank", "unsafe-url", "https://a.test/"),
            None
        );
        assert_eq!(referrer("data:text/html,x", "", "https://a.test/"), None);
    }

    #[test]
    fn a_very_long_url_is_sent_as_its_origin() {
        let long = format!("https://a.test/{}", "x".repeat(5000));
        assert_eq!(
            referrer(&long, "unsafe-url", "https://a.test/").as_deref(),
            Some("https://a.test/")
        );
    }
}

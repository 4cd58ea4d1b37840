//! Origins and the "potentially trustworthy" test of Secure Contexts.
//!
//! The constellation decides with these functions whether a page or worker
//! may use `[SecureContext]` APIs such as `SyncManager`; the network code
//! uses [`host_is_loopback`] to know which hosts stay reachable offline.
//! Everything here is a pure function of a URL or origin: which origin a
//! document actually has (an `about:blank` inheriting its creator's) is the
//! caller's knowledge, not ours.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use url::Origin;
use url::{Host, Url};

/// The origin of `url`, as the URL Standard defines it: a tuple for http(s),
/// ws(s) and ftp, the inner URL's for `blob:`, opaque for everything else
/// (including `file:`, `data:` and `about:`).
pub fn origin_of(url: &Url) -> Origin {
    url.origin()
}

/// The ASCII serialization of `origin` (`https://example.com:8443`), as
/// sent in `Origin` headers and compared by `postMessage`; `"null"` for an
/// opaque origin.
pub fn ascii_serialization(origin: &Origin) -> String {
    origin.ascii_serialization()
}

/// <https://w3c.github.io/webappsec-secure-contexts/#is-url-trustworthy>
///
/// True for `https:`, `wss:`, `file:`, and for any tuple origin whose host
/// is a localhost name, in 127.0.0.0/8 or `::1` (so `http://localhost:8000`
/// and `ws://127.0.0.1` are trustworthy, as in browsers).
///
/// Deliberately narrower than the spec for URLs with opaque origins: the
/// spec calls `data:` and `about:blank`/`about:srcdoc` trustworthy, because
/// a document at such a URL is judged by the origin it inherits from its
/// creator. This function sees only the URL, so it returns false for them;
/// a caller that knows the creator must test the creator's origin instead.
pub fn is_potentially_trustworthy(url: &Url) -> bool {
    match url.scheme() {
        // Step 3 of "is origin potentially trustworthy": a file: URL's
        // origin is opaque in the URL Standard, but the scheme is trusted.
        "file" => true,
        _ => is_origin_potentially_trustworthy(&url.origin()),
    }
}

/// <https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>
///
/// Opaque origins are not trustworthy; see [`is_potentially_trustworthy`]
/// for `file:` URLs, whose origin `url` makes opaque.
pub fn is_origin_potentially_trustworthy(origin: &Origin) -> bool {
    // Step 1: If origin is an opaque origin, return "Not Trustworthy".
    let Origin::Tuple(scheme, host, _port) = origin else {
        return false;
    };
    // Step 3: If origin's scheme is either "https" or "wss", return
    // "Potentially Trustworthy".
    if scheme == "https" || scheme == "wss" {
        return true;
    }
    // Steps 4 and 5: loopback addresses and localhost names.
    host_is_loopback(&host_as_ref(host))
}

/// Whether `host` always means this machine: a localhost name (see
/// [`is_localhost_name`]), an address in 127.0.0.0/8, or `::1`.
///
/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are not included, as in
/// the Secure Contexts spec.
pub fn host_is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(domain) => is_localhost_name(domain),
        Host::Ipv4(address) => is_loopback_ip(&IpAddr::V4(*address)),
        Host::Ipv6(address) => is_loopback_ip(&IpAddr::V6(*address)),
    }
}

/// <https://w3c.github.io/webappsec-secure-contexts/#localhost>: `localhost`,
/// `localhost.` and any name under `.localhost` (RFC 6761 reserves them all
/// for loopback). `domain` is expected lower-cased, as `url` gives it.
pub fn is_localhost_name(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    domain == "localhost" || domain.ends_with(".localhost")
}

fn is_loopback_ip(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(address) => Ipv4Addr::is_loopback(address),
        IpAddr::V6(address) => *address == Ipv6Addr::LOCALHOST,
    }
}

fn host_as_ref(host: &Host<String>) -> Host<&str> {
    match host {
        Host::Domain(domain) => Host::Domain(domain.as_str()),
        Host::Ipv4(address) => Host::Ipv4(*address),
        Host::Ipv6(address) => Host::Ipv6(*address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trustworthy(url: &str) -> bool {
        is_potentially_trustworthy(&Url::parse(url).unwrap())
    }

    #[test]
    fn https_and_wss_are_trustworthy() {
        assert!(trustworthy("https://example.com/app.html"));
        assert!(trustworthy("wss://example.com/socket"));
    }

    #[test]
    fn http_on_the_open_network_is_not_trustworthy() {
        assert!(!trustworthy("http://example.com/"));
        assert!(!trustworthy("ws://example.com/"));
        assert!(!trustworthy("http://10.0.0.1/"));
        assert!(!trustworthy("http://[::2]/"));
    }

    #[test]
    fn file_urls_are_trustworthy() {
        assert!(trustworthy("file:///home/user/app.html"));
    }

    #[test]
    fn http_on_localhost_names_is_trustworthy() {
        assert!(trustworthy("http://localhost:8000/app.html"));
        assert!(trustworthy("http://LOCALHOST/"));
        assert!(trustworthy("http://localhost./"));
        assert!(trustworthy("http://app.localhost/"));
        assert!(trustworthy("ws://localhost/socket"));
        assert!(!trustworthy("http://localhost.example.com/"));
        assert!(!trustworthy("http://notlocalhost/"));
    }

    #[test]
    fn http_on_loopback_addresses_is_trustworthy() {
        assert!(trustworthy("http://127.0.0.1:8000/"));
        assert!(trustworthy("http://127.255.0.3/"));
        assert!(trustworthy("http://127.1/"));
        assert!(trustworthy("http://[::1]:8000/"));
        assert!(!trustworthy("http://128.0.0.1/"));
        assert!(!trustworthy("http://[::ffff:127.0.0.1]/"));
    }

    #[test]
    fn urls_with_opaque_origins_are_not_trustworthy() {
        assert!(!trustworthy("data:text/html,hi"));
        assert!(!trustworthy("about:blank"));
        assert!(!trustworthy("about:srcdoc"));
        assert!(!trustworthy("javascript:1"));
    }

    #[test]
    fn blob_urls_take_their_inner_origin() {
        assert!(trustworthy(
            "blob:https://example.com/0b6b8d8b-6d9e-4e4a-9a2e-6c5a5d2b3f1a"
        ));
        assert!(!trustworthy(
            "blob:http://example.com/0b6b8d8b-6d9e-4e4a-9a2e-6c5a5d2b3f1a"
        ));
    }

    #[test]
    fn origin_serialization() {
        let url = Url::parse("https://Example.com:8443/a/b?c#d").unwrap();
        assert_eq!(
            ascii_serialization(&origin_of(&url)),
            "https://example.com:8443"
        );
        let default_port = Url::parse("http://example.com:80/").unwrap();
        assert_eq!(
            ascii_serialization(&origin_of(&default_port)),
            "http://example.com"
        );
        let data = Url::parse("data:,x").unwrap();
        assert_eq!(ascii_serialization(&origin_of(&data)), "null");
    }

    #[test]
    fn same_origin_ignores_path_but_not_port_or_scheme() {
        let origin = |url: &str| origin_of(&Url::parse(url).unwrap());
        assert_eq!(origin("https://a.test/x"), origin("https://a.test/y?z"));
        assert_ne!(origin("https://a.test/"), origin("https://a.test:444/"));
        assert_ne!(origin("https://a.test/"), origin("http://a.test/"));
    }

    #[test]
    fn opaque_origin_is_not_trustworthy() {
        let origin = origin_of(&Url::parse("data:,x").unwrap());
        assert!(!is_origin_potentially_trustworthy(&origin));
    }

    #[test]
    fn loopback_hosts() {
        assert!(host_is_loopback(&Host::Domain("localhost")));
        assert!(host_is_loopback(&Host::Ipv4(Ipv4Addr::new(127, 0, 0, 1))));
        assert!(host_is_loopback(&Host::Ipv6(Ipv6Addr::LOCALHOST)));
        assert!(!host_is_loopback(&Host::Ipv4(Ipv4Addr::new(192, 0, 2, 1))));
        assert!(!host_is_loopback(&Host::Domain("example.com")));
    }
}

//! <https://w3c.github.io/ServiceWorker/#request-matches-cached-item-algorithm>,
//! as a pure function of the two requests, the cached response's headers
//! and the options; and the URL forms the store indexes its entries by, so
//! that a query reads only the entries of its URL.
//!
//! URLs arrive serialized (a script thread parsed them), so the fragment is
//! everything from the first `#` and the query everything from the first
//! `?` before it: a serialized URL has no other `#`, and no `?` in its path.

use cache_storage_traits::{CacheRequest, QueryOptions};

/// `url` without its fragment: the URL the spec compares "with exclude
/// fragments flag set".
pub fn without_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(before, _)| before)
}

/// `url` without its fragment and its query: the URL `ignoreSearch`
/// compares.
pub fn without_query(url: &str) -> &str {
    let url = without_fragment(url);
    url.split_once('?').map_or(url, |(before, _)| before)
}

/// The URL a request is looked up by with `options`.
pub fn lookup_url<'a>(url: &'a str, options: &QueryOptions) -> &'a str {
    if options.ignore_search {
        without_query(url)
    } else {
        without_fragment(url)
    }
}

/// <https://fetch.spec.whatwg.org/#concept-header-list-get>: the values of
/// the headers named `name` (ASCII case-insensitively), joined by `", "`;
/// `None` if there is none.
pub fn combined_value(headers: &[(String, String)], name: &str) -> Option<String> {
    let mut values = headers
        .iter()
        .filter(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str());
    let first = values.next()?;
    Some(values.fold(first.to_owned(), |mut combined, value| {
        combined.push_str(", ");
        combined.push_str(value);
        combined
    }))
}

/// The field names a response varies on: its `Vary` header's comma-separated
/// items, trimmed of HTTP whitespace, empty items dropped.
fn vary_field_names(response_headers: &[(String, String)]) -> Vec<String> {
    combined_value(response_headers, "vary")
        .map(|vary| {
            vary.split(',')
                .map(|item| item.trim_matches([' ', '\t']))
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a query's method can match anything without `ignoreMethod`: only
/// `GET` requests are stored, and a query of another method matches none.
pub fn method_may_match(query: &CacheRequest, options: &QueryOptions) -> bool {
    options.ignore_method || query.method == "GET"
}

/// <https://w3c.github.io/ServiceWorker/#request-matches-cached-item-algorithm>:
/// whether `query` matches the cached item (`cached`, with its response's
/// headers; `None` for no response).
pub fn request_matches_cached_item(
    query: &CacheRequest,
    cached: &CacheRequest,
    response_headers: Option<&[(String, String)]>,
    options: &QueryOptions,
) -> bool {
    // Step 1: If options["ignoreMethod"] is false and requestQuery's method
    // is not `GET`, return false.
    if !method_may_match(query, options) {
        return false;
    }
    // Steps 2-5: the URLs, with fragments excluded (and queries too with
    // options["ignoreSearch"]), must be equal.
    if lookup_url(&query.url, options) != lookup_url(&cached.url, options) {
        return false;
    }
    // Step 6: If response is null, options["ignoreVary"] is true, or
    // response's header list does not contain `Vary`, return true.
    let Some(response_headers) = response_headers else {
        return true;
    };
    if options.ignore_vary {
        return true;
    }
    // Steps 7-8: for each field name of `Vary`: `*` never matches; else the
    // two requests' combined values of that header must be equal (both
    // absent is equal).
    for name in vary_field_names(response_headers) {
        if name == "*"
            || combined_value(&cached.headers, &name) != combined_value(&query.headers, &name)
        {
            return false;
        }
    }
    // Step 9: Return true.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, headers: &[(&str, &str)]) -> CacheRequest {
        CacheRequest {
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            ..CacheRequest::get(url)
        }
    }

    fn vary(value: &str) -> Vec<(String, String)> {
        vec![("Vary".to_owned(), value.to_owned())]
    }

    const DEFAULT: QueryOptions = QueryOptions {
        ignore_search: false,
        ignore_method: false,
        ignore_vary: false,
    };

    #[test]
    fn urls_are_compared_without_fragments_and_with_ignore_search_without_queries() {
        assert_eq!(
            without_fragment("https://a.test/x?q#f?g"),
            "https://a.test/x?q"
        );
        assert_eq!(without_query("https://a.test/x?q#f?g"), "https://a.test/x");
        assert_eq!(without_query("https://a.test/x#f?g"), "https://a.test/x");
        let cached = request("https://a.test/x?q=1", &[]);
        assert!(request_matches_cached_item(
            &request("https://a.test/x?q=1#top", &[]),
            &cached,
            None,
            &DEFAULT
        ));
        assert!(!request_matches_cached_item(
            &request("https://a.test/x?q=2", &[]),
            &cached,
            None,
            &DEFAULT
        ));
        let ignore_search = QueryOptions {
            ignore_search: true,
            ..DEFAULT
        };
        assert!(request_matches_cached_item(
            &request("https://a.test/x", &[]),
            &cached,
            None,
            &ignore_search
        ));
    }

    #[test]
    fn a_query_that_is_not_get_matches_only_with_ignore_method() {
        let cached = request("https://a.test/x", &[]);
        let post = CacheRequest {
            method: "POST".to_owned(),
            ..cached.clone()
        };
        assert!(!request_matches_cached_item(&post, &cached, None, &DEFAULT));
        let ignore_method = QueryOptions {
            ignore_method: true,
            ..DEFAULT
        };
        assert!(request_matches_cached_item(
            &post,
            &cached,
            None,
            &ignore_method
        ));
    }

    #[test]
    fn vary_compares_the_named_request_headers_case_insensitively() {
        let cached = request("https://a.test/x", &[("accept-language", "fr")]);
        let headers = vary(" Accept-Language , ,cookie");
        let same = request("https://a.test/x", &[("Accept-Language", "fr")]);
        let other = request("https://a.test/x", &[("accept-language", "de")]);
        let none = request("https://a.test/x", &[]);
        assert!(request_matches_cached_item(
            &same,
            &cached,
            Some(&headers),
            &DEFAULT
        ));
        assert!(!request_matches_cached_item(
            &other,
            &cached,
            Some(&headers),
            &DEFAULT
        ));
        assert!(!request_matches_cached_item(
            &none,
            &cached,
            Some(&headers),
            &DEFAULT
        ));
        let ignore_vary = QueryOptions {
            ignore_vary: true,
            ..DEFAULT
        };
        assert!(request_matches_cached_item(
            &other,
            &cached,
            Some(&headers),
            &ignore_vary
        ));
    }

    #[test]
    fn vary_on_a_header_both_requests_lack_matches() {
        let cached = request("https://a.test/x", &[]);
        assert!(request_matches_cached_item(
            &request("https://a.test/x", &[]),
            &cached,
            Some(&vary("x-flavour")),
            &DEFAULT
        ));
    }

    #[test]
    fn vary_star_matches_nothing_unless_ignore_vary() {
        let cached = request("https://a.test/x", &[]);
        let query = cached.clone();
        assert!(!request_matches_cached_item(
            &query,
            &cached,
            Some(&vary("accept, *")),
            &DEFAULT
        ));
        let ignore_vary = QueryOptions {
            ignore_vary: true,
            ..DEFAULT
        };
        assert!(request_matches_cached_item(
            &query,
            &cached,
            Some(&vary("*")),
            &ignore_vary
        ));
    }

    #[test]
    fn repeated_headers_compare_by_their_combined_value() {
        let headers = vec![
            ("Vary".to_owned(), "a".to_owned()),
            ("vary".to_owned(), "b".to_owned()),
        ];
        assert_eq!(vary_field_names(&headers), ["a", "b"]);
        let cached = request("https://a.test/x", &[("a", "1"), ("a", "2"), ("b", "3")]);
        let same = request("https://a.test/x", &[("a", "1, 2"), ("b", "3")]);
        let reordered = request("https://a.test/x", &[("a", "2"), ("a", "1"), ("b", "3")]);
        assert!(request_matches_cached_item(
            &same,
            &cached,
            Some(&headers),
            &DEFAULT
        ));
        assert!(!request_matches_cached_item(
            &reordered,
            &cached,
            Some(&headers),
            &DEFAULT
        ));
    }
}

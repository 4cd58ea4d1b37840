//! Requests and responses for the tests.

// Each test file uses its own part of these.
#![allow(dead_code)]

use cache_storage_traits::{CacheOp, CacheRequest, CacheResponse, QueryOptions};

pub fn get(url: &str) -> CacheRequest {
    CacheRequest::get(url)
}

pub fn get_with(url: &str, headers: &[(&str, &str)]) -> CacheRequest {
    CacheRequest {
        headers: headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        ..CacheRequest::get(url)
    }
}

pub fn with_method(method: &str, url: &str) -> CacheRequest {
    CacheRequest {
        method: method.to_owned(),
        ..CacheRequest::get(url)
    }
}

/// A 200 response whose body is `body`.
pub fn response(body: &str) -> CacheResponse {
    response_with(body, &[])
}

pub fn response_with(body: &str, headers: &[(&str, &str)]) -> CacheResponse {
    CacheResponse {
        response_type: "basic".to_owned(),
        url_list: vec!["https://a.test/served".to_owned()],
        status: 200,
        status_text: "OK".to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
        redirected: false,
    }
}

pub fn put(url: &str, body: &str) -> CacheOp {
    CacheOp::Put {
        request: get(url),
        response: response(body),
    }
}

pub fn delete(url: &str, options: QueryOptions) -> CacheOp {
    CacheOp::Delete {
        request: get(url),
        options,
    }
}

/// The bodies of `responses`, as text.
pub fn bodies(responses: &[CacheResponse]) -> Vec<String> {
    responses
        .iter()
        .map(|response| String::from_utf8_lossy(&response.body).into_owned())
        .collect()
}

pub fn urls(requests: &[CacheRequest]) -> Vec<&str> {
    requests
        .iter()
        .map(|request| request.url.as_str())
        .collect()
}

pub const IGNORE_SEARCH: QueryOptions = QueryOptions {
    ignore_search: true,
    ignore_method: false,
    ignore_vary: false,
};

pub const IGNORE_METHOD: QueryOptions = QueryOptions {
    ignore_search: false,
    ignore_method: true,
    ignore_vary: false,
};

pub const IGNORE_VARY: QueryOptions = QueryOptions {
    ignore_search: false,
    ignore_method: false,
    ignore_vary: true,
};

pub const DEFAULT: QueryOptions = QueryOptions {
    ignore_search: false,
    ignore_method: false,
    ignore_vary: false,
};

//! `http:` loads against a real server on 127.0.0.1.

mod support;

use std::time::Duration;

use net::{
    CacheMode, HttpCache, LoadError, Loader, LoaderConfig, RedirectMode, RequestOptions,
    StreamEvent, DEFAULT_USER_AGENT, MAX_REDIRECTS,
};
use support::{closed_port_url, TestServer};

fn loader_with_limit(max_response_bytes: u64) -> Loader {
    Loader::new(LoaderConfig {
        max_response_bytes,
        ..LoaderConfig::default()
    })
}

#[test]
fn ok_response_has_status_headers_type_and_body() {
    let server = TestServer::start();
    let url = server.url("/hello");
    let resource = Loader::default().load(&url).unwrap();
    assert_eq!(resource.url, url);
    assert_eq!(resource.status, 200);
    assert_eq!(resource.status_text, "OK");
    assert!(resource.is_ok());
    assert_eq!(resource.content_type.as_deref(), Some("text/html"));
    assert_eq!(resource.charset.as_deref(), Some("utf-8"));
    assert_eq!(
        resource.header("Content-Type"),
        Some("text/html; charset=UTF-8")
    );
    assert_eq!(resource.body, b"<p>hello</p>");
    assert!(!resource.redirected);
}

#[test]
fn response_without_content_type_has_none() {
    let server = TestServer::start();
    let resource = Loader::default().load(&server.url("/plain")).unwrap();
    assert_eq!(resource.content_type, None);
    assert_eq!(resource.charset, None);
    assert_eq!(resource.body, b"no type");
}

#[test]
fn not_found_is_a_resource_not_an_error() {
    let server = TestServer::start();
    let resource = Loader::default().load(&server.url("/missing")).unwrap();
    assert_eq!(resource.status, 404);
    assert_eq!(resource.status_text, "Not Found");
    assert!(!resource.is_ok());
    assert_eq!(resource.body, b"not here");
}

#[test]
fn server_error_is_a_resource_not_an_error() {
    let server = TestServer::start();
    let resource = Loader::default().load(&server.url("/error")).unwrap();
    assert_eq!(resource.status, 500);
    assert_eq!(resource.body, b"oops");
}

#[test]
fn redirect_chain_is_followed_to_the_final_url() {
    let server = TestServer::start();
    let resource = Loader::default()
        .load(&server.url("/redirect/3#section"))
        .unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.body, b"end of chain");
    assert!(resource.redirected);
    // The fragment of the request survives the redirects, as in Fetch.
    assert_eq!(resource.url, server.url("/redirect/0#section"));
}

#[test]
fn twenty_redirects_are_followed() {
    let server = TestServer::start();
    let url = server.url(&format!("/redirect/{MAX_REDIRECTS}"));
    let resource = Loader::default().load(&url).unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.url, server.url("/redirect/0"));
}

#[test]
fn twenty_first_redirect_fails() {
    let server = TestServer::start();
    let url = server.url(&format!("/redirect/{}", MAX_REDIRECTS + 1));
    assert!(matches!(
        Loader::default().load(&url),
        Err(LoadError::TooManyRedirects)
    ));
}

#[test]
fn redirect_loop_fails() {
    let server = TestServer::start();
    assert!(matches!(
        Loader::default().load(&server.url("/redirect-loop")),
        Err(LoadError::TooManyRedirects)
    ));
}

#[test]
fn redirect_to_a_file_url_does_not_read_the_file() {
    let server = TestServer::start();
    match Loader::default().load(&server.url("/redirect-to-file")) {
        Err(LoadError::Network(message)) => {
            assert!(message.contains("file:///etc/hostname"), "{message}")
        }
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[test]
fn redirect_to_another_server_uses_the_absolute_location() {
    let first = TestServer::start();
    let second = TestServer::start();
    let port = second.url("/").port().unwrap();
    let resource = Loader::default()
        .load(&first.url(&format!("/redirect-to-port/{port}/hello")))
        .unwrap();
    assert_eq!(resource.url, second.url("/hello"));
    assert!(resource.redirected);
    assert_eq!(resource.body, b"<p>hello</p>");
}

#[test]
fn fragment_of_the_location_wins_over_the_requested_one() {
    let server = TestServer::start();
    let resource = Loader::default()
        .load(&server.url("/redirect-with-fragment#old"))
        .unwrap();
    assert_eq!(resource.url, server.url("/hello#top"));
}

#[test]
fn redirect_status_without_location_is_the_response() {
    let server = TestServer::start();
    let resource = Loader::default()
        .load(&server.url("/redirect-without-location"))
        .unwrap();
    assert_eq!(resource.status, 302);
    assert_eq!(resource.body, b"stay");
    assert!(!resource.redirected);
}

#[test]
fn user_agent_is_sent() {
    let server = TestServer::start();
    let resource = Loader::default().load(&server.url("/user-agent")).unwrap();
    assert_eq!(resource.body, DEFAULT_USER_AGENT.as_bytes());

    let custom = Loader::new(LoaderConfig {
        user_agent: "TestBrowser/1.0".to_owned(),
        ..LoaderConfig::default()
    });
    let resource = custom.load(&server.url("/user-agent")).unwrap();
    assert_eq!(resource.body, b"TestBrowser/1.0");
}

#[test]
fn body_exactly_at_the_limit_loads() {
    let server = TestServer::start();
    let resource = loader_with_limit(1000)
        .load(&server.url("/bytes/1000"))
        .unwrap();
    assert_eq!(resource.body.len(), 1000);
}

#[test]
fn body_one_byte_over_the_limit_is_too_large() {
    let server = TestServer::start();
    assert!(matches!(
        loader_with_limit(999).load(&server.url("/bytes/1000")),
        Err(LoadError::TooLarge { limit: 999 })
    ));
}

#[test]
fn declared_huge_body_is_too_large() {
    let server = TestServer::start();
    assert!(matches!(
        loader_with_limit(64 * 1024).load(&server.url("/huge-declared")),
        Err(LoadError::TooLarge { limit: 65536 })
    ));
}

#[test]
fn endless_body_without_length_is_too_large() {
    let server = TestServer::start();
    assert!(matches!(
        loader_with_limit(64 * 1024).load(&server.url("/huge-undeclared")),
        Err(LoadError::TooLarge { limit: 65536 })
    ));
}

#[test]
fn slow_body_past_the_timeout_is_a_network_error() {
    let server = TestServer::start();
    let loader = Loader::new(LoaderConfig {
        timeout: Some(Duration::from_millis(300)),
        ..LoaderConfig::default()
    });
    match loader.load(&server.url("/slow")) {
        Err(LoadError::Network(message)) => assert!(message.contains("timed out"), "{message}"),
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[test]
fn closed_port_is_a_network_error() {
    let result = Loader::default().load(&closed_port_url());
    match result {
        Err(LoadError::Network(message)) => {
            assert!(message.to_lowercase().contains("refused"), "{message}")
        }
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[test]
fn one_loader_serves_many_loads() {
    let server = TestServer::start();
    let loader = Loader::default();
    for _ in 0..5 {
        assert_eq!(loader.load(&server.url("/hello")).unwrap().status, 200);
    }
}

#[test]
fn manual_redirect_mode_returns_the_redirect_itself() {
    let server = TestServer::start();
    let options = RequestOptions {
        redirect: RedirectMode::Manual,
        ..RequestOptions::default()
    };
    let url = server.url("/redirect-with-fragment");
    let resource = Loader::default().load_with(&url, &options).unwrap();
    assert_eq!(resource.status, 302);
    assert_eq!(resource.url, url);
    assert!(!resource.redirected);
    assert_eq!(resource.header("location"), Some("/hello#top"));
}

#[test]
fn request_headers_are_sent() {
    let server = TestServer::start();
    let options = RequestOptions {
        headers: vec![("Service-Worker".to_owned(), "script".to_owned())],
        ..RequestOptions::default()
    };
    let url = server.url("/service-worker-header");
    let resource = Loader::default().load_with(&url, &options).unwrap();
    assert_eq!(resource.body, b"script");
    let plain = Loader::default().load(&url).unwrap();
    assert_eq!(plain.body, b"(none)");
}

#[test]
fn method_and_body_are_sent_and_redirects_follow_fetch() {
    let server = TestServer::start();
    let post = RequestOptions {
        method: "POST".to_owned(),
        body: Some(b"payload".to_vec()),
        ..RequestOptions::default()
    };
    let direct = Loader::default()
        .load_with(&server.url("/echo"), &post)
        .unwrap();
    assert_eq!(direct.body, b"POST payload");
    // 307 keeps the method and the body.
    let kept = Loader::default()
        .load_with(&server.url("/temporary"), &post)
        .unwrap();
    assert_eq!(kept.body, b"POST payload");
    assert!(kept.redirected);
    // 303 turns a POST into a GET without a body.
    let changed = Loader::default()
        .load_with(&server.url("/see-other"), &post)
        .unwrap();
    assert_eq!(changed.body, b"GET ");
    let put = RequestOptions {
        method: "PUT".to_owned(),
        body: Some(Vec::new()),
        ..RequestOptions::default()
    };
    let empty = Loader::default()
        .load_with(&server.url("/echo"), &put)
        .unwrap();
    assert_eq!(empty.body, b"PUT ");
}

fn cached_loader() -> Loader {
    Loader::default().with_http_cache(HttpCache::new(1 << 20))
}

fn body_of(loader: &Loader, url: &url::Url, cache: CacheMode, partition: &str) -> String {
    let options = RequestOptions {
        cache,
        cache_partition: partition.to_owned(),
        ..RequestOptions::default()
    };
    let resource = loader.load_with(url, &options).unwrap();
    String::from_utf8(resource.body).unwrap()
}

#[test]
fn a_fresh_response_is_reused_within_its_partition_only() {
    let server = TestServer::start();
    let url = server.url("/cache/max-age");
    let loader = cached_loader();
    let first = body_of(&loader, &url, CacheMode::Default, "a");
    // A clone shares the cache.
    assert_eq!(
        body_of(&loader.clone(), &url, CacheMode::Default, "a"),
        first
    );
    assert_ne!(body_of(&loader, &url, CacheMode::Default, "b"), first);
    // Without a cache, every load goes to the server.
    let plain = Loader::default();
    assert_ne!(
        body_of(&plain, &url, CacheMode::Default, "a"),
        body_of(&plain, &url, CacheMode::Default, "a")
    );
}

#[test]
fn cache_modes_choose_between_the_store_and_the_network() {
    let server = TestServer::start();
    let url = server.url("/cache/max-age");
    let loader = cached_loader();
    let body = |mode| body_of(&loader, &url, mode, "p");
    let stored = body(CacheMode::Default);
    assert_eq!(body(CacheMode::ForceCache), stored);
    assert_eq!(body(CacheMode::OnlyIfCached), stored);
    // no-store: the network, and the cache keeps what it had.
    assert_ne!(body(CacheMode::NoStore), stored);
    assert_eq!(body(CacheMode::Default), stored);
    // no-cache without a validator: the network, whose answer is stored.
    let revalidated = body(CacheMode::NoCache);
    assert_ne!(revalidated, stored);
    assert_eq!(body(CacheMode::Default), revalidated);
    // reload: the network, whose answer is stored.
    let reloaded = body(CacheMode::Reload);
    assert_ne!(reloaded, revalidated);
    assert_eq!(body(CacheMode::Default), reloaded);

    let options = RequestOptions {
        cache: CacheMode::OnlyIfCached,
        ..RequestOptions::default()
    };
    match loader.load_with(&server.url("/cache/etag"), &options) {
        Err(LoadError::Network(reason)) => assert!(reason.contains("only-if-cached"), "{reason}"),
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[test]
fn a_stale_response_is_revalidated_and_a_304_refreshes_it() {
    let server = TestServer::start();
    let url = server.url("/cache/etag");
    let loader = cached_loader();
    let first = loader.load(&url).unwrap();
    assert_eq!(first.header("x-revalidated"), None);
    let second = loader.load(&url).unwrap();
    assert_eq!(second.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("x-revalidated"), Some("yes"));
    // force-cache takes the stale response without asking.
    let options = RequestOptions {
        cache: CacheMode::ForceCache,
        ..RequestOptions::default()
    };
    assert_eq!(loader.load_with(&url, &options).unwrap().body, first.body);
    // A request with its own condition is the page's business: nothing stored answers it.
    let conditional = RequestOptions {
        headers: vec![("If-None-Match".to_owned(), "\"v1\"".to_owned())],
        ..RequestOptions::default()
    };
    assert_eq!(loader.load_with(&url, &conditional).unwrap().status, 304);
}

#[test]
fn no_store_responses_are_not_kept_and_unsafe_methods_invalidate() {
    let server = TestServer::start();
    let loader = cached_loader();
    let url = server.url("/cache/no-store");
    assert_ne!(
        loader.load(&url).unwrap().body,
        loader.load(&url).unwrap().body
    );
    assert!(loader.http_cache().unwrap().is_empty());

    let url = server.url("/cache/max-age");
    let stored = loader.load(&url).unwrap().body;
    assert_eq!(loader.load(&url).unwrap().body, stored);
    let post = RequestOptions {
        method: "POST".to_owned(),
        body: Some(b"x".to_vec()),
        ..RequestOptions::default()
    };
    loader.load_with(&url, &post).unwrap();
    assert_ne!(loader.load(&url).unwrap().body, stored);
}

#[test]
fn a_cached_redirect_is_followed_without_the_network() {
    let server = TestServer::start();
    let loader = cached_loader();
    let url = server.url("/cache/redirect");
    let first = loader.load(&url).unwrap();
    assert!(first.redirected);
    assert_eq!(first.url, server.url("/cache/max-age"));
    let cache = loader.http_cache().unwrap();
    assert_eq!(cache.len(), 2, "the redirect and its target are stored");
    let again = loader.load(&url).unwrap();
    assert_eq!(again.body, first.body);
    assert!(again.redirected);
}

#[test]
fn cache_modes_add_the_request_headers_fetch_gives_them() {
    let server = TestServer::start();
    let loader = cached_loader();
    let url = server.url("/cache/request-headers");
    let headers = |mode| body_of(&loader, &url, mode, "p");
    assert_eq!(headers(CacheMode::Default), "(none) / (none)");
    assert_eq!(headers(CacheMode::NoCache), "max-age=0 / (none)");
    assert_eq!(headers(CacheMode::Reload), "no-cache / no-cache");
    assert_eq!(headers(CacheMode::NoStore), "no-cache / no-cache");
}

/// The events a stream of `url` gives: "head STATUS", then each chunk as text.
fn stream_events(url: &url::Url, stop_after_head: bool) -> (Vec<String>, net::Resource) {
    let mut events = Vec::new();
    let head = Loader::default()
        .stream(url, &RequestOptions::default(), &mut |event| {
            match event {
                StreamEvent::Head(head) => events.push(format!("head {}", head.status)),
                StreamEvent::Chunk(bytes) => events.push(String::from_utf8_lossy(bytes).into()),
            }
            !stop_after_head
        })
        .unwrap();
    (events, head)
}

#[test]
fn a_streamed_body_arrives_in_parts_as_the_server_sends_them() {
    let server = TestServer::start();
    let (events, head) = stream_events(&server.url("/drip"), false);
    assert_eq!(head.status, 200);
    assert_eq!(head.content_type.as_deref(), Some("text/event-stream"));
    assert!(head.body.is_empty());
    assert_eq!(events[0], "head 200");
    assert!(events.len() >= 3, "the two parts came apart: {events:?}");
    assert_eq!(events[1..].concat(), "firstsecond");
}

#[test]
fn a_stream_follows_redirects_and_stops_when_the_sink_says_so() {
    let server = TestServer::start();
    let (events, head) = stream_events(&server.url("/redirect/2"), false);
    assert_eq!(events, ["head 200", "end of chain"]);
    assert!(head.redirected);
    assert_eq!(head.url, server.url("/redirect/0"));
    let (events, _) = stream_events(&server.url("/drip"), true);
    assert_eq!(
        events,
        ["head 200"],
        "nothing is read after the sink stopped"
    );
}

#[test]
fn a_broken_body_is_an_error_unless_the_request_keeps_it() {
    let server = TestServer::start();
    let url = server.url("/broken-chunked");
    match Loader::default().load(&url) {
        Err(LoadError::Network(reason)) => assert!(reason.contains("broke off"), "{reason}"),
        other => panic!("expected a network error, got {other:?}"),
    }
    let options = RequestOptions {
        keep_broken_body: true,
        ..RequestOptions::default()
    };
    let kept = Loader::default().load_with(&url, &options).unwrap();
    assert_eq!(kept.status, 200);
    assert!(kept
        .body_error
        .as_deref()
        .is_some_and(|reason| reason.contains("broke off")));
    assert!(
        kept.body.starts_with(b"hello") || kept.body.is_empty(),
        "{:?}",
        kept.body
    );
    // A whole body has no error.
    let whole = Loader::default()
        .load_with(&server.url("/hello"), &options)
        .unwrap();
    assert_eq!(whole.body_error, None);
}

//! One origin's CacheStorage file: the name map, "query cache" through
//! every option, "batch cache operations" (all or nothing, duplicates,
//! replacement order), the quota, what survives reopening the file and
//! what happens to a file that is not ours.

mod common;

use cache_storage::layout::{open_origin, origin_file};
use cache_storage::{CacheId, OriginStore};
use cache_storage_traits::{CacheErrorName, CacheOp, CacheRequest};
use common::*;
use tempfile::TempDir;

fn cache_with(store: &mut OriginStore, ops: Vec<CacheOp>) -> CacheId {
    let cache = store.open_cache("v1").unwrap();
    store.batch(cache, ops).unwrap();
    cache
}

fn match_all(store: &OriginStore, cache: CacheId, query: &CacheRequest) -> Vec<String> {
    bodies(
        &store
            .match_all(cache, Some(query), &DEFAULT, false)
            .unwrap(),
    )
}

#[test]
fn caches_are_named_once_and_listed_in_creation_order() {
    let mut store = OriginStore::in_memory().unwrap();
    let b = store.open_cache("b").unwrap();
    let a = store.open_cache("a").unwrap();
    assert_eq!(
        store.open_cache("b").unwrap(),
        b,
        "the same name is the same cache"
    );
    assert_ne!(a, b);
    assert_eq!(store.cache_names().unwrap(), ["b", "a"]);
    assert_eq!(store.caches().unwrap(), [b, a]);
    assert_eq!(store.find_cache("a").unwrap(), Some(a));
    assert_eq!(store.delete_cache("b").unwrap(), Some(b));
    assert_eq!(store.delete_cache("b").unwrap(), None);
    assert_eq!(store.find_cache("b").unwrap(), None);
    // The name is free again, for a new cache that comes last.
    let new_b = store.open_cache("b").unwrap();
    assert_ne!(new_b, b);
    assert_eq!(store.cache_names().unwrap(), ["a", "b"]);
}

#[test]
fn a_put_is_matched_with_its_whole_response() {
    let mut store = OriginStore::in_memory().unwrap();
    let mut stored = response_with("hello", &[("content-type", "text/plain")]);
    stored.redirected = true;
    stored.url_list = vec!["https://a.test/old".into(), "https://a.test/x".into()];
    stored.status = 201;
    stored.status_text = "Created".into();
    stored.response_type = "cors".into();
    let cache = cache_with(
        &mut store,
        vec![CacheOp::Put {
            request: get("https://a.test/x"),
            response: stored.clone(),
        }],
    );
    let found = store
        .match_all(cache, Some(&get("https://a.test/x")), &DEFAULT, true)
        .unwrap();
    assert_eq!(found, [stored]);
    assert!(match_all(&store, cache, &get("https://a.test/y")).is_empty());
    assert!(match_all(&store, cache, &get("https://b.test/x")).is_empty());
}

#[test]
fn a_put_replaces_the_entry_it_matches_and_moves_it_to_the_end() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(
        &mut store,
        vec![
            put("https://a.test/1", "one"),
            put("https://a.test/2", "two"),
            put("https://a.test/3", "three"),
        ],
    );
    let replaced = store
        .batch(cache, vec![put("https://a.test/1", "one again")])
        .unwrap();
    assert_eq!(replaced, [true]);
    let keys = store.keys(cache, None, &DEFAULT).unwrap();
    assert_eq!(
        urls(&keys),
        ["https://a.test/2", "https://a.test/3", "https://a.test/1"]
    );
    assert_eq!(
        match_all(&store, cache, &get("https://a.test/1")),
        ["one again"]
    );
}

#[test]
fn match_all_answers_in_insertion_order() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(
        &mut store,
        vec![
            put("https://a.test/p?b", "b"),
            put("https://a.test/other", "other"),
            put("https://a.test/p?a", "a"),
            put("https://a.test/p", "plain"),
        ],
    );
    let all = store.match_all(cache, None, &DEFAULT, false).unwrap();
    assert_eq!(bodies(&all), ["b", "other", "a", "plain"]);
    let first = store.match_all(cache, None, &DEFAULT, true).unwrap();
    assert_eq!(bodies(&first), ["b"]);
    let search_free = store
        .match_all(
            cache,
            Some(&get("https://a.test/p?z")),
            &IGNORE_SEARCH,
            false,
        )
        .unwrap();
    assert_eq!(bodies(&search_free), ["b", "a", "plain"]);
}

#[test]
fn ignore_search_drops_the_query_of_both_urls() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(&mut store, vec![put("https://a.test/x?v=1", "v1")]);
    assert!(match_all(&store, cache, &get("https://a.test/x")).is_empty());
    assert!(match_all(&store, cache, &get("https://a.test/x?v=2")).is_empty());
    for query in [
        "https://a.test/x",
        "https://a.test/x?v=2",
        "https://a.test/x?#f",
    ] {
        let found = store
            .match_all(cache, Some(&get(query)), &IGNORE_SEARCH, false)
            .unwrap();
        assert_eq!(bodies(&found), ["v1"], "{query}");
    }
    let keys = store
        .keys(cache, Some(&get("https://a.test/x")), &IGNORE_SEARCH)
        .unwrap();
    assert_eq!(urls(&keys), ["https://a.test/x?v=1"]);
}

#[test]
fn a_fragment_is_kept_but_never_compared() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(&mut store, vec![put("https://a.test/x#stored", "x")]);
    assert_eq!(match_all(&store, cache, &get("https://a.test/x")), ["x"]);
    assert_eq!(
        match_all(&store, cache, &get("https://a.test/x#other")),
        ["x"]
    );
    assert_eq!(
        urls(&store.keys(cache, None, &DEFAULT).unwrap()),
        ["https://a.test/x#stored"]
    );
    // A put of the same URL with another fragment replaces it.
    store
        .batch(cache, vec![put("https://a.test/x#new", "new")])
        .unwrap();
    assert_eq!(match_all(&store, cache, &get("https://a.test/x")), ["new"]);
}

#[test]
fn a_query_that_is_not_get_matches_nothing_unless_ignore_method() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(&mut store, vec![put("https://a.test/x", "x")]);
    let post = with_method("POST", "https://a.test/x");
    assert!(match_all(&store, cache, &post).is_empty());
    assert!(store.keys(cache, Some(&post), &DEFAULT).unwrap().is_empty());
    let found = store
        .match_all(cache, Some(&post), &IGNORE_METHOD, false)
        .unwrap();
    assert_eq!(bodies(&found), ["x"]);
    // A delete of a POST without ignoreMethod removes nothing.
    let removed = store
        .batch(
            cache,
            vec![CacheOp::Delete {
                request: post.clone(),
                options: DEFAULT,
            }],
        )
        .unwrap();
    assert_eq!(removed, [false]);
    assert_eq!(match_all(&store, cache, &get("https://a.test/x")), ["x"]);
}

#[test]
fn vary_matches_equal_request_headers_and_ignore_vary_skips_it() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(
        &mut store,
        vec![CacheOp::Put {
            request: get_with("https://a.test/x", &[("accept-language", "fr")]),
            response: response_with("fr", &[("Vary", "Accept-Language")]),
        }],
    );
    let french = get_with("https://a.test/x", &[("accept-language", "fr")]);
    let german = get_with("https://a.test/x", &[("accept-language", "de")]);
    let bare = get("https://a.test/x");
    assert_eq!(match_all(&store, cache, &french), ["fr"]);
    assert!(match_all(&store, cache, &german).is_empty());
    assert!(match_all(&store, cache, &bare).is_empty());
    let found = store
        .match_all(cache, Some(&german), &IGNORE_VARY, false)
        .unwrap();
    assert_eq!(bodies(&found), ["fr"]);
}

#[test]
fn vary_star_never_matches_but_ignore_vary_does() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(
        &mut store,
        vec![CacheOp::Put {
            request: get("https://a.test/x"),
            response: response_with("star", &[("vary", "*")]),
        }],
    );
    assert!(match_all(&store, cache, &get("https://a.test/x")).is_empty());
    let found = store
        .match_all(cache, Some(&get("https://a.test/x")), &IGNORE_VARY, false)
        .unwrap();
    assert_eq!(bodies(&found), ["star"]);
}

#[test]
fn puts_that_vary_keep_one_entry_per_variant() {
    let mut store = OriginStore::in_memory().unwrap();
    let variant = |language: &str| CacheOp::Put {
        request: get_with("https://a.test/x", &[("accept-language", language)]),
        response: response_with(language, &[("vary", "accept-language")]),
    };
    let cache = cache_with(&mut store, vec![variant("fr")]);
    // A put replaces what its request matches, and "de" does not match "fr".
    assert_eq!(store.batch(cache, vec![variant("de")]).unwrap(), [false]);
    let all = store.match_all(cache, None, &DEFAULT, false).unwrap();
    assert_eq!(bodies(&all), ["fr", "de"]);
    assert_eq!(store.batch(cache, vec![variant("fr")]).unwrap(), [true]);
    let all = store.match_all(cache, None, &DEFAULT, false).unwrap();
    assert_eq!(bodies(&all), ["de", "fr"]);
}

#[test]
fn a_failing_operation_takes_back_the_whole_batch() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(&mut store, vec![put("https://a.test/kept", "kept")]);
    let error = store
        .batch(
            cache,
            vec![
                put("https://a.test/new", "new"),
                delete("https://a.test/kept", DEFAULT),
                CacheOp::Put {
                    request: with_method("POST", "https://a.test/post"),
                    response: response("post"),
                },
            ],
        )
        .unwrap_err();
    assert_eq!(error.name, CacheErrorName::Type);
    assert!(match_all(&store, cache, &get("https://a.test/new")).is_empty());
    assert_eq!(
        match_all(&store, cache, &get("https://a.test/kept")),
        ["kept"]
    );
    // A store is still usable after a rolled-back batch.
    assert_eq!(
        store
            .batch(cache, vec![put("https://a.test/new", "new")])
            .unwrap(),
        [false]
    );
}

#[test]
fn a_put_of_a_request_that_is_not_http_is_a_type_error() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = store.open_cache("v1").unwrap();
    let error = store
        .batch(cache, vec![put("blob:https://a.test/1", "blob")])
        .unwrap_err();
    assert_eq!(error.name, CacheErrorName::Type);
    assert!(store.keys(cache, None, &DEFAULT).unwrap().is_empty());
}

#[test]
fn two_puts_of_one_request_in_a_batch_are_an_invalid_state_error() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = store.open_cache("v1").unwrap();
    let error = store
        .batch(
            cache,
            vec![
                put("https://a.test/a", "a"),
                put("https://a.test/x", "first"),
                put("https://a.test/x#again", "second"),
            ],
        )
        .unwrap_err();
    assert_eq!(error.name, CacheErrorName::InvalidState);
    assert!(store.keys(cache, None, &DEFAULT).unwrap().is_empty());
    // Requests that differ by a header the response varies on are two entries.
    let variant = |language: &str| CacheOp::Put {
        request: get_with("https://a.test/x", &[("accept-language", language)]),
        response: response_with(language, &[("vary", "accept-language")]),
    };
    store
        .batch(cache, vec![variant("fr"), variant("de")])
        .unwrap();
    assert_eq!(store.keys(cache, None, &DEFAULT).unwrap().len(), 2);
}

#[test]
fn delete_removes_what_its_options_match_and_says_whether_it_did() {
    let mut store = OriginStore::in_memory().unwrap();
    let cache = cache_with(
        &mut store,
        vec![
            put("https://a.test/x?1", "1"),
            put("https://a.test/x?2", "2"),
            put("https://a.test/y", "y"),
        ],
    );
    assert_eq!(
        store
            .batch(cache, vec![delete("https://a.test/x", DEFAULT)])
            .unwrap(),
        [false]
    );
    assert_eq!(
        store
            .batch(cache, vec![delete("https://a.test/x", IGNORE_SEARCH)])
            .unwrap(),
        [true]
    );
    assert_eq!(
        urls(&store.keys(cache, None, &DEFAULT).unwrap()),
        ["https://a.test/y"]
    );
    assert_eq!(
        store
            .batch(cache, vec![delete("https://a.test/x", IGNORE_SEARCH)])
            .unwrap(),
        [false]
    );
}

#[test]
fn keys_with_a_request_lists_the_matching_requests_with_their_headers() {
    let mut store = OriginStore::in_memory().unwrap();
    let stored = get_with("https://a.test/x?1", &[("accept", "text/html")]);
    let cache = cache_with(
        &mut store,
        vec![
            CacheOp::Put {
                request: stored.clone(),
                response: response("1"),
            },
            put("https://a.test/y", "y"),
        ],
    );
    let keys = store
        .keys(cache, Some(&get("https://a.test/x")), &IGNORE_SEARCH)
        .unwrap();
    assert_eq!(keys, [stored]);
}

#[test]
fn entries_survive_reopening_the_file_and_deleted_caches_do_not() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("origin.sqlite");
    let (kept, deleted) = {
        let mut store = OriginStore::open(&path, "https://a.test").unwrap();
        let kept = cache_with(&mut store, vec![put("https://a.test/x", "x")]);
        let deleted = store.open_cache("old").unwrap();
        store
            .batch(deleted, vec![put("https://a.test/old", "old")])
            .unwrap();
        // Deleted while (say) a global holds it: its entries stay for now.
        store.delete_cache("old").unwrap();
        assert_eq!(
            bodies(&store.match_all(deleted, None, &DEFAULT, false).unwrap()),
            ["old"]
        );
        (kept, deleted)
    };
    let store = OriginStore::open(&path, "https://a.test").unwrap();
    assert_eq!(store.cache_names().unwrap(), ["v1"]);
    assert_eq!(match_all(&store, kept, &get("https://a.test/x")), ["x"]);
    assert!(store
        .match_all(deleted, None, &DEFAULT, false)
        .unwrap()
        .is_empty());
}

#[test]
fn a_batch_past_the_quota_fails_and_keeps_what_was_stored() {
    let mut store = OriginStore::in_memory().unwrap();
    store.set_quota(256 * 1024).unwrap();
    let cache = store.open_cache("v1").unwrap();
    let body = |kib: usize| "z".repeat(kib * 1024);
    store
        .batch(
            cache,
            vec![CacheOp::Put {
                request: get("https://a.test/first"),
                response: response(&body(100)),
            }],
        )
        .unwrap();
    let error = store
        .batch(
            cache,
            vec![
                put("https://a.test/small", "small"),
                CacheOp::Put {
                    request: get("https://a.test/big"),
                    response: response(&body(200)),
                },
            ],
        )
        .unwrap_err();
    assert_eq!(error.name, CacheErrorName::QuotaExceeded);
    assert_eq!(
        urls(&store.keys(cache, None, &DEFAULT).unwrap()),
        ["https://a.test/first"]
    );
    assert_eq!(
        match_all(&store, cache, &get("https://a.test/first"))[0].len(),
        100 * 1024
    );
    store
        .batch(
            cache,
            vec![CacheOp::Put {
                request: get("https://a.test/smaller"),
                response: response(&body(50)),
            }],
        )
        .unwrap();
    assert_eq!(store.keys(cache, None, &DEFAULT).unwrap().len(), 2);
}

#[test]
fn a_file_that_is_not_a_database_is_moved_aside_and_replaced() {
    let profile = TempDir::new().unwrap();
    let path = origin_file(profile.path(), "https://a.test");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage = vec![0x5a; 8192];
    std::fs::write(&path, &garbage).unwrap();
    let mut opened = open_origin(profile.path(), "https://a.test").unwrap();
    let moved_to = opened
        .moved_aside
        .expect("the damaged file was moved aside");
    assert_eq!(std::fs::read(&moved_to).unwrap(), garbage);
    assert!(opened.store.cache_names().unwrap().is_empty());
    opened.store.open_cache("v1").unwrap();
    // The fresh file is a good one: opening it again moves nothing.
    drop(opened.store);
    let again = open_origin(profile.path(), "https://a.test").unwrap();
    assert!(again.moved_aside.is_none());
    assert_eq!(again.store.cache_names().unwrap(), ["v1"]);
}

#[test]
fn a_file_of_another_origin_is_not_opened_as_this_one() {
    let profile = TempDir::new().unwrap();
    let mut a = open_origin(profile.path(), "https://a.test").unwrap().store;
    a.open_cache("secret").unwrap();
    drop(a);
    let b_path = origin_file(profile.path(), "https://b.test");
    std::fs::copy(origin_file(profile.path(), "https://a.test"), &b_path).unwrap();
    let b = open_origin(profile.path(), "https://b.test").unwrap();
    assert!(b.moved_aside.is_some());
    assert!(b.store.cache_names().unwrap().is_empty());
}

#[test]
fn a_file_that_cannot_be_reached_is_left_where_it_is() {
    let profile = TempDir::new().unwrap();
    let path = origin_file(profile.path(), "https://a.test");
    // A directory where the file should be: SQLite cannot open it, and it
    // is not damaged data to move aside.
    std::fs::create_dir_all(&path).unwrap();
    let error = open_origin(profile.path(), "https://a.test").err().unwrap();
    assert_eq!(error.name, CacheErrorName::Unknown);
    assert!(path.is_dir());
    let moved = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".corrupt-")
        })
        .count();
    assert_eq!(moved, 0);
}

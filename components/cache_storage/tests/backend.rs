//! The backend's protocol with real SQLite files: the name map, matches
//! across caches, handles held per global (deleted caches kept for their
//! holders, forged numbers refused), origins kept apart, persistence across
//! backends, a damaged file, clearing an origin, replies numbered as asked.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cache_storage::{Backend, BackendConfig};
use cache_storage_traits::{
    CacheAnswer, CacheError, CacheErrorName, CacheHandle, CacheMsg, CacheOp, CacheReply,
    CacheStorageOp, MatchScope,
};
use common::*;
use crossbeam_channel::Receiver;

type Peer = &'static str;

const ORIGIN: &str = "https://a.test";

struct Harness {
    backend: Backend<Peer>,
    replies: Receiver<(Peer, Vec<CacheReply>)>,
    next_id: u64,
}

impl Harness {
    fn new(profile: Option<&std::path::Path>) -> Harness {
        Harness::with_quota(profile, 1 << 30)
    }

    fn with_quota(profile: Option<&std::path::Path>, max_bytes_per_origin: u64) -> Harness {
        let (sender, replies) = crossbeam_channel::unbounded();
        let backend = Backend::new(
            BackendConfig {
                profile: profile.map(ToOwned::to_owned),
                max_bytes_per_origin,
            },
            Arc::new(move |peer: &Peer, replies| {
                let _ = sender.send((*peer, replies));
            }),
        );
        Harness {
            backend,
            replies,
            next_id: 1,
        }
    }

    /// Sends `op` as `peer` of `origin` and waits for its reply.
    fn ask_in(
        &mut self,
        origin: &str,
        peer: Peer,
        op: CacheStorageOp,
    ) -> Result<CacheAnswer, CacheError> {
        let id = self.next_id;
        self.next_id += 1;
        self.backend.handle(origin, peer, CacheMsg { id, op });
        let (to, mut replies) = self
            .replies
            .recv_timeout(Duration::from_secs(10))
            .expect("a reply from the backend");
        assert_eq!(to, peer);
        assert_eq!(replies.len(), 1, "one reply per message: {replies:?}");
        let reply = replies.remove(0);
        assert_eq!(reply.id, id);
        reply.result
    }

    fn ask(&mut self, peer: Peer, op: CacheStorageOp) -> Result<CacheAnswer, CacheError> {
        self.ask_in(ORIGIN, peer, op)
    }

    fn open(&mut self, peer: Peer, name: &str) -> CacheHandle {
        match self.ask(peer, CacheStorageOp::Open { name: name.into() }) {
            Ok(CacheAnswer::Opened(handle)) => handle,
            other => panic!("expected Opened, got {other:?}"),
        }
    }

    fn batch(&mut self, peer: Peer, cache: CacheHandle, ops: Vec<CacheOp>) {
        assert!(matches!(
            self.ask(peer, CacheStorageOp::Batch { cache, ops }),
            Ok(CacheAnswer::Batched(_))
        ));
    }

    fn names(&mut self, peer: Peer) -> Vec<String> {
        match self.ask(peer, CacheStorageOp::Keys) {
            Ok(CacheAnswer::Names(names)) => names,
            other => panic!("expected Names, got {other:?}"),
        }
    }

    /// The bodies `scope` matches for `url`.
    fn matched(
        &mut self,
        peer: Peer,
        scope: MatchScope,
        url: &str,
        only_first: bool,
    ) -> Vec<String> {
        let op = CacheStorageOp::MatchAll {
            scope,
            request: Some(get(url)),
            options: DEFAULT,
            only_first,
        };
        match self.ask(peer, op) {
            Ok(CacheAnswer::Responses(responses)) => bodies(&responses),
            other => panic!("expected Responses, got {other:?}"),
        }
    }

    fn nothing_more(&self) {
        if let Ok(replies) = self.replies.recv_timeout(Duration::from_millis(200)) {
            panic!("unexpected {replies:?}");
        }
    }
}

fn not_found(result: Result<CacheAnswer, CacheError>) -> bool {
    matches!(
        result,
        Err(CacheError {
            name: CacheErrorName::NotFound,
            ..
        })
    )
}

#[test]
fn open_has_delete_and_keys_keep_the_name_map_in_creation_order() {
    let mut harness = Harness::new(None);
    assert_eq!(
        harness.ask("page", CacheStorageOp::Has { name: "b".into() }),
        Ok(CacheAnswer::Has(false))
    );
    let b = harness.open("page", "b");
    harness.open("page", "a");
    harness.open("page", "c");
    assert_eq!(
        harness.open("page", "b"),
        b,
        "one name, one cache, one handle"
    );
    assert_eq!(harness.names("page"), ["b", "a", "c"]);
    assert_eq!(
        harness.ask("page", CacheStorageOp::Has { name: "b".into() }),
        Ok(CacheAnswer::Has(true))
    );
    assert_eq!(
        harness.ask("page", CacheStorageOp::Delete { name: "a".into() }),
        Ok(CacheAnswer::Deleted(true))
    );
    assert_eq!(
        harness.ask("page", CacheStorageOp::Delete { name: "a".into() }),
        Ok(CacheAnswer::Deleted(false))
    );
    harness.open("page", "a");
    assert_eq!(harness.names("page"), ["b", "c", "a"]);
    harness.nothing_more();
}

#[test]
fn caches_match_looks_in_creation_order_or_only_in_the_named_cache() {
    let mut harness = Harness::new(None);
    let first = harness.open("page", "first");
    let second = harness.open("page", "second");
    harness.batch("page", second, vec![put("https://a.test/x", "second")]);
    harness.batch("page", first, vec![put("https://a.test/x", "first")]);
    assert_eq!(
        harness.matched("page", MatchScope::EveryCache, "https://a.test/x", true),
        ["first"]
    );
    assert_eq!(
        harness.matched("page", MatchScope::EveryCache, "https://a.test/x", false),
        ["first", "second"]
    );
    assert_eq!(
        harness.matched(
            "page",
            MatchScope::Named("second".into()),
            "https://a.test/x",
            true
        ),
        ["second"]
    );
    // An unknown name is no match, not an error.
    assert!(harness
        .matched(
            "page",
            MatchScope::Named("third".into()),
            "https://a.test/x",
            true
        )
        .is_empty());
    assert!(harness
        .matched("page", MatchScope::EveryCache, "https://a.test/y", true)
        .is_empty());
    // A global that never opened a cache may still ask caches.match.
    assert_eq!(
        harness.matched(
            "worker",
            MatchScope::Named("first".into()),
            "https://a.test/x",
            true
        ),
        ["first"]
    );
}

#[test]
fn cache_match_match_all_and_keys_go_through_the_handle() {
    let mut harness = Harness::new(None);
    let cache = harness.open("page", "v1");
    harness.batch(
        "page",
        cache,
        vec![
            put("https://a.test/x?1", "1"),
            put("https://a.test/x?2", "2"),
        ],
    );
    let all = CacheStorageOp::MatchAll {
        scope: MatchScope::Cache(cache),
        request: Some(get("https://a.test/x")),
        options: IGNORE_SEARCH,
        only_first: false,
    };
    match harness.ask("page", all) {
        Ok(CacheAnswer::Responses(responses)) => assert_eq!(bodies(&responses), ["1", "2"]),
        other => panic!("{other:?}"),
    }
    let keys = CacheStorageOp::CacheKeys {
        cache,
        request: None,
        options: DEFAULT,
    };
    match harness.ask("page", keys) {
        Ok(CacheAnswer::Requests(requests)) => {
            assert_eq!(
                urls(&requests),
                ["https://a.test/x?1", "https://a.test/x?2"]
            )
        }
        other => panic!("{other:?}"),
    }
    let deleted = CacheStorageOp::Batch {
        cache,
        ops: vec![delete("https://a.test/x?2", DEFAULT)],
    };
    assert_eq!(
        harness.ask("page", deleted),
        Ok(CacheAnswer::Batched(vec![true]))
    );
}

/// The bytes of `origin`'s file and its log in `profile`.
fn origin_bytes(profile: &std::path::Path, origin: &str) -> u64 {
    let file = cache_storage::layout::origin_file(profile, origin);
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    [file, std::path::PathBuf::from(wal)]
        .iter()
        .map(|path| std::fs::metadata(path).map_or(0, |metadata| metadata.len()))
        .sum()
}

#[test]
fn a_deleted_cache_works_for_its_holder_until_the_holder_goes() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    let old = harness.open("page", "v1");
    harness.batch(
        "page",
        old,
        vec![put("https://a.test/x", &"o".repeat(512 * 1024))],
    );
    assert_eq!(
        harness.ask("worker", CacheStorageOp::Delete { name: "v1".into() }),
        Ok(CacheAnswer::Deleted(true))
    );
    assert!(harness.names("page").is_empty());
    // The holder still reads and writes it.
    harness.batch("page", old, vec![put("https://a.test/y", "still")]);
    assert_eq!(
        harness.matched("page", MatchScope::Cache(old), "https://a.test/y", true),
        ["still"]
    );
    assert_eq!(
        harness.matched("page", MatchScope::Cache(old), "https://a.test/x", true)[0].len(),
        512 * 1024
    );
    // It is out of the name map: caches.match does not see it, and a new
    // cache of that name is another one.
    assert!(harness
        .matched("page", MatchScope::EveryCache, "https://a.test/x", true)
        .is_empty());
    let new = harness.open("page", "v1");
    assert_ne!(new, old);
    assert!(harness
        .matched("page", MatchScope::Cache(new), "https://a.test/x", true)
        .is_empty());
    harness.backend.peer_gone(&"page");
    // Its handles went with it.
    assert!(not_found(harness.ask(
        "page",
        CacheStorageOp::CacheKeys {
            cache: old,
            request: None,
            options: DEFAULT,
        }
    )));
    // And so did the deleted cache's entries, before any restart (closing
    // the file checkpoints its log; it would purge nothing).
    harness.backend.shutdown();
    let bytes = origin_bytes(profile.path(), ORIGIN);
    assert!(bytes < 256 * 1024, "{bytes} bytes left");
}

#[test]
fn a_released_deleted_cache_is_removed_and_its_handle_stops_working() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    let cache = harness.open("page", "v1");
    harness.batch(
        "page",
        cache,
        vec![put("https://a.test/big", &"b".repeat(512 * 1024))],
    );
    harness
        .ask("page", CacheStorageOp::Delete { name: "v1".into() })
        .unwrap();
    assert!(origin_bytes(profile.path(), ORIGIN) > 512 * 1024);
    assert_eq!(
        harness.ask("page", CacheStorageOp::Release { cache }),
        Ok(CacheAnswer::Released)
    );
    assert!(not_found(
        harness.ask("page", CacheStorageOp::Release { cache })
    ));
    assert!(not_found(harness.ask(
        "page",
        CacheStorageOp::MatchAll {
            scope: MatchScope::Cache(cache),
            request: None,
            options: DEFAULT,
            only_first: false,
        }
    )));
    harness.backend.shutdown();
    let bytes = origin_bytes(profile.path(), ORIGIN);
    assert!(bytes < 256 * 1024, "{bytes} bytes left");
}

#[test]
fn a_cache_deleted_while_no_one_holds_it_is_removed_at_once() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    let cache = harness.open("page", "v1");
    harness.batch(
        "page",
        cache,
        vec![put("https://a.test/big", &"b".repeat(512 * 1024))],
    );
    harness
        .ask("page", CacheStorageOp::Release { cache })
        .unwrap();
    assert_eq!(
        harness.ask("worker", CacheStorageOp::Delete { name: "v1".into() }),
        Ok(CacheAnswer::Deleted(true))
    );
    harness.backend.shutdown();
    let bytes = origin_bytes(profile.path(), ORIGIN);
    assert!(bytes < 256 * 1024, "{bytes} bytes left");
}

#[test]
fn a_handle_the_global_was_not_given_is_refused_and_changes_nothing() {
    let mut harness = Harness::new(None);
    let cache = harness.open("page", "v1");
    harness.batch("page", cache, vec![put("https://a.test/x", "x")]);
    // Another global of the origin, and a number no one was given.
    for (peer, forged) in [("worker", cache), ("page", CacheHandle(cache.0 + 100))] {
        let ops = vec![
            delete("https://a.test/x", DEFAULT),
            put("https://a.test/y", "y"),
        ];
        assert!(not_found(
            harness.ask(peer, CacheStorageOp::Batch { cache: forged, ops })
        ));
        assert!(not_found(harness.ask(
            peer,
            CacheStorageOp::CacheKeys {
                cache: forged,
                request: None,
                options: DEFAULT,
            }
        )));
        assert!(not_found(
            harness.ask(peer, CacheStorageOp::Release { cache: forged })
        ));
    }
    assert_eq!(
        harness.matched("page", MatchScope::Cache(cache), "https://a.test/x", true),
        ["x"]
    );
    assert!(harness
        .matched("page", MatchScope::Cache(cache), "https://a.test/y", true)
        .is_empty());
}

#[test]
fn a_forged_put_that_is_not_get_is_a_type_error() {
    let mut harness = Harness::new(None);
    let cache = harness.open("page", "v1");
    let forged = CacheOp::Put {
        request: with_method("POST", "https://a.test/x"),
        response: response("x"),
    };
    let result = harness.ask(
        "page",
        CacheStorageOp::Batch {
            cache,
            ops: vec![forged],
        },
    );
    assert!(
        matches!(&result, Err(error) if error.name.dom_exception_name() == "TypeError"),
        "{result:?}"
    );
    assert!(harness
        .matched("page", MatchScope::Cache(cache), "https://a.test/x", false)
        .is_empty());
}

#[test]
fn origins_with_the_same_cache_name_keep_separate_entries() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    let a = harness.open("page-a", "v1");
    harness.batch("page-a", a, vec![put("https://a.test/x", "a")]);
    let op = |name: &str| CacheStorageOp::Open { name: name.into() };
    let b = match harness.ask_in("https://b.test", "page-b", op("v1")) {
        Ok(CacheAnswer::Opened(handle)) => handle,
        other => panic!("{other:?}"),
    };
    let found = harness.ask_in(
        "https://b.test",
        "page-b",
        CacheStorageOp::MatchAll {
            scope: MatchScope::EveryCache,
            request: Some(get("https://a.test/x")),
            options: DEFAULT,
            only_first: false,
        },
    );
    assert_eq!(found, Ok(CacheAnswer::Responses(Vec::new())));
    // a's handle means nothing to b's global, even when the numbers coincide.
    let keys = CacheStorageOp::CacheKeys {
        cache: a,
        request: None,
        options: DEFAULT,
    };
    assert!(not_found(harness.ask_in("https://b.test", "page-a", keys)));
    let _ = b;
    assert_eq!(
        harness.matched(
            "page-a",
            MatchScope::Named("v1".into()),
            "https://a.test/x",
            true
        ),
        ["a"]
    );
}

#[test]
fn caches_survive_a_new_backend_on_the_same_profile() {
    let profile = tempfile::tempdir().unwrap();
    {
        let mut harness = Harness::new(Some(profile.path()));
        let first = harness.open("page", "first");
        harness.open("page", "second");
        harness.batch("page", first, vec![put("https://a.test/x", "kept")]);
        harness.backend.shutdown();
    }
    let mut harness = Harness::new(Some(profile.path()));
    assert_eq!(harness.names("page"), ["first", "second"]);
    assert_eq!(
        harness.matched("page", MatchScope::EveryCache, "https://a.test/x", true),
        ["kept"]
    );
}

#[test]
fn a_put_past_the_quota_fails_and_a_smaller_one_then_fits() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::with_quota(Some(profile.path()), 256 * 1024);
    let cache = harness.open("page", "v1");
    harness.batch(
        "page",
        cache,
        vec![put("https://a.test/a", &"a".repeat(100 * 1024))],
    );
    let too_big = CacheStorageOp::Batch {
        cache,
        ops: vec![put("https://a.test/b", &"b".repeat(300 * 1024))],
    };
    let result = harness.ask("page", too_big);
    assert!(
        matches!(&result, Err(error) if error.name.dom_exception_name() == "QuotaExceededError"),
        "{result:?}"
    );
    assert_eq!(
        harness.matched("page", MatchScope::Cache(cache), "https://a.test/a", true)[0].len(),
        100 * 1024
    );
    harness.batch(
        "page",
        cache,
        vec![put("https://a.test/c", &"c".repeat(50 * 1024))],
    );
    assert_eq!(
        harness.matched("page", MatchScope::Cache(cache), "https://a.test/c", true)[0].len(),
        50 * 1024
    );
}

#[test]
fn a_damaged_file_is_moved_aside_and_the_origin_starts_empty() {
    let profile = tempfile::tempdir().unwrap();
    let path = cache_storage::layout::origin_file(profile.path(), ORIGIN);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    // Another origin's file is not touched meanwhile.
    let other = harness.ask_in(
        "https://b.test",
        "other",
        CacheStorageOp::Open { name: "v1".into() },
    );
    assert!(matches!(other, Ok(CacheAnswer::Opened(_))));
    assert!(harness.names("page").is_empty());
    let cache = harness.open("page", "v1");
    harness.batch("page", cache, vec![put("https://a.test/x", "x")]);
    let moved: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".corrupt-"))
        .collect();
    assert_eq!(moved.len(), 1, "the damaged file is kept aside: {moved:?}");
    assert!(moved[0].starts_with("https%3A%2F%2Fa.test.sqlite"));
    assert!(matches!(
        harness.ask_in("https://b.test", "other", CacheStorageOp::Keys),
        Ok(CacheAnswer::Names(names)) if names == ["v1"]
    ));
}

#[test]
fn clearing_an_origin_removes_its_file_and_its_handles() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(Some(profile.path()));
    let cache = harness.open("page", "v1");
    harness.open("page", "v2");
    harness.batch("page", cache, vec![put("https://a.test/x", "x")]);
    let b = harness.ask_in(
        "https://b.test",
        "other",
        CacheStorageOp::Open { name: "v1".into() },
    );
    assert!(matches!(b, Ok(CacheAnswer::Opened(_))));
    let (cleared, count) = crossbeam_channel::bounded(1);
    harness.backend.clear_origin(
        ORIGIN,
        Box::new(move |caches| cleared.send(caches).unwrap()),
    );
    assert_eq!(count.recv_timeout(Duration::from_secs(10)).unwrap(), 2);
    let file = cache_storage::layout::origin_file(profile.path(), ORIGIN);
    assert!(!file.exists(), "the file is deleted, not only emptied");
    assert!(cache_storage::layout::origin_file(profile.path(), "https://b.test").exists());
    assert!(not_found(harness.ask(
        "page",
        CacheStorageOp::CacheKeys {
            cache,
            request: None,
            options: DEFAULT,
        }
    )));
    // The next use starts a fresh file, and a new handle is never an old number.
    assert!(harness.names("page").is_empty());
    let fresh = harness.open("page", "v1");
    assert_ne!(fresh, cache);
    assert!(file.exists());
    assert!(harness
        .matched("page", MatchScope::Cache(fresh), "https://a.test/x", true)
        .is_empty());
    assert!(matches!(
        harness.ask_in("https://b.test", "other", CacheStorageOp::Keys),
        Ok(CacheAnswer::Names(names)) if names == ["v1"]
    ));
}

#[test]
fn a_burst_is_answered_in_order_each_reply_with_its_message_number() {
    let mut harness = Harness::new(None);
    let cache = harness.open("page", "v1");
    let ops = [
        (40, CacheStorageOp::Open { name: "v2".into() }),
        (
            7,
            CacheStorageOp::Batch {
                cache,
                ops: vec![put("https://a.test/x", "x")],
            },
        ),
        (1000, CacheStorageOp::Has { name: "v2".into() }),
        (
            3,
            CacheStorageOp::Batch {
                cache: CacheHandle(999),
                ops: Vec::new(),
            },
        ),
        (
            41,
            CacheStorageOp::MatchAll {
                scope: MatchScope::EveryCache,
                request: Some(get("https://a.test/x")),
                options: DEFAULT,
                only_first: true,
            },
        ),
    ];
    for (id, op) in ops {
        harness.backend.handle(ORIGIN, "page", CacheMsg { id, op });
    }
    harness.backend.handle(
        ORIGIN,
        "worker",
        CacheMsg {
            id: 40,
            op: CacheStorageOp::Keys,
        },
    );
    let mut page = Vec::new();
    let mut worker = Vec::new();
    while page.len() + worker.len() < 6 {
        let (peer, replies) = harness
            .replies
            .recv_timeout(Duration::from_secs(10))
            .unwrap();
        match peer {
            "page" => page.extend(replies),
            "worker" => worker.extend(replies),
            other => panic!("a reply for {other}"),
        }
    }
    let ids: Vec<u64> = page.iter().map(|reply| reply.id).collect();
    assert_eq!(ids, [40, 7, 1000, 3, 41]);
    assert!(matches!(page[0].result, Ok(CacheAnswer::Opened(_))));
    assert_eq!(page[1].result, Ok(CacheAnswer::Batched(vec![false])));
    assert_eq!(page[2].result, Ok(CacheAnswer::Has(true)));
    assert!(not_found(page[3].result.clone()));
    assert!(matches!(&page[4].result, Ok(CacheAnswer::Responses(found)) if bodies(found) == ["x"]));
    assert_eq!(worker.len(), 1);
    assert_eq!(worker[0].id, 40);
    assert_eq!(
        worker[0].result,
        Ok(CacheAnswer::Names(vec!["v1".into(), "v2".into()]))
    );
    harness.nothing_more();
}

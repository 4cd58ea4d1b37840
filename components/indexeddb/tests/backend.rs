//! The backend's protocol with real SQLite files: opens and upgrades,
//! `versionchange` and `blocked` between two globals, transactions that
//! commit and abort, persistence across backends, origins kept apart.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Receiver;
use indexeddb::{Backend, BackendConfig};
use indexeddb_traits::{
    DurabilityHint, IdbErrorName, IdbEvent, IdbMsg, Key, KeyPath, KeyRange, Operation, Outcome,
    Source, TransactionMode,
};

type Peer = &'static str;

struct Harness {
    backend: Backend<Peer>,
    events: Receiver<(Peer, IdbEvent)>,
    /// Events of a batch not looked at yet.
    unbatched: std::cell::RefCell<std::collections::VecDeque<(Peer, IdbEvent)>>,
}

impl Harness {
    fn new(profile: &std::path::Path) -> Harness {
        let (sender, events) = crossbeam_channel::unbounded();
        let backend = Backend::new(
            BackendConfig {
                profile: Some(profile.to_owned()),
                max_bytes_per_origin: 1 << 30,
            },
            Arc::new(move |peer: &Peer, event| {
                let _ = sender.send((*peer, event));
            }),
        );
        Harness {
            backend,
            events,
            unbatched: Default::default(),
        }
    }

    fn send(&mut self, peer: Peer, message: IdbMsg) {
        self.backend.handle("https://a.test", peer, message);
    }

    /// The next event, batches taken apart.
    fn next(&self) -> (Peer, IdbEvent) {
        loop {
            if let Some(event) = self.unbatched.borrow_mut().pop_front() {
                return event;
            }
            match self
                .events
                .recv_timeout(Duration::from_secs(10))
                .expect("an event from the backend")
            {
                (peer, IdbEvent::Batch(events)) => self
                    .unbatched
                    .borrow_mut()
                    .extend(events.into_iter().map(|event| (peer, event))),
                event => return event,
            }
        }
    }

    fn nothing_more(&self) {
        if let Some(event) = self.unbatched.borrow_mut().pop_front() {
            panic!("unexpected {event:?}");
        }
        if let Ok(event) = self.events.recv_timeout(Duration::from_millis(200)) {
            panic!("unexpected {event:?}");
        }
    }

    /// Opens `outbox` version 1 as `peer`'s connection 1, creating store
    /// `messages` (out-of-line keys, a generator).
    fn open_with_store(&mut self, peer: Peer) {
        self.send(peer, open(1, Some(1), 1, 100));
        assert!(
            matches!(self.next(), (p, IdbEvent::UpgradeNeeded { old_version: 0, .. }) if p == peer)
        );
        self.send(
            peer,
            request(
                100,
                1,
                Operation::CreateObjectStore {
                    name: "messages".into(),
                    key_path: None,
                    auto_increment: true,
                },
            ),
        );
        self.send(peer, IdbMsg::Commit { transaction: 100 });
        assert!(matches!(
            self.next().1,
            IdbEvent::Answer {
                result: Ok(Outcome::Done),
                ..
            }
        ));
        assert_eq!(
            self.next().1,
            IdbEvent::Finished {
                transaction: 100,
                error: None
            }
        );
        match self.next().1 {
            IdbEvent::Opened {
                request: 1,
                database,
            } => {
                assert_eq!(database.version, 1);
                assert_eq!(database.stores[0].name, "messages");
            }
            other => panic!("expected Opened, got {other:?}"),
        }
    }
}

fn open(request: u64, version: Option<u64>, connection: u64, upgrade: u64) -> IdbMsg {
    IdbMsg::Open {
        request,
        name: "outbox".into(),
        version,
        connection,
        upgrade,
    }
}

fn request(transaction: u64, request: u64, operation: Operation) -> IdbMsg {
    IdbMsg::Request {
        transaction,
        request,
        operation,
    }
}

fn begin(connection: u64, transaction: u64, mode: TransactionMode) -> IdbMsg {
    IdbMsg::Begin {
        connection,
        transaction,
        stores: vec!["messages".into()],
        mode,
        durability: DurabilityHint::Default,
    }
}

fn put(text: &str) -> Operation {
    Operation::Put {
        store: "messages".into(),
        key: None,
        value: text.as_bytes().to_vec(),
        overwrite: false,
        index_keys: Vec::new(),
    }
}

fn get_all() -> Operation {
    Operation::GetAll {
        source: Source {
            store: "messages".into(),
            index: None,
        },
        range: KeyRange::all(),
        limit: None,
    }
}

fn values(event: IdbEvent) -> Vec<String> {
    match event {
        IdbEvent::Answer {
            result: Ok(Outcome::Records(records)),
            ..
        } => records
            .into_iter()
            .map(|record| String::from_utf8(record.value).unwrap())
            .collect(),
        other => panic!("expected records, got {other:?}"),
    }
}

#[test]
fn committed_data_survives_a_new_backend_and_aborted_data_does_not() {
    let profile = tempfile::tempdir().unwrap();
    {
        let mut harness = Harness::new(profile.path());
        harness.open_with_store("page");
        harness.send("page", begin(1, 1, TransactionMode::ReadWrite));
        harness.send("page", request(1, 2, put("hi")));
        harness.send("page", IdbMsg::Commit { transaction: 1 });
        let (_, answer) = harness.next();
        assert!(
            matches!(answer, IdbEvent::Answer { result: Ok(Outcome::Key(Key::Number(n))), .. } if n == 1.0)
        );
        assert_eq!(
            harness.next().1,
            IdbEvent::Finished {
                transaction: 1,
                error: None
            }
        );
        harness.send("page", begin(1, 2, TransactionMode::ReadWrite));
        harness.send("page", request(2, 3, put("dropped")));
        harness.send("page", IdbMsg::Abort { transaction: 2 });
        harness.next();
        match harness.next().1 {
            IdbEvent::Finished {
                transaction: 2,
                error: Some(error),
            } => {
                assert_eq!(error.name, IdbErrorName::Abort)
            }
            other => panic!("expected an abort, got {other:?}"),
        }
    }
    let mut harness = Harness::new(profile.path());
    harness.send("worker", open(1, None, 7, 0));
    assert!(matches!(
        harness.next(),
        ("worker", IdbEvent::Opened { request: 1, .. })
    ));
    harness.send("worker", begin(7, 1, TransactionMode::ReadOnly));
    harness.send("worker", request(1, 2, get_all()));
    assert_eq!(values(harness.next().1), vec!["hi".to_string()]);
    // The generator did not reuse the aborted transaction's key: it was rolled back with it.
    harness.send("worker", IdbMsg::Commit { transaction: 1 });
    assert_eq!(
        harness.next().1,
        IdbEvent::Finished {
            transaction: 1,
            error: None
        }
    );
}

#[test]
fn an_upgrade_waits_for_other_connections_and_fires_blocked() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness.send("worker", open(1, Some(2), 1, 50));
    assert_eq!(
        harness.next(),
        (
            "page",
            IdbEvent::VersionChange {
                connection: 1,
                old_version: 1,
                new_version: Some(2)
            }
        )
    );
    harness.nothing_more();
    // The page's listener did not close it: blocked, and the upgrade waits.
    harness.send("page", IdbMsg::VersionChangeFired { connection: 1 });
    assert_eq!(
        harness.next(),
        (
            "worker",
            IdbEvent::Blocked {
                request: 1,
                old_version: 1,
                new_version: Some(2)
            }
        )
    );
    harness.nothing_more();
    harness.send("page", IdbMsg::Close { connection: 1 });
    match harness.next() {
        (
            "worker",
            IdbEvent::UpgradeNeeded {
                old_version: 1,
                database,
                ..
            },
        ) => {
            assert_eq!(database.version, 2)
        }
        other => panic!("expected the upgrade, got {other:?}"),
    }
    harness.send("worker", IdbMsg::Commit { transaction: 50 });
    assert!(matches!(
        harness.next().1,
        IdbEvent::Finished {
            transaction: 50,
            error: None
        }
    ));
    assert!(matches!(
        harness.next().1,
        IdbEvent::Opened { request: 1, .. }
    ));
    // Version 2 now: asking for 1 is a VersionError.
    harness.send("page", open(2, Some(1), 2, 0));
    match harness.next() {
        ("page", IdbEvent::Failed { request: 2, error }) => {
            assert_eq!(error.name, IdbErrorName::Version)
        }
        other => panic!("expected a VersionError, got {other:?}"),
    }
}

#[test]
fn requests_keep_to_their_mode_and_their_global() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness.send("page", open(2, Some(1), 2, 0));
    assert!(matches!(
        harness.next().1,
        IdbEvent::Opened { request: 2, .. }
    ));
    harness.send("worker", open(3, Some(1), 1, 0));
    assert!(matches!(
        harness.next().1,
        IdbEvent::Opened { request: 3, .. }
    ));
    // Version 1 exists; asking for it is fine, but a readonly write is refused.
    harness.send("worker", begin(1, 1, TransactionMode::ReadOnly));
    harness.send("worker", request(1, 2, put("no")));
    match harness.next().1 {
        IdbEvent::Answer {
            result: Err(error), ..
        } => {
            assert_eq!(error.name, IdbErrorName::InvalidState)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A transaction of another global's number is not this global's.
    harness.send("page", request(1, 3, get_all()));
    assert!(matches!(
        harness.next(),
        ("page", IdbEvent::Answer { result: Err(_), .. })
    ));
}

#[test]
fn origins_do_not_see_each_other() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness
        .backend
        .handle("https://b.test", "other", IdbMsg::Databases { request: 9 });
    assert_eq!(
        harness.next(),
        (
            "other",
            IdbEvent::DatabasesListed {
                request: 9,
                databases: Vec::new()
            }
        )
    );
    harness.send("page", IdbMsg::Databases { request: 10 });
    assert_eq!(
        harness.next(),
        (
            "page",
            IdbEvent::DatabasesListed {
                request: 10,
                databases: vec![("outbox".into(), 1)]
            }
        )
    );
}

#[test]
fn a_gone_global_loses_its_transaction_and_its_connection() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness.send("page", begin(1, 1, TransactionMode::ReadWrite));
    harness.send("page", request(1, 2, put("half")));
    harness.next();
    harness.backend.peer_gone(&"page");
    assert!(matches!(
        harness.next().1,
        IdbEvent::Finished { error: Some(_), .. }
    ));
    // Its connection is closed: an upgrade from another global is not blocked.
    harness.send("worker", open(1, Some(2), 1, 5));
    assert!(matches!(
        harness.next(),
        ("worker", IdbEvent::UpgradeNeeded { .. })
    ));
    harness.send("worker", IdbMsg::Commit { transaction: 5 });
    harness.next();
    harness.next();
    harness.send("worker", begin(1, 6, TransactionMode::ReadOnly));
    harness.send("worker", request(6, 7, get_all()));
    assert!(values(harness.next().1).is_empty());
}

#[test]
fn indexes_are_built_from_the_entries_the_script_computes() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness.send("page", begin(1, 1, TransactionMode::ReadWrite));
    harness.send("page", request(1, 2, put("kitchen")));
    harness.send("page", IdbMsg::Commit { transaction: 1 });
    harness.next();
    harness.next();
    harness.send("page", IdbMsg::Close { connection: 1 });
    harness.send("page", open(3, Some(2), 2, 10));
    harness.next();
    harness.send(
        "page",
        request(
            10,
            4,
            Operation::CreateIndex {
                store: "messages".into(),
                schema: indexeddb_traits::IndexSchema {
                    name: "byRoom".into(),
                    key_path: KeyPath::String("room".into()),
                    unique: false,
                    multi_entry: false,
                },
            },
        ),
    );
    assert_eq!(values(harness.next().1), vec!["kitchen".to_string()]);
    harness.send(
        "page",
        request(
            10,
            5,
            Operation::IndexEntries {
                store: "messages".into(),
                index: "byRoom".into(),
                entries: vec![(Key::Number(1.0), vec![Key::string("kitchen")])],
            },
        ),
    );
    harness.send(
        "page",
        request(
            10,
            6,
            Operation::Count {
                source: Source {
                    store: "messages".into(),
                    index: Some("byRoom".into()),
                },
                range: KeyRange::only(Key::string("kitchen")),
            },
        ),
    );
    assert!(matches!(
        harness.next().1,
        IdbEvent::Answer {
            result: Ok(Outcome::Done),
            ..
        }
    ));
    assert!(matches!(
        harness.next().1,
        IdbEvent::Answer {
            result: Ok(Outcome::Count(1)),
            ..
        }
    ));
}

#[test]
fn a_corrupt_file_is_moved_aside_and_the_origin_starts_empty() {
    let profile = tempfile::tempdir().unwrap();
    let path = indexeddb::layout::origin_file(profile.path(), "https://a.test");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    let moved: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".corrupt-"))
        .collect();
    assert_eq!(moved.len(), 1, "the corrupt file is kept aside: {moved:?}");
    // Another origin is not affected either way.
    harness
        .backend
        .handle("https://b.test", "other", IdbMsg::Databases { request: 1 });
    assert!(matches!(harness.next().1, IdbEvent::DatabasesListed { .. }));
}

#[test]
fn clearing_an_origin_closes_its_connections_and_deletes_its_databases() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    harness.send("page", begin(1, 1, TransactionMode::ReadWrite));
    harness.send("page", request(1, 2, put("unsaved")));
    harness.next();
    let (cleared, count) = crossbeam_channel::bounded(1);
    harness.backend.clear_origin(
        "https://a.test",
        Box::new(move |databases| cleared.send(databases).unwrap()),
    );
    assert!(matches!(
        harness.next(),
        (
            "page",
            IdbEvent::Finished {
                transaction: 1,
                error: Some(_)
            }
        )
    ));
    assert_eq!(
        harness.next(),
        ("page", IdbEvent::ForcedClose { connection: 1 })
    );
    assert_eq!(count.recv_timeout(Duration::from_secs(10)).unwrap(), 1);
    harness.send("page", IdbMsg::Databases { request: 3 });
    assert_eq!(
        harness.next(),
        (
            "page",
            IdbEvent::DatabasesListed {
                request: 3,
                databases: Vec::new()
            }
        )
    );
}

#[test]
fn a_long_get_all_sends_its_first_records_ahead_of_the_answer_in_order() {
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::new(profile.path());
    harness.open_with_store("page");
    // 300 values of 1 KiB: about 300 KiB, more than a few pieces' worth.
    harness.send("page", begin(1, 1, TransactionMode::ReadWrite));
    for i in 0..300 {
        let text = format!("{i:04}{}", "x".repeat(1020));
        harness.send("page", request(1, 2 + i, put(&text)));
    }
    harness.send("page", IdbMsg::Commit { transaction: 1 });
    for _ in 0..300 {
        assert!(matches!(harness.next().1, IdbEvent::Answer { .. }));
    }
    assert!(matches!(
        harness.next().1,
        IdbEvent::Finished { error: None, .. }
    ));
    harness.send("page", begin(1, 2, TransactionMode::ReadOnly));
    harness.send("page", request(2, 400, get_all()));
    let mut pieces = 0;
    let mut seen = Vec::new();
    let last = loop {
        match harness.next().1 {
            IdbEvent::RecordsAhead {
                transaction: 2,
                request: 400,
                records,
            } => {
                assert!(!records.is_empty());
                pieces += 1;
                seen.extend(
                    records
                        .into_iter()
                        .map(|record| String::from_utf8(record.value).unwrap()),
                );
            }
            answer => break answer,
        }
    };
    seen.extend(values(last));
    assert!(pieces >= 3, "{pieces} pieces ahead of the answer");
    assert_eq!(seen.len(), 300);
    for (i, value) in seen.iter().enumerate() {
        assert!(
            value.starts_with(&format!("{i:04}")),
            "record {i} is {value:.8}"
        );
    }
    // A short answer comes whole.
    harness.send(
        "page",
        request(
            2,
            401,
            Operation::GetAll {
                source: Source {
                    store: "messages".into(),
                    index: None,
                },
                range: KeyRange::all(),
                limit: Some(3),
            },
        ),
    );
    assert_eq!(values(harness.next().1).len(), 3);
}

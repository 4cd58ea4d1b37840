//! One origin's IndexedDB file, on real SQLite files: databases and their
//! versions, object stores, records by key and key range, the key
//! generator, transactions that commit or roll back, and what survives
//! reopening the file.

use indexeddb::{Durability, OriginStore, StoreId, MAX_GENERATED_KEY};
use indexeddb_traits::{IdbErrorName, Key, KeyPath, KeyRange};
use tempfile::TempDir;

fn open(dir: &TempDir) -> OriginStore {
    OriginStore::open(&dir.path().join("origin.sqlite")).unwrap()
}

/// A database `outbox` at version 1 with a store `messages` (in-line keys
/// at `id`, with a key generator), committed.
fn outbox(store: &mut OriginStore) -> StoreId {
    store.begin(Durability::Strict).unwrap();
    let database = store.create_database("outbox").unwrap();
    store.set_version(database, 1).unwrap();
    let messages = store
        .create_object_store(
            database,
            "messages",
            Some(&KeyPath::String("id".into())),
            true,
        )
        .unwrap();
    store.commit().unwrap();
    messages
}

fn keys(records: &[(Key, Vec<u8>)]) -> Vec<Key> {
    records.iter().map(|(key, _)| key.clone()).collect()
}

#[test]
fn databases_and_stores_are_listed_with_their_definitions() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    outbox(&mut store);
    assert_eq!(store.databases().unwrap(), [("outbox".to_owned(), 1)]);
    let info = store.database("outbox").unwrap().unwrap();
    assert_eq!(info.version, 1);
    assert_eq!(info.stores.len(), 1);
    assert_eq!(info.stores[0].name, "messages");
    assert_eq!(info.stores[0].key_path, Some(KeyPath::String("id".into())));
    assert!(info.stores[0].auto_increment);
    assert_eq!(store.database("other").unwrap(), None);
    // A compound key path keeps its items.
    store.begin(Durability::Relaxed).unwrap();
    let path = KeyPath::Array(vec!["room".into(), "sent.at".into()]);
    store
        .create_object_store(info.id, "byRoom", Some(&path), false)
        .unwrap();
    store.commit().unwrap();
    let info = store.database("outbox").unwrap().unwrap();
    assert_eq!(info.stores[0].name, "byRoom");
    assert_eq!(info.stores[0].key_path, Some(path));
}

#[test]
fn store_names_are_unique_and_a_missing_one_is_not_found() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    outbox(&mut store);
    let database = store.database("outbox").unwrap().unwrap().id;
    let error = store
        .create_object_store(database, "messages", None, false)
        .unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    let error = store.delete_object_store(database, "nope").unwrap_err();
    assert_eq!(error.name, IdbErrorName::NotFound);
}

#[test]
fn records_are_read_by_key_and_range_in_key_order() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    let messages = outbox(&mut store);
    store.begin(Durability::Relaxed).unwrap();
    for key in [
        Key::string("b"),
        Key::Number(2.0),
        Key::Array(vec![Key::Number(1.0)]),
        Key::Number(-1.0),
        Key::string("a"),
    ] {
        let value = format!("{key:?}").into_bytes();
        store.put(messages, Some(key), &value, true, &[]).unwrap();
    }
    store.commit().unwrap();
    let all = store.get_all(messages, &KeyRange::all(), None).unwrap();
    assert_eq!(
        keys(&all),
        [
            Key::Number(-1.0),
            Key::Number(2.0),
            Key::string("a"),
            Key::string("b"),
            Key::Array(vec![Key::Number(1.0)]),
        ]
    );
    let strings = KeyRange::bound(Key::string(""), Key::string("\u{ffff}"), false, false).unwrap();
    assert_eq!(
        keys(&store.get_all(messages, &strings, None).unwrap()),
        [Key::string("a"), Key::string("b")]
    );
    assert_eq!(
        keys(&store.get_all(messages, &KeyRange::all(), Some(2)).unwrap()).len(),
        2
    );
    let (key, value) = store
        .get(messages, &KeyRange::only(Key::Number(2.0)))
        .unwrap()
        .unwrap();
    assert_eq!(key, Key::Number(2.0));
    assert_eq!(value, b"Number(2.0)");
    assert_eq!(store.count(messages, &strings).unwrap(), 2);
    assert_eq!(
        store
            .get(messages, &KeyRange::only(Key::Number(3.0)))
            .unwrap(),
        None
    );
    store.begin(Durability::Relaxed).unwrap();
    assert_eq!(store.delete(messages, &strings).unwrap(), 2);
    store.commit().unwrap();
    assert_eq!(store.count(messages, &KeyRange::all()).unwrap(), 3);
}

#[test]
fn add_refuses_an_existing_key_and_put_replaces_it() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    let messages = outbox(&mut store);
    store.begin(Durability::Relaxed).unwrap();
    store
        .put(messages, Some(Key::Number(1.0)), b"first", false, &[])
        .unwrap();
    let error = store
        .put(messages, Some(Key::Number(1.0)), b"second", false, &[])
        .unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    store
        .put(messages, Some(Key::Number(1.0)), b"third", true, &[])
        .unwrap();
    store.commit().unwrap();
    let (_, value) = store
        .get(messages, &KeyRange::only(Key::Number(1.0)))
        .unwrap()
        .unwrap();
    assert_eq!(value, b"third");
}

#[test]
fn the_key_generator_counts_on_and_explicit_numbers_move_it_forward() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    let messages = outbox(&mut store);
    store.begin(Durability::Relaxed).unwrap();
    assert_eq!(
        store.put(messages, None, b"a", false, &[]).unwrap(),
        Key::Number(1.0)
    );
    assert_eq!(
        store.put(messages, None, b"b", false, &[]).unwrap(),
        Key::Number(2.0)
    );
    store
        .put(messages, Some(Key::Number(10.5)), b"c", false, &[])
        .unwrap();
    assert_eq!(
        store.put(messages, None, b"d", false, &[]).unwrap(),
        Key::Number(11.0)
    );
    // Below the current number, or not a number: no change.
    store
        .put(messages, Some(Key::Number(4.0)), b"e", false, &[])
        .unwrap();
    store
        .put(messages, Some(Key::string("x")), b"f", false, &[])
        .unwrap();
    assert_eq!(
        store.put(messages, None, b"g", false, &[]).unwrap(),
        Key::Number(12.0)
    );
    store.commit().unwrap();
    // A deleted key is never given again.
    store.begin(Durability::Relaxed).unwrap();
    store.delete(messages, &KeyRange::all()).unwrap();
    assert_eq!(
        store.put(messages, None, b"h", false, &[]).unwrap(),
        Key::Number(13.0)
    );
    store.commit().unwrap();
    // Past 2^53 the generator is out of keys.
    store.begin(Durability::Relaxed).unwrap();
    store
        .put(messages, Some(Key::Number(f64::INFINITY)), b"i", false, &[])
        .unwrap();
    let error = store.put(messages, None, b"j", false, &[]).unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    store.rollback().unwrap();
    // Up to 2^53 itself, keys are still given.
    store.begin(Durability::Relaxed).unwrap();
    let last = (MAX_GENERATED_KEY - 1) as f64;
    store
        .put(messages, Some(Key::Number(last - 1.0)), b"k", false, &[])
        .unwrap();
    assert_eq!(
        store.put(messages, None, b"l", false, &[]).unwrap(),
        Key::Number(last)
    );
    assert_eq!(
        store.put(messages, None, b"m", false, &[]).unwrap(),
        Key::Number(MAX_GENERATED_KEY as f64)
    );
    let error = store.put(messages, None, b"n", false, &[]).unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    store.rollback().unwrap();
}

#[test]
fn a_rollback_takes_back_records_and_the_key_generator() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    let messages = outbox(&mut store);
    store.begin(Durability::Strict).unwrap();
    store.put(messages, None, b"kept", false, &[]).unwrap();
    store.commit().unwrap();
    store.begin(Durability::Relaxed).unwrap();
    store.put(messages, None, b"undone", false, &[]).unwrap();
    store
        .put(messages, None, b"undone too", false, &[])
        .unwrap();
    store.rollback().unwrap();
    assert_eq!(store.count(messages, &KeyRange::all()).unwrap(), 1);
    store.begin(Durability::Strict).unwrap();
    assert_eq!(
        store.put(messages, None, b"next", false, &[]).unwrap(),
        Key::Number(2.0)
    );
    store.commit().unwrap();
}

#[test]
fn committed_data_survives_reopening_and_deleting_a_database_takes_everything() {
    let dir = TempDir::new().unwrap();
    {
        let mut store = open(&dir);
        let messages = outbox(&mut store);
        store.begin(Durability::Strict).unwrap();
        store.put(messages, None, b"hi", false, &[]).unwrap();
        store.commit().unwrap();
    }
    let mut store = open(&dir);
    let info = store.database("outbox").unwrap().unwrap();
    let messages = info.stores[0].id;
    let records = store.get_all(messages, &KeyRange::all(), None).unwrap();
    assert_eq!(records, [(Key::Number(1.0), b"hi".to_vec())]);
    store.begin(Durability::Strict).unwrap();
    assert!(store.delete_database("outbox").unwrap());
    store.commit().unwrap();
    assert!(store.databases().unwrap().is_empty());
    assert_eq!(store.count(messages, &KeyRange::all()).unwrap(), 0);
    assert!(!store.delete_database("outbox").unwrap());
}

#[test]
fn a_write_past_the_quota_fails_with_quota_exceeded_and_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let mut store = open(&dir);
    let messages = outbox(&mut store);
    store.set_quota(256 * 1024).unwrap();
    let value = vec![7u8; 4096];
    let mut stored = 0u64;
    let error = loop {
        store.begin(Durability::Relaxed).unwrap();
        match store.put(messages, None, &value, false, &[]) {
            Ok(_) => {
                store.commit().unwrap();
                stored += 1;
            }
            Err(error) => {
                // The whole transaction is over, as the spec aborts it.
                store.rollback().unwrap();
                assert!(!store.in_transaction());
                break error;
            }
        }
        assert!(stored < 1000, "the quota never took effect");
    };
    assert_eq!(error.name, IdbErrorName::QuotaExceeded);
    assert!(stored > 10, "{stored}");
    // Everything committed before is still there, readable.
    assert_eq!(store.count(messages, &KeyRange::all()).unwrap(), stored);
    // Freeing room lets writes in again.
    store.begin(Durability::Relaxed).unwrap();
    store.delete(messages, &KeyRange::all()).unwrap();
    store.commit().unwrap();
    store.begin(Durability::Relaxed).unwrap();
    store.put(messages, None, &value, false, &[]).unwrap();
    store.commit().unwrap();
}

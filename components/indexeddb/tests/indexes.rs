//! Indexes of one origin's IndexedDB file, on real SQLite files: entries
//! follow every write and delete, queries run in index key order then record
//! key order, unique indexes refuse a second record (and the failed write
//! changes nothing), multiEntry indexes hold one entry per array item, and an
//! index made over existing records is filled from the entries the script
//! thread computes.

use indexeddb::{Durability, IndexId, OriginStore, StoreId};
use indexeddb_traits::{IdbErrorName, Key, KeyPath, KeyRange};
use tempfile::TempDir;

struct Outbox {
    _dir: TempDir,
    store: OriginStore,
    messages: StoreId,
    by_room: IndexId,
    by_uid: IndexId,
    by_tag: IndexId,
}

/// Store `messages` (generated keys) with indexes `byRoom` (`room`),
/// `byUid` (`uid`, unique) and `byTag` (`tags`, multiEntry).
fn outbox() -> Outbox {
    let dir = TempDir::new().unwrap();
    let mut store = OriginStore::open(&dir.path().join("origin.sqlite")).unwrap();
    store.begin(Durability::Strict).unwrap();
    let database = store.create_database("outbox").unwrap();
    let messages = store
        .create_object_store(database, "messages", None, true)
        .unwrap();
    let path = |name: &str| KeyPath::String(name.to_owned());
    let by_room = store
        .create_index(messages, "byRoom", &path("room"), false, false)
        .unwrap();
    let by_uid = store
        .create_index(messages, "byUid", &path("uid"), true, false)
        .unwrap();
    let by_tag = store
        .create_index(messages, "byTag", &path("tags"), false, true)
        .unwrap();
    store.commit().unwrap();
    Outbox {
        _dir: dir,
        store,
        messages,
        by_room,
        by_uid,
        by_tag,
    }
}

impl Outbox {
    /// Adds a message in `room` with `uid` and `tags`; its generated key.
    fn add(&mut self, room: &str, uid: f64, tags: &[&str]) -> Result<Key, IdbErrorName> {
        let entries = vec![
            (self.by_room, vec![Key::string(room)]),
            (self.by_uid, vec![Key::Number(uid)]),
            (
                self.by_tag,
                tags.iter().map(|tag| Key::string(tag)).collect(),
            ),
        ];
        let value = format!("{room}/{uid}").into_bytes();
        self.store
            .put(self.messages, None, &value, false, &entries)
            .map_err(|error| error.name)
    }

    fn values_in(&self, index: IndexId, range: &KeyRange) -> Vec<String> {
        self.store
            .index_get_all(index, range, None)
            .unwrap()
            .into_iter()
            .map(|(_, _, value)| String::from_utf8(value).unwrap())
            .collect()
    }
}

#[test]
fn index_queries_run_in_index_key_order_then_record_key_order() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    outbox.add("kitchen", 1.0, &[]).unwrap();
    outbox.add("attic", 2.0, &[]).unwrap();
    outbox.add("kitchen", 3.0, &[]).unwrap();
    outbox.store.commit().unwrap();
    let kitchen = KeyRange::only(Key::string("kitchen"));
    assert_eq!(
        outbox.values_in(outbox.by_room, &kitchen),
        ["kitchen/1", "kitchen/3"]
    );
    assert_eq!(
        outbox.values_in(outbox.by_room, &KeyRange::all()),
        ["attic/2", "kitchen/1", "kitchen/3"]
    );
    assert_eq!(
        outbox.store.index_count(outbox.by_room, &kitchen).unwrap(),
        2
    );
    let first = outbox
        .store
        .index_get_all(outbox.by_room, &kitchen, Some(1))
        .unwrap();
    assert_eq!(first[0].0, Key::string("kitchen"));
    assert_eq!(first[0].1, Key::Number(1.0));
}

#[test]
fn a_unique_index_refuses_a_second_record_and_the_failed_add_changes_nothing() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    assert_eq!(outbox.add("kitchen", 7.0, &[]), Ok(Key::Number(1.0)));
    assert_eq!(outbox.add("attic", 7.0, &[]), Err(IdbErrorName::Constraint));
    // Nothing of the failed add stayed: no record, no entries, and the key
    // generator did not move. The transaction goes on.
    assert_eq!(
        outbox
            .store
            .count(outbox.messages, &KeyRange::all())
            .unwrap(),
        1
    );
    assert_eq!(
        outbox
            .store
            .index_count(outbox.by_room, &KeyRange::only(Key::string("attic")))
            .unwrap(),
        0
    );
    assert_eq!(outbox.add("attic", 8.0, &[]), Ok(Key::Number(2.0)));
    outbox.store.commit().unwrap();
    // Putting the same record again with its own unique key is fine.
    outbox.store.begin(Durability::Relaxed).unwrap();
    let entries = vec![(outbox.by_uid, vec![Key::Number(7.0)])];
    outbox
        .store
        .put(
            outbox.messages,
            Some(Key::Number(1.0)),
            b"again",
            true,
            &entries,
        )
        .unwrap();
    outbox.store.commit().unwrap();
}

#[test]
fn entries_follow_a_replaced_record_and_go_with_a_deleted_one() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    let key = outbox.add("kitchen", 1.0, &["urgent"]).unwrap();
    outbox.add("attic", 2.0, &["urgent"]).unwrap();
    // The message moves to the attic: its kitchen entry goes.
    let entries = vec![(outbox.by_room, vec![Key::string("attic")])];
    outbox
        .store
        .put(outbox.messages, Some(key.clone()), b"moved", true, &entries)
        .unwrap();
    assert_eq!(
        outbox.values_in(outbox.by_room, &KeyRange::only(Key::string("attic"))),
        ["moved", "attic/2"]
    );
    assert_eq!(
        outbox.values_in(outbox.by_room, &KeyRange::only(Key::string("kitchen"))),
        Vec::<String>::new()
    );
    // The replaced record lost its tag entry too (none was given).
    assert_eq!(
        outbox.values_in(outbox.by_tag, &KeyRange::only(Key::string("urgent"))),
        ["attic/2"]
    );
    outbox
        .store
        .delete(outbox.messages, &KeyRange::only(Key::Number(2.0)))
        .unwrap();
    assert_eq!(
        outbox
            .store
            .index_count(outbox.by_tag, &KeyRange::all())
            .unwrap(),
        0
    );
    assert_eq!(
        outbox.values_in(outbox.by_room, &KeyRange::all()),
        ["moved"]
    );
    outbox.store.commit().unwrap();
}

#[test]
fn a_multi_entry_index_holds_each_item_once() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    outbox.add("kitchen", 1.0, &["a", "b", "a"]).unwrap();
    outbox.add("attic", 2.0, &["b"]).unwrap();
    outbox.store.commit().unwrap();
    // One entry per distinct item: `a` once for the kitchen, `b` for both.
    assert_eq!(
        outbox.values_in(outbox.by_tag, &KeyRange::all()),
        ["kitchen/1", "kitchen/1", "attic/2"]
    );
    assert_eq!(
        outbox
            .store
            .index_count(outbox.by_tag, &KeyRange::only(Key::string("a")))
            .unwrap(),
        1
    );
}

#[test]
fn an_index_made_over_existing_records_is_filled_and_checked() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    outbox.add("kitchen", 1.0, &[]).unwrap();
    outbox.add("attic", 2.0, &[]).unwrap();
    outbox.store.commit().unwrap();
    outbox.store.begin(Durability::Relaxed).unwrap();
    let by_sender = outbox
        .store
        .create_index(
            outbox.messages,
            "bySender",
            &KeyPath::String("from".into()),
            true,
            false,
        )
        .unwrap();
    // Two records with the same sender: the unique index cannot be made.
    let clash = [
        (Key::Number(1.0), vec![Key::string("ann")]),
        (Key::Number(2.0), vec![Key::string("ann")]),
    ];
    let error = outbox
        .store
        .add_index_entries(by_sender, &clash)
        .unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    assert_eq!(
        outbox
            .store
            .index_count(by_sender, &KeyRange::all())
            .unwrap(),
        0
    );
    let fine = [
        (Key::Number(1.0), vec![Key::string("ann")]),
        (Key::Number(2.0), vec![Key::string("bob")]),
    ];
    outbox.store.add_index_entries(by_sender, &fine).unwrap();
    outbox.store.commit().unwrap();
    assert_eq!(
        outbox.values_in(by_sender, &KeyRange::only(Key::string("bob"))),
        ["attic/2"]
    );
    let info = outbox.store.database("outbox").unwrap().unwrap();
    let names: Vec<&str> = info.stores[0]
        .indexes
        .iter()
        .map(|index| index.name.as_str())
        .collect();
    assert_eq!(names, ["byRoom", "bySender", "byTag", "byUid"]);
    assert!(info.stores[0].indexes[1].unique);
    assert!(info.stores[0].indexes[2].multi_entry);
}

#[test]
fn index_names_are_unique_and_deleting_one_takes_its_entries() {
    let mut outbox = outbox();
    outbox.store.begin(Durability::Relaxed).unwrap();
    outbox.add("kitchen", 1.0, &[]).unwrap();
    let error = outbox
        .store
        .create_index(
            outbox.messages,
            "byRoom",
            &KeyPath::String("x".into()),
            false,
            false,
        )
        .unwrap_err();
    assert_eq!(error.name, IdbErrorName::Constraint);
    outbox
        .store
        .delete_index(outbox.messages, "byRoom")
        .unwrap();
    assert_eq!(
        outbox
            .store
            .delete_index(outbox.messages, "byRoom")
            .unwrap_err()
            .name,
        IdbErrorName::NotFound
    );
    assert_eq!(
        outbox
            .store
            .index_count(outbox.by_room, &KeyRange::all())
            .unwrap(),
        0
    );
    outbox.store.commit().unwrap();
}

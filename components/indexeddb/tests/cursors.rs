//! Cursor steps over an object store and over an index, in all four
//! directions, with skips (`advance`), on a real SQLite file. Each step
//! seeks from the last position, so a cursor holds nothing but its
//! position between steps.

use indexeddb::{Direction, Durability, IndexId, OriginStore, StoreId};
use indexeddb_traits::{Key, KeyPath, KeyRange};
use tempfile::TempDir;

/// Records 1..=5 with `room` a, b, a, c, b; index `byRoom`.
fn rooms() -> (TempDir, OriginStore, StoreId, IndexId) {
    let dir = TempDir::new().unwrap();
    let mut store = OriginStore::open(&dir.path().join("origin.sqlite")).unwrap();
    store.begin(Durability::Relaxed).unwrap();
    let database = store.create_database("db").unwrap();
    let records = store
        .create_object_store(database, "records", None, true)
        .unwrap();
    let by_room = store
        .create_index(
            records,
            "byRoom",
            &KeyPath::String("room".into()),
            false,
            false,
        )
        .unwrap();
    for room in ["a", "b", "a", "c", "b"] {
        let entries = vec![(by_room, vec![Key::string(room)])];
        store
            .put(records, None, room.as_bytes(), false, &entries)
            .unwrap();
    }
    store.commit().unwrap();
    (dir, store, records, by_room)
}

/// Every step of a store cursor, as record keys.
fn walk_store(
    store: &OriginStore,
    records: StoreId,
    range: &KeyRange,
    direction: Direction,
    skip: u32,
) -> Vec<f64> {
    let mut seen = Vec::new();
    let mut after: Option<Key> = None;
    while let Some((key, _)) = store
        .store_cursor_steps(records, range, direction, after.as_ref(), skip, 1)
        .unwrap()
        .pop()
    {
        let Key::Number(number) = key else {
            panic!("a number key")
        };
        seen.push(number);
        after = Some(key);
    }
    seen
}

/// Every step of an index cursor, as (room, record key).
fn walk_index(store: &OriginStore, index: IndexId, direction: Direction) -> Vec<(String, f64)> {
    let mut seen = Vec::new();
    let mut after: Option<(Key, Key)> = None;
    while let Some((key, primary_key, _)) = store
        .index_cursor_step(
            index,
            &KeyRange::all(),
            direction,
            after.as_ref().map(|(key, primary)| (key, primary)),
            false,
            0,
        )
        .unwrap()
    {
        let (Key::String(room), Key::Number(number)) = (&key, &primary_key) else {
            panic!("a string index key and a number record key")
        };
        seen.push((String::from_utf16(room).unwrap(), *number));
        after = Some((key, primary_key));
    }
    seen
}

fn pairs(expected: &[(&str, f64)]) -> Vec<(String, f64)> {
    expected
        .iter()
        .map(|(room, key)| (room.to_string(), *key))
        .collect()
}

#[test]
fn a_store_cursor_walks_keys_both_ways_and_skips() {
    let (_dir, store, records, _) = rooms();
    let all = KeyRange::all();
    assert_eq!(
        walk_store(&store, records, &all, Direction::Next, 0),
        [1.0, 2.0, 3.0, 4.0, 5.0]
    );
    assert_eq!(
        walk_store(&store, records, &all, Direction::Prev, 0),
        [5.0, 4.0, 3.0, 2.0, 1.0]
    );
    assert_eq!(
        walk_store(&store, records, &all, Direction::NextUnique, 0),
        [1.0, 2.0, 3.0, 4.0, 5.0]
    );
    // advance(2) from each position.
    assert_eq!(
        walk_store(&store, records, &all, Direction::Next, 1),
        [2.0, 4.0]
    );
    let middle = KeyRange::bound(Key::Number(2.0), Key::Number(4.0), false, true).unwrap();
    assert_eq!(
        walk_store(&store, records, &middle, Direction::Prev, 0),
        [3.0, 2.0]
    );
}

#[test]
fn an_index_cursor_walks_entries_in_index_then_record_key_order() {
    let (_dir, store, _, by_room) = rooms();
    assert_eq!(
        walk_index(&store, by_room, Direction::Next),
        pairs(&[("a", 1.0), ("a", 3.0), ("b", 2.0), ("b", 5.0), ("c", 4.0)])
    );
    assert_eq!(
        walk_index(&store, by_room, Direction::Prev),
        pairs(&[("c", 4.0), ("b", 5.0), ("b", 2.0), ("a", 3.0), ("a", 1.0)])
    );
}

#[test]
fn unique_directions_give_each_index_key_once_with_its_lowest_record() {
    let (_dir, store, _, by_room) = rooms();
    assert_eq!(
        walk_index(&store, by_room, Direction::NextUnique),
        pairs(&[("a", 1.0), ("b", 2.0), ("c", 4.0)])
    );
    // Backwards too, each key comes with its lowest record key (the spec's
    // "prevunique").
    assert_eq!(
        walk_index(&store, by_room, Direction::PrevUnique),
        pairs(&[("c", 4.0), ("b", 2.0), ("a", 1.0)])
    );
}

#[test]
fn a_read_ahead_returns_the_steps_one_by_one_would() {
    let (_dir, store, records, _) = rooms();
    for direction in [Direction::Next, Direction::Prev] {
        let one_by_one = walk_store(&store, records, &KeyRange::all(), direction, 0);
        let at_once: Vec<f64> = store
            .store_cursor_steps(records, &KeyRange::all(), direction, None, 0, 1000)
            .unwrap()
            .into_iter()
            .map(|(key, _)| match key {
                Key::Number(number) => number,
                _ => panic!("a number key"),
            })
            .collect();
        assert_eq!(one_by_one, at_once);
    }
}

// META: title=IndexedDB: the npm libraries idb and idb-keyval, unmodified, in a page and a service worker
// META: global=window,dedicatedworker,serviceworker
// META: script=/third_party/idb/build/umd.js
// META: script=/third_party/idb-keyval/dist/umd.js
"use strict";

// idb's documented basic uses (https://github.com/jakearchibald/idb#readme).
promise_test(async t => {
  const name = "idb-library-" + Math.random();
  const db = await idb.openDB(name, 1, {
    upgrade(db, oldVersion, newVersion, transaction) {
      assert_equals(oldVersion, 0);
      assert_equals(newVersion, 1);
      db.createObjectStore("keyval");
      const store = db.createObjectStore("articles", {keyPath: "id", autoIncrement: true});
      store.createIndex("date", "date");
    },
  });
  t.add_cleanup(async () => { db.close(); await idb.deleteDB(name); });

  await db.put("keyval", "world", "hello");
  assert_equals(await db.get("keyval", "hello"), "world");

  const tx = db.transaction("articles", "readwrite");
  await Promise.all([
    tx.store.add({title: "later", date: new Date(2000)}),
    tx.store.add({title: "earlier", date: new Date(1000)}),
    tx.store.add({title: "middle", date: new Date(1500)}),
    tx.done,
  ]);
  const byDate = await db.getAllFromIndex("articles", "date");
  assert_array_equals(byDate.map(a => a.title), ["earlier", "middle", "later"]);
  assert_equals(await db.countFromIndex("articles", "date", IDBKeyRange.upperBound(new Date(1500))), 2);
  assert_equals((await db.getFromIndex("articles", "date", new Date(2000))).title, "later");

  // Cursors, awaited one step at a time (the transaction stays alive across await).
  const titles = [];
  let cursor = await db.transaction("articles").store.openCursor(null, "prev");
  while (cursor) {
    titles.push(cursor.value.title);
    cursor = await cursor.continue();
  }
  assert_array_equals(titles, ["middle", "earlier", "later"]);

  // Async iteration over a store.
  const iterated = [];
  for await (const entry of db.transaction("articles").store) iterated.push(entry.key);
  assert_array_equals(iterated, [1, 2, 3]);

  // Editing through a cursor in a readwrite transaction.
  const edit = db.transaction("articles", "readwrite");
  for await (const entry of edit.store.iterate()) {
    if (entry.value.title === "middle") await entry.delete();
    else await entry.update({...entry.value, title: entry.value.title.toUpperCase()});
  }
  await edit.done;
  assert_array_equals((await db.getAll("articles")).map(a => a.title), ["LATER", "EARLIER"]);
  assert_equals(await db.count("articles"), 2);
  await db.clear("articles");
  assert_equals(await db.count("articles"), 0);
  await db.delete("keyval", "hello");
  assert_equals(await db.get("keyval", "hello"), undefined);
}, "idb: openDB with an upgrade, put/get, indexes, cursors, async iteration, update and delete");

// idb-keyval's documented uses (https://github.com/jakearchibald/idb-keyval#readme).
promise_test(async t => {
  await idbKeyval.clear();
  await idbKeyval.set("hello", "world");
  assert_equals(await idbKeyval.get("hello"), "world");
  assert_equals(await idbKeyval.get("missing"), undefined);
  await idbKeyval.setMany([[123, 456], ["list", [1, 2]], [[1, "compound"], {nested: true}]]);
  assert_array_equals(await idbKeyval.getMany(["hello", 123]), ["world", 456]);
  await idbKeyval.update("counter", value => (value || 0) + 1);
  await idbKeyval.update("counter", value => (value || 0) + 1);
  assert_equals(await idbKeyval.get("counter"), 2);
  const keys = await idbKeyval.keys();
  assert_equals(keys.length, 5);
  assert_equals(keys[0], 123, "keys come back in key order: numbers first");
  assert_equals((await idbKeyval.entries()).length, 5);
  assert_equals((await idbKeyval.values()).length, 5);
  await idbKeyval.del("hello");
  await idbKeyval.delMany([123, "list"]);
  assert_equals((await idbKeyval.keys()).length, 2);
  const custom = idbKeyval.createStore("custom-db-" + Math.random(), "custom-store");
  await idbKeyval.set("in custom", true, custom);
  assert_true(await idbKeyval.get("in custom", custom));
  assert_equals(await idbKeyval.get("in custom"), undefined, "the default store is another one");
  await idbKeyval.clear();
}, "idb-keyval: set/get, setMany/getMany, update, keys/values/entries, del/delMany, createStore");

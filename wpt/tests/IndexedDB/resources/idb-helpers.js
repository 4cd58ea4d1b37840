// Helpers of bgsync's own IndexedDB tests: each test gets a fresh database, deleted after it.
"use strict";

let databaseCounter = 0;

// Resolves with the request's result on success; rejects with its error on error.
function requestResult(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = event => { event.preventDefault(); reject(request.error); };
  });
}

// Resolves once the transaction commits; rejects with its error if it aborts.
function transactionDone(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error || new DOMException("aborted", "AbortError"));
  });
}

// A fresh database of `version` whose upgrade runs `upgrade(db, transaction)`; closed and
// deleted when the test ends.
async function freshDatabase(t, upgrade, version = 1) {
  const name = `${location.pathname}-${++databaseCounter}-${Math.random()}`;
  await requestResult(indexedDB.deleteDatabase(name));
  const open = indexedDB.open(name, version);
  open.onupgradeneeded = () => upgrade(open.result, open.transaction);
  const db = await requestResult(open);
  t.add_cleanup(async () => {
    db.close();
    await requestResult(indexedDB.deleteDatabase(name));
  });
  return db;
}

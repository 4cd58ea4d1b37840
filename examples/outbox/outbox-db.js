// The app's outbox in IndexedDB, shared by the page (<script src>) and the service worker
// (importScripts): the database "chat" with two stores, "outbox" (messages waiting to be sent,
// in the order they were written) and "drafts" (messages the worker gave up on, handed back to
// the user). Both stores generate their keys, so the key order is the writing order.

const CHAT_DB = "chat";

function openChat() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(CHAT_DB, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      open.result.createObjectStore("drafts", { keyPath: "seq", autoIncrement: true });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

// A transaction as a promise: resolved once it has committed.
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new DOMException("aborted", "AbortError"));
  });
}

// A request as a promise of its result.
function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Every record of a store, in key order.
async function allOf(db, store) {
  return result(db.transaction(store).objectStore(store).getAll());
}

// Adds messages ({id, text}) to the outbox in one transaction; resolves once it is committed,
// which is when the messages survive anything (a closed page, a killed engine).
async function addToOutbox(db, messages) {
  const tx = db.transaction("outbox", "readwrite");
  for (const message of messages) {
    tx.objectStore("outbox").add({ ...message, writtenAt: Date.now() });
  }
  await committed(tx);
}

// Removes one sent message from the outbox.
async function removeFromOutbox(db, seq) {
  const tx = db.transaction("outbox", "readwrite");
  tx.objectStore("outbox").delete(seq);
  await committed(tx);
}

// Moves messages from the outbox back to the drafts, in one transaction: a message is in
// exactly one of the two stores at any time.
async function moveToDrafts(db, messages) {
  const tx = db.transaction(["outbox", "drafts"], "readwrite");
  for (const { seq, ...message } of messages) {
    tx.objectStore("drafts").add(message);
    tx.objectStore("outbox").delete(seq);
  }
  await committed(tx);
}

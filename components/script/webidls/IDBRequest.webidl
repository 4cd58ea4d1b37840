// https://w3c.github.io/IndexedDB/#request-api
// As published in @webref/idl (IndexedDB.idl).
[Exposed=(Window,Worker)]
interface IDBRequest : EventTarget {
  [Throws] readonly attribute any result;
  [Throws] readonly attribute DOMException? error;
  readonly attribute (IDBObjectStore or IDBIndex or IDBCursor)? source;
  readonly attribute IDBTransaction? transaction;
  readonly attribute IDBRequestReadyState readyState;

  // Event handlers:
  attribute EventHandler onsuccess;
  attribute EventHandler onerror;
};

enum IDBRequestReadyState {
  "pending",
  "done"
};

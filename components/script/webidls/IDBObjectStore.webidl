// https://w3c.github.io/IndexedDB/#object-store-interface
// As published in @webref/idl.
[Exposed=(Window,Worker)]
interface IDBObjectStore {
  [SetterThrows] attribute DOMString name;
  [Throws] readonly attribute any keyPath;
  readonly attribute DOMStringList indexNames;
  [SameObject] readonly attribute IDBTransaction transaction;
  readonly attribute boolean autoIncrement;

  [NewObject, Throws] IDBRequest put(any value, optional any key);
  [NewObject, Throws] IDBRequest add(any value, optional any key);
  [NewObject, Throws] IDBRequest delete(any query);
  [NewObject, Throws] IDBRequest clear();
  [NewObject, Throws] IDBRequest get(any query);
  [NewObject, Throws] IDBRequest getKey(any query);
  [NewObject, Throws] IDBRequest getAll(optional any queryOrOptions,
                                        optional [EnforceRange] unsigned long count);
  [NewObject, Throws] IDBRequest getAllKeys(optional any queryOrOptions,
                                            optional [EnforceRange] unsigned long count);
  [NewObject, Throws] IDBRequest getAllRecords(optional IDBGetAllOptions options = {});
  [NewObject, Throws] IDBRequest count(optional any query);

  [NewObject, Throws] IDBRequest openCursor(optional any query,
                                            optional IDBCursorDirection direction = "next");
  [NewObject, Throws] IDBRequest openKeyCursor(optional any query,
                                               optional IDBCursorDirection direction = "next");

  [Throws] IDBIndex index(DOMString name);

  [NewObject, Throws] IDBIndex createIndex(DOMString name,
                                           (DOMString or sequence<DOMString>) keyPath,
                                           optional IDBIndexParameters options = {});
  [Throws] undefined deleteIndex(DOMString name);
};

dictionary IDBIndexParameters {
  boolean unique = false;
  boolean multiEntry = false;
};

// https://w3c.github.io/IndexedDB/#index-interface
// As published in @webref/idl.
[Exposed=(Window,Worker)]
interface IDBIndex {
  [SetterThrows] attribute DOMString name;
  [SameObject] readonly attribute IDBObjectStore objectStore;
  [Throws] readonly attribute any keyPath;
  readonly attribute boolean multiEntry;
  readonly attribute boolean unique;

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
};

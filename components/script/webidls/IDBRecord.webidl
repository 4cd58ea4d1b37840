// https://w3c.github.io/IndexedDB/#record-interface
[Exposed=(Window,Worker)]
interface IDBRecord {
  readonly attribute any key;
  readonly attribute any primaryKey;
  readonly attribute any value;
};

// https://w3c.github.io/IndexedDB/#dictdef-idbgetalloptions
dictionary IDBGetAllOptions {
  any query = null;
  [EnforceRange] unsigned long count;
  IDBCursorDirection direction = "next";
};

// https://w3c.github.io/IndexedDB/#idbcursorwithvalue
[Exposed=(Window,Worker)]
interface IDBCursorWithValue : IDBCursor {
  readonly attribute any value;
};

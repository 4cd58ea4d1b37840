// https://w3c.github.io/IndexedDB/#keyrange
[Exposed=(Window,Worker)]
interface IDBKeyRange {
  [Throws] readonly attribute any lower;
  [Throws] readonly attribute any upper;
  readonly attribute boolean lowerOpen;
  readonly attribute boolean upperOpen;

  // Static construction methods:
  [NewObject, Throws] static IDBKeyRange only(any value);
  [NewObject, Throws] static IDBKeyRange lowerBound(any lower, optional boolean open = false);
  [NewObject, Throws] static IDBKeyRange upperBound(any upper, optional boolean open = false);
  [NewObject, Throws] static IDBKeyRange bound(any lower,
                                               any upper,
                                               optional boolean lowerOpen = false,
                                               optional boolean upperOpen = false);

  [Throws] boolean includes(any key);
};

// https://dom.spec.whatwg.org/#interface-AbortSignal
// No AbortSignal.any() and timeout() yet.
[Exposed=(Window,Worker)]
interface AbortSignal : EventTarget {
  [NewObject] static AbortSignal abort(optional any reason);

  readonly attribute boolean aborted;
  readonly attribute any reason;
  [Throws] undefined throwIfAborted();

  attribute EventHandler onabort;
};

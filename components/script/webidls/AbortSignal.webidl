// https://dom.spec.whatwg.org/#interface-AbortSignal
// AbortSignal.timeout()'s timer does not keep a page from being idle.
[Exposed=(Window,Worker)]
interface AbortSignal : EventTarget {
  [NewObject] static AbortSignal abort(optional any reason);
  [NewObject] static AbortSignal timeout([EnforceRange] unsigned long long milliseconds);
  [NewObject] static AbortSignal _any(sequence<AbortSignal> signals);

  readonly attribute boolean aborted;
  readonly attribute any reason;
  [Throws] undefined throwIfAborted();

  attribute EventHandler onabort;
};

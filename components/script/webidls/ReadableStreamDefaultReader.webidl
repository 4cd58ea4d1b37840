// https://streams.spec.whatwg.org/#default-reader-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface ReadableStreamDefaultReader {
  [Throws] constructor(ReadableStream stream);

  [NewObject] Promise<ReadableStreamReadResult> read();
  undefined releaseLock();
};
ReadableStreamDefaultReader includes ReadableStreamGenericReader;

dictionary ReadableStreamReadResult {
  any value;
  boolean done;
};

// https://streams.spec.whatwg.org/#generic-reader-mixin
interface mixin ReadableStreamGenericReader {
  readonly attribute Promise<undefined> closed;

  [NewObject] Promise<undefined> cancel(optional any reason);
};

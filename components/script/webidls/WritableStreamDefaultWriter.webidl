// https://streams.spec.whatwg.org/#default-writer-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface WritableStreamDefaultWriter {
  [Throws] constructor(WritableStream stream);

  readonly attribute Promise<undefined> closed;
  [Throws] readonly attribute unrestricted double? desiredSize;
  readonly attribute Promise<undefined> ready;

  [NewObject] Promise<undefined> abort(optional any reason);
  [NewObject] Promise<undefined> close();
  undefined releaseLock();
  [NewObject] Promise<undefined> write(optional any chunk);
};

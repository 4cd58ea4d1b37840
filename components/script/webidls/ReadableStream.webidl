// https://streams.spec.whatwg.org/#rs-class
// The spec says [Exposed=*]; spelled out for weedle2. Default (not byte) streams only: an
// underlying source of type "bytes" is a RangeError, so getReader({mode: "byob"}) is a
// TypeError, as for any default stream. ReadableStreamController is the default controller
// (the spec's union also has the byte controller). `async iterable` is the spelling weedle2 parses
// of the spec's `async_iterable`.
[Exposed=(Window,Worker)]
interface ReadableStream {
  [Throws] constructor(optional object underlyingSource, optional QueuingStrategy strategy = {});

  [NewObject, Throws] static ReadableStream from(any asyncIterable);

  readonly attribute boolean locked;

  [NewObject] Promise<undefined> cancel(optional any reason);
  [Throws] ReadableStreamDefaultReader getReader(optional ReadableStreamGetReaderOptions options = {});
  [Throws] ReadableStream pipeThrough(ReadableWritablePair transform, optional StreamPipeOptions options = {});
  [NewObject] Promise<undefined> pipeTo(WritableStream destination, optional StreamPipeOptions options = {});
  [Throws] sequence<ReadableStream> tee();

  async iterable<any>(optional ReadableStreamIteratorOptions options = {});
};

dictionary ReadableStreamIteratorOptions {
  boolean preventCancel = false;
};

enum ReadableStreamReaderMode { "byob" };

dictionary ReadableStreamGetReaderOptions {
  ReadableStreamReaderMode mode;
};

dictionary ReadableWritablePair {
  required ReadableStream readable;
  required WritableStream writable;
};

dictionary StreamPipeOptions {
  boolean preventClose = false;
  boolean preventAbort = false;
  boolean preventCancel = false;
  AbortSignal signal;
};

dictionary UnderlyingSource {
  UnderlyingSourceStartCallback start;
  UnderlyingSourcePullCallback pull;
  UnderlyingSourceCancelCallback cancel;
  ReadableStreamType type;
  [EnforceRange] unsigned long long autoAllocateChunkSize;
};

// The spec's pull and cancel callbacks return Promise<undefined>; here `any`, resolved into a
// promise by the stream (a throw becomes a rejection, as Web IDL's conversion does).
callback UnderlyingSourceStartCallback = any (ReadableStreamDefaultController controller);
callback UnderlyingSourcePullCallback = any (ReadableStreamDefaultController controller);
callback UnderlyingSourceCancelCallback = any (optional any reason);

enum ReadableStreamType { "bytes" };

// https://streams.spec.whatwg.org/#qs-api
dictionary QueuingStrategy {
  unrestricted double highWaterMark;
  QueuingStrategySize size;
};

callback QueuingStrategySize = unrestricted double (any chunk);

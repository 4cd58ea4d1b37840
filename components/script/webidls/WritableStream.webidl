// https://streams.spec.whatwg.org/#ws-class
// The spec says [Exposed=*]; spelled out for weedle2. The sink's write/close/abort callbacks
// return Promise<undefined> in the spec; here `any`, resolved into a promise by the stream.
[Exposed=(Window,Worker)]
interface WritableStream {
  [Throws] constructor(optional object underlyingSink, optional QueuingStrategy strategy = {});

  readonly attribute boolean locked;

  [NewObject] Promise<undefined> abort(optional any reason);
  [NewObject] Promise<undefined> close();
  [Throws] WritableStreamDefaultWriter getWriter();
};

dictionary UnderlyingSink {
  UnderlyingSinkStartCallback start;
  UnderlyingSinkWriteCallback write;
  UnderlyingSinkCloseCallback close;
  UnderlyingSinkAbortCallback abort;
  any type;
};

callback UnderlyingSinkStartCallback = any (WritableStreamDefaultController controller);
callback UnderlyingSinkWriteCallback = any (any chunk, WritableStreamDefaultController controller);
callback UnderlyingSinkCloseCallback = any ();
callback UnderlyingSinkAbortCallback = any (optional any reason);

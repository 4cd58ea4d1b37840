// https://streams.spec.whatwg.org/#ts-class
// The spec says [Exposed=*]; spelled out for weedle2. The transformer's transform, flush and
// cancel return Promise<undefined> in the spec; here `any`, resolved into a promise.
[Exposed=(Window,Worker)]
interface TransformStream {
  [Throws] constructor(optional object transformer,
                       optional QueuingStrategy writableStrategy = {},
                       optional QueuingStrategy readableStrategy = {});

  readonly attribute ReadableStream readable;
  readonly attribute WritableStream writable;
};

dictionary Transformer {
  TransformerStartCallback start;
  TransformerTransformCallback transform;
  TransformerFlushCallback flush;
  TransformerCancelCallback cancel;
  any readableType;
  any writableType;
};

callback TransformerStartCallback = any (TransformStreamDefaultController controller);
callback TransformerFlushCallback = any (TransformStreamDefaultController controller);
callback TransformerTransformCallback = any (any chunk, TransformStreamDefaultController controller);
callback TransformerCancelCallback = any (any reason);

// https://streams.spec.whatwg.org/#other-specs-ts-wrapping
interface mixin GenericTransformStream {
  readonly attribute ReadableStream readable;
  readonly attribute WritableStream writable;
};

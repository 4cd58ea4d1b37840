// https://streams.spec.whatwg.org/#blqs-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface ByteLengthQueuingStrategy {
  constructor(QueuingStrategyInit init);

  readonly attribute unrestricted double highWaterMark;
  [Throws] readonly attribute Function size;
};

dictionary QueuingStrategyInit {
  required unrestricted double highWaterMark;
};

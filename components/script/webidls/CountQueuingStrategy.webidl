// https://streams.spec.whatwg.org/#cqs-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface CountQueuingStrategy {
  constructor(QueuingStrategyInit init);

  readonly attribute unrestricted double highWaterMark;
  [Throws] readonly attribute Function size;
};

// https://streams.spec.whatwg.org/#ws-default-controller-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface WritableStreamDefaultController {
  readonly attribute AbortSignal signal;
  undefined error(optional any e);
};

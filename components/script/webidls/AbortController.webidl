// https://dom.spec.whatwg.org/#interface-abortcontroller
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface AbortController {
  constructor();

  [SameObject] readonly attribute AbortSignal signal;

  undefined abort(optional any reason);
};

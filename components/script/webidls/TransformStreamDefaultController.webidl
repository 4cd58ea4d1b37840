// https://streams.spec.whatwg.org/#ts-default-controller-class
// The spec says [Exposed=*]; spelled out for weedle2.
[Exposed=(Window,Worker)]
interface TransformStreamDefaultController {
  readonly attribute unrestricted double? desiredSize;
  [Throws] undefined enqueue(optional any chunk);
  undefined error(optional any reason);
  undefined terminate();
};

// https://encoding.spec.whatwg.org/#interface-textencoderstream
[Exposed=(Window,Worker)]
interface TextEncoderStream {
  constructor();

  readonly attribute DOMString encoding;
};
TextEncoderStream includes GenericTransformStream;

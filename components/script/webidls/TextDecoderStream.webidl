// https://encoding.spec.whatwg.org/#interface-textdecoderstream
[Exposed=(Window,Worker)]
interface TextDecoderStream {
  [Throws] constructor(optional DOMString label = "utf-8", optional TextDecoderOptions options = {});

  readonly attribute DOMString encoding;
  readonly attribute boolean fatal;
  readonly attribute boolean ignoreBOM;
};
TextDecoderStream includes GenericTransformStream;

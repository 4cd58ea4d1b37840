// https://encoding.spec.whatwg.org/#interface-textdecoder
// The TextDecoderCommon mixin's attributes are spelled out in the interface.
[Exposed=(Window,Worker)]
interface TextDecoder {
  [Throws] constructor(optional DOMString label = "utf-8", optional TextDecoderOptions options = {});

  readonly attribute DOMString encoding;
  readonly attribute boolean fatal;
  readonly attribute boolean ignoreBOM;

  [Throws] USVString decode(optional AllowSharedBufferSource input, optional TextDecodeOptions options = {});
};

dictionary TextDecoderOptions {
  boolean fatal = false;
  boolean ignoreBOM = false;
};

dictionary TextDecodeOptions {
  boolean stream = false;
};

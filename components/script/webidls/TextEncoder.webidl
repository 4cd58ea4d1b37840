// https://encoding.spec.whatwg.org/#interface-textencoder
// The TextEncoderCommon mixin's attribute is spelled out in the interface.
[Exposed=(Window,Worker)]
interface TextEncoder {
  constructor();

  readonly attribute DOMString encoding;

  [NewObject, Throws] Uint8Array encode(optional USVString input = "");
  TextEncoderEncodeIntoResult encodeInto(USVString source, [AllowShared] Uint8Array destination);
};

dictionary TextEncoderEncodeIntoResult {
  unsigned long long read;
  unsigned long long written;
};

// META: global=window,dedicatedworker,serviceworker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// The Encoding Standard's IDL (@webref/idl's encoding.idl) checked with idlharness.js:
// TextEncoder, TextDecoder, TextEncoderStream and TextDecoderStream.
"use strict";

promise_test(async () => {
  const [encoding, streams] = await Promise.all([fetch_spec("encoding"), fetch_spec("streams")]);
  const idl_array = new IdlArray();
  idl_array.add_idls(encoding.idl);
  idl_array.add_dependency_idls(streams.idl);
  idl_array.add_objects({
    TextEncoder: ["new TextEncoder()"],
    TextDecoder: ["new TextDecoder()"],
    TextEncoderStream: ["new TextEncoderStream()"],
    TextDecoderStream: ["new TextDecoderStream()"],
  });
  idl_array.test();
}, "setup: the IDL of the Encoding Standard");

// META: global=window,dedicatedworker,serviceworker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// The Encoding Standard's IDL (@webref/idl's encoding.idl) checked with idlharness.js, for
// TextEncoder and TextDecoder. TextEncoderStream and TextDecoderStream are left out: they are
// transform streams, and bgsync has no Streams API yet.
"use strict";

promise_test(async () => {
  const [encoding, streams] = await Promise.all([fetch_spec("encoding"), fetch_spec("streams")]);
  const idl_array = new IdlArray();
  idl_array.add_idls(encoding.idl, { except: ["TextEncoderStream", "TextDecoderStream"] });
  idl_array.add_dependency_idls(streams.idl);
  idl_array.add_objects({
    TextEncoder: ["new TextEncoder()"],
    TextDecoder: ["new TextDecoder()"],
  });
  idl_array.test();
}, "setup: the IDL of TextEncoder and TextDecoder");

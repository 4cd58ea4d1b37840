// META: global=window,dedicatedworker,serviceworker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// The Streams Standard's IDL (@webref/idl's streams.idl) checked with idlharness.js for the
// interfaces bgsync exposes: default streams, writable and transform streams, the queuing
// strategies. Byte streams (ReadableByteStreamController, the BYOB reader and request) are
// not implemented, so they are left out.
"use strict";

promise_test(async () => {
  const [streams, dom] = await Promise.all([fetch_spec("streams"), fetch_spec("dom")]);
  const idl_array = new IdlArray();
  idl_array.add_idls(streams.idl, {
    only: [
      "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamDefaultController",
      "ReadableStreamGenericReader",
      "WritableStream", "WritableStreamDefaultWriter", "WritableStreamDefaultController",
      "TransformStream", "TransformStreamDefaultController",
      "ByteLengthQueuingStrategy", "CountQueuingStrategy",
    ],
  });
  idl_array.add_dependency_idls(dom.idl);
  idl_array.add_objects({
    ReadableStream: ["new ReadableStream()"],
    ReadableStreamDefaultReader: ["new ReadableStream().getReader()"],
    WritableStream: ["new WritableStream()"],
    WritableStreamDefaultWriter: ["new WritableStream().getWriter()"],
    TransformStream: ["new TransformStream()"],
    ByteLengthQueuingStrategy: ["new ByteLengthQueuingStrategy({ highWaterMark: 5 })"],
    CountQueuingStrategy: ["new CountQueuingStrategy({ highWaterMark: 5 })"],
  });
  idl_array.test();
}, "setup: the IDL of the Streams Standard");

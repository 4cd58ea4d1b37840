// https://w3c.github.io/ServiceWorker/#client-interface
// Window clients are plain Client objects (no WindowClient: bgsync has no focus or
// visibility), and the `sequence<object> transfer` overload of postMessage is left out.
[Exposed=ServiceWorker]
interface Client {
  readonly attribute USVString url;
  readonly attribute FrameType frameType;
  readonly attribute DOMString id;
  readonly attribute ClientType type;
  undefined postMessage(any message, optional StructuredSerializeOptions options = {});
};

enum FrameType {
  "auxiliary",
  "top-level",
  "nested",
  "none"
};

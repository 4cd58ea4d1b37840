// https://w3c.github.io/ServiceWorker/#client-interface
// Window clients are WindowClient objects.
[Exposed=ServiceWorker]
interface Client {
  readonly attribute USVString url;
  readonly attribute FrameType frameType;
  readonly attribute DOMString id;
  readonly attribute ClientType type;
  [Throws] undefined postMessage(any message, sequence<object> transfer);
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});
};

enum FrameType {
  "auxiliary",
  "top-level",
  "nested",
  "none"
};

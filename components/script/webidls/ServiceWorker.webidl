// https://w3c.github.io/ServiceWorker/#serviceworker-interface
// postMessage's `sequence<object> transfer` overload is left out: nothing is transferable yet
// (no MessagePort), and the options form carries the same (empty) transfer list.
[SecureContext, Exposed=(Window,Worker)]
interface ServiceWorker : EventTarget {
  readonly attribute USVString scriptURL;
  readonly attribute ServiceWorkerState state;
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});

  // event
  attribute EventHandler onstatechange;
};
ServiceWorker includes AbstractWorker;

enum ServiceWorkerState {
  "parsed",
  "installing",
  "installed",
  "activating",
  "activated",
  "redundant"
};

// https://html.spec.whatwg.org/multipage/workers.html#abstractworker
interface mixin AbstractWorker {
  attribute EventHandler onerror;
};


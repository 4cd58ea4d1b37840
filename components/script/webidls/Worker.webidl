// https://html.spec.whatwg.org/multipage/workers.html#dedicated-workers-and-the-worker-interface
// Classic and module workers (`type: "module"`: the script is a module script, with imports).
[Exposed=(Window,DedicatedWorker)]
interface Worker : EventTarget {
  [Throws] constructor(USVString scriptURL, optional WorkerOptions options = {});

  undefined terminate();

  [Throws] undefined postMessage(any message, sequence<object> transfer);
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});
  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
};

dictionary WorkerOptions {
  WorkerType type = "classic";
  RequestCredentials credentials = "same-origin";
  DOMString name = "";
};

Worker includes AbstractWorker;

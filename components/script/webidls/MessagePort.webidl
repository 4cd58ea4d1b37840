// https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports
// Ports stay in the global that made them: transferring one (to a worker, a page, or in a
// message of its own channel) is a DataCloneError until ports can travel between threads.
// postMessage's `sequence<object> transfer` overload is left out for the same reason.
[Exposed=(Window,Worker)]
interface MessagePort : EventTarget {
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});
  undefined start();
  undefined close();

  attribute EventHandler onclose;
  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
};

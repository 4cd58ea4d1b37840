// https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports
[Exposed=(Window,Worker)]
interface MessagePort : EventTarget {
  [Throws] undefined postMessage(any message, sequence<object> transfer);
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});
  undefined start();
  undefined close();

  attribute EventHandler onclose;
  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
};

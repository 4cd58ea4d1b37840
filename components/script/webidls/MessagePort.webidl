// https://html.spec.whatwg.org/multipage/web-messaging.html#message-ports
// No `onclose`, and no `close` event when the other end closes: upstream WPT
// (webmessaging/message-channels/historical.any.js) checks both are absent, as in Chromium.
[Exposed=(Window,Worker)]
interface MessagePort : EventTarget {
  [Throws] undefined postMessage(any message, sequence<object> transfer);
  [Throws] undefined postMessage(any message, optional StructuredSerializeOptions options = {});
  undefined start();
  undefined close();

  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
};

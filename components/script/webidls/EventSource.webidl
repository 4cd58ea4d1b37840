// https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
[Exposed=(Window,DedicatedWorker)]
interface EventSource : EventTarget {
  [Throws] constructor(USVString url, optional EventSourceInit eventSourceInitDict = {});

  readonly attribute USVString url;
  readonly attribute boolean withCredentials;

  const unsigned short CONNECTING = 0;
  const unsigned short OPEN = 1;
  const unsigned short CLOSED = 2;
  readonly attribute unsigned short readyState;

  attribute EventHandler onopen;
  attribute EventHandler onmessage;
  attribute EventHandler onerror;

  undefined close();
};

dictionary EventSourceInit {
  boolean withCredentials = false;
};

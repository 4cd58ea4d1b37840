// https://html.spec.whatwg.org/multipage/comms.html#the-messageevent-interface
// `source` is the posting Window (window.postMessage), a ServiceWorker, or null (a
// MessagePort's or a dedicated worker's message). `ports` (the transferred MessagePorts) is
// typed as objects.
[Exposed=(Window,Worker)]
interface MessageEvent : Event {
  constructor(DOMString type, optional MessageEventInit eventInitDict = {});

  readonly attribute any data;
  readonly attribute USVString origin;
  readonly attribute DOMString lastEventId;
  readonly attribute MessageEventSource? source;
  readonly attribute FrozenArray<object> ports;
};

dictionary MessageEventInit : EventInit {
  any data = null;
  USVString origin = "";
  DOMString lastEventId = "";
  MessageEventSource? source = null;
  sequence<object> ports = [];
};

// WindowProxy spelled out: (Window or CrossOriginWindowProxy).
typedef (Window or CrossOriginWindowProxy or MessagePort or ServiceWorker) MessageEventSource;

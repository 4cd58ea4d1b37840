// https://html.spec.whatwg.org/multipage/comms.html#the-messageevent-interface
// bgsync has no WindowProxy sources: `source` is a ServiceWorker (or null, for a
// MessagePort's or a dedicated worker's message). `ports` (the transferred MessagePorts) is
// typed as objects.
[Exposed=(Window,Worker)]
interface MessageEvent : Event {
  constructor(DOMString type, optional MessageEventInit eventInitDict = {});

  readonly attribute any data;
  readonly attribute USVString origin;
  readonly attribute DOMString lastEventId;
  readonly attribute ServiceWorker? source;
  readonly attribute FrozenArray<object> ports;
};

dictionary MessageEventInit : EventInit {
  any data = null;
  USVString origin = "";
  DOMString lastEventId = "";
  ServiceWorker? source = null;
  sequence<object> ports = [];
};

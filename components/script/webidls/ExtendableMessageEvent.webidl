// https://w3c.github.io/ServiceWorker/#extendablemessageevent-interface
// No MessagePort yet: `source` is a Client or ServiceWorker, and `ports` is always empty,
// typed as objects.
[Exposed=ServiceWorker]
interface ExtendableMessageEvent : ExtendableEvent {
  constructor(DOMString type, optional ExtendableMessageEventInit eventInitDict = {});
  readonly attribute any data;
  readonly attribute USVString origin;
  readonly attribute DOMString lastEventId;
  [SameObject] readonly attribute (Client or ServiceWorker)? source;
  readonly attribute FrozenArray<object> ports;
};

dictionary ExtendableMessageEventInit : ExtendableEventInit {
  any data = null;
  USVString origin = "";
  DOMString lastEventId = "";
  (Client or ServiceWorker)? source = null;
  sequence<object> ports = [];
};

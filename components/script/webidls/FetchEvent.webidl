// https://w3c.github.io/ServiceWorker/#fetchevent-interface
// FetchEventInit leaves out the promise members (preloadResponse, handled): a constructed
// event gets a preloadResponse resolved with undefined and a pending handled promise.
[Exposed=ServiceWorker]
interface FetchEvent : ExtendableEvent {
  constructor(DOMString type, FetchEventInit eventInitDict);
  [SameObject] readonly attribute Request request;
  readonly attribute Promise<any> preloadResponse;
  readonly attribute DOMString clientId;
  readonly attribute DOMString resultingClientId;
  readonly attribute DOMString replacesClientId;
  readonly attribute Promise<undefined> handled;

  [Throws] undefined respondWith(Promise<Response> r);
};

dictionary FetchEventInit : ExtendableEventInit {
  required Request request;
  DOMString clientId = "";
  DOMString resultingClientId = "";
  DOMString replacesClientId = "";
};

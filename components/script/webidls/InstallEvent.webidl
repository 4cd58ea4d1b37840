// https://w3c.github.io/ServiceWorker/#installevent
// Without addRoutes(): bgsync has no static routing (ServiceWorker Static Routing API) yet.
[Exposed=ServiceWorker]
interface InstallEvent : ExtendableEvent {
  constructor(DOMString type, optional ExtendableEventInit eventInitDict = {});
};

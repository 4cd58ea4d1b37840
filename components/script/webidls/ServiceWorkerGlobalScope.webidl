// https://w3c.github.io/ServiceWorker/#serviceworkerglobalscope-interface
// clients, registration, serviceWorker and skipWaiting() come with the service worker issue.
[Global=(Worker,ServiceWorker), Exposed=ServiceWorker, SecureContext]
interface ServiceWorkerGlobalScope : WorkerGlobalScope {
  attribute EventHandler oninstall;
  attribute EventHandler onactivate;
  attribute EventHandler onfetch;
  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
};

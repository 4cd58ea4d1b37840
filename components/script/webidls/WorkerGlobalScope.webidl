// https://html.spec.whatwg.org/multipage/workers.html#the-workerglobalscope-common-interface
// location, navigator and importScripts() come with the service worker issue.
[Exposed=Worker]
interface WorkerGlobalScope : EventTarget {
  readonly attribute WorkerGlobalScope self;

  attribute OnErrorEventHandler onerror;
  attribute EventHandler onoffline;
  attribute EventHandler ononline;
  attribute EventHandler onrejectionhandled;
  attribute EventHandler onunhandledrejection;
};
WorkerGlobalScope includes WindowOrWorkerGlobalScope;

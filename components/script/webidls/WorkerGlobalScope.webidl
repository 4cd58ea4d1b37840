// https://html.spec.whatwg.org/multipage/workers.html#the-workerglobalscope-common-interface
// location and navigator are not implemented yet.
[Exposed=Worker]
interface WorkerGlobalScope : EventTarget {
  readonly attribute WorkerGlobalScope self;

  undefined importScripts(USVString... urls);

  attribute OnErrorEventHandler onerror;
  attribute EventHandler onoffline;
  attribute EventHandler ononline;
  attribute EventHandler onrejectionhandled;
  attribute EventHandler onunhandledrejection;
};
WorkerGlobalScope includes WindowOrWorkerGlobalScope;

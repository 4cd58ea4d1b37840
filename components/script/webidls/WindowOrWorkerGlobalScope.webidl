// https://html.spec.whatwg.org/multipage/webappapis.html#windoworworkerglobalscope-mixin
typedef (DOMString or Function) TimerHandler;

// https://webidl.spec.whatwg.org/#Function
callback Function = any (any... arguments);
// https://webidl.spec.whatwg.org/#VoidFunction
callback VoidFunction = undefined ();

interface mixin WindowOrWorkerGlobalScope {
  [Replaceable] readonly attribute USVString origin;
  readonly attribute boolean isSecureContext;

  undefined reportError(any e);

  [Throws] DOMString btoa(DOMString data);
  [Throws] ByteString atob(DOMString data);

  long setTimeout(TimerHandler handler, optional long timeout = 0, any... arguments);
  undefined clearTimeout(optional long id = 0);
  long setInterval(TimerHandler handler, optional long timeout = 0, any... arguments);
  undefined clearInterval(optional long id = 0);

  [Throws] undefined queueMicrotask(VoidFunction callback);

  // https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone
  [Throws] any structuredClone(any value, optional StructuredSerializeOptions options = {});

  // https://w3c.github.io/hr-time/#the-performance-attribute
  [Replaceable] readonly attribute Performance performance;
};

// https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeoptions
dictionary StructuredSerializeOptions {
  sequence<object> transfer = [];
};

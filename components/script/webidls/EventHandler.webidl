// https://html.spec.whatwg.org/multipage/webappapis.html#eventhandler
[LegacyTreatNonObjectAsNull]
callback EventHandlerNonNull = any (Event event);
typedef EventHandlerNonNull? EventHandler;

[LegacyTreatNonObjectAsNull]
callback OnErrorEventHandlerNonNull = any ((Event or DOMString) event, optional DOMString source, optional unsigned long lineno, optional unsigned long colno, optional any error);
typedef OnErrorEventHandlerNonNull? OnErrorEventHandler;

// https://html.spec.whatwg.org/multipage/webappapis.html#globaleventhandlers
interface mixin GlobalEventHandlers {
  attribute EventHandler onload;
  attribute OnErrorEventHandler onerror;
};

// https://html.spec.whatwg.org/multipage/webappapis.html#windoweventhandlers
interface mixin WindowEventHandlers {
  attribute EventHandler onunhandledrejection;
  attribute EventHandler onrejectionhandled;
  attribute EventHandler ononline;
  attribute EventHandler onoffline;
  attribute EventHandler onmessage;
  attribute EventHandler onmessageerror;
  attribute EventHandler onpopstate;
  attribute EventHandler onhashchange;
};

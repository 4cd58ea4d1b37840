// What a window of another origin shows (https://html.spec.whatwg.org/multipage/nav-history-apis.html#crossoriginproperties-(-o-)):
// bgsync's WindowProxy of a window the accessing script may not reach. Only the cross-origin
// members: window, self, frames, length, top, parent, closed and postMessage. Not yet: close,
// focus, blur, location, opener, and indexed access to its frames.
[LegacyNoInterfaceObject, Exposed=Window]
interface CrossOriginWindowProxy {
  readonly attribute WindowProxy window;
  readonly attribute WindowProxy self;
  readonly attribute WindowProxy frames;
  readonly attribute unsigned long length;
  readonly attribute WindowProxy? top;
  readonly attribute WindowProxy? parent;
  readonly attribute boolean closed;
  [Throws] undefined postMessage(any message, USVString targetOrigin, optional sequence<object> transfer = []);
  [Throws] undefined postMessage(any message, optional WindowPostMessageOptions options = {});
};

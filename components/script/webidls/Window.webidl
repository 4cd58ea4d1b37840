// https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-window-object
// A WindowProxy is the Window itself when the accessing script may reach it (same origin; no
// browsing-context navigation), and a CrossOriginWindowProxy of it otherwise.
typedef (Window or CrossOriginWindowProxy) WindowProxy;

[Global=Window, Exposed=Window]
interface Window : EventTarget {
  [LegacyUnforgeable] readonly attribute Window window;
  [Replaceable] readonly attribute Window self;
  [LegacyUnforgeable, GetterThrows] readonly attribute Document document;
  [PutForwards=href, LegacyUnforgeable] readonly attribute Location location;
  [SameObject] readonly attribute History history;
  [Replaceable] readonly attribute Window frames;
  [Replaceable] readonly attribute unsigned long length;
  [LegacyUnforgeable] readonly attribute WindowProxy? top;
  [Replaceable] readonly attribute WindowProxy? parent;
  readonly attribute Element? frameElement;
  readonly attribute Navigator navigator;
  undefined close();
  readonly attribute boolean closed;
  [Replaceable] readonly attribute WindowProxy? opener;
  [Throws] WindowProxy? open(optional USVString url = "", optional DOMString target = "_blank", optional DOMString features = "");
  [Throws] undefined postMessage(any message, USVString targetOrigin, optional sequence<object> transfer = []);
  [Throws] undefined postMessage(any message, optional WindowPostMessageOptions options = {});
};
Window includes GlobalEventHandlers;
Window includes AnimationFrameProvider;
Window includes WindowEventHandlers;
Window includes WindowOrWorkerGlobalScope;


// https://html.spec.whatwg.org/multipage/nav-history-apis.html#windowpostmessageoptions
dictionary WindowPostMessageOptions : StructuredSerializeOptions {
  USVString targetOrigin = "/";
};

// https://html.spec.whatwg.org/multipage/imagebitmap-and-animations.html#animationframeprovider
// In windows only (dedicated workers have it only with OffscreenCanvas, which bgsync lacks).
callback FrameRequestCallback = undefined (DOMHighResTimeStamp time);

interface mixin AnimationFrameProvider {
  unsigned long requestAnimationFrame(FrameRequestCallback callback);
  undefined cancelAnimationFrame(unsigned long handle);
};

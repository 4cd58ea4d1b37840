// https://w3c.github.io/ServiceWorker/#windowclient-interface
// bgsync is headless: a window client is always visible, never focused, and cannot be
// focused or navigated by a worker (focus() rejects with InvalidAccessError as it does
// without user activation; navigate() rejects with TypeError).
[Exposed=ServiceWorker]
interface WindowClient : Client {
  readonly attribute DocumentVisibilityState visibilityState;
  readonly attribute boolean focused;
  [SameObject] readonly attribute FrozenArray<USVString> ancestorOrigins;
  [NewObject] Promise<WindowClient> focus();
  [NewObject] Promise<WindowClient?> navigate(USVString url);
};

// https://html.spec.whatwg.org/multipage/interaction.html#documentvisibilitystate
enum DocumentVisibilityState { "visible", "hidden" };

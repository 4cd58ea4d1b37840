// https://w3c.github.io/ServiceWorker/#windowclient-interface
// bgsync is headless: a window client is always visible, a top-level page has the focus
// (a nested one does not), and a worker cannot focus a client (focus() rejects with
// InvalidAccessError as it does without user activation). navigate() navigates a frame; a
// top-level page, which bgsync does not navigate, rejects it with a TypeError.
[Exposed=ServiceWorker]
interface WindowClient : Client {
  readonly attribute DocumentVisibilityState visibilityState;
  readonly attribute boolean focused;
  [SameObject] readonly attribute FrozenArray<USVString> ancestorOrigins;
  [NewObject] Promise<WindowClient> focus();
  [NewObject] Promise<WindowClient?> navigate(USVString url);
};

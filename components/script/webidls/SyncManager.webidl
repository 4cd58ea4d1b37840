// https://wicg.github.io/background-sync/spec/#sync-manager-interface
// As published in @webref/idl (background-sync.idl); `sync` is [SameObject] in practice (one
// SyncManager per registration object), as Chromium behaves.
partial interface ServiceWorkerRegistration {
  [SameObject] readonly attribute SyncManager sync;
};

[SecureContext, Exposed=(Window,Worker)]
interface SyncManager {
  Promise<undefined> register(DOMString tag);
  Promise<sequence<DOMString>> getTags();
};

// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: timeout=long
// The Background Sync IDL of @webref/idl checked with idlharness.js, in a window (SyncEvent and
// onsync are exposed only in service workers: interfaces.https.html checks those).
"use strict";

idl_test(
  ["background-sync"],
  ["service-workers", "html", "dom"],
  async (idl_array) => {
    self.registration = await navigator.serviceWorker.register(
      "resources/sync-worker.js", { scope: "resources/scope/idlharness/" });
    idl_array.add_objects({
      ServiceWorkerRegistration: ["registration"],
      SyncManager: ["registration.sync"],
    });
  });

// The same outbox on Workbox, exactly as Workbox documents its Background Sync: a NetworkOnly
// route for the page's POSTs with a BackgroundSyncPlugin. When a POST fails for lack of network,
// Workbox's fetch handler keeps the request in its own IndexedDB queue and registers the sync
// tag "workbox-background-sync:outbox"; in the `sync` event it replays the queue, oldest first.
// The Workbox files are the unmodified npm packages (examples/package.json), served under
// /workbox/ by the demo's server.
importScripts("/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/workbox/", debug: true });
workbox.core.clientsClaim();
workbox.routing.registerRoute(/\/api\/messages/,
  new workbox.strategies.NetworkOnly({
    plugins: [new workbox.backgroundSync.BackgroundSyncPlugin("outbox")],
  }), "POST");

console.log("[worker] started: the engine ran the worker's script (Workbox loaded)");

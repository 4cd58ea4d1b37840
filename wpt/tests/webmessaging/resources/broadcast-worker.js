// A worker (dedicated or service) that answers on the BroadcastChannel "bgsync-echo": every
// message it hears there comes back as {echo: data, from: <the worker's kind>}. A service
// worker also broadcasts when a page messages it directly.
"use strict";
const kind = typeof ServiceWorkerGlobalScope !== "undefined" && self instanceof ServiceWorkerGlobalScope
  ? "service" : "dedicated";
const channel = new BroadcastChannel("bgsync-echo");
channel.onmessage = (event) => {
  if (event.data && event.data.echo !== undefined) return;
  channel.postMessage({ echo: event.data, from: kind, origin: event.origin });
};
self.addEventListener("message", (event) => {
  channel.postMessage({ echo: event.data, from: kind, direct: true });
});
if (kind === "dedicated") postMessage("ready");

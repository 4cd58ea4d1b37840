// A worker without a fetch listener: addRoutes() may not route to its fetch handler.
"use strict";
const seen = {};

async function outcome(promise) {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error.name;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    seen.fetchEvent = await outcome(event.addRoutes(
        { condition: { urlPattern: "/x" }, source: "fetch-event" }));
    seen.race = await outcome(event.addRoutes(
        { condition: { urlPattern: "/x" }, source: "race-network-and-fetch-handler" }));
    seen.network = await outcome(event.addRoutes(
        { condition: { urlPattern: "/x" }, source: "network" }));
  })());
});

self.addEventListener("message", (event) => {
  event.source.postMessage(Object.assign({ requestId: event.data.requestId }, seen));
});

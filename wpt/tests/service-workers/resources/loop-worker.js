// A worker that can be told to loop forever. Each run of the script has its own random id,
// so a client can tell a restarted worker from the one it talked to before.
"use strict";
const instance = `${Date.now()}-${Math.random()}`;
self.addEventListener("message", (event) => {
  if (event.data.command === "loop") {
    for (;;) {}
  }
  event.source.postMessage({ requestId: event.data.requestId, instance });
});

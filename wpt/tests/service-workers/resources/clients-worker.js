// Answers {requestId, command, ...} from a client:
//   matchAll {options}: {clients: [{id, url, type, frameType, focused, visibilityState}]}
//                       (the last two are undefined for a worker client)
//   get {id}:           {client: {...} or null, isUndefined}
//   claim:              {claimed: true} once clients.claim() has resolved, or {error}
"use strict";

function describe(client) {
  return {
    id: client.id,
    url: client.url,
    type: client.type,
    frameType: client.frameType,
    focused: client.focused,
    visibilityState: client.visibilityState,
    class: Object.prototype.toString.call(client).slice(8, -1),
  };
}

async function handle(data) {
  if (data.command === "matchAll") {
    const clients = await self.clients.matchAll(data.options);
    return { clients: clients.map(describe), isArray: Array.isArray(clients) };
  }
  if (data.command === "get") {
    const client = await self.clients.get(data.id);
    return { client: client ? describe(client) : null, isUndefined: client === undefined };
  }
  if (data.command === "claim") {
    await self.clients.claim();
    return { claimed: true };
  }
  return { error: `unknown command ${data.command}` };
}

self.addEventListener("message", (event) => {
  const source = event.source;
  event.waitUntil(handle(event.data).catch((error) => ({ error: `${error.name}: ${error.message}` }))
    .then((reply) => source.postMessage(Object.assign({ requestId: event.data.requestId }, reply))));
});

// Answers {requestId, clientId, url} from a client: navigates that client with
// WindowClient.navigate(url) and replies {result: {id, url, frameType, class} or null} or
// {error: name}. {requestId, command: "list", includeUncontrolled} replies {clients: [{id,
// url}]}.
"use strict";

async function navigate(data, source) {
  if (data.command === "list") {
    const clients = await self.clients.matchAll({ includeUncontrolled: !!data.includeUncontrolled });
    return { clients: clients.map((client) => ({ id: client.id, url: client.url })) };
  }
  const client = await self.clients.get(data.clientId);
  try {
    const result = await client.navigate(data.url);
    return {
      result: result && {
        id: result.id,
        url: result.url,
        frameType: result.frameType,
        class: Object.prototype.toString.call(result).slice(8, -1),
      },
    };
  } catch (error) {
    return { error: error.name };
  }
}

self.addEventListener("message", (event) => {
  const source = event.source;
  event.waitUntil(navigate(event.data, source)
    .then((reply) => source.postMessage(Object.assign({ requestId: event.data.requestId }, reply))));
});

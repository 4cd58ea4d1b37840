// A service worker that runs fetch() for its clients: a message {requestId, url, init, read}
// is answered through event.source.postMessage with {requestId, response: {...}} or
// {requestId, error: {name, message}}. `read` is "text" (default), "json" or "arrayBuffer".
"use strict";

self.addEventListener("install", () => self.skipWaiting());

async function run(data) {
  try {
    const response = await fetch(data.url, data.init);
    const summary = {
      type: response.type,
      status: response.status,
      ok: response.ok,
      statusText: response.statusText,
      url: response.url,
      redirected: response.redirected,
      contentType: response.headers.get("content-type"),
      isResponse: response instanceof Response,
    };
    const read = data.read || "text";
    if (read === "json") {
      summary.body = await response.json();
    } else if (read === "arrayBuffer") {
      summary.body = Array.from(new Uint8Array(await response.arrayBuffer()));
    } else {
      summary.body = await response.text();
    }
    return { response: summary };
  } catch (error) {
    return { error: { name: error.name, message: String(error.message),
                      isTypeError: error instanceof TypeError } };
  }
}

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data.command === "globals") {
    event.source.postMessage({
      requestId: data.requestId,
      fetch: typeof self.fetch,
      Request: typeof self.Request,
      Response: typeof self.Response,
      Headers: typeof self.Headers,
    });
    return;
  }
  event.waitUntil(run(data).then((result) => {
    event.source.postMessage(Object.assign({ requestId: data.requestId }, result));
  }));
});

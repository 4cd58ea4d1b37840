// The outbox app's service worker: it delivers queued messages in its `sync` event.
//
// Each queued message is a sync registration whose tag is "outbox:ID:TEXT" (see index.html
// for why the tag carries the message). The handler POSTs the message to the server; if that
// fails (no answer, or an error status) the promise given to waitUntil() rejects, which tells
// the engine the attempt failed: it retries later, with back-off, until the last attempt,
// which it marks with `lastChance`.

function log(text) {
  console.log("[worker]", text);
}

log("started: the engine ran the worker's script");

self.addEventListener("install", () => log("installed"));
self.addEventListener("activate", () => log("activated"));

self.addEventListener("sync", event => {
  if (!event.tag.startsWith("outbox:")) {
    return;
  }
  event.waitUntil(deliver(event.tag, event.lastChance));
});

function parseTag(tag) {
  const rest = tag.slice("outbox:".length);
  const colon = rest.indexOf(":");
  return colon < 0 ? { id: rest, text: "" } : { id: rest.slice(0, colon), text: rest.slice(colon + 1) };
}

async function tellPages(text) {
  const pages = await self.clients.matchAll({ includeUncontrolled: true });
  for (const page of pages) {
    page.postMessage(text);
  }
}

async function deliver(tag, lastChance) {
  const { id, text } = parseTag(tag);
  log(`sync event for "${tag}" (lastChance: ${lastChance}): POST /api/messages`);
  let problem;
  try {
    const response = await fetch("/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id, text }),
    });
    if (response.ok) {
      const answer = await response.json();
      log(`the server answered ${response.status}: message ${id} delivered` +
          (answer.duplicate ? " (the server already had it)" : ""));
      await tellPages(`message ${id} was delivered`);
      return;
    }
    problem = `the server answered ${response.status} ${response.statusText}`;
  } catch (error) {
    problem = `the request failed: ${error}`;
  }
  if (lastChance) {
    log(`${problem}; that was the last chance: message ${id} is not delivered, ` +
        "the engine drops its registration");
    await tellPages(`message ${id} could not be delivered`);
  } else {
    log(`${problem}; failing this attempt so that the engine retries later`);
  }
  throw new Error(problem);
}

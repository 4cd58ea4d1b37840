// The outbox app's service worker: in its `sync` event for the tag "outbox" it sends every
// message the outbox (IndexedDB, outbox-db.js) holds, oldest first, and removes each one the
// server accepted. If sending fails (no answer, or an error status), the promise given to
// waitUntil() rejects, which tells the engine the attempt failed: it retries later, with
// back-off, until the last attempt, which it marks with `lastChance`. After a failed last
// chance the worker moves what is left back to the drafts and tells the open pages.

importScripts("outbox-db.js");

function log(text) {
  console.log("[worker]", text);
}

log("started: the engine ran the worker's script");

self.addEventListener("install", () => log("installed"));
self.addEventListener("activate", () => log("activated"));

self.addEventListener("sync", event => {
  if (event.tag === "outbox") {
    event.waitUntil(sendOutbox(event.lastChance));
  }
});

async function tellPages(text) {
  const pages = await self.clients.matchAll({ includeUncontrolled: true });
  for (const page of pages) {
    page.postMessage(text);
  }
}

// Why sending `message` failed, or null once the server has it.
async function send(message) {
  try {
    const response = await fetch("/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: message.id, text: message.text }),
    });
    if (!response.ok) {
      return `the server answered ${response.status} ${response.statusText}`;
    }
    const answer = await response.json();
    log(`the server answered ${response.status}: message ${message.id} delivered` +
        (answer.duplicate ? " (the server already had it)" : ""));
    return null;
  } catch (error) {
    return `the request failed: ${error}`;
  }
}

async function sendOutbox(lastChance) {
  const db = await openChat();
  try {
    const queued = await allOf(db, "outbox");
    log(`sync event "outbox" (lastChance: ${lastChance}): the outbox holds ` +
        `${queued.length} (${queued.map(m => m.id).join(", ") || "nothing"})`);
    for (const [index, message] of queued.entries()) {
      const problem = await send(message);
      if (problem === null) {
        await removeFromOutbox(db, message.seq);
        await tellPages(`message ${message.id} was delivered`);
        continue;
      }
      const left = queued.slice(index);
      if (lastChance) {
        await moveToDrafts(db, left);
        log(`${problem}; that was the last chance: ${left.map(m => m.id).join(", ")} ` +
            "moved back to the drafts, the engine drops the registration");
        await tellPages(`message ${message.id} could not be delivered: it is back in the drafts`);
      } else {
        log(`${problem}; failing this attempt so that the engine retries later ` +
            `(${left.length} left in the outbox)`);
      }
      throw new Error(problem);
    }
  } finally {
    db.close();
  }
}

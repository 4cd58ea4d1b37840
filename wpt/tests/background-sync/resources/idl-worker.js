// A service worker that checks the Background Sync interfaces of its own global, and handles
// `sync` with the `onsync` event handler attribute only.
//   {requestId, command: "idl"} -> {requestId, checks: [{name, ok, message}]}
// Trusted `sync` events are reported to every window client as sync-worker.js does
// ({type: "sync", scope, tag, lastChance, via: "onsync", ...}).
"use strict";

const initial_onsync = self.onsync;
const synthetic = [];  // tags of untrusted SyncEvents seen by onsync

async function tell(message) {
  const clients = await self.clients.matchAll({ includeUncontrolled: true, type: "window" });
  for (const client of clients) {
    client.postMessage(message);
  }
}

self.onsync = (event) => {
  if (!event.isTrusted) {
    synthetic.push(event.tag);
    return;
  }
  event.waitUntil(tell({
    type: "sync",
    via: "onsync",
    time: performance.timeOrigin + performance.now(),
    scope: self.registration.scope,
    tag: event.tag,
    lastChance: event.lastChance,
    eventType: event.type,
    isTrusted: event.isTrusted,
    isSyncEvent: event instanceof SyncEvent,
  }));
};

function throws_type_error(f) {
  try {
    f();
  } catch (error) {
    return error instanceof TypeError ? true : `threw ${error && error.name}`;
  }
  return "did not throw";
}

function run_checks() {
  const checks = [];
  function check(name, f) {
    let ok;
    let message = null;
    try {
      const result = f();
      ok = result === true;
      if (!ok) {
        message = String(result);
      }
    } catch (error) {
      ok = false;
      message = `${error && error.name}: ${error && error.message}`;
    }
    checks.push({ name, ok, message });
  }
  // The first result that is not `true` (a failure message), else true.
  function all(...results) {
    return results.find((result) => result !== true) || true;
  }
  function equals(actual, expected) {
    return Object.is(actual, expected) ||
           `got ${typeof actual === "string" ? JSON.stringify(actual) : String(actual)}, ` +
           `expected ${typeof expected === "string" ? JSON.stringify(expected) : String(expected)}`;
  }

  check("SyncEvent is exposed in a service worker", () =>
    equals(typeof self.SyncEvent, "function"));
  check("SyncEvent inherits from ExtendableEvent", () =>
    all(equals(Object.getPrototypeOf(SyncEvent), ExtendableEvent),
        equals(Object.getPrototypeOf(SyncEvent.prototype), ExtendableEvent.prototype)));
  check("SyncEvent.length is 2 (type and the required init)", () => equals(SyncEvent.length, 2));
  check("new SyncEvent('sync') throws TypeError", () =>
    throws_type_error(() => new SyncEvent("sync")));
  check("new SyncEvent('sync', {}) throws TypeError (tag is required)", () =>
    throws_type_error(() => new SyncEvent("sync", {})));
  check("SyncEvent('sync', {tag}) without new throws TypeError", () =>
    throws_type_error(() => SyncEvent("sync", { tag: "x" })));
  check("new SyncEvent('sync', {tag: 'x'}): tag, lastChance false, type, untrusted", () => {
    const event = new SyncEvent("sync", { tag: "x" });
    return all(equals(event.tag, "x"), equals(event.lastChance, false),
               equals(event.type, "sync"), equals(event.isTrusted, false),
               equals(event.bubbles, false), equals(event.cancelable, false));
  });
  check("new SyncEvent('other', {tag, lastChance: true, bubbles, cancelable})", () => {
    const event = new SyncEvent("other", { tag: "", lastChance: true, bubbles: true,
                                           cancelable: true });
    return all(equals(event.tag, ""), equals(event.lastChance, true), equals(event.type, "other"),
               equals(event.bubbles, true), equals(event.cancelable, true));
  });
  check("a SyncEvent is an ExtendableEvent and an Event, with waitUntil()", () => {
    const event = new SyncEvent("sync", { tag: "x" });
    return all(equals(event instanceof ExtendableEvent, true), equals(event instanceof Event, true),
               equals(typeof event.waitUntil, "function"));
  });
  check("SyncEventInit.tag is converted to a DOMString", () =>
    equals(new SyncEvent("sync", { tag: 42 }).tag, "42"));
  check("tag and lastChance are read-only attributes of SyncEvent.prototype", () => {
    for (const name of ["tag", "lastChance"]) {
      const descriptor = Object.getOwnPropertyDescriptor(SyncEvent.prototype, name);
      if (!descriptor || typeof descriptor.get !== "function") {
        return `${name}: no getter on SyncEvent.prototype`;
      }
      if (descriptor.set !== undefined) {
        return `${name} has a setter`;
      }
    }
    const event = new SyncEvent("sync", { tag: "kept" });
    if (throws_type_error(() => { event.tag = "changed"; }) !== true) {
      return "assigning tag in strict mode did not throw TypeError";
    }
    return equals(event.tag, "kept");
  });
  // ServiceWorkerGlobalScope is [Global]: its attributes are own properties of the global
  // (Web IDL, "Attributes").
  check("onsync is an event handler attribute, an own accessor of the global", () => {
    const descriptor = Object.getOwnPropertyDescriptor(self, "onsync");
    if (!descriptor) {
      return "no own property onsync on the global";
    }
    return all(equals(typeof descriptor.get, "function"), equals(typeof descriptor.set, "function"),
               equals(descriptor.enumerable, true));
  });
  check("onsync is null before it is set", () => equals(initial_onsync, null));
  check("a SyncEvent dispatched at the global reaches onsync", () => {
    self.dispatchEvent(new SyncEvent("sync", { tag: "synthetic" }));
    return equals(synthetic.join(","), "synthetic");
  });
  check("SyncManager is exposed in a service worker, not constructible", () =>
    all(equals(typeof self.SyncManager, "function"), throws_type_error(() => new SyncManager())));
  check("self.registration.sync is a SyncManager, the same object each time", () =>
    all(equals(self.registration.sync instanceof SyncManager, true),
        equals(self.registration.sync, self.registration.sync)));
  check("SyncManager.prototype.register.length is 1, getTags.length 0", () =>
    all(equals(SyncManager.prototype.register.length, 1),
        equals(SyncManager.prototype.getTags.length, 0)));
  return checks;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.command === "idl") {
    event.source.postMessage({ requestId: data.requestId, checks: run_checks() });
  }
});

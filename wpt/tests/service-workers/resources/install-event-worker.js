// Records its state when its script first runs and its state changes, what its `install`
// listener received, and answers any message with those and with what `new InstallEvent()`
// gives.
"use strict";

// The worker as its script first runs: parsed, not yet its registration's installing worker.
const at_first_run = {
  state: self.serviceWorker.state,
  installing: self.registration.installing,
  waiting: self.registration.waiting,
  active: self.registration.active,
};
const state_changes = [];
self.serviceWorker.addEventListener("statechange", () => {
  state_changes.push(self.serviceWorker.state);
});

let install_info = null;
self.addEventListener("install", (event) => {
  install_info = {
    state: self.serviceWorker.state,
    isInstalling: self.registration.installing === self.serviceWorker,
    isInstallEvent: typeof InstallEvent === "function" && event instanceof InstallEvent,
    isExtendableEvent: event instanceof ExtendableEvent,
    className: Object.prototype.toString.call(event),
    trusted: event.isTrusted,
    type: event.type,
  };
});

self.addEventListener("message", (event) => {
  let constructed;
  try {
    const made = new InstallEvent("install", { bubbles: true });
    constructed = {
      type: made.type,
      bubbles: made.bubbles,
      trusted: made.isTrusted,
      isExtendableEvent: made instanceof ExtendableEvent,
      waitUntil: typeof made.waitUntil,
    };
  } catch (error) {
    constructed = String(error);
  }
  event.source.postMessage({
    install_info, constructed, inGlobal: "InstallEvent" in self, at_first_run, state_changes,
  });
});

// Records what its `install` listener received, and answers any message with that record and
// with what `new InstallEvent()` gives.
"use strict";

let install_info = null;
self.addEventListener("install", (event) => {
  install_info = {
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
  event.source.postMessage({ install_info, constructed, inGlobal: "InstallEvent" in self });
});

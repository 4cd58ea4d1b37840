// importScripts() while the script is first evaluated, and again later.
"use strict";
importScripts("imported-script.js");  // defines importedValue
const atEvaluation = typeof importedValue === "undefined" ? "missing" : importedValue;

let lateImport = "not tried";
self.addEventListener("activate", () => {
  try {
    importScripts("imported-script-late.js");
    lateImport = "no exception";
  } catch (error) {
    lateImport = error.name;
  }
});

self.addEventListener("message", (event) => {
  event.source.postMessage({ requestId: event.data.requestId, atEvaluation, lateImport });
});

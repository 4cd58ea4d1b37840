// A module service worker: a static import, import.meta, and what a module worker refuses
// (importScripts() and, in any service worker, import()).
import { importedValue } from "./module-imported.js";

let importScriptsError = "no exception";
try {
  importScripts("imported-script.js");
} catch (error) {
  importScriptsError = error.name;
}

self.addEventListener("message", (event) => {
  event.waitUntil((async () => {
    let dynamicImport = "resolved";
    try {
      await import("./module-imported.js");
    } catch (error) {
      dynamicImport = error.name;
    }
    event.source.postMessage({
      requestId: event.data.requestId,
      importedValue,
      metaURL: import.meta.url,
      importScriptsError,
      dynamicImport,
      // `this` at a module's top level is undefined; in a classic script it is the global.
      thisIsUndefined: this === undefined,
    });
  })());
});

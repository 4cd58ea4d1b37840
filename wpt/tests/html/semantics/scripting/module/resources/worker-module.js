import { value } from "./worker-dep.js";

let importScriptsError = null;
try {
  importScripts("worker-dep.js");
} catch (e) {
  importScriptsError = e.name;
}
postMessage({
  value,
  url: import.meta.url,
  thisIsUndefined: this === undefined,
  importScriptsError,
});

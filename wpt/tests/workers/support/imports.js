importScripts("imported.js");
let importError = null;
try {
  importScripts("does-not-exist.js");
} catch (e) {
  importError = e.name;
}
postMessage({ imported: self.importedValue, importError });

// Imported by import-scripts-worker.js while it is evaluated.
var importedValue = "from imported-script.js";

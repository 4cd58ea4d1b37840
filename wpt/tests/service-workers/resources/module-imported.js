export const importedValue = "from module-imported.js";

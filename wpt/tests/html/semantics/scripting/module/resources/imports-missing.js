import "./does-not-exist.js";
window.importsMissingRan = true;

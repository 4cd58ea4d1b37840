import "./syntax-error.js";
window.importsSyntaxErrorRan = true;

import "./does-not-exist.js";
postMessage("ran");

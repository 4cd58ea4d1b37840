// A module service worker whose import is a 404.
import "./no-such-module.js";

// Imports a script that does not exist: evaluation throws, so registration fails.
importScripts("no-such-script.js");

// Helpers for the iframe tests in this directory.
"use strict";

// Inserts an iframe of `url` into the body and resolves with it once its load event fires.
// It is removed when test `t` ends.
function with_frame(t, url) {
  return new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.src = url;
    frame.onload = () => resolve(frame);
    document.body.appendChild(frame);
    t.add_cleanup(() => frame.remove());
  });
}

// Resolves after `ms` milliseconds.
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

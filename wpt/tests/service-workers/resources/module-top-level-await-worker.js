// A module service worker whose evaluation waits on a top-level await.
await new Promise((resolve) => setTimeout(resolve, 0));

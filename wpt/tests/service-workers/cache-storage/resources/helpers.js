// Helpers for the CacheStorage tests in this directory. Loaded with
// `// META: script=resources/helpers.js`, in windows and in workers alike.
"use strict";

// A cache name no other test (or earlier run) uses.
function unique_cache_name(label) {
  return `cache-storage-test/${label}/${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// Opens a new cache with a unique name, deleted again when test `t` ends.
// Resolves with [cache, name].
async function open_temporary_cache(t, label = "cache") {
  const name = unique_cache_name(label);
  t.add_cleanup(() => caches.delete(name));
  const cache = await caches.open(name);
  return [cache, name];
}

// promise_test() with a fresh, empty cache as its second argument.
function cache_test(body, description) {
  promise_test(async (t) => {
    const [cache, name] = await open_temporary_cache(t);
    return body(t, cache, name);
  }, description);
}

// An absolute URL for `path`, relative to this test's directory.
function url_for(path) {
  return new URL(path, self.location.href).href;
}

// The URLs of Requests, in order.
function urls_of(requests) {
  return requests.map((request) => request.url);
}

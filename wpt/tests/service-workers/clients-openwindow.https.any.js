// META: global=serviceworker
// META: title=clients.openWindow() without user activation
"use strict";

promise_test(async (t) => {
  await promise_rejects_dom(t, "InvalidAccessError", clients.openWindow("/"), "a same-origin URL");
  await promise_rejects_dom(t, "InvalidAccessError", clients.openWindow("https://example.com/"),
                            "a URL of another origin");
}, "openWindow() outside a notification click rejects with InvalidAccessError");

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, clients.openWindow("about:blank"), "about:blank");
  await promise_rejects_js(t, TypeError, clients.openWindow("http://[bad"), "an invalid URL");
}, "openWindow() of about:blank or an invalid URL rejects with TypeError");

test(() => {
  assert_equals(typeof clients.openWindow, "function");
  assert_equals(clients.openWindow.length, 1);
}, "openWindow is an operation of Clients");

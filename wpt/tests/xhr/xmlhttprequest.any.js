// META: global=window,dedicatedworker
// META: title=XMLHttpRequest: states, events, request and response, errors
// META: script=/common/get-host-info.sub.js
"use strict";

const FETCH = new URL("/fetch/resources/", location.href).href;
const XHR = new URL("/xhr/resources/", location.href).href;

// Sends `xhr` (opened by the caller) with `body`, and resolves once loadend fired, with the
// events seen in order: "readystatechange:N" and the progress events' types (as
// "type:loaded/total"), and "upload.type" for the upload's.
function run(xhr, body = null) {
  const seen = [];
  const types = ["loadstart", "progress", "abort", "error", "load", "timeout", "loadend"];
  return new Promise((resolve) => {
    xhr.addEventListener("readystatechange", () => seen.push(`readystatechange:${xhr.readyState}`));
    for (const type of types) {
      xhr.addEventListener(type, (event) => {
        seen.push(type);
        if (type === "loadend") resolve(seen);
      });
    }
    xhr.send(body);
  });
}

test(() => {
  const xhr = new XMLHttpRequest();
  assert_equals(xhr.readyState, XMLHttpRequest.UNSENT);
  assert_equals(XMLHttpRequest.DONE, 4);
  assert_equals(xhr.status, 0);
  assert_equals(xhr.statusText, "");
  assert_equals(xhr.responseURL, "");
  assert_equals(xhr.responseText, "");
  assert_equals(xhr.response, "");
  assert_equals(xhr.responseType, "");
  assert_equals(xhr.timeout, 0);
  assert_false(xhr.withCredentials);
  assert_true(xhr.upload instanceof XMLHttpRequestUpload);
  assert_equals(xhr.upload, xhr.upload, "[SameObject]");
  assert_true(xhr instanceof XMLHttpRequestEventTarget);
  assert_true(xhr instanceof EventTarget);
  assert_equals(xhr.getAllResponseHeaders(), "");
  assert_equals(xhr.getResponseHeader("content-type"), null);
}, "a new XMLHttpRequest is UNSENT, with nothing to show");

async_test((t) => {
  const xhr = new XMLHttpRequest();
  const states = [];
  xhr.onreadystatechange = () => states.push(xhr.readyState);
  xhr.open("GET", `${FETCH}text.txt#fragment`);
  assert_array_equals(states, [1], "open() fires readystatechange");
  xhr.open("GET", `${FETCH}text.txt#fragment`);
  assert_array_equals(states, [1], "not again when already OPENED");
  run(xhr).then(t.step_func_done((seen) => {
    assert_array_equals(seen, ["loadstart", "readystatechange:2", "readystatechange:3",
                               "progress", "readystatechange:4", "load", "loadend"]);
    assert_equals(xhr.status, 200);
    assert_equals(xhr.statusText, "OK");
    assert_equals(xhr.responseText, "hello, fetch\n");
    assert_equals(xhr.response, "hello, fetch\n");
    assert_equals(xhr.responseURL, `${FETCH}text.txt`, "responseURL has no fragment");
  }));
}, "an asynchronous GET: the states and events in order, the response");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  let progress;
  xhr.onprogress = (event) => { progress = event; };
  xhr.open("GET", `${FETCH}big.py?size=1000`);
  await run(xhr);
  assert_true(progress instanceof ProgressEvent);
  assert_true(progress.isTrusted);
  assert_false(progress.bubbles);
  assert_false(progress.cancelable);
  assert_true(progress.lengthComputable, "Content-Length makes the length computable");
  assert_equals(progress.loaded, 1000);
  assert_equals(progress.total, 1000);
  assert_equals(xhr.responseText.length, 1000);
}, "progress events carry the bytes loaded and the Content-Length");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${XHR}latin1.py`);
  await run(xhr);
  assert_equals(xhr.getResponseHeader("X-TWICE"), "one, two", "values of a name combined");
  assert_equals(xhr.getResponseHeader("set-cookie"), null, "Set-Cookie is never exposed");
  assert_equals(xhr.getResponseHeader("x-none"), null);
  const all = xhr.getAllResponseHeaders();
  assert_true(all.includes("x-twice: one, two\r\n"), all);
  assert_true(all.includes("content-type: text/plain;charset=iso-8859-1\r\n"), all);
  assert_false(all.toLowerCase().includes("set-cookie"), all);
  const names = all.trim().split("\r\n").map((line) => line.split(":")[0]);
  assert_array_equals(names, [...names].sort(), "sorted by name");
  assert_true(names.every((name) => name === name.toLowerCase()), "names lower-cased");
  assert_equals(xhr.responseText, "caf\u00e9", "decoded by the Content-Type's charset");
}, "response headers: combined, sorted, lower-cased, no Set-Cookie; the charset decodes");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${XHR}latin1.py?type=text/plain`);
  xhr.overrideMimeType("text/plain;charset=windows-1252");
  await run(xhr);
  assert_equals(xhr.responseText, "caf\u00e9");
  const utf8 = new XMLHttpRequest();
  utf8.open("GET", `${XHR}latin1.py?type=text/plain`);
  await run(utf8);
  assert_equals(utf8.responseText, "caf\ufffd", "UTF-8 by default");
  assert_throws_dom("InvalidStateError", () => utf8.overrideMimeType("text/plain"),
                    "not once DONE");
}, "overrideMimeType() decides the charset");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `${FETCH}echo.py?headers=x-one,accept`);
  xhr.setRequestHeader("X-One", "a");
  xhr.setRequestHeader("x-one", " b ");
  xhr.setRequestHeader("Cookie", "forbidden=1");
  await run(xhr, "h\u00e9llo");
  const echo = JSON.parse(xhr.responseText);
  assert_equals(echo.method, "POST");
  assert_equals(echo.hex, "68c3a96c6c6f", "a string is sent as UTF-8");
  assert_equals(echo.contentType, "text/plain;charset=UTF-8");
  assert_equals(echo.headers["x-one"], "a, b", "values combined, normalized");
  assert_equals(echo.headers.accept, "*/*");
}, "a POST of a string: UTF-8, text/plain, author headers combined, forbidden ones dropped");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `${FETCH}echo.py`);
  xhr.setRequestHeader("Content-Type", "text/x-mine; charset=ascii");
  await run(xhr, "text");
  assert_equals(JSON.parse(xhr.responseText).contentType, "text/x-mine; charset=UTF-8");
  const json = new XMLHttpRequest();
  json.open("PUT", `${FETCH}echo.py`);
  json.setRequestHeader("Content-Type", "application/json");
  await run(json, new URLSearchParams("a=1"));
  const echo = JSON.parse(json.responseText);
  assert_equals(echo.method, "PUT");
  assert_equals(echo.contentType, "application/json", "the author's type wins");
  assert_equals(echo.body, "a=1");
}, "the author's Content-Type is kept; a string body's charset becomes UTF-8");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `${FETCH}echo.py`);
  await run(xhr, new Blob(["blob body"], { type: "text/x-blob" }));
  let echo = JSON.parse(xhr.responseText);
  assert_equals(echo.body, "blob body");
  assert_equals(echo.contentType, "text/x-blob");
  xhr.open("POST", `${FETCH}echo.py`);
  await run(xhr, new Uint8Array([1, 2, 255]));
  echo = JSON.parse(xhr.responseText);
  assert_equals(echo.hex, "0102ff");
  assert_equals(echo.contentType, null, "a BufferSource has no type");
  xhr.open("GET", `${FETCH}echo.py`);
  await run(xhr, "ignored");
  echo = JSON.parse(xhr.responseText);
  assert_equals(echo.method, "GET");
  assert_equals(echo.body, "", "GET sends no body");
}, "bodies: Blob (its type), BufferSource, and none for GET; one object opened again");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${FETCH}data.json`);
  xhr.responseType = "json";
  await run(xhr);
  assert_equals(typeof xhr.response, "object");
  assert_throws_dom("InvalidStateError", () => xhr.responseText);
  assert_throws_dom("InvalidStateError", () => { xhr.responseType = "text"; });

  const malformed = new XMLHttpRequest();
  malformed.open("GET", `${FETCH}malformed.json`);
  malformed.responseType = "json";
  await run(malformed);
  assert_equals(malformed.status, 200);
  assert_equals(malformed.response, null, "JSON that does not parse is null");

  const buffer = new XMLHttpRequest();
  buffer.open("GET", `${FETCH}bytes.py`);
  buffer.responseType = "arraybuffer";
  await run(buffer);
  assert_true(buffer.response instanceof ArrayBuffer);
  assert_equals(buffer.response, buffer.response, "the same object each time");
  assert_equals(buffer.response.byteLength, 256);
  assert_equals(new Uint8Array(buffer.response)[255], 255);

  const blob = new XMLHttpRequest();
  blob.open("GET", `${FETCH}text.txt`);
  blob.responseType = "blob";
  assert_equals(blob.response, null, "null before DONE");
  await run(blob);
  assert_true(blob.response instanceof Blob);
  assert_equals(await blob.response.text(), "hello, fetch\n");
}, "responseType json (null when malformed), arraybuffer and blob");

test(() => {
  const xhr = new XMLHttpRequest();
  assert_throws_dom("InvalidStateError", () => xhr.setRequestHeader("X-A", "b"), "UNSENT");
  assert_throws_dom("InvalidStateError", () => xhr.send(), "send() before open()");
  assert_throws_dom("SyntaxError", () => xhr.open("BAD METHOD", FETCH));
  assert_throws_dom("SecurityError", () => xhr.open("TRACE", FETCH));
  assert_throws_dom("SyntaxError", () => xhr.open("GET", "http://[bad"));
  xhr.open("get", FETCH);
  assert_throws_dom("SyntaxError", () => xhr.setRequestHeader("bad name", "v"));
  assert_throws_dom("SyntaxError", () => xhr.setRequestHeader("X-A", "a\nb"));
  xhr.send();
  assert_throws_dom("InvalidStateError", () => xhr.send(), "send() twice");
  assert_throws_dom("InvalidStateError", () => xhr.setRequestHeader("X-A", "b"), "sent");
  assert_throws_dom("InvalidStateError", () => { xhr.withCredentials = true; }, "sent");
  xhr.abort();
}, "open(), setRequestHeader() and send() throw the spec's DOMExceptions");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${XHR}slow.py?ms=1000`);
  xhr.upload.onloadstart = () => {};
  const done = run(xhr);
  xhr.abort();
  const seen = await done;
  assert_array_equals(seen, ["loadstart", "readystatechange:4", "abort", "loadend"]);
  assert_equals(xhr.readyState, XMLHttpRequest.UNSENT, "DONE becomes UNSENT");
  assert_equals(xhr.status, 0);
  assert_equals(xhr.responseText, "");
}, "abort() fires abort and loadend, and leaves the request UNSENT");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${XHR}slow.py?ms=2000`);
  xhr.timeout = 100;
  const seen = await run(xhr);
  assert_array_equals(seen, ["loadstart", "readystatechange:4", "timeout", "loadend"]);
  assert_equals(xhr.readyState, XMLHttpRequest.DONE);
  assert_equals(xhr.status, 0);
}, "a timeout fires timeout and loadend");

promise_test(async () => {
  const remote = new URL("/fetch/resources/", get_host_info().HTTP_REMOTE_ORIGIN);
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${remote.href}cors.py`);
  const seen = await run(xhr);
  assert_array_equals(seen, ["loadstart", "readystatechange:4", "error", "loadend"]);
  assert_equals(xhr.status, 0);
  assert_equals(xhr.getAllResponseHeaders(), "");

  const allowed = new XMLHttpRequest();
  allowed.open("GET", `${remote.href}cors.py?acao=*`);
  await run(allowed);
  assert_equals(allowed.status, 200);
  assert_equals(allowed.getResponseHeader("x-custom"), null, "CORS-filtered");
  assert_equals(allowed.getResponseHeader("content-language"), "en");
}, "a cross-origin response without Access-Control-Allow-Origin is a network error");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  const upload = [];
  for (const type of ["loadstart", "progress", "load", "loadend"]) {
    xhr.upload.addEventListener(type, (event) => {
      upload.push(`${type}:${event.loaded}/${event.total}`);
    });
  }
  let statesWhenUploaded;
  xhr.upload.onloadend = () => { statesWhenUploaded = xhr.readyState; };
  xhr.open("POST", `${FETCH}echo.py`);
  await run(xhr, "12345");
  assert_array_equals(upload, ["loadstart:0/5", "progress:5/5", "load:5/5", "loadend:5/5"]);
  assert_equals(statesWhenUploaded, XMLHttpRequest.OPENED, "the upload ends before the headers");
}, "the upload's events, for a request with a body and upload listeners");

promise_test(async () => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", "data:text/plain,hello%20data");
  await run(xhr);
  assert_equals(xhr.status, 200);
  assert_equals(xhr.responseText, "hello data");
  const url = URL.createObjectURL(new Blob(["from a blob"], { type: "text/x-b" }));
  const blob = new XMLHttpRequest();
  blob.open("GET", url);
  await run(blob);
  URL.revokeObjectURL(url);
  assert_equals(blob.status, 200);
  assert_equals(blob.responseText, "from a blob");
  assert_equals(blob.getResponseHeader("content-type"), "text/x-b");
}, "data: and blob: URLs");

test(() => {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", `${FETCH}text.txt`, false);
  const states = [];
  xhr.onreadystatechange = () => states.push(xhr.readyState);
  let load = 0;
  xhr.onload = () => { load++; };
  xhr.send();
  assert_equals(xhr.readyState, XMLHttpRequest.DONE);
  assert_equals(xhr.status, 200);
  assert_equals(xhr.responseText, "hello, fetch\n");
  assert_array_equals(states, [4], "only DONE is seen");
  assert_equals(load, 1);

  const failing = new XMLHttpRequest();
  failing.open("GET", "blob:nothing-here", false);
  assert_throws_dom("NetworkError", () => failing.send());
  assert_equals(failing.readyState, XMLHttpRequest.DONE);
}, "a synchronous request returns once DONE, and throws NetworkError when it fails");

test(() => {
  const event = new ProgressEvent("progress", { lengthComputable: true, loaded: 3, total: 9 });
  assert_equals(event.type, "progress");
  assert_true(event.lengthComputable);
  assert_equals(event.loaded, 3);
  assert_equals(event.total, 9);
  assert_false(event.isTrusted);
  const empty = new ProgressEvent("x");
  assert_false(empty.lengthComputable);
  assert_equals(empty.loaded, 0);
}, "ProgressEvent's constructor");

// META: global=window,dedicatedworker,serviceworker
// META: title=FormData and File, and FormData as a request body (multipart/form-data)
"use strict";

test(() => {
  const form = new FormData();
  form.append("a", "1");
  form.append("b", "2");
  form.append("a", "3");
  assert_true(form.has("a"));
  assert_false(form.has("c"));
  assert_equals(form.get("a"), "1", "get() is the first");
  assert_equals(form.get("c"), null);
  assert_array_equals(form.getAll("a"), ["1", "3"]);
  assert_array_equals([...form.keys()], ["a", "b", "a"]);
  form.set("a", "4");
  assert_array_equals([...form.entries()].map(([k, v]) => k + "=" + v), ["a=4", "b=2"],
                      "set() replaces the first and removes the others, in place");
  form.delete("b");
  assert_array_equals([...form].map(([k]) => k), ["a"]);
}, "entries: append, get, getAll, has, set, delete, iteration order");

test(() => {
  const form = new FormData();
  form.append("blob", new Blob(["xyz"], { type: "text/plain" }));
  form.append("named", new Blob(["q"]), "q.bin");
  const file = new File(["hello"], "hello.txt", { type: "text/plain", lastModified: 42 });
  form.append("file", file);
  form.append("renamed", file, "other.txt");
  const blob = form.get("blob");
  assert_true(blob instanceof File);
  assert_true(blob instanceof Blob);
  assert_equals(blob.name, "blob");
  assert_equals(blob.type, "text/plain");
  assert_equals(blob.size, 3);
  assert_equals(form.get("named").name, "q.bin");
  assert_equals(form.get("file"), file, "a File is kept as it is");
  assert_equals(form.get("renamed").name, "other.txt");
  assert_not_equals(form.get("renamed"), file);
  assert_equals(file.lastModified, 42);
  assert_equals(file.name, "hello.txt");
  assert_equals(typeof new File([], "now").lastModified, "number");
}, "a Blob value becomes a File (named 'blob' or the given filename)");

promise_test(async () => {
  const form = new FormData();
  form.append("text", "line1\nline2");
  form.append('quo"te\r\n', "v");
  form.append("file", new File(["abc"], "a.txt", { type: "text/plain" }));
  form.append("bin", new Blob([new Uint8Array([0, 255])]));
  const request = new Request("/echo", { method: "POST", body: form });
  const type = request.headers.get("content-type");
  assert_true(type.startsWith("multipart/form-data; boundary="), type);
  const boundary = type.slice("multipart/form-data; boundary=".length);
  const bytes = new Uint8Array(await request.arrayBuffer());
  const body = Array.from(bytes, (b) => String.fromCharCode(b)).join("");
  const expected =
    `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nline1\r\nline2\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="quo%22te%0D%0A"\r\n\r\nv\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
    `Content-Type: text/plain\r\n\r\nabc\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="bin"; filename="blob"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n\x00\xff\r\n` +
    `--${boundary}--\r\n`;
  assert_equals(body, expected);
}, "a FormData body is multipart/form-data with a boundary in its Content-Type");

promise_test(async () => {
  const form = new FormData();
  form.append("text", "héllo");
  form.append("file", new File(["abc"], "a.txt", { type: "text/plain" }));
  form.append("text", "again");
  const parsed = await new Request("/echo", { method: "POST", body: form }).formData();
  assert_true(parsed instanceof FormData);
  assert_array_equals(parsed.getAll("text"), ["héllo", "again"]);
  const file = parsed.get("file");
  assert_true(file instanceof File);
  assert_equals(file.name, "a.txt");
  assert_equals(file.type, "text/plain");
  assert_equals(await file.text(), "abc");
}, "formData() reads a multipart/form-data body back");

promise_test(async () => {
  const response = new Response("a=1&b=%20x&a=2", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const parsed = await response.formData();
  assert_array_equals(parsed.getAll("a"), ["1", "2"]);
  assert_equals(parsed.get("b"), " x");
  assert_true(response.bodyUsed);
}, "formData() reads an application/x-www-form-urlencoded body");

promise_test(async (t) => {
  await promise_rejects_js(t, TypeError, new Response("a=1").formData(),
                           "text/plain is not form data");
  const broken = new Response("--b\r\nno headers end", {
    headers: { "Content-Type": "multipart/form-data; boundary=b" },
  });
  await promise_rejects_js(t, TypeError, broken.formData(), "a malformed multipart body");
}, "formData() of a body that is not form data rejects with TypeError");

// META: global=window,dedicatedworker
// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: timeout=long
// The XMLHttpRequest IDL of @webref/idl checked with idlharness.js, in a window and a
// dedicated worker.
"use strict";

idl_test(
  ["xhr"],
  ["dom", "html", "FileAPI", "url"],
  (idl_array) => {
    self.xhr = new XMLHttpRequest();
    self.progress = new ProgressEvent("type");
    idl_array.add_objects({
      XMLHttpRequest: ["xhr"],
      XMLHttpRequestUpload: ["xhr.upload"],
      ProgressEvent: ["progress"],
    });
  });

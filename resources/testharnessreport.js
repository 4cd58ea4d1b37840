// bgsync's testharnessreport.js: loaded by every test page right after testharness.js.
//
// The WPT runner (python/wpt) reads results from the engine's stdout, where bgsync prints each
// console message as one line. So this file turns testharness.js's HTML output off and reports
// through console.log instead, one JSON object per line (JSON.stringify never emits a raw line
// break, so a message with newlines still takes one line):
//
//   WPT-TEST {"name": ..., "status": "PASS"|"FAIL"|"TIMEOUT"|"NOTRUN"|"PRECONDITION_FAILED", "message": null|...}
//       for every subtest, as soon as it completes; at completion, also for the subtests that
//       never completed (after a harness timeout testharness.js leaves them NOTRUN, and calls
//       no result callback for them: wptrunner reports them from the completion list too);
//   WPT-HARNESS {"status": "OK"|"ERROR"|"TIMEOUT"|"PRECONDITION_FAILED", "message": null|...}
//       once, when the harness completes; then the page closes itself.
//
// Timeouts stay testharness.js's own (10 s, or 60 s with <meta name=timeout content=long>, times
// the runner's --timeout-multiplier); the runner gives the engine a few seconds more than that.
(function () {
  "use strict";

  // Status numbers are testharness.js's; the names come from the constants it puts on every
  // Test (PASS, FAIL, ...) and TestsStatus (OK, ERROR, ...) object, so no number is assumed here.
  var SUBTEST_STATUS_NAMES = ["PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"];
  var HARNESS_STATUS_NAMES = ["OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED"];

  function statusName(object, names) {
    for (var i = 0; i < names.length; i++) {
      if (object[names[i]] === object.status) {
        return names[i];
      }
    }
    return "UNKNOWN(" + String(object.status) + ")";
  }

  function messageOf(object) {
    return object.message === undefined || object.message === null ? null : String(object.message);
  }

  function report(kind, record) {
    console.log(kind + " " + JSON.stringify(record));
  }

  // The runner's test server rewrites this line for `./mach test-wpt --timeout-multiplier`.
  var timeoutMultiplier = 1;

  setup({ output: false, timeout_multiplier: timeoutMultiplier });

  var reported = [];

  function reportTest(test) {
    reported.push(test);
    report("WPT-TEST", {
      name: String(test.name),
      status: statusName(test, SUBTEST_STATUS_NAMES),
      message: messageOf(test),
    });
  }

  add_result_callback(reportTest);

  add_completion_callback(function (tests, harnessStatus) {
    for (var i = 0; i < tests.length; i++) {
      if (reported.indexOf(tests[i]) === -1) {
        reportTest(tests[i]);
      }
    }
    report("WPT-HARNESS", {
      status: statusName(harnessStatus, HARNESS_STATUS_NAMES),
      message: messageOf(harnessStatus),
    });
    // testharness.js never clears its harness timeout, so the page would not go idle before
    // it fires; the results are out, so end the page (bgsync exits 0 on close).
    if (typeof self.close === "function") {
      self.close();
    }
  });
})();

// META: global=window,dedicatedworker,serviceworker
// META: title=User Timing: performance.mark(), measure() and the timeline's getters
"use strict";

function clear() {
  performance.clearMarks();
  performance.clearMeasures();
}

test(() => {
  clear();
  const before = performance.now();
  const mark = performance.mark("a");
  const after = performance.now();
  assert_true(mark instanceof PerformanceMark);
  assert_true(mark instanceof PerformanceEntry);
  assert_equals(mark.name, "a");
  assert_equals(mark.entryType, "mark");
  assert_equals(mark.duration, 0);
  assert_equals(mark.detail, null);
  assert_between_inclusive(mark.startTime, before, after);
  assert_array_equals(performance.getEntriesByName("a"), [mark]);
  assert_array_equals(performance.getEntriesByType("mark"), [mark]);
  assert_array_equals(performance.getEntriesByName("a", "measure"), []);
  const json = mark.toJSON();
  assert_equals(json.name, "a");
  assert_equals(json.entryType, "mark");
  assert_equals(json.startTime, mark.startTime);
  assert_equals(json.duration, 0);
}, "mark() adds a mark at now to the timeline");

test(() => {
  clear();
  const detail = { n: 1, list: [1, 2] };
  const mark = performance.mark("b", { startTime: 12.5, detail });
  assert_equals(mark.startTime, 12.5);
  assert_not_equals(mark.detail, detail, "a copy");
  assert_object_equals(mark.detail, detail);
  assert_throws_js(TypeError, () => performance.mark("c", { startTime: -1 }));
  assert_throws_dom("DataCloneError", () => performance.mark("d", { detail: () => {} }));
  const made = new PerformanceMark("e", { startTime: 3 });
  assert_equals(made.startTime, 3);
  assert_array_equals(performance.getEntriesByName("e"), [], "a constructed mark is not on the timeline");
}, "a mark's startTime and detail options, and the constructor");

test(() => {
  clear();
  performance.mark("start", { startTime: 10 });
  performance.mark("end", { startTime: 25 });
  const between = performance.measure("between", "start", "end");
  assert_true(between instanceof PerformanceMeasure);
  assert_equals(between.entryType, "measure");
  assert_equals(between.startTime, 10);
  assert_equals(between.duration, 15);
  // From the mark to now (negative while less than 10 ms have passed since the time origin).
  const before = performance.now();
  const since = performance.measure("since", "start");
  const after = performance.now();
  assert_equals(since.startTime, 10);
  assert_between_inclusive(since.duration, before - 10, after - 10, "from the mark to now");
  const whole = performance.measure("whole");
  assert_equals(whole.startTime, 0);
  assert_equals(performance.measure("opts", { start: 2, end: "end" }).duration, 23);
  const by_duration = performance.measure("dur", { start: "start", duration: 4, detail: [1] });
  assert_equals(by_duration.startTime, 10);
  assert_equals(by_duration.duration, 4);
  assert_array_equals(by_duration.detail, [1]);
  assert_equals(performance.measure("back", { duration: 5, end: 30 }).startTime, 25);
  assert_array_equals(performance.getEntriesByType("measure").map((m) => m.name),
                      ["whole", "opts", "between", "since", "dur", "back"],
                      "by start time (ties in the order they were made)");
}, "measure() between marks, from a mark, from the time origin, and with options");

test(() => {
  clear();
  assert_throws_dom("SyntaxError", () => performance.measure("m", "no such mark"));
  assert_throws_js(TypeError, () => performance.measure("m", { start: 1 }, "end"));
  assert_throws_js(TypeError, () => performance.measure("m", { duration: 1 }));
  assert_throws_js(TypeError, () => performance.measure("m", { start: 1, end: 3, duration: 2 }));
  assert_throws_js(TypeError, () => performance.measure("m", { start: -1 }));
}, "measure() refuses what cannot be measured");

test(() => {
  clear();
  performance.mark("x");
  performance.mark("y");
  performance.mark("x");
  performance.measure("x");
  performance.clearMarks("x");
  assert_array_equals(performance.getEntriesByType("mark").map((m) => m.name), ["y"]);
  assert_equals(performance.getEntriesByType("measure").length, 1, "measures stay");
  performance.clearMarks();
  performance.clearMeasures();
  assert_array_equals(performance.getEntriesByType("mark"), []);
  assert_array_equals(performance.getEntriesByType("measure"), []);
}, "clearMarks() and clearMeasures(), by name or all");

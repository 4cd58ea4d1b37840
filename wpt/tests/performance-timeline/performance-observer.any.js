// META: global=window,dedicatedworker,serviceworker
// META: title=PerformanceObserver: observing the timeline's entries as they come
"use strict";

promise_test(async (t) => {
  const calls = [];
  const observer = new PerformanceObserver(function (list, self) {
    calls.push({ names: list.getEntries().map((e) => e.name), self, that: this,
                 marks: list.getEntriesByType("mark").length,
                 named: list.getEntriesByName("o2").length });
  });
  t.add_cleanup(() => observer.disconnect());
  observer.observe({ entryTypes: ["mark", "nonsense"] });
  performance.mark("o1");
  performance.mark("o2");
  assert_equals(calls.length, 0, "not during the script that added them");
  await new Promise((resolve) => t.step_timeout(resolve, 0));
  assert_equals(calls.length, 1, "one call for both");
  assert_array_equals(calls[0].names, ["o1", "o2"]);
  assert_equals(calls[0].self, observer);
  assert_equals(calls[0].that, observer);
  assert_equals(calls[0].marks, 2);
  assert_equals(calls[0].named, 1);
  performance.measure("not observed");
  observer.disconnect();
  performance.mark("after disconnect");
  await new Promise((resolve) => t.step_timeout(resolve, 0));
  assert_equals(calls.length, 1, "nothing after disconnect()");
}, "an observer of entryTypes hears new entries in a task");

promise_test(async (t) => {
  performance.clearMarks();
  performance.mark("early");
  const heard = [];
  const observer = new PerformanceObserver((list) => heard.push(...list.getEntries().map((e) => e.name)));
  t.add_cleanup(() => observer.disconnect());
  observer.observe({ type: "mark", buffered: true });
  observer.observe({ type: "measure" });
  performance.measure("late");
  await new Promise((resolve) => t.step_timeout(resolve, 0));
  assert_array_equals(heard.sort(), ["early", "late"]);
}, "observe({type, buffered}) hears the entries already there too, and types add up");

test((t) => {
  const observer = new PerformanceObserver(() => {});
  t.add_cleanup(() => observer.disconnect());
  observer.observe({ type: "mark" });
  performance.mark("taken");
  const records = observer.takeRecords();
  assert_array_equals(records.map((e) => e.name), ["taken"]);
  assert_array_equals(observer.takeRecords(), []);
}, "takeRecords() empties the observer's buffer");

test((t) => {
  const observer = new PerformanceObserver(() => {});
  t.add_cleanup(() => observer.disconnect());
  assert_throws_js(TypeError, () => observer.observe());
  assert_throws_js(TypeError, () => observer.observe({ entryTypes: ["mark"], type: "mark" }));
  observer.observe({ entryTypes: ["mark"] });
  assert_throws_dom("InvalidModificationError", () => observer.observe({ type: "measure" }));
  assert_throws_js(TypeError, () => new PerformanceObserver());
  const types = PerformanceObserver.supportedEntryTypes;
  for (const type of ["mark", "measure", "resource"]) {
    assert_true(types.includes(type), type);
  }
  assert_true(Object.isFrozen(types), "frozen");
}, "observe() refuses what it cannot do; supportedEntryTypes");

// Helpers of the tests under /background-sync/ (page side). Load after
// /service-workers/resources/helpers.js (register_and_activate, ask, within, delay).
//
// The tests' pages are not controlled: resources/sync-worker.js reports every `sync` event to
// all window clients of the origin (clients.matchAll({includeUncontrolled: true})), and this
// file collects those reports from the moment it loads.
"use strict";

// A scope of its own for each registration of each test file: resources/scope/FILE/LABEL.
function sync_scope(label) {
  const file = location.pathname.split("/").pop().replace(/\..*$/, "");
  return `resources/scope/${file}/${label}`;
}

function sync_worker(mode = "succeed") {
  return `resources/sync-worker.js?mode=${mode}`;
}

// A registration of resources/sync-worker.js in `mode` with an active worker, unregistered
// when the test ends.
function register_sync_worker(t, mode, label) {
  return register_and_activate(t, sync_worker(mode), sync_scope(label));
}

// Every sync report received, in order of arrival, and the waits on them.
const sync_reports = [];
const sync_report_waiters = new Set();

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (!event.data || event.data.type !== "sync") {
      return;
    }
    sync_reports.push(event.data);
    for (const waiter of Array.from(sync_report_waiters)) {
      waiter();
    }
  });
  // Reports may come before the document has loaded.
  navigator.serviceWorker.startMessages();
}

// A filter for the reports of `registration` (and of `tag`, when given).
function reports_of(registration, tag) {
  return (report) => report.scope === registration.scope &&
                     (tag === undefined || report.tag === tag);
}

function syncs_seen(filter) {
  return sync_reports.filter(filter);
}

// Resolves with the first `count` reports matching `filter` once there are that many; rejects
// after `ms` naming `what` and how many came.
function wait_for_syncs(filter, count = 1, ms = 5000, what = "sync event") {
  let check;
  let timer;
  const result = new Promise((resolve, reject) => {
    check = () => {
      const matching = syncs_seen(filter);
      if (matching.length >= count) {
        sync_report_waiters.delete(check);
        clearTimeout(timer);
        resolve(matching.slice(0, count));
      }
    };
    timer = setTimeout(() => {
      sync_report_waiters.delete(check);
      reject(new Error(`${what}: ${syncs_seen(filter).length} of ${count} sync events ` +
                       `after ${ms} ms`));
    }, ms);
    sync_report_waiters.add(check);
    check();
  });
  result.catch(() => {});  // handled by whoever awaits it
  return result;
}

// Fails if any report matching `filter` beyond the first `count` arrives within `ms`.
async function assert_no_more_syncs(filter, count, ms, what = "sync events") {
  await delay(ms);
  assert_equals(syncs_seen(filter).length, count, `${what} after ${ms} ms more`);
}

// Polls getTags() of `sync_manager` (every 20 ms) until `predicate(tags)` holds; resolves with
// the tags, rejects after `ms` with the last tags seen.
async function wait_for_tags(sync_manager, predicate, ms = 5000, what = "getTags()") {
  const deadline = performance.now() + ms;
  let tags;
  for (;;) {
    tags = await sync_manager.getTags();
    if (predicate(tags)) {
      return tags;
    }
    if (performance.now() > deadline) {
      throw new Error(`${what}: still ${JSON.stringify(tags)} after ${ms} ms`);
    }
    await delay(20);
  }
}

function sorted(tags) {
  return Array.from(tags).sort();
}

// Settles the held `sync` events of `tag` in a ?mode=hold worker.
async function release(registration, tag, outcome = "fulfill") {
  const reply = (await ask(registration.active, { command: "release", tag, outcome })).data;
  return reply.released;
}

// The tests of a failing `sync` event (resources/sync-worker.js in `mode`), for a page whose
// prefs make the retry delays short: three attempts with growing delays, lastChance true on
// the last only, then the tag is dropped; registering it again starts over.
// `attempt_ms` bounds the wait for the three attempts.
function define_retry_tests(mode, failure, attempt_ms = 20000) {
  let registration;
  let reports;

  promise_test(async (t) => {
    // Unregistered by the last subtest, not at the end of this one.
    const keep = { add_cleanup() {}, step_func: (f) => t.step_func(f) };
    registration = await register_sync_worker(keep, mode, "retry");
    await registration.sync.register("retry");
    reports = await wait_for_syncs(reports_of(registration, "retry"), 3, attempt_ms,
                                   "three attempts");
    assert_array_equals(reports.map((report) => report.lastChance), [false, false, true],
                        "lastChance of each attempt");
  }, `${failure}: the event is tried three times, lastChance only on the last`);

  promise_test(async (t) => {
    assert_true(reports !== undefined, "the previous subtest saw three attempts");
    const first_gap = reports[1].time - reports[0].time;
    const second_gap = reports[2].time - reports[1].time;
    assert_greater_than(second_gap, first_gap,
      `the delay grows (starts ${first_gap.toFixed(0)} ms then ${second_gap.toFixed(0)} ms ` +
      "apart)");
  }, `${failure}: the delay before each retry grows`);

  promise_test(async (t) => {
    assert_true(reports !== undefined, "the previous subtest saw three attempts");
    await wait_for_tags(registration.sync, (tags) => !tags.includes("retry"), attempt_ms,
                        "the tag is dropped after the failed last chance");
    // Longer than any retry delay these tests configure.
    await assert_no_more_syncs(reports_of(registration, "retry"), 3, 1500,
                               "attempts after the last chance");
  }, `${failure}: after the failed last chance the tag is gone and the event fires no more`);

  promise_test(async (t) => {
    assert_true(registration !== undefined, "the registration of the previous subtests");
    t.add_cleanup(() => registration.unregister());
    await registration.sync.register("retry");
    const again = await wait_for_syncs(reports_of(registration, "retry"), 4, attempt_ms,
                                       "the event of the new registration");
    assert_false(again[3].lastChance, "a new registration starts with a first attempt");
    assert_array_equals(await registration.sync.getTags(), ["retry"],
                        "the new registration is listed (it will be retried)");
  }, `${failure}: a tag dropped after its last chance can be registered again, and fires`);
}

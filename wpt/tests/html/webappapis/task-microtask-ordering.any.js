// META: title=Event loop: synchronous code, then microtasks, then the next task

async_test((t) => {
  const log = [];
  setTimeout(t.step_func_done(() => {
    log.push("timeout");
    assert_array_equals(log, ["sync", "promise", "queueMicrotask", "timeout"]);
  }), 0);
  Promise.resolve().then(() => log.push("promise"));
  queueMicrotask(() => log.push("queueMicrotask"));
  log.push("sync");
}, "microtasks run before the next task");

async_test((t) => {
  const log = [];
  setTimeout(() => {
    log.push("t1");
    Promise.resolve().then(() => log.push("m1"));
  }, 0);
  setTimeout(t.step_func_done(() => {
    log.push("t2");
    assert_array_equals(log, ["t1", "m1", "t2"]);
  }), 0);
}, "a task's microtasks run before the following task");

async_test((t) => {
  let n = 0;
  const id = setInterval(t.step_func(() => {
    n++;
    if (n === 3) {
      clearInterval(id);
      t.step_timeout(() => { assert_equals(n, 3); t.done(); }, 20);
    }
  }), 1);
}, "setInterval repeats until cleared");

promise_test(async () => {
  const value = await new Promise((resolve) => setTimeout(resolve, 5, "extra argument"));
  assert_equals(value, "extra argument");
}, "setTimeout passes extra arguments to its callback");

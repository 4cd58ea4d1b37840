// META: title=Runner self-test: a .window.js test with META script, timeout and title
// META: script=resources/helper.js
// META: timeout=long
"use strict";

test(() => {
  assert_equals(helperLoadedBeforeTest, true);
  assert_equals(addOne(1), 2);
}, "the META script ran before the test");

test(() => {
  assert_equals(document.title,
                "Runner self-test: a .window.js test with META script, timeout and title");
}, "META title becomes the document title");

promise_test(() => new Promise((resolve) => setTimeout(resolve, 0)),
             "the page is a window with timers");

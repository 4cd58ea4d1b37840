// Loaded by window-script.window.js through `// META: script=`: proves META scripts run
// before the test, in order.
var helperLoadedBeforeTest = true;

function addOne(value) {
  return value + 1;
}

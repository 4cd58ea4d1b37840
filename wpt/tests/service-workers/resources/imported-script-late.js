// import-scripts-worker.js tries to import this after installation, which must fail.
var lateValue = "should not be imported";

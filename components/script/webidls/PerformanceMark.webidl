// https://w3c.github.io/user-timing/#performancemark
[Exposed=(Window,Worker)]
interface PerformanceMark : PerformanceEntry {
  [Throws] constructor(DOMString markName, optional PerformanceMarkOptions markOptions = {});
  readonly attribute any detail;
};

dictionary PerformanceMarkOptions {
  any detail;
  DOMHighResTimeStamp startTime;
};

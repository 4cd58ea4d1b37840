// https://w3c.github.io/hr-time/#sec-performance, with the Performance Timeline, User Timing
// and Resource Timing members
[Exposed=(Window,Worker)]
interface Performance : EventTarget {
  DOMHighResTimeStamp now();
  readonly attribute DOMHighResTimeStamp timeOrigin;
  object toJSON();

  sequence<PerformanceEntry> getEntries();
  sequence<PerformanceEntry> getEntriesByType(DOMString type);
  sequence<PerformanceEntry> getEntriesByName(DOMString name, optional DOMString type);

  [Throws] PerformanceMark mark(DOMString markName, optional PerformanceMarkOptions markOptions = {});
  undefined clearMarks(optional DOMString markName);
  [Throws] PerformanceMeasure measure(DOMString measureName,
                                      optional (DOMString or PerformanceMeasureOptions) startOrMeasureOptions = {},
                                      optional DOMString endMark);
  undefined clearMeasures(optional DOMString measureName);

  undefined clearResourceTimings();
  undefined setResourceTimingBufferSize(unsigned long maxSize);
};

// https://w3c.github.io/performance-timeline/#the-performanceobserver-interface
callback PerformanceObserverCallback = undefined (PerformanceObserverEntryList entries,
                                                  PerformanceObserver observer,
                                                  optional PerformanceObserverCallbackOptions options = {});

[Exposed=(Window,Worker)]
interface PerformanceObserver {
  constructor(PerformanceObserverCallback callback);
  [Throws] undefined observe(optional PerformanceObserverInit options = {});
  undefined disconnect();
  sequence<PerformanceEntry> takeRecords();
  static readonly attribute FrozenArray<DOMString> supportedEntryTypes;
};

dictionary PerformanceObserverInit {
  sequence<DOMString> entryTypes;
  DOMString type;
  boolean buffered;
};

dictionary PerformanceObserverCallbackOptions {
  unsigned long long droppedEntriesCount;
};

[Exposed=(Window,Worker)]
interface PerformanceObserverEntryList {
  sequence<PerformanceEntry> getEntries();
  sequence<PerformanceEntry> getEntriesByType(DOMString type);
  sequence<PerformanceEntry> getEntriesByName(DOMString name, optional DOMString type);
};

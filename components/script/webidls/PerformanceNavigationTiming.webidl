// https://w3c.github.io/navigation-timing/#sec-PerformanceNavigationTiming
// (criticalCHRestart, notRestoredReasons and confidence are not here).
enum NavigationTimingType { "navigate", "reload", "back_forward", "prerender" };

[Exposed=Window]
interface PerformanceNavigationTiming : PerformanceResourceTiming {
  readonly attribute DOMHighResTimeStamp unloadEventStart;
  readonly attribute DOMHighResTimeStamp unloadEventEnd;
  readonly attribute DOMHighResTimeStamp domInteractive;
  readonly attribute DOMHighResTimeStamp domContentLoadedEventStart;
  readonly attribute DOMHighResTimeStamp domContentLoadedEventEnd;
  readonly attribute DOMHighResTimeStamp domComplete;
  readonly attribute DOMHighResTimeStamp loadEventStart;
  readonly attribute DOMHighResTimeStamp loadEventEnd;
  readonly attribute NavigationTimingType type;
  readonly attribute unsigned short redirectCount;
  object toJSON();
};

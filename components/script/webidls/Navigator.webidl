// https://html.spec.whatwg.org/multipage/system-state.html#the-navigator-object
[Exposed=Window]
interface Navigator {
};
Navigator includes NavigatorID;
Navigator includes NavigatorOnLine;

interface mixin NavigatorID {
  readonly attribute DOMString appCodeName; // constant "Mozilla"
  readonly attribute DOMString appName; // constant "Netscape"
  readonly attribute DOMString appVersion;
  readonly attribute DOMString platform;
  readonly attribute DOMString product; // constant "Gecko"
  readonly attribute DOMString userAgent;
};

// https://html.spec.whatwg.org/multipage/system-state.html#navigatoronline
interface mixin NavigatorOnLine {
  readonly attribute boolean onLine;
};

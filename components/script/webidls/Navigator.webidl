// https://html.spec.whatwg.org/multipage/system-state.html#the-navigator-object
[Exposed=Window]
interface Navigator {
};
Navigator includes NavigatorID;

interface mixin NavigatorID {
  readonly attribute DOMString appCodeName; // constant "Mozilla"
  readonly attribute DOMString appName; // constant "Netscape"
  readonly attribute DOMString appVersion;
  readonly attribute DOMString platform;
  readonly attribute DOMString product; // constant "Gecko"
  readonly attribute DOMString userAgent;
};

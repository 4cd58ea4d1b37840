// https://html.spec.whatwg.org/multipage/semantics.html#the-meta-element
// (testharness.js reads `<meta name="timeout" content="long">` through `name` and `content`.)
[Exposed=Window]
interface HTMLMetaElement : HTMLElement {
  [Reflect] attribute DOMString name;
  [Reflect=http-equiv] attribute DOMString httpEquiv;
  [Reflect] attribute DOMString content;
  [Reflect] attribute DOMString media;
};

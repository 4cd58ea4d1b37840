// https://html.spec.whatwg.org/multipage/semantics.html#the-meta-element
// (testharness.js reads `<meta name="timeout" content="long">` through `name` and `content`.)
[Exposed=Window]
interface HTMLMetaElement : HTMLElement {
  attribute DOMString name;
  attribute DOMString httpEquiv;
  attribute DOMString content;
  attribute DOMString media;
};

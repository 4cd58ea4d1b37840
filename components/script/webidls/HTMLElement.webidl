// https://html.spec.whatwg.org/multipage/dom.html#htmlelement
[Exposed=Window]
interface HTMLElement : Element {
  attribute DOMString title;
  attribute DOMString lang;
  attribute boolean hidden;
};
HTMLElement includes GlobalEventHandlers;

// https://html.spec.whatwg.org/multipage/dom.html#htmlelement
[Exposed=Window]
interface HTMLElement : Element {
  [Reflect] attribute DOMString title;
  [Reflect] attribute DOMString lang;
  [Reflect] attribute boolean hidden;
};
HTMLElement includes GlobalEventHandlers;

// https://dom.spec.whatwg.org/#interface-document and
// https://html.spec.whatwg.org/multipage/dom.html#the-document-object
enum DocumentReadyState { "loading", "interactive", "complete" };
// https://html.spec.whatwg.org/multipage/interaction.html#documentvisibilitystate
enum DocumentVisibilityState { "visible", "hidden" };

[Exposed=Window]
interface Document : Node {
  [SameObject] readonly attribute DOMImplementation implementation;
  readonly attribute USVString URL;
  readonly attribute USVString documentURI;
  readonly attribute DOMString compatMode;
  readonly attribute DOMString characterSet;
  readonly attribute DOMString charset; // legacy alias of .characterSet
  readonly attribute DOMString inputEncoding; // legacy alias of .characterSet
  readonly attribute DOMString contentType;

  readonly attribute DocumentType? doctype;
  readonly attribute Element? documentElement;
  HTMLCollection getElementsByTagName(DOMString qualifiedName);
  HTMLCollection getElementsByClassName(DOMString classNames);

  [NewObject, Throws] Element createElement(DOMString localName);
  [NewObject] Text createTextNode(DOMString data);
  [NewObject] Comment createComment(DOMString data);
  [NewObject] DocumentFragment createDocumentFragment();
  [NewObject, Throws] Event createEvent(DOMString interface);

  // HTML
  [PutForwards=href, LegacyUnforgeable] readonly attribute Location? location;
  readonly attribute USVString referrer;
  attribute DOMString title;
  readonly attribute HTMLElement? body;
  readonly attribute HTMLElement? head;
  readonly attribute DocumentReadyState readyState;
  readonly attribute HTMLScriptElement? currentScript;
  readonly attribute Window? defaultView;
  // https://html.spec.whatwg.org/multipage/interaction.html#page-visibility: a headless page
  // is always visible.
  readonly attribute boolean hidden;
  readonly attribute DocumentVisibilityState visibilityState;
  // https://html.spec.whatwg.org/multipage/interaction.html#dom-document-hasfocus
  boolean hasFocus();
};
Document includes NonElementParentNode;
Document includes ParentNode;
Document includes GlobalEventHandlers;

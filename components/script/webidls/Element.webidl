// https://dom.spec.whatwg.org/#interface-element
[Exposed=Window]
interface Element : Node {
  readonly attribute DOMString? namespaceURI;
  readonly attribute DOMString? prefix;
  readonly attribute DOMString localName;
  readonly attribute DOMString tagName;

  attribute DOMString id;
  attribute DOMString className;
  [SameObject, PutForwards=value] readonly attribute DOMTokenList classList;

  boolean hasAttributes();
  sequence<DOMString> getAttributeNames();
  DOMString? getAttribute(DOMString qualifiedName);
  [Throws] undefined setAttribute(DOMString qualifiedName, DOMString value);
  undefined removeAttribute(DOMString qualifiedName);
  [Throws] boolean toggleAttribute(DOMString qualifiedName, optional boolean force);
  boolean hasAttribute(DOMString qualifiedName);

  HTMLCollection getElementsByTagName(DOMString qualifiedName);
  HTMLCollection getElementsByClassName(DOMString classNames);

  // https://html.spec.whatwg.org/#dom-element-innerhtml (DOM Parsing and Serialization)
  attribute [LegacyNullToEmptyString] DOMString innerHTML;
  [SetterThrows] attribute [LegacyNullToEmptyString] DOMString outerHTML;

  [Throws] boolean matches(DOMString selectors);
  [Throws] Element? closest(DOMString selectors);
};
Element includes ParentNode;
Element includes ChildNode;

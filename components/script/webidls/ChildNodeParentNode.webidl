// https://dom.spec.whatwg.org/#interface-childnode
interface mixin ChildNode {
  undefined remove();
};

// https://dom.spec.whatwg.org/#interface-parentnode
interface mixin ParentNode {
  [SameObject] readonly attribute HTMLCollection children;
  readonly attribute Element? firstElementChild;
  readonly attribute Element? lastElementChild;
  readonly attribute unsigned long childElementCount;

  [Throws] Element? querySelector(DOMString selectors);
  [NewObject, Throws] NodeList querySelectorAll(DOMString selectors);
};

// https://dom.spec.whatwg.org/#interface-nonelementparentnode
interface mixin NonElementParentNode {
  Element? getElementById(DOMString elementId);
};

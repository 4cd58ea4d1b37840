// https://dom.spec.whatwg.org/#interface-childnode
// Several nodes are inserted one after another, after every check has passed, not through a
// DocumentFragment (no mutation observers could tell the difference).
interface mixin ChildNode {
  [Throws] undefined before((Node or DOMString)... nodes);
  [Throws] undefined after((Node or DOMString)... nodes);
  [Throws] undefined replaceWith((Node or DOMString)... nodes);
  undefined remove();
};

// https://dom.spec.whatwg.org/#interface-parentnode
interface mixin ParentNode {
  [SameObject] readonly attribute HTMLCollection children;
  readonly attribute Element? firstElementChild;
  readonly attribute Element? lastElementChild;
  readonly attribute unsigned long childElementCount;

  [Throws] undefined prepend((Node or DOMString)... nodes);
  [Throws] undefined append((Node or DOMString)... nodes);
  [Throws] undefined replaceChildren((Node or DOMString)... nodes);

  [Throws] Element? querySelector(DOMString selectors);
  [NewObject, Throws] NodeList querySelectorAll(DOMString selectors);
};

// https://dom.spec.whatwg.org/#interface-nonelementparentnode
interface mixin NonElementParentNode {
  Element? getElementById(DOMString elementId);
};

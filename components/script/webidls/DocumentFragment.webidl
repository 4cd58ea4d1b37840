// https://dom.spec.whatwg.org/#interface-documentfragment
[Exposed=Window]
interface DocumentFragment : Node {
  [Throws] constructor();
};
DocumentFragment includes NonElementParentNode;
DocumentFragment includes ParentNode;

// https://dom.spec.whatwg.org/#interface-domimplementation
[Exposed=Window]
interface DOMImplementation {
  boolean hasFeature(); // useless; always returns true
};

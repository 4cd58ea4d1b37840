// https://dom.spec.whatwg.org/#interface-comment
[Exposed=Window]
interface Comment : CharacterData {
  [Throws] constructor(optional DOMString data = "");
};

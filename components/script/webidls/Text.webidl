// https://dom.spec.whatwg.org/#interface-text
[Exposed=Window]
interface Text : CharacterData {
  [Throws] constructor(optional DOMString data = "");
  readonly attribute DOMString wholeText;
};

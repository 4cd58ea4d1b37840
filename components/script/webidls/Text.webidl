// https://dom.spec.whatwg.org/#interface-text
[Exposed=Window]
interface Text : CharacterData {
  constructor(optional DOMString data = "");
  readonly attribute DOMString wholeText;
};

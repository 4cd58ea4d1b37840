// https://dom.spec.whatwg.org/#interface-characterdata
[Exposed=Window]
interface CharacterData : Node {
  attribute [LegacyNullToEmptyString] DOMString data;
  readonly attribute unsigned long length;
  undefined appendData(DOMString data);
};
CharacterData includes ChildNode;

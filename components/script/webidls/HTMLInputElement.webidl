// https://html.spec.whatwg.org/multipage/input.html#the-input-element
// What forms submit: name, type, value (with its dirty flag), checked, disabled. No
// validation, no files, no selection APIs.
[Exposed=Window]
interface HTMLInputElement : HTMLElement {
  [Reflect=checked] attribute boolean defaultChecked;
  attribute boolean checked;
  [Reflect] attribute boolean disabled;
  readonly attribute HTMLFormElement? form;
  [Reflect] attribute DOMString name;
  [Reflect] attribute boolean required;
  attribute DOMString type;
  [Reflect=value] attribute DOMString defaultValue;
  attribute DOMString value;
};

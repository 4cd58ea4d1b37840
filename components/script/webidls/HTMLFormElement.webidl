// https://html.spec.whatwg.org/multipage/forms.html#the-form-element
// A form submits its <input>s (no <select>, <textarea> or <button> elements yet, no
// validation) to a frame of its page, or its own frame; a top-level page does not navigate in
// bgsync. No elements/length collection yet.
[Exposed=Window]
interface HTMLFormElement : HTMLElement {
  [Reflect=accept-charset] attribute DOMString acceptCharset;
  attribute USVString action;
  [Reflect] attribute DOMString autocomplete;
  attribute DOMString enctype;
  attribute DOMString encoding;
  attribute DOMString method;
  [Reflect] attribute DOMString name;
  [Reflect] attribute boolean noValidate;
  [Reflect] attribute DOMString target;

  undefined submit();
  [Throws] undefined requestSubmit(optional HTMLElement? submitter = null);
  undefined reset();
};

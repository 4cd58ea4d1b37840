// https://html.spec.whatwg.org/multipage/iframe-embed-object.html#the-iframe-element
// The attributes bgsync acts on; sandbox, allow, loading and the legacy ones are not yet.
[Exposed=Window]
interface HTMLIFrameElement : HTMLElement {
  attribute USVString src;
  attribute DOMString srcdoc;
  [Reflect] attribute DOMString name;
  readonly attribute Document? contentDocument;
  readonly attribute WindowProxy? contentWindow;
};

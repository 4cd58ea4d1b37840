// https://html.spec.whatwg.org/multipage/embedded-content.html#htmlimageelement
// (the legacy attributes name, lspace, align, border... are not here).
[Exposed=Window,
 LegacyFactoryFunction=Image(optional unsigned long width, optional unsigned long height)]
interface HTMLImageElement : HTMLElement {
  [Reflect] attribute DOMString alt;
  attribute USVString src;
  [Reflect] attribute USVString srcset;
  [Reflect] attribute DOMString sizes;
  attribute DOMString? crossOrigin;
  [Reflect] attribute DOMString useMap;
  [Reflect] attribute boolean isMap;
  attribute unsigned long width;
  attribute unsigned long height;
  readonly attribute unsigned long naturalWidth;
  readonly attribute unsigned long naturalHeight;
  readonly attribute boolean complete;
  readonly attribute USVString currentSrc;
  attribute DOMString referrerPolicy;
  attribute DOMString decoding;
  attribute DOMString loading;

  Promise<undefined> decode();
};

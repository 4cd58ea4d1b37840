// https://drafts.csswg.org/cssom/#the-cssstyledeclaration-interface
// Without parentRule (bgsync has no style sheets) and with the camel-cased attributes of the
// properties listed below only.
typedef DOMString CSSOMString;

[Exposed=Window]
interface CSSStyleDeclaration {
  [CEReactions] attribute CSSOMString cssText;
  readonly attribute unsigned long length;
  getter CSSOMString item(unsigned long index);
  CSSOMString getPropertyValue(CSSOMString property);
  CSSOMString getPropertyPriority(CSSOMString property);
  [CEReactions] undefined setProperty(CSSOMString property, [LegacyNullToEmptyString] CSSOMString value, optional [LegacyNullToEmptyString] CSSOMString priority = "");
  [CEReactions] CSSOMString removeProperty(CSSOMString property);
  [CEReactions, CSSProperty=float] attribute [LegacyNullToEmptyString] CSSOMString cssFloat;
};

// https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-camel-cased-attribute
partial interface CSSStyleDeclaration {
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString background;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString backgroundColor;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString border;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString bottom;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString color;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString cursor;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString display;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString font;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString fontFamily;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString fontSize;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString height;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString left;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString margin;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString maxHeight;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString maxWidth;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString minHeight;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString minWidth;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString opacity;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString overflow;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString padding;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString position;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString right;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString top;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString transform;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString visibility;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString width;
  [CEReactions, CSSProperty] attribute [LegacyNullToEmptyString] CSSOMString zIndex;
};

// https://drafts.csswg.org/cssom/#the-elementcssinlinestyle-mixin
interface mixin ElementCSSInlineStyle {
  [SameObject, PutForwards=cssText] readonly attribute CSSStyleDeclaration style;
};
HTMLElement includes ElementCSSInlineStyle;

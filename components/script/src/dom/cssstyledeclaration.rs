//! CSSStyleDeclaration (https://drafts.csswg.org/cssom/#the-cssstyledeclaration-interface): an
//! element's inline style (`element.style`), a live view of its `style` attribute: every read
//! parses the attribute, every change writes it back serialized (`width: 10px; color: red;`).
//!
//! bgsync lays nothing out and does not parse CSS values: a value is kept as written (trimmed;
//! one holding a `;`, which would end its declaration, is refused as a browser refuses a value
//! that does not parse), and any property name of CSS's identifier shape is taken, where a
//! browser ignores the properties it does not support.

use crate::dom::element::Element;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct CSSStyleDeclaration {
    reflector: Reflector,
    element: Dom<Element>,
}

/// One declaration of the block: `name: value [!important]`.
#[derive(Clone, Debug, PartialEq)]
struct Declaration {
    name: String,
    value: String,
    important: bool,
}

impl CSSStyleDeclaration {
    /// The inline style of `element`.
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        element: &Element,
    ) -> DomRoot<CSSStyleDeclaration> {
        CSSStyleDeclarationBinding::Wrap(
            cx,
            global,
            None,
            Box::new(CSSStyleDeclaration {
                reflector: Reflector::new(),
                element: Dom::from_ref(element),
            }),
        )
    }

    fn declarations(&self) -> Vec<Declaration> {
        parse_declarations(&self.element.get_attribute("style").unwrap_or_default())
    }

    /// <https://drafts.csswg.org/cssom/#update-style-attribute-for>
    fn store(&self, declarations: &[Declaration]) {
        self.element
            .set_attribute("style", serialize_declarations(declarations));
    }

    /// <https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-getpropertyvalue>
    pub fn property_value(&self, property: &str) -> DOMString {
        let name = property_name(property);
        self.declarations()
            .into_iter()
            .find(|declaration| declaration.name == name)
            .map(|declaration| declaration.value)
            .unwrap_or_default()
    }

    /// <https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-setproperty> (an empty value
    /// removes the property).
    pub fn set_property_value(&self, property: &str, value: DOMString, important: bool) {
        let name = property_name(property);
        if !is_property_name(&name) {
            return;
        }
        let value = value.trim();
        let mut declarations = self.declarations();
        if value.is_empty() {
            let before = declarations.len();
            declarations.retain(|declaration| declaration.name != name);
            if declarations.len() != before {
                self.store(&declarations);
            }
            return;
        }
        if value.contains(';') {
            return;
        }
        let declaration = Declaration {
            name,
            value: value.to_owned(),
            important,
        };
        match declarations
            .iter_mut()
            .find(|existing| existing.name == declaration.name)
        {
            Some(existing) => *existing = declaration,
            None => declarations.push(declaration),
        }
        self.store(&declarations);
    }
}

/// A property as the methods name it: ASCII lower case, except a custom property (`--x`).
fn property_name(property: &str) -> String {
    if property.starts_with("--") {
        property.to_owned()
    } else {
        property.to_ascii_lowercase()
    }
}

/// A CSS identifier of the shape property names have (`-webkit-x`, `--custom`).
fn is_property_name(name: &str) -> bool {
    let body = name.trim_start_matches('-');
    !body.is_empty()
        && name.len() - body.len() <= 2
        && body
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
}

/// The declarations of a style attribute, in order; a later declaration of a property replaces
/// an earlier one, malformed ones are skipped
/// (https://drafts.csswg.org/css-syntax/#parse-a-list-of-declarations, without values' syntax).
fn parse_declarations(text: &str) -> Vec<Declaration> {
    let mut declarations: Vec<Declaration> = Vec::new();
    for chunk in split_top_level(text, ';') {
        let Some((name, value)) = chunk.split_once(':') else {
            continue;
        };
        let name = property_name(name.trim());
        let mut value = value.trim();
        let mut important = false;
        if let Some(bang) = value.rfind('!') {
            if value[bang + 1..].trim().eq_ignore_ascii_case("important") {
                important = true;
                value = value[..bang].trim_end();
            }
        }
        if !is_property_name(&name) || value.is_empty() {
            continue;
        }
        declarations.retain(|declaration| declaration.name != name);
        declarations.push(Declaration {
            name,
            value: value.to_owned(),
            important,
        });
    }
    declarations
}

/// `text` split at each `separator` outside parentheses, brackets and quotes.
fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None::<char>, 0);
    let mut chars = text.char_indices();
    while let Some((at, ch)) = chars.next() {
        match (quote, ch) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(open), ch) if ch == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, ch) if ch == separator && depth == 0 => {
                parts.push(&text[start..at]);
                start = at + ch.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// <https://drafts.csswg.org/cssom/#serialize-a-css-declaration-block>
fn serialize_declarations(declarations: &[Declaration]) -> String {
    declarations
        .iter()
        .map(|declaration| {
            let important = if declaration.important {
                " !important"
            } else {
                ""
            };
            format!("{}: {}{important};", declaration.name, declaration.value)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl CSSStyleDeclarationMethods for CSSStyleDeclaration {
    /// <https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-csstext>
    fn CssText(&self, _cx: &mut JSContext) -> DOMString {
        serialize_declarations(&self.declarations())
    }
    fn SetCssText(&self, _cx: &mut JSContext, value: DOMString) {
        self.store(&parse_declarations(&value));
    }
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.IndexedLength()
    }
    fn Item(&self, _cx: &mut JSContext, index: u32) -> DOMString {
        self.IndexedGetter(_cx, index).unwrap_or_default()
    }
    fn GetPropertyValue(&self, _cx: &mut JSContext, property: DOMString) -> DOMString {
        self.property_value(&property)
    }
    fn GetPropertyPriority(&self, _cx: &mut JSContext, property: DOMString) -> DOMString {
        let name = property_name(&property);
        let important = self
            .declarations()
            .iter()
            .any(|declaration| declaration.name == name && declaration.important);
        if important {
            "important".into()
        } else {
            DOMString::new()
        }
    }
    fn SetProperty(
        &self,
        _cx: &mut JSContext,
        property: DOMString,
        value: DOMString,
        priority: DOMString,
    ) {
        // Step 6: a priority other than "important" (or none) changes nothing.
        let important = priority.eq_ignore_ascii_case("important");
        if !priority.is_empty() && !important {
            return;
        }
        self.set_property_value(&property, value, important);
    }
    /// <https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-removeproperty>: the value it
    /// had.
    fn RemoveProperty(&self, _cx: &mut JSContext, property: DOMString) -> DOMString {
        let value = self.property_value(&property);
        self.set_property_value(&property, DOMString::new(), false);
        value
    }
    fn IndexedGetter(&self, _cx: &mut JSContext, index: u32) -> Option<DOMString> {
        self.declarations()
            .into_iter()
            .nth(index as usize)
            .map(|declaration| declaration.name)
    }
    fn IndexedLength(&self) -> u32 {
        self.declarations().len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_style_attribute_parses_into_declarations_and_back() {
        let parsed = parse_declarations(
            " Width:10px ; background: url(\"a;b.png\") ; color: red !IMPORTANT; bad; :x; width: 20px",
        );
        let names: Vec<&str> = parsed.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["background", "color", "width"]);
        assert_eq!(parsed[0].value, "url(\"a;b.png\")");
        assert!(parsed[1].important);
        assert_eq!(
            serialize_declarations(&parsed),
            "background: url(\"a;b.png\"); color: red !important; width: 20px;"
        );
    }

    #[test]
    fn property_names_are_identifiers_and_custom_ones_keep_their_case() {
        assert!(is_property_name("background-color"));
        assert!(is_property_name("-webkit-appearance"));
        assert!(is_property_name("--Main-Color"));
        assert!(!is_property_name("---x"));
        assert!(!is_property_name("a b"));
        assert!(!is_property_name(""));
        assert_eq!(property_name("--Main-Color"), "--Main-Color");
        assert_eq!(property_name("WIDTH"), "width");
    }
}

//! HTML fragment serialization (https://html.spec.whatwg.org/#serialising-html-fragments),
//! for `innerHTML` and `outerHTML`.

use crate::dom::bindings::reflector::Castable;
use crate::dom::characterdata::CharacterData;
use crate::dom::comment::Comment;
use crate::dom::documenttype::DocumentType;
use crate::dom::element::Element;
use crate::dom::node::Node;
use crate::dom::text::Text;

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

const RAW_TEXT_PARENTS: &[&str] = &[
    "style",
    "script",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "noscript",
];

fn escape(text: &str, attribute: bool, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '\u{A0}' => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            // The HTML standard escapes < and > in attribute values too (since 2025).
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The serialization of `node`'s children.
pub fn serialize_children(node: &Node) -> String {
    let mut out = String::new();
    let raw = node
        .downcast::<Element>()
        .is_some_and(|e| RAW_TEXT_PARENTS.contains(&e.local_name().as_str()));
    for child in node.children() {
        serialize_node(&child, raw, &mut out);
    }
    out
}

/// The serialization of `node` itself (its outer HTML).
pub fn serialize_node_outer(node: &Node) -> String {
    let mut out = String::new();
    serialize_node(node, false, &mut out);
    out
}

fn serialize_node(node: &Node, raw_text: bool, out: &mut String) {
    if let Some(element) = node.downcast::<Element>() {
        let name = element.local_name();
        out.push('<');
        out.push_str(&name);
        for (attr, value) in element.attributes() {
            out.push(' ');
            out.push_str(&attr);
            out.push_str("=\"");
            escape(&value, true, out);
            out.push('"');
        }
        out.push('>');
        if VOID_ELEMENTS.contains(&name.as_str()) {
            return;
        }
        out.push_str(&serialize_children(node));
        out.push_str("</");
        out.push_str(&name);
        out.push('>');
    } else if let Some(text) = node.downcast::<Text>() {
        let data = text.upcast::<CharacterData>().data();
        if raw_text {
            out.push_str(&data);
        } else {
            escape(&data, false, out);
        }
    } else if let Some(comment) = node.downcast::<Comment>() {
        out.push_str("<!--");
        out.push_str(&comment.upcast::<CharacterData>().data());
        out.push_str("-->");
    } else if let Some(doctype) = node.downcast::<DocumentType>() {
        out.push_str("<!DOCTYPE ");
        out.push_str(&doctype.name());
        out.push('>');
    }
}

//! Element (https://dom.spec.whatwg.org/#interface-element): names and attributes.

use std::cell::RefCell;

use crate::dom::document::Document;
use crate::dom::domtokenlist::DOMTokenList;
use crate::dom::htmlcollection::HTMLCollection;
use crate::dom::node::Node;
use crate::dom::prelude::*;

pub const HTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

#[derive(Trace)]
#[repr(C)]
pub struct Element {
    node: Node,
    local_name: String,
    namespace: Option<String>,
    prefix: Option<String>,
    attributes: RefCell<Vec<(String, String)>>,
    class_list: MutNullableDom<DOMTokenList>,
}

/// https://dom.spec.whatwg.org/#valid-element-name, simplified to what HTML's parser and
/// `createElement` accept: non-empty, starting with a letter (or `_`/`:`), and free of
/// whitespace, `/`, `>` and NUL.
pub fn is_valid_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == ':' => {}
        _ => return false,
    }
    chars.all(|c| !c.is_whitespace() && !matches!(c, '/' | '>' | '<' | '\0' | '"' | '\'' | '='))
}

impl Element {
    pub fn new_inherited(
        document: &Document,
        local_name: String,
        namespace: Option<String>,
        prefix: Option<String>,
    ) -> Element {
        Element {
            node: Node::new_inherited(Some(document)),
            local_name,
            namespace,
            prefix,
            attributes: RefCell::new(Vec::new()),
            class_list: MutNullableDom::default(),
        }
    }

    pub fn local_name(&self) -> String {
        self.local_name.clone()
    }

    pub fn namespace_uri(&self) -> Option<String> {
        self.namespace.clone()
    }

    pub fn is_html(&self) -> bool {
        self.namespace.as_deref() == Some(HTML_NAMESPACE)
    }

    /// https://dom.spec.whatwg.org/#element-html-uppercased-qualified-name
    pub fn tag_name(&self) -> String {
        let qualified = match &self.prefix {
            Some(p) => format!("{p}:{}", self.local_name),
            None => self.local_name.clone(),
        };
        if self.is_html() {
            qualified.to_ascii_uppercase()
        } else {
            qualified
        }
    }

    fn normalize(&self, name: &str) -> String {
        if self.is_html() {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        }
    }

    pub fn get_attribute(&self, name: &str) -> Option<String> {
        let name = self.normalize(name);
        self.attributes
            .borrow()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn set_attribute(&self, name: &str, value: String) {
        let name = self.normalize(name);
        if self.is_html() && name.len() > 2 && name.starts_with("on") {
            self.set_event_handler_content_attribute(&name[2..], &value);
        }
        {
            let mut attributes = self.attributes.borrow_mut();
            match attributes.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 = value,
                None => attributes.push((name.clone(), value)),
            }
        }
        self.attribute_changed(&name);
    }

    /// The attribute change steps of the elements that act on their attributes (whoever set
    /// it: the parser, `setAttribute()`, a reflecting IDL attribute).
    fn attribute_changed(&self, name: &str) {
        if let Some(image) = self.downcast::<crate::dom::htmlimageelement::HTMLImageElement>() {
            image.attribute_changed(name);
        }
    }

    /// https://html.spec.whatwg.org/#event-handler-content-attributes: the attribute's
    /// value becomes the handler (compiled when first used). On `<body>`, the window's own
    /// handlers (`onload`, `onerror`, ...) are set on the window.
    fn set_event_handler_content_attribute(&self, event_type: &str, source: &str) {
        use crate::dom::eventtarget::{EventHandlerValue, EventTarget};
        const WINDOW_HANDLERS: &[&str] = &[
            "load",
            "error",
            "unhandledrejection",
            "rejectionhandled",
            "online",
            "offline",
        ];
        let value = EventHandlerValue::Source {
            body: source.to_string(),
            url: self.global().url().to_string(),
            line: 1,
        };
        let global = self.global();
        if self.local_name == "body" && WINDOW_HANDLERS.contains(&event_type) {
            global
                .upcast_event_target()
                .set_event_handler(event_type, Some(value));
        } else {
            self.upcast::<EventTarget>()
                .set_event_handler(event_type, Some(value));
        }
    }

    /// An enumerated attribute's state keyword, as an IDL attribute "limited to only known
    /// values" reflects it (https://html.spec.whatwg.org/multipage/common-dom-interfaces.html#limited-to-only-known-values):
    /// the value (ASCII case-insensitively) when it is one of `known`, else `missing` when the
    /// attribute is absent and `invalid` when it has another value.
    pub fn enumerated_attribute(
        &self,
        name: &str,
        known: &[&'static str],
        missing: &'static str,
        invalid: &'static str,
    ) -> &'static str {
        let Some(value) = self.get_attribute(name) else {
            return missing;
        };
        let value = value.to_ascii_lowercase();
        known
            .iter()
            .find(|keyword| **keyword == value)
            .copied()
            .unwrap_or(invalid)
    }

    pub fn remove_attribute(&self, name: &str) {
        let name = self.normalize(name);
        let before = self.attributes.borrow().len();
        self.attributes.borrow_mut().retain(|(n, _)| *n != name);
        if self.attributes.borrow().len() != before {
            self.attribute_changed(&name);
        }
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.get_attribute(name).is_some()
    }

    /// The attributes, in order, as (qualified name, value).
    pub fn attributes(&self) -> Vec<(String, String)> {
        self.attributes.borrow().clone()
    }

    pub fn class_tokens(&self) -> Vec<String> {
        self.get_attribute("class")
            .map(|c| c.split_ascii_whitespace().map(String::from).collect())
            .unwrap_or_default()
    }
}

impl ElementMethods for Element {
    fn NamespaceURI(&self, _cx: &mut JSContext) -> Option<DOMString> {
        self.namespace.clone()
    }
    fn Prefix(&self, _cx: &mut JSContext) -> Option<DOMString> {
        self.prefix.clone()
    }
    fn LocalName(&self, _cx: &mut JSContext) -> DOMString {
        self.local_name.clone()
    }
    fn TagName(&self, _cx: &mut JSContext) -> DOMString {
        self.tag_name()
    }
    fn Id(&self, _cx: &mut JSContext) -> DOMString {
        self.get_attribute("id").unwrap_or_default()
    }
    fn SetId(&self, _cx: &mut JSContext, value: DOMString) {
        self.set_attribute("id", value);
    }
    fn ClassName(&self, _cx: &mut JSContext) -> DOMString {
        self.get_attribute("class").unwrap_or_default()
    }
    fn SetClassName(&self, _cx: &mut JSContext, value: DOMString) {
        self.set_attribute("class", value);
    }
    fn ClassList(&self, cx: &mut JSContext) -> DomRoot<DOMTokenList> {
        self.class_list
            .or_init(|| DOMTokenList::new(cx, self.global(), self, "class"))
    }
    fn HasAttributes(&self, _cx: &mut JSContext) -> bool {
        !self.attributes.borrow().is_empty()
    }
    fn GetAttributeNames(&self, _cx: &mut JSContext) -> Vec<DOMString> {
        self.attributes
            .borrow()
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }
    fn GetAttribute(&self, _cx: &mut JSContext, qualified_name: DOMString) -> Option<DOMString> {
        self.get_attribute(&qualified_name)
    }
    /// <https://dom.spec.whatwg.org/#dom-element-setattribute>
    fn SetAttribute(
        &self,
        _cx: &mut JSContext,
        qualified_name: DOMString,
        value: DOMString,
    ) -> Fallible<()> {
        if !is_valid_element_name(&qualified_name) {
            return Err(Error::invalid_character(format!(
                "'{qualified_name}' is not a valid attribute name."
            )));
        }
        self.set_attribute(&qualified_name, value);
        Ok(())
    }
    fn RemoveAttribute(&self, _cx: &mut JSContext, qualified_name: DOMString) {
        self.remove_attribute(&qualified_name);
    }
    /// <https://dom.spec.whatwg.org/#dom-element-toggleattribute>
    fn ToggleAttribute(
        &self,
        _cx: &mut JSContext,
        qualified_name: DOMString,
        force: Option<bool>,
    ) -> Fallible<bool> {
        if !is_valid_element_name(&qualified_name) {
            return Err(Error::invalid_character(format!(
                "'{qualified_name}' is not a valid attribute name."
            )));
        }
        let present = self.has_attribute(&qualified_name);
        match (present, force) {
            (false, None | Some(true)) => {
                self.set_attribute(&qualified_name, String::new());
                Ok(true)
            }
            (true, None | Some(false)) => {
                self.remove_attribute(&qualified_name);
                Ok(false)
            }
            (present, _) => Ok(present),
        }
    }
    fn HasAttribute(&self, _cx: &mut JSContext, qualified_name: DOMString) -> bool {
        self.has_attribute(&qualified_name)
    }
    fn GetElementsByTagName(
        &self,
        cx: &mut JSContext,
        qualified_name: DOMString,
    ) -> DomRoot<HTMLCollection> {
        HTMLCollection::by_tag_name(cx, &self.node, qualified_name)
    }
    fn GetElementsByClassName(
        &self,
        cx: &mut JSContext,
        class_names: DOMString,
    ) -> DomRoot<HTMLCollection> {
        HTMLCollection::by_class_names(cx, &self.node, &class_names)
    }
    /// <https://html.spec.whatwg.org/#dom-element-innerhtml>
    fn InnerHTML(&self, _cx: &mut JSContext) -> DOMString {
        crate::dom::serialize::serialize_children(&self.node)
    }
    fn SetInnerHTML(&self, cx: &mut JSContext, value: DOMString) {
        let nodes = crate::html_parser::parse_fragment(cx, self, &value);
        for child in self.node.children() {
            self.node.remove_child_node(&child);
        }
        for node in nodes {
            self.node.append_child_node(cx, &node);
        }
    }
    fn OuterHTML(&self, _cx: &mut JSContext) -> DOMString {
        crate::dom::serialize::serialize_node_outer(&self.node)
    }
    /// <https://html.spec.whatwg.org/#dom-element-outerhtml>
    fn SetOuterHTML(&self, cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        let Some(parent) = self.node.parent_node() else {
            return Ok(());
        };
        if parent.is::<crate::dom::document::Document>() {
            return Err(Error::dom(
                crate::dom::domexception::DOMErrorName::NoModificationAllowedError,
                "Failed to set the 'outerHTML' property on 'Element': This element's parent is of type '#document'.",
            ));
        }
        let context = parent.downcast::<Element>().map(DomRoot::from_ref);
        let Some(context) = context else {
            return Ok(());
        };
        let nodes = crate::html_parser::parse_fragment(cx, &context, &value);
        for node in nodes {
            parent.insert(cx, &node, Some(&self.node));
        }
        self.node.remove_self();
        Ok(())
    }
    /// <https://dom.spec.whatwg.org/#dom-element-matches>
    fn Matches(&self, _cx: &mut JSContext, selectors: DOMString) -> Fallible<bool> {
        let list = crate::dom::selectors::parse(&selectors)
            .map_err(|_| Error::syntax(format!("'{selectors}' is not a valid selector.")))?;
        Ok(list.matches(self))
    }
    /// <https://dom.spec.whatwg.org/#dom-element-closest>
    fn Closest(
        &self,
        _cx: &mut JSContext,
        selectors: DOMString,
    ) -> Fallible<Option<DomRoot<Element>>> {
        let list = crate::dom::selectors::parse(&selectors)
            .map_err(|_| Error::syntax(format!("'{selectors}' is not a valid selector.")))?;
        let mut current = Some(DomRoot::from_ref(self));
        while let Some(element) = current {
            if list.matches(&element) {
                return Ok(Some(element));
            }
            current = element
                .upcast::<Node>()
                .parent_node()
                .and_then(|p| p.downcast::<Element>().map(DomRoot::from_ref));
        }
        Ok(None)
    }
    crate::parent_node_methods!();
    fn Remove(&self, _cx: &mut JSContext) {
        self.node.remove_self();
    }
    crate::child_node_mutation_methods!();
}

//! Builds a Document from HTML with html5ever, running parser-inserted scripts when the
//! parser reaches their end tag (the tokenizer yields at each `</script>`), as the HTML
//! parser does (https://html.spec.whatwg.org/#parsing).
//!
//! Template contents, form association and declarative shadow roots are not supported: a
//! `<template>`'s children are appended to the template itself.

use std::borrow::Cow;
use std::cell::Cell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, LocalName, Namespace, QualName};
use markup5ever::TokenizerResult;
use mozjs::context::JSContext;

use crate::dom::bindings::reflector::Castable;
use crate::dom::bindings::root::DomRoot;
use crate::dom::characterdata::CharacterData;
use crate::dom::codegen::ElementBinding;
use crate::dom::comment::Comment;
use crate::dom::document::Document;
use crate::dom::documenttype::DocumentType;
use crate::dom::element::Element;
use crate::dom::globalscope::GlobalOf;
use crate::dom::htmlscriptelement::HTMLScriptElement;
use crate::dom::node::Node;
use crate::dom::text::Text;

/// An element's name as html5ever wants it back.
#[derive(Debug)]
pub struct OwnedElemName {
    ns: Namespace,
    local: LocalName,
}

impl html5ever::tree_builder::ElemName for OwnedElemName {
    fn ns(&self) -> &Namespace {
        &self.ns
    }
    fn local_name(&self) -> &LocalName {
        &self.local
    }
}

struct DomSink {
    /// The parser runs inside a task that owns the context; sink callbacks reborrow it.
    cx: *mut JSContext,
    document: DomRoot<Document>,
    line: Cell<u64>,
    /// For fragment parsing (`innerHTML`): the detached node standing in for the document, and
    /// scripts are marked already started (they never run).
    fragment_root: Option<DomRoot<Node>>,
}

impl DomSink {
    #[allow(clippy::mut_from_ref)]
    fn cx(&self) -> &mut JSContext {
        // SAFETY: the context outlives the parse, and no other borrow of it is live while
        // html5ever calls into the sink (parse_html holds it exclusively).
        unsafe { &mut *self.cx }
    }

    fn append_text(&self, parent: &Node, text: &str) {
        // Merge with a preceding Text node, as the parser's insertion algorithm does.
        if let Some(last) = parent.child_at(parent.child_count().wrapping_sub(1)) {
            if let Some(data) = last.downcast::<Text>() {
                data.upcast::<CharacterData>().append(text);
                return;
            }
        }
        let node = Text::new(self.cx(), &self.document, text.to_string());
        parent.append_child_node(self.cx(), node.upcast::<Node>());
    }

    fn insert_before(&self, sibling: &Node, child: NodeOrText<DomRoot<Node>>) {
        let Some(parent) = sibling.parent_node() else {
            return;
        };
        match child {
            NodeOrText::AppendNode(node) => parent.insert(self.cx(), &node, Some(sibling)),
            NodeOrText::AppendText(text) => {
                let node = Text::new(self.cx(), &self.document, text.to_string());
                parent.insert(self.cx(), node.upcast::<Node>(), Some(sibling));
            }
        }
    }
}

impl TreeSink for DomSink {
    type Handle = DomRoot<Node>;
    type Output = ();
    type ElemName<'a> = OwnedElemName;

    fn finish(self) {}

    fn parse_error(&self, msg: Cow<'static, str>) {
        log::debug!(target: "bgsync::parser", "line {}: {msg}", self.line.get());
    }

    fn get_document(&self) -> DomRoot<Node> {
        match &self.fragment_root {
            Some(root) => root.clone(),
            None => DomRoot::upcast(self.document.clone()),
        }
    }

    fn elem_name(&self, target: &DomRoot<Node>) -> OwnedElemName {
        let element = target.downcast::<Element>();
        let (ns, local) = match element {
            Some(e) => {
                let ns = if e.is_html() {
                    ns!(html)
                } else {
                    Namespace::from(e.namespace_uri().unwrap_or_default())
                };
                (ns, LocalName::from(e.local_name()))
            }
            None => (ns!(), LocalName::from("")),
        };
        OwnedElemName { ns, local }
    }

    fn create_element(
        &self,
        name: QualName,
        attrs: Vec<Attribute>,
        _flags: ElementFlags,
    ) -> DomRoot<Node> {
        let cx = self.cx();
        let element: DomRoot<Element> = if name.ns == ns!(html) {
            self.document
                .create_element(cx, &name.local, true, self.line.get() as u32)
        } else {
            let prefix = name.prefix.as_ref().map(|p| p.to_string());
            let element = Element::new_inherited(
                &self.document,
                name.local.to_string(),
                Some(name.ns.to_string()),
                prefix,
            );
            ElementBinding::Wrap(cx, self.document.global(), None, Box::new(element))
        };
        for attr in attrs {
            let attr_name = match &attr.name.prefix {
                Some(prefix) => format!("{prefix}:{}", attr.name.local),
                None => attr.name.local.to_string(),
            };
            element.set_attribute(&attr_name, attr.value.to_string());
        }
        DomRoot::upcast(element)
    }

    fn create_comment(&self, text: StrTendril) -> DomRoot<Node> {
        DomRoot::upcast(Comment::new(
            self.cx(),
            &self.document,
            None,
            text.to_string(),
        ))
    }

    fn create_pi(&self, _target: StrTendril, data: StrTendril) -> DomRoot<Node> {
        // Processing instructions only exist in XML; the HTML parser never makes one.
        self.create_comment(data)
    }

    fn append(&self, parent: &DomRoot<Node>, child: NodeOrText<DomRoot<Node>>) {
        match child {
            NodeOrText::AppendNode(node) => parent.append_child_node(self.cx(), &node),
            NodeOrText::AppendText(text) => self.append_text(parent, &text),
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &DomRoot<Node>,
        prev_element: &DomRoot<Node>,
        child: NodeOrText<DomRoot<Node>>,
    ) {
        if element.parent_node().is_some() {
            self.insert_before(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        let doctype = DocumentType::new(
            self.cx(),
            &self.document,
            name.to_string(),
            public_id.to_string(),
            system_id.to_string(),
        );
        self.document
            .upcast::<Node>()
            .append_child_node(self.cx(), doctype.upcast::<Node>());
    }

    fn mark_script_already_started(&self, _node: &DomRoot<Node>) {}

    fn get_template_contents(&self, target: &DomRoot<Node>) -> DomRoot<Node> {
        target.clone()
    }

    fn same_node(&self, x: &DomRoot<Node>, y: &DomRoot<Node>) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.document.set_quirks_mode(mode == QuirksMode::Quirks);
    }

    fn append_before_sibling(&self, sibling: &DomRoot<Node>, new_node: NodeOrText<DomRoot<Node>>) {
        self.insert_before(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &DomRoot<Node>, attrs: Vec<Attribute>) {
        if let Some(element) = target.downcast::<Element>() {
            for attr in attrs {
                let name = attr.name.local.to_string();
                if !element.has_attribute(&name) {
                    element.set_attribute(&name, attr.value.to_string());
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &DomRoot<Node>) {
        target.remove_self();
    }

    fn reparent_children(&self, node: &DomRoot<Node>, new_parent: &DomRoot<Node>) {
        for child in node.children() {
            new_parent.append_child_node(self.cx(), &child);
        }
    }

    fn set_current_line(&self, line_number: u64) {
        self.line.set(line_number);
    }
}

/// Parses `html` into `document`, running each parser-inserted script when its end tag is
/// reached.
pub fn parse_html(cx: &mut JSContext, document: &Document, html: &str) {
    let sink = DomSink {
        cx: cx as *mut JSContext,
        document: DomRoot::from_ref(document),
        line: Cell::new(1),
        fragment_root: None,
    };
    let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
    let tokenizer = Tokenizer::new(builder, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    loop {
        match tokenizer.feed(&input) {
            TokenizerResult::Done => break,
            // We decode as UTF-8 up front; a <meta charset> change is not acted on.
            TokenizerResult::EncodingIndicator(_) => {}
            TokenizerResult::Script(node) => {
                if let Some(script) = node.downcast::<HTMLScriptElement>() {
                    // SAFETY: the sink's raw context pointer is not in use between feeds.
                    script.parser_finished(unsafe { &mut *tokenizer.sink.sink.cx });
                }
            }
        }
    }
    tokenizer.end();
}

/// https://html.spec.whatwg.org/#html-fragment-parsing-algorithm: the nodes `html` parses to
/// in the context of `context`, detached (scripts among them will never run).
pub fn parse_fragment(cx: &mut JSContext, context: &Element, html: &str) -> Vec<DomRoot<Node>> {
    let Some(document) = context.upcast::<Node>().owner_doc() else {
        return Vec::new();
    };
    let container: DomRoot<Node> = DomRoot::upcast(crate::dom::htmlelement::HTMLElement::new(
        cx,
        &document,
        "html".into(),
    ));
    let sink = DomSink {
        cx: cx as *mut JSContext,
        document,
        line: Cell::new(1),
        fragment_root: Some(container.clone()),
    };
    let context: DomRoot<Node> = DomRoot::upcast(DomRoot::from_ref(context));
    let builder = TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
    let initial_state = builder.tokenizer_state_for_context_elem(true);
    let tokenizer = Tokenizer::new(
        builder,
        TokenizerOpts {
            initial_state: Some(initial_state),
            ..TokenizerOpts::default()
        },
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let root = container.child_at(0);
    let nodes = root.as_ref().map(|r| r.children()).unwrap_or_default();
    for node in &nodes {
        node.remove_self();
    }
    nodes
}

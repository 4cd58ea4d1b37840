//! Node (https://dom.spec.whatwg.org/#interface-node): the tree, its mutation algorithms and
//! the tree-walking helpers the rest of the DOM uses.

use std::cell::RefCell;

use crate::dom::characterdata::CharacterData;
use crate::dom::document::Document;
use crate::dom::documentfragment::DocumentFragment;
use crate::dom::documenttype::DocumentType;
use crate::dom::element::Element;
use crate::dom::eventtarget::EventTarget;
use crate::dom::htmlcollection::{CollectionFilter, HTMLCollection};
use crate::dom::htmliframeelement::HTMLIFrameElement;
use crate::dom::htmlscriptelement::HTMLScriptElement;
use crate::dom::nodelist::NodeList;
use crate::dom::prelude::*;
use crate::dom::text::Text;

#[derive(Trace)]
#[repr(C)]
pub struct Node {
    eventtarget: EventTarget,
    parent: MutNullableDom<Node>,
    children: RefCell<Vec<Dom<Node>>>,
    owner_document: MutNullableDom<Document>,
    child_list: MutNullableDom<NodeList>,
    children_collection: MutNullableDom<HTMLCollection>,
}

impl Node {
    pub fn new_inherited(document: Option<&Document>) -> Node {
        Node {
            eventtarget: EventTarget::new_inherited(),
            parent: MutNullableDom::default(),
            children: RefCell::new(Vec::new()),
            owner_document: MutNullableDom::new(document),
            child_list: MutNullableDom::default(),
            children_collection: MutNullableDom::default(),
        }
    }

    pub fn parent_node(&self) -> Option<DomRoot<Node>> {
        self.parent.get()
    }

    pub fn children(&self) -> Vec<DomRoot<Node>> {
        self.children.borrow().iter().map(|c| c.root()).collect()
    }

    pub fn child_count(&self) -> usize {
        self.children.borrow().len()
    }

    pub fn child_at(&self, index: usize) -> Option<DomRoot<Node>> {
        self.children.borrow().get(index).map(|c| c.root())
    }

    fn index_in_parent(&self) -> Option<usize> {
        let parent = self.parent.get()?;
        let children = parent.children.borrow();
        children.iter().position(|c| std::ptr::eq(&**c, self))
    }

    pub fn owner_doc(&self) -> Option<DomRoot<Document>> {
        match self.downcast::<Document>() {
            Some(document) => Some(DomRoot::from_ref(document)),
            None => self.owner_document.get(),
        }
    }

    /// The root of the tree this node is in.
    pub fn root(&self) -> DomRoot<Node> {
        let mut node = DomRoot::from_ref(self);
        while let Some(parent) = node.parent.get() {
            node = parent;
        }
        node
    }

    pub fn is_connected(&self) -> bool {
        self.root().is::<Document>()
    }

    /// This node and its descendants, in tree order.
    pub fn inclusive_descendants(&self) -> Vec<DomRoot<Node>> {
        let mut out = Vec::new();
        let mut stack = vec![DomRoot::from_ref(self)];
        while let Some(node) = stack.pop() {
            let children = node.children();
            out.push(node);
            stack.extend(children.into_iter().rev());
        }
        out
    }

    /// Descendant elements in tree order.
    pub fn descendant_elements(&self) -> Vec<DomRoot<Element>> {
        self.inclusive_descendants()
            .into_iter()
            .skip(1)
            .filter_map(|n| n.downcast::<Element>().map(DomRoot::from_ref))
            .collect()
    }

    /// The `index`th element child, without rooting the others.
    pub fn nth_child_element(&self, index: usize) -> Option<DomRoot<Element>> {
        self.children
            .borrow()
            .iter()
            .filter_map(|c| c.downcast::<Element>())
            .nth(index)
            .map(DomRoot::from_ref)
    }

    pub fn child_element_count(&self) -> usize {
        self.children
            .borrow()
            .iter()
            .filter(|c| c.is::<Element>())
            .count()
    }

    pub fn child_elements(&self) -> Vec<DomRoot<Element>> {
        self.children()
            .into_iter()
            .filter_map(|n| n.downcast::<Element>().map(DomRoot::from_ref))
            .collect()
    }

    fn is_inclusive_ancestor_of(&self, other: &Node) -> bool {
        let mut current = Some(DomRoot::from_ref(other));
        while let Some(node) = current {
            if std::ptr::eq(&*node, self) {
                return true;
            }
            current = node.parent.get();
        }
        false
    }

    /// The concatenated data of descendant Text nodes.
    pub fn descendant_text_content(&self) -> String {
        let mut out = String::new();
        for node in self.inclusive_descendants() {
            if let Some(text) = node.downcast::<Text>() {
                out.push_str(&text.upcast::<CharacterData>().data());
            }
        }
        out
    }

    /// https://dom.spec.whatwg.org/#concept-node-ensure-pre-insertion-validity
    fn ensure_pre_insertion_validity(&self, node: &Node, child: Option<&Node>) -> Fallible<()> {
        // Step 1: parent must be a Document, DocumentFragment or Element.
        if !self.is::<Document>() && !self.is::<Element>() && !self.is::<DocumentFragment>() {
            return Err(Error::hierarchy_request(
                "This node type does not support this method.",
            ));
        }
        // Step 2: node must not be a host-including inclusive ancestor of parent.
        if node.is_inclusive_ancestor_of(self) {
            return Err(Error::hierarchy_request(
                "The new child element contains the parent.",
            ));
        }
        // Step 3: child, if given, must be a child of parent.
        if let Some(child) = child {
            if !child.parent.get().is_some_and(|p| std::ptr::eq(&*p, self)) {
                return Err(Error::not_found("The node before which the new node is to be inserted is not a child of this node."));
            }
        }
        // Step 4: node must be an element, text, comment or doctype (no documents).
        if node.is::<Document>() {
            return Err(Error::hierarchy_request(
                "Nodes of type '#document' may not be inserted inside nodes of type 'Node'.",
            ));
        }
        // Step 5: no text directly in a document; doctypes only in documents.
        if (node.is::<Text>() && self.is::<Document>())
            || (node.is::<DocumentType>() && !self.is::<Document>())
        {
            return Err(Error::hierarchy_request(
                "This node cannot be inserted here.",
            ));
        }
        // Step 6: a document has at most one element and one doctype; a fragment inserted
        // into it brings no text and at most one element, and none if it has one.
        if self.is::<Document>() && node.is::<DocumentFragment>() {
            let children = node.children();
            let elements = children.iter().filter(|c| c.is::<Element>()).count();
            let has_element = self.children().iter().any(|c| c.is::<Element>());
            if children.iter().any(|c| c.is::<Text>())
                || elements > 1
                || (elements == 1 && has_element)
            {
                return Err(Error::hierarchy_request(
                    "Only one element and one doctype are allowed on a Document.",
                ));
            }
        } else if self.is::<Document>() {
            let has_element = self
                .children()
                .iter()
                .any(|c| c.is::<Element>() && !std::ptr::eq(&**c, node));
            let has_doctype = self
                .children()
                .iter()
                .any(|c| c.is::<DocumentType>() && !std::ptr::eq(&**c, node));
            if (node.is::<Element>() && has_element) || (node.is::<DocumentType>() && has_doctype) {
                return Err(Error::hierarchy_request(
                    "Only one element and one doctype are allowed on a Document.",
                ));
            }
        }
        Ok(())
    }

    /// https://dom.spec.whatwg.org/#concept-node-pre-insert
    pub fn pre_insert(
        &self,
        cx: &mut JSContext,
        node: &Node,
        child: Option<&Node>,
    ) -> Fallible<DomRoot<Node>> {
        self.ensure_pre_insertion_validity(node, child)?;
        // Step 3: if child is node, use node's next sibling.
        let reference = match child {
            Some(c) if std::ptr::eq(c, node) => node.next_sibling(),
            Some(c) => Some(DomRoot::from_ref(c)),
            None => None,
        };
        self.insert(cx, node, reference.as_deref());
        Ok(DomRoot::from_ref(node))
    }

    /// https://dom.spec.whatwg.org/#concept-node-insert: a node, or a fragment's children in
    /// order (the fragment is left empty).
    pub fn insert(&self, cx: &mut JSContext, node: &Node, before: Option<&Node>) {
        if node.is::<DocumentFragment>() {
            for child in node.children() {
                node.remove_child_node(&child);
                self.insert(cx, &child, before);
            }
            return;
        }
        if let Some(old_parent) = node.parent.get() {
            old_parent.remove_child_node(node);
        }
        let document = self.owner_doc();
        for descendant in node.inclusive_descendants() {
            if !descendant.is::<Document>() {
                descendant.owner_document.set(document.as_deref());
            }
        }
        {
            let mut children = self.children.borrow_mut();
            let index = before
                .and_then(|b| children.iter().position(|c| std::ptr::eq(&**c, b)))
                .unwrap_or(children.len());
            children.insert(index, Dom::from_ref(node));
        }
        node.parent.set(Some(self));
        // Insertion steps: scripts that became connected get prepared, iframes load.
        if node.is_connected() {
            for descendant in node.inclusive_descendants() {
                if let Some(script) = descendant.downcast::<HTMLScriptElement>() {
                    script.on_connected(cx);
                } else if let Some(iframe) = descendant.downcast::<HTMLIFrameElement>() {
                    iframe.on_connected(cx);
                } else if let Some(meta) =
                    descendant.downcast::<crate::dom::htmlmetaelement::HTMLMetaElement>()
                {
                    meta.on_connected();
                }
            }
        }
    }

    /// The first element of the subtree (itself excluded) whose `id` is `id`.
    pub fn element_by_id(&self, id: &str) -> Option<DomRoot<Element>> {
        if id.is_empty() {
            return None;
        }
        self.descendant_elements()
            .into_iter()
            .find(|e| e.get_attribute("id").as_deref() == Some(id))
    }

    pub fn append_child_node(&self, cx: &mut JSContext, node: &Node) {
        self.insert(cx, node, None)
    }

    /// https://dom.spec.whatwg.org/#concept-node-remove
    pub fn remove_child_node(&self, node: &Node) {
        let was_connected = node.is_connected();
        self.children
            .borrow_mut()
            .retain(|c| !std::ptr::eq(&**c, node));
        node.parent.set(None);
        // Removal steps: a disconnected iframe's frame is discarded.
        if was_connected {
            for descendant in node.inclusive_descendants() {
                if let Some(iframe) = descendant.downcast::<HTMLIFrameElement>() {
                    iframe.on_disconnected();
                }
            }
        }
    }

    pub fn remove_self(&self) {
        if let Some(parent) = self.parent.get() {
            parent.remove_child_node(self);
        }
    }

    pub fn next_sibling(&self) -> Option<DomRoot<Node>> {
        let index = self.index_in_parent()?;
        self.parent.get()?.child_at(index + 1)
    }

    pub fn previous_sibling(&self) -> Option<DomRoot<Node>> {
        let index = self.index_in_parent()?;
        if index == 0 {
            return None;
        }
        self.parent.get()?.child_at(index - 1)
    }

    /// Replaces all children with a Text node holding `text` (none if empty).
    pub fn replace_all_with_text(&self, cx: &mut JSContext, text: &str) {
        for child in self.children() {
            self.remove_child_node(&child);
        }
        if !text.is_empty() {
            if let Some(document) = self.owner_doc() {
                let node = Text::new(cx, &document, text.to_string());
                self.append_child_node(cx, node.upcast::<Node>());
            }
        }
    }
}

impl NodeMethods for Node {
    /// <https://dom.spec.whatwg.org/#dom-node-nodetype>
    fn NodeType(&self, _cx: &mut JSContext) -> u16 {
        if self.is::<Element>() {
            1
        } else if self.is::<Text>() {
            3
        } else if self.is::<crate::dom::comment::Comment>() {
            8
        } else if self.is::<Document>() {
            9
        } else if self.is::<DocumentType>() {
            10
        } else if self.is::<DocumentFragment>() {
            11
        } else {
            0
        }
    }
    /// <https://dom.spec.whatwg.org/#dom-node-nodename>
    fn NodeName(&self, _cx: &mut JSContext) -> DOMString {
        if let Some(element) = self.downcast::<Element>() {
            element.tag_name()
        } else if self.is::<Text>() {
            "#text".into()
        } else if self.is::<crate::dom::comment::Comment>() {
            "#comment".into()
        } else if self.is::<Document>() {
            "#document".into()
        } else if let Some(doctype) = self.downcast::<DocumentType>() {
            doctype.name()
        } else if self.is::<DocumentFragment>() {
            "#document-fragment".into()
        } else {
            String::new()
        }
    }
    fn BaseURI(&self, _cx: &mut JSContext) -> DOMString {
        self.global().url().to_string()
    }
    fn IsConnected(&self, _cx: &mut JSContext) -> bool {
        self.is_connected()
    }
    fn OwnerDocument(&self, _cx: &mut JSContext) -> Option<DomRoot<Document>> {
        if self.is::<Document>() {
            None
        } else {
            self.owner_document.get()
        }
    }
    fn ParentNode(&self, _cx: &mut JSContext) -> Option<DomRoot<Node>> {
        self.parent.get()
    }
    fn ParentElement(&self, _cx: &mut JSContext) -> Option<DomRoot<Element>> {
        self.parent
            .get()
            .and_then(|p| p.downcast::<Element>().map(DomRoot::from_ref))
    }
    fn HasChildNodes(&self, _cx: &mut JSContext) -> bool {
        self.child_count() > 0
    }
    fn ChildNodes(&self, cx: &mut JSContext) -> DomRoot<NodeList> {
        self.child_list
            .or_init(|| NodeList::new_children(cx, self.global(), self))
    }
    fn FirstChild(&self, _cx: &mut JSContext) -> Option<DomRoot<Node>> {
        self.child_at(0)
    }
    fn LastChild(&self, _cx: &mut JSContext) -> Option<DomRoot<Node>> {
        self.children.borrow().last().map(|c| c.root())
    }
    fn PreviousSibling(&self, _cx: &mut JSContext) -> Option<DomRoot<Node>> {
        self.previous_sibling()
    }
    fn NextSibling(&self, _cx: &mut JSContext) -> Option<DomRoot<Node>> {
        self.next_sibling()
    }
    fn NodeValue(&self, _cx: &mut JSContext) -> Option<DOMString> {
        self.downcast::<CharacterData>().map(|c| c.data())
    }
    fn SetNodeValue(&self, _cx: &mut JSContext, value: Option<DOMString>) {
        if let Some(data) = self.downcast::<CharacterData>() {
            data.set_data(value.unwrap_or_default());
        }
    }
    /// <https://dom.spec.whatwg.org/#dom-node-textcontent>
    fn TextContent(&self, _cx: &mut JSContext) -> Option<DOMString> {
        if let Some(data) = self.downcast::<CharacterData>() {
            Some(data.data())
        } else if self.is::<Element>() || self.is::<DocumentFragment>() {
            Some(self.descendant_text_content())
        } else {
            None
        }
    }
    fn SetTextContent(&self, cx: &mut JSContext, value: Option<DOMString>) {
        let value = value.unwrap_or_default();
        if let Some(data) = self.downcast::<CharacterData>() {
            data.set_data(value);
        } else if self.is::<Element>() || self.is::<DocumentFragment>() {
            self.replace_all_with_text(cx, &value);
        }
    }
    fn Contains(&self, _cx: &mut JSContext, other: Option<&Node>) -> bool {
        other.is_some_and(|o| self.is_inclusive_ancestor_of(o))
    }
    /// <https://dom.spec.whatwg.org/#dom-node-insertbefore>
    fn InsertBefore(
        &self,
        cx: &mut JSContext,
        node: &Node,
        child: Option<&Node>,
    ) -> Fallible<DomRoot<Node>> {
        self.pre_insert(cx, node, child)
    }
    /// <https://dom.spec.whatwg.org/#dom-node-appendchild>
    fn AppendChild(&self, cx: &mut JSContext, node: &Node) -> Fallible<DomRoot<Node>> {
        self.pre_insert(cx, node, None)
    }
    /// <https://dom.spec.whatwg.org/#concept-node-replace>
    fn ReplaceChild(
        &self,
        cx: &mut JSContext,
        node: &Node,
        child: &Node,
    ) -> Fallible<DomRoot<Node>> {
        if !child.parent.get().is_some_and(|p| std::ptr::eq(&*p, self)) {
            return Err(Error::not_found(
                "The node to be replaced is not a child of this node.",
            ));
        }
        if std::ptr::eq(node, child) {
            return Ok(DomRoot::from_ref(child));
        }
        let reference = child.next_sibling();
        let reference = match reference {
            Some(r) if std::ptr::eq(&*r, node) => node.next_sibling(),
            other => other,
        };
        self.remove_child_node(child);
        if let Err(e) = self.ensure_pre_insertion_validity(node, reference.as_deref()) {
            // Put the child back where it was; nothing changed.
            self.insert(cx, child, reference.as_deref());
            return Err(e);
        }
        self.insert(cx, node, reference.as_deref());
        Ok(DomRoot::from_ref(child))
    }
    /// <https://dom.spec.whatwg.org/#concept-node-pre-remove>
    fn RemoveChild(&self, _cx: &mut JSContext, child: &Node) -> Fallible<DomRoot<Node>> {
        if !child.parent.get().is_some_and(|p| std::ptr::eq(&*p, self)) {
            return Err(Error::not_found(
                "The node to be removed is not a child of this node.",
            ));
        }
        self.remove_child_node(child);
        Ok(DomRoot::from_ref(child))
    }
}

/// https://dom.spec.whatwg.org/#scope-match-a-selectors-string: descendant elements of
/// `node` matching `selectors`, in tree order (the first only, if `first`).
pub fn query_selector(
    node: &Node,
    selectors: &str,
    first: bool,
) -> Fallible<Vec<DomRoot<Element>>> {
    let list = crate::dom::selectors::parse(selectors)
        .map_err(|_| Error::syntax(format!("'{selectors}' is not a valid selector.")))?;
    let mut out = Vec::new();
    for element in node.descendant_elements() {
        if list.matches(&element) {
            out.push(element);
            if first {
                break;
            }
        }
    }
    Ok(out)
}

/// `querySelectorAll`'s static NodeList.
pub fn query_selector_all(
    cx: &mut JSContext,
    node: &Node,
    selectors: &str,
) -> Fallible<DomRoot<NodeList>> {
    let nodes: Vec<DomRoot<Node>> = query_selector(node, selectors, false)?
        .into_iter()
        .map(DomRoot::upcast)
        .collect();
    Ok(NodeList::new_static(cx, node.global(), &nodes))
}

/// The ParentNode mixin's members, for Document and Element.
pub fn parent_children(cx: &mut JSContext, node: &Node) -> DomRoot<HTMLCollection> {
    node.children_collection
        .or_init(|| HTMLCollection::new(cx, node.global(), node, CollectionFilter::Children))
}

/// The nodes of a `(Node or DOMString)...` argument
/// (https://dom.spec.whatwg.org/#converting-nodes-into-a-node, without the fragment): each
/// string a new Text node of `node`'s document.
fn nodes_from(cx: &mut JSContext, node: &Node, nodes: Vec<NodeOrString>) -> Vec<DomRoot<Node>> {
    let document = match node.downcast::<Document>() {
        Some(document) => Some(DomRoot::from_ref(document)),
        None => node.owner_doc(),
    };
    nodes
        .into_iter()
        .filter_map(|item| match item {
            NodeOrString::Node(node) => Some(node),
            NodeOrString::String(text) => document
                .as_deref()
                .map(|document| DomRoot::upcast(Text::new(cx, document, text))),
        })
        .collect()
}

/// Whether `node` is one of `nodes`.
fn listed(nodes: &[DomRoot<Node>], node: &Node) -> bool {
    nodes.iter().any(|listed| std::ptr::eq(&**listed, node))
}

/// The first of `start` and its following siblings that is not one of `nodes`: where an
/// insertion goes once `nodes` have left their places.
fn first_unlisted(start: Option<DomRoot<Node>>, nodes: &[DomRoot<Node>]) -> Option<DomRoot<Node>> {
    let mut next = start;
    while let Some(node) = next {
        if !listed(nodes, &node) {
            return Some(node);
        }
        next = node.next_sibling();
    }
    None
}

/// The nearest preceding sibling of `node` that is not one of `nodes`.
fn last_unlisted_before(node: &Node, nodes: &[DomRoot<Node>]) -> Option<DomRoot<Node>> {
    let mut previous = node.previous_sibling();
    while let Some(node) = previous {
        if !listed(nodes, &node) {
            return Some(node);
        }
        previous = node.previous_sibling();
    }
    None
}

impl Node {
    /// The checks of the pre-insertion of `nodes`' fragment before `before` (a child that is
    /// not one of them): several nodes leave their parents first (into the fragment), then
    /// every node must be insertable, and a Document takes one element and one doctype.
    fn check_insertion(&self, nodes: &[DomRoot<Node>], before: Option<&Node>) -> Fallible<()> {
        if nodes.len() > 1 {
            for node in nodes {
                node.remove_self();
            }
        }
        for node in nodes {
            self.ensure_pre_insertion_validity(node, before)?;
        }
        if self.is::<Document>() {
            let count = |is: fn(&Node) -> bool| nodes.iter().filter(|node| is(node)).count();
            if count(|node| node.is::<Element>()) > 1 || count(|node| node.is::<DocumentType>()) > 1
            {
                return Err(Error::hierarchy_request(
                    "Only one element and one doctype are allowed on a Document.",
                ));
            }
        }
        Ok(())
    }

    /// Inserts `nodes` before `before` in order once [`Self::check_insertion`] passed: every
    /// check passes or nothing is inserted.
    fn insert_all(
        &self,
        cx: &mut JSContext,
        nodes: &[DomRoot<Node>],
        before: Option<&Node>,
    ) -> Fallible<()> {
        self.check_insertion(nodes, before)?;
        for node in nodes {
            self.insert(cx, node, before);
        }
        Ok(())
    }

    /// <https://dom.spec.whatwg.org/#dom-parentnode-prepend>
    pub fn prepend(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let nodes = nodes_from(cx, self, nodes);
        let before = first_unlisted(self.child_at(0), &nodes);
        self.insert_all(cx, &nodes, before.as_deref())
    }

    /// <https://dom.spec.whatwg.org/#dom-parentnode-append>
    pub fn append(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let nodes = nodes_from(cx, self, nodes);
        self.insert_all(cx, &nodes, None)
    }

    /// <https://dom.spec.whatwg.org/#dom-parentnode-replacechildren>: checked as an insertion
    /// into the node as it is (so a Document with an element refuses another), then every
    /// child goes and the nodes come in.
    pub fn replace_children(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let nodes = nodes_from(cx, self, nodes);
        self.check_insertion(&nodes, None)?;
        for child in self.children() {
            self.remove_child_node(&child);
        }
        for node in &nodes {
            self.insert(cx, node, None);
        }
        Ok(())
    }

    /// <https://dom.spec.whatwg.org/#dom-childnode-before>
    pub fn before(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let Some(parent) = self.parent_node() else {
            return Ok(());
        };
        let nodes = nodes_from(cx, self, nodes);
        let start = match last_unlisted_before(self, &nodes) {
            Some(previous) => previous.next_sibling(),
            None => parent.child_at(0),
        };
        let before = first_unlisted(start, &nodes);
        parent.insert_all(cx, &nodes, before.as_deref())
    }

    /// <https://dom.spec.whatwg.org/#dom-childnode-after>
    pub fn after(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let Some(parent) = self.parent_node() else {
            return Ok(());
        };
        let nodes = nodes_from(cx, self, nodes);
        let before = first_unlisted(self.next_sibling(), &nodes);
        parent.insert_all(cx, &nodes, before.as_deref())
    }

    /// <https://dom.spec.whatwg.org/#dom-childnode-replacewith>
    pub fn replace_with(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
        let Some(parent) = self.parent_node() else {
            return Ok(());
        };
        let nodes = nodes_from(cx, self, nodes);
        let before = first_unlisted(self.next_sibling(), &nodes);
        if listed(&nodes, self) {
            return parent.insert_all(cx, &nodes, before.as_deref());
        }
        // Checked as if this node were gone already (a document's element may be replaced by
        // another): it comes back if a check fails.
        parent.remove_child_node(self);
        let inserted = parent.insert_all(cx, &nodes, before.as_deref());
        if inserted.is_err() {
            parent.insert(cx, self, before.as_deref());
        }
        inserted
    }
}

/// The ParentNode methods (https://dom.spec.whatwg.org/#interface-parentnode), for the impl
/// block of a type that upcasts to Node (Document, DocumentFragment, Element).
#[macro_export]
macro_rules! parent_node_methods {
    () => {
        fn Children(
            &self,
            cx: &mut JSContext,
        ) -> DomRoot<$crate::dom::htmlcollection::HTMLCollection> {
            $crate::dom::node::parent_children(cx, self.upcast::<$crate::dom::node::Node>())
        }
        fn FirstElementChild(
            &self,
            _cx: &mut JSContext,
        ) -> Option<DomRoot<$crate::dom::element::Element>> {
            self.upcast::<$crate::dom::node::Node>()
                .child_elements()
                .into_iter()
                .next()
        }
        fn LastElementChild(
            &self,
            _cx: &mut JSContext,
        ) -> Option<DomRoot<$crate::dom::element::Element>> {
            self.upcast::<$crate::dom::node::Node>()
                .child_elements()
                .pop()
        }
        fn ChildElementCount(&self, _cx: &mut JSContext) -> u32 {
            self.upcast::<$crate::dom::node::Node>()
                .child_element_count() as u32
        }
        fn QuerySelector(
            &self,
            _cx: &mut JSContext,
            selectors: DOMString,
        ) -> Fallible<Option<DomRoot<$crate::dom::element::Element>>> {
            let node = self.upcast::<$crate::dom::node::Node>();
            Ok($crate::dom::node::query_selector(node, &selectors, true)?
                .into_iter()
                .next())
        }
        fn QuerySelectorAll(
            &self,
            cx: &mut JSContext,
            selectors: DOMString,
        ) -> Fallible<DomRoot<$crate::dom::nodelist::NodeList>> {
            let node = self.upcast::<$crate::dom::node::Node>();
            $crate::dom::node::query_selector_all(cx, node, &selectors)
        }
        fn Prepend(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>().prepend(cx, nodes)
        }
        fn Append(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>().append(cx, nodes)
        }
        fn ReplaceChildren(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>()
                .replace_children(cx, nodes)
        }
    };
}

/// The ChildNode mutation methods (`before`, `after`, `replaceWith`), for the impl block of a
/// type that upcasts to Node.
#[macro_export]
macro_rules! child_node_mutation_methods {
    () => {
        fn Before(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>().before(cx, nodes)
        }
        fn After(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>().after(cx, nodes)
        }
        fn ReplaceWith(&self, cx: &mut JSContext, nodes: Vec<NodeOrString>) -> Fallible<()> {
            self.upcast::<$crate::dom::node::Node>()
                .replace_with(cx, nodes)
        }
    };
}

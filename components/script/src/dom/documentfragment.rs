//! DocumentFragment (https://dom.spec.whatwg.org/#interface-documentfragment): a parent of
//! nodes that belongs to no tree; inserting it inserts its children instead.

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::text::window_document;

#[derive(Trace)]
#[repr(C)]
pub struct DocumentFragment {
    node: Node,
}

impl DocumentFragment {
    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<DocumentFragment> {
        DocumentFragmentBinding::Wrap(
            cx,
            document.global(),
            proto,
            Box::new(DocumentFragment {
                node: Node::new_inherited(Some(document)),
            }),
        )
    }
}

impl DocumentFragmentMethods for DocumentFragment {
    /// <https://dom.spec.whatwg.org/#dom-documentfragment-documentfragment>: a fragment of
    /// the current global's document.
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> Fallible<DomRoot<DocumentFragment>> {
        let document = window_document(global)?;
        Ok(DocumentFragment::new(cx, &document, proto))
    }
    /// <https://dom.spec.whatwg.org/#dom-nonelementparentnode-getelementbyid>
    fn GetElementById(
        &self,
        _cx: &mut JSContext,
        element_id: DOMString,
    ) -> Option<DomRoot<Element>> {
        self.node.element_by_id(&element_id)
    }
    crate::parent_node_methods!();
}

//! DocumentType (https://dom.spec.whatwg.org/#interface-documenttype).

use crate::dom::document::Document;
use crate::dom::node::Node;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct DocumentType {
    node: Node,
    name: String,
    public_id: String,
    system_id: String,
}

impl DocumentType {
    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        name: String,
        public_id: String,
        system_id: String,
    ) -> DomRoot<DocumentType> {
        DocumentTypeBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(DocumentType {
                node: Node::new_inherited(Some(document)),
                name,
                public_id,
                system_id,
            }),
        )
    }
    pub fn name(&self) -> String {
        self.name.clone()
    }
}

impl DocumentTypeMethods for DocumentType {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }
    fn PublicId(&self, _cx: &mut JSContext) -> DOMString {
        self.public_id.clone()
    }
    fn SystemId(&self, _cx: &mut JSContext) -> DOMString {
        self.system_id.clone()
    }
    fn Remove(&self, _cx: &mut JSContext) {
        self.node.remove_self();
    }
    crate::child_node_mutation_methods!();
}

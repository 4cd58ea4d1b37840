//! CharacterData (https://dom.spec.whatwg.org/#interface-characterdata).

use std::cell::RefCell;

use crate::dom::document::Document;
use crate::dom::node::Node;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct CharacterData {
    node: Node,
    data: RefCell<String>,
}

impl CharacterData {
    pub fn new_inherited(document: &Document, data: String) -> CharacterData {
        CharacterData {
            node: Node::new_inherited(Some(document)),
            data: RefCell::new(data),
        }
    }
    pub fn data(&self) -> String {
        self.data.borrow().clone()
    }
    pub fn set_data(&self, data: String) {
        *self.data.borrow_mut() = data;
    }
    pub fn append(&self, data: &str) {
        self.data.borrow_mut().push_str(data);
    }
}

impl CharacterDataMethods for CharacterData {
    fn Data(&self, _cx: &mut JSContext) -> DOMString {
        self.data()
    }
    fn SetData(&self, _cx: &mut JSContext, value: DOMString) {
        self.set_data(value);
    }
    /// Length in UTF-16 code units, as JS sees strings.
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.data.borrow().encode_utf16().count() as u32
    }
    fn AppendData(&self, _cx: &mut JSContext, data: DOMString) {
        self.append(&data);
    }
    fn Remove(&self, _cx: &mut JSContext) {
        self.node.remove_self();
    }
    crate::child_node_mutation_methods!();
}

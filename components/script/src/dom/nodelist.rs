//! NodeList (https://dom.spec.whatwg.org/#interface-nodelist): the live list of a node's
//! children, or a fixed list (`querySelectorAll`).

use crate::dom::node::Node;
use crate::dom::prelude::*;

/// What a NodeList lists.
#[derive(Trace)]
enum NodeListSource {
    /// A node's children, live (`childNodes`).
    Children(Dom<Node>),
    /// A fixed list (`querySelectorAll`).
    Static(Vec<Dom<Node>>),
}

#[derive(Trace)]
#[repr(C)]
pub struct NodeList {
    reflector: Reflector,
    source: NodeListSource,
}

impl NodeList {
    fn new(cx: &mut JSContext, global: &GlobalScope, source: NodeListSource) -> DomRoot<NodeList> {
        NodeListBinding::Wrap(
            cx,
            global,
            None,
            Box::new(NodeList {
                reflector: Reflector::new(),
                source,
            }),
        )
    }

    pub fn new_children(
        cx: &mut JSContext,
        global: &GlobalScope,
        parent: &Node,
    ) -> DomRoot<NodeList> {
        Self::new(cx, global, NodeListSource::Children(Dom::from_ref(parent)))
    }

    pub fn new_static(
        cx: &mut JSContext,
        global: &GlobalScope,
        nodes: &[DomRoot<Node>],
    ) -> DomRoot<NodeList> {
        let nodes = nodes.iter().map(|n| Dom::from_ref(&**n)).collect();
        Self::new(cx, global, NodeListSource::Static(nodes))
    }

    fn item(&self, index: u32) -> Option<DomRoot<Node>> {
        match &self.source {
            NodeListSource::Children(parent) => parent.child_at(index as usize),
            NodeListSource::Static(nodes) => nodes.get(index as usize).map(|n| n.root()),
        }
    }

    fn length(&self) -> u32 {
        match &self.source {
            NodeListSource::Children(parent) => parent.child_count() as u32,
            NodeListSource::Static(nodes) => nodes.len() as u32,
        }
    }
}

impl NodeListMethods for NodeList {
    fn Item(&self, _cx: &mut JSContext, index: u32) -> Option<DomRoot<Node>> {
        self.item(index)
    }
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.length()
    }
    fn IndexedGetter(&self, _cx: &mut JSContext, index: u32) -> Option<Option<DomRoot<Node>>> {
        self.item(index).map(Some)
    }
    fn IndexedLength(&self) -> u32 {
        self.length()
    }
}

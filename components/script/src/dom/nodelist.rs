//! NodeList (https://dom.spec.whatwg.org/#interface-nodelist): the live list of a node's
//! children.

use mozjs::jsapi::JSTracer;

use crate::dom::bindings::prelude::*;
use crate::dom::node::Node;

#[repr(C)]
pub struct NodeList {
    reflector: Reflector,
    parent: Dom<Node>,
}

impl NodeList {
    pub fn new_children(
        cx: &mut JSContext,
        global: &GlobalScope,
        parent: &Node,
    ) -> DomRoot<NodeList> {
        NodeListBinding::Wrap(
            cx,
            global,
            None,
            Box::new(NodeList {
                reflector: Reflector::new(),
                parent: Dom::from_ref(parent),
            }),
        )
    }
}

impl NodeListMethods for NodeList {
    fn Item(&self, _cx: &mut JSContext, index: u32) -> Fallible<Option<DomRoot<Node>>> {
        Ok(self.parent.child_at(index as usize))
    }
    fn Length(&self, _cx: &mut JSContext) -> Fallible<u32> {
        Ok(self.parent.child_count() as u32)
    }
    fn IndexedGetter(&self, _cx: &mut JSContext, index: u32) -> Option<Option<DomRoot<Node>>> {
        self.parent.child_at(index as usize).map(Some)
    }
    fn IndexedLength(&self) -> u32 {
        self.parent.child_count() as u32
    }
}

// SAFETY: traces the parent.
unsafe impl Trace for NodeList {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.parent.trace(trc);
    }
}

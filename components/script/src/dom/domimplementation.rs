//! DOMImplementation (https://dom.spec.whatwg.org/#interface-domimplementation).

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct DOMImplementation {
    reflector: Reflector,
}

impl DOMImplementation {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<DOMImplementation> {
        DOMImplementationBinding::Wrap(
            cx,
            global,
            None,
            Box::new(DOMImplementation {
                reflector: Reflector::new(),
            }),
        )
    }
}

impl DOMImplementationMethods for DOMImplementation {
    /// <https://dom.spec.whatwg.org/#dom-domimplementation-hasfeature>
    fn HasFeature(&self, _cx: &mut JSContext) -> bool {
        true
    }
}

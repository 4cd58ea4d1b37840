//! DOMStringList (https://html.spec.whatwg.org/multipage/common-dom-interfaces.html#domstringlist):
//! IndexedDB's lists of store and index names, a snapshot in sorted order.

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct DOMStringList {
    reflector: Reflector,
    strings: Vec<String>,
}

impl DOMStringList {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        strings: Vec<String>,
    ) -> DomRoot<DOMStringList> {
        DOMStringListBinding::Wrap(
            cx,
            global,
            None,
            Box::new(DOMStringList {
                reflector: Reflector::new(),
                strings,
            }),
        )
    }
}

impl DOMStringListMethods for DOMStringList {
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.strings.len() as u32
    }
    fn Item(&self, _cx: &mut JSContext, index: u32) -> Option<DOMString> {
        self.strings.get(index as usize).cloned()
    }
    fn Contains(&self, _cx: &mut JSContext, string: DOMString) -> bool {
        self.strings.contains(&string)
    }
    fn IndexedGetter(&self, cx: &mut JSContext, index: u32) -> Option<Option<DOMString>> {
        self.Item(cx, index).map(Some)
    }
    fn IndexedLength(&self) -> u32 {
        self.strings.len() as u32
    }
}

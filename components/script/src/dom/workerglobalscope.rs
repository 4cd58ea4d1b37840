//! WorkerGlobalScope (https://html.spec.whatwg.org/#the-workerglobalscope-common-interface):
//! what every worker global has on top of GlobalScope.

use mozjs::jsapi::JSTracer;

use crate::dom::bindings::prelude::*;

#[repr(C)]
pub struct WorkerGlobalScope {
    globalscope: GlobalScope,
}

impl WorkerGlobalScope {
    pub fn new_inherited(globalscope: GlobalScope) -> WorkerGlobalScope {
        WorkerGlobalScope { globalscope }
    }

    pub fn global_scope(&self) -> &GlobalScope {
        &self.globalscope
    }
}

impl WorkerGlobalScopeMethods for WorkerGlobalScope {
    fn Self_(&self, _cx: &mut JSContext) -> Fallible<DomRoot<WorkerGlobalScope>> {
        Ok(DomRoot::from_ref(self))
    }

    crate::window_or_worker_global_scope_methods!();
}

// SAFETY: traces its GlobalScope.
unsafe impl Trace for WorkerGlobalScope {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.globalscope.trace(trc);
    }
}

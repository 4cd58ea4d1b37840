//! ServiceWorkerGlobalScope (https://w3c.github.io/ServiceWorker/#serviceworkerglobalscope-interface):
//! the global object of a service worker, on its own thread with its own runtime.

use std::rc::Rc;

use mozjs::jsapi::JSTracer;

use crate::dom::bindings::interface::GlobalKind;
use crate::dom::bindings::prelude::*;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::workerglobalscope::WorkerGlobalScope;
use crate::event_loop::EventLoop;

#[repr(C)]
pub struct ServiceWorkerGlobalScope {
    workerglobalscope: WorkerGlobalScope,
}

impl ServiceWorkerGlobalScope {
    /// Creates the global of a service worker whose script is at `url`, in a new realm of the
    /// thread's runtime. Service workers only exist in secure contexts.
    pub fn create(
        cx: &mut JSContext,
        url: url::Url,
        event_loop: Rc<EventLoop>,
        console: Rc<dyn ConsoleSink>,
    ) -> DomRoot<ServiceWorkerGlobalScope> {
        let kind = GlobalKind {
            names: &["Worker", "ServiceWorker"],
            secure: true,
        };
        let global = Box::new(ServiceWorkerGlobalScope {
            workerglobalscope: WorkerGlobalScope::new_inherited(GlobalScope::new_inherited(
                kind, url, event_loop, console,
            )),
        });
        // SAFETY: a fresh global of ServiceWorkerGlobalScope's class.
        unsafe {
            crate::dom::bindings::interface::create_global(
                cx,
                &ServiceWorkerGlobalScopeBinding::INFO,
                global,
            )
        }
    }

    pub fn global_scope(&self) -> &GlobalScope {
        self.workerglobalscope.global_scope()
    }
}

impl ServiceWorkerGlobalScopeMethods for ServiceWorkerGlobalScope {}

// SAFETY: traces its WorkerGlobalScope.
unsafe impl Trace for ServiceWorkerGlobalScope {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.workerglobalscope.trace(trc);
    }
}

//! WorkerLocation (https://html.spec.whatwg.org/multipage/workers.html#worker-locations):
//! `self.location` in a worker, the worker's script URL.

use url::Url;

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct WorkerLocation {
    reflector: Reflector,
}

impl WorkerLocation {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<WorkerLocation> {
        WorkerLocationBinding::Wrap(
            cx,
            global,
            None,
            Box::new(WorkerLocation {
                reflector: Reflector::new(),
            }),
        )
    }

    fn url(&self) -> Url {
        self.global().url().clone()
    }
}

impl WorkerLocationMethods for WorkerLocation {
    fn Href(&self, _cx: &mut JSContext) -> DOMString {
        self.url().to_string()
    }
    crate::location_url_getters!();
}

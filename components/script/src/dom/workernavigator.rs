//! WorkerNavigator (https://html.spec.whatwg.org/multipage/workers.html#the-workernavigator-object):
//! `self.navigator` in a worker.

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct WorkerNavigator {
    reflector: Reflector,
}

impl WorkerNavigator {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<WorkerNavigator> {
        WorkerNavigatorBinding::Wrap(
            cx,
            global,
            None,
            Box::new(WorkerNavigator {
                reflector: Reflector::new(),
            }),
        )
    }
}

impl WorkerNavigatorMethods for WorkerNavigator {
    crate::navigator_id_and_online_getters!();
}

//! Performance (https://w3c.github.io/hr-time/#sec-performance): the time origin and now().

use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Performance {
    eventtarget: EventTarget,
}

impl Performance {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Performance> {
        PerformanceBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Performance {
                eventtarget: EventTarget::new_inherited(),
            }),
        )
    }
}

impl PerformanceMethods for Performance {
    /// <https://w3c.github.io/hr-time/#dom-performance-now>
    fn Now(&self, _cx: &mut JSContext) -> f64 {
        // Coarsened to 5 microseconds, as browsers do for cross-origin-isolated contexts.
        let now = self.global().now_ms();
        (now * 200.0).floor() / 200.0
    }
    fn TimeOrigin(&self, _cx: &mut JSContext) -> f64 {
        self.global().time_origin_epoch_ms()
    }
    /// <https://w3c.github.io/hr-time/#dom-performance-tojson>
    fn ToJSON(&self, cx: &mut JSContext) -> *mut JSObject {
        // SAFETY: called from a binding native in this realm.
        unsafe {
            let object = crate::dom::bindings::conversions::new_plain_object(cx);
            crate::dom::bindings::conversions::define_member(
                cx,
                &object,
                "timeOrigin",
                &self.global().time_origin_epoch_ms(),
            );
            object.get()
        }
    }
}

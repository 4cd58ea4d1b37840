//! AbortController (https://dom.spec.whatwg.org/#interface-abortcontroller).

use crate::dom::abortsignal::AbortSignal;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct AbortController {
    reflector: Reflector,
    signal: Dom<AbortSignal>,
}

impl AbortControllerMethods for AbortController {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<AbortController> {
        let signal = AbortSignal::new(cx, global);
        AbortControllerBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(AbortController {
                reflector: Reflector::new(),
                signal: Dom::from_ref(&signal),
            }),
        )
    }
    fn Signal(&self, _cx: &mut JSContext) -> DomRoot<AbortSignal> {
        self.signal.root()
    }
    /// <https://dom.spec.whatwg.org/#dom-abortcontroller-abort>
    fn Abort(&self, cx: &mut JSContext, reason: Option<HandleValue<'_>>) {
        let reason = reason.map_or(mozjs::jsval::UndefinedValue(), |reason| reason.get());
        // SAFETY: bindings call in the controller's realm.
        unsafe { self.signal.signal_abort(cx, reason) }
    }
}

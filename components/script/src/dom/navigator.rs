//! Navigator (https://html.spec.whatwg.org/#the-navigator-object).

use crate::dom::prelude::*;

/// What `navigator.userAgent` says.
pub const USER_AGENT: &str = concat!(
    "Mozilla/5.0 (X11; Linux x86_64) bgsync/",
    env!("CARGO_PKG_VERSION")
);

#[derive(Trace)]
#[repr(C)]
pub struct Navigator {
    reflector: Reflector,
}

impl Navigator {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Navigator> {
        NavigatorBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Navigator {
                reflector: Reflector::new(),
            }),
        )
    }
}

impl NavigatorMethods for Navigator {
    crate::navigator_id_and_online_getters!();
    /// <https://w3c.github.io/ServiceWorker/#navigator-service-worker> ([SameObject]).
    fn ServiceWorker(
        &self,
        cx: &mut JSContext,
    ) -> DomRoot<crate::dom::serviceworkercontainer::ServiceWorkerContainer> {
        crate::dom::serviceworkercontainer::ServiceWorkerContainer::of(cx, self.global())
    }
}

/// The NavigatorID and NavigatorOnLine members, shared by Navigator and WorkerNavigator.
#[macro_export]
macro_rules! navigator_id_and_online_getters {
    () => {
        fn AppCodeName(&self, _cx: &mut JSContext) -> DOMString {
            "Mozilla".into()
        }
        fn AppName(&self, _cx: &mut JSContext) -> DOMString {
            "Netscape".into()
        }
        fn AppVersion(&self, _cx: &mut JSContext) -> DOMString {
            $crate::dom::navigator::USER_AGENT
                .trim_start_matches("Mozilla/")
                .to_string()
        }
        fn Platform(&self, _cx: &mut JSContext) -> DOMString {
            "Linux x86_64".into()
        }
        fn Product(&self, _cx: &mut JSContext) -> DOMString {
            "Gecko".into()
        }
        fn UserAgent(&self, _cx: &mut JSContext) -> DOMString {
            $crate::dom::navigator::USER_AGENT.into()
        }
        /// <https://html.spec.whatwg.org/multipage/system-state.html#dom-navigator-online>:
        /// what the engine's network observer last reported.
        fn OnLine(&self, _cx: &mut JSContext) -> bool {
            self.global().is_online()
        }
    };
}

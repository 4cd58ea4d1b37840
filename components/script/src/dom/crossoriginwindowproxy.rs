//! CrossOriginWindowProxy: how a script sees a window of another origin
//! (https://html.spec.whatwg.org/multipage/nav-history-apis.html#crossoriginproperties-(-o-)).
//!
//! bgsync's frames share their page's thread, each in a realm of its own, and same-origin
//! windows reach each other's objects through SpiderMonkey's transparent wrappers. A window
//! of another origin is never handed out as such: `contentWindow`, `parent`, `top` and a
//! message's `source` give a CrossOriginWindowProxy of it instead, made in the accessing
//! window's realm (one per window and accessor, so the same window compares equal to itself),
//! with only the cross-origin members: `postMessage`, `window`/`self`/`frames`, `length`,
//! `top`, `parent` and `closed`.

use crate::dom::prelude::*;
use crate::dom::window::Window;

#[derive(Trace)]
#[repr(C)]
pub struct CrossOriginWindowProxy {
    reflector: Reflector,
    /// The window it stands for.
    window: Dom<Window>,
}

impl CrossOriginWindowProxy {
    /// A proxy of `window` for scripts of `accessor`, in its realm.
    pub fn new(
        cx: &mut JSContext,
        accessor: &GlobalScope,
        window: &Window,
    ) -> DomRoot<CrossOriginWindowProxy> {
        CrossOriginWindowProxyBinding::Wrap(
            cx,
            accessor,
            None,
            Box::new(CrossOriginWindowProxy {
                reflector: Reflector::new(),
                window: Dom::from_ref(window),
            }),
        )
    }

    /// The window it stands for.
    pub fn target(&self) -> DomRoot<Window> {
        self.window.root()
    }

    fn itself(&self) -> WindowOrCrossOriginWindowProxy {
        WindowOrCrossOriginWindowProxy::CrossOriginWindowProxy(DomRoot::from_ref(self))
    }
}

impl CrossOriginWindowProxyMethods for CrossOriginWindowProxy {
    fn Window(&self, _cx: &mut JSContext) -> WindowOrCrossOriginWindowProxy {
        self.itself()
    }
    fn Self_(&self, _cx: &mut JSContext) -> WindowOrCrossOriginWindowProxy {
        self.itself()
    }
    fn Frames(&self, _cx: &mut JSContext) -> WindowOrCrossOriginWindowProxy {
        self.itself()
    }
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.window.frame_count()
    }
    fn Top(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let top = self.window.top_window();
        Some(Window::proxy_for(cx, &top, self.global()))
    }
    fn Parent(&self, cx: &mut JSContext) -> Option<WindowOrCrossOriginWindowProxy> {
        let parent = self
            .window
            .parent_window()
            .unwrap_or_else(|| self.window.root());
        Some(Window::proxy_for(cx, &parent, self.global()))
    }
    fn Closed(&self, _cx: &mut JSContext) -> bool {
        self.window.global_scope().is_closed()
    }
    crate::window_post_message_overloads!(this => this.window);
}

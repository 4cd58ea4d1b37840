//! Animation frames of a window (https://html.spec.whatwg.org/multipage/imagebitmap-and-animations.html#animation-frames):
//! `requestAnimationFrame()` callbacks run together at the next frame, every 16 ms (60 Hz)
//! from the page's time origin, each given the frame's time. bgsync renders nothing, so a
//! frame is only this: the callbacks' turn. A requested frame keeps the page from going idle,
//! as a timer does (a page that animates for ever runs until its deadline, as in a browser).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mozjs::context::JSContext;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::conversions::ToJs;
use crate::dom::bindings::root::DomRoot;
use crate::dom::codegen::FrameRequestCallback;
use crate::dom::window::Window;
use crate::timers::TimerHandler;

/// How long a frame lasts.
const FRAME_MS: f64 = 1000.0 / 60.0;

/// A window's map of animation frame callbacks.
#[derive(Default)]
pub struct AnimationFrames {
    callbacks: RefCell<Vec<(u32, Rc<FrameRequestCallback>)>>,
    last_handle: Cell<u32>,
    /// A timer for the next frame is set.
    scheduled: Cell<bool>,
}

impl AnimationFrames {
    /// <https://html.spec.whatwg.org/multipage/imagebitmap-and-animations.html#dom-animationframeprovider-requestanimationframe>
    pub fn request(&self, window: &Window, callback: Rc<FrameRequestCallback>) -> u32 {
        let handle = self.last_handle.get().wrapping_add(1).max(1);
        self.last_handle.set(handle);
        self.callbacks.borrow_mut().push((handle, callback));
        if !self.scheduled.replace(true) {
            let global = window.global_scope();
            let now = global.now_ms();
            let next = ((now / FRAME_MS).floor() + 1.0) * FRAME_MS;
            let delay = (next - now).ceil().max(1.0) as i32;
            let handler = TimerHandler::AnimationFrame(DomRoot::from_ref(window));
            global.timers().schedule(handler, delay, Vec::new(), false);
        }
        handle
    }

    /// <https://html.spec.whatwg.org/multipage/imagebitmap-and-animations.html#animationframeprovider-cancelanimationframe>
    pub fn cancel(&self, handle: u32) {
        self.callbacks
            .borrow_mut()
            .retain(|(own, _)| *own != handle);
    }

    /// <https://html.spec.whatwg.org/multipage/imagebitmap-and-animations.html#run-the-animation-frame-callbacks>:
    /// the callbacks requested before this frame, in order, each with the frame's time; one
    /// canceled by an earlier one of the frame does not run, and those they request wait for
    /// the next frame.
    ///
    /// # Safety
    /// `cx` in the window's realm.
    pub unsafe fn run(&self, cx: &mut JSContext, window: &Window) {
        self.scheduled.set(false);
        let global = window.global_scope();
        let now = global.now_ms();
        let handles: Vec<u32> = self
            .callbacks
            .borrow()
            .iter()
            .map(|(handle, _)| *handle)
            .collect();
        for handle in handles {
            let callback = {
                let mut callbacks = self.callbacks.borrow_mut();
                let Some(index) = callbacks.iter().position(|(own, _)| *own == handle) else {
                    continue;
                };
                callbacks.remove(index).1
            };
            rooted!(&in(cx) let mut this = UndefinedValue());
            window.to_js(cx, this.handle_mut());
            if let Err(error) = callback.callback.call(cx, this.handle(), &[&now]) {
                crate::script_runtime::report_error(cx, global, error);
            }
        }
    }
}

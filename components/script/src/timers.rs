//! Timers of a global (`setTimeout`/`setInterval`,
//! https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers).
//!
//! The global owns the list; its event loop asks for the next deadline and runs due timers
//! as tasks, in deadline order (ties in scheduling order).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mozjs::context::JSContext;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use script_derive::Trace;

use crate::dom::abortsignal::AbortSignal;
use crate::dom::bindings::conversions::{RootedValue, ToJs};
use crate::dom::bindings::root::DomRoot;
use crate::dom::codegen::Function;
use crate::dom::globalscope::GlobalScope;
use crate::dom::xmlhttprequest::XMLHttpRequest;

pub enum TimerHandler {
    Function(Rc<Function>),
    Source(String),
    /// `AbortSignal.timeout()`: aborts the signal with a TimeoutError. It does not keep the
    /// page from going idle (a timeout nobody waits on is not work left).
    AbortSignal(DomRoot<AbortSignal>),
    /// An XMLHttpRequest's timeout, for the request of this generation. Like the above, it
    /// keeps nothing alive: the request in flight does.
    XhrTimeout(DomRoot<XMLHttpRequest>, u64),
    /// An EventSource's reconnection, for its connection of this generation; it keeps the
    /// page alive (the EventSource is still connecting).
    EventSourceReconnect(DomRoot<crate::dom::eventsource::EventSource>, u64),
    /// A window's next animation frame (`requestAnimationFrame()`), which keeps the page alive.
    AnimationFrame(DomRoot<crate::dom::window::Window>),
}

struct Timer {
    handler: Rc<TimerHandler>,
    arguments: Rc<Vec<RootedValue>>,
    deadline: Instant,
    interval: Option<Duration>,
    /// Scheduling order, to break deadline ties.
    sequence: u64,
    nesting: u32,
}

#[derive(Default, Trace)]
pub struct Timers {
    next_id: Cell<i32>,
    next_sequence: Cell<u64>,
    /// Their handlers and arguments root themselves.
    #[no_trace]
    timers: RefCell<BTreeMap<i32, Timer>>,
    /// The nesting level of the timer task running now (HTML clamps deep nesting to 4 ms).
    current_nesting: Cell<u32>,
}

impl Timers {
    /// https://html.spec.whatwg.org/#timer-initialisation-steps
    pub fn schedule(
        &self,
        handler: TimerHandler,
        timeout_ms: i32,
        arguments: Vec<RootedValue>,
        repeat: bool,
    ) -> i32 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let nesting = self.current_nesting.get() + 1;
        let mut timeout = timeout_ms.max(0) as u64;
        if nesting > 5 && timeout < 4 {
            timeout = 4;
        }
        let delay = Duration::from_millis(timeout);
        let sequence = self.next_sequence.get();
        self.next_sequence.set(sequence + 1);
        self.timers.borrow_mut().insert(
            id,
            Timer {
                handler: Rc::new(handler),
                arguments: Rc::new(arguments),
                deadline: Instant::now() + delay,
                interval: repeat.then_some(delay),
                sequence,
                nesting,
            },
        );
        id
    }

    pub fn clear(&self, id: i32) {
        self.timers.borrow_mut().remove(&id);
    }

    pub fn is_empty(&self) -> bool {
        self.timers.borrow().is_empty()
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.borrow().values().map(|t| t.deadline).min()
    }

    /// Whether a timer is pending that keeps the page from being idle (every one but an
    /// `AbortSignal.timeout()`'s).
    pub fn keeps_alive(&self) -> bool {
        self.timers.borrow().values().any(|t| {
            !matches!(
                *t.handler,
                TimerHandler::AbortSignal(_) | TimerHandler::XhrTimeout(..)
            )
        })
    }

    /// Removes (or, for an interval, reschedules) the earliest due timer and returns what to
    /// run.
    fn take_due(&self, now: Instant) -> Option<(Rc<TimerHandler>, Rc<Vec<RootedValue>>, u32)> {
        let mut timers = self.timers.borrow_mut();
        let id = timers
            .iter()
            .filter(|(_, t)| t.deadline <= now)
            .min_by_key(|(_, t)| (t.deadline, t.sequence))
            .map(|(id, _)| *id)?;
        let timer = timers.get_mut(&id)?;
        let due = (
            timer.handler.clone(),
            timer.arguments.clone(),
            timer.nesting,
        );
        match timer.interval {
            Some(interval) => {
                timer.deadline = now
                    + interval.max(Duration::from_millis(if timer.nesting > 5 { 4 } else { 0 }));
                timer.sequence = self.next_sequence.get();
                self.next_sequence.set(timer.sequence + 1);
            }
            None => {
                timers.remove(&id);
            }
        }
        Some(due)
    }

    /// Runs the earliest due timer, if any. Returns whether one ran.
    ///
    /// # Safety
    /// `cx` in `global`'s realm.
    pub unsafe fn run_due(&self, cx: &mut JSContext, global: &GlobalScope) -> bool {
        let Some((handler, arguments, nesting)) = self.take_due(Instant::now()) else {
            return false;
        };
        self.current_nesting.set(nesting);
        match &*handler {
            TimerHandler::Function(function) => {
                rooted!(&in(cx) let mut this = UndefinedValue());
                global.upcast_event_target().to_js(cx, this.handle_mut());
                let args: Vec<&dyn ToJs> = arguments.iter().map(|a| a as &dyn ToJs).collect();
                if let Err(error) = function.callback.call(cx, this.handle(), &args) {
                    crate::script_runtime::report_error(cx, global, error);
                }
            }
            TimerHandler::Source(source) => {
                let url = global.url().to_string();
                crate::script_runtime::run_classic_script(cx, global, source, &url, 1);
            }
            TimerHandler::AbortSignal(signal) => signal.signal_timeout(cx),
            TimerHandler::XhrTimeout(xhr, generation) => xhr.time_out(cx, *generation),
            TimerHandler::EventSourceReconnect(source, generation) => {
                source.reconnect(cx, *generation)
            }
            TimerHandler::AnimationFrame(window) => window.run_animation_frames(cx),
        }
        self.current_nesting.set(0);
        true
    }
}

//! PerformanceObserver (https://w3c.github.io/performance-timeline/#the-performanceobserver-interface): a callback
//! that hears the entries of the types it observes as they are added to its global's timeline,
//! in a task after they came (several at once), and the buffered ones with `buffered: true`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use mozjs::rooted;

use crate::dom::bindings::callback::Held;
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::root::Dom;
use crate::dom::performance::Performance;
use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::performanceobserverentrylist::PerformanceObserverEntryList;
use crate::dom::prelude::*;

/// The entry types a timeline holds, as `supportedEntryTypes` lists them.
pub const SUPPORTED_ENTRY_TYPES: [&str; 4] = ["mark", "measure", "navigation", "resource"];

/// How the observer was first asked to observe: the two ways may not be mixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Undefined,
    Multiple,
    Single,
}

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceObserver {
    reflector: Reflector,
    callback: Held<PerformanceObserverCallback>,
    #[no_trace]
    mode: Cell<Mode>,
    #[no_trace]
    types: RefCell<Vec<String>>,
    /// The entries not yet given to the callback (its observer buffer).
    buffer: RefCell<Vec<Dom<PerformanceEntry>>>,
}

impl PerformanceObserver {
    /// Whether it observes entries of `entry_type`.
    pub fn observes(&self, entry_type: &str) -> bool {
        self.types.borrow().iter().any(|t| t == entry_type)
    }

    /// Adds `entry` to its buffer; true when the buffer was empty (a delivery is due).
    pub fn queue(&self, entry: &PerformanceEntry) -> bool {
        let mut buffer = self.buffer.borrow_mut();
        buffer.push(Dom::from_ref(entry));
        buffer.len() == 1
    }

    /// Calls the callback with the entries buffered so far, if any
    /// (https://w3c.github.io/performance-timeline/#queue-the-performanceobserver-task).
    ///
    /// # Safety
    /// `cx` in the observer's realm.
    pub unsafe fn deliver(&self, cx: &mut JSContext) {
        let entries = self.take();
        if entries.is_empty() {
            return;
        }
        let list = PerformanceObserverEntryList::new(cx, self.global(), entries);
        let options = PerformanceObserverCallbackOptions {
            dropped_entries_count: None,
        };
        rooted!(&in(cx) let mut this = mozjs::jsval::UndefinedValue());
        self.to_js(cx, this.handle_mut());
        let observer = DomRoot::from_ref(self);
        if let Err(error) =
            self.callback
                .get()
                .callback
                .call(cx, this.handle(), &[&list, &observer, &options])
        {
            crate::script_runtime::report_error(cx, self.global(), error);
        }
    }

    fn take(&self) -> Vec<DomRoot<PerformanceEntry>> {
        std::mem::take(&mut *self.buffer.borrow_mut())
            .iter()
            .map(|entry| DomRoot::from_ref(&**entry))
            .collect()
    }

    fn performance(&self, cx: &mut JSContext) -> DomRoot<Performance> {
        let global = self.global();
        global
            .performance_cache()
            .or_init(|| Performance::new(cx, global))
    }
}

impl PerformanceObserverMethods for PerformanceObserver {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        callback: Rc<PerformanceObserverCallback>,
    ) -> DomRoot<PerformanceObserver> {
        PerformanceObserverBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(PerformanceObserver {
                reflector: Reflector::new(),
                callback: Held::new(callback),
                mode: Cell::new(Mode::Undefined),
                types: RefCell::new(Vec::new()),
                buffer: RefCell::new(Vec::new()),
            }),
        )
    }
    /// <https://w3c.github.io/performance-timeline/#observe-method>
    fn Observe(&self, cx: &mut JSContext, options: &PerformanceObserverInit) -> Fallible<()> {
        let supported = |t: &String| SUPPORTED_ENTRY_TYPES.contains(&t.as_str());
        match (&options.entry_types, &options.type_) {
            (None, None) => {
                return Err(Error::Type(
                    "observe() needs either entryTypes or type.".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(Error::Type(
                    "observe() takes entryTypes or type, not both.".into(),
                ))
            }
            (Some(entry_types), None) => {
                if self.mode.get() == Mode::Single {
                    return Err(Error::dom(
                        DOMErrorName::InvalidModificationError,
                        "This observer observes by type; it cannot take entryTypes.",
                    ));
                }
                self.mode.set(Mode::Multiple);
                // Unsupported types are ignored; none left means nothing changes. A `buffered`
                // beside entryTypes is ignored too, as in Chromium (the standard throws; pages
                // written for Chromium pass it).
                let types: Vec<String> = entry_types
                    .iter()
                    .filter(|t| supported(t))
                    .cloned()
                    .collect();
                if types.is_empty() {
                    return Ok(());
                }
                *self.types.borrow_mut() = types;
            }
            (None, Some(entry_type)) => {
                if self.mode.get() == Mode::Multiple {
                    return Err(Error::dom(
                        DOMErrorName::InvalidModificationError,
                        "This observer observes by entryTypes; it cannot take type.",
                    ));
                }
                if !supported(entry_type) {
                    return Ok(());
                }
                self.mode.set(Mode::Single);
                if !self.observes(entry_type) {
                    self.types.borrow_mut().push(entry_type.clone());
                }
                if options.buffered == Some(true) {
                    let performance = self.performance(cx);
                    let mut due = false;
                    for entry in performance.entries_of(Some(entry_type), None) {
                        due |= self.queue(&entry);
                    }
                    if due {
                        performance.schedule_delivery();
                    }
                }
            }
        }
        let performance = self.performance(cx);
        performance.register_observer(self);
        Ok(())
    }
    fn Disconnect(&self, cx: &mut JSContext) {
        self.performance(cx).unregister_observer(self);
        self.buffer.borrow_mut().clear();
        self.types.borrow_mut().clear();
        self.mode.set(Mode::Undefined);
    }
    fn TakeRecords(&self, _cx: &mut JSContext) -> Vec<DomRoot<PerformanceEntry>> {
        self.take()
    }
    fn SupportedEntryTypes(_cx: &mut JSContext, _global: &GlobalScope) -> Frozen<DOMString> {
        Frozen(SUPPORTED_ENTRY_TYPES.iter().map(|t| (*t).into()).collect())
    }
}

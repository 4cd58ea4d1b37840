//! Performance (https://w3c.github.io/hr-time/#sec-performance): the time origin and now(),
//! and the global's performance timeline (https://w3c.github.io/performance-timeline/): its
//! marks and measures (User Timing), its resources' timings (Resource Timing, at most
//! `setResourceTimingBufferSize()` of them, 250 by default), and the observers that hear of
//! new entries.

use std::cell::{Cell, RefCell};

use mozjs::rooted;

use crate::dom::bindings::root::Dom;
use crate::dom::eventtarget::EventTarget;
use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::performancemark::{PerformanceMark, TIMING_ATTRIBUTES};
use crate::dom::performancemeasure::PerformanceMeasure;
use crate::dom::performancenavigationtiming::PerformanceNavigationTiming;
use crate::dom::performanceobserver::PerformanceObserver;
use crate::dom::performanceobserverentrylist::filtered;
use crate::dom::performanceresourcetiming::{PerformanceResourceTiming, ResourceTiming};
use crate::dom::prelude::*;

/// The current high resolution time of `global` (https://w3c.github.io/hr-time/#dfn-current-high-resolution-time):
/// milliseconds since its time origin, coarsened to 5 microseconds as browsers do for
/// cross-origin-isolated contexts. `performance.now()`, marks, measures and resource timings
/// all read it, so they compare.
pub fn now(global: &GlobalScope) -> f64 {
    (global.now_ms() * 200.0).floor() / 200.0
}

/// The resource timing buffer's size until a script sets another.
const DEFAULT_RESOURCE_BUFFER_SIZE: usize = 250;

#[derive(Trace)]
#[repr(C)]
pub struct Performance {
    eventtarget: EventTarget,
    /// Marks and measures, in the order they were made.
    user_timing: RefCell<Vec<Dom<PerformanceEntry>>>,
    /// Its document's navigation timing (a window's, over http(s)).
    navigation: MutNullableDom<PerformanceNavigationTiming>,
    /// Resource timings (the resource timing buffer).
    resources: RefCell<Vec<Dom<PerformanceEntry>>>,
    #[no_trace]
    resource_buffer_size: Cell<usize>,
    /// The registered observers.
    observers: RefCell<Vec<Dom<PerformanceObserver>>>,
    /// A task to call the observers is queued.
    #[no_trace]
    delivery_queued: Cell<bool>,
}

impl Performance {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Performance> {
        PerformanceBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Performance {
                eventtarget: EventTarget::new_inherited(),
                user_timing: RefCell::new(Vec::new()),
                navigation: MutNullableDom::default(),
                resources: RefCell::new(Vec::new()),
                resource_buffer_size: Cell::new(DEFAULT_RESOURCE_BUFFER_SIZE),
                observers: RefCell::new(Vec::new()),
                delivery_queued: Cell::new(false),
            }),
        )
    }

    /// The performance object of `global`, made on first use.
    pub fn of(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Performance> {
        global
            .performance_cache()
            .or_init(|| Performance::new(cx, global))
    }

    /// Adds the timing of a resource of `global` to its timeline: `name` is the request's URL.
    pub fn add_resource_timing(
        cx: &mut JSContext,
        global: &GlobalScope,
        name: String,
        timing: ResourceTiming,
    ) {
        let performance = Performance::of(cx, global);
        let entry = PerformanceResourceTiming::new(cx, global, name, timing);
        let entry = entry.upcast::<PerformanceEntry>();
        {
            let mut resources = performance.resources.borrow_mut();
            if resources.len() < performance.resource_buffer_size.get() {
                resources.push(Dom::from_ref(entry));
            }
        }
        performance.queue_entry(entry);
    }

    pub fn set_navigation(&self, entry: &PerformanceNavigationTiming) {
        self.navigation.set(Some(entry));
    }

    pub fn navigation(&self) -> Option<DomRoot<PerformanceNavigationTiming>> {
        self.navigation.get()
    }

    /// The navigation entry is complete (its load event ended): observers get it.
    pub fn queue_navigation_entry(&self, _cx: &mut JSContext, entry: &PerformanceNavigationTiming) {
        self.queue_entry(entry.upcast::<PerformanceEntry>());
    }

    /// https://w3c.github.io/performance-timeline/#queue-a-performanceentry: each observer of
    /// its type gets it, and a task delivers them.
    fn queue_entry(&self, entry: &PerformanceEntry) {
        let mut due = false;
        for observer in self.observers.borrow().iter() {
            if observer.observes(entry.entry_type()) {
                due |= observer.queue(entry);
            }
        }
        if due {
            self.schedule_delivery();
        }
    }

    /// Queues the task that calls the observers with what they have buffered (once).
    pub fn schedule_delivery(&self) {
        if self.delivery_queued.replace(true) {
            return;
        }
        let performance = DomRoot::from_ref(self);
        self.global().event_loop().queue_task(Box::new(move |cx| {
            performance.delivery_queued.set(false);
            let observers: Vec<DomRoot<PerformanceObserver>> = performance
                .observers
                .borrow()
                .iter()
                .map(|observer| DomRoot::from_ref(&**observer))
                .collect();
            for observer in observers {
                // SAFETY: tasks run in the realm of the global that queued them.
                unsafe { observer.deliver(cx) };
            }
        }));
    }

    pub fn register_observer(&self, observer: &PerformanceObserver) {
        let mut observers = self.observers.borrow_mut();
        if !observers.iter().any(|o| std::ptr::eq(&**o, observer)) {
            observers.push(Dom::from_ref(observer));
        }
    }

    pub fn unregister_observer(&self, observer: &PerformanceObserver) {
        self.observers
            .borrow_mut()
            .retain(|o| !std::ptr::eq(&**o, observer));
    }

    /// The timeline's entries of that type and name, by start time.
    pub fn entries_of(
        &self,
        entry_type: Option<&str>,
        name: Option<&str>,
    ) -> Vec<DomRoot<PerformanceEntry>> {
        let mut all: Vec<Dom<PerformanceEntry>> = self.user_timing.borrow().clone();
        if let Some(navigation) = self.navigation.get() {
            all.push(Dom::from_ref(navigation.upcast::<PerformanceEntry>()));
        }
        all.extend(self.resources.borrow().iter().cloned());
        filtered(&all, name, entry_type)
    }

    /// <https://w3c.github.io/user-timing/#convert-a-mark-to-a-timestamp> for a name: the
    /// latest mark's start time.
    fn mark_time(&self, name: &str) -> Fallible<f64> {
        if let Some(mark) = self
            .user_timing
            .borrow()
            .iter()
            .rev()
            .find(|entry| entry.entry_type() == "mark" && entry.name() == name)
        {
            return Ok(mark.start_time());
        }
        if self.global().kind().names.contains(&"Window") && TIMING_ATTRIBUTES.contains(&name) {
            // PerformanceTiming is not kept: its attributes read as the time origin.
            return Ok(0.0);
        }
        Err(Error::syntax(format!("The mark '{name}' does not exist.")))
    }

    /// A mark's name or a timestamp, as a time (negative timestamps are a TypeError).
    fn timestamp(&self, value: &StringOrDouble) -> Fallible<f64> {
        match value {
            StringOrDouble::String(name) => self.mark_time(name),
            StringOrDouble::Double(time) if *time < 0.0 => {
                Err(Error::Type(format!("'{time}' is a negative timestamp.")))
            }
            StringOrDouble::Double(time) => Ok(*time),
        }
    }

    fn clear_user_timing(&self, entry_type: &str, name: Option<&str>) {
        self.user_timing.borrow_mut().retain(|entry| {
            entry.entry_type() != entry_type || name.is_some_and(|name| entry.name() != name)
        });
    }
}

impl PerformanceMethods for Performance {
    /// <https://w3c.github.io/hr-time/#dom-performance-now>
    fn Now(&self, _cx: &mut JSContext) -> f64 {
        now(self.global())
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
    fn GetEntries(&self, _cx: &mut JSContext) -> Vec<DomRoot<PerformanceEntry>> {
        self.entries_of(None, None)
    }
    fn GetEntriesByType(
        &self,
        _cx: &mut JSContext,
        entry_type: DOMString,
    ) -> Vec<DomRoot<PerformanceEntry>> {
        self.entries_of(Some(&entry_type), None)
    }
    fn GetEntriesByName(
        &self,
        _cx: &mut JSContext,
        name: DOMString,
        entry_type: Option<DOMString>,
    ) -> Vec<DomRoot<PerformanceEntry>> {
        self.entries_of(entry_type.as_deref(), Some(&name))
    }
    /// <https://w3c.github.io/user-timing/#dom-performance-mark>
    fn Mark(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        options: &PerformanceMarkOptions,
    ) -> Fallible<DomRoot<PerformanceMark>> {
        let mark = PerformanceMark::Constructor(cx, self.global(), None, name, options)?;
        let entry = mark.upcast::<PerformanceEntry>();
        self.user_timing.borrow_mut().push(Dom::from_ref(entry));
        self.queue_entry(entry);
        Ok(mark)
    }
    fn ClearMarks(&self, _cx: &mut JSContext, name: Option<DOMString>) {
        self.clear_user_timing("mark", name.as_deref());
    }
    /// <https://w3c.github.io/user-timing/#dom-performance-measure>
    fn Measure(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        start_or_options: StringOrPerformanceMeasureOptions,
        end_mark: Option<DOMString>,
    ) -> Fallible<DomRoot<PerformanceMeasure>> {
        let options = match &start_or_options {
            StringOrPerformanceMeasureOptions::PerformanceMeasureOptions(options)
                if options.start.is_some()
                    || options.end.is_some()
                    || options.duration.is_some()
                    || options.detail.is_some() =>
            {
                Some(options)
            }
            _ => None,
        };
        if let Some(options) = options {
            if end_mark.is_some() {
                return Err(Error::Type(
                    "measure(): an end mark goes with a start mark, not with options.".into(),
                ));
            }
            if options.start.is_none() && options.end.is_none() {
                return Err(Error::Type(
                    "measure(): the options need a start or an end.".into(),
                ));
            }
            if options.start.is_some() && options.end.is_some() && options.duration.is_some() {
                return Err(Error::Type(
                    "measure(): start, end and duration cannot all be given.".into(),
                ));
            }
        }
        let end = match (&end_mark, options) {
            (Some(mark), _) => self.mark_time(mark)?,
            (None, Some(options)) => match (&options.end, &options.start, options.duration) {
                (Some(end), _, _) => self.timestamp(end)?,
                (None, Some(start), Some(duration)) => self.timestamp(start)? + duration,
                _ => now(self.global()),
            },
            (None, None) => now(self.global()),
        };
        let start = match (options, &start_or_options) {
            (Some(options), _) => match (&options.start, options.duration) {
                (Some(start), _) => self.timestamp(start)?,
                (None, Some(duration)) => end - duration,
                (None, None) => 0.0,
            },
            (None, StringOrPerformanceMeasureOptions::String(start)) => self.mark_time(start)?,
            (None, _) => 0.0,
        };
        rooted!(&in(cx) let mut detail = mozjs::jsval::UndefinedValue());
        if let Some(value) = options.and_then(|options| options.detail.as_ref()) {
            detail.set(value.get());
        }
        // SAFETY: bindings call in the global's realm.
        let measure = unsafe {
            PerformanceMeasure::create(cx, self.global(), name, start, end, detail.handle())?
        };
        let entry = measure.upcast::<PerformanceEntry>();
        self.user_timing.borrow_mut().push(Dom::from_ref(entry));
        self.queue_entry(entry);
        Ok(measure)
    }
    fn ClearMeasures(&self, _cx: &mut JSContext, name: Option<DOMString>) {
        self.clear_user_timing("measure", name.as_deref());
    }
    fn ClearResourceTimings(&self, _cx: &mut JSContext) {
        self.resources.borrow_mut().clear();
    }
    fn SetResourceTimingBufferSize(&self, _cx: &mut JSContext, size: u32) {
        self.resource_buffer_size.set(size as usize);
    }
}

//! PerformanceEntry (https://w3c.github.io/performance-timeline/#the-performanceentry-interface):
//! what the timeline of a global holds, a mark, a measure or a resource's timing (the
//! interfaces that inherit it), each fixed at creation but a navigation's duration, which is
//! its document's `loadEventEnd` once that has come.

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceEntry {
    reflector: Reflector,
    #[no_trace]
    name: String,
    #[no_trace]
    entry_type: &'static str,
    #[no_trace]
    start_time: f64,
    #[no_trace]
    duration: std::cell::Cell<f64>,
}

impl PerformanceEntry {
    pub fn new_inherited(
        name: String,
        entry_type: &'static str,
        start_time: f64,
        duration: f64,
    ) -> PerformanceEntry {
        PerformanceEntry {
            reflector: Reflector::new(),
            name,
            entry_type,
            start_time,
            duration: std::cell::Cell::new(duration),
        }
    }

    /// A navigation entry's duration, set when its document's load event ends.
    pub fn set_duration(&self, duration: f64) {
        self.duration.set(duration);
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn entry_type(&self) -> &'static str {
        self.entry_type
    }

    pub fn start_time(&self) -> f64 {
        self.start_time
    }

    /// `name`, `entryType`, `startTime` and `duration` as members of `object` (the default
    /// toJSON steps of this interface).
    ///
    /// # Safety
    /// `cx` in a realm; `object` rooted.
    pub unsafe fn add_json_members(
        &self,
        cx: &mut JSContext,
        object: &crate::dom::bindings::conversions::RootedObject,
    ) {
        use crate::dom::bindings::conversions::define_member;
        define_member(cx, object, "name", &self.name);
        define_member(cx, object, "entryType", &self.entry_type);
        define_member(cx, object, "startTime", &self.start_time);
        define_member(cx, object, "duration", &self.duration.get());
    }
}

impl PerformanceEntryMethods for PerformanceEntry {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }
    fn EntryType(&self, _cx: &mut JSContext) -> DOMString {
        self.entry_type.into()
    }
    fn StartTime(&self, _cx: &mut JSContext) -> f64 {
        self.start_time
    }
    fn Duration(&self, _cx: &mut JSContext) -> f64 {
        self.duration.get()
    }
    fn ToJSON(&self, cx: &mut JSContext) -> *mut JSObject {
        // SAFETY: called from a binding native in this realm.
        unsafe {
            let object = crate::dom::bindings::conversions::new_plain_object(cx);
            self.add_json_members(cx, &object);
            object.get()
        }
    }
}

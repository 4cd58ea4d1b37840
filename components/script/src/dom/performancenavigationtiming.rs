//! PerformanceNavigationTiming (https://w3c.github.io/navigation-timing/): the timeline entry
//! of a window's document, `performance.getEntriesByType("navigation")[0]`.
//!
//! A window whose document came over http(s) gets one when its Document is made, at start
//! time 0; its document's lifecycle fills in `domInteractive`, the `DOMContentLoaded` and
//! `load` event times and `domComplete` as they happen, and `duration` is `loadEventEnd`
//! once the load event has ended (when observers of type `navigation` get it).
//!
//! Decisions: bgsync fetches a document before its window (and so its clock) exists, so
//! the fetch's own phases (`fetchStart` to `responseEnd`) all read 0, the time origin, as a
//! connection's unreported phases collapse onto `fetchStart` for a resource; nothing unloads
//! (`unloadEvent*` are 0), and redirects are not counted (`redirectCount` is 0).

use std::cell::Cell;

use crate::dom::performance::Performance;
use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::performanceresourcetiming::{PerformanceResourceTiming, ResourceTiming};
use crate::dom::prelude::*;

/// A point of a document's lifecycle the entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    DomInteractive,
    DomContentLoadedStart,
    DomContentLoadedEnd,
    DomComplete,
    LoadStart,
    LoadEnd,
}

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceNavigationTiming {
    resource: PerformanceResourceTiming,
    #[no_trace]
    navigation_type: NavigationTimingType,
    #[no_trace]
    times: [Cell<f64>; 6],
}

impl PerformanceNavigationTiming {
    /// Adds the navigation entry of `global`'s document at `url` (its response's `status` and
    /// body of `body_size` bytes) to its timeline.
    pub fn add(
        cx: &mut JSContext,
        global: &GlobalScope,
        url: &url::Url,
        status: u16,
        body_size: u64,
        navigation_type: NavigationTimingType,
    ) {
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        let timing = ResourceTiming {
            initiator_type: "navigation",
            next_hop_protocol: "http/1.1",
            transfer_size: body_size + 300,
            encoded_body_size: body_size,
            decoded_body_size: body_size,
            response_status: status,
            ..ResourceTiming::default()
        };
        let entry = PerformanceNavigationTimingBinding::Wrap(
            cx,
            global,
            None,
            Box::new(PerformanceNavigationTiming {
                resource: PerformanceResourceTiming::new_inherited(
                    url.to_string(),
                    "navigation",
                    0.0,
                    timing,
                ),
                navigation_type,
                times: Default::default(),
            }),
        );
        Performance::of(cx, global).set_navigation(&entry);
    }

    /// Records `point` as now, on the navigation entry of `global`, if it has one.
    pub fn record(cx: &mut JSContext, global: &GlobalScope, point: Point) {
        let Some(performance) = global.performance_cache().get() else {
            return;
        };
        let Some(entry) = performance.navigation() else {
            return;
        };
        let now = crate::dom::performance::now(global);
        entry.times[point as usize].set(now);
        if point == Point::LoadEnd {
            entry.upcast::<PerformanceEntry>().set_duration(now);
            performance.queue_navigation_entry(cx, &entry);
        }
    }

    fn time(&self, point: Point) -> f64 {
        self.times[point as usize].get()
    }
}

impl PerformanceNavigationTimingMethods for PerformanceNavigationTiming {
    fn UnloadEventStart(&self, _cx: &mut JSContext) -> f64 {
        0.0
    }
    fn UnloadEventEnd(&self, _cx: &mut JSContext) -> f64 {
        0.0
    }
    fn DomInteractive(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::DomInteractive)
    }
    fn DomContentLoadedEventStart(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::DomContentLoadedStart)
    }
    fn DomContentLoadedEventEnd(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::DomContentLoadedEnd)
    }
    fn DomComplete(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::DomComplete)
    }
    fn LoadEventStart(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::LoadStart)
    }
    fn LoadEventEnd(&self, _cx: &mut JSContext) -> f64 {
        self.time(Point::LoadEnd)
    }
    fn Type(&self, _cx: &mut JSContext) -> NavigationTimingType {
        self.navigation_type
    }
    fn RedirectCount(&self, _cx: &mut JSContext) -> u16 {
        0
    }
    /// The resource timing's members and this interface's.
    fn ToJSON(&self, cx: &mut JSContext) -> *mut JSObject {
        use crate::dom::bindings::conversions::define_member;
        // SAFETY: called from a binding native in this realm.
        unsafe {
            let object = self.resource.json_object(cx);
            let zero = 0.0f64;
            let times = [
                ("unloadEventStart", zero),
                ("unloadEventEnd", zero),
                ("domInteractive", self.time(Point::DomInteractive)),
                (
                    "domContentLoadedEventStart",
                    self.time(Point::DomContentLoadedStart),
                ),
                (
                    "domContentLoadedEventEnd",
                    self.time(Point::DomContentLoadedEnd),
                ),
                ("domComplete", self.time(Point::DomComplete)),
                ("loadEventStart", self.time(Point::LoadStart)),
                ("loadEventEnd", self.time(Point::LoadEnd)),
            ];
            for (name, value) in times {
                define_member(cx, &object, name, &value);
            }
            define_member(cx, &object, "type", self.navigation_type.as_str());
            define_member(cx, &object, "redirectCount", &0u16);
            object.get()
        }
    }
}

//! PerformanceMeasure (https://w3c.github.io/user-timing/#performancemeasure): a named span on
//! the timeline (`performance.measure()`), with a `detail` structured-cloned from the options.

use mozjs::jsapi::Heap;
use mozjs::rooted;

use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::performancemark::cloned_detail;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceMeasure {
    entry: PerformanceEntry,
    detail: Heap<JSVal>,
}

impl PerformanceMeasure {
    /// A measure from `start` to `end` (milliseconds since the time origin).
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub unsafe fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        name: DOMString,
        start: f64,
        end: f64,
        detail: HandleValue<'_>,
    ) -> Fallible<DomRoot<PerformanceMeasure>> {
        // Rooted: making the measure may collect.
        rooted!(&in(cx) let detail = cloned_detail(cx, detail)?);
        let measure = PerformanceMeasureBinding::Wrap(
            cx,
            global,
            None,
            Box::new(PerformanceMeasure {
                entry: PerformanceEntry::new_inherited(name, "measure", start, end - start),
                detail: Heap::default(),
            }),
        );
        measure.detail.set(detail.get());
        Ok(measure)
    }
}

impl PerformanceMeasureMethods for PerformanceMeasure {
    fn Detail(&self, _cx: &mut JSContext) -> JSVal {
        self.detail.get()
    }
}

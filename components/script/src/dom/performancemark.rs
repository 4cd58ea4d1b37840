//! PerformanceMark (https://w3c.github.io/user-timing/#performancemark): a named point on the
//! timeline, with a `detail` structured-cloned from what the script gave.

use mozjs::jsapi::Heap;
use mozjs::rooted;

use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceMark {
    entry: PerformanceEntry,
    detail: Heap<JSVal>,
}

/// The names a mark may not have in a window: PerformanceTiming's attributes
/// (https://w3c.github.io/user-timing/#dom-performancemark-constructor, step 1).
pub const TIMING_ATTRIBUTES: [&str; 21] = [
    "navigationStart",
    "unloadEventStart",
    "unloadEventEnd",
    "redirectStart",
    "redirectEnd",
    "fetchStart",
    "domainLookupStart",
    "domainLookupEnd",
    "connectStart",
    "connectEnd",
    "secureConnectionStart",
    "requestStart",
    "responseStart",
    "responseEnd",
    "domLoading",
    "domInteractive",
    "domContentLoadedEventStart",
    "domContentLoadedEventEnd",
    "domComplete",
    "loadEventStart",
    "loadEventEnd",
];

/// A copy of `detail` (https://w3c.github.io/user-timing/, "StructuredDeserialize(StructuredSerialize(detail))").
///
/// # Safety
/// `cx` in the global's realm.
pub(crate) unsafe fn cloned_detail(cx: &mut JSContext, detail: HandleValue<'_>) -> Fallible<JSVal> {
    if detail.get().is_null_or_undefined() {
        return Ok(mozjs::jsval::NullValue());
    }
    crate::dom::bindings::structuredclone::structured_clone(cx, detail)
}

impl PerformanceMarkMethods for PerformanceMark {
    /// <https://w3c.github.io/user-timing/#dom-performancemark-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        name: DOMString,
        options: &PerformanceMarkOptions,
    ) -> Fallible<DomRoot<PerformanceMark>> {
        if global.kind().names.contains(&"Window") && TIMING_ATTRIBUTES.contains(&name.as_str()) {
            return Err(Error::syntax(format!(
                "'{name}' is part of the PerformanceTiming interface, and cannot be used as a \
                 mark name."
            )));
        }
        let start_time = match options.start_time {
            Some(start) if start < 0.0 => {
                return Err(Error::Type(format!(
                    "'{name}' cannot have a negative start time."
                )))
            }
            Some(start) => start,
            None => crate::dom::performance::now(global),
        };
        // SAFETY: bindings call in the global's realm. Rooted: making the mark may collect.
        rooted!(&in(cx) let detail = unsafe {
            match &options.detail {
                Some(detail) => cloned_detail(cx, detail.handle())?,
                None => mozjs::jsval::NullValue(),
            }
        });
        let mark = PerformanceMarkBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(PerformanceMark {
                entry: PerformanceEntry::new_inherited(name, "mark", start_time, 0.0),
                detail: Heap::default(),
            }),
        );
        // Set after boxing: a Heap must not move once it holds a GC pointer.
        mark.detail.set(detail.get());
        Ok(mark)
    }
    fn Detail(&self, _cx: &mut JSContext) -> JSVal {
        self.detail.get()
    }
}

//! PerformanceObserverEntryList (https://w3c.github.io/performance-timeline/#performanceobserverentrylist-interface):
//! the entries one call of an observer's callback gets.

use std::cell::RefCell;

use crate::dom::bindings::root::Dom;
use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceObserverEntryList {
    reflector: Reflector,
    entries: RefCell<Vec<Dom<PerformanceEntry>>>,
}

impl PerformanceObserverEntryList {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        entries: Vec<DomRoot<PerformanceEntry>>,
    ) -> DomRoot<PerformanceObserverEntryList> {
        PerformanceObserverEntryListBinding::Wrap(
            cx,
            global,
            None,
            Box::new(PerformanceObserverEntryList {
                reflector: Reflector::new(),
                entries: RefCell::new(entries.iter().map(|e| Dom::from_ref(&**e)).collect()),
            }),
        )
    }
}

/// The entries of `entries` of that name and type, by start time (the filter of
/// https://w3c.github.io/performance-timeline/#filter-buffer-by-name-and-type).
pub fn filtered(
    entries: &[Dom<PerformanceEntry>],
    name: Option<&str>,
    entry_type: Option<&str>,
) -> Vec<DomRoot<PerformanceEntry>> {
    let mut found: Vec<DomRoot<PerformanceEntry>> = entries
        .iter()
        .filter(|entry| name.is_none_or(|name| entry.name() == name))
        .filter(|entry| entry_type.is_none_or(|t| entry.entry_type() == t))
        .map(|entry| DomRoot::from_ref(&**entry))
        .collect();
    found.sort_by(|a, b| a.start_time().total_cmp(&b.start_time()));
    found
}

impl PerformanceObserverEntryListMethods for PerformanceObserverEntryList {
    fn GetEntries(&self, _cx: &mut JSContext) -> Vec<DomRoot<PerformanceEntry>> {
        filtered(&self.entries.borrow(), None, None)
    }
    fn GetEntriesByType(
        &self,
        _cx: &mut JSContext,
        entry_type: DOMString,
    ) -> Vec<DomRoot<PerformanceEntry>> {
        filtered(&self.entries.borrow(), None, Some(&entry_type))
    }
    fn GetEntriesByName(
        &self,
        _cx: &mut JSContext,
        name: DOMString,
        entry_type: Option<DOMString>,
    ) -> Vec<DomRoot<PerformanceEntry>> {
        filtered(&self.entries.borrow(), Some(&name), entry_type.as_deref())
    }
}

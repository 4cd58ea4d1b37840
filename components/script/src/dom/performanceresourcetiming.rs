//! PerformanceResourceTiming (https://w3c.github.io/resource-timing/): the timing of a
//! request a page or worker made (`fetch()`, XMLHttpRequest, `<img>`), added to its global's
//! timeline when the response is whole.
//!
//! bgsync's network layer reports no phase timings, so what is known is given and the rest
//! collapses onto it as for a reused connection: the DNS, connect and request times are
//! `fetchStart`, `responseStart` is `responseEnd`. A response of another origin (no
//! Timing-Allow-Origin is read) shows only `startTime`, `fetchStart` and `responseEnd`, as
//! the timing allow check says.

use crate::dom::performanceentry::PerformanceEntry;
use crate::dom::prelude::*;

/// What a resource's entry shows, in milliseconds since the time origin.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceTiming {
    pub initiator_type: &'static str,
    pub next_hop_protocol: &'static str,
    pub worker_start: f64,
    pub fetch_start: f64,
    pub request_start: f64,
    pub response_start: f64,
    pub response_end: f64,
    pub transfer_size: u64,
    pub encoded_body_size: u64,
    pub decoded_body_size: u64,
    pub response_status: u16,
}

#[derive(Trace)]
#[repr(C)]
pub struct PerformanceResourceTiming {
    entry: PerformanceEntry,
    #[no_trace]
    timing: ResourceTiming,
}

impl PerformanceResourceTiming {
    /// The resource timing part of an entry of another type (a navigation's), starting at
    /// `start_time`.
    pub fn new_inherited(
        name: String,
        entry_type: &'static str,
        start_time: f64,
        timing: ResourceTiming,
    ) -> PerformanceResourceTiming {
        let duration = timing.response_end - start_time;
        PerformanceResourceTiming {
            entry: PerformanceEntry::new_inherited(name, entry_type, start_time, duration),
            timing,
        }
    }

    /// Its members for toJSON (the entry's and every attribute of this interface).
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn json_object(
        &self,
        cx: &mut JSContext,
    ) -> crate::dom::bindings::conversions::RootedObject {
        use crate::dom::bindings::conversions::{define_member, new_plain_object};
        let t = &self.timing;
        let object = new_plain_object(cx);
        self.entry.add_json_members(cx, &object);
        define_member(cx, &object, "initiatorType", &t.initiator_type);
        define_member(cx, &object, "nextHopProtocol", &t.next_hop_protocol);
        let zero = 0.0f64;
        let times = [
            ("workerStart", &t.worker_start),
            ("redirectStart", &zero),
            ("redirectEnd", &zero),
            ("fetchStart", &t.fetch_start),
            ("domainLookupStart", &t.request_start),
            ("domainLookupEnd", &t.request_start),
            ("connectStart", &t.request_start),
            ("connectEnd", &t.request_start),
            ("secureConnectionStart", &zero),
            ("requestStart", &t.request_start),
            ("responseStart", &t.response_start),
            ("responseEnd", &t.response_end),
        ];
        for (name, value) in times {
            define_member(cx, &object, name, value);
        }
        define_member(cx, &object, "transferSize", &(t.transfer_size as f64));
        define_member(
            cx,
            &object,
            "encodedBodySize",
            &(t.encoded_body_size as f64),
        );
        define_member(
            cx,
            &object,
            "decodedBodySize",
            &(t.decoded_body_size as f64),
        );
        define_member(cx, &object, "responseStatus", &t.response_status);
        object
    }

    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        name: String,
        timing: ResourceTiming,
    ) -> DomRoot<PerformanceResourceTiming> {
        let start = timing.fetch_start;
        PerformanceResourceTimingBinding::Wrap(
            cx,
            global,
            None,
            Box::new(PerformanceResourceTiming::new_inherited(
                name, "resource", start, timing,
            )),
        )
    }
}

/// The getters of the timing's fields: each returns its field as it is.
macro_rules! timing_getters {
    ($($getter:ident => $field:ident: $ty:ty),* $(,)?) => {
        $(
            fn $getter(&self, _cx: &mut JSContext) -> $ty {
                self.timing.$field.into()
            }
        )*
    };
}

impl PerformanceResourceTimingMethods for PerformanceResourceTiming {
    timing_getters!(
        InitiatorType => initiator_type: DOMString,
        NextHopProtocol => next_hop_protocol: DOMString,
        WorkerStart => worker_start: f64,
        FetchStart => fetch_start: f64,
        DomainLookupStart => request_start: f64,
        DomainLookupEnd => request_start: f64,
        ConnectStart => request_start: f64,
        ConnectEnd => request_start: f64,
        RequestStart => request_start: f64,
        ResponseStart => response_start: f64,
        ResponseEnd => response_end: f64,
        TransferSize => transfer_size: u64,
        EncodedBodySize => encoded_body_size: u64,
        DecodedBodySize => decoded_body_size: u64,
        ResponseStatus => response_status: u16,
    );
    /// No redirects are timed (each hop is not reported), and no TLS handshake is.
    fn RedirectStart(&self, _cx: &mut JSContext) -> f64 {
        0.0
    }
    fn RedirectEnd(&self, _cx: &mut JSContext) -> f64 {
        0.0
    }
    fn SecureConnectionStart(&self, _cx: &mut JSContext) -> f64 {
        0.0
    }
    /// The entry's members and every attribute of this interface.
    fn ToJSON(&self, cx: &mut JSContext) -> *mut JSObject {
        // SAFETY: called from a binding native in this realm.
        unsafe { self.json_object(cx).get() }
    }
}

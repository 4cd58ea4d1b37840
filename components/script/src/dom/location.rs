//! Location (https://html.spec.whatwg.org/#the-location-interface), read-only in bgsync:
//! a page does not navigate.

use url::Url;

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct Location {
    reflector: Reflector,
}

impl Location {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<Location> {
        LocationBinding::Wrap(
            cx,
            global,
            None,
            Box::new(Location {
                reflector: Reflector::new(),
            }),
        )
    }

    fn url(&self) -> Url {
        self.global().url().clone()
    }
}

impl LocationMethods for Location {
    fn Href(&self, _cx: &mut JSContext) -> DOMString {
        self.url().to_string()
    }
    fn SetHref(&self, _cx: &mut JSContext, _value: DOMString) -> Fallible<()> {
        Err(Error::not_supported(
            "bgsync does not navigate: location.href cannot be set.",
        ))
    }
    crate::location_url_getters!();
}

/// The read-only URL-part getters shared by Location and WorkerLocation; `self.url()` gives
/// the URL.
#[macro_export]
macro_rules! location_url_getters {
    () => {
        fn Origin(&self, _cx: &mut JSContext) -> DOMString {
            self.url().origin().ascii_serialization()
        }
        fn Protocol(&self, _cx: &mut JSContext) -> DOMString {
            format!("{}:", self.url().scheme())
        }
        fn Host(&self, _cx: &mut JSContext) -> DOMString {
            self.url()[url::Position::BeforeHost..url::Position::AfterPort].to_string()
        }
        fn Hostname(&self, _cx: &mut JSContext) -> DOMString {
            self.url().host_str().unwrap_or("").to_string()
        }
        fn Port(&self, _cx: &mut JSContext) -> DOMString {
            self.url().port().map(|p| p.to_string()).unwrap_or_default()
        }
        fn Pathname(&self, _cx: &mut JSContext) -> DOMString {
            self.url().path().to_string()
        }
        fn Search(&self, _cx: &mut JSContext) -> DOMString {
            match self.url().query() {
                Some(q) if !q.is_empty() => format!("?{q}"),
                _ => String::new(),
            }
        }
        fn Hash(&self, _cx: &mut JSContext) -> DOMString {
            match self.url().fragment() {
                Some(f) if !f.is_empty() => format!("#{f}"),
                _ => String::new(),
            }
        }
    };
}

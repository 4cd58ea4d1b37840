//! Location (https://html.spec.whatwg.org/#the-location-interface): a frame's navigates the
//! frame; a top-level page does not load another document in bgsync, but navigates to a
//! fragment of its own (a new session history entry and `hashchange`).

use url::{Position, Url};

use crate::dom::history::Handling;
use crate::dom::htmliframeelement::{HTMLIFrameElement, Kind};
use crate::dom::prelude::*;
use crate::dom::window::Window;

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

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#location-object-navigate>:
    /// `url` is parsed against the URL of the calling script's window (as the spec's entry
    /// settings object; the frame's own when it navigates itself). A URL that differs from
    /// the document's only in a fragment is a same-document navigation, in a page or a frame;
    /// another document loads only in a frame (its `<iframe>` loads it after the calling
    /// script). `what` names the call in errors; a reload may name the current URL with its
    /// fragment.
    fn navigate(&self, cx: &mut JSContext, url: &str, what: &str, kind: Kind) -> Fallible<()> {
        let current = self.url();
        let base = crate::dom::window::incumbent_window(cx)
            .map(|window| window.global_scope().url().clone())
            .unwrap_or_else(|| current.clone());
        let target = base.join(url).map_err(|_| {
            Error::syntax(format!(
                "Failed to {what} 'Location': '{url}' is not a valid URL."
            ))
        })?;
        let same_document = target[..Position::AfterQuery] == current[..Position::AfterQuery];
        if kind != Kind::Reload && target.fragment().is_some() && same_document {
            if let Some(window) = self.window() {
                let handling = if kind == Kind::Replace {
                    Handling::Replace
                } else {
                    Handling::Push
                };
                crate::dom::history::navigate_to_fragment(cx, &window, target, handling);
            }
            return Ok(());
        }
        let Some(frame) = HTMLIFrameElement::of_global(self.global()) else {
            return Err(Error::not_supported(format!(
                "Failed to {what} 'Location': bgsync does not navigate a top-level page."
            )));
        };
        frame.navigate(target, base, kind);
        Ok(())
    }

    fn window(&self) -> Option<DomRoot<Window>> {
        self.global()
            .upcast_event_target()
            .downcast::<Window>()
            .map(DomRoot::from_ref)
    }
}

impl LocationMethods for Location {
    fn Href(&self, _cx: &mut JSContext) -> DOMString {
        self.url().to_string()
    }
    fn SetHref(&self, cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        self.navigate(cx, &value, "set the 'href' property on", Kind::Normal)
    }
    fn Assign(&self, cx: &mut JSContext, url: DOMString) -> Fallible<()> {
        self.navigate(cx, &url, "execute 'assign' on", Kind::Normal)
    }
    fn Replace(&self, cx: &mut JSContext, url: DOMString) -> Fallible<()> {
        self.navigate(cx, &url, "execute 'replace' on", Kind::Replace)
    }
    fn Reload(&self, cx: &mut JSContext) -> Fallible<()> {
        let url = self.url().to_string();
        self.navigate(cx, &url, "execute 'reload' on", Kind::Reload)
    }
    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#dom-location-hash>
    fn SetHash(&self, cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        let current = self.url();
        let mut target = current.clone();
        target.set_fragment(Some(value.strip_prefix('#').unwrap_or(&value)));
        if target.fragment() == current.fragment() {
            return Ok(());
        }
        self.navigate(
            cx,
            target.as_str(),
            "set the 'hash' property on",
            Kind::Normal,
        )
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

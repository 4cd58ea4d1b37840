//! Location (https://html.spec.whatwg.org/#the-location-interface): a frame's navigates the
//! frame; a top-level page does not navigate in bgsync.

use url::{Position, Url};

use crate::dom::htmliframeelement::HTMLIFrameElement;
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

    /// <https://html.spec.whatwg.org/multipage/nav-history-apis.html#location-object-navigate>
    /// for a frame's window: its `<iframe>` loads `url`, parsed against the URL of the
    /// calling script's window (as the spec's entry settings object; the frame's own when it
    /// navigates itself), after the calling script. `what` names the call in errors; a
    /// `reload` may name the current URL with its fragment.
    fn navigate(&self, cx: &JSContext, url: &str, what: &str, reload: bool) -> Fallible<()> {
        let current = self.url();
        let base = crate::dom::window::incumbent_window(cx)
            .map(|window| window.global_scope().url().clone())
            .unwrap_or_else(|| current.clone());
        let target = base.join(url).map_err(|_| {
            Error::syntax(format!(
                "Failed to {what} 'Location': '{url}' is not a valid URL."
            ))
        })?;
        let Some(frame) = HTMLIFrameElement::of_global(self.global()) else {
            return Err(Error::not_supported(format!(
                "Failed to {what} 'Location': bgsync does not navigate a top-level page."
            )));
        };
        let same_document = target[..Position::AfterQuery] == current[..Position::AfterQuery];
        if !reload && target.fragment().is_some() && same_document {
            return Err(Error::not_supported(format!(
                "Failed to {what} 'Location': navigation to a fragment of the same document is \
                 not supported yet."
            )));
        }
        frame.navigate(target, base, reload);
        Ok(())
    }
}

impl LocationMethods for Location {
    fn Href(&self, _cx: &mut JSContext) -> DOMString {
        self.url().to_string()
    }
    fn SetHref(&self, cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        self.navigate(cx, &value, "set the 'href' property on", false)
    }
    fn Assign(&self, cx: &mut JSContext, url: DOMString) -> Fallible<()> {
        self.navigate(cx, &url, "execute 'assign' on", false)
    }
    fn Replace(&self, cx: &mut JSContext, url: DOMString) -> Fallible<()> {
        // No session history: replacing is navigating.
        self.navigate(cx, &url, "execute 'replace' on", false)
    }
    fn Reload(&self, cx: &mut JSContext) -> Fallible<()> {
        let url = self.url().to_string();
        self.navigate(cx, &url, "execute 'reload' on", true)
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

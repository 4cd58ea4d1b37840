//! URL (https://url.spec.whatwg.org/#url-class), backed by the `url` crate.

use std::cell::RefCell;

use url::{quirks, Url};

use crate::dom::blob::Blob;
use crate::dom::prelude::*;
use crate::dom::urlsearchparams::URLSearchParams;

#[derive(Trace)]
#[repr(C)]
pub struct URL {
    reflector: Reflector,
    #[no_trace]
    url: RefCell<Url>,
    search_params: MutNullableDom<URLSearchParams>,
}

fn parse(url: &str, base: Option<&str>) -> Result<Url, String> {
    let base = match base {
        Some(base) => {
            Some(Url::parse(base).map_err(|e| format!("Invalid base URL '{base}': {e}"))?)
        }
        None => None,
    };
    Url::options()
        .base_url(base.as_ref())
        .parse(url)
        .map_err(|e| format!("Invalid URL '{url}': {e}"))
}

impl URL {
    fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        url: Url,
    ) -> DomRoot<URL> {
        let object = URLBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(URL {
                reflector: Reflector::new(),
                url: RefCell::new(url),
                search_params: MutNullableDom::default(),
            }),
        );
        let params = URLSearchParams::new(cx, global, None, Some(&object));
        object.search_params.set(Some(&params));
        object
    }

    pub fn url(&self) -> Url {
        self.url.borrow().clone()
    }

    /// Called by the URLSearchParams of this URL when it changes (its "update steps").
    pub fn set_query_from_params(&self, serialized: &str) {
        let mut url = self.url.borrow_mut();
        if serialized.is_empty() {
            url.set_query(None);
        } else {
            url.set_query(Some(serialized));
        }
    }

    fn refresh_params(&self) {
        if let Some(params) = self.search_params.get() {
            params.set_list_from_query(self.url.borrow().query().unwrap_or(""));
        }
    }

    fn with_url(&self, f: impl FnOnce(&mut Url)) {
        f(&mut self.url.borrow_mut());
        self.refresh_params();
    }
}

impl URLMethods for URL {
    /// <https://url.spec.whatwg.org/#dom-url-url>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        url: DOMString,
        base: Option<DOMString>,
    ) -> Fallible<DomRoot<URL>> {
        let parsed = parse(&url, base.as_deref()).map_err(Error::Type)?;
        Ok(URL::new(cx, global, proto, parsed))
    }
    fn Parse(
        cx: &mut JSContext,
        global: &GlobalScope,
        url: DOMString,
        base: Option<DOMString>,
    ) -> Option<DomRoot<URL>> {
        parse(&url, base.as_deref())
            .ok()
            .map(|u| URL::new(cx, global, None, u))
    }
    /// <https://w3c.github.io/FileAPI/#dfn-createObjectURL>: the URL lives until revoked or
    /// until this global ends.
    fn CreateObjectURL(_cx: &mut JSContext, global: &GlobalScope, obj: &Blob) -> DOMString {
        let url = crate::blob_urls::add(
            &global.origin(),
            crate::blob_urls::BlobEntry {
                bytes: obj.shared_bytes(),
                type_: obj.type_().to_owned(),
            },
        );
        global.keep_blob_url(url.clone());
        url
    }

    /// <https://w3c.github.io/FileAPI/#dfn-revokeObjectURL>
    fn RevokeObjectURL(_cx: &mut JSContext, global: &GlobalScope, url: DOMString) {
        // Only a URL of this global's origin (https://w3c.github.io/FileAPI/#revoke-url).
        let Ok(parsed) = url::Url::parse(&url) else {
            return;
        };
        if parsed.scheme() == "blob" && parsed.origin() == global.origin() {
            crate::blob_urls::revoke(&url);
        }
    }

    fn CanParse(
        _cx: &mut JSContext,
        _global: &GlobalScope,
        url: DOMString,
        base: Option<DOMString>,
    ) -> bool {
        parse(&url, base.as_deref()).is_ok()
    }
    fn Href(&self, _cx: &mut JSContext) -> DOMString {
        quirks::href(&self.url.borrow()).to_string()
    }
    /// <https://url.spec.whatwg.org/#dom-url-href>
    fn SetHref(&self, _cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        let parsed =
            Url::parse(&value).map_err(|e| Error::Type(format!("Invalid URL '{value}': {e}")))?;
        *self.url.borrow_mut() = parsed;
        self.refresh_params();
        Ok(())
    }
    fn Origin(&self, _cx: &mut JSContext) -> DOMString {
        quirks::origin(&self.url.borrow())
    }
    fn Protocol(&self, _cx: &mut JSContext) -> DOMString {
        quirks::protocol(&self.url.borrow()).to_string()
    }
    fn SetProtocol(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_protocol(u, &value);
        });
    }
    fn Username(&self, _cx: &mut JSContext) -> DOMString {
        quirks::username(&self.url.borrow()).to_string()
    }
    fn SetUsername(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_username(u, &value);
        });
    }
    fn Password(&self, _cx: &mut JSContext) -> DOMString {
        quirks::password(&self.url.borrow()).to_string()
    }
    fn SetPassword(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_password(u, &value);
        });
    }
    fn Host(&self, _cx: &mut JSContext) -> DOMString {
        quirks::host(&self.url.borrow()).to_string()
    }
    fn SetHost(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_host(u, &value);
        });
    }
    fn Hostname(&self, _cx: &mut JSContext) -> DOMString {
        quirks::hostname(&self.url.borrow()).to_string()
    }
    fn SetHostname(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_hostname(u, &value);
        });
    }
    fn Port(&self, _cx: &mut JSContext) -> DOMString {
        quirks::port(&self.url.borrow()).to_string()
    }
    fn SetPort(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| {
            let _ = quirks::set_port(u, &value);
        });
    }
    fn Pathname(&self, _cx: &mut JSContext) -> DOMString {
        quirks::pathname(&self.url.borrow()).to_string()
    }
    fn SetPathname(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| quirks::set_pathname(u, &value));
    }
    fn Search(&self, _cx: &mut JSContext) -> DOMString {
        quirks::search(&self.url.borrow()).to_string()
    }
    fn SetSearch(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| quirks::set_search(u, &value));
    }
    fn SearchParams(&self, cx: &mut JSContext) -> DomRoot<URLSearchParams> {
        self.search_params
            .or_init(|| URLSearchParams::new(cx, self.global(), None, Some(self)))
    }
    fn Hash(&self, _cx: &mut JSContext) -> DOMString {
        quirks::hash(&self.url.borrow()).to_string()
    }
    fn SetHash(&self, _cx: &mut JSContext, value: DOMString) {
        self.with_url(|u| quirks::set_hash(u, &value));
    }
    fn ToJSON(&self, _cx: &mut JSContext) -> DOMString {
        quirks::href(&self.url.borrow()).to_string()
    }
}

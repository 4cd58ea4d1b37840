//! HTMLImageElement (https://html.spec.whatwg.org/multipage/embedded-content.html#the-img-element)
//! and its legacy factory `Image(width, height)`.
//!
//! An `<img>` fetches its `src` whenever `src`, `srcset`, `crossorigin` or `referrerpolicy`
//! changes (by the parser, `setAttribute()` or the IDL attributes; connected or not), in a task
//! after the change ("update the image data"): destination `"image"`, `no-cors` without a
//! `crossorigin` attribute, `cors` with one, through the document's service worker first as any
//! subresource request. An `http:` image of a secure page is upgraded to `https:` (Mixed
//! Content), as Chromium does. The response body is probed (`crate::image_probe`): a format
//! bgsync knows with a whole header makes the image available, with that natural size, and
//! fires `load`; anything else (a network error, an unknown format, an empty body) makes it
//! broken and fires `error`. An opaque response's body counts, as it does for a page's image.
//! The HTTP status does not matter: a 404 whose body is an image loads, as in browsers.
//!
//! While its fetch is in flight, the image delays its document's `load` event. A later change
//! supersedes an earlier fetch, whose answer is dropped. `decode()` settles once the current
//! request has (EncodingError when broken). bgsync lays nothing out: `width` and `height` are
//! the content attributes when set, else the natural size.
//!
//! Not done: `srcset`/`sizes` selection and `<picture>` (the `src` is always the source),
//! `loading="lazy"` (every image loads eagerly), the list of available images (the same URL is
//! fetched again).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use url::Url;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::eventtarget::EventTarget;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::window::Window;
use crate::fetch::{Failure, FetchParams};

/// Where the image's current request stands
/// (https://html.spec.whatwg.org/multipage/images.html#img-req-state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No request (no `src`), or one not yet answered.
    Unavailable { fetching: bool },
    /// Fetched and probed: its natural size.
    Available { width: u32, height: u32 },
    /// A network error, or bytes that are no image.
    Broken,
}

#[derive(Trace)]
#[repr(C)]
pub struct HTMLImageElement {
    htmlelement: HTMLElement,
    /// Numbers the updates of the image data: an answer to an earlier one is dropped.
    generation: Cell<u64>,
    #[no_trace]
    state: Cell<State>,
    /// The URL of the current request (`currentSrc`).
    #[no_trace]
    current_url: RefCell<Option<Url>>,
    /// Its fetch delays its document's `load` event.
    delaying: Cell<bool>,
    /// The promises of `decode()` calls waiting for the current request.
    decodes: RefCell<Vec<Rc<Promise>>>,
}

/// The content attributes whose change updates the image data.
const SOURCE_ATTRIBUTES: [&str; 4] = ["src", "srcset", "crossorigin", "referrerpolicy"];

impl HTMLImageElement {
    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<HTMLImageElement> {
        HTMLImageElementBinding::Wrap(
            cx,
            document.global(),
            proto,
            Box::new(HTMLImageElement {
                htmlelement: HTMLElement::new_inherited(document, "img".into()),
                generation: Cell::new(0),
                state: Cell::new(State::Unavailable { fetching: false }),
                current_url: RefCell::new(None),
                delaying: Cell::new(false),
                decodes: RefCell::new(Vec::new()),
            }),
        )
    }

    fn element(&self) -> &Element {
        self.upcast::<Element>()
    }

    /// The attribute change steps: a change of a source attribute updates the image data.
    pub fn attribute_changed(&self, name: &str) {
        if !SOURCE_ATTRIBUTES.contains(&name) {
            return;
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        self.state.set(State::Unavailable { fetching: true });
        if !self.delaying.get() {
            if let Some(document) = self.upcast::<Node>().owner_doc() {
                self.delaying.set(document.delay_load());
            }
        }
        let image = DomRoot::from_ref(self);
        self.global()
            .event_loop()
            .queue_task(Box::new(move |cx| image.update_image_data(cx, generation)));
    }

    /// https://html.spec.whatwg.org/multipage/images.html#update-the-image-data, from the
    /// task of change `generation` (a later change has queued its own).
    fn update_image_data(&self, cx: &mut JSContext, generation: u64) {
        if generation != self.generation.get() {
            return;
        }
        let Some(src) = self.element().get_attribute("src") else {
            // No source: nothing to show, and nothing to say.
            *self.current_url.borrow_mut() = None;
            self.settle(cx, State::Unavailable { fetching: false }, None);
            return;
        };
        let url = if src.is_empty() {
            None
        } else {
            self.global().base_url().join(&src).ok()
        };
        *self.current_url.borrow_mut() = url.clone();
        let Some(url) = url else {
            // An empty or unparsable `src` is broken at once.
            self.settle(cx, State::Broken, Some("error"));
            return;
        };
        self.fetch(cx, url, generation);
    }

    /// Fetches the image for change `generation` and settles with what came back.
    fn fetch(&self, cx: &mut JSContext, url: Url, generation: u64) {
        let global = self.global();
        let cross_origin = self.element().get_attribute("crossorigin");
        let (mode, credentials) = match cross_origin.as_deref().map(str::to_ascii_lowercase) {
            None => ("no-cors", "include"),
            Some(value) if value == "use-credentials" => ("cors", "include"),
            Some(_) => ("cors", "same-origin"),
        };
        let headers = vec![(
            "Accept".to_owned(),
            "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8".to_owned(),
        )];
        let referrer_policy = self
            .element()
            .enumerated_attribute("referrerpolicy", &base::referrer::POLICIES, "", "")
            .to_owned();
        let params = FetchParams {
            url: url.clone(),
            method: "GET".to_owned(),
            headers: headers.clone(),
            body: None,
            redirect: RequestRedirect::Follow,
            mode: if mode == "cors" {
                RequestMode::Cors
            } else {
                RequestMode::NoCors
            },
            origin: global.origin().clone(),
            referrer: None,
            referrer_policy: String::new(),
            cache: net::CacheMode::Default,
            initiator_type: "img",
        };
        let mut data = script_traits::FetchRequestData::script(url, mode, credentials);
        data.destination = "image".to_owned();
        data.headers = headers;
        let policy = match referrer_policy.as_str() {
            "" => global.referrer_policy_or_default(),
            policy => policy,
        };
        data.details.referrer =
            base::referrer::determine(&global.referrer_source(), policy, &data.url);
        data.details.referrer_policy = referrer_policy;
        let image = DomRoot::from_ref(self);
        crate::fetch::start(
            cx,
            global,
            params,
            data,
            Box::new(move |cx, _global, result, _by_worker| {
                if generation == image.generation.get() {
                    image.settle_with_response(cx, result);
                }
            }),
        );
    }

    /// Probes what the fetch brought: available (`load`) or broken (`error`).
    fn settle_with_response(
        &self,
        cx: &mut JSContext,
        result: Result<crate::dom::response::ResponseParts, Failure>,
    ) {
        let probed = match &result {
            Ok(parts) => {
                let content_type = parts
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                    .map(|(_, value)| value.as_str());
                let body = match (&parts.body, &parts.hidden) {
                    (Some(body), _) => body.as_slice(),
                    (None, Some(hidden)) => hidden.body.as_slice(),
                    (None, None) => &[],
                };
                crate::image_probe::probe(body, content_type)
            }
            Err(failure) => {
                let url = self.current_url.borrow().clone();
                if let (Some(url), Failure::Network(reason)) = (url, failure) {
                    eprintln!("bgsync: image {url} failed to load: {reason}");
                }
                None
            }
        };
        match probed {
            Some(info) => self.settle(
                cx,
                State::Available {
                    width: info.width,
                    height: info.height,
                },
                Some("load"),
            ),
            None => self.settle(cx, State::Broken, Some("error")),
        }
    }

    /// The current request is done: its state, the `decode()` promises settled, the document's
    /// `load` event let go, and `event` fired.
    fn settle(&self, cx: &mut JSContext, state: State, event: Option<&str>) {
        self.state.set(state);
        let decodes = std::mem::take(&mut *self.decodes.borrow_mut());
        for promise in decodes {
            self.settle_decode(cx, &promise);
        }
        if let Some(event) = event {
            // SAFETY: tasks run in the realm of the element's global.
            unsafe { self.upcast::<EventTarget>().fire_event(cx, event) };
        }
        if self.delaying.replace(false) {
            if let Some(document) = self.upcast::<Node>().owner_doc() {
                document.stop_delaying_load();
            }
        }
    }

    /// Settles a `decode()` promise with the state of the current request, if it is done.
    fn settle_decode(&self, cx: &mut JSContext, promise: &Rc<Promise>) {
        // SAFETY: in the element's realm (a binding call, or a task of its global).
        unsafe {
            match self.state.get() {
                State::Available { .. } => promise.resolve(cx, &()),
                State::Unavailable { fetching: true } => {
                    self.decodes.borrow_mut().push(promise.clone())
                }
                State::Broken | State::Unavailable { fetching: false } => promise.reject_error(
                    cx,
                    self.global(),
                    Error::dom(
                        DOMErrorName::EncodingError,
                        "The source image cannot be decoded.",
                    ),
                ),
            }
        }
    }

    fn natural_size(&self) -> (u32, u32) {
        match self.state.get() {
            State::Available { width, height } => (width, height),
            _ => (0, 0),
        }
    }

    /// A dimension attribute (a non-negative integer), else the natural size's side.
    fn dimension(&self, name: &str, natural: u32) -> u32 {
        self.element()
            .get_attribute(name)
            .and_then(|value| parse_non_negative(&value))
            .unwrap_or(natural)
    }
}

/// https://html.spec.whatwg.org/multipage/common-microsyntaxes.html#rules-for-parsing-non-negative-integers
/// (leading digits after whitespace; values past `u32` are refused).
fn parse_non_negative(value: &str) -> Option<u32> {
    let value = value.trim_start_matches([' ', '\t', '\n', '\x0c', '\r']);
    let value = value.strip_prefix('+').unwrap_or(value);
    let digits: &str = &value[..value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len())];
    digits.parse().ok()
}

impl HTMLImageElementMethods for HTMLImageElement {
    /// `new Image(width, height)`: an `<img>` of the window's document, with those dimension
    /// attributes when given.
    fn Image(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        width: Option<u32>,
        height: Option<u32>,
    ) -> Fallible<DomRoot<HTMLImageElement>> {
        let document = global
            .upcast_event_target()
            .downcast::<Window>()
            .and_then(Window::document)
            .ok_or_else(|| Error::Type("Image: the window has no document".into()))?;
        let image = HTMLImageElement::new(cx, &document, proto);
        if let Some(width) = width {
            image.element().set_attribute("width", width.to_string());
        }
        if let Some(height) = height {
            image.element().set_attribute("height", height.to_string());
        }
        Ok(image)
    }
    fn Src(&self, _cx: &mut JSContext) -> DOMString {
        let src = self.element().get_attribute("src").unwrap_or_default();
        match self.global().base_url().join(&src) {
            Ok(url) if !src.is_empty() => url.to_string(),
            _ => src,
        }
    }
    fn SetSrc(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("src", value);
    }
    /// Reflects `crossorigin`, limited to the known values: `anonymous` (the invalid value
    /// default too) or `use-credentials`; null when absent.
    fn CrossOrigin(&self, _cx: &mut JSContext) -> Option<DOMString> {
        let element = self.element();
        let known = ["anonymous", "use-credentials"];
        (element.has_attribute("crossorigin")).then(|| {
            element
                .enumerated_attribute("crossorigin", &known, "", "anonymous")
                .into()
        })
    }
    fn SetCrossOrigin(&self, _cx: &mut JSContext, value: Option<DOMString>) {
        match value {
            Some(value) => self.element().set_attribute("crossorigin", value),
            None => self.element().remove_attribute("crossorigin"),
        }
    }
    fn Width(&self, _cx: &mut JSContext) -> u32 {
        self.dimension("width", self.natural_size().0)
    }
    fn SetWidth(&self, _cx: &mut JSContext, value: u32) {
        self.element().set_attribute("width", value.to_string());
    }
    fn Height(&self, _cx: &mut JSContext) -> u32 {
        self.dimension("height", self.natural_size().1)
    }
    fn SetHeight(&self, _cx: &mut JSContext, value: u32) {
        self.element().set_attribute("height", value.to_string());
    }
    fn NaturalWidth(&self, _cx: &mut JSContext) -> u32 {
        self.natural_size().0
    }
    fn NaturalHeight(&self, _cx: &mut JSContext) -> u32 {
        self.natural_size().1
    }
    /// https://html.spec.whatwg.org/multipage/embedded-content.html#dom-img-complete
    fn Complete(&self, _cx: &mut JSContext) -> bool {
        let src = self.element().get_attribute("src");
        let srcset = self.element().get_attribute("srcset");
        if src.is_none() && srcset.is_none() || src.as_deref() == Some("") && srcset.is_none() {
            return true;
        }
        !matches!(self.state.get(), State::Unavailable { fetching: true })
    }
    fn CurrentSrc(&self, _cx: &mut JSContext) -> DOMString {
        self.current_url
            .borrow()
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_default()
    }
    /// Reflects `referrerpolicy`, limited to the referrer policies (`""` otherwise).
    fn ReferrerPolicy(&self, _cx: &mut JSContext) -> DOMString {
        let known = base::referrer::POLICIES;
        self.element()
            .enumerated_attribute("referrerpolicy", &known, "", "")
            .into()
    }
    fn SetReferrerPolicy(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("referrerpolicy", value);
    }
    /// Reflects `decoding`, limited to `sync`, `async` and `auto` (the default).
    fn Decoding(&self, _cx: &mut JSContext) -> DOMString {
        let known = ["sync", "async", "auto"];
        self.element()
            .enumerated_attribute("decoding", &known, "auto", "auto")
            .into()
    }
    fn SetDecoding(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("decoding", value);
    }
    /// Reflects `loading`, limited to `lazy` and `eager` (the default).
    fn Loading(&self, _cx: &mut JSContext) -> DOMString {
        let known = ["lazy", "eager"];
        self.element()
            .enumerated_attribute("loading", &known, "eager", "eager")
            .into()
    }
    fn SetLoading(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("loading", value);
    }
    /// https://html.spec.whatwg.org/multipage/embedded-content.html#dom-img-decode
    fn Decode(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the element's realm.
        let promise = unsafe { Promise::new(cx) };
        self.settle_decode(cx, &promise);
        Ok(promise)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_non_negative;

    #[test]
    fn dimensions_parse_as_html_non_negative_integers() {
        assert_eq!(parse_non_negative("40"), Some(40));
        assert_eq!(parse_non_negative("  +12px"), Some(12));
        assert_eq!(parse_non_negative("-1"), None);
        assert_eq!(parse_non_negative("abc"), None);
        assert_eq!(parse_non_negative("99999999999"), None);
    }
}

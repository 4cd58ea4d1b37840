//! HTMLFormElement (https://html.spec.whatwg.org/multipage/forms.html#the-form-element): its
//! entry list (what `new FormData(form)` holds) and its submission
//! (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#form-submission-algorithm).
//!
//! The entry list is that of the form's `<input>` descendants (the only form controls
//! bgsync has). A submission navigates its target: the form's own frame, or a frame of the page
//! named by `target`, with GET (the entries as the URL's query) or POST (the entries encoded by
//! `enctype` as the body, which the frame's session history entry keeps for reloads and
//! traversals). A top-level page does not navigate in bgsync, nor does a new window open
//! (`_blank`, or a name no frame has): those submissions are dropped with a console warning.

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::formdata::FormData;
use crate::dom::globalscope::ConsoleLevel;
use crate::dom::history::PostData;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::htmliframeelement::{HTMLIFrameElement, Kind};
use crate::dom::htmlinputelement::HTMLInputElement;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::window::Window;

const URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
const TEXT_PLAIN: &str = "text/plain";

#[derive(Trace)]
#[repr(C)]
pub struct HTMLFormElement {
    htmlelement: HTMLElement,
}

impl HTMLFormElement {
    pub fn new(cx: &mut JSContext, document: &Document) -> DomRoot<HTMLFormElement> {
        HTMLFormElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLFormElement {
                htmlelement: HTMLElement::new_inherited(document, "form".into()),
            }),
        )
    }

    fn element(&self) -> &Element {
        self.upcast::<Element>()
    }

    /// The form owner of `node`: its nearest `<form>` ancestor.
    pub fn owner_of(node: &Node) -> Option<DomRoot<HTMLFormElement>> {
        let mut current = node.parent_node();
        while let Some(ancestor) = current {
            if let Some(form) = ancestor.downcast::<HTMLFormElement>() {
                return Some(DomRoot::from_ref(form));
            }
            current = ancestor.parent_node();
        }
        None
    }

    /// The form's `<input>`s, in tree order.
    fn inputs(&self) -> Vec<DomRoot<HTMLInputElement>> {
        self.upcast::<Node>()
            .inclusive_descendants()
            .iter()
            .filter_map(|node| node.downcast::<HTMLInputElement>().map(DomRoot::from_ref))
            .collect()
    }

    /// <https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#constructing-the-form-data-set>,
    /// for `<input>`s and no submitter.
    pub fn entry_list(&self) -> Vec<(String, String)> {
        let mut entries = Vec::new();
        for input in self.inputs() {
            let element = input.upcast::<Element>();
            let kind = input.input_type();
            let name = element.get_attribute("name").unwrap_or_default();
            // Step 5.1: disabled controls, buttons that are not the submitter, unchecked
            // checkboxes and radios, and nameless controls add nothing.
            if element.has_attribute("disabled")
                || matches!(
                    kind.as_str(),
                    "submit" | "image" | "reset" | "button" | "file"
                )
                || (matches!(kind.as_str(), "checkbox" | "radio") && !input.checkedness())
                || name.is_empty()
            {
                continue;
            }
            // Step 5.9: a hidden `_charset_` control sends the encoding.
            if kind == "hidden" && name.eq_ignore_ascii_case("_charset_") {
                entries.push((name, "UTF-8".to_owned()));
                continue;
            }
            entries.push((name, input.value()));
        }
        entries
    }

    fn document(&self) -> Option<DomRoot<Document>> {
        self.upcast::<Node>().owner_doc()
    }

    /// The action URL: the attribute parsed against the document's URL, the document's URL
    /// when it is empty.
    fn action_url(&self) -> Option<url::Url> {
        let document = self.document()?;
        let base = document.url().clone();
        let action = self.element().get_attribute("action").unwrap_or_default();
        if action.is_empty() {
            return Some(base);
        }
        base.join(&action).ok()
    }

    /// An enumerated attribute's keyword: `value`'s if it is one of `keywords`, else the
    /// first (the missing and invalid value default).
    fn keyword(&self, name: &str, keywords: &[&'static str]) -> &'static str {
        self.element()
            .enumerated_attribute(name, keywords, keywords[0], keywords[0])
    }

    fn method(&self) -> &'static str {
        self.keyword("method", &["get", "post", "dialog"])
    }

    fn enctype(&self) -> &'static str {
        self.keyword("enctype", &[URLENCODED, MULTIPART, TEXT_PLAIN])
    }

    /// The window a submission to `target` navigates: `_self` (or none) the form's own,
    /// `_parent`, `_top`, or the frame of the page with that name (the first in tree order).
    fn target_window(window: &Window, target: &str) -> Option<DomRoot<Window>> {
        match target.to_ascii_lowercase().as_str() {
            "" | "_self" => Some(DomRoot::from_ref(window)),
            "_parent" => Some(
                window
                    .parent_window()
                    .unwrap_or_else(|| DomRoot::from_ref(window)),
            ),
            "_top" => Some(window.top_window()),
            "_blank" => None,
            _ => window
                .top_window()
                .descendant_frames()
                .into_iter()
                .find(|frame| {
                    frame
                        .frame_element()
                        .and_then(|element| element.get_attribute("name"))
                        .is_some_and(|name| name == target)
                }),
        }
    }

    /// The encoded body of `entries` for `enctype`, and its Content-Type.
    fn encode(&self, cx: &mut JSContext, entries: &[(String, String)], enctype: &str) -> PostData {
        match enctype {
            MULTIPART => {
                let form = FormData::new(cx, self.global(), None);
                for (name, value) in entries {
                    form.append_text(name, value);
                }
                let (body, content_type) = form.encode_multipart();
                PostData { body, content_type }
            }
            TEXT_PLAIN => {
                let body: String = entries
                    .iter()
                    .map(|(name, value)| format!("{name}={value}\r\n"))
                    .collect();
                PostData {
                    body: body.into_bytes(),
                    content_type: TEXT_PLAIN.to_owned(),
                }
            }
            _ => PostData {
                body: urlencoded(entries).into_bytes(),
                content_type: URLENCODED.to_owned(),
            },
        }
    }

    fn warn(&self, message: &str) {
        self.global().console().message(
            ConsoleLevel::Warn,
            &format!("A form was not submitted: {message}"),
        );
    }

    /// <https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#concept-form-submit>
    fn submit(&self, cx: &mut JSContext, from_method: bool) {
        // Steps 1-6: a connected form of a fully active document.
        if !self.upcast::<Node>().is_connected() {
            return;
        }
        let Some(window) = self.document().and_then(|document| document.window()) else {
            return;
        };
        // Step 7 (requestSubmit()): the `submit` event, which a listener may cancel.
        if !from_method {
            let event = Event::new(cx, self.global(), "submit", true, true);
            event.set_trusted(true);
            // SAFETY: bindings and tasks call in the form's realm.
            let proceed = unsafe { self.upcast::<EventTarget>().dispatch_event(cx, &event) };
            if !proceed {
                return;
            }
        }
        // Steps 9-12: the entries, the action and the method.
        let entries = self.entry_list();
        let Some(mut action) = self.action_url() else {
            return self.warn("its action is not a valid URL.");
        };
        let method = self.method();
        if method == "dialog" {
            return self.warn("method 'dialog' needs a <dialog>, which bgsync does not have.");
        }
        // Steps 18-19: the target navigable.
        let target = self.element().get_attribute("target").unwrap_or_default();
        let Some(target_window) = Self::target_window(&window, &target) else {
            return self.warn(&format!(
                "its target '{target}' is a new window, which bgsync does not open."
            ));
        };
        let Some(frame) = HTMLIFrameElement::of_global(target_window.global_scope()) else {
            return self.warn("it would navigate a top-level page, which bgsync does not do.");
        };
        if !matches!(action.scheme(), "http" | "https" | "file" | "data") {
            return self.warn(&format!(
                "its action's scheme '{}' is not one bgsync submits to.",
                action.scheme()
            ));
        }
        // Steps 23-24: mutate the action URL, or submit as entity body.
        let post = if method == "get" {
            action.set_query(Some(&urlencoded(&entries)));
            None
        } else {
            Some(self.encode(cx, &entries, self.enctype()))
        };
        let source = window.global_scope().url().clone();
        frame.navigate_with(action, source, Kind::Normal, post);
    }
}

/// The application/x-www-form-urlencoded serializer
/// (https://url.spec.whatwg.org/#concept-urlencoded-serializer).
fn urlencoded(entries: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(entries.iter())
        .finish()
}

impl HTMLFormElementMethods for HTMLFormElement {
    /// <https://html.spec.whatwg.org/multipage/forms.html#dom-fs-action>
    fn Action(&self, _cx: &mut JSContext) -> DOMString {
        match self.action_url() {
            Some(url) => url.to_string(),
            None => self.element().get_attribute("action").unwrap_or_default(),
        }
    }
    fn SetAction(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("action", value);
    }
    fn Enctype(&self, _cx: &mut JSContext) -> DOMString {
        self.enctype().to_owned()
    }
    fn SetEnctype(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("enctype", value);
    }
    fn Encoding(&self, cx: &mut JSContext) -> DOMString {
        self.Enctype(cx)
    }
    fn SetEncoding(&self, cx: &mut JSContext, value: DOMString) {
        self.SetEnctype(cx, value)
    }
    fn Method(&self, _cx: &mut JSContext) -> DOMString {
        self.method().to_owned()
    }
    fn SetMethod(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("method", value);
    }

    /// <https://html.spec.whatwg.org/multipage/forms.html#dom-form-submit>: no `submit`
    /// event, no validation.
    fn Submit(&self, cx: &mut JSContext) {
        self.submit(cx, true);
    }

    /// <https://html.spec.whatwg.org/multipage/forms.html#dom-form-requestsubmit>: the
    /// `submit` event first. bgsync has no submit buttons, so a submitter is a TypeError.
    fn RequestSubmit(&self, cx: &mut JSContext, submitter: Option<&HTMLElement>) -> Fallible<()> {
        if submitter.is_some() {
            return Err(Error::Type(
                "Failed to execute 'requestSubmit' on 'HTMLFormElement': The specified element \
                 is not a submit button."
                    .into(),
            ));
        }
        self.submit(cx, false);
        Ok(())
    }

    /// <https://html.spec.whatwg.org/multipage/forms.html#dom-form-reset>
    fn Reset(&self, cx: &mut JSContext) {
        let event = Event::new(cx, self.global(), "reset", true, true);
        event.set_trusted(true);
        // SAFETY: bindings call in the form's realm.
        if unsafe { self.upcast::<EventTarget>().dispatch_event(cx, &event) } {
            for input in self.inputs() {
                input.reset();
            }
        }
    }
}

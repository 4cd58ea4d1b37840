//! HTMLInputElement (https://html.spec.whatwg.org/multipage/input.html#the-input-element): the
//! value and checkedness a form submits, each with its dirty flag.

use std::cell::{Cell, RefCell};

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::htmlformelement::HTMLFormElement;
use crate::dom::node::Node;
use crate::dom::prelude::*;

/// The `type` keywords (https://html.spec.whatwg.org/multipage/input.html#attr-input-type).
const TYPES: &[&str] = &[
    "hidden",
    "text",
    "search",
    "tel",
    "url",
    "email",
    "password",
    "date",
    "month",
    "week",
    "time",
    "datetime-local",
    "number",
    "range",
    "color",
    "checkbox",
    "radio",
    "file",
    "submit",
    "image",
    "reset",
    "button",
];

#[derive(Trace)]
#[repr(C)]
pub struct HTMLInputElement {
    htmlelement: HTMLElement,
    /// The value the user or a script gave (the dirty value flag is its being set).
    value: RefCell<Option<String>>,
    /// The checkedness a script gave (the dirty checkedness flag is its being set).
    checked: Cell<Option<bool>>,
}

impl HTMLInputElement {
    pub fn new(cx: &mut JSContext, document: &Document) -> DomRoot<HTMLInputElement> {
        HTMLInputElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLInputElement {
                htmlelement: HTMLElement::new_inherited(document, "input".into()),
                value: RefCell::new(None),
                checked: Cell::new(None),
            }),
        )
    }

    fn element(&self) -> &Element {
        self.upcast::<Element>()
    }

    /// The state of its `type` attribute (`text` when absent or unknown).
    pub fn input_type(&self) -> String {
        let value = self
            .element()
            .get_attribute("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if TYPES.contains(&value.as_str()) {
            value
        } else {
            "text".to_owned()
        }
    }

    /// Its value for the form data set (the `value` IDL attribute's).
    pub fn value(&self) -> String {
        if let Some(value) = self.value.borrow().clone() {
            return value;
        }
        let attribute = self.element().get_attribute("value");
        match self.input_type().as_str() {
            // Mode "default/on".
            "checkbox" | "radio" => attribute.unwrap_or_else(|| "on".to_owned()),
            _ => attribute.unwrap_or_default(),
        }
    }

    pub fn checkedness(&self) -> bool {
        self.checked
            .get()
            .unwrap_or_else(|| self.element().has_attribute("checked"))
    }

    /// The reset algorithm: the dirty flags go.
    pub fn reset(&self) {
        *self.value.borrow_mut() = None;
        self.checked.set(None);
    }
}

impl HTMLInputElementMethods for HTMLInputElement {
    fn Checked(&self, _cx: &mut JSContext) -> bool {
        self.checkedness()
    }
    fn SetChecked(&self, _cx: &mut JSContext, value: bool) {
        self.checked.set(Some(value));
    }
    /// <https://html.spec.whatwg.org/multipage/forms.html#dom-fae-form>: the nearest `<form>`
    /// ancestor (no `form` content attribute yet).
    fn Form(&self, _cx: &mut JSContext) -> Option<DomRoot<HTMLFormElement>> {
        HTMLFormElement::owner_of(self.upcast::<Node>())
    }
    fn Type(&self, _cx: &mut JSContext) -> DOMString {
        self.input_type()
    }
    fn SetType(&self, _cx: &mut JSContext, value: DOMString) {
        self.element().set_attribute("type", value);
    }
    fn Value(&self, _cx: &mut JSContext) -> DOMString {
        self.value()
    }
    /// <https://html.spec.whatwg.org/multipage/input.html#dom-input-value>: mode "value" for
    /// text-like types, "default" and "default/on" (the content attribute) for the others.
    fn SetValue(&self, _cx: &mut JSContext, value: DOMString) {
        match self.input_type().as_str() {
            "checkbox" | "radio" | "hidden" | "submit" | "image" | "reset" | "button" => {
                self.element().set_attribute("value", value)
            }
            _ => *self.value.borrow_mut() = Some(value),
        }
    }
}

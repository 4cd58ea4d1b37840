//! HTMLElement (https://html.spec.whatwg.org/multipage/dom.html#htmlelement).

use crate::dom::document::Document;
use crate::dom::element::{Element, HTML_NAMESPACE};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct HTMLElement {
    element: Element,
}

impl HTMLElement {
    pub fn new_inherited(document: &Document, local_name: String) -> HTMLElement {
        HTMLElement {
            element: Element::new_inherited(
                document,
                local_name,
                Some(HTML_NAMESPACE.into()),
                None,
            ),
        }
    }

    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        local_name: String,
    ) -> DomRoot<HTMLElement> {
        HTMLElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLElement::new_inherited(document, local_name)),
        )
    }
}

impl HTMLElementMethods for HTMLElement {
    fn Title(&self, _cx: &mut JSContext) -> DOMString {
        self.element.get_attribute("title").unwrap_or_default()
    }
    fn SetTitle(&self, _cx: &mut JSContext, value: DOMString) {
        self.element.set_attribute("title", value);
    }
    fn Lang(&self, _cx: &mut JSContext) -> DOMString {
        self.element.get_attribute("lang").unwrap_or_default()
    }
    fn SetLang(&self, _cx: &mut JSContext, value: DOMString) {
        self.element.set_attribute("lang", value);
    }
    fn Hidden(&self, _cx: &mut JSContext) -> bool {
        self.element.has_attribute("hidden")
    }
    fn SetHidden(&self, _cx: &mut JSContext, value: bool) {
        if value {
            self.element.set_attribute("hidden", String::new());
        } else {
            self.element.remove_attribute("hidden");
        }
    }
}

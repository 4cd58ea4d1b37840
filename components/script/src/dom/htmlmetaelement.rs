//! HTMLMetaElement (https://html.spec.whatwg.org/multipage/semantics.html#the-meta-element): its
//! IDL attributes reflect the content attributes; bgsync acts on no `<meta>` itself.

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct HTMLMetaElement {
    htmlelement: HTMLElement,
}

impl HTMLMetaElement {
    pub fn new(cx: &mut JSContext, document: &Document) -> DomRoot<HTMLMetaElement> {
        HTMLMetaElementBinding::Wrap(
            cx,
            document.global(),
            None,
            Box::new(HTMLMetaElement {
                htmlelement: HTMLElement::new_inherited(document, "meta".into()),
            }),
        )
    }

    fn reflected(&self, name: &str) -> DOMString {
        self.upcast::<Element>()
            .get_attribute(name)
            .unwrap_or_default()
    }

    fn reflect(&self, name: &str, value: DOMString) {
        self.upcast::<Element>().set_attribute(name, value);
    }
}

impl HTMLMetaElementMethods for HTMLMetaElement {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.reflected("name")
    }
    fn SetName(&self, _cx: &mut JSContext, value: DOMString) {
        self.reflect("name", value)
    }
    fn HttpEquiv(&self, _cx: &mut JSContext) -> DOMString {
        self.reflected("http-equiv")
    }
    fn SetHttpEquiv(&self, _cx: &mut JSContext, value: DOMString) {
        self.reflect("http-equiv", value)
    }
    fn Content(&self, _cx: &mut JSContext) -> DOMString {
        self.reflected("content")
    }
    fn SetContent(&self, _cx: &mut JSContext, value: DOMString) {
        self.reflect("content", value)
    }
    fn Media(&self, _cx: &mut JSContext) -> DOMString {
        self.reflected("media")
    }
    fn SetMedia(&self, _cx: &mut JSContext, value: DOMString) {
        self.reflect("media", value)
    }
}

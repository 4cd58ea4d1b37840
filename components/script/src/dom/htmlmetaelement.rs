//! HTMLMetaElement (https://html.spec.whatwg.org/multipage/semantics.html#the-meta-element): its
//! IDL attributes reflect the content attributes; bgsync acts on no `<meta>` itself.

use crate::dom::document::Document;
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
}

// Every attribute is `[Reflect]`: the generated trait implements them.
impl HTMLMetaElementMethods for HTMLMetaElement {}

//! HTMLElement (https://html.spec.whatwg.org/multipage/dom.html#htmlelement).

use crate::dom::cssstyledeclaration::CSSStyleDeclaration;
use crate::dom::document::Document;
use crate::dom::element::{Element, HTML_NAMESPACE};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct HTMLElement {
    element: Element,
    /// `style`, made when first asked for.
    style: MutNullableDom<CSSStyleDeclaration>,
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
            style: MutNullableDom::default(),
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
    /// <https://drafts.csswg.org/cssom/#dom-elementcssinlinestyle-style>
    fn Style(&self, cx: &mut JSContext) -> DomRoot<CSSStyleDeclaration> {
        self.style
            .or_init(|| CSSStyleDeclaration::new(cx, self.element.global(), &self.element))
    }
}

//! HTMLMetaElement (https://html.spec.whatwg.org/multipage/semantics.html#the-meta-element): its
//! IDL attributes reflect the content attributes. bgsync acts on one `<meta>`: `name="referrer"`
//! sets its document's referrer policy when it is inserted
//! (https://html.spec.whatwg.org/multipage/semantics.html#meta-referrer).

use crate::dom::document::Document;
use crate::dom::element::Element;
use crate::dom::htmlelement::HTMLElement;
use crate::dom::node::Node;
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

impl HTMLMetaElement {
    /// The insertion steps: a `<meta name="referrer">` with a policy (or one of the legacy
    /// names `never`, `default`, `always`, `origin-when-crossorigin`) sets its document's
    /// referrer policy.
    pub fn on_connected(&self) {
        let element = self.upcast::<Element>();
        let is_referrer = element
            .get_attribute("name")
            .is_some_and(|name| name.eq_ignore_ascii_case("referrer"));
        let Some(content) = element.get_attribute("content").filter(|_| is_referrer) else {
            return;
        };
        let value = content.to_ascii_lowercase();
        let policy = match value.as_str() {
            "never" => Some("no-referrer"),
            "default" => Some(base::referrer::DEFAULT_POLICY),
            "always" => Some("unsafe-url"),
            "origin-when-crossorigin" => Some("origin-when-cross-origin"),
            value => base::referrer::parse_header(value).filter(|policy| *policy == value),
        };
        if let Some(document) = self.upcast::<Node>().owner_doc() {
            document.global().set_referrer_policy(policy);
        }
    }
}

// Every attribute is `[Reflect]`: the generated trait implements them.
impl HTMLMetaElementMethods for HTMLMetaElement {}

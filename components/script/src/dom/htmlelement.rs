//! HTMLElement (https://html.spec.whatwg.org/multipage/dom.html#htmlelement).

use mozjs::jsapi::JSTracer;

use crate::dom::bindings::prelude::*;
use crate::dom::document::Document;
use crate::dom::element::{Element, HTML_NAMESPACE};
use crate::dom::eventtarget::{EventHandlerValue, EventTarget};

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
    fn Title(&self, _cx: &mut JSContext) -> Fallible<DOMString> {
        Ok(self.element.get_attribute("title").unwrap_or_default())
    }
    fn SetTitle(&self, _cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        self.element.set_attribute("title", value);
        Ok(())
    }
    fn Lang(&self, _cx: &mut JSContext) -> Fallible<DOMString> {
        Ok(self.element.get_attribute("lang").unwrap_or_default())
    }
    fn SetLang(&self, _cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        self.element.set_attribute("lang", value);
        Ok(())
    }
    fn Hidden(&self, _cx: &mut JSContext) -> Fallible<bool> {
        Ok(self.element.has_attribute("hidden"))
    }
    fn SetHidden(&self, _cx: &mut JSContext, value: bool) -> Fallible<()> {
        if value {
            self.element.set_attribute("hidden", String::new());
        } else {
            self.element.remove_attribute("hidden");
        }
        Ok(())
    }
    fn Onload(&self, _cx: &mut JSContext) -> Fallible<Option<Rc<EventHandlerNonNull>>> {
        Ok(self
            .upcast::<EventTarget>()
            .get_handler_attribute(_cx, "load"))
    }
    fn SetOnload(
        &self,
        _cx: &mut JSContext,
        value: Option<Rc<EventHandlerNonNull>>,
    ) -> Fallible<()> {
        self.upcast::<EventTarget>()
            .set_handler_attribute("load", value);
        Ok(())
    }
    fn Onerror(&self, _cx: &mut JSContext) -> Fallible<Option<Rc<OnErrorEventHandlerNonNull>>> {
        Ok(
            match self.upcast::<EventTarget>().get_event_handler(_cx, "error") {
                Some(EventHandlerValue::OnError(h)) => Some(h),
                _ => None,
            },
        )
    }
    fn SetOnerror(
        &self,
        _cx: &mut JSContext,
        value: Option<Rc<OnErrorEventHandlerNonNull>>,
    ) -> Fallible<()> {
        self.upcast::<EventTarget>()
            .set_event_handler("error", value.map(EventHandlerValue::OnError));
        Ok(())
    }
}

// SAFETY: traces its Element part.
unsafe impl Trace for HTMLElement {
    unsafe fn trace(&self, trc: *mut JSTracer) {
        self.element.trace(trc);
    }
}

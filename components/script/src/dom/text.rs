//! Text (https://dom.spec.whatwg.org/#interface-text).

use crate::dom::characterdata::CharacterData;
use crate::dom::document::Document;
use crate::dom::node::Node;
use crate::dom::prelude::*;
use crate::dom::window::Window;

#[derive(Trace)]
#[repr(C)]
pub struct Text {
    characterdata: CharacterData,
}

impl Text {
    pub fn new(cx: &mut JSContext, document: &Document, data: String) -> DomRoot<Text> {
        Self::new_with_proto(cx, document, None, data)
    }

    fn new_with_proto(
        cx: &mut JSContext,
        document: &Document,
        proto: Option<HandleObject<'_>>,
        data: String,
    ) -> DomRoot<Text> {
        TextBinding::Wrap(
            cx,
            document.global(),
            proto,
            Box::new(Text {
                characterdata: CharacterData::new_inherited(document, data),
            }),
        )
    }
}

impl TextMethods for Text {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        data: DOMString,
    ) -> Fallible<DomRoot<Text>> {
        let document = window_document(global)?;
        Ok(Text::new_with_proto(cx, &document, proto, data))
    }
    /// <https://dom.spec.whatwg.org/#dom-text-wholetext>
    fn WholeText(&self, _cx: &mut JSContext) -> DOMString {
        let node = self.upcast::<Node>();
        let Some(parent) = node.parent_node() else {
            return self.characterdata.data();
        };
        // The contiguous run of Text siblings around this one.
        let children = parent.children();
        let index = children
            .iter()
            .position(|c| std::ptr::eq(&**c, node))
            .unwrap_or(0);
        let mut start = index;
        while start > 0 && children[start - 1].is::<Text>() {
            start -= 1;
        }
        let mut out = String::new();
        for child in &children[start..] {
            match child.downcast::<Text>() {
                Some(text) => out.push_str(&text.characterdata.data()),
                None => break,
            }
        }
        out
    }
}

/// The document of a window global, for constructors of nodes.
pub fn window_document(global: &GlobalScope) -> Fallible<DomRoot<Document>> {
    global
        .upcast_event_target()
        .downcast::<Window>()
        .and_then(|w| w.document())
        .ok_or_else(|| Error::invalid_state("This global has no document."))
}

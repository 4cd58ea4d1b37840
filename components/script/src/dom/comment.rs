//! Comment (https://dom.spec.whatwg.org/#interface-comment).

use crate::dom::characterdata::CharacterData;
use crate::dom::document::Document;
use crate::dom::prelude::*;
use crate::dom::text::window_document;

#[derive(Trace)]
#[repr(C)]
pub struct Comment {
    characterdata: CharacterData,
}

impl Comment {
    pub fn new(
        cx: &mut JSContext,
        document: &Document,
        proto: Option<HandleObject<'_>>,
        data: String,
    ) -> DomRoot<Comment> {
        CommentBinding::Wrap(
            cx,
            document.global(),
            proto,
            Box::new(Comment {
                characterdata: CharacterData::new_inherited(document, data),
            }),
        )
    }
}

impl CommentMethods for Comment {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        data: DOMString,
    ) -> Fallible<DomRoot<Comment>> {
        let document = window_document(global)?;
        Ok(Comment::new(cx, &document, proto, data))
    }
}

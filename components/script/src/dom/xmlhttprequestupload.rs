//! XMLHttpRequestUpload (https://xhr.spec.whatwg.org/#xmlhttprequestupload): where an
//! XMLHttpRequest reports the sending of its request body (`xhr.upload`).

use crate::dom::prelude::*;
use crate::dom::xmlhttprequesteventtarget::XMLHttpRequestEventTarget;

#[derive(Trace)]
#[repr(C)]
pub struct XMLHttpRequestUpload {
    target: XMLHttpRequestEventTarget,
}

impl XMLHttpRequestUpload {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<XMLHttpRequestUpload> {
        XMLHttpRequestUploadBinding::Wrap(
            cx,
            global,
            None,
            Box::new(XMLHttpRequestUpload {
                target: XMLHttpRequestEventTarget::new_inherited(),
            }),
        )
    }
}

impl XMLHttpRequestUploadMethods for XMLHttpRequestUpload {}

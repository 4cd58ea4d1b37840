//! File (https://w3c.github.io/FileAPI/#file-section): a Blob with a name and a modification
//! time; what FormData holds for a Blob value.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::dom::blob::{bytes_of_parts, normalized_type, Blob};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct File {
    blob: Blob,
    name: String,
    last_modified: i64,
}

/// Now, in milliseconds since the Unix epoch (a File's default `lastModified`).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl File {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        bytes: Vec<u8>,
        type_: String,
        name: String,
        last_modified: Option<i64>,
    ) -> DomRoot<File> {
        FileBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(File {
                blob: Blob::new_inherited(bytes, type_),
                name,
                last_modified: last_modified.unwrap_or_else(now_ms),
            }),
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl FileMethods for File {
    /// <https://w3c.github.io/FileAPI/#file-constructor>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        file_bits: Vec<BufferSourceOrBlobOrUSVString>,
        file_name: DOMString,
        options: &FilePropertyBag,
    ) -> DomRoot<File> {
        let bytes = bytes_of_parts(file_bits, options.parent.endings);
        File::new(
            cx,
            global,
            proto,
            bytes,
            normalized_type(&options.parent.type_),
            file_name,
            options.last_modified,
        )
    }
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name.clone()
    }
    fn LastModified(&self, _cx: &mut JSContext) -> i64 {
        self.last_modified
    }
}

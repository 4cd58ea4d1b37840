//! IDBCursorWithValue (https://w3c.github.io/IndexedDB/#idbcursorwithvalue): a cursor of
//! `openCursor()`, with the record's value.

use crate::dom::idbcursor::{CursorSource, IDBCursor};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBCursorWithValue {
    cursor: IDBCursor,
}

impl IDBCursorWithValue {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        source: CursorSource<'_>,
    ) -> DomRoot<IDBCursorWithValue> {
        IDBCursorWithValueBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBCursorWithValue {
                cursor: IDBCursor::new_inherited(source),
            }),
        )
    }
}

impl IDBCursorWithValueMethods for IDBCursorWithValue {
    fn Value(&self, cx: &mut JSContext) -> JSVal {
        // SAFETY: a binding's getter runs in a realm.
        unsafe { self.cursor.value(cx) }
    }
}

//! IDBRecord (https://w3c.github.io/IndexedDB/#record-interface): one record of a
//! `getAllRecords()` answer, with its key, primary key and value.

use mozjs::jsapi::Heap;

use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBRecord {
    reflector: Reflector,
    key: Heap<JSVal>,
    primary_key: Heap<JSVal>,
    value: Heap<JSVal>,
}

impl IDBRecord {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        key: HandleValue<'_>,
        primary_key: HandleValue<'_>,
        value: HandleValue<'_>,
    ) -> DomRoot<IDBRecord> {
        let record = IDBRecordBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBRecord {
                reflector: Reflector::new(),
                key: Heap::default(),
                primary_key: Heap::default(),
                value: Heap::default(),
            }),
        );
        // From the caller's roots: making the record may collect and move them.
        record.key.set(key.get());
        record.primary_key.set(primary_key.get());
        record.value.set(value.get());
        record
    }
}

impl IDBRecordMethods for IDBRecord {
    fn Key(&self, _cx: &mut JSContext) -> JSVal {
        self.key.get()
    }
    fn PrimaryKey(&self, _cx: &mut JSContext) -> JSVal {
        self.primary_key.get()
    }
    fn Value(&self, _cx: &mut JSContext) -> JSVal {
        self.value.get()
    }
}

//! IDBOpenDBRequest (https://w3c.github.io/IndexedDB/#idbopendbrequest): `indexedDB.open()`
//! and `deleteDatabase()`, with `blocked` and `upgradeneeded`.

use crate::dom::idbrequest::{IDBRequest, ResultKind};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBOpenDBRequest {
    request: IDBRequest,
    /// The numbers of the connection and its upgrade transaction, if it opens one.
    #[no_trace]
    connection: u64,
    #[no_trace]
    upgrade: u64,
}

impl IDBOpenDBRequest {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        connection: u64,
        upgrade: u64,
    ) -> DomRoot<IDBOpenDBRequest> {
        IDBOpenDBRequestBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBOpenDBRequest {
                request: IDBRequest::new_inherited(ResultKind::Open),
                connection,
                upgrade,
            }),
        )
    }

    pub fn connection(&self) -> u64 {
        self.connection
    }

    pub fn upgrade(&self) -> u64 {
        self.upgrade
    }
}

impl IDBOpenDBRequestMethods for IDBOpenDBRequest {}

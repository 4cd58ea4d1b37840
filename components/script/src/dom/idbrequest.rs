//! IDBRequest (https://w3c.github.io/IndexedDB/#request-api): the result of one asynchronous
//! request, delivered by a `success` or `error` event.

use std::cell::Cell;

use mozjs::jsapi::Heap;

use crate::dom::domexception::{DOMErrorName, DOMException};
use crate::dom::eventtarget::EventTarget;
use crate::dom::idbcursor::IDBCursor;
use crate::dom::idbindex::IDBIndex;
use crate::dom::idbobjectstore::IDBObjectStore;
use crate::dom::idbtransaction::IDBTransaction;
use crate::dom::prelude::*;

/// How a request's answer becomes its `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// `put`/`add`: the record's key.
    Key,
    /// `get`: the first record's value, or undefined.
    Value,
    /// `getAll`: every value.
    Values,
    /// `getKey`: the first record's primary key, or undefined.
    PrimaryKey,
    /// `getAllKeys`: every primary key.
    PrimaryKeys,
    /// `getAllRecords`: an IDBRecord for each record.
    Records,
    /// `count`.
    Count,
    /// `delete`, `clear`.
    Undefined,
    /// `open`, `deleteDatabase`.
    Open,
    /// `openCursor`, `openKeyCursor` and the cursor's steps: the cursor, or null at the end.
    Cursor,
}

#[derive(Trace)]
#[repr(C)]
pub struct IDBRequest {
    eventtarget: EventTarget,
    result: Heap<JSVal>,
    /// The array a streamed `getAll()`/`getAllKeys()` answer is being built in (undefined
    /// until its first records come), and how many it holds: it becomes the result with the
    /// answer.
    records_ahead: Heap<JSVal>,
    #[no_trace]
    records_ahead_len: Cell<u32>,
    error: MutNullableDom<DOMException>,
    done: Cell<bool>,
    transaction: MutNullableDom<IDBTransaction>,
    source_store: MutNullableDom<IDBObjectStore>,
    source_index: MutNullableDom<IDBIndex>,
    source_cursor: MutNullableDom<IDBCursor>,
    /// The cursor this request opened (its steps are answered here).
    cursor: MutNullableDom<IDBCursor>,
    #[no_trace]
    kind: ResultKind,
}

impl IDBRequest {
    pub fn new_inherited(kind: ResultKind) -> IDBRequest {
        IDBRequest {
            eventtarget: EventTarget::new_inherited(),
            result: Heap::default(),
            records_ahead: Heap::default(),
            records_ahead_len: Cell::new(0),
            error: MutNullableDom::default(),
            done: Cell::new(false),
            transaction: MutNullableDom::default(),
            source_store: MutNullableDom::default(),
            source_index: MutNullableDom::default(),
            source_cursor: MutNullableDom::default(),
            cursor: MutNullableDom::default(),
            kind,
        }
    }

    /// A request of `transaction` on a store (`index` `None`) or an index.
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        transaction: &IDBTransaction,
        store: &IDBObjectStore,
        index: Option<&IDBIndex>,
        kind: ResultKind,
    ) -> DomRoot<IDBRequest> {
        let request =
            IDBRequestBinding::Wrap(cx, global, None, Box::new(IDBRequest::new_inherited(kind)));
        request.transaction.set(Some(transaction));
        match index {
            Some(index) => request.source_index.set(Some(index)),
            None => request.source_store.set(Some(store)),
        }
        request
    }

    /// A request whose source is `cursor` (`update()`, `delete()`).
    pub fn for_cursor(
        cx: &mut JSContext,
        global: &GlobalScope,
        transaction: &IDBTransaction,
        cursor: &IDBCursor,
        kind: ResultKind,
    ) -> DomRoot<IDBRequest> {
        let request =
            IDBRequestBinding::Wrap(cx, global, None, Box::new(IDBRequest::new_inherited(kind)));
        request.transaction.set(Some(transaction));
        request.source_cursor.set(Some(cursor));
        request
    }

    pub(crate) fn set_cursor(&self, cursor: &IDBCursor) {
        self.cursor.set(Some(cursor));
    }

    pub fn cursor(&self) -> Option<DomRoot<IDBCursor>> {
        self.cursor.get()
    }

    /// A cursor's next step reuses its request: pending again.
    pub(crate) fn restart(&self) {
        self.done.set(false);
        self.error.set(None);
    }

    pub fn kind(&self) -> ResultKind {
        self.kind
    }

    pub fn transaction(&self) -> Option<DomRoot<IDBTransaction>> {
        self.transaction.get()
    }

    pub(crate) fn set_transaction(&self, transaction: Option<&IDBTransaction>) {
        self.transaction.set(transaction);
    }

    /// The store the request reads, directly or through an index.
    pub fn store(&self) -> Option<DomRoot<IDBObjectStore>> {
        self.source_store
            .get()
            .or_else(|| self.source_index.get().map(|index| index.object_store()))
            .or_else(|| self.source_cursor.get().map(|cursor| cursor.object_store()))
    }

    pub fn through_index(&self) -> bool {
        self.source_index.get().is_some()
    }

    /// The request is done with `result`.
    pub(crate) fn succeed(&self, result: JSVal) {
        self.done.set(true);
        self.error.set(None);
        self.result.set(result);
    }

    /// The array being built for a streamed answer (undefined if none yet), and its length.
    pub(crate) fn records_ahead(&self) -> (JSVal, u32) {
        (self.records_ahead.get(), self.records_ahead_len.get())
    }

    pub(crate) fn set_records_ahead(&self, array: JSVal, length: u32) {
        self.records_ahead.set(array);
        self.records_ahead_len.set(length);
    }

    /// The request is done with `error`; its result is undefined.
    pub(crate) fn fail(&self, error: &DOMException) {
        self.done.set(true);
        self.set_records_ahead(mozjs::jsval::UndefinedValue(), 0);
        self.result.set(mozjs::jsval::UndefinedValue());
        self.error.set(Some(error));
    }

    pub fn error(&self) -> Option<DomRoot<DOMException>> {
        self.error.get()
    }
}

fn not_done() -> Error {
    Error::dom(
        DOMErrorName::InvalidStateError,
        "The request has not finished.",
    )
}

impl IDBRequestMethods for IDBRequest {
    fn Result(&self, _cx: &mut JSContext) -> Fallible<JSVal> {
        if !self.done.get() {
            return Err(not_done());
        }
        Ok(self.result.get())
    }
    fn Error(&self, _cx: &mut JSContext) -> Fallible<Option<DomRoot<DOMException>>> {
        if !self.done.get() {
            return Err(not_done());
        }
        Ok(self.error.get())
    }
    fn Source(&self, _cx: &mut JSContext) -> Option<IDBObjectStoreOrIDBIndexOrIDBCursor> {
        if let Some(cursor) = self.source_cursor.get() {
            return Some(IDBObjectStoreOrIDBIndexOrIDBCursor::IDBCursor(cursor));
        }
        if let Some(index) = self.source_index.get() {
            return Some(IDBObjectStoreOrIDBIndexOrIDBCursor::IDBIndex(index));
        }
        self.source_store
            .get()
            .map(IDBObjectStoreOrIDBIndexOrIDBCursor::IDBObjectStore)
    }
    fn Transaction(&self, _cx: &mut JSContext) -> Option<DomRoot<IDBTransaction>> {
        self.transaction.get()
    }
    fn ReadyState(&self, _cx: &mut JSContext) -> IDBRequestReadyState {
        if self.done.get() {
            IDBRequestReadyState::Done
        } else {
            IDBRequestReadyState::Pending
        }
    }
}

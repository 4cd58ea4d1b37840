//! IDBCursor (https://w3c.github.io/IndexedDB/#cursor-interface): a position in a store or an
//! index, moved one request at a time. Each step is a request of the transaction that the
//! backend answers with the next record (a seek from the current position, so a cursor holds
//! nothing open between steps); the answer comes back on the request that opened the cursor.
//! In a readonly transaction (where nothing can change the records before it ends) the
//! backend also reads ahead, more with each step, and later steps are answered from there,
//! still one task each, without a round trip.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use indexeddb_traits::{
    CursorDirection, CursorPosition, IdbError, Key, KeyRange, Operation, Outcome, Record,
    TransactionMode,
};
use mozjs::jsapi::Heap;
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::structuredclone::deserialize;
use crate::dom::domexception::DOMErrorName;
use crate::dom::idbindex::IDBIndex;
use crate::dom::idbkeys::{inject_key, key_to_value, value_to_key};
use crate::dom::idbobjectstore::IDBObjectStore;
use crate::dom::idbrequest::{IDBRequest, ResultKind};
use crate::dom::idbtransaction::{Placed, TransactionState};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBCursor {
    reflector: Reflector,
    store: Dom<IDBObjectStore>,
    index: Option<Dom<IDBIndex>>,
    #[no_trace]
    direction: CursorDirection,
    #[no_trace]
    range: KeyRange,
    key_only: bool,
    request: MutNullableDom<IDBRequest>,
    /// The current record's key and primary key; `None` before the first step.
    #[no_trace]
    position: RefCell<Option<(Key, Key)>>,
    key: Heap<JSVal>,
    primary_key: Heap<JSVal>,
    value: Heap<JSVal>,
    /// The current record's value as stored, not deserialized until script reads `value`
    /// (then `value` holds it): a walk that reads only keys, or only some values, does not
    /// build the others. Browsers do the same.
    #[no_trace]
    unread_value: RefCell<Option<Vec<u8>>>,
    /// A record is there and no step was asked since: `continue()` and friends may be called.
    got_value: Cell<bool>,
    /// Records after the current one, read ahead by the backend (readonly transactions only:
    /// nothing can change them before the transaction ends).
    #[no_trace]
    read_ahead: RefCell<VecDeque<Record>>,
    /// The read-ahead ends where the cursor's range does.
    end_known: Cell<bool>,
    /// How many records the step on its way to the backend asked for (0: none on its way).
    asked: Cell<u32>,
    /// Steps and read-aheads the backend answered so far (the read-ahead grows with them).
    fetches: Cell<u32>,
    /// Bumped when a step goes to the backend and drops what was read ahead: a read-ahead
    /// asked before is ignored when it comes.
    generation: Cell<u64>,
    /// How many records the read-ahead on its way asked for (0: none on its way).
    reading_ahead: Cell<u32>,
    /// A step (of this many records) waits on the read-ahead on its way (0: none).
    waiting: Cell<u32>,
}

/// How many records a step asks for, by the steps answered before it: one for `openCursor()`
/// and the first `continue()`, then more and more for a cursor walked to its end.
const READ_AHEAD: [u32; 5] = [1, 1, 16, 64, 256];

/// A read-ahead asks for fewer records when they are large: about this many bytes.
const READ_AHEAD_BYTES: usize = 1 << 20;

/// What a cursor is opened on.
pub struct CursorSource<'a> {
    pub store: &'a IDBObjectStore,
    pub index: Option<&'a IDBIndex>,
    pub direction: CursorDirection,
    pub range: KeyRange,
    pub key_only: bool,
}

impl IDBCursor {
    pub fn new_inherited(source: CursorSource<'_>) -> IDBCursor {
        IDBCursor {
            reflector: Reflector::new(),
            store: Dom::from_ref(source.store),
            index: source.index.map(Dom::from_ref),
            direction: source.direction,
            range: source.range,
            key_only: source.key_only,
            request: MutNullableDom::default(),
            position: RefCell::new(None),
            key: Heap::default(),
            primary_key: Heap::default(),
            value: Heap::default(),
            unread_value: RefCell::new(None),
            got_value: Cell::new(false),
            read_ahead: RefCell::new(VecDeque::new()),
            end_known: Cell::new(false),
            asked: Cell::new(0),
            fetches: Cell::new(0),
            generation: Cell::new(0),
            reading_ahead: Cell::new(0),
            waiting: Cell::new(0),
        }
    }

    /// A key cursor (`openKeyCursor`); `openCursor` makes an IDBCursorWithValue.
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        source: CursorSource<'_>,
    ) -> DomRoot<IDBCursor> {
        IDBCursorBinding::Wrap(cx, global, None, Box::new(IDBCursor::new_inherited(source)))
    }

    pub(crate) fn set_request(&self, request: &IDBRequest) {
        self.request.set(Some(request));
    }

    pub fn object_store(&self) -> DomRoot<IDBObjectStore> {
        DomRoot::from_ref(&self.store)
    }

    /// The current record's value, deserialized on the first read after each step.
    ///
    /// # Safety
    /// `cx` in a realm.
    pub unsafe fn value(&self, cx: &mut JSContext) -> JSVal {
        let Some(bytes) = self.unread_value.borrow_mut().take() else {
            return self.value.get();
        };
        rooted!(&in(cx) let mut value = UndefinedValue());
        if deserialize(cx, &bytes, value.handle_mut()).is_err() {
            value.set(UndefinedValue());
        } else if let Some(path) = self.store.generated_key_path() {
            if let Some((_, primary_key)) = &*self.position.borrow() {
                inject_key(cx, value.handle(), path, primary_key);
            }
        }
        self.value.set(value.get());
        value.get()
    }

    /// The operation of the step from `position`, `skip` records on, reading ahead in a
    /// readonly transaction.
    pub(crate) fn step(&self, position: CursorPosition, skip: u32) -> Operation {
        let read_only = self.store.transaction_ref().mode() == TransactionMode::ReadOnly;
        let count = if read_only {
            READ_AHEAD[(self.fetches.get() as usize).min(READ_AHEAD.len() - 1)]
        } else {
            1
        };
        self.asked.set(count);
        self.seek(position, skip, count)
    }

    /// The backend operation reading `count` records from `position`, `skip` records on.
    fn seek(&self, position: CursorPosition, skip: u32, count: u32) -> Operation {
        Operation::Cursor {
            source: self.store.source(self.index.as_deref()),
            range: self.range.clone(),
            direction: self.direction,
            position,
            skip,
            count,
        }
    }

    /// The next record (the first of `records`), or the end (none). From the backend, the
    /// others were read ahead; from the read-ahead, there is one.
    ///
    /// # Safety
    /// `cx` in the cursor's realm.
    pub(crate) unsafe fn moved(&self, cx: &mut JSContext, records: Vec<Record>) -> bool {
        let asked = self.asked.replace(0);
        let mut records = records.into_iter();
        let record = records.next();
        if asked > 0 {
            let rest: VecDeque<Record> = records.collect();
            self.end_known
                .set(record.is_none() || rest.len() + 1 < asked as usize);
            *self.read_ahead.borrow_mut() = rest;
            self.fetches.set(self.fetches.get() + 1);
        }
        let Some(record) = record else {
            *self.position.borrow_mut() = None;
            self.key.set(UndefinedValue());
            self.primary_key.set(UndefinedValue());
            self.value.set(UndefinedValue());
            *self.unread_value.borrow_mut() = None;
            return false;
        };
        rooted!(&in(cx) let mut value = UndefinedValue());
        key_to_value(cx, &record.key, value.handle_mut());
        self.key.set(value.get());
        key_to_value(cx, &record.primary_key, value.handle_mut());
        self.primary_key.set(value.get());
        if !self.key_only {
            self.value.set(UndefinedValue());
            *self.unread_value.borrow_mut() = Some(record.value);
        }
        *self.position.borrow_mut() = Some((record.key, record.primary_key));
        self.got_value.set(true);
        self.read_further();
        true
    }

    /// Whether a step of the cursor waits on its read-ahead of `generation`.
    pub(crate) fn waits_on(&self, generation: u64) -> bool {
        self.waiting.get() > 0 && self.generation.get() == generation
    }

    /// In a readonly transaction, once the cursor has been walked a few steps: asks for the
    /// records after those read ahead before they run out, so that the steps that need them
    /// find them here rather than waiting for the backend.
    fn read_further(&self) {
        let transaction = self.store.transaction_ref();
        if transaction.mode() != TransactionMode::ReadOnly
            || !matches!(
                transaction.state(),
                TransactionState::Active | TransactionState::Inactive
            )
            || self.end_known.get()
            || self.reading_ahead.get() > 0
            || self.fetches.get() < 2
        {
            return;
        }
        let batch = READ_AHEAD[(self.fetches.get() as usize).min(READ_AHEAD.len() - 1)];
        let (after, size) = {
            let read_ahead = self.read_ahead.borrow();
            if read_ahead.len() >= batch as usize {
                return;
            }
            match read_ahead.back() {
                Some(last) => (
                    (last.key.clone(), last.primary_key.clone()),
                    last.value.len(),
                ),
                None => match self.position.borrow().clone() {
                    Some(current) => (current, 0),
                    None => return,
                },
            }
        };
        let count = batch.min((READ_AHEAD_BYTES / size.max(1)).max(1) as u32);
        self.reading_ahead.set(count);
        let (key, primary_key) = after;
        transaction.place(
            Placed::ReadAhead(Dom::from_ref(self), self.generation.get()),
            self.seek(
                CursorPosition::After {
                    key,
                    primary_key: Some(primary_key),
                },
                0,
                count,
            ),
        );
    }

    /// The answer to the read-ahead of `generation`: kept, and if a step waited on it, that
    /// step's request and answer.
    pub(crate) fn read_ahead_arrived(
        &self,
        generation: u64,
        result: Result<Outcome, IdbError>,
    ) -> Option<(DomRoot<IDBRequest>, Result<Outcome, IdbError>)> {
        if generation != self.generation.get() {
            return None;
        }
        let asked = self.reading_ahead.replace(0);
        let waiting = self.waiting.replace(0);
        let result = result.map(|outcome| {
            if let Outcome::Cursor(records) = outcome {
                self.end_known
                    .set(self.end_known.get() || records.len() < asked as usize);
                self.fetches.set(self.fetches.get() + 1);
                self.read_ahead.borrow_mut().extend(records);
            }
            Outcome::Cursor(self.take_read_ahead(waiting))
        });
        if waiting == 0 {
            // Nobody waits: the next step that needs these records finds them, or (after
            // a failure) asks the backend itself.
            return None;
        }
        Some((self.request.get()?, result))
    }

    /// The record `count` on from what was read ahead (none: the end).
    fn take_read_ahead(&self, count: u32) -> Vec<Record> {
        let mut read_ahead = self.read_ahead.borrow_mut();
        if count == 0 {
            return Vec::new();
        }
        if read_ahead.len() >= count as usize {
            read_ahead.drain(..count as usize - 1);
            read_ahead.pop_front().into_iter().collect()
        } else {
            read_ahead.clear();
            Vec::new()
        }
    }

    /// The checks of every method that moves or writes, in the spec's order.
    fn check(&self) -> Fallible<()> {
        self.store.transaction_ref().check_active()?;
        self.store.exists()?;
        if let Some(index) = &self.index {
            index.exists()?;
        }
        if !self.got_value.get() {
            return Err(Error::invalid_state(
                "The cursor is moving or has reached its end.",
            ));
        }
        Ok(())
    }

    fn forward(&self) -> bool {
        matches!(
            self.direction,
            CursorDirection::Next | CursorDirection::NextUnique
        )
    }

    /// Places the cursor's next step on the request that opened it.
    fn iterate(&self, position: CursorPosition, skip: u32) {
        self.got_value.set(false);
        self.read_ahead.borrow_mut().clear();
        self.end_known.set(false);
        self.generation.set(self.generation.get() + 1);
        self.reading_ahead.set(0);
        self.waiting.set(0);
        let Some(request) = self.request.get() else {
            return;
        };
        request.restart();
        self.store.transaction().place(
            Placed::Request(Dom::from_ref(&*request)),
            self.step(position, skip),
        );
    }

    /// Moves `count` records on: from what was read ahead when it holds them (or the end)
    /// and no other request of the transaction is unanswered (answers come in the order
    /// requests were made); else, in the same case, once the read-ahead on its way comes if
    /// it will hold them; else by asking the backend.
    fn move_on(&self, count: u32) {
        let transaction = self.store.transaction_ref();
        let Some(request) = self.request.get() else {
            return;
        };
        if transaction.mode() == TransactionMode::ReadOnly && transaction.idle() {
            let available = self.read_ahead.borrow().len();
            if available >= count as usize || self.end_known.get() {
                let next = self.take_read_ahead(count);
                self.got_value.set(false);
                request.restart();
                transaction.answer_locally(
                    Placed::Request(Dom::from_ref(&*request)),
                    Outcome::Cursor(next),
                );
                return;
            }
            let coming = self.reading_ahead.get() as usize;
            if coming > 0 && available + coming >= count as usize {
                self.got_value.set(false);
                request.restart();
                self.waiting.set(count);
                return;
            }
        }
        self.iterate(self.after_current(), count - 1)
    }

    fn current(&self) -> (Key, Key) {
        self.position
            .borrow()
            .clone()
            .expect("a cursor with a value has a position")
    }

    fn after_current(&self) -> CursorPosition {
        let (key, primary_key) = self.current();
        CursorPosition::After {
            key,
            primary_key: Some(primary_key),
        }
    }
}

fn data_error(message: &str) -> Error {
    Error::dom(DOMErrorName::DataError, message.to_owned())
}

impl IDBCursorMethods for IDBCursor {
    fn Source(&self, _cx: &mut JSContext) -> IDBObjectStoreOrIDBIndex {
        match &self.index {
            Some(index) => IDBObjectStoreOrIDBIndex::IDBIndex(DomRoot::from_ref(&**index)),
            None => IDBObjectStoreOrIDBIndex::IDBObjectStore(DomRoot::from_ref(&*self.store)),
        }
    }
    fn Direction(&self, _cx: &mut JSContext) -> IDBCursorDirection {
        match self.direction {
            CursorDirection::Next => IDBCursorDirection::Next,
            CursorDirection::NextUnique => IDBCursorDirection::Nextunique,
            CursorDirection::Prev => IDBCursorDirection::Prev,
            CursorDirection::PrevUnique => IDBCursorDirection::Prevunique,
        }
    }
    fn Key(&self, _cx: &mut JSContext) -> JSVal {
        self.key.get()
    }
    fn PrimaryKey(&self, _cx: &mut JSContext) -> JSVal {
        self.primary_key.get()
    }
    fn Request(&self, _cx: &mut JSContext) -> DomRoot<IDBRequest> {
        self.request
            .get()
            .expect("a cursor is made with its request")
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbcursor-advance>
    fn Advance(&self, _cx: &mut JSContext, count: u32) -> Fallible<()> {
        if count == 0 {
            return Err(Error::Type("advance() needs a count above 0.".into()));
        }
        self.check()?;
        self.move_on(count);
        Ok(())
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbcursor-continue>
    fn Continue(&self, cx: &mut JSContext, key: Option<HandleValue<'_>>) -> Fallible<()> {
        self.check()?;
        let key = key.filter(|key| !key.get().is_undefined());
        let position = match key {
            None => {
                self.move_on(1);
                return Ok(());
            }
            Some(key) => {
                // SAFETY: bindings call in the object's realm with rooted arguments.
                let key = unsafe { value_to_key(cx, key)? };
                let (current, _) = self.current();
                if (self.forward() && key <= current) || (!self.forward() && key >= current) {
                    return Err(data_error(
                        "The key is not past the cursor's position in its direction.",
                    ));
                }
                CursorPosition::AtOrPast {
                    key,
                    primary_key: None,
                }
            }
        };
        self.iterate(position, 0);
        Ok(())
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbcursor-continueprimarykey>
    fn ContinuePrimaryKey(
        &self,
        cx: &mut JSContext,
        key: HandleValue<'_>,
        primary_key: HandleValue<'_>,
    ) -> Fallible<()> {
        self.store.transaction().check_active()?;
        self.store.schema()?;
        if self.index.is_none()
            || matches!(
                self.direction,
                CursorDirection::NextUnique | CursorDirection::PrevUnique
            )
        {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "continuePrimaryKey() needs an index cursor going next or prev.",
            ));
        }
        self.check()?;
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let (key, primary_key) =
            unsafe { (value_to_key(cx, key)?, value_to_key(cx, primary_key)?) };
        let current = self.current();
        let target = (key.clone(), primary_key.clone());
        if (self.forward() && target <= current) || (!self.forward() && target >= current) {
            return Err(data_error(
                "The key and primary key are not past the cursor's position in its direction.",
            ));
        }
        self.iterate(
            CursorPosition::AtOrPast {
                key,
                primary_key: Some(primary_key),
            },
            0,
        );
        Ok(())
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbcursor-update>
    fn Update(&self, cx: &mut JSContext, value: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        let transaction = self.store.transaction();
        transaction.check_active()?;
        transaction.check_writable()?;
        self.check()?;
        if self.key_only {
            return Err(Error::invalid_state("A key cursor has no value to update."));
        }
        let (_, primary_key) = self.current();
        self.store
            .write(cx, value, Some(primary_key), true, Some(self))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbcursor-delete>
    fn Delete(&self, cx: &mut JSContext) -> Fallible<DomRoot<IDBRequest>> {
        let transaction = self.store.transaction();
        transaction.check_active()?;
        transaction.check_writable()?;
        self.check()?;
        if self.key_only {
            return Err(Error::invalid_state("A key cursor cannot delete."));
        }
        let (_, primary_key) = self.current();
        let request =
            IDBRequest::for_cursor(cx, self.global(), &transaction, self, ResultKind::Undefined);
        transaction.place(
            Placed::Request(Dom::from_ref(&*request)),
            Operation::Delete {
                store: self.store.name(),
                range: KeyRange::only(primary_key),
            },
        );
        Ok(request)
    }
}

//! IDBTransaction (https://w3c.github.io/IndexedDB/#transaction): a global's side of a
//! transaction whose work the backend does.
//!
//! Its lifecycle is the spec's: active while the task that created it runs and while each of
//! its request callbacks runs (a microtask checkpoint runs inside, so promise code can place
//! requests across `await`), inactive otherwise; once it is inactive with no request
//! unanswered it asks the backend to commit. The backend's `Finished` ends it: `complete`, or
//! the requests' `error` events and `abort`.

use std::cell::{Cell, RefCell};

use indexeddb_traits::{
    DurabilityHint, IdbError, IdbErrorName, IdbMsg, Key, Operation, Outcome, Record,
    TransactionMode,
};
use mozjs::jsval::{DoubleValue, ObjectValue, UndefinedValue};
use mozjs::rooted;

use crate::dom::bindings::structuredclone::deserialize;
use crate::dom::domexception::{DOMErrorName, DOMException};
use crate::dom::domstringlist::DOMStringList;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::idbcursor::IDBCursor;
use crate::dom::idbdatabase::IDBDatabase;
use crate::dom::idbfactory::IDBFactory;
use crate::dom::idbkeys::{index_keys, inject_key, key_to_value};
use crate::dom::idbobjectstore::IDBObjectStore;
use crate::dom::idbrecord::IDBRecord;
use crate::dom::idbrequest::{IDBRequest, ResultKind};
use crate::dom::prelude::*;
use crate::event_loop::PendingWork;

/// <https://w3c.github.io/IndexedDB/#transaction-lifetime>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionState {
    Active,
    Inactive,
    Committing,
    Finished,
}

/// What an unanswered request of the transaction is.
#[derive(Trace)]
pub enum Placed {
    /// A script's request: its answer fires `success` or `error` at it.
    Request(Dom<IDBRequest>),
    /// A schema change (`createObjectStore`, ...): a failure aborts the transaction.
    Internal,
    /// `createIndex`: the answer holds the store's records, whose index keys are computed
    /// here (`store`, `index`) and sent back.
    IndexBuild(#[no_trace] String, #[no_trace] String),
    /// A cursor's read-ahead, asked before what it read ahead runs out (`u64`: the cursor's
    /// generation then). Its answer fires nothing, and it holds up nothing unless a step of
    /// the cursor waits on it.
    ReadAhead(Dom<IDBCursor>, #[no_trace] u64),
}

/// A transaction's unanswered requests by number. Numbers only grow and answers come mostly
/// in order, so they are kept in placing order: a lookup is a binary search, an answer leaves
/// a hole that is dropped once everything before it is answered (no hashing, and no large
/// table to free with a transaction of 10,000 requests).
#[derive(Default, Trace)]
pub struct PlacedRequests {
    entries: std::collections::VecDeque<(u64, Option<Placed>)>,
}

impl PlacedRequests {
    fn insert(&mut self, number: u64, placed: Placed) {
        debug_assert!(self.entries.back().is_none_or(|(last, _)| *last < number));
        self.entries.push_back((number, Some(placed)));
    }

    fn remove(&mut self, number: u64) -> Option<Placed> {
        let index = self
            .entries
            .binary_search_by_key(&number, |(n, _)| *n)
            .ok()?;
        let placed = self.entries[index].1.take();
        while self.entries.front().is_some_and(|(_, p)| p.is_none()) {
            self.entries.pop_front();
        }
        placed
    }

    fn get(&self, number: u64) -> Option<&Placed> {
        let index = self
            .entries
            .binary_search_by_key(&number, |(n, _)| *n)
            .ok()?;
        self.entries[index].1.as_ref()
    }

    fn values(&self) -> impl Iterator<Item = &Placed> {
        self.entries
            .iter()
            .filter_map(|(_, placed)| placed.as_ref())
    }

    /// Every unanswered request, in placing order.
    fn drain(&mut self) -> impl Iterator<Item = (u64, Placed)> {
        std::mem::take(&mut self.entries)
            .into_iter()
            .filter_map(|(number, placed)| Some((number, placed?)))
    }

    fn clear(&mut self) {
        self.entries.clear();
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct IDBTransaction {
    eventtarget: EventTarget,
    db: Dom<IDBDatabase>,
    number: u64,
    #[no_trace]
    mode: TransactionMode,
    #[no_trace]
    durability: DurabilityHint,
    scope: RefCell<Vec<String>>,
    #[no_trace]
    state: Cell<TransactionState>,
    /// `abort()` or a failure asked the backend to abort; answers still on their way are
    /// ignored.
    aborting: Cell<bool>,
    error: MutNullableDom<DOMException>,
    requests: RefCell<PlacedRequests>,
    stores: RefCell<Vec<Dom<IDBObjectStore>>>,
    /// A request callback is running: the microtask checkpoint inside it must not commit
    /// before the steps after the callback decide whether it aborts.
    in_callback: Cell<bool>,
    /// The database's version before an upgrade transaction, restored if it aborts.
    old_version: Cell<u64>,
    #[no_trace]
    keep_alive: RefCell<Option<PendingWork>>,
}

impl IDBTransaction {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        db: &IDBDatabase,
        number: u64,
        mode: TransactionMode,
        durability: DurabilityHint,
        mut scope: Vec<String>,
        old_version: u64,
    ) -> DomRoot<IDBTransaction> {
        scope.sort();
        scope.dedup();
        IDBTransactionBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBTransaction {
                eventtarget: EventTarget::new_inherited(),
                db: Dom::from_ref(db),
                number,
                mode,
                durability,
                scope: RefCell::new(scope),
                state: Cell::new(TransactionState::Active),
                aborting: Cell::new(false),
                in_callback: Cell::new(false),
                error: MutNullableDom::default(),
                requests: RefCell::new(PlacedRequests::default()),
                stores: RefCell::new(Vec::new()),
                old_version: Cell::new(old_version),
                keep_alive: RefCell::new(Some(global.event_loop().expect_remote_task())),
            }),
        )
    }

    pub fn number(&self) -> u64 {
        self.number
    }

    pub fn mode(&self) -> TransactionMode {
        self.mode
    }

    /// The connection, borrowed (the transaction keeps it alive) rather than rooted: for
    /// checks made at every request.
    pub(crate) fn connection(&self) -> &IDBDatabase {
        &self.db
    }

    pub fn db(&self) -> DomRoot<IDBDatabase> {
        DomRoot::from_ref(&self.db)
    }

    pub fn state(&self) -> TransactionState {
        self.state.get()
    }

    pub fn is_upgrade(&self) -> bool {
        self.mode == TransactionMode::VersionChange
    }

    pub fn in_scope(&self, store: &str) -> bool {
        self.is_upgrade() || self.scope.borrow().iter().any(|name| name == store)
    }

    /// A store created or renamed by the upgrade joins its scope.
    pub(crate) fn scope_changed(&self, names: Vec<String>) {
        *self.scope.borrow_mut() = names;
    }

    /// TransactionInactiveError unless requests may be placed now.
    pub fn check_active(&self) -> Fallible<()> {
        if self.state.get() != TransactionState::Active {
            return Err(Error::dom(
                DOMErrorName::TransactionInactiveError,
                "The transaction is not active.",
            ));
        }
        Ok(())
    }

    /// ReadOnlyError for a write in a readonly transaction.
    pub fn check_writable(&self) -> Fallible<()> {
        if self.mode == TransactionMode::ReadOnly {
            return Err(Error::dom(
                DOMErrorName::ReadOnlyError,
                "The transaction is read-only.",
            ));
        }
        Ok(())
    }

    fn factory(&self) -> Option<DomRoot<IDBFactory>> {
        self.global().indexeddb_factory()
    }

    /// Sends `operation` as the transaction's next request.
    pub(crate) fn place(&self, placed: Placed, operation: Operation) {
        let Some(factory) = self.factory() else {
            return;
        };
        let request = factory.next_number();
        self.requests.borrow_mut().insert(request, placed);
        factory.send(IdbMsg::Request {
            transaction: self.number,
            request,
            operation,
        });
    }

    /// Whether every request placed has been answered, but for cursors' read-aheads that no
    /// step waits on.
    pub fn idle(&self) -> bool {
        self.requests.borrow().values().all(|placed| match placed {
            Placed::ReadAhead(cursor, generation) => !cursor.waits_on(*generation),
            _ => false,
        })
    }

    /// Answers a request here, in a task of its own, as if the backend had (a cursor step
    /// served from what the cursor read ahead).
    pub(crate) fn answer_locally(&self, placed: Placed, outcome: Outcome) {
        let Some(factory) = self.factory() else {
            return;
        };
        let request = factory.next_number();
        self.requests.borrow_mut().insert(request, placed);
        let transaction = self.number;
        self.global().event_loop().queue_task(Box::new(move |cx| {
            // SAFETY: event-loop tasks run in their global's realm.
            let global = unsafe { crate::dom::globalscope::current_global(cx) };
            if let Some(factory) = global.indexeddb_factory() {
                let answer = indexeddb_traits::IdbEvent::Answer {
                    transaction,
                    request,
                    result: Ok(outcome),
                };
                // SAFETY: as above.
                unsafe { factory.handle(cx, answer) };
            }
        }));
    }

    /// Asks the backend to commit once no request is unanswered and the transaction is
    /// inactive (<https://w3c.github.io/IndexedDB/#transaction-commit>, auto-commit).
    pub(crate) fn maybe_commit(&self) {
        if self.state.get() == TransactionState::Inactive
            && !self.aborting.get()
            && !self.in_callback.get()
            && self.idle()
        {
            self.commit_now();
        }
    }

    fn commit_now(&self) {
        self.state.set(TransactionState::Committing);
        if let Some(factory) = self.factory() {
            factory.send(IdbMsg::Commit {
                transaction: self.number,
            });
        }
    }

    /// The end of the task or callback that had it active (not a checkpoint between the
    /// listeners of one of its requests' events: that callback is still running).
    pub(crate) fn deactivate(&self) {
        if self.state.get() == TransactionState::Active && !self.in_callback.get() {
            self.state.set(TransactionState::Inactive);
        }
    }

    /// <https://w3c.github.io/IndexedDB/#abort-a-transaction>, as far as this side goes: no
    /// more requests; the backend rolls back and its `Finished` fires the events.
    pub(crate) fn abort_with(&self, error: Option<&DOMException>) {
        if self.aborting.get() || self.state.get() == TransactionState::Finished {
            return;
        }
        self.aborting.set(true);
        self.state.set(TransactionState::Finished);
        self.error.set(error);
        if self.is_upgrade() {
            self.db.set_version(self.old_version.get());
        }
        if let Some(factory) = self.factory() {
            factory.send(IdbMsg::Abort {
                transaction: self.number,
            });
        }
    }

    /// Fires `event` at `target` (a request of this transaction, or the open request of an
    /// upgrade) with the transaction active, then runs a microtask checkpoint and the steps
    /// after a request's callback: an exception thrown by a listener aborts the transaction,
    /// and so does an `error` event nobody canceled.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub(crate) unsafe fn fire_with_active(
        &self,
        cx: &mut JSContext,
        target: &EventTarget,
        event: &Event,
        error: Option<&DOMException>,
    ) {
        let global = self.global();
        if self.state.get() == TransactionState::Inactive {
            self.state.set(TransactionState::Active);
        }
        self.in_callback.set(true);
        // Promise reactions queued by a listener run before the next listener, with the
        // transaction still active (the request's callback is still running).
        target.dispatch_event(cx, event);
        crate::script_runtime::microtask_checkpoint(cx, global);
        self.in_callback.set(false);
        self.deactivate();
        if event.listener_threw() {
            let abort = DOMException::new(
                cx,
                global,
                DOMErrorName::AbortError,
                "A request's event listener threw an exception.".into(),
            );
            self.abort_with(Some(&abort));
        } else if let Some(error) = error {
            if !event.canceled() {
                self.abort_with(Some(error));
            }
        }
        self.maybe_commit();
    }

    /// The backend answered request `number`.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub(crate) unsafe fn answered(
        &self,
        cx: &mut JSContext,
        number: u64,
        result: Result<Outcome, IdbError>,
    ) {
        if self.aborting.get() {
            // The abort's error events are fired for every request still here.
            return;
        }
        let Some(placed) = self.requests.borrow_mut().remove(number) else {
            return;
        };
        let global = self.global();
        match placed {
            Placed::Request(request) => {
                // Out of the traced map: rooted before anything can collect garbage.
                let request = DomRoot::from_ref(&*request);
                self.answer_request(cx, &request, result);
            }
            Placed::ReadAhead(cursor, generation) => {
                let cursor = DomRoot::from_ref(&*cursor);
                if let Some((request, result)) = cursor.read_ahead_arrived(generation, result) {
                    // A step waited on it: answered now, in the order it was asked.
                    self.answer_request(cx, &request, result);
                }
            }
            Placed::Internal => match result {
                Ok(_) => self.maybe_commit(),
                Err(error) => {
                    let exception = dom_exception(cx, global, &error);
                    self.abort_with(Some(&exception));
                }
            },
            Placed::IndexBuild(store, index) => match result {
                Ok(Outcome::Records(records)) => {
                    match self.index_entries(cx, &store, &index, records) {
                        Ok(entries) => self.place(
                            Placed::Internal,
                            Operation::IndexEntries {
                                store,
                                index,
                                entries,
                            },
                        ),
                        Err(error) => {
                            let exception = dom_exception(cx, global, &error);
                            self.abort_with(Some(&exception));
                        }
                    }
                }
                Ok(_) => self.maybe_commit(),
                Err(error) => {
                    let exception = dom_exception(cx, global, &error);
                    self.abort_with(Some(&exception));
                }
            },
        }
    }

    /// The first records of request `number`'s answer came ahead of it (a long `getAll()`):
    /// they become values now, in the array the answer completes. Nothing fires.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub(crate) unsafe fn records_ahead(
        &self,
        cx: &mut JSContext,
        number: u64,
        records: Vec<Record>,
    ) {
        if self.aborting.get() {
            return;
        }
        let request = match self.requests.borrow().get(number) {
            Some(Placed::Request(request)) => DomRoot::from_ref(&**request),
            _ => return,
        };
        append_records(cx, &request, &records);
    }

    /// Fires `success` or `error` at `request` for `result`.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    unsafe fn answer_request(
        &self,
        cx: &mut JSContext,
        request: &IDBRequest,
        result: Result<Outcome, IdbError>,
    ) {
        let global = self.global();
        let result = match result {
            // `getAll()` in another direction than "next" is read as one long cursor step.
            Ok(Outcome::Cursor(records)) if request.cursor().is_none() => {
                Ok(Outcome::Records(records))
            }
            result => result,
        };
        let event = match result {
            Ok(Outcome::Cursor(records)) => {
                rooted!(&in(cx) let mut value = mozjs::jsval::NullValue());
                if let Some(cursor) = request.cursor() {
                    if cursor.moved(cx, records) {
                        cursor.to_js(cx, value.handle_mut());
                    }
                }
                request.succeed(value.get());
                Event::new(cx, global, "success", false, false)
            }
            Ok(outcome) => {
                rooted!(&in(cx) let mut value = UndefinedValue());
                outcome_value(cx, request, outcome, value.handle_mut());
                request.succeed(value.get());
                Event::new(cx, global, "success", false, false)
            }
            Err(error) => {
                let exception = dom_exception(cx, global, &error);
                request.fail(&exception);
                Event::new(cx, global, "error", true, true)
            }
        };
        event.set_trusted(true);
        let error = request.error();
        self.fire_with_active(
            cx,
            request.upcast::<EventTarget>(),
            &event,
            error.as_deref(),
        );
    }

    /// The keys of a new index for each record already stored.
    unsafe fn index_entries(
        &self,
        cx: &mut JSContext,
        store: &str,
        index: &str,
        records: Vec<Record>,
    ) -> Result<Vec<(Key, Vec<Key>)>, IdbError> {
        let Some(schema) = self.db.index_schema(store, index) else {
            return Ok(Vec::new());
        };
        let mut entries = Vec::with_capacity(records.len());
        for record in records {
            rooted!(&in(cx) let mut value = UndefinedValue());
            if deserialize(cx, &record.value, value.handle_mut()).is_err() {
                continue;
            }
            let keys = index_keys(cx, value.handle(), &schema.key_path, schema.multi_entry)
                .unwrap_or_default();
            if !keys.is_empty() {
                entries.push((record.primary_key, keys));
            }
        }
        Ok(entries)
    }

    /// The backend ended the transaction: committed (`error` `None`) or aborted.
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub(crate) unsafe fn finished(&self, cx: &mut JSContext, error: Option<IdbError>) {
        let global = self.global();
        self.state.set(TransactionState::Finished);
        if self.is_upgrade() {
            self.db.upgrade_finished();
        }
        match error {
            None => {
                let event = Event::new(cx, global, "complete", false, false);
                event.set_trusted(true);
                self.upcast::<EventTarget>().dispatch_event(cx, &event);
            }
            Some(error) => {
                if !self.aborting.get() {
                    // The backend aborted it (a write past the quota, a storage failure).
                    let exception = dom_exception(cx, global, &error);
                    self.error.set(Some(&exception));
                    if self.is_upgrade() {
                        self.db.set_version(self.old_version.get());
                    }
                }
                let unanswered: Vec<DomRoot<IDBRequest>> = self
                    .requests
                    .borrow_mut()
                    .drain()
                    .filter_map(|(_, placed)| match placed {
                        Placed::Request(request) => Some(DomRoot::from_ref(&*request)),
                        _ => None,
                    })
                    .collect();
                for request in unanswered {
                    let abort = DOMException::new(
                        cx,
                        global,
                        DOMErrorName::AbortError,
                        "The transaction was aborted.".into(),
                    );
                    request.fail(&abort);
                    let event = Event::new(cx, global, "error", true, true);
                    event.set_trusted(true);
                    request.upcast::<EventTarget>().dispatch_event(cx, &event);
                }
                let event = Event::new(cx, global, "abort", true, false);
                event.set_trusted(true);
                self.upcast::<EventTarget>().dispatch_event(cx, &event);
            }
        }
        self.requests.borrow_mut().clear();
        self.keep_alive.borrow_mut().take();
    }

    /// Store `name` was deleted: its object throws from now on.
    pub(crate) fn forget_store(&self, name: &str) {
        self.stores.borrow_mut().retain(|store| {
            if store.name() == name {
                store.mark_deleted();
                false
            } else {
                true
            }
        });
    }

    /// The store named `name` of this transaction, one object per name.
    pub(crate) fn store_object(&self, cx: &mut JSContext, name: &str) -> DomRoot<IDBObjectStore> {
        if let Some(store) = self
            .stores
            .borrow()
            .iter()
            .find(|store| store.name() == name && !store.is_deleted())
        {
            return DomRoot::from_ref(&**store);
        }
        let store = IDBObjectStore::new(cx, self.global(), self, name.to_owned());
        self.stores.borrow_mut().push(Dom::from_ref(&*store));
        store
    }
}

/// The DOMException an [`IdbError`] becomes.
pub fn dom_exception(
    cx: &mut JSContext,
    global: &GlobalScope,
    error: &IdbError,
) -> DomRoot<DOMException> {
    let name = match error.name {
        IdbErrorName::Constraint => DOMErrorName::ConstraintError,
        IdbErrorName::Data => DOMErrorName::DataError,
        IdbErrorName::NotFound => DOMErrorName::NotFoundError,
        IdbErrorName::Version => DOMErrorName::VersionError,
        IdbErrorName::QuotaExceeded => DOMErrorName::QuotaExceededError,
        IdbErrorName::Abort => DOMErrorName::AbortError,
        IdbErrorName::InvalidState => DOMErrorName::InvalidStateError,
        IdbErrorName::Unknown => DOMErrorName::UnknownError,
    };
    DOMException::new(cx, global, name, error.message.clone())
}

/// A request's `result` from the backend's answer.
///
/// # Safety
/// `cx` in the global's realm; `rval` rooted.
unsafe fn outcome_value(
    cx: &mut JSContext,
    request: &IDBRequest,
    outcome: Outcome,
    mut rval: MutableHandleValue<'_>,
) {
    match outcome {
        Outcome::Done => rval.set(UndefinedValue()),
        Outcome::Key(key) => key_to_value(cx, &key, rval),
        Outcome::Count(count) => rval.set(DoubleValue(count as f64)),
        Outcome::Cursor(_) => rval.set(UndefinedValue()),
        Outcome::Records(records) => match request.kind() {
            ResultKind::Value => match records.first() {
                Some(record) => {
                    let store = request.store();
                    let inject = store.as_ref().and_then(|store| store.generated_key_path());
                    record_value(cx, record, inject, rval)
                }
                None => rval.set(UndefinedValue()),
            },
            ResultKind::PrimaryKey => match records.first() {
                Some(record) => key_to_value(cx, &record.primary_key, rval),
                None => rval.set(UndefinedValue()),
            },
            ResultKind::Values | ResultKind::PrimaryKeys | ResultKind::Records => {
                // The last records complete the array those sent ahead began.
                append_records(cx, request, &records);
                rval.set(request.records_ahead().0);
                request.set_records_ahead(UndefinedValue(), 0);
            }
            _ => rval.set(UndefinedValue()),
        },
    }
}

/// A record's value: its clone deserialized, with its generated key put back (it was not in
/// the clone) when `inject` names the store's key path.
unsafe fn record_value(
    cx: &mut JSContext,
    record: &Record,
    inject: Option<&str>,
    mut rval: MutableHandleValue<'_>,
) {
    if deserialize(cx, &record.value, rval.reborrow()).is_err() {
        rval.set(UndefinedValue());
        return;
    }
    if let Some(path) = inject {
        inject_key(cx, rval.handle(), path, &record.primary_key);
    }
}

/// Appends `records` (values, primary keys for `getAllKeys()`, IDBRecords for
/// `getAllRecords()`) to the array `request`'s
/// answer is built in, making it first. The array is kept by the request from the start, so
/// it is traced while the values are made.
unsafe fn append_records(cx: &mut JSContext, request: &IDBRequest, records: &[Record]) {
    let (array, mut length) = request.records_ahead();
    rooted!(&in(cx) let mut array = if array.is_object() { array.to_object() } else { std::ptr::null_mut() });
    if array.get().is_null() {
        array.set(mozjs::rust::wrappers2::NewArrayObject1(cx, records.len()));
        if array.get().is_null() {
            return;
        }
        request.set_records_ahead(ObjectValue(array.get()), 0);
    }
    let store = request.store();
    let inject = store.as_ref().and_then(|store| store.generated_key_path());
    let kind = request.kind();
    let global = request.global();
    rooted!(&in(cx) let mut item = UndefinedValue());
    rooted!(&in(cx) let mut key = UndefinedValue());
    rooted!(&in(cx) let mut primary_key = UndefinedValue());
    for record in records {
        match kind {
            ResultKind::Values => record_value(cx, record, inject, item.handle_mut()),
            ResultKind::Records => {
                key_to_value(cx, &record.key, key.handle_mut());
                key_to_value(cx, &record.primary_key, primary_key.handle_mut());
                record_value(cx, record, inject, item.handle_mut());
                let made = IDBRecord::new(
                    cx,
                    global,
                    key.handle(),
                    primary_key.handle(),
                    item.handle(),
                );
                made.to_js(cx, item.handle_mut());
            }
            _ => key_to_value(cx, &record.primary_key, item.handle_mut()),
        }
        mozjs::rust::wrappers2::JS_DefineElement(
            cx,
            array.handle(),
            length,
            item.handle(),
            mozjs::jsapi::JSPROP_ENUMERATE as u32,
        );
        length += 1;
    }
    request.set_records_ahead(ObjectValue(array.get()), length);
}

impl IDBTransactionMethods for IDBTransaction {
    fn ObjectStoreNames(&self, cx: &mut JSContext) -> DomRoot<DOMStringList> {
        let names = if self.is_upgrade() {
            self.db.store_names()
        } else {
            self.scope.borrow().clone()
        };
        DOMStringList::new(cx, self.global(), names)
    }
    fn Mode(&self, _cx: &mut JSContext) -> IDBTransactionMode {
        match self.mode {
            TransactionMode::ReadOnly => IDBTransactionMode::Readonly,
            TransactionMode::ReadWrite => IDBTransactionMode::Readwrite,
            TransactionMode::VersionChange => IDBTransactionMode::Versionchange,
        }
    }
    fn Durability(&self, _cx: &mut JSContext) -> IDBTransactionDurability {
        match self.durability {
            DurabilityHint::Default => IDBTransactionDurability::Default,
            DurabilityHint::Strict => IDBTransactionDurability::Strict,
            DurabilityHint::Relaxed => IDBTransactionDurability::Relaxed,
        }
    }
    fn Db(&self, _cx: &mut JSContext) -> DomRoot<IDBDatabase> {
        self.db()
    }
    fn Error(&self, _cx: &mut JSContext) -> Option<DomRoot<DOMException>> {
        self.error.get()
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbtransaction-objectstore>
    fn ObjectStore(
        &self,
        cx: &mut JSContext,
        name: DOMString,
    ) -> Fallible<DomRoot<IDBObjectStore>> {
        if self.state.get() == TransactionState::Finished {
            return Err(Error::invalid_state("The transaction has finished."));
        }
        if !self.in_scope(&name) || !self.db.has_store(&name) {
            return Err(Error::not_found(format!(
                "No object store named '{name}' in the transaction's scope."
            )));
        }
        Ok(self.store_object(cx, &name))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbtransaction-commit>
    fn Commit(&self, _cx: &mut JSContext) -> Fallible<()> {
        self.check_active()
            .map_err(|_| Error::invalid_state("The transaction is not active."))?;
        self.commit_now();
        Ok(())
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbtransaction-abort>
    fn Abort(&self, _cx: &mut JSContext) -> Fallible<()> {
        if matches!(
            self.state.get(),
            TransactionState::Committing | TransactionState::Finished
        ) {
            return Err(Error::invalid_state(
                "The transaction has finished or is committing.",
            ));
        }
        self.abort_with(None);
        Ok(())
    }
}

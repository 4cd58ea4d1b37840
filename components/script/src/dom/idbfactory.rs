//! IDBFactory (https://w3c.github.io/IndexedDB/#factory-interface): `indexedDB`, and the
//! global's IndexedDB state: its open requests, connections and transactions by the numbers
//! it gave them, and the handling of the backend's [`IdbEvent`]s (see
//! `indexeddb_traits::messages` for the protocol).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use indexeddb_traits::{DurabilityHint, IdbError, IdbErrorName, IdbEvent, IdbMsg, TransactionMode};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::promise::Promise;
use crate::dom::bindings::trusted::Trusted;
use crate::dom::domexception::DOMErrorName;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::idbdatabase::IDBDatabase;
use crate::dom::idbkeys::value_to_key;
use crate::dom::idbopendbrequest::IDBOpenDBRequest;
use crate::dom::idbrequest::IDBRequest;
use crate::dom::idbtransaction::{dom_exception, IDBTransaction};
use crate::dom::idbversionchangeevent::IDBVersionChangeEvent;
use crate::dom::prelude::*;
use crate::event_loop::PendingWork;

const LOG_TARGET: &str = "bgsync::script::indexeddb";

/// Queued messages go out once this many are waiting, without waiting for the task's end.
const OUTBOX_SLICE: usize = 256;

/// A `databases()` promise, and the guard that keeps the event loop up for its answer.
type Listing = (Trusted<std::rc::Rc<Promise>>, PendingWork);

#[derive(Trace)]
#[repr(C)]
pub struct IDBFactory {
    reflector: Reflector,
    next: Cell<u64>,
    /// `open()` and `deleteDatabase()` requests waiting for their answer.
    opens: RefCell<HashMap<u64, Dom<IDBOpenDBRequest>>>,
    #[no_trace]
    open_guards: RefCell<HashMap<u64, PendingWork>>,
    /// `databases()` promises waiting for their answer.
    #[no_trace]
    listings: RefCell<HashMap<u64, Listing>>,
    connections: RefCell<HashMap<u64, Dom<IDBDatabase>>>,
    /// Transactions not finished yet.
    transactions: RefCell<HashMap<u64, Dom<IDBTransaction>>>,
    /// Messages of the running task, sent together at its end ([`IDBFactory::flush`]).
    #[no_trace]
    outbox: RefCell<Vec<IdbMsg>>,
}

impl IDBFactory {
    pub fn new(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<IDBFactory> {
        IDBFactoryBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBFactory {
                reflector: Reflector::new(),
                next: Cell::new(1),
                opens: RefCell::new(HashMap::new()),
                open_guards: RefCell::new(HashMap::new()),
                listings: RefCell::new(HashMap::new()),
                connections: RefCell::new(HashMap::new()),
                transactions: RefCell::new(HashMap::new()),
                outbox: RefCell::new(Vec::new()),
            }),
        )
    }

    /// A fresh number for a connection, transaction or request.
    pub fn next_number(&self) -> u64 {
        let number = self.next.get();
        self.next.set(number + 1);
        number
    }

    /// Queues `message` for the backend, to go with the rest of the task's at its end; false
    /// when the global is not connected.
    pub fn send(&self, message: IdbMsg) -> bool {
        if self.global().constellation_link().is_none() {
            return false;
        }
        let full = {
            let mut outbox = self.outbox.borrow_mut();
            outbox.push(message);
            outbox.len() >= OUTBOX_SLICE
        };
        if full {
            // A long task's requests go in slices, so the backend starts on the first while
            // script is still making the next.
            self.flush();
        }
        true
    }

    /// Sends what the task queued, as one message: a page adding 10,000 records sends one.
    pub(crate) fn flush(&self) {
        let mut messages = std::mem::take(&mut *self.outbox.borrow_mut());
        let message = match messages.len() {
            0 => return,
            1 => messages.pop().expect("one message"),
            _ => IdbMsg::Batch(messages),
        };
        if let Some(link) = self.global().constellation_link() {
            if !link.send_indexeddb(message) {
                log::debug!(target: LOG_TARGET, "IndexedDB messages lost: the engine is gone");
            }
        }
    }

    pub(crate) fn add_transaction(&self, transaction: &IDBTransaction) {
        self.transactions
            .borrow_mut()
            .insert(transaction.number(), Dom::from_ref(transaction));
    }

    /// `close()` was called on connection `number`.
    pub(crate) fn connection_closed(&self, number: u64) {
        self.connections.borrow_mut().remove(&number);
        self.send(IdbMsg::Close { connection: number });
    }

    /// HTML's "cleanup Indexed Database transactions", at the end of each microtask
    /// checkpoint: every transaction still active becomes inactive, and those with no request
    /// left commit.
    pub(crate) fn cleanup(&self) {
        // Neither step runs script or changes the map (a commit is only queued), so the
        // transactions are visited in place, without rooting each at every checkpoint.
        for transaction in self.transactions.borrow().values() {
            transaction.deactivate();
            transaction.maybe_commit();
        }
        self.flush();
    }

    /// Checks shared by `open()` and `deleteDatabase()`: the origin may have databases.
    fn check_origin(&self) -> Fallible<()> {
        if !self.global().origin().is_tuple() {
            return Err(Error::dom(
                DOMErrorName::SecurityError,
                "IndexedDB is not available in an opaque origin.",
            ));
        }
        Ok(())
    }

    /// Sends an open or a deletion for `request`, numbered `number`; if it cannot be sent,
    /// the request fails in a task of its own.
    fn start(&self, request: &IDBOpenDBRequest, number: u64, message: IdbMsg) {
        let global = self.global();
        self.opens
            .borrow_mut()
            .insert(number, Dom::from_ref(request));
        self.open_guards
            .borrow_mut()
            .insert(number, global.event_loop().expect_remote_task());
        if !self.send(message) {
            global.event_loop().queue_task(Box::new(move |cx| {
                // SAFETY: event-loop tasks run in their global's realm.
                let global = unsafe { crate::dom::globalscope::current_global(cx) };
                if let Some(factory) = global.indexeddb_factory() {
                    let error = IdbError::new(
                        IdbErrorName::Unknown,
                        "IndexedDB is not available: this global is not connected to an engine.",
                    );
                    // SAFETY: as above.
                    unsafe {
                        factory.handle(
                            cx,
                            IdbEvent::Failed {
                                request: number,
                                error,
                            },
                        )
                    };
                }
            }));
        }
    }

    fn take_open(&self, number: u64) -> Option<DomRoot<IDBOpenDBRequest>> {
        self.open_guards.borrow_mut().remove(&number);
        self.opens
            .borrow_mut()
            .remove(&number)
            .map(|request| DomRoot::from_ref(&*request))
    }

    fn open_request(&self, number: u64) -> Option<DomRoot<IDBOpenDBRequest>> {
        self.opens
            .borrow()
            .get(&number)
            .map(|request| DomRoot::from_ref(&**request))
    }

    fn transaction(&self, number: u64) -> Option<DomRoot<IDBTransaction>> {
        self.transactions
            .borrow()
            .get(&number)
            .map(|transaction| DomRoot::from_ref(&**transaction))
    }

    /// Handles one event of the backend (a task of the event loop).
    ///
    /// # Safety
    /// `cx` in the global's realm.
    pub unsafe fn handle(&self, cx: &mut JSContext, event: IdbEvent) {
        let global = self.global();
        match event {
            IdbEvent::Batch(events) => {
                for event in events {
                    self.handle(cx, event);
                }
            }
            IdbEvent::Blocked {
                request,
                old_version,
                new_version,
            } => {
                if let Some(request) = self.open_request(request) {
                    let event = IDBVersionChangeEvent::new_trusted(
                        cx,
                        global,
                        "blocked",
                        old_version,
                        new_version,
                    );
                    request
                        .upcast::<EventTarget>()
                        .dispatch_event(cx, event.upcast::<Event>());
                }
            }
            IdbEvent::UpgradeNeeded {
                request,
                old_version,
                database,
            } => {
                let Some(request) = self.open_request(request) else {
                    return;
                };
                let new_version = database.version;
                let stores: Vec<String> = database.stores.iter().map(|s| s.name.clone()).collect();
                let db = IDBDatabase::new(cx, global, request.connection(), database);
                self.connections
                    .borrow_mut()
                    .insert(db.number(), Dom::from_ref(&*db));
                let transaction = IDBTransaction::new(
                    cx,
                    global,
                    &db,
                    request.upgrade(),
                    TransactionMode::VersionChange,
                    DurabilityHint::Strict,
                    stores,
                    old_version,
                );
                self.add_transaction(&transaction);
                db.set_upgrade(&transaction);
                let base = request.upcast::<IDBRequest>();
                rooted!(&in(cx) let mut result = UndefinedValue());
                db.to_js(cx, result.handle_mut());
                base.succeed(result.get());
                base.set_transaction(Some(&transaction));
                let event = IDBVersionChangeEvent::new_trusted(
                    cx,
                    global,
                    "upgradeneeded",
                    old_version,
                    Some(new_version),
                );
                transaction.fire_with_active(
                    cx,
                    request.upcast::<EventTarget>(),
                    event.upcast::<Event>(),
                    None,
                );
            }
            IdbEvent::Opened { request, database } => {
                let Some(request) = self.take_open(request) else {
                    return;
                };
                let existing = self
                    .connections
                    .borrow()
                    .get(&request.connection())
                    .map(|db| DomRoot::from_ref(&**db));
                let db = match existing {
                    Some(db) => db,
                    None => {
                        let db = IDBDatabase::new(cx, global, request.connection(), database);
                        self.connections
                            .borrow_mut()
                            .insert(db.number(), Dom::from_ref(&*db));
                        db
                    }
                };
                let base = request.upcast::<IDBRequest>();
                base.set_transaction(None);
                rooted!(&in(cx) let mut result = UndefinedValue());
                db.to_js(cx, result.handle_mut());
                base.succeed(result.get());
                if db.close_pending() {
                    // Closed in `upgradeneeded`: the open fails (spec "open a database" 10.5).
                    let error = IdbError::new(IdbErrorName::Abort, "The connection was closed.");
                    return self.fail_open(cx, &request, &error);
                }
                request.upcast::<EventTarget>().fire_event(cx, "success");
            }
            IdbEvent::Failed { request, error } => {
                if let Some((promise, _guard)) = self.listings.borrow_mut().remove(&request) {
                    if let Some(promise) = promise.take() {
                        let exception = dom_exception(cx, global, &error);
                        rooted!(&in(cx) let mut value = UndefinedValue());
                        exception.to_js(cx, value.handle_mut());
                        promise.reject(cx, &value.get());
                    }
                    return;
                }
                if let Some(request) = self.take_open(request) {
                    self.connections.borrow_mut().remove(&request.connection());
                    self.fail_open(cx, &request, &error);
                }
            }
            IdbEvent::Deleted {
                request,
                old_version,
            } => {
                let Some(request) = self.take_open(request) else {
                    return;
                };
                request.upcast::<IDBRequest>().succeed(UndefinedValue());
                let event =
                    IDBVersionChangeEvent::new_trusted(cx, global, "success", old_version, None);
                request
                    .upcast::<EventTarget>()
                    .dispatch_event(cx, event.upcast::<Event>());
            }
            IdbEvent::DatabasesListed { request, databases } => {
                let Some((promise, _guard)) = self.listings.borrow_mut().remove(&request) else {
                    return;
                };
                let Some(promise) = promise.take() else {
                    return;
                };
                let infos: Vec<IDBDatabaseInfo> = databases
                    .into_iter()
                    .map(|(name, version)| IDBDatabaseInfo {
                        name: Some(name),
                        version: Some(version),
                    })
                    .collect();
                promise.resolve(cx, &infos);
            }
            IdbEvent::VersionChange {
                connection,
                old_version,
                new_version,
            } => {
                let db = self
                    .connections
                    .borrow()
                    .get(&connection)
                    .map(|db| DomRoot::from_ref(&**db));
                if let Some(db) = db.filter(|db| !db.close_pending()) {
                    let event = IDBVersionChangeEvent::new_trusted(
                        cx,
                        global,
                        "versionchange",
                        old_version,
                        new_version,
                    );
                    db.upcast::<EventTarget>()
                        .dispatch_event(cx, event.upcast::<Event>());
                }
                self.send(IdbMsg::VersionChangeFired { connection });
            }
            IdbEvent::Answer {
                transaction,
                request,
                result,
            } => {
                if let Some(transaction) = self.transaction(transaction) {
                    transaction.answered(cx, request, result);
                }
            }
            IdbEvent::ForcedClose { connection } => {
                // https://w3c.github.io/IndexedDB/#closing-connection with forced: `close`.
                let db = self.connections.borrow_mut().remove(&connection);
                if let Some(db) = db.map(|db| DomRoot::from_ref(&*db)) {
                    db.force_closed();
                    db.upcast::<EventTarget>().fire_event(cx, "close");
                }
            }
            IdbEvent::RecordsAhead {
                transaction,
                request,
                records,
            } => {
                if let Some(transaction) = self.transaction(transaction) {
                    transaction.records_ahead(cx, request, records);
                }
            }
            IdbEvent::Finished { transaction, error } => {
                let Some(found) = self.transactions.borrow_mut().remove(&transaction) else {
                    return;
                };
                let found = DomRoot::from_ref(&*found);
                if error.is_some() && found.is_upgrade() {
                    // An aborted upgrade closes its connection.
                    self.connections.borrow_mut().remove(&found.db().number());
                }
                found.finished(cx, error);
            }
        }
    }

    /// An open or deletion failed: `error` at its request.
    unsafe fn fail_open(&self, cx: &mut JSContext, request: &IDBOpenDBRequest, error: &IdbError) {
        let global = self.global();
        let exception = dom_exception(cx, global, error);
        let base = request.upcast::<IDBRequest>();
        base.set_transaction(None);
        base.fail(&exception);
        let event = Event::new(cx, global, "error", true, true);
        event.set_trusted(true);
        request.upcast::<EventTarget>().dispatch_event(cx, &event);
    }
}

impl IDBFactoryMethods for IDBFactory {
    /// <https://w3c.github.io/IndexedDB/#dom-idbfactory-open>
    fn Open(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        version: Option<u64>,
    ) -> Fallible<DomRoot<IDBOpenDBRequest>> {
        if version == Some(0) {
            return Err(Error::Type("The version must not be 0.".into()));
        }
        self.check_origin()?;
        let number = self.next_number();
        let connection = self.next_number();
        let upgrade = self.next_number();
        let request = IDBOpenDBRequest::new(cx, self.global(), connection, upgrade);
        self.start(
            &request,
            number,
            IdbMsg::Open {
                request: number,
                name,
                version,
                connection,
                upgrade,
            },
        );
        Ok(request)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbfactory-deletedatabase>
    fn DeleteDatabase(
        &self,
        cx: &mut JSContext,
        name: DOMString,
    ) -> Fallible<DomRoot<IDBOpenDBRequest>> {
        self.check_origin()?;
        let number = self.next_number();
        let request = IDBOpenDBRequest::new(cx, self.global(), 0, 0);
        self.start(
            &request,
            number,
            IdbMsg::DeleteDatabase {
                request: number,
                name,
            },
        );
        Ok(request)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbfactory-databases>
    fn Databases(&self, cx: &mut JSContext) -> Fallible<std::rc::Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        let promise = unsafe { Promise::new(cx) };
        if let Err(error) = self.check_origin() {
            // SAFETY: as above.
            unsafe { promise.reject_error(cx, self.global(), error) };
            return Ok(promise);
        }
        let number = self.next_number();
        let global = self.global();
        if !self.send(IdbMsg::Databases { request: number }) {
            let error = Error::dom(
                DOMErrorName::UnknownError,
                "IndexedDB is not available: this global is not connected to an engine.",
            );
            // SAFETY: as above.
            unsafe { promise.reject_error(cx, global, error) };
            return Ok(promise);
        }
        self.listings.borrow_mut().insert(
            number,
            (
                Trusted::new(promise.clone()),
                global.event_loop().expect_remote_task(),
            ),
        );
        Ok(promise)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbfactory-cmp>
    fn Cmp(
        &self,
        cx: &mut JSContext,
        first: HandleValue<'_>,
        second: HandleValue<'_>,
    ) -> Fallible<i16> {
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let (first, second) = unsafe { (value_to_key(cx, first)?, value_to_key(cx, second)?) };
        Ok(match first.cmp(&second) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        })
    }
}

/// Handles an IndexedDB event of the backend for `global` (a task of its event loop).
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn handle_event(cx: &mut JSContext, global: &GlobalScope, event: IdbEvent) {
    match global.indexeddb_factory() {
        Some(factory) => factory.handle(cx, event),
        None => {
            log::debug!(target: LOG_TARGET, "an IndexedDB event before indexedDB was used: {event:?}")
        }
    }
}

/// Before the event loop waits: nothing queued for the backend stays behind.
pub fn flush_messages(global: &GlobalScope) {
    if let Some(factory) = global.indexeddb_factory() {
        factory.flush();
    }
}

/// The end of a microtask checkpoint: see [`IDBFactory::cleanup`].
pub fn cleanup_transactions(global: &GlobalScope) {
    if let Some(factory) = global.indexeddb_factory() {
        factory.cleanup();
    }
}

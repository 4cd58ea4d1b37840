//! The IndexedDB backend: one thread per origin, which owns the origin's
//! SQLite file and serves the [`IdbMsg`]s of the origin's globals.
//!
//! The engine hands each message in with the origin and the sender ("peer")
//! it routed it from ([`Backend::handle`]); a message never names its own
//! origin, so a global can reach only its origin's file, and its connection
//! and transaction numbers mean something only among its own. Answers go to
//! the `deliver` function, addressed to a peer.
//!
//! Inside an origin's thread:
//! - Opens and deletions of one database name queue, one at a time, as the
//!   spec's connection queue says; one waits for the other connections'
//!   `versionchange` events, fires `blocked` if they stay open, then waits
//!   for them to close.
//! - Transactions start when [`Scheduler`] says so. The file has one SQLite
//!   connection, so writes are one SQLite transaction at a time: every
//!   `readwrite` transaction's scope also names a store no script can name,
//!   and upgrades and deletions cover everything. Readonly transactions
//!   take no SQLite transaction: no writer of their stores runs meanwhile.
//! - Requests of a transaction that has not started wait with it, in order.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::path::PathBuf;
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use indexeddb_traits::{
    Bound, ConnectionNumber, CursorDirection, CursorPosition, DatabaseSchema, DurabilityHint,
    IdbError, IdbErrorName, IdbEvent, IdbMsg, IndexSchema, Key, KeyRange, Operation, Outcome,
    Record, RequestNumber, StoreSchema, TransactionMode, TransactionNumber,
};

use crate::scheduler::{Mode, Scheduler, Scope};
use crate::store::{
    DatabaseId, DatabaseInfo, Direction, Durability, IndexId, NamedTable, OriginStore, StoreId,
    StoreInfo,
};

const LOG_TARGET: &str = "bgsync::indexeddb";

/// At most this many inputs are served before their answers go out.
const MAX_BURST: usize = 1024;

/// The name in every writer's scope (no script can name a store with a NUL
/// prefix and a database id of 0): writers of one file wait for each other.
const WRITER: &str = "0\0writer";

/// Who sends messages: the engine's identity of a global.
pub trait Peer: Clone + Eq + Hash + std::fmt::Debug + Send + 'static {}
impl<T: Clone + Eq + Hash + std::fmt::Debug + Send + 'static> Peer for T {}

/// Where the backend's events go.
pub type Deliver<P> = std::sync::Arc<dyn Fn(&P, IdbEvent) + Send + Sync>;

/// Where origins' files live, and how big they may grow.
#[derive(Clone, Debug)]
pub struct BackendConfig {
    /// The profile directory; `None` keeps every origin in memory.
    pub profile: Option<PathBuf>,
    /// `indexeddb.max_bytes_per_origin`.
    pub max_bytes_per_origin: u64,
}

/// Told once an origin's data is deleted: how many databases it had.
pub type Cleared = Box<dyn FnOnce(usize) + Send>;

enum Input<P> {
    Message(P, Box<IdbMsg>),
    Gone(P),
    Clear(Cleared),
}

/// The backend's handle: the threads of the origins used so far.
pub struct Backend<P: Peer> {
    config: BackendConfig,
    deliver: Deliver<P>,
    origins: HashMap<String, Sender<Input<P>>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl<P: Peer> Backend<P> {
    pub fn new(config: BackendConfig, deliver: Deliver<P>) -> Backend<P> {
        Backend {
            config,
            deliver,
            origins: HashMap::new(),
            threads: Vec::new(),
        }
    }

    /// Serves `message` of `peer`, whose origin (ASCII serialization) the
    /// engine knows. Never blocks.
    pub fn handle(&mut self, origin: &str, peer: P, message: IdbMsg) {
        let sender = self.origin_thread(origin);
        if sender
            .send(Input::Message(peer, Box::new(message)))
            .is_err()
        {
            log::error!(target: LOG_TARGET, "the IndexedDB thread of {origin} is gone");
        }
    }

    /// `peer` is gone: its transactions abort, its connections close.
    pub fn peer_gone(&mut self, peer: &P) {
        for sender in self.origins.values() {
            let _ = sender.send(Input::Gone(peer.clone()));
        }
    }

    /// Deletes every database of `origin` (Clear-Site-Data): its transactions abort, its
    /// connections are closed (`close` fires at them), its file is removed and starts again
    /// empty; then `done` hears how many databases there were.
    pub fn clear_origin(&mut self, origin: &str, done: Cleared) {
        let sender = self.origin_thread(origin);
        if let Err(error) = sender.send(Input::Clear(done)) {
            log::error!(target: LOG_TARGET, "the IndexedDB thread of {origin} is gone");
            if let Input::Clear(done) = error.into_inner() {
                done(0);
            }
        }
    }

    /// Ends every origin's thread once it has served what it was sent.
    pub fn shutdown(&mut self) {
        self.origins.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    fn origin_thread(&mut self, origin: &str) -> &Sender<Input<P>> {
        if !self.origins.contains_key(origin) {
            let (sender, receiver) = crossbeam_channel::unbounded();
            let config = self.config.clone();
            let deliver = self.deliver.clone();
            let name = origin.to_owned();
            let spawned = thread::Builder::new()
                .name(format!("IndexedDB {origin}"))
                .spawn(move || OriginThread::open(&config, &name, deliver).run(receiver));
            match spawned {
                Ok(handle) => self.threads.push(handle),
                Err(error) => {
                    log::error!(target: LOG_TARGET, "cannot start the IndexedDB thread of {origin}: {error}")
                }
            }
            self.origins.insert(origin.to_owned(), sender);
        }
        &self.origins[origin]
    }
}

impl<P: Peer> Drop for Backend<P> {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// An open or a deletion waiting its turn on a database name.
struct Pending<P> {
    peer: P,
    request: RequestNumber,
    kind: PendingKind,
    stage: Stage<P>,
}

enum PendingKind {
    Open {
        version: Option<u64>,
        connection: ConnectionNumber,
        upgrade: TransactionNumber,
    },
    Delete,
}

enum Stage<P> {
    /// Not looked at yet.
    New,
    /// `versionchange` sent to these connections; waiting for them to
    /// report it dispatched.
    Notified {
        waiting: HashSet<ConnectionKey<P>>,
        old_version: u64,
        new_version: Option<u64>,
    },
    /// Waiting for the other connections to close.
    Blocked,
    /// Waiting for the scheduler (the upgrade or the deletion covers the file).
    Scheduled { number: u64 },
    /// The upgrade transaction runs.
    Upgrading,
}

type ConnectionKey<P> = (P, ConnectionNumber);
type TransactionKey<P> = (P, TransactionNumber);

struct Connection {
    name: String,
    database: DatabaseId,
    close_pending: bool,
    /// Unfinished transactions.
    transactions: usize,
}

struct Transaction<P> {
    /// The scheduler's number.
    number: u64,
    connection: ConnectionKey<P>,
    database: DatabaseId,
    mode: TransactionMode,
    durability: Durability,
    stores: HashSet<String>,
    running: bool,
    /// Requests sent before it started.
    queued: VecDeque<(RequestNumber, Operation)>,
    commit_requested: bool,
}

/// What the scheduler's numbers stand for.
enum Scheduled<P> {
    Transaction(TransactionKey<P>),
    /// The upgrade or deletion at the head of the queue of a name.
    Exclusive,
}

struct OriginThread<P: Peer> {
    origin: String,
    store: Result<OriginStore, IdbError>,
    deliver: Deliver<P>,
    scheduler: Scheduler,
    next_number: u64,
    scheduled: HashMap<u64, Scheduled<P>>,
    connections: HashMap<ConnectionKey<P>, Connection>,
    transactions: HashMap<TransactionKey<P>, Transaction<P>>,
    queues: HashMap<String, VecDeque<Pending<P>>>,
    /// Each open database's schema, as the file has it.
    schemas: HashMap<DatabaseId, std::rc::Rc<DatabaseInfo>>,
    /// Events not sent yet, by global in the order of their first event.
    outbox: std::cell::RefCell<Vec<(P, Vec<IdbEvent>)>>,
}

impl<P: Peer> OriginThread<P> {
    fn open(config: &BackendConfig, origin: &str, deliver: Deliver<P>) -> OriginThread<P> {
        let store = match &config.profile {
            Some(profile) => OriginStore::open_for_origin(profile, origin).or_else(|error| {
                // A file that will not open (not a database, a broken schema) is moved
                // aside, and the origin starts again with an empty one.
                let path = crate::layout::origin_file(profile, origin);
                if !path.exists() {
                    return Err(error);
                }
                match storage::move_aside(&path) {
                    Ok(moved_to) => {
                        log::error!(
                            target: LOG_TARGET,
                            "IndexedDB of {origin} is corrupt ({error}); moved it aside to {}",
                            moved_to.display()
                        );
                        OriginStore::open_for_origin(profile, origin)
                    }
                    Err(move_error) => {
                        log::error!(target: LOG_TARGET, "IndexedDB of {origin} is corrupt ({error}) and moving it aside failed: {move_error}");
                        Err(error)
                    }
                }
            }),
            None => OriginStore::in_memory(),
        }
        .and_then(|mut store| {
            store.set_quota(config.max_bytes_per_origin)?;
            Ok(store)
        });
        if let Err(error) = &store {
            log::error!(target: LOG_TARGET, "IndexedDB of {origin} is unavailable: {error}");
        }
        OriginThread {
            origin: origin.to_owned(),
            store,
            deliver,
            scheduler: Scheduler::default(),
            next_number: 1,
            scheduled: HashMap::new(),
            connections: HashMap::new(),
            transactions: HashMap::new(),
            queues: HashMap::new(),
            schemas: HashMap::new(),
            outbox: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn run(mut self, receiver: Receiver<Input<P>>) {
        while let Ok(first) = receiver.recv() {
            // A burst of inputs is served before any answer goes out: each global gets its
            // answers to the burst as one message.
            let mut input = Some(first);
            let mut served = 0;
            // The burst's reads outside a readwrite transaction share one snapshot.
            if let Ok(store) = self.store() {
                let _ = store.begin_reads();
            }
            while let Some(next) = input.take() {
                match next {
                    Input::Message(peer, message) => self.message(peer, *message),
                    Input::Gone(peer) => self.gone(&peer),
                    Input::Clear(done) => {
                        let count = self.clear();
                        self.flush();
                        done(count);
                    }
                }
                self.advance_queues();
                served += 1;
                if served < MAX_BURST {
                    input = receiver.try_recv().ok();
                }
            }
            if let Ok(store) = self.store() {
                if let Err(error) = store.end_reads() {
                    log::warn!(target: LOG_TARGET, "ending a read of {}: {error}", self.origin);
                }
            }
            self.flush();
        }
        // The engine is shutting down: what did not commit is rolled back.
        let unfinished: Vec<TransactionKey<P>> = self.transactions.keys().cloned().collect();
        for key in unfinished {
            self.abort(&key, None);
        }
    }

    /// Queues `event` for `peer`; [`OriginThread::flush`] sends what is queued.
    fn send(&self, peer: &P, event: IdbEvent) {
        let mut outbox = self.outbox.borrow_mut();
        match outbox.iter_mut().find(|(owner, _)| owner == peer) {
            Some((_, events)) => events.push(event),
            None => outbox.push((peer.clone(), vec![event])),
        }
    }

    /// Sends each global what was queued for it, in order, as one message.
    fn flush(&self) {
        flush_outbox(&self.outbox, &self.deliver);
    }

    fn store(&mut self) -> Result<&mut OriginStore, IdbError> {
        self.store.as_mut().map_err(|error| error.clone())
    }

    fn message(&mut self, peer: P, message: IdbMsg) {
        match message {
            IdbMsg::Batch(messages) => {
                for message in messages {
                    self.message(peer.clone(), message);
                }
            }
            IdbMsg::Open {
                request,
                name,
                version,
                connection,
                upgrade,
            } => {
                if self.connections.contains_key(&(peer.clone(), connection)) {
                    log::warn!(target: LOG_TARGET, "{peer:?} reused connection number {connection}");
                    return;
                }
                self.enqueue(
                    name,
                    Pending {
                        peer,
                        request,
                        kind: PendingKind::Open {
                            version,
                            connection,
                            upgrade,
                        },
                        stage: Stage::New,
                    },
                )
            }
            IdbMsg::DeleteDatabase { request, name } => self.enqueue(
                name,
                Pending {
                    peer,
                    request,
                    kind: PendingKind::Delete,
                    stage: Stage::New,
                },
            ),
            IdbMsg::Databases { request } => {
                let databases = self.store().and_then(|store| store.databases());
                let event = match databases {
                    Ok(databases) => IdbEvent::DatabasesListed { request, databases },
                    Err(error) => IdbEvent::Failed { request, error },
                };
                self.send(&peer, event);
            }
            IdbMsg::VersionChangeFired { connection } => {
                let key = (peer, connection);
                for queue in self.queues.values_mut() {
                    if let Some(Pending {
                        stage: Stage::Notified { waiting, .. },
                        ..
                    }) = queue.front_mut()
                    {
                        waiting.remove(&key);
                    }
                }
            }
            IdbMsg::Close { connection } => {
                let key = (peer, connection);
                if let Some(connection) = self.connections.get_mut(&key) {
                    connection.close_pending = true;
                }
                self.close_if_done(&key);
            }
            IdbMsg::Begin {
                connection,
                transaction,
                stores,
                mode,
                durability,
            } => self.begin(peer, connection, transaction, stores, mode, durability),
            IdbMsg::Request {
                transaction,
                request,
                operation,
            } => {
                let key = (peer, transaction);
                match self.transactions.get_mut(&key) {
                    Some(found) if !found.running => found.queued.push_back((request, operation)),
                    Some(_) => self.execute(&key, request, operation),
                    None => self.send(
                        &key.0,
                        IdbEvent::Answer {
                            transaction,
                            request,
                            result: Err(IdbError::new(
                                IdbErrorName::InvalidState,
                                "The transaction has finished.",
                            )),
                        },
                    ),
                }
            }
            IdbMsg::Commit { transaction } => {
                let key = (peer, transaction);
                match self.transactions.get_mut(&key) {
                    Some(found) if !found.running => found.commit_requested = true,
                    Some(_) => self.commit(&key),
                    None => {}
                }
            }
            IdbMsg::Abort { transaction } => {
                let key = (peer, transaction);
                if self.transactions.contains_key(&key) {
                    self.abort(&key, Some(abort_error()));
                }
            }
        }
    }

    fn gone(&mut self, peer: &P) {
        let transactions: Vec<TransactionKey<P>> = self
            .transactions
            .keys()
            .filter(|(owner, _)| owner == peer)
            .cloned()
            .collect();
        for key in transactions {
            self.abort(&key, Some(abort_error()));
        }
        self.connections.retain(|(owner, _), _| owner != peer);
        for queue in self.queues.values_mut() {
            // Its waiting opens go; one under way finishes (its transaction
            // aborted above) and is dropped when it answers.
            let mut index = 0;
            queue.retain(|pending| {
                index += 1;
                index == 1 || pending.peer != *peer
            });
            if let Some(Pending {
                stage: Stage::Notified { waiting, .. },
                ..
            }) = queue.front_mut()
            {
                waiting.retain(|(owner, _)| owner != peer);
            }
        }
    }

    /// Deletes the origin's data; how many databases it had.
    fn clear(&mut self) -> usize {
        let unfinished: Vec<TransactionKey<P>> = self.transactions.keys().cloned().collect();
        for key in unfinished {
            self.abort(&key, Some(abort_error()));
        }
        for (peer, connection) in std::mem::take(&mut self.connections).into_keys() {
            self.send(&peer, IdbEvent::ForcedClose { connection });
        }
        self.schemas.clear();
        let count = self
            .store()
            .and_then(|store| store.databases())
            .map_or(0, |databases| databases.len());
        let cleared = self.store().and_then(|store| {
            store.begin(Durability::Strict)?;
            store.delete_everything()?;
            store.commit()?;
            store.compact()
        });
        if let Err(error) = cleared {
            log::error!(target: LOG_TARGET, "cannot clear IndexedDB of {}: {error}", self.origin);
            if let Ok(store) = self.store() {
                let _ = store.rollback();
            }
        }
        log::info!(target: LOG_TARGET, "cleared IndexedDB of {}: {count} database(s)", self.origin);
        count
    }

    fn enqueue(&mut self, name: String, pending: Pending<P>) {
        self.queues.entry(name).or_default().push_back(pending);
    }

    /// Moves every queue's first open or deletion on as far as it can go.
    fn advance_queues(&mut self) {
        let names: Vec<String> = self.queues.keys().cloned().collect();
        for name in names {
            while self.advance(&name) {}
        }
        self.queues.retain(|_, queue| !queue.is_empty());
    }

    /// One step of the open or deletion at the head of `name`'s queue;
    /// whether it finished (the next one may start).
    fn advance(&mut self, name: &str) -> bool {
        let Some(mut pending) = self.queues.get_mut(name).and_then(VecDeque::pop_front) else {
            return false;
        };
        let finished = match self.step(name, &mut pending) {
            Ok(finished) => finished,
            Err(error) => {
                self.send(
                    &pending.peer,
                    IdbEvent::Failed {
                        request: pending.request,
                        error,
                    },
                );
                true
            }
        };
        if !finished {
            self.queues
                .get_mut(name)
                .expect("the queue of a pending open")
                .push_front(pending);
        }
        finished
    }

    fn step(&mut self, name: &str, pending: &mut Pending<P>) -> Result<bool, IdbError> {
        loop {
            match &mut pending.stage {
                Stage::New => {
                    let existing = self.store()?.database(name)?;
                    let old_version = existing.as_ref().map_or(0, |database| database.version);
                    let new_version = match pending.kind {
                        PendingKind::Open { version, .. } => {
                            let version = version.unwrap_or(old_version.max(1));
                            if version < old_version {
                                return Err(IdbError::new(
                                    IdbErrorName::Version,
                                    format!(
                                        "The requested version ({version}) is less than the existing version ({old_version})."
                                    ),
                                ));
                            }
                            if version == old_version {
                                let database = existing.expect("a database of version > 0");
                                self.connect(pending, database);
                                return Ok(true);
                            }
                            Some(version)
                        }
                        PendingKind::Delete => {
                            if existing.is_none() {
                                self.send(
                                    &pending.peer,
                                    IdbEvent::Deleted {
                                        request: pending.request,
                                        old_version: 0,
                                    },
                                );
                                return Ok(true);
                            }
                            None
                        }
                    };
                    let others: HashSet<ConnectionKey<P>> = self
                        .connections
                        .iter()
                        .filter(|(_, connection)| {
                            connection.name == name && !connection.close_pending
                        })
                        .map(|(key, _)| key.clone())
                        .collect();
                    for (peer, connection) in &others {
                        self.send(
                            peer,
                            IdbEvent::VersionChange {
                                connection: *connection,
                                old_version,
                                new_version,
                            },
                        );
                    }
                    pending.stage = Stage::Notified {
                        waiting: others,
                        old_version,
                        new_version,
                    };
                }
                Stage::Notified {
                    waiting,
                    old_version,
                    new_version,
                } => {
                    if !waiting.is_empty() {
                        return Ok(false);
                    }
                    if self.open_connections(name) {
                        let event = IdbEvent::Blocked {
                            request: pending.request,
                            old_version: *old_version,
                            new_version: *new_version,
                        };
                        self.send(&pending.peer, event);
                    }
                    pending.stage = Stage::Blocked;
                }
                Stage::Blocked => {
                    if self.open_connections(name) {
                        return Ok(false);
                    }
                    let number = self.number();
                    self.scheduled.insert(number, Scheduled::Exclusive);
                    let started =
                        self.scheduler
                            .add(number, Mode::VersionChange, Scope::Everything);
                    pending.stage = Stage::Scheduled { number };
                    self.started(started);
                }
                Stage::Scheduled { number } => {
                    if !self.scheduler.is_running(*number) {
                        return Ok(false);
                    }
                    let number = *number;
                    return match self.exclusive(name, pending, number) {
                        Ok(finished) => Ok(finished),
                        Err(error) => {
                            self.finish_scheduled(number);
                            Err(error)
                        }
                    };
                }
                Stage::Upgrading => {
                    let PendingKind::Open {
                        connection,
                        upgrade,
                        ..
                    } = pending.kind
                    else {
                        unreachable!("only an open upgrades");
                    };
                    let key = (pending.peer.clone(), upgrade);
                    if self.transactions.contains_key(&key) {
                        return Ok(false);
                    }
                    return self.upgraded(pending, connection);
                }
            }
        }
    }

    /// Whether another connection to `name` is open (or closing, with
    /// transactions left).
    fn open_connections(&self, name: &str) -> bool {
        self.connections
            .values()
            .any(|connection| connection.name == name)
    }

    /// Runs the upgrade or the deletion once the file is the caller's.
    fn exclusive(
        &mut self,
        name: &str,
        pending: &mut Pending<P>,
        number: u64,
    ) -> Result<bool, IdbError> {
        match pending.kind {
            PendingKind::Delete => {
                let store = self.store()?;
                let old_version = store.database(name)?.map_or(0, |database| database.version);
                store.begin(Durability::Strict)?;
                let deleted = store.delete_database(name).and_then(|_| store.commit());
                if let Err(error) = deleted {
                    let _ = store.rollback();
                    return Err(error);
                }
                self.schemas.retain(|_, schema| schema.name != name);
                self.finish_scheduled(number);
                self.send(
                    &pending.peer,
                    IdbEvent::Deleted {
                        request: pending.request,
                        old_version,
                    },
                );
                Ok(true)
            }
            PendingKind::Open {
                version,
                connection,
                upgrade,
            } => {
                let store = self.store()?;
                store.begin(Durability::Strict)?;
                let prepared = (|| {
                    let database = match store.database(name)? {
                        Some(database) => database,
                        None => {
                            store.create_database(name)?;
                            store.database(name)?.expect("the database just created")
                        }
                    };
                    let new_version = version.unwrap_or(1).max(1);
                    store.set_version(database.id, new_version)?;
                    Ok::<_, IdbError>((database, new_version))
                })();
                let (mut database, new_version) = match prepared {
                    Ok(prepared) => prepared,
                    Err(error) => {
                        let _ = store.rollback();
                        return Err(error);
                    }
                };
                let old_version = database.version;
                database.version = new_version;
                let peer = pending.peer.clone();
                self.connections.insert(
                    (peer.clone(), connection),
                    Connection {
                        name: name.to_owned(),
                        database: database.id,
                        close_pending: false,
                        transactions: 1,
                    },
                );
                // The exclusive number becomes the upgrade transaction's.
                self.scheduled
                    .insert(number, Scheduled::Transaction((peer.clone(), upgrade)));
                self.transactions.insert(
                    (peer.clone(), upgrade),
                    Transaction {
                        number,
                        connection: (peer.clone(), connection),
                        database: database.id,
                        mode: TransactionMode::VersionChange,
                        durability: Durability::Strict,
                        stores: HashSet::new(),
                        running: true,
                        queued: VecDeque::new(),
                        commit_requested: false,
                    },
                );
                let schema = schema_of(&database);
                self.schemas.insert(database.id, std::rc::Rc::new(database));
                self.send(
                    &peer,
                    IdbEvent::UpgradeNeeded {
                        request: pending.request,
                        old_version,
                        database: schema,
                    },
                );
                pending.stage = Stage::Upgrading;
                Ok(false)
            }
        }
    }

    /// The upgrade transaction finished: the open succeeds if it committed
    /// and the connection was not closed meanwhile.
    fn upgraded(
        &mut self,
        pending: &mut Pending<P>,
        connection: ConnectionNumber,
    ) -> Result<bool, IdbError> {
        let key = (pending.peer.clone(), connection);
        let open = self
            .connections
            .get(&key)
            .filter(|connection| !connection.close_pending)
            .map(|connection| connection.database);
        let schema =
            open.and_then(|database| self.schemas.get(&database).map(|info| schema_of(info)));
        match schema {
            Some(database) => {
                self.send(
                    &pending.peer,
                    IdbEvent::Opened {
                        request: pending.request,
                        database,
                    },
                );
                Ok(true)
            }
            None => {
                self.connections.remove(&key);
                Err(abort_error())
            }
        }
    }

    fn connect(&mut self, pending: &Pending<P>, database: DatabaseInfo) {
        let PendingKind::Open { connection, .. } = pending.kind else {
            return;
        };
        self.connections.insert(
            (pending.peer.clone(), connection),
            Connection {
                name: database.name.clone(),
                database: database.id,
                close_pending: false,
                transactions: 0,
            },
        );
        let schema = schema_of(&database);
        self.schemas.insert(database.id, std::rc::Rc::new(database));
        self.send(
            &pending.peer,
            IdbEvent::Opened {
                request: pending.request,
                database: schema,
            },
        );
    }

    fn number(&mut self) -> u64 {
        let number = self.next_number;
        self.next_number += 1;
        number
    }

    fn begin(
        &mut self,
        peer: P,
        connection: ConnectionNumber,
        transaction: TransactionNumber,
        stores: Vec<String>,
        mode: TransactionMode,
        durability: DurabilityHint,
    ) {
        let connection_key = (peer.clone(), connection);
        let key = (peer, transaction);
        let database = match self.connections.get_mut(&connection_key) {
            Some(found) if mode != TransactionMode::VersionChange => {
                found.transactions += 1;
                found.database
            }
            _ => {
                // A forged or late message: the transaction ends at once.
                self.send(
                    &key.0,
                    IdbEvent::Finished {
                        transaction,
                        error: Some(IdbError::new(
                            IdbErrorName::InvalidState,
                            "The connection is not open.",
                        )),
                    },
                );
                return;
            }
        };
        if self.transactions.contains_key(&key) {
            log::warn!(target: LOG_TARGET, "{:?} reused transaction number {transaction}", key.0);
            return;
        }
        let number = self.number();
        let mut scope: std::collections::BTreeSet<String> = stores
            .iter()
            .map(|store| format!("{}\0{store}", database.0))
            .collect();
        let scheduler_mode = if mode == TransactionMode::ReadOnly {
            Mode::ReadOnly
        } else {
            scope.insert(WRITER.to_owned());
            Mode::ReadWrite
        };
        self.transactions.insert(
            key.clone(),
            Transaction {
                number,
                connection: connection_key,
                database,
                mode,
                durability: match durability {
                    DurabilityHint::Strict => Durability::Strict,
                    DurabilityHint::Default | DurabilityHint::Relaxed => Durability::Relaxed,
                },
                stores: stores.into_iter().collect(),
                running: false,
                queued: VecDeque::new(),
                commit_requested: false,
            },
        );
        self.scheduled.insert(number, Scheduled::Transaction(key));
        let started = self
            .scheduler
            .add(number, scheduler_mode, Scope::Stores(scope));
        self.started(started);
    }

    /// Starts the transactions the scheduler let go: each runs the requests
    /// that waited for it, and commits if that was asked already.
    fn started(&mut self, numbers: Vec<u64>) {
        let mut work: VecDeque<u64> = numbers.into();
        while let Some(number) = work.pop_front() {
            let Some(Scheduled::Transaction(key)) = self.scheduled.get(&number) else {
                // An upgrade or a deletion: its queue moves on.
                continue;
            };
            let key = key.clone();
            let Some(transaction) = self.transactions.get_mut(&key) else {
                continue;
            };
            transaction.running = true;
            let writer = transaction.mode != TransactionMode::ReadOnly;
            let durability = transaction.durability;
            if writer {
                if let Err(error) = self.store().and_then(|store| store.begin(durability)) {
                    work.extend(self.finish(&key, Some(error)));
                    continue;
                }
            }
            while let Some((request, operation)) = self
                .transactions
                .get_mut(&key)
                .and_then(|transaction| transaction.queued.pop_front())
            {
                self.execute(&key, request, operation);
            }
            if self
                .transactions
                .get(&key)
                .is_some_and(|transaction| transaction.commit_requested)
            {
                work.extend(self.commit_now(&key));
            }
        }
    }

    fn execute(&mut self, key: &TransactionKey<P>, request: RequestNumber, operation: Operation) {
        let result = self.operate(key, request, operation);
        let broken = result.is_err()
            && self
                .transactions
                .get(key)
                .is_some_and(|transaction| transaction.mode != TransactionMode::ReadOnly)
            && self
                .store
                .as_ref()
                .is_ok_and(|store| !store.in_transaction());
        let error = result.as_ref().err().cloned();
        self.send(
            &key.0,
            IdbEvent::Answer {
                transaction: key.1,
                request,
                result,
            },
        );
        if broken {
            // SQLite ended the transaction itself (a full disk, the quota).
            self.abort(key, error);
        }
    }

    /// `getAll()`/`getAllKeys()`: the records are read in one query, and those read so far go
    /// out as `RecordsAhead` every [`STREAM_BYTES`] (the first sooner), after what was queued
    /// before; the outcome holds the rest.
    fn stream_get_all(
        &mut self,
        key: &TransactionKey<P>,
        request: RequestNumber,
        store_id: StoreId,
        index: Option<IndexId>,
        range: KeyRange,
        limit: Option<u32>,
    ) -> Result<Outcome, IdbError> {
        let (peer, transaction) = (&key.0, key.1);
        let (outbox, deliver) = (&self.outbox, &self.deliver);
        let store = self.store.as_mut().map_err(|error| error.clone())?;
        let mut pending = Vec::new();
        let mut bytes = 0;
        let mut threshold = FIRST_STREAM_BYTES;
        let mut each = |record: Record| {
            bytes += record.value.len() + 16;
            pending.push(record);
            if bytes >= threshold {
                flush_outbox(outbox, deliver);
                let records = std::mem::take(&mut pending);
                deliver(
                    peer,
                    IdbEvent::RecordsAhead {
                        transaction,
                        request,
                        records,
                    },
                );
                bytes = 0;
                threshold = STREAM_BYTES;
            }
            Ok(())
        };
        match index {
            None => store.get_each(store_id, &range, limit, |record| each(store_record(record)))?,
            Some(index) => {
                store.index_get_each(index, &range, limit, |(key, primary_key, value)| {
                    each(Record {
                        key,
                        primary_key,
                        value,
                    })
                })?
            }
        }
        Ok(Outcome::Records(pending))
    }

    fn operate(
        &mut self,
        key: &TransactionKey<P>,
        request: RequestNumber,
        operation: Operation,
    ) -> Result<Outcome, IdbError> {
        let transaction = self.transactions.get(key).expect("a running transaction");
        let database = transaction.database;
        let mode = transaction.mode;
        let in_scope = |name: &str| {
            mode == TransactionMode::VersionChange || transaction.stores.contains(name)
        };
        let store_name = operation_store(&operation);
        if let Some(name) = store_name {
            if !in_scope(name) {
                return Err(not_found(format!(
                    "The object store '{name}' is not in the transaction's scope."
                )));
            }
        }
        let writes = !matches!(
            operation,
            Operation::GetAll { .. } | Operation::Count { .. } | Operation::Cursor { .. }
        );
        let schema_change = matches!(
            operation,
            Operation::CreateObjectStore { .. }
                | Operation::DeleteObjectStore { .. }
                | Operation::RenameObjectStore { .. }
                | Operation::CreateIndex { .. }
                | Operation::IndexEntries { .. }
                | Operation::DeleteIndex { .. }
                | Operation::RenameIndex { .. }
        );
        if (writes && mode == TransactionMode::ReadOnly)
            || (schema_change && mode != TransactionMode::VersionChange)
        {
            return Err(IdbError::new(
                IdbErrorName::InvalidState,
                "The transaction's mode does not allow this request.",
            ));
        }
        let info = self
            .schemas
            .get(&database)
            .cloned()
            .ok_or_else(|| not_found("The database is gone."))?;
        let store_of = |name: &str| -> Result<&StoreInfo, IdbError> {
            info.stores
                .iter()
                .find(|store| store.name == name)
                .ok_or_else(|| not_found(format!("No object store named '{name}'.")))
        };
        let index_of = |store: &StoreInfo, name: &str| -> Result<IndexId, IdbError> {
            store
                .indexes
                .iter()
                .find(|index| index.name == name)
                .map(|index| index.id)
                .ok_or_else(|| not_found(format!("No index named '{name}'.")))
        };
        let outcome = match operation {
            Operation::CreateObjectStore {
                name,
                key_path,
                auto_increment,
            } => {
                self.store()?.create_object_store(
                    database,
                    &name,
                    key_path.as_ref(),
                    auto_increment,
                )?;
                Outcome::Done
            }
            Operation::DeleteObjectStore { name } => {
                self.store()?.delete_object_store(database, &name)?;
                Outcome::Done
            }
            Operation::RenameObjectStore { from, to } => {
                self.store()?
                    .rename_named(NamedTable::ObjectStores, database.0, &from, &to)?;
                Outcome::Done
            }
            Operation::CreateIndex { store, schema } => {
                let found = store_of(&store)?;
                let records = {
                    let origin = self.store()?;
                    origin.create_index(
                        found.id,
                        &schema.name,
                        &schema.key_path,
                        schema.unique,
                        schema.multi_entry,
                    )?;
                    origin.get_all(found.id, &KeyRange::all(), None)?
                };
                Outcome::Records(records.into_iter().map(store_record).collect())
            }
            Operation::IndexEntries {
                store,
                index,
                entries,
            } => {
                let found = store_of(&store)?;
                let index = index_of(found, &index)?;
                self.store()?.add_index_entries(index, &entries)?;
                Outcome::Done
            }
            Operation::DeleteIndex { store, name } => {
                let found = store_of(&store)?;
                self.store()?.delete_index(found.id, &name)?;
                Outcome::Done
            }
            Operation::RenameIndex { store, from, to } => {
                let found = store_of(&store)?;
                self.store()?
                    .rename_named(NamedTable::Indexes, found.id.0, &from, &to)?;
                Outcome::Done
            }
            Operation::Put {
                store,
                key,
                value,
                overwrite,
                index_keys,
            } => {
                let found = store_of(&store)?;
                let index_keys = index_keys
                    .into_iter()
                    .map(|(name, keys)| Ok((index_of(found, &name)?, keys)))
                    .collect::<Result<Vec<_>, IdbError>>()?;
                let key = self
                    .store()?
                    .put(found.id, key, &value, overwrite, &index_keys)?;
                Outcome::Key(key)
            }
            Operation::GetAll {
                source,
                range,
                limit,
            } => {
                let found = store_of(&source.store)?;
                let index = match &source.index {
                    Some(index) => Some(index_of(found, index)?),
                    None => None,
                };
                return self.stream_get_all(key, request, found.id, index, range, limit);
            }
            Operation::Count { source, range } => {
                let found = store_of(&source.store)?;
                Outcome::Count(match &source.index {
                    None => self.store()?.count(found.id, &range)?,
                    Some(index) => {
                        let index = index_of(found, index)?;
                        self.store()?.index_count(index, &range)?
                    }
                })
            }
            Operation::Delete { store, range } => {
                let found = store_of(&store)?;
                self.store()?.delete(found.id, &range)?;
                Outcome::Done
            }
            Operation::Clear { store } => {
                let found = store_of(&store)?;
                self.store()?.delete(found.id, &KeyRange::all())?;
                Outcome::Done
            }
            Operation::Cursor {
                source,
                range,
                direction,
                position,
                skip,
                count,
            } => {
                let found = store_of(&source.store)?;
                let direction = match direction {
                    CursorDirection::Next => Direction::Next,
                    CursorDirection::NextUnique => Direction::NextUnique,
                    CursorDirection::Prev => Direction::Prev,
                    CursorDirection::PrevUnique => Direction::PrevUnique,
                };
                let forward = matches!(direction, Direction::Next | Direction::NextUnique);
                // `inclusive`: the position itself may be the answer (`continuePrimaryKey`).
                let (range, after, inclusive) = match position {
                    CursorPosition::Start => (range, None, false),
                    CursorPosition::After { key, primary_key } => {
                        (range, Some((key, primary_key)), false)
                    }
                    CursorPosition::AtOrPast {
                        key,
                        primary_key: Some(primary_key),
                    } => (
                        narrow(range, key.clone(), forward),
                        Some((key, Some(primary_key))),
                        true,
                    ),
                    CursorPosition::AtOrPast { key, .. } => {
                        (narrow(range, key, forward), None, false)
                    }
                };
                let index = source
                    .index
                    .as_ref()
                    .map(|index| index_of(found, index))
                    .transpose()?;
                let store = self.store()?;
                // A step through an index (its read-ahead goes a step at a time).
                let index_step = |index: IndexId,
                                  after: Option<&(Key, Option<Key>)>,
                                  inclusive: bool,
                                  skip: u32| {
                    let after = match after {
                        Some((key, Some(primary_key))) => Some((key, primary_key)),
                        _ => None,
                    };
                    store
                        .index_cursor_step(index, &range, direction, after, inclusive, skip)
                        .map(|found| {
                            found.map(|(key, primary_key, value)| Record {
                                key,
                                primary_key,
                                value,
                            })
                        })
                };
                // The next record, and up to `count - 1` after it (a readonly transaction's
                // cursor reads ahead); fewer than `count`: the end follows them.
                let mut records: Vec<Record> = Vec::new();
                if let Some(index) = index {
                    let mut next = index_step(index, after.as_ref(), inclusive, skip)?;
                    while let Some(record) = next {
                        let position = (record.key.clone(), Some(record.primary_key.clone()));
                        records.push(record);
                        if records.len() >= count.max(1) as usize {
                            break;
                        }
                        next = index_step(index, Some(&position), false, 0)?;
                    }
                } else {
                    records = store
                        .store_cursor_steps(
                            found.id,
                            &range,
                            direction,
                            after.as_ref().map(|(key, _)| key),
                            skip,
                            count,
                        )?
                        .into_iter()
                        .map(store_record)
                        .collect();
                }
                Outcome::Cursor(records)
            }
        };
        if schema_change {
            self.reload_schema(database)?;
        }
        Ok(outcome)
    }

    fn reload_schema(&mut self, database: DatabaseId) -> Result<(), IdbError> {
        let Some(name) = self
            .schemas
            .get(&database)
            .map(|schema| schema.name.clone())
        else {
            return Ok(());
        };
        match self.store()?.database(&name)? {
            Some(info) => {
                self.schemas.insert(database, std::rc::Rc::new(info));
            }
            None => {
                self.schemas.remove(&database);
            }
        }
        Ok(())
    }

    fn commit(&mut self, key: &TransactionKey<P>) {
        let started = self.commit_now(key);
        self.started(started);
    }

    /// Commits a running transaction; what the scheduler starts next.
    fn commit_now(&mut self, key: &TransactionKey<P>) -> Vec<u64> {
        let writer = self
            .transactions
            .get(key)
            .is_some_and(|transaction| transaction.mode != TransactionMode::ReadOnly);
        let mut error = None;
        if writer {
            if let Err(failed) = self.store().and_then(|store| store.commit()) {
                log::warn!(target: LOG_TARGET, "a transaction of {} did not commit: {failed}", self.origin);
                if let Ok(store) = self.store() {
                    let _ = store.rollback();
                }
                error = Some(failed);
            }
        }
        if error.is_some() {
            self.reload_after_rollback(key);
        }
        self.finish(key, error)
    }

    /// Aborts `key`, waiting or running, with `error` (`None`: the engine is
    /// shutting down, no one to tell).
    fn abort(&mut self, key: &TransactionKey<P>, error: Option<IdbError>) {
        let Some(transaction) = self.transactions.get(key) else {
            return;
        };
        if transaction.running && transaction.mode != TransactionMode::ReadOnly {
            if let Ok(store) = self.store() {
                if let Err(failed) = store.rollback() {
                    log::error!(target: LOG_TARGET, "cannot roll back a transaction: {failed}");
                }
            }
            self.reload_after_rollback(key);
        }
        let started = match error {
            Some(error) => self.finish(key, Some(error)),
            None => {
                let number = self.transactions.remove(key).map(|t| t.number);
                number
                    .map(|number| self.finish_scheduled(number))
                    .unwrap_or_default()
            }
        };
        self.started(started);
    }

    /// After a rollback of an upgrade, the schema is the file's again.
    fn reload_after_rollback(&mut self, key: &TransactionKey<P>) {
        let Some(transaction) = self.transactions.get(key) else {
            return;
        };
        if transaction.mode == TransactionMode::VersionChange {
            let database = transaction.database;
            if self.reload_schema(database).is_err() {
                self.schemas.remove(&database);
            }
        }
    }

    /// Ends `key`: tells its global (committed if `error` is `None`) and
    /// frees its scope; what the scheduler starts next.
    fn finish(&mut self, key: &TransactionKey<P>, error: Option<IdbError>) -> Vec<u64> {
        let Some(transaction) = self.transactions.remove(key) else {
            return Vec::new();
        };
        if transaction.mode == TransactionMode::VersionChange && error.is_some() {
            // An aborted upgrade: the connection it opened is closed.
            self.connections.remove(&transaction.connection);
        } else if let Some(connection) = self.connections.get_mut(&transaction.connection) {
            connection.transactions = connection.transactions.saturating_sub(1);
        }
        self.send(
            &key.0,
            IdbEvent::Finished {
                transaction: key.1,
                error,
            },
        );
        self.close_if_done(&transaction.connection);
        self.finish_scheduled(transaction.number)
    }

    fn finish_scheduled(&mut self, number: u64) -> Vec<u64> {
        self.scheduled.remove(&number);
        self.scheduler.finish(number)
    }

    /// A connection whose `close()` was called closes once its transactions
    /// are done.
    fn close_if_done(&mut self, key: &ConnectionKey<P>) {
        if self
            .connections
            .get(key)
            .is_some_and(|connection| connection.close_pending && connection.transactions == 0)
        {
            self.connections.remove(key);
        }
    }
}

/// `range` cut to keys at or past `key` in the cursor's direction.
fn narrow(range: KeyRange, key: Key, forward: bool) -> KeyRange {
    let at = Bound { key, open: false };
    // The tighter of the range's bound and `key`.
    let tighter = |bound: Option<Bound>, past: fn(&Key, &Key) -> bool| match bound {
        Some(bound) if past(&bound.key, &at.key) || (bound.key == at.key && bound.open) => bound,
        _ => at.clone(),
    };
    if forward {
        KeyRange {
            lower: Some(tighter(range.lower, |bound, key| bound > key)),
            upper: range.upper,
        }
    } else {
        KeyRange {
            lower: range.lower,
            upper: Some(tighter(range.upper, |bound, key| bound < key)),
        }
    }
}

fn operation_store(operation: &Operation) -> Option<&str> {
    match operation {
        Operation::Put { store, .. }
        | Operation::Delete { store, .. }
        | Operation::Clear { store }
        | Operation::CreateIndex { store, .. }
        | Operation::IndexEntries { store, .. }
        | Operation::DeleteIndex { store, .. }
        | Operation::RenameIndex { store, .. } => Some(store),
        Operation::GetAll { source, .. }
        | Operation::Count { source, .. }
        | Operation::Cursor { source, .. } => Some(&source.store),
        Operation::CreateObjectStore { .. }
        | Operation::DeleteObjectStore { .. }
        | Operation::RenameObjectStore { .. } => None,
    }
}

/// A record read from a store: its key is its primary key.
fn store_record((key, value): (Key, Vec<u8>)) -> Record {
    Record {
        primary_key: key.clone(),
        key,
        value,
    }
}

fn not_found(message: impl Into<String>) -> IdbError {
    IdbError::new(IdbErrorName::NotFound, message)
}

fn abort_error() -> IdbError {
    IdbError::new(IdbErrorName::Abort, "The transaction was aborted.")
}

fn schema_of(database: &DatabaseInfo) -> DatabaseSchema {
    DatabaseSchema {
        name: database.name.clone(),
        version: database.version,
        stores: database
            .stores
            .iter()
            .map(|store| StoreSchema {
                name: store.name.clone(),
                key_path: store.key_path.clone(),
                auto_increment: store.auto_increment,
                indexes: store
                    .indexes
                    .iter()
                    .map(|index| IndexSchema {
                        name: index.name.clone(),
                        key_path: index.key_path.clone(),
                        unique: index.unique,
                        multi_entry: index.multi_entry,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A long `getAll()` answer goes out in pieces of about this many bytes of values.
const STREAM_BYTES: usize = 64 * 1024;

/// Its first piece goes sooner, so script starts on it while the backend reads the rest.
const FIRST_STREAM_BYTES: usize = 16 * 1024;

/// Sends each peer what `outbox` holds for it, in order, as one message.
fn flush_outbox<P: Peer>(
    outbox: &std::cell::RefCell<Vec<(P, Vec<IdbEvent>)>>,
    deliver: &Deliver<P>,
) {
    let queued = std::mem::take(&mut *outbox.borrow_mut());
    for (peer, mut events) in queued {
        let event = if events.len() == 1 {
            events.pop().expect("one event")
        } else {
            IdbEvent::Batch(events)
        };
        deliver(&peer, event);
    }
}

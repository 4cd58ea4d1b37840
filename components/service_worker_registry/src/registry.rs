//! The registration map: registrations by scope, and their persistence.
//!
//! <https://w3c.github.io/ServiceWorker/#dfn-scope-to-registration-map>
//!
//! The map lives in memory; the profile database (one row per
//! registration, through `storage`) makes it survive a restart. A row holds
//! one worker, the registration's *stored worker*: its active worker if it
//! has one, else its waiting or installing worker (a first install). So an
//! update's new worker reaches the disk only once it is activated, and a
//! restart in between keeps the old, working script. The worker's script
//! is stored with it, and so are the scripts it imported on its first run,
//! so a restarted worker needs no network.
//!
//! Loading turns a row into a worker in the slot its state says:
//! `installed` is waiting, `activating`/`activated` is active (an
//! activation cut short by the restart counts as done, as its `activate`
//! event ran). A row left `installing` or `redundant` never became usable
//! and is deleted.

use std::collections::{BTreeMap, VecDeque};

use base::id::ServiceWorkerRegistrationId;
use base::origin::{ascii_serialization, Origin};
use script_traits::{
    AddRoutesReply, ImportedScript, NavigationPreloadCommand, NavigationPreloadReply,
    NavigationPreloadState, RegistrationInfo, RouterRule, RouterSource, ServiceWorkerError,
    ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState, UpdateViaCache, WorkerType,
};
use storage::{
    Database, ImportedScript as StoredImportedScript, NewServiceWorkerRegistration,
    ServiceWorkerRecord, ServiceWorkerState as StoredState, StorageError,
    UpdateViaCache as StoredUpdateViaCache, WorkerType as StoredWorkerType,
};
use url::Url;

use crate::action::{RegistryAction, WorkerScripts};
use crate::jobs::{Job, QueueEntry};
use crate::router::{RouteRequest, RouterRules};

pub(crate) const LOG_TARGET: &str = "bgsync::service_worker_registry";

/// One service worker: a version of a registration's script.
#[derive(Clone, Debug)]
pub struct ServiceWorker {
    pub(crate) id: ServiceWorkerId,
    pub(crate) script_url: Url,
    /// <https://w3c.github.io/ServiceWorker/#dfn-type>
    pub(crate) worker_type: WorkerType,
    pub(crate) script: Vec<u8>,
    /// What `importScripts()` (or a module script's `import`s) loaded on the worker's first run, in order:
    /// given back to the worker whenever it starts again.
    pub(crate) imported_scripts: Vec<ImportedScript>,
    pub(crate) state: ServiceWorkerState,
    /// <https://w3c.github.io/ServiceWorker/#service-worker-list-of-router-rules>: added
    /// by its `install` event's `addRoutes()`, stored with it.
    pub(crate) router_rules: RouterRules,
    /// <https://w3c.github.io/ServiceWorker/#service-worker-skip-waiting-flag>
    pub(crate) skip_waiting: bool,
}

impl ServiceWorker {
    pub fn id(&self) -> ServiceWorkerId {
        self.id
    }

    pub fn script_url(&self) -> &Url {
        &self.script_url
    }

    pub fn worker_type(&self) -> WorkerType {
        self.worker_type
    }

    /// The main script, byte for byte as fetched.
    pub fn script(&self) -> &[u8] {
        &self.script
    }

    /// The scripts the worker imported on its first run.
    pub fn imported_scripts(&self) -> &[ImportedScript] {
        &self.imported_scripts
    }

    pub fn state(&self) -> ServiceWorkerState {
        self.state
    }

    /// The scripts to start the worker from.
    pub fn scripts(&self) -> WorkerScripts {
        WorkerScripts {
            worker_type: self.worker_type,
            main: self.script.clone(),
            imported: self.imported_scripts.clone(),
        }
    }

    pub fn info(&self) -> ServiceWorkerInfo {
        ServiceWorkerInfo {
            id: self.id,
            script_url: self.script_url.clone(),
            state: self.state,
        }
    }
}

/// The three worker slots of a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Installing,
    Waiting,
    Active,
}

/// <https://w3c.github.io/ServiceWorker/#dfn-service-worker-registration>
#[derive(Clone, Debug)]
pub struct Registration {
    pub(crate) id: ServiceWorkerRegistrationId,
    pub(crate) scope: Url,
    pub(crate) update_via_cache: UpdateViaCache,
    pub(crate) installing: Option<ServiceWorker>,
    pub(crate) waiting: Option<ServiceWorker>,
    pub(crate) active: Option<ServiceWorker>,
    /// Which worker, in which state, the database row holds now.
    pub(crate) stored: Option<(ServiceWorkerId, ServiceWorkerState)>,
    /// When its script was last fetched by an update (ms since the epoch; the spec's "last
    /// update check time"), as stored.
    pub(crate) last_update_check_ms: Option<u64>,
}

impl Registration {
    pub fn id(&self) -> ServiceWorkerRegistrationId {
        self.id
    }

    pub fn scope(&self) -> &Url {
        &self.scope
    }

    pub fn update_via_cache(&self) -> UpdateViaCache {
        self.update_via_cache
    }

    pub fn installing(&self) -> Option<&ServiceWorker> {
        self.installing.as_ref()
    }

    pub fn waiting(&self) -> Option<&ServiceWorker> {
        self.waiting.as_ref()
    }

    pub fn active(&self) -> Option<&ServiceWorker> {
        self.active.as_ref()
    }

    /// <https://w3c.github.io/ServiceWorker/#get-newest-worker>
    pub fn newest_worker(&self) -> Option<&ServiceWorker> {
        self.installing
            .as_ref()
            .or(self.waiting.as_ref())
            .or(self.active.as_ref())
    }

    pub fn info(&self) -> RegistrationInfo {
        RegistrationInfo {
            id: self.id,
            scope: self.scope.clone(),
            update_via_cache: self.update_via_cache,
            installing: self.installing.as_ref().map(ServiceWorker::info),
            waiting: self.waiting.as_ref().map(ServiceWorker::info),
            active: self.active.as_ref().map(ServiceWorker::info),
        }
    }

    pub(crate) fn slot(&self, slot: Slot) -> Option<&ServiceWorker> {
        match slot {
            Slot::Installing => self.installing.as_ref(),
            Slot::Waiting => self.waiting.as_ref(),
            Slot::Active => self.active.as_ref(),
        }
    }

    pub(crate) fn slot_mut(&mut self, slot: Slot) -> &mut Option<ServiceWorker> {
        match slot {
            Slot::Installing => &mut self.installing,
            Slot::Waiting => &mut self.waiting,
            Slot::Active => &mut self.active,
        }
    }

    /// The worker the database row should hold (see the module docs).
    fn worker_to_store(&self) -> Option<&ServiceWorker> {
        self.active
            .as_ref()
            .or(self.waiting.as_ref())
            .or(self.installing.as_ref())
    }

    fn has_worker(&self, worker: ServiceWorkerId) -> bool {
        [Slot::Installing, Slot::Waiting, Slot::Active]
            .into_iter()
            .any(|slot| self.slot(slot).is_some_and(|held| held.id == worker))
    }
}

/// The registry: the registration map, the job queues, and the database
/// connection that persists them. One per profile, owned by the
/// constellation.
#[derive(Debug)]
pub struct ServiceWorkerRegistry {
    pub(crate) database: Database,
    /// Keyed by the scope URL's serialization.
    pub(crate) registrations: BTreeMap<String, Registration>,
    /// <https://w3c.github.io/ServiceWorker/#dfn-scope-to-job-queue-map>
    /// The front job of each queue is the running one.
    pub(crate) queues: BTreeMap<String, VecDeque<Job>>,
    /// What the engine must do next, in order, and the promises to settle
    /// once what comes before them is done.
    pub(crate) actions: VecDeque<QueueEntry>,
    pub(crate) next_job_id: u64,
    next_worker_id: u64,
    /// Unregistered registrations not cleared yet
    /// (<https://w3c.github.io/ServiceWorker/#try-clear-registration-algorithm>): out of the map
    /// and the database, so matching, `getRegistration(s)()` and `register()` no longer see
    /// them, while their workers go on serving the clients they control. Cleared (every worker
    /// redundant) once no client uses them and their workers have no events in flight.
    pub(crate) unregistered: Vec<Registration>,
}

impl ServiceWorkerRegistry {
    /// Loads every stored registration (see the module docs for what each
    /// stored state becomes). Rows whose URLs do not parse are logged and
    /// skipped, not deleted.
    pub fn load(mut database: Database) -> Result<ServiceWorkerRegistry, StorageError> {
        let mut registrations = BTreeMap::new();
        let mut next_worker_id = 1;
        for record in database.service_workers()? {
            let imported_scripts = database.imported_scripts(record.id)?;
            let router_rules = database.router_rules(record.id)?;
            match load_record(
                &record,
                &imported_scripts,
                router_rules.as_deref(),
                &mut next_worker_id,
            ) {
                Loaded::Keep(registration) => {
                    registrations.insert(registration.scope.as_str().to_owned(), *registration);
                }
                Loaded::Delete => {
                    database.delete_service_worker(record.id)?;
                }
                // Not deleted: a later build may read it.
                Loaded::Skip => {}
            }
        }
        log::info!(
            target: LOG_TARGET,
            "loaded {} service-worker registration(s)",
            registrations.len()
        );
        Ok(ServiceWorkerRegistry {
            database,
            registrations,
            queues: BTreeMap::new(),
            actions: VecDeque::new(),
            next_job_id: 0,
            next_worker_id,
            unregistered: Vec::new(),
        })
    }

    pub(crate) fn new_worker_id(&mut self) -> ServiceWorkerId {
        let id = ServiceWorkerId(self.next_worker_id);
        self.next_worker_id += 1;
        id
    }

    /// The registration with this id, whoever asks.
    pub fn registration(&self, id: ServiceWorkerRegistrationId) -> Option<&Registration> {
        self.registrations
            .values()
            .find(|registration| registration.id == id)
    }

    /// The registration with this id if it belongs to `client_origin`: what
    /// a page may see. An id of another origin is treated as unknown, so a
    /// page learns nothing about other origins' registrations.
    pub fn registration_for_client(
        &self,
        client_origin: &Origin,
        id: ServiceWorkerRegistrationId,
    ) -> Option<&Registration> {
        self.registration(id)
            .filter(|registration| registration.scope.origin() == *client_origin)
    }

    /// <https://w3c.github.io/ServiceWorker/#get-registration-algorithm>
    pub fn registration_by_scope(&self, scope: &Url) -> Option<&Registration> {
        self.registrations.get(scope.as_str())
    }

    /// The registration owning `worker`, by any of its slots.
    pub fn registration_of_worker(&self, worker: ServiceWorkerId) -> Option<&Registration> {
        self.registrations
            .values()
            .find(|registration| registration.has_worker(worker))
    }

    /// The registration that contains `worker` (its "containing service worker
    /// registration"), whether still registered or unregistered and kept while
    /// clients or pending events use it (Try Clear Registration has not cleared
    /// it yet): such a worker still receives messages, and may call
    /// `skipWaiting()` and `clients.claim()`.
    pub fn containing_registration(&self, worker: ServiceWorkerId) -> Option<&Registration> {
        self.registration_of_worker(worker).or_else(|| {
            self.unregistered
                .iter()
                .find(|registration| registration.has_worker(worker))
        })
    }

    /// Every registration, in scope order.
    pub fn registrations(&self) -> impl Iterator<Item = &Registration> {
        self.registrations.values()
    }

    /// <https://w3c.github.io/ServiceWorker/#scope-match-algorithm>: the
    /// registration whose scope is the longest prefix of `client_url`
    /// (without its fragment), among those of the URL's origin.
    pub fn match_registration(&self, client_url: &Url) -> Option<&Registration> {
        let mut client_url = client_url.clone();
        client_url.set_fragment(None);
        let origin = client_url.origin();
        self.registrations
            .iter()
            .filter(|(scope, registration)| {
                client_url.as_str().starts_with(scope.as_str())
                    && registration.scope.origin() == origin
            })
            .max_by_key(|(scope, _)| scope.len())
            .map(|(_, registration)| registration)
    }

    /// `getRegistration(clientURL)`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistration>.
    pub fn get_registration(
        &self,
        client_origin: &Origin,
        client_url: &Url,
    ) -> Result<Option<RegistrationInfo>, ServiceWorkerError> {
        // Step 5: If the origin of clientURL is not client's origin, reject
        // with a "SecurityError" DOMException.
        if client_url.origin() != *client_origin {
            return Err(ServiceWorkerError::Security(
                "The clientURL's origin does not match the document's origin.".to_owned(),
            ));
        }
        // Steps 7-8: Match Service Worker Registration.
        Ok(self.match_registration(client_url).map(Registration::info))
    }

    /// `getRegistrations()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistrations>:
    /// the registrations of `client_origin`, in scope order.
    pub fn get_registrations(&self, client_origin: &Origin) -> Vec<RegistrationInfo> {
        self.registrations
            .values()
            .filter(|registration| registration.scope.origin() == *client_origin)
            .map(Registration::info)
            .collect()
    }

    /// Stores a new registration whose first worker is installing, and adds
    /// it to the map. Committed on return.
    pub(crate) fn insert_registration(
        &mut self,
        scope: Url,
        update_via_cache: UpdateViaCache,
        worker: ServiceWorker,
    ) -> Result<ServiceWorkerRegistrationId, StorageError> {
        let id = self
            .database
            .insert_service_worker(&NewServiceWorkerRegistration {
                scope: scope.as_str().to_owned(),
                script_url: worker.script_url.as_str().to_owned(),
                origin: ascii_serialization(&scope.origin()),
                state: state_to_stored(worker.state),
                script_source: worker.script.clone(),
                update_via_cache: update_via_cache_to_stored(update_via_cache),
                worker_type: worker_type_to_stored(worker.worker_type),
            })?;
        log::debug!(target: LOG_TARGET, "stored new registration {id} for {scope}");
        let registration = Registration {
            id,
            scope: scope.clone(),
            update_via_cache,
            installing: None,
            waiting: None,
            active: None,
            stored: Some((worker.id, worker.state)),
            // Its first script was fetched just now.
            last_update_check_ms: Some(now_ms()),
        };
        self.registrations
            .insert(scope.as_str().to_owned(), registration);
        Ok(id)
    }

    /// Deletes the registration from the database (with its sync
    /// registrations, by foreign key) and then from the map. On a storage
    /// error the registration stays.
    pub(crate) fn remove_registration(&mut self, scope: &str) -> Result<(), StorageError> {
        if let Some(registration) = self.registrations.get(scope) {
            self.database.delete_service_worker(registration.id)?;
            log::debug!(target: LOG_TARGET, "removed registration {}", registration.id);
        }
        if let Some(removed) = self.registrations.remove(scope) {
            self.act(RegistryAction::RegistrationRemoved(removed.id));
        }
        Ok(())
    }

    /// Makes the database row hold the registration's stored worker in its
    /// current state; writes nothing if it already does.
    pub(crate) fn persist(&mut self, scope: &str) -> Result<(), StorageError> {
        let Some(registration) = self.registrations.get_mut(scope) else {
            return Ok(());
        };
        let Some(worker) = registration.worker_to_store() else {
            return Ok(());
        };
        let wanted = (worker.id, worker.state);
        match registration.stored {
            Some(stored) if stored == wanted => return Ok(()),
            Some((stored_worker, _)) if stored_worker == worker.id => {}
            _ => self.database.replace_service_worker_script(
                registration.id,
                worker.script_url.as_str(),
                worker_type_to_stored(worker.worker_type),
                &worker.script,
                &to_stored_imports(&worker.imported_scripts),
                worker.router_rules.to_json().as_deref(),
            )?,
        }
        self.database
            .set_service_worker_state(registration.id, state_to_stored(worker.state))?;
        registration.stored = Some(wanted);
        Ok(())
    }

    /// Stores the imported scripts of the worker a new registration was
    /// inserted with (the row holds that worker already).
    pub(crate) fn store_imported_scripts(
        &mut self,
        id: ServiceWorkerRegistrationId,
        scripts: &[ImportedScript],
    ) -> Result<(), StorageError> {
        for script in to_stored_imports(scripts) {
            self.database.put_imported_script(id, &script)?;
        }
        Ok(())
    }

    /// [`Self::persist`], logging a failure: for lifecycle steps, whose
    /// promise was already resolved. The row is written again at the next
    /// change.
    pub(crate) fn persist_or_log(&mut self, scope: &str) {
        if let Err(error) = self.persist(scope) {
            log::error!(target: LOG_TARGET, "cannot store registration for {scope}: {error}");
        }
    }

    /// Whether `worker`, the active worker of its registration, handles `fetch`, as stored
    /// when its script last ran (`None`: not known, or not an active worker).
    pub fn stored_handles_fetch(&self, worker: ServiceWorkerId) -> Option<bool> {
        let registration = self.registration_of_worker(worker)?;
        if registration.active().map(ServiceWorker::id) != Some(worker) {
            return None;
        }
        match self.database.handles_fetch(registration.id()) {
            Ok(known) => known,
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot read what {worker} handles: {error}");
                None
            }
        }
    }

    /// Stores whether `worker` handles `fetch`, if it is the active worker of its
    /// registration (the one whose script the registration stores).
    pub fn store_handles_fetch(&mut self, worker: ServiceWorkerId, handles_fetch: bool) {
        let Some(registration) = self.registration_of_worker(worker) else {
            return;
        };
        if registration.active().map(ServiceWorker::id) != Some(worker) {
            return;
        }
        let id = registration.id();
        if let Err(error) = self.database.set_handles_fetch(id, handles_fetch) {
            log::error!(target: LOG_TARGET, "cannot store what {worker} handles: {error}");
        }
    }

    /// `addRoutes(rules)` of `worker`'s `install` event
    /// (<https://w3c.github.io/ServiceWorker/#dom-installevent-addroutes>): every rule's
    /// condition verifies, and a worker routing to its fetch handler has one
    /// (`handles_fetch`, as its script's run reported), or nothing is added (TypeError). Only
    /// an installing worker adds rules (InvalidStateError). Rules of the registration's stored
    /// worker (a first install) are written at once; an update's go with its script.
    pub fn add_routes(
        &mut self,
        worker: ServiceWorkerId,
        rules: &[RouterRule],
        handles_fetch: bool,
    ) -> AddRoutesReply {
        let type_error = |why: String| {
            Err(ServiceWorkerError::Type(format!(
                "Failed to execute 'addRoutes' on 'InstallEvent': {why}"
            )))
        };
        let not_installing = || {
            Err(ServiceWorkerError::InvalidState(
                "Failed to execute 'addRoutes' on 'InstallEvent': The worker is not installing."
                    .to_owned(),
            ))
        };
        let Some(registration) = self.registrations.values_mut().find(|registration| {
            registration
                .installing
                .as_ref()
                .is_some_and(|installing| installing.id == worker)
        }) else {
            return not_installing();
        };
        let stored = registration.stored.map(|(id, _)| id) == Some(worker);
        let id = registration.id;
        let Some(installing) = registration.installing.as_mut() else {
            return not_installing();
        };
        let needs_fetch_handler = rules.iter().any(|rule| {
            matches!(
                rule.source,
                RouterSource::FetchEvent | RouterSource::RaceNetworkAndFetchHandler
            )
        });
        if needs_fetch_handler && !handles_fetch {
            return type_error(
                "a rule routes to the fetch handler, and the worker has no fetch event listener."
                    .to_owned(),
            );
        }
        let updated = match installing.router_rules.with(rules, &installing.script_url) {
            Ok(updated) => updated,
            Err(why) => return type_error(format!("{why}.")),
        };
        if stored {
            if let Err(error) = self
                .database
                .set_router_rules(id, updated.to_json().as_deref())
            {
                return Err(ServiceWorkerError::Storage(format!(
                    "Failed to execute 'addRoutes' on 'InstallEvent': storage failed: {error}"
                )));
            }
        }
        let count = updated.rules().len();
        installing.router_rules = updated;
        Ok(count)
    }

    /// Get Router Source (<https://w3c.github.io/ServiceWorker/#get-router-source-algorithm>):
    /// where `request` for `worker` (an active worker, `running` or not) goes by its router
    /// rules; `None` when no rule matches, or it has none: its fetch event.
    pub fn router_source(
        &self,
        worker: ServiceWorkerId,
        request: &RouteRequest<'_>,
        running: bool,
    ) -> Option<RouterSource> {
        let registration = self.registration_of_worker(worker)?;
        let active = registration.active().filter(|active| active.id == worker)?;
        active.router_rules.source_for(request, running).cloned()
    }

    /// A `NavigationPreloadManager` call of a client or worker of `client_origin` on its
    /// registration `id` (<https://w3c.github.io/ServiceWorker/#navigationpreloadmanager>):
    /// the state after it. `enable()`, `disable()` and `setHeaderValue()` need an active
    /// worker (InvalidStateError) and are stored before the answer; `getState()` reads.
    pub fn navigation_preload(
        &mut self,
        client_origin: &Origin,
        id: ServiceWorkerRegistrationId,
        command: NavigationPreloadCommand,
    ) -> NavigationPreloadReply {
        let operation = match &command {
            NavigationPreloadCommand::Enable => "enable",
            NavigationPreloadCommand::Disable => "disable",
            NavigationPreloadCommand::SetHeaderValue(_) => "setHeaderValue",
            NavigationPreloadCommand::GetState => "getState",
        };
        let Some(registration) = self.registration_for_client(client_origin, id) else {
            return Err(ServiceWorkerError::InvalidState(format!(
                "Failed to execute '{operation}' on 'NavigationPreloadManager': The                  registration does not exist."
            )));
        };
        let has_active_worker = registration.active().is_some();
        let storage_error = |error: StorageError| {
            ServiceWorkerError::Storage(format!(
                "Failed to execute '{operation}' on 'NavigationPreloadManager': storage                  failed: {error}"
            ))
        };
        let mut state = self
            .database
            .navigation_preload(id)
            .map_err(storage_error)?
            .map(|(enabled, header_value)| NavigationPreloadState {
                enabled,
                header_value,
            })
            .unwrap_or_default();
        match command {
            NavigationPreloadCommand::GetState => return Ok(state),
            NavigationPreloadCommand::Enable => state.enabled = true,
            NavigationPreloadCommand::Disable => state.enabled = false,
            NavigationPreloadCommand::SetHeaderValue(value) => state.header_value = value,
        }
        if !has_active_worker {
            return Err(ServiceWorkerError::InvalidState(format!(
                "Failed to execute '{operation}' on 'NavigationPreloadManager': The                  registration does not have an active worker."
            )));
        }
        self.database
            .set_navigation_preload(id, state.enabled, &state.header_value)
            .map_err(storage_error)?;
        Ok(state)
    }

    /// The navigation preload of registration `id`, for a navigation fetch event (disabled
    /// when unknown or unreadable).
    pub fn navigation_preload_of(&self, id: ServiceWorkerRegistrationId) -> NavigationPreloadState {
        match self.database.navigation_preload(id) {
            Ok(Some((enabled, header_value))) => NavigationPreloadState {
                enabled,
                header_value,
            },
            Ok(None) => NavigationPreloadState::default(),
            Err(error) => {
                log::error!(target: LOG_TARGET, "cannot read the navigation preload of {id}: {error}");
                NavigationPreloadState::default()
            }
        }
    }

    /// Records that an update check happened now.
    pub(crate) fn record_update_check(&mut self, id: ServiceWorkerRegistrationId) {
        let now = now_ms();
        if let Some(registration) = self.registrations.values_mut().find(|r| r.id == id) {
            registration.last_update_check_ms = Some(now);
        }
        if let Err(error) = self.database.set_last_update_check(id, now) {
            log::error!(target: LOG_TARGET, "cannot record update check of {id}: {error}");
        }
    }

    /// Whether registration `id`'s last update check is more than a day old (Handle Fetch and
    /// Fire Functional Event then start a Soft Update). A registration never checked is not:
    /// its first script was fetched when it was made.
    pub fn update_check_is_stale(&self, id: ServiceWorkerRegistrationId) -> bool {
        const DAY_MS: u64 = 86_400_000;
        self.registration(id)
            .and_then(|registration| registration.last_update_check_ms)
            .is_some_and(|at| now_ms().saturating_sub(at) > DAY_MS)
    }
}

/// What loading does with one stored row.
enum Loaded {
    Keep(Box<Registration>),
    Delete,
    Skip,
}

fn load_record(
    record: &ServiceWorkerRecord,
    imported_scripts: &[StoredImportedScript],
    router_rules: Option<&str>,
    next_worker_id: &mut u64,
) -> Loaded {
    let (Ok(scope), Ok(script_url)) = (Url::parse(&record.scope), Url::parse(&record.script_url))
    else {
        log::error!(
            target: LOG_TARGET,
            "skipping stored registration {} with an invalid scope or script URL",
            record.id
        );
        return Loaded::Skip;
    };
    let (slot, state) = match record.state {
        StoredState::Installed => (Slot::Waiting, ServiceWorkerState::Installed),
        StoredState::Activating | StoredState::Activated => {
            (Slot::Active, ServiceWorkerState::Activated)
        }
        StoredState::Installing | StoredState::Redundant => {
            log::warn!(
                target: LOG_TARGET,
                "deleting registration {} for {scope}: its worker never finished installing",
                record.id
            );
            return Loaded::Delete;
        }
    };
    let imported_scripts = imported_scripts
        .iter()
        .filter_map(|stored| match Url::parse(&stored.url) {
            Ok(url) => Some(ImportedScript {
                url,
                source: stored.source.clone(),
            }),
            Err(_) => {
                log::error!(
                    target: LOG_TARGET,
                    "skipping an imported script of registration {} with an invalid URL",
                    record.id
                );
                None
            }
        })
        .collect();
    let router_rules = router_rules
        .map(|json| RouterRules::from_json(json, &script_url))
        .unwrap_or_default();
    let worker = ServiceWorker {
        id: ServiceWorkerId(*next_worker_id),
        script_url,
        worker_type: match record.worker_type {
            StoredWorkerType::Classic => WorkerType::Classic,
            StoredWorkerType::Module => WorkerType::Module,
        },
        script: record.script_source.clone(),
        imported_scripts,
        state,
        router_rules,
        skip_waiting: false,
    };
    *next_worker_id += 1;
    let mut registration = Registration {
        id: record.id,
        scope,
        update_via_cache: update_via_cache_from_stored(record.update_via_cache),
        installing: None,
        waiting: None,
        active: None,
        // What the row says, so an `activating` row is rewritten as
        // `activated` at the next persist.
        stored: Some((worker.id, state_from_stored(record.state))),
        last_update_check_ms: record.last_update_check_ms,
    };
    *registration.slot_mut(slot) = Some(worker);
    Loaded::Keep(Box::new(registration))
}

fn to_stored_imports(scripts: &[ImportedScript]) -> Vec<StoredImportedScript> {
    scripts
        .iter()
        .map(|script| StoredImportedScript {
            url: script.url.as_str().to_owned(),
            source: script.source.clone(),
        })
        .collect()
}

pub(crate) fn state_to_stored(state: ServiceWorkerState) -> StoredState {
    match state {
        // A registration is stored when its first worker's script runs (parsed); it is
        // recorded as installing, what it becomes next.
        ServiceWorkerState::Parsed | ServiceWorkerState::Installing => StoredState::Installing,
        ServiceWorkerState::Installed => StoredState::Installed,
        ServiceWorkerState::Activating => StoredState::Activating,
        ServiceWorkerState::Activated => StoredState::Activated,
        ServiceWorkerState::Redundant => StoredState::Redundant,
    }
}

fn state_from_stored(state: StoredState) -> ServiceWorkerState {
    match state {
        StoredState::Installing => ServiceWorkerState::Installing,
        StoredState::Installed => ServiceWorkerState::Installed,
        StoredState::Activating => ServiceWorkerState::Activating,
        StoredState::Activated => ServiceWorkerState::Activated,
        StoredState::Redundant => ServiceWorkerState::Redundant,
    }
}

fn update_via_cache_to_stored(value: UpdateViaCache) -> StoredUpdateViaCache {
    match value {
        UpdateViaCache::Imports => StoredUpdateViaCache::Imports,
        UpdateViaCache::All => StoredUpdateViaCache::All,
        UpdateViaCache::None => StoredUpdateViaCache::None,
    }
}

fn update_via_cache_from_stored(value: StoredUpdateViaCache) -> UpdateViaCache {
    match value {
        StoredUpdateViaCache::Imports => UpdateViaCache::Imports,
        StoredUpdateViaCache::All => UpdateViaCache::All,
        StoredUpdateViaCache::None => UpdateViaCache::None,
    }
}

fn worker_type_to_stored(worker_type: WorkerType) -> StoredWorkerType {
    match worker_type {
        WorkerType::Classic => StoredWorkerType::Classic,
        WorkerType::Module => StoredWorkerType::Module,
    }
}

/// Now, in milliseconds since the epoch (0 for a clock before it).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

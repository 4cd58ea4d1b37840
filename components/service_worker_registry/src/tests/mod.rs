//! Tests of the registry with a real SQLite file in a temporary profile, a
//! fake script server and a fake worker host, which carry out the
//! registry's actions at once ([`drive`]); `waits.rs` answers them later.

mod jobs;
mod lifecycle;
mod persistence;
mod router;
mod waits;
mod worker_types;

use std::collections::HashMap;
use std::sync::mpsc;

use base::origin::Origin;
use script_traits::{
    ImportedScript, RegistrationInfo, ServiceWorkerError, ServiceWorkerId, ServiceWorkerInfo,
    ServiceWorkerState, UpdateViaCache, WorkerType,
};
use storage::Database;
use tempfile::TempDir;
use url::Url;

use crate::action::{
    FetchError, FetchedScript, InstallFailure, RegistrationUsage, RegistryAction, WorkerScripts,
};
use crate::jobs::{JobCompletion, JobOutcome, JobResult};
use crate::registry::ServiceWorkerRegistry;

pub(super) const ORIGIN: &str = "https://a.test";

pub(super) fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

pub(super) fn origin(text: &str) -> Origin {
    url(text).origin()
}

/// Serves scripts from a map; anything else is a 404 HTML page.
#[derive(Default)]
pub(super) struct FakeFetcher {
    pub scripts: HashMap<String, FetchedScript>,
    pub fetched: Vec<Url>,
    /// Each main script fetch's URL and whether it was to bypass the HTTP cache whatever
    /// `updateViaCache` said.
    pub bypasses: Vec<(Url, bool)>,
}

impl FakeFetcher {
    /// Serves `body` at `script` as `text/javascript`; the returned value
    /// can be changed.
    pub fn serve(&mut self, script: &str, body: &[u8]) -> &mut FetchedScript {
        let response = FetchedScript {
            status: 200,
            final_url: url(script),
            mime_type: Some("text/javascript".to_owned()),
            service_worker_allowed: None,
            body: body.to_vec(),
        };
        self.scripts.insert(script.to_owned(), response);
        self.scripts.get_mut(script).unwrap()
    }
}

impl FakeFetcher {
    pub fn fetch_script(&mut self, script: &Url) -> Result<FetchedScript, FetchError> {
        self.fetched.push(script.clone());
        Ok(self
            .scripts
            .get(script.as_str())
            .cloned()
            .unwrap_or_else(|| FetchedScript {
                status: 404,
                final_url: script.clone(),
                mime_type: Some("text/html".to_owned()),
                service_worker_allowed: None,
                body: b"<h1>Not Found</h1>".to_vec(),
            }))
    }
}

/// Records events and state changes; fails the evaluation of scripts whose
/// body is in `throwing_scripts` and the installs of those in
/// `failing_scripts`; reports `imports` as what a script imported.
#[derive(Default)]
pub(super) struct FakeHost {
    pub throwing_scripts: Vec<Vec<u8>>,
    pub failing_scripts: Vec<Vec<u8>>,
    pub imports: HashMap<Vec<u8>, Vec<ImportedScript>>,
    /// The router rules a script's `install` event adds, and what each addRoutes() gave.
    pub routes: HashMap<Vec<u8>, Vec<script_traits::RouterRule>>,
    pub routes_added: Vec<script_traits::AddRoutesReply>,
    /// The scripts have no `fetch` listener (what addRoutes() checks for its sources).
    pub no_fetch_listener: bool,
    /// No client uses any registration (the default host says they all
    /// are in use).
    pub unused: bool,
    /// Scripts that call `skipWaiting()` when first evaluated.
    pub skipping_scripts: Vec<Vec<u8>>,
    /// Workers with events pending (a `message` event extended by
    /// `waitUntil()`, say).
    pub busy: Vec<ServiceWorkerId>,
    /// `start`, `install` and `activate` of each worker, in order.
    pub events: Vec<String>,
    /// The imported scripts each install and activation was given.
    pub given_imports: Vec<Vec<ImportedScript>>,
    /// The type each worker was first run as, and each install and activation was given.
    pub given_types: Vec<(ServiceWorkerId, WorkerType)>,
    pub states: Vec<(ServiceWorkerId, ServiceWorkerState)>,
    pub terminated: Vec<ServiceWorkerId>,
}

impl FakeHost {
    fn start_worker(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        worker_type: WorkerType,
        script: &[u8],
    ) -> Result<Vec<ImportedScript>, String> {
        // Run before Install: the worker is in no slot yet.
        assert!(registration.installing.as_ref() != Some(worker));
        self.events.push(format!("start {}", worker.id));
        self.given_types.push((worker.id, worker_type));
        if self
            .throwing_scripts
            .iter()
            .any(|throwing| throwing == script)
        {
            return Err("Uncaught Error: top-level throw".to_owned());
        }
        Ok(self.imports.get(script).cloned().unwrap_or_default())
    }

    fn run_install(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: &WorkerScripts,
    ) -> Result<(), InstallFailure> {
        assert_eq!(registration.installing.as_ref(), Some(worker));
        self.events.push(format!("install {}", worker.id));
        self.given_imports.push(scripts.imported.to_vec());
        self.given_types.push((worker.id, scripts.worker_type));
        if self.failing_scripts.contains(&scripts.main) {
            return Err(InstallFailure::EventRejected);
        }
        Ok(())
    }

    fn run_activate(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: &WorkerScripts,
    ) {
        assert_eq!(registration.active.as_ref(), Some(worker));
        self.events.push(format!("activate {}", worker.id));
        self.given_imports.push(scripts.imported.to_vec());
        self.given_types.push((worker.id, scripts.worker_type));
    }

    fn terminate(&mut self, worker: ServiceWorkerId) {
        self.terminated.push(worker);
    }

    fn worker_state_changed(
        &mut self,
        _registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
    ) {
        self.states.push((worker.id, worker.state));
    }
}

impl RegistrationUsage for FakeHost {
    fn is_used_by_a_client(&self, _registration: &RegistrationInfo) -> bool {
        !self.unused
    }

    fn has_pending_events(&self, worker: ServiceWorkerId) -> bool {
        self.busy.contains(&worker)
    }
}

/// Carries out the registry's actions with the fakes until there is none.
pub(super) fn drive(
    registry: &mut ServiceWorkerRegistry,
    fetcher: &mut FakeFetcher,
    host: &mut FakeHost,
) {
    registry.try_clear_unregistered(host);
    while let Some(action) = registry.next_action() {
        match action {
            RegistryAction::FetchScript {
                job,
                url,
                bypass_http_cache,
                ..
            } => {
                fetcher.bypasses.push((url.clone(), bypass_http_cache));
                let fetched = fetcher.fetch_script(&url);
                registry.script_fetched(job, fetched);
            }
            RegistryAction::FetchImportedScripts { job, urls, .. } => {
                let fetched = urls
                    .into_iter()
                    .map(|url| {
                        let result =
                            fetcher
                                .fetch_script(&url)
                                .and_then(|fetched| match fetched.status {
                                    200 => Ok(fetched.body),
                                    status => Err(FetchError(format!("HTTP {status}"))),
                                });
                        (url, result)
                    })
                    .collect();
                registry.imported_scripts_fetched(job, fetched);
            }
            RegistryAction::EvaluateWorker {
                job,
                registration,
                worker,
                worker_type,
                script,
            } => {
                let result = host.start_worker(&registration, &worker, worker_type, &script);
                if host.skipping_scripts.contains(&script) {
                    // `skipWaiting();` at the top level of the script.
                    registry.skip_waiting(worker.id, host).unwrap();
                }
                registry.worker_evaluated(job, result);
            }
            RegistryAction::FireInstall {
                job,
                registration,
                worker,
                scripts,
            } => {
                if let Some(rules) = host.routes.get(&scripts.main).cloned() {
                    let added = registry.add_routes(worker.id, &rules, !host.no_fetch_listener);
                    host.routes_added.push(added);
                }
                let outcome = host.run_install(&registration, &worker, &scripts);
                registry.install_done(job, outcome, host);
            }
            RegistryAction::FireActivate {
                registration,
                worker,
                scripts,
            } => {
                host.run_activate(&registration, &worker, &scripts);
                registry.activate_done(worker.id);
            }
            RegistryAction::Terminate(worker) => host.terminate(worker),
            RegistryAction::StateChanged {
                registration,
                worker,
            } => host.worker_state_changed(&registration, &worker),
            RegistryAction::RegistrationRemoved(_) | RegistryAction::UpdateFound(_) => {}
        }
        if registry.actions.is_empty() {
            // What the engine does after every step: an unregistered
            // registration nothing uses any more is cleared.
            registry.try_clear_unregistered(host);
        }
    }
}

impl FakeHost {
    /// The states `worker` went through, in order.
    pub fn states_of(&self, worker: ServiceWorkerId) -> Vec<ServiceWorkerState> {
        self.states
            .iter()
            .filter(|(id, _)| *id == worker)
            .map(|(_, state)| *state)
            .collect()
    }
}

/// A profile directory with a registry over its database.
pub(super) struct Profile {
    pub dir: TempDir,
    pub registry: ServiceWorkerRegistry,
    pub fetcher: FakeFetcher,
    pub host: FakeHost,
}

/// Collects job results in the order they arrive.
pub(super) struct Results {
    sender: mpsc::Sender<(usize, JobResult)>,
    receiver: mpsc::Receiver<(usize, JobResult)>,
}

impl Results {
    pub fn new() -> Results {
        let (sender, receiver) = mpsc::channel();
        Results { sender, receiver }
    }

    /// A completion that reports as job number `index`.
    pub fn completion(&self, index: usize) -> JobCompletion {
        let sender = self.sender.clone();
        Box::new(move |result| {
            let _ = sender.send((index, result));
        })
    }

    pub fn all(&self) -> Vec<(usize, JobResult)> {
        self.receiver.try_iter().collect()
    }
}

impl Profile {
    pub fn new() -> Profile {
        let dir = TempDir::new().unwrap();
        let registry = ServiceWorkerRegistry::load(Database::open(dir.path()).unwrap()).unwrap();
        Profile {
            dir,
            registry,
            fetcher: FakeFetcher::default(),
            host: FakeHost::default(),
        }
    }

    /// Drops the registry and loads a new one from the same file.
    pub fn reopen(&mut self) {
        let database = Database::open(self.dir.path()).unwrap();
        self.registry = ServiceWorkerRegistry::load(database).unwrap();
    }

    /// A second connection to the profile's database.
    pub fn database(&self) -> Database {
        Database::open(self.dir.path()).unwrap()
    }

    /// Carries out what the registry asked for, until it asks nothing.
    pub fn run(&mut self) {
        drive(&mut self.registry, &mut self.fetcher, &mut self.host);
    }

    pub fn skip_waiting(&mut self, worker: ServiceWorkerId) -> Result<(), ServiceWorkerError> {
        let result = self.registry.skip_waiting(worker, &self.host);
        self.run();
        result
    }

    pub fn try_activate_all(&mut self) {
        self.registry.try_activate_all(&self.host);
        self.run();
    }

    pub fn register_from(
        &mut self,
        client: &str,
        script: &str,
        scope: Option<&str>,
    ) -> Result<RegistrationInfo, ServiceWorkerError> {
        self.register_as(client, script, scope, WorkerType::Classic)
    }

    /// `register(script, {scope, type: worker_type})` from a page of `client`.
    pub fn register_as(
        &mut self,
        client: &str,
        script: &str,
        scope: Option<&str>,
        worker_type: WorkerType,
    ) -> Result<RegistrationInfo, ServiceWorkerError> {
        let results = Results::new();
        self.registry.schedule_register(
            &origin(client),
            url(script),
            scope.map(url),
            UpdateViaCache::Imports,
            worker_type,
            results.completion(0),
        );
        self.run();
        match single(results) {
            Ok(JobOutcome::Registration(info)) => Ok(*info),
            Ok(other) => panic!("register gave {other:?}"),
            Err(error) => Err(error),
        }
    }

    pub fn register(
        &mut self,
        script: &str,
        scope: Option<&str>,
    ) -> Result<RegistrationInfo, ServiceWorkerError> {
        self.register_from(ORIGIN, script, scope)
    }

    pub fn update(&mut self, info: &RegistrationInfo) -> JobResult {
        let results = Results::new();
        self.registry
            .schedule_update(&origin(ORIGIN), info.id, results.completion(0));
        self.run();
        single(results)
    }

    pub fn unregister_from(&mut self, client: &str, info: &RegistrationInfo) -> JobResult {
        let results = Results::new();
        self.registry
            .schedule_unregister(&origin(client), info.id, results.completion(0));
        self.run();
        single(results)
    }

    /// The registration's current state.
    pub fn current(&self, info: &RegistrationInfo) -> Option<RegistrationInfo> {
        self.registry.registration(info.id).map(|r| r.info())
    }
}

fn single(results: Results) -> JobResult {
    let mut all = results.all();
    assert_eq!(all.len(), 1, "expected exactly one result: {all:?}");
    all.remove(0).1
}

pub(super) fn exception_name(result: Result<RegistrationInfo, ServiceWorkerError>) -> &'static str {
    result.unwrap_err().dom_exception_name()
}

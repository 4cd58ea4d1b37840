//! Carrying out the service-worker registry's actions in the constellation
//! thread, and handing it the answers.
//!
//! The registry decides ([`RegistryAction`]); the constellation starts the
//! work and goes back to its loop: a script fetch runs on its own thread
//! (`fetcher`), a worker's script and its `install`/`activate` events run
//! on the worker's thread. Their ends come back as messages (a fetch's
//! answer, a worker's `Evaluated` or `EventDone`, or the worker stopping),
//! and only then does the job that asked go on. Nothing here waits.

use net::CacheMode;
use script_traits::{
    RegistrationInfo, ServiceWorkerInfo, UpdateViaCache, WorkerEvent, WorkerEventOutcome,
};
use service_worker_registry::{InstallFailure, RegistryAction, WorkerScripts};

use super::{Constellation, LOG_TARGET};
use crate::workers::{EventResult, LifecycleEvent, OnDone};

impl Constellation {
    /// Hands the registry what ended (first evaluations, lifecycle events)
    /// and carries out its actions until none is left. Returns whether
    /// there was anything.
    pub(super) fn run_registry_work(&mut self) -> bool {
        let mut worked = false;
        loop {
            let mut progressed = false;
            for (worker, result) in self.host.workers.take_evaluations() {
                if let Some(job) = self.evaluating.remove(&worker) {
                    progressed = true;
                    self.registry.worker_evaluated(job, result);
                }
            }
            for (worker, event, result) in self.host.workers.take_lifecycle_results() {
                progressed = true;
                match event {
                    LifecycleEvent::Install(job) => {
                        let outcome = install_outcome(result);
                        self.registry.install_done(job, outcome, &self.host);
                    }
                    LifecycleEvent::Activate => {
                        log::debug!(target: LOG_TARGET, "{worker} activate event: {result:?}");
                        self.registry.activate_done(worker);
                        // Its script ran while it installed: what it handles is stored now
                        // that the registration's stored worker is this one.
                        if let Some(handles_fetch) = self.host.workers.handles_fetch(worker) {
                            self.registry.store_handles_fetch(worker, handles_fetch);
                        }
                    }
                }
            }
            while let Some(action) = self.registry.next_action() {
                progressed = true;
                self.carry_out_registry_action(action);
            }
            if !progressed {
                return worked;
            }
            worked = true;
        }
    }

    fn carry_out_registry_action(&mut self, action: RegistryAction) {
        match action {
            RegistryAction::FetchScript {
                job,
                url,
                update_via_cache,
                bypass_http_cache,
            } => {
                let cache = if update_via_cache == UpdateViaCache::All && !bypass_http_cache {
                    CacheMode::Default
                } else {
                    CacheMode::NoCache
                };
                self.fetches.start(job, url, cache)
            }
            RegistryAction::FetchImportedScripts {
                job,
                scope,
                urls,
                update_via_cache,
                bypass_http_cache,
            } => {
                let cache = if update_via_cache == UpdateViaCache::None || bypass_http_cache {
                    CacheMode::NoCache
                } else {
                    CacheMode::Default
                };
                self.fetches.imports(job, &scope.origin(), urls, cache)
            }
            RegistryAction::EvaluateWorker {
                job,
                registration,
                worker,
                worker_type,
                script,
            } => {
                let scripts = WorkerScripts {
                    worker_type,
                    main: script,
                    imported: Vec::new(),
                };
                match self
                    .host
                    .workers
                    .start(&registration, &worker, &scripts, true)
                {
                    Ok(()) => {
                        self.evaluating.insert(worker.id, job);
                    }
                    Err(reason) => self.registry.worker_evaluated(job, Err(reason)),
                }
            }
            RegistryAction::FireInstall {
                job,
                registration,
                worker,
                scripts,
            } => {
                let on_done = OnDone::Lifecycle(LifecycleEvent::Install(job));
                if let Err(result) =
                    self.fire_lifecycle_event(&registration, &worker, &scripts, on_done)
                {
                    self.registry
                        .install_done(job, install_outcome(result), &self.host);
                }
            }
            RegistryAction::FireActivate {
                registration,
                worker,
                scripts,
            } => {
                let on_done = OnDone::Lifecycle(LifecycleEvent::Activate);
                if let Err(result) =
                    self.fire_lifecycle_event(&registration, &worker, &scripts, on_done)
                {
                    log::warn!(
                        target: LOG_TARGET,
                        "{} activates without its event: {result:?}",
                        worker.id
                    );
                    self.registry.activate_done(worker.id);
                }
            }
            RegistryAction::Terminate(worker) => self.host.workers.stop(worker, "it is redundant"),
            RegistryAction::StateChanged {
                registration,
                worker,
            } => self.host.worker_state_changed(&registration, &worker),
            RegistryAction::UpdateFound(registration) => self.host.update_found(&registration),
            RegistryAction::RegistrationRemoved(registration) => {
                self.host.sync.registration_removed(registration)
            }
        }
    }

    /// Starts `worker` from `scripts` if it is not running and fires an
    /// `install` or `activate` event at it (held until its script ran).
    /// `Err`: the event could not be fired, and how it ended.
    fn fire_lifecycle_event(
        &mut self,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
        scripts: &WorkerScripts,
        on_done: OnDone,
    ) -> Result<(), EventResult> {
        let workers = &mut self.host.workers;
        if !workers.is_running(worker.id) {
            workers
                .start(registration, worker, scripts, false)
                .map_err(EventResult::StartFailed)?;
        }
        let event = match on_done {
            OnDone::Lifecycle(LifecycleEvent::Install(_)) => WorkerEvent::Install,
            _ => WorkerEvent::Activate,
        };
        workers
            .dispatch(worker.id, event, on_done)
            .map(drop)
            .ok_or(EventResult::Stopped)
    }
}

/// How an `install` event's end reads for the registry. Only a rejected
/// extend-lifetime promise fails an install: the Install algorithm does not
/// look at exceptions thrown by listeners (they are reported like any
/// uncaught exception).
fn install_outcome(result: EventResult) -> Result<(), InstallFailure> {
    match result {
        EventResult::Done(WorkerEventOutcome::WaitUntilRejected) => {
            Err(InstallFailure::EventRejected)
        }
        EventResult::Done(
            WorkerEventOutcome::Completed
            | WorkerEventOutcome::ListenerThrew
            | WorkerEventOutcome::MessageError,
        ) => Ok(()),
        EventResult::StartFailed(reason) => Err(InstallFailure::ScriptFailed(reason)),
        EventResult::Stopped | EventResult::CutOff => Err(InstallFailure::Terminated),
    }
}

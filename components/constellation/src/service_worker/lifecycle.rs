//! A worker's life after its script is fetched: Install, Try Activate,
//! Activate, and `skipWaiting()`.
//!
//! <https://w3c.github.io/ServiceWorker/#installation-algorithm>
//!
//! The registry moves a worker through installing -> installed (waiting)
//! -> activating -> activated, or to redundant when its install fails or a
//! newer worker replaces it. The [`WorkerHost`] runs the `install` and
//! `activate` events and hears of every state change; the database row
//! follows the registration's stored worker (see `registry`).

use script_traits::{ServiceWorkerError, ServiceWorkerId, ServiceWorkerState};

use super::host::WorkerHost;
use super::jobs::{Job, JobOutcome};
use super::registry::{Registration, ServiceWorker, ServiceWorkerRegistry, Slot, LOG_TARGET};

impl ServiceWorkerRegistry {
    /// <https://w3c.github.io/ServiceWorker/#installation-algorithm>, for a
    /// registration already in the map (a first register inserted it).
    pub(super) fn install(
        &mut self,
        job: Job,
        scope: &str,
        worker: ServiceWorker,
        host: &mut dyn WorkerHost,
    ) {
        let Some(registration) = self.registrations.get_mut(scope) else {
            return job.finish(Err(ServiceWorkerError::Type(
                "The registration was unregistered.".to_owned(),
            )));
        };
        // Step 2: Let newestWorker be the result of Get Newest Worker.
        let had_worker = registration.newest_worker().is_some();
        // Step 3: Set registration's update via cache mode.
        registration.update_via_cache = job.update_via_cache;
        // Steps 4-5: the worker is the installing worker, state installing.
        let worker_id = worker.id;
        registration.installing = Some(worker);
        notify(host, registration, Slot::Installing);
        // Step 7: Resolve Job Promise with the registration.
        job.finish(Ok(JobOutcome::Registration(Box::new(registration.info()))));
        // Step 11: fire the install event.
        let Some(installing) = registration.installing.as_ref() else {
            return;
        };
        let outcome = host.run_install(
            &registration.info(),
            &installing.info(),
            installing.scripts(),
        );
        // Step 12: If installFailed, the worker is redundant; a registration
        // left without workers is cleared.
        if let Err(failure) = outcome {
            log::info!(target: LOG_TARGET, "{worker_id} failed to install: {failure}");
            if let Some(mut failed) = registration.installing.take() {
                failed.state = ServiceWorkerState::Redundant;
                host.worker_state_changed(&registration.info(), &failed.info());
            }
            if !had_worker {
                if let Err(error) = self.remove_registration(scope) {
                    log::error!(target: LOG_TARGET, "cannot remove registration {scope}: {error}");
                }
            }
            return;
        }
        // Step 15: a waiting worker is replaced and becomes redundant.
        if let Some(mut replaced) = registration.waiting.take() {
            host.terminate(replaced.id);
            replaced.state = ServiceWorkerState::Redundant;
            host.worker_state_changed(&registration.info(), &replaced.info());
        }
        // Steps 16-18: installing -> waiting, state installed.
        registration.waiting = registration.installing.take();
        set_state(
            host,
            registration,
            Slot::Waiting,
            ServiceWorkerState::Installed,
        );
        self.persist_or_log(scope);
        // Step 21: Try Activate.
        self.try_activate(scope, host);
    }

    /// <https://w3c.github.io/ServiceWorker/#try-activate-algorithm>: the
    /// waiting worker is activated if there is no active worker, if it
    /// called `skipWaiting()`, or if the active worker is not in use (no
    /// client uses the registration and it has no pending events).
    pub(super) fn try_activate(&mut self, scope: &str, host: &mut dyn WorkerHost) {
        let Some(registration) = self.registrations.get(scope) else {
            return;
        };
        let Some(waiting) = registration.waiting.as_ref() else {
            return;
        };
        // Step 2: an activation in progress is not interrupted.
        if registration
            .active
            .as_ref()
            .is_some_and(|active| active.state == ServiceWorkerState::Activating)
        {
            return;
        }
        if registration.active.is_none()
            || waiting.skip_waiting
            || !host.is_in_use(&registration.info())
        {
            self.activate(scope, host);
        }
    }

    /// Runs Try Activate on every registration: after
    /// [`ServiceWorkerRegistry::load`], for a waiting worker whose activation
    /// the restart interrupted, and whenever a registration may have stopped
    /// being in use (a client went away, an active worker's events ended).
    pub fn try_activate_all(&mut self, host: &mut dyn WorkerHost) {
        let scopes: Vec<String> = self.registrations.keys().cloned().collect();
        for scope in scopes {
            self.try_activate(&scope, host);
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>
    fn activate(&mut self, scope: &str, host: &mut dyn WorkerHost) {
        let Some(registration) = self.registrations.get_mut(scope) else {
            return;
        };
        // Step 1: If registration's waiting worker is null, abort.
        if registration.waiting.is_none() {
            return;
        }
        // Step 2: the active worker is terminated and becomes redundant.
        if let Some(mut replaced) = registration.active.take() {
            host.terminate(replaced.id);
            replaced.state = ServiceWorkerState::Redundant;
            host.worker_state_changed(&registration.info(), &replaced.info());
        }
        // Steps 3-5: waiting -> active, state activating.
        registration.active = registration.waiting.take();
        set_state(
            host,
            registration,
            Slot::Active,
            ServiceWorkerState::Activating,
        );
        self.persist_or_log(scope);
        // Step 10: fire the activate event; its outcome does not matter.
        let Some(registration) = self.registrations.get_mut(scope) else {
            return;
        };
        if let Some(active) = registration.active.as_ref() {
            host.run_activate(&registration.info(), &active.info(), active.scripts());
        }
        // Step 11: state activated.
        set_state(
            host,
            registration,
            Slot::Active,
            ServiceWorkerState::Activated,
        );
        self.persist_or_log(scope);
    }

    /// `self.skipWaiting()` in `worker`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerglobalscope-skipwaiting>.
    /// The caller names the worker from its own records of which worker
    /// thread sent the message.
    pub fn skip_waiting(
        &mut self,
        worker: ServiceWorkerId,
        host: &mut dyn WorkerHost,
    ) -> Result<(), ServiceWorkerError> {
        let scope = self
            .registration_of_worker(worker)
            .map(|registration| registration.scope.as_str().to_owned())
            .ok_or_else(|| {
                ServiceWorkerError::NotFound(format!("{worker} is no longer registered."))
            })?;
        // Step 2.1: Set service worker's skip waiting flag.
        if let Some(registration) = self.registrations.get_mut(&scope) {
            for slot in [Slot::Installing, Slot::Waiting, Slot::Active] {
                if let Some(held) = registration.slot_mut(slot).as_mut() {
                    if held.id == worker {
                        held.skip_waiting = true;
                    }
                }
            }
        }
        // Step 2.2: Invoke Try Activate.
        self.try_activate(&scope, host);
        Ok(())
    }
}

/// Update Worker State for the worker in `slot`.
fn set_state(
    host: &mut dyn WorkerHost,
    registration: &mut Registration,
    slot: Slot,
    state: ServiceWorkerState,
) {
    if let Some(worker) = registration.slot_mut(slot).as_mut() {
        worker.state = state;
    }
    notify(host, registration, slot);
}

fn notify(host: &mut dyn WorkerHost, registration: &Registration, slot: Slot) {
    if let Some(worker) = registration.slot(slot) {
        log::debug!(
            target: LOG_TARGET,
            "{} of {} is {}",
            worker.id,
            registration.scope,
            worker.state
        );
        host.worker_state_changed(&registration.info(), &worker.info());
    }
}

//! A worker's life after its script is fetched: Install, Try Activate,
//! Activate, and `skipWaiting()`.
//!
//! <https://w3c.github.io/ServiceWorker/#installation-algorithm>
//!
//! The registry moves a worker through installing -> installed (waiting)
//! -> activating -> activated, or to redundant when its install fails or a
//! newer worker replaces it. The `install` and `activate` events run in the
//! engine ([`RegistryAction::FireInstall`], [`RegistryAction::FireActivate`]),
//! which answers with [`ServiceWorkerRegistry::install_done`] and
//! [`ServiceWorkerRegistry::activate_done`]; every state change is an
//! [`RegistryAction::StateChanged`]. The database row follows the
//! registration's stored worker (see `registry`).

use script_traits::{ServiceWorkerError, ServiceWorkerId, ServiceWorkerState};

use crate::action::{InstallFailure, JobId, RegistrationUsage, RegistryAction};
use crate::jobs::{Job, JobOutcome, JobStep};
use crate::registry::{Registration, ServiceWorker, ServiceWorkerRegistry, Slot, LOG_TARGET};

impl ServiceWorkerRegistry {
    /// <https://w3c.github.io/ServiceWorker/#installation-algorithm>, up to
    /// the `install` event, for a registration already in the map (a first
    /// register inserted it). Returns the job, waiting for the event.
    pub(crate) fn install(
        &mut self,
        mut job: Job,
        scope: &str,
        worker: ServiceWorker,
    ) -> Option<Job> {
        let Some(registration) = self.registrations.get_mut(scope) else {
            job.finish(Err(ServiceWorkerError::Type(
                "The registration was unregistered.".to_owned(),
            )));
            return None;
        };
        // Step 2: Let newestWorker be the result of Get Newest Worker.
        let had_worker = registration.newest_worker().is_some();
        // Step 3: Set registration's update via cache mode.
        registration.update_via_cache = job.update_via_cache;
        // Steps 4-5: the worker is the installing worker, state installing.
        let worker_id = worker.id;
        let scripts = worker.scripts();
        let mut worker = worker;
        worker.state = ServiceWorkerState::Installing;
        registration.installing = Some(worker);
        let changed = state_changed(registration, Slot::Installing);
        let info = registration.info();
        // Step 11: fire the install event; the job resumes in `install_done`.
        let fire = registration
            .installing
            .as_ref()
            .map(|installing| RegistryAction::FireInstall {
                job: job.id,
                registration: registration.info(),
                worker: installing.info(),
                scripts,
            });
        self.act_all(changed);
        // Step 7: Resolve Job Promise with the registration, after the
        // clients heard of its installing worker.
        self.settle_in_order(
            &mut job,
            Ok(JobOutcome::Registration(Box::new(info.clone()))),
        );
        // Step 10, queued after the promise's resolution.
        self.act(RegistryAction::UpdateFound(info));
        self.act_all(fire);
        job.step = JobStep::Installing {
            worker: worker_id,
            had_worker,
        };
        Some(job)
    }

    /// The answer to [`RegistryAction::FireInstall`]: Install, steps 12-21.
    pub fn install_done(
        &mut self,
        id: JobId,
        outcome: Result<(), InstallFailure>,
        usage: &dyn RegistrationUsage,
    ) {
        let Some(mut job) = self.take_running(id) else {
            return;
        };
        let scope = job.scope.as_str().to_owned();
        let JobStep::Installing {
            worker: worker_id,
            had_worker,
        } = std::mem::replace(&mut job.step, JobStep::Queued)
        else {
            log::warn!(target: LOG_TARGET, "{job:?} was not installing");
            job.finish(Err(ServiceWorkerError::Type(
                "The job ended unexpectedly.".to_owned(),
            )));
            return self.advance(&scope);
        };
        self.finish_install(&scope, worker_id, had_worker, outcome);
        // Step 20: Finish Job; the scope's next job may run.
        job.end();
        self.advance(&scope);
        // Step 21: Try Activate.
        self.try_activate(&scope, usage);
    }

    fn finish_install(
        &mut self,
        scope: &str,
        worker_id: ServiceWorkerId,
        had_worker: bool,
        outcome: Result<(), InstallFailure>,
    ) {
        let Some(registration) = self.registrations.get_mut(scope) else {
            return;
        };
        if registration.installing.as_ref().map(|w| w.id) != Some(worker_id) {
            log::warn!(target: LOG_TARGET, "{worker_id} is no longer installing in {scope}");
            return;
        }
        // Step 12: If installFailed, the worker is redundant; a registration
        // left without workers is cleared.
        if let Err(failure) = outcome {
            log::info!(target: LOG_TARGET, "{worker_id} failed to install: {failure}");
            if let Some(mut failed) = registration.installing.take() {
                failed.state = ServiceWorkerState::Redundant;
                let changed = RegistryAction::StateChanged {
                    registration: registration.info(),
                    worker: failed.info(),
                };
                self.act(changed);
            }
            if !had_worker {
                if let Err(error) = self.remove_registration(scope) {
                    log::error!(target: LOG_TARGET, "cannot remove registration {scope}: {error}");
                }
            }
            return;
        }
        // Step 15: a waiting worker is replaced and becomes redundant.
        let mut actions = Vec::new();
        if let Some(replaced) = registration.waiting.take() {
            actions.extend(made_redundant(registration, replaced));
        }
        // Steps 16-18: installing -> waiting, state installed.
        registration.waiting = registration.installing.take();
        actions.extend(set_state(
            registration,
            Slot::Waiting,
            ServiceWorkerState::Installed,
        ));
        self.act_all(actions);
        self.persist_or_log(scope);
    }

    /// <https://w3c.github.io/ServiceWorker/#try-activate-algorithm>: the
    /// waiting worker is activated if there is no active worker, or if the
    /// active worker has no pending events and either no client uses the
    /// registration or the waiting worker called `skipWaiting()`.
    pub(crate) fn try_activate(&mut self, scope: &str, usage: &dyn RegistrationUsage) {
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
        let may_activate = match registration.active.as_ref() {
            None => true,
            Some(active) => {
                !usage.has_pending_events(active.id)
                    && (waiting.skip_waiting || !usage.is_used_by_a_client(&registration.info()))
            }
        };
        if may_activate {
            self.activate(scope);
        }
    }

    /// Runs Try Activate on every registration with a waiting worker: after
    /// [`ServiceWorkerRegistry::load`], for a waiting worker whose activation
    /// the restart interrupted, and whenever a registration may have stopped
    /// being in use (a client went away, an active worker's events ended).
    pub fn try_activate_all(&mut self, usage: &dyn RegistrationUsage) {
        self.try_clear_unregistered(usage);
        let waiting: Vec<String> = self
            .registrations
            .iter()
            .filter(|(_, registration)| registration.waiting.is_some())
            .map(|(scope, _)| scope.clone())
            .collect();
        for scope in waiting {
            self.try_activate(&scope, usage);
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#activation-algorithm>, up to
    /// the `activate` event.
    fn activate(&mut self, scope: &str) {
        let Some(registration) = self.registrations.get_mut(scope) else {
            return;
        };
        // Step 1: If registration's waiting worker is null, abort.
        if registration.waiting.is_none() {
            return;
        }
        let mut actions = Vec::new();
        // Step 2: the active worker is terminated and becomes redundant.
        if let Some(replaced) = registration.active.take() {
            actions.extend(made_redundant(registration, replaced));
        }
        // Steps 3-5: waiting -> active, state activating.
        registration.active = registration.waiting.take();
        actions.extend(set_state(
            registration,
            Slot::Active,
            ServiceWorkerState::Activating,
        ));
        // Step 10: fire the activate event; it resumes in `activate_done`.
        if let Some(active) = registration.active.as_ref() {
            actions.push(RegistryAction::FireActivate {
                registration: registration.info(),
                worker: active.info(),
                scripts: active.scripts(),
            });
        }
        self.act_all(actions);
        self.persist_or_log(scope);
    }

    /// The answer to [`RegistryAction::FireActivate`], whatever the event's
    /// outcome: Activate, step 11, state activated.
    pub fn activate_done(&mut self, worker: ServiceWorkerId) {
        let scope = self
            .registrations
            .iter()
            .find(|(_, registration)| {
                registration.active.as_ref().is_some_and(|active| {
                    active.id == worker && active.state == ServiceWorkerState::Activating
                })
            })
            .map(|(scope, _)| scope.clone());
        let Some(scope) = scope else {
            log::debug!(target: LOG_TARGET, "{worker} is no longer activating");
            return;
        };
        if let Some(registration) = self.registrations.get_mut(&scope) {
            let changed = set_state(registration, Slot::Active, ServiceWorkerState::Activated);
            self.act_all(changed);
        }
        self.persist_or_log(&scope);
    }

    /// `self.skipWaiting()` in `worker`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerglobalscope-skipwaiting>.
    /// The caller names the worker from its own records of which worker
    /// thread sent the message.
    pub fn skip_waiting(
        &mut self,
        worker: ServiceWorkerId,
        usage: &dyn RegistrationUsage,
    ) -> Result<(), ServiceWorkerError> {
        // A new worker calling it while its script is first evaluated (Update's Run Service
        // Worker, state "parsed") is in no slot yet: its job holds it, and the flag goes with
        // it into the installing slot.
        for queue in self.queues.values_mut() {
            if let Some(crate::jobs::Job {
                step: crate::jobs::JobStep::Evaluating { worker: new, .. },
                ..
            }) = queue.front_mut()
            {
                if new.id == worker {
                    new.skip_waiting = true;
                    return Ok(());
                }
            }
        }
        // A worker of an unregistered registration still being cleared: the flag is set, and
        // the registration is on its way out, so there is nothing to activate.
        for registration in &mut self.unregistered {
            for slot in [Slot::Installing, Slot::Waiting, Slot::Active] {
                if let Some(held) = registration.slot_mut(slot).as_mut() {
                    if held.id == worker {
                        held.skip_waiting = true;
                        return Ok(());
                    }
                }
            }
        }
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
        self.try_activate(&scope, usage);
        Ok(())
    }
}

/// Update Worker State for the worker in `slot`.
fn set_state(
    registration: &mut Registration,
    slot: Slot,
    state: ServiceWorkerState,
) -> Option<RegistryAction> {
    if let Some(worker) = registration.slot_mut(slot).as_mut() {
        worker.state = state;
    }
    state_changed(registration, slot)
}

fn state_changed(registration: &Registration, slot: Slot) -> Option<RegistryAction> {
    let worker = registration.slot(slot)?;
    log::debug!(
        target: LOG_TARGET,
        "{} of {} is {}",
        worker.id,
        registration.scope,
        worker.state
    );
    Some(RegistryAction::StateChanged {
        registration: registration.info(),
        worker: worker.info(),
    })
}

/// A worker its registration let go of (replaced while waiting, or as the
/// active one): it is stopped and becomes redundant, and the clients hear.
fn made_redundant(registration: &Registration, mut replaced: ServiceWorker) -> [RegistryAction; 2] {
    replaced.state = ServiceWorkerState::Redundant;
    [
        RegistryAction::Terminate(replaced.id),
        RegistryAction::StateChanged {
            registration: registration.info(),
            worker: replaced.info(),
        },
    ]
}

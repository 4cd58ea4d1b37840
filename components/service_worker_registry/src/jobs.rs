//! The job queue: Register, Update and Unregister jobs, one queue per
//! scope.
//!
//! <https://w3c.github.io/ServiceWorker/#dfn-job-queue>
//!
//! A page's request becomes a job through a `schedule_*` method (which runs
//! the spec's checks that need no registry state and rejects at once if
//! they fail). The job at the front of its scope's queue runs; the others
//! wait behind it, so jobs of one scope run in order and jobs of different
//! scopes run side by side. A job that is equivalent to the last one queued
//! for its scope, and whose promise has not settled, is not queued twice:
//! it shares that job's result.
//!
//! A running job never waits: where the spec fetches a script or runs a
//! worker, the job records its [`JobStep`], returns a [`RegistryAction`] and
//! is resumed by the engine's answer (`script_fetched`, `worker_evaluated`,
//! `install_done`). Meanwhile the registry serves everything else.
//!
//! A job answers through its [`JobCompletion`] exactly once. A register or
//! update job that installs a new worker answers when the spec resolves its
//! promise: after the worker's script ran (a script that does not parse or
//! throws rejects the job) and before `install` runs, so the reply shows
//! the worker installing. The job itself ends after the install event
//! (Finish Job), and activation continues in `lifecycle`.

use base::id::ServiceWorkerRegistrationId;
use base::origin::{is_origin_potentially_trustworthy, is_potentially_trustworthy, Origin};
use script_traits::{
    ImportedScript, RegistrationInfo, ServiceWorkerError, ServiceWorkerId, ServiceWorkerState,
    UpdateViaCache, WorkerType,
};
use url::Url;

use crate::action::{FetchError, FetchedScript, JobId, RegistryAction};
use crate::registry::{ServiceWorker, ServiceWorkerRegistry, LOG_TARGET};

/// What a finished job gives its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// A register or update job: the registration as it was when the job
    /// resolved.
    Registration(Box<RegistrationInfo>),
    /// An unregister job: whether a registration was removed.
    Unregistered(bool),
}

pub type JobResult = Result<JobOutcome, ServiceWorkerError>;

/// Called once with a job's result; the router sends it on the request's
/// reply channel.
pub type JobCompletion = Box<dyn FnOnce(JobResult) + Send>;

/// An entry of the registry's queue of what the engine must do.
pub(crate) enum QueueEntry {
    Act(Box<RegistryAction>),
    /// A job's promise, settled when the engine asks for the next action.
    Settle(Vec<JobCompletion>, JobResult),
}

impl std::fmt::Debug for QueueEntry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueueEntry::Act(action) => action.fmt(formatter),
            QueueEntry::Settle(completions, result) => write!(
                formatter,
                "Settle({} promise(s) with {result:?})",
                completions.len()
            ),
        }
    }
}

/// <https://w3c.github.io/ServiceWorker/#dfn-job-type>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobKind {
    Register,
    Update,
    Unregister,
}

/// Where a job is, and what it waits for.
#[derive(Debug)]
pub(crate) enum JobStep {
    /// In its scope's queue, not started.
    Queued,
    /// Update, steps 5-8: the script is being fetched.
    FetchingScript {
        /// The newest worker's scripts, for the byte check.
        newest: Option<NewestScripts>,
        /// The registration, if there was one when the job started.
        registration_id: Option<ServiceWorkerRegistrationId>,
    },
    /// Update, step 9: the main script is the newest worker's, byte for byte; the scripts
    /// it imported are being fetched to compare them too.
    FetchingImports {
        /// The newest worker's imported scripts, in the order of the fetch.
        stored: Vec<ImportedScript>,
        /// The main script as fetched now.
        main: Vec<u8>,
        registration_id: Option<ServiceWorkerRegistrationId>,
    },
    /// Update, "Run Service Worker": the new worker's script is running.
    Evaluating {
        worker: ServiceWorker,
        /// Whether this job inserted the registration (a first register).
        inserted: bool,
    },
    /// Install, step 11: the `install` event is running.
    Installing {
        worker: ServiceWorkerId,
        /// Whether the registration had a worker before this one.
        had_worker: bool,
    },
}

/// What an update compares its fetched scripts with: the newest worker's.
#[derive(Debug)]
pub(crate) struct NewestScripts {
    url: Url,
    worker_type: WorkerType,
    main: Vec<u8>,
    imported: Vec<ImportedScript>,
}

/// <https://w3c.github.io/ServiceWorker/#dfn-job>
pub(crate) struct Job {
    pub(crate) id: JobId,
    pub(crate) kind: JobKind,
    pub(crate) scope: Url,
    /// The script URL; for unregister jobs, the scope (unused).
    pub(crate) script_url: Url,
    /// The origin of the client that asked, as the constellation recorded it.
    pub(crate) client_origin: Origin,
    pub(crate) update_via_cache: UpdateViaCache,
    /// <https://w3c.github.io/ServiceWorker/#dfn-job-force-bypass-cache-flag>: set for a Soft
    /// Update, whose fetches revalidate whatever the HTTP cache holds.
    pub(crate) force_bypass_cache: bool,
    /// <https://w3c.github.io/ServiceWorker/#dfn-job-worker-type>
    pub(crate) worker_type: WorkerType,
    pub(crate) step: JobStep,
    /// The completions of this job and of the equivalent jobs merged into
    /// it; empty once its promise settled.
    completions: Vec<JobCompletion>,
    settled: bool,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Job")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("scope", &self.scope.as_str())
            .field("script_url", &self.script_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Job {
    /// <https://w3c.github.io/ServiceWorker/#dfn-job-equivalent>
    fn is_equivalent(&self, other: &Job) -> bool {
        self.kind == other.kind
            && self.scope == other.scope
            && self.client_origin == other.client_origin
            && (self.kind == JobKind::Unregister
                || (self.script_url == other.script_url
                    && self.worker_type == other.worker_type
                    && self.update_via_cache == other.update_via_cache))
    }

    /// Resolve or Reject Job Promise, for this job and its equivalents. The
    /// job may go on running (Install resolves before its event).
    pub(crate) fn settle(&mut self, result: JobResult) {
        log::debug!(target: LOG_TARGET, "{self:?} settled: {result:?}");
        self.settled = true;
        for completion in self.completions.drain(..) {
            completion(result.clone());
        }
    }

    /// Finish Job, for a job whose promise settled already.
    pub(crate) fn end(self) {
        debug_assert!(self.settled, "{self:?} ended unsettled");
        if !self.settled {
            self.finish(Err(job_ended_unexpectedly()));
        }
    }

    /// Settles the job (if it has not settled) and ends it: Finish Job.
    pub(crate) fn finish(mut self, result: JobResult) {
        if !self.settled {
            self.settle(result);
        }
    }
}

impl ServiceWorkerRegistry {
    /// `register(scriptURL, options)`, up to Schedule Job:
    /// <https://w3c.github.io/ServiceWorker/#start-register-algorithm>.
    /// `scope` is `None` when the page gave none.
    pub fn schedule_register(
        &mut self,
        client_origin: &Origin,
        script_url: Url,
        scope: Option<Url>,
        update_via_cache: UpdateViaCache,
        worker_type: WorkerType,
        completion: JobCompletion,
    ) {
        match start_register(script_url, scope) {
            Ok((script_url, scope)) => {
                let job = self.new_job(JobKind::Register, scope, script_url, client_origin);
                self.schedule_job(Job {
                    update_via_cache,
                    worker_type,
                    completions: vec![completion],
                    ..job
                })
            }
            Err(error) => completion(Err(error)),
        }
    }

    /// `registration.update()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-update>.
    pub fn schedule_update(
        &mut self,
        client_origin: &Origin,
        registration: ServiceWorkerRegistrationId,
        completion: JobCompletion,
    ) {
        let Some(registration) = self.registration_for_client(client_origin, registration) else {
            // The Update job's step 2, for a registration gone meanwhile.
            return completion(Err(ServiceWorkerError::Type(
                "Failed to update a ServiceWorker: The registration does not exist.".to_owned(),
            )));
        };
        // Steps 2-3: If newestWorker is null, reject with "InvalidStateError".
        let Some(newest) = registration.newest_worker() else {
            return completion(Err(ServiceWorkerError::InvalidState(
                "Failed to update a ServiceWorker: The registration has no worker.".to_owned(),
            )));
        };
        let (scope, script_url) = (registration.scope.clone(), newest.script_url.clone());
        let update_via_cache = registration.update_via_cache;
        let worker_type = newest.worker_type;
        let job = self.new_job(JobKind::Update, scope, script_url, client_origin);
        self.schedule_job(Job {
            update_via_cache,
            worker_type,
            completions: vec![completion],
            ..job
        });
    }

    /// Soft Update (<https://w3c.github.io/ServiceWorker/#soft-update>): an update job the
    /// engine starts itself, after a navigation in the registration's scope or when a
    /// functional event finds its last update check a day old. No one waits for its result;
    /// a failure leaves the registration as it was. Nothing happens for a registration gone
    /// or without a worker; one equivalent to an update job still queued shares it.
    pub fn schedule_soft_update(&mut self, registration: ServiceWorkerRegistrationId) {
        let Some(registration) = self.registration(registration) else {
            return;
        };
        let Some(newest) = registration.newest_worker() else {
            return;
        };
        let (scope, script_url) = (registration.scope.clone(), newest.script_url.clone());
        let update_via_cache = registration.update_via_cache;
        let worker_type = newest.worker_type;
        log::debug!(target: LOG_TARGET, "soft update of {} ({scope})", registration.id);
        let origin = scope.origin();
        let job = self.new_job(JobKind::Update, scope, script_url, &origin);
        // Soft Update, step 3: Set job's force bypass cache flag.
        self.schedule_job(Job {
            update_via_cache,
            worker_type,
            force_bypass_cache: true,
            ..job
        });
    }

    /// `registration.unregister()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-unregister>.
    /// An id unknown to `client_origin` resolves `false`, as for a
    /// registration already removed.
    pub fn schedule_unregister(
        &mut self,
        client_origin: &Origin,
        registration: ServiceWorkerRegistrationId,
        completion: JobCompletion,
    ) {
        let Some(registration) = self.registration_for_client(client_origin, registration) else {
            return completion(Ok(JobOutcome::Unregistered(false)));
        };
        let scope = registration.scope.clone();
        let job = self.new_job(JobKind::Unregister, scope.clone(), scope, client_origin);
        self.schedule_job(Job {
            completions: vec![completion],
            ..job
        });
    }

    /// Whether any job is queued or running.
    pub fn has_pending_jobs(&self) -> bool {
        self.queues.values().any(|queue| !queue.is_empty())
    }

    /// The next thing the engine must do for the registry, in order.
    pub fn next_action(&mut self) -> Option<RegistryAction> {
        loop {
            match self.actions.pop_front()? {
                QueueEntry::Act(action) => return Some(*action),
                QueueEntry::Settle(completions, result) => {
                    for completion in completions {
                        completion(result.clone());
                    }
                }
            }
        }
    }

    pub(crate) fn act(&mut self, action: RegistryAction) {
        self.actions.push_back(QueueEntry::Act(Box::new(action)));
    }

    pub(crate) fn act_all(&mut self, actions: impl IntoIterator<Item = RegistryAction>) {
        self.actions.extend(
            actions
                .into_iter()
                .map(|action| QueueEntry::Act(Box::new(action))),
        );
    }

    /// Resolve or Reject Job Promise once the actions queued so far are
    /// carried out: the clients hear of a registration's new state (a task
    /// queued on them, in the spec) before the promise that shows it.
    pub(crate) fn settle_in_order(&mut self, job: &mut Job, result: JobResult) {
        log::debug!(target: LOG_TARGET, "{job:?} settles: {result:?}");
        job.settled = true;
        let completions = std::mem::take(&mut job.completions);
        self.actions
            .push_back(QueueEntry::Settle(completions, result));
    }

    fn new_job(&mut self, kind: JobKind, scope: Url, script_url: Url, client: &Origin) -> Job {
        self.next_job_id += 1;
        Job {
            id: JobId(self.next_job_id),
            kind,
            scope,
            script_url,
            client_origin: client.clone(),
            update_via_cache: UpdateViaCache::default(),
            force_bypass_cache: false,
            worker_type: WorkerType::default(),
            step: JobStep::Queued,
            completions: Vec::new(),
            settled: false,
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#schedule-job-algorithm>
    fn schedule_job(&mut self, job: Job) {
        let scope = job.scope.as_str().to_owned();
        let queue = self.queues.entry(scope.clone()).or_default();
        match queue.back_mut() {
            // Step 4: an equivalent job whose promise has not settled
            // shares the last job's result.
            Some(last) if !last.settled && last.is_equivalent(&job) => {
                last.completions.extend(job.completions)
            }
            _ => queue.push_back(job),
        }
        self.advance(&scope);
    }

    /// Starts the jobs of `scope` in order, until one waits for the engine
    /// or the queue is empty.
    pub(crate) fn advance(&mut self, scope: &str) {
        loop {
            let Some(queue) = self.queues.get_mut(scope) else {
                return;
            };
            match queue.front() {
                None => {
                    self.queues.remove(scope);
                    return;
                }
                Some(job) if !matches!(job.step, JobStep::Queued) => return,
                Some(_) => {}
            }
            let Some(job) = queue.pop_front() else {
                return;
            };
            log::debug!(target: LOG_TARGET, "running {job:?}");
            let running = match job.kind {
                JobKind::Register => self.run_register(job),
                JobKind::Update => self.run_update(job),
                JobKind::Unregister => self.run_unregister(job),
            };
            if let Some(job) = running {
                self.resume_later(job);
                return;
            }
        }
    }

    /// Puts a job that waits for the engine back at the front of its queue.
    pub(crate) fn resume_later(&mut self, job: Job) {
        self.queues
            .entry(job.scope.as_str().to_owned())
            .or_default()
            .push_front(job);
    }

    /// Takes the running job `id` out of its queue to resume it. `None` for
    /// a job that is not running (an answer that came twice, or late).
    pub(crate) fn take_running(&mut self, id: JobId) -> Option<Job> {
        let queue = self
            .queues
            .values_mut()
            .find(|queue| queue.front().is_some_and(|job| job.id == id))?;
        let job = queue.pop_front();
        if job.is_none() {
            log::warn!(target: LOG_TARGET, "no running {id}; the answer is ignored");
        }
        job
    }

    /// Puts `job` back if it waits again, and starts what comes next in its
    /// scope.
    pub(crate) fn after_step(&mut self, scope: &str, running: Option<Job>) {
        match running {
            Some(job) => self.resume_later(job),
            None => self.advance(scope),
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#register-algorithm>
    fn run_register(&mut self, job: Job) -> Option<Job> {
        // Step 1: If the script URL's origin is not potentially
        // trustworthy, reject with "SecurityError". The client's own origin
        // is checked too: its message says nothing about its secure context.
        if !is_potentially_trustworthy(&job.script_url)
            || !is_origin_potentially_trustworthy(&job.client_origin)
        {
            job.finish(Err(ServiceWorkerError::Security(
                "Failed to register a ServiceWorker: The origin of the script or of the \
                 document is not secure."
                    .to_owned(),
            )));
            return None;
        }
        // Step 2: If the script URL's origin is not the client's, reject
        // with "SecurityError".
        if job.script_url.origin() != job.client_origin {
            let error = ServiceWorkerError::Security(format!(
                "Failed to register a ServiceWorker: The origin of the script URL ('{}') does \
                 not match the current origin.",
                job.script_url
            ));
            job.finish(Err(error));
            return None;
        }
        // Step 3: The same for the scope URL.
        if job.scope.origin() != job.client_origin {
            let error = ServiceWorkerError::Security(format!(
                "Failed to register a ServiceWorker: The origin of the scope URL ('{}') does \
                 not match the current origin.",
                job.scope
            ));
            job.finish(Err(error));
            return None;
        }
        // Steps 4-5: the same script URL, worker type and update-via-cache as the newest
        // worker: resolve with the registration as it is.
        if let Some(registration) = self.registrations.get_mut(job.scope.as_str()) {
            if let Some(newest) = registration.newest_worker() {
                if newest.script_url == job.script_url
                    && newest.worker_type == job.worker_type
                    && registration.update_via_cache == job.update_via_cache
                {
                    let info = registration.info();
                    job.finish(Ok(JobOutcome::Registration(Box::new(info))));
                    return None;
                }
            }
            // Step 6.2: Set registration's update via cache mode. In memory
            // only: storage can set it at insert but offers no way to change
            // it afterwards, so a restart brings back the first value.
            registration.update_via_cache = job.update_via_cache;
        }
        // Step 6.1 (Set Registration) is deferred until the script is
        // fetched and checked, so a failed register leaves nothing behind
        // (the spec's Clear Registration on failure).
        // Step 7: Invoke Update.
        self.run_update(job)
    }

    /// <https://w3c.github.io/ServiceWorker/#update-algorithm>, up to the
    /// script fetch.
    fn run_update(&mut self, mut job: Job) -> Option<Job> {
        let scope_key = job.scope.as_str().to_owned();
        // Steps 1-2: If registration is null (and this is not a first
        // register), reject with TypeError.
        let registration = self.registrations.get(&scope_key);
        if registration.is_none() && job.kind == JobKind::Update {
            job.finish(Err(ServiceWorkerError::Type(
                "Failed to update a ServiceWorker: The registration was unregistered.".to_owned(),
            )));
            return None;
        }
        // Step 3: Let newestWorker be the result of Get Newest Worker.
        let newest = registration.and_then(|registration| registration.newest_worker());
        // Step 4: an update job whose script URL is no longer the newest
        // worker's is stale.
        if job.kind == JobKind::Update
            && newest.is_some_and(|newest| newest.script_url != job.script_url)
        {
            job.finish(Err(ServiceWorkerError::Type(
                "Failed to update a ServiceWorker: The script URL changed.".to_owned(),
            )));
            return None;
        }
        let newest = newest.map(|newest| NewestScripts {
            url: newest.script_url.clone(),
            worker_type: newest.worker_type,
            main: newest.script.clone(),
            imported: newest.imported_scripts.clone(),
        });
        let registration_id = registration.map(|registration| registration.id);
        // Step 8.10 ("perform the fetch"): the HTTP cache is bypassed (revalidated) unless
        // updateViaCache is "all", and always for a forced update or a stale registration.
        let bypass_http_cache = job.force_bypass_cache
            || registration_id.is_some_and(|id| self.update_check_is_stale(id));
        // Steps 5-8: fetch the script; the job resumes in `script_fetched`.
        self.act(RegistryAction::FetchScript {
            job: job.id,
            url: job.script_url.clone(),
            update_via_cache: job.update_via_cache,
            bypass_http_cache,
        });
        job.step = JobStep::FetchingScript {
            newest,
            registration_id,
        };
        Some(job)
    }

    /// The answer to [`RegistryAction::FetchScript`]: Update, steps 5-9,
    /// then "Run Service Worker" of the new worker.
    pub fn script_fetched(&mut self, id: JobId, fetched: Result<FetchedScript, FetchError>) {
        let Some(job) = self.take_running(id) else {
            return;
        };
        let scope = job.scope.as_str().to_owned();
        let running = self.continue_update(job, fetched);
        self.after_step(&scope, running);
    }

    fn continue_update(
        &mut self,
        mut job: Job,
        fetched: Result<FetchedScript, FetchError>,
    ) -> Option<Job> {
        let JobStep::FetchingScript {
            newest,
            registration_id,
        } = std::mem::replace(&mut job.step, JobStep::Queued)
        else {
            log::warn!(target: LOG_TARGET, "{job:?} was not fetching a script");
            job.finish(Err(job_ended_unexpectedly()));
            return None;
        };
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(error) => {
                let error = ServiceWorkerError::Type(format!(
                    "Failed to register a ServiceWorker for scope ('{}') with script ('{}'): \
                     An unknown error occurred when fetching the script: {error}",
                    job.scope, job.script_url
                ));
                job.finish(Err(error));
                return None;
            }
        };
        // The registration may have changed while the script loaded only
        // through this job (its scope's other jobs wait), unless it is gone.
        let registration_id = registration_id
            .filter(|id| self.registration(*id).is_some_and(|r| r.scope == job.scope));
        if let Some(id) = registration_id {
            self.record_update_check(id);
        }
        if let Err(error) = check_response(&job, &fetched) {
            job.finish(Err(error));
            return None;
        }
        // Step 9: the newest worker's script and type, byte for byte: the same worker unless
        // a script it imported changed, which the imports' fetch tells.
        if let Some(newest) = newest {
            if newest.url == job.script_url
                && newest.worker_type == job.worker_type
                && newest.main == fetched.body
            {
                if newest.imported.is_empty() {
                    return self.unchanged(job);
                }
                self.act(RegistryAction::FetchImportedScripts {
                    job: job.id,
                    scope: job.scope.clone(),
                    urls: newest
                        .imported
                        .iter()
                        .map(|script| script.url.clone())
                        .collect(),
                    update_via_cache: job.update_via_cache,
                    bypass_http_cache: job.force_bypass_cache
                        || registration_id.is_some_and(|id| self.update_check_is_stale(id)),
                });
                job.step = JobStep::FetchingImports {
                    stored: newest.imported,
                    main: fetched.body,
                    registration_id,
                };
                return Some(job);
            }
        }
        self.new_worker(job, fetched.body, registration_id)
    }

    /// Update, step 9: nothing changed; resolve with the registration.
    fn unchanged(&mut self, job: Job) -> Option<Job> {
        log::debug!(target: LOG_TARGET, "{} is unchanged", job.script_url);
        let info = self.registrations.get(job.scope.as_str()).map(|r| r.info());
        match info {
            Some(info) => job.finish(Ok(JobOutcome::Registration(Box::new(info)))),
            None => job.finish(Err(registration_gone())),
        }
        None
    }

    /// The answer to [`RegistryAction::FetchImportedScripts`]: the rest of Update's step 9
    /// (an import that failed to load counts as unchanged, as in the spec), then a new worker
    /// if any import's body changed.
    pub fn imported_scripts_fetched(
        &mut self,
        id: JobId,
        fetched: Vec<(Url, Result<Vec<u8>, FetchError>)>,
    ) {
        let Some(mut job) = self.take_running(id) else {
            return;
        };
        let scope = job.scope.as_str().to_owned();
        let JobStep::FetchingImports {
            stored,
            main,
            registration_id,
        } = std::mem::replace(&mut job.step, JobStep::Queued)
        else {
            log::warn!(target: LOG_TARGET, "{job:?} was not fetching imported scripts");
            job.finish(Err(job_ended_unexpectedly()));
            return self.advance(&scope);
        };
        let changed = stored.iter().find(|stored| {
            fetched.iter().any(|(url, body)| {
                *url == stored.url && body.as_ref().is_ok_and(|body| *body != stored.source)
            })
        });
        let running = match changed {
            None => self.unchanged(job),
            Some(changed) => {
                log::debug!(target: LOG_TARGET, "{} changed: {}", job.script_url, changed.url);
                let registration_id = registration_id
                    .filter(|id| self.registration(*id).is_some_and(|r| r.scope == job.scope));
                self.new_worker(job, main, registration_id)
            }
        };
        self.after_step(&scope, running);
    }

    /// Update, from "Let worker be a new service worker" to Run Service Worker: the job
    /// resumes in `worker_evaluated`.
    fn new_worker(
        &mut self,
        mut job: Job,
        script: Vec<u8>,
        registration_id: Option<ServiceWorkerRegistrationId>,
    ) -> Option<Job> {
        let scope_key = job.scope.as_str().to_owned();
        let worker = ServiceWorker {
            id: self.new_worker_id(),
            script_url: job.script_url.clone(),
            worker_type: job.worker_type,
            script,
            imported_scripts: Vec::new(),
            state: ServiceWorkerState::Parsed,
            router_rules: Default::default(),
            skip_waiting: false,
        };
        let inserted = registration_id.is_none();
        if inserted {
            // Step 6.1 of Register, deferred: Set Registration, committed
            // before the promise resolves.
            let stored =
                self.insert_registration(job.scope.clone(), job.update_via_cache, worker.clone());
            if let Err(error) = stored {
                job.finish(Err(ServiceWorkerError::Storage(format!(
                    "Failed to register a ServiceWorker: storage failed: {error}"
                ))));
                return None;
            }
        }
        // "Let runResult be the result of running the Run Service Worker
        // algorithm with worker": the job resumes in `worker_evaluated`.
        let Some(info) = self.registrations.get(&scope_key).map(|r| r.info()) else {
            job.finish(Err(registration_gone()));
            return None;
        };
        self.act(RegistryAction::EvaluateWorker {
            job: job.id,
            registration: info,
            worker: worker.info(),
            worker_type: worker.worker_type,
            script: worker.script.clone(),
        });
        job.step = JobStep::Evaluating { worker, inserted };
        Some(job)
    }

    /// The answer to [`RegistryAction::EvaluateWorker`]: if the script
    /// failed, reject with a TypeError (a registration that had no worker
    /// is removed); else Install.
    pub fn worker_evaluated(&mut self, id: JobId, result: Result<Vec<ImportedScript>, String>) {
        let Some(mut job) = self.take_running(id) else {
            return;
        };
        let scope_key = job.scope.as_str().to_owned();
        let JobStep::Evaluating {
            mut worker,
            inserted,
        } = std::mem::replace(&mut job.step, JobStep::Queued)
        else {
            log::warn!(target: LOG_TARGET, "{job:?} was not running a worker's script");
            job.finish(Err(job_ended_unexpectedly()));
            return self.advance(&scope_key);
        };
        match result {
            Ok(imported_scripts) => worker.imported_scripts = imported_scripts,
            Err(reason) => {
                log::info!(
                    target: LOG_TARGET,
                    "{} of {} failed to evaluate: {reason}",
                    worker.id,
                    job.scope
                );
                self.remove_new_registration(inserted, &scope_key);
                let verb = match job.kind {
                    JobKind::Update => "update",
                    _ => "register",
                };
                let error = ServiceWorkerError::Type(format!(
                    "Failed to {verb} a ServiceWorker for scope ('{}') with script ('{}'): \
                     ServiceWorker script evaluation failed",
                    job.scope, job.script_url
                ));
                job.finish(Err(error));
                return self.advance(&scope_key);
            }
        }
        if inserted {
            let stored = self
                .registrations
                .get(&scope_key)
                .map(|registration| registration.id)
                .map(|id| self.store_imported_scripts(id, &worker.imported_scripts));
            if let Some(Err(error)) = stored {
                self.act(RegistryAction::Terminate(worker.id));
                self.remove_new_registration(true, &scope_key);
                job.finish(Err(ServiceWorkerError::Storage(format!(
                    "Failed to register a ServiceWorker: storage failed: {error}"
                ))));
                return self.advance(&scope_key);
            }
        }
        // "Invoke Install with job, worker, and registration."
        let running = self.install(job, &scope_key, worker);
        self.after_step(&scope_key, running);
    }

    /// Removes the registration a register job inserted before its worker
    /// failed (`inserted`); an existing registration stays.
    pub(crate) fn remove_new_registration(&mut self, inserted: bool, scope: &str) {
        if !inserted {
            return;
        }
        if let Err(error) = self.remove_registration(scope) {
            log::error!(target: LOG_TARGET, "cannot remove registration {scope}: {error}");
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#unregister-algorithm>
    fn run_unregister(&mut self, job: Job) -> Option<Job> {
        // Step 1: If the scope's origin is not the client's, reject with
        // "SecurityError".
        if job.scope.origin() != job.client_origin {
            job.finish(Err(ServiceWorkerError::Security(
                "Failed to unregister a ServiceWorkerRegistration: The origin of the \
                 registration does not match the current origin."
                    .to_owned(),
            )));
            return None;
        }
        // Steps 2-3: no registration: resolve false.
        let scope_key = job.scope.as_str().to_owned();
        let Some(registration) = self.registrations.get(&scope_key).cloned() else {
            job.finish(Ok(JobOutcome::Unregistered(false)));
            return None;
        };
        // Step 5: removed from the registration map; the row is deleted
        // (with its sync registrations) before the promise resolves.
        if let Err(error) = self.remove_registration(&scope_key) {
            job.finish(Err(ServiceWorkerError::Storage(format!(
                "Failed to unregister a ServiceWorkerRegistration: storage failed: {error}"
            ))));
            return None;
        }
        job.finish(Ok(JobOutcome::Unregistered(true)));
        // Step 7: Try Clear Registration, at once if nothing uses it
        // (`try_clear_unregistered`, which the host runs whenever a
        // registration may have stopped being in use).
        self.unregistered.push(registration);
        None
    }

    /// <https://w3c.github.io/ServiceWorker/#try-clear-registration-algorithm>
    /// for every unregistered registration: those no client uses and whose
    /// workers (installing, waiting and active) have no pending events are
    /// cleared.
    pub fn try_clear_unregistered(&mut self, usage: &dyn super::RegistrationUsage) {
        let unused = |registration: &crate::registry::Registration| {
            !usage.is_used_by_a_client(&registration.info())
                && [
                    &registration.installing,
                    &registration.waiting,
                    &registration.active,
                ]
                .into_iter()
                .flatten()
                .all(|worker| !usage.has_pending_events(worker.id))
        };
        let (unused, used): (Vec<_>, Vec<_>) = std::mem::take(&mut self.unregistered)
            .into_iter()
            .partition(|registration| unused(registration));
        self.unregistered = used;
        for registration in unused {
            self.clear_registration(registration);
        }
    }

    /// Clear-Site-Data "storage" for `origin`
    /// (<https://w3c.github.io/webappsec-clear-site-data/#clear-dom-accessible-storage>): each
    /// of its registrations is removed from the map and its row deleted (as Unregister does),
    /// and cleared at once (Clear Registration), whether or not clients use it; those
    /// unregistered already and waiting for their clients to go are cleared too. Jobs of their
    /// scopes still running end as for a registration gone. Returns the registrations
    /// cleared, whose clients lose their controller. A registration whose row cannot be
    /// deleted stays, logged.
    pub fn clear_origin_now(&mut self, origin: &Origin) -> Vec<ServiceWorkerRegistrationId> {
        let scopes: Vec<String> = self
            .registrations
            .iter()
            .filter(|(_, registration)| registration.scope.origin() == *origin)
            .map(|(scope, _)| scope.clone())
            .collect();
        let mut cleared = Vec::new();
        for scope in scopes {
            let Some(registration) = self.registrations.get(&scope).cloned() else {
                continue;
            };
            if let Err(error) = self.remove_registration(&scope) {
                log::error!(target: LOG_TARGET, "cannot clear {scope}: {error}");
                continue;
            }
            cleared.push(registration.id);
            self.clear_registration(registration);
        }
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.unregistered)
            .into_iter()
            .partition(|registration| registration.scope.origin() == *origin);
        self.unregistered = kept;
        for registration in gone {
            cleared.push(registration.id);
            self.clear_registration(registration);
        }
        cleared
    }

    /// <https://w3c.github.io/ServiceWorker/#clear-registration-algorithm>:
    /// every worker becomes redundant.
    fn clear_registration(&mut self, registration: crate::registry::Registration) {
        let mut info = registration.info();
        (info.installing, info.waiting, info.active) = (None, None, None);
        for worker in [
            registration.installing,
            registration.waiting,
            registration.active,
        ]
        .into_iter()
        .flatten()
        {
            self.act(RegistryAction::Terminate(worker.id));
            let mut worker = worker.info();
            worker.state = ServiceWorkerState::Redundant;
            self.act(RegistryAction::StateChanged {
                registration: info.clone(),
                worker,
            });
        }
    }
}

fn job_ended_unexpectedly() -> ServiceWorkerError {
    ServiceWorkerError::Type("The job ended unexpectedly.".to_owned())
}

fn registration_gone() -> ServiceWorkerError {
    ServiceWorkerError::Type("The registration was unregistered.".to_owned())
}

/// Steps 3-8 of <https://w3c.github.io/ServiceWorker/#start-register-algorithm>:
/// the checks of the URLs alone. Returns the script URL and the scope.
fn start_register(script_url: Url, scope: Option<Url>) -> Result<(Url, Url), ServiceWorkerError> {
    let type_error = |what: &str, url: &Url| {
        ServiceWorkerError::Type(format!(
            "Failed to register a ServiceWorker: The {what} ('{url}') is not supported: it \
             must be an http: or https: URL without an escaped '/' or '\\' in its path."
        ))
    };
    // The script URL has no fragment: it does not identify a service worker (Register,
    // step 4: "the user agent does not store the fragment of the script's url").
    let mut script_url = script_url;
    script_url.set_fragment(None);
    // Steps 3-4: script URL scheme and path.
    if !is_http_scheme(&script_url) || has_escaped_slash(&script_url) {
        return Err(type_error("script URL", &script_url));
    }
    // Step 5: If scopeURL is null, set it to "./" parsed against the script
    // URL: the script's directory.
    let mut scope = match scope {
        Some(scope) => scope,
        None => script_url
            .join("./")
            .map_err(|_| type_error("script URL", &script_url))?,
    };
    // The scope has no fragment (Match Service Worker Registration ignores
    // it too).
    scope.set_fragment(None);
    // Steps 7-8: scope URL scheme and path.
    if !is_http_scheme(&scope) || has_escaped_slash(&scope) {
        return Err(type_error("scope URL", &scope));
    }
    Ok((script_url, scope))
}

fn is_http_scheme(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

fn has_escaped_slash(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.contains("%2f") || path.contains("%5c")
}

/// The checks of the fetched response, in the spec's order: a bad status is
/// a `TypeError`; a redirect, a non-JavaScript MIME type or a scope beyond
/// the allowed maximum a `SecurityError`.
fn check_response(job: &Job, fetched: &FetchedScript) -> Result<(), ServiceWorkerError> {
    // The request's redirect mode is "error". A redirected main script is a
    // SecurityError, as in Chromium and the web-platform-tests (the spec's
    // network error would be a TypeError).
    let mut final_url = fetched.final_url.clone();
    final_url.set_fragment(None);
    if final_url != job.script_url {
        return Err(ServiceWorkerError::Security(format!(
            "Failed to register a ServiceWorker: The script resource ('{}') is behind a \
             redirect, which is disallowed.",
            job.script_url
        )));
    }
    if !(200..=299).contains(&fetched.status) {
        return Err(ServiceWorkerError::Type(format!(
            "Failed to register a ServiceWorker: A bad HTTP response code ({}) was received \
             when fetching the script.",
            fetched.status
        )));
    }
    let mime_type = fetched.mime_type.as_deref().unwrap_or("");
    if !base::mime::is_javascript_mime_type(mime_type) {
        return Err(ServiceWorkerError::Security(format!(
            "Failed to register a ServiceWorker: The script has an unsupported MIME type \
             ('{mime_type}')."
        )));
    }
    // The maximum scope: the script's directory, or what the
    // Service-Worker-Allowed header allows (on the script's origin only).
    let max_scope = match &fetched.service_worker_allowed {
        None => job.script_url.join("./").ok(),
        Some(allowed) => job
            .script_url
            .join(allowed.trim())
            .ok()
            .filter(|max_scope| max_scope.origin() == job.script_url.origin()),
    };
    let max_scope_path = max_scope.as_ref().map(Url::path).unwrap_or("");
    if max_scope.is_none() || !job.scope.path().starts_with(max_scope_path) {
        return Err(ServiceWorkerError::Security(format!(
            "Failed to register a ServiceWorker: The path of the provided scope ('{}') is not \
             under the max scope allowed ('{max_scope_path}'). Adjust the scope, move the \
             Service Worker script, or use the Service-Worker-Allowed HTTP header to allow the \
             scope.",
            job.scope.path()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_mime_types_are_judged_by_essence() {
        assert!(base::mime::is_javascript_mime_type("text/javascript"));
        assert!(base::mime::is_javascript_mime_type(
            "Application/JavaScript; charset=utf-8"
        ));
        assert!(!base::mime::is_javascript_mime_type("text/html"));
        assert!(!base::mime::is_javascript_mime_type("application/json"));
        assert!(!base::mime::is_javascript_mime_type(""));
    }

    #[test]
    fn start_register_rejects_non_http_urls_and_escaped_slashes() {
        let url = |text: &str| Url::parse(text).unwrap();
        let error = start_register(url("file:///sw.js"), None).unwrap_err();
        assert_eq!(error.dom_exception_name(), "TypeError");
        let error = start_register(url("https://a.test/a%2Fb/sw.js"), None).unwrap_err();
        assert_eq!(error.dom_exception_name(), "TypeError");
        let error = start_register(
            url("https://a.test/sw.js"),
            Some(url("https://a.test/x%5c/")),
        )
        .unwrap_err();
        assert_eq!(error.dom_exception_name(), "TypeError");
        let (_, scope) = start_register(
            url("https://a.test/app/sw.js"),
            Some(url("https://a.test/app/#f")),
        )
        .unwrap();
        assert_eq!(scope.as_str(), "https://a.test/app/");
    }
}

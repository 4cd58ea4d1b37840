//! ServiceWorkerGlobalScope (https://w3c.github.io/ServiceWorker/#serviceworkerglobalscope-interface):
//! the global object of a service worker, on its own thread with its own runtime.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use script_traits::{
    FetchAnswer, RegistrationInfo, ServiceWorkerInfo, WorkerEventId, WorkerEventOutcome, WorkerMsg,
};

use crate::constellation_link::request_promise;
use crate::dom::bindings::interface::GlobalKind;
use crate::dom::clients::Clients;
use crate::dom::event::Event;
use crate::dom::extendableevent::ExtendableEvent;
use crate::dom::fetchevent::FetchEvent;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::prelude::*;
use crate::dom::serviceworker::ServiceWorker;
use crate::dom::serviceworkerregistration::ServiceWorkerRegistration;
use crate::dom::workerglobalscope::WorkerGlobalScope;
use crate::event_loop::EventLoop;

/// An event the constellation asked for, dispatched and waiting for its `waitUntil`
/// promises.
#[derive(Trace)]
struct InFlightEvent {
    #[no_trace]
    id: WorkerEventId,
    event: DomRoot<ExtendableEvent>,
    listener_threw: bool,
}

/// A `fetch` event whose `respondWith()` promise the page waits on.
#[derive(Trace)]
struct FetchWatch {
    #[no_trace]
    id: WorkerEventId,
    event: DomRoot<FetchEvent>,
    /// The promise settled and a task to answer the page is queued.
    #[no_trace]
    answering: Cell<bool>,
}

#[derive(Trace)]
#[repr(C)]
pub struct ServiceWorkerGlobalScope {
    workerglobalscope: WorkerGlobalScope,
    clients: MutNullableDom<Clients>,
    registration: MutNullableDom<ServiceWorkerRegistration>,
    service_worker: MutNullableDom<ServiceWorker>,
    in_flight: RefCell<Vec<InFlightEvent>>,
    /// Fetch events whose page has no answer yet (their `EventDone` waits for it).
    fetch_watches: RefCell<Vec<FetchWatch>>,
    /// Fetch events whose navigation preload response has not come yet. The constellation
    /// always sends one (or the worker stops), so none is kept for good.
    #[no_trace]
    preloads: RefCell<Vec<(WorkerEventId, DomRoot<FetchEvent>)>>,
    terminated: Cell<bool>,
}

impl ServiceWorkerGlobalScope {
    /// Creates the global of a service worker whose script is at `url`, in a new realm of the
    /// thread's runtime. Service workers only exist in secure contexts.
    pub fn create(
        cx: &mut JSContext,
        url: url::Url,
        event_loop: Rc<EventLoop>,
        console: Rc<dyn ConsoleSink>,
    ) -> DomRoot<ServiceWorkerGlobalScope> {
        let kind = GlobalKind {
            names: &["Worker", "ServiceWorker"],
            secure: true,
        };
        let global = Box::new(ServiceWorkerGlobalScope {
            workerglobalscope: WorkerGlobalScope::new_inherited(GlobalScope::new_inherited(
                kind, url, event_loop, console,
            )),
            clients: MutNullableDom::default(),
            registration: MutNullableDom::default(),
            service_worker: MutNullableDom::default(),
            in_flight: RefCell::new(Vec::new()),
            fetch_watches: RefCell::new(Vec::new()),
            preloads: RefCell::new(Vec::new()),
            terminated: Cell::new(false),
        });
        // SAFETY: a fresh global of ServiceWorkerGlobalScope's class.
        unsafe {
            crate::dom::bindings::interface::create_global::<_, GlobalScope>(
                cx,
                &ServiceWorkerGlobalScopeBinding::INFO,
                global,
            )
        }
    }

    pub fn global_scope(&self) -> &GlobalScope {
        self.workerglobalscope.global_scope()
    }

    pub fn worker_global_scope(&self) -> &WorkerGlobalScope {
        &self.workerglobalscope
    }

    /// Sets `self.registration` and `self.serviceWorker`.
    pub fn set_identity(
        &self,
        cx: &mut JSContext,
        registration: &RegistrationInfo,
        worker: &ServiceWorkerInfo,
    ) {
        let scope = self.global_scope();
        let registration = scope.registration_object(cx, registration);
        let worker = scope.service_worker_object(cx, worker);
        self.registration.set(Some(&registration));
        self.service_worker.set(Some(&worker));
    }

    /// Dispatches a trusted extendable event the constellation asked for; its completion is
    /// reported by [`Self::report_finished_events`].
    ///
    /// # Safety
    /// `cx` in this global's realm.
    pub unsafe fn dispatch_extendable(
        &self,
        cx: &mut JSContext,
        id: WorkerEventId,
        event: DomRoot<ExtendableEvent>,
    ) {
        let as_event = event.upcast::<Event>();
        self.global_scope()
            .upcast_event_target()
            .dispatch_event(cx, as_event);
        let listener_threw = as_event.listener_threw();
        self.in_flight.borrow_mut().push(InFlightEvent {
            id,
            event,
            listener_threw,
        });
    }

    /// After a `fetch` event's dispatch (https://w3c.github.io/ServiceWorker/#handle-fetch):
    /// without `respondWith()`, the page goes to the network now; with it, the page waits
    /// for its promise ([`Self::report_finished_events`] watches it).
    ///
    /// # Safety
    /// `cx` in the worker's realm.
    pub unsafe fn watch_fetch(&self, cx: &mut JSContext, id: WorkerEventId, event: &FetchEvent) {
        if event.response_promise().is_none() {
            let answer = FetchAnswer::Fallback;
            event.settle_handled(cx, &answer);
            self.send_fetch_answer(id, answer);
            return;
        }
        self.fetch_watches.borrow_mut().push(FetchWatch {
            id,
            event: DomRoot::from_ref(event),
            answering: Cell::new(false),
        });
    }

    /// The fetch event `id` waits for its navigation preload response.
    pub fn await_preload(&self, id: WorkerEventId, event: &FetchEvent) {
        self.preloads
            .borrow_mut()
            .push((id, DomRoot::from_ref(event)));
    }

    /// The navigation preload response of fetch event `id` came: its `preloadResponse`
    /// settles. (An unknown id: an event of an earlier run of the worker.)
    pub fn preload_arrived(
        &self,
        cx: &mut JSContext,
        id: WorkerEventId,
        response: Option<Box<script_traits::FetchResponseData>>,
    ) {
        let event = {
            let mut preloads = self.preloads.borrow_mut();
            let index = preloads.iter().position(|(event, _)| *event == id);
            index.map(|index| preloads.remove(index).1)
        };
        if let Some(event) = event {
            event.settle_preload(cx, response);
        }
    }

    fn send_fetch_answer(&self, id: WorkerEventId, answer: FetchAnswer) {
        if let Some(link) = self.global_scope().constellation_link() {
            link.send_worker(WorkerMsg::FetchAnswer { id, answer });
        }
    }

    /// Queues the answer of every fetch event whose `respondWith()` promise settled: a task,
    /// since reading the response needs the runtime (the caller, between tasks, has none).
    fn answer_settled_fetches(&self) {
        for watch in self.fetch_watches.borrow().iter() {
            let settled = watch
                .event
                .response_promise()
                .is_some_and(|promise| !promise.is_pending());
            if !settled || watch.answering.replace(true) {
                continue;
            }
            let id = watch.id;
            self.global_scope()
                .event_loop()
                .queue_task(Box::new(move |cx| {
                    // SAFETY: event-loop tasks run in their global's realm.
                    let scope = unsafe { crate::dom::globalscope::current_global(cx) };
                    let Some(global) = scope
                        .upcast_event_target()
                        .downcast::<ServiceWorkerGlobalScope>()
                    else {
                        return;
                    };
                    // The watch stays until the answer is sent (a stream body is read
                    // first), so the event does not end before its answer.
                    let event = {
                        let watches = global.fetch_watches.borrow();
                        let watch = watches.iter().find(|watch| watch.id == id);
                        watch.map(|watch| watch.event.clone())
                    };
                    let Some(event) = event else {
                        return;
                    };
                    let Some(promise) = event.response_promise() else {
                        return;
                    };
                    // SAFETY: as above; the promise settled.
                    unsafe {
                        event.answer_from(
                            cx,
                            &promise,
                            Box::new(move |cx, answer| {
                                let scope = crate::dom::globalscope::current_global(cx);
                                let Some(global) = scope
                                    .upcast_event_target()
                                    .downcast::<ServiceWorkerGlobalScope>()
                                else {
                                    return;
                                };
                                global
                                    .fetch_watches
                                    .borrow_mut()
                                    .retain(|watch| watch.id != id);
                                // The loop reports the event's end after this task.
                                global.send_fetch_answer(id, answer);
                            }),
                        )
                    };
                }));
        }
    }

    /// Sends `EventDone` for every in-flight event whose `waitUntil` promises have all
    /// settled (and, for a `fetch` event, whose page has its answer).
    pub fn report_finished_events(&self) {
        self.answer_settled_fetches();
        let finished: Vec<InFlightEvent> = {
            let watches = self.fetch_watches.borrow();
            let mut in_flight = self.in_flight.borrow_mut();
            let (finished, pending) =
                std::mem::take(&mut *in_flight)
                    .into_iter()
                    .partition(|event| {
                        !watches.iter().any(|watch| watch.id == event.id)
                            && event
                                .event
                                .extend_lifetime_promises()
                                .iter()
                                .all(|promise| !promise.is_pending())
                    });
            *in_flight = pending;
            finished
        };
        let Some(link) = self.global_scope().constellation_link() else {
            return;
        };
        for event in finished {
            let outcome = if event.listener_threw {
                WorkerEventOutcome::ListenerThrew
            } else if event
                .event
                .extend_lifetime_promises()
                .iter()
                .any(|promise| promise.is_rejected())
            {
                self.report_rejections(&event.event);
                WorkerEventOutcome::WaitUntilRejected
            } else {
                WorkerEventOutcome::Completed
            };
            link.send_worker(WorkerMsg::EventDone {
                id: event.id,
                outcome,
            });
        }
    }

    /// Reports the reasons of an event's rejected extend-lifetime promises on stderr and to
    /// the embedder, as Chromium's console does (`Uncaught (in promise) ...`): the promise
    /// was handled by the event, but nothing in the worker's own code saw it fail.
    fn report_rejections(&self, event: &ExtendableEvent) {
        let rejected: Vec<_> = event
            .extend_lifetime_promises()
            .into_iter()
            .filter(|promise| promise.is_rejected())
            .collect();
        self.global_scope()
            .event_loop()
            .queue_task(Box::new(move |cx| {
                // SAFETY: event-loop tasks run in their global's realm.
                unsafe {
                    let global = crate::dom::globalscope::current_global(cx);
                    for promise in rejected {
                        crate::script_runtime::report_rejected_promise(
                            cx,
                            global,
                            promise.handle(),
                        );
                    }
                }
            }));
    }

    /// Reports an event that could not be fired as a JS event (a message that did not
    /// deserialize).
    pub fn report_event_outcome(&self, id: WorkerEventId, outcome: WorkerEventOutcome) {
        if let Some(link) = self.global_scope().constellation_link() {
            link.send_worker(WorkerMsg::EventDone { id, outcome });
        }
    }

    pub fn terminate(&self) {
        self.terminated.set(true);
    }

    pub fn is_terminated(&self) -> bool {
        self.terminated.get()
    }

    /// Drops the in-flight events (the thread is ending).
    pub fn clear_in_flight(&self) {
        self.in_flight.borrow_mut().clear();
        self.fetch_watches.borrow_mut().clear();
    }
}

impl ServiceWorkerGlobalScopeMethods for ServiceWorkerGlobalScope {
    fn Clients(&self, cx: &mut JSContext) -> DomRoot<Clients> {
        self.clients
            .or_init(|| Clients::new(cx, self.global_scope()))
    }

    fn Registration(&self, _cx: &mut JSContext) -> Fallible<DomRoot<ServiceWorkerRegistration>> {
        self.registration
            .get()
            .ok_or_else(|| Error::invalid_state("This worker runs outside a registration."))
    }

    fn ServiceWorker(&self, _cx: &mut JSContext) -> Fallible<DomRoot<ServiceWorker>> {
        self.service_worker
            .get()
            .ok_or_else(|| Error::invalid_state("This worker runs outside a registration."))
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerglobalscope-skipwaiting>
    fn SkipWaiting(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the global's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global_scope(),
                &promise,
                |link, id| link.send_worker(WorkerMsg::SkipWaiting { id }),
                |cx, _global, promise, ()| promise.resolve(cx, &()),
            );
            Ok(promise)
        }
    }
}

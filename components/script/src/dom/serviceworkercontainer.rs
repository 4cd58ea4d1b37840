//! ServiceWorkerContainer (https://w3c.github.io/ServiceWorker/#serviceworkercontainer-interface):
//! `navigator.serviceWorker`, a page's door to the constellation's registry.

use std::cell::{Cell, RefCell};

use mozjs::jsval::UndefinedValue;
use mozjs::rooted;
use script_traits::{
    ClientSetup, RegistrationInfo, SerializedMessage, ServiceWorkerInfo,
    ServiceWorkerRegistrationId, ServiceWorkerRequest, ServiceWorkerState as WorkerState,
    ToClientMsg, UpdateViaCache,
};
use url::Url;

use crate::constellation_link::{request_promise, send_with_reply, service_worker_error};
use crate::dom::eventtarget::EventTarget;
use crate::dom::messageevent::{MessageEvent, Source};
use crate::dom::prelude::*;
use crate::dom::serviceworker::ServiceWorker;

/// A message that arrived while the client message queue was disabled.
struct QueuedMessage {
    source: ServiceWorkerInfo,
    origin: String,
    message: SerializedMessage,
}

#[derive(Trace)]
#[repr(C)]
pub struct ServiceWorkerContainer {
    eventtarget: EventTarget,
    controller: MutNullableDom<ServiceWorker>,
    ready: RefCell<Option<Rc<Promise>>>,
    /// The registration `ready` waits for, once the registry named one.
    #[no_trace]
    ready_registration: Cell<Option<ServiceWorkerRegistrationId>>,
    /// <https://w3c.github.io/ServiceWorker/#dfn-client-message-queue>
    messages_enabled: Cell<bool>,
    #[no_trace]
    queued: RefCell<Vec<QueuedMessage>>,
}

impl ServiceWorkerContainer {
    /// The container of `global` (a Window), made on first use.
    pub fn of(cx: &mut JSContext, global: &GlobalScope) -> DomRoot<ServiceWorkerContainer> {
        if let Some(container) = &global.service_worker_objects().borrow().container {
            return container.root();
        }
        let container = ServiceWorkerContainerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(ServiceWorkerContainer {
                eventtarget: EventTarget::new_inherited(),
                controller: MutNullableDom::default(),
                ready: RefCell::new(None),
                ready_registration: Cell::new(None),
                messages_enabled: Cell::new(false),
                queued: RefCell::new(Vec::new()),
            }),
        );
        global.service_worker_objects().borrow_mut().container = Some(Dom::from_ref(&*container));
        container
    }

    /// Whether the page has a controller (`navigator.serviceWorker.controller`).
    pub fn is_controlled(global: &GlobalScope) -> bool {
        global
            .service_worker_objects()
            .borrow()
            .worker_controller
            .is_some()
            || Self::existing(global).is_some_and(|container| container.controller.is_some())
    }

    /// A dedicated worker's controller changed (it has no container to show it).
    fn set_worker_controller(global: &GlobalScope, controller: Option<&ServiceWorkerInfo>) {
        global
            .service_worker_objects()
            .borrow_mut()
            .worker_controller = controller.map(|controller| controller.id);
    }

    fn existing(global: &GlobalScope) -> Option<DomRoot<ServiceWorkerContainer>> {
        global
            .service_worker_objects()
            .borrow()
            .container
            .as_ref()
            .map(|container| container.root())
    }

    /// Enables the client message queue; what waited in it is dispatched in a task (the
    /// queue is a task source, so not synchronously inside `startMessages()`).
    ///
    /// # Safety
    /// `cx` in the container's realm.
    pub unsafe fn enable_messages(&self, _cx: &mut JSContext) {
        if self.messages_enabled.replace(true) || self.queued.borrow().is_empty() {
            return;
        }
        let this = DomRoot::from_ref(self);
        self.global()
            .event_loop()
            .queue_task(Box::new(move |cx: &mut JSContext| {
                let queued = std::mem::take(&mut *this.queued.borrow_mut());
                for message in queued {
                    // SAFETY: tasks run in the page's realm.
                    unsafe { this.dispatch_message(cx, message) };
                }
            }));
    }

    unsafe fn deliver(&self, cx: &mut JSContext, message: QueuedMessage) {
        // Setting `onmessage` enables the queue (it calls startMessages()).
        let has_handler = self.eventtarget.get_event_handler(cx, "message").is_some();
        if has_handler {
            self.enable_messages(cx);
        }
        if self.messages_enabled.get() && self.queued.borrow().is_empty() {
            self.dispatch_message(cx, message);
        } else {
            self.queued.borrow_mut().push(message);
        }
    }

    unsafe fn dispatch_message(&self, cx: &mut JSContext, message: QueuedMessage) {
        let global = self.global();
        let source = global.service_worker_object(cx, &message.source);
        rooted!(&in(cx) let mut data = UndefinedValue());
        let target = self.upcast::<EventTarget>();
        let Ok(ports) =
            crate::dom::postmessage::deserialize_message(cx, &message.message.0, data.handle_mut())
        else {
            target.fire_event(cx, "messageerror");
            return;
        };
        let event = MessageEvent::new_trusted(
            cx,
            global,
            data.handle(),
            message.origin,
            Source::Worker(&source),
        );
        event.set_ports(ports);
        target.dispatch_event(cx, event.upcast());
    }

    /// The registration `ready` resolves with, if `info` is it and is ready: it matches the
    /// page's URL and its active worker is activated.
    unsafe fn check_ready(&self, cx: &mut JSContext, info: &RegistrationInfo) {
        let Some(promise) = self.ready.borrow().clone() else {
            return;
        };
        if !promise.is_pending() {
            return;
        }
        let global = self.global();
        let matches = match self.ready_registration.get() {
            Some(id) => id == info.id,
            None => global.url().as_str().starts_with(info.scope.as_str()),
        };
        let activated = info
            .active
            .as_ref()
            .is_some_and(|active| active.state == WorkerState::Activated);
        if matches && activated {
            let registration = global.registration_object(cx, info);
            promise.resolve(cx, &registration);
        }
    }
}

/// A registration changed: `ready` may resolve.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn registration_changed(
    cx: &mut JSContext,
    global: &GlobalScope,
    info: &RegistrationInfo,
) {
    if let Some(container) = ServiceWorkerContainer::existing(global) {
        container.check_ready(cx, info);
    }
}

/// Applies the constellation's answer to `DocumentLoaded`: the page's controller.
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn apply_client_setup(cx: &mut JSContext, global: &GlobalScope, setup: &ClientSetup) {
    global.init_online(setup.online);
    if let Some(controller) = &setup.controller {
        if !global
            .upcast_event_target()
            .is::<crate::dom::window::Window>()
        {
            ServiceWorkerContainer::set_worker_controller(global, Some(controller));
            return;
        }
        let container = ServiceWorkerContainer::of(cx, global);
        let worker = global.service_worker_object(cx, controller);
        container.controller.set(Some(&worker));
    }
}

/// The client message queue is enabled once the document is parsed (HTML's "the end").
///
/// # Safety
/// `cx` in `global`'s realm.
pub unsafe fn document_parsed(cx: &mut JSContext, global: &GlobalScope) {
    if let Some(container) = ServiceWorkerContainer::existing(global) {
        container.enable_messages(cx);
    }
}

/// Handles one message of the constellation to a page, or to a page's dedicated worker (a
/// task of its event loop).
pub fn handle_client_message(cx: &mut JSContext, global: &GlobalScope, message: ToClientMsg) {
    // A dedicated worker has no `navigator.serviceWorker`: its controller is kept apart.
    let is_window = global
        .upcast_event_target()
        .is::<crate::dom::window::Window>();
    // SAFETY: tasks run in the page's realm.
    unsafe {
        match message {
            ToClientMsg::ControllerChanged { controller } if !is_window => {
                ServiceWorkerContainer::set_worker_controller(global, controller.as_ref())
            }
            ToClientMsg::Message { .. } if !is_window => {
                log::debug!(target: "bgsync::script::service_worker",
                    "a dedicated worker ignores {message:?}")
            }
            ToClientMsg::Reply { id, answer } => global.answer_request(cx, id, answer),
            ToClientMsg::Setup(_) => {
                log::warn!(target: "bgsync::script::service_worker", "a second client setup; ignored")
            }
            ToClientMsg::MessageDone { token, .. } => global.message_done(token),
            ToClientMsg::FetchAnswer { token, answer } => {
                crate::fetch::answered(cx, global, token, answer)
            }
            ToClientMsg::NetworkChanged { online } => global.set_online(cx, online),
            ToClientMsg::IndexedDb(event) => {
                crate::dom::idbfactory::handle_event(cx, global, event)
            }
            ToClientMsg::Registration(update) => global.apply_registration_update(cx, *update),
            ToClientMsg::Navigate { url, token } => navigate_for_service_worker(global, url, token),
            ToClientMsg::ControllerChanged { controller } => {
                let container = ServiceWorkerContainer::of(cx, global);
                let worker = controller
                    .as_ref()
                    .map(|controller| global.service_worker_object(cx, controller));
                container.controller.set(worker.as_deref());
                container
                    .upcast::<EventTarget>()
                    .fire_event(cx, "controllerchange");
            }
            ToClientMsg::Message {
                source,
                origin,
                message,
            } => {
                let container = ServiceWorkerContainer::of(cx, global);
                container.deliver(
                    cx,
                    QueuedMessage {
                        source,
                        origin,
                        message,
                    },
                );
            }
        }
    }
}

/// `WindowClient.navigate()` of this client's controller (request `token`): a frame navigates
/// (the client of its new document names the request); a top-level page or a worker refuses.
fn navigate_for_service_worker(global: &GlobalScope, url: Url, token: u64) {
    match crate::dom::htmliframeelement::HTMLIFrameElement::of_global(global) {
        Some(frame) => frame.navigate_for(url, token),
        None => {
            if let Some(link) = global.constellation_link() {
                link.send_client(script_traits::ScriptMsg::NavigationRefused {
                    token,
                    reason: "bgsync does not navigate a top-level page.".to_owned(),
                });
            }
        }
    }
}

fn parse_url(base: &Url, input: &str, what: &str) -> Fallible<Url> {
    base.join(input).map_err(|_| {
        Error::Type(format!(
            "Failed to register a ServiceWorker: The {what} '{input}' is not a valid URL."
        ))
    })
}

impl ServiceWorkerContainerMethods for ServiceWorkerContainer {
    fn Controller(&self, _cx: &mut JSContext) -> Option<DomRoot<ServiceWorker>> {
        self.controller.get()
    }

    /// <https://w3c.github.io/ServiceWorker/#navigator-service-worker-ready>. Resolves once
    /// the registration matching the page's URL has an *activated* worker.
    fn Ready(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        if let Some(promise) = self.ready.borrow().clone() {
            return Ok(promise);
        }
        // SAFETY: bindings call in the object's realm.
        let promise = unsafe { Promise::new(cx) };
        *self.ready.borrow_mut() = Some(promise.clone());
        let global = self.global();
        let client_url = global.url().clone();
        send_with_reply(
            global,
            |link, id| link.send_request(ServiceWorkerRequest::GetRegistration { client_url, id }),
            |cx, global, reply| {
                let Some(Ok(Some(info))) = reply else {
                    return;
                };
                let Some(container) = ServiceWorkerContainer::existing(global) else {
                    return;
                };
                container.ready_registration.set(Some(info.id));
                let info = global.latest_registration_info(info.id).unwrap_or(info);
                // SAFETY: tasks run in the page's realm.
                unsafe { container.check_ready(cx, &info) };
            },
        );
        Ok(promise)
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-register>
    fn Register(
        &self,
        cx: &mut JSContext,
        script_url: DOMString,
        options: &RegistrationOptions,
    ) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let base = global.url().clone();
        let script_url = parse_url(&base, &script_url, "script URL")?;
        let scope = match &options.scope {
            Some(scope) => Some(parse_url(&base, scope, "scope URL")?),
            None => None,
        };
        let worker_type = match options.type_ {
            WorkerType::Classic => script_traits::WorkerType::Classic,
            WorkerType::Module => script_traits::WorkerType::Module,
        };
        let update_via_cache = match options.update_via_cache {
            ServiceWorkerUpdateViaCache::Imports => UpdateViaCache::Imports,
            ServiceWorkerUpdateViaCache::All => UpdateViaCache::All,
            ServiceWorkerUpdateViaCache::None => UpdateViaCache::None,
        };
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                global,
                &promise,
                |link, id| {
                    link.send_request(ServiceWorkerRequest::Register {
                        script_url,
                        scope,
                        update_via_cache,
                        worker_type,
                        id,
                    })
                },
                |cx, global, promise, reply| match reply {
                    Ok(info) => {
                        let registration = global.registration_object(cx, &info);
                        promise.resolve(cx, &registration);
                    }
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistration>
    fn GetRegistration(&self, cx: &mut JSContext, client_url: DOMString) -> Fallible<Rc<Promise>> {
        let global = self.global();
        let client_url = global.base_url().join(&client_url).map_err(|_| {
            Error::Type(format!(
                "Failed to execute 'getRegistration': The URL '{client_url}' is invalid."
            ))
        })?;
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                global,
                &promise,
                |link, id| {
                    link.send_request(ServiceWorkerRequest::GetRegistration { client_url, id })
                },
                |cx, global, promise, reply| match reply {
                    Ok(Some(info)) => {
                        let registration = global.registration_object(cx, &info);
                        promise.resolve(cx, &registration);
                    }
                    Ok(None) => promise.resolve(cx, &()),
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistrations>
    fn GetRegistrations(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_request(ServiceWorkerRequest::GetRegistrations { id }),
                |cx, global, promise, reply| match reply {
                    Ok(infos) => {
                        let registrations: Vec<_> = infos
                            .iter()
                            .map(|info| global.registration_object(cx, info))
                            .collect();
                        promise.resolve(cx, &registrations);
                    }
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            Ok(promise)
        }
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-startmessages>
    fn StartMessages(&self, cx: &mut JSContext) {
        // SAFETY: bindings call in the object's realm.
        unsafe { self.enable_messages(cx) };
    }
}

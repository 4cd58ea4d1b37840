//! ServiceWorkerRegistration
//! (https://w3c.github.io/ServiceWorker/#serviceworkerregistration-interface): a global's
//! view of one registration; its worker slots follow the constellation's broadcasts.

use std::cell::Cell;

use script_traits::{ServiceWorkerRegistrationId, ServiceWorkerRequest, UpdateViaCache};
use url::Url;

use crate::constellation_link::{request_promise, service_worker_error};
use crate::dom::eventtarget::EventTarget;
use crate::dom::navigationpreloadmanager::NavigationPreloadManager;
use crate::dom::prelude::*;
use crate::dom::serviceworker::ServiceWorker;
use crate::dom::syncmanager::SyncManager;

#[derive(Trace)]
#[repr(C)]
pub struct ServiceWorkerRegistration {
    eventtarget: EventTarget,
    #[no_trace]
    id: ServiceWorkerRegistrationId,
    #[no_trace]
    scope: Url,
    #[no_trace]
    update_via_cache: Cell<UpdateViaCache>,
    installing: MutNullableDom<ServiceWorker>,
    waiting: MutNullableDom<ServiceWorker>,
    active: MutNullableDom<ServiceWorker>,
    sync: MutNullableDom<SyncManager>,
    navigation_preload: MutNullableDom<NavigationPreloadManager>,
}

impl ServiceWorkerRegistration {
    /// Made only by `GlobalScope::registration_object`, which keeps one per registration.
    pub(crate) fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        info: &script_traits::RegistrationInfo,
    ) -> DomRoot<ServiceWorkerRegistration> {
        ServiceWorkerRegistrationBinding::Wrap(
            cx,
            global,
            None,
            Box::new(ServiceWorkerRegistration {
                eventtarget: EventTarget::new_inherited(),
                id: info.id,
                scope: info.scope.clone(),
                update_via_cache: Cell::new(info.update_via_cache),
                installing: MutNullableDom::default(),
                waiting: MutNullableDom::default(),
                active: MutNullableDom::default(),
                sync: MutNullableDom::default(),
                navigation_preload: MutNullableDom::default(),
            }),
        )
    }

    pub fn id(&self) -> ServiceWorkerRegistrationId {
        self.id
    }

    pub fn scope(&self) -> &Url {
        &self.scope
    }

    pub fn active(&self) -> Option<DomRoot<ServiceWorker>> {
        self.active.get()
    }

    pub(crate) fn set_workers(
        &self,
        installing: Option<&ServiceWorker>,
        waiting: Option<&ServiceWorker>,
        active: Option<&ServiceWorker>,
    ) {
        self.installing.set(installing);
        self.waiting.set(waiting);
        self.active.set(active);
    }

    pub(crate) fn set_update_via_cache(&self, value: UpdateViaCache) {
        self.update_via_cache.set(value);
    }
}

impl ServiceWorkerRegistrationMethods for ServiceWorkerRegistration {
    fn Installing(&self, _cx: &mut JSContext) -> Option<DomRoot<ServiceWorker>> {
        self.installing.get()
    }
    fn Waiting(&self, _cx: &mut JSContext) -> Option<DomRoot<ServiceWorker>> {
        self.waiting.get()
    }
    fn Active(&self, _cx: &mut JSContext) -> Option<DomRoot<ServiceWorker>> {
        self.active.get()
    }
    fn Scope(&self, _cx: &mut JSContext) -> DOMString {
        self.scope.to_string()
    }
    fn UpdateViaCache(&self, _cx: &mut JSContext) -> ServiceWorkerUpdateViaCache {
        match self.update_via_cache.get() {
            UpdateViaCache::Imports => ServiceWorkerUpdateViaCache::Imports,
            UpdateViaCache::All => ServiceWorkerUpdateViaCache::All,
            UpdateViaCache::None => ServiceWorkerUpdateViaCache::None,
        }
    }

    /// <https://wicg.github.io/background-sync/spec/#dom-serviceworkerregistration-sync>
    fn Sync(&self, cx: &mut JSContext) -> DomRoot<SyncManager> {
        self.sync
            .or_init(|| SyncManager::new(cx, self.global(), self.id))
    }

    fn NavigationPreload(&self, cx: &mut JSContext) -> DomRoot<NavigationPreloadManager> {
        self.navigation_preload
            .or_init(|| NavigationPreloadManager::new(cx, self.global(), self.id))
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-update>
    fn Update(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            let registration = self.id;
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_request(ServiceWorkerRequest::Update { registration, id }),
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

    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-unregister>
    fn Unregister(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            let registration = self.id;
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_request(ServiceWorkerRequest::Unregister { registration, id }),
                |cx, global, promise, reply| match reply {
                    Ok(removed) => promise.resolve(cx, &removed),
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            Ok(promise)
        }
    }
}

//! SyncManager (https://wicg.github.io/background-sync/spec/#sync-manager-interface):
//! `registration.sync`, in a page or a worker. Every request goes to the constellation's sync
//! service, which checks it against the sender's origin.

use background_sync_traits::{SyncError, SyncRequest};
use script_traits::ServiceWorkerRegistrationId;

use crate::constellation_link::request_promise;
use crate::dom::domexception::DOMErrorName;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct SyncManager {
    reflector: Reflector,
    #[no_trace]
    registration: ServiceWorkerRegistrationId,
}

impl SyncManager {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        registration: ServiceWorkerRegistrationId,
    ) -> DomRoot<SyncManager> {
        SyncManagerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(SyncManager {
                reflector: Reflector::new(),
                registration,
            }),
        )
    }
}

/// The DOMException of a rejection of the sync service (its Chromium message).
fn sync_error(error: SyncError) -> Error {
    let name = match error {
        SyncError::InvalidState => DOMErrorName::InvalidStateError,
        SyncError::Unknown => DOMErrorName::UnknownError,
        SyncError::InvalidAccess => DOMErrorName::InvalidAccessError,
        SyncError::NotAllowed => DOMErrorName::NotAllowedError,
    };
    Error::dom(name, error.to_string())
}

impl SyncManagerMethods for SyncManager {
    /// <https://wicg.github.io/background-sync/spec/#dom-syncmanager-register>
    fn Register(&self, cx: &mut JSContext, tag: DOMString) -> Fallible<Rc<Promise>> {
        let registration = self.registration;
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            let confirm_tag = tag.clone();
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| {
                    link.send_sync(SyncRequest::Register {
                        registration,
                        tag,
                        id,
                    })
                },
                move |cx, global, promise, reply| match reply {
                    Ok(()) => {
                        promise.resolve(cx, &());
                        // The registering context resolved its promise: the registration
                        // may fire now.
                        if let Some(link) = global.constellation_link() {
                            link.send_sync(SyncRequest::ConfirmRegistration {
                                registration,
                                tag: confirm_tag,
                            });
                        }
                    }
                    Err(error) => promise.reject_error(cx, global, sync_error(error)),
                },
            );
            Ok(promise)
        }
    }

    /// <https://wicg.github.io/background-sync/spec/#dom-syncmanager-gettags>
    fn GetTags(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        let registration = self.registration;
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| link.send_sync(SyncRequest::GetTags { registration, id }),
                |cx, global, promise, reply| match reply {
                    Ok(tags) => promise.resolve(cx, &tags),
                    Err(error) => promise.reject_error(cx, global, sync_error(error)),
                },
            );
            Ok(promise)
        }
    }
}

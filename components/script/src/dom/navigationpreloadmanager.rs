//! NavigationPreloadManager (https://w3c.github.io/ServiceWorker/#navigationpreloadmanager):
//! `registration.navigationPreload`, in a page or a worker. The state belongs to the
//! registration and is kept in the profile by the constellation's registry, which checks each
//! request against the sender's origin.

use script_traits::{
    NavigationPreloadCommand, NavigationPreloadReply, ServiceWorkerRegistrationId,
    ServiceWorkerRequest,
};

use crate::constellation_link::{request_promise, service_worker_error};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct NavigationPreloadManager {
    reflector: Reflector,
    #[no_trace]
    registration: ServiceWorkerRegistrationId,
}

impl NavigationPreloadManager {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        registration: ServiceWorkerRegistrationId,
    ) -> DomRoot<NavigationPreloadManager> {
        NavigationPreloadManagerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(NavigationPreloadManager {
                reflector: Reflector::new(),
                registration,
            }),
        )
    }

    /// Sends `command`; the promise resolves with what `answer` makes of the new state.
    fn request(
        &self,
        cx: &mut JSContext,
        command: NavigationPreloadCommand,
        answer: fn(&mut JSContext, &Promise, script_traits::NavigationPreloadState),
    ) -> Rc<Promise> {
        let registration = self.registration;
        // SAFETY: bindings call in the object's realm.
        unsafe {
            let promise = Promise::new(cx);
            request_promise(
                cx,
                self.global(),
                &promise,
                |link, id| {
                    link.send_request(ServiceWorkerRequest::NavigationPreload {
                        registration,
                        command,
                        id,
                    })
                },
                move |cx, global, promise, reply: NavigationPreloadReply| match reply {
                    Ok(state) => answer(cx, promise, state),
                    Err(error) => promise.reject_error(cx, global, service_worker_error(error)),
                },
            );
            promise
        }
    }
}

/// Resolves with undefined: what enable(), disable() and setHeaderValue() give.
fn resolve_undefined(
    cx: &mut JSContext,
    promise: &Promise,
    _: script_traits::NavigationPreloadState,
) {
    // SAFETY: answers run in the promise's realm.
    unsafe { promise.resolve(cx, &()) }
}

/// Whether `value` may be sent as the header's value: no NUL, CR or LF. (Fetch's "header
/// value" also excludes leading and trailing tabs and spaces; like Chromium, those are
/// accepted and kept.)
fn is_header_value(value: &str) -> bool {
    !value.contains(['\0', '\r', '\n'])
}

impl NavigationPreloadManagerMethods for NavigationPreloadManager {
    /// <https://w3c.github.io/ServiceWorker/#dom-navigationpreloadmanager-enable>
    fn Enable(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        Ok(self.request(cx, NavigationPreloadCommand::Enable, resolve_undefined))
    }
    /// <https://w3c.github.io/ServiceWorker/#dom-navigationpreloadmanager-disable>
    fn Disable(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        Ok(self.request(cx, NavigationPreloadCommand::Disable, resolve_undefined))
    }
    /// <https://w3c.github.io/ServiceWorker/#dom-navigationpreloadmanager-setheadervalue>
    fn SetHeaderValue(&self, cx: &mut JSContext, value: DOMString) -> Fallible<Rc<Promise>> {
        // A rejected promise, as the binding makes of the error.
        if !is_header_value(&value) {
            return Err(Error::Type(format!(
                "Failed to execute 'setHeaderValue' on 'NavigationPreloadManager': The string \
                 provided ('{value}') is not a valid HTTP header field value."
            )));
        }
        Ok(self.request(
            cx,
            NavigationPreloadCommand::SetHeaderValue(value),
            resolve_undefined,
        ))
    }
    /// <https://w3c.github.io/ServiceWorker/#dom-navigationpreloadmanager-getstate>
    fn GetState(&self, cx: &mut JSContext) -> Fallible<Rc<Promise>> {
        Ok(self.request(
            cx,
            NavigationPreloadCommand::GetState,
            |cx, promise, state| {
                let state = NavigationPreloadState {
                    enabled: state.enabled,
                    header_value: Some(state.header_value),
                };
                // SAFETY: answers run in the promise's realm.
                unsafe { promise.resolve(cx, &state) }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::is_header_value;

    #[test]
    fn header_values_have_no_line_breaks_nor_nul() {
        assert!(is_header_value("true"));
        assert!(is_header_value(""));
        assert!(is_header_value(" a b\t"));
        assert!(!is_header_value("a\nb"));
        assert!(!is_header_value("a\rb"));
        assert!(!is_header_value("a\0b"));
    }
}

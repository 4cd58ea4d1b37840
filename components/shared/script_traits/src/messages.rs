//! The service-worker messages of a script thread, over ipc-channel.
//!
//! A page (or worker) running `navigator.serviceWorker` sends a
//! [`ServiceWorkerRequest`] and gets its answer on the `reply` sender inside
//! it. Every answer is a `Result` whose error is a [`ServiceWorkerError`].
//!
//! These messages carry **no origin** on purpose. The script side wraps them
//! in a message of its own channel to the constellation, and the
//! constellation's router knows from that channel which pipeline (and so
//! which origin) is speaking; it hands that recorded origin to the registry
//! as `client_origin`. Every reply depends on that origin: a page sees and
//! touches only registrations of its own origin, and a registration id in a
//! request is a claim to check, never proof.

use base::id::ServiceWorkerRegistrationId;
use ipc_channel::ipc::IpcSender;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::ServiceWorkerError;
use crate::service_worker::{RegistrationInfo, UpdateViaCache};

/// The answer to [`ServiceWorkerRequest::Register`]: the registration, as it
/// was when the job resolved (its new worker possibly still installing).
pub type RegisterReply = Result<RegistrationInfo, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::GetRegistration`]: `None` is
/// `undefined`.
pub type GetRegistrationReply = Result<Option<RegistrationInfo>, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::GetRegistrations`].
pub type GetRegistrationsReply = Result<Vec<RegistrationInfo>, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::Update`].
pub type UpdateReply = Result<RegistrationInfo, ServiceWorkerError>;

/// The answer to [`ServiceWorkerRequest::Unregister`]: whether a
/// registration was removed.
pub type UnregisterReply = Result<bool, ServiceWorkerError>;

/// From `ServiceWorkerContainer` or `ServiceWorkerRegistration` to the
/// constellation's registry.
#[derive(Debug, Serialize, Deserialize)]
pub enum ServiceWorkerRequest {
    /// `register(scriptURL, options)`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-register>.
    /// URLs are already parsed against the client's base URL; `scope` is
    /// `None` when the page gave none (it then defaults to the script's
    /// directory).
    Register {
        script_url: Url,
        scope: Option<Url>,
        update_via_cache: UpdateViaCache,
        reply: IpcSender<RegisterReply>,
    },
    /// `getRegistration(clientURL)`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistration>.
    GetRegistration {
        client_url: Url,
        reply: IpcSender<GetRegistrationReply>,
    },
    /// `getRegistrations()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkercontainer-getregistrations>.
    GetRegistrations {
        reply: IpcSender<GetRegistrationsReply>,
    },
    /// `registration.update()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-update>.
    Update {
        registration: ServiceWorkerRegistrationId,
        reply: IpcSender<UpdateReply>,
    },
    /// `registration.unregister()`:
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworkerregistration-unregister>.
    Unregister {
        registration: ServiceWorkerRegistrationId,
        reply: IpcSender<UnregisterReply>,
    },
}

#[cfg(test)]
mod tests {
    use ipc_channel::ipc;

    use super::*;
    use crate::service_worker::{ServiceWorkerId, ServiceWorkerInfo, ServiceWorkerState};

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn register_request_and_its_reply_cross_ipc() {
        let (request_sender, request_receiver) = ipc::channel::<ServiceWorkerRequest>().unwrap();
        let (reply_sender, reply_receiver) = ipc::channel::<RegisterReply>().unwrap();
        request_sender
            .send(ServiceWorkerRequest::Register {
                script_url: url("https://a.test/app/sw.js"),
                scope: None,
                update_via_cache: UpdateViaCache::None,
                reply: reply_sender,
            })
            .unwrap();
        let ServiceWorkerRequest::Register {
            script_url,
            scope,
            update_via_cache,
            reply,
        } = request_receiver.recv().unwrap()
        else {
            panic!("expected a Register request");
        };
        assert_eq!(script_url, url("https://a.test/app/sw.js"));
        assert_eq!(scope, None);
        assert_eq!(update_via_cache, UpdateViaCache::None);
        let info = RegistrationInfo {
            id: ServiceWorkerRegistrationId(4),
            scope: url("https://a.test/app/"),
            update_via_cache,
            installing: Some(ServiceWorkerInfo {
                id: ServiceWorkerId(9),
                script_url,
                state: ServiceWorkerState::Installing,
            }),
            waiting: None,
            active: None,
        };
        reply.send(Ok(info.clone())).unwrap();
        assert_eq!(reply_receiver.recv().unwrap(), Ok(info));
    }

    #[test]
    fn errors_cross_ipc_with_their_message() {
        let (reply_sender, reply_receiver) = ipc::channel::<UnregisterReply>().unwrap();
        let error = ServiceWorkerError::Security("The origin is not secure.".to_owned());
        reply_sender.send(Err(error.clone())).unwrap();
        let received = reply_receiver.recv().unwrap();
        assert_eq!(received, Err(error));
    }
}

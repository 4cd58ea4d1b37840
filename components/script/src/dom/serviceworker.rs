//! ServiceWorker (https://w3c.github.io/ServiceWorker/#serviceworker-interface): a global's
//! view of one service worker, kept up to date by the constellation's broadcasts.

use std::cell::Cell;

use script_traits::{
    ScriptMsg, SerializedMessage, ServiceWorkerId, ServiceWorkerState as WorkerState, WorkerMsg,
};
use url::Url;

use crate::constellation_link::{disconnected_error, ConstellationLink};
use crate::dom::eventtarget::EventTarget;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct ServiceWorker {
    eventtarget: EventTarget,
    #[no_trace]
    id: ServiceWorkerId,
    #[no_trace]
    script_url: Url,
    #[no_trace]
    state: Cell<WorkerState>,
}

impl ServiceWorker {
    /// Made only by `GlobalScope::service_worker_object`, which keeps one per worker.
    pub(crate) fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        id: ServiceWorkerId,
        script_url: Url,
        state: WorkerState,
    ) -> DomRoot<ServiceWorker> {
        ServiceWorkerBinding::Wrap(
            cx,
            global,
            None,
            Box::new(ServiceWorker {
                eventtarget: EventTarget::new_inherited(),
                id,
                script_url,
                state: Cell::new(state),
            }),
        )
    }

    pub fn id(&self) -> ServiceWorkerId {
        self.id
    }

    pub fn state(&self) -> WorkerState {
        self.state.get()
    }

    pub(crate) fn set_state(&self, state: WorkerState) {
        self.state.set(state);
    }
}

impl ServiceWorkerMethods for ServiceWorker {
    fn ScriptURL(&self, _cx: &mut JSContext) -> DOMString {
        self.script_url.to_string()
    }

    fn State(&self, _cx: &mut JSContext) -> ServiceWorkerState {
        match self.state.get() {
            WorkerState::Parsed => ServiceWorkerState::Parsed,
            WorkerState::Installing => ServiceWorkerState::Installing,
            WorkerState::Installed => ServiceWorkerState::Installed,
            WorkerState::Activating => ServiceWorkerState::Activating,
            WorkerState::Activated => ServiceWorkerState::Activated,
            WorkerState::Redundant => ServiceWorkerState::Redundant,
        }
    }

    crate::post_message_overloads!();
}

impl ServiceWorker {
    /// <https://w3c.github.io/ServiceWorker/#dom-serviceworker-postmessage-message-options> (both overloads)
    fn post_message(
        &self,
        cx: &mut JSContext,
        message: HandleValue<'_>,
        transfer: &[RootedObject],
    ) -> Fallible<()> {
        // Step 4: StructuredSerializeWithTransfer; rethrow (DataCloneError).
        // SAFETY: bindings call in the object's realm; `message` is rooted by the caller.
        let bytes = unsafe {
            crate::dom::postmessage::serialize_message(cx, message, transfer, "ServiceWorker")?
        };
        // Step 5: Should Skip Event: a redundant worker gets nothing (and the ports the
        // message carries are closed).
        if self.state.get() == WorkerState::Redundant {
            crate::message_ports::discard(&bytes);
            return Ok(());
        }
        let global = self.global();
        let Some(link) = global.constellation_link() else {
            crate::message_ports::discard(&bytes);
            return Err(disconnected_error(self.global()));
        };
        // From a service worker (to itself or another version): the constellation knows the
        // sender by its channel, and no page waits on the delivery.
        if let ConstellationLink::Worker(_) = &*link {
            link.send_worker(WorkerMsg::PostMessageToWorker {
                worker: self.id,
                message: SerializedMessage(bytes),
            });
            return Ok(());
        }
        let token = global.message_in_flight();
        let sent = link.send_client(ScriptMsg::PostMessageToWorker {
            worker: self.id,
            message: SerializedMessage(bytes),
            token,
        });
        if !sent {
            global.message_done(token);
            log::warn!(
                target: "bgsync::script::service_worker",
                "postMessage to {}: the constellation is gone",
                self.id
            );
        }
        // Until the constellation's MessageDone, the page stays alive so the worker's replies
        // (sent before it, on the same channel) reach it.
        Ok(())
    }
}

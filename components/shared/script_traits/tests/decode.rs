//! Decoding arbitrary bytes as each message type that crosses a channel
//! between a script thread and the constellation never panics: it yields a
//! message or an error, which the receiver logs and drops. The bytes come
//! from proptest, either at random or as valid messages with bytes changed,
//! so decoding gets deep into the message types.
//!
//! It also pins what makes that true on the constellation's side: no message
//! up (`ScriptMsg`, `WorkerMsg`) carries an ipc channel, so a message is
//! only bytes. (ipc-channel decodes a channel as an index into the file
//! descriptors that came with the message, and panics on a bad index.)
//!
//! `./mach test` runs 256 cases per property; `PROPTEST_CASES` sets how
//! many (see README.md).

use std::fmt::Debug;

use ipc_channel::ipc::IpcMessage;
use proptest::prelude::*;
use script_traits::{
    ClientId, ClientInfo, ClientSetup, ClientType, FetchAnswer, FetchRequestData,
    FetchResponseData, FrameType, RegistrationInfo, RegistrationUpdate, Reply, RequestId,
    ScriptEvaluation, ScriptMsg, SerializedMessage, ServiceWorkerId, ServiceWorkerInfo,
    ServiceWorkerRegistrationId, ServiceWorkerRequest, ServiceWorkerState, ToClientMsg,
    ToWorkerMsg, UpdateViaCache, WorkerEvent, WorkerEventId, WorkerEventOutcome, WorkerMsg,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

fn client() -> ClientInfo {
    ClientInfo {
        id: ClientId("c-1".into()),
        url: url("https://a.test/page.html"),
        client_type: ClientType::Window,
        frame_type: FrameType::TopLevel,
    }
}

fn registration() -> RegistrationInfo {
    RegistrationInfo {
        id: ServiceWorkerRegistrationId(3),
        scope: url("https://a.test/"),
        update_via_cache: UpdateViaCache::Imports,
        installing: None,
        waiting: None,
        active: Some(ServiceWorkerInfo {
            id: ServiceWorkerId(4),
            script_url: url("https://a.test/sw.js"),
            state: ServiceWorkerState::Activated,
        }),
    }
}

/// One message of each kind a page sends.
fn fetch_request() -> Box<FetchRequestData> {
    Box::new(FetchRequestData {
        url: url("https://a.test/api/messages"),
        method: "POST".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(b"{}".to_vec()),
        redirect: "follow".into(),
        mode: "cors".into(),
        credentials: "same-origin".into(),
        destination: String::new(),
        details: script_traits::RequestDetails {
            referrer: Some(url("https://a.test/page.html")),
            referrer_policy: "no-referrer-when-downgrade".into(),
            cache: "no-store".into(),
            integrity: "sha256-x".into(),
            keepalive: true,
            reload_navigation: false,
            history_navigation: false,
        },
    })
}

fn fetch_answer() -> FetchAnswer {
    FetchAnswer::Respond(Box::new(FetchResponseData {
        url: None,
        status: 202,
        status_text: "Accepted".into(),
        headers: vec![("X-A".into(), "1".into())],
        body: b"queued".to_vec(),
        redirected: false,
        response_type: "default".into(),
        body_error: None,
    }))
}

fn script_messages() -> Vec<ScriptMsg> {
    use background_sync_traits::SyncRequest;
    vec![
        ScriptMsg::DocumentLoaded {
            url: url("https://a.test/page.html"),
        },
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::Register {
            script_url: url("https://a.test/sw.js"),
            scope: Some(url("https://a.test/")),
            update_via_cache: UpdateViaCache::All,
            worker_type: script_traits::WorkerType::Module,
            id: RequestId::new(1),
        }),
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::GetRegistration {
            client_url: url("https://a.test/x"),
            id: RequestId::new(2),
        }),
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::GetRegistrations {
            id: RequestId::new(3),
        }),
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::Update {
            registration: ServiceWorkerRegistrationId(3),
            id: RequestId::new(4),
        }),
        ScriptMsg::ServiceWorker(ServiceWorkerRequest::Unregister {
            registration: ServiceWorkerRegistrationId(3),
            id: RequestId::new(5),
        }),
        ScriptMsg::PostMessageToWorker {
            worker: ServiceWorkerId(4),
            message: SerializedMessage(vec![1, 2, 3]),
            token: 9,
        },
        ScriptMsg::Sync(SyncRequest::Register {
            registration: ServiceWorkerRegistrationId(3),
            tag: "outbox".into(),
            id: RequestId::new(6),
        }),
        ScriptMsg::Sync(SyncRequest::ConfirmRegistration {
            registration: ServiceWorkerRegistrationId(3),
            tag: "outbox".into(),
        }),
        ScriptMsg::Sync(SyncRequest::GetTags {
            registration: ServiceWorkerRegistrationId(3),
            id: RequestId::new(7),
        }),
        ScriptMsg::Fetch {
            token: 3,
            request: fetch_request(),
        },
        ScriptMsg::NavigationFetch {
            request: fetch_request(),
        },
        ScriptMsg::Closed,
    ]
}

/// One message of each kind a worker sends.
fn worker_messages() -> Vec<WorkerMsg> {
    use background_sync_traits::SyncRequest;
    vec![
        WorkerMsg::Evaluated(ScriptEvaluation::Ok {
            imported_scripts: Vec::new(),
            handles_fetch: true,
        }),
        WorkerMsg::Evaluated(ScriptEvaluation::Failed("boom".into())),
        WorkerMsg::EventDone {
            id: WorkerEventId(1),
            outcome: WorkerEventOutcome::WaitUntilRejected,
        },
        WorkerMsg::SkipWaiting {
            id: RequestId::new(1),
        },
        WorkerMsg::AddRoutes {
            rules: vec![script_traits::RouterRule {
                condition: script_traits::RouterCondition {
                    url_pattern: Some(script_traits::UrlPatternInput::String("/a/*".into())),
                    not: Some(Box::new(script_traits::RouterCondition {
                        request_method: Some("POST".into()),
                        ..Default::default()
                    })),
                    ..Default::default()
                },
                source: script_traits::RouterSource::Cache {
                    cache_name: Some("v1".into()),
                },
            }],
            id: RequestId::new(9),
        },
        WorkerMsg::GetClient {
            client: "c-1".into(),
            id: RequestId::new(2),
        },
        WorkerMsg::MatchAllClients {
            include_uncontrolled: true,
            client_type: Some(ClientType::Window),
            id: RequestId::new(3),
        },
        WorkerMsg::Claim {
            id: RequestId::new(4),
        },
        WorkerMsg::PostMessageToClient {
            client: ClientId("c-1".into()),
            message: SerializedMessage(vec![7; 5]),
        },
        WorkerMsg::ServiceWorker(ServiceWorkerRequest::GetRegistrations {
            id: RequestId::new(5),
        }),
        WorkerMsg::Sync(SyncRequest::GetTags {
            registration: ServiceWorkerRegistrationId(3),
            id: RequestId::new(6),
        }),
        WorkerMsg::UncaughtError {
            message: "sw.js:1:1 Uncaught Error".into(),
        },
        WorkerMsg::FetchAnswer {
            id: WorkerEventId(8),
            answer: fetch_answer(),
        },
        WorkerMsg::FetchAnswer {
            id: WorkerEventId(9),
            answer: FetchAnswer::NetworkError("no".into()),
        },
    ]
}

fn client_messages() -> Vec<ToClientMsg> {
    vec![
        ToClientMsg::Setup(Ok(ClientSetup {
            client: client(),
            controller: None,
            online: true,
        })),
        ToClientMsg::Reply {
            id: 1,
            answer: Some(Box::new(Reply::Registration(Ok(registration())))),
        },
        ToClientMsg::Reply {
            id: 2,
            answer: None,
        },
        ToClientMsg::Registration(Box::new(RegistrationUpdate {
            registration: registration(),
            changed_worker: None,
            update_found: true,
        })),
        ToClientMsg::MessageDone {
            token: 3,
            delivered: true,
        },
        ToClientMsg::NetworkChanged { online: false },
        ToClientMsg::FetchAnswer {
            token: 3,
            answer: fetch_answer(),
        },
        ToClientMsg::FetchAnswer {
            token: 0,
            answer: FetchAnswer::Fallback,
        },
    ]
}

fn worker_bound_messages() -> Vec<ToWorkerMsg> {
    vec![
        ToWorkerMsg::Reply {
            id: 1,
            answer: Some(Box::new(Reply::Clients(vec![client()]))),
        },
        ToWorkerMsg::Event {
            id: WorkerEventId(2),
            event: WorkerEvent::Sync {
                tag: "outbox".into(),
                last_chance: false,
            },
        },
        ToWorkerMsg::Event {
            id: WorkerEventId(3),
            event: WorkerEvent::Fetch {
                request: fetch_request(),
                client_id: "c1".into(),
                resulting_client_id: String::new(),
                preload: true,
            },
        },
        ToWorkerMsg::PreloadResponse {
            id: WorkerEventId(3),
            response: None,
        },
        ToWorkerMsg::Batch(vec![
            ToWorkerMsg::NetworkChanged { online: true },
            ToWorkerMsg::Terminate,
        ]),
    ]
}

/// `bytes` decoded as an ipc message that came with no file descriptor, as
/// the receiving thread decodes it.
fn decode<T: Serialize + DeserializeOwned>(bytes: Vec<u8>) -> Option<T> {
    IpcMessage::from_data(bytes).to::<T>().ok()
}

fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    postcard::to_allocvec(message).unwrap()
}

/// Every sample is only bytes: it decodes back from its bytes alone.
fn round_trips<T: Serialize + DeserializeOwned + Debug>(samples: Vec<T>) {
    for sample in samples {
        let decoded: T = decode(encode(&sample)).expect("decodes from its bytes alone");
        assert_eq!(format!("{decoded:?}"), format!("{sample:?}"));
    }
}

#[test]
fn messages_up_to_the_constellation_carry_no_channel() {
    round_trips(script_messages());
    round_trips(worker_messages());
    round_trips(client_messages());
    round_trips(worker_bound_messages());
}

/// The encoding of one sample, with `edits` applied: (position, new byte),
/// positions taken modulo the length. A cut shortens it.
fn mutated(mut bytes: Vec<u8>, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    for (position, byte) in edits {
        let length = bytes.len();
        bytes[position % length] = *byte;
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

proptest! {
    // The default: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn random_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::<ScriptMsg>(bytes.clone());
        let _ = decode::<WorkerMsg>(bytes.clone());
        let _ = decode::<ToClientMsg>(bytes.clone());
        let _ = decode::<ToWorkerMsg>(bytes);
    }

    #[test]
    fn changed_messages_decode_or_fail_cleanly(
        sample in 0usize..64,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let scripts = script_messages();
        let bytes = mutated(encode(&scripts[sample % scripts.len()]), &edits, cut);
        let _ = decode::<ScriptMsg>(bytes);
        let workers = worker_messages();
        let bytes = mutated(encode(&workers[sample % workers.len()]), &edits, cut);
        let _ = decode::<WorkerMsg>(bytes);
        let clients = client_messages();
        let bytes = mutated(encode(&clients[sample % clients.len()]), &edits, cut);
        let _ = decode::<ToClientMsg>(bytes);
        let bound = worker_bound_messages();
        let bytes = mutated(encode(&bound[sample % bound.len()]), &edits, cut);
        let _ = decode::<ToWorkerMsg>(bytes);
    }
}

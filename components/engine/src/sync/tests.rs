//! Tests of [`BackgroundSync`]'s checks over a real profile (SQLite in a
//! temporary directory), requests and replies over real ipc-channel
//! channels, and a fake clock: the spec's check order for `register()`,
//! foreign ids, windows, permissions, a disabled service.

use background_sync::{DisabledReason, FakeClock, RetryPolicy, SqliteSyncStore};
use background_sync_traits::{GetTagsReply, RegisterReply, RequestId, SyncError};
use ipc_channel::ipc;
use storage::{
    Database, NewServiceWorkerRegistration, ServiceWorkerState as StoredState,
    UpdateViaCache as StoredUpdateViaCache,
};
use tempfile::TempDir;
use url::Url;

use super::*;
use crate::replies::AnswerChannel;
use crate::tests::{capture_logs, warnings_containing};

const START_MS: u64 = 1_700_000_000_000;
const A: &str = "https://a.test";
const B: &str = "https://b.test";

fn origin(text: &str) -> Origin {
    Url::parse(text).unwrap().origin()
}

/// A profile holding three service-worker registrations: an active one of
/// origin A, an active one of origin B, and one of A whose only worker is
/// waiting (loaded without Try Activate, so it has no active worker).
struct Profile {
    dir: TempDir,
    registry: ServiceWorkerRegistry,
    sync: BackgroundSync,
    sw_a: ServiceWorkerRegistrationId,
    sw_b: ServiceWorkerRegistrationId,
    sw_a_waiting: ServiceWorkerRegistrationId,
}

fn insert(database: &mut Database, scope: &str, state: StoredState) -> ServiceWorkerRegistrationId {
    let scope_url = Url::parse(scope).unwrap();
    database
        .insert_service_worker(&NewServiceWorkerRegistration {
            scope: scope.to_owned(),
            script_url: scope_url.join("sw.js").unwrap().to_string(),
            origin: scope_url.origin().ascii_serialization(),
            state,
            script_source: b"// sw".to_vec(),
            update_via_cache: StoredUpdateViaCache::Imports,
            worker_type: storage::WorkerType::Classic,
        })
        .unwrap()
}

impl Profile {
    fn new() -> Profile {
        Profile::with(DeniedPermissions::new(), false)
    }

    fn with(denied: DeniedPermissions, disabled: bool) -> Profile {
        let dir = TempDir::new().unwrap();
        let mut database = Database::open(dir.path()).unwrap();
        let sw_a = insert(&mut database, "https://a.test/", StoredState::Activated);
        let sw_b = insert(&mut database, "https://b.test/", StoredState::Activated);
        let sw_a_waiting = insert(&mut database, "https://a.test/w/", StoredState::Installed);
        drop(database);
        let registry = ServiceWorkerRegistry::load(Database::open(dir.path()).unwrap()).unwrap();
        let service = if disabled {
            SyncService::disabled(DisabledReason::TurnedOff)
        } else {
            let store = SqliteSyncStore::new(Database::open(dir.path()).unwrap());
            SyncService::with_policy(
                RetryPolicy::default(),
                Box::new(store),
                Box::new(FakeClock::new(START_MS)),
            )
        };
        Profile {
            dir,
            registry,
            sync: BackgroundSync::new(service, denied, None),
            sw_a,
            sw_b,
            sw_a_waiting,
        }
    }

    /// Connects a page `name` of origin `of`.
    fn window(&mut self, name: &str, of: &str) -> SyncClient {
        let page = ClientId(name.to_owned());
        self.sync.page_loaded(&page, origin(of));
        SyncClient::Page(page)
    }

    /// Connects worker `id` of a registration of origin `of`.
    fn worker(&mut self, id: u64, of: &str) -> SyncClient {
        self.sync.worker_asks(ServiceWorkerId(id), origin(of));
        SyncClient::Worker(ServiceWorkerId(id))
    }

    fn set_online(&mut self) {
        self.sync.set_online(true);
        self.actions();
    }

    /// The actions queued so far.
    fn actions(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.sync.next_action()).collect()
    }

    /// `register()` over ipc, as a script thread sends it.
    fn register(
        &mut self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> RegisterReply {
        let (replies, answers) = AnswerChannel::new();
        let request = SyncRequest::Register {
            registration,
            tag: tag.to_owned(),
            id: RequestId::new(1),
        };
        self.sync
            .handle_request(client.clone(), &replies, over_ipc(request), &self.registry);
        assert!(self.actions().is_empty());
        answers.answer(1)
    }

    fn tags(
        &mut self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
    ) -> GetTagsReply {
        let (replies, answers) = AnswerChannel::new();
        let request = SyncRequest::GetTags {
            registration,
            id: RequestId::new(2),
        };
        self.sync
            .handle_request(client.clone(), &replies, over_ipc(request), &self.registry);
        answers.answer(2)
    }

    fn confirm(
        &mut self,
        client: &SyncClient,
        registration: ServiceWorkerRegistrationId,
        tag: &str,
    ) -> Vec<Action> {
        let request = SyncRequest::ConfirmRegistration {
            registration,
            tag: tag.to_owned(),
        };
        let (replies, _) = AnswerChannel::new();
        self.sync
            .handle_request(client.clone(), &replies, over_ipc(request), &self.registry);
        self.actions()
    }

    /// The tags stored in the profile database for `registration`.
    fn stored_tags(&self, registration: ServiceWorkerRegistrationId) -> Vec<String> {
        Database::open(self.dir.path())
            .unwrap()
            .sync_registrations(registration)
            .unwrap()
            .into_iter()
            .map(|row| row.tag)
            .collect()
    }
}

/// Sends `request` through a real channel and returns what arrives.
fn over_ipc(request: SyncRequest) -> SyncRequest {
    let (sender, receiver) = ipc::channel().unwrap();
    sender.send(request).unwrap();
    receiver.recv().unwrap()
}

fn dispatched_tags(actions: &[Action]) -> Vec<(ServiceWorkerRegistrationId, String)> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::DispatchSyncEvent {
                registration, tag, ..
            } => Some((*registration, tag.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn register_on_own_registration_is_stored_and_fires_once_confirmed() {
    let mut profile = Profile::new();
    let page = profile.window("page-a", A);
    profile.set_online();
    let sw_a = profile.sw_a;
    assert_eq!(profile.register(&page, sw_a, "outbox"), Ok(()));
    assert_eq!(profile.stored_tags(sw_a), ["outbox"]);
    assert_eq!(profile.tags(&page, sw_a), Ok(vec!["outbox".to_owned()]));
    assert_eq!(
        dispatched_tags(&profile.confirm(&page, sw_a, "outbox")),
        [(sw_a, "outbox".to_owned())]
    );
}

#[test]
fn a_worker_of_the_origin_may_register_while_a_window_is_open() {
    let mut profile = Profile::new();
    let _page = profile.window("page-a", A);
    let worker = profile.worker(1, A);
    let sw_a = profile.sw_a;
    assert_eq!(profile.register(&worker, sw_a, "from-worker"), Ok(()));
    assert_eq!(profile.stored_tags(sw_a), ["from-worker"]);
}

#[test]
fn forged_id_of_another_origin_is_treated_as_unknown_and_logged() {
    capture_logs();
    let mut profile = Profile::new();
    let page_a = profile.window("forger", A);
    let page_b = profile.window("page-b", B);
    let sw_b = profile.sw_b;
    let error = profile.register(&page_a, sw_b, "stolen").unwrap_err();
    assert_eq!(error, SyncError::InvalidState);
    assert_eq!(error.dom_exception_name(), "InvalidStateError");
    assert_eq!(
        error.to_string(),
        "Registration failed - no active Service Worker"
    );
    // Exactly what an id that does not exist gets.
    assert_eq!(
        profile.register(&page_a, ServiceWorkerRegistrationId(9999), "x"),
        Err(SyncError::InvalidState)
    );
    // Nothing was stored for B.
    assert_eq!(profile.tags(&page_b, sw_b), Ok(vec![]));
    assert!(profile.stored_tags(sw_b).is_empty());
    let warnings = warnings_containing("page forger");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let (target, line) = &warnings[0];
    assert_eq!(target, "bgsync::constellation");
    assert!(line.contains("forged or foreign"), "{line}");
    assert!(line.contains("https://b.test"), "{line}");
}

#[test]
fn get_tags_lists_own_tags_only_and_rejects_foreign_ids() {
    let mut profile = Profile::new();
    let page_a = profile.window("page-a", A);
    let page_b = profile.window("page-b", B);
    let (sw_a, sw_b) = (profile.sw_a, profile.sw_b);
    assert_eq!(profile.register(&page_a, sw_a, "a1"), Ok(()));
    assert_eq!(profile.register(&page_a, sw_a, "a2"), Ok(()));
    assert_eq!(profile.register(&page_b, sw_b, "b1"), Ok(()));
    assert_eq!(
        profile.tags(&page_a, sw_a),
        Ok(vec!["a1".to_owned(), "a2".to_owned()])
    );
    assert_eq!(profile.tags(&page_b, sw_b), Ok(vec!["b1".to_owned()]));
    assert_eq!(profile.tags(&page_a, sw_b), Err(SyncError::InvalidState));
    assert_eq!(profile.tags(&page_b, sw_a), Err(SyncError::InvalidState));
}

#[test]
fn confirmation_from_another_origin_is_ignored() {
    let mut profile = Profile::new();
    let page_a = profile.window("page-a", A);
    let page_b = profile.window("page-b", B);
    profile.set_online();
    let sw_a = profile.sw_a;
    assert_eq!(profile.register(&page_a, sw_a, "outbox"), Ok(()));
    assert!(profile.confirm(&page_b, sw_a, "outbox").is_empty());
    // Still unconfirmed: A's own confirmation is what fires it.
    assert_eq!(
        dispatched_tags(&profile.confirm(&page_a, sw_a, "outbox")),
        [(sw_a, "outbox".to_owned())]
    );
}

#[test]
fn no_active_worker_is_invalid_state() {
    let mut profile = Profile::new();
    let page = profile.window("page-a", A);
    let waiting = profile.sw_a_waiting;
    assert!(profile
        .registry
        .registration(waiting)
        .unwrap()
        .waiting()
        .is_some());
    assert_eq!(
        profile.register(&page, waiting, "t"),
        Err(SyncError::InvalidState)
    );
    assert_eq!(profile.tags(&page, waiting), Err(SyncError::InvalidState));
    assert!(profile.stored_tags(waiting).is_empty());
}

#[test]
fn without_a_top_level_window_of_the_origin_is_invalid_access() {
    let mut profile = Profile::new();
    let worker = profile.worker(1, A);
    let _other_origin = profile.window("page-b", B);
    let sw_a = profile.sw_a;
    let error = profile.register(&worker, sw_a, "t").unwrap_err();
    assert_eq!(error.dom_exception_name(), "InvalidAccessError");
    // A window comes and goes.
    let page = profile.window("page-a", A);
    assert_eq!(profile.register(&worker, sw_a, "t"), Ok(()));
    assert!(profile.sync.disconnect(&page));
    assert_eq!(
        profile.register(&worker, sw_a, "u"),
        Err(SyncError::InvalidAccess)
    );
    assert_eq!(profile.stored_tags(sw_a), ["t"]);
}

#[test]
fn tag_of_10241_bytes_is_invalid_access_and_10240_is_fine() {
    let mut profile = Profile::new();
    let page = profile.window("page-a", A);
    let sw_a = profile.sw_a;
    assert_eq!(
        profile.register(&page, sw_a, &"x".repeat(10241)),
        Err(SyncError::InvalidAccess)
    );
    assert_eq!(profile.register(&page, sw_a, &"x".repeat(10240)), Ok(()));
}

#[test]
fn denied_permission_is_not_allowed_for_that_origin_only() {
    let mut denied = DeniedPermissions::new();
    denied.deny_arg("background-sync=https://a.test").unwrap();
    let mut profile = Profile::with(denied, false);
    let page_a = profile.window("page-a", A);
    let page_b = profile.window("page-b", B);
    let (sw_a, sw_b) = (profile.sw_a, profile.sw_b);
    let error = profile.register(&page_a, sw_a, "t").unwrap_err();
    assert_eq!(error.dom_exception_name(), "NotAllowedError");
    assert_eq!(error.to_string(), "Permission denied.");
    assert!(profile.stored_tags(sw_a).is_empty());
    assert_eq!(profile.register(&page_b, sw_b, "t"), Ok(()));
}

#[test]
fn disabled_service_is_unknown_error_after_the_registration_checks() {
    let mut profile = Profile::with(DeniedPermissions::new(), true);
    let page = profile.window("page-a", A);
    let worker_b = profile.worker(2, B);
    let (sw_a, sw_b) = (profile.sw_a, profile.sw_b);
    let error = profile.register(&page, sw_a, "t").unwrap_err();
    assert_eq!(error.dom_exception_name(), "UnknownError");
    assert_eq!(profile.tags(&page, sw_a), Err(SyncError::Unknown));
    // Disabled comes before "no window" (B has none) ...
    assert_eq!(
        profile.register(&worker_b, sw_b, "t"),
        Err(SyncError::Unknown)
    );
    // ... and after the registration checks.
    assert_eq!(
        profile.register(&page, sw_b, "t"),
        Err(SyncError::InvalidState)
    );
    let waiting = profile.sw_a_waiting;
    assert_eq!(
        profile.register(&page, waiting, "t"),
        Err(SyncError::InvalidState)
    );
}

#[test]
fn requests_of_a_disconnected_client_are_rejected() {
    let mut profile = Profile::new();
    let page = profile.window("page-a", A);
    let sw_a = profile.sw_a;
    assert!(profile.sync.disconnect(&page));
    assert!(!profile.sync.disconnect(&page));
    assert_eq!(profile.sync.client_origin(&page), None);
    assert_eq!(
        profile.register(&page, sw_a, "t"),
        Err(SyncError::InvalidState)
    );
    assert_eq!(profile.tags(&page, sw_a), Err(SyncError::InvalidState));
    assert!(profile.confirm(&page, sw_a, "t").is_empty());
    assert!(profile.stored_tags(sw_a).is_empty());
}

#[test]
fn a_reply_channel_whose_page_went_away_does_not_panic() {
    let mut profile = Profile::new();
    let page = profile.window("page-a", A);
    let (replies, answers) = AnswerChannel::new();
    drop(answers);
    let request = SyncRequest::Register {
        registration: profile.sw_a,
        tag: "t".to_owned(),
        id: RequestId::new(1),
    };
    profile
        .sync
        .handle_request(page, &replies, request, &profile.registry);
    assert_eq!(profile.stored_tags(profile.sw_a), ["t"]);
}

#[test]
fn deny_permission_arguments_parse() {
    let mut denied = DeniedPermissions::new();
    denied
        .deny_arg("background-sync=https://example.test:8443/path")
        .unwrap();
    assert!(denied.is_denied(
        BACKGROUND_SYNC_PERMISSION,
        &origin("https://example.test:8443")
    ));
    assert!(!denied.is_denied(BACKGROUND_SYNC_PERMISSION, &origin("https://example.test")));
    assert!(!denied.is_denied("notifications", &origin("https://example.test:8443")));
    assert_eq!(
        denied.deny_arg("background-sync"),
        Err(DenyPermissionError::MissingEquals(
            "background-sync".to_owned()
        ))
    );
    assert!(matches!(
        denied.deny_arg("background-sync=not a url"),
        Err(DenyPermissionError::BadOrigin(_))
    ));
    assert!(matches!(
        denied.deny_arg("background-sync=data:text/plain,x"),
        Err(DenyPermissionError::BadOrigin(_))
    ));
}

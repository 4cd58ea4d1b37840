//! The embedder's view of background sync: what is registered, in which
//! state, and when it fires next (devtools' "Background Sync" panel, the
//! shell's `bgsync sync list`), and why a sync command failed.

use std::path::Path;

use background_sync_traits::{SyncError, SyncRegistrationInfo, SyncState};
use storage::{Database, DATABASE_FILE_NAME};
use url::Url;

use crate::EngineError;

/// One sync registration as the embedder sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRegistrationListing {
    /// The scope of its service-worker registration.
    pub scope: Url,
    pub tag: String,
    pub state: SyncState,
    /// Failed attempts so far.
    pub num_attempts: u32,
    /// Attempts allowed in total.
    pub max_attempts: u32,
    /// When its back-off ends, in ms since the Unix epoch; `None` when
    /// nothing holds it back but the network (or it is firing).
    pub next_attempt_ms: Option<u64>,
}

impl SyncRegistrationListing {
    pub(crate) fn new(scope: Url, info: SyncRegistrationInfo) -> SyncRegistrationListing {
        SyncRegistrationListing {
            scope,
            tag: info.tag,
            state: info.state,
            num_attempts: info.num_attempts,
            max_attempts: info.max_attempts,
            next_attempt_ms: info.delay_until_ms,
        }
    }
}

/// Why an embedder's sync command could not be carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncCommandError {
    #[error("the engine is shut down")]
    ShutDown,
    /// Storage failed, the profile database was corrupt, or the
    /// `background_sync.enabled` pref is off.
    #[error("background sync is disabled: {0}")]
    Disabled(String),
    #[error("no service-worker registration for scope {0}")]
    NoRegistration(Url),
    #[error("the service-worker registration for {0} has no active worker")]
    NoActiveWorker(Url),
    /// The service refused the tag (too long).
    #[error("{0}")]
    Rejected(SyncError),
}

/// The sync registrations stored in a profile, read without starting an
/// engine (and so without changing anything: an engine would fire what is
/// ready). Storage does not hold events in flight: while an engine runs on
/// the profile, a firing registration is listed as pending, and one whose
/// event just ended may be listed for up to
/// [`background_sync::DEFERRED_DELETION_MS`] more. A profile without a
/// database has none.
///
/// The database is opened read-only and nothing in the profile changes:
/// a file that is not SQLite, is damaged or waits for a migration that
/// changes what it lists (schema versions before 4) is reported as an error and left where it is (the next engine run moves a
/// corrupt one aside). It works while an engine runs on the profile, and on
/// a read-only profile.
pub fn profile_sync_registrations(
    profile: &Path,
) -> Result<Vec<SyncRegistrationListing>, EngineError> {
    if !profile.join(DATABASE_FILE_NAME).exists() {
        return Ok(Vec::new());
    }
    let database = Database::open_read_only(profile)?;
    let scopes: Vec<(storage::ServiceWorkerRegistrationId, Url)> = database
        .service_workers()?
        .into_iter()
        .filter_map(|record| Some((record.id, Url::parse(&record.scope).ok()?)))
        .collect();
    let mut listings: Vec<SyncRegistrationListing> = database
        .all_sync_registrations()?
        .into_iter()
        .filter_map(|info| {
            let scope = scopes
                .iter()
                .find(|(id, _)| *id == info.registration)?
                .1
                .clone();
            Some(SyncRegistrationListing::new(scope, info))
        })
        .collect();
    sort_listings(&mut listings);
    Ok(listings)
}

/// Scope order, then tag order.
pub(crate) fn sort_listings(listings: &mut [SyncRegistrationListing]) {
    listings.sort_by(|a, b| (a.scope.as_str(), &a.tag).cmp(&(b.scope.as_str(), &b.tag)));
}

//! What can go wrong when opening or using the profile database.
//!
//! [`OpenError`] is for the one moment that decides whether the engine has
//! storage at all; each variant tells the caller what happened to the file,
//! so it can log it, run without storage, or start fresh. [`StorageError`] is
//! for individual reads and writes afterwards.

use std::io;
use std::path::PathBuf;

use base::id::ServiceWorkerRegistrationId;

/// Why [`crate::Database::open`] gave no database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The profile directory does not exist and cannot be created (its
    /// parent is read-only, or a file stands in the way).
    #[error("cannot create profile directory {path}: {source}")]
    ProfileDirectory { path: PathBuf, source: io::Error },

    /// The file was not a SQLite database or failed its integrity check. It
    /// now lives at `moved_to`, untouched; opening again starts a fresh,
    /// empty database.
    #[error("storage database {path} is corrupt ({reason}); it was moved aside to {moved_to}")]
    Corrupt {
        path: PathBuf,
        moved_to: PathBuf,
        reason: String,
    },

    /// The file is corrupt, but moving it aside failed, so it is still at
    /// `path` and every later open will fail the same way.
    #[error(
        "storage database {path} is corrupt ({reason}) and could not be moved aside: {source}"
    )]
    CorruptNotMoved {
        path: PathBuf,
        reason: String,
        source: io::Error,
    },

    /// Read-only: the file is not a SQLite database, or is damaged, or was
    /// written by an older engine and not migrated yet. Left as it is.
    #[error("storage database {path} cannot be read as it is ({reason}); left untouched")]
    Unreadable { path: PathBuf, reason: String },

    /// The file comes from a newer engine whose schema this one does not
    /// know. It is left in place and untouched.
    #[error(
        "storage database {path} has schema version {found}, newer than the {supported} this \
         build knows; leaving it untouched"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    /// SQLite could not open or set up the file for a reason that says
    /// nothing about its contents: permissions, a read-only file system, a
    /// lock held too long, an I/O error. The file (if any) is left in place.
    #[error("cannot open storage database {path}: {source}")]
    Unavailable {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl OpenError {
    /// Where a corrupt database was moved, if it was.
    pub fn moved_to(&self) -> Option<&std::path::Path> {
        match self {
            OpenError::Corrupt { moved_to, .. } => Some(moved_to),
            _ => None,
        }
    }
}

/// Why a read or write of an open database failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The service-worker registration does not exist (it may just have been
    /// unregistered).
    #[error("no service-worker registration {0}")]
    UnknownServiceWorkerRegistration(ServiceWorkerRegistrationId),

    /// Another registration already has this scope.
    #[error("a service-worker registration with scope {0:?} already exists")]
    DuplicateScope(String),

    /// A value read from the file is not one this schema allows (a state
    /// name nobody writes, a negative count): the file was edited or damaged.
    #[error("invalid value in table {table}: {detail}")]
    InvalidRow { table: &'static str, detail: String },

    /// A value to write does not fit its column (a time past the year
    /// 292 million).
    #[error("value does not fit the database: {0}")]
    ValueOutOfRange(String),

    /// SQLite failed: disk full, I/O error, lock timeout.
    #[error("storage database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

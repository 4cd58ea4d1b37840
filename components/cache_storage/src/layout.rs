//! Where an origin's CacheStorage lives in a profile, and what happens to a
//! file that will not open.
//!
//! Each origin has one file, `PROFILE/cache_storage/<origin>.sqlite`, whose
//! name is the origin's ASCII serialization with every byte other than
//! letters, digits, `.` and `-` written `%XX` (as IndexedDB's files):
//! readable, and no two origins share a file. The file also records its
//! origin (table `meta`), and a file recording another origin is not opened.
//!
//! A file whose contents are not this origin's CacheStorage is moved aside
//! (`<file>.corrupt-<unix ms>`, with its `-wal`/`-shm`), never written over,
//! and the origin starts again with an empty file; a file that cannot be
//! reached (permissions, I/O) is left where it is. Either way only that
//! origin is concerned.

use std::io;
use std::path::{Path, PathBuf};

use cache_storage_traits::{CacheError, CacheErrorName};

use crate::store::{OpenError, OriginStore};
use crate::LOG_TARGET;

/// The profile's CacheStorage directory.
pub const DIRECTORY: &str = "cache_storage";

/// SQLite's companion files, removed with the database.
const COMPANION_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// The file of `origin` in `profile`.
pub fn origin_file(profile: &Path, origin: &str) -> PathBuf {
    profile
        .join(DIRECTORY)
        .join(storage::origin_file_name(origin))
}

/// A file opened, and where the damaged file it replaced went, if one did.
pub struct Opened {
    pub store: OriginStore,
    pub moved_aside: Option<PathBuf>,
}

/// Opens (creating if needed) the file of `origin` in `profile`; a damaged
/// file is moved aside first and replaced by an empty one.
pub fn open_origin(profile: &Path, origin: &str) -> Result<Opened, CacheError> {
    let path = origin_file(profile, origin);
    if let Some(directory) = path.parent() {
        std::fs::create_dir_all(directory).map_err(|error| {
            CacheError::new(
                CacheErrorName::Unknown,
                format!("cannot create {}: {error}", directory.display()),
            )
        })?;
    }
    let reason = match OriginStore::open(&path, origin) {
        Ok(store) => {
            return Ok(Opened {
                store,
                moved_aside: None,
            })
        }
        Err(OpenError::Damaged(reason)) if path.exists() => reason,
        Err(error) => {
            log::error!(target: LOG_TARGET, "cannot open the CacheStorage of {origin}: {error}");
            return Err(error.into());
        }
    };
    let moved_to = storage::move_aside(&path).map_err(|error| {
        log::error!(
            target: LOG_TARGET,
            "the CacheStorage of {origin} is damaged ({reason}) and moving it aside failed: {error}"
        );
        CacheError::new(
            CacheErrorName::Unknown,
            format!("the origin's CacheStorage is damaged and cannot be replaced: {error}"),
        )
    })?;
    log::error!(
        target: LOG_TARGET,
        "the CacheStorage of {origin} is damaged ({reason}); moved it aside to {}",
        moved_to.display()
    );
    let store = OriginStore::open(&path, origin)?;
    Ok(Opened {
        store,
        moved_aside: Some(moved_to),
    })
}

/// Deletes everything `origin` has in `profile`: its file, the file's
/// companions and the damaged files moved aside (they hold the origin's
/// data too). The file must not be open.
pub fn remove_origin(profile: &Path, origin: &str) -> io::Result<()> {
    let path = origin_file(profile, origin);
    let Some(file_name) = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
    else {
        return Ok(());
    };
    let moved_aside_prefix = format!("{file_name}.corrupt-");
    let mut doomed = vec![path.clone()];
    doomed.extend(COMPANION_SUFFIXES.iter().map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }));
    if let Some(directory) = path.parent() {
        match std::fs::read_dir(directory) {
            Ok(entries) => doomed.extend(
                entries
                    .filter_map(|entry| entry.ok())
                    .filter(|entry| {
                        entry
                            .file_name()
                            .to_string_lossy()
                            .starts_with(&moved_aside_prefix)
                    })
                    .map(|entry| entry.path()),
            ),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        }
    }
    for file in doomed {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_files_are_readable_and_distinct() {
        let profile = Path::new("/p");
        assert_eq!(
            origin_file(profile, "https://a.test:8443"),
            Path::new("/p/cache_storage/https%3A%2F%2Fa.test%3A8443.sqlite")
        );
        assert_ne!(
            origin_file(profile, "https://a_b.test"),
            origin_file(profile, "https://a%5Fb.test")
        );
    }

    #[test]
    fn removing_an_origin_leaves_other_origins_files() {
        let profile = tempfile::tempdir().unwrap();
        let a = origin_file(profile.path(), "https://a.test");
        let b = origin_file(profile.path(), "https://a.test.evil");
        std::fs::create_dir_all(a.parent().unwrap()).unwrap();
        for file in [&a, &b] {
            std::fs::write(file, b"x").unwrap();
        }
        let mut aside = a.as_os_str().to_owned();
        aside.push(".corrupt-1");
        std::fs::write(&aside, b"x").unwrap();
        remove_origin(profile.path(), "https://a.test").unwrap();
        assert!(!a.exists());
        assert!(!Path::new(&aside).exists());
        assert!(b.exists());
        // Nothing to remove is not an error.
        remove_origin(profile.path(), "https://c.test").unwrap();
        remove_origin(&profile.path().join("none"), "https://c.test").unwrap();
    }
}

//! Where an origin's IndexedDB lives in a profile, and a listing of a
//! profile's IndexedDB made without an engine (`bgsync idb list`).
//!
//! Each origin has one file, `PROFILE/indexeddb/<origin>.sqlite`, whose name
//! is the origin's ASCII serialization with every byte other than letters,
//! digits, `.` and `-` written `%XX`: readable, and no two origins share a
//! file. The file also records its origin (table `meta`).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

/// The profile's IndexedDB directory.
pub const DIRECTORY: &str = "indexeddb";

/// The file of `origin` in `profile`.
pub fn origin_file(profile: &Path, origin: &str) -> PathBuf {
    profile
        .join(DIRECTORY)
        .join(storage::origin_file_name(origin))
}

/// One origin's IndexedDB, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginListing {
    pub origin: String,
    pub databases: Vec<DatabaseListing>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseListing {
    pub name: String,
    pub version: u64,
    /// Each object store with its number of records.
    pub stores: Vec<(String, u64)>,
}

/// Every origin's IndexedDB in `profile`, by origin, read-only: nothing is
/// created or changed (a missing directory is an empty listing). A file that
/// cannot be read is an error naming it.
pub fn list_profile(profile: &Path) -> Result<Vec<OriginListing>, String> {
    let directory = profile.join(DIRECTORY);
    let entries = match std::fs::read_dir(&directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(format!("cannot read {}: {error}", directory.display())),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "sqlite")
        })
        .collect();
    files.sort();
    let mut listings = Vec::new();
    for file in files {
        let listing = list_file(&file).map_err(|error| format!("{}: {error}", file.display()))?;
        listings.push(listing);
    }
    listings.sort_by(|a, b| a.origin.cmp(&b.origin));
    Ok(listings)
}

/// Opens `path` to read it without creating or changing any file. A file
/// with no log beside it (no engine has it open, and it was closed cleanly)
/// is opened `immutable`, which makes SQLite create no `-shm`/`-wal` files;
/// otherwise those exist already and a read-only connection shares them.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if Path::new(&wal).exists() {
        return Connection::open_with_flags(path, flags);
    }
    let mut uri = String::from("file:");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{byte:02X}")),
            _ => uri.push(byte as char),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

fn list_file(path: &Path) -> rusqlite::Result<OriginListing> {
    let connection = open_read_only(path)?;
    let origin: String =
        connection.query_row("SELECT value FROM meta WHERE key = 'origin'", [], |row| {
            row.get(0)
        })?;
    let mut statement =
        connection.prepare("SELECT id, name, version FROM databases ORDER BY name")?;
    let databases: Vec<(i64, String, i64)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut listed = Vec::new();
    for (id, name, version) in databases {
        let mut statement = connection.prepare(
            "SELECT store.name, (SELECT count(*) FROM records WHERE store_id = store.id)
             FROM object_stores AS store WHERE database_id = ?1 ORDER BY store.name",
        )?;
        let stores = statement
            .query_map([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?.max(0) as u64,
                ))
            })?
            .collect::<Result<_, _>>()?;
        listed.push(DatabaseListing {
            name,
            version: version.max(0) as u64,
            stores,
        });
    }
    Ok(OriginListing {
        origin,
        databases: listed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_files_are_readable_and_distinct() {
        let profile = Path::new("/p");
        assert_eq!(
            origin_file(profile, "https://a.test:8443"),
            Path::new("/p/indexeddb/https%3A%2F%2Fa.test%3A8443.sqlite")
        );
        assert_ne!(
            origin_file(profile, "https://a_b.test"),
            origin_file(profile, "https://a%5Fb.test")
        );
    }
}

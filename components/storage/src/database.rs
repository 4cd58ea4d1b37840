//! Opening the profile database: setup, integrity check, moving a corrupt
//! file aside.
//!
//! [`Database::open`] decides between three outcomes, and the distinction is
//! the point of this module:
//!
//! - the file is healthy (or absent): it is opened, configured and migrated;
//!   if its tables or rows do not match this build (a lost version, a
//!   missing column or table, a row with a name this build does not know),
//!   they are repaired in place or moved aside inside the file (see
//!   [`crate::schema`]), and [`Database::repairs`] lists what changed;
//! - the file's *contents* are bad (not a SQLite file, `quick_check` finds
//!   damage): it is renamed to `storage.sqlite.corrupt-<unix ms>` together
//!   with its `-wal`/`-shm`/`-journal` companions (a stale WAL must never be
//!   replayed into a fresh file) and [`OpenError::Corrupt`] says where;
//! - the file cannot be *reached* (permissions, read-only file system, a
//!   lock, I/O, a newer schema): it is left exactly where it is, because a
//!   fresh database would throw away registrations that are probably fine.
//!
//! In every case nothing is deleted.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{OpenError, StorageError};
use crate::schema::{self, Repair, SchemaError};
use crate::values::system_now_ms;

/// The database's file name inside the profile directory.
pub const DATABASE_FILE_NAME: &str = "storage.sqlite";

/// How long a statement waits for another connection's write lock (another
/// engine on the same profile, or the registry and the sync service sharing
/// one file) before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `path` as the path part of a SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut encoded = String::new();
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'?' | b'#' | b'%' => encoded.push_str(&format!("%{byte:02X}")),
            _ => encoded.push(byte as char),
        }
    }
    encoded
}

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// SQLite's companion files, moved aside with the database.
const COMPANION_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

const LOG_TARGET: &str = "bgsync::storage";

/// An open profile database. Each value is one SQLite connection; open one
/// per owner (the registry, the sync service) rather than sharing one.
#[derive(Debug)]
pub struct Database {
    connection: Connection,
    path: Option<PathBuf>,
    /// What the connection's `synchronous` setting is now.
    durability: Durability,
    /// Whether a batch (an open transaction) is in progress.
    in_batch: bool,
    /// Opened with [`Database::open_read_only`]: rows this build cannot
    /// read are skipped by list reads, as they could not be moved aside.
    read_only: bool,
    /// The schema version the file had once open: [`schema::SCHEMA_VERSION`],
    /// or an older one for a read-only open (which does not migrate), whose
    /// readers then make do without the newer tables.
    version: u32,
    /// What opening changed to match this build's schema.
    repairs: Vec<Repair>,
}

/// How a commit reaches the disk.
///
/// In WAL mode, SQLite appends every commit to the `-wal` file. The two
/// settings differ only in when that file is synced:
/// - [`Durability::Durable`] (`synchronous=FULL`): at every commit, so a
///   commit survives power loss once the write returns;
/// - [`Durability::Relaxed`] (`synchronous=NORMAL`): at the next durable
///   commit or checkpoint. A relaxed commit survives the process dying
///   (`kill -9`: it is in the file, only not yet on the platter) and is
///   visible to every other connection at once; power loss may roll the file
///   back to the last durable commit, never to a torn state.
///
/// Because the WAL is one sequential file, a durable commit also makes every
/// relaxed commit before it durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Durable,
    Relaxed,
}

impl Durability {
    fn pragma_statement(self) -> &'static str {
        match self {
            Durability::Durable => "PRAGMA synchronous = FULL",
            Durability::Relaxed => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// Why `connect` failed, before the caller turns it into an [`OpenError`].
enum ConnectFailure {
    Corrupt(String),
    TooNew(u32),
    Unavailable(rusqlite::Error),
}

impl Database {
    /// Opens `<profile_dir>/storage.sqlite`, creating the directory and the
    /// file if needed.
    ///
    /// The connection runs in WAL mode with `synchronous=FULL`: in WAL mode,
    /// `NORMAL` may lose the last commits on power loss (they sit in the WAL
    /// until a checkpoint syncs it), and a `register()` promise promises the
    /// registration survives. `FULL` syncs the WAL on every commit. A writer
    /// whose commit need not survive power loss on its own (a state the next
    /// start recomputes anyway) asks for [`Durability::Relaxed`].
    /// Foreign keys are on, so deleting a service-worker registration
    /// deletes its sync registrations and imported scripts.
    ///
    /// A file that is not a SQLite database or fails `PRAGMA quick_check` is
    /// moved aside and reported as [`OpenError::Corrupt`]; calling `open`
    /// again then starts from an empty database.
    ///
    /// A file whose tables or rows do not match this build is repaired
    /// instead of refused (see [`crate::schema`]): a lost `user_version` is
    /// inferred from the tables, a missing table, index or addable column is
    /// created, a table whose shape cannot be repaired is renamed to
    /// `<table>_broken_<unix seconds>` and recreated empty, and a row with a
    /// name this build does not know (or without its service-worker
    /// registration) is moved to `<table>_broken_rows`. Each change is
    /// logged and listed by [`Database::repairs`]; nothing is deleted, and
    /// opening again changes nothing more. A file from a newer engine is
    /// still refused untouched.
    pub fn open(profile_dir: &Path) -> Result<Database, OpenError> {
        let path = profile_dir.join(DATABASE_FILE_NAME);
        fs::create_dir_all(profile_dir).map_err(|source| OpenError::ProfileDirectory {
            path: profile_dir.to_owned(),
            source,
        })?;
        match connect(&path) {
            Ok((connection, repairs)) => Ok(Database {
                connection,
                path: Some(path),
                durability: Durability::Durable,
                in_batch: false,
                read_only: false,
                version: schema::SCHEMA_VERSION,
                repairs,
            }),
            Err(ConnectFailure::Corrupt(reason)) => Err(set_aside_corrupt(path, reason)),
            Err(ConnectFailure::TooNew(found)) => {
                log::error!(
                    target: LOG_TARGET,
                    "{} was written by a newer engine (schema version {found}); not touching it",
                    path.display()
                );
                Err(OpenError::TooNew {
                    path,
                    found,
                    supported: schema::SCHEMA_VERSION,
                })
            }
            Err(ConnectFailure::Unavailable(source)) => {
                log::error!(target: LOG_TARGET, "cannot open {}: {source}", path.display());
                Err(OpenError::Unavailable { path, source })
            }
        }
    }

    /// Opens `<profile_dir>/storage.sqlite` for reading only, for a command
    /// that must change nothing (`bgsync sync list`): no file is created or
    /// written, nothing is migrated, and a corrupt file, or one older than
    /// schema version 4, is reported ([`OpenError::Unreadable`]), not moved.
    /// A file at version 4 is read as it is: its registrations' workers are
    /// all classic (version 5 added the worker type, and no row of it means
    /// classic), and [`Database::schema_version`] says 4.
    ///
    /// While an engine holds the profile's lock, it reads as a WAL reader
    /// beside it (the engine's `-wal` and `-shm` files exist then; a version-4
    /// file the engine migrates meanwhile is read with its worker types from
    /// then on), and so it does when a WAL with commits was left behind;
    /// otherwise nobody writes the file, and it is read as immutable, which
    /// needs no companion file and works on a read-only profile too.
    ///
    /// Nothing is repaired either: tables that differ from this build's
    /// (what [`Database::open`] would repair) are reported as
    /// [`OpenError::Unreadable`], and a row this build cannot read is
    /// skipped, with a warning, by the list reads
    /// ([`Database::service_workers`], [`Database::all_sync_registrations`],
    /// [`Database::sync_registrations`]) instead of failing them.
    pub fn open_read_only(profile_dir: &Path) -> Result<Database, OpenError> {
        let path = profile_dir.join(DATABASE_FILE_NAME);
        let unreadable = |reason: String| OpenError::Unreadable {
            path: path.clone(),
            reason,
        };
        if let Some(reason) = foreign_header(&path) {
            return Err(unreadable(reason));
        }
        // A WAL left by an engine that did not exit cleanly holds commits
        // the main file has not: those must be read through it.
        let wal_has_commits = fs::metadata(profile_dir.join(format!("{DATABASE_FILE_NAME}-wal")))
            .is_ok_and(|wal| wal.len() > 0);
        let mode = if crate::lock::ProfileLock::is_held(profile_dir) || wal_has_commits {
            "mode=ro"
        } else {
            "mode=ro&immutable=1"
        };
        let connection = Connection::open_with_flags(
            format!("file:{}?{mode}", uri_path(&path)),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|source| OpenError::Unavailable {
            path: path.clone(),
            source,
        })?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|error| unreadable(error.to_string()))?;
        let found =
            schema::user_version(&connection).map_err(|error| unreadable(error.to_string()))?;
        if found > schema::SCHEMA_VERSION {
            return Err(OpenError::TooNew {
                path,
                found,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if found < schema::OLDEST_READ_ONLY_VERSION {
            return Err(unreadable(format!(
                "schema version {found}: an engine run migrates it to {}",
                schema::SCHEMA_VERSION
            )));
        }
        let problems = schema::shape_problems(&connection, found)
            .map_err(|error| unreadable(error.to_string()))?;
        if !problems.is_empty() {
            return Err(unreadable(format!(
                "{}: an engine run repairs it",
                problems.join("; ")
            )));
        }
        Ok(Database {
            connection,
            path: Some(path),
            durability: Durability::Durable,
            in_batch: false,
            read_only: true,
            version: found,
            repairs: Vec::new(),
        })
    }

    /// Moves any existing database of the profile aside (as a corrupt one
    /// would be) and opens a new, empty one. Returns where the old file went,
    /// if there was one.
    ///
    /// For a caller that chose to start over after [`OpenError::TooNew`] or
    /// [`OpenError::Unavailable`]; no other connection to the file may be
    /// open.
    pub fn open_fresh(profile_dir: &Path) -> Result<(Database, Option<PathBuf>), OpenError> {
        let path = profile_dir.join(DATABASE_FILE_NAME);
        let moved_to = if path.exists() {
            match move_aside(&path) {
                Ok(moved_to) => {
                    log::warn!(
                        target: LOG_TARGET,
                        "starting a fresh database; the old {} was moved to {}",
                        path.display(),
                        moved_to.display()
                    );
                    Some(moved_to)
                }
                Err(source) => {
                    return Err(OpenError::CorruptNotMoved {
                        path,
                        reason: "a fresh database was requested".to_owned(),
                        source,
                    })
                }
            }
        } else {
            None
        };
        Ok((Database::open(profile_dir)?, moved_to))
    }

    /// A database that lives in memory only, with the same schema and
    /// settings: for tests of the crates built on this one.
    pub fn open_in_memory() -> Result<Database, StorageError> {
        let mut connection = Connection::open_in_memory()?;
        connection.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut connection).map_err(|error| match error {
            SchemaError::Sqlite(error) => StorageError::Sqlite(error),
            SchemaError::TooNew { found } => {
                StorageError::ValueOutOfRange(format!("schema version {found}"))
            }
        })?;
        Ok(Database {
            connection,
            path: None,
            durability: Durability::Durable,
            in_batch: false,
            read_only: false,
            version: schema::SCHEMA_VERSION,
            repairs: Vec::new(),
        })
    }

    /// What [`Database::open`] changed to bring the file to this build's
    /// schema, in order; empty for a file that matched (and for read-only
    /// and in-memory databases, which are never repaired). Each was also
    /// logged as a warning.
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// The file, or `None` for an in-memory database.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the file: [`crate::SCHEMA_VERSION`] once open,
    /// except for a read-only open of an older file (see
    /// [`Database::open_read_only`]).
    pub fn schema_version(&self) -> Result<u32, StorageError> {
        Ok(schema::user_version(&self.connection)?)
    }

    /// How the following writes' commits reach the disk (see
    /// [`Durability`]); a connection starts [`Durability::Durable`]. Cannot
    /// change inside a batch: the batch's commit decides for all its writes.
    pub fn set_durability(&mut self, durability: Durability) -> Result<(), StorageError> {
        if durability == self.durability || self.in_batch {
            return Ok(());
        }
        // A cached statement: the switch happens twice per register() cycle.
        self.connection
            .prepare_cached(durability.pragma_statement())?
            .execute([])?;
        self.durability = durability;
        Ok(())
    }

    /// Starts a batch: the writes until [`Database::commit_batch`] are one
    /// transaction, committed once with `durability`. For many small writes
    /// that belong together (a thousand registrations starting to fire),
    /// where one commit each would cost a thousand WAL appends.
    pub fn begin_batch(&mut self, durability: Durability) -> Result<(), StorageError> {
        if self.in_batch {
            return Ok(());
        }
        self.set_durability(durability)?;
        self.connection.execute_batch("BEGIN IMMEDIATE")?;
        self.in_batch = true;
        Ok(())
    }

    /// Commits the batch begun by [`Database::begin_batch`] (nothing if none
    /// is open). On failure the batch's writes are rolled back.
    pub fn commit_batch(&mut self) -> Result<(), StorageError> {
        if !self.in_batch {
            return Ok(());
        }
        self.in_batch = false;
        if let Err(error) = self.connection.execute_batch("COMMIT") {
            if !self.connection.is_autocommit() {
                let _ = self.connection.execute_batch("ROLLBACK");
            }
            return Err(error.into());
        }
        Ok(())
    }

    /// Collects a list read's rows. A row this build cannot read fails the
    /// read: open moved aside every row it knew to be unusable, so this one
    /// is new damage. On a read-only database, which may not move it, the
    /// row is skipped with a warning so the rest can still be listed.
    pub(crate) fn readable_rows<T>(
        &self,
        table: &str,
        rows: impl Iterator<Item = Result<T, StorageError>>,
    ) -> Result<Vec<T>, StorageError> {
        let mut readable = Vec::new();
        for row in rows {
            match row {
                Ok(row) => readable.push(row),
                Err(error) if self.read_only && is_row_error(&error) => {
                    log::warn!(target: LOG_TARGET, "skipping a row of {table}: {error}");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(readable)
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Whether `table`, one of ours, exists: always, unless a read-only
    /// open found an older schema version.
    pub(crate) fn has_table(&self, table: &str) -> Result<bool, StorageError> {
        Ok(schema::has_table(&self.connection, self.version, table)?)
    }

    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }
}

/// Whether a read failed on the values of one row (and the next row may
/// read fine), not on the statement or the file.
fn is_row_error(error: &StorageError) -> bool {
    matches!(
        error,
        StorageError::InvalidRow { .. }
            | StorageError::Sqlite(
                rusqlite::Error::InvalidColumnType(..)
                    | rusqlite::Error::FromSqlConversionFailure(..)
                    | rusqlite::Error::IntegralValueOutOfRange(..)
            )
    )
}

/// Opens, configures, checks, migrates and repairs the file at `path`.
fn connect(path: &Path) -> Result<(Connection, Vec<Repair>), ConnectFailure> {
    if let Some(reason) = foreign_header(path) {
        return Err(ConnectFailure::Corrupt(reason));
    }
    let mut connection = Connection::open(path).map_err(classify)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    // Before anything writes (even the journal mode lives in the header): a
    // file from a newer engine is left exactly as it was.
    let found = schema::user_version(&connection).map_err(classify)?;
    if found > schema::SCHEMA_VERSION {
        return Err(ConnectFailure::TooNew(found));
    }
    // Switching a new file to WAL needs it to itself, and SQLite answers
    // "busy" at once, without its busy handler, while another connection
    // is opening it too: wait here instead.
    let journal_mode: String = retry_while_busy(|| {
        connection.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
    })
    .map_err(classify)?;
    if !journal_mode.eq_ignore_ascii_case("wal") {
        // Still durable with a rollback journal, only less concurrent.
        log::warn!(
            target: LOG_TARGET,
            "{} runs in journal mode {journal_mode}, not WAL",
            path.display()
        );
    }
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(classify)?;
    connection
        .pragma_update(None, "foreign_keys", true)
        .map_err(classify)?;
    quick_check(&connection)?;
    let mut repairs = schema::migrate(&mut connection).map_err(|error| match error {
        SchemaError::TooNew { found } => ConnectFailure::TooNew(found),
        SchemaError::Sqlite(error) => classify(error),
    })?;
    // A repair that fails is rolled back inside; an error here means the
    // connection's settings could not be restored.
    repairs.extend(schema::repair(&mut connection).map_err(classify)?);
    if journal_mode.eq_ignore_ascii_case("wal") {
        connection
            .pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
            .map_err(classify)?;
        if let Err(error) = preallocate_wal(&connection, path) {
            // Only slower: every commit until the first checkpoint grows the file.
            log::debug!(target: LOG_TARGET, "not preallocating the log of {}: {error}", path.display());
        }
    }
    Ok((connection, repairs))
}

/// Runs `step` again while it fails with "database is busy", for up to
/// [`BUSY_TIMEOUT`], backing off from 1 ms to 50 ms between tries.
fn retry_while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match step() {
            Err(error)
                if error.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && Instant::now() + pause < deadline =>
            {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            result => return result,
        }
    }
}

/// The write-ahead log is checkpointed (and then written again from its
/// start) once it holds this many pages.
const WAL_CHECKPOINT_PAGES: u32 = 256;

/// Gives the write-ahead log its working size up front: zeros after the
/// frames it holds.
///
/// A commit that appends to a file must also sync the file's new size,
/// which on ext4 means a journal commit: a synced `register()` took about
/// 0.3 ms while the log grew and 0.12 ms once it was reused from its start
/// after a checkpoint. Preallocated, every commit overwrites blocks that
/// already exist. Zeros are no valid log frames (no magic number, no
/// checksum), so SQLite reads the log as ending where its real frames end,
/// as it does for the unused tail of a log it has restarted. The write lock
/// is held meanwhile, so no other connection writes frames into the log
/// while it is extended; a log already that long is left alone.
fn preallocate_wal(connection: &Connection, path: &Path) -> Result<(), String> {
    const FRAME_HEADER: u64 = 24;
    const WAL_HEADER: u64 = 32;
    let page_size: i64 = connection
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .map_err(|error| error.to_string())?;
    let page_size = u64::try_from(page_size).map_err(|_| "negative page size".to_owned())?;
    // A margin of frames: the log wraps at the checkpoint after a commit
    // that crosses the threshold, not exactly at it.
    let frames = u64::from(WAL_CHECKPOINT_PAGES) + 64;
    let size = WAL_HEADER + frames * (FRAME_HEADER + page_size);
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(|error| error.to_string())?;
    let extended = (|| -> io::Result<bool> {
        let mut log = fs::OpenOptions::new()
            .write(true)
            .open(with_suffix(path, "-wal"))?;
        let mut written = log.metadata()?.len();
        if written >= size {
            return Ok(false);
        }
        // After the frames already there (the schema's, on a new profile).
        std::io::Seek::seek(&mut log, std::io::SeekFrom::Start(written))?;
        let zeros = vec![0u8; 64 * 1024];
        while written < size {
            let chunk = (size - written).min(zeros.len() as u64) as usize;
            std::io::Write::write_all(&mut log, &zeros[..chunk])?;
            written += chunk as u64;
        }
        log.sync_all()?;
        Ok(true)
    })();
    let committed = connection.execute_batch("COMMIT");
    let extended = extended.map_err(|error| error.to_string())?;
    committed.map_err(|error| error.to_string())?;
    if extended {
        log::debug!(target: LOG_TARGET, "preallocated {size} bytes of log for {}", path.display());
    }
    Ok(())
}

/// Why the file at `path` is certainly not a SQLite database, judged by its
/// first bytes; `None` if it is absent, empty (SQLite's "new database") or
/// starts like one. A file we cannot read is left for SQLite to report.
fn foreign_header(path: &Path) -> Option<String> {
    let mut file = fs::File::open(path).ok()?;
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    file.by_ref()
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut header)
        .ok()?;
    if header.is_empty() || header == SQLITE_HEADER {
        None
    } else {
        Some("not a SQLite database: the file does not start with the SQLite header".to_owned())
    }
}

/// `PRAGMA quick_check`: the b-tree structure, without the slow index
/// cross-check of `integrity_check`. Rows that only break a CHECK constraint
/// (a hand edit, another build) do not make the file corrupt: the repair at
/// open moves those rows aside (`schema::repair`), and the rest is kept.
fn quick_check(connection: &Connection) -> Result<(), ConnectFailure> {
    let mut problems = Vec::new();
    let mut only_checks = true;
    connection
        .pragma_query(None, "quick_check", |row| {
            let line: String = row.get(0)?;
            only_checks &= line.starts_with("CHECK constraint failed in ");
            if problems.len() < 3 {
                problems.push(line);
            }
            Ok(())
        })
        .map_err(classify)?;
    if only_checks && !problems.is_empty() {
        log::warn!(
            target: LOG_TARGET,
            "rows break the schema's CHECK constraints ({}): they are moved aside",
            problems.join("; ")
        );
        return Ok(());
    }
    match problems.as_slice() {
        [only] if only == "ok" => Ok(()),
        [] => Err(ConnectFailure::Corrupt(
            "quick_check returned nothing".to_owned(),
        )),
        _ => Err(ConnectFailure::Corrupt(format!(
            "quick_check: {}",
            problems.join("; ")
        ))),
    }
}

/// Whether an error means the file's contents are bad (move it aside) or
/// that it could not be reached (leave it alone).
fn classify(error: rusqlite::Error) -> ConnectFailure {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            ConnectFailure::Corrupt(format!("not a SQLite database: {error}"))
        }
        Some(ErrorCode::DatabaseCorrupt) => ConnectFailure::Corrupt(error.to_string()),
        _ => ConnectFailure::Unavailable(error),
    }
}

/// Moves a corrupt database aside and builds the error that reports it.
fn set_aside_corrupt(path: PathBuf, reason: String) -> OpenError {
    match move_aside(&path) {
        Ok(moved_to) => {
            log::error!(
                target: LOG_TARGET,
                "storage database {} is corrupt ({reason}); moved it aside to {}",
                path.display(),
                moved_to.display()
            );
            OpenError::Corrupt {
                path,
                moved_to,
                reason,
            }
        }
        Err(source) => {
            log::error!(
                target: LOG_TARGET,
                "storage database {} is corrupt ({reason}) and moving it aside failed: {source}",
                path.display()
            );
            OpenError::CorruptNotMoved {
                path,
                reason,
                source,
            }
        }
    }
}

/// The file name of an origin's own database in a profile folder (IndexedDB's, CacheStorage's):
/// the serialized origin with every byte but ASCII letters, digits, `.` and `-`
/// percent-encoded (so `https://a.example:8443` is `https%3A%2F%2Fa.example%3A8443.sqlite`),
/// which no two origins share.
pub fn origin_file_name(origin: &str) -> String {
    let mut name = String::new();
    for byte in origin.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            name.push(byte as char);
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    name.push_str(".sqlite");
    name
}

/// Renames `path` (and its companion files) to an unused
/// `<path>.corrupt-<unix ms>[-n]` name in the same directory. Also what the
/// IndexedDB backend does with an origin's file that will not open.
pub fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = system_now_ms();
    let base = with_suffix(path, &format!(".corrupt-{stamp}"));
    let mut target = base.clone();
    let mut counter = 1;
    while target.exists()
        || COMPANION_SUFFIXES
            .iter()
            .any(|suffix| with_suffix(&target, suffix).exists())
    {
        target = with_suffix(&base, &format!("-{counter}"));
        counter += 1;
    }
    fs::rename(path, &target)?;
    for suffix in COMPANION_SUFFIXES {
        let companion = with_suffix(path, suffix);
        if companion.exists() {
            fs::rename(&companion, with_suffix(&target, suffix))?;
        }
    }
    Ok(target)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;

    #[test]
    fn settings_are_wal_full_sync_and_foreign_keys() {
        let dir = TempDir::new().unwrap();
        let database = Database::open(dir.path()).unwrap();
        let connection = database.connection();
        let mode: String = connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // 2 = FULL.
        let synchronous: i64 = connection
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 2);
        let foreign_keys: i64 = connection
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert_eq!(foreign_keys, 1);
        assert_eq!(
            database.path(),
            Some(dir.path().join("storage.sqlite").as_path())
        );
    }

    #[test]
    fn the_log_is_preallocated_and_a_copy_taken_mid_run_recovers_every_commit() {
        let dir = TempDir::new().unwrap();
        let mut database = Database::open(dir.path()).unwrap();
        let log = dir.path().join("storage.sqlite-wal");
        let preallocated = fs::metadata(&log).unwrap().len();
        assert!(preallocated > 256 * 4096, "{preallocated} bytes");
        database
            .connection()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        database.set_durability(Durability::Relaxed).unwrap();
        database
            .connection()
            .execute("INSERT INTO t VALUES (2)", [])
            .unwrap();
        database.set_durability(Durability::Durable).unwrap();
        database
            .connection()
            .execute("INSERT INTO t VALUES (3)", [])
            .unwrap();
        // The commits overwrote the zeros: the log did not grow.
        assert_eq!(fs::metadata(&log).unwrap().len(), preallocated);
        // The files as a power cut would leave them (the connection still
        // open, nothing checkpointed): a new engine reads every commit.
        let copy = TempDir::new().unwrap();
        for name in ["storage.sqlite", "storage.sqlite-wal"] {
            fs::copy(dir.path().join(name), copy.path().join(name)).unwrap();
        }
        let recovered = Database::open(copy.path()).unwrap();
        let values: Vec<i64> = recovered
            .connection()
            .prepare("SELECT x FROM t ORDER BY x")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(values, [1, 2, 3]);
    }

    fn synchronous(database: &Database) -> i64 {
        database
            .connection()
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn durability_switches_synchronous_between_full_and_normal() {
        let dir = TempDir::new().unwrap();
        let mut database = Database::open(dir.path()).unwrap();
        database.set_durability(Durability::Relaxed).unwrap();
        // 1 = NORMAL.
        assert_eq!(synchronous(&database), 1);
        database.set_durability(Durability::Durable).unwrap();
        assert_eq!(synchronous(&database), 2);
    }

    #[test]
    fn a_batch_commits_its_writes_together_with_its_durability() {
        let dir = TempDir::new().unwrap();
        let mut database = Database::open(dir.path()).unwrap();
        database.begin_batch(Durability::Relaxed).unwrap();
        assert_eq!(synchronous(&database), 1);
        assert!(!database.connection().is_autocommit());
        database
            .connection()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);")
            .unwrap();
        // Another connection sees nothing until the commit.
        let other = Database::open(dir.path()).unwrap();
        assert!(other
            .connection()
            .query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0))
            .is_err());
        // Inside a batch, durability stays what the batch began with.
        database.set_durability(Durability::Durable).unwrap();
        assert_eq!(synchronous(&database), 1);
        database.commit_batch().unwrap();
        assert!(database.connection().is_autocommit());
        let count: i64 = other
            .connection()
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(count, 2);
        // Committing with no batch open does nothing.
        database.commit_batch().unwrap();
    }

    #[test]
    fn move_aside_never_overwrites_an_earlier_copy() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(DATABASE_FILE_NAME);
        fs::write(&path, b"first").unwrap();
        let first = move_aside(&path).unwrap();
        fs::write(&path, b"second").unwrap();
        let second = move_aside(&path).unwrap();
        assert_ne!(first, second);
        assert_eq!(fs::read(&first).unwrap(), b"first");
        assert_eq!(fs::read(&second).unwrap(), b"second");
        assert!(!path.exists());
    }

    #[test]
    fn move_aside_takes_the_wal_along() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(DATABASE_FILE_NAME);
        fs::write(&path, b"db").unwrap();
        fs::write(with_suffix(&path, "-wal"), b"wal").unwrap();
        let moved = move_aside(&path).unwrap();
        assert_eq!(fs::read(with_suffix(&moved, "-wal")).unwrap(), b"wal");
        assert!(!with_suffix(&path, "-wal").exists());
    }

    #[test]
    fn header_check_accepts_empty_and_sqlite_files_only() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("x");
        assert_eq!(foreign_header(&path), None);
        fs::write(&path, b"").unwrap();
        assert_eq!(foreign_header(&path), None);
        fs::write(&path, b"SQLite format 3\0rest").unwrap();
        assert_eq!(foreign_header(&path), None);
        fs::write(&path, b"SQLite").unwrap();
        assert!(foreign_header(&path).is_some());
        fs::write(&path, b"<html>").unwrap();
        assert!(foreign_header(&path).is_some());
    }
}

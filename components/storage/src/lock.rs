//! One engine per profile: [`ProfileLock`], the lock file `<profile>/lock`.
//!
//! Every browser keeps a profile to one process: two engines on one
//! database would each hold their own view of the registrations in memory,
//! and each fire what the other fired. An engine holds the lock while it
//! runs: an advisory exclusive lock (`flock`) on the file, which the kernel
//! releases when the process ends however it ends, so a lock is never left
//! held by a dead process. The file also holds the holder's process id,
//! for the message a second engine prints. A file that still names a process
//! when its lock is free was left by one that did not exit cleanly (`kill
//! -9`, a crash): it is taken over, and that is logged.
//!
//! Read-only users of a profile (`bgsync sync list`) take no lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const LOG_TARGET: &str = "bgsync::storage";

/// The lock file's name inside the profile directory.
pub const LOCK_FILE_NAME: &str = "lock";

/// Why a profile could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another engine runs on the profile.
    #[error("profile {} is in use by process {pid}", dir.display())]
    InUse { dir: PathBuf, pid: u32 },
    /// Another engine runs on the profile and has not written its process
    /// id yet.
    #[error("profile {} is in use by another process", dir.display())]
    InUseUnknown { dir: PathBuf },
    #[error("cannot lock profile {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The profile's lock, held until dropped.
#[derive(Debug)]
pub struct ProfileLock {
    file: File,
    path: PathBuf,
}

impl ProfileLock {
    /// Locks `profile_dir` (creating it if needed) for this process, or
    /// says which process holds it.
    pub fn acquire(profile_dir: &Path) -> Result<ProfileLock, LockError> {
        let io_error = |source| LockError::Io {
            dir: profile_dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(profile_dir).map_err(io_error)?;
        let path = profile_dir.join(LOCK_FILE_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let dir = profile_dir.to_owned();
                return Err(match holder(&mut file) {
                    Some(pid) => LockError::InUse { dir, pid },
                    None => LockError::InUseUnknown { dir },
                });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        if let Some(pid) = holder(&mut file) {
            log::warn!(
                target: LOG_TARGET,
                "{}: took over the lock left by process {pid}, which did not exit cleanly",
                path.display()
            );
        }
        // The pid only names the holder in messages: the lock is the flock.
        // A full disk must not keep the engine from starting.
        if let Err(error) = write_pid(&mut file, std::process::id()) {
            log::warn!(
                target: LOG_TARGET,
                "{}: locked, but cannot write this process's id into it: {error}",
                path.display()
            );
        }
        Ok(ProfileLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether an engine holds `profile_dir`'s lock now. Reads only: the
    /// probe is a shared lock on the file, opened read-only, let go at
    /// once.
    pub fn is_held(profile_dir: &Path) -> bool {
        let Ok(file) = File::open(profile_dir.join(LOCK_FILE_NAME)) else {
            return false;
        };
        matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock))
    }
}

impl Drop for ProfileLock {
    /// A clean exit empties the file (no process to name), then closing it
    /// releases the lock.
    fn drop(&mut self) {
        if let Err(error) = self.file.set_len(0) {
            log::warn!(target: LOG_TARGET, "cannot clear {}: {error}", self.path.display());
        }
    }
}

/// The process id the lock file names, if any.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn write_pid(file: &mut File, pid: u32) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{pid}")?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_a_released_one_can_be_taken() {
        let dir = tempfile::tempdir().unwrap();
        let first = ProfileLock::acquire(dir.path()).unwrap();
        let written = std::fs::read_to_string(first.path()).unwrap();
        assert_eq!(written.trim(), std::process::id().to_string());
        match ProfileLock::acquire(dir.path()) {
            Err(LockError::InUse { pid, .. }) => assert_eq!(pid, std::process::id()),
            other => panic!("expected InUse, got {other:?}"),
        }
        drop(first);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(LOCK_FILE_NAME)).unwrap(),
            ""
        );
        let again = ProfileLock::acquire(dir.path()).unwrap();
        drop(again);
    }

    #[test]
    fn a_lock_file_left_by_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // What `kill -9` leaves: a pid in a file nobody holds a lock on.
        std::fs::write(dir.path().join(LOCK_FILE_NAME), "999999999\n").unwrap();
        let lock = ProfileLock::acquire(dir.path()).unwrap();
        let written = std::fs::read_to_string(lock.path()).unwrap();
        assert_eq!(written.trim(), std::process::id().to_string());
    }
}

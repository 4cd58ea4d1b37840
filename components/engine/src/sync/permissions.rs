//! The permissions the embedder denied ([`DeniedPermissions`]): what
//! `register()`'s permission check reads.

use std::collections::HashSet;

use base::origin::Origin;
use url::Url;

/// The permission `register()` needs.
pub const BACKGROUND_SYNC_PERMISSION: &str = "background-sync";

/// A `--deny-permission` argument that does not read as
/// `permission=origin`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DenyPermissionError {
    #[error("expected permission=origin, got {0:?}")]
    MissingEquals(String),
    #[error("{0:?} is not an origin with a scheme and a host")]
    BadOrigin(String),
}

/// Permissions the embedder denied, per origin (the shell's
/// `--deny-permission background-sync=https://example.test`).
#[derive(Clone, Debug, Default)]
pub struct DeniedPermissions {
    denied: HashSet<(String, Origin)>,
}

impl DeniedPermissions {
    pub fn new() -> DeniedPermissions {
        DeniedPermissions::default()
    }

    /// Denies `permission` to `origin`.
    pub fn deny(&mut self, permission: &str, origin: Origin) {
        self.denied.insert((permission.to_owned(), origin));
    }

    /// Denies what a `--deny-permission` argument names:
    /// `permission=origin`, the origin written as a URL (a path is ignored).
    pub fn deny_arg(&mut self, argument: &str) -> Result<(), DenyPermissionError> {
        let Some((permission, origin_text)) = argument.split_once('=') else {
            return Err(DenyPermissionError::MissingEquals(argument.to_owned()));
        };
        let origin = Url::parse(origin_text.trim())
            .map(|url| url.origin())
            .map_err(|_| DenyPermissionError::BadOrigin(origin_text.to_owned()))?;
        if !origin.is_tuple() {
            return Err(DenyPermissionError::BadOrigin(origin_text.to_owned()));
        }
        self.deny(permission.trim(), origin);
        Ok(())
    }

    pub fn is_denied(&self, permission: &str, origin: &Origin) -> bool {
        self.denied
            .contains(&(permission.to_owned(), origin.clone()))
    }
}

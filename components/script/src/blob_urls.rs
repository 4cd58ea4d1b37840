//! The blob URL store (https://w3c.github.io/FileAPI/#BlobURLStore): `URL.createObjectURL(blob)`
//! gives `blob:<origin>/<uuid>`, which `fetch()`, `new Worker()` and `importScripts()` of any
//! global in the process can load until `URL.revokeObjectURL()` or the end of the global that
//! made it. The store is process-wide, as every script thread is in the engine's process;
//! the URL's origin is its maker's, so only same-origin globals can start a worker from it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use url::Url;

/// What a blob URL stands for: the blob's bytes (shared with the Blob, not copied) and type.
#[derive(Clone, Debug)]
pub struct BlobEntry {
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub type_: String,
}

fn store() -> &'static Mutex<HashMap<String, BlobEntry>> {
    static STORE: OnceLock<Mutex<HashMap<String, BlobEntry>>> = OnceLock::new();
    STORE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with_store<R>(f: impl FnOnce(&mut HashMap<String, BlobEntry>) -> R) -> R {
    let mut store = store()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut store)
}

/// <https://w3c.github.io/FileAPI/#unicodeBlobURL>: a new blob URL of `origin` for `entry`.
pub fn add(origin: &url::Origin, entry: BlobEntry) -> String {
    let id = crate::message_ports::PortId::new().0;
    // A version 4 UUID's layout, from 128 random bits.
    let id = (id & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{id:032x}");
    let url = format!(
        "blob:{}/{}-{}-{}-{}-{}",
        origin.ascii_serialization(),
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    with_store(|store| store.insert(url.clone(), entry));
    url
}

/// <https://w3c.github.io/FileAPI/#removeTheEntry>
pub fn revoke(url: &str) {
    with_store(|store| store.remove(url));
}

/// What `url` (a `blob:` URL; its fragment is ignored) stands for, if it is in the store.
pub fn resolve(url: &Url) -> Option<BlobEntry> {
    let mut key = url.clone();
    key.set_fragment(None);
    with_store(|store| store.get(key.as_str()).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_url_resolves_until_revoked_and_names_its_origin() {
        let origin = Url::parse("https://a.example:8443/page").unwrap().origin();
        let made = add(
            &origin,
            BlobEntry {
                bytes: std::sync::Arc::new(b"postMessage(1)".to_vec()),
                type_: "text/javascript".into(),
            },
        );
        let url = Url::parse(&made).unwrap();
        assert_eq!(url.scheme(), "blob");
        assert_eq!(url.origin(), origin);
        assert_eq!(made.len(), "blob:https://a.example:8443/".len() + 36);
        let with_fragment = Url::parse(&format!("{made}#x")).unwrap();
        assert_eq!(*resolve(&with_fragment).unwrap().bytes, b"postMessage(1)");
        revoke(&made);
        assert!(resolve(&url).is_none());
        assert_ne!(
            add(
                &origin,
                BlobEntry {
                    bytes: Default::default(),
                    type_: String::new()
                }
            ),
            made
        );
    }
}

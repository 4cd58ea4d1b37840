//! Preferences: the engine's switches and policy numbers.
//!
//! The defaults are `resources/prefs.json`, embedded at build time so every
//! binary carries its own. Overrides come from the embedder or the command
//! line as `NAME=VALUE` (`--pref background_sync.initial_retry_delay_ms=50`).
//! The defaults fix which prefs exist and the type of each: an override
//! changes a value, never adds a pref or changes a type. That invariant is
//! what lets the typed accessors (`background_sync_max_attempts()`) return
//! plain values, and it is checked again when a `Prefs` is deserialized on
//! the far side of an ipc-channel.
//!
//! Units are part of the names (`_ms`, `_bytes`), and the typed accessors
//! keep them: `background_sync.initial_retry_delay_ms` is read with
//! `background_sync_initial_retry_delay_ms()`.

mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::value::{PrefType, PrefValue};

const DEFAULTS_JSON: &str = include_str!("../../../../resources/prefs.json");

/// The names of the prefs that the engine reads.
pub mod names {
    pub const BACKGROUND_SYNC_ENABLED: &str = "background_sync.enabled";
    pub const BACKGROUND_SYNC_MAX_ATTEMPTS: &str = "background_sync.max_attempts";
    pub const BACKGROUND_SYNC_INITIAL_RETRY_DELAY_MS: &str =
        "background_sync.initial_retry_delay_ms";
    pub const BACKGROUND_SYNC_RETRY_DELAY_FACTOR: &str = "background_sync.retry_delay_factor";
    pub const BACKGROUND_SYNC_MAX_EVENT_DURATION_MS: &str = "background_sync.max_event_duration_ms";
    pub const BACKGROUND_SYNC_MAX_TAG_LENGTH_BYTES: &str = "background_sync.max_tag_length_bytes";
    pub const BACKGROUND_SYNC_SHUTDOWN_GRACE_MS: &str = "background_sync.shutdown_grace_ms";
    pub const SERVICEWORKER_IDLE_TIMEOUT_MS: &str = "serviceworker.idle_timeout_ms";
    pub const SERVICEWORKER_MAX_EVENT_DURATION_MS: &str = "serviceworker.max_event_duration_ms";
    pub const NET_MAX_RESPONSE_BYTES: &str = "net.max_response_bytes";
    pub const NET_HTTP_CACHE_MAX_BYTES: &str = "net.http_cache_max_bytes";
    pub const NET_NETWORK_DEBOUNCE_MS: &str = "net.network_debounce_ms";
    pub const NET_HOST_RULES: &str = "net.host_rules";
    pub const NET_EXTRA_ROOT_CERTIFICATES: &str = "net.extra_root_certificates";
    pub const JS_MAX_HEAP_BYTES: &str = "js.max_heap_bytes";
    pub const JS_MAX_DEDICATED_WORKERS: &str = "js.max_dedicated_workers";
    pub const INDEXEDDB_MAX_BYTES_PER_ORIGIN: &str = "indexeddb.max_bytes_per_origin";
    pub const CACHE_STORAGE_MAX_BYTES_PER_ORIGIN: &str = "cache_storage.max_bytes_per_origin";
}

/// Why a pref could not be set or read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PrefError {
    #[error("pref override {0:?} is not of the form NAME=VALUE")]
    MalformedOverride(String),
    #[error("unknown pref {0:?}")]
    UnknownPref(String),
    #[error("pref {name:?} takes a {expected}, not {value:?}")]
    WrongType {
        name: String,
        expected: PrefType,
        value: String,
    },
    #[error("pref {name:?} holds a {actual}, not a {requested}")]
    TypeMismatch {
        name: String,
        actual: PrefType,
        requested: PrefType,
    },
    #[error("invalid prefs JSON: {0}")]
    InvalidJson(String),
}

/// The engine's prefs: the embedded defaults with overrides applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PrefsWire", into = "PrefsWire")]
pub struct Prefs {
    values: BTreeMap<String, PrefValue>,
}

/// What travels: the values, re-checked against the defaults on arrival.
#[derive(Serialize, Deserialize)]
struct PrefsWire {
    values: BTreeMap<String, PrefValue>,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs::defaults()
    }
}

impl Prefs {
    /// The defaults from `resources/prefs.json`.
    ///
    /// Panics only if that file, which is part of this crate's source, is not
    /// a flat JSON object of pref values; a unit test keeps it one.
    pub fn defaults() -> Prefs {
        match parse_defaults(DEFAULTS_JSON) {
            Ok(prefs) => prefs,
            Err(error) => panic!("resources/prefs.json embedded in `base`: {error}"),
        }
    }

    /// The defaults with `overrides` (each `NAME=VALUE`) applied in order.
    pub fn with_overrides<I, S>(overrides: I) -> Result<Prefs, PrefError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut prefs = Prefs::defaults();
        for text in overrides {
            prefs.apply_override(text.as_ref())?;
        }
        Ok(prefs)
    }

    /// Applies one `NAME=VALUE` override; the value is read as the pref's type.
    pub fn apply_override(&mut self, text: &str) -> Result<(), PrefError> {
        let Some((name, value_text)) = text.split_once('=') else {
            return Err(PrefError::MalformedOverride(text.to_owned()));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(PrefError::MalformedOverride(text.to_owned()));
        }
        let pref_type = self.pref_type(name)?;
        let value =
            PrefValue::parse_as(pref_type, value_text).ok_or_else(|| PrefError::WrongType {
                name: name.to_owned(),
                expected: pref_type,
                value: value_text.to_owned(),
            })?;
        self.values.insert(name.to_owned(), value);
        Ok(())
    }

    /// Sets a known pref to a value of its type (an integer is accepted for
    /// a float pref).
    pub fn set(&mut self, name: &str, value: PrefValue) -> Result<(), PrefError> {
        let pref_type = self.pref_type(name)?;
        let shown = value.to_string();
        let value = value
            .coerce_to(pref_type)
            .ok_or_else(|| PrefError::WrongType {
                name: name.to_owned(),
                expected: pref_type,
                value: shown,
            })?;
        self.values.insert(name.to_owned(), value);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&PrefValue> {
        self.values.get(name)
    }

    /// Every pref, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PrefValue)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    pub fn pref_type(&self, name: &str) -> Result<PrefType, PrefError> {
        self.lookup(name).map(PrefValue::pref_type)
    }

    pub fn get_bool(&self, name: &str) -> Result<bool, PrefError> {
        match self.lookup(name)? {
            PrefValue::Bool(value) => Ok(*value),
            other => Err(mismatch(name, other, PrefType::Bool)),
        }
    }

    pub fn get_u64(&self, name: &str) -> Result<u64, PrefError> {
        match self.lookup(name)? {
            PrefValue::Integer(value) => Ok(*value),
            other => Err(mismatch(name, other, PrefType::Integer)),
        }
    }

    /// A float pref, or an integer pref widened to a float.
    pub fn get_f64(&self, name: &str) -> Result<f64, PrefError> {
        match self.lookup(name)? {
            PrefValue::Float(value) => Ok(*value),
            PrefValue::Integer(value) => Ok(*value as f64),
            other => Err(mismatch(name, other, PrefType::Float)),
        }
    }

    pub fn get_str(&self, name: &str) -> Result<&str, PrefError> {
        match self.lookup(name)? {
            PrefValue::Str(value) => Ok(value),
            other => Err(mismatch(name, other, PrefType::Str)),
        }
    }

    /// Whether `SyncManager` is exposed and the sync service runs.
    pub fn background_sync_enabled(&self) -> bool {
        self.known_bool(names::BACKGROUND_SYNC_ENABLED)
    }

    /// How many times a sync event is fired for one registration before it
    /// is given up (the last one has `lastChance` set).
    pub fn background_sync_max_attempts(&self) -> u32 {
        saturate_u32(self.known_u64(names::BACKGROUND_SYNC_MAX_ATTEMPTS))
    }

    /// Delay before the first retry of a failed sync event.
    pub fn background_sync_initial_retry_delay_ms(&self) -> u64 {
        self.known_u64(names::BACKGROUND_SYNC_INITIAL_RETRY_DELAY_MS)
    }

    /// Each further retry waits this many times longer than the previous one.
    pub fn background_sync_retry_delay_factor(&self) -> u32 {
        saturate_u32(self.known_u64(names::BACKGROUND_SYNC_RETRY_DELAY_FACTOR))
    }

    /// How long a sync event may keep its `waitUntil` promises pending
    /// before the attempt counts as failed.
    pub fn background_sync_max_event_duration_ms(&self) -> u64 {
        self.known_u64(names::BACKGROUND_SYNC_MAX_EVENT_DURATION_MS)
    }

    /// Longest sync tag accepted by `register()`, in UTF-8 bytes.
    pub fn background_sync_max_tag_length_bytes(&self) -> usize {
        usize::try_from(self.known_u64(names::BACKGROUND_SYNC_MAX_TAG_LENGTH_BYTES))
            .unwrap_or(usize::MAX)
    }

    /// How long `sync` events in flight may still run when the process is
    /// asked to end (SIGTERM, SIGINT) before it ends anyway.
    pub fn background_sync_shutdown_grace_ms(&self) -> u64 {
        self.known_u64(names::BACKGROUND_SYNC_SHUTDOWN_GRACE_MS)
    }

    /// How long a service worker with no pending events stays running.
    pub fn serviceworker_idle_timeout_ms(&self) -> u64 {
        self.known_u64(names::SERVICEWORKER_IDLE_TIMEOUT_MS)
    }

    /// How long any one service-worker event may run before the worker is
    /// terminated.
    pub fn serviceworker_max_event_duration_ms(&self) -> u64 {
        self.known_u64(names::SERVICEWORKER_MAX_EVENT_DURATION_MS)
    }

    /// Largest response body the resource loader accepts.
    pub fn net_max_response_bytes(&self) -> u64 {
        self.known_u64(names::NET_MAX_RESPONSE_BYTES)
    }

    /// How many bytes of responses the engine's HTTP cache keeps (0: no HTTP cache).
    pub fn net_http_cache_max_bytes(&self) -> u64 {
        self.known_u64(names::NET_HTTP_CACHE_MAX_BYTES)
    }

    /// The most memory one JavaScript runtime (a page's or a worker's) may
    /// hold; past it, allocations fail with "out of memory".
    pub fn js_max_heap_bytes(&self) -> u64 {
        self.known_u64(names::JS_MAX_HEAP_BYTES)
    }

    /// How many dedicated workers may run at once in the engine's process (each is a thread
    /// with a JavaScript runtime of its own, a few MB): `new Worker()` past it gets an `error`
    /// event instead of a thread.
    pub fn js_max_dedicated_workers(&self) -> u64 {
        self.known_u64(names::JS_MAX_DEDICATED_WORKERS)
    }

    /// How large an origin's IndexedDB file may grow; a write past it fails
    /// with `QuotaExceededError` and what is stored stays.
    pub fn indexeddb_max_bytes_per_origin(&self) -> u64 {
        self.known_u64(names::INDEXEDDB_MAX_BYTES_PER_ORIGIN)
    }

    /// How large an origin's CacheStorage file may grow; a `put()` past it fails with
    /// `QuotaExceededError` and what is stored stays.
    pub fn cache_storage_max_bytes_per_origin(&self) -> u64 {
        self.known_u64(names::CACHE_STORAGE_MAX_BYTES_PER_ORIGIN)
    }

    /// How long a change of the OS's network state must last before the
    /// network observer reports it (flaps shorter than this are ignored).
    pub fn net_network_debounce_ms(&self) -> u64 {
        self.known_u64(names::NET_NETWORK_DEBOUNCE_MS)
    }

    /// Host mapping rules, like Chromium's `--host-resolver-rules`:
    /// comma-separated `MAP <host or *.suffix> <ip-address>`, applied before
    /// DNS (parsed and checked by `net`); empty for none.
    pub fn net_host_rules(&self) -> &str {
        self.known_str(names::NET_HOST_RULES)
    }

    /// The path of a PEM file of CA certificates that `https:` loads trust
    /// besides Mozilla's roots (read and checked by `net`); empty for none.
    pub fn net_extra_root_certificates(&self) -> &str {
        self.known_str(names::NET_EXTRA_ROOT_CERTIFICATES)
    }

    fn lookup(&self, name: &str) -> Result<&PrefValue, PrefError> {
        self.values
            .get(name)
            .ok_or_else(|| PrefError::UnknownPref(name.to_owned()))
    }

    // The two readers below back the typed accessors. They cannot fail: every
    // `Prefs` starts from the defaults, and `apply_override`, `set` and
    // deserialization keep each pref's type (tested for every accessor).
    fn known_bool(&self, name: &'static str) -> bool {
        match self.get_bool(name) {
            Ok(value) => value,
            Err(error) => panic!("default pref missing from resources/prefs.json: {error}"),
        }
    }

    fn known_u64(&self, name: &'static str) -> u64 {
        match self.get_u64(name) {
            Ok(value) => value,
            Err(error) => panic!("default pref missing from resources/prefs.json: {error}"),
        }
    }

    fn known_str(&self, name: &'static str) -> &str {
        match self.get_str(name) {
            Ok(value) => value,
            Err(error) => panic!("default pref missing from resources/prefs.json: {error}"),
        }
    }
}

impl TryFrom<PrefsWire> for Prefs {
    type Error = PrefError;

    fn try_from(wire: PrefsWire) -> Result<Prefs, PrefError> {
        let mut prefs = Prefs::defaults();
        for (name, value) in wire.values {
            prefs.set(&name, value)?;
        }
        Ok(prefs)
    }
}

impl From<Prefs> for PrefsWire {
    fn from(prefs: Prefs) -> PrefsWire {
        PrefsWire {
            values: prefs.values,
        }
    }
}

fn parse_defaults(json: &str) -> Result<Prefs, PrefError> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|error| PrefError::InvalidJson(error.to_string()))?;
    let mut values = BTreeMap::new();
    for (name, json_value) in object {
        let value = PrefValue::from_json(&json_value).ok_or_else(|| {
            PrefError::InvalidJson(format!(
                "pref {name:?} has value {json_value}, which is no boolean, \
                 non-negative integer, number or string"
            ))
        })?;
        values.insert(name, value);
    }
    Ok(Prefs { values })
}

fn mismatch(name: &str, value: &PrefValue, requested: PrefType) -> PrefError {
    PrefError::TypeMismatch {
        name: name.to_owned(),
        actual: value.pref_type(),
        requested,
    }
}

/// Integer prefs are stored as `u64`; a value too large for an accessor's
/// narrower type means "as much as possible", not an error.
fn saturate_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_parse() {
        assert!(parse_defaults(DEFAULTS_JSON).is_ok());
    }

    #[test]
    fn defaults_follow_chromium_policy_numbers() {
        let prefs = Prefs::defaults();
        assert!(prefs.background_sync_enabled());
        assert_eq!(prefs.background_sync_max_attempts(), 3);
        assert_eq!(
            prefs.background_sync_initial_retry_delay_ms(),
            5 * 60 * 1000
        );
        assert_eq!(prefs.background_sync_retry_delay_factor(), 3);
        assert_eq!(prefs.background_sync_max_event_duration_ms(), 3 * 60 * 1000);
        assert_eq!(prefs.background_sync_max_tag_length_bytes(), 10240);
        assert_eq!(prefs.background_sync_shutdown_grace_ms(), 2000);
        assert_eq!(prefs.serviceworker_idle_timeout_ms(), 30_000);
        assert_eq!(prefs.serviceworker_max_event_duration_ms(), 180_000);
        assert_eq!(prefs.net_max_response_bytes(), 64 * 1024 * 1024);
        assert_eq!(prefs.net_network_debounce_ms(), 100);
        assert_eq!(prefs.indexeddb_max_bytes_per_origin(), 1 << 30);
        assert_eq!(prefs.cache_storage_max_bytes_per_origin(), 1 << 30);
        assert_eq!(prefs.net_host_rules(), "");
        assert_eq!(prefs.net_extra_root_certificates(), "");
    }

    #[test]
    fn string_prefs_take_any_text() {
        let prefs = Prefs::with_overrides([
            "net.host_rules=MAP *.web-platform.test 127.0.0.1, MAP web-platform.test 127.0.0.1",
            "net.extra_root_certificates=/tmp/ca.pem",
        ])
        .unwrap();
        assert_eq!(
            prefs.net_host_rules(),
            "MAP *.web-platform.test 127.0.0.1, MAP web-platform.test 127.0.0.1"
        );
        assert_eq!(prefs.net_extra_root_certificates(), "/tmp/ca.pem");
    }

    #[test]
    fn every_named_pref_has_a_default() {
        let prefs = Prefs::defaults();
        for name in [
            names::BACKGROUND_SYNC_ENABLED,
            names::BACKGROUND_SYNC_MAX_ATTEMPTS,
            names::BACKGROUND_SYNC_INITIAL_RETRY_DELAY_MS,
            names::BACKGROUND_SYNC_RETRY_DELAY_FACTOR,
            names::BACKGROUND_SYNC_MAX_EVENT_DURATION_MS,
            names::BACKGROUND_SYNC_MAX_TAG_LENGTH_BYTES,
            names::BACKGROUND_SYNC_SHUTDOWN_GRACE_MS,
            names::SERVICEWORKER_IDLE_TIMEOUT_MS,
            names::SERVICEWORKER_MAX_EVENT_DURATION_MS,
            names::NET_MAX_RESPONSE_BYTES,
            names::NET_HTTP_CACHE_MAX_BYTES,
            names::NET_NETWORK_DEBOUNCE_MS,
            names::NET_HOST_RULES,
            names::NET_EXTRA_ROOT_CERTIFICATES,
            names::JS_MAX_HEAP_BYTES,
            names::JS_MAX_DEDICATED_WORKERS,
            names::INDEXEDDB_MAX_BYTES_PER_ORIGIN,
            names::CACHE_STORAGE_MAX_BYTES_PER_ORIGIN,
        ] {
            assert!(prefs.get(name).is_some(), "{name} has no default");
        }
        assert_eq!(prefs.iter().count(), 18);
    }

    #[test]
    fn command_line_override_changes_the_value() {
        let prefs = Prefs::with_overrides(["background_sync.initial_retry_delay_ms=50"]).unwrap();
        assert_eq!(prefs.background_sync_initial_retry_delay_ms(), 50);
        assert_eq!(prefs.background_sync_max_attempts(), 3);
    }

    #[test]
    fn later_override_wins() {
        let prefs = Prefs::with_overrides([
            "background_sync.max_attempts=5",
            "background_sync.max_attempts=1",
        ])
        .unwrap();
        assert_eq!(prefs.background_sync_max_attempts(), 1);
    }

    #[test]
    fn bool_override() {
        let prefs = Prefs::with_overrides(["background_sync.enabled=false"]).unwrap();
        assert!(!prefs.background_sync_enabled());
    }

    #[test]
    fn override_of_unknown_pref_is_rejected() {
        let error = Prefs::with_overrides(["background_sync.max_attemps=5"]).unwrap_err();
        assert_eq!(
            error,
            PrefError::UnknownPref("background_sync.max_attemps".to_owned())
        );
        assert_eq!(
            error.to_string(),
            "unknown pref \"background_sync.max_attemps\""
        );
    }

    #[test]
    fn override_of_wrong_type_is_rejected() {
        let error = Prefs::with_overrides(["background_sync.max_attempts=three"]).unwrap_err();
        assert_eq!(
            error,
            PrefError::WrongType {
                name: "background_sync.max_attempts".to_owned(),
                expected: PrefType::Integer,
                value: "three".to_owned(),
            }
        );
        assert_eq!(
            error.to_string(),
            "pref \"background_sync.max_attempts\" takes a non-negative integer, not \"three\""
        );
        assert!(matches!(
            Prefs::with_overrides(["background_sync.enabled=yes"]),
            Err(PrefError::WrongType {
                expected: PrefType::Bool,
                ..
            })
        ));
    }

    #[test]
    fn override_without_equals_sign_is_malformed() {
        assert_eq!(
            Prefs::with_overrides(["background_sync.enabled"]),
            Err(PrefError::MalformedOverride(
                "background_sync.enabled".to_owned()
            ))
        );
        assert_eq!(
            Prefs::with_overrides(["=3"]),
            Err(PrefError::MalformedOverride("=3".to_owned()))
        );
    }

    #[test]
    fn huge_integer_saturates_in_narrow_accessor() {
        let prefs = Prefs::with_overrides(["background_sync.max_attempts=99999999999"]).unwrap();
        assert_eq!(prefs.background_sync_max_attempts(), u32::MAX);
    }

    #[test]
    fn generic_getters_check_the_type() {
        let prefs = Prefs::defaults();
        assert_eq!(prefs.get_u64(names::BACKGROUND_SYNC_MAX_ATTEMPTS), Ok(3));
        assert_eq!(prefs.get_bool(names::BACKGROUND_SYNC_ENABLED), Ok(true));
        assert_eq!(
            prefs.get_f64(names::BACKGROUND_SYNC_RETRY_DELAY_FACTOR),
            Ok(3.0)
        );
        assert_eq!(
            prefs.get_str(names::BACKGROUND_SYNC_ENABLED),
            Err(PrefError::TypeMismatch {
                name: names::BACKGROUND_SYNC_ENABLED.to_owned(),
                actual: PrefType::Bool,
                requested: PrefType::Str,
            })
        );
        assert_eq!(
            prefs.get_bool("no.such.pref"),
            Err(PrefError::UnknownPref("no.such.pref".to_owned()))
        );
    }

    #[test]
    fn set_keeps_the_type() {
        let mut prefs = Prefs::defaults();
        prefs
            .set(names::SERVICEWORKER_IDLE_TIMEOUT_MS, PrefValue::Integer(10))
            .unwrap();
        assert_eq!(prefs.serviceworker_idle_timeout_ms(), 10);
        assert!(matches!(
            prefs.set(names::SERVICEWORKER_IDLE_TIMEOUT_MS, PrefValue::Bool(true)),
            Err(PrefError::WrongType { .. })
        ));
        assert!(matches!(
            prefs.set("made.up", PrefValue::Bool(true)),
            Err(PrefError::UnknownPref(_))
        ));
    }

    #[test]
    fn string_and_float_prefs_from_other_json() {
        let mut prefs = parse_defaults(r#"{"a.name": "x", "a.ratio": 0.5}"#).unwrap();
        prefs.apply_override("a.name=y=z").unwrap();
        prefs.apply_override("a.ratio=2").unwrap();
        assert_eq!(prefs.get_str("a.name"), Ok("y=z"));
        assert_eq!(prefs.get_f64("a.ratio"), Ok(2.0));
        assert!(matches!(
            prefs.apply_override("a.ratio=fast"),
            Err(PrefError::WrongType {
                expected: PrefType::Float,
                ..
            })
        ));
    }

    #[test]
    fn defaults_json_that_is_not_flat_is_rejected() {
        assert!(matches!(
            parse_defaults(r#"{"a": [1]}"#),
            Err(PrefError::InvalidJson(_))
        ));
        assert!(matches!(
            parse_defaults("[]"),
            Err(PrefError::InvalidJson(_))
        ));
        assert!(matches!(
            parse_defaults(r#"{"a": -1}"#),
            Err(PrefError::InvalidJson(_))
        ));
    }

    #[test]
    fn prefs_round_trip_through_json() {
        let prefs = Prefs::with_overrides(["net.max_response_bytes=1024"]).unwrap();
        let json = serde_json::to_string(&prefs).unwrap();
        let back: Prefs = serde_json::from_str(&json).unwrap();
        assert_eq!(back, prefs);
    }

    #[test]
    fn deserializing_rechecks_names_and_types() {
        let unknown = r#"{"values": {"made.up": {"Bool": true}}}"#;
        assert!(serde_json::from_str::<Prefs>(unknown).is_err());
        let wrong_type = r#"{"values": {"background_sync.enabled": {"Integer": 1}}}"#;
        assert!(serde_json::from_str::<Prefs>(wrong_type).is_err());
        let partial = r#"{"values": {"background_sync.max_attempts": {"Integer": 7}}}"#;
        let prefs: Prefs = serde_json::from_str(partial).unwrap();
        assert_eq!(prefs.background_sync_max_attempts(), 7);
        assert!(prefs.background_sync_enabled());
    }

    #[test]
    fn prefs_travel_over_an_ipc_channel() {
        let prefs = Prefs::with_overrides(["background_sync.retry_delay_factor=2"]).unwrap();
        let (sender, receiver) = ipc_channel::ipc::channel::<Prefs>().unwrap();
        sender.send(prefs.clone()).unwrap();
        assert_eq!(receiver.recv().unwrap(), prefs);
    }
}

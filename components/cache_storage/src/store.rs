//! One origin's CacheStorage in one SQLite file: its caches (the spec's
//! name to cache map, in creation order) and each cache's entries (its
//! request response list, in insertion order).
//!
//! A cache removed by `caches.delete()` while some global still holds it is
//! only marked deleted: it leaves the name map (its name is free for a new
//! cache) but keeps its entries until [`OriginStore::purge_if_deleted`];
//! caches still marked when the file is opened again are purged then, since
//! no global of an earlier run holds anything.
//!
//! An entry's URL is stored three ways: as given (what `keys()` returns),
//! without its fragment, and without fragment and query; the latter two are
//! indexed, so a query reads the entries of its URL, not the whole cache,
//! before [`crate::matching`] decides on methods and `Vary`.
//!
//! Writes commit with `synchronous=NORMAL` in WAL mode: a commit survives
//! the process dying, and a power cut may take back the last ones. Cache
//! entries are copies of what the network served, which a site can fetch
//! again; they are not the user's data, and a sync per `put()` would cost
//! more than losing them.

use std::path::Path;

use cache_storage_traits::{
    CacheError, CacheErrorName, CacheOp, CacheRequest, CacheResponse, QueryOptions,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::encoding::{decode_headers, decode_strings, encode_headers, encode_strings};
use crate::matching::{
    lookup_url, method_may_match, request_matches_cached_item, without_fragment, without_query,
};

/// A cache's id in its origin's file; ids grow in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheId(pub i64);

/// The version of the tables below (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS caches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX IF NOT EXISTS caches_by_name ON caches (name) WHERE deleted = 0;
    CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY,
        cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        match_url TEXT NOT NULL,
        search_free_url TEXT NOT NULL,
        method TEXT NOT NULL,
        request_headers BLOB NOT NULL,
        response_type TEXT NOT NULL,
        url_list BLOB NOT NULL,
        status INTEGER NOT NULL,
        status_text TEXT NOT NULL,
        response_headers BLOB NOT NULL,
        redirected INTEGER NOT NULL,
        -- Last, so that reading the other columns never reads a body's overflow pages.
        body BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_by_url ON entries (cache_id, match_url);
    CREATE INDEX IF NOT EXISTS entries_by_search_free_url ON entries (cache_id, search_free_url);
";

/// Why a file did not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file's contents are not an origin's CacheStorage (not a
    /// database, damaged, another origin's, a newer schema): it may be
    /// moved aside and replaced.
    #[error("the file is damaged or not this origin's CacheStorage: {0}")]
    Damaged(String),
    /// The file could not be reached (permissions, I/O, a lock): it is
    /// left alone, its data is probably fine.
    #[error("cannot open the file: {0}")]
    Unreachable(String),
}

impl From<rusqlite::Error> for OpenError {
    fn from(error: rusqlite::Error) -> OpenError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                OpenError::Damaged(error.to_string())
            }
            _ => OpenError::Unreachable(error.to_string()),
        }
    }
}

impl From<OpenError> for CacheError {
    fn from(error: OpenError) -> CacheError {
        CacheError::new(CacheErrorName::Unknown, error.to_string())
    }
}

fn storage_error(error: rusqlite::Error) -> CacheError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
        // The origin's quota (max_page_count), or the disk itself: either
        // way the write does not fit.
        return CacheError::new(
            CacheErrorName::QuotaExceeded,
            "The origin's CacheStorage is full (cache_storage.max_bytes_per_origin).",
        );
    }
    CacheError::new(CacheErrorName::Unknown, format!("storage failed: {error}"))
}

fn damaged(error: crate::encoding::DecodeError) -> CacheError {
    CacheError::new(
        CacheErrorName::Unknown,
        format!("a stored entry is damaged: {error}"),
    )
}

fn type_error(message: &str) -> CacheError {
    CacheError::new(CacheErrorName::Type, message)
}

/// Whether `url` is an http(s) URL: a cache stores nothing else.
fn is_http_url(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// The columns of a [`Candidate`].
const CANDIDATE_COLUMNS: &str =
    "SELECT id, url, method, request_headers, response_headers FROM entries";

/// A stored entry as matching needs it: its request and its response's
/// headers, without the body.
struct Candidate {
    id: i64,
    request: CacheRequest,
    response_headers: Vec<(String, String)>,
}

/// One origin's CacheStorage file.
pub struct OriginStore {
    connection: Connection,
}

impl OriginStore {
    /// Opens (creating if needed) the file at `path`, which holds (or will
    /// hold) `origin`'s CacheStorage.
    pub fn open(path: &Path, origin: &str) -> Result<OriginStore, OpenError> {
        OriginStore::with_connection(Connection::open(path)?, Some(origin))
    }

    /// A store that lives in memory only.
    pub fn in_memory() -> Result<OriginStore, CacheError> {
        let connection = Connection::open_in_memory().map_err(storage_error)?;
        Ok(OriginStore::with_connection(connection, None)?)
    }

    fn with_connection(
        connection: Connection,
        origin: Option<&str>,
    ) -> Result<OriginStore, OpenError> {
        // auto_vacuum first: it takes effect only before the first table.
        // Incremental, so purging a deleted cache gives its pages back
        // without rewriting the file.
        connection.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "foreign_keys", true)?;
        connection.pragma_update(None, "temp_store", "MEMORY")?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(OpenError::Damaged(format!(
                "schema version {version} is newer than this engine's {SCHEMA_VERSION}"
            )));
        }
        connection.execute_batch(SCHEMA)?;
        connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        if let Some(origin) = origin {
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('origin', ?1)",
                [origin],
            )?;
            let recorded: String =
                connection.query_row("SELECT value FROM meta WHERE key = 'origin'", [], |row| {
                    row.get(0)
                })?;
            if recorded != origin {
                return Err(OpenError::Damaged(format!(
                    "the file holds the caches of {recorded}"
                )));
            }
        }
        connection.set_prepared_statement_cache_capacity(32);
        // No global of an earlier run holds a cache any more.
        let purged = connection.execute("DELETE FROM caches WHERE deleted = 1", [])?;
        let store = OriginStore { connection };
        if purged > 0 {
            store.give_back_free_pages()?;
        }
        Ok(store)
    }

    /// Bounds the origin's file to about `max_bytes` (the pref
    /// `cache_storage.max_bytes_per_origin`): a batch that would grow it
    /// further fails with `QuotaExceededError` and changes nothing; what is
    /// stored stays. SQLite's `max_page_count`, so checking costs nothing
    /// per write, and the bound counts what the file really takes (headers,
    /// URLs, indexes), not only bodies.
    pub fn set_quota(&mut self, max_bytes: u64) -> Result<(), CacheError> {
        let page_size: i64 = self
            .connection
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .map_err(storage_error)?;
        let pages = max_bytes.div_ceil(page_size.max(1) as u64).max(1);
        let pages = i64::try_from(pages).unwrap_or(i64::MAX);
        self.connection
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(storage_error)
    }

    fn in_transaction(&self) -> bool {
        !self.connection.is_autocommit()
    }

    /// The cache named `name` (not deleted), if any.
    pub fn find_cache(&self, name: &str) -> Result<Option<CacheId>, CacheError> {
        self.connection
            .prepare_cached("SELECT id FROM caches WHERE name = ?1 AND deleted = 0")
            .and_then(|mut statement| statement.query_row([name], |row| row.get(0)).optional())
            .map(|id| id.map(CacheId))
            .map_err(storage_error)
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-cachestorage-open>: the
    /// cache named `name`, created (last in creation order) if missing.
    pub fn open_cache(&mut self, name: &str) -> Result<CacheId, CacheError> {
        if let Some(id) = self.find_cache(name)? {
            return Ok(id);
        }
        self.connection
            .prepare_cached("INSERT INTO caches (name) VALUES (?1)")
            .and_then(|mut statement| statement.execute([name]))
            .map_err(storage_error)?;
        Ok(CacheId(self.connection.last_insert_rowid()))
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-cachestorage-keys>: the
    /// caches' names, in creation order.
    pub fn cache_names(&self) -> Result<Vec<String>, CacheError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT name FROM caches WHERE deleted = 0 ORDER BY id")
            .map_err(storage_error)?;
        let names = statement
            .query_map([], |row| row.get(0))
            .map_err(storage_error)?;
        names.collect::<Result<_, _>>().map_err(storage_error)
    }

    /// The caches (not deleted), in creation order.
    pub fn caches(&self) -> Result<Vec<CacheId>, CacheError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT id FROM caches WHERE deleted = 0 ORDER BY id")
            .map_err(storage_error)?;
        let ids = statement
            .query_map([], |row| row.get(0).map(CacheId))
            .map_err(storage_error)?;
        ids.collect::<Result<_, _>>().map_err(storage_error)
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-cachestorage-delete>:
    /// removes `name` from the name map; the cache it named, if any. Its
    /// entries stay until [`OriginStore::purge_if_deleted`], for the
    /// globals that still hold it.
    pub fn delete_cache(&mut self, name: &str) -> Result<Option<CacheId>, CacheError> {
        let Some(id) = self.find_cache(name)? else {
            return Ok(None);
        };
        self.connection
            .prepare_cached("UPDATE caches SET deleted = 1 WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id.0]))
            .map_err(storage_error)?;
        Ok(Some(id))
    }

    /// Removes `cache` with its entries if it was deleted (no one holds it
    /// any more); whether it did. Its pages go back to the file system.
    pub fn purge_if_deleted(&mut self, cache: CacheId) -> Result<bool, CacheError> {
        let purged = self
            .connection
            .prepare_cached("DELETE FROM caches WHERE id = ?1 AND deleted = 1")
            .and_then(|mut statement| statement.execute([cache.0]))
            .map_err(storage_error)?;
        if purged > 0 {
            self.give_back_free_pages().map_err(storage_error)?;
        }
        Ok(purged > 0)
    }

    /// Truncates the file's free pages away (`auto_vacuum=INCREMENTAL`).
    fn give_back_free_pages(&self) -> rusqlite::Result<()> {
        // The pragma frees one page per step: step it to the end.
        let mut statement = self
            .connection
            .prepare_cached("PRAGMA incremental_vacuum")?;
        let mut rows = statement.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    /// <https://w3c.github.io/ServiceWorker/#query-cache>: the entries of
    /// `cache` that `query` matches with `options` (every entry for `None`),
    /// in insertion order, at most `limit`.
    fn query_cache(
        &self,
        cache: CacheId,
        query: Option<&CacheRequest>,
        options: &QueryOptions,
        limit: Option<usize>,
    ) -> Result<Vec<Candidate>, CacheError> {
        let (sql, url) = match query {
            None => (
                format!("{CANDIDATE_COLUMNS} WHERE cache_id = ?1 ORDER BY id"),
                None,
            ),
            // No entry is a match: do not read any.
            Some(query) if !method_may_match(query, options) => return Ok(Vec::new()),
            Some(query) => {
                let column = if options.ignore_search {
                    "search_free_url"
                } else {
                    "match_url"
                };
                (
                    format!(
                        "{CANDIDATE_COLUMNS} WHERE cache_id = ?1 AND {column} = ?2 ORDER BY id"
                    ),
                    Some(lookup_url(&query.url, options)),
                )
            }
        };
        let mut statement = self
            .connection
            .prepare_cached(&sql)
            .map_err(storage_error)?;
        let mut rows = match url {
            Some(url) => statement.query(params![cache.0, url]),
            None => statement.query(params![cache.0]),
        }
        .map_err(storage_error)?;
        let mut found = Vec::new();
        while let Some(row) = rows.next().map_err(storage_error)? {
            if limit.is_some_and(|limit| found.len() >= limit) {
                break;
            }
            let read = |index| row.get::<_, Vec<u8>>(index).map_err(storage_error);
            let candidate = Candidate {
                id: row.get(0).map_err(storage_error)?,
                request: CacheRequest {
                    url: row.get(1).map_err(storage_error)?,
                    method: row.get(2).map_err(storage_error)?,
                    headers: decode_headers(&read(3)?).map_err(damaged)?,
                },
                response_headers: decode_headers(&read(4)?).map_err(damaged)?,
            };
            let matches = query.is_none_or(|query| {
                request_matches_cached_item(
                    query,
                    &candidate.request,
                    Some(&candidate.response_headers),
                    options,
                )
            });
            if matches {
                found.push(candidate);
            }
        }
        Ok(found)
    }

    /// The response of entry `id`, body included.
    fn response(
        &self,
        id: i64,
        headers: Vec<(String, String)>,
    ) -> Result<CacheResponse, CacheError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT response_type, url_list, status, status_text, redirected, body
                 FROM entries WHERE id = ?1",
            )
            .map_err(storage_error)?;
        let (response_type, url_list, status, status_text, redirected, body): (
            String,
            Vec<u8>,
            u16,
            String,
            bool,
            Vec<u8>,
        ) = statement
            .query_row([id], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })
            .map_err(storage_error)?;
        Ok(CacheResponse {
            response_type,
            url_list: decode_strings(&url_list).map_err(damaged)?,
            status,
            status_text,
            headers,
            body,
            redirected,
        })
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-cache-matchall> (and
    /// `match()`, with `only_first`): the responses of the entries of
    /// `cache` that `query` matches (every entry's for `None`), in
    /// insertion order.
    pub fn match_all(
        &self,
        cache: CacheId,
        query: Option<&CacheRequest>,
        options: &QueryOptions,
        only_first: bool,
    ) -> Result<Vec<CacheResponse>, CacheError> {
        let limit = only_first.then_some(1);
        self.query_cache(cache, query, options, limit)?
            .into_iter()
            .map(|candidate| self.response(candidate.id, candidate.response_headers))
            .collect()
    }

    /// <https://w3c.github.io/ServiceWorker/#dom-cache-keys>: the requests
    /// of the entries of `cache` that `query` matches (every entry's for
    /// `None`), in insertion order.
    pub fn keys(
        &self,
        cache: CacheId,
        query: Option<&CacheRequest>,
        options: &QueryOptions,
    ) -> Result<Vec<CacheRequest>, CacheError> {
        Ok(self
            .query_cache(cache, query, options, None)?
            .into_iter()
            .map(|candidate| candidate.request)
            .collect())
    }

    /// <https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm>
    /// on `cache`: every operation is applied, in one SQLite transaction, or
    /// none is. Per operation, whether it removed an entry.
    pub fn batch(
        &mut self,
        cache: CacheId,
        operations: Vec<CacheOp>,
    ) -> Result<Vec<bool>, CacheError> {
        // Step 2 (the backup of the cache) is the transaction's rollback.
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(storage_error)?;
        let result = self.batch_steps(cache, operations).and_then(|results| {
            self.connection
                .execute_batch("COMMIT")
                .map_err(storage_error)?;
            Ok(results)
        });
        // Step 5: if an exception was thrown, the cache is its backup again.
        // SQLite may have rolled back already (a write past the quota).
        if result.is_err() && self.in_transaction() {
            if let Err(error) = self.connection.execute_batch("ROLLBACK") {
                log::error!(target: crate::LOG_TARGET, "cannot roll back a batch: {error}");
            }
        }
        result
    }

    /// Step 4 of <https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm>,
    /// inside the batch's transaction.
    fn batch_steps(
        &mut self,
        cache: CacheId,
        operations: Vec<CacheOp>,
    ) -> Result<Vec<bool>, CacheError> {
        // Step 3: Let addedItems be an empty list (here: each put's request
        // and its response's headers, all matching needs).
        let mut added_items: Vec<(CacheRequest, Vec<(String, String)>)> = Vec::new();
        // Step 4.1: Let resultList be an empty list.
        let mut results = Vec::with_capacity(operations.len());
        // Step 4.2: For each operation in operations:
        for operation in operations {
            let (request, options) = match &operation {
                // A put has no options: the defaults.
                CacheOp::Put { request, .. } => (request, QueryOptions::default()),
                CacheOp::Delete { request, options } => (request, *options),
            };
            // Step 4.2.3: If the result of running Query Cache with
            // operation's request, operation's options, and addedItems is
            // not empty, throw an "InvalidStateError" DOMException.
            let in_added_items = added_items.iter().any(|(added, headers)| {
                request_matches_cached_item(request, added, Some(headers), &options)
            });
            if in_added_items {
                return Err(CacheError::new(
                    CacheErrorName::InvalidState,
                    format!(
                        "{} matches a request put earlier in the same batch.",
                        request.url
                    ),
                ));
            }
            match operation {
                // Step 4.2.5: delete the entries Query Cache finds.
                CacheOp::Delete { request, options } => {
                    let found = self.query_cache(cache, Some(&request), &options, None)?;
                    self.remove_entries(&found)?;
                    results.push(!found.is_empty());
                }
                // Step 4.2.6
                CacheOp::Put { request, response } => {
                    // Step 4.2.6.3: If r's url's scheme is not one of "http"
                    // and "https", throw a TypeError.
                    if !is_http_url(&request.url) {
                        return Err(type_error("Request scheme must be http or https."));
                    }
                    // Step 4.2.6.4: If r's method is not `GET`, throw a TypeError.
                    if request.method != "GET" {
                        return Err(type_error("Request method must be GET."));
                    }
                    // Steps 4.2.6.6-7: remove what Query Cache finds.
                    let found =
                        self.query_cache(cache, Some(&request), &QueryOptions::default(), None)?;
                    self.remove_entries(&found)?;
                    // Steps 4.2.6.8-9: append the entry; past the quota,
                    // QuotaExceededError (`storage_error`).
                    self.insert_entry(cache, &request, &response)?;
                    results.push(!found.is_empty());
                    // Step 4.2.6.10: Append operation's request and
                    // response to addedItems.
                    added_items.push((request, response.headers));
                }
            }
        }
        Ok(results)
    }

    fn remove_entries(&mut self, entries: &[Candidate]) -> Result<(), CacheError> {
        let mut statement = self
            .connection
            .prepare_cached("DELETE FROM entries WHERE id = ?1")
            .map_err(storage_error)?;
        for entry in entries {
            statement.execute([entry.id]).map_err(storage_error)?;
        }
        Ok(())
    }

    fn insert_entry(
        &mut self,
        cache: CacheId,
        request: &CacheRequest,
        response: &CacheResponse,
    ) -> Result<(), CacheError> {
        self.connection
            .prepare_cached(
                "INSERT INTO entries (cache_id, url, match_url, search_free_url, method,
                     request_headers, response_type, url_list, status, status_text,
                     response_headers, redirected, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    cache.0,
                    request.url,
                    without_fragment(&request.url),
                    without_query(&request.url),
                    request.method,
                    encode_headers(&request.headers),
                    response.response_type,
                    encode_strings(response.url_list.iter().map(String::as_str)),
                    response.status,
                    response.status_text,
                    encode_headers(&response.headers),
                    response.redirected,
                    response.body,
                ])
            })
            .map(drop)
            .map_err(storage_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_lookup_uses_an_index_not_a_scan() {
        let store = OriginStore::in_memory().unwrap();
        for (column, index) in [
            ("match_url", "entries_by_url"),
            ("search_free_url", "entries_by_search_free_url"),
        ] {
            let plan: Vec<String> = store
                .connection
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN {CANDIDATE_COLUMNS}
                     WHERE cache_id = 1 AND {column} = 'x' ORDER BY id"
                ))
                .unwrap()
                .query_map([], |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter()
                    .any(|step| step.starts_with("SEARCH entries") && step.contains(index)),
                "{column}: {plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN")),
                "{column}: {plan:?}"
            );
        }
    }

    #[test]
    fn only_http_urls_are_stored() {
        assert!(is_http_url("https://a.test/"));
        assert!(is_http_url("HTTP://a.test/"));
        assert!(!is_http_url("blob:https://a.test/1"));
        assert!(!is_http_url("data:text/plain,hi"));
        assert!(!is_http_url("relative"));
    }
}

//! IDBObjectStore (https://w3c.github.io/IndexedDB/#object-store-interface): a store as seen
//! through one transaction. Requests are checked here (the spec's exceptions, thrown at the
//! call), keys and index keys are computed on the JS value, and the value goes to the backend
//! as structured-clone bytes.

use std::cell::{Cell, OnceCell, RefCell};

use indexeddb_traits::{
    CursorDirection, CursorPosition, IndexSchema, Key, KeyPath, KeyRange, Operation, Source,
    StoreSchema,
};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::conversions::{Conv, FromJs};
use crate::dom::bindings::structuredclone::serialize;
use crate::dom::domexception::DOMErrorName;
use crate::dom::domstringlist::DOMStringList;
use crate::dom::idbcursor::{CursorSource, IDBCursor};
use crate::dom::idbcursorwithvalue::IDBCursorWithValue;
use crate::dom::idbindex::IDBIndex;
use crate::dom::idbkeys::{
    could_inject, extract_key, index_keys, is_potential_key_range, key_path_from,
    key_path_to_value, value_to_key, value_to_range,
};
use crate::dom::idbrequest::{IDBRequest, ResultKind};
use crate::dom::idbtransaction::{IDBTransaction, Placed, TransactionState};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBObjectStore {
    reflector: Reflector,
    transaction: Dom<IDBTransaction>,
    named: Named,
    indexes: RefCell<Vec<Dom<IDBIndex>>>,
    /// The store's key path if it also has a key generator (neither changes once the store
    /// exists), read from the schema once.
    #[no_trace]
    generated_key_path: OnceCell<Option<String>>,
}

/// The name of a store or index object, which an upgrade may change, and whether the upgrade
/// deleted what it names (its methods then throw InvalidStateError).
#[derive(Trace)]
pub struct Named {
    name: RefCell<String>,
    deleted: Cell<bool>,
}

impl Named {
    pub fn new(name: String) -> Named {
        Named {
            name: RefCell::new(name),
            deleted: Cell::new(false),
        }
    }

    pub fn get(&self) -> String {
        self.name.borrow().clone()
    }

    pub fn set(&self, name: String) {
        *self.name.borrow_mut() = name;
    }

    pub fn is(&self, name: &str) -> bool {
        *self.name.borrow() == name
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted.get()
    }

    pub fn mark_deleted(&self) {
        self.deleted.set(true);
    }
}

fn data_error(message: impl Into<String>) -> Error {
    Error::dom(DOMErrorName::DataError, message.into())
}

impl IDBObjectStore {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        transaction: &IDBTransaction,
        name: String,
    ) -> DomRoot<IDBObjectStore> {
        IDBObjectStoreBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBObjectStore {
                reflector: Reflector::new(),
                transaction: Dom::from_ref(transaction),
                named: Named::new(name),
                indexes: RefCell::new(Vec::new()),
                generated_key_path: OnceCell::new(),
            }),
        )
    }

    pub fn named_is(&self, name: &str) -> bool {
        self.named.is(name)
    }

    pub fn name(&self) -> String {
        self.named.get()
    }

    pub fn is_deleted(&self) -> bool {
        self.named.is_deleted()
    }

    pub(crate) fn mark_deleted(&self) {
        self.named.mark_deleted();
    }

    /// The transaction, borrowed rather than rooted (the store keeps it alive).
    pub(crate) fn transaction_ref(&self) -> &IDBTransaction {
        &self.transaction
    }

    pub fn transaction(&self) -> DomRoot<IDBTransaction> {
        DomRoot::from_ref(&self.transaction)
    }

    /// The store's schema as the connection has it now.
    pub fn schema(&self) -> Fallible<StoreSchema> {
        if self.named.is_deleted() {
            return Err(Error::invalid_state("The object store has been deleted."));
        }
        self.transaction
            .db()
            .store_schema(&self.named.get())
            .ok_or_else(|| Error::invalid_state("The object store has been deleted."))
    }

    /// InvalidStateError once the store was deleted; like `schema()` without copying it.
    pub fn exists(&self) -> Fallible<()> {
        if self.named.is_deleted()
            || !self
                .transaction
                .connection()
                .has_store_where(|store| self.named.is(&store.name))
        {
            return Err(Error::invalid_state("The object store has been deleted."));
        }
        Ok(())
    }

    /// The key path a key generator's keys are injected at, if the store has both.
    pub fn generated_key_path(&self) -> Option<&str> {
        self.generated_key_path
            .get_or_init(|| match self.schema().ok()? {
                StoreSchema {
                    key_path: Some(KeyPath::String(path)),
                    auto_increment: true,
                    ..
                } => Some(path),
                _ => None,
            })
            .as_deref()
    }

    /// The checks every request makes, in the spec's order: the store exists, the transaction
    /// is active, and it may write if the request does.
    pub(crate) fn check(&self, write: bool) -> Fallible<StoreSchema> {
        let schema = self.schema()?;
        self.transaction.check_active()?;
        if write {
            self.transaction.check_writable()?;
        }
        Ok(schema)
    }

    /// `check()` for a read, which needs nothing of the schema.
    pub(crate) fn check_read(&self) -> Fallible<()> {
        self.exists()?;
        self.transaction.check_active()
    }

    /// Places a read or a write and returns its request.
    pub(crate) fn request(
        &self,
        cx: &mut JSContext,
        index: Option<&IDBIndex>,
        operation: Operation,
        kind: ResultKind,
    ) -> DomRoot<IDBRequest> {
        let request = IDBRequest::new(cx, self.global(), &self.transaction, self, index, kind);
        self.transaction
            .place(Placed::Request(Dom::from_ref(&*request)), operation);
        request
    }

    pub(crate) fn source(&self, index: Option<&IDBIndex>) -> Source {
        Source {
            store: self.name(),
            index: index.map(|index| index.name()),
        }
    }

    /// `put()` and `add()`: <https://w3c.github.io/IndexedDB/#add-or-put>.
    fn put_or_add(
        &self,
        cx: &mut JSContext,
        value: HandleValue<'_>,
        key: Option<HandleValue<'_>>,
        overwrite: bool,
    ) -> Fallible<DomRoot<IDBRequest>> {
        let schema = self.check(true)?;
        let key = key.filter(|key| !key.get().is_undefined());
        if schema.key_path.is_some() && key.is_some() {
            return Err(data_error(
                "The object store uses in-line keys and the key parameter was provided.",
            ));
        }
        if schema.key_path.is_none() && !schema.auto_increment && key.is_none() {
            return Err(data_error(
                "The object store uses out-of-line keys, has no key generator, and no key was given.",
            ));
        }
        let key = match key {
            // SAFETY: bindings call in the object's realm with rooted arguments.
            Some(key) => Some(unsafe { value_to_key(cx, key)? }),
            None => None,
        };
        self.write(cx, value, key, overwrite, None)
    }

    /// Stores `value` (a structured clone of it) under `key`, or under the key its key path
    /// gives, or a generated one; `cursor`: an `update()` of the record at `key`, whose
    /// in-line key must stay the same.
    pub(crate) fn write(
        &self,
        cx: &mut JSContext,
        value: HandleValue<'_>,
        key: Option<Key>,
        overwrite: bool,
        cursor: Option<&IDBCursor>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        let schema = self.schema()?;
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let (key, bytes, index_entries) = unsafe {
            let given = key;
            let mut key = if schema.key_path.is_some() {
                None
            } else {
                given.clone()
            };
            let bytes = serialize(cx, value)?;
            if let Some(path) = &schema.key_path {
                match extract_key(cx, value, path)? {
                    Some(found) => {
                        if cursor.is_some() && given.as_ref() != Some(&found) {
                            return Err(data_error(
                                "The value's key is not the record's key at the cursor.",
                            ));
                        }
                        key = Some(found)
                    }
                    None => {
                        let KeyPath::String(path) = path else {
                            return Err(data_error("The value has no key at the key path."));
                        };
                        if !schema.auto_increment || cursor.is_some() {
                            return Err(data_error(
                                "The object store's key path yields no key and it has no key generator.",
                            ));
                        }
                        if !could_inject(cx, value, path)? {
                            return Err(data_error(
                                "A generated key could not be set in the value.",
                            ));
                        }
                    }
                }
            }
            let mut entries = Vec::new();
            for index in &schema.indexes {
                let keys = index_keys(cx, value, &index.key_path, index.multi_entry)?;
                if !keys.is_empty() {
                    entries.push((index.name.clone(), keys));
                }
            }
            (key, bytes, entries)
        };
        let operation = Operation::Put {
            store: self.name(),
            key,
            value: bytes,
            overwrite,
            index_keys: index_entries,
        };
        Ok(match cursor {
            Some(cursor) => {
                let request = IDBRequest::for_cursor(
                    cx,
                    self.global(),
                    &self.transaction,
                    cursor,
                    ResultKind::Key,
                );
                self.transaction
                    .place(Placed::Request(Dom::from_ref(&*request)), operation);
                request
            }
            None => self.request(cx, None, operation, ResultKind::Key),
        })
    }

    /// `get`, `getKey`, `getAll`, `getAllKeys` and `count` of this store or of `index`.
    pub(crate) fn read(
        &self,
        cx: &mut JSContext,
        index: Option<&IDBIndex>,
        query: Option<HandleValue<'_>>,
        count: Option<u32>,
        kind: ResultKind,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.check_read()?;
        if let Some(index) = index {
            index.exists()?;
        }
        // `get` and `getKey` need a key or range; the others take every key without one.
        let single = matches!(kind, ResultKind::Value | ResultKind::PrimaryKey);
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let range: KeyRange = unsafe { value_to_range(cx, query, !single)? };
        let source = self.source(index);
        let operation = match kind {
            ResultKind::Count => Operation::Count { source, range },
            _ => Operation::GetAll {
                source,
                range,
                limit: if single {
                    Some(1)
                } else {
                    count.filter(|count| *count > 0)
                },
            },
        };
        Ok(self.request(cx, index, operation, kind))
    }

    /// `getAll()`, `getAllKeys()` (`query_or_options`, `count`) and `getAllRecords()`
    /// (`options`) of this store or of `index`: https://w3c.github.io/IndexedDB/#create-a-request-to-retrieve-multiple-items
    pub(crate) fn read_all(
        &self,
        cx: &mut JSContext,
        index: Option<&IDBIndex>,
        query_or_options: ReadAllArgs<'_, '_>,
        kind: ResultKind,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.check_read()?;
        if let Some(index) = index {
            index.exists()?;
        }
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let (range, count, direction) = unsafe {
            match query_or_options {
                // No query (undefined, null: `getAll(null, 3)`), as in browsers, or a key or
                // range.
                ReadAllArgs::Query(query, count)
                    if query.is_none_or(|query| query.get().is_null_or_undefined()) =>
                {
                    (KeyRange::all(), count, IDBCursorDirection::Next)
                }
                ReadAllArgs::Query(Some(query), count) if is_potential_key_range(cx, query)? => (
                    value_to_range(cx, Some(query), true)?,
                    count,
                    IDBCursorDirection::Next,
                ),
                ReadAllArgs::Query(value, _) => {
                    let undefined = RootedValue::undefined();
                    let value = value.unwrap_or(undefined.handle());
                    let options = IDBGetAllOptions::from_js(cx, value, &Conv::plain("getAll"))?;
                    let range = value_to_range(cx, Some(options.query.handle()), true)?;
                    (range, options.count, options.direction)
                }
                ReadAllArgs::Options(options) => {
                    let range = value_to_range(cx, Some(options.query.handle()), true)?;
                    (range, options.count, options.direction)
                }
            }
        };
        let source = self.source(index);
        let limit = count.filter(|count| *count > 0);
        // Record keys are unique: on a store, "nextunique" is "next".
        let forward = matches!(direction, IDBCursorDirection::Next)
            || (matches!(direction, IDBCursorDirection::Nextunique) && index.is_none());
        let operation = match direction {
            _ if forward => Operation::GetAll {
                source,
                range,
                limit,
            },
            // Other directions are one cursor step that reads every record (or `count`).
            direction => Operation::Cursor {
                source,
                range,
                direction: cursor_direction(direction),
                position: CursorPosition::Start,
                skip: 0,
                count: limit.unwrap_or(u32::MAX),
            },
        };
        Ok(self.request(cx, index, operation, kind))
    }

    /// `openCursor` / `openKeyCursor` of this store or of `index`.
    pub(crate) fn open_cursor(
        &self,
        cx: &mut JSContext,
        index: Option<&IDBIndex>,
        query: Option<HandleValue<'_>>,
        direction: IDBCursorDirection,
        key_only: bool,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.check_read()?;
        if let Some(index) = index {
            index.exists()?;
        }
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let range = unsafe { value_to_range(cx, query, true)? };
        let direction = cursor_direction(direction);
        let source = CursorSource {
            store: self,
            index,
            direction,
            range,
            key_only,
        };
        let global = self.global();
        let cursor = if key_only {
            IDBCursor::new(cx, global, source)
        } else {
            DomRoot::upcast(IDBCursorWithValue::new(cx, global, source))
        };
        let request = IDBRequest::new(
            cx,
            global,
            &self.transaction,
            self,
            index,
            ResultKind::Cursor,
        );
        request.set_cursor(&cursor);
        cursor.set_request(&request);
        self.transaction.place(
            Placed::Request(Dom::from_ref(&*request)),
            cursor.step(CursorPosition::Start, 0),
        );
        Ok(request)
    }

    /// The index named `name` of this store object, one object per name.
    fn index_object(&self, cx: &mut JSContext, name: &str) -> DomRoot<IDBIndex> {
        if let Some(index) = self
            .indexes
            .borrow()
            .iter()
            .find(|index| index.name() == name && !index.is_deleted())
        {
            return DomRoot::from_ref(&**index);
        }
        let index = IDBIndex::new(cx, self.global(), self, name.to_owned());
        self.indexes.borrow_mut().push(Dom::from_ref(&*index));
        index
    }

    /// The upgrade transaction this store object belongs to, active (for schema changes).
    fn upgrade(&self) -> Fallible<DomRoot<IDBTransaction>> {
        if !self.transaction.is_upgrade() {
            return Err(Error::invalid_state(
                "The object store's transaction is not an upgrade transaction.",
            ));
        }
        self.schema()?;
        self.transaction.check_active()?;
        Ok(self.transaction())
    }
}

impl IDBObjectStoreMethods for IDBObjectStore {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name()
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbobjectstore-name>
    fn SetName(&self, _cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        let transaction = self.upgrade()?;
        let current = self.name();
        if value == current {
            return Ok(());
        }
        let db = transaction.db();
        if db.has_store(&value) {
            return Err(Error::dom(
                DOMErrorName::ConstraintError,
                format!("An object store named '{value}' already exists."),
            ));
        }
        db.rename_store(&current, &value);
        self.named.set(value.clone());
        transaction.place(
            Placed::Internal,
            Operation::RenameObjectStore {
                from: current,
                to: value,
            },
        );
        Ok(())
    }
    fn KeyPath(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        let schema = self.schema()?;
        rooted!(&in(cx) let mut value = UndefinedValue());
        // SAFETY: bindings call in the object's realm; `value` is rooted.
        unsafe { key_path_to_value(cx, schema.key_path.as_ref(), value.handle_mut()) };
        Ok(value.get())
    }
    fn IndexNames(&self, cx: &mut JSContext) -> DomRoot<DOMStringList> {
        let mut names: Vec<String> = self
            .schema()
            .map(|schema| schema.indexes.into_iter().map(|index| index.name).collect())
            .unwrap_or_default();
        names.sort();
        DOMStringList::new(cx, self.global(), names)
    }
    fn Transaction(&self, _cx: &mut JSContext) -> DomRoot<IDBTransaction> {
        self.transaction()
    }
    fn AutoIncrement(&self, _cx: &mut JSContext) -> bool {
        self.schema().is_ok_and(|schema| schema.auto_increment)
    }
    fn Put(
        &self,
        cx: &mut JSContext,
        value: HandleValue<'_>,
        key: Option<HandleValue<'_>>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.put_or_add(cx, value, key, true)
    }
    fn Add(
        &self,
        cx: &mut JSContext,
        value: HandleValue<'_>,
        key: Option<HandleValue<'_>>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.put_or_add(cx, value, key, false)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbobjectstore-delete>
    fn Delete(&self, cx: &mut JSContext, query: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        self.check(true)?;
        // SAFETY: bindings call in the object's realm with rooted arguments.
        let range = unsafe { value_to_range(cx, Some(query), false)? };
        let store = self.name();
        Ok(self.request(
            cx,
            None,
            Operation::Delete { store, range },
            ResultKind::Undefined,
        ))
    }
    fn Clear(&self, cx: &mut JSContext) -> Fallible<DomRoot<IDBRequest>> {
        self.check(true)?;
        let store = self.name();
        Ok(self.request(cx, None, Operation::Clear { store }, ResultKind::Undefined))
    }
    fn Get(&self, cx: &mut JSContext, query: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, None, Some(query), None, ResultKind::Value)
    }
    fn GetKey(&self, cx: &mut JSContext, query: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, None, Some(query), None, ResultKind::PrimaryKey)
    }
    fn GetAll(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        count: Option<u32>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.read_all(
            cx,
            None,
            ReadAllArgs::Query(query, count),
            ResultKind::Values,
        )
    }
    fn GetAllKeys(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        count: Option<u32>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.read_all(
            cx,
            None,
            ReadAllArgs::Query(query, count),
            ResultKind::PrimaryKeys,
        )
    }
    fn GetAllRecords(
        &self,
        cx: &mut JSContext,
        options: &IDBGetAllOptions,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.read_all(cx, None, ReadAllArgs::Options(options), ResultKind::Records)
    }
    fn Count(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, None, query, None, ResultKind::Count)
    }
    fn OpenCursor(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        direction: IDBCursorDirection,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.open_cursor(cx, None, query, direction, false)
    }
    fn OpenKeyCursor(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        direction: IDBCursorDirection,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.open_cursor(cx, None, query, direction, true)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbobjectstore-index>
    fn Index(&self, cx: &mut JSContext, name: DOMString) -> Fallible<DomRoot<IDBIndex>> {
        let schema = self.schema()?;
        if self.transaction.state() == TransactionState::Finished {
            return Err(Error::invalid_state("The transaction has finished."));
        }
        if !schema.indexes.iter().any(|index| index.name == name) {
            return Err(Error::not_found(format!("No index named '{name}'.")));
        }
        Ok(self.index_object(cx, &name))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbobjectstore-createindex>
    fn CreateIndex(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        key_path: StringOrStringSequence,
        options: &IDBIndexParameters,
    ) -> Fallible<DomRoot<IDBIndex>> {
        let transaction = self.upgrade()?;
        let schema = self.schema()?;
        if schema.indexes.iter().any(|index| index.name == name) {
            return Err(Error::dom(
                DOMErrorName::ConstraintError,
                format!("An index named '{name}' already exists."),
            ));
        }
        let key_path = key_path_from(&key_path)?;
        if options.multi_entry && matches!(key_path, KeyPath::Array(_)) {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "A multiEntry index cannot have an array key path.",
            ));
        }
        let index = IndexSchema {
            name: name.clone(),
            key_path,
            unique: options.unique,
            multi_entry: options.multi_entry,
        };
        let store = self.name();
        transaction
            .db()
            .edit_store(&store, |schema| schema.indexes.push(index.clone()));
        transaction.place(
            Placed::IndexBuild(store.clone(), name.clone()),
            Operation::CreateIndex {
                store,
                schema: index,
            },
        );
        Ok(self.index_object(cx, &name))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbobjectstore-deleteindex>
    fn DeleteIndex(&self, _cx: &mut JSContext, name: DOMString) -> Fallible<()> {
        let transaction = self.upgrade()?;
        let schema = self.schema()?;
        if !schema.indexes.iter().any(|index| index.name == name) {
            return Err(Error::not_found(format!("No index named '{name}'.")));
        }
        let store = self.name();
        transaction.db().edit_store(&store, |schema| {
            schema.indexes.retain(|index| index.name != name)
        });
        self.indexes.borrow_mut().retain(|index| {
            if index.name() == name {
                index.mark_deleted();
                false
            } else {
                true
            }
        });
        transaction.place(Placed::Internal, Operation::DeleteIndex { store, name });
        Ok(())
    }
}

/// The arguments of `getAll()`/`getAllKeys()` (a query or options, and a count), or those of
/// `getAllRecords()` (options).
pub(crate) enum ReadAllArgs<'a, 'b> {
    Query(Option<HandleValue<'a>>, Option<u32>),
    Options(&'b IDBGetAllOptions),
}

fn cursor_direction(direction: IDBCursorDirection) -> CursorDirection {
    match direction {
        IDBCursorDirection::Next => CursorDirection::Next,
        IDBCursorDirection::Nextunique => CursorDirection::NextUnique,
        IDBCursorDirection::Prev => CursorDirection::Prev,
        IDBCursorDirection::Prevunique => CursorDirection::PrevUnique,
    }
}

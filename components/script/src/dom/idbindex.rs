//! IDBIndex (https://w3c.github.io/IndexedDB/#index-interface): an index of a store, read
//! through one transaction. Its reads are the store's ([`IDBObjectStore::read`]) through it.

use indexeddb_traits::{IndexSchema, Operation};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::domexception::DOMErrorName;
use crate::dom::idbkeys::key_path_to_value;
use crate::dom::idbobjectstore::{IDBObjectStore, Named, ReadAllArgs};
use crate::dom::idbrequest::{IDBRequest, ResultKind};
use crate::dom::idbtransaction::Placed;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBIndex {
    reflector: Reflector,
    store: Dom<IDBObjectStore>,
    named: Named,
}

impl IDBIndex {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        store: &IDBObjectStore,
        name: String,
    ) -> DomRoot<IDBIndex> {
        IDBIndexBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBIndex {
                reflector: Reflector::new(),
                store: Dom::from_ref(store),
                named: Named::new(name),
            }),
        )
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

    pub fn object_store(&self) -> DomRoot<IDBObjectStore> {
        DomRoot::from_ref(&self.store)
    }

    /// InvalidStateError once the index or its store was deleted; like `schema()` without
    /// copying anything.
    pub fn exists(&self) -> Fallible<()> {
        self.store.exists()?;
        if self.named.is_deleted()
            || !self
                .store
                .transaction_ref()
                .connection()
                .has_store_where(|store| {
                    self.store.named_is(&store.name)
                        && store.indexes.iter().any(|index| self.named.is(&index.name))
                })
        {
            return Err(Error::invalid_state(
                "The index or its object store has been deleted.",
            ));
        }
        Ok(())
    }

    /// The index's schema; InvalidStateError once it or its store was deleted.
    pub fn schema(&self) -> Fallible<IndexSchema> {
        let gone = || Error::invalid_state("The index or its object store has been deleted.");
        if self.named.is_deleted() {
            return Err(gone());
        }
        let store = self.store.schema()?;
        store
            .indexes
            .into_iter()
            .find(|index| self.named.is(&index.name))
            .ok_or_else(gone)
    }

    fn read(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        count: Option<u32>,
        kind: ResultKind,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.store.read(cx, Some(self), query, count, kind)
    }
}

impl IDBIndexMethods for IDBIndex {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.name()
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbindex-name>
    fn SetName(&self, _cx: &mut JSContext, value: DOMString) -> Fallible<()> {
        let transaction = self.store.transaction();
        if !transaction.is_upgrade() {
            return Err(Error::invalid_state(
                "The index's transaction is not an upgrade transaction.",
            ));
        }
        self.schema()?;
        transaction.check_active()?;
        let current = self.name();
        if value == current {
            return Ok(());
        }
        let store = self.store.name();
        let db = transaction.db();
        if db.index_schema(&store, &value).is_some() {
            return Err(Error::dom(
                DOMErrorName::ConstraintError,
                format!("An index named '{value}' already exists."),
            ));
        }
        db.edit_store(&store, |schema| {
            if let Some(index) = schema
                .indexes
                .iter_mut()
                .find(|index| index.name == current)
            {
                index.name = value.clone();
            }
        });
        self.named.set(value.clone());
        transaction.place(
            Placed::Internal,
            Operation::RenameIndex {
                store,
                from: current,
                to: value,
            },
        );
        Ok(())
    }
    fn ObjectStore(&self, _cx: &mut JSContext) -> DomRoot<IDBObjectStore> {
        self.object_store()
    }
    fn KeyPath(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        let schema = self.schema()?;
        rooted!(&in(cx) let mut value = UndefinedValue());
        // SAFETY: bindings call in the object's realm; `value` is rooted.
        unsafe { key_path_to_value(cx, Some(&schema.key_path), value.handle_mut()) };
        Ok(value.get())
    }
    fn MultiEntry(&self, _cx: &mut JSContext) -> bool {
        self.schema().is_ok_and(|schema| schema.multi_entry)
    }
    fn Unique(&self, _cx: &mut JSContext) -> bool {
        self.schema().is_ok_and(|schema| schema.unique)
    }
    fn Get(&self, cx: &mut JSContext, query: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, Some(query), None, ResultKind::Value)
    }
    fn GetKey(&self, cx: &mut JSContext, query: HandleValue<'_>) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, Some(query), None, ResultKind::PrimaryKey)
    }
    fn GetAll(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        count: Option<u32>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.store.read_all(
            cx,
            Some(self),
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
        self.store.read_all(
            cx,
            Some(self),
            ReadAllArgs::Query(query, count),
            ResultKind::PrimaryKeys,
        )
    }
    fn GetAllRecords(
        &self,
        cx: &mut JSContext,
        options: &IDBGetAllOptions,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.store.read_all(
            cx,
            Some(self),
            ReadAllArgs::Options(options),
            ResultKind::Records,
        )
    }
    fn Count(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.read(cx, query, None, ResultKind::Count)
    }
    fn OpenCursor(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        direction: IDBCursorDirection,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.store
            .open_cursor(cx, Some(self), query, direction, false)
    }
    fn OpenKeyCursor(
        &self,
        cx: &mut JSContext,
        query: Option<HandleValue<'_>>,
        direction: IDBCursorDirection,
    ) -> Fallible<DomRoot<IDBRequest>> {
        self.store
            .open_cursor(cx, Some(self), query, direction, true)
    }
}

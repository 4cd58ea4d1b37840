//! IDBDatabase (https://w3c.github.io/IndexedDB/#database-interface): a connection, with the
//! database's schema as this connection sees it.

use std::cell::{Cell, RefCell};

use indexeddb_traits::{
    DatabaseSchema, DurabilityHint, IdbMsg, IndexSchema, Operation, StoreSchema, TransactionMode,
};

use crate::dom::domexception::DOMErrorName;
use crate::dom::domstringlist::DOMStringList;
use crate::dom::eventtarget::EventTarget;
use crate::dom::idbkeys::key_path_from;
use crate::dom::idbobjectstore::IDBObjectStore;
use crate::dom::idbtransaction::{IDBTransaction, Placed};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBDatabase {
    eventtarget: EventTarget,
    number: u64,
    #[no_trace]
    schema: RefCell<DatabaseSchema>,
    close_pending: Cell<bool>,
    /// The upgrade transaction while it runs.
    upgrade: MutNullableDom<IDBTransaction>,
}

impl IDBDatabase {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        number: u64,
        schema: DatabaseSchema,
    ) -> DomRoot<IDBDatabase> {
        IDBDatabaseBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBDatabase {
                eventtarget: EventTarget::new_inherited(),
                number,
                schema: RefCell::new(schema),
                close_pending: Cell::new(false),
                upgrade: MutNullableDom::default(),
            }),
        )
    }

    pub fn number(&self) -> u64 {
        self.number
    }

    pub fn close_pending(&self) -> bool {
        self.close_pending.get()
    }

    /// The engine closed the connection (its site's data was cleared).
    pub(crate) fn force_closed(&self) {
        self.close_pending.set(true);
    }

    pub(crate) fn set_version(&self, version: u64) {
        self.schema.borrow_mut().version = version;
    }

    pub(crate) fn set_upgrade(&self, transaction: &IDBTransaction) {
        self.upgrade.set(Some(transaction));
    }

    pub(crate) fn upgrade_finished(&self) {
        self.upgrade.set(None);
    }

    /// The running upgrade transaction, for schema changes; InvalidStateError outside one,
    /// TransactionInactiveError when it is not active.
    pub(crate) fn active_upgrade(&self) -> Fallible<DomRoot<IDBTransaction>> {
        let Some(upgrade) = self.upgrade.get() else {
            return Err(Error::invalid_state(
                "The database is not running an upgrade transaction.",
            ));
        };
        upgrade.check_active()?;
        Ok(upgrade)
    }

    pub fn store_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .schema
            .borrow()
            .stores
            .iter()
            .map(|store| store.name.clone())
            .collect();
        names.sort();
        names
    }

    pub fn has_store(&self, name: &str) -> bool {
        self.schema
            .borrow()
            .stores
            .iter()
            .any(|store| store.name == name)
    }

    pub fn store_schema(&self, name: &str) -> Option<StoreSchema> {
        self.schema
            .borrow()
            .stores
            .iter()
            .find(|store| store.name == name)
            .cloned()
    }

    /// Whether a store of the schema is as `wanted` says, without copying it.
    pub fn has_store_where(&self, wanted: impl Fn(&StoreSchema) -> bool) -> bool {
        self.schema.borrow().stores.iter().any(wanted)
    }

    pub fn index_schema(&self, store: &str, index: &str) -> Option<IndexSchema> {
        self.store_schema(store)?
            .indexes
            .into_iter()
            .find(|schema| schema.name == index)
    }

    /// Changes the schema of store `name` (during an upgrade).
    pub(crate) fn edit_store(&self, name: &str, edit: impl FnOnce(&mut StoreSchema)) {
        if let Some(store) = self
            .schema
            .borrow_mut()
            .stores
            .iter_mut()
            .find(|store| store.name == name)
        {
            edit(store);
        }
    }

    pub(crate) fn rename_store(&self, from: &str, to: &str) {
        self.edit_store(from, |store| store.name = to.to_owned());
        if let Some(upgrade) = self.upgrade.get() {
            upgrade.scope_changed(self.store_names());
        }
    }
}

impl IDBDatabaseMethods for IDBDatabase {
    fn Name(&self, _cx: &mut JSContext) -> DOMString {
        self.schema.borrow().name.clone()
    }
    fn Version(&self, _cx: &mut JSContext) -> u64 {
        self.schema.borrow().version
    }
    fn ObjectStoreNames(&self, cx: &mut JSContext) -> DomRoot<DOMStringList> {
        DOMStringList::new(cx, self.global(), self.store_names())
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbdatabase-transaction>
    fn Transaction(
        &self,
        cx: &mut JSContext,
        store_names: StringOrStringSequence,
        mode: IDBTransactionMode,
        options: &IDBTransactionOptions,
    ) -> Fallible<DomRoot<IDBTransaction>> {
        if self.upgrade.get().is_some() {
            return Err(Error::invalid_state(
                "An upgrade transaction is running on this connection.",
            ));
        }
        if self.close_pending.get() {
            return Err(Error::invalid_state("The connection is closing."));
        }
        let names = match store_names {
            StringOrStringSequence::String(name) => vec![name],
            StringOrStringSequence::StringSequence(names) => names,
        };
        if let Some(missing) = names.iter().find(|name| !self.has_store(name)) {
            return Err(Error::not_found(format!(
                "No object store named '{missing}'."
            )));
        }
        if names.is_empty() {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "A transaction needs at least one object store.",
            ));
        }
        let mode = match mode {
            IDBTransactionMode::Readonly => TransactionMode::ReadOnly,
            IDBTransactionMode::Readwrite => TransactionMode::ReadWrite,
            IDBTransactionMode::Versionchange => {
                return Err(Error::Type(
                    "A versionchange transaction cannot be created with transaction().".into(),
                ))
            }
        };
        let durability = match options.durability {
            IDBTransactionDurability::Default => DurabilityHint::Default,
            IDBTransactionDurability::Strict => DurabilityHint::Strict,
            IDBTransactionDurability::Relaxed => DurabilityHint::Relaxed,
        };
        let global = self.global();
        let factory = global
            .indexeddb_factory()
            .ok_or_else(|| Error::invalid_state("IndexedDB is not available."))?;
        let number = factory.next_number();
        let transaction = IDBTransaction::new(
            cx,
            global,
            self,
            number,
            mode,
            durability,
            names.clone(),
            self.schema.borrow().version,
        );
        factory.add_transaction(&transaction);
        factory.send(IdbMsg::Begin {
            connection: self.number,
            transaction: number,
            stores: names,
            mode,
            durability,
        });
        Ok(transaction)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbdatabase-close>
    fn Close(&self, _cx: &mut JSContext) {
        if self.close_pending.replace(true) {
            return;
        }
        if let Some(factory) = self.global().indexeddb_factory() {
            factory.connection_closed(self.number);
        }
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbdatabase-createobjectstore>
    fn CreateObjectStore(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        options: &IDBObjectStoreParameters,
    ) -> Fallible<DomRoot<IDBObjectStore>> {
        let upgrade = self.active_upgrade()?;
        let key_path = options.key_path.as_ref().map(key_path_from).transpose()?;
        if self.has_store(&name) {
            return Err(Error::dom(
                DOMErrorName::ConstraintError,
                format!("An object store named '{name}' already exists."),
            ));
        }
        let bad_generator = match &key_path {
            Some(indexeddb_traits::KeyPath::String(path)) => path.is_empty(),
            Some(indexeddb_traits::KeyPath::Array(_)) => true,
            None => false,
        };
        if options.auto_increment && bad_generator {
            return Err(Error::dom(
                DOMErrorName::InvalidAccessError,
                "A store with a key generator needs a non-empty string key path, or none.",
            ));
        }
        self.schema.borrow_mut().stores.push(StoreSchema {
            name: name.clone(),
            key_path: key_path.clone(),
            auto_increment: options.auto_increment,
            indexes: Vec::new(),
        });
        upgrade.place(
            Placed::Internal,
            Operation::CreateObjectStore {
                name: name.clone(),
                key_path,
                auto_increment: options.auto_increment,
            },
        );
        Ok(upgrade.store_object(cx, &name))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbdatabase-deleteobjectstore>
    fn DeleteObjectStore(&self, _cx: &mut JSContext, name: DOMString) -> Fallible<()> {
        let upgrade = self.active_upgrade()?;
        if !self.has_store(&name) {
            return Err(Error::not_found(format!("No object store named '{name}'.")));
        }
        self.schema
            .borrow_mut()
            .stores
            .retain(|store| store.name != name);
        upgrade.forget_store(&name);
        upgrade.place(Placed::Internal, Operation::DeleteObjectStore { name });
        Ok(())
    }
}

//! Which transactions of a database may run:
//! <https://w3c.github.io/IndexedDB/#transaction-scheduling>.
//!
//! A transaction waits while an earlier transaction that is not finished
//! has an overlapping scope and either of the two is not `readonly`. So
//! readonly transactions over the same stores run together, a readwrite
//! transaction waits for every earlier one it overlaps, and transactions
//! over other stores are not held up at all. A `versionchange` transaction
//! covers the whole database. Pure state: no threads, no storage; the
//! backend asks it and starts what it says.

use std::collections::{BTreeMap, BTreeSet};

/// A transaction's number; numbers grow in creation order.
pub type TransactionNumber = u64;

/// <https://w3c.github.io/IndexedDB/#transaction-mode>.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    ReadOnly,
    ReadWrite,
    VersionChange,
}

/// The object stores a transaction may touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Named stores.
    Stores(BTreeSet<String>),
    /// Every store of the database (a `versionchange` transaction).
    Everything,
}

impl Scope {
    fn overlaps(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::Everything, _) | (_, Scope::Everything) => true,
            (Scope::Stores(a), Scope::Stores(b)) => !a.is_disjoint(b),
        }
    }
}

#[derive(Debug)]
struct Transaction {
    mode: Mode,
    scope: Scope,
    running: bool,
}

/// The unfinished transactions of one database.
#[derive(Debug, Default)]
pub struct Scheduler {
    transactions: BTreeMap<TransactionNumber, Transaction>,
}

impl Scheduler {
    /// Adds transaction `number` (larger than every number given before);
    /// the transactions that may start now, in creation order (it, or
    /// nothing).
    pub fn add(
        &mut self,
        number: TransactionNumber,
        mode: Mode,
        scope: Scope,
    ) -> Vec<TransactionNumber> {
        debug_assert!(
            self.transactions.keys().all(|earlier| *earlier < number),
            "transactions are numbered in creation order"
        );
        let scope = match mode {
            Mode::VersionChange => Scope::Everything,
            _ => scope,
        };
        self.transactions.insert(
            number,
            Transaction {
                mode,
                scope,
                running: false,
            },
        );
        self.start_what_may()
    }

    /// Transaction `number` finished (committed or aborted); the waiting
    /// transactions that may start now, in creation order.
    pub fn finish(&mut self, number: TransactionNumber) -> Vec<TransactionNumber> {
        self.transactions.remove(&number);
        self.start_what_may()
    }

    /// Whether `number` has started and not finished.
    pub fn is_running(&self, number: TransactionNumber) -> bool {
        self.transactions
            .get(&number)
            .is_some_and(|transaction| transaction.running)
    }

    /// Whether `number` waits to start.
    pub fn is_waiting(&self, number: TransactionNumber) -> bool {
        self.transactions
            .get(&number)
            .is_some_and(|transaction| !transaction.running)
    }

    /// Whether an earlier unfinished transaction holds `number` back.
    fn blocked(&self, number: TransactionNumber) -> bool {
        let Some(transaction) = self.transactions.get(&number) else {
            return false;
        };
        self.transactions.range(..number).any(|(_, earlier)| {
            earlier.scope.overlaps(&transaction.scope)
                && (earlier.mode != Mode::ReadOnly || transaction.mode != Mode::ReadOnly)
        })
    }

    fn start_what_may(&mut self) -> Vec<TransactionNumber> {
        let waiting: Vec<TransactionNumber> = self
            .transactions
            .iter()
            .filter(|(_, transaction)| !transaction.running)
            .map(|(number, _)| *number)
            .collect();
        let startable: Vec<TransactionNumber> = waiting
            .into_iter()
            .filter(|number| !self.blocked(*number))
            .collect();
        for number in &startable {
            if let Some(transaction) = self.transactions.get_mut(number) {
                transaction.running = true;
            }
        }
        startable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stores(names: &[&str]) -> Scope {
        Scope::Stores(names.iter().map(|name| name.to_string()).collect())
    }

    #[test]
    fn readers_of_one_store_run_together_and_a_writer_waits_for_them() {
        let mut scheduler = Scheduler::default();
        assert_eq!(scheduler.add(1, Mode::ReadOnly, stores(&["a"])), [1]);
        assert_eq!(scheduler.add(2, Mode::ReadOnly, stores(&["a"])), [2]);
        assert_eq!(
            scheduler.add(3, Mode::ReadWrite, stores(&["a", "b"])),
            Vec::<u64>::new()
        );
        // A reader created after the writer waits for it, though the
        // earlier readers run: creation order is kept.
        assert_eq!(
            scheduler.add(4, Mode::ReadOnly, stores(&["b"])),
            Vec::<u64>::new()
        );
        assert_eq!(scheduler.finish(1), Vec::<u64>::new());
        assert_eq!(scheduler.finish(2), [3]);
        assert_eq!(scheduler.finish(3), [4]);
    }

    #[test]
    fn transactions_over_other_stores_are_not_held_up() {
        let mut scheduler = Scheduler::default();
        assert_eq!(scheduler.add(1, Mode::ReadWrite, stores(&["a"])), [1]);
        assert_eq!(scheduler.add(2, Mode::ReadWrite, stores(&["b"])), [2]);
        assert_eq!(
            scheduler.add(3, Mode::ReadWrite, stores(&["a"])),
            Vec::<u64>::new()
        );
        assert!(scheduler.is_waiting(3));
        assert_eq!(scheduler.finish(1), [3]);
        assert!(scheduler.is_running(3));
    }

    #[test]
    fn a_versionchange_transaction_covers_the_whole_database() {
        let mut scheduler = Scheduler::default();
        assert_eq!(scheduler.add(1, Mode::ReadOnly, stores(&["a"])), [1]);
        assert_eq!(
            scheduler.add(2, Mode::VersionChange, stores(&[])),
            Vec::<u64>::new()
        );
        assert_eq!(
            scheduler.add(3, Mode::ReadOnly, stores(&["z"])),
            Vec::<u64>::new()
        );
        assert_eq!(scheduler.finish(1), [2]);
        assert_eq!(scheduler.finish(2), [3]);
    }
}

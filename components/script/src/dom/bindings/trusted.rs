//! Handing a script-thread value to another thread as a token, to be used again only on the
//! thread that made it: how a promise waits for an answer that an IPC router thread
//! delivers (Servo's `TrustedPromise`, without reference counting).
//!
//! The value stays in a thread-local table; the token is `Send` but carries only a number.
//! [`clear`] empties the table before the thread's runtime goes away, so no rooted value
//! outlives it.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::marker::PhantomData;

thread_local! {
    static TABLE: RefCell<HashMap<u64, Box<dyn Any>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// A token for a value kept on its own thread.
pub struct Trusted<T: 'static> {
    id: u64,
    _value: PhantomData<fn() -> T>,
}

impl<T: 'static> Trusted<T> {
    /// Keeps `value` on this thread and returns its token.
    pub fn new(value: T) -> Trusted<T> {
        let id = NEXT_ID.with(|next| {
            let id = next.get();
            next.set(id + 1);
            id
        });
        TABLE.with(|table| table.borrow_mut().insert(id, Box::new(value)));
        Trusted {
            id,
            _value: PhantomData,
        }
    }

    /// The value back, on the thread that made the token; `None` on any other thread or
    /// after [`clear`].
    pub fn take(self) -> Option<T> {
        TABLE
            .with(|table| table.borrow_mut().remove(&self.id))
            .and_then(|value| value.downcast::<T>().ok())
            .map(|value| *value)
    }
}

/// Drops every value still kept on this thread (tokens that never came back).
pub fn clear() {
    let values = TABLE.with(|table| std::mem::take(&mut *table.borrow_mut()));
    drop(values);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gives_its_value_back_only_on_its_thread() {
        let here = Trusted::new(String::from("kept"));
        assert_eq!(here.take().as_deref(), Some("kept"));
        let elsewhere = Trusted::new(5u32);
        let taken = std::thread::spawn(move || elsewhere.take()).join().unwrap();
        assert_eq!(taken, None);
        let cleared = Trusted::new(1u8);
        clear();
        assert_eq!(cleared.take(), None);
    }
}

//! IDBKeyRange (https://w3c.github.io/IndexedDB/#keyrange): an interval of keys.

use indexeddb_traits::{Bound, KeyRange};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::domexception::DOMErrorName;
use crate::dom::idbkeys::{key_to_value, value_to_key};
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct IDBKeyRange {
    reflector: Reflector,
    #[no_trace]
    range: KeyRange,
}

impl IDBKeyRange {
    fn new(cx: &mut JSContext, global: &GlobalScope, range: KeyRange) -> DomRoot<IDBKeyRange> {
        IDBKeyRangeBinding::Wrap(
            cx,
            global,
            None,
            Box::new(IDBKeyRange {
                reflector: Reflector::new(),
                range,
            }),
        )
    }

    pub fn range(&self) -> &KeyRange {
        &self.range
    }

    /// A bound's key as a JS value (undefined when unbounded).
    fn bound_value(cx: &mut JSContext, bound: Option<&Bound>) -> JSVal {
        rooted!(&in(cx) let mut value = UndefinedValue());
        if let Some(bound) = bound {
            // SAFETY: bindings call in the object's realm; `value` is rooted.
            unsafe { key_to_value(cx, &bound.key, value.handle_mut()) };
        }
        value.get()
    }
}

impl IDBKeyRangeMethods for IDBKeyRange {
    fn Lower(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        Ok(Self::bound_value(cx, self.range.lower.as_ref()))
    }
    fn Upper(&self, cx: &mut JSContext) -> Fallible<JSVal> {
        Ok(Self::bound_value(cx, self.range.upper.as_ref()))
    }
    fn LowerOpen(&self, _cx: &mut JSContext) -> bool {
        self.range.lower.as_ref().is_some_and(|bound| bound.open)
    }
    fn UpperOpen(&self, _cx: &mut JSContext) -> bool {
        self.range.upper.as_ref().is_some_and(|bound| bound.open)
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbkeyrange-only>
    fn Only(
        cx: &mut JSContext,
        global: &GlobalScope,
        value: HandleValue<'_>,
    ) -> Fallible<DomRoot<IDBKeyRange>> {
        // SAFETY: bindings call in the global's realm with rooted arguments.
        let key = unsafe { value_to_key(cx, value)? };
        Ok(IDBKeyRange::new(cx, global, KeyRange::only(key)))
    }
    fn LowerBound(
        cx: &mut JSContext,
        global: &GlobalScope,
        lower: HandleValue<'_>,
        open: bool,
    ) -> Fallible<DomRoot<IDBKeyRange>> {
        // SAFETY: as above.
        let key = unsafe { value_to_key(cx, lower)? };
        let range = KeyRange {
            lower: Some(Bound { key, open }),
            upper: None,
        };
        Ok(IDBKeyRange::new(cx, global, range))
    }
    fn UpperBound(
        cx: &mut JSContext,
        global: &GlobalScope,
        upper: HandleValue<'_>,
        open: bool,
    ) -> Fallible<DomRoot<IDBKeyRange>> {
        // SAFETY: as above.
        let key = unsafe { value_to_key(cx, upper)? };
        let range = KeyRange {
            lower: None,
            upper: Some(Bound { key, open }),
        };
        Ok(IDBKeyRange::new(cx, global, range))
    }
    /// <https://w3c.github.io/IndexedDB/#dom-idbkeyrange-bound>
    fn Bound(
        cx: &mut JSContext,
        global: &GlobalScope,
        lower: HandleValue<'_>,
        upper: HandleValue<'_>,
        lower_open: bool,
        upper_open: bool,
    ) -> Fallible<DomRoot<IDBKeyRange>> {
        // SAFETY: as above.
        let (lower, upper) = unsafe { (value_to_key(cx, lower)?, value_to_key(cx, upper)?) };
        let range = KeyRange::bound(lower, upper, lower_open, upper_open).ok_or_else(|| {
            Error::dom(
                DOMErrorName::DataError,
                "The lower key is greater than the upper key, or they are equal and a bound is open.",
            )
        })?;
        Ok(IDBKeyRange::new(cx, global, range))
    }
    fn Includes(&self, cx: &mut JSContext, key: HandleValue<'_>) -> Fallible<bool> {
        // SAFETY: as above.
        let key = unsafe { value_to_key(cx, key)? };
        Ok(self.range.includes(&key))
    }
}

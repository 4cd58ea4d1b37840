//! IndexedDB keys and key paths on JS values (https://w3c.github.io/IndexedDB/#key-construct):
//! converting a value to a key and back, evaluating a key path on a value, and injecting a
//! generated key into one. Not a Web IDL interface; the IDB* interfaces use it.

use indexeddb_traits::{Key, KeyPath, KeyRange};
use mozjs::jsapi::{ClippedTime, JSObject};
use mozjs::jsval::{DoubleValue, ObjectValue, StringValue, UndefinedValue};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    DateGetMsecSinceEpoch, GetArrayLength, IsArrayObject, JS_DefineUCProperty2, JS_GetElement,
    JS_GetUCProperty, JS_HasElement, JS_HasUCProperty, JS_NewUCStringCopyN, NewDateObject,
    ObjectIsDate,
};
use mozjs::typedarray::{ArrayBuffer, ArrayBufferView, CreateWith};

use crate::dom::bindings::conversions::array_to_js;
use crate::dom::bindings::utils::unwrap_dom_object_checked;
use crate::dom::domexception::DOMErrorName;
use crate::dom::idbkeyrange::IDBKeyRange;
use crate::dom::prelude::*;

fn data_error(message: impl Into<String>) -> Error {
    Error::dom(DOMErrorName::DataError, message.into())
}

/// <https://w3c.github.io/IndexedDB/#convert-value-to-key>: DataError for a value that is
/// not a valid key (NaN, an invalid Date, an object, a sparse array, a cycle).
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn value_to_key(cx: &mut JSContext, value: HandleValue<'_>) -> Fallible<Key> {
    // The arrays being converted, as a stack root: a getter of an element may run a moving
    // collection, which must update them for the cycle check to see them.
    rooted!(&in(cx) let mut seen = Vec::<JSVal>::new());
    convert(cx, value, &mut seen)
}

unsafe fn convert(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    seen: &mut mozjs::rust::RootedGuard<'_, Vec<JSVal>>,
) -> Fallible<Key> {
    let v = value.get();
    if v.is_number() {
        let number = v.to_number();
        if number.is_nan() {
            return Err(data_error("NaN is not a valid key."));
        }
        return Ok(Key::Number(number));
    }
    if v.is_string() {
        return Ok(Key::String(string_units(cx, v.to_string())));
    }
    if !v.is_object() {
        return Err(data_error("The value is not a valid key."));
    }
    rooted!(&in(cx) let object = v.to_object());
    let mut is_date = false;
    if !ObjectIsDate(cx, object.handle(), &mut is_date) {
        return Err(Error::JSFailed);
    }
    if is_date {
        let mut time = f64::NAN;
        if !DateGetMsecSinceEpoch(cx, object.handle(), &mut time) {
            return Err(Error::JSFailed);
        }
        if time.is_nan() {
            return Err(data_error("An invalid Date is not a valid key."));
        }
        return Ok(Key::Date(time));
    }
    if let Ok(buffer) = ArrayBuffer::from(object.get()) {
        return buffer
            .to_vec()
            .map(Key::Binary)
            .ok_or_else(|| data_error("A detached ArrayBuffer is not a valid key."));
    }
    if let Ok(view) = ArrayBufferView::from(object.get()) {
        return view
            .to_vec()
            .map(Key::Binary)
            .ok_or_else(|| data_error("A view on a detached buffer is not a valid key."));
    }
    let mut is_array = false;
    if !IsArrayObject(cx, value, &mut is_array) {
        return Err(Error::JSFailed);
    }
    if !is_array {
        return Err(data_error("The object is not a valid key."));
    }
    if seen.iter().any(|array| array.to_object() == object.get()) {
        return Err(data_error(
            "An array that contains itself is not a valid key.",
        ));
    }
    seen.push(ObjectValue(object.get()));
    let mut length = 0u32;
    if !GetArrayLength(cx, object.handle(), &mut length) {
        return Err(Error::JSFailed);
    }
    let mut keys = Vec::with_capacity(length as usize);
    for index in 0..length {
        let mut present = false;
        if !JS_HasElement(cx, object.handle(), index, &mut present) {
            return Err(Error::JSFailed);
        }
        if !present {
            return Err(data_error("A sparse array is not a valid key."));
        }
        rooted!(&in(cx) let mut element = UndefinedValue());
        if !JS_GetElement(cx, object.handle(), index, element.handle_mut()) {
            return Err(Error::JSFailed);
        }
        keys.push(convert(cx, element.handle(), seen)?);
    }
    // SAFETY: nothing collects while the last element is dropped.
    seen.as_mut().pop();
    Ok(Key::Array(keys))
}

/// A string's UTF-16 code units as they are (keys compare code units, and a lone surrogate is
/// a key of its own: no conversion to Rust text, which would replace it).
///
/// # Safety
/// `string` a live string of this context.
unsafe fn string_units(cx: &mut JSContext, string: *mut mozjs::jsapi::JSString) -> Vec<u16> {
    let mut length = 0;
    if mozjs::jsapi::JS_DeprecatedStringHasLatin1Chars(string) {
        let chars =
            mozjs::rust::wrappers2::JS_GetLatin1StringCharsAndLength(cx, string, &mut length);
        if chars.is_null() {
            return Vec::new();
        }
        std::slice::from_raw_parts(chars, length)
            .iter()
            .map(|&byte| u16::from(byte))
            .collect()
    } else {
        let chars =
            mozjs::rust::wrappers2::JS_GetTwoByteStringCharsAndLength(cx, string, &mut length);
        if chars.is_null() {
            return Vec::new();
        }
        std::slice::from_raw_parts(chars, length).to_vec()
    }
}

/// <https://w3c.github.io/IndexedDB/#convert-a-key-to-a-value>
///
/// # Safety
/// `cx` in a realm; `rval` rooted.
pub unsafe fn key_to_value(cx: &mut JSContext, key: &Key, mut rval: MutableHandleValue<'_>) {
    match key {
        Key::Number(number) => rval.set(DoubleValue(*number)),
        Key::Date(time) => {
            let date = NewDateObject(cx, ClippedTime { t: *time });
            rval.set(if date.is_null() {
                UndefinedValue()
            } else {
                ObjectValue(date)
            });
        }
        Key::String(units) => {
            let string = JS_NewUCStringCopyN(cx, units.as_ptr(), units.len());
            rval.set(if string.is_null() {
                UndefinedValue()
            } else {
                StringValue(&*string)
            });
        }
        Key::Binary(bytes) => {
            rooted!(&in(cx) let mut buffer = std::ptr::null_mut::<JSObject>());
            if ArrayBuffer::create(cx, CreateWith::Slice(bytes), buffer.handle_mut()).is_ok() {
                rval.set(ObjectValue(buffer.get()));
            } else {
                rval.set(UndefinedValue());
            }
        }
        Key::Array(keys) => array_to_js(
            cx,
            keys.len(),
            |cx, index, element| key_to_value(cx, &keys[index], element),
            rval,
        ),
    }
}

/// A key path from its IDL form: DOMString or sequence<DOMString>; SyntaxError unless each
/// string is a valid key path (empty, or identifiers joined by dots).
pub fn key_path_from(path: &StringOrStringSequence) -> Fallible<KeyPath> {
    let valid = |text: &str| {
        text.is_empty()
            || text.split('.').all(|identifier| {
                let mut chars = identifier.chars();
                chars
                    .next()
                    .is_some_and(|first| first.is_alphabetic() || first == '$' || first == '_')
                    && chars.all(|c| c.is_alphanumeric() || c == '$' || c == '_')
            })
    };
    let syntax = |text: &str| {
        Error::dom(
            DOMErrorName::SyntaxError,
            format!("'{text}' is not a valid key path."),
        )
    };
    match path {
        StringOrStringSequence::String(text) => {
            if !valid(text) {
                return Err(syntax(text));
            }
            Ok(KeyPath::String(text.clone()))
        }
        StringOrStringSequence::StringSequence(paths) => {
            if paths.is_empty() {
                return Err(syntax(""));
            }
            if let Some(bad) = paths.iter().find(|text| text.is_empty() || !valid(text)) {
                return Err(syntax(bad));
            }
            Ok(KeyPath::Array(paths.clone()))
        }
    }
}

/// A key path as `keyPath` attributes show it: a string, or an array of strings.
///
/// # Safety
/// `cx` in a realm; `rval` rooted.
pub unsafe fn key_path_to_value(
    cx: &mut JSContext,
    path: Option<&KeyPath>,
    mut rval: MutableHandleValue<'_>,
) {
    match path {
        None => rval.set(mozjs::jsval::NullValue()),
        Some(KeyPath::String(text)) => text.to_js(cx, rval),
        Some(KeyPath::Array(paths)) => paths.to_js(cx, rval),
    }
}

/// <https://w3c.github.io/IndexedDB/#evaluate-a-key-path-on-a-value>: the value the path
/// names, or `None` (failure: a step found no own property).
///
/// # Safety
/// `cx` in a realm; `value` rooted; `rval` rooted.
unsafe fn evaluate_string_path(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    path: &str,
    mut rval: MutableHandleValue<'_>,
) -> Fallible<bool> {
    rval.set(value.get());
    if path.is_empty() {
        return Ok(true);
    }
    for identifier in path.split('.') {
        let current = rval.get();
        if current.is_string() && identifier == "length" {
            let length = mozjs::jsapi::JS_GetStringLength(current.to_string());
            rval.set(DoubleValue(length as f64));
            continue;
        }
        if !current.is_object() {
            return Ok(false);
        }
        rooted!(&in(cx) let object = current.to_object());
        let name: Vec<u16> = identifier.encode_utf16().collect();
        let mut found = false;
        if !JS_HasUCProperty(cx, object.handle(), name.as_ptr(), name.len(), &mut found) {
            return Err(Error::JSFailed);
        }
        if !found {
            return Ok(false);
        }
        if !JS_GetUCProperty(
            cx,
            object.handle(),
            name.as_ptr(),
            name.len(),
            rval.reborrow(),
        ) {
            return Err(Error::JSFailed);
        }
    }
    Ok(true)
}

/// <https://w3c.github.io/IndexedDB/#extract-a-key-from-a-value-using-a-key-path>:
/// `Ok(None)` when the path names nothing, DataError when what it names is not a key.
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn extract_key(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    path: &KeyPath,
) -> Fallible<Option<Key>> {
    match path {
        KeyPath::String(path) => {
            rooted!(&in(cx) let mut found = UndefinedValue());
            if !evaluate_string_path(cx, value, path, found.handle_mut())? {
                return Ok(None);
            }
            value_to_key(cx, found.handle()).map(Some)
        }
        KeyPath::Array(paths) => {
            let mut keys = Vec::with_capacity(paths.len());
            for path in paths {
                rooted!(&in(cx) let mut found = UndefinedValue());
                if !evaluate_string_path(cx, value, path, found.handle_mut())? {
                    return Ok(None);
                }
                keys.push(value_to_key(cx, found.handle())?);
            }
            Ok(Some(Key::Array(keys)))
        }
    }
}

/// An index's keys for a value (https://w3c.github.io/IndexedDB/#store-a-record-into-an-object-store
/// step 10): none when the path names nothing or no valid key; for a multiEntry index on an
/// array, each valid distinct element.
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn index_keys(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    path: &KeyPath,
    multi_entry: bool,
) -> Fallible<Vec<Key>> {
    if let (KeyPath::String(path), true) = (path, multi_entry) {
        rooted!(&in(cx) let mut found = UndefinedValue());
        if !evaluate_string_path(cx, value, path, found.handle_mut())? {
            return Ok(Vec::new());
        }
        let mut is_array = false;
        if !IsArrayObject(cx, found.handle(), &mut is_array) {
            return Err(Error::JSFailed);
        }
        if !is_array {
            return Ok(value_to_key(cx, found.handle()).into_iter().collect());
        }
        rooted!(&in(cx) let array = found.get().to_object());
        let mut length = 0u32;
        if !GetArrayLength(cx, array.handle(), &mut length) {
            return Err(Error::JSFailed);
        }
        let mut keys: Vec<Key> = Vec::new();
        for index in 0..length {
            rooted!(&in(cx) let mut element = UndefinedValue());
            if !JS_GetElement(cx, array.handle(), index, element.handle_mut()) {
                return Err(Error::JSFailed);
            }
            if let Ok(key) = value_to_key(cx, element.handle()) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        return Ok(keys);
    }
    Ok(extract_key(cx, value, path)
        .ok()
        .flatten()
        .into_iter()
        .collect())
}

/// <https://w3c.github.io/IndexedDB/#check-that-a-key-could-be-injected-into-a-value>
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn could_inject(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    path: &str,
) -> Fallible<bool> {
    let identifiers: Vec<&str> = path.split('.').collect();
    rooted!(&in(cx) let mut current = value.get());
    for identifier in &identifiers[..identifiers.len() - 1] {
        if !current.get().is_object() {
            return Ok(false);
        }
        rooted!(&in(cx) let object = current.get().to_object());
        let name: Vec<u16> = identifier.encode_utf16().collect();
        let mut found = false;
        if !JS_HasUCProperty(cx, object.handle(), name.as_ptr(), name.len(), &mut found) {
            return Err(Error::JSFailed);
        }
        if !found {
            return Ok(true);
        }
        if !JS_GetUCProperty(
            cx,
            object.handle(),
            name.as_ptr(),
            name.len(),
            current.handle_mut(),
        ) {
            return Err(Error::JSFailed);
        }
    }
    Ok(current.get().is_object())
}

/// <https://w3c.github.io/IndexedDB/#inject-a-key-into-a-value-using-a-key-path>: sets the
/// generated `key` in a value read back from a store with a key generator.
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn inject_key(cx: &mut JSContext, value: HandleValue<'_>, path: &str, key: &Key) {
    let identifiers: Vec<&str> = path.split('.').collect();
    rooted!(&in(cx) let mut current = value.get());
    for (position, identifier) in identifiers.iter().enumerate() {
        if !current.get().is_object() {
            return;
        }
        rooted!(&in(cx) let object = current.get().to_object());
        let name: Vec<u16> = identifier.encode_utf16().collect();
        rooted!(&in(cx) let mut next = UndefinedValue());
        if position + 1 == identifiers.len() {
            key_to_value(cx, key, next.handle_mut());
        } else {
            let mut found = false;
            if !JS_HasUCProperty(cx, object.handle(), name.as_ptr(), name.len(), &mut found) {
                return;
            }
            if found {
                if !JS_GetUCProperty(
                    cx,
                    object.handle(),
                    name.as_ptr(),
                    name.len(),
                    next.handle_mut(),
                ) {
                    return;
                }
                current.set(next.get());
                continue;
            }
            let created = crate::dom::bindings::conversions::new_plain_object(cx);
            next.set(ObjectValue(created.get()));
        }
        if !JS_DefineUCProperty2(
            cx,
            object.handle(),
            name.as_ptr(),
            name.len(),
            next.handle(),
            mozjs::jsapi::JSPROP_ENUMERATE as u32,
        ) {
            return;
        }
        current.set(next.get());
    }
}

/// Whether `value` is a "potentially valid key range": an IDBKeyRange, or a value of a type a
/// key can have (a number, string, Date, array or buffer, valid or not). `getAll()` reads
/// anything else as its IDBGetAllOptions.
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn is_potential_key_range(cx: &mut JSContext, value: HandleValue<'_>) -> Fallible<bool> {
    let v = value.get();
    if v.is_number() || v.is_string() {
        return Ok(true);
    }
    if !v.is_object() {
        return Ok(false);
    }
    let object = v.to_object();
    if unwrap_dom_object_checked::<IDBKeyRange>(object).is_some()
        || ArrayBuffer::from(object).is_ok()
        || ArrayBufferView::from(object).is_ok()
    {
        return Ok(true);
    }
    rooted!(&in(cx) let object = object);
    let mut is_date = false;
    let mut is_array = false;
    if !ObjectIsDate(cx, object.handle(), &mut is_date) || !IsArrayObject(cx, value, &mut is_array)
    {
        return Err(Error::JSFailed);
    }
    Ok(is_date || is_array)
}

/// A query argument as a key range (https://w3c.github.io/IndexedDB/#convert-a-value-to-a-key-range):
/// an IDBKeyRange, a key (the range of only it), or, if `null_ok`, undefined/null for every
/// key. DataError otherwise.
///
/// # Safety
/// `cx` in a realm; `value` rooted.
pub unsafe fn value_to_range(
    cx: &mut JSContext,
    value: Option<HandleValue<'_>>,
    null_ok: bool,
) -> Fallible<KeyRange> {
    let Some(value) = value else {
        return Ok(KeyRange::all());
    };
    if value.get().is_null_or_undefined() {
        if null_ok {
            return Ok(KeyRange::all());
        }
        return Err(data_error("No key or key range was given."));
    }
    if value.get().is_object() {
        // Checked without `FromJs`, whose failure would format a TypeError message on every
        // plain key.
        if let Some(range) = unwrap_dom_object_checked::<IDBKeyRange>(value.get().to_object()) {
            return Ok((*range).range().clone());
        }
    }
    Ok(KeyRange::only(value_to_key(cx, value)?))
}

//! Keys: <https://w3c.github.io/IndexedDB/#key-construct>.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// A valid key. Made only from values that are valid keys: numbers and
/// dates are never NaN, an array holds no cycle (it is a tree here).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Key {
    /// A number: any `f64` but NaN; `-0` equals `0`.
    Number(f64),
    /// A Date, as its time value in ms (never NaN).
    Date(f64),
    /// A string, as UTF-16 code units: the spec compares code units, not
    /// code points, and a string may hold lone surrogates.
    String(Vec<u16>),
    /// An ArrayBuffer or a view's bytes.
    Binary(Vec<u8>),
    Array(Vec<Key>),
}

impl Key {
    /// A string key from Rust text.
    pub fn string(text: &str) -> Key {
        Key::String(text.encode_utf16().collect())
    }

    /// The spec's type order: number < date < string < binary < array.
    fn type_rank(&self) -> u8 {
        match self {
            Key::Number(_) => 0,
            Key::Date(_) => 1,
            Key::String(_) => 2,
            Key::Binary(_) => 3,
            Key::Array(_) => 4,
        }
    }
}

/// <https://w3c.github.io/IndexedDB/#compare-two-keys>.
impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Number(a), Key::Number(b)) | (Key::Date(a), Key::Date(b)) => {
                // Never NaN, so partial_cmp always answers; -0 == 0.
                a.partial_cmp(b).unwrap_or(Ordering::Equal)
            }
            (Key::String(a), Key::String(b)) => a.cmp(b),
            (Key::Binary(a), Key::Binary(b)) => a.cmp(b),
            (Key::Array(a), Key::Array(b)) => a.cmp(b),
            _ => self.type_rank().cmp(&other.type_rank()),
        }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

/// <https://w3c.github.io/IndexedDB/#key-path-construct>: a string (empty,
/// an identifier, or identifiers joined by dots) or a list of such strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPath {
    String(String),
    Array(Vec<String>),
}

/// A bound of a [`KeyRange`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound {
    pub key: Key,
    /// Open: the key itself is outside the range.
    pub open: bool,
}

/// <https://w3c.github.io/IndexedDB/#range-construct>: keys between an
/// optional lower and upper bound. The constructor's checks (lower not above
/// upper, both keys valid) are the caller's, which throws `DataError`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRange {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> KeyRange {
        KeyRange::default()
    }

    /// Only `key` (`IDBKeyRange.only`).
    pub fn only(key: Key) -> KeyRange {
        KeyRange {
            lower: Some(Bound {
                key: key.clone(),
                open: false,
            }),
            upper: Some(Bound { key, open: false }),
        }
    }

    /// `IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen)`; `None` when
    /// the spec throws `DataError` (lower above upper, or equal with either
    /// open).
    pub fn bound(lower: Key, upper: Key, lower_open: bool, upper_open: bool) -> Option<KeyRange> {
        match lower.cmp(&upper) {
            Ordering::Greater => None,
            Ordering::Equal if lower_open || upper_open => None,
            _ => Some(KeyRange {
                lower: Some(Bound {
                    key: lower,
                    open: lower_open,
                }),
                upper: Some(Bound {
                    key: upper,
                    open: upper_open,
                }),
            }),
        }
    }

    /// <https://w3c.github.io/IndexedDB/#in>: whether `key` is in the range.
    pub fn includes(&self, key: &Key) -> bool {
        let above_lower = self
            .lower
            .as_ref()
            .is_none_or(|bound| match key.cmp(&bound.key) {
                Ordering::Greater => true,
                Ordering::Equal => !bound.open,
                Ordering::Less => false,
            });
        let below_upper = self
            .upper
            .as_ref()
            .is_none_or(|bound| match key.cmp(&bound.key) {
                Ordering::Less => true,
                Ordering::Equal => !bound.open,
                Ordering::Greater => false,
            });
        above_lower && below_upper
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_order_number_date_string_binary_array() {
        let keys = [
            Key::Number(f64::INFINITY),
            Key::Date(f64::NEG_INFINITY),
            Key::string(""),
            Key::Binary(Vec::new()),
            Key::Array(Vec::new()),
        ];
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1], "{:?} < {:?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn zero_and_minus_zero_are_one_key() {
        assert_eq!(Key::Number(0.0), Key::Number(-0.0));
    }

    #[test]
    fn strings_compare_by_code_unit_not_code_point() {
        // U+FFFF is one unit, 0xFFFF; U+10000 is the pair 0xD800 0xDC00:
        // by code unit the astral character sorts first.
        let bmp_last = Key::string("\u{FFFF}");
        let astral = Key::string("\u{10000}");
        assert!(astral < bmp_last);
    }

    #[test]
    fn arrays_compare_item_by_item_then_by_length() {
        let short = Key::Array(vec![Key::Number(1.0)]);
        let long = Key::Array(vec![Key::Number(1.0), Key::Number(0.0)]);
        let bigger_first = Key::Array(vec![Key::Number(2.0)]);
        assert!(short < long);
        assert!(long < bigger_first);
    }

    #[test]
    fn ranges_include_by_their_bounds() {
        let range = KeyRange::bound(Key::Number(1.0), Key::Number(5.0), true, false).unwrap();
        assert!(!range.includes(&Key::Number(1.0)));
        assert!(range.includes(&Key::Number(1.5)));
        assert!(range.includes(&Key::Number(5.0)));
        assert!(!range.includes(&Key::string("a")));
        assert!(KeyRange::only(Key::string("a")).includes(&Key::string("a")));
        assert!(KeyRange::all().includes(&Key::Array(Vec::new())));
        assert_eq!(
            KeyRange::bound(Key::Number(2.0), Key::Number(1.0), false, false),
            None
        );
        assert_eq!(
            KeyRange::bound(Key::Number(1.0), Key::Number(1.0), true, false),
            None
        );
    }
}

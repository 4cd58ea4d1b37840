//! The key encoding sorts keys exactly as the spec compares them
//! (<https://w3c.github.io/IndexedDB/#compare-two-keys>), so SQLite's BLOB
//! order is key order; it decodes back to the same key; and an encoded range
//! holds exactly the keys the range holds. Random keys from proptest: every
//! type, nested arrays, strings and binaries with zero bytes, lone
//! surrogates, infinities and signed zeros.
//!
//! `./mach test` runs 256 cases per property; `PROPTEST_CASES` sets how many.

use std::cmp::Ordering;

use indexeddb::{decode_key, encode_key, encoded_range, DecodeError};
use indexeddb_traits::{Key, KeyRange};
use proptest::prelude::*;

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MIN_POSITIVE),
        -1e6f64..1e6,
        any::<f64>().prop_filter("a key is never NaN", |value| !value.is_nan()),
    ]
}

fn key() -> impl Strategy<Value = Key> {
    let leaf = prop_oneof![
        number().prop_map(Key::Number),
        number().prop_map(Key::Date),
        proptest::collection::vec(prop_oneof![Just(0u16), Just(0xD800), any::<u16>()], 0..6)
            .prop_map(Key::String),
        proptest::collection::vec(prop_oneof![Just(0u8), Just(0xFF), any::<u8>()], 0..6)
            .prop_map(Key::Binary),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        proptest::collection::vec(inner, 0..4).prop_map(Key::Array)
    })
}

proptest! {
    // The default: 256 cases, or PROPTEST_CASES.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn byte_order_is_key_order(a in key(), b in key()) {
        let spec = a.cmp(&b);
        let bytes = encode_key(&a).cmp(&encode_key(&b));
        prop_assert_eq!(spec, bytes, "{:?} vs {:?}", a, b);
    }

    #[test]
    fn equal_keys_have_equal_bytes(a in key()) {
        let copy = decode_key(&encode_key(&a)).unwrap();
        prop_assert_eq!(&copy, &a);
        prop_assert_eq!(encode_key(&copy), encode_key(&a));
    }

    #[test]
    fn an_encoded_range_holds_exactly_the_keys_of_the_range(
        a in key(), b in key(), key in key(), lower_open in any::<bool>(), upper_open in any::<bool>(),
    ) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        if let Some(range) = KeyRange::bound(low, high, lower_open, upper_open) {
            prop_assert_eq!(
                encoded_range(&range).includes(&encode_key(&key)),
                range.includes(&key)
            );
        }
    }

    #[test]
    fn random_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        match decode_key(&bytes) {
            // What decodes re-encodes to the same bytes, unless it held a
            // -0 (written as 0) or a non-canonical NaN payload.
            Ok(key) => {
                let again = encode_key(&key);
                prop_assert!(again == bytes || decode_key(&again).unwrap() == key);
            }
            Err(error) => prop_assert!(matches!(
                error,
                DecodeError::Truncated
                    | DecodeError::UnknownTag(_)
                    | DecodeError::TrailingBytes
                    | DecodeError::OddString
            )),
        }
    }
}

#[test]
fn a_sorted_list_of_mixed_keys_stays_sorted_as_bytes() {
    let mut keys = [
        Key::Array(vec![Key::Number(1.0), Key::string("z")]),
        Key::string("b"),
        Key::Number(-1.0),
        Key::Binary(vec![1]),
        Key::Date(0.0),
        Key::Array(vec![Key::Number(1.0)]),
        Key::string("a"),
        Key::Number(f64::INFINITY),
    ];
    keys.sort();
    let mut encoded: Vec<Vec<u8>> = keys.iter().map(encode_key).collect();
    let in_order = encoded.clone();
    encoded.sort();
    assert_eq!(encoded, in_order);
    assert_eq!(
        keys.first().unwrap().cmp(&Key::Number(-1.0)),
        Ordering::Equal
    );
}

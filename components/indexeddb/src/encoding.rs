//! Keys as order-preserving bytes.
//!
//! Each key starts with a tag byte in the spec's type order (number <
//! date < string < binary < array), then:
//!
//! - number, date: the `f64` as 8 big-endian bytes, transformed so that
//!   byte order is numeric order (a negative number has every bit flipped,
//!   any other has its sign bit set); `-0` is written as `0`, which the spec
//!   treats as the same key;
//! - string: its UTF-16 code units, 2 big-endian bytes each (code unit order,
//!   as the spec compares strings), escaped and terminated as below;
//! - binary: its bytes, escaped and terminated;
//! - array: its items' encodings one after the other, then a `0x00`.
//!
//! Escaping: a `0x00` byte inside a string or binary is written `0x00 0xFF`,
//! and the value ends with a lone `0x00`. A value that is a prefix of another
//! then sorts first (its `0x00` is followed by the next item's tag, at least
//! `0x10`, or by the array's `0x00` or by nothing, all below `0xFF` and any
//! other content byte), and nothing inside a value can be taken for its end.
//! Tags are at least `0x10`, so an array's closing `0x00` sorts before any
//! further item: `[1]` before `[1, 0]`.

use std::cmp::Ordering;

use indexeddb_traits::{Key, KeyRange};

const NUMBER: u8 = 0x10;
const DATE: u8 = 0x20;
const STRING: u8 = 0x30;
const BINARY: u8 = 0x40;
const ARRAY: u8 = 0x50;
const END: u8 = 0x00;
const ESCAPED_ZERO: u8 = 0xFF;

/// Why bytes are not a key's encoding (a damaged row).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the encoded key ends early")]
    Truncated,
    #[error("unknown key tag {0:#04x}")]
    UnknownTag(u8),
    #[error("bytes left after the encoded key")]
    TrailingBytes,
    #[error("a string key with an odd number of bytes")]
    OddString,
}

/// `key` as bytes whose order is the spec's key order.
pub fn encode_key(key: &Key) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(key, &mut out);
    out
}

fn encode_into(key: &Key, out: &mut Vec<u8>) {
    match key {
        Key::Number(value) => {
            out.push(NUMBER);
            out.extend_from_slice(&ordered_f64(*value));
        }
        Key::Date(value) => {
            out.push(DATE);
            out.extend_from_slice(&ordered_f64(*value));
        }
        Key::String(units) => {
            out.push(STRING);
            let bytes = units.iter().flat_map(|unit| unit.to_be_bytes());
            escape_into(bytes, out);
        }
        Key::Binary(bytes) => {
            out.push(BINARY);
            escape_into(bytes.iter().copied(), out);
        }
        Key::Array(items) => {
            out.push(ARRAY);
            for item in items {
                encode_into(item, out);
            }
            out.push(END);
        }
    }
}

fn ordered_f64(value: f64) -> [u8; 8] {
    // -0 and 0 are one key: one encoding.
    let value = if value == 0.0 { 0.0 } else { value };
    let bits = value.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    ordered.to_be_bytes()
}

fn unordered_f64(bytes: [u8; 8]) -> f64 {
    let ordered = u64::from_be_bytes(bytes);
    let bits = if ordered >> 63 == 1 {
        ordered & !(1 << 63)
    } else {
        !ordered
    };
    f64::from_bits(bits)
}

fn escape_into(bytes: impl Iterator<Item = u8>, out: &mut Vec<u8>) {
    for byte in bytes {
        out.push(byte);
        if byte == END {
            out.push(ESCAPED_ZERO);
        }
    }
    out.push(END);
}

/// The key `bytes` encode ([`encode_key`]'s inverse).
pub fn decode_key(bytes: &[u8]) -> Result<Key, DecodeError> {
    let mut rest = bytes;
    let key = decode_from(&mut rest)?;
    if rest.is_empty() {
        Ok(key)
    } else {
        Err(DecodeError::TrailingBytes)
    }
}

fn take<'a>(rest: &mut &'a [u8], count: usize) -> Result<&'a [u8], DecodeError> {
    if rest.len() < count {
        return Err(DecodeError::Truncated);
    }
    let (taken, left) = rest.split_at(count);
    *rest = left;
    Ok(taken)
}

fn decode_from(rest: &mut &[u8]) -> Result<Key, DecodeError> {
    let tag = take(rest, 1)?[0];
    match tag {
        NUMBER | DATE => {
            let bytes: [u8; 8] = take(rest, 8)?
                .try_into()
                .map_err(|_| DecodeError::Truncated)?;
            let value = unordered_f64(bytes);
            Ok(if tag == NUMBER {
                Key::Number(value)
            } else {
                Key::Date(value)
            })
        }
        STRING => {
            let bytes = unescape(rest)?;
            if bytes.len() % 2 != 0 {
                return Err(DecodeError::OddString);
            }
            Ok(Key::String(
                bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                    .collect(),
            ))
        }
        BINARY => Ok(Key::Binary(unescape(rest)?)),
        ARRAY => {
            let mut items = Vec::new();
            loop {
                match rest.first() {
                    None => return Err(DecodeError::Truncated),
                    Some(&END) => {
                        *rest = &rest[1..];
                        return Ok(Key::Array(items));
                    }
                    Some(_) => items.push(decode_from(rest)?),
                }
            }
        }
        other => Err(DecodeError::UnknownTag(other)),
    }
}

fn unescape(rest: &mut &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    loop {
        let byte = take(rest, 1)?[0];
        if byte != END {
            out.push(byte);
            continue;
        }
        if rest.first() == Some(&ESCAPED_ZERO) {
            *rest = &rest[1..];
            out.push(END);
        } else {
            return Ok(out);
        }
    }
}

/// A key range as bounds on encoded keys, for a query such as
/// `key >= ?1 AND key < ?2` on an indexed BLOB column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedRange {
    /// The lower bound's encoding, and whether it is excluded.
    pub lower: Option<(Vec<u8>, bool)>,
    /// The upper bound's encoding, and whether it is excluded.
    pub upper: Option<(Vec<u8>, bool)>,
}

impl EncodedRange {
    /// Whether the encoded key `bytes` is in the range; the same answer as
    /// [`KeyRange::includes`] on the decoded key.
    pub fn includes(&self, bytes: &[u8]) -> bool {
        let above =
            self.lower
                .as_ref()
                .is_none_or(|(bound, open)| match bytes.cmp(bound.as_slice()) {
                    Ordering::Greater => true,
                    Ordering::Equal => !open,
                    Ordering::Less => false,
                });
        let below =
            self.upper
                .as_ref()
                .is_none_or(|(bound, open)| match bytes.cmp(bound.as_slice()) {
                    Ordering::Less => true,
                    Ordering::Equal => !open,
                    Ordering::Greater => false,
                });
        above && below
    }
}

/// `range` with its bounds encoded.
pub fn encoded_range(range: &KeyRange) -> EncodedRange {
    EncodedRange {
        lower: range
            .lower
            .as_ref()
            .map(|bound| (encode_key(&bound.key), bound.open)),
        upper: range
            .upper
            .as_ref()
            .map(|bound| (encode_key(&bound.key), bound.open)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        let keys = [
            Key::Number(-0.0),
            Key::Number(f64::NEG_INFINITY),
            Key::Number(1.5e300),
            Key::Date(1_700_000_000_000.0),
            Key::string("a\0b"),
            Key::String(vec![0xD800]),
            Key::Binary(vec![0, 0, 255, 0]),
            Key::Array(vec![
                Key::Array(Vec::new()),
                Key::string(""),
                Key::Binary(Vec::new()),
            ]),
        ];
        for key in keys {
            assert_eq!(decode_key(&encode_key(&key)).unwrap(), key, "{key:?}");
        }
    }

    #[test]
    fn zero_and_minus_zero_encode_the_same() {
        assert_eq!(
            encode_key(&Key::Number(0.0)),
            encode_key(&Key::Number(-0.0))
        );
    }

    #[test]
    fn a_prefix_sorts_first_even_before_an_embedded_zero() {
        let prefix = encode_key(&Key::string("a"));
        let longer = encode_key(&Key::string("a\0"));
        assert!(prefix < longer);
        // In an array the next item follows the string's end: ["a", 0] is
        // still before ["a\0"], because "a" is before "a\0".
        let followed = encode_key(&Key::Array(vec![Key::string("a"), Key::Number(0.0)]));
        let longer_item = encode_key(&Key::Array(vec![Key::string("a\0")]));
        assert!(followed < longer_item);
        let shorter_array = encode_key(&Key::Array(vec![Key::string("a")]));
        assert!(shorter_array < followed);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        assert_eq!(decode_key(&[]), Err(DecodeError::Truncated));
        assert_eq!(decode_key(&[0x99]), Err(DecodeError::UnknownTag(0x99)));
        assert_eq!(decode_key(&[NUMBER, 1, 2]), Err(DecodeError::Truncated));
        assert_eq!(decode_key(&[STRING, 1, END]), Err(DecodeError::OddString));
        assert_eq!(decode_key(&[ARRAY]), Err(DecodeError::Truncated));
        let mut trailing = encode_key(&Key::Number(1.0));
        trailing.push(1);
        assert_eq!(decode_key(&trailing), Err(DecodeError::TrailingBytes));
    }
}

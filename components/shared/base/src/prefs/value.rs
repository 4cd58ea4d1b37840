//! One pref's value and type, and how a value is read from the defaults
//! JSON or from the text of a command-line override.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The value of one pref.
///
/// Integers are unsigned: every integer pref of ours is a count, a duration
/// or a size, for which a negative number is a mistake to report, not a value
/// to carry.
///
/// Serialized externally tagged (serde's default) rather than untagged, so it
/// survives non-self-describing formats such as ipc-channel's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PrefValue {
    Bool(bool),
    Integer(u64),
    Float(f64),
    Str(String),
}

/// The type of a pref, fixed by its default value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefType {
    Bool,
    Integer,
    Float,
    Str,
}

impl fmt::Display for PrefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrefType::Bool => "boolean",
            PrefType::Integer => "non-negative integer",
            PrefType::Float => "finite number",
            PrefType::Str => "string",
        })
    }
}

impl PrefValue {
    pub fn pref_type(&self) -> PrefType {
        match self {
            PrefValue::Bool(_) => PrefType::Bool,
            PrefValue::Integer(_) => PrefType::Integer,
            PrefValue::Float(_) => PrefType::Float,
            PrefValue::Str(_) => PrefType::Str,
        }
    }

    /// Reads a value from the defaults JSON; `None` for JSON that is no pref
    /// value (null, arrays, objects, negative integers).
    pub(super) fn from_json(json: &serde_json::Value) -> Option<PrefValue> {
        match json {
            serde_json::Value::Bool(value) => Some(PrefValue::Bool(*value)),
            serde_json::Value::Number(number) => {
                if let Some(value) = number.as_u64() {
                    Some(PrefValue::Integer(value))
                } else if number.is_f64() {
                    number.as_f64().map(PrefValue::Float)
                } else {
                    None
                }
            }
            serde_json::Value::String(value) => Some(PrefValue::Str(value.clone())),
            _ => None,
        }
    }

    /// Parses the text of an override as a value of type `pref_type`.
    ///
    /// An integer is accepted for a float pref (`3` means `3.0`); the
    /// reverse is not, since it would silently drop a fraction.
    pub(super) fn parse_as(pref_type: PrefType, text: &str) -> Option<PrefValue> {
        match pref_type {
            PrefType::Bool => match text {
                "true" => Some(PrefValue::Bool(true)),
                "false" => Some(PrefValue::Bool(false)),
                _ => None,
            },
            PrefType::Integer => text.parse().ok().map(PrefValue::Integer),
            PrefType::Float => text
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .map(PrefValue::Float),
            PrefType::Str => Some(PrefValue::Str(text.to_owned())),
        }
    }

    /// Converts `self` to `pref_type` where that loses nothing: the same
    /// type, or an integer for a float pref.
    pub(super) fn coerce_to(self, pref_type: PrefType) -> Option<PrefValue> {
        match (self, pref_type) {
            (PrefValue::Integer(value), PrefType::Float) => Some(PrefValue::Float(value as f64)),
            (PrefValue::Float(value), PrefType::Float) if !value.is_finite() => None,
            (value, pref_type) if value.pref_type() == pref_type => Some(value),
            _ => None,
        }
    }
}

impl fmt::Display for PrefValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrefValue::Bool(value) => write!(f, "{value}"),
            PrefValue::Integer(value) => write!(f, "{value}"),
            PrefValue::Float(value) => write!(f, "{value}"),
            PrefValue::Str(value) => write!(f, "{value:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_accepts_only_true_and_false() {
        assert_eq!(
            PrefValue::parse_as(PrefType::Bool, "false"),
            Some(PrefValue::Bool(false))
        );
        assert_eq!(PrefValue::parse_as(PrefType::Bool, "1"), None);
        assert_eq!(PrefValue::parse_as(PrefType::Bool, "TRUE"), None);
    }

    #[test]
    fn integer_rejects_negative_and_fractional_text() {
        assert_eq!(
            PrefValue::parse_as(PrefType::Integer, "50"),
            Some(PrefValue::Integer(50))
        );
        assert_eq!(PrefValue::parse_as(PrefType::Integer, "-1"), None);
        assert_eq!(PrefValue::parse_as(PrefType::Integer, "1.5"), None);
        assert_eq!(PrefValue::parse_as(PrefType::Integer, ""), None);
    }

    #[test]
    fn float_accepts_integers_but_not_infinity_or_nan() {
        assert_eq!(
            PrefValue::parse_as(PrefType::Float, "3"),
            Some(PrefValue::Float(3.0))
        );
        assert_eq!(
            PrefValue::parse_as(PrefType::Float, "1.5"),
            Some(PrefValue::Float(1.5))
        );
        assert_eq!(PrefValue::parse_as(PrefType::Float, "inf"), None);
        assert_eq!(PrefValue::parse_as(PrefType::Float, "NaN"), None);
    }

    #[test]
    fn integer_value_widens_to_float_but_not_back() {
        assert_eq!(
            PrefValue::Integer(2).coerce_to(PrefType::Float),
            Some(PrefValue::Float(2.0))
        );
        assert_eq!(PrefValue::Float(2.0).coerce_to(PrefType::Integer), None);
        assert_eq!(PrefValue::Bool(true).coerce_to(PrefType::Str), None);
    }

    #[test]
    fn negative_json_integer_is_no_pref_value() {
        assert_eq!(PrefValue::from_json(&serde_json::json!(-3)), None);
        assert_eq!(PrefValue::from_json(&serde_json::json!(null)), None);
        assert_eq!(
            PrefValue::from_json(&serde_json::json!(0.5)),
            Some(PrefValue::Float(0.5))
        );
    }
}

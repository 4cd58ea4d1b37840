//! Conversions between Rust values and SQLite columns.
//!
//! SQLite integers are `i64`; our counts and times are unsigned. Writing
//! checks the range instead of wrapping, and reading rejects what no write
//! of ours produces, so a damaged or hand-edited file surfaces as
//! [`StorageError::InvalidRow`] rather than as a huge attempt count.

use crate::error::StorageError;

/// A millisecond time or other `u64`, for an INTEGER column.
pub(crate) fn u64_to_sql(value: u64, what: &str) -> Result<i64, StorageError> {
    i64::try_from(value).map_err(|_| StorageError::ValueOutOfRange(format!("{what} = {value}")))
}

/// An INTEGER column read back as a `u64`.
pub(crate) fn u64_from_sql(
    value: i64,
    table: &'static str,
    column: &str,
) -> Result<u64, StorageError> {
    u64::try_from(value).map_err(|_| StorageError::InvalidRow {
        table,
        detail: format!("{column} is negative ({value})"),
    })
}

/// An INTEGER column read back as a `u32`.
pub(crate) fn u32_from_sql(
    value: i64,
    table: &'static str,
    column: &str,
) -> Result<u32, StorageError> {
    u32::try_from(value).map_err(|_| StorageError::InvalidRow {
        table,
        detail: format!("{column} is out of range ({value})"),
    })
}

/// Milliseconds since the Unix epoch by the system clock, for bookkeeping
/// timestamps. A clock before 1970 reads as 0 rather than failing a write.
pub(crate) fn system_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_u64_is_out_of_range_not_wrapped() {
        assert_eq!(u64_to_sql(5, "x").unwrap(), 5);
        assert!(matches!(
            u64_to_sql(u64::MAX, "delay_until_ms"),
            Err(StorageError::ValueOutOfRange(text)) if text.contains("delay_until_ms")
        ));
    }

    #[test]
    fn negative_column_is_an_invalid_row() {
        assert!(matches!(
            u64_from_sql(-1, "sync_registrations", "delay_until_ms"),
            Err(StorageError::InvalidRow {
                table: "sync_registrations",
                ..
            })
        ));
        assert!(matches!(
            u32_from_sql(
                i64::from(u32::MAX) + 1,
                "sync_registrations",
                "num_attempts"
            ),
            Err(StorageError::InvalidRow { .. })
        ));
        assert_eq!(u32_from_sql(3, "t", "c").unwrap(), 3);
    }
}

//! How the list columns of an entry (header lists, a response's URL list)
//! are stored: one BLOB per list, each string as its length (4 bytes,
//! little-endian) and its UTF-8 bytes. Lengths, not separators, so any
//! string a message carries comes back as it was.

/// A damaged list column.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("a list column ends inside an item")]
    Truncated,
    #[error("a list column holds text that is not UTF-8")]
    NotUtf8,
    #[error("a header list column holds a name without a value")]
    OddHeaderList,
}

/// `items` as one BLOB.
pub fn encode_strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for item in items {
        // A string of 4 GiB or more cannot reach here: a message that big
        // would not fit the quota's page count either.
        let length = u32::try_from(item.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&length.to_le_bytes());
        bytes.extend_from_slice(&item.as_bytes()[..length as usize]);
    }
    bytes
}

/// [`encode_strings`]' inverse.
pub fn decode_strings(mut bytes: &[u8]) -> Result<Vec<String>, DecodeError> {
    let mut items = Vec::new();
    while !bytes.is_empty() {
        let (length, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or(DecodeError::Truncated)?;
        let length = u32::from_le_bytes(*length) as usize;
        if rest.len() < length {
            return Err(DecodeError::Truncated);
        }
        let (item, rest) = rest.split_at(length);
        items.push(String::from_utf8(item.to_vec()).map_err(|_| DecodeError::NotUtf8)?);
        bytes = rest;
    }
    Ok(items)
}

/// A header list as one BLOB: name, value, name, value...
pub fn encode_headers(headers: &[(String, String)]) -> Vec<u8> {
    encode_strings(
        headers
            .iter()
            .flat_map(|(name, value)| [name.as_str(), value.as_str()]),
    )
}

/// [`encode_headers`]' inverse.
pub fn decode_headers(bytes: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    let items = decode_strings(bytes)?;
    if items.len() % 2 != 0 {
        return Err(DecodeError::OddHeaderList);
    }
    let mut headers = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        headers.push((name, value));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_come_back_as_they_were_even_with_separators_inside() {
        let headers = vec![
            ("x-a".to_owned(), "1\0, 2".to_owned()),
            ("x-a".to_owned(), String::new()),
            ("".to_owned(), "é".to_owned()),
        ];
        assert_eq!(decode_headers(&encode_headers(&headers)).unwrap(), headers);
        assert_eq!(decode_headers(&[]).unwrap(), Vec::new());
    }

    #[test]
    fn damaged_columns_are_errors_not_panics() {
        let mut bytes = encode_strings(["name", "value"]);
        bytes.pop();
        assert_eq!(decode_strings(&bytes), Err(DecodeError::Truncated));
        assert_eq!(decode_strings(&[1, 0]), Err(DecodeError::Truncated));
        assert_eq!(
            decode_strings(&[1, 0, 0, 0, 0xff]),
            Err(DecodeError::NotUtf8)
        );
        assert_eq!(
            decode_headers(&encode_strings(["lonely"])),
            Err(DecodeError::OddHeaderList)
        );
    }
}

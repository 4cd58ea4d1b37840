//! HTTP methods as Fetch checks them (https://fetch.spec.whatwg.org/#concept-method): what
//! `new Request(url, {method})` and a static router rule's `requestMethod` both accept.

/// Why a method is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodError {
    /// Not a token (empty, or a character outside RFC 9110's `tchar`).
    NotAToken,
    /// `CONNECT`, `TRACE` or `TRACK` (https://fetch.spec.whatwg.org/#forbidden-method).
    Forbidden,
}

/// A method checked and normalized (https://fetch.spec.whatwg.org/#concept-method-normalize):
/// the six standard methods upper-cased whatever their case, any other kept as it is.
pub fn normalize_method(method: &str) -> Result<String, MethodError> {
    let token = !method.is_empty()
        && method
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte));
    if !token {
        return Err(MethodError::NotAToken);
    }
    let upper = method.to_ascii_uppercase();
    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(MethodError::Forbidden);
    }
    let standard = matches!(
        upper.as_str(),
        "DELETE" | "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT"
    );
    Ok(if standard { upper } else { method.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_normalize_as_fetch_says() {
        assert_eq!(normalize_method("post").unwrap(), "POST");
        assert_eq!(normalize_method("Patch").unwrap(), "Patch");
        assert_eq!(normalize_method("trace"), Err(MethodError::Forbidden));
        assert_eq!(normalize_method("GE T"), Err(MethodError::NotAToken));
        assert_eq!(normalize_method(""), Err(MethodError::NotAToken));
    }
}

//! Headers (https://fetch.spec.whatwg.org/#headers-class): a header list with a guard.

use std::cell::{Cell, RefCell};

use crate::dom::prelude::*;

/// <https://fetch.spec.whatwg.org/#concept-headers-guard>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Trace)]
pub enum Guard {
    None,
    /// A request's headers: forbidden request headers are silently dropped.
    Request,
    /// A network response's headers: read-only.
    Immutable,
}

#[derive(Trace)]
#[repr(C)]
pub struct Headers {
    reflector: Reflector,
    list: RefCell<Vec<(String, String)>>,
    guard: Cell<Guard>,
}

/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
pub(crate) fn is_forbidden_request_header(name: &str) -> bool {
    const FORBIDDEN: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let name = name.to_ascii_lowercase();
    FORBIDDEN.contains(&name.as_str()) || name.starts_with("proxy-") || name.starts_with("sec-")
}

/// <https://fetch.spec.whatwg.org/#header-name>: a token.
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// <https://fetch.spec.whatwg.org/#concept-header-value-normalize>: leading and trailing HTTP
/// whitespace removed.
pub(crate) fn trim_http_whitespace(value: &str) -> &str {
    value.trim_matches(|c| matches!(c, '\t' | '\n' | '\r' | ' '))
}

/// <https://fetch.spec.whatwg.org/#concept-header-value-normalize>, then validity: no NUL,
/// CR or LF.
fn normalize_value(value: &str) -> Fallible<String> {
    let trimmed = trim_http_whitespace(value);
    if trimmed.contains(['\0', '\r', '\n']) {
        return Err(Error::Type(format!("Invalid header value: {value:?}")));
    }
    Ok(trimmed.to_owned())
}

impl Headers {
    pub fn new(cx: &mut JSContext, global: &GlobalScope, guard: Guard) -> DomRoot<Headers> {
        Self::create(cx, global, None, guard)
    }

    fn create(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        guard: Guard,
    ) -> DomRoot<Headers> {
        HeadersBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(Headers {
                reflector: Reflector::new(),
                list: RefCell::new(Vec::new()),
                guard: Cell::new(guard),
            }),
        )
    }

    /// The header list, in insertion order, names as given.
    pub fn list(&self) -> Vec<(String, String)> {
        self.list.borrow().clone()
    }

    pub fn set_guard(&self, guard: Guard) {
        self.guard.set(guard);
    }

    /// Replaces the list (for clones and network responses), bypassing the guard.
    pub fn set_list(&self, list: Vec<(String, String)>) {
        *self.list.borrow_mut() = list;
    }

    /// <https://fetch.spec.whatwg.org/#concept-headers-fill>
    pub fn fill(
        &self,
        init: ByteStringSequenceSequenceOrByteStringByteStringRecord,
    ) -> Fallible<()> {
        match init {
            ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringSequenceSequence(
                pairs,
            ) => {
                for pair in pairs {
                    let [name, value] = <[String; 2]>::try_from(pair).map_err(|_| {
                        Error::Type("Each header pair must have exactly two items.".into())
                    })?;
                    self.append(&name, &value)?;
                }
            }
            ByteStringSequenceSequenceOrByteStringByteStringRecord::ByteStringByteStringRecord(
                record,
            ) => {
                for (name, value) in record {
                    self.append(&name, &value)?;
                }
            }
        }
        Ok(())
    }

    /// Whether a change of `name` is allowed: errors for invalid names and immutable lists;
    /// `Ok(false)` for a forbidden request header (silently ignored).
    fn may_change(&self, name: &str) -> Fallible<bool> {
        if !is_header_name(name) {
            return Err(Error::Type(format!("Invalid header name: {name:?}")));
        }
        match self.guard.get() {
            Guard::Immutable => Err(Error::Type("Headers are immutable.".into())),
            Guard::Request if is_forbidden_request_header(name) => Ok(false),
            _ => Ok(true),
        }
    }

    /// <https://fetch.spec.whatwg.org/#concept-headers-append>
    pub fn append(&self, name: &str, value: &str) -> Fallible<()> {
        let value = normalize_value(value)?;
        if self.may_change(name)? {
            self.list.borrow_mut().push((name.to_owned(), value));
        }
        Ok(())
    }

    /// The combined value of `name` (https://fetch.spec.whatwg.org/#concept-header-list-get).
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .list
            .borrow()
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

impl HeadersMethods for Headers {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        init: Option<ByteStringSequenceSequenceOrByteStringByteStringRecord>,
    ) -> Fallible<DomRoot<Headers>> {
        let headers = Self::create(cx, global, proto, Guard::None);
        if let Some(init) = init {
            headers.fill(init)?;
        }
        Ok(headers)
    }
    fn Append(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) -> Fallible<()> {
        self.append(&name, &value)
    }
    fn Delete(&self, _cx: &mut JSContext, name: DOMString) -> Fallible<()> {
        if self.may_change(&name)? {
            self.list
                .borrow_mut()
                .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        }
        Ok(())
    }
    fn Get(&self, _cx: &mut JSContext, name: DOMString) -> Fallible<Option<DOMString>> {
        if !is_header_name(&name) {
            return Err(Error::Type(format!("Invalid header name: {name:?}")));
        }
        Ok(self.get(&name))
    }
    fn GetSetCookie(&self, _cx: &mut JSContext) -> Vec<DOMString> {
        self.list
            .borrow()
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn Has(&self, _cx: &mut JSContext, name: DOMString) -> Fallible<bool> {
        if !is_header_name(&name) {
            return Err(Error::Type(format!("Invalid header name: {name:?}")));
        }
        Ok(self.get(&name).is_some())
    }
    /// <https://fetch.spec.whatwg.org/#dom-headers-set>
    fn Set(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) -> Fallible<()> {
        let value = normalize_value(&value)?;
        if !self.may_change(&name)? {
            return Ok(());
        }
        let mut list = self.list.borrow_mut();
        match list.iter().position(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            Some(first) => {
                list[first].1 = value;
                let mut index = 0;
                list.retain(|(n, _)| {
                    let keep = index <= first || !n.eq_ignore_ascii_case(&name);
                    index += 1;
                    keep
                });
            }
            None => list.push((name, value)),
        }
        Ok(())
    }
    /// <https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine>: lowercase names,
    /// sorted, values combined (set-cookie kept apart).
    fn IterPairs(&self, _cx: &mut JSContext) -> Vec<(DOMString, DOMString)> {
        let mut names: Vec<String> = self
            .list
            .borrow()
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        let mut pairs = Vec::new();
        for name in names {
            if name == "set-cookie" {
                for (n, v) in self.list.borrow().iter() {
                    if n.eq_ignore_ascii_case("set-cookie") {
                        pairs.push((name.clone(), v.clone()));
                    }
                }
            } else if let Some(value) = self.get(&name) {
                pairs.push((name, value));
            }
        }
        pairs
    }
}

//! URLSearchParams (https://url.spec.whatwg.org/#interface-urlsearchparams).

use std::cell::RefCell;

use crate::dom::prelude::*;
use crate::dom::url::URL;

#[derive(Trace)]
#[repr(C)]
pub struct URLSearchParams {
    reflector: Reflector,
    list: RefCell<Vec<(String, String)>>,
    url: MutNullableDom<URL>,
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl URLSearchParams {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        url: Option<&URL>,
    ) -> DomRoot<URLSearchParams> {
        let list = url
            .and_then(|u| u.url().query().map(parse_query))
            .unwrap_or_default();
        URLSearchParamsBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(URLSearchParams {
                reflector: Reflector::new(),
                list: RefCell::new(list),
                url: MutNullableDom::new(url),
            }),
        )
    }

    pub fn set_list_from_query(&self, query: &str) {
        *self.list.borrow_mut() = parse_query(query);
    }

    pub fn serialize(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.list.borrow().iter())
            .finish()
    }

    /// https://url.spec.whatwg.org/#concept-urlsearchparams-update
    fn update(&self) {
        if let Some(url) = self.url.get() {
            url.set_query_from_params(&self.serialize());
        }
    }
}

impl URLSearchParamsMethods for URLSearchParams {
    /// <https://url.spec.whatwg.org/#dom-urlsearchparams-urlsearchparams>
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        init: USVStringSequenceSequenceOrUSVStringUSVStringRecordOrUSVString,
    ) -> Fallible<DomRoot<URLSearchParams>> {
        let params = URLSearchParams::new(cx, global, proto, None);
        let list = match init {
            USVStringSequenceSequenceOrUSVStringUSVStringRecordOrUSVString::USVStringSequenceSequence(pairs) => {
                let mut list = Vec::new();
                for pair in pairs {
                    if pair.len() != 2 {
                        return Err(Error::Type("Failed to construct 'URLSearchParams': The provided sequence does not contain exactly two elements.".into()));
                    }
                    list.push((pair[0].clone(), pair[1].clone()));
                }
                list
            }
            USVStringSequenceSequenceOrUSVStringUSVStringRecordOrUSVString::USVStringUSVStringRecord(record) => record,
            USVStringSequenceSequenceOrUSVStringUSVStringRecordOrUSVString::USVString(query) => {
                parse_query(query.strip_prefix('?').unwrap_or(&query))
            }
        };
        *params.list.borrow_mut() = list;
        Ok(params)
    }
    fn Size(&self, _cx: &mut JSContext) -> u32 {
        self.list.borrow().len() as u32
    }
    fn Append(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) {
        self.list.borrow_mut().push((name, value));
        self.update();
    }
    fn Delete(&self, _cx: &mut JSContext, name: DOMString, value: Option<DOMString>) {
        self.list
            .borrow_mut()
            .retain(|(k, v)| !(k == &name && value.as_ref().is_none_or(|value| v == value)));
        self.update();
    }
    fn Get(&self, _cx: &mut JSContext, name: DOMString) -> Option<DOMString> {
        self.list
            .borrow()
            .iter()
            .find(|(k, _)| k == &name)
            .map(|(_, v)| v.clone())
    }
    fn GetAll(&self, _cx: &mut JSContext, name: DOMString) -> Vec<DOMString> {
        self.list
            .borrow()
            .iter()
            .filter(|(k, _)| k == &name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn Has(&self, _cx: &mut JSContext, name: DOMString, value: Option<DOMString>) -> bool {
        self.list
            .borrow()
            .iter()
            .any(|(k, v)| k == &name && value.as_ref().is_none_or(|value| v == value))
    }
    /// <https://url.spec.whatwg.org/#dom-urlsearchparams-set>
    fn Set(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) {
        {
            let mut list = self.list.borrow_mut();
            match list.iter().position(|(k, _)| k == &name) {
                Some(first) => {
                    list[first].1 = value;
                    let mut index = 0;
                    list.retain(|(k, _)| {
                        let keep = index <= first || k != &name;
                        index += 1;
                        keep
                    });
                }
                None => list.push((name, value)),
            }
        }
        self.update();
    }
    /// <https://url.spec.whatwg.org/#dom-urlsearchparams-sort> (stable, by UTF-16 code units)
    fn Sort(&self, _cx: &mut JSContext) {
        self.list
            .borrow_mut()
            .sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        self.update();
    }
    fn IterPairs(&self, _cx: &mut JSContext) -> Vec<(DOMString, DOMString)> {
        self.list.borrow().clone()
    }
    fn Stringifier(&self, _cx: &mut JSContext) -> DOMString {
        self.serialize()
    }
}

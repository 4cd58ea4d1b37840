//! DOMTokenList (https://dom.spec.whatwg.org/#interface-domtokenlist): a live view of an
//! element's space-separated attribute (`classList`).

use crate::dom::element::Element;
use crate::dom::prelude::*;

#[derive(Trace)]
#[repr(C)]
pub struct DOMTokenList {
    reflector: Reflector,
    element: Dom<Element>,
    attribute: &'static str,
}

impl DOMTokenList {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        element: &Element,
        attribute: &'static str,
    ) -> DomRoot<DOMTokenList> {
        DOMTokenListBinding::Wrap(
            cx,
            global,
            None,
            Box::new(DOMTokenList {
                reflector: Reflector::new(),
                element: Dom::from_ref(element),
                attribute,
            }),
        )
    }

    /// The ordered set of tokens (duplicates dropped).
    fn tokens(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for token in self
            .element
            .get_attribute(self.attribute)
            .unwrap_or_default()
            .split_ascii_whitespace()
        {
            if !out.iter().any(|t| t == token) {
                out.push(token.to_string());
            }
        }
        out
    }

    fn store(&self, tokens: &[String]) {
        self.element.set_attribute(self.attribute, tokens.join(" "));
    }
}

/// https://dom.spec.whatwg.org/#dom-domtokenlist-add step 1: empty is SyntaxError, whitespace
/// is InvalidCharacterError.
fn check_token(token: &str) -> Fallible<()> {
    if token.is_empty() {
        return Err(Error::syntax("The token provided must not be empty."));
    }
    if token.chars().any(|c| c.is_ascii_whitespace()) {
        return Err(Error::invalid_character(format!(
            "The token provided ('{token}') contains HTML space characters, which are not valid in tokens."
        )));
    }
    Ok(())
}

impl DOMTokenListMethods for DOMTokenList {
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.tokens().len() as u32
    }
    fn Item(&self, _cx: &mut JSContext, index: u32) -> Option<DOMString> {
        self.tokens().get(index as usize).cloned()
    }
    fn Contains(&self, _cx: &mut JSContext, token: DOMString) -> bool {
        self.tokens().contains(&token)
    }
    fn Add(&self, _cx: &mut JSContext, tokens: Vec<DOMString>) -> Fallible<()> {
        for token in &tokens {
            check_token(token)?;
        }
        let mut list = self.tokens();
        for token in tokens {
            if !list.contains(&token) {
                list.push(token);
            }
        }
        self.store(&list);
        Ok(())
    }
    fn Remove(&self, _cx: &mut JSContext, tokens: Vec<DOMString>) -> Fallible<()> {
        for token in &tokens {
            check_token(token)?;
        }
        let mut list = self.tokens();
        list.retain(|t| !tokens.contains(t));
        self.store(&list);
        Ok(())
    }
    /// <https://dom.spec.whatwg.org/#dom-domtokenlist-toggle>
    fn Toggle(&self, _cx: &mut JSContext, token: DOMString, force: Option<bool>) -> Fallible<bool> {
        check_token(&token)?;
        let mut list = self.tokens();
        let present = list.contains(&token);
        match (present, force) {
            (true, None | Some(false)) => {
                list.retain(|t| *t != token);
                self.store(&list);
                Ok(false)
            }
            (false, None | Some(true)) => {
                list.push(token);
                self.store(&list);
                Ok(true)
            }
            (present, _) => Ok(present),
        }
    }
    /// <https://dom.spec.whatwg.org/#dom-domtokenlist-replace>
    fn Replace(
        &self,
        _cx: &mut JSContext,
        token: DOMString,
        new_token: DOMString,
    ) -> Fallible<bool> {
        check_token(&token)?;
        check_token(&new_token)?;
        let mut list = self.tokens();
        let Some(index) = list.iter().position(|t| *t == token) else {
            return Ok(false);
        };
        if list.contains(&new_token) {
            list.remove(index);
        } else {
            list[index] = new_token;
        }
        self.store(&list);
        Ok(true)
    }
    fn Value(&self, _cx: &mut JSContext) -> DOMString {
        self.element
            .get_attribute(self.attribute)
            .unwrap_or_default()
    }
    fn SetValue(&self, _cx: &mut JSContext, value: DOMString) {
        self.element.set_attribute(self.attribute, value);
    }
    fn IndexedGetter(&self, _cx: &mut JSContext, index: u32) -> Option<Option<DOMString>> {
        self.tokens().get(index as usize).cloned().map(Some)
    }
    fn IndexedLength(&self) -> u32 {
        self.tokens().len() as u32
    }
}

//! A small CSS selector engine for `querySelector(All)`, `matches` and `closest`
//! (https://dom.spec.whatwg.org/#scope-match-a-selectors-string).
//!
//! Supported: selector lists (`a, b`), the descendant (` `) and child (`>`) combinators, and
//! compound selectors of `*`, type, `#id`, `.class`, `[attr]`, `[attr=value]` (quoted or not),
//! `[attr~=v]`, `[attr^=v]`, `[attr$=v]`, `[attr*=v]`. Anything else is a SyntaxError, as a
//! browser reports an invalid selector. No pseudo-classes yet.

use crate::dom::bindings::root::DomRoot;
use crate::dom::element::Element;
use crate::dom::node::Node;

#[derive(Debug, Clone, PartialEq)]
enum AttrOp {
    Exists,
    Equals(String),
    Includes(String),
    Prefix(String),
    Suffix(String),
    Substring(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Compound {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, AttrOp)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

/// A complex selector, rightmost compound first.
#[derive(Debug, Clone, PartialEq)]
struct Complex {
    subject: Compound,
    ancestors: Vec<(Combinator, Compound)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectorList(Vec<Complex>);

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Parser<'_> {
    fn name(&mut self) -> Result<String, ()> {
        let mut out = String::new();
        while let Some(&c) = self.chars.peek() {
            if is_name_char(c) {
                out.push(c);
                self.chars.next();
            } else if c == '\\' {
                self.chars.next();
                out.push(self.chars.next().ok_or(())?);
            } else {
                break;
            }
        }
        if out.is_empty() {
            Err(())
        } else {
            Ok(out)
        }
    }

    fn skip_spaces(&mut self) -> bool {
        let mut any = false;
        while self.chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.chars.next();
            any = true;
        }
        any
    }

    fn attribute(&mut self) -> Result<(String, AttrOp), ()> {
        self.skip_spaces();
        let name = self.name()?.to_ascii_lowercase();
        self.skip_spaces();
        let op = match self.chars.next().ok_or(())? {
            ']' => return Ok((name, AttrOp::Exists)),
            '=' => "=",
            c @ ('~' | '^' | '$' | '*') => {
                if self.chars.next() != Some('=') {
                    return Err(());
                }
                match c {
                    '~' => "~=",
                    '^' => "^=",
                    '$' => "$=",
                    _ => "*=",
                }
            }
            _ => return Err(()),
        };
        self.skip_spaces();
        let value = match self.chars.peek() {
            Some(&q @ ('"' | '\'')) => {
                self.chars.next();
                let mut v = String::new();
                loop {
                    match self.chars.next().ok_or(())? {
                        c if c == q => break,
                        '\\' => v.push(self.chars.next().ok_or(())?),
                        c => v.push(c),
                    }
                }
                v
            }
            _ => self.name()?,
        };
        self.skip_spaces();
        if self.chars.next() != Some(']') {
            return Err(());
        }
        let op = match op {
            "=" => AttrOp::Equals(value),
            "~=" => AttrOp::Includes(value),
            "^=" => AttrOp::Prefix(value),
            "$=" => AttrOp::Suffix(value),
            _ => AttrOp::Substring(value),
        };
        Ok((name, op))
    }

    fn compound(&mut self) -> Result<Compound, ()> {
        let mut compound = Compound::default();
        let mut any = false;
        match self.chars.peek() {
            Some('*') => {
                self.chars.next();
                any = true;
            }
            Some(&c) if is_name_char(c) => {
                compound.tag = Some(self.name()?.to_ascii_lowercase());
                any = true;
            }
            _ => {}
        }
        loop {
            match self.chars.peek() {
                Some('#') => {
                    self.chars.next();
                    compound.id = Some(self.name()?);
                }
                Some('.') => {
                    self.chars.next();
                    compound.classes.push(self.name()?);
                }
                Some('[') => {
                    self.chars.next();
                    compound.attrs.push(self.attribute()?);
                }
                _ => break,
            }
            any = true;
        }
        if any {
            Ok(compound)
        } else {
            Err(())
        }
    }
}

/// The selectors string does not parse (a SyntaxError for scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSelector;

/// Parses a selector list.
pub fn parse(selectors: &str) -> Result<SelectorList, InvalidSelector> {
    parse_list(selectors).map_err(|()| InvalidSelector)
}

fn parse_list(selectors: &str) -> Result<SelectorList, ()> {
    // Parse compounds and combinators in order, then arrange them right to left.
    let mut list = Vec::new();
    for part in split_top_level_commas(selectors) {
        let mut parser = Parser {
            chars: part.chars().peekable(),
        };
        parser.skip_spaces();
        let mut compounds = vec![parser.compound()?];
        let mut combinators = Vec::new();
        loop {
            let spaced = parser.skip_spaces();
            match parser.chars.peek() {
                None => break,
                Some('>') => {
                    parser.chars.next();
                    parser.skip_spaces();
                    combinators.push(Combinator::Child);
                    compounds.push(parser.compound()?);
                }
                Some(_) if spaced => {
                    combinators.push(Combinator::Descendant);
                    compounds.push(parser.compound()?);
                }
                Some(_) => return Err(()),
            }
        }
        let subject = compounds.pop().ok_or(())?;
        let mut ancestors = Vec::new();
        while let Some(compound) = compounds.pop() {
            let combinator = combinators.pop().ok_or(())?;
            ancestors.push((combinator, compound));
        }
        list.push(Complex { subject, ancestors });
    }
    if list.is_empty() {
        return Err(());
    }
    Ok(SelectorList(list))
}

fn split_top_level_commas(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn matches_compound(element: &Element, compound: &Compound) -> bool {
    if let Some(tag) = &compound.tag {
        if element.local_name() != *tag {
            return false;
        }
    }
    if let Some(id) = &compound.id {
        if element.get_attribute("id").as_deref() != Some(id.as_str()) {
            return false;
        }
    }
    if !compound.classes.is_empty() {
        let own = element.class_tokens();
        if !compound.classes.iter().all(|c| own.contains(c)) {
            return false;
        }
    }
    compound.attrs.iter().all(|(name, op)| {
        let Some(value) = element.get_attribute(name) else {
            return false;
        };
        match op {
            AttrOp::Exists => true,
            AttrOp::Equals(v) => value == *v,
            AttrOp::Includes(v) => value.split_ascii_whitespace().any(|t| t == v),
            AttrOp::Prefix(v) => !v.is_empty() && value.starts_with(v.as_str()),
            AttrOp::Suffix(v) => !v.is_empty() && value.ends_with(v.as_str()),
            AttrOp::Substring(v) => !v.is_empty() && value.contains(v.as_str()),
        }
    })
}

fn parent_element(element: &Element) -> Option<DomRoot<Element>> {
    use crate::dom::bindings::reflector::Castable;
    element
        .upcast::<Node>()
        .parent_node()
        .and_then(|p| p.downcast::<Element>().map(DomRoot::from_ref))
}

fn matches_from(element: &Element, ancestors: &[(Combinator, Compound)]) -> bool {
    let Some(((combinator, compound), rest)) = ancestors.split_first() else {
        return true;
    };
    let mut current = parent_element(element);
    while let Some(candidate) = current {
        if matches_compound(&candidate, compound) && matches_from(&candidate, rest) {
            return true;
        }
        if *combinator == Combinator::Child {
            return false;
        }
        current = parent_element(&candidate);
    }
    false
}

impl SelectorList {
    pub fn matches(&self, element: &Element) -> bool {
        self.0
            .iter()
            .any(|c| matches_compound(element, &c.subject) && matches_from(element, &c.ancestors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_selectors() {
        for ok in [
            "div",
            "*",
            "#a",
            ".b.c",
            "div > p",
            "ul li",
            "a[href]",
            "[data-x='1 2']",
            "p, span",
            "a[href^=http]",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", " ", "div >", "..a", "a[", "a[b=]", "p,", ":hover", "a!b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn combinators_are_stored_right_to_left() {
        let list = parse("ul > li a").unwrap();
        let complex = &list.0[0];
        assert_eq!(complex.subject.tag.as_deref(), Some("a"));
        assert_eq!(complex.ancestors[0].0, Combinator::Descendant);
        assert_eq!(complex.ancestors[0].1.tag.as_deref(), Some("li"));
        assert_eq!(complex.ancestors[1].0, Combinator::Child);
        assert_eq!(complex.ancestors[1].1.tag.as_deref(), Some("ul"));
    }
}

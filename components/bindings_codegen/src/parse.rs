//! Web IDL front end: turns `.webidl` sources into the generator's model in [`crate::ir`].
//!
//! weedle2 does the syntax; this module does the semantics the emitter relies on. Partial
//! definitions and `includes`d mixins are merged into their main definition, typedefs are resolved
//! away, the extended attributes the generator understands become fields, and the whole set is
//! validated (unknown type names, duplicate definitions, broken inheritance). A mistake in a
//! `.webidl` file is therefore a build error naming that file, never broken generated Rust.
//! Extended attributes the generator has no use for (`[NewObject]`, `[CEReactions]`, ...) are
//! ignored; IDL constructs the model cannot express (`setter`, `maplike`, ...) are rejected rather
//! than dropped. Nothing here knows about the emitter or SpiderMonkey.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use weedle::argument as wa;
use weedle::attribute::{ExtendedAttribute, ExtendedAttributeList, IdentifierOrString};
use weedle::common::Identifier;
use weedle::interface::{
    AsyncIterableInterfaceMember, ConstMember, InterfaceMember, IterableInterfaceMember,
    OperationInterfaceMember, SingleTypedAsyncIterable, Special, StringifierOrInheritOrStatic,
    StringifierOrStatic,
};
use weedle::literal as wl;
use weedle::mixin::MixinMember;
use weedle::namespace::NamespaceMember;
use weedle::types as wt;
use weedle::{Definition, Parse};

use crate::ir::{
    self, Attribute, CallbackFunction, CallbackInterface, ConstValue, Constant, DefaultValue,
    Definitions, Dictionary, DictionaryMember, Enumeration, Exposure, Interface, Iterable,
    Namespace, Operation, Origin, Type, TypeAttrs,
};

/// A problem in one `.webidl` file: syntax, an unsupported construct, or a failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    fn new(file: &str, message: String) -> ParseError {
        let file = file.to_string();
        ParseError { file, message }
    }
}

/// Parses, merges, resolves and validates a set of Web IDL files (`(file name, text)` pairs; the
/// name is only used in error messages).
pub fn parse_sources(sources: &[(String, String)]) -> Result<Definitions, ParseError> {
    let mut pieces = Vec::new();
    for (file, text) in sources {
        pieces.extend(parse_file(file, text).map_err(|message| ParseError::new(file, message))?);
    }
    check_duplicates(&pieces)?;
    let typedefs = Typedefs::collect(&pieces);
    let known = known_type_names(&pieces);
    // Resolve and check per piece, before merging, so an error names the file that holds the
    // offending reference even when it is a partial definition merged elsewhere.
    for located in &mut pieces {
        resolve_and_check(located, &typedefs, &known)?;
    }
    let definitions = merge(pieces)?;
    check_inheritance(&definitions)?;
    Ok(definitions)
}

// ---------------------------------------------------------------------------------------------
// Text preparation and weedle2.
// ---------------------------------------------------------------------------------------------

/// Stands in for `undefined` as a default value, which weedle2 cannot parse: the text is rewritten
/// to this string literal and turned back into `DefaultValue::Undefined`. The control character
/// keeps it from colliding with a real IDL string.
const UNDEFINED_DEFAULT: &str = "\u{1}undefined";

fn parse_file(file: &str, text: &str) -> Result<Vec<Located>, String> {
    let scan = Scan::new(text);
    reject_exposed_star(text, &scan)?;
    let prepared = prepare(text, &scan);
    // `weedle::parse` asserts (panics) when it cannot read a whole file, so call the underlying
    // parser and check the rest ourselves; `catch_unwind` guards against any other panic in it.
    let parsed = std::panic::catch_unwind(|| weedle::Definitions::parse(&prepared))
        .map_err(|_| "the Web IDL parser (weedle2) panicked on this file".to_string())?;
    let (rest, definitions) = parsed.map_err(|e| format!("syntax error: {e}"))?;
    check_fully_parsed(&prepared, rest)?;
    let origin = Origin {
        file: file.to_string(),
    };
    definitions
        .iter()
        .map(|def| convert_definition(def, &origin))
        .collect()
}

/// A copy of a text with comments and string-literal contents blanked to spaces (byte offsets
/// unchanged), so textual checks only see IDL tokens.
struct Scan {
    code: Vec<u8>,
    line_comments: Vec<usize>,
}

impl Scan {
    fn new(text: &str) -> Scan {
        let bytes = text.as_bytes();
        let mut code = bytes.to_vec();
        let mut line_comments = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            // (first byte to blank, one past the last, where scanning resumes)
            let (from, to, resume) = if rest.starts_with(b"//") {
                line_comments.push(i);
                let end = find_from(bytes, i, b"\n").unwrap_or(bytes.len());
                (i, end, end)
            } else if rest.starts_with(b"/*") {
                let end = find_from(bytes, i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                (i, end, end)
            } else if rest.starts_with(b"\"") {
                // Keep the quotes: a stray string must still count as a token.
                let close = find_from(bytes, i + 1, b"\"").unwrap_or(bytes.len());
                (i + 1, close, close + 1)
            } else {
                i += 1;
                continue;
            };
            for byte in code.iter_mut().take(to).skip(from) {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
            i = resume;
        }
        Scan {
            code,
            line_comments,
        }
    }

    /// Offsets just past each `keyword` that stands alone as an identifier.
    fn keyword_ends(&self, keyword: &str) -> Vec<usize> {
        let code = &self.code;
        let mut ends = Vec::new();
        let mut from = 0;
        while let Some(start) = find_from(code, from, keyword.as_bytes()) {
            let end = start + keyword.len();
            let before_ok = start == 0 || !is_ident_byte(code[start - 1]);
            let after_ok = code.get(end).is_none_or(|&b| !is_ident_byte(b));
            if before_ok && after_ok {
                ends.push(end);
            }
            from = end;
        }
        ends
    }

    fn skip_space(&self, mut at: usize) -> usize {
        while self.code.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    }

    /// Whether the token `start..end` is a default value: `=` before it and the end of an
    /// argument or member after it (unlike `callback C = undefined (...)`).
    fn is_default_value(&self, start: usize, end: usize) -> bool {
        let before = self.code[..start]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace());
        let after = self.code.get(self.skip_space(end));
        before == Some(&b'=') && matches!(after, Some(b',' | b')' | b';'))
    }
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
}

/// weedle2 panics on `[Exposed=*]`; catch it here so the author gets told what to write instead.
fn reject_exposed_star(text: &str, scan: &Scan) -> Result<(), String> {
    for end in scan.keyword_ends("Exposed") {
        let assign = scan.skip_space(end);
        if scan.code.get(assign) == Some(&b'=')
            && scan.code.get(scan.skip_space(assign + 1)) == Some(&b'*')
        {
            return Err(format!(
                "line {}: `[Exposed=*]` is not supported by the Web IDL parser (weedle2); spell \
                 the globals out, e.g. `[Exposed=(Window,Worker)]`, and say why in a comment",
                line_of(text, end)
            ));
        }
    }
    Ok(())
}

/// Rewrites what weedle2 cannot read but the model needs: `/// doc` comments outside the few
/// places weedle2 accepts them become plain comments, `= undefined` defaults become
/// [`UNDEFINED_DEFAULT`], and a final newline lets a trailing `// comment` end.
fn prepare(text: &str, scan: &Scan) -> String {
    let mut out = text.to_string();
    for &start in &scan.line_comments {
        let slashes = text
            .bytes()
            .skip(start + 2)
            .take_while(|&b| b == b'/')
            .count();
        out.replace_range(start + 2..start + 2 + slashes, &" ".repeat(slashes));
    }
    // Back to front, so earlier offsets stay valid.
    for end in scan.keyword_ends("undefined").into_iter().rev() {
        let start = end - "undefined".len();
        if scan.is_default_value(start, end) {
            out.replace_range(start..end, &format!("\"{UNDEFINED_DEFAULT}\""));
        }
    }
    out.push('\n');
    out
}

/// `Definitions::parse` stops at the first definition it cannot read; anything but whitespace
/// and comments left over is that definition's syntax error.
fn check_fully_parsed(text: &str, rest: &str) -> Result<(), String> {
    let scan = Scan::new(rest);
    let Some(first) = scan.code.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Ok(());
    };
    let offset = text.len() - rest.len() + first;
    let snippet: String = rest
        .get(first..)
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect();
    Err(format!(
        "line {}: syntax error in the definition starting `{}`",
        line_of(text, offset),
        snippet.split_whitespace().collect::<Vec<_>>().join(" ")
    ))
}

// ---------------------------------------------------------------------------------------------
// weedle2 syntax tree -> model pieces, one per definition, not yet merged or resolved.
// ---------------------------------------------------------------------------------------------

/// One definition of one file, in model types. Mixins reuse `Interface` for their members.
#[derive(Debug)]
enum Piece {
    Interface(Interface),
    PartialInterface(Interface),
    Mixin(Interface),
    PartialMixin(Interface),
    Namespace(Namespace),
    PartialNamespace(Namespace),
    Dictionary(Dictionary),
    PartialDictionary(Dictionary),
    Enum(Enumeration),
    Callback(CallbackFunction),
    CallbackInterface(CallbackInterface),
    Typedef {
        name: String,
        ty: Type,
        attrs: TypeAttrs,
    },
    Includes {
        target: String,
        mixin: String,
    },
}

/// A piece with what error messages and the duplicate check need to know about it.
#[derive(Debug)]
struct Located {
    file: String,
    /// "interface", "partial dictionary", ... as in the source.
    kind: &'static str,
    name: String,
    piece: Piece,
}

impl Located {
    fn describe(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }

    /// The name this piece defines, for definitions that must be unique.
    fn defined_name(&self) -> Option<&str> {
        let adds_to_another = self.kind.starts_with("partial") || self.kind.contains("statement");
        (!adds_to_another).then_some(self.name.as_str())
    }
}

fn convert_definition(def: &Definition, origin: &Origin) -> Result<Located, String> {
    let (kind, name) = definition_label(def);
    let piece = convert_definition_body(def, origin).map_err(|e| format!("{kind} {name}: {e}"))?;
    let (file, name) = (origin.file.clone(), name.to_string());
    Ok(Located {
        file,
        kind,
        name,
        piece,
    })
}

fn definition_label<'a>(def: &Definition<'a>) -> (&'static str, &'a str) {
    match def {
        Definition::Callback(d) => ("callback", d.identifier.0),
        Definition::CallbackInterface(d) => ("callback interface", d.identifier.0),
        Definition::Interface(d) => ("interface", d.identifier.0),
        Definition::InterfaceMixin(d) => ("interface mixin", d.identifier.0),
        Definition::Namespace(d) => ("namespace", d.identifier.0),
        Definition::Dictionary(d) => ("dictionary", d.identifier.0),
        Definition::PartialInterface(d) => ("partial interface", d.identifier.0),
        Definition::PartialInterfaceMixin(d) => ("partial interface mixin", d.identifier.0),
        Definition::PartialDictionary(d) => ("partial dictionary", d.identifier.0),
        Definition::PartialNamespace(d) => ("partial namespace", d.identifier.0),
        Definition::Enum(d) => ("enum", d.identifier.0),
        Definition::Typedef(d) => ("typedef", d.identifier.0),
        Definition::IncludesStatement(d) => ("includes statement of", d.lhs_identifier.0),
        Definition::Implements(d) => ("implements statement of", d.lhs_identifier.0),
    }
}

fn convert_definition_body(def: &Definition, origin: &Origin) -> Result<Piece, String> {
    Ok(match def {
        Definition::Interface(d) => {
            let list = ext_attrs(&d.attributes);
            let mut iface = new_interface(d.identifier, list, origin);
            iface.inherits = d.inheritance.map(|i| i.identifier.0.to_string());
            iface.global = ident_list(list, "Global").unwrap_or_default();
            iface.legacy_no_interface_object = has_flag(list, "LegacyNoInterfaceObject");
            iface.legacy_unforgeable = has_flag(list, "LegacyUnforgeable");
            iface.generated_event = has_flag(list, "GeneratedEvent");
            iface.legacy_factories = legacy_factories(list)?;
            add_interface_members(&mut iface, &d.members.body)?;
            Piece::Interface(iface)
        }
        Definition::PartialInterface(d) => {
            let mut iface = new_interface(d.identifier, ext_attrs(&d.attributes), origin);
            add_interface_members(&mut iface, &d.members.body)?;
            Piece::PartialInterface(iface)
        }
        Definition::InterfaceMixin(d) => Piece::Mixin(convert_mixin(
            d.identifier,
            &d.attributes,
            &d.members.body,
            origin,
        )?),
        Definition::PartialInterfaceMixin(d) => Piece::PartialMixin(convert_mixin(
            d.identifier,
            &d.attributes,
            &d.members.body,
            origin,
        )?),
        Definition::Namespace(d) => Piece::Namespace(convert_namespace(
            d.identifier,
            &d.attributes,
            &d.members.body,
            origin,
        )?),
        Definition::PartialNamespace(d) => Piece::PartialNamespace(convert_namespace(
            d.identifier,
            &d.attributes,
            &d.members.body,
            origin,
        )?),
        Definition::Dictionary(d) => Piece::Dictionary(Dictionary {
            name: d.identifier.0.to_string(),
            inherits: d.inheritance.map(|i| i.identifier.0.to_string()),
            members: convert_dictionary_members(&d.members.body)?,
            origin: origin.clone(),
        }),
        Definition::PartialDictionary(d) => Piece::PartialDictionary(Dictionary {
            name: d.identifier.0.to_string(),
            inherits: None,
            members: convert_dictionary_members(&d.members.body)?,
            origin: origin.clone(),
        }),
        Definition::Enum(d) => Piece::Enum(Enumeration {
            name: d.identifier.0.to_string(),
            values: d
                .values
                .body
                .list
                .iter()
                .map(|v| v.value.0.to_string())
                .collect(),
            origin: origin.clone(),
        }),
        Definition::Callback(d) => Piece::Callback(CallbackFunction {
            name: d.identifier.0.to_string(),
            return_type: convert_return_type(&d.return_type)?,
            arguments: convert_arguments(&d.arguments.body)?,
            origin: origin.clone(),
        }),
        Definition::CallbackInterface(d) => {
            if d.inheritance.is_some() {
                return Err("callback interfaces cannot inherit".to_string());
            }
            Piece::CallbackInterface(convert_callback_interface(
                d.identifier,
                &d.members.body,
                origin,
            )?)
        }
        Definition::Typedef(d) => Piece::Typedef {
            name: d.identifier.0.to_string(),
            ty: convert_type(&d.type_.type_)?,
            attrs: merge_attrs(
                type_attrs(ext_attrs(&d.attributes)),
                type_attrs(ext_attrs(&d.type_.attributes)),
            ),
        },
        Definition::IncludesStatement(d) => Piece::Includes {
            target: d.lhs_identifier.0.to_string(),
            mixin: d.rhs_identifier.0.to_string(),
        },
        Definition::Implements(_) => {
            return Err(
                "`implements` is obsolete Web IDL; use `interface mixin` and `includes`"
                    .to_string(),
            )
        }
    })
}

fn unsupported(what: &str) -> String {
    format!("{what} is not supported by the binding generator")
}

fn new_interface(name: Identifier, list: &[ExtendedAttribute], origin: &Origin) -> Interface {
    Interface {
        name: name.0.to_string(),
        exposure: exposure(list),
        origin: origin.clone(),
        ..Interface::default()
    }
}

fn add_interface_members(iface: &mut Interface, members: &[InterfaceMember]) -> Result<(), String> {
    for member in members {
        match member {
            InterfaceMember::Const(c) => iface.constants.push(convert_const(c)?),
            InterfaceMember::Attribute(a) => {
                let modifier = match a.modifier {
                    Some(StringifierOrInheritOrStatic::Stringifier(_)) => Modifier::Stringifier,
                    Some(StringifierOrInheritOrStatic::Static(_)) => Modifier::Static,
                    Some(StringifierOrInheritOrStatic::Inherit(_)) => {
                        return Err(unsupported("`inherit attribute`"))
                    }
                    None => Modifier::None,
                };
                let attribute =
                    convert_attribute(&a.attributes, a.readonly.is_some(), &a.type_, a.identifier)?;
                add_attribute(iface, attribute, modifier)?;
            }
            InterfaceMember::Constructor(c) => {
                let constructor =
                    convert_operation(&c.attributes, None, &c.args.body, Type::Undefined);
                iface.constructors.push(constructor?);
            }
            InterfaceMember::Operation(o) => add_interface_operation(iface, o)?,
            InterfaceMember::Iterable(i) => {
                let iterable = convert_iterable(i)?;
                set_once(&mut iface.iterable, iterable, "iterable declaration")?
            }
            InterfaceMember::Stringifier(_) => {
                set_once(&mut iface.stringifier, String::new(), "stringifier")?
            }
            InterfaceMember::AsyncIterable(AsyncIterableInterfaceMember::Single(i)) => {
                if !iface.async_iterable.is_empty() {
                    return Err("more than one async iterable declaration".into());
                }
                iface.async_iterable = async_iterable_operations(i)?;
            }
            InterfaceMember::AsyncIterable(AsyncIterableInterfaceMember::Double(_)) => {
                return Err(unsupported("pair `async iterable<K, V>`"))
            }
            InterfaceMember::Maplike(_) => return Err(unsupported("`maplike`")),
            InterfaceMember::Setlike(_) => return Err(unsupported("`setlike`")),
        }
    }
    Ok(())
}

fn add_interface_operation(
    iface: &mut Interface,
    o: &OperationInterfaceMember,
) -> Result<(), String> {
    let op = regular_operation(&o.attributes, &o.return_type, o.identifier, &o.args.body)?;
    let modifier = match o.modifier {
        Some(StringifierOrStatic::Static(_)) => Modifier::Static,
        Some(StringifierOrStatic::Stringifier(_)) => Modifier::Stringifier,
        None => Modifier::None,
    };
    match o.special {
        None => add_operation(iface, op, modifier, false),
        Some(Special::Getter(_)) => add_operation(iface, op, modifier, true),
        Some(Special::Setter(_)) => Err(unsupported("a `setter` operation")),
        Some(Special::Deleter(_)) => Err(unsupported("a `deleter` operation")),
        Some(Special::LegacyCaller(_)) => Err(unsupported("`legacycaller`")),
    }
}

/// The keyword before an attribute or operation that changes where it goes.
#[derive(Clone, Copy, PartialEq)]
enum Modifier {
    None,
    Static,
    Stringifier,
}

fn stringifier_if(present: bool) -> Modifier {
    if present {
        Modifier::Stringifier
    } else {
        Modifier::None
    }
}

fn add_attribute(
    iface: &mut Interface,
    mut attribute: Attribute,
    modifier: Modifier,
) -> Result<(), String> {
    match modifier {
        Modifier::Static => attribute.is_static = true,
        Modifier::Stringifier => set_once(
            &mut iface.stringifier,
            attribute.name.clone(),
            "stringifier",
        )?,
        Modifier::None => {}
    }
    iface.attributes.push(attribute);
    Ok(())
}

/// A getter or stringifier may be unnamed; it then lives only in its special slot.
fn add_operation(
    iface: &mut Interface,
    mut op: Operation,
    modifier: Modifier,
    getter: bool,
) -> Result<(), String> {
    match modifier {
        Modifier::Static => op.is_static = true,
        Modifier::Stringifier => set_once(&mut iface.stringifier, op.name.clone(), "stringifier")?,
        Modifier::None => {}
    }
    if getter {
        add_getter(iface, op.clone())?;
    }
    push_operation(
        &mut iface.operations,
        op,
        getter || modifier == Modifier::Stringifier,
    )
}

/// Web IDL tells an indexed getter from a named one by its argument type.
fn add_getter(iface: &mut Interface, op: Operation) -> Result<(), String> {
    match op.arguments.as_slice() {
        [arg] if arg.ty == Type::UnsignedLong => {
            set_once(&mut iface.indexed_getter, op, "indexed getter")
        }
        [arg] if arg.ty == Type::DOMString => set_once(&mut iface.named_getter, op, "named getter"),
        _ => Err(
            "a getter takes exactly one argument, `unsigned long` (indexed) or \
                  `DOMString` (named)"
                .to_string(),
        ),
    }
}

fn push_operation(ops: &mut Vec<Operation>, op: Operation, unnamed_ok: bool) -> Result<(), String> {
    match (op.name.is_empty(), unnamed_ok) {
        (false, _) => ops.push(op),
        (true, true) => {}
        (true, false) => return Err("an operation needs a name".to_string()),
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, value: T, what: &str) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("more than one {what}"));
    }
    *slot = Some(value);
    Ok(())
}

fn convert_mixin(
    name: Identifier,
    attributes: &Option<ExtendedAttributeList>,
    members: &[MixinMember],
    origin: &Origin,
) -> Result<Interface, String> {
    let mut mixin = new_interface(name, ext_attrs(attributes), origin);
    for member in members {
        match member {
            MixinMember::Const(c) => mixin.constants.push(convert_const(c)?),
            MixinMember::Operation(o) => {
                let op =
                    regular_operation(&o.attributes, &o.return_type, o.identifier, &o.args.body)?;
                add_operation(
                    &mut mixin,
                    op,
                    stringifier_if(o.stringifier.is_some()),
                    false,
                )?;
            }
            MixinMember::Attribute(a) => {
                let attribute =
                    convert_attribute(&a.attributes, a.readonly.is_some(), &a.type_, a.identifier)?;
                add_attribute(
                    &mut mixin,
                    attribute,
                    stringifier_if(a.stringifier.is_some()),
                )?;
            }
            MixinMember::Stringifier(_) => {
                set_once(&mut mixin.stringifier, String::new(), "stringifier")?
            }
        }
    }
    Ok(mixin)
}

/// <https://webidl.spec.whatwg.org/#idl-names>: an identifier's one leading underscore only
/// escapes a keyword (`_any` is the operation `any`).
fn unescaped(identifier: &str) -> String {
    identifier
        .strip_prefix('_')
        .unwrap_or(identifier)
        .to_owned()
}

fn convert_namespace(
    name: Identifier,
    attributes: &Option<ExtendedAttributeList>,
    members: &[NamespaceMember],
    origin: &Origin,
) -> Result<Namespace, String> {
    let mut namespace = Namespace {
        name: name.0.to_string(),
        exposure: exposure(ext_attrs(attributes)),
        origin: origin.clone(),
        ..Namespace::default()
    };
    for member in members {
        match member {
            NamespaceMember::Operation(o) => {
                let op =
                    regular_operation(&o.attributes, &o.return_type, o.identifier, &o.args.body)?;
                push_operation(&mut namespace.operations, op, false)?;
            }
            NamespaceMember::Attribute(a) => namespace.attributes.push(convert_attribute(
                &a.attributes,
                true,
                &a.type_,
                a.identifier,
            )?),
        }
    }
    Ok(namespace)
}

fn convert_callback_interface(
    name: Identifier,
    members: &[InterfaceMember],
    origin: &Origin,
) -> Result<CallbackInterface, String> {
    let mut callback = CallbackInterface {
        name: name.0.to_string(),
        origin: origin.clone(),
        ..CallbackInterface::default()
    };
    for member in members {
        match member {
            InterfaceMember::Const(c) => callback.constants.push(convert_const(c)?),
            InterfaceMember::Operation(o) if o.special.is_none() && o.modifier.is_none() => {
                let op =
                    regular_operation(&o.attributes, &o.return_type, o.identifier, &o.args.body)?;
                push_operation(&mut callback.operations, op, false)?;
            }
            _ => {
                return Err(
                    "a callback interface may only hold regular operations and constants"
                        .to_string(),
                )
            }
        }
    }
    Ok(callback)
}

fn convert_dictionary_members(
    members: &[weedle::dictionary::DictionaryMember],
) -> Result<Vec<DictionaryMember>, String> {
    members
        .iter()
        .map(|m| {
            Ok(DictionaryMember {
                name: unescaped(m.identifier.0),
                ty: convert_type(&m.type_)?,
                attrs: type_attrs(ext_attrs(&m.attributes)),
                required: m.required.is_some(),
                default: m.default.map(|d| convert_default(&d.value)).transpose()?,
            })
        })
        .collect()
}

fn convert_const(c: &ConstMember) -> Result<Constant, String> {
    let ty = match &c.const_type {
        wt::ConstType::Integer(m) => nullable(integer_type(&m.type_), &m.q_mark),
        wt::ConstType::FloatingPoint(m) => nullable(float_type(&m.type_), &m.q_mark),
        wt::ConstType::Boolean(m) => nullable(Type::Boolean, &m.q_mark),
        wt::ConstType::Byte(m) => nullable(Type::Byte, &m.q_mark),
        wt::ConstType::Octet(m) => nullable(Type::Octet, &m.q_mark),
        wt::ConstType::Identifier(m) => nullable(named_type(m.type_.0), &m.q_mark),
    };
    let value = match &c.const_value {
        wl::ConstValue::Boolean(b) => ConstValue::Boolean(b.0),
        wl::ConstValue::Float(f) => ConstValue::Float(float_value(f)?),
        wl::ConstValue::Integer(i) => ConstValue::Integer(integer_value(i)?),
        wl::ConstValue::Null(_) => {
            return Err(format!("constant {} cannot be null", c.identifier.0))
        }
    };
    Ok(Constant {
        name: c.identifier.0.to_string(),
        ty,
        value,
    })
}

/// Type-changing extended attributes may sit on the member or on its type; both count.
fn convert_attribute(
    attributes: &Option<ExtendedAttributeList>,
    readonly: bool,
    ty: &wt::AttributedType,
    name: Identifier,
) -> Result<Attribute, String> {
    let list = ext_attrs(attributes);
    Ok(Attribute {
        name: name.0.to_string(),
        ty: convert_type(&ty.type_)?,
        attrs: merge_attrs(type_attrs(list), type_attrs(ext_attrs(&ty.attributes))),
        readonly,
        is_static: false,
        exposure: exposure(list),
        same_object: has_flag(list, "SameObject"),
        legacy_unforgeable: has_flag(list, "LegacyUnforgeable"),
        replaceable: has_flag(list, "Replaceable"),
        put_forwards: ident_value(list, "PutForwards"),
        getter_throws: has_flag(list, "Throws") || has_flag(list, "GetterThrows"),
        setter_throws: has_flag(list, "Throws") || has_flag(list, "SetterThrows"),
        reflect: ident_value(list, "Reflect")
            .or_else(|| has_flag(list, "Reflect").then(|| name.0.to_ascii_lowercase())),
        css_property: ident_value(list, "CSSProperty")
            .or_else(|| has_flag(list, "CSSProperty").then(|| dashed_property(name.0))),
    })
}

/// The CSS property of a camel-cased attribute: `backgroundColor` is `background-color`.
fn dashed_property(attribute: &str) -> String {
    let mut out = String::new();
    for ch in attribute.chars() {
        if ch.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn convert_operation(
    attributes: &Option<ExtendedAttributeList>,
    name: Option<Identifier>,
    args: &wa::ArgumentList,
    return_type: Type,
) -> Result<Operation, String> {
    let list = ext_attrs(attributes);
    Ok(Operation {
        name: name.map(|n| unescaped(n.0)).unwrap_or_default(),
        arguments: convert_arguments(args)?,
        return_type,
        is_static: false,
        exposure: exposure(list),
        legacy_unforgeable: has_flag(list, "LegacyUnforgeable"),
        throws: has_flag(list, "Throws"),
    })
}

fn regular_operation(
    attributes: &Option<ExtendedAttributeList>,
    return_type: &wt::ReturnType,
    name: Option<Identifier>,
    args: &wa::ArgumentList,
) -> Result<Operation, String> {
    convert_operation(attributes, name, args, convert_return_type(return_type)?)
}

fn convert_arguments(args: &wa::ArgumentList) -> Result<Vec<ir::Argument>, String> {
    args.list.iter().map(convert_argument).collect()
}

fn convert_argument(arg: &wa::Argument) -> Result<ir::Argument, String> {
    Ok(match arg {
        wa::Argument::Single(a) => ir::Argument {
            name: a.identifier.0.to_string(),
            ty: convert_type(&a.type_.type_)?,
            attrs: merge_attrs(
                type_attrs(ext_attrs(&a.attributes)),
                type_attrs(ext_attrs(&a.type_.attributes)),
            ),
            optional: a.optional.is_some(),
            variadic: false,
            default: a.default.map(|d| convert_default(&d.value)).transpose()?,
        },
        wa::Argument::Variadic(a) => ir::Argument {
            name: a.identifier.0.to_string(),
            ty: convert_type(&a.type_)?,
            attrs: type_attrs(ext_attrs(&a.attributes)),
            optional: false,
            variadic: true,
            default: None,
        },
    })
}

/// The operations behind `async iterable<V>(args)` (see `Interface::async_iterable`).
fn async_iterable_operations(
    iterable: &SingleTypedAsyncIterable,
) -> Result<Vec<Operation>, String> {
    // The value type only matters to script: every step resolves with a `{value, done}`.
    convert_type(&iterable.generics.body.type_)?;
    let any = |name: &str| ir::Argument {
        name: name.into(),
        ty: Type::Any,
        attrs: TypeAttrs::default(),
        optional: false,
        variadic: false,
        default: None,
    };
    let operation = |name: &str, arguments: Vec<ir::Argument>, return_type: Type| Operation {
        name: name.into(),
        arguments,
        return_type,
        is_static: false,
        exposure: Exposure::default(),
        legacy_unforgeable: false,
        throws: true,
    };
    let init_arguments = match &iterable.args {
        Some(args) => convert_arguments(&args.body)?,
        None => Vec::new(),
    };
    let promise = || Type::Promise(Box::new(Type::Any));
    Ok(vec![
        operation("asyncIteratorInit", init_arguments, Type::Any),
        operation("asyncIteratorNext", vec![any("state")], promise()),
        operation(
            "asyncIteratorReturn",
            vec![any("state"), any("value")],
            promise(),
        ),
    ])
}

fn convert_iterable(iterable: &IterableInterfaceMember) -> Result<Iterable, String> {
    Ok(match iterable {
        IterableInterfaceMember::Single(i) => Iterable {
            key: None,
            value: convert_type(&i.generics.body.type_)?,
        },
        IterableInterfaceMember::Double(i) => {
            let (key, _, value) = &i.generics.body;
            Iterable {
                key: Some(convert_type(&key.type_)?),
                value: convert_type(&value.type_)?,
            }
        }
    })
}

fn convert_default(value: &wl::DefaultValue) -> Result<DefaultValue, String> {
    Ok(match value {
        wl::DefaultValue::Boolean(b) => DefaultValue::Boolean(b.0),
        wl::DefaultValue::EmptyArray(_) => DefaultValue::EmptySequence,
        wl::DefaultValue::EmptyDictionary(_) => DefaultValue::EmptyDictionary,
        wl::DefaultValue::Float(f) => DefaultValue::Float(float_value(f)?),
        wl::DefaultValue::Integer(i) => DefaultValue::Integer(integer_value(i)?),
        wl::DefaultValue::Null(_) => DefaultValue::Null,
        wl::DefaultValue::String(s) if s.0 == UNDEFINED_DEFAULT => DefaultValue::Undefined,
        wl::DefaultValue::String(s) => DefaultValue::String(s.0.to_string()),
    })
}

fn integer_value(lit: &wl::IntegerLit) -> Result<i64, String> {
    let (text, radix, prefix) = match lit {
        wl::IntegerLit::Dec(d) => (d.0, 10, 0),
        wl::IntegerLit::Hex(h) => (h.0, 16, 2),
        wl::IntegerLit::Oct(o) => (o.0, 8, 1),
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = unsigned.get(prefix..).unwrap_or_default();
    let magnitude = match (radix, digits.is_empty()) {
        // weedle2 reads a lone `0` as an octal literal with no digits after the prefix.
        (8, true) => 0,
        _ => u64::from_str_radix(digits, radix)
            .map_err(|e| format!("bad integer literal `{text}`: {e}"))?,
    };
    let sign = if negative { -1 } else { 1 };
    i64::try_from(sign * i128::from(magnitude))
        .map_err(|_| format!("integer literal `{text}` does not fit in 64 bits"))
}

fn float_value(lit: &wl::FloatLit) -> Result<f64, String> {
    match lit {
        wl::FloatLit::Value(v) => {
            v.0.parse()
                .map_err(|e| format!("bad float literal `{}`: {e}", v.0))
        }
        wl::FloatLit::NegInfinity(_) => Ok(f64::NEG_INFINITY),
        wl::FloatLit::Infinity(_) => Ok(f64::INFINITY),
        wl::FloatLit::NaN(_) => Ok(f64::NAN),
    }
}

// ---------------------------------------------------------------------------------------------
// Types and extended attributes.
// ---------------------------------------------------------------------------------------------

/// Buffer types that weedle2 reads as plain identifiers (it has keywords for the others).
const BUFFER_IDENTIFIERS: [&str; 4] = [
    "SharedArrayBuffer",
    "BigInt64Array",
    "BigUint64Array",
    "AllowSharedBufferSource",
];

fn convert_return_type(ty: &wt::ReturnType) -> Result<Type, String> {
    match ty {
        wt::ReturnType::Undefined(_) => Ok(Type::Undefined),
        wt::ReturnType::Type(t) => convert_type(t),
    }
}

fn convert_type(ty: &wt::Type) -> Result<Type, String> {
    match ty {
        wt::Type::Single(wt::SingleType::Any(_)) => Ok(Type::Any),
        wt::Type::Single(wt::SingleType::NonAny(t)) => convert_non_any(t),
        wt::Type::Union(u) => Ok(nullable(Type::Union(convert_union(&u.type_)?), &u.q_mark)),
    }
}

fn convert_union(union: &wt::UnionType) -> Result<Vec<Type>, String> {
    union
        .body
        .list
        .iter()
        .map(|member| match member {
            wt::UnionMemberType::Single(t) => convert_non_any(&t.type_),
            wt::UnionMemberType::Union(u) => {
                Ok(nullable(Type::Union(convert_union(&u.type_)?), &u.q_mark))
            }
        })
        .collect()
}

fn convert_non_any(ty: &wt::NonAnyType) -> Result<Type, String> {
    use wt::NonAnyType as N;
    let (converted, q_mark) = match ty {
        N::Promise(p) => {
            return Ok(Type::Promise(Box::new(convert_return_type(
                &p.generics.body,
            )?)))
        }
        N::Integer(m) => (integer_type(&m.type_), &m.q_mark),
        N::FloatingPoint(m) => (float_type(&m.type_), &m.q_mark),
        N::Boolean(m) => (Type::Boolean, &m.q_mark),
        N::Byte(m) => (Type::Byte, &m.q_mark),
        N::Octet(m) => (Type::Octet, &m.q_mark),
        N::ByteString(m) => (Type::ByteString, &m.q_mark),
        N::DOMString(m) => (Type::DOMString, &m.q_mark),
        N::USVString(m) => (Type::USVString, &m.q_mark),
        N::Object(m) => (Type::Object, &m.q_mark),
        N::Symbol(m) => (Type::Symbol, &m.q_mark),
        N::Error(_) => return Err(unsupported("the `Error` type")),
        N::ArrayBuffer(m) => (buffer("ArrayBuffer"), &m.q_mark),
        N::DataView(m) => (buffer("DataView"), &m.q_mark),
        N::Int8Array(m) => (buffer("Int8Array"), &m.q_mark),
        N::Int16Array(m) => (buffer("Int16Array"), &m.q_mark),
        N::Int32Array(m) => (buffer("Int32Array"), &m.q_mark),
        N::Uint8Array(m) => (buffer("Uint8Array"), &m.q_mark),
        N::Uint16Array(m) => (buffer("Uint16Array"), &m.q_mark),
        N::Uint32Array(m) => (buffer("Uint32Array"), &m.q_mark),
        N::Uint8ClampedArray(m) => (buffer("Uint8ClampedArray"), &m.q_mark),
        N::Float32Array(m) => (buffer("Float32Array"), &m.q_mark),
        N::Float64Array(m) => (buffer("Float64Array"), &m.q_mark),
        N::ArrayBufferView(m) => (buffer("ArrayBufferView"), &m.q_mark),
        N::BufferSource(m) => (buffer("BufferSource"), &m.q_mark),
        N::Sequence(m) => (
            Type::Sequence(Box::new(convert_type(&m.type_.generics.body)?)),
            &m.q_mark,
        ),
        N::FrozenArrayType(m) => (
            Type::FrozenArray(Box::new(convert_type(&m.type_.generics.body)?)),
            &m.q_mark,
        ),
        N::RecordType(m) => {
            let (key, _, value) = &m.type_.generics.body;
            let key = match key.as_ref() {
                wt::RecordKeyType::Byte(_) => Type::ByteString,
                wt::RecordKeyType::DOM(_) => Type::DOMString,
                wt::RecordKeyType::USV(_) => Type::USVString,
                wt::RecordKeyType::NonAny(t) => convert_non_any(t)?,
            };
            (
                Type::Record(Box::new(key), Box::new(convert_type(value)?)),
                &m.q_mark,
            )
        }
        N::Identifier(m) => (named_type(m.type_.0), &m.q_mark),
    };
    Ok(nullable(converted, q_mark))
}

fn buffer(name: &str) -> Type {
    Type::Buffer(name.to_string())
}

/// weedle2 has no `undefined` type keyword outside return types, so it arrives as a name.
fn named_type(name: &str) -> Type {
    match name {
        "undefined" => Type::Undefined,
        _ if BUFFER_IDENTIFIERS.contains(&name) => buffer(name),
        _ => Type::Named(name.to_string()),
    }
}

fn nullable(ty: Type, q_mark: &Option<weedle::term::QMark>) -> Type {
    match q_mark {
        Some(_) => Type::Nullable(Box::new(ty)),
        None => ty,
    }
}

fn integer_type(ty: &wt::IntegerType) -> Type {
    match ty {
        wt::IntegerType::LongLong(t) if t.unsigned.is_some() => Type::UnsignedLongLong,
        wt::IntegerType::LongLong(_) => Type::LongLong,
        wt::IntegerType::Long(t) if t.unsigned.is_some() => Type::UnsignedLong,
        wt::IntegerType::Long(_) => Type::Long,
        wt::IntegerType::Short(t) if t.unsigned.is_some() => Type::UnsignedShort,
        wt::IntegerType::Short(_) => Type::Short,
    }
}

fn float_type(ty: &wt::FloatingPointType) -> Type {
    match ty {
        wt::FloatingPointType::Float(t) if t.unrestricted.is_some() => Type::UnrestrictedFloat,
        wt::FloatingPointType::Float(_) => Type::Float,
        wt::FloatingPointType::Double(t) if t.unrestricted.is_some() => Type::UnrestrictedDouble,
        wt::FloatingPointType::Double(_) => Type::Double,
    }
}

fn ext_attrs<'b, 'a>(list: &'b Option<ExtendedAttributeList<'a>>) -> &'b [ExtendedAttribute<'a>] {
    list.as_ref().map_or(&[], |l| l.body.list.as_slice())
}

/// The `[LegacyFactoryFunction=Name(args)]` attributes of an interface, as operations named
/// after their functions (fallible, as Servo's are).
fn legacy_factories(list: &[ExtendedAttribute]) -> Result<Vec<Operation>, String> {
    let mut factories = Vec::new();
    for attribute in list {
        match attribute {
            ExtendedAttribute::NamedArgList(named)
                if named.lhs_identifier.0 == "LegacyFactoryFunction" =>
            {
                let mut factory = convert_operation(
                    &None,
                    Some(named.rhs_identifier),
                    &named.args.body,
                    Type::Undefined,
                )?;
                // It makes an element of the window's document, which it may lack.
                factory.throws = true;
                factories.push(factory);
            }
            ExtendedAttribute::NoArgs(flag) if flag.0 .0 == "LegacyFactoryFunction" => {
                return Err("[LegacyFactoryFunction] needs a name and arguments".into())
            }
            _ => {}
        }
    }
    Ok(factories)
}

fn has_flag(list: &[ExtendedAttribute], name: &str) -> bool {
    list.iter()
        .any(|a| matches!(a, ExtendedAttribute::NoArgs(flag) if flag.0 .0 == name))
}

/// `[Name=value]`
fn ident_value(list: &[ExtendedAttribute], name: &str) -> Option<String> {
    list.iter().find_map(|a| match a {
        ExtendedAttribute::Ident(i) if i.lhs_identifier.0 == name => Some(match i.rhs {
            IdentifierOrString::Identifier(id) => id.0.to_string(),
            IdentifierOrString::String(s) => s.0.to_string(),
        }),
        _ => None,
    })
}

/// `[Name=X]` or `[Name=(X,Y)]`
fn ident_list(list: &[ExtendedAttribute], name: &str) -> Option<Vec<String>> {
    let from_list = list.iter().find_map(|a| match a {
        ExtendedAttribute::IdentList(l) if l.identifier.0 == name => {
            Some(l.list.body.list.iter().map(|i| i.0.to_string()).collect())
        }
        _ => None,
    });
    from_list.or_else(|| ident_value(list, name).map(|single| vec![single]))
}

fn exposure(list: &[ExtendedAttribute]) -> Exposure {
    Exposure {
        exposed: ident_list(list, "Exposed").unwrap_or_default(),
        secure_context: has_flag(list, "SecureContext"),
    }
}

fn type_attrs(list: &[ExtendedAttribute]) -> TypeAttrs {
    TypeAttrs {
        enforce_range: has_flag(list, "EnforceRange"),
        clamp: has_flag(list, "Clamp"),
        legacy_null_to_empty_string: has_flag(list, "LegacyNullToEmptyString"),
    }
}

fn merge_attrs(a: TypeAttrs, b: TypeAttrs) -> TypeAttrs {
    TypeAttrs {
        enforce_range: a.enforce_range || b.enforce_range,
        clamp: a.clamp || b.clamp,
        legacy_null_to_empty_string: a.legacy_null_to_empty_string || b.legacy_null_to_empty_string,
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-set checks, typedef resolution and merging.
// ---------------------------------------------------------------------------------------------

/// Web IDL names share one namespace, so any two definitions with the same name clash.
fn check_duplicates(pieces: &[Located]) -> Result<(), ParseError> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for located in pieces {
        let Some(name) = located.defined_name() else {
            continue;
        };
        if let Some(first_file) = seen.insert(name, &located.file) {
            let message = format!("`{name}` is defined twice (first in {first_file})");
            return Err(ParseError::new(&located.file, message));
        }
    }
    Ok(())
}

/// Names a `Type::Named` may refer to once typedefs are gone.
fn known_type_names(pieces: &[Located]) -> HashSet<String> {
    let names = pieces.iter().filter_map(|located| match &located.piece {
        Piece::Interface(i) => Some(&i.name),
        Piece::Dictionary(d) => Some(&d.name),
        Piece::Enum(e) => Some(&e.name),
        Piece::Callback(c) => Some(&c.name),
        Piece::CallbackInterface(c) => Some(&c.name),
        _ => None,
    });
    names.cloned().collect()
}

struct Typedefs(HashMap<String, (Type, TypeAttrs)>);

impl Typedefs {
    fn collect(pieces: &[Located]) -> Typedefs {
        let typedefs = pieces.iter().filter_map(|located| match &located.piece {
            Piece::Typedef { name, ty, attrs } => Some((name.clone(), (ty.clone(), *attrs))),
            _ => None,
        });
        Typedefs(typedefs.collect())
    }

    /// `ty` with every typedef replaced by its target; a typedef at the top carries its extended
    /// attributes (`typedef [EnforceRange] long X;`) to the use site. `chain` catches cycles.
    fn resolve(&self, ty: &Type, chain: &mut Vec<String>) -> Result<(Type, TypeAttrs), String> {
        let none = TypeAttrs::default();
        Ok(match ty {
            Type::Named(name) => match self.0.get(name) {
                None => (ty.clone(), none),
                Some(_) if chain.contains(name) => {
                    return Err(format!("typedef `{name}` refers to itself"))
                }
                Some((target, attrs)) => {
                    chain.push(name.clone());
                    let (resolved, inner_attrs) = self.resolve(target, chain)?;
                    chain.pop();
                    (resolved, merge_attrs(*attrs, inner_attrs))
                }
            },
            Type::Nullable(inner) => {
                let (resolved, attrs) = self.resolve(inner, chain)?;
                // A nullable typedef used as `T?` must not become `T??`.
                match resolved {
                    Type::Nullable(_) => (resolved, attrs),
                    _ => (Type::Nullable(Box::new(resolved)), attrs),
                }
            }
            Type::Sequence(inner) => (Type::Sequence(self.resolve_boxed(inner, chain)?), none),
            Type::FrozenArray(inner) => {
                (Type::FrozenArray(self.resolve_boxed(inner, chain)?), none)
            }
            Type::Promise(inner) => (Type::Promise(self.resolve_boxed(inner, chain)?), none),
            Type::Record(key, value) => (
                Type::Record(
                    self.resolve_boxed(key, chain)?,
                    self.resolve_boxed(value, chain)?,
                ),
                none,
            ),
            Type::Union(members) => (Type::Union(self.resolve_union(members, chain)?), none),
            _ => (ty.clone(), none),
        })
    }

    fn resolve_boxed(&self, ty: &Type, chain: &mut Vec<String>) -> Result<Box<Type>, String> {
        Ok(Box::new(self.resolve(ty, chain)?.0))
    }

    /// A union inside a union, written out or through a typedef, is flattened (Web IDL's
    /// "flattened member types"); a nullable inner union stays as it is.
    fn resolve_union(
        &self,
        members: &[Type],
        chain: &mut Vec<String>,
    ) -> Result<Vec<Type>, String> {
        let mut flat = Vec::new();
        for member in members {
            match self.resolve(member, chain)?.0 {
                Type::Union(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        Ok(flat)
    }
}

fn check_known(ty: &Type, known: &HashSet<String>) -> Result<(), String> {
    match ty {
        Type::Named(name) if !known.contains(name) => Err(format!("unknown type `{name}`")),
        Type::Sequence(t) | Type::FrozenArray(t) | Type::Promise(t) | Type::Nullable(t) => {
            check_known(t, known)
        }
        Type::Record(key, value) => {
            check_known(key, known).and_then(|()| check_known(value, known))
        }
        Type::Union(members) => members.iter().try_for_each(|t| check_known(t, known)),
        _ => Ok(()),
    }
}

fn resolve_and_check(
    located: &mut Located,
    typedefs: &Typedefs,
    known: &HashSet<String>,
) -> Result<(), ParseError> {
    let context = located.describe();
    visit_piece_types(&mut located.piece, &mut |ty, attrs| {
        let (resolved, extra) = typedefs.resolve(ty, &mut Vec::new())?;
        check_known(&resolved, known)?;
        *ty = resolved;
        *attrs = merge_attrs(*attrs, extra);
        Ok(())
    })
    .map_err(|message| ParseError::new(&located.file, format!("{context}: {message}")))
}

/// Called on every type in a piece with the extended attributes that go with it (a throwaway
/// value where the model has none, e.g. for return types).
type TypeVisitor<'v> = dyn FnMut(&mut Type, &mut TypeAttrs) -> Result<(), String> + 'v;

fn visit_piece_types(piece: &mut Piece, f: &mut TypeVisitor) -> Result<(), String> {
    match piece {
        Piece::Interface(i)
        | Piece::PartialInterface(i)
        | Piece::Mixin(i)
        | Piece::PartialMixin(i) => visit_interface_types(i, f),
        Piece::Namespace(n) | Piece::PartialNamespace(n) => {
            n.attributes
                .iter_mut()
                .try_for_each(|a| f(&mut a.ty, &mut a.attrs))?;
            n.operations
                .iter_mut()
                .try_for_each(|op| visit_operation_types(op, f))
        }
        Piece::Dictionary(d) | Piece::PartialDictionary(d) => d
            .members
            .iter_mut()
            .try_for_each(|m| f(&mut m.ty, &mut m.attrs)),
        Piece::Callback(c) => {
            f(&mut c.return_type, &mut TypeAttrs::default())?;
            c.arguments
                .iter_mut()
                .try_for_each(|a| f(&mut a.ty, &mut a.attrs))
        }
        Piece::CallbackInterface(c) => {
            c.constants
                .iter_mut()
                .try_for_each(|k| f(&mut k.ty, &mut TypeAttrs::default()))?;
            c.operations
                .iter_mut()
                .try_for_each(|op| visit_operation_types(op, f))
        }
        Piece::Typedef { ty, attrs, .. } => f(ty, attrs),
        Piece::Enum(_) | Piece::Includes { .. } => Ok(()),
    }
}

fn visit_interface_types(i: &mut Interface, f: &mut TypeVisitor) -> Result<(), String> {
    i.constants
        .iter_mut()
        .try_for_each(|k| f(&mut k.ty, &mut TypeAttrs::default()))?;
    i.attributes
        .iter_mut()
        .try_for_each(|a| f(&mut a.ty, &mut a.attrs))?;
    let operations = i
        .constructors
        .iter_mut()
        .chain(&mut i.operations)
        .chain(&mut i.async_iterable);
    let getters = i.indexed_getter.iter_mut().chain(&mut i.named_getter);
    operations
        .chain(getters)
        .try_for_each(|op| visit_operation_types(op, f))?;
    if let Some(iterable) = &mut i.iterable {
        if let Some(key) = &mut iterable.key {
            f(key, &mut TypeAttrs::default())?;
        }
        f(&mut iterable.value, &mut TypeAttrs::default())?;
    }
    Ok(())
}

fn visit_operation_types(op: &mut Operation, f: &mut TypeVisitor) -> Result<(), String> {
    f(&mut op.return_type, &mut TypeAttrs::default())?;
    op.arguments
        .iter_mut()
        .try_for_each(|a| f(&mut a.ty, &mut a.attrs))
}

fn merge(pieces: Vec<Located>) -> Result<Definitions, ParseError> {
    let mut defs = Definitions::default();
    let mut mixins = BTreeMap::new();
    let mut additions = Vec::new();
    // Duplicates were rejected already, so no insert below replaces anything.
    for located in pieces {
        match located.piece {
            Piece::Interface(i) => drop(defs.interfaces.insert(i.name.clone(), i)),
            Piece::Mixin(m) => drop(mixins.insert(m.name.clone(), m)),
            Piece::Namespace(n) => drop(defs.namespaces.insert(n.name.clone(), n)),
            Piece::Dictionary(d) => drop(defs.dictionaries.insert(d.name.clone(), d)),
            Piece::Enum(e) => drop(defs.enums.insert(e.name.clone(), e)),
            Piece::Callback(c) => drop(defs.callbacks.insert(c.name.clone(), c)),
            Piece::CallbackInterface(c) => drop(defs.callback_interfaces.insert(c.name.clone(), c)),
            Piece::Typedef { .. } => {}
            _ => additions.push(located),
        }
    }
    // Partial mixins must be in place before an `includes` copies the mixin (stable sort keeps
    // source order otherwise).
    additions.sort_by_key(|located| matches!(located.piece, Piece::Includes { .. }));
    for located in additions {
        apply_addition(&mut defs, &mut mixins, located.piece)
            .map_err(|message| ParseError::new(&located.file, message))?;
    }
    for dictionary in defs.dictionaries.values_mut() {
        dictionary.members.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(defs)
}

fn apply_addition(
    defs: &mut Definitions,
    mixins: &mut BTreeMap<String, Interface>,
    piece: Piece,
) -> Result<(), String> {
    let missing = |what: &str, name: &str| format!("{what} {name} has no main definition");
    match piece {
        Piece::PartialInterface(partial) => {
            let main = defs.interfaces.get_mut(&partial.name);
            let main = main.ok_or_else(|| missing("partial interface", &partial.name))?;
            merge_members(main, partial)
        }
        Piece::PartialMixin(partial) => {
            let main = mixins.get_mut(&partial.name);
            let main = main.ok_or_else(|| missing("partial interface mixin", &partial.name))?;
            merge_members(main, partial)
        }
        Piece::PartialNamespace(mut partial) => {
            let main = defs.namespaces.get_mut(&partial.name);
            let main = main.ok_or_else(|| missing("partial namespace", &partial.name))?;
            for attribute in &mut partial.attributes {
                inherit_exposure(&mut attribute.exposure, &partial.exposure);
            }
            for op in &mut partial.operations {
                inherit_exposure(&mut op.exposure, &partial.exposure);
            }
            main.attributes.extend(partial.attributes);
            main.operations.extend(partial.operations);
            Ok(())
        }
        Piece::PartialDictionary(partial) => {
            let main = defs.dictionaries.get_mut(&partial.name);
            let main = main.ok_or_else(|| missing("partial dictionary", &partial.name))?;
            main.members.extend(partial.members);
            Ok(())
        }
        Piece::Includes { target, mixin } => {
            let source = mixins.get(&mixin);
            let source = source.ok_or_else(|| format!("`{mixin}` is not an interface mixin"))?;
            let main = defs.interfaces.get_mut(&target);
            let main = main.ok_or_else(|| format!("`{target}` is not an interface"))?;
            merge_members(main, source.clone())
        }
        _ => Ok(()),
    }
}

/// Moves `from`'s members into `main`. A member of a partial or mixin that has no exposure of
/// its own takes the partial's or mixin's, which may differ from `main`'s.
fn merge_members(main: &mut Interface, mut from: Interface) -> Result<(), String> {
    let exposure = from.exposure.clone();
    let operations = from.constructors.iter_mut().chain(&mut from.operations);
    let getters = from.indexed_getter.iter_mut().chain(&mut from.named_getter);
    for op in operations.chain(getters) {
        inherit_exposure(&mut op.exposure, &exposure);
    }
    for attribute in &mut from.attributes {
        inherit_exposure(&mut attribute.exposure, &exposure);
    }
    let context = |e: String| format!("interface {}: {e}", main.name);
    main.constructors.extend(from.constructors);
    main.constants.extend(from.constants);
    main.attributes.extend(from.attributes);
    main.operations.extend(from.operations);
    if !from.async_iterable.is_empty() {
        if !main.async_iterable.is_empty() {
            return Err(context("more than one async iterable declaration".into()));
        }
        main.async_iterable = from.async_iterable;
    }
    merge_slot(&mut main.stringifier, from.stringifier, "stringifier").map_err(context)?;
    merge_slot(&mut main.iterable, from.iterable, "iterable declaration").map_err(context)?;
    merge_slot(
        &mut main.indexed_getter,
        from.indexed_getter,
        "indexed getter",
    )
    .map_err(context)?;
    merge_slot(&mut main.named_getter, from.named_getter, "named getter").map_err(context)
}

fn merge_slot<T>(slot: &mut Option<T>, value: Option<T>, what: &str) -> Result<(), String> {
    value.map_or(Ok(()), |value| set_once(slot, value, what))
}

fn inherit_exposure(member: &mut Exposure, from: &Exposure) {
    if member.exposed.is_empty() {
        member.exposed = from.exposed.clone();
    }
    member.secure_context |= from.secure_context;
}

fn check_inheritance(defs: &Definitions) -> Result<(), ParseError> {
    let interfaces = defs.interfaces.values();
    let interfaces =
        interfaces.map(|i| (i.name.as_str(), (i.inherits.as_deref(), &*i.origin.file)));
    check_hierarchy("interface", &interfaces.collect())?;
    let dictionaries = defs.dictionaries.values();
    let dictionaries =
        dictionaries.map(|d| (d.name.as_str(), (d.inherits.as_deref(), &*d.origin.file)));
    check_hierarchy("dictionary", &dictionaries.collect())
}

/// `defs` maps each name to its parent and file. Each definition reports its own missing parent
/// and the cycles it is part of, so the error names the file to fix.
fn check_hierarchy(
    kind: &str,
    defs: &BTreeMap<&str, (Option<&str>, &str)>,
) -> Result<(), ParseError> {
    for (&name, &(parent, file)) in defs {
        let error = |message| ParseError::new(file, message);
        let Some(parent) = parent else { continue };
        if !defs.contains_key(parent) {
            let message = format!(
                "{kind} {name} inherits from `{parent}`, but there is no {kind} `{parent}`"
            );
            return Err(error(message));
        }
        let mut chain = vec![name];
        let mut next = Some(parent);
        while let Some(current) = next {
            if current == name {
                chain.push(current);
                return Err(error(format!("inheritance cycle: {}", chain.join(" -> "))));
            }
            if chain.contains(&current) {
                break; // A cycle above `name`, reported by its own members.
            }
            chain.push(current);
            next = defs.get(current).and_then(|&(parent, _)| parent);
        }
    }
    Ok(())
}

//! The generator's model of a set of Web IDL files: what the Rust emitter needs, with the
//! parser's details gone. Partial interfaces and dictionaries are merged into their main
//! definition, `includes` statements copy mixin members into the including interface, and
//! typedefs are resolved away (no `Type::Named` ever names a typedef).

use std::collections::BTreeMap;

/// Everything parsed from a set of `.webidl` files.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Definitions {
    pub interfaces: BTreeMap<String, Interface>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub dictionaries: BTreeMap<String, Dictionary>,
    pub enums: BTreeMap<String, Enumeration>,
    pub callbacks: BTreeMap<String, CallbackFunction>,
    pub callback_interfaces: BTreeMap<String, CallbackInterface>,
}

/// Where a definition came from, for error messages.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
}

/// `[Exposed=...]`, `[SecureContext]` and friends, as they apply to an interface or a member.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Global names from `[Exposed=X]` / `[Exposed=(X,Y)]`. Empty means "inherit from the
    /// enclosing definition" (for members) or "not specified" (for interfaces).
    pub exposed: Vec<String>,
    pub secure_context: bool,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Interface {
    pub name: String,
    pub inherits: Option<String>,
    pub exposure: Exposure,
    /// `[Global=X]` / `[Global=(X,Y)]`: the interface is a global object's.
    pub global: Vec<String>,
    pub legacy_no_interface_object: bool,
    pub legacy_unforgeable: bool,
    /// `[GeneratedEvent]` (ours, as Gecko's generated events): an event interface whose
    /// attributes are its init dictionary's members, fixed at creation. Its DOM struct, its
    /// constructors and its getters are generated too, so it costs no Rust.
    pub generated_event: bool,
    pub constructors: Vec<Operation>,
    /// `[LegacyFactoryFunction=Name(args)]`: constructors of another name on the global (as
    /// `Image` makes an HTMLImageElement), one per attribute; each operation's `name` is the
    /// function's.
    pub legacy_factories: Vec<Operation>,
    pub constants: Vec<Constant>,
    pub attributes: Vec<Attribute>,
    /// Regular and static operations, one entry per overload, in source order.
    pub operations: Vec<Operation>,
    /// `stringifier;` or a `stringifier` attribute/operation: which attribute or operation,
    /// `Some("")` for the bare `stringifier;`.
    pub stringifier: Option<String>,
    pub iterable: Option<Iterable>,
    /// `async iterable<V>(args)`: the three operations the bindings call for it, kept out of
    /// `operations` (script reaches them through `values()` and `@@asyncIterator`):
    /// `asyncIteratorInit(args)` gives the iterator's state (any value), then
    /// `asyncIteratorNext(state)` and `asyncIteratorReturn(state, value)` give promises of
    /// `{value, done}` results. Empty without an async iterable declaration.
    pub async_iterable: Vec<Operation>,
    /// Special operations (`getter`, `setter`, `deleter`) are kept out of `operations`
    /// unless they also have a name, in which case they appear in both.
    pub indexed_getter: Option<Operation>,
    pub named_getter: Option<Operation>,
    pub origin: Origin,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Namespace {
    pub name: String,
    pub exposure: Exposure,
    pub attributes: Vec<Attribute>,
    pub operations: Vec<Operation>,
    pub origin: Origin,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Dictionary {
    pub name: String,
    pub inherits: Option<String>,
    /// Members sorted by name (Web IDL orders dictionary members lexicographically).
    pub members: Vec<DictionaryMember>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DictionaryMember {
    pub name: String,
    pub ty: Type,
    pub attrs: TypeAttrs,
    pub required: bool,
    pub default: Option<DefaultValue>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Enumeration {
    pub name: String,
    pub values: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallbackFunction {
    pub name: String,
    pub return_type: Type,
    pub arguments: Vec<Argument>,
    pub origin: Origin,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct CallbackInterface {
    pub name: String,
    pub operations: Vec<Operation>,
    pub constants: Vec<Constant>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    pub name: String,
    pub ty: Type,
    pub value: ConstValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConstValue {
    Boolean(bool),
    Integer(i64),
    Float(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub attrs: TypeAttrs,
    pub readonly: bool,
    pub is_static: bool,
    pub exposure: Exposure,
    pub same_object: bool,
    pub legacy_unforgeable: bool,
    /// `[Replaceable]`
    pub replaceable: bool,
    /// `[PutForwards=name]`
    pub put_forwards: Option<String>,
    /// `[Throws]` or `[GetterThrows]`: the getter returns `Fallible`.
    pub getter_throws: bool,
    /// `[Throws]` or `[SetterThrows]`: the setter returns `Fallible`.
    pub setter_throws: bool,
    /// `[Reflect]` (the attribute's own name, lower-cased) or `[Reflect=name]`: the content
    /// attribute a DOMString, USVString or boolean attribute of an element reflects. The
    /// generated trait implements its getter and setter.
    pub reflect: Option<String>,
    /// `[CSSProperty]` (the attribute's name with each capital as `-` and its lower case:
    /// `backgroundColor` is `background-color`) or `[CSSProperty=name]`: a camel-cased
    /// attribute of CSSStyleDeclaration
    /// (https://drafts.csswg.org/cssom/#dom-cssstyledeclaration-camel-cased-attribute). The
    /// generated trait implements it with `getPropertyValue()` and `setProperty()`.
    pub css_property: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Empty for an unnamed special operation or a constructor.
    pub name: String,
    pub arguments: Vec<Argument>,
    /// `Type::Undefined` for constructors.
    pub return_type: Type,
    pub is_static: bool,
    pub exposure: Exposure,
    pub legacy_unforgeable: bool,
    /// `[Throws]`: the method returns `Fallible` (so does one that returns
    /// a promise: its errors become rejections).
    pub throws: bool,
}

impl Operation {
    /// Whether the method's Rust signature returns `Fallible`.
    pub fn is_fallible(&self) -> bool {
        self.throws || matches!(self.return_type, Type::Promise(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: String,
    pub ty: Type,
    pub attrs: TypeAttrs,
    pub optional: bool,
    pub variadic: bool,
    pub default: Option<DefaultValue>,
}

/// Extended attributes that change how a value converts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TypeAttrs {
    pub enforce_range: bool,
    pub clamp: bool,
    pub legacy_null_to_empty_string: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Boolean(bool),
    Integer(i64),
    Float(f64),
    String(String),
    Null,
    Undefined,
    /// `[]`
    EmptySequence,
    /// `{}`
    EmptyDictionary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Iterable {
    /// `None` for a value iterator (`iterable<V>`), `Some(K)` for a pair iterator.
    pub key: Option<Type>,
    pub value: Type,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    Undefined,
    Boolean,
    Byte,
    Octet,
    Short,
    UnsignedShort,
    Long,
    UnsignedLong,
    LongLong,
    UnsignedLongLong,
    Float,
    UnrestrictedFloat,
    Double,
    UnrestrictedDouble,
    DOMString,
    ByteString,
    USVString,
    Object,
    Symbol,
    /// ArrayBuffer, DataView, Uint8Array, ... and the `BufferSource`/`ArrayBufferView` typedefs'
    /// members: kept by name, e.g. `Buffer("ArrayBuffer")`.
    Buffer(String),
    /// An interface, dictionary, enum, callback function or callback interface name.
    Named(String),
    Sequence(Box<Type>),
    FrozenArray(Box<Type>),
    Record(Box<Type>, Box<Type>),
    Promise(Box<Type>),
    Union(Vec<Type>),
    Nullable(Box<Type>),
}

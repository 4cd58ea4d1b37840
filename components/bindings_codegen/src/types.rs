//! How each Web IDL type appears in Rust: in trait signatures (arguments, returns), as the
//! owned value a conversion produces, and how its conversion is configured. Kept apart from the
//! emitter so the mapping can be read, and unit tested, on its own.

use crate::ir::{Definitions, Type, TypeAttrs};

/// What a named type refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Interface,
    Dictionary,
    Enum,
    Callback,
    CallbackInterface,
}

pub fn named_kind(defs: &Definitions, name: &str) -> Option<NamedKind> {
    if defs.interfaces.contains_key(name) {
        Some(NamedKind::Interface)
    } else if defs.dictionaries.contains_key(name) {
        Some(NamedKind::Dictionary)
    } else if defs.enums.contains_key(name) {
        Some(NamedKind::Enum)
    } else if defs.callbacks.contains_key(name) {
        Some(NamedKind::Callback)
    } else if defs.callback_interfaces.contains_key(name) {
        Some(NamedKind::CallbackInterface)
    } else {
        None
    }
}

/// The Rust path of the struct implementing interface `name`: `crate::dom::node::Node`.
pub fn interface_path(name: &str) -> String {
    format!("crate::dom::{}::{}", name.to_lowercase(), name)
}

/// The name of the generated Rust type for a union: member names joined with `Or`.
pub fn union_name(members: &[Type]) -> String {
    members
        .iter()
        .map(type_name_part)
        .collect::<Vec<_>>()
        .join("Or")
}

fn type_name_part(ty: &Type) -> String {
    match ty {
        Type::Any => "Any".into(),
        Type::Undefined => "Undefined".into(),
        Type::Boolean => "Boolean".into(),
        Type::Byte => "Byte".into(),
        Type::Octet => "Octet".into(),
        Type::Short => "Short".into(),
        Type::UnsignedShort => "UnsignedShort".into(),
        Type::Long => "Long".into(),
        Type::UnsignedLong => "UnsignedLong".into(),
        Type::LongLong => "LongLong".into(),
        Type::UnsignedLongLong => "UnsignedLongLong".into(),
        Type::Float => "Float".into(),
        Type::UnrestrictedFloat => "UnrestrictedFloat".into(),
        Type::Double => "Double".into(),
        Type::UnrestrictedDouble => "UnrestrictedDouble".into(),
        Type::DOMString => "String".into(),
        Type::ByteString => "ByteString".into(),
        Type::USVString => "USVString".into(),
        Type::Object => "Object".into(),
        Type::Symbol => "Symbol".into(),
        Type::Buffer(n) | Type::Named(n) => n.clone(),
        Type::Sequence(t) | Type::FrozenArray(t) => format!("{}Sequence", type_name_part(t)),
        Type::Record(k, v) => format!("{}{}Record", type_name_part(k), type_name_part(v)),
        Type::Promise(t) => format!("{}Promise", type_name_part(t)),
        Type::Union(m) => union_name(m),
        Type::Nullable(t) => format!("Nullable{}", type_name_part(t)),
    }
}

/// Where a value of a type is used: the form of the Rust type differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// An argument of a `XMethods` method.
    Argument,
    /// The owned value a conversion yields (argument locals, dictionary members, sequence
    /// elements, union payloads).
    Owned,
    /// A method's return type.
    Return,
}

/// The Rust type of `ty` at `pos`.
pub fn rust_type(defs: &Definitions, ty: &Type, pos: Position) -> String {
    use Position::*;
    match ty {
        Type::Any => match pos {
            Argument => "HandleValue<'_>".into(),
            Owned => "RootedValue".into(),
            Return => "JSVal".into(),
        },
        Type::Undefined => "()".into(),
        Type::Boolean => "bool".into(),
        Type::Byte => "i8".into(),
        Type::Octet => "u8".into(),
        Type::Short => "i16".into(),
        Type::UnsignedShort => "u16".into(),
        Type::Long => "i32".into(),
        Type::UnsignedLong => "u32".into(),
        Type::LongLong => "i64".into(),
        Type::UnsignedLongLong => "u64".into(),
        Type::Float | Type::UnrestrictedFloat => "f32".into(),
        Type::Double | Type::UnrestrictedDouble => "f64".into(),
        Type::DOMString | Type::ByteString | Type::USVString => "DOMString".into(),
        Type::Object => match pos {
            Return => "*mut JSObject".into(),
            _ => "RootedObject".into(),
        },
        // A rooted object checked to be of the buffer type at conversion (bindings::buffer).
        Type::Buffer(name) => format!("crate::dom::bindings::buffer::{name}"),
        Type::Symbol => "RootedValue".into(),
        Type::Named(name) => match named_kind(defs, name) {
            Some(NamedKind::Interface) => match pos {
                Argument => format!("&{}", interface_path(name)),
                _ => format!("DomRoot<{}>", interface_path(name)),
            },
            Some(NamedKind::Dictionary) => match pos {
                Argument => format!("&{name}"),
                _ => name.clone(),
            },
            Some(NamedKind::Enum) => name.clone(),
            Some(NamedKind::Callback) | Some(NamedKind::CallbackInterface) => {
                format!("Rc<{name}>")
            }
            None => format!("/* unknown type {name} */ ()"),
        },
        Type::FrozenArray(t) if pos == Return => {
            format!("Frozen<{}>", rust_type(defs, t, Owned))
        }
        Type::Sequence(t) | Type::FrozenArray(t) => {
            format!("Vec<{}>", rust_type(defs, t, Owned))
        }
        Type::Record(_, v) => format!("Vec<(DOMString, {})>", rust_type(defs, v, Owned)),
        Type::Promise(_) => "Rc<Promise>".into(),
        Type::Union(members) => union_name(members),
        Type::Nullable(inner) => format!("Option<{}>", rust_type(defs, inner, pos)),
    }
}

/// How an owned local converted at `Position::Owned` is passed to a method expecting the
/// `Position::Argument` form.
pub fn argument_expr(defs: &Definitions, ty: &Type, local: &str) -> String {
    match ty {
        Type::Any => format!("{local}.handle()"),
        Type::Named(name) => match named_kind(defs, name) {
            Some(NamedKind::Interface) | Some(NamedKind::Dictionary) => format!("&{local}"),
            _ => local.into(),
        },
        Type::Nullable(inner) => match &**inner {
            Type::Any => format!("{local}.as_ref().map(|v| v.handle())"),
            Type::Named(name)
                if matches!(
                    named_kind(defs, name),
                    Some(NamedKind::Interface) | Some(NamedKind::Dictionary)
                ) =>
            {
                format!("{local}.as_deref()")
            }
            _ => local.into(),
        },
        _ => local.into(),
    }
}

/// The `Conv` value (conversion options) for a type with its extended attributes.
pub fn conv_expr(ty: &Type, attrs: &TypeAttrs, context: &str) -> String {
    let inner = strip_nullable(ty);
    let string_kind = match innermost(inner) {
        Type::ByteString => "StringKind::Byte",
        Type::USVString => "StringKind::Usv",
        _ => "StringKind::Dom",
    };
    let restricted = matches!(innermost(inner), Type::Float | Type::Double);
    format!(
        "Conv {{ enforce_range: {}, clamp: {}, null_to_empty: {}, string: {}, restricted: {}, context: {:?} }}",
        attrs.enforce_range, attrs.clamp, attrs.legacy_null_to_empty_string, string_kind, restricted, context
    )
}

pub fn strip_nullable(ty: &Type) -> &Type {
    match ty {
        Type::Nullable(inner) => inner,
        other => other,
    }
}

/// The element type that conversion options apply to (through sequences and nullables).
fn innermost(ty: &Type) -> &Type {
    match ty {
        Type::Nullable(t) | Type::Sequence(t) | Type::FrozenArray(t) => innermost(t),
        other => other,
    }
}

/// Every union type used anywhere in `defs`, deduplicated by generated name.
pub fn collect_unions(defs: &Definitions) -> Vec<Vec<Type>> {
    let mut out: Vec<Vec<Type>> = Vec::new();
    let mut visit = |ty: &Type| collect_from(ty, &mut out);
    for iface in defs.interfaces.values() {
        for a in &iface.attributes {
            visit(&a.ty);
        }
        for op in iface.operations.iter().chain(&iface.constructors) {
            visit(&op.return_type);
            for arg in &op.arguments {
                visit(&arg.ty);
            }
        }
    }
    for ns in defs.namespaces.values() {
        for op in &ns.operations {
            visit(&op.return_type);
            for arg in &op.arguments {
                visit(&arg.ty);
            }
        }
    }
    for d in defs.dictionaries.values() {
        for m in &d.members {
            visit(&m.ty);
        }
    }
    for cb in defs.callbacks.values() {
        visit(&cb.return_type);
        for arg in &cb.arguments {
            visit(&arg.ty);
        }
    }
    out
}

fn collect_from(ty: &Type, out: &mut Vec<Vec<Type>>) {
    match ty {
        Type::Union(members) => {
            for m in members {
                collect_from(m, out);
            }
            let name = union_name(members);
            if !out.iter().any(|u| union_name(u) == name) {
                out.push(members.clone());
            }
        }
        Type::Nullable(t) | Type::Sequence(t) | Type::FrozenArray(t) | Type::Promise(t) => {
            collect_from(t, out)
        }
        Type::Record(k, v) => {
            collect_from(k, out);
            collect_from(v, out);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Interface;

    fn defs_with_node() -> Definitions {
        let mut defs = Definitions::default();
        defs.interfaces.insert(
            "Node".into(),
            Interface {
                name: "Node".into(),
                ..Default::default()
            },
        );
        defs
    }

    #[test]
    fn interface_arguments_are_borrowed_and_returns_are_rooted() {
        let defs = defs_with_node();
        let node = Type::Named("Node".into());
        assert_eq!(
            rust_type(&defs, &node, Position::Argument),
            "&crate::dom::node::Node"
        );
        assert_eq!(
            rust_type(&defs, &node, Position::Return),
            "DomRoot<crate::dom::node::Node>"
        );
        let nullable = Type::Nullable(Box::new(node));
        assert_eq!(
            rust_type(&defs, &nullable, Position::Argument),
            "Option<&crate::dom::node::Node>"
        );
        assert_eq!(argument_expr(&defs, &nullable, "a0"), "a0.as_deref()");
    }

    #[test]
    fn a_returned_frozen_array_is_frozen_and_an_argument_one_a_vec() {
        let defs = Definitions::default();
        let frozen = Type::FrozenArray(Box::new(Type::DOMString));
        assert_eq!(
            rust_type(&defs, &frozen, Position::Return),
            "Frozen<DOMString>"
        );
        assert_eq!(rust_type(&defs, &frozen, Position::Owned), "Vec<DOMString>");
        let sequence = Type::Sequence(Box::new(Type::DOMString));
        assert_eq!(
            rust_type(&defs, &sequence, Position::Return),
            "Vec<DOMString>"
        );
    }

    #[test]
    fn buffer_types_are_checked_wrappers_in_every_position() {
        let defs = Definitions::default();
        let view = Type::Buffer("Uint8Array".into());
        for position in [Position::Argument, Position::Owned, Position::Return] {
            assert_eq!(
                rust_type(&defs, &view, position),
                "crate::dom::bindings::buffer::Uint8Array"
            );
        }
        assert_eq!(argument_expr(&defs, &view, "a0"), "a0");
    }

    #[test]
    fn union_names_join_members_with_or() {
        let u = vec![Type::Named("AddEventListenerOptions".into()), Type::Boolean];
        assert_eq!(union_name(&u), "AddEventListenerOptionsOrBoolean");
    }

    #[test]
    fn restricted_double_and_clamp_reach_the_conversion() {
        let attrs = TypeAttrs {
            clamp: true,
            ..Default::default()
        };
        let conv = conv_expr(&Type::Double, &attrs, "X.y");
        assert!(conv.contains("clamp: true"));
        assert!(conv.contains("restricted: true"));
        let conv = conv_expr(&Type::UnrestrictedDouble, &TypeAttrs::default(), "X.y");
        assert!(conv.contains("restricted: false"));
    }
}

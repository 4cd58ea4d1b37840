//! Behaviour of the Web IDL front end (`bindings_codegen::parse`) on small IDL snippets.

use bindings_codegen::ir::{
    ConstValue, DefaultValue, Definitions, Exposure, Interface, Operation, Type, TypeAttrs,
};
use bindings_codegen::parse::{parse_sources, ParseError};

fn sources(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

fn parse_files(files: &[(&str, &str)]) -> Definitions {
    parse_sources(&sources(files)).unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

fn parse(idl: &str) -> Definitions {
    parse_files(&[("test.webidl", idl)])
}

fn parse_files_err(files: &[(&str, &str)]) -> ParseError {
    match parse_sources(&sources(files)) {
        Ok(defs) => panic!("expected an error, got {defs:#?}"),
        Err(e) => e,
    }
}

fn parse_err(idl: &str) -> ParseError {
    parse_files_err(&[("test.webidl", idl)])
}

fn interface<'d>(defs: &'d Definitions, name: &str) -> &'d Interface {
    defs.interfaces
        .get(name)
        .unwrap_or_else(|| panic!("no interface {name}"))
}

fn operation<'i>(iface: &'i Interface, name: &str) -> &'i Operation {
    iface
        .operations
        .iter()
        .find(|op| op.name == name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

fn named(name: &str) -> Type {
    Type::Named(name.to_string())
}

fn nullable(ty: Type) -> Type {
    Type::Nullable(Box::new(ty))
}

fn exposed(globals: &[&str]) -> Vec<String> {
    globals.iter().map(|g| g.to_string()).collect()
}

#[test]
fn background_sync_idl_parses_and_merges() {
    let support = r#"
        [Exposed=(Window,Worker)] interface Event { constructor(DOMString type, optional EventInit eventInitDict = {}); };
        dictionary EventInit { boolean bubbles = false; };
        [Exposed=ServiceWorker] interface ExtendableEvent : Event {
            constructor(DOMString type, optional ExtendableEventInit eventInitDict = {});
            undefined waitUntil(Promise<any> f);
        };
        dictionary ExtendableEventInit : EventInit {};
        [SecureContext, Exposed=(Window,Worker)] interface ServiceWorkerRegistration {
            readonly attribute USVString scope;
        };
    "#;
    let bgsync = r#"
        [Exposed=(Window,Worker)] interface SyncManager { Promise<undefined> register(DOMString tag); Promise<sequence<DOMString>> getTags(); };
        partial interface ServiceWorkerRegistration { readonly attribute SyncManager sync; };
        [Exposed=ServiceWorker] interface SyncEvent : ExtendableEvent { constructor(DOMString type, SyncEventInit init); readonly attribute DOMString tag; readonly attribute boolean lastChance; };
        dictionary SyncEventInit : ExtendableEventInit { required DOMString tag; boolean lastChance = false; };
    "#;
    let defs = parse_files(&[
        ("support.webidl", support),
        ("background_sync.webidl", bgsync),
    ]);

    let manager = interface(&defs, "SyncManager");
    assert_eq!(manager.exposure.exposed, exposed(&["Window", "Worker"]));
    let register = operation(manager, "register");
    assert_eq!(
        register.return_type,
        Type::Promise(Box::new(Type::Undefined))
    );
    assert_eq!(register.arguments.len(), 1);
    assert_eq!(register.arguments[0].name, "tag");
    assert_eq!(register.arguments[0].ty, Type::DOMString);
    assert_eq!(
        operation(manager, "getTags").return_type,
        Type::Promise(Box::new(Type::Sequence(Box::new(Type::DOMString))))
    );

    let registration = interface(&defs, "ServiceWorkerRegistration");
    let names: Vec<_> = registration
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["scope", "sync"]);
    assert_eq!(registration.attributes[1].ty, named("SyncManager"));
    assert!(registration.attributes[1].readonly);
    assert_eq!(registration.origin.file, "support.webidl");

    let event = interface(&defs, "SyncEvent");
    assert_eq!(event.inherits.as_deref(), Some("ExtendableEvent"));
    assert_eq!(event.exposure.exposed, exposed(&["ServiceWorker"]));
    assert_eq!(event.constructors.len(), 1);
    assert_eq!(
        event.constructors[0].arguments[1].ty,
        named("SyncEventInit")
    );
    assert_eq!(event.origin.file, "background_sync.webidl");

    let init = &defs.dictionaries["SyncEventInit"];
    assert_eq!(init.inherits.as_deref(), Some("ExtendableEventInit"));
    let members: Vec<_> = init.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(members, ["lastChance", "tag"]);
    assert!(!init.members[0].required);
    assert_eq!(init.members[0].default, Some(DefaultValue::Boolean(false)));
    assert!(init.members[1].required);
    assert_eq!(init.members[1].ty, Type::DOMString);
}

#[test]
fn exposed_star_is_rejected_naming_the_file() {
    let err = parse_files_err(&[
        ("fine.webidl", "[Exposed=Window] interface Fine {};"),
        ("event.webidl", "\n[Exposed=*]\ninterface Event {};"),
    ]);
    assert_eq!(err.file, "event.webidl");
    assert!(err.message.contains("line 2"), "{err}");
    assert!(err.message.contains("Exposed=*"), "{err}");
    assert!(err.message.contains("spell"), "{err}");
    assert!(err.to_string().starts_with("event.webidl: "), "{err}");
}

#[test]
fn exposed_star_with_spaces_is_rejected_too() {
    let err = parse_err("[ Exposed = * ] interface Event {};");
    assert!(err.message.contains("Exposed=*"), "{err}");
}

#[test]
fn exposed_star_inside_a_comment_is_fine() {
    let defs = parse(
        "// The spec says [Exposed=*]; bgsync only has Window and Worker globals.\n\
         /* [Exposed=*] */ [Exposed=(Window,Worker)] interface Event {};",
    );
    assert_eq!(
        interface(&defs, "Event").exposure.exposed,
        exposed(&["Window", "Worker"])
    );
}

#[test]
fn syntax_error_is_an_error_naming_file_and_line_not_a_panic() {
    let err = parse_files_err(&[(
        "broken.webidl",
        "interface A {};\n\ninterface B { attribute long; };\n",
    )]);
    assert_eq!(err.file, "broken.webidl");
    assert!(err.message.contains("line 3"), "{err}");
    assert!(err.message.contains("interface B"), "{err}");
}

#[test]
fn parse_error_displays_file_then_message() {
    let err = ParseError {
        file: "a.webidl".to_string(),
        message: "bad".to_string(),
    };
    assert_eq!(err.to_string(), "a.webidl: bad");
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert_eq!(boxed.to_string(), "a.webidl: bad");
}

#[test]
fn empty_and_comment_only_files_give_no_definitions() {
    let defs = parse_files(&[
        ("empty.webidl", ""),
        ("comments.webidl", "  // nothing\n/* here */ // eof"),
    ]);
    assert_eq!(defs, Definitions::default());
}

#[test]
fn doc_comments_before_members_are_ignored() {
    let defs = parse(
        "/// An interface.\n[Exposed=Window] interface A {\n  /// The x.\n  attribute long x;\n};",
    );
    assert_eq!(interface(&defs, "A").attributes[0].name, "x");
}

#[test]
fn interface_extended_attributes_become_fields() {
    let defs = parse(
        "[Global=(Worker,ServiceWorker), Exposed=ServiceWorker, SecureContext, \
          LegacyNoInterfaceObject, LegacyUnforgeable] interface Scope {};\n\
         [Exposed=Window] interface Plain {};",
    );
    let scope = interface(&defs, "Scope");
    assert_eq!(scope.global, exposed(&["Worker", "ServiceWorker"]));
    assert_eq!(scope.exposure.exposed, exposed(&["ServiceWorker"]));
    assert!(scope.exposure.secure_context);
    assert!(scope.legacy_no_interface_object);
    assert!(scope.legacy_unforgeable);

    let plain = interface(&defs, "Plain");
    assert_eq!(plain.exposure.exposed, exposed(&["Window"]));
    assert!(plain.global.is_empty());
    assert!(!plain.exposure.secure_context);
    assert!(!plain.legacy_no_interface_object);
    assert!(!plain.legacy_unforgeable);
}

#[test]
fn single_global_name_is_a_one_element_list() {
    let defs = parse("[Global=Window, Exposed=Window] interface Window {};");
    assert_eq!(interface(&defs, "Window").global, exposed(&["Window"]));
}

#[test]
fn member_exposure_and_unforgeable() {
    let defs = parse(
        "[Exposed=(Window,Worker)] interface A {\n\
           [Exposed=Window, SecureContext] readonly attribute long onlyWindow;\n\
           [LegacyUnforgeable] readonly attribute long fixed;\n\
           [Exposed=Worker, LegacyUnforgeable] undefined f();\n\
           undefined g();\n\
         };",
    );
    let a = interface(&defs, "A");
    assert_eq!(
        a.attributes[0].exposure,
        Exposure {
            exposed: exposed(&["Window"]),
            secure_context: true
        }
    );
    assert!(!a.attributes[0].legacy_unforgeable);
    assert!(a.attributes[1].legacy_unforgeable);
    assert_eq!(a.attributes[1].exposure, Exposure::default());
    let f = operation(a, "f");
    assert_eq!(f.exposure.exposed, exposed(&["Worker"]));
    assert!(f.legacy_unforgeable);
    let g = operation(a, "g");
    assert_eq!(g.exposure, Exposure::default());
    assert!(!g.legacy_unforgeable);
}

#[test]
fn attribute_only_extended_attributes() {
    let defs = parse(
        "[Exposed=Window] interface Loc { stringifier attribute USVString href; };\n\
         [Exposed=Window] interface Doc {\n\
           [SameObject] readonly attribute Doc self;\n\
           [Replaceable] readonly attribute long length;\n\
           [PutForwards=href] readonly attribute Loc location;\n\
           attribute long plain;\n\
         };",
    );
    let doc = interface(&defs, "Doc");
    let [same, replaceable, forwards, plain] = doc.attributes.as_slice() else {
        panic!("expected four attributes: {:?}", doc.attributes);
    };
    assert!(same.same_object && !same.replaceable);
    assert!(replaceable.replaceable && !replaceable.same_object);
    assert_eq!(forwards.put_forwards.as_deref(), Some("href"));
    assert!(!plain.readonly && !plain.same_object && !plain.replaceable);
    assert_eq!(plain.put_forwards, None);
}

#[test]
fn conversion_attributes_on_the_argument_or_on_its_type() {
    let defs = parse(
        "[Exposed=Window] interface A {\n\
           undefined f([EnforceRange] unsigned long a, optional [Clamp] octet b = 0, long c);\n\
           attribute [LegacyNullToEmptyString] DOMString text;\n\
           [Clamp] attribute octet level;\n\
         };\n\
         dictionary D { [EnforceRange] unsigned long long size; };",
    );
    let a = interface(&defs, "A");
    let args = &operation(a, "f").arguments;
    assert!(args[0].attrs.enforce_range && !args[0].attrs.clamp);
    assert!(args[1].attrs.clamp && !args[1].attrs.enforce_range);
    assert!(args[1].optional);
    assert_eq!(args[1].default, Some(DefaultValue::Integer(0)));
    assert_eq!(args[2].attrs, TypeAttrs::default());
    assert!(a.attributes[0].attrs.legacy_null_to_empty_string);
    assert!(a.attributes[1].attrs.clamp);
    assert!(defs.dictionaries["D"].members[0].attrs.enforce_range);
    assert_eq!(defs.dictionaries["D"].members[0].ty, Type::UnsignedLongLong);
}

#[test]
fn constructors_are_kept_apart_from_operations() {
    let defs = parse(
        "[Exposed=Window] interface A { constructor(); constructor(DOMString s, optional long n); \
         undefined f(); };",
    );
    let a = interface(&defs, "A");
    assert_eq!(a.constructors.len(), 2);
    assert!(a.constructors.iter().all(|c| c.name.is_empty()));
    assert!(a
        .constructors
        .iter()
        .all(|c| c.return_type == Type::Undefined));
    assert!(a.constructors[0].arguments.is_empty());
    assert_eq!(a.constructors[1].arguments[0].ty, Type::DOMString);
    assert!(a.constructors[1].arguments[1].optional);
    assert_eq!(a.operations.len(), 1);
}

#[test]
fn constants_with_values() {
    let defs = parse(
        "[Exposed=Window] interface A {\n\
           const unsigned short ONE = 1;\n\
           const long MINUS_HEX = -0x10;\n\
           const long OCTAL = 010;\n\
           const long ZERO = 0;\n\
           const double HALF = 1.5;\n\
           const unrestricted double INF = -Infinity;\n\
           const boolean YES = true;\n\
         };",
    );
    let values: Vec<_> = interface(&defs, "A")
        .constants
        .iter()
        .map(|c| (c.name.as_str(), c.ty.clone(), c.value.clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("ONE", Type::UnsignedShort, ConstValue::Integer(1)),
            ("MINUS_HEX", Type::Long, ConstValue::Integer(-16)),
            ("OCTAL", Type::Long, ConstValue::Integer(8)),
            ("ZERO", Type::Long, ConstValue::Integer(0)),
            ("HALF", Type::Double, ConstValue::Float(1.5)),
            (
                "INF",
                Type::UnrestrictedDouble,
                ConstValue::Float(f64::NEG_INFINITY)
            ),
            ("YES", Type::Boolean, ConstValue::Boolean(true)),
        ]
    );
}

#[test]
fn static_members() {
    let defs = parse(
        "[Exposed=Window] interface A { static readonly attribute long count; \
         static A create(); undefined regular(); attribute long plain; };",
    );
    let a = interface(&defs, "A");
    assert!(a.attributes[0].is_static && !a.attributes[1].is_static);
    assert!(operation(a, "create").is_static);
    assert!(!operation(a, "regular").is_static);
}

#[test]
fn stringifier_bare_attribute_and_operation() {
    let defs = parse(
        "[Exposed=Window] interface Bare { stringifier; };\n\
         [Exposed=Window] interface Attr { stringifier attribute DOMString href; };\n\
         [Exposed=Window] interface Op { stringifier DOMString describe(); };\n\
         [Exposed=Window] interface Unnamed { stringifier DOMString (); };\n\
         [Exposed=Window] interface None {};",
    );
    assert_eq!(interface(&defs, "Bare").stringifier.as_deref(), Some(""));
    let attr = interface(&defs, "Attr");
    assert_eq!(attr.stringifier.as_deref(), Some("href"));
    assert_eq!(attr.attributes[0].name, "href");
    let op = interface(&defs, "Op");
    assert_eq!(op.stringifier.as_deref(), Some("describe"));
    assert_eq!(operation(op, "describe").return_type, Type::DOMString);
    let unnamed = interface(&defs, "Unnamed");
    assert_eq!(unnamed.stringifier.as_deref(), Some(""));
    assert!(unnamed.operations.is_empty());
    assert_eq!(interface(&defs, "None").stringifier, None);
}

#[test]
fn two_stringifiers_are_an_error() {
    let err = parse_err(
        "[Exposed=Window] interface A { stringifier; stringifier attribute DOMString x; };",
    );
    assert!(err.message.contains("more than one stringifier"), "{err}");
}

#[test]
fn value_and_pair_iterables() {
    let defs = parse(
        "[Exposed=Window] interface Values { iterable<long>; };\n\
         [Exposed=Window] interface Pairs { iterable<DOMString, Values?>; };",
    );
    let values = interface(&defs, "Values")
        .iterable
        .clone()
        .expect("iterable");
    assert_eq!(values.key, None);
    assert_eq!(values.value, Type::Long);
    let pairs = interface(&defs, "Pairs")
        .iterable
        .clone()
        .expect("iterable");
    assert_eq!(pairs.key, Some(Type::DOMString));
    assert_eq!(pairs.value, nullable(named("Values")));
}

#[test]
fn indexed_and_named_getters() {
    let defs = parse(
        "[Exposed=Window] interface List { getter DOMString? item(unsigned long index); \
         readonly attribute unsigned long length; };\n\
         [Exposed=Window] interface Map { getter any (DOMString name); };",
    );
    let list = interface(&defs, "List");
    let indexed = list.indexed_getter.as_ref().expect("indexed getter");
    assert_eq!(indexed.name, "item");
    assert_eq!(indexed.return_type, nullable(Type::DOMString));
    assert_eq!(list.named_getter, None);
    // A named special operation is also a regular operation.
    assert_eq!(operation(list, "item"), indexed);

    let map = interface(&defs, "Map");
    let named_getter = map.named_getter.as_ref().expect("named getter");
    assert_eq!(named_getter.name, "");
    assert_eq!(named_getter.arguments[0].ty, Type::DOMString);
    assert_eq!(map.indexed_getter, None);
    assert!(map.operations.is_empty());
}

#[test]
fn getter_with_other_argument_type_is_an_error() {
    let err = parse_err("[Exposed=Window] interface A { getter any (double d); };");
    assert!(err.message.contains("interface A"), "{err}");
    assert!(err.message.contains("getter"), "{err}");
}

#[test]
fn unsupported_members_are_rejected_not_dropped() {
    for member in [
        "setter undefined (unsigned long i, long v);",
        "deleter undefined (DOMString name);",
        "maplike<DOMString, long>;",
        "setlike<long>;",
    ] {
        let err = parse_err(&format!("[Exposed=Window] interface A {{ {member} }};"));
        assert!(err.message.contains("not supported"), "{member}: {err}");
    }
}

#[test]
fn callback_functions_and_callback_interfaces() {
    let defs = parse(
        "callback SyncCallback = Promise<undefined> (DOMString tag, optional boolean last = false);\n\
         callback interface Listener { const short PHASE = 2; undefined handleEvent(DOMString type); };",
    );
    let callback = &defs.callbacks["SyncCallback"];
    assert_eq!(
        callback.return_type,
        Type::Promise(Box::new(Type::Undefined))
    );
    assert_eq!(
        callback.arguments[1].default,
        Some(DefaultValue::Boolean(false))
    );
    let listener = &defs.callback_interfaces["Listener"];
    assert_eq!(listener.operations[0].name, "handleEvent");
    assert_eq!(listener.constants[0].value, ConstValue::Integer(2));
    assert_eq!(listener.origin.file, "test.webidl");
}

#[test]
fn callback_interface_with_attribute_is_an_error() {
    let err = parse_err("callback interface L { attribute long x; };");
    assert!(err.message.contains("callback interface L"), "{err}");
}

#[test]
fn enums_keep_their_values_in_order() {
    let defs = parse(
        r#"enum SyncState { "pending", "waiting", "firing", "reregistered-while-firing", };"#,
    );
    assert_eq!(
        defs.enums["SyncState"].values,
        ["pending", "waiting", "firing", "reregistered-while-firing"]
    );
}

#[test]
fn namespaces_and_partial_namespaces() {
    let defs = parse_files(&[
        (
            "console.webidl",
            "[Exposed=(Window,Worker)] namespace console { undefined log(any... data); \
             readonly attribute long depth; };",
        ),
        (
            "more.webidl",
            "[Exposed=Window] partial namespace console { undefined warn(DOMString s); };",
        ),
    ]);
    let console = &defs.namespaces["console"];
    assert_eq!(console.exposure.exposed, exposed(&["Window", "Worker"]));
    assert!(console.attributes[0].readonly);
    let [log, warn] = console.operations.as_slice() else {
        panic!("expected two operations: {:?}", console.operations);
    };
    assert!(log.arguments[0].variadic);
    assert_eq!(log.arguments[0].ty, Type::Any);
    assert_eq!(log.exposure, Exposure::default());
    // The partial's exposure is its members'.
    assert_eq!(warn.exposure.exposed, exposed(&["Window"]));
}

#[test]
fn every_kind_of_default_value() {
    let defs = parse(
        "dictionary Opts { long n; };\n\
         [Exposed=Window] interface A { undefined f(\n\
           optional Opts dict = {}, optional sequence<long> seq = [], optional DOMString? nothing = null,\n\
           optional long int = -5, optional double real = 2.5, optional DOMString text = \"hi\",\n\
           optional boolean flag = true, optional any missing = undefined, optional long none); };",
    );
    let defaults: Vec<_> = operation(interface(&defs, "A"), "f")
        .arguments
        .iter()
        .map(|a| a.default.clone())
        .collect();
    assert_eq!(
        defaults,
        [
            Some(DefaultValue::EmptyDictionary),
            Some(DefaultValue::EmptySequence),
            Some(DefaultValue::Null),
            Some(DefaultValue::Integer(-5)),
            Some(DefaultValue::Float(2.5)),
            Some(DefaultValue::String("hi".to_string())),
            Some(DefaultValue::Boolean(true)),
            Some(DefaultValue::Undefined),
            None,
        ]
    );
}

#[test]
fn the_word_undefined_in_strings_and_comments_is_left_alone() {
    let defs = parse(
        "// x = undefined\n\
         enum E { \"= undefined\" };\n\
         dictionary D { DOMString s = \"undefined\"; any u = undefined; };",
    );
    assert_eq!(defs.enums["E"].values, ["= undefined"]);
    let members = &defs.dictionaries["D"].members;
    assert_eq!(
        members[0].default,
        Some(DefaultValue::String("undefined".to_string()))
    );
    assert_eq!(members[1].default, Some(DefaultValue::Undefined));
}

#[test]
fn partial_interfaces_merge_into_the_main_one_across_files() {
    let defs = parse_files(&[
        ("a.webidl", "[Exposed=Window] partial interface A { attribute long y; }; partial interface A { undefined g(); };"),
        ("b.webidl", "[Exposed=(Window,Worker)] interface A { attribute long x; };"),
    ]);
    let a = interface(&defs, "A");
    assert_eq!(a.origin.file, "b.webidl");
    let names: Vec<_> = a.attributes.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    assert_eq!(a.attributes[0].exposure.exposed, Vec::<String>::new());
    assert_eq!(a.attributes[1].exposure.exposed, exposed(&["Window"]));
    assert_eq!(operation(a, "g").exposure, Exposure::default());
}

#[test]
fn partial_without_main_definition_is_an_error() {
    for (idl, what) in [
        (
            "partial interface Lost { attribute long x; };",
            "partial interface Lost",
        ),
        (
            "partial dictionary Lost { long x; };",
            "partial dictionary Lost",
        ),
        (
            "partial namespace Lost { undefined f(); };",
            "partial namespace Lost",
        ),
    ] {
        let err = parse_files_err(&[("lost.webidl", idl)]);
        assert_eq!(err.file, "lost.webidl");
        assert!(err.message.contains(what), "{err}");
        assert!(err.message.contains("no main definition"), "{err}");
    }
}

#[test]
fn dictionary_members_are_sorted_by_name_after_merging() {
    let defs = parse(
        "dictionary D { long zeta; long alpha; };\n\
         partial dictionary D { long mu; long Beta; };",
    );
    let names: Vec<_> = defs.dictionaries["D"]
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["Beta", "alpha", "mu", "zeta"]);
}

#[test]
fn mixins_are_copied_into_including_interfaces_with_their_exposure() {
    let defs = parse_files(&[
        (
            "user.webidl",
            "Window includes Timers; Worker includes Timers;",
        ),
        (
            "globals.webidl",
            "[Exposed=Window] interface Window {}; [Exposed=Worker] interface Worker {};",
        ),
        (
            "timers.webidl",
            "[Exposed=(Window,Worker), SecureContext] interface mixin Timers {\n\
               const long MAX = 10;\n\
               long setTimeout(long ms);\n\
               [Exposed=Window] readonly attribute long windowOnly;\n\
               stringifier;\n\
             };\n\
             partial interface mixin Timers { undefined clearTimeout(long id); };",
        ),
    ]);
    assert!(
        !defs.interfaces.contains_key("Timers"),
        "mixins are not interfaces"
    );
    for name in ["Window", "Worker"] {
        let global = interface(&defs, name);
        assert_eq!(global.constants[0].name, "MAX");
        assert_eq!(global.stringifier.as_deref(), Some(""));
        let set_timeout = operation(global, "setTimeout");
        assert_eq!(set_timeout.exposure.exposed, exposed(&["Window", "Worker"]));
        assert!(set_timeout.exposure.secure_context);
        // Added by the partial mixin before `includes` copied the mixin.
        let clear = operation(global, "clearTimeout");
        assert_eq!(clear.exposure.exposed, exposed(&["Window", "Worker"]));
        let window_only = &global.attributes[0];
        assert_eq!(window_only.exposure.exposed, exposed(&["Window"]));
        assert!(window_only.exposure.secure_context);
    }
}

#[test]
fn mixin_without_exposure_leaves_members_to_the_interface() {
    let defs = parse(
        "interface mixin M { undefined f(); };\n\
         [Exposed=Window] interface A {};\n\
         A includes M;",
    );
    assert_eq!(
        operation(interface(&defs, "A"), "f").exposure,
        Exposure::default()
    );
}

#[test]
fn includes_of_unknown_mixin_or_interface_is_an_error() {
    let err = parse_err("[Exposed=Window] interface A {}; A includes Nope;");
    assert!(
        err.message.contains("`Nope` is not an interface mixin"),
        "{err}"
    );
    let err = parse_err("interface mixin M {}; Nope includes M;");
    assert!(err.message.contains("`Nope` is not an interface"), "{err}");
}

#[test]
fn typedefs_are_resolved_everywhere() {
    let defs = parse(
        "typedef unsigned long long Timestamp;\n\
         typedef Timestamp Stamp;\n\
         typedef (DOMString or Stamp) Key;\n\
         typedef sequence<Key> Keys;\n\
         typedef Node? MaybeNode;\n\
         [Exposed=Window] interface Node {\n\
           attribute Stamp when;\n\
           attribute Keys keys;\n\
           attribute Stamp? maybeWhen;\n\
           attribute MaybeNode? parent;\n\
           attribute record<DOMString, Key> table;\n\
           Promise<Keys> fetch(FrozenArray<Stamp> stamps);\n\
           attribute (Key or boolean) flat;\n\
         };",
    );
    let node = interface(&defs, "Node");
    let key = Type::Union(vec![Type::DOMString, Type::UnsignedLongLong]);
    let keys = Type::Sequence(Box::new(key.clone()));
    let types: Vec<_> = node.attributes.iter().map(|a| a.ty.clone()).collect();
    assert_eq!(
        types,
        [
            Type::UnsignedLongLong,
            keys.clone(),
            nullable(Type::UnsignedLongLong),
            // `MaybeNode?` is not nullable twice.
            nullable(named("Node")),
            Type::Record(Box::new(Type::DOMString), Box::new(key)),
            // A typedef'd union inside a union is flattened.
            Type::Union(vec![Type::DOMString, Type::UnsignedLongLong, Type::Boolean]),
        ]
    );
    let fetch = operation(node, "fetch");
    assert_eq!(fetch.return_type, Type::Promise(Box::new(keys)));
    assert_eq!(
        fetch.arguments[0].ty,
        Type::FrozenArray(Box::new(Type::UnsignedLongLong))
    );
    // No `Named` in the model ever names a typedef.
    assert!(!format!("{defs:?}").contains("Named(\"Stamp\")"));
}

#[test]
fn typedef_extended_attributes_reach_the_use_site() {
    let defs = parse(
        "typedef [EnforceRange] unsigned long long Millis;\n\
         dictionary D { Millis delay; };",
    );
    let member = &defs.dictionaries["D"].members[0];
    assert_eq!(member.ty, Type::UnsignedLongLong);
    assert!(member.attrs.enforce_range);
}

#[test]
fn typedef_cycle_is_an_error() {
    let err = parse_err("typedef sequence<B> A; typedef A B; dictionary D { A a; };");
    assert!(err.message.contains("refers to itself"), "{err}");
}

#[test]
fn primitive_and_special_types() {
    let defs = parse(
        "[Exposed=Window] interface T {\n\
           undefined f(any a, object o, symbol s, ByteString b, USVString u, byte i8, octet u8,\n\
             short i16, unsigned short u16, long i32, unsigned long u32, long long i64,\n\
             float f32, unrestricted float uf32, double f64, unrestricted double uf64,\n\
             (DOMString or undefined) maybe, (long or (DOMString or boolean)?) nested);\n\
         };",
    );
    let types: Vec<_> = operation(interface(&defs, "T"), "f")
        .arguments
        .iter()
        .map(|a| a.ty.clone())
        .collect();
    assert_eq!(
        types,
        [
            Type::Any,
            Type::Object,
            Type::Symbol,
            Type::ByteString,
            Type::USVString,
            Type::Byte,
            Type::Octet,
            Type::Short,
            Type::UnsignedShort,
            Type::Long,
            Type::UnsignedLong,
            Type::LongLong,
            Type::Float,
            Type::UnrestrictedFloat,
            Type::Double,
            Type::UnrestrictedDouble,
            Type::Union(vec![Type::DOMString, Type::Undefined]),
            Type::Union(vec![
                Type::Long,
                nullable(Type::Union(vec![Type::DOMString, Type::Boolean]))
            ]),
        ]
    );
}

#[test]
fn buffer_types_are_kept_by_name() {
    let names = [
        "ArrayBuffer",
        "SharedArrayBuffer",
        "DataView",
        "Int8Array",
        "Int16Array",
        "Int32Array",
        "Uint8Array",
        "Uint16Array",
        "Uint32Array",
        "Uint8ClampedArray",
        "BigInt64Array",
        "BigUint64Array",
        "Float32Array",
        "Float64Array",
        "ArrayBufferView",
        "BufferSource",
        "AllowSharedBufferSource",
    ];
    let args: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{name} a{i}"))
        .collect();
    let idl = format!(
        "[Exposed=Window] interface B {{ undefined f({}); attribute Uint8Array? bytes; }};",
        args.join(", ")
    );
    let defs = parse(&idl);
    let b = interface(&defs, "B");
    let types: Vec<_> = operation(b, "f")
        .arguments
        .iter()
        .map(|a| a.ty.clone())
        .collect();
    let expected: Vec<_> = names.iter().map(|n| Type::Buffer(n.to_string())).collect();
    assert_eq!(types, expected);
    assert_eq!(
        b.attributes[0].ty,
        nullable(Type::Buffer("Uint8Array".to_string()))
    );
}

#[test]
fn unknown_type_names_the_file_holding_the_reference() {
    let err = parse_files_err(&[
        ("main.webidl", "[Exposed=Window] interface A {};"),
        (
            "extra.webidl",
            "partial interface A { attribute sequence<Missing?> things; };",
        ),
    ]);
    assert_eq!(err.file, "extra.webidl");
    assert!(err.message.contains("`Missing`"), "{err}");
    assert!(err.message.contains("partial interface A"), "{err}");
}

#[test]
fn mixins_and_namespaces_are_not_types() {
    let err = parse_err("interface mixin M {}; dictionary D { M m; };");
    assert!(err.message.contains("unknown type `M`"), "{err}");
    let err = parse_err("namespace N {}; dictionary D { N n; };");
    assert!(err.message.contains("unknown type `N`"), "{err}");
}

#[test]
fn every_kind_of_definition_is_a_valid_type_name() {
    let defs = parse(
        "[Exposed=Window] interface I {}; dictionary D {}; enum E { \"e\" };\n\
         callback C = undefined (); callback interface L { undefined handle(); };\n\
         dictionary All { I i; D d; E e; C c; L l; };",
    );
    let types: Vec<_> = defs.dictionaries["All"]
        .members
        .iter()
        .map(|m| m.ty.clone())
        .collect();
    assert_eq!(types, ["C", "D", "E", "I", "L"].map(named));
}

#[test]
fn duplicate_definitions_are_an_error() {
    let err = parse_files_err(&[
        ("one.webidl", "[Exposed=Window] interface Thing {};"),
        ("two.webidl", "dictionary Thing {};"),
    ]);
    assert_eq!(err.file, "two.webidl");
    assert!(err.message.contains("`Thing` is defined twice"), "{err}");
    assert!(err.message.contains("one.webidl"), "{err}");
}

#[test]
fn inheriting_from_a_missing_or_wrong_kind_of_definition_is_an_error() {
    let err = parse_files_err(&[("i.webidl", "[Exposed=Window] interface A : Nope {};")]);
    assert_eq!(err.file, "i.webidl");
    assert!(
        err.message.contains("interface A inherits from `Nope`"),
        "{err}"
    );

    let err = parse_err("dictionary D {}; [Exposed=Window] interface A : D {};");
    assert!(
        err.message.contains("but there is no interface `D`"),
        "{err}"
    );

    let err = parse_err("[Exposed=Window] interface I {}; dictionary D : I {};");
    assert!(
        err.message.contains("dictionary D inherits from `I`"),
        "{err}"
    );
}

#[test]
fn inheritance_cycles_are_an_error() {
    let err = parse_files_err(&[
        ("a.webidl", "[Exposed=Window] interface A : B {};"),
        ("b.webidl", "[Exposed=Window] interface B : A {};"),
    ]);
    assert!(
        err.message.contains("inheritance cycle: A -> B -> A"),
        "{err}"
    );
    assert_eq!(err.file, "a.webidl");

    let err = parse_err("dictionary D : D {};");
    assert!(err.message.contains("inheritance cycle: D -> D"), "{err}");
}

#[test]
fn inheritance_chain_without_cycle_is_fine() {
    let defs = parse(
        "[Exposed=Window] interface C : B {}; [Exposed=Window] interface B : A {}; \
         [Exposed=Window] interface A {};",
    );
    assert_eq!(interface(&defs, "C").inherits.as_deref(), Some("B"));
}

#[test]
fn constant_out_of_range_is_an_error_not_a_panic() {
    let err = parse_err(
        "[Exposed=Window] interface A { const unsigned long long BIG = 0xFFFFFFFFFFFFFFFF; };",
    );
    assert!(err.message.contains("does not fit"), "{err}");
}

#[test]
fn quirks_of_published_spec_idl() {
    // Excerpts of the DOM Standard's IDL (webref), with `[Exposed=*]` spelled out.
    let defs = parse(
        r#"
[Exposed=(Window,Worker)]
interface AbortSignal {
  [NewObject] static AbortSignal abort(optional any reason);
  [Exposed=(Window,Worker), NewObject] static AbortSignal timeout([EnforceRange] unsigned long long milliseconds);
  [NewObject] static AbortSignal _any(sequence<AbortSignal> signals);
};
[Exposed=Window]
interface Document {
  [NewObject] Document createEvent(DOMString interface); // legacy
  // NodeFilter.SHOW_ALL = 0xFFFFFFFF
  Document createNodeIterator(Document root, optional unsigned long whatToShow = 0xFFFFFFFF, optional NodeFilter? filter = null);
};
[Exposed=Window]
interface DOMTokenList {
  getter DOMString? item(unsigned long index);
  [CEReactions] stringifier attribute DOMString value;
  iterable<DOMString>;
};
[Exposed=Window]
callback interface NodeFilter {
  // Constants for whatToShow
  const unsigned long SHOW_ALL = 0xFFFFFFFF;
  unsigned short acceptNode(Document node);
};
interface mixin XPathEvaluatorBase {
  Document createNSResolver(Document nodeResolver); // legacy
};
Document includes XPathEvaluatorBase;
"#,
    );
    let signal = interface(&defs, "AbortSignal");
    // Web IDL drops the escaping underscore.
    assert!(operation(signal, "any").is_static);
    assert!(
        operation(signal, "timeout").arguments[0]
            .attrs
            .enforce_range
    );
    let document = interface(&defs, "Document");
    assert_eq!(
        operation(document, "createEvent").arguments[0].name,
        "interface"
    );
    assert_eq!(
        operation(document, "createNodeIterator").arguments[1].default,
        Some(DefaultValue::Integer(0xFFFF_FFFF))
    );
    assert!(document
        .operations
        .iter()
        .any(|op| op.name == "createNSResolver"));
    let tokens = interface(&defs, "DOMTokenList");
    assert_eq!(tokens.stringifier.as_deref(), Some("value"));
    assert!(tokens.indexed_getter.is_some());
    assert_eq!(
        defs.callback_interfaces["NodeFilter"].constants[0].value,
        ConstValue::Integer(0xFFFF_FFFF)
    );
}

#[test]
fn a_leading_underscore_escapes_an_operation_name() {
    let defs = parse(
        "[Exposed=Window] interface AbortSignal {
           static AbortSignal _any(sequence<AbortSignal> signals);
           undefined _plain();
         };",
    );
    let iface = interface(&defs, "AbortSignal");
    assert!(operation(iface, "any").is_static);
    assert!(!operation(iface, "plain").is_static);
}

//! The emitter on small IDL snippets: what each Web IDL construct becomes in Rust.

use bindings_codegen::emit::emit;
use bindings_codegen::parse::parse_sources;

fn generate(idl: &str) -> String {
    let defs = parse_sources(&[("test.webidl".to_string(), idl.to_string())]).expect("parses");
    emit(&defs)
}

const BASE: &str = "
[Exposed=Window] interface EventTarget { constructor(); };
[Exposed=Window] interface Event { constructor(DOMString type); readonly attribute DOMString type; };
";

#[test]
fn an_interface_becomes_a_methods_trait_natives_and_info() {
    let code = generate(&format!(
        "{BASE}
        [Exposed=(Window,Worker), SecureContext] interface Thing : EventTarget {{
          [Throws] constructor(long size, optional DOMString label = \"x\");
          readonly attribute unsigned long size;
          [SetterThrows] attribute DOMString? label;
          [Throws] attribute long count;
          undefined stop();
          Promise<undefined> start([EnforceRange] long delay);
          static boolean isThing(any value);
          const unsigned short MAX = 7;
        }};"
    ));
    assert!(code.contains("pub trait ThingMethods {"), "{code}");
    assert!(code.contains("fn Constructor(cx: &mut JSContext, global: &GlobalScope, proto: Option<HandleObject<'_>>, size: i32, label: DOMString) -> Fallible<DomRoot<crate::dom::thing::Thing>>;"));
    // Only [Throws] members (and promise-returning ones) return Fallible.
    assert!(code.contains("fn Size(&self, cx: &mut JSContext) -> u32;"));
    assert!(code.contains("let rv = this.Size(cx);"));
    assert!(code.contains("fn Label(&self, cx: &mut JSContext) -> Option<DOMString>;"));
    assert!(code.contains(
        "fn SetLabel(&self, cx: &mut JSContext, value: Option<DOMString>) -> Fallible<()>;"
    ));
    assert!(code.contains("this.SetLabel(cx, value)?;"));
    assert!(code.contains("fn Count(&self, cx: &mut JSContext) -> Fallible<i32>;"));
    assert!(code.contains("fn SetCount(&self, cx: &mut JSContext, value: i32) -> Fallible<()>;"));
    assert!(code.contains("fn Stop(&self, cx: &mut JSContext);"));
    assert!(code.contains("let rv = this.Stop(cx);"));
    assert!(
        code.contains("fn Start(&self, cx: &mut JSContext, delay: i32) -> Fallible<Rc<Promise>>;")
    );
    assert!(code.contains(
        "fn IsThing(cx: &mut JSContext, global: &GlobalScope, value: HandleValue<'_>) -> bool;"
    ));
    // The promise-returning operation turns errors into rejections (the `true` flag).
    assert!(code.contains("\"Thing\", \"start\", true"));
    assert!(code.contains("enforce_range: true"));
    assert!(code.contains("exposed: &[\"Window\", \"Worker\"]"));
    assert!(code.contains("secure_context: true"));
    assert!(code.contains("ConstantSpec { name: \"MAX\", value: ConstValue::Int(7) }"));
    assert!(code.contains("parent: Some(PrototypeId::EventTarget)"));
    assert!(code.contains("unsafe impl DerivedFrom<crate::dom::eventtarget::EventTarget> for crate::dom::thing::Thing {}"));
    assert!(code.contains("check_arg_count(args, 1, \"Thing.constructor\")"));
}

#[test]
fn dictionaries_get_structs_with_defaults_required_members_and_parents() {
    let code = generate(&format!(
        "{BASE}
        dictionary BaseInit {{ boolean flag = false; }};
        dictionary ThingInit : BaseInit {{ required DOMString tag; long count; any extra = null; }};"
    ));
    assert!(code.contains("pub struct ThingInit {"));
    assert!(code.contains("pub parent: BaseInit,"));
    assert!(code.contains("pub tag: DOMString,"));
    assert!(code.contains("pub count: Option<i32>,"));
    assert!(code.contains("pub extra: RootedValue,"));
    assert!(code.contains("dict_required(cx, &object, \"tag\", \"ThingInit\""));
    assert!(code.contains("dict_member_or(cx, &object, \"extra\", DefaultJs::Null"));
}

#[test]
fn enums_unions_and_callbacks_get_rust_types() {
    let code = generate(&format!(
        "{BASE}
        enum Mode {{ \"fast\", \"no-cache\", \"\" }};
        callback Done = undefined (DOMString result);
        callback interface Listener {{ undefined handleThing(Event event); }};
        [Exposed=Window] interface User {{ undefined use((Mode or long) choice, Done done, Listener? l); }};"
    ));
    assert!(code.contains("pub enum Mode {\n    Fast,\n    NoCache,\n    Empty,\n}"));
    assert!(code.contains("\"no-cache\" => Ok(Mode::NoCache)"));
    assert!(code.contains("pub enum ModeOrLong {\n    Mode(Mode),\n    Long(i32),\n}"));
    assert!(code.contains("pub struct Done {"));
    assert!(code.contains("pub unsafe fn Call(&self, cx: &mut JSContext, this_arg: HandleValue<'_>, a0: DOMString) -> Result<(), Error>"));
    assert!(code.contains("pub unsafe fn HandleThing("));
    assert!(code.contains("fn Use(&self, cx: &mut JSContext, choice: ModeOrLong, done: Rc<Done>, l: Option<Rc<Listener>>);"));
}

#[test]
fn globals_namespaces_and_special_members() {
    let code = generate(&format!(
        "{BASE}
        [Global=Window, Exposed=Window] interface Window : EventTarget {{
          [LegacyUnforgeable] readonly attribute Window window;
          [Replaceable] readonly attribute Window self;
        }};
        [Exposed=Window] namespace console {{ undefined log(any... data); }};
        [Exposed=Window] interface List {{
          getter DOMString? item(unsigned long index);
          readonly attribute unsigned long length;
          iterable<DOMString>;
          stringifier;
        }};"
    ));
    assert!(code.contains("global_names: &[\"Window\"]"));
    assert!(
        code.contains("fn Self_(&self, cx: &mut JSContext)"),
        "the keyword is escaped"
    );
    assert!(code.contains("replace_with_data_property(cx, args, \"self\")"));
    assert!(code.contains("unforgeable: true"));
    assert!(code.contains("pub trait consoleMethods {"));
    assert!(
        code.contains("fn Log(cx: &mut JSContext, global: &GlobalScope, data: Vec<RootedValue>);")
    );
    assert!(code.contains(
        "fn IndexedGetter(&self, cx: &mut JSContext, index: u32) -> Option<Option<DOMString>>;"
    ));
    assert!(code.contains("iterable: IterableKind::Indexed"));
    assert!(code.contains("fn Stringifier(&self, cx: &mut JSContext) -> DOMString;"));
    assert!(code.contains("stringifier: Some(stringify)"));
}

#[test]
fn overloads_dispatch_on_argument_count() {
    let code = generate(&format!(
        "{BASE}
        [Exposed=Window] interface O {{ undefined f(); [Throws] undefined f(DOMString a, long b); }};"
    ));
    assert!(code.contains("fn F(&self, cx: &mut JSContext);"));
    assert!(
        code.contains("fn F_(&self, cx: &mut JSContext, a: DOMString, b: i32) -> Fallible<()>;")
    );
    assert!(code.contains("if args.argc_ as usize >= 2 {"));
    assert!(code.contains("OperationSpec { name: \"f\", native: op_0, length: 0"));
}

/// postMessage's two overloads both take two arguments: the second one's type decides.
#[test]
fn overloads_of_one_count_dispatch_on_the_distinguishing_argument() {
    let code = generate(&format!(
        "{BASE}
        dictionary Opts {{ sequence<object> transfer = []; }};
        [Exposed=Window] interface P {{
          [Throws] undefined post(any message, sequence<object> transfer);
          [Throws] undefined post(any message, optional Opts options = {{}});
        }};"
    ));
    assert!(code.contains(
        "if args.argc_ as usize >= 2 && (arg(args, 1).get().is_object() && is_iterable(cx, arg(args, 1))?) {"
    ));
    // The sequence branch returns; the options overload is what is left.
    assert!(code.contains("return Ok(());"));
    assert!(code.contains("OperationSpec { name: \"post\", native: op_0, length: 1"));
}

/// `append(name, USVString)` cannot be told by a test, `append(name, Blob)` can: the Blob
/// overload is tried first, whatever the order in the IDL.
#[test]
fn an_overload_with_a_type_test_is_tried_before_one_without() {
    let code = generate(&format!(
        "{BASE}
        [Exposed=Window] interface Blob {{ }};
        [Exposed=Window] interface F {{
          undefined append(USVString name, USVString value);
          undefined append(USVString name, Blob blobValue, optional USVString filename);
        }};"
    ));
    let blob_branch = code
        .find("if args.argc_ as usize >= 2 && is_instance::<")
        .expect("the Blob overload is tested");
    let string_call = code
        .find("this.Append(")
        .expect("the string overload is called");
    assert!(blob_branch < string_call, "the Blob overload comes first");
}

#[test]
fn event_handler_attributes_are_generated_in_full() {
    let code = generate(&format!(
        "{BASE}
        [LegacyTreatNonObjectAsNull] callback EventHandlerNonNull = any (Event event);
        typedef EventHandlerNonNull? EventHandler;
        [Exposed=Window] interface Target : EventTarget {{ attribute EventHandler onping; }};"
    ));
    assert!(!code.contains("fn Onping("), "no trait method for handlers");
    assert!(code.contains("get_event_handler_attribute(cx, this.upcast::<crate::dom::eventtarget::EventTarget>(), \"ping\""));
    assert!(code.contains("set_event_handler_attribute(cx, this.upcast::<crate::dom::eventtarget::EventTarget>(), \"ping\", false"));
}

#[test]
fn a_dictionary_holding_itself_boxes_it_and_an_enum_is_a_union_s_string_type() {
    let code = generate(
        "
        dictionary Condition {
          DOMString pattern;
          sequence<Condition> _or;
          Condition not;
        };
        enum Kind { \"network\", \"fetch-event\" };
        dictionary KindDict { DOMString name; };
        typedef (KindDict or Kind) Source;
        dictionary Rule { required Condition condition; required Source source; };
        ",
    );
    // `not` would make the struct infinitely large unboxed; `_or` is the member `or`.
    assert!(code.contains("pub not: Option<Box<Condition>>,"), "{code}");
    assert!(code.contains("pub or: Option<Vec<Condition>>,"), "{code}");
    assert!(code.contains("dict_member(cx, &object, \"or\""), "{code}");
    // An object is the dictionary; a string converts to the enumeration.
    let union_start = code
        .find("impl FromJs for KindDictOrKind")
        .expect("the union");
    let union = &code[union_start..];
    let object = union.find("return Ok(KindDictOrKind::KindDict(").unwrap();
    let string = union.find("return Ok(KindDictOrKind::Kind(").unwrap();
    assert!(object < string, "{union}");
}

#[test]
fn reflected_attributes_are_implemented_by_the_trait() {
    let code = generate(&format!(
        "{BASE}
        [Exposed=Window] interface Node : EventTarget {{}};
        [Exposed=Window] interface Element : Node {{}};
        [Exposed=Window] interface Widget : Element {{
          [Reflect] attribute DOMString name;
          [Reflect=http-equiv] attribute DOMString httpEquiv;
          [Reflect] attribute boolean noValidate;
          attribute DOMString value;
        }};"
    ));
    let bound = "where Self: Castable + DerivedFrom<crate::dom::element::Element>";
    assert!(code.contains(&format!("fn Name(&self, cx: &mut JSContext) -> DOMString {bound} {{ self.upcast::<crate::dom::element::Element>().get_attribute(\"name\").unwrap_or_default() }}")), "{code}");
    assert!(code.contains("set_attribute(\"http-equiv\", value)"));
    // A boolean reflects presence, under the content attribute's lower-case name.
    assert!(code.contains("has_attribute(\"novalidate\")"));
    assert!(code.contains("remove_attribute(\"novalidate\")"));
    // An attribute without [Reflect] stays for the DOM struct to implement.
    assert!(code.contains("fn Value(&self, cx: &mut JSContext) -> DOMString;"));
}

#[test]
fn an_optional_interface_argument_is_passed_borrowed() {
    let code = generate(&format!(
        "{BASE}
        [Exposed=Window] interface Form {{}};
        [Exposed=Window] interface Data {{ constructor(optional Form form); }};"
    ));
    assert!(
        code.contains("form: Option<&crate::dom::form::Form>"),
        "{code}"
    );
    assert!(code.contains(".as_deref())"), "{code}");
}

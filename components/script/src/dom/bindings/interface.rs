//! Interface objects, prototype objects and the JSClasses of DOM objects.
//!
//! Generated code describes each interface with a static [`InterfaceInfo`]; when a global is
//! created, [`define_interfaces`] builds, in inheritance order, the prototype object and the
//! interface object of every interface exposed in that global, with the property attributes
//! Web IDL prescribes, and caches them in the global.

use std::ffi::{c_void, CString};

use mozjs::context::JSContext;
use mozjs::jsapi::{
    GCContext, GetRealmObjectPrototype, GetWellKnownSymbol, JSClass, JSClassOps, JSObject,
    JSTracer, PropertyKey, SymbolCode, JSCLASS_FOREGROUND_FINALIZE, JSCLASS_GLOBAL_SLOT_COUNT,
    JSCLASS_IS_DOMJSCLASS, JSCLASS_IS_GLOBAL, JSCLASS_RESERVED_SLOTS_MASK,
    JSCLASS_RESERVED_SLOTS_SHIFT, JSFUN_CONSTRUCTOR, JSPROP_ENUMERATE, JSPROP_PERMANENT,
    JSPROP_READONLY,
};
use mozjs::jsid::SymbolId;
use mozjs::jsval::{
    BooleanValue, DoubleValue, Int32Value, ObjectValue, PrivateValue, UndefinedValue,
};
use mozjs::rooted;
use mozjs::rust::wrappers2::{
    JS_DefineProperty, JS_DefineProperty2, JS_DefinePropertyById2, JS_NewFunction,
    JS_NewObjectWithGivenProto, JS_SetPrototype,
};
use mozjs::rust::{get_object_class, HandleObject};

use crate::dom::bindings::conversions::ToJs;
use crate::dom::bindings::global::BindingGlobal;
use crate::dom::bindings::reflector::DomObject;
use crate::dom::bindings::root::DomRoot;
use crate::dom::bindings::utils::DOM_OBJECT_SLOT;

pub type JSNativeFn =
    unsafe extern "C" fn(*mut mozjs::jsapi::JSContext, u32, *mut mozjs::jsval::JSVal) -> bool;
pub type ClassOps = JSClassOps;

/// An interface's id: its index in each global's prototype cache. The generated bindings
/// name one per interface (`PrototypeId::Node`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrototypeId(pub u16);

impl PrototypeId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// The deepest inheritance chain an interface may have.
pub const MAX_CHAIN: usize = 8;

/// The JSClass of a DOM interface's instances, with the interface chain used for `this`
/// checks and downcasts.
#[repr(C)]
pub struct DomClass {
    pub base: JSClass,
    pub chain: [PrototypeId; MAX_CHAIN],
    pub depth: usize,
    /// For interfaces with an indexed getter: how to read `object[i]`.
    pub indexed: Option<&'static IndexedAccess>,
}

// SAFETY: immutable after construction; the raw pointers point at statics.
unsafe impl Sync for DomClass {}

static DOM_CLASS_EXT: mozjs::jsapi::js::ClassExtension = mozjs::jsapi::js::ClassExtension {
    objectMovedOp: Some(dom_object_moved),
};

const fn reserved_slots(count: u32) -> u32 {
    (count & JSCLASS_RESERVED_SLOTS_MASK) << JSCLASS_RESERVED_SLOTS_SHIFT
}

impl DomClass {
    pub const fn new(
        name: &'static std::ffi::CStr,
        ops: &'static ClassOps,
        is_global: bool,
        chain: [PrototypeId; MAX_CHAIN],
        depth: usize,
        indexed: Option<&'static IndexedAccess>,
    ) -> DomClass {
        let flags = if is_global {
            JSCLASS_IS_GLOBAL
                | JSCLASS_IS_DOMJSCLASS
                | JSCLASS_FOREGROUND_FINALIZE
                | reserved_slots(JSCLASS_GLOBAL_SLOT_COUNT + 1)
        } else {
            JSCLASS_IS_DOMJSCLASS | JSCLASS_FOREGROUND_FINALIZE | reserved_slots(1)
        };
        DomClass {
            base: JSClass {
                name: name.as_ptr(),
                flags,
                cOps: ops as *const ClassOps,
                spec: std::ptr::null(),
                ext: &DOM_CLASS_EXT as *const mozjs::jsapi::js::ClassExtension,
                oOps: std::ptr::null(),
            },
            chain,
            depth,
            indexed,
        }
    }

    /// The DomClass of a DOM object.
    ///
    /// # Safety
    /// `object` must be a DOM object (its class has JSCLASS_IS_DOMJSCLASS).
    pub unsafe fn of<'a>(object: *mut JSObject) -> &'a DomClass {
        &*(get_object_class(object) as *const DomClass)
    }

    pub fn implements(&self, id: PrototypeId, depth: usize) -> bool {
        depth <= self.depth && self.chain[depth] == id
    }
}

/// The class of prototype objects: no slots, no hooks.
#[repr(transparent)]
pub struct ProtoClass(pub JSClass);

// SAFETY: immutable, points at statics.
unsafe impl Sync for ProtoClass {}

impl ProtoClass {
    pub const fn new(name: &'static std::ffi::CStr) -> ProtoClass {
        ProtoClass(JSClass {
            name: name.as_ptr(),
            flags: 0,
            cOps: std::ptr::null(),
            spec: std::ptr::null(),
            ext: std::ptr::null(),
            oOps: std::ptr::null(),
        })
    }
}

/// Class hooks of DOM objects; globals also resolve the standard classes lazily.
pub const fn dom_class_ops(
    finalize: unsafe extern "C" fn(*mut GCContext, *mut JSObject),
    trace: unsafe extern "C" fn(*mut JSTracer, *mut JSObject),
    is_global: bool,
    indexed: bool,
) -> ClassOps {
    if is_global {
        JSClassOps {
            addProperty: None,
            delProperty: None,
            enumerate: Some(mozjs::jsapi::JS_EnumerateStandardClasses),
            newEnumerate: None,
            resolve: Some(mozjs::jsapi::JS_ResolveStandardClass),
            mayResolve: Some(mozjs::jsapi::JS_MayResolveStandardClass),
            finalize: Some(finalize),
            call: None,
            construct: None,
            trace: Some(trace),
        }
    } else {
        JSClassOps {
            addProperty: None,
            delProperty: None,
            enumerate: None,
            newEnumerate: None,
            resolve: if indexed { Some(resolve_indexed) } else { None },
            mayResolve: None,
            finalize: Some(finalize),
            call: None,
            construct: None,
            trace: Some(trace),
        }
    }
}

/// Resolve hook of interfaces with an indexed getter: `object[i]` for `i < length` becomes an
/// accessor that reads the live value each time (bgsync has no DOM proxies; an index past a
/// shrunk length reads `undefined`).
unsafe extern "C" fn resolve_indexed(
    raw_cx: *mut mozjs::jsapi::JSContext,
    object: mozjs::jsapi::HandleObject,
    id: mozjs::jsapi::HandleId,
    resolved: *mut bool,
) -> bool {
    *resolved = false;
    let key = id.get();
    if !key.is_int() || key.to_int() < 0 {
        return true;
    }
    let Some(indexed) = DomClass::of(object.get()).indexed else {
        return true;
    };
    let index = key.to_int();
    if index as u32 >= (indexed.length)(object.get()) {
        return true;
    }
    let mut cx = JSContext::from_ptr(std::ptr::NonNull::new_unchecked(raw_cx));
    let name = cname(&index.to_string());
    let getter = mozjs::rust::wrappers2::NewFunctionWithReserved(
        &mut cx,
        Some(indexed_getter),
        0,
        0,
        name.as_ptr(),
    );
    if getter.is_null() {
        return false;
    }
    rooted!(&in(cx) let getter = mozjs::jsapi::JS_GetFunctionObject(getter));
    mozjs::jsapi::js::SetFunctionNativeReserved(getter.get(), 0, &Int32Value(index));
    rooted!(&in(cx) let setter = std::ptr::null_mut::<JSObject>());
    let object = HandleObject::from_raw(object);
    let id = mozjs::rust::HandleId::from_raw(id);
    if !mozjs::rust::wrappers2::JS_DefinePropertyById4(
        &mut cx,
        object,
        id,
        getter.handle(),
        setter.handle(),
        JSPROP_ENUMERATE as u32,
    ) {
        return false;
    }
    *resolved = true;
    true
}

unsafe extern "C" fn indexed_getter(
    raw_cx: *mut mozjs::jsapi::JSContext,
    argc: u32,
    vp: *mut mozjs::jsval::JSVal,
) -> bool {
    let mut cx = JSContext::from_ptr(std::ptr::NonNull::new_unchecked(raw_cx));
    let args = mozjs::jsapi::CallArgs::from_vp(vp, argc);
    let index = (*mozjs::jsapi::js::GetFunctionNativeReserved(args.callee(), 0)).to_int32();
    let this = args.thisv();
    args.rval().set(UndefinedValue());
    if !this.get().is_object() {
        return true;
    }
    let object = this.get().to_object();
    if (*get_object_class(object)).flags & JSCLASS_IS_DOMJSCLASS == 0 {
        return true;
    }
    if let Some(indexed) = DomClass::of(object).indexed {
        let rval = mozjs::rust::MutableHandleValue::from_raw(args.rval());
        (indexed.get)(&mut cx, object, index as u32, rval);
    }
    true
}

unsafe extern "C" fn dom_object_moved(object: *mut JSObject, _old: *mut JSObject) -> usize {
    let mut value = UndefinedValue();
    mozjs::glue::JS_GetReservedSlot(object, DOM_OBJECT_SLOT, &mut value);
    if !value.is_undefined() {
        let reflector = value.to_private() as *const crate::dom::bindings::reflector::Reflector;
        if !reflector.is_null() {
            (*reflector).set(object);
        }
    }
    0
}

pub enum ConstValue {
    Bool(bool),
    Int(i64),
    Float(f64),
}

pub struct ConstantSpec {
    pub name: &'static str,
    pub value: ConstValue,
}

pub struct OperationSpec {
    pub name: &'static str,
    pub native: JSNativeFn,
    pub length: u32,
    pub exposed: &'static [&'static str],
    pub secure_context: bool,
    pub unforgeable: bool,
}

/// A `[LegacyFactoryFunction]`: a constructor of another name whose `prototype` is the
/// interface's prototype object (`Image` for HTMLImageElement).
pub struct LegacyFactorySpec {
    pub name: &'static str,
    pub native: JSNativeFn,
    pub length: u32,
}

pub struct AttributeSpec {
    pub name: &'static str,
    pub getter: JSNativeFn,
    pub setter: Option<JSNativeFn>,
    pub exposed: &'static [&'static str],
    pub secure_context: bool,
    pub unforgeable: bool,
}

pub enum IterableKind {
    None,
    /// `iterable<K, V>`: the native returns an array of `[k, v]` pairs.
    Pairs(JSNativeFn),
    /// `iterable<V>` without an indexed getter: the native returns an array of values.
    Values(JSNativeFn),
    /// `iterable<V>` with an indexed getter: Array.prototype's iterator works on it.
    Indexed,
    /// No `iterable<>`, but an indexed getter: only `@@iterator`, Array.prototype's
    /// (https://webidl.spec.whatwg.org/#define-the-iteration-methods), as `HTMLCollection`
    /// and `DOMStringList` have.
    IndexedIterator,
}

/// The natives behind `async iterable<V>`: `init` (on the object, with `values()`'s
/// arguments) gives the iterator's state; `next(state)` and `ret(state, value)` give promises
/// of `{value, done}` results (https://webidl.spec.whatwg.org/#es-asynchronous-iterator-prototype-object).
pub struct AsyncIterableNatives {
    pub init: JSNativeFn,
    pub next: JSNativeFn,
    pub ret: JSNativeFn,
}

pub struct IndexedAccess {
    pub get:
        unsafe fn(&mut JSContext, *mut JSObject, u32, mozjs::rust::MutableHandleValue<'_>) -> bool,
    pub length: unsafe fn(*mut JSObject) -> u32,
}

pub struct InterfaceInfo {
    pub name: &'static str,
    pub id: PrototypeId,
    pub parent: Option<PrototypeId>,
    pub exposed: &'static [&'static str],
    pub secure_context: bool,
    pub global_names: &'static [&'static str],
    pub legacy_no_interface_object: bool,
    pub constructor: Option<JSNativeFn>,
    pub constructor_length: u32,
    pub legacy_factories: &'static [LegacyFactorySpec],
    pub constants: &'static [ConstantSpec],
    pub attributes: &'static [AttributeSpec],
    pub operations: &'static [OperationSpec],
    pub static_attributes: &'static [AttributeSpec],
    pub static_operations: &'static [OperationSpec],
    pub iterable: IterableKind,
    pub async_iterable: Option<AsyncIterableNatives>,
    pub indexed: Option<&'static IndexedAccess>,
    pub stringifier: Option<JSNativeFn>,
    pub class: &'static DomClass,
    pub proto_class: &'static ProtoClass,
}

pub struct NamespaceInfo {
    pub name: &'static str,
    pub exposed: &'static [&'static str],
    pub secure_context: bool,
    pub operations: &'static [OperationSpec],
}

/// What kind of global is being set up: its Web IDL global names (`Window`;
/// `Worker`, `ServiceWorker`) and whether it is a secure context.
pub struct GlobalKind {
    pub names: &'static [&'static str],
    pub secure: bool,
}

impl GlobalKind {
    /// Whether a definition with these `[Exposed]`/`[SecureContext]` values is visible here.
    /// An empty member exposure inherits the interface's.
    pub fn exposes(&self, exposed: &[&str], secure_context: bool) -> bool {
        (exposed.is_empty() || exposed.iter().any(|e| self.names.contains(e)))
            && (!secure_context || self.secure)
    }
}

fn cname(name: &str) -> CString {
    CString::new(name).unwrap_or_default()
}

/// A function object for a native, named as Web IDL says (`get x` for getters).
unsafe fn new_function(
    cx: &mut JSContext,
    native: JSNativeFn,
    length: u32,
    name: &str,
    flags: u32,
) -> *mut JSObject {
    let name = cname(name);
    let function = JS_NewFunction(cx, Some(native), length, flags, name.as_ptr());
    if function.is_null() {
        return std::ptr::null_mut();
    }
    mozjs::jsapi::JS_GetFunctionObject(function)
}

unsafe fn define_operation(
    cx: &mut JSContext,
    target: HandleObject<'_>,
    op: &OperationSpec,
    attrs: u32,
) -> bool {
    rooted!(&in(cx) let function = new_function(cx, op.native, op.length, op.name, 0));
    if function.get().is_null() {
        return false;
    }
    rooted!(&in(cx) let value = ObjectValue(function.get()));
    let name = cname(op.name);
    JS_DefineProperty(cx, target, name.as_ptr(), value.handle(), attrs)
}

/// The `[LegacyUnforgeable]` members of `info` (an ancestor of `instance`, or itself) on an
/// instance of `instance`. Web IDL copies them from the interface's `[[Unforgeables]]` object,
/// so their functions are made once per global and interface and shared by its instances
/// (making them for each new object was a visible cost of every event).
unsafe fn define_unforgeable_members<G: BindingGlobal>(
    cx: &mut JSContext,
    global: &G,
    target: HandleObject<'_>,
    instance: &InterfaceInfo,
    info: &InterfaceInfo,
) -> bool {
    let kind = global.kind();
    let owner = unforgeable_owner(instance);
    // The function of this global for `key` (of the instance's interface and a spec's
    // address, +1 for a setter).
    let shared =
        |cx: &mut JSContext, key: usize, make: &dyn Fn(&mut JSContext) -> *mut JSObject| {
            let key = key ^ owner;
            let cached = global.cached_function(key);
            if !cached.is_null() {
                return cached;
            }
            let made = make(cx);
            if !made.is_null() {
                global.cache_function(key, made);
            }
            made
        };
    for op in info.operations.iter().filter(|op| op.unforgeable) {
        if !kind.exposes(op.exposed, op.secure_context) {
            continue;
        }
        let key = op as *const OperationSpec as usize;
        rooted!(&in(cx) let function = shared(cx, key, &|cx| new_function(cx, op.native, op.length, op.name, 0)));
        if function.get().is_null() {
            return false;
        }
        rooted!(&in(cx) let value = ObjectValue(function.get()));
        let name = cname(op.name);
        let attrs = JSPROP_ENUMERATE | JSPROP_READONLY | JSPROP_PERMANENT;
        if !JS_DefineProperty(cx, target, name.as_ptr(), value.handle(), attrs as u32) {
            return false;
        }
    }
    for attr in info.attributes.iter().filter(|attr| attr.unforgeable) {
        if !kind.exposes(attr.exposed, attr.secure_context) {
            continue;
        }
        let key = attr as *const AttributeSpec as usize;
        rooted!(&in(cx) let getter = shared(cx, key, &|cx| {
            new_function(cx, attr.getter, 0, &format!("get {}", attr.name), 0)
        }));
        rooted!(&in(cx) let mut setter = std::ptr::null_mut::<JSObject>());
        if let Some(native) = attr.setter {
            setter.set(shared(cx, key + 1, &|cx| {
                new_function(cx, native, 1, &format!("set {}", attr.name), 0)
            }));
        }
        let name = cname(attr.name);
        let attrs = JSPROP_ENUMERATE | JSPROP_PERMANENT;
        if !JS_DefineProperty2(
            cx,
            target,
            name.as_ptr(),
            getter.handle(),
            setter.handle(),
            attrs as u32,
        ) {
            return false;
        }
    }
    true
}

unsafe fn define_attribute(
    cx: &mut JSContext,
    target: HandleObject<'_>,
    attr: &AttributeSpec,
    attrs: u32,
) -> bool {
    rooted!(&in(cx) let getter = new_function(cx, attr.getter, 0, &format!("get {}", attr.name), 0));
    rooted!(&in(cx) let mut setter = std::ptr::null_mut::<JSObject>());
    if let Some(native) = attr.setter {
        setter.set(new_function(
            cx,
            native,
            1,
            &format!("set {}", attr.name),
            0,
        ));
    }
    let name = cname(attr.name);
    JS_DefineProperty2(
        cx,
        target,
        name.as_ptr(),
        getter.handle(),
        setter.handle(),
        attrs,
    )
}

unsafe fn define_constants(
    cx: &mut JSContext,
    target: HandleObject<'_>,
    constants: &[ConstantSpec],
) -> bool {
    for constant in constants {
        rooted!(&in(cx) let mut value = UndefinedValue());
        match constant.value {
            ConstValue::Bool(b) => value.set(BooleanValue(b)),
            ConstValue::Int(i) if i32::try_from(i).is_ok() => value.set(Int32Value(i as i32)),
            ConstValue::Int(i) => value.set(DoubleValue(i as f64)),
            ConstValue::Float(f) => value.set(DoubleValue(f)),
        }
        let name = cname(constant.name);
        if !JS_DefineProperty(
            cx,
            target,
            name.as_ptr(),
            value.handle(),
            (JSPROP_ENUMERATE | JSPROP_READONLY | JSPROP_PERMANENT) as u32,
        ) {
            return false;
        }
    }
    true
}

unsafe fn define_symbol_value(
    cx: &mut JSContext,
    target: HandleObject<'_>,
    code: SymbolCode,
    value: mozjs::rust::HandleValue<'_>,
    attrs: u32,
) -> bool {
    rooted!(&in(cx) let id: PropertyKey = SymbolId(GetWellKnownSymbol(cx.raw_cx(), code)));
    JS_DefinePropertyById2(cx, target, id.handle(), value, attrs)
}

/// Which regular members to define on an object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// Everything: the members of a `[Global]` interface, on the global object.
    All,
    /// All but `[LegacyUnforgeable]` ones: a prototype object.
    Forgeable,
    /// Only `[LegacyUnforgeable]` ones: each instance.
    Unforgeable,
}

impl Members {
    fn includes(self, unforgeable: bool) -> bool {
        match self {
            Members::All => true,
            Members::Forgeable => !unforgeable,
            Members::Unforgeable => unforgeable,
        }
    }
}

/// Defines the members of `info` that live on instances of a global interface (or, for
/// `[LegacyUnforgeable]` members, on every instance) onto `target`.
///
/// # Safety
/// `cx` in `target`'s realm.
pub unsafe fn define_instance_members(
    cx: &mut JSContext,
    target: HandleObject<'_>,
    info: &InterfaceInfo,
    kind: &GlobalKind,
    which: Members,
) -> bool {
    for op in info.operations {
        if !which.includes(op.unforgeable) {
            continue;
        }
        if !kind.exposes(op.exposed, op.secure_context) {
            continue;
        }
        let attrs = if op.unforgeable {
            JSPROP_ENUMERATE | JSPROP_READONLY | JSPROP_PERMANENT
        } else {
            JSPROP_ENUMERATE
        };
        if !define_operation(cx, target, op, attrs as u32) {
            return false;
        }
    }
    for attr in info.attributes {
        if !which.includes(attr.unforgeable) {
            continue;
        }
        if !kind.exposes(attr.exposed, attr.secure_context) {
            continue;
        }
        let attrs = if attr.unforgeable {
            JSPROP_ENUMERATE | JSPROP_PERMANENT
        } else {
            JSPROP_ENUMERATE
        };
        if !define_attribute(cx, target, attr, attrs as u32) {
            return false;
        }
    }
    true
}

// `thisArg = undefined` keeps forEach's `length` at 1, as Web IDL says.
const ITERABLE_HELPER: &str = r#"(function (proto, snapshot, pairs, name) {
  const iter = (list) => list[Symbol.iterator]();
  const methods = pairs ? {
    entries() { return iter(snapshot.call(this)); },
    keys() { return iter(snapshot.call(this).map((p) => p[0])); },
    values() { return iter(snapshot.call(this).map((p) => p[1])); },
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") throw new TypeError(`Failed to execute 'forEach' on '${name}': parameter 1 is not of type 'Function'.`);
      for (const [k, v] of snapshot.call(this)) callback.call(thisArg, v, k, this);
    },
  } : {
    entries() { return iter(snapshot.call(this).map((v, i) => [i, v])); },
    keys() { return iter(snapshot.call(this).map((v, i) => i)); },
    values() { return iter(snapshot.call(this)); },
    forEach(callback, thisArg = undefined) {
      snapshot.call(this).forEach((v, i) => callback.call(thisArg, v, i, this));
    },
  };
  for (const key of Object.keys(methods)) {
    Object.defineProperty(proto, key, { value: methods[key], writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(proto, Symbol.iterator, { value: pairs ? proto.entries : proto.values, writable: true, enumerable: false, configurable: true });
})"#;

/// A constructor's `prototype` property: `proto`, not writable, enumerable or configurable.
///
/// # Safety
/// `cx` is in the constructor's realm.
unsafe fn define_prototype(
    cx: &mut JSContext,
    constructor: HandleObject,
    proto: HandleObject,
) -> bool {
    rooted!(&in(cx) let proto_value = ObjectValue(proto.get()));
    JS_DefineProperty(
        cx,
        constructor,
        c"prototype".as_ptr(),
        proto_value.handle(),
        (JSPROP_READONLY | JSPROP_PERMANENT) as u32,
    )
}

/// Defines a `[LegacyFactoryFunction]` on the global: a constructor whose `prototype` is
/// `proto` (not writable, enumerable or configurable), as an interface object is defined.
///
/// # Safety
/// `cx` is in the global's realm.
unsafe fn define_legacy_factory(
    cx: &mut JSContext,
    global_object: HandleObject,
    proto: HandleObject,
    factory: &LegacyFactorySpec,
) -> bool {
    rooted!(&in(cx) let function = new_function(cx, factory.native, factory.length, factory.name, JSFUN_CONSTRUCTOR));
    if function.get().is_null() {
        return false;
    }
    if !define_prototype(cx, function.handle(), proto) {
        return false;
    }
    rooted!(&in(cx) let value = ObjectValue(function.get()));
    let name = cname(factory.name);
    JS_DefineProperty(cx, global_object, name.as_ptr(), value.handle(), 0)
}

/// Web IDL's asynchronous iterator prototype object and `values()`/`@@asyncIterator`: the
/// iterator keeps its state (from `init`), its ongoing promise and whether it finished;
/// `next()` and `return()` queue behind the ongoing promise, as Web IDL says. Promise
/// reactions use the realm's original `then`, so a page that replaces it does not reach in.
const ASYNC_ITERABLE_HELPER: &str = r#"(function (proto, init, next, ret, name) {
  const then = Promise.prototype.then;
  const resolve = (value) => Promise.resolve(value);
  const states = new WeakMap();
  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  const iteratorProto = Object.create(AsyncIteratorPrototype);
  const done = (value) => ({ value, done: true });
  const check = (iterator, method) => {
    const state = states.get(iterator);
    if (!state) throw new TypeError(`Failed to execute '${method}' on '${name} AsyncIterator': Illegal invocation`);
    return state;
  };
  const methods = {
    next() {
      let state;
      try { state = check(this, "next"); } catch (e) { return Promise.reject(e); }
      const steps = () => {
        if (state.finished) return resolve(done(undefined));
        return then.call(next.call(state.target, state.value), (result) => {
          state.ongoing = null;
          if (result.done) { state.finished = true; return done(undefined); }
          return result;
        }, (error) => { state.ongoing = null; state.finished = true; throw error; });
      };
      state.ongoing = state.ongoing ? then.call(state.ongoing, steps, steps) : steps();
      return state.ongoing;
    },
    return(value) {
      let state;
      try { state = check(this, "return"); } catch (e) { return Promise.reject(e); }
      const steps = () => {
        if (state.finished) return resolve(done(value));
        state.finished = true;
        return then.call(ret.call(state.target, state.value, value), () => done(value));
      };
      const result = state.ongoing ? then.call(state.ongoing, steps, steps) : steps();
      state.ongoing = result;
      return result;
    },
  };
  for (const key of Object.keys(methods)) {
    Object.defineProperty(iteratorProto, key, { value: methods[key], writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(iteratorProto, Symbol.toStringTag, { value: `${name} AsyncIterator`, configurable: true });
  const values = {
    values(options = undefined) {
      const value = init.call(this, options);
      const iterator = Object.create(iteratorProto);
      states.set(iterator, { target: this, value, ongoing: null, finished: false });
      return iterator;
    },
  }.values;
  Object.defineProperty(proto, "values", { value: values, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(proto, Symbol.asyncIterator, { value: values, writable: true, enumerable: false, configurable: true });
})"#;

/// Installs `values`/`@@asyncIterator` on an async iterable's prototype.
unsafe fn define_async_iterable<G: BindingGlobal>(
    cx: &mut JSContext,
    global: &G,
    proto: HandleObject<'_>,
    info: &InterfaceInfo,
) -> bool {
    let Some(natives) = &info.async_iterable else {
        return true;
    };
    rooted!(&in(cx) let init = new_function(cx, natives.init, 0, "values", 0));
    rooted!(&in(cx) let next = new_function(cx, natives.next, 1, "next", 0));
    rooted!(&in(cx) let ret = new_function(cx, natives.ret, 2, "return", 0));
    if init.get().is_null() || next.get().is_null() || ret.get().is_null() {
        return false;
    }
    rooted!(&in(cx) let mut name = UndefinedValue());
    info.name.to_js(cx, name.handle_mut());
    global.evaluate_helper(
        cx,
        ASYNC_ITERABLE_HELPER,
        &[
            &ObjectValue(proto.get()),
            &ObjectValue(init.get()),
            &ObjectValue(next.get()),
            &ObjectValue(ret.get()),
            &name.get(),
        ],
    )
}

/// Installs `entries`/`keys`/`values`/`forEach`/`@@iterator` on an iterable's prototype.
unsafe fn define_iterable<G: BindingGlobal>(
    cx: &mut JSContext,
    global: &G,
    proto: HandleObject<'_>,
    info: &InterfaceInfo,
) -> bool {
    if !define_async_iterable(cx, global, proto, info) {
        return false;
    }
    let (native, pairs) = match info.iterable {
        IterableKind::None => return true,
        IterableKind::Indexed => {
            // Legacy platform objects with an indexed getter use Array.prototype's iterator.
            return global.evaluate_helper(
                cx,
                "(function (proto) { for (const key of ['entries', 'keys', 'values', 'forEach']) Object.defineProperty(proto, key, { value: Array.prototype[key], writable: true, enumerable: true, configurable: true }); Object.defineProperty(proto, Symbol.iterator, { value: Array.prototype.values, writable: true, enumerable: false, configurable: true }); })",
                &[&ObjectValue(proto.get())],
            );
        }
        IterableKind::IndexedIterator => {
            return global.evaluate_helper(
                cx,
                "(function (proto) { Object.defineProperty(proto, Symbol.iterator, { value: Array.prototype.values, writable: true, enumerable: false, configurable: true }); })",
                &[&ObjectValue(proto.get())],
            );
        }
        IterableKind::Pairs(native) => (native, true),
        IterableKind::Values(native) => (native, false),
    };
    rooted!(&in(cx) let snapshot = new_function(cx, native, 0, "snapshot", 0));
    rooted!(&in(cx) let mut name = UndefinedValue());
    info.name.to_js(cx, name.handle_mut());
    global.evaluate_helper(
        cx,
        ITERABLE_HELPER,
        &[
            &ObjectValue(proto.get()),
            &ObjectValue(snapshot.get()),
            &BooleanValue(pairs),
            &name.get(),
        ],
    )
}

/// Creates prototype and interface objects for every interface and namespace exposed in
/// `kind`, caches them in `global` and defines the interface objects on the global object.
///
/// # Safety
/// `cx` in the realm of `global_object`, which is `global`'s reflector.
pub unsafe fn define_interfaces<G: BindingGlobal>(
    cx: &mut JSContext,
    global: &G,
    global_object: HandleObject<'_>,
    kind: &GlobalKind,
) -> bool {
    rooted!(&in(cx) let object_proto = GetRealmObjectPrototype(cx.raw_cx()));
    for info in G::interfaces() {
        if !kind.exposes(info.exposed, info.secure_context) {
            continue;
        }
        rooted!(&in(cx) let mut parent_proto = object_proto.get());
        if info.name == "DOMException" {
            // Web IDL: DOMException.prototype's [[Prototype]] is %Error.prototype%.
            parent_proto.set(mozjs::jsapi::JS::GetRealmErrorPrototype(cx.raw_cx()));
        }
        if let Some(parent) = info.parent {
            parent_proto.set(global.proto(parent));
            if parent_proto.get().is_null() {
                log::error!(target: "bgsync::bindings", "{} is exposed but its parent is not", info.name);
                return false;
            }
        }
        rooted!(&in(cx) let proto = JS_NewObjectWithGivenProto(cx, &info.proto_class.0, parent_proto.handle()));
        if proto.get().is_null() {
            return false;
        }
        // Members of a [Global] interface live on the global object itself.
        let is_global_interface = !info.global_names.is_empty();
        if !is_global_interface
            && !define_instance_members(cx, proto.handle(), info, kind, Members::Forgeable)
        {
            return false;
        }
        // Unforgeable members are on instances instead (see wrap_dom_object).
        if !define_constants(cx, proto.handle(), info.constants) {
            return false;
        }
        rooted!(&in(cx) let mut tag = UndefinedValue());
        info.name.to_js(cx, tag.handle_mut());
        if !define_symbol_value(
            cx,
            proto.handle(),
            SymbolCode::toStringTag,
            tag.handle(),
            JSPROP_READONLY as u32,
        ) {
            return false;
        }
        if let Some(stringifier) = info.stringifier {
            let spec = OperationSpec {
                name: "toString",
                native: stringifier,
                length: 0,
                exposed: &[],
                secure_context: false,
                unforgeable: false,
            };
            if !define_operation(cx, proto.handle(), &spec, JSPROP_ENUMERATE as u32) {
                return false;
            }
        }
        if !define_iterable(cx, global, proto.handle(), info) {
            return false;
        }
        global.set_proto(info.id, proto.get());
        for factory in info.legacy_factories {
            if !define_legacy_factory(cx, global_object, proto.handle(), factory) {
                return false;
            }
        }
        if info.legacy_no_interface_object {
            continue;
        }
        let constructor = info.constructor.unwrap_or(illegal_constructor);
        rooted!(&in(cx) let interface = new_function(cx, constructor, info.constructor_length, info.name, JSFUN_CONSTRUCTOR));
        if interface.get().is_null() {
            return false;
        }
        if let Some(parent) = info.parent {
            rooted!(&in(cx) let parent_interface = global.interface_object(parent));
            if !parent_interface.get().is_null()
                && !JS_SetPrototype(cx, interface.handle(), parent_interface.handle())
            {
                return false;
            }
        }
        if !define_prototype(cx, interface.handle(), proto.handle()) {
            return false;
        }
        rooted!(&in(cx) let interface_value = ObjectValue(interface.get()));
        if !JS_DefineProperty(
            cx,
            proto.handle(),
            c"constructor".as_ptr(),
            interface_value.handle(),
            0,
        ) {
            return false;
        }
        if !define_constants(cx, interface.handle(), info.constants) {
            return false;
        }
        for op in info.static_operations {
            if kind.exposes(op.exposed, op.secure_context)
                && !define_operation(cx, interface.handle(), op, JSPROP_ENUMERATE as u32)
            {
                return false;
            }
        }
        for attr in info.static_attributes {
            if kind.exposes(attr.exposed, attr.secure_context)
                && !define_attribute(cx, interface.handle(), attr, JSPROP_ENUMERATE as u32)
            {
                return false;
            }
        }
        global.set_interface_object(info.id, interface.get());
        let name = cname(info.name);
        if !JS_DefineProperty(
            cx,
            global_object,
            name.as_ptr(),
            interface_value.handle(),
            0,
        ) {
            return false;
        }
    }
    for ns in G::namespaces() {
        if !kind.exposes(ns.exposed, ns.secure_context) {
            continue;
        }
        rooted!(&in(cx) let object = JS_NewObjectWithGivenProto(cx, std::ptr::null(), object_proto.handle()));
        for op in ns.operations {
            if kind.exposes(op.exposed, op.secure_context)
                && !define_operation(cx, object.handle(), op, JSPROP_ENUMERATE as u32)
            {
                return false;
            }
        }
        rooted!(&in(cx) let mut tag = UndefinedValue());
        ns.name.to_js(cx, tag.handle_mut());
        if !define_symbol_value(
            cx,
            object.handle(),
            SymbolCode::toStringTag,
            tag.handle(),
            JSPROP_READONLY as u32,
        ) {
            return false;
        }
        rooted!(&in(cx) let value = ObjectValue(object.get()));
        let name = cname(ns.name);
        if !JS_DefineProperty(cx, global_object, name.as_ptr(), value.handle(), 0) {
            return false;
        }
    }
    true
}

unsafe extern "C" fn illegal_constructor(
    cx: *mut mozjs::jsapi::JSContext,
    _argc: u32,
    _vp: *mut mozjs::jsval::JSVal,
) -> bool {
    let mut cx = JSContext::from_ptr(std::ptr::NonNull::new_unchecked(cx));
    mozjs::error::throw_type_error(&mut cx, c"Illegal constructor");
    false
}

/// Creates the JS object owning `object`, with the interface's prototype from `global`
/// (or `proto`, for JS subclasses), and defines its `[LegacyUnforgeable]` members.
///
/// # Safety
/// `cx` in `global`'s realm; `T` is the struct of `info`'s interface.
pub unsafe fn wrap_dom_object<T: DomObject, G: BindingGlobal>(
    cx: &mut JSContext,
    global: &G,
    proto: Option<HandleObject<'_>>,
    info: &'static InterfaceInfo,
    object: Box<T>,
) -> DomRoot<T> {
    crate::script_runtime::gc_zeal(cx, "wrap");
    rooted!(&in(cx) let mut proto_object = std::ptr::null_mut::<JSObject>());
    match proto {
        Some(p) => proto_object.set(p.get()),
        None => proto_object.set(global.proto(info.id)),
    }
    // The object belongs to the prototype's global: made in its realm whatever realm the
    // caller is in (a page's code may make objects of its frame's, and a frame's of its page's).
    let _realm = (!proto_object.get().is_null())
        .then(|| mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), proto_object.get()));
    rooted!(&in(cx) let js_object = JS_NewObjectWithGivenProto(cx, &info.class.base, proto_object.handle()));
    assert!(
        !js_object.get().is_null(),
        "out of memory creating a {} object",
        info.name
    );
    let raw = Box::into_raw(object);
    mozjs::jsapi::JS_SetReservedSlot(
        js_object.get(),
        DOM_OBJECT_SLOT,
        &PrivateValue(raw as *const c_void),
    );
    (*raw).reflector().set(js_object.get());
    let root = DomRoot::from_ref(&*raw);
    // [LegacyUnforgeable] members of the interface and its ancestors live on the instance:
    // copied from a holder object of the same class (Web IDL's [[Unforgeables]]), defined once
    // per global and interface, which hands the instance the holder's shape in one step.
    if has_unforgeable_chain::<G>(info) {
        let key = info as *const InterfaceInfo as usize ^ unforgeable_owner(info);
        rooted!(&in(cx) let mut holder = global.cached_function(key));
        if holder.get().is_null() {
            holder.set(JS_NewObjectWithGivenProto(
                cx,
                &info.class.base,
                proto_object.handle(),
            ));
            assert!(
                !holder.get().is_null(),
                "out of memory creating a {} holder",
                info.name
            );
            let mut current = Some(info);
            while let Some(interface) = current {
                if has_unforgeable(interface) {
                    define_unforgeable_members(cx, global, holder.handle(), info, interface);
                }
                current = interface.parent.map(G::interface);
            }
            global.cache_function(key, holder.get());
        }
        if !mozjs::rust::wrappers2::JS_InitializePropertiesFromCompatibleNativeObject(
            cx,
            js_object.handle(),
            holder.handle(),
        ) {
            panic!("out of memory giving a {} object its members", info.name);
        }
    }
    root
}

fn has_unforgeable(interface: &InterfaceInfo) -> bool {
    interface.operations.iter().any(|o| o.unforgeable)
        || interface.attributes.iter().any(|a| a.unforgeable)
}

fn has_unforgeable_chain<G: BindingGlobal>(info: &'static InterfaceInfo) -> bool {
    let mut current = Some(info);
    while let Some(interface) = current {
        if has_unforgeable(interface) {
            return true;
        }
        current = interface.parent.map(G::interface);
    }
    false
}

/// The part of a cache key (for the global's function cache) that says which interface's
/// instances it is for.
fn unforgeable_owner(instance: &InterfaceInfo) -> usize {
    (instance as *const InterfaceInfo as usize).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A global object and the interface prototype objects of its interface and those it
/// inherits from are immutable prototype exotic objects
/// (https://webidl.spec.whatwg.org/#interface-prototype-object): `Object.setPrototypeOf` of
/// one of them to another value throws a TypeError. Object.prototype, at the end of the
/// chain, stays as ECMAScript has it.
///
/// # Safety
/// `cx` in `global_object`'s realm.
unsafe fn make_prototypes_immutable(cx: &mut JSContext, global_object: HandleObject<'_>) {
    let object_prototype = mozjs::rust::wrappers2::GetRealmObjectPrototype(cx);
    rooted!(&in(cx) let mut current = global_object.get());
    while !current.get().is_null() && current.get() != object_prototype {
        let mut succeeded = false;
        mozjs::rust::wrappers2::JS_SetImmutablePrototype(cx, current.handle(), &mut succeeded);
        rooted!(&in(cx) let mut next = std::ptr::null_mut::<JSObject>());
        if !mozjs::rust::wrappers2::JS_GetPrototype(cx, current.handle(), next.handle_mut()) {
            return;
        }
        current.set(next.get());
    }
}

/// Creates a global object of `info`'s (a `[Global]` interface's) class owning `object`,
/// enters its new realm, and defines everything exposed in it: the interfaces, and the
/// global interface's own members on the global object itself.
///
/// # Safety
/// `T` must be the struct of `info`'s interface, and its global `G`.
pub unsafe fn create_global<T: DomObject, G: BindingGlobal>(
    cx: &mut JSContext,
    info: &'static InterfaceInfo,
    object: Box<T>,
) -> DomRoot<T> {
    let options = mozjs::rust::RealmOptions::default();
    rooted!(&in(cx) let global_object = mozjs::rust::wrappers2::JS_NewGlobalObject(
        cx,
        &info.class.base,
        std::ptr::null_mut(),
        mozjs::jsapi::OnNewGlobalHookOption::DontFireOnNewGlobalHook,
        &*options,
    ));
    assert!(
        !global_object.get().is_null(),
        "could not create a global object"
    );
    let raw = Box::into_raw(object);
    mozjs::jsapi::JS_SetReservedSlot(
        global_object.get(),
        DOM_OBJECT_SLOT,
        &PrivateValue(raw as *const c_void),
    );
    (*raw).reflector().set(global_object.get());
    let root = DomRoot::from_ref(&*raw);
    let _realm = mozjs::jsapi::JSAutoRealm::new(cx.raw_cx(), global_object.get());
    let global = G::from_object(global_object.get());
    if !mozjs::jsapi::JS::InitRealmStandardClasses(cx.raw_cx()) {
        panic!("could not initialize the standard classes");
    }
    let kind = global.kind();
    if !define_interfaces(cx, global, global_object.handle(), kind) {
        panic!("could not define the interfaces of {}", info.name);
    }
    rooted!(&in(cx) let proto = global.proto(info.id));
    JS_SetPrototype(cx, global_object.handle(), proto.handle());
    make_prototypes_immutable(cx, global_object.handle());
    define_instance_members(cx, global_object.handle(), info, kind, Members::All);
    mozjs::rust::wrappers2::JS_FireOnNewGlobalObject(cx, global_object.handle());
    root
}

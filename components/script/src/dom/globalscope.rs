//! What every global (a Window, later worker globals) has: its realm's prototype and
//! interface object caches, its URL and origin, its event loop, timers and console sink.
//! Not a Web IDL interface: it sits between EventTarget and the concrete global in the
//! struct chain (`Window { globalscope: GlobalScope }`), as in Servo.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mozjs::jsapi::{Heap, JSObject};
use script_derive::Trace;
use url::Url;

use crate::constellation_link::ServiceWorkerObjects;
use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::global::BindingGlobal;
use crate::dom::bindings::interface::{GlobalKind, InterfaceInfo, NamespaceInfo};
use crate::dom::bindings::reflector::DomObject;
use crate::dom::bindings::root::MutNullableDom;
use crate::dom::bindings::utils::unwrap_dom_object;
use crate::dom::broadcastchannel::BroadcastChannels;
use crate::dom::codegen::{
    PrototypeId, ALL_INTERFACES, ALL_NAMESPACES, INTERFACES_BY_ID, PROTOTYPE_COUNT,
};
use crate::dom::eventtarget::EventTarget;
use crate::dom::idbfactory::IDBFactory;
use crate::dom::messageport::MessagePorts;
use crate::dom::performance::Performance;
use crate::dom::worker::DedicatedWorkers;
use crate::event_loop::EventLoop;
use crate::timers::Timers;

/// Where `console.*` output goes: the embedder decides (the shell prints to stdout).
pub trait ConsoleSink {
    fn message(&self, level: ConsoleLevel, text: &str);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleLevel {
    Log,
    Info,
    Warn,
    Error,
    Debug,
}

/// The global of the realm the context is in.
///
/// # Safety
/// The context must be in a DOM global's realm.
pub unsafe fn current_global<'a>(cx: &mozjs::context::JSContext) -> &'a GlobalScope {
    GlobalScope::from_object(mozjs::rust::wrappers2::CurrentGlobalOrNull(cx))
}

/// The global of a DOM object: that of the realm it was created in.
pub trait GlobalOf {
    fn global(&self) -> &GlobalScope;
}

impl<T: DomObject> GlobalOf for T {
    fn global(&self) -> &GlobalScope {
        // SAFETY: a reflector is always created in a realm whose global is a DOM global.
        unsafe { GlobalScope::from_object(self.reflector().get()) }
    }
}

/// What the binding runtime needs of a global, and the generated tables it reads through it.
impl BindingGlobal for GlobalScope {
    unsafe fn from_object<'a>(object: *mut JSObject) -> &'a GlobalScope {
        GlobalScope::from_object(object)
    }
    fn kind(&self) -> &GlobalKind {
        GlobalScope::kind(self)
    }
    fn proto(&self, id: PrototypeId) -> *mut JSObject {
        GlobalScope::proto(self, id)
    }
    fn set_proto(&self, id: PrototypeId, proto: *mut JSObject) {
        GlobalScope::set_proto(self, id, proto)
    }
    fn interface_object(&self, id: PrototypeId) -> *mut JSObject {
        GlobalScope::interface_object(self, id)
    }
    fn set_interface_object(&self, id: PrototypeId, object: *mut JSObject) {
        GlobalScope::set_interface_object(self, id, object)
    }
    fn interfaces() -> &'static [&'static InterfaceInfo] {
        ALL_INTERFACES
    }
    fn namespaces() -> &'static [&'static NamespaceInfo] {
        ALL_NAMESPACES
    }
    fn interface(id: PrototypeId) -> &'static InterfaceInfo {
        INTERFACES_BY_ID[id.index()]
    }
    fn cached_function(&self, key: usize) -> *mut JSObject {
        self.helper(key).unwrap_or(std::ptr::null_mut())
    }
    fn cache_function(&self, key: usize, function: *mut JSObject) {
        self.set_helper(key, function)
    }
    unsafe fn evaluate_helper(
        &self,
        cx: &mut mozjs::context::JSContext,
        source: &'static str,
        args: &[&mozjs::jsval::JSVal],
    ) -> bool {
        crate::script_runtime::evaluate_helper(cx, self, source, args)
    }
    unsafe fn new_dom_exception(
        &self,
        cx: &mut mozjs::context::JSContext,
        name: DOMErrorName,
        message: String,
    ) -> *mut JSObject {
        crate::dom::domexception::DOMException::new(cx, self, name, message)
            .reflector()
            .get()
    }
}

/// A compiled helper function, keyed by its source's address.
type Helper = (usize, Box<Heap<*mut JSObject>>);

#[derive(Trace)]
#[repr(C)]
pub struct GlobalScope {
    eventtarget: EventTarget,
    protos: Box<[Heap<*mut JSObject>]>,
    interfaces: Box<[Heap<*mut JSObject>]>,
    #[no_trace]
    kind: GlobalKind,
    /// Its creation URL; a window's changes with its document's (`history.pushState()`).
    #[no_trace]
    url: RefCell<Url>,
    #[no_trace]
    event_loop: Rc<EventLoop>,
    #[no_trace]
    console: Rc<dyn ConsoleSink>,
    #[no_trace]
    console_state: crate::dom::console::ConsoleState,
    timers: Timers,
    time_origin: Instant,
    time_origin_epoch_ms: f64,
    /// Helper functions compiled from JS source once per global (see
    /// `script_runtime::evaluate_helper`), keyed by the source's address.
    helpers: RefCell<Vec<Helper>>,
    closed: Cell<bool>,
    performance: MutNullableDom<Performance>,
    indexeddb: MutNullableDom<IDBFactory>,
    caches: MutNullableDom<crate::dom::cachestorage::CacheStorage>,
    service_worker_objects: RefCell<ServiceWorkerObjects>,
    /// What the engine's network observer last said (`navigator.onLine`).
    online: Cell<bool>,
    /// Said after each uncaught error this global reports, so a reader of
    /// stderr knows whose it is (a service worker's scope); `None` for pages.
    error_context: RefCell<Option<String>>,
    /// The dedicated workers this global started (`new Worker()`).
    dedicated_workers: DedicatedWorkers,
    /// Its MessagePorts that are routed (see `dom/messageport.rs`).
    message_ports: MessagePorts,
    /// Its open BroadcastChannels (see `dom/broadcastchannel.rs`).
    broadcast_channels: BroadcastChannels,
    /// How its dedicated workers connect to the engine (a connected page's, and its workers').
    #[no_trace]
    worker_connector: RefCell<Option<crate::page::ClientConnector>>,
    /// The blob URLs it made, revoked when it ends.
    #[no_trace]
    blob_urls: RefCell<Vec<String>>,
    /// `js.max_dedicated_workers` (the page's prefs).
    max_dedicated_workers: Cell<u64>,
    /// The origin of an `about:blank` or `about:srcdoc` frame: its parent's.
    #[no_trace]
    inherited_origin: RefCell<Option<url::Origin>>,
    /// The base URL of an `about:blank` or `about:srcdoc` frame: its parent's
    /// (https://html.spec.whatwg.org/multipage/urls-and-fetching.html#fallback-base-url).
    #[no_trace]
    inherited_base_url: RefCell<Option<Url>>,
    /// Its referrer policy (https://w3c.github.io/webappsec-referrer-policy/): a document's
    /// from its response's `Referrer-Policy` header or a `<meta name="referrer">`, an
    /// `about:blank`/`about:srcdoc` frame's its parent's; `""` for none (the default policy).
    #[no_trace]
    referrer_policy: Cell<&'static str>,
    /// Its module scripts' modules (kept until it ends).
    #[no_trace]
    module_map: crate::modules::ModuleMap,
}

impl GlobalScope {
    pub fn new_inherited(
        kind: GlobalKind,
        url: Url,
        event_loop: Rc<EventLoop>,
        console: Rc<dyn ConsoleSink>,
    ) -> GlobalScope {
        let empty = || {
            (0..PROTOTYPE_COUNT)
                .map(|_| Heap::default())
                .collect::<Vec<_>>()
                .into_boxed_slice()
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        GlobalScope {
            eventtarget: EventTarget::new_inherited(),
            protos: empty(),
            interfaces: empty(),
            kind,
            url: RefCell::new(url),
            event_loop,
            console,
            console_state: Default::default(),
            timers: Timers::default(),
            time_origin: Instant::now(),
            time_origin_epoch_ms: now,
            helpers: RefCell::new(Vec::new()),
            closed: Cell::new(false),
            performance: MutNullableDom::default(),
            indexeddb: MutNullableDom::default(),
            caches: MutNullableDom::default(),
            service_worker_objects: RefCell::new(ServiceWorkerObjects::default()),
            online: Cell::new(true),
            error_context: RefCell::new(None),
            dedicated_workers: DedicatedWorkers::default(),
            message_ports: MessagePorts::default(),
            broadcast_channels: BroadcastChannels::default(),
            worker_connector: RefCell::new(None),
            blob_urls: RefCell::new(Vec::new()),
            max_dedicated_workers: Cell::new(512),
            inherited_origin: RefCell::new(None),
            inherited_base_url: RefCell::new(None),
            referrer_policy: Cell::new(""),
            module_map: Default::default(),
        }
    }

    pub fn set_max_dedicated_workers(&self, max: u64) {
        self.max_dedicated_workers.set(max);
    }

    /// How many dedicated workers may run at once in the process (`js.max_dedicated_workers`).
    pub fn max_dedicated_workers(&self) -> u64 {
        self.max_dedicated_workers.get()
    }

    /// Keeps `url` (a blob URL this global made) to revoke when it ends.
    pub fn keep_blob_url(&self, url: String) {
        self.blob_urls.borrow_mut().push(url);
    }

    /// The global ends: its dedicated workers are ended (and joined), its routed
    /// MessagePorts closed and its blob URLs revoked. Every global's thread calls it last.
    pub fn end(&self) {
        self.module_map.clear();
        self.dedicated_workers.end_all();
        self.message_ports.end_all();
        self.broadcast_channels.end_all();
        for url in self.blob_urls.borrow_mut().drain(..) {
            crate::blob_urls::revoke(&url);
        }
    }

    pub fn module_map(&self) -> &crate::modules::ModuleMap {
        &self.module_map
    }

    pub fn set_worker_connector(&self, connector: Option<crate::page::ClientConnector>) {
        *self.worker_connector.borrow_mut() = connector;
    }

    pub fn worker_connector(&self) -> Option<crate::page::ClientConnector> {
        self.worker_connector.borrow().clone()
    }

    /// Its open BroadcastChannels.
    pub fn broadcast_channels(&self) -> &BroadcastChannels {
        &self.broadcast_channels
    }

    /// Its routed MessagePorts. A global that ends must call [`MessagePorts::end_all`].
    pub fn message_ports(&self) -> &MessagePorts {
        &self.message_ports
    }

    /// The dedicated workers this global started. A global that ends must call
    /// [`DedicatedWorkers::end_all`].
    pub fn dedicated_workers(&self) -> &DedicatedWorkers {
        &self.dedicated_workers
    }

    /// Names this global in its uncaught-error lines (see
    /// `script_runtime::report_uncaught`).
    pub fn set_error_context(&self, context: String) {
        *self.error_context.borrow_mut() = Some(context);
    }

    pub fn error_context(&self) -> Option<String> {
        self.error_context.borrow().clone()
    }

    /// The GlobalScope of the global `object` belongs to.
    ///
    /// # Safety
    /// `object` must be a live object whose global is a DOM global.
    pub unsafe fn from_object<'a>(object: *mut JSObject) -> &'a GlobalScope {
        let global = mozjs::jsapi::GetNonCCWObjectGlobal(object);
        &*unwrap_dom_object::<GlobalScope>(global)
    }

    pub fn proto(&self, id: PrototypeId) -> *mut JSObject {
        self.protos[id.index()].get()
    }

    pub fn set_proto(&self, id: PrototypeId, proto: *mut JSObject) {
        self.protos[id.index()].set(proto)
    }

    pub fn interface_object(&self, id: PrototypeId) -> *mut JSObject {
        self.interfaces[id.index()].get()
    }

    pub fn set_interface_object(&self, id: PrototypeId, object: *mut JSObject) {
        self.interfaces[id.index()].set(object)
    }

    pub fn kind(&self) -> &GlobalKind {
        &self.kind
    }

    pub fn is_secure_context(&self) -> bool {
        self.kind.secure
    }

    pub fn url(&self) -> std::cell::Ref<'_, Url> {
        self.url.borrow()
    }

    /// A window's document changed its URL (same-document navigation).
    pub fn set_url(&self, url: Url) {
        *self.url.borrow_mut() = url;
    }

    pub fn origin(&self) -> url::Origin {
        match &*self.inherited_origin.borrow() {
            Some(origin) => origin.clone(),
            None => self.url.borrow().origin(),
        }
    }

    /// Its referrer policy; `""` when it has none (requests then use the default policy).
    pub fn referrer_policy(&self) -> &'static str {
        self.referrer_policy.get()
    }

    /// The policy its requests use when they name none: its own, else the default.
    pub fn referrer_policy_or_default(&self) -> &'static str {
        match self.referrer_policy.get() {
            "" => base::referrer::DEFAULT_POLICY,
            policy => policy,
        }
    }

    /// Sets its referrer policy (a policy's name, from `base::referrer`); `None` leaves it.
    pub fn set_referrer_policy(&self, policy: Option<&'static str>) {
        if let Some(policy) = policy {
            self.referrer_policy.set(policy);
        }
    }

    /// Gives this global (an `about:blank` or `about:srcdoc` frame) its parent's origin, and
    /// its parent's base URL to resolve URLs against.
    /// An `about:blank` window got a document of its own (the same origin's): its origin and
    /// base URL are its URL's again.
    pub fn forget_inherited_origin(&self) {
        *self.inherited_origin.borrow_mut() = None;
        *self.inherited_base_url.borrow_mut() = None;
    }

    pub fn inherit_origin(&self, origin: url::Origin, base_url: Url) {
        *self.inherited_origin.borrow_mut() = Some(origin);
        *self.inherited_base_url.borrow_mut() = Some(base_url);
    }

    /// The URL its requests' referrer comes from (https://w3c.github.io/webappsec-referrer-policy/#determine-requests-referrer,
    /// step 3): its own, or for an `about:srcdoc` frame its parent's (the base URL it inherited).
    pub fn referrer_source(&self) -> Url {
        if self.url().as_str() == "about:srcdoc" {
            return self.base_url();
        }
        self.url().clone()
    }

    /// The URL that relative URLs its scripts give resolve against: its own, or an
    /// `about:blank`/`about:srcdoc` frame's parent's.
    pub fn base_url(&self) -> Url {
        match &*self.inherited_base_url.borrow() {
            Some(base) => base.clone(),
            None => self.url().clone(),
        }
    }

    /// Where its console messages go, for a global made from this one (a frame).
    pub fn console_sink(&self) -> Rc<dyn ConsoleSink> {
        self.console.clone()
    }

    pub fn event_loop(&self) -> &Rc<EventLoop> {
        &self.event_loop
    }

    pub fn console(&self) -> &dyn ConsoleSink {
        &*self.console
    }

    /// The console's groups, counters and timers.
    pub fn console_state(&self) -> &crate::dom::console::ConsoleState {
        &self.console_state
    }

    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// Milliseconds since the time origin (`performance.now()`).
    pub fn now_ms(&self) -> f64 {
        self.time_origin.elapsed().as_secs_f64() * 1000.0
    }

    pub fn time_origin_epoch_ms(&self) -> f64 {
        self.time_origin_epoch_ms
    }

    pub fn helper(&self, key: usize) -> Option<*mut JSObject> {
        self.helpers
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, h)| h.get())
    }

    pub fn set_helper(&self, key: usize, function: *mut JSObject) {
        self.helpers.borrow_mut().push((key, Heap::boxed(function)));
    }

    /// The global's `performance` object, created on first use.
    pub fn performance_cache(&self) -> &MutNullableDom<Performance> {
        &self.performance
    }

    /// `indexedDB`, made on first use.
    pub fn indexeddb_cache(&self) -> &MutNullableDom<IDBFactory> {
        &self.indexeddb
    }

    /// `caches`, made on first use.
    pub fn cache_storage_cache(&self) -> &MutNullableDom<crate::dom::cachestorage::CacheStorage> {
        &self.caches
    }

    /// The global's IndexedDB state, if script has used `indexedDB`.
    pub fn indexeddb_factory(&self) -> Option<crate::dom::bindings::root::DomRoot<IDBFactory>> {
        self.indexeddb.get()
    }

    /// The service-worker objects and constellation link (see `constellation_link`).
    pub fn service_worker_objects(&self) -> &RefCell<ServiceWorkerObjects> {
        &self.service_worker_objects
    }

    /// `navigator.onLine`.
    pub fn is_online(&self) -> bool {
        self.online.get()
    }

    /// The network went online or offline: `navigator.onLine` follows, and `online` /
    /// `offline` fires at the global
    /// (https://html.spec.whatwg.org/multipage/system-state.html#event-online).
    ///
    /// # Safety
    /// `cx` in this global's realm.
    pub unsafe fn set_online(&self, cx: &mut mozjs::context::JSContext, online: bool) {
        if self.online.replace(online) == online {
            return;
        }
        let event = if online { "online" } else { "offline" };
        self.eventtarget.fire_event(cx, event);
    }

    /// The initial network state, before any script runs (no event).
    pub fn init_online(&self, online: bool) {
        self.online.set(online);
    }

    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub fn close(&self) {
        self.closed.set(true)
    }

    /// The global object.
    pub fn reflector(&self) -> &crate::dom::bindings::reflector::Reflector {
        use crate::dom::bindings::reflector::DomObject;
        self.eventtarget.reflector()
    }

    pub fn upcast_event_target(&self) -> &EventTarget {
        &self.eventtarget
    }
}

/// The members of the WindowOrWorkerGlobalScope mixin, shared by every global.
impl GlobalScope {
    /// <https://html.spec.whatwg.org/multipage/webappapis.html#dom-btoa>
    pub fn btoa(&self, data: &str) -> Result<String, crate::dom::bindings::error::Error> {
        use base64::Engine;
        let mut bytes = Vec::with_capacity(data.len());
        for ch in data.chars() {
            let code = ch as u32;
            if code > 0xFF {
                return Err(crate::dom::bindings::error::Error::invalid_character(
                    "The string to be encoded contains characters outside of the Latin1 range.",
                ));
            }
            bytes.push(code as u8);
        }
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// <https://html.spec.whatwg.org/multipage/webappapis.html#dom-atob>
    pub fn atob(&self, data: &str) -> Result<String, crate::dom::bindings::error::Error> {
        use base64::Engine;
        // Forgiving-base64 decode: drop ASCII whitespace, accept missing padding.
        let mut cleaned: String = data
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' '))
            .collect();
        if cleaned.len().is_multiple_of(4) && cleaned.ends_with("==") {
            cleaned.truncate(cleaned.len() - 2);
        } else if cleaned.len().is_multiple_of(4) && cleaned.ends_with('=') {
            cleaned.truncate(cleaned.len() - 1);
        }
        let invalid = || {
            crate::dom::bindings::error::Error::invalid_character(
                "The string to be decoded is not correctly encoded.",
            )
        };
        if cleaned.len() % 4 == 1
            || !cleaned
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
        {
            return Err(invalid());
        }
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
                .with_decode_allow_trailing_bits(true),
        );
        let bytes = engine.decode(cleaned.as_bytes()).map_err(|_| invalid())?;
        Ok(bytes.into_iter().map(char::from).collect())
    }
}

/// The members of the WindowOrWorkerGlobalScope mixin, implemented once for every global's
/// `XMethods` impl (Window, WorkerGlobalScope): invoke inside the impl block of a type with a
/// `global_scope()` method.
#[macro_export]
macro_rules! window_or_worker_global_scope_methods {
    () => {
        /// <https://fetch.spec.whatwg.org/#dom-global-fetch>
        fn Fetch(
            &self,
            cx: &mut JSContext,
            input: RequestOrUSVString,
            init: &RequestInit,
        ) -> Fallible<Rc<Promise>> {
            $crate::fetch::fetch(cx, self.global_scope(), input, init)
        }
        fn Origin(&self, _cx: &mut JSContext) -> DOMString {
            self.global_scope().origin().ascii_serialization()
        }
        fn IsSecureContext(&self, _cx: &mut JSContext) -> bool {
            self.global_scope().is_secure_context()
        }
        /// <https://html.spec.whatwg.org/multipage/webappapis.html#dom-reporterror>
        fn ReportError(&self, cx: &mut JSContext, e: HandleValue<'_>) {
            // SAFETY: called from a binding native in this realm.
            unsafe {
                $crate::script_runtime::report_exception_value(cx, self.global_scope(), e.get())
            };
        }
        fn Btoa(&self, _cx: &mut JSContext, data: DOMString) -> Fallible<DOMString> {
            self.global_scope().btoa(&data)
        }
        fn Atob(&self, _cx: &mut JSContext, data: DOMString) -> Fallible<DOMString> {
            self.global_scope().atob(&data)
        }
        /// <https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#dom-settimeout>
        fn SetTimeout(
            &self,
            _cx: &mut JSContext,
            handler: StringOrFunction,
            timeout: i32,
            arguments: Vec<RootedValue>,
        ) -> i32 {
            self.global_scope().timers().schedule(
                $crate::dom::window::timer_handler(handler),
                timeout,
                arguments,
                false,
            )
        }
        fn ClearTimeout(&self, _cx: &mut JSContext, id: i32) {
            self.global_scope().timers().clear(id);
        }
        fn SetInterval(
            &self,
            _cx: &mut JSContext,
            handler: StringOrFunction,
            timeout: i32,
            arguments: Vec<RootedValue>,
        ) -> i32 {
            self.global_scope().timers().schedule(
                $crate::dom::window::timer_handler(handler),
                timeout,
                arguments,
                true,
            )
        }
        fn ClearInterval(&self, _cx: &mut JSContext, id: i32) {
            self.global_scope().timers().clear(id);
        }
        /// <https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#dom-queuemicrotask>
        fn QueueMicrotask(&self, cx: &mut JSContext, callback: Rc<VoidFunction>) -> Fallible<()> {
            // SAFETY: called from a binding native in this realm.
            unsafe {
                $crate::script_runtime::queue_microtask(cx, self.global_scope(), &callback.callback)
            }
        }
        /// <https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone>
        fn StructuredClone(
            &self,
            cx: &mut JSContext,
            value: HandleValue<'_>,
            options: &StructuredSerializeOptions,
        ) -> Fallible<JSVal> {
            if options.transfer.is_empty() {
                // SAFETY: called from a binding native in this realm.
                return unsafe {
                    $crate::dom::bindings::structuredclone::structured_clone(cx, value)
                };
            }
            // SAFETY: as above.
            unsafe {
                $crate::dom::postmessage::structured_clone_with_transfer(
                    cx,
                    value,
                    &options.transfer,
                )
            }
        }
        /// <https://w3c.github.io/IndexedDB/#dom-windoworworkerglobalscope-indexeddb>
        fn IndexedDB(&self, cx: &mut JSContext) -> DomRoot<$crate::dom::idbfactory::IDBFactory> {
            let global = self.global_scope();
            global
                .indexeddb_cache()
                .or_init(|| $crate::dom::idbfactory::IDBFactory::new(cx, global))
        }
        /// <https://w3c.github.io/ServiceWorker/#global-caches>
        fn Caches(&self, cx: &mut JSContext) -> DomRoot<$crate::dom::cachestorage::CacheStorage> {
            let global = self.global_scope();
            global
                .cache_storage_cache()
                .or_init(|| $crate::dom::cachestorage::CacheStorage::new(cx, global))
        }
        /// <https://w3c.github.io/hr-time/#the-performance-attribute>
        fn Performance(
            &self,
            cx: &mut JSContext,
        ) -> DomRoot<$crate::dom::performance::Performance> {
            let global = self.global_scope();
            global
                .performance_cache()
                .or_init(|| $crate::dom::performance::Performance::new(cx, global))
        }
    };
}

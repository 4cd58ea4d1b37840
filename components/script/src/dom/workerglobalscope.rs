//! WorkerGlobalScope (https://html.spec.whatwg.org/#the-workerglobalscope-common-interface):
//! what every worker global has on top of GlobalScope, including `importScripts()`.

use std::cell::RefCell;
use std::collections::HashMap;

use script_traits::ImportedScript;
use url::Url;

use crate::dom::domexception::DOMErrorName;
use crate::dom::prelude::*;
use crate::dom::workerlocation::WorkerLocation;
use crate::dom::workernavigator::WorkerNavigator;

/// Where `importScripts()` gets its scripts in a service worker
/// (https://w3c.github.io/ServiceWorker/#importscripts): the worker's stored script map, and
/// the network only while a new worker's script is first evaluated.
pub struct ScriptImporter {
    /// Scripts stored with the worker, by URL.
    pub stored: HashMap<Url, Vec<u8>>,
    /// Whether new URLs may be fetched now (a first run's top-level evaluation).
    pub may_fetch: bool,
    /// What was fetched, in order, to be stored with the worker.
    pub fetched: Vec<ImportedScript>,
    /// Whether fetched scripts are kept in `fetched` (a service worker stores them; a
    /// dedicated worker fetches each import anew).
    pub keep_fetched: bool,
    /// How a fetched import uses the HTTP cache: `NoCache` (revalidated) when the service
    /// worker's registration's `updateViaCache` is `"none"`.
    pub cache: net::CacheMode,
}

impl Default for ScriptImporter {
    fn default() -> ScriptImporter {
        ScriptImporter {
            stored: HashMap::new(),
            may_fetch: false,
            fetched: Vec::new(),
            keep_fetched: true,
            cache: net::CacheMode::Default,
        }
    }
}

impl ScriptImporter {
    /// The source of `url` if the worker has it already: stored with it, or fetched during
    /// this first run.
    pub fn known(&self, url: &Url) -> Option<Vec<u8>> {
        self.stored.get(url).cloned().or_else(|| {
            self.fetched
                .iter()
                .find(|script| script.url == *url)
                .map(|script| script.source.clone())
        })
    }

    /// A dedicated worker's: every import comes from the network, and none is kept.
    pub fn network() -> ScriptImporter {
        ScriptImporter {
            may_fetch: true,
            keep_fetched: false,
            ..ScriptImporter::default()
        }
    }
}

#[derive(Trace)]
#[repr(C)]
pub struct WorkerGlobalScope {
    globalscope: GlobalScope,
    #[no_trace]
    importer: RefCell<ScriptImporter>,
    location: MutNullableDom<WorkerLocation>,
    navigator: MutNullableDom<WorkerNavigator>,
    /// Its script is a module (`new Worker(url, {type: "module"})`): no `importScripts()`.
    module: std::cell::Cell<bool>,
}

impl WorkerGlobalScope {
    pub fn new_inherited(globalscope: GlobalScope) -> WorkerGlobalScope {
        WorkerGlobalScope {
            globalscope,
            importer: RefCell::new(ScriptImporter::default()),
            location: MutNullableDom::default(),
            navigator: MutNullableDom::default(),
            module: std::cell::Cell::new(false),
        }
    }

    /// Its script is a module script.
    pub fn set_module(&self) {
        self.module.set(true);
    }

    pub fn global_scope(&self) -> &GlobalScope {
        &self.globalscope
    }

    pub fn importer(&self) -> &RefCell<ScriptImporter> {
        &self.importer
    }

    /// The source of an imported script: stored, or fetched if still allowed.
    fn import_source(&self, url: &Url) -> Fallible<Vec<u8>> {
        let network_error = |why: String| {
            Error::dom(
                DOMErrorName::NetworkError,
                format!("Failed to execute 'importScripts' on 'WorkerGlobalScope': The script at '{url}' failed to load: {why}"),
            )
        };
        if let Some(source) = self.importer.borrow().known(url) {
            return Ok(source);
        }
        if !self.importer.borrow().may_fetch {
            return Err(network_error(
                "a service worker can import new scripts only while its script is first \
                 evaluated"
                    .into(),
            ));
        }
        if url.scheme() == "blob" {
            return crate::blob_urls::resolve(url)
                .map(|entry| entry.bytes.to_vec())
                .ok_or_else(|| network_error("no such blob URL".into()));
        }
        let options = net::RequestOptions {
            cache: self.importer.borrow().cache,
            ..net::RequestOptions::partitioned(&self.globalscope.origin())
        };
        let resource = self
            .globalscope
            .event_loop()
            .loader()
            .load_with(url, &options)
            .map_err(|e| network_error(e.to_string()))?;
        if !(200..300).contains(&resource.status) {
            return Err(network_error(format!("HTTP {}", resource.status)));
        }
        let mime = resource.content_type.clone().unwrap_or_default();
        if matches!(url.scheme(), "http" | "https") && !base::mime::is_javascript_mime_type(&mime) {
            return Err(network_error(format!("unsupported MIME type ('{mime}')")));
        }
        let mut importer = self.importer.borrow_mut();
        if importer.keep_fetched {
            importer.fetched.push(ImportedScript {
                url: url.clone(),
                source: resource.body.clone(),
            });
        }
        Ok(resource.body)
    }
}

impl WorkerGlobalScopeMethods for WorkerGlobalScope {
    fn Self_(&self, _cx: &mut JSContext) -> DomRoot<WorkerGlobalScope> {
        DomRoot::from_ref(self)
    }

    fn Location(&self, cx: &mut JSContext) -> DomRoot<WorkerLocation> {
        self.location
            .or_init(|| WorkerLocation::new(cx, &self.globalscope))
    }

    fn Navigator(&self, cx: &mut JSContext) -> DomRoot<WorkerNavigator> {
        self.navigator
            .or_init(|| WorkerNavigator::new(cx, &self.globalscope))
    }

    /// <https://html.spec.whatwg.org/multipage/workers.html#dom-workerglobalscope-importscripts>
    fn ImportScripts(&self, cx: &mut JSContext, urls: Vec<DOMString>) -> Fallible<()> {
        if self.module.get() {
            return Err(Error::Type(
                "Failed to execute 'importScripts' on 'WorkerGlobalScope': Module scripts \
                 don't support importScripts()."
                    .into(),
            ));
        }
        // Parse every URL first: one bad URL imports nothing (SyntaxError).
        let mut parsed = Vec::with_capacity(urls.len());
        for url in &urls {
            parsed.push(self.globalscope.url().join(url).map_err(|_| {
                Error::syntax(format!(
                    "Failed to execute 'importScripts' on 'WorkerGlobalScope': The URL '{url}' \
                     is invalid."
                ))
            })?);
        }
        for url in parsed {
            let source = self.import_source(&url)?;
            let source = String::from_utf8_lossy(&source);
            // SAFETY: bindings call in the global's realm.
            let ok = unsafe {
                crate::script_runtime::evaluate_propagating(
                    cx,
                    &self.globalscope,
                    &source,
                    url.as_str(),
                )
            };
            if !ok {
                return Err(Error::JSFailed);
            }
        }
        Ok(())
    }

    crate::window_or_worker_global_scope_methods!();
}

//! Running a service worker's script on its own thread and runtime until its event loop is
//! idle: the worker side of the service-worker issue (events, messaging and the registry
//! connection come with it).

use std::rc::Rc;
use std::time::{Duration, Instant};

use base::prefs::Prefs;
use url::Url;

use crate::dom::bindings::reflector::DomObject;
use crate::dom::globalscope::ConsoleSink;
use crate::dom::serviceworkerglobalscope::ServiceWorkerGlobalScope;
use crate::event_loop::EventLoop;
use crate::page::{run_on_script_thread, CallbackSink, ConsoleCallback, PageOutcome};

pub struct WorkerOptions {
    /// The worker script's URL (its global's URL).
    pub url: Url,
    pub timeout: Option<Duration>,
    pub prefs: Prefs,
    pub console: ConsoleCallback,
}

/// Loads and runs a service worker script, returning how its event loop ended. A script that
/// cannot be fetched, is not served as JavaScript (over http), or does not parse is a
/// `LoadFailed`; an exception thrown at the top level is reported and the loop still runs
/// (the registration job decides what it means).
pub fn run_service_worker(options: WorkerOptions) -> PageOutcome {
    run_on_script_thread(options.timeout, move |cx, deadline| {
        run_here(cx, options, deadline)
    })
}

fn fetch_script(loader: &net::Loader, url: &Url) -> Result<(Url, String), String> {
    let resource = loader.load(url).map_err(|e| format!("{url}: {e}"))?;
    if resource.status >= 400 {
        return Err(format!(
            "{url}: HTTP {} {}",
            resource.status, resource.status_text
        ));
    }
    let is_http = matches!(url.scheme(), "http" | "https");
    let mime = resource.content_type.clone().unwrap_or_default();
    if is_http && !base::mime::is_javascript_mime_type(&mime) {
        return Err(format!(
            "{url}: the script has an unsupported MIME type ('{mime}')"
        ));
    }
    Ok((
        resource.url,
        String::from_utf8_lossy(&resource.body).into_owned(),
    ))
}

fn run_here(
    cx: &mut mozjs::context::JSContext,
    options: WorkerOptions,
    deadline: Option<Instant>,
) -> PageOutcome {
    let loader = net::Loader::new(net::LoaderConfig::from_prefs(&options.prefs));
    let (url, source) = match fetch_script(&loader, &options.url) {
        Ok(script) => script,
        Err(reason) => return PageOutcome::LoadFailed(reason),
    };
    let event_loop = Rc::new(EventLoop::new(loader));
    let sink: Rc<dyn ConsoleSink> = Rc::new(CallbackSink(options.console.clone()));
    let global = ServiceWorkerGlobalScope::create(cx, url.clone(), event_loop.clone(), sink);
    // SAFETY: the raw context is only used to enter the realm.
    let _realm = mozjs::jsapi::JSAutoRealm::new(unsafe { cx.raw_cx() }, global.reflector().get());
    let scope = global.global_scope();
    // SAFETY: in the worker's realm.
    let outcome = unsafe {
        crate::script_runtime::run_classic_script(cx, scope, &source, url.as_str(), 1);
        event_loop.run_until_idle(cx, scope, deadline)
    };
    outcome.into()
}

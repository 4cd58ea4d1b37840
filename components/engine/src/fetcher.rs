//! The registry's [`ScriptFetcher`] over the `net` loader.
//!
//! <https://w3c.github.io/ServiceWorker/#update-algorithm>, "fetch a
//! classic worker script": the request carries `Service-Worker: script`,
//! and redirects are not followed: a redirect response is reported with
//! its target as the final URL, which the registry rejects.

use std::time::Duration;

use base::prefs::Prefs;
use constellation::service_worker::{FetchError, FetchedScript, ScriptFetcher};
use net::{Loader, LoaderConfig, RedirectMode, RequestOptions};
use script_traits::UpdateViaCache;
use url::Url;

pub(crate) struct NetScriptFetcher {
    loader: Loader,
}

impl NetScriptFetcher {
    pub fn new(prefs: &Prefs) -> NetScriptFetcher {
        // The constellation waits for the script, so a server that never
        // answers must not hold it forever: a script fetch gets as long as
        // an event may run.
        let config = LoaderConfig {
            timeout: Some(Duration::from_millis(
                prefs.serviceworker_max_event_duration_ms(),
            )),
            ..LoaderConfig::from_prefs(prefs)
        };
        NetScriptFetcher {
            loader: Loader::new(config),
        }
    }
}

impl ScriptFetcher for NetScriptFetcher {
    fn fetch_script(
        &mut self,
        url: &Url,
        // There is no HTTP cache to bypass.
        _update_via_cache: UpdateViaCache,
    ) -> Result<FetchedScript, FetchError> {
        let options = RequestOptions {
            headers: vec![("Service-Worker".to_owned(), "script".to_owned())],
            redirect: RedirectMode::Manual,
            ..RequestOptions::default()
        };
        let resource = self
            .loader
            .load_with(url, &options)
            .map_err(|error| FetchError(error.to_string()))?;
        let redirected_to = matches!(resource.status, 301 | 302 | 303 | 307 | 308)
            .then(|| resource.header("location"))
            .flatten()
            .and_then(|location| resource.url.join(location).ok());
        Ok(FetchedScript {
            status: resource.status,
            final_url: redirected_to.unwrap_or_else(|| resource.url.clone()),
            mime_type: resource.header("content-type").map(str::to_owned),
            service_worker_allowed: resource.header("service-worker-allowed").map(str::to_owned),
            body: resource.body,
        })
    }
}

//! `addRoutes()` through the registry: only an installing worker adds rules, they are kept
//! with the worker (written at once for a first install, with the script for an update) and
//! come back after a restart, and only the active worker's rules route requests.

use script_traits::{
    RouterCondition, RouterRule, RouterSource, ServiceWorkerError, UrlPatternInput,
};

use super::*;
use crate::router::RouteRequest;

const SCRIPT: &str = "https://a.test/sw.js";

fn network_for(pattern: &str) -> RouterRule {
    RouterRule {
        condition: RouterCondition {
            url_pattern: Some(UrlPatternInput::String(pattern.into())),
            ..Default::default()
        },
        source: RouterSource::Network,
    }
}

fn source(profile: &Profile, worker: ServiceWorkerId, url: &str) -> Option<RouterSource> {
    let url = Url::parse(url).unwrap();
    let request = RouteRequest {
        url: &url,
        method: "GET",
        mode: "cors",
        destination: "",
    };
    profile.registry.router_source(worker, &request, false)
}

#[test]
fn rules_added_at_install_route_the_active_worker_and_survive_a_restart() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"v1");
    profile
        .host
        .routes
        .insert(b"v1".to_vec(), vec![network_for("/api/*")]);
    let info = profile.register(SCRIPT, None).unwrap();
    assert_eq!(profile.host.routes_added, [Ok(1)]);
    let active = profile.current(&info).unwrap().active.unwrap().id;
    assert_eq!(
        source(&profile, active, "https://a.test/api/x"),
        Some(RouterSource::Network)
    );
    assert_eq!(source(&profile, active, "https://a.test/page"), None);
    assert!(profile.database().router_rules(info.id).unwrap().is_some());

    profile.reopen();
    let active = profile
        .registry
        .registration(info.id)
        .unwrap()
        .active()
        .unwrap()
        .id();
    assert_eq!(
        source(&profile, active, "https://a.test/api/x"),
        Some(RouterSource::Network)
    );
}

#[test]
fn an_update_s_rules_replace_the_old_ones_once_it_is_active() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"v1");
    profile
        .host
        .routes
        .insert(b"v1".to_vec(), vec![network_for("/old/*")]);
    let info = profile.register(SCRIPT, None).unwrap();
    let old = profile.current(&info).unwrap().active.unwrap().id;

    profile.fetcher.serve(SCRIPT, b"v2");
    profile
        .host
        .routes
        .insert(b"v2".to_vec(), vec![network_for("/new/*")]);
    profile.update(&info).unwrap();
    let waiting = profile.current(&info).unwrap().waiting.unwrap().id;
    // The waiting worker's rules route nothing yet, and are not stored yet.
    assert_eq!(source(&profile, waiting, "https://a.test/new/x"), None);
    assert_eq!(
        source(&profile, old, "https://a.test/old/x"),
        Some(RouterSource::Network)
    );
    let stored = profile.database().router_rules(info.id).unwrap().unwrap();
    assert!(stored.contains("/old/*"), "{stored}");

    profile.skip_waiting(waiting).unwrap();
    assert_eq!(
        source(&profile, waiting, "https://a.test/new/x"),
        Some(RouterSource::Network)
    );
    assert_eq!(source(&profile, waiting, "https://a.test/old/x"), None);
    let stored = profile.database().router_rules(info.id).unwrap().unwrap();
    assert!(
        stored.contains("/new/*") && !stored.contains("/old/*"),
        "{stored}"
    );
}

#[test]
fn only_an_installing_worker_adds_rules_and_bad_ones_add_nothing() {
    let mut profile = Profile::new();
    profile.fetcher.serve(SCRIPT, b"v1");
    let info = profile.register(SCRIPT, None).unwrap();
    let active = profile.current(&info).unwrap().active.unwrap().id;
    assert!(matches!(
        profile
            .registry
            .add_routes(active, &[network_for("/x")], true),
        Err(ServiceWorkerError::InvalidState(_))
    ));
    assert!(matches!(
        profile
            .registry
            .add_routes(ServiceWorkerId(999), &[network_for("/x")], true),
        Err(ServiceWorkerError::InvalidState(_))
    ));

    profile.fetcher.serve(SCRIPT, b"v2");
    let fetch_event = RouterRule {
        source: RouterSource::FetchEvent,
        ..network_for("/y")
    };
    profile.host.routes.insert(
        b"v2".to_vec(),
        vec![network_for("/fine"), network_for("/(\\d+)")],
    );
    profile.update(&info).unwrap();
    assert!(matches!(
        profile.host.routes_added.last(),
        Some(Err(ServiceWorkerError::Type(_)))
    ));
    let waiting = profile.current(&info).unwrap().waiting.unwrap().id;
    profile.skip_waiting(waiting).unwrap();
    assert_eq!(
        source(&profile, waiting, "https://a.test/fine"),
        None,
        "a refused call adds none of its rules"
    );

    // A worker without a fetch listener cannot route to its fetch handler; with one it can.
    profile.fetcher.serve(SCRIPT, b"v3");
    profile
        .host
        .routes
        .insert(b"v3".to_vec(), vec![fetch_event.clone()]);
    profile.host.no_fetch_listener = true;
    profile.update(&info).unwrap();
    assert!(matches!(
        profile.host.routes_added.last(),
        Some(Err(ServiceWorkerError::Type(message))) if message.contains("fetch event listener")
    ));
    profile.fetcher.serve(SCRIPT, b"v4");
    profile
        .host
        .routes
        .insert(b"v4".to_vec(), vec![fetch_event]);
    profile.host.no_fetch_listener = false;
    profile.update(&info).unwrap();
    assert_eq!(profile.host.routes_added.last(), Some(&Ok(1)));
}

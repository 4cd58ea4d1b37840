//! The network observer's reports in the constellation: pages and running
//! workers hear every change, later ones start with the state, the sync
//! service fires ready registrations when online, the override wins over
//! the OS, and flapping (override or OS) never fires a tag twice at once.

use std::collections::HashMap;

use net::Connectivity;

use super::*;
use crate::{EngineEvent, SyncLogKind};

/// The engine's events, in order.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<EngineEvent>>>);

impl Events {
    fn record(&self, options: &mut EngineOptions) {
        let events = self.0.clone();
        options.events = Some(Arc::new(move |event| events.lock().unwrap().push(event)));
    }

    fn network_lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|event| matches!(event, EngineEvent::Network(_)))
            .map(ToString::to_string)
            .collect()
    }

    /// Each tag's sync log, in order.
    fn sync_stories(&self) -> HashMap<String, Vec<SyncLogKind>> {
        let mut stories: HashMap<String, Vec<SyncLogKind>> = HashMap::new();
        for event in self.0.lock().unwrap().iter() {
            if let EngineEvent::Sync(entry) = event {
                stories
                    .entry(entry.tag.clone())
                    .or_default()
                    .push(entry.kind.clone());
            }
        }
        stories
    }
}

/// The `NetworkChanged` messages among `messages`.
fn network_changes(messages: &[ToClientMsg]) -> Vec<bool> {
    messages
        .iter()
        .filter_map(|message| match message {
            ToClientMsg::NetworkChanged { online } => Some(*online),
            _ => None,
        })
        .collect()
}

/// Every message `page` gets within `quiet` of the last one.
fn drain(page: &Page, quiet: Duration) -> Vec<ToClientMsg> {
    std::iter::from_fn(|| page.next_message(quiet)).collect()
}

fn is_network_change(online: bool) -> impl Fn(&ToClientMsg) -> bool {
    move |message| matches!(message, ToClientMsg::NetworkChanged { online: now } if *now == online)
}

/// Asserts that each tag's story is registered, then one dispatch, then its
/// completion: fired once, never twice at a time.
fn assert_each_fired_once(events: &Events, tags: &[String]) {
    let stories = events.sync_stories();
    for tag in tags {
        assert_eq!(
            stories.get(tag).map(Vec::as_slice),
            Some(
                &[
                    SyncLogKind::Registered,
                    SyncLogKind::Dispatched {
                        last_chance: false,
                        devtools: false
                    },
                    SyncLogKind::Completed { devtools: false },
                ][..]
            ),
            "the story of {tag}"
        );
    }
}

#[test]
fn an_os_change_reaches_every_page_and_running_worker_and_later_ones_start_with_it() {
    let events = Events::default();
    let engine = engine_on(
        FakeNetwork::new(true, Duration::ZERO),
        None,
        &[],
        |options| events.record(options),
    );
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// fine");
    let worker = info.active.unwrap().id.0;
    assert_eq!(engine.log.count(&format!("{worker} starts online=true")), 1);

    engine.network.set_os(false);
    page.messages_until(is_network_change(false));
    eventually("the worker heard it", || {
        engine.log.count(&format!("{worker} online false")) == 1
    });
    assert_eq!(engine.engine.network_state(), Connectivity::Offline);
    // The embedder hears it with its cause.
    assert_eq!(events.network_lines(), ["network offline: eth0 went down"]);

    // A page loaded now starts offline; so does a worker started now.
    let (late_page, setup) = Page::load(&engine.engine, &server.url("/late.html"));
    assert!(!setup.online);
    assert!(engine.engine.stop_worker(&info.scope));
    engine.engine.start_worker(&info.scope).unwrap();
    eventually("the worker started again, offline", || {
        engine.log.count(&format!("{worker} starts online=false")) == 1
    });

    engine.network.set_os(true);
    page.messages_until(is_network_change(true));
    late_page.messages_until(is_network_change(true));
    eventually("the restarted worker heard it", || {
        engine.log.count(&format!("{worker} online true")) == 1
    });
    let lines = events.network_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].starts_with("network online: eth0"), "{lines:?}");
}

#[test]
fn the_override_wins_over_the_os_and_none_returns_to_it() {
    let engine = engine_on(FakeNetwork::new(true, Duration::ZERO), None, &[], |_| {});
    let server = TestServer::start();
    let (page, _) = Page::load(&engine.engine, &server.url("/page.html"));

    engine
        .engine
        .set_network_override(Some(Connectivity::Offline));
    assert_eq!(engine.engine.network_state(), Connectivity::Offline);
    page.messages_until(is_network_change(false));
    // The OS goes down and up again: the override keeps the engine offline.
    engine.network.set_os(false);
    engine.network.set_os(true);
    assert_eq!(
        network_changes(&drain(&page, Duration::from_millis(300))),
        [] as [bool; 0]
    );
    // Back to the OS, which is online.
    engine.engine.set_network_override(None);
    assert_eq!(engine.engine.network_state(), Connectivity::Online);
    page.messages_until(is_network_change(true));

    // With the OS down, `None` is offline, and forcing online works.
    engine.network.set_os(false);
    page.messages_until(is_network_change(false));
    engine
        .engine
        .set_network_override(Some(Connectivity::Online));
    page.messages_until(is_network_change(true));
}

#[test]
fn a_sync_registered_while_the_os_is_offline_fires_when_it_comes_back() {
    let engine = engine_on(FakeNetwork::new(false, Duration::ZERO), None, &[], |_| {});
    let server = TestServer::start();
    let (page, info) = register_active(&engine, &server, "// fine");
    let worker = info.active.unwrap().id.0;
    assert_eq!(page.sync_register(info.id, "outbox"), Ok(()));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(engine.log.count(&format!("{worker} sync")), 0);
    assert_eq!(page.sync_tags(info.id), Ok(vec!["outbox".to_owned()]));

    engine.network.set_os(true);
    eventually("the sync event fired", || {
        engine.log.count(&format!("{worker} sync outbox false")) == 1
    });
    // The worker heard that it is online before its event came.
    let log = engine.log.lines();
    let heard = log
        .iter()
        .position(|line| *line == format!("{worker} online true"));
    let fired = log
        .iter()
        .position(|line| *line == format!("{worker} sync outbox false"));
    assert!(heard.is_some() && heard < fired, "{log:?}");
}

/// Registers `count` tags (pending: the engine is offline) at a worker
/// whose sync events behave as `script` says ("slow-sync": 20 ms each).
/// Returns the page, the tags and the worker's id.
fn pending_tags(
    engine: &TestEngine,
    server: &TestServer,
    script: &str,
    count: usize,
) -> (Page, Vec<String>, u64) {
    let (page, info) = register_active(engine, server, script);
    let tags: Vec<String> = (0..count).map(|index| format!("tag-{index}")).collect();
    for tag in &tags {
        assert_eq!(page.sync_register(info.id, tag), Ok(()));
    }
    assert_eq!(page.sync_tags(info.id).unwrap().len(), count);
    (page, tags, info.active.unwrap().id.0)
}

/// An engine kept offline by the override (the OS says online), and its events.
fn offline_by_override() -> (TestEngine, Events) {
    let events = Events::default();
    let engine = engine_on(
        FakeNetwork::new(true, Duration::ZERO),
        None,
        &[],
        |options| {
            options.network_override = Some(Connectivity::Offline);
            events.record(options);
        },
    );
    (engine, events)
}

/// Asserts that each tag's `sync` event ran exactly once on `worker`.
fn assert_each_ran_once_on(engine: &TestEngine, worker: u64, tags: &[String]) {
    for tag in tags {
        assert_eq!(
            engine.log.count(&format!("{worker} sync {tag} ")),
            1,
            "{tag}"
        );
    }
}

#[test]
fn six_hundred_tags_going_online_at_once_all_fire_once_and_the_engine_goes_idle() {
    // More than a firing slice, and the worker ends all 600 events at once:
    // more ends than the constellation coalesces in one step. Every slice
    // is dispatched, every end reaches the service, nothing stays in flight.
    let (engine, events) = offline_by_override();
    let server = TestServer::start();
    let (_page, tags, worker) = pending_tags(&engine, &server, "held-sync", 600);
    engine
        .engine
        .set_network_override(Some(Connectivity::Online));
    eventually("every tag fired and is gone", || {
        engine.engine.sync_registrations().unwrap().is_empty()
    });
    assert!(engine.engine.wait_for_sync_events(PATIENCE));
    assert_each_fired_once(&events, &tags);
    assert_each_ran_once_on(&engine, worker, &tags);
}

#[test]
fn a_thousand_override_flaps_in_a_second_fire_each_tag_once_and_never_twice_at_a_time() {
    let (engine, events) = offline_by_override();
    let server = TestServer::start();
    let (page, tags, worker) = pending_tags(&engine, &server, "slow-sync", 20);
    // The page reads as the changes come, as a page's router thread does
    // (the constellation's sends block on a full channel).
    let reader = std::thread::spawn(move || {
        let mut changes = Vec::new();
        while changes.len() < 1001 {
            match page.next_message(PATIENCE) {
                Some(ToClientMsg::NetworkChanged { online }) => changes.push(online),
                Some(_) => {}
                None => break,
            }
        }
        changes
    });

    // 1000 changes, one a millisecond, and back online. Sync events start
    // (20 ms each) while the flapping goes on.
    for flap in 0..1000 {
        let state = if flap % 2 == 0 {
            Connectivity::Online
        } else {
            Connectivity::Offline
        };
        engine.engine.set_network_override(Some(state));
        std::thread::sleep(Duration::from_millis(1));
    }
    engine
        .engine
        .set_network_override(Some(Connectivity::Online));

    eventually("every tag fired and is gone", || {
        engine.engine.sync_registrations().unwrap().is_empty()
    });
    assert_each_fired_once(&events, &tags);
    // The page heard every change, in order, ending online.
    let all = reader.join().unwrap();
    assert_eq!(all.len(), 1001);
    assert!(all
        .iter()
        .enumerate()
        .all(|(index, online)| *online == (index % 2 == 0)));
    // Each tag ran exactly once on the worker.
    assert_each_ran_once_on(&engine, worker, &tags);
}

#[test]
fn a_thousand_os_flaps_inside_the_debounce_are_one_change_and_each_tag_fires_once() {
    let events = Events::default();
    let engine = engine_on(
        FakeNetwork::new(false, Duration::from_millis(500)),
        None,
        &[],
        |options| events.record(options),
    );
    let server = TestServer::start();
    let (page, tags, worker) = pending_tags(&engine, &server, "slow-sync", 20);

    for flap in 0..1000 {
        engine.network.set_os(flap % 2 == 0);
        std::thread::sleep(Duration::from_millis(1));
    }
    engine.network.set_os(true);

    eventually("every tag fired and is gone", || {
        engine.engine.sync_registrations().unwrap().is_empty()
    });
    assert_each_fired_once(&events, &tags);
    // The flapping settled online once: one change for everybody.
    let messages = page.messages_until(is_network_change(true));
    let rest = drain(&page, Duration::from_millis(300));
    assert_eq!(network_changes(&messages), [true]);
    assert_eq!(network_changes(&rest), [] as [bool; 0]);
    assert_eq!(
        events.network_lines().len(),
        1,
        "{:?}",
        events.network_lines()
    );
    assert_each_ran_once_on(&engine, worker, &tags);
}

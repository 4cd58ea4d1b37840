//! The observer above its event source: debounce, override, subscribers,
//! logging, shutdown, with a fake source (the netlink layer has its own
//! tests, and `tests/network_observer.rs` runs the real one).

use std::net::IpAddr;
use std::sync::OnceLock;

use crossbeam_channel::RecvTimeoutError;

use super::*;
use Connectivity::{Offline, Online};

/// Long enough for a loaded machine to deliver a report.
const PATIENCE: Duration = Duration::from_secs(5);

fn link(index: u32, name: &str, up: bool) -> InterfaceEvent {
    InterfaceEvent::Link {
        index,
        name: name.to_owned(),
        up,
        running: up,
        loopback: false,
    }
}

fn address(index: u32, address: &str) -> InterfaceEvent {
    InterfaceEvent::AddressAdded {
        index,
        address: address.parse::<IpAddr>().unwrap(),
        tentative: false,
    }
}

fn online_interface(index: u32, name: &str, ip: &str) -> Vec<InterfaceEvent> {
    vec![link(index, name, true), address(index, ip)]
}

fn observer(
    debounce_ms: u64,
    initial: Vec<InterfaceEvent>,
) -> (NetworkObserver, Sender<Vec<InterfaceEvent>>) {
    let (updates, events) = unbounded();
    let config = ObserverConfig {
        debounce: Duration::from_millis(debounce_ms),
    };
    let observer = NetworkObserver::start_with_source(config, initial, events).unwrap();
    (observer, updates)
}

fn next_change(receiver: &Receiver<ConnectivityChange>) -> ConnectivityChange {
    receiver
        .recv_timeout(PATIENCE)
        .expect("a change within the patience")
}

fn assert_quiet(receiver: &Receiver<ConnectivityChange>, for_ms: u64) {
    match receiver.recv_timeout(Duration::from_millis(for_ms)) {
        Err(RecvTimeoutError::Timeout) => {}
        other => panic!("expected no report, got {other:?}"),
    }
}

/// Every line logged on the observer's target, by any test of this binary.
fn logged() -> Vec<String> {
    struct Capture(Mutex<Vec<String>>);
    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.target() == LOG_TARGET
        }
        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                let line = format!("{} {}", record.level(), record.args());
                self.0.lock().unwrap().push(line);
            }
        }
        fn flush(&self) {}
    }
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    let capture = CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        let _ = log::set_logger(capture);
        log::set_max_level(log::LevelFilter::Debug);
        capture
    });
    capture.0.lock().unwrap().clone()
}

#[test]
fn the_initial_state_comes_from_the_initial_dump() {
    let (online, _updates) = observer(50, online_interface(2, "eth0", "192.0.2.2"));
    assert_eq!(online.state(), Online);
    assert!(online.os_state_available());

    let (offline, _updates) = observer(50, vec![link(2, "eth0", true)]);
    assert_eq!(offline.state(), Offline);
    assert_eq!(offline.os_state(), Offline);
}

#[test]
fn a_change_is_reported_once_when_it_has_lasted_the_debounce() {
    let (observer, updates) = observer(50, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();
    let sent = Instant::now();
    updates.send(vec![link(2, "eth0", false)]).unwrap();
    let change = next_change(&changes);
    assert!(sent.elapsed() >= Duration::from_millis(50), "not held back");
    assert_eq!(
        change,
        ConnectivityChange {
            state: Offline,
            cause: "eth0 went down".to_owned(),
        }
    );
    assert_eq!(observer.state(), Offline);
    assert_quiet(&changes, 200);

    updates.send(vec![link(2, "eth0", true)]).unwrap();
    assert_eq!(
        next_change(&changes),
        ConnectivityChange {
            state: Online,
            cause: "eth0 up with 192.0.2.2".to_owned(),
        }
    );
}

#[test]
fn a_flap_that_returns_within_the_window_is_not_reported() {
    let (observer, updates) = observer(400, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();
    updates.send(vec![link(2, "eth0", false)]).unwrap();
    updates.send(vec![link(2, "eth0", true)]).unwrap();
    assert_quiet(&changes, 900);
    assert_eq!(observer.state(), Online);
}

#[test]
fn a_burst_of_flaps_reports_its_final_state_once() {
    let (observer, updates) = observer(100, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();
    for flap in 0..1001 {
        updates.send(vec![link(2, "eth0", flap % 2 == 1)]).unwrap();
    }
    // 1001 changes ending down.
    assert_eq!(next_change(&changes).state, Offline);
    assert_quiet(&changes, 400);
    assert_eq!(observer.state(), Offline);
}

#[test]
fn address_churn_that_keeps_the_state_resets_nothing() {
    let (observer, updates) = observer(50, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();
    updates.send(vec![address(2, "2001:db8::2")]).unwrap();
    updates
        .send(vec![InterfaceEvent::AddressRemoved {
            index: 2,
            address: "2001:db8::2".parse().unwrap(),
        }])
        .unwrap();
    assert_quiet(&changes, 300);
}

#[test]
fn every_subscriber_gets_every_change_and_dropped_ones_are_forgotten() {
    let (observer, updates) = observer(20, online_interface(2, "eth0", "192.0.2.2"));
    let first = observer.subscribe();
    let second = observer.subscribe();
    let gone = observer.subscribe();
    drop(gone);

    updates
        .send(vec![InterfaceEvent::LinkRemoved { index: 2 }])
        .unwrap();
    for subscriber in [&first, &second] {
        assert_eq!(
            next_change(subscriber),
            ConnectivityChange {
                state: Offline,
                cause: "eth0 was removed".to_owned(),
            }
        );
    }
    assert_eq!(observer.lock().subscribers.len(), 2);

    drop(second);
    updates
        .send(online_interface(3, "wlan0", "192.168.1.4"))
        .unwrap();
    assert_eq!(
        next_change(&first).cause,
        "wlan0 up with 192.168.1.4".to_owned()
    );
    assert_eq!(observer.lock().subscribers.len(), 1);
}

#[test]
fn the_override_wins_over_the_os_state_and_none_returns_to_it() {
    let (observer, updates) = observer(20, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();

    // Applied at once, no debounce.
    observer.set_override(Some(Offline));
    assert_eq!(observer.state(), Offline);
    assert_eq!(observer.override_state(), Some(Offline));
    assert_eq!(
        changes.try_recv().unwrap(),
        ConnectivityChange {
            state: Offline,
            cause: "override".to_owned(),
        }
    );

    // The OS going offline under an offline override changes nothing visible.
    updates.send(vec![link(2, "eth0", false)]).unwrap();
    let deadline = Instant::now() + PATIENCE;
    while observer.os_state() != Offline {
        assert!(Instant::now() < deadline, "the OS change never settled");
        thread::sleep(Duration::from_millis(5));
    }
    assert_quiet(&changes, 100);

    observer.set_override(Some(Online));
    assert_eq!(
        changes.try_recv().unwrap(),
        ConnectivityChange {
            state: Online,
            cause: "override".to_owned(),
        }
    );

    observer.set_override(None);
    assert_eq!(observer.state(), Offline);
    assert_eq!(
        changes.try_recv().unwrap(),
        ConnectivityChange {
            state: Offline,
            cause: "override cleared; OS: eth0 went down".to_owned(),
        }
    );
}

#[test]
fn an_override_equal_to_the_state_reports_nothing() {
    let (observer, _updates) = observer(20, online_interface(2, "eth0", "192.0.2.2"));
    let changes = observer.subscribe();
    observer.set_override(Some(Online));
    observer.set_override(None);
    assert!(changes.try_recv().is_err());
    assert_eq!(observer.state(), Online);
}

#[test]
fn changes_are_logged_with_their_cause() {
    let _ = logged();
    let (observer, updates) = observer(10, online_interface(7, "logtest0", "192.0.2.77"));
    let changes = observer.subscribe();
    updates
        .send(vec![InterfaceEvent::AddressRemoved {
            index: 7,
            address: "192.0.2.77".parse().unwrap(),
        }])
        .unwrap();
    next_change(&changes);
    let lines = logged();
    assert!(
        lines.contains(&"INFO offline: logtest0 lost its last address 192.0.2.77".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"INFO online at start: logtest0 up with 192.0.2.77".to_owned()),
        "{lines:#?}"
    );
}

#[test]
fn dropping_the_observer_stops_its_thread() {
    let (observer, updates) = observer(20, Vec::new());
    drop(observer);
    // The state thread owned the receiving end.
    assert!(updates.send(Vec::new()).is_err());
}

#[test]
fn a_source_that_ends_leaves_the_os_state_unknown_and_online() {
    let (observer, updates) = observer(20, Vec::new());
    let changes = observer.subscribe();
    assert_eq!(observer.state(), Offline);
    drop(updates);
    let change = next_change(&changes);
    assert_eq!(change.state, Online);
    assert!(!observer.os_state_available());
}

#[test]
fn without_os_state_the_observer_is_online_and_obeys_the_override() {
    let observer = NetworkObserver::without_os_state("test");
    assert!(!observer.os_state_available());
    assert_eq!(observer.state(), Online);
    let changes = observer.subscribe();
    observer.set_override(Some(Offline));
    assert_eq!(changes.try_recv().unwrap().state, Offline);
    observer.set_override(None);
    assert_eq!(
        changes.try_recv().unwrap(),
        ConnectivityChange {
            state: Online,
            cause: "override cleared; OS: test; assuming online".to_owned(),
        }
    );
}

#[test]
fn the_debounce_is_the_pref_and_defaults_to_100_ms() {
    assert_eq!(
        ObserverConfig::from_prefs(&Prefs::defaults()).debounce,
        Duration::from_millis(ObserverConfig::DEFAULT_DEBOUNCE_MS)
    );
    let prefs = Prefs::with_overrides([format!("{}=7", ObserverConfig::DEBOUNCE_PREF)]).unwrap();
    assert_eq!(
        ObserverConfig::from_prefs(&prefs).debounce,
        Duration::from_millis(7)
    );
    assert_eq!(
        ObserverConfig::default().debounce,
        Duration::from_millis(100)
    );
}

mod debouncer {
    use super::*;

    fn ms(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn holds_a_change_until_it_has_lasted_the_window() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(Duration::from_millis(100), Online);
        debouncer.observe(Offline, "down".to_owned(), start);
        assert_eq!(debouncer.deadline(), Some(ms(start, 100)));
        assert_eq!(debouncer.settle(ms(start, 99)), None);
        assert_eq!(
            debouncer.settle(ms(start, 100)),
            Some((Offline, "down".to_owned()))
        );
        assert_eq!(debouncer.deadline(), None);
    }

    #[test]
    fn a_return_to_the_settled_state_cancels_the_change() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(Duration::from_millis(100), Online);
        debouncer.observe(Offline, "down".to_owned(), start);
        debouncer.observe(Online, "up".to_owned(), ms(start, 50));
        assert_eq!(debouncer.deadline(), None);
        assert_eq!(debouncer.settle(ms(start, 500)), None);
    }

    #[test]
    fn each_change_restarts_the_window_and_the_last_cause_wins() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(Duration::from_millis(100), Online);
        debouncer.observe(Offline, "first".to_owned(), start);
        debouncer.observe(Online, "up".to_owned(), ms(start, 60));
        debouncer.observe(Offline, "second".to_owned(), ms(start, 90));
        assert_eq!(debouncer.settle(ms(start, 150)), None);
        assert_eq!(
            debouncer.settle(ms(start, 190)),
            Some((Offline, "second".to_owned()))
        );
    }

    #[test]
    fn a_zero_window_lets_changes_through_at_once() {
        let start = Instant::now();
        let mut debouncer = Debouncer::new(Duration::ZERO, Offline);
        debouncer.observe(Online, "up".to_owned(), start);
        assert_eq!(debouncer.settle(start), Some((Online, "up".to_owned())));
    }
}

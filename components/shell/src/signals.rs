//! SIGTERM and SIGINT end a run gracefully.
//!
//! [`block`] blocks both signals in the calling thread before any other
//! thread starts, so every thread inherits the mask and none is interrupted;
//! [`watch`] then waits for them on a thread of its own (`sigwait`). The
//! first signal starts the shutdown on another thread: no new `sync` event
//! is dispatched, events in flight get `background_sync.shutdown_grace_ms`
//! to end, the engine shuts down (writing what it deferred), and the
//! process exits 0 (130 for SIGINT, as shells expect of an interrupted
//! command). A second signal ends the process at once, with 128 + its
//! number.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use engine::Engine;

/// The signals a run answers.
pub struct Signals {
    set: libc::sigset_t,
}

/// Blocks SIGTERM and SIGINT in this thread and in every thread it starts
/// from now on. Call before the engine starts.
pub fn block() -> Signals {
    // SAFETY: plain libc signal-set calls on a zeroed set we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        Signals { set }
    }
}

fn name(signal: libc::c_int) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        _ => "SIGTERM",
    }
}

/// Waits for the signals of `signals` and shuts `engine` down on the first.
pub fn watch(signals: Signals, engine: Arc<Engine>, grace: Duration) {
    let spawned = std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            let first = wait(&signals);
            eprintln!(
                "bgsync: {}: shutting down (a second signal ends the process at once)",
                name(first)
            );
            let status = if first == libc::SIGINT { 130 } else { 0 };
            let shutting_down = std::thread::Builder::new()
                .name("shutdown".to_owned())
                .spawn(move || {
                    engine.stop_dispatching();
                    if !engine.wait_for_sync_events(grace) {
                        eprintln!(
                            "bgsync: a sync event was still running after {} ms \
                             (background_sync.shutdown_grace_ms); it was cut short",
                            grace.as_millis()
                        );
                    }
                    engine.shutdown();
                    exit_now(status);
                });
            if let Err(error) = shutting_down {
                eprintln!("bgsync: cannot shut down gracefully: {error}");
                exit_now(status);
            }
            let second = wait(&signals);
            eprintln!("bgsync: {}: exiting now", name(second));
            exit_now(128 + second);
        });
    if let Err(error) = spawned {
        eprintln!("bgsync: cannot watch for SIGTERM and SIGINT: {error}");
    }
}

/// Ends the process now, with what was printed flushed. Not `exit()`: the
/// page's script thread may still run, and static destructors (of
/// SpiderMonkey's) must not run under it. What the engine stored is on disk
/// already: every commit is, when `shutdown` returns.
fn exit_now(status: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: ends the process without running anything else.
    unsafe { libc::_exit(status) }
}

/// The next signal of the set.
fn wait(signals: &Signals) -> libc::c_int {
    let mut signal: libc::c_int = 0;
    loop {
        // SAFETY: the set is initialized; `signal` is a valid out pointer.
        if unsafe { libc::sigwait(&signals.set, &mut signal) } == 0 {
            return signal;
        }
    }
}

//! The warnings of every thread, captured for tests that check what is
//! logged (a forged id, a request of an unknown client).

use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Warnings and errors of every thread, with their target.
struct CapturingLogger;

static CAPTURED: Mutex<Vec<(Level, String, String)>> = Mutex::new(Vec::new());
static LOGGER: CapturingLogger = CapturingLogger;

impl Log for CapturingLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= Level::Warn
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            CAPTURED.lock().unwrap().push((
                record.level(),
                record.target().to_owned(),
                record.args().to_string(),
            ));
        }
    }

    fn flush(&self) {}
}

/// The captured warnings (of every test) that contain `text`.
pub(crate) fn warnings_containing(text: &str) -> Vec<(String, String)> {
    CAPTURED
        .lock()
        .unwrap()
        .iter()
        .filter(|(level, _, line)| *level == Level::Warn && line.contains(text))
        .map(|(_, target, line)| (target.clone(), line.clone()))
        .collect()
}

pub(crate) fn capture_logs() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(LevelFilter::Warn);
}

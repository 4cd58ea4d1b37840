//! Running real pages through the engine for integration tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use script::dom::globalscope::ConsoleLevel;
use script::page::{run_page, PageOptions, PageOutcome};

pub struct Run {
    pub lines: Vec<String>,
    pub outcome: PageOutcome,
}

/// A fresh temporary directory for one test's files.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bgsync-test-{}-{}-{}",
        name,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn run_url(url: url::Url, timeout: Duration) -> Run {
    run_url_with_prefs(url, timeout, base::prefs::Prefs::defaults())
}

pub fn run_url_with_prefs(url: url::Url, timeout: Duration, prefs: base::prefs::Prefs) -> Run {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let outcome = run_page(PageOptions {
        client: script::page::PageConnection::Unconnected,
        connect_worker: None,
        http_cache: None,
        url,
        timeout: Some(timeout),
        prefs,
        console: Arc::new(move |_level: ConsoleLevel, text: &str| {
            sink.lock().unwrap().push(text.to_string())
        }),
    });
    let lines = lines.lock().unwrap().clone();
    Run { lines, outcome }
}

/// Writes `html` (and `extra` files next to it) to a temporary directory and runs it.
pub fn run_files(name: &str, html: &str, extra: &[(&str, &[u8])]) -> Run {
    let dir = temp_dir(name);
    for (file, content) in extra {
        std::fs::write(dir.join(file), content).unwrap();
    }
    let page = dir.join("page.html");
    std::fs::write(&page, html).unwrap();
    run_url(
        url::Url::from_file_path(&page).unwrap(),
        Duration::from_secs(20),
    )
}

/// Runs a page whose body is `script` in one inline script.
pub fn run_script(name: &str, script: &str) -> Run {
    run_files(
        name,
        &format!("<!DOCTYPE html><html><head><script>{script}</script></head><body></body></html>"),
        &[],
    )
}

/// A tiny HTTP server on 127.0.0.1 serving fixed paths; unknown paths get 404. It serves
/// until the test process exits.
pub fn serve(routes: Vec<(&'static str, &'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader
                .read_line(&mut header)
                .map(|n| n > 2)
                .unwrap_or(false)
            {
                header.clear();
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let response = match routes.iter().find(|(p, _, _)| *p == path) {
                Some((_, content_type, body)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".to_string(),
            };
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.shutdown(std::net::Shutdown::Write);
        }
    });
    format!("http://127.0.0.1:{port}")
}

//! A small HTTP/1.1 server on 127.0.0.1 (or another address of this
//! machine) for the engine's tests: one response per connection
//! (`Connection: close`), whatever the method, from a table of files the
//! test can change while the server runs; it records every request with its
//! body. A path can be held ([`TestServer::hold`]): its requests wait,
//! unanswered, until the test releases them. It stops when dropped.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a held request waits at most if the test never releases it.
const HOLD_LIMIT: Duration = Duration::from_secs(120);

/// One response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    pub fn redirect(location: &str) -> Response {
        Response {
            status: 302,
            headers: vec![("Location".to_owned(), location.to_owned())],
            body: Vec::new(),
        }
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    /// As long as its `Content-Length` said.
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
struct State {
    files: HashMap<String, Response>,
    requests: Vec<Request>,
    /// Held paths, and whether the test released each.
    holds: HashMap<String, Arc<(Mutex<bool>, Condvar)>>,
}

/// Releases a held path when [`Hold::release`] is called or it is dropped.
pub struct Hold {
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl Hold {
    /// Lets the held requests (and later ones) be answered, with what the
    /// server serves at their path by then.
    pub fn release(&self) {
        let (released, wake) = &*self.gate;
        *released.lock().unwrap() = true;
        wake.notify_all();
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}

pub struct TestServer {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    stopping: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_on("127.0.0.1")
    }

    /// A server on `ip`, a port of its own. (In a network namespace, the
    /// thread that starts it and the one that drops it must be inside.)
    pub fn start_on(ip: &str) -> TestServer {
        let listener = TcpListener::bind((ip, 0)).expect("bind a port");
        let address = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State::default()));
        let stopping = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let (state, stopping) = (state.clone(), stopping.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let state = state.clone();
                        thread::spawn(move || serve(stream, &state));
                    }
                }
            })
        };
        TestServer {
            address,
            state,
            stopping,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.address, path)).expect("test URL")
    }

    /// Serves `response` at `path` (from now on).
    pub fn serve(&self, path: &str, response: Response) {
        self.state
            .lock()
            .unwrap()
            .files
            .insert(path.to_owned(), response);
    }

    pub fn serve_js(&self, path: &str, source: &str) {
        self.serve(path, Response::ok("text/javascript", source));
    }

    pub fn serve_html(&self, path: &str, source: &str) {
        self.serve(path, Response::ok("text/html; charset=utf-8", source));
    }

    /// Holds the requests of `path` until the returned [`Hold`] releases
    /// them (or [`HOLD_LIMIT`] passes).
    pub fn hold(&self, path: &str) -> Hold {
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        self.state
            .lock()
            .unwrap()
            .holds
            .insert(path.to_owned(), gate.clone());
        Hold { gate }
    }

    /// Every request so far whose path is `path`.
    pub fn requests_of(&self, path: &str) -> Vec<Request> {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|request| request.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let hold = {
        let mut state = state.lock().unwrap();
        state.requests.push(request.clone());
        state.holds.get(&request.path).cloned()
    };
    if let Some(gate) = hold {
        let (released, wake) = &*gate;
        let released = released.lock().unwrap();
        let _ = wake.wait_timeout_while(released, HOLD_LIMIT, |released| !*released);
    }
    let response = state.lock().unwrap().files.get(&request.path).cloned();
    let response = response.unwrap_or(Response {
        status: 404,
        headers: vec![("Content-Type".to_owned(), "text/plain".to_owned())],
        body: b"not found".to_vec(),
    });
    let reason = match response.status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        _ => "Whatever",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&response.body);
    let _ = stream.flush();
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut words = request_line.split_whitespace();
    let method = words.next()?.to_owned();
    let path = words.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

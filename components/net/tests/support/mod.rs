//! A small HTTP/1.1 server on 127.0.0.1 for the loader tests: one thread
//! per connection, one response per connection (`Connection: close`), and a
//! fixed set of routes. It stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Bytes sent by `/huge-undeclared` before giving up on a client that keeps
/// reading; far above any limit the tests set.
const UNDECLARED_BODY_CAP: usize = 4 * 1024 * 1024;

pub struct TestServer {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let stopping = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let stopping = stopping.clone();
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        thread::spawn(move || serve(stream));
                    }
                }
            })
        };
        TestServer {
            address,
            stopping,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.address, path)).expect("test URL")
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

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port_url() -> url::Url {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let address = listener.local_addr().expect("local address");
    drop(listener);
    url::Url::parse(&format!("http://{address}/")).expect("test URL")
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let method = request_line.split_whitespace().next()?.to_owned();
    let path = request_line.split_whitespace().nth(1)?.to_owned();
    let mut user_agent = None;
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
            if name.eq_ignore_ascii_case("user-agent") {
                user_agent = Some(value.trim().to_owned());
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    std::io::Read::read_exact(&mut reader, &mut body).ok()?;
    Some(Request {
        method,
        path,
        body,
        user_agent,
        headers,
    })
}

fn serve(mut stream: TcpStream) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let path = request.path.as_str();
    let _ = match path {
        "/hello" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/html; charset=UTF-8")],
            b"<p>hello</p>",
        ),
        "/plain" => respond(&mut stream, "200 OK", &[], b"no type"),
        // The method and body of the request, as "METHOD body".
        "/echo" => {
            let mut echo = format!("{} ", request.method).into_bytes();
            echo.extend_from_slice(&request.body);
            respond(&mut stream, "200 OK", &[], &echo)
        }
        "/see-other" => respond(&mut stream, "303 See Other", &[("Location", "/echo")], b""),
        "/temporary" => respond(
            &mut stream,
            "307 Temporary Redirect",
            &[("Location", "/echo")],
            b"",
        ),
        "/missing" => respond(
            &mut stream,
            "404 Not Found",
            &[("Content-Type", "text/plain")],
            b"not here",
        ),
        "/error" => respond(&mut stream, "500 Internal Server Error", &[], b"oops"),
        "/user-agent" => respond(
            &mut stream,
            "200 OK",
            &[],
            request.user_agent.unwrap_or_default().as_bytes(),
        ),
        "/service-worker-header" => {
            let value = request
                .headers
                .iter()
                .find(|(name, _)| name == "service-worker")
                .map(|(_, value)| value.as_str())
                .unwrap_or("(none)");
            respond(&mut stream, "200 OK", &[], value.as_bytes())
        }
        "/bytes/1000" => respond(&mut stream, "200 OK", &[], &[b'x'; 1000]),
        // The HTTP cache's routes: each network answer's body is a new number ("response
        // N"), so a test tells a stored answer from a fresh one.
        "/cache/max-age" => respond_numbered(&mut stream, &[("Cache-Control", "max-age=600")]),
        "/cache/no-store" => {
            respond_numbered(&mut stream, &[("Cache-Control", "no-store, max-age=600")])
        }
        "/cache/redirect" => respond(
            &mut stream,
            "301 Moved Permanently",
            &[
                ("Location", "/cache/max-age"),
                ("Cache-Control", "max-age=600"),
            ],
            b"",
        ),
        // Always revalidated; a request for the ETag it gave gets a 304 with a new header.
        "/cache/etag" => {
            let revalidating = request
                .headers
                .iter()
                .any(|(name, value)| name == "if-none-match" && value == "\"v1\"");
            if revalidating {
                respond(
                    &mut stream,
                    "304 Not Modified",
                    &[("X-Revalidated", "yes"), ("ETag", "\"v1\"")],
                    b"",
                )
            } else {
                respond_numbered(
                    &mut stream,
                    &[("Cache-Control", "no-cache"), ("ETag", "\"v1\"")],
                )
            }
        }
        // The request's Cache-Control and Pragma, not stored.
        "/cache/request-headers" => {
            let value = |wanted: &str| {
                request
                    .headers
                    .iter()
                    .find(|(name, _)| name == wanted)
                    .map_or("(none)".to_owned(), |(_, value)| value.clone())
            };
            let body = format!("{} / {}", value("cache-control"), value("pragma"));
            respond(
                &mut stream,
                "200 OK",
                &[("Cache-Control", "no-store")],
                body.as_bytes(),
            )
        }
        "/huge-declared" => respond_declared_huge(&mut stream),
        "/huge-undeclared" => respond_undeclared_huge(&mut stream),
        "/slow" => respond_slowly(&mut stream),
        // A chunked body that stops being chunked encoding after its first chunk.
        "/broken-chunked" => (|| {
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            )?;
            stream.write_all(b"5\r\nhello\r\n")?;
            stream.flush()?;
            thread::sleep(Duration::from_millis(50));
            stream.write_all(b"1\nx\nzz\r\n")?;
            stream.flush()
        })(),
        // Two parts of a body without a length, 200 ms apart.
        "/drip" => {
            (|| {
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")?;
                stream.write_all(b"first")?;
                stream.flush()?;
                thread::sleep(Duration::from_millis(200));
                stream.write_all(b"second")?;
                stream.flush()
            })()
        }
        "/redirect-to-file" => respond(
            &mut stream,
            "302 Found",
            &[("Location", "file:///etc/hostname")],
            b"",
        ),
        "/redirect-loop" => respond(
            &mut stream,
            "302 Found",
            &[("Location", "/redirect-loop")],
            b"",
        ),
        "/redirect-with-fragment" => {
            respond(&mut stream, "302 Found", &[("Location", "/hello#top")], b"")
        }
        "/redirect-without-location" => respond(&mut stream, "302 Found", &[], b"stay"),
        _ if path.starts_with("/redirect-to-port/") => {
            // `/redirect-to-port/PORT/PATH` redirects with an absolute
            // Location to PATH on another server of this machine.
            let rest = &path["/redirect-to-port/".len()..];
            let (port, target) = rest.split_once('/').unwrap_or((rest, ""));
            let location = format!("http://127.0.0.1:{port}/{target}");
            respond(
                &mut stream,
                "301 Moved Permanently",
                &[("Location", &location)],
                b"",
            )
        }
        _ => match path.strip_prefix("/redirect/").map(str::parse::<u32>) {
            // `/redirect/N` redirects N times (relative Locations), then
            // answers 200 from `/redirect/0`.
            Some(Ok(0)) => respond(&mut stream, "200 OK", &[], b"end of chain"),
            Some(Ok(remaining)) => respond(
                &mut stream,
                "302 Found",
                &[("Location", &format!("/redirect/{}", remaining - 1))],
                b"",
            ),
            _ => respond(&mut stream, "404 Not Found", &[], b"no such route"),
        },
    };
    let _ = stream.shutdown(Shutdown::Both);
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// A 200 whose body is "response N", N counting the numbered responses this process sent.
fn respond_numbered(stream: &mut TcpStream, headers: &[(&str, &str)]) -> std::io::Result<()> {
    static SENT: AtomicU64 = AtomicU64::new(0);
    let number = SENT.fetch_add(1, Ordering::SeqCst);
    respond(
        stream,
        "200 OK",
        headers,
        format!("response {number}").as_bytes(),
    )
}

/// Announces 100 MB and sends a little of it: a client that trusts the
/// announcement gives up without reading.
fn respond_declared_huge(stream: &mut TcpStream) -> std::io::Result<()> {
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n")?;
    stream.write_all(&[b'x'; 1024])
}

/// A body with no length that keeps coming until the client hangs up (or
/// the cap is reached): only counting while reading can stop it.
fn respond_undeclared_huge(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
    let chunk = [b'x'; 4096];
    let mut sent = 0;
    while sent < UNDECLARED_BODY_CAP {
        stream.write_all(&chunk)?;
        sent += chunk.len();
    }
    Ok(())
}

/// Headers at once, then a byte every 100 ms for at most 10 s.
fn respond_slowly(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")?;
    for _ in 0..100 {
        thread::sleep(Duration::from_millis(100));
        stream.write_all(b"x")?;
        stream.flush()?;
    }
    Ok(())
}

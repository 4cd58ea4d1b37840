//! axios, unmodified (the npm package `./mach bootstrap` installs in `examples/node_modules`),
//! in a page against a real server on 127.0.0.1. In a browser axios sends its requests with
//! XMLHttpRequest, so this is XMLHttpRequest as a widely used library drives it: JSON both
//! ways, its default headers, a rejected 404 with the server's response, a timeout, an abort
//! through an AbortController, and its progress callbacks.

#[path = "../../engine/tests/support/server.rs"]
mod server;

mod common;
use common::{page, run, text};

use std::path::Path;

use server::{Response, TestServer};

fn serve_axios(server: &TestServer) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/node_modules/axios/dist/axios.min.js");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (./mach bootstrap installs axios)",
            path.display()
        )
    });
    server.serve_js("/axios.min.js", &source);
}

/// The page: axios from its own script tag, then `body` in a second one.
fn axios_page(body: &str) -> String {
    format!(
        "<!doctype html>\n<script src=\"/axios.min.js\"></script>\n{}",
        page(body)
    )
}

#[test]
fn axios_requests_run_on_xmlhttprequest() {
    let server = TestServer::start();
    serve_axios(&server);
    server.serve(
        "/api/items?page=2",
        Response::ok("application/json", r#"{"items":[1,2,3]}"#),
    );
    server.serve(
        "/api/messages",
        Response {
            status: 201,
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("X-Stored".to_owned(), "yes".to_owned()),
            ],
            body: br#"{"id":7}"#.to_vec(),
        },
    );
    server.serve("/api/slow", Response::ok("text/plain", "late"));
    let _slow = server.hold("/api/slow");
    server.serve_html(
        "/index.html",
        &axios_page(
            r#"(async () => {
  const api = axios.create({baseURL: '/api/'});
  const items = await api.get('items', {params: {page: 2}});
  console.log('items ' + items.status + ' ' + JSON.stringify(items.data));
  let progress = 0;
  const posted = await api.post('messages', {text: 'hello'}, {
    headers: {'X-Client': 'axios'},
    onUploadProgress: (event) => { progress = event.loaded; },
  });
  console.log('posted ' + posted.status + ' ' + posted.data.id + ' ' + posted.headers['x-stored']
              + ' upload ' + progress);
  try {
    await api.get('missing');
  } catch (error) {
    console.log('missing ' + error.name + ' ' + error.response.status);
  }
  try {
    await api.get('slow', {timeout: 100});
  } catch (error) {
    console.log('slow ' + error.code);
  }
  const controller = new AbortController();
  const aborted = api.get('slow', {signal: controller.signal});
  controller.abort();
  try {
    await aborted;
  } catch (error) {
    console.log('aborted ' + axios.isCancel(error) + ' ' + error.code);
  }
  done();
})().catch(failed);"#,
        ),
    );

    let out = run(&["run", "--timeout", "30", server.url("/index.html").as_str()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            r#"items 200 {"items":[1,2,3]}"#,
            "posted 201 7 yes upload 16",
            "missing AxiosError 404",
            "slow ECONNABORTED",
            "aborted true ERR_CANCELED",
        ],
        "{stderr}"
    );
    let items = server.requests_of("/api/items?page=2");
    assert_eq!(items.len(), 1, "{stderr}");
    assert_eq!(
        items[0].header("accept"),
        Some("application/json, text/plain, */*")
    );
    let posts = server.requests_of("/api/messages");
    assert_eq!(posts.len(), 1);
    assert_eq!(text(&posts[0].body), r#"{"text":"hello"}"#);
    assert_eq!(posts[0].header("content-type"), Some("application/json"));
    assert_eq!(posts[0].header("x-client"), Some("axios"));
}

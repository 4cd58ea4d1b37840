//! EventSource (https://html.spec.whatwg.org/multipage/server-sent-events.html): server-sent
//! events, read as they arrive.
//!
//! The request is a GET of `text/event-stream` in `cors` mode, cache mode `no-store`, with
//! credentials `include` or `same-origin` (`withCredentials`), through the global's service
//! worker first (Handle Fetch, as any fetch: a worker's answer comes whole, and is read as a
//! stream that then ends). From the network the body is read as it arrives
//! (`crate::fetch::start_streaming`), so a server that keeps the connection open delivers each
//! event when it sends it. A 200 of type `text/event-stream` opens the connection (`open`); any
//! other response fails it (`error`, `CLOSED`); a network error, or the end of the body,
//! reestablishes it: `error`, `CONNECTING`, and after the reconnection time (3 s, or what the
//! stream's `retry:` says) a new request, with `Last-Event-ID` when the stream gave an id.
//!
//! An EventSource that is connecting or open keeps its global's loop awake (a page with one
//! runs until it closes it, as a tab does); `close()` stops reading. A line longer than
//! `net.max_response_bytes` fails the connection, so a stream without line breaks cannot
//! exhaust memory.

use std::cell::{Cell, RefCell};

use script_traits::FetchRequestData;
use url::Url;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::event::Event;
use crate::dom::eventtarget::EventTarget;
use crate::dom::messageevent::MessageEvent;
use crate::dom::prelude::*;
use crate::dom::request::RequestExtras;
use crate::fetch::{Failure, FetchParams, StreamEvent};
use crate::timers::TimerHandler;

const CONNECTING: u16 = 0;
const OPEN: u16 = 1;
const CLOSED: u16 = 2;

/// The reconnection time a stream starts with (Chromium's).
const DEFAULT_RECONNECTION_MS: u64 = 3000;

#[derive(Trace)]
#[repr(C)]
pub struct EventSource {
    eventtarget: EventTarget,
    #[no_trace]
    url: Url,
    with_credentials: bool,
    ready_state: Cell<u16>,
    #[no_trace]
    parser: RefCell<EventStreamParser>,
    /// The request in flight (`crate::fetch`'s number), to cancel on `close()`.
    in_flight: Cell<Option<u64>>,
    /// Numbers the connections: what an older one delivers late is dropped.
    generation: Cell<u64>,
    /// The reconnection timer waiting, to clear on `close()`.
    reconnect_timer: Cell<Option<i32>>,
}

impl EventSource {
    /// <https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource>, the
    /// fetch: a new connection, numbered.
    fn connect(&self, cx: &mut JSContext) {
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let global = self.global();
        let mut headers = vec![("Accept".to_owned(), "text/event-stream".to_owned())];
        let last_event_id = self.parser.borrow().last_event_id.clone();
        if !last_event_id.is_empty() {
            headers.push(("Last-Event-ID".to_owned(), last_event_id));
        }
        let extras = RequestExtras {
            credentials: if self.with_credentials {
                RequestCredentials::Include
            } else {
                RequestCredentials::SameOrigin
            },
            cache: RequestCache::NoStore,
            ..RequestExtras::default()
        };
        let data = FetchRequestData {
            url: self.url.clone(),
            method: "GET".to_owned(),
            headers: headers.clone(),
            body: None,
            redirect: RequestRedirect::Follow.as_str().to_owned(),
            mode: RequestMode::Cors.as_str().to_owned(),
            credentials: extras.credentials.as_str().to_owned(),
            destination: String::new(),
            details: crate::fetch::request_details(global, &extras, &self.url),
        };
        let params = FetchParams {
            url: self.url.clone(),
            method: "GET".to_owned(),
            headers,
            body: None,
            redirect: RequestRedirect::Follow,
            mode: RequestMode::Cors,
            origin: global.origin(),
            referrer: None,
            referrer_policy: String::new(),
            cache: net::CacheMode::NoStore,
            initiator_type: "other",
        };
        let whole = DomRoot::from_ref(self);
        let streamed = DomRoot::from_ref(self);
        let id = crate::fetch::start_streaming(
            cx,
            global,
            params,
            data,
            Box::new(move |cx, _global, result, _by_worker| {
                whole.answered_whole(cx, generation, result)
            }),
            Box::new(move |cx, _global, event| streamed.stream_event(cx, generation, event)),
        );
        self.in_flight.set(Some(id));
    }

    /// A service worker's answer (or a blob's, or a failure before any response): the whole
    /// body at once, then its end.
    fn answered_whole(
        &self,
        cx: &mut JSContext,
        generation: u64,
        result: Result<crate::dom::response::ResponseParts, Failure>,
    ) {
        match result {
            Ok(mut parts) => {
                let body = parts.body.take().unwrap_or_default();
                self.stream_event(cx, generation, StreamEvent::Head(parts));
                if !body.is_empty() {
                    self.stream_event(cx, generation, StreamEvent::Chunk(body));
                }
                self.stream_event(cx, generation, StreamEvent::End(Ok(())));
            }
            Err(failure) => {
                if generation != self.generation.get() || self.ready_state.get() == CLOSED {
                    return;
                }
                self.in_flight.set(None);
                if let Failure::Network(reason) = &failure {
                    log::debug!(target: "bgsync::script::eventsource", "{}: {reason}", self.url);
                }
                self.reestablish(cx);
            }
        }
    }

    /// The connection's response, as it arrives.
    fn stream_event(&self, cx: &mut JSContext, generation: u64, event: StreamEvent) {
        if generation != self.generation.get() || self.ready_state.get() == CLOSED {
            return;
        }
        match event {
            StreamEvent::Head(parts) => {
                let is_event_stream = parts
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                    .and_then(|(_, value)| value.split(';').next())
                    .is_some_and(|essence| {
                        essence.trim().eq_ignore_ascii_case("text/event-stream")
                    });
                if parts.status != 200 || !is_event_stream {
                    return self.fail(cx);
                }
                let origin = parts.url.as_ref().unwrap_or(&self.url).origin();
                self.parser.borrow_mut().origin = origin.ascii_serialization();
                // Announce the connection.
                self.ready_state.set(OPEN);
                // SAFETY: fetch's tasks run in the global's realm.
                unsafe { self.upcast::<EventTarget>().fire_event(cx, "open") };
            }
            StreamEvent::Chunk(bytes) => {
                let limit = self.global().event_loop().loader().max_response_bytes();
                let events = self.parser.borrow_mut().feed(&bytes, limit);
                match events {
                    Ok(events) => {
                        for event in events {
                            if self.ready_state.get() == CLOSED
                                || generation != self.generation.get()
                            {
                                return;
                            }
                            self.dispatch(cx, event);
                        }
                    }
                    Err(reason) => {
                        self.global().console().message(
                            crate::dom::globalscope::ConsoleLevel::Warn,
                            &format!("EventSource {}: {reason}", self.url),
                        );
                        self.stop_reading();
                        self.fail(cx);
                    }
                }
            }
            StreamEvent::End(result) => {
                if let Err(reason) = result {
                    log::debug!(target: "bgsync::script::eventsource", "{}: {reason}", self.url);
                }
                self.in_flight.set(None);
                self.parser.borrow_mut().end_of_stream();
                self.reestablish(cx);
            }
        }
    }

    fn dispatch(&self, cx: &mut JSContext, event: ParsedEvent) {
        let global = self.global();
        let origin = self.parser.borrow().origin.clone();
        let message = MessageEvent::new_event_stream(
            cx,
            global,
            &event.event_type,
            &event.data,
            origin,
            event.last_event_id,
        );
        // SAFETY: fetch's tasks run in the global's realm.
        unsafe {
            self.upcast::<EventTarget>()
                .dispatch_event(cx, message.upcast::<Event>())
        };
    }

    /// <https://html.spec.whatwg.org/multipage/server-sent-events.html#reestablish-the-connection>
    fn reestablish(&self, cx: &mut JSContext) {
        if self.ready_state.get() == CLOSED {
            return;
        }
        self.ready_state.set(CONNECTING);
        // SAFETY: fetch's tasks run in the global's realm.
        unsafe { self.upcast::<EventTarget>().fire_event(cx, "error") };
        if self.ready_state.get() != CONNECTING {
            return;
        }
        let delay = self.parser.borrow().reconnection_ms;
        let handler =
            TimerHandler::EventSourceReconnect(DomRoot::from_ref(self), self.generation.get());
        let ms = i32::try_from(delay).unwrap_or(i32::MAX);
        let timer = self
            .global()
            .timers()
            .schedule(handler, ms, Vec::new(), false);
        self.reconnect_timer.set(Some(timer));
    }

    /// The reconnection timer of connection `generation` fired.
    pub fn reconnect(&self, cx: &mut JSContext, generation: u64) {
        self.reconnect_timer.set(None);
        if generation != self.generation.get() || self.ready_state.get() != CONNECTING {
            return;
        }
        self.connect(cx);
    }

    /// <https://html.spec.whatwg.org/multipage/server-sent-events.html#fail-the-connection>
    fn fail(&self, cx: &mut JSContext) {
        self.stop_reading();
        self.ready_state.set(CLOSED);
        // SAFETY: fetch's tasks run in the global's realm.
        unsafe { self.upcast::<EventTarget>().fire_event(cx, "error") };
    }

    fn stop_reading(&self) {
        if let Some(id) = self.in_flight.take() {
            crate::fetch::cancel(id);
        }
        if let Some(timer) = self.reconnect_timer.take() {
            self.global().timers().clear(timer);
        }
    }
}

impl EventSourceMethods for EventSource {
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        url: DOMString,
        init: &EventSourceInit,
    ) -> Fallible<DomRoot<EventSource>> {
        let parsed = global.base_url().join(&url).map_err(|_| {
            Error::dom(
                DOMErrorName::SyntaxError,
                format!("Failed to construct 'EventSource': Cannot open an EventSource to '{url}'. The URL is invalid."),
            )
        })?;
        let source = EventSourceBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(EventSource {
                eventtarget: EventTarget::new_inherited(),
                url: parsed,
                with_credentials: init.with_credentials,
                ready_state: Cell::new(CONNECTING),
                parser: RefCell::new(EventStreamParser::default()),
                in_flight: Cell::new(None),
                generation: Cell::new(0),
                reconnect_timer: Cell::new(None),
            }),
        );
        source.connect(cx);
        Ok(source)
    }

    fn Url(&self, _cx: &mut JSContext) -> DOMString {
        self.url.to_string()
    }

    fn WithCredentials(&self, _cx: &mut JSContext) -> bool {
        self.with_credentials
    }

    fn ReadyState(&self, _cx: &mut JSContext) -> u16 {
        self.ready_state.get()
    }

    fn Close(&self, _cx: &mut JSContext) {
        self.stop_reading();
        self.ready_state.set(CLOSED);
    }
}

/// An event the stream dispatches.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedEvent {
    pub event_type: String,
    pub data: String,
    pub last_event_id: String,
}

/// <https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>:
/// UTF-8 bytes in, the events they complete out. It keeps what a connection's stream leaves
/// for the next connection (the last event ID, the reconnection time).
#[derive(Debug)]
pub struct EventStreamParser {
    /// Bytes of a character the last chunk cut in two.
    pending_bytes: Vec<u8>,
    /// The line being read.
    line: String,
    /// The last chunk ended with CR: an LF first in the next one ends no new line.
    after_cr: bool,
    /// The stream's first character is not read yet (a BOM there is skipped).
    at_start: bool,
    data: String,
    event_type: String,
    last_event_id_buffer: String,
    pub last_event_id: String,
    pub reconnection_ms: u64,
    /// The serialization of the stream's final URL's origin (its events' `origin`).
    pub origin: String,
}

impl Default for EventStreamParser {
    fn default() -> Self {
        EventStreamParser {
            pending_bytes: Vec::new(),
            line: String::new(),
            after_cr: false,
            at_start: true,
            data: String::new(),
            event_type: String::new(),
            last_event_id_buffer: String::new(),
            last_event_id: String::new(),
            reconnection_ms: DEFAULT_RECONNECTION_MS,
            origin: String::new(),
        }
    }
}

impl EventStreamParser {
    /// Reads `bytes`; the events whose blank line they contain. An error when a line grows
    /// past `max_line_bytes`.
    pub fn feed(&mut self, bytes: &[u8], max_line_bytes: u64) -> Result<Vec<ParsedEvent>, String> {
        let mut input = std::mem::take(&mut self.pending_bytes);
        input.extend_from_slice(bytes);
        // Decode what is whole; keep a character cut at the end for the next chunk.
        let (text, rest) = match std::str::from_utf8(&input) {
            Ok(text) => (text.to_owned(), Vec::new()),
            Err(error) if error.error_len().is_none() => {
                let valid = error.valid_up_to();
                (
                    String::from_utf8_lossy(&input[..valid]).into_owned(),
                    input[valid..].to_vec(),
                )
            }
            Err(_) => {
                // Invalid bytes become U+FFFD; a cut character at the very end is kept.
                let cut = incomplete_tail(&input);
                (
                    String::from_utf8_lossy(&input[..input.len() - cut]).into_owned(),
                    input[input.len() - cut..].to_vec(),
                )
            }
        };
        self.pending_bytes = rest;
        let mut events = Vec::new();
        for character in text.chars() {
            if self.at_start {
                self.at_start = false;
                if character == '\u{feff}' {
                    continue;
                }
            }
            match character {
                '\n' if self.after_cr => self.after_cr = false,
                '\r' | '\n' => {
                    self.after_cr = character == '\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.process_line(&line) {
                        events.push(event);
                    }
                }
                other => {
                    self.after_cr = false;
                    self.line.push(other);
                    if self.line.len() as u64 > max_line_bytes {
                        return Err(format!(
                            "a line longer than {max_line_bytes} bytes (net.max_response_bytes)"
                        ));
                    }
                }
            }
        }
        Ok(events)
    }

    /// The stream ended: an event not ended by a blank line is dropped, and the next
    /// connection's stream starts afresh (keeping the last event ID and reconnection time).
    pub fn end_of_stream(&mut self) {
        self.pending_bytes.clear();
        self.line.clear();
        self.after_cr = false;
        self.at_start = true;
        self.data.clear();
        self.event_type.clear();
        self.last_event_id_buffer = self.last_event_id.clone();
    }

    fn process_line(&mut self, line: &str) -> Option<ParsedEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event_type = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_event_id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse() {
                    self.reconnection_ms = ms;
                }
            }
            _ => {}
        }
        None
    }

    /// <https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage>
    fn dispatch(&mut self) -> Option<ParsedEvent> {
        self.last_event_id = self.last_event_id_buffer.clone();
        if self.data.is_empty() {
            self.event_type.clear();
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        let event_type = match std::mem::take(&mut self.event_type) {
            event_type if event_type.is_empty() => "message".to_owned(),
            event_type => event_type,
        };
        Some(ParsedEvent {
            event_type,
            data,
            last_event_id: self.last_event_id.clone(),
        })
    }
}

/// How many bytes at the end of `bytes` start a UTF-8 character that is not whole yet.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let byte = bytes[bytes.len() - back];
        if byte & 0b1100_0000 != 0b1000_0000 {
            let needed = match byte {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => 1,
            };
            return if needed > back { back } else { 0 };
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> (Vec<ParsedEvent>, EventStreamParser) {
        let mut parser = EventStreamParser::default();
        let mut found = Vec::new();
        for chunk in chunks {
            found.extend(parser.feed(chunk, 1 << 20).unwrap());
        }
        (found, parser)
    }

    fn event(event_type: &str, data: &str, id: &str) -> ParsedEvent {
        ParsedEvent {
            event_type: event_type.into(),
            data: data.into(),
            last_event_id: id.into(),
        }
    }

    #[test]
    fn fields_make_events_at_blank_lines() {
        let (found, parser) = events(&[
            b"\xef\xbb\xbfdata: one\n\n: a comment\nevent: update\ndata:two\ndata: lines\nid: 7\n\n",
            b"data\n\nretry: 1500\nretry: soon\n",
        ]);
        assert_eq!(
            found,
            [
                event("message", "one", ""),
                event("update", "two\nlines", "7"),
                event("message", "", "7"),
            ]
        );
        assert_eq!(parser.reconnection_ms, 1500);
    }

    #[test]
    fn line_ends_and_characters_may_be_cut_between_chunks() {
        let (found, _) = events(&[b"data: caf\xc3", b"\xa9\r", b"\n\r\ndata: b\r\r"]);
        assert_eq!(
            found,
            [event("message", "café", ""), event("message", "b", "")]
        );
    }

    #[test]
    fn an_event_without_data_only_sets_the_id_and_an_unended_one_is_dropped() {
        let (found, mut parser) = events(&[b"id: 3\nevent: x\n\ndata: cut"]);
        assert!(found.is_empty());
        assert_eq!(parser.last_event_id, "3");
        parser.end_of_stream();
        let again = parser.feed(b"\ndata: next\n\n", 1 << 20).unwrap();
        assert_eq!(again, [event("message", "next", "3")]);
    }

    #[test]
    fn an_id_with_nul_is_ignored_and_a_long_line_is_an_error() {
        let (found, _) = events(&[b"id: a\0b\ndata: x\n\n"]);
        assert_eq!(found, [event("message", "x", "")]);
        let mut parser = EventStreamParser::default();
        assert!(parser.feed(&[b'x'; 100], 50).is_err());
    }
}

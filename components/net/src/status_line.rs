//! The reason phrase of an HTTP/1.1 response (`HTTP/1.1 200 Fine Thanks`),
//! which `Response.statusText` exposes and `ureq` does not keep.
//!
//! [`StatusLineConnector`] wraps ureq's default connector (TCP, TLS, proxies):
//! every connection's transport watches the bytes it receives after sending a
//! request, and records the first line of the response in a thread-local
//! slot. ureq runs a request on the calling thread, so [`HttpClient`] clears
//! the slot before it runs one and takes the line after: the line belongs to
//! that request. [`reason_phrase`] then checks that the line is a status line
//! whose code is the response's, so a line from anything else (an informational
//! `100 Continue`, or a response ureq rejected) is never shown.
//!
//! [`HttpClient`]: crate::http::HttpClient

use std::cell::RefCell;

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};

thread_local! {
    /// The first line of the last response received on this thread.
    static STATUS_LINE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// The longest first line recorded; a longer one is no status line we show.
const MAX_STATUS_LINE: usize = 8 * 1024;

/// Forgets the line of an earlier request on this thread.
pub(crate) fn clear() {
    STATUS_LINE.with(|line| line.borrow_mut().take());
}

/// The first line of the response received on this thread since [`clear`].
pub(crate) fn take() -> Option<Vec<u8>> {
    STATUS_LINE.with(|line| line.borrow_mut().take())
}

/// The reason phrase of `line` if it is an HTTP/1.x status line with
/// `status`; its bytes as Latin-1 characters (a ByteString, as Fetch keeps
/// it). `None` for anything else.
pub(crate) fn reason_phrase(line: &[u8], status: u16) -> Option<String> {
    let rest = line
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| line.strip_prefix(b"HTTP/1.0 "))?;
    let (code, reason) = match rest.iter().position(|&byte| byte == b' ') {
        Some(space) => (&rest[..space], &rest[space + 1..]),
        None => (rest, &[][..]),
    };
    if code.len() != 3 || std::str::from_utf8(code).ok()?.parse::<u16>().ok()? != status {
        return None;
    }
    // obs-text is allowed; control characters other than tab are not.
    if reason
        .iter()
        .any(|&byte| byte != b'\t' && (byte < 0x20 || byte == 0x7f))
    {
        return None;
    }
    Some(reason.iter().map(|&byte| char::from(byte)).collect())
}

/// ureq's default connector, with transports that record status lines.
#[derive(Debug, Default)]
pub(crate) struct StatusLineConnector {
    inner: DefaultConnector,
}

impl Connector<()> for StatusLineConnector {
    type Out = StatusLineTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<StatusLineTransport>, ureq::Error> {
        Ok(self
            .inner
            .connect(details, chained)?
            .map(|inner| StatusLineTransport {
                inner,
                awaiting_status: false,
            }))
    }
}

/// A transport that records the first line it receives after each request.
#[derive(Debug)]
pub(crate) struct StatusLineTransport {
    inner: Box<dyn Transport>,
    /// A request went out and its response's first line was not seen yet.
    awaiting_status: bool,
}

impl Transport for StatusLineTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.awaiting_status = true;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let progress = self.inner.await_input(timeout)?;
        if self.awaiting_status {
            let input = self.inner.buffers().input();
            match input.windows(2).position(|pair| pair == b"\r\n") {
                Some(end) => {
                    let line = input[..end.min(MAX_STATUS_LINE)].to_vec();
                    STATUS_LINE.with(|slot| *slot.borrow_mut() = Some(line));
                    self.awaiting_status = false;
                }
                // No whole line after this much: not one we would show.
                None if input.len() > MAX_STATUS_LINE => self.awaiting_status = false,
                None => {}
            }
        }
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_phrase_is_the_rest_of_a_matching_status_line() {
        assert_eq!(
            reason_phrase(b"HTTP/1.1 200 Fine Thanks", 200).as_deref(),
            Some("Fine Thanks")
        );
        assert_eq!(reason_phrase(b"HTTP/1.0 404 ", 404).as_deref(), Some(""));
        assert_eq!(reason_phrase(b"HTTP/1.1 204", 204).as_deref(), Some(""));
        // Bytes above 0x7f are Latin-1 characters, as a ByteString holds them.
        assert_eq!(
            reason_phrase(b"HTTP/1.1 200 caf\xe9", 200).as_deref(),
            Some("caf\u{e9}")
        );
    }

    #[test]
    fn other_lines_have_no_reason_phrase() {
        assert_eq!(reason_phrase(b"HTTP/1.1 100 Continue", 200), None);
        assert_eq!(reason_phrase(b"HTTP/2 200 OK", 200), None);
        assert_eq!(reason_phrase(b"HTTP/1.1 2000 OK", 200), None);
        assert_eq!(reason_phrase(b"HTTP/1.1 200 bad\x01", 200), None);
        assert_eq!(reason_phrase(b"<html>", 200), None);
    }
}

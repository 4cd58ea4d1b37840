//! The Linux event source: rtnetlink link and address notifications.
//!
//! Two `NETLINK_ROUTE` sockets. The *event* socket joins `RTMGRP_LINK`,
//! `RTMGRP_IPV4_IFADDR` and `RTMGRP_IPV6_IFADDR` before anything else, so
//! no change between the initial dump and the first notification is lost.
//! The *dump* socket asks for `RTM_GETLINK` and `RTM_GETADDR` dumps: once at
//! start (on the caller's thread, so `start()` returns knowing the state)
//! and again whenever the kernel drops notifications (`ENOBUFS`: the event
//! socket overran), in which case the batch starts with
//! [`InterfaceEvent::Reset`]. Keeping dumps off the event socket means their
//! replies never interleave with notifications.
//!
//! The listener thread sleeps in `epoll` (mio) on the event socket and a
//! waker: no polling loop, and dropping the source wakes and joins it.
//! Parsing goes attribute by attribute, so an attribute this version of
//! `netlink-packet-route` cannot decode costs that attribute, not the
//! message.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::Sender;
use mio::{Events, Interest, Poll, Token, Waker};
use netlink_packet_core::{
    Emitable, ErrorBuffer, NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    NlasIterator, Parseable, ParseableParametrized, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeader, AddressHeaderFlags, AddressMessage,
};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkHeader, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};

use super::interfaces::InterfaceEvent;
use super::LOG_TARGET;

/// The multicast groups of `man 7 rtnetlink` the observer needs.
const GROUPS: u32 =
    (libc::RTMGRP_LINK | libc::RTMGRP_IPV4_IFADDR | libc::RTMGRP_IPV6_IFADDR) as u32;

/// `SO_RCVBUF` of the event socket: room for a burst of notifications
/// (a flapping link, a VPN adding hundreds of addresses) before the kernel
/// drops some and we have to dump again.
const EVENT_SOCKET_RECEIVE_BUFFER_BYTES: libc::c_int = 1 << 20;

/// Largest datagram read at once; the kernel's dump and notification
/// datagrams are far smaller (one page, or 32 KiB at most).
const DATAGRAM_BYTES: usize = 64 * 1024;

/// A dump whose messages carry `NLM_F_DUMP_INTR` (the tables changed while
/// being dumped) is taken again, this many times at most.
const DUMP_ATTEMPTS: u32 = 5;

const EVENT_SOCKET: Token = Token(0);
const WAKER: Token = Token(1);

/// The running listener; dropping it stops and joins its thread.
pub(super) struct NetlinkSource {
    waker: Arc<Waker>,
    thread: Option<JoinHandle<()>>,
}

impl NetlinkSource {
    /// Subscribes, dumps the current links and addresses (returned), and
    /// starts the thread that sends every later batch of notifications to
    /// `updates`.
    pub(super) fn start(
        updates: Sender<Vec<InterfaceEvent>>,
    ) -> io::Result<(NetlinkSource, Vec<InterfaceEvent>)> {
        let mut event_socket = Socket::new(NETLINK_ROUTE)?;
        event_socket.bind(&SocketAddr::new(0, GROUPS))?;
        if let Err(error) = event_socket.set_rx_buf_sz(EVENT_SOCKET_RECEIVE_BUFFER_BYTES) {
            log::debug!(target: LOG_TARGET, "netlink receive buffer left as is: {error}");
        }
        event_socket.set_non_blocking(true)?;

        let mut dumper = Dumper::new()?;
        let initial = dumper.dump()?;

        let poll = Poll::new()?;
        poll.registry()
            .register(&mut event_socket, EVENT_SOCKET, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let listener = Listener {
            event_socket,
            dumper,
            poll,
            updates,
            datagram: Vec::with_capacity(DATAGRAM_BYTES),
        };
        let thread = thread::Builder::new()
            .name("bgsync-netlink".to_owned())
            .spawn(move || listener.run())?;
        Ok((
            NetlinkSource {
                waker,
                thread: Some(thread),
            },
            initial,
        ))
    }
}

impl Drop for NetlinkSource {
    fn drop(&mut self) {
        if let Err(error) = self.waker.wake() {
            // Without the wake-up the thread stays parked in epoll until the
            // next notification: leak it rather than hang the caller.
            log::warn!(target: LOG_TARGET, "could not stop the netlink listener: {error}");
            return;
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Listener {
    event_socket: Socket,
    dumper: Dumper,
    poll: Poll,
    updates: Sender<Vec<InterfaceEvent>>,
    datagram: Vec<u8>,
}

impl Listener {
    fn run(mut self) {
        let mut events = Events::with_capacity(4);
        loop {
            match self.poll.poll(&mut events, None) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    log::error!(target: LOG_TARGET, "netlink listener: epoll failed: {error}");
                    return;
                }
            }
            if events.iter().any(|event| event.token() == WAKER) {
                return;
            }
            let batch = match self.drain() {
                Ok(batch) => batch,
                Err(error) => {
                    log::error!(target: LOG_TARGET, "netlink listener stopped: {error}");
                    return;
                }
            };
            if !batch.is_empty() && self.updates.send(batch).is_err() {
                return;
            }
        }
    }

    /// Reads every queued datagram (epoll is edge-triggered here) into one
    /// batch, or a fresh dump when the kernel dropped some.
    fn drain(&mut self) -> io::Result<Vec<InterfaceEvent>> {
        let mut batch = Vec::new();
        let mut lost = false;
        loop {
            match receive(&self.event_socket, &mut self.datagram) {
                Ok(Received::Complete) => {
                    for_each_message(&self.datagram, |message| {
                        if let Some(event) = parse_event(message.message_type, message.payload) {
                            batch.push(event);
                        }
                    });
                }
                Ok(Received::Truncated) => lost = true,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if error.raw_os_error() == Some(libc::ENOBUFS) => lost = true,
                Err(error) => return Err(error),
            }
        }
        if lost {
            log::info!(
                target: LOG_TARGET,
                "netlink notifications were lost; dumping the interfaces again"
            );
            // The dump is newer than anything drained: it replaces the batch.
            batch = vec![InterfaceEvent::Reset];
            batch.extend(self.dumper.dump()?);
        }
        Ok(batch)
    }
}

/// A blocking socket for `RTM_GETLINK`/`RTM_GETADDR` dumps.
struct Dumper {
    socket: Socket,
    sequence: u32,
    datagram: Vec<u8>,
}

impl Dumper {
    fn new() -> io::Result<Dumper> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind_auto()?;
        Ok(Dumper {
            socket,
            sequence: 0,
            datagram: Vec::with_capacity(DATAGRAM_BYTES),
        })
    }

    /// Every link, then every address, as events for an empty table.
    fn dump(&mut self) -> io::Result<Vec<InterfaceEvent>> {
        for _ in 0..DUMP_ATTEMPTS {
            let mut events = Vec::new();
            let links = RouteNetlinkMessage::GetLink(LinkMessage::default());
            let links_interrupted = self.dump_one(links, &mut events)?;
            let addresses = RouteNetlinkMessage::GetAddress(AddressMessage::default());
            let addresses_interrupted = self.dump_one(addresses, &mut events)?;
            if !links_interrupted && !addresses_interrupted {
                return Ok(events);
            }
        }
        Err(io::Error::other(format!(
            "the interface tables changed during each of {DUMP_ATTEMPTS} dumps"
        )))
    }

    /// Sends one dump request and collects its replies; true when the
    /// kernel flagged the dump as inconsistent.
    fn dump_one(
        &mut self,
        request: RouteNetlinkMessage,
        events: &mut Vec<InterfaceEvent>,
    ) -> io::Result<bool> {
        self.sequence = self.sequence.wrapping_add(1);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        header.sequence_number = self.sequence;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(request));
        packet.finalize();
        let mut bytes = vec![0; packet.buffer_len()];
        packet.serialize(&mut bytes);
        self.socket.send_to(&bytes, &SocketAddr::new(0, 0), 0)?;

        let mut interrupted = false;
        loop {
            match receive(&self.socket, &mut self.datagram) {
                Ok(Received::Complete) => {}
                Ok(Received::Truncated) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "a netlink dump datagram was larger than the buffer",
                    ))
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
            let mut outcome = None;
            for_each_message(&self.datagram, |message| {
                if message.sequence_number != self.sequence || outcome.is_some() {
                    return;
                }
                if message.flags & NLM_F_DUMP_INTR != 0 {
                    interrupted = true;
                }
                match message.message_type {
                    netlink_packet_core::NLMSG_DONE => outcome = Some(Ok(())),
                    netlink_packet_core::NLMSG_ERROR => {
                        let code = ErrorBuffer::new_checked(message.payload)
                            .ok()
                            .and_then(|error| error.code());
                        outcome = Some(match code {
                            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                            None => Ok(()),
                        });
                    }
                    message_type => events.extend(parse_event(message_type, message.payload)),
                }
            });
            if let Some(outcome) = outcome {
                return outcome.map(|()| interrupted);
            }
        }
    }
}

enum Received {
    Complete,
    Truncated,
}

/// Reads one datagram into `datagram` (its previous content discarded).
fn receive(socket: &Socket, datagram: &mut Vec<u8>) -> io::Result<Received> {
    datagram.clear();
    // MSG_TRUNC: the return value is the datagram's real length, so a
    // truncated one is noticed.
    let length = socket.recv(datagram, libc::MSG_TRUNC)?;
    if length > datagram.len() {
        datagram.clear();
        return Ok(Received::Truncated);
    }
    Ok(Received::Complete)
}

struct Message<'a> {
    message_type: u16,
    flags: u16,
    sequence_number: u32,
    payload: &'a [u8],
}

/// Calls `f` with each netlink message of a datagram; a malformed one ends
/// the datagram (its length can no longer be trusted).
fn for_each_message(datagram: &[u8], mut f: impl FnMut(Message<'_>)) {
    let mut offset = 0;
    while offset < datagram.len() {
        let buffer = match NetlinkBuffer::new_checked(&datagram[offset..]) {
            Ok(buffer) => buffer,
            Err(error) => {
                log::warn!(target: LOG_TARGET, "malformed netlink datagram dropped: {error}");
                return;
            }
        };
        let length = buffer.length() as usize;
        f(Message {
            message_type: buffer.message_type(),
            flags: buffer.flags(),
            sequence_number: buffer.sequence_number(),
            payload: buffer.payload(),
        });
        // NLMSG_ALIGN
        offset += (length + 3) & !3;
    }
}

/// The event a `RTM_{NEW,DEL}{LINK,ADDR}` message means, if any.
fn parse_event(message_type: u16, payload: &[u8]) -> Option<InterfaceEvent> {
    match message_type {
        libc::RTM_NEWLINK | libc::RTM_DELLINK => parse_link(message_type, payload),
        libc::RTM_NEWADDR | libc::RTM_DELADDR => parse_address(message_type, payload),
        _ => None,
    }
}

fn parse_link(message_type: u16, payload: &[u8]) -> Option<InterfaceEvent> {
    let header = LinkHeader::parse(payload)
        .map_err(|error| log::debug!(target: LOG_TARGET, "bad link message: {error}"))
        .ok()?;
    // AF_BRIDGE messages are about bridge ports: an RTM_DELLINK of that
    // family means "left its bridge", not "removed".
    if header.interface_family == AddressFamily::Bridge {
        return None;
    }
    if message_type == libc::RTM_DELLINK {
        return Some(InterfaceEvent::LinkRemoved {
            index: header.index,
        });
    }
    let attributes = payload.get(header.buffer_len()..).unwrap_or_default();
    let name = NlasIterator::new(attributes)
        .map_while(Result::ok)
        .find_map(
            |nla| match LinkAttribute::parse_with_param(&nla, header.interface_family) {
                Ok(LinkAttribute::IfName(name)) => Some(name),
                _ => None,
            },
        )
        .unwrap_or_default();
    Some(InterfaceEvent::Link {
        index: header.index,
        name,
        up: header.flags.contains(LinkFlags::Up),
        running: header.flags.contains(LinkFlags::Running),
        loopback: header.flags.contains(LinkFlags::Loopback),
    })
}

fn parse_address(message_type: u16, payload: &[u8]) -> Option<InterfaceEvent> {
    let header = AddressHeader::parse(payload)
        .map_err(|error| log::debug!(target: LOG_TARGET, "bad address message: {error}"))
        .ok()?;
    let mut local = None;
    let mut address = None;
    let mut flags = None;
    let attributes = payload.get(header.buffer_len()..).unwrap_or_default();
    for nla in NlasIterator::new(attributes).map_while(Result::ok) {
        match AddressAttribute::parse(&nla) {
            Ok(AddressAttribute::Local(ip)) => local = Some(ip),
            Ok(AddressAttribute::Address(ip)) => address = Some(ip),
            Ok(AddressAttribute::Flags(all)) => flags = Some(all),
            _ => {}
        }
    }
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's
    // on point-to-point links (and the same as IFA_LOCAL elsewhere).
    let address: IpAddr = local.or(address)?;
    if message_type == libc::RTM_DELADDR {
        return Some(InterfaceEvent::AddressRemoved {
            index: header.index,
            address,
        });
    }
    // IFA_FLAGS (32 bits) supersedes the header's 8-bit copy when present.
    let tentative = match flags {
        Some(flags) => flags.intersects(AddressFlags::Tentative | AddressFlags::Dadfailed),
        None => header
            .flags
            .intersects(AddressHeaderFlags::Tentative | AddressHeaderFlags::Dadfailed),
    };
    Some(InterfaceEvent::AddressAdded {
        index: header.index,
        address,
        tentative,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serialize(message: RouteNetlinkMessage) -> Vec<u8> {
        let mut packet = NetlinkMessage::new(
            NetlinkHeader::default(),
            NetlinkPayload::InnerMessage(message),
        );
        packet.finalize();
        let mut bytes = vec![0; packet.buffer_len()];
        packet.serialize(&mut bytes);
        bytes
    }

    fn events_of(datagram: &[u8]) -> Vec<InterfaceEvent> {
        let mut events = Vec::new();
        for_each_message(datagram, |message| {
            events.extend(parse_event(message.message_type, message.payload))
        });
        events
    }

    fn link_message(index: u32, name: &str, flags: LinkFlags) -> LinkMessage {
        let mut message = LinkMessage::default();
        message.header.index = index;
        message.header.flags = flags;
        message
            .attributes
            .push(LinkAttribute::IfName(name.to_owned()));
        message
    }

    #[test]
    fn link_messages_become_link_events() {
        let up = LinkFlags::Up | LinkFlags::Running | LinkFlags::Broadcast;
        let mut datagram = serialize(RouteNetlinkMessage::NewLink(link_message(4, "eth0", up)));
        datagram.extend(serialize(RouteNetlinkMessage::DelLink(link_message(
            5,
            "veth1",
            LinkFlags::empty(),
        ))));
        assert_eq!(
            events_of(&datagram),
            [
                InterfaceEvent::Link {
                    index: 4,
                    name: "eth0".to_owned(),
                    up: true,
                    running: true,
                    loopback: false,
                },
                InterfaceEvent::LinkRemoved { index: 5 },
            ]
        );
    }

    #[test]
    fn bridge_port_messages_are_not_link_removals() {
        let mut message = link_message(6, "eth2", LinkFlags::Up);
        message.header.interface_family = AddressFamily::Bridge;
        let datagram = serialize(RouteNetlinkMessage::DelLink(message));
        assert_eq!(events_of(&datagram), []);
    }

    #[test]
    fn address_messages_prefer_the_local_address_and_see_tentative_flags() {
        let mut message = AddressMessage::default();
        message.header.family = AddressFamily::Inet;
        message.header.index = 4;
        message.header.prefix_len = 32;
        let peer: IpAddr = "203.0.113.1".parse().unwrap();
        let local: IpAddr = "203.0.113.2".parse().unwrap();
        message.attributes.push(AddressAttribute::Address(peer));
        message.attributes.push(AddressAttribute::Local(local));
        let datagram = serialize(RouteNetlinkMessage::NewAddress(message.clone()));
        assert_eq!(
            events_of(&datagram),
            [InterfaceEvent::AddressAdded {
                index: 4,
                address: local,
                tentative: false,
            }]
        );

        let mut tentative = AddressMessage::default();
        tentative.header.family = AddressFamily::Inet6;
        tentative.header.index = 4;
        let v6: IpAddr = "2001:db8::4".parse().unwrap();
        tentative.attributes.push(AddressAttribute::Address(v6));
        tentative
            .attributes
            .push(AddressAttribute::Flags(AddressFlags::Tentative));
        let mut datagram = serialize(RouteNetlinkMessage::NewAddress(tentative));
        datagram.extend(serialize(RouteNetlinkMessage::DelAddress(message)));
        assert_eq!(
            events_of(&datagram),
            [
                InterfaceEvent::AddressAdded {
                    index: 4,
                    address: v6,
                    tentative: true,
                },
                InterfaceEvent::AddressRemoved {
                    index: 4,
                    address: local,
                },
            ]
        );
    }

    #[test]
    fn a_malformed_datagram_yields_what_came_before_it() {
        let mut datagram = serialize(RouteNetlinkMessage::NewLink(link_message(
            4,
            "eth0",
            LinkFlags::Up,
        )));
        // A header whose length runs past the end of the datagram.
        datagram.extend([0xff, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(events_of(&datagram).len(), 1);
        assert_eq!(events_of(&[1, 2, 3]), []);
    }
}

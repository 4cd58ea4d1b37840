//! What the OS told us about its interfaces, and whether that makes us online.
//!
//! [`InterfaceTable`] is the observer's model of the kernel's link and
//! address tables, fed by [`InterfaceEvent`]s (from netlink, or a test).
//! It knows nothing about sockets, threads or time: it answers "online or
//! not?" and "because of what?", which the debounce and the log need.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::Connectivity;

/// One fact about the OS's interfaces, as rtnetlink reports it (a dump at
/// start, then notifications). The observer's event source produces these;
/// [`super::NetworkObserver::start_with_source`] lets a test produce them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterfaceEvent {
    /// `RTM_NEWLINK`: an interface exists, with these flags (a new one, or a
    /// change of an existing one).
    Link {
        /// The kernel's interface index, the key of every other event.
        index: u32,
        /// `IFLA_IFNAME`; empty when the message carried none (the name
        /// already known is kept).
        name: String,
        /// `IFF_UP`: administratively up.
        up: bool,
        /// `IFF_RUNNING`: operationally up (the kernel sets it for oper
        /// state `UP` and `UNKNOWN`).
        running: bool,
        /// `IFF_LOOPBACK`: never counts towards being online.
        loopback: bool,
    },
    /// `RTM_DELLINK`: the interface is gone, with its addresses.
    LinkRemoved { index: u32 },
    /// `RTM_NEWADDR`: an address on an interface (new, or its flags changed).
    AddressAdded {
        index: u32,
        address: IpAddr,
        /// `IFA_F_TENTATIVE` or `IFA_F_DADFAILED`: not usable (yet).
        tentative: bool,
    },
    /// `RTM_DELADDR`.
    AddressRemoved { index: u32, address: IpAddr },
    /// Forget every interface: the source lost track (a socket overrun) and
    /// the rest of its batch is a fresh dump.
    Reset,
}

impl InterfaceEvent {
    fn index(&self) -> Option<u32> {
        match self {
            InterfaceEvent::Link { index, .. }
            | InterfaceEvent::LinkRemoved { index }
            | InterfaceEvent::AddressAdded { index, .. }
            | InterfaceEvent::AddressRemoved { index, .. } => Some(*index),
            InterfaceEvent::Reset => None,
        }
    }
}

/// Whether an address can reach beyond the link: not loopback, not
/// unspecified, not link-local (IPv4 169.254/16, IPv6 fe80::/10).
pub(crate) fn is_routable(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified() && !v4.is_link_local(),
        IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unspecified() && !v6.is_unicast_link_local(),
    }
}

#[derive(Clone, Debug, Default)]
struct Link {
    name: String,
    up: bool,
    running: bool,
    loopback: bool,
}

impl Link {
    fn counts(&self) -> bool {
        self.up && self.running && !self.loopback
    }
}

/// The links and addresses the OS reported, keyed by interface index.
#[derive(Debug, Default)]
pub(crate) struct InterfaceTable {
    links: BTreeMap<u32, Link>,
    /// Address -> tentative. Kept for indexes whose link is not known yet
    /// too: an address notification may arrive before its link's.
    addresses: BTreeMap<u32, BTreeMap<IpAddr, bool>>,
}

impl InterfaceTable {
    /// Online when some non-loopback interface is up and running with a
    /// routable, non-tentative address.
    pub(crate) fn state(&self) -> Connectivity {
        if self.first_usable().is_some() {
            Connectivity::Online
        } else {
            Connectivity::Offline
        }
    }

    /// Applies a batch of events. When the state after the batch differs
    /// from the state before it, returns the new state and the cause: the
    /// event that last flipped it. (A flip and back inside one batch is
    /// invisible, like a flap inside the debounce window.)
    pub(crate) fn apply_batch(
        &mut self,
        batch: &[InterfaceEvent],
    ) -> Option<(Connectivity, String)> {
        let before = self.state();
        let mut current = before;
        let mut cause = String::new();
        for event in batch {
            // The name before the event: a removed link's name is gone after.
            let name = event.index().map(|index| self.name(index));
            self.apply(event);
            let now = self.state();
            if now != current {
                cause = self.explain(event, now, name.as_deref().unwrap_or_default());
                current = now;
            }
        }
        (current != before).then_some((current, cause))
    }

    /// Why the table is in its current state, for the log at start and
    /// after a reset: "eth0 up with 192.0.2.2", or that nothing qualifies.
    pub(crate) fn describe(&self) -> String {
        match self.first_usable() {
            Some((index, address)) => format!("{} up with {address}", self.name(index)),
            None => "no interface is up with a routable address".to_owned(),
        }
    }

    fn apply(&mut self, event: &InterfaceEvent) {
        match event {
            InterfaceEvent::Link {
                index,
                name,
                up,
                running,
                loopback,
            } => {
                let link = self.links.entry(*index).or_default();
                if !name.is_empty() {
                    link.name.clone_from(name);
                }
                link.up = *up;
                link.running = *running;
                link.loopback = *loopback;
            }
            InterfaceEvent::LinkRemoved { index } => {
                self.links.remove(index);
                self.addresses.remove(index);
            }
            InterfaceEvent::AddressAdded {
                index,
                address,
                tentative,
            } => {
                self.addresses
                    .entry(*index)
                    .or_default()
                    .insert(*address, *tentative);
            }
            InterfaceEvent::AddressRemoved { index, address } => {
                if let Some(addresses) = self.addresses.get_mut(index) {
                    addresses.remove(address);
                    if addresses.is_empty() {
                        self.addresses.remove(index);
                    }
                }
            }
            InterfaceEvent::Reset => {
                self.links.clear();
                self.addresses.clear();
            }
        }
    }

    /// The cause of a flip to `now` by `event`; `name` is the interface's
    /// name from before the event.
    fn explain(&self, event: &InterfaceEvent, now: Connectivity, name: &str) -> String {
        if now == Connectivity::Online {
            // Name the interface the event made usable (another one may have
            // been usable in the same batch: prefer the event's).
            let usable = event
                .index()
                .and_then(|index| Some((index, self.usable_address(index)?)))
                .or_else(|| self.first_usable());
            return match usable {
                Some((index, address)) => format!("{} up with {address}", self.name(index)),
                None => self.describe(),
            };
        }
        match event {
            InterfaceEvent::Link {
                up,
                running,
                loopback,
                ..
            } => {
                if !up {
                    format!("{name} went down")
                } else if !running {
                    format!("{name} lost its carrier")
                } else if *loopback {
                    format!("{name} became a loopback interface")
                } else {
                    format!("{name} changed")
                }
            }
            InterfaceEvent::LinkRemoved { .. } => format!("{name} was removed"),
            InterfaceEvent::AddressRemoved { index, address } => {
                if self.addresses.contains_key(index) {
                    format!("{name} lost its last routable address {address}")
                } else {
                    format!("{name} lost its last address {address}")
                }
            }
            InterfaceEvent::AddressAdded { address, .. } => {
                format!("{name}'s address {address} is not usable (tentative)")
            }
            InterfaceEvent::Reset => "the interface list was reset".to_owned(),
        }
    }

    fn name(&self, index: u32) -> String {
        match self.links.get(&index) {
            Some(link) if !link.name.is_empty() => link.name.clone(),
            _ => format!("interface #{index}"),
        }
    }

    /// The first routable, non-tentative address of `index`, if that
    /// interface counts at all.
    fn usable_address(&self, index: u32) -> Option<IpAddr> {
        if !self.links.get(&index)?.counts() {
            return None;
        }
        self.addresses
            .get(&index)?
            .iter()
            .find(|(address, tentative)| !**tentative && is_routable(address))
            .map(|(address, _)| *address)
    }

    fn first_usable(&self) -> Option<(u32, IpAddr)> {
        self.links
            .keys()
            .find_map(|&index| Some((index, self.usable_address(index)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Connectivity::{Offline, Online};

    fn link(index: u32, name: &str, up: bool, running: bool) -> InterfaceEvent {
        InterfaceEvent::Link {
            index,
            name: name.to_owned(),
            up,
            running,
            loopback: false,
        }
    }

    fn loopback(index: u32) -> InterfaceEvent {
        InterfaceEvent::Link {
            index,
            name: "lo".to_owned(),
            up: true,
            running: true,
            loopback: true,
        }
    }

    fn address(index: u32, address: &str) -> InterfaceEvent {
        InterfaceEvent::AddressAdded {
            index,
            address: address.parse().unwrap(),
            tentative: false,
        }
    }

    fn removed(index: u32, address: &str) -> InterfaceEvent {
        InterfaceEvent::AddressRemoved {
            index,
            address: address.parse().unwrap(),
        }
    }

    #[test]
    fn an_empty_table_is_offline() {
        let table = InterfaceTable::default();
        assert_eq!(table.state(), Offline);
        assert_eq!(
            table.describe(),
            "no interface is up with a routable address"
        );
    }

    #[test]
    fn loopback_never_counts_even_with_a_routable_address() {
        let mut table = InterfaceTable::default();
        let flip = table.apply_batch(&[
            loopback(1),
            address(1, "127.0.0.1"),
            address(1, "::1"),
            address(1, "192.0.2.9"),
        ]);
        assert_eq!(flip, None);
        assert_eq!(table.state(), Offline);
    }

    #[test]
    fn an_up_running_interface_with_an_ipv4_address_is_online() {
        let mut table = InterfaceTable::default();
        let flip = table.apply_batch(&[
            loopback(1),
            address(1, "127.0.0.1"),
            link(2, "wlan0", true, true),
            address(2, "192.168.1.4"),
        ]);
        assert_eq!(flip, Some((Online, "wlan0 up with 192.168.1.4".to_owned())));
    }

    #[test]
    fn link_local_addresses_do_not_count() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[
            link(2, "eth0", true, true),
            address(2, "169.254.10.20"),
            address(2, "fe80::1"),
            address(2, "febf::1"),
        ]);
        assert_eq!(table.state(), Offline);
        // fec0::/10 (deprecated site-local) is outside fe80::/10.
        let flip = table.apply_batch(&[address(2, "2001:db8::5")]);
        assert_eq!(flip, Some((Online, "eth0 up with 2001:db8::5".to_owned())));
    }

    #[test]
    fn a_tentative_address_counts_once_dad_completes() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[
            link(3, "eth1", true, true),
            InterfaceEvent::AddressAdded {
                index: 3,
                address: "2001:db8::7".parse().unwrap(),
                tentative: true,
            },
        ]);
        assert_eq!(table.state(), Offline);
        let flip = table.apply_batch(&[address(3, "2001:db8::7")]);
        assert_eq!(flip, Some((Online, "eth1 up with 2001:db8::7".to_owned())));
    }

    #[test]
    fn an_interface_that_is_up_without_carrier_does_not_count() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[link(2, "eth0", true, false), address(2, "192.0.2.2")]);
        assert_eq!(table.state(), Offline);
        let flip = table.apply_batch(&[link(2, "", true, true)]);
        assert_eq!(flip, Some((Online, "eth0 up with 192.0.2.2".to_owned())));
        let flip = table.apply_batch(&[link(2, "", true, false)]);
        assert_eq!(flip, Some((Offline, "eth0 lost its carrier".to_owned())));
        let flip = table.apply_batch(&[link(2, "", true, true), link(2, "", false, false)]);
        assert_eq!(flip, None, "up and down again in one batch");
        assert_eq!(table.state(), Offline);
    }

    #[test]
    fn causes_of_going_offline_name_the_interface_and_what_happened() {
        let mut table = InterfaceTable::default();
        let online = [link(2, "eth0", true, true), address(2, "192.0.2.2")];
        table.apply_batch(&online);

        let flip = table.apply_batch(&[removed(2, "192.0.2.2")]);
        assert_eq!(
            flip,
            Some((Offline, "eth0 lost its last address 192.0.2.2".to_owned()))
        );

        table.apply_batch(&[address(2, "192.0.2.2"), address(2, "fe80::2")]);
        let flip = table.apply_batch(&[removed(2, "192.0.2.2")]);
        assert_eq!(
            flip,
            Some((
                Offline,
                "eth0 lost its last routable address 192.0.2.2".to_owned()
            ))
        );

        table.apply_batch(&[address(2, "192.0.2.2")]);
        let flip = table.apply_batch(&[link(2, "eth0", false, false)]);
        assert_eq!(flip, Some((Offline, "eth0 went down".to_owned())));

        table.apply_batch(&[link(2, "eth0", true, true)]);
        let flip = table.apply_batch(&[InterfaceEvent::LinkRemoved { index: 2 }]);
        assert_eq!(flip, Some((Offline, "eth0 was removed".to_owned())));
        // Its addresses went with it: a link with the same index comes back bare.
        let flip = table.apply_batch(&[link(2, "eth0", true, true)]);
        assert_eq!(flip, None);
    }

    #[test]
    fn losing_one_of_two_usable_interfaces_stays_online() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[
            link(2, "eth0", true, true),
            address(2, "192.0.2.2"),
            link(3, "wlan0", true, true),
            address(3, "198.51.100.4"),
        ]);
        assert_eq!(table.apply_batch(&[link(2, "eth0", false, false)]), None);
        assert_eq!(table.describe(), "wlan0 up with 198.51.100.4");
        let flip = table.apply_batch(&[removed(3, "198.51.100.4")]);
        assert_eq!(
            flip,
            Some((
                Offline,
                "wlan0 lost its last address 198.51.100.4".to_owned()
            ))
        );
    }

    #[test]
    fn an_address_before_its_link_counts_once_the_link_arrives() {
        let mut table = InterfaceTable::default();
        assert_eq!(table.apply_batch(&[address(5, "203.0.113.8")]), None);
        let flip = table.apply_batch(&[link(5, "veth0", true, true)]);
        assert_eq!(flip, Some((Online, "veth0 up with 203.0.113.8".to_owned())));
    }

    #[test]
    fn a_flip_and_back_inside_one_batch_is_no_change() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[link(2, "eth0", true, true), address(2, "192.0.2.2")]);
        let flap = [link(2, "eth0", false, false), link(2, "eth0", true, true)];
        assert_eq!(table.apply_batch(&flap), None);
    }

    #[test]
    fn a_reset_followed_by_a_dump_reports_only_the_net_change() {
        let mut table = InterfaceTable::default();
        table.apply_batch(&[link(2, "eth0", true, true), address(2, "192.0.2.2")]);
        let same = [
            InterfaceEvent::Reset,
            link(2, "eth0", true, true),
            address(2, "192.0.2.2"),
        ];
        assert_eq!(table.apply_batch(&same), None);
        let gone = [InterfaceEvent::Reset, loopback(1), address(1, "127.0.0.1")];
        assert_eq!(
            table.apply_batch(&gone),
            Some((Offline, "the interface list was reset".to_owned()))
        );
    }

    #[test]
    fn a_link_without_a_name_is_named_by_its_index() {
        let mut table = InterfaceTable::default();
        let flip = table.apply_batch(&[link(9, "", true, true), address(9, "192.0.2.9")]);
        assert_eq!(
            flip,
            Some((Online, "interface #9 up with 192.0.2.9".to_owned()))
        );
    }
}

//! Inference stage: whether the process shares the host's network namespace, decided on every
//! kernel.
//!
//! Three ways, in order, the first that answers decides:
//!
//! 1. **Inode** (Linux 6.18+): the initial network namespace has the fixed
//!    inode `0xEFFFFFF9` (`parse::ns::is_initial`).
//! 2. **Cookie** (Linux 5.14 to 6.17): `getsockopt(SO_NETNS_COOKIE)` on an
//!    unbound socket is 1 for the initial namespace and never for another
//!    (`parse::ns::net_initial_by_cookie` cites the kernel source).
//! 3. **Contents** (older kernels, or where the cookie cannot be read): what
//!    the namespace holds. Host-side interfaces of container networking
//!    (`docker0`, `cni0`, `veth*`, `cali*`, …), an interface backed by a
//!    device (`/sys/class/net/<if>/device`), or a container runtime daemon's
//!    socket bound in this namespace (`/proc/self/net/unix`) each say "host"
//!    ([`Strength::Strong`]); systemd's and D-Bus's sockets hint at it
//!    ([`Strength::Weak`]: a container may run its own). When every read is
//!    complete and nothing strong says "host", a namespace holding only
//!    loopback and device-less (virtual) interfaces is not the host's: every
//!    host has the network device it came with.
//!
//! The judgement here is pure; the reads are in the report's probe, which
//! parses `/proc/<pid>/net/dev` and `/proc/<pid>/net/unix` with
//! `parse::net`.

use crate::fact::Fact;
use crate::known::{
    HOST_DAEMON_SOCKETS, HOST_HINT_SOCKETS, HOST_SIDE_INTERFACE_PREFIXES, HOST_SIDE_INTERFACES,
};
use crate::report::{NetSignal, Strength};

/// Host-side interfaces of container networking: bridges, veth peers and
/// CNI devices that exist in the namespace holding the containers' peers,
/// which is the host's (or a nested runtime's host, such as a kind node).
pub fn host_side_interface(name: &str) -> bool {
    HOST_SIDE_INTERFACES.contains(&name)
        || HOST_SIDE_INTERFACE_PREFIXES
            .iter().any(|p| name.starts_with(p))
        // Docker's user-defined bridges: br-<12 hex digits>.
        || name
            .strip_prefix("br-")
            .is_some_and(|h| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a bound unix socket path belongs to a host daemon, and how
/// strongly that says "host namespace": container runtimes and the kubelet
/// run in the host's; systemd and D-Bus may run inside a container too.
pub fn host_daemon_socket(path: &str) -> Option<Strength> {
    let base = path.rsplit('/').next().unwrap_or(path);
    if path.starts_with('/') && HOST_DAEMON_SOCKETS.contains(&base) {
        Some(Strength::Strong)
    } else if HOST_HINT_SOCKETS.contains(&path) {
        Some(Strength::Weak)
    } else {
        None
    }
}

/// One interface and whether a device backs it (`None`: could not tell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Its name.
    pub name: String,
    /// Whether `/sys/class/net/<name>/device` exists.
    pub device: Option<bool>,
}

/// The bound unix sockets of host daemons seen in `/proc/<pid>/net/unix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixSockets {
    /// The paths that [`host_daemon_socket`] knows.
    pub paths: Vec<String>,
    /// Whether the whole table was read (false: cut at its bound).
    pub complete: bool,
}

/// What the namespace holds, as read.
#[derive(Debug, Clone)]
pub struct Contents<'a> {
    /// Interfaces.
    pub interfaces: &'a Fact<Vec<Interface>>,
    /// Host daemons' sockets bound in this namespace.
    pub unix: &'a Fact<UnixSockets>,
    /// `/proc/self/net/dev`, for evidence.
    pub dev_source: &'a str,
    /// `/proc/self/net/unix`, for evidence.
    pub unix_source: &'a str,
    /// `/sys/class/net`, for evidence.
    pub sys_source: &'a str,
}

/// Decides from the contents: `Known(true)` on any strong host signal,
/// `Known(false)` when every read is complete, nothing strong says host and
/// every interface but `lo` is virtual; otherwise unknown, naming what is
/// missing.
pub fn judge_contents(c: &Contents<'_>, unknown_source: &str) -> (Fact<bool>, Vec<NetSignal>) {
    let mut signals = Vec::new();
    let mut gaps = Vec::new();
    let mut sig = |source: &str, observed: String, host, strength| {
        signals.push(NetSignal {
            source: source.to_string(),
            observed,
            host,
            strength,
        })
    };
    match c.interfaces {
        Fact::Known(ifs) => {
            let mut virtual_only = Vec::new();
            for i in ifs.iter() {
                if host_side_interface(&i.name) {
                    sig(
                        c.dev_source,
                        format!("interface {} (host side of container networking)", i.name),
                        true,
                        Strength::Strong,
                    );
                } else if i.name == "lo" {
                } else {
                    match i.device {
                        Some(true) => sig(
                            c.sys_source,
                            format!("interface {} is backed by a device", i.name),
                            true,
                            Strength::Strong,
                        ),
                        Some(false) => virtual_only.push(i.name.as_str()),
                        None => gaps.push(format!("whether {} is a device", i.name)),
                    }
                }
            }
            sig(
                c.dev_source,
                if virtual_only.is_empty() {
                    "no interface but loopback and those above".to_string()
                } else {
                    format!("virtual interface(s) {}", virtual_only.join(", "))
                },
                false,
                Strength::Weak,
            );
        }
        Fact::Unknown(u) => gaps.push(format!("interfaces ({}: {})", u.source, u.reason)),
    }
    match c.unix {
        Fact::Known(UnixSockets { paths, complete }) => {
            for p in paths {
                if let Some(s) = host_daemon_socket(p) {
                    sig(c.unix_source, format!("socket {p} bound here"), true, s);
                }
            }
            if !complete {
                gaps.push("the rest of the unix socket table (cut at its bound)".into());
            }
        }
        Fact::Unknown(u) => gaps.push(format!("unix sockets ({}: {})", u.source, u.reason)),
    }
    let host = signals
        .iter()
        .any(|s| s.host && s.strength == Strength::Strong);
    let verdict = if host {
        Fact::Known(true)
    } else if gaps.is_empty() {
        Fact::Known(false)
    } else {
        Fact::unknown(
            unknown_source,
            format!(
                "no host signal found, but these could not be read: {}",
                gaps.join("; ")
            ),
        )
    };
    (verdict, signals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ifs(list: &[(&str, Option<bool>)]) -> Vec<Interface> {
        list.iter()
            .map(|(n, d)| Interface {
                name: n.to_string(),
                device: *d,
            })
            .collect()
    }

    fn judge(i: &[Interface], unix: &[String], complete: bool) -> Fact<bool> {
        judge_contents(
            &Contents {
                interfaces: &Fact::Known(i.to_vec()),
                unix: &Fact::Known(UnixSockets {
                    paths: unix.to_vec(),
                    complete,
                }),
                dev_source: "dev",
                unix_source: "unix",
                sys_source: "sys",
            },
            "net",
        )
        .0
    }

    #[test]
    fn daemon_sockets() {
        assert_eq!(
            host_daemon_socket("/run/containerd/containerd.sock"),
            Some(Strength::Strong)
        );
        assert_eq!(host_daemon_socket("@/containerd-shim/x.sock@"), None);
        assert_eq!(
            host_daemon_socket("/run/dbus/system_bus_socket"),
            Some(Strength::Weak)
        );
    }

    #[test]
    fn host_side_names() {
        for n in [
            "docker0",
            "veth3f2a1b",
            "cali12ab",
            "cilium_host",
            "br-0123456789ab",
            "cni0",
        ] {
            assert!(host_side_interface(n), "{n}");
        }
        for n in ["lo", "eth0", "net1", "br-lan", "ens3", "tunl0", "wlan0"] {
            assert!(!host_side_interface(n), "{n}");
        }
    }

    #[test]
    fn contents_decide_both_ways_and_say_when_they_cannot() {
        // --network=none: loopback only.
        assert_eq!(
            judge(&ifs(&[("lo", Some(false))]), &[], true),
            Fact::Known(false)
        );
        // A bridge network: the container's end of a veth pair is virtual.
        assert_eq!(
            judge(&ifs(&[("lo", None), ("eth0", Some(false))]), &[], true),
            Fact::Known(false)
        );
        // The host: a NIC with a device behind it, or docker0, or dockerd's socket.
        assert_eq!(
            judge(&ifs(&[("lo", None), ("ens3", Some(true))]), &[], true),
            Fact::Known(true)
        );
        assert_eq!(
            judge(&ifs(&[("lo", None), ("docker0", None)]), &[], false),
            Fact::Known(true)
        );
        assert_eq!(
            judge(&ifs(&[("lo", None)]), &["/run/docker.sock".into()], true),
            Fact::Known(true)
        );
        // A weak sign alone does not decide; an unread part leaves it unknown.
        assert_eq!(
            judge(
                &ifs(&[("lo", None)]),
                &["/run/systemd/private".into()],
                true
            ),
            Fact::Known(false)
        );
        assert!(judge(&ifs(&[("eth0", None)]), &[], true).known().is_none());
        assert!(judge(&ifs(&[("lo", None)]), &[], false).known().is_none());
    }
}

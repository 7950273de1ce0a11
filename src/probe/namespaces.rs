//! Probe stage (parse -> probe -> Report -> policy -> render): namespaces.
//! The `/proc/self/ns` links, the user namespace's id maps, and the reads
//! that decide whether the network namespace is the host's (the netns
//! cookie, `/proc/self/net/dev` and `/proc/self/net/unix` parsed by
//! [`crate::parse::net`], `/sys/class/net`);
//! the judgement over them is [`crate::parse::ns`] and [`crate::infer::network`]. I/O only
//! through [`Root`](crate::root::Root) and [`Session`].

use super::{parse_small, show};
use crate::fact::{Fact, Unknown};
use crate::infer::network as netns;
use crate::parse::idmap::{self, IdMap};
use crate::parse::net;
use crate::parse::ns::{self, NsType};
use crate::report::{HostNetwork, Identity, Namespace, NetMethod, UserNamespace};
use crate::root::{self, ReadError, Session};

pub(super) fn read_namespaces(io: &Session, kernel: Option<(u32, u32)>) -> Vec<Namespace> {
    let root = io.root();
    NsType::ALL
        .iter()
        .map(|&ty| {
            let mut path = root.proc_self("ns");
            path.push(ty.name());
            let inode: Fact<u64> = io
                .with_link(&path, |t| {
                    ns::parse_link(ty, t).map_err(|w| Unknown::file(&path, w))
                })
                .map_err(|e| Unknown::read(&path, &e))
                .and_then(|r| r)
                .into();
            // The source text is only spelled when the answer is unknown.
            let initial = match inode.known() {
                Some(&ino) => match ns::is_initial(ty, ino, kernel, "") {
                    Fact::Unknown(u) => Fact::Unknown(Unknown::file(&path, u.reason)),
                    known => known,
                },
                None => inode.clone().map(|_| false),
            };
            Namespace {
                ns_type: ty,
                inode,
                initial,
            }
        })
        .collect()
}

/// The most interfaces whose device link is looked at.
const NET_INTERFACE_LIMIT: usize = 256;
/// The most of `/proc/self/net/unix` read.
const NET_UNIX_LIMIT: usize = 1024 * 1024;

/// Decides whether the network namespace is the host's: by inode where the
/// kernel fixes it, else by `SO_NETNS_COOKIE` where the kernel's rule is
/// known, else from what the namespace holds (see [`crate::infer::network`]). The
/// verdict also becomes the `net` entry's `initial`.
pub(super) fn read_network(
    io: &Session,
    namespaces: &mut [Namespace],
    kernel: Option<(u32, u32)>,
) -> HostNetwork {
    let root = io.root();
    let entry = namespaces.iter_mut().find(|n| n.ns_type == NsType::Net);
    let mut net = HostNetwork {
        initial: Fact::unknown("ns/net", "not probed"),
        decided_by: None,
        netns_cookie: None,
        signals: Vec::new(),
    };
    let Some(entry) = entry else {
        return net;
    };
    if entry.initial.known().is_some() {
        net.initial = entry.initial.clone();
        net.decided_by = Some(NetMethod::Inode);
        return net;
    }
    let cookie: Fact<u64> = root
        .netns_cookie()
        .map_err(|e| match &e {
            ReadError::Io { path, source } => Unknown::new(show(path), source.to_string()),
            other => Unknown::new("getsockopt(SO_NETNS_COOKIE)", other.to_string()),
        })
        .into();
    let by_cookie = match (&cookie, kernel) {
        (Fact::Known(c), Some(k)) => ns::net_initial_by_cookie(*c, k),
        _ => None,
    };
    net.netns_cookie = Some(cookie);
    if let Some(v) = by_cookie {
        net.initial = Fact::Known(v);
        net.decided_by = Some(NetMethod::NetnsCookie);
        entry.initial = net.initial.clone();
        return net;
    }
    let dev_path = root.proc_self("net/dev");
    let unix_path = root.proc_self("net/unix");
    let sys_dir = root.sys("class/net");
    let interfaces: Fact<Vec<netns::Interface>> = io
        .with_text(&dev_path, root::SMALL_FILE_LIMIT * 4, |t| {
            net::interface_names(t).map_err(|e| Unknown::file(&dev_path, e.to_string()))
        })
        .map_err(|e| Unknown::read(&dev_path, &e))
        .and_then(|r| r)
        .map(|names| {
            let mut p = sys_dir.clone();
            names
                .into_iter()
                .take(NET_INTERFACE_LIMIT)
                .map(|name| {
                    p.push(&name);
                    p.push("device");
                    let device = io.exists(&p).ok();
                    p.pop();
                    p.pop();
                    netns::Interface { name, device }
                })
                .collect()
        })
        .into();
    let unix: Fact<netns::UnixSockets> = io
        .with_capped(&unix_path, NET_UNIX_LIMIT, |data, truncated| {
            // A cut read: drop the partial last line.
            let data = match (truncated, data.iter().rposition(|&b| b == b'\n')) {
                (true, Some(i)) => &data[..=i],
                (true, None) => &[][..],
                (false, _) => data,
            };
            net::unix_socket_paths(data)
                .map(|paths| netns::UnixSockets {
                    paths: paths
                        .filter(|p| netns::host_daemon_socket(p).is_some())
                        .collect(),
                    complete: !truncated,
                })
                .map_err(|e| Unknown::file(&unix_path, e.to_string()))
        })
        .map_err(|e| Unknown::read(&unix_path, &e))
        .and_then(|r| r)
        .into();
    let (dev_s, unix_s, sys_s) = (show(&dev_path), show(&unix_path), show(&sys_dir));
    let (initial, signals) = netns::judge_contents(
        &netns::Contents {
            interfaces: &interfaces,
            unix: &unix,
            dev_source: &dev_s,
            unix_source: &unix_s,
            sys_source: &sys_s,
        },
        &show(&root.proc_self("ns/net")),
    );
    if initial.known().is_some() {
        net.decided_by = Some(NetMethod::Contents);
    }
    net.initial = initial;
    net.signals = signals;
    entry.initial = net.initial.clone();
    net
}

pub(super) fn user_namespace(
    io: &Session,
    namespaces: &[Namespace],
    identity: &Identity,
) -> UserNamespace {
    let root = io.root();
    let map = |name: &str| -> Fact<IdMap> {
        let path = root.proc_self(name);
        parse_small(io, &path, |t| {
            idmap::parse(t).map_err(|e| Unknown::file(&path, e.to_string()))
        })
        .into()
    };
    let uid_map = map("uid_map");
    let gid_map = map("gid_map");
    let initial = namespaces
        .iter()
        .find(|n| n.ns_type == NsType::User)
        .map(|n| n.initial.clone())
        .unwrap_or_else(|| Fact::unknown("ns/user", "not probed"));
    let root_uid = uid_map.clone().map(|m| m.mapping_of(0));
    let root_gid = gid_map.clone().map(|m| m.mapping_of(0));
    let own_uid = identity
        .uid
        .clone()
        .and_then(|ids| uid_map.clone().map(|m| m.mapping_of(ids.effective)));
    UserNamespace {
        uid_map,
        gid_map,
        initial,
        root_uid,
        root_gid,
        own_uid,
    }
}

//! Namespaces from `/proc/self/ns/*` links and the kernel's fixed inode
//! numbers for the initial namespaces (`include/linux/proc_ns.h`,
//! `include/uapi/linux/nsfs.h`).
//!
//! The initial user, uts, ipc, pid, cgroup and time namespaces have had fixed
//! inode numbers since they existed. The initial network and mount namespaces
//! got theirs in Linux 6.18; before that they carry a dynamic number, so "not
//! the fixed number" proves nothing there and the answer is unknown. Dynamic
//! numbers start at `0xF0000000`, so seeing the fixed number is proof on any
//! kernel.

use crate::fact::Fact;
use crate::parse::ParseError;

/// A namespace type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum NsType {
    /// User ids and capabilities.
    User,
    /// Hostname.
    Uts,
    /// System V IPC, POSIX message queues.
    Ipc,
    /// Process ids.
    Pid,
    /// cgroup root.
    Cgroup,
    /// Boot and monotonic clocks.
    Time,
    /// Network stack.
    Net,
    /// Mount table.
    Mnt,
}

display_by!(name: NsType);

impl NsType {
    /// Every type, in the order reported.
    pub const ALL: [NsType; 8] = [
        NsType::User,
        NsType::Pid,
        NsType::Net,
        NsType::Ipc,
        NsType::Uts,
        NsType::Mnt,
        NsType::Cgroup,
        NsType::Time,
    ];

    /// The file name under `/proc/self/ns/`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            NsType::User => "user",
            NsType::Uts => "uts",
            NsType::Ipc => "ipc",
            NsType::Pid => "pid",
            NsType::Cgroup => "cgroup",
            NsType::Time => "time",
            NsType::Net => "net",
            NsType::Mnt => "mnt",
        }
    }

    /// The initial namespace's fixed inode number.
    pub(crate) fn initial_inode(self) -> u64 {
        match self {
            NsType::Ipc => 0xEFFF_FFFF,
            NsType::Uts => 0xEFFF_FFFE,
            NsType::User => 0xEFFF_FFFD,
            NsType::Pid => 0xEFFF_FFFC,
            NsType::Cgroup => 0xEFFF_FFFB,
            NsType::Time => 0xEFFF_FFFA,
            NsType::Net => 0xEFFF_FFF9,
            NsType::Mnt => 0xEFFF_FFF8,
        }
    }

    /// The first kernel (major, minor) that fixes this type's initial inode.
    pub(crate) fn fixed_since(self) -> (u32, u32) {
        match self {
            NsType::Net | NsType::Mnt => (6, 18),
            NsType::Time => (5, 6),
            NsType::Cgroup => (4, 6),
            _ => (3, 8),
        }
    }
}

/// Parses a namespace link target: `user:[4026531837]`.
pub fn parse_link(ty: NsType, target: &str) -> Result<u64, ParseError> {
    let rest = target
        .strip_prefix(ty.name())
        .and_then(|r| r.strip_prefix(":["))
        .and_then(|r| r.strip_suffix(']'))
        .ok_or_else(|| ParseError::NsLink {
            ns: ty.name(),
            text: target.to_string(),
        })?;
    rest.parse::<u64>()
        .map_err(|_| ParseError::not_a(rest, "an inode number"))
}

/// Parses `osrelease` (`6.18.44-foo`) into (major, minor).
pub fn parse_kernel_version(osrelease: &str) -> Option<(u32, u32)> {
    let mut it = osrelease.trim().split(|c: char| !c.is_ascii_digit());
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}

/// Whether inode `ino` of type `ty` is the initial (host) namespace.
pub(crate) fn is_initial(
    ty: NsType,
    ino: u64,
    kernel: Option<(u32, u32)>,
    source: &str,
) -> Fact<bool> {
    if ino == ty.initial_inode() {
        return Fact::Known(true);
    }
    // Neither a fixed nor a dynamic Linux number: not a Linux host's namespace.
    if !is_linux_namespace_inode(ino) {
        return Fact::Known(false);
    }
    match kernel {
        Some(k) if k >= ty.fixed_since() => Fact::Known(false),
        Some((a, b)) => {
            let (c, d) = ty.fixed_since();
            Fact::unknown(
                source,
                format!(
                    "kernel {a}.{b} gives the initial {} namespace no fixed inode (fixed since {c}.{d})",
                    ty.name()
                ),
            )
        }
        None => Fact::unknown(
            source,
            format!(
                "kernel version unknown, so inode {ino} cannot be compared with the initial {} namespace",
                ty.name()
            ),
        ),
    }
}

/// The lowest inode number the kernel hands out to a new namespace
/// (`PROC_DYNAMIC_FIRST`, `fs/proc/generic.c`); the fixed initial inodes sit
/// just below it, at `0xEFFFFFF8..=0xEFFFFFFF`.
#[cfg(test)]
pub(crate) const DYNAMIC_FIRST: u64 = 0xF000_0000;

/// The lowest fixed initial inode (`MNT_NS_INIT_INO`, Linux 6.18).
pub(crate) const FIXED_FIRST: u64 = 0xEFFF_FFF8;

/// Whether an inode number is one Linux itself gives a namespace: a fixed
/// initial one or a dynamic one. Anything else comes from a kernel that is
/// not Linux's (gVisor's Sentry) or one that virtualises the numbers
/// (OpenVZ), and so is no Linux host's namespace.
pub(crate) fn is_linux_namespace_inode(ino: u64) -> bool {
    (FIXED_FIRST..=u32::MAX as u64).contains(&ino)
}

/// The first kernel with `SO_NETNS_COOKIE`.
pub(crate) const NETNS_COOKIE_SINCE: (u32, u32) = (5, 14);

/// What the network namespace cookie says about the initial namespace, on a
/// kernel where the rule is known to hold; `None` where it says nothing.
///
/// From Linux 5.12 to 6.17, `setup_net()` (`net/core/net_namespace.c`) gives
/// every network namespace the next value of a counter kept only for network
/// namespaces (`gen_cookie_next(&net_cookie)`, whose per-CPU batches start at
/// 1 on the first CPU to ask (`include/linux/cookie.h`), later
/// `atomic64_inc_return(&net_aligned_data.net_cookie)`), and the initial
/// namespace is the first one set up (`net_ns_init()`, a `pure_initcall`).
/// So there the initial namespace's cookie is 1 and no other namespace's
/// ever is. From 6.18 the cookie comes from the id counter all namespace
/// types share (`ns_tree_gen_id()`), and the initial network namespace has
/// a fixed inode instead, which [`is_initial`] already reads.
pub(crate) fn net_initial_by_cookie(cookie: u64, kernel: (u32, u32)) -> Option<bool> {
    (kernel >= NETNS_COOKIE_SINCE && kernel < NsType::Net.fixed_since()).then_some(cookie == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_parse() {
        assert_eq!(
            parse_link(NsType::User, "user:[4026531837]"),
            Ok(0xEFFF_FFFD)
        );
        assert!(parse_link(NsType::User, "pid:[4026531837]").is_err());
        assert!(parse_link(NsType::Net, "net:[x]").is_err());
        assert!(parse_link(NsType::Net, "net:[1").is_err());
    }

    #[test]
    fn initial_detection_respects_the_kernel() {
        let s = "ns";
        assert_eq!(
            is_initial(NsType::Pid, 0xEFFF_FFFC, None, s),
            Fact::Known(true)
        );
        assert_eq!(
            is_initial(NsType::Pid, 4026532200, Some((5, 10)), s),
            Fact::Known(false)
        );
        assert_eq!(
            is_initial(NsType::Net, 0xEFFF_FFF9, Some((5, 10)), s),
            Fact::Known(true)
        );
        assert!(
            is_initial(NsType::Net, 4026532200, Some((6, 1)), s)
                .known()
                .is_none()
        );
        assert_eq!(
            is_initial(NsType::Net, 4026532200, Some((6, 18)), s),
            Fact::Known(false)
        );
        assert!(
            is_initial(NsType::Mnt, 4026532200, None, s)
                .known()
                .is_none()
        );
    }

    #[test]
    fn inodes_outside_linux_ranges_are_no_host_namespace() {
        // gVisor numbers its namespaces from small values; OpenVZ virtualises.
        for ino in [
            1u64,
            4026531835 - 0x1000_0000,
            FIXED_FIRST - 1,
            u32::MAX as u64 + 1,
        ] {
            assert_eq!(
                is_initial(NsType::Net, ino, Some((6, 1)), "ns"),
                Fact::Known(false),
                "{ino:#x}"
            );
        }
        assert!(is_linux_namespace_inode(FIXED_FIRST));
        assert!(is_linux_namespace_inode(DYNAMIC_FIRST));
        assert!(is_linux_namespace_inode(4026532200));
    }

    #[test]
    fn the_cookie_rule_holds_only_where_the_kernel_source_says() {
        assert_eq!(net_initial_by_cookie(1, (6, 1)), Some(true));
        assert_eq!(net_initial_by_cookie(1, (5, 14)), Some(true));
        assert_eq!(net_initial_by_cookie(2, (6, 12)), Some(false));
        assert_eq!(net_initial_by_cookie(4097, (6, 17)), Some(false));
        // No SO_NETNS_COOKIE before 5.14; a shared counter from 6.18.
        assert_eq!(net_initial_by_cookie(1, (5, 10)), None);
        assert_eq!(net_initial_by_cookie(3, (6, 18)), None);
        assert_eq!(net_initial_by_cookie(1, (7, 0)), None);
    }

    #[test]
    fn kernel_versions() {
        assert_eq!(parse_kernel_version("6.18.44-fc-v657\n"), Some((6, 18)));
        assert_eq!(parse_kernel_version("4.4.0"), Some((4, 4)));
        assert_eq!(parse_kernel_version("x"), None);
    }
}

//! The report: every fact `posture` establishes about the calling process,
//! gathered from a [`Root`] in one pass. Each probe's failure is its own
//! [`Fact::Unknown`]; none aborts the others.

use std::path::Path;

use crate::capability::CapSet;
use crate::cgroup::{self, CgroupLine, CgroupVersion, Limit, LimitFiles, LimitKind};
use crate::fact::{Fact, Unknown};
use crate::idmap::{IdMap, Mapping};
use crate::lsm::{self, LsmLabel};
use crate::mountinfo::{self, Mount, MountTable, Mounts};
use crate::netns::{self, HostNetwork, NetMethod};
use crate::ns::{self, NsType};
use crate::parse::ParseError;
use crate::root::{self, ReadError, Root, RootKind, Session};
use crate::runtime::{self, Runtime};
use crate::status::{Field, SeccompMode, Status};

/// The version of the JSON document this crate writes. Bumped when a field
/// changes meaning or is removed; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the report was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Origin {
    /// Live system or fixture.
    pub kind: RootKind,
    /// The root directory.
    pub root: String,
}

/// Kernel facts the judgements need.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Kernel {
    /// `osrelease`.
    pub release: Fact<String>,
    /// The highest capability number this kernel knows (`cap_last_cap`).
    pub cap_last_cap: Fact<u8>,
}

/// Whether `/proc` is a real procfs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ProcTrust {
    /// `statfs` says procfs (`PROC_SUPER_MAGIC`).
    Procfs,
    /// `statfs` says another filesystem: nothing read from it can be trusted.
    NotProcfs {
        /// The filesystem magic found.
        magic: String,
    },
    /// A fixture root: the files were captured elsewhere and not verified here.
    Fixture,
}

/// Real, effective, saved and filesystem ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Ids {
    /// Real.
    pub real: u32,
    /// Effective: what permission checks use.
    pub effective: u32,
    /// Saved set-id.
    pub saved: u32,
    /// Filesystem (None when the source does not give it).
    pub filesystem: Option<u32>,
}

impl Ids {
    fn from_status(v: [u32; 4]) -> Ids {
        Ids {
            real: v[0],
            effective: v[1],
            saved: v[2],
            filesystem: Some(v[3]),
        }
    }

    /// Whether any of the ids is 0.
    pub fn any_root(&self) -> bool {
        self.real == 0 || self.effective == 0 || self.saved == 0 || self.filesystem == Some(0)
    }
}

/// Who the process is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Identity {
    /// User ids.
    pub uid: Fact<Ids>,
    /// Group ids.
    pub gid: Fact<Ids>,
    /// Supplementary groups.
    pub groups: Fact<Vec<u32>>,
    /// Where the ids came from (`/proc/self/status` or `getresuid(2)`).
    pub source: String,
}

/// The five capability sets (capabilities(7)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Capabilities {
    /// What the kernel checks now.
    pub effective: Fact<CapSet>,
    /// What the process may make effective.
    pub permitted: Fact<CapSet>,
    /// What survives execve into a program with matching file capabilities.
    pub inheritable: Fact<CapSet>,
    /// The ceiling: what execve of a setuid or file-capability program can reach.
    pub bounding: Fact<CapSet>,
    /// What survives execve of an ordinary program.
    pub ambient: Fact<CapSet>,
    /// Every capability this kernel has (from `cap_last_cap`).
    pub full_set: Fact<CapSet>,
    /// The file the sets came from.
    pub source: String,
}

/// Securebits (capabilities(7)): flags that change how uid 0 gains capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Securebits {
    /// The raw flags.
    pub bits: u32,
    /// Their names (`SECBIT_NOROOT`, …).
    pub names: Vec<String>,
}

const SECUREBITS: &[(u32, &str)] = &[
    (0x1, "SECBIT_NOROOT"),
    (0x2, "SECBIT_NOROOT_LOCKED"),
    (0x4, "SECBIT_NO_SETUID_FIXUP"),
    (0x8, "SECBIT_NO_SETUID_FIXUP_LOCKED"),
    (0x10, "SECBIT_KEEP_CAPS"),
    (0x20, "SECBIT_KEEP_CAPS_LOCKED"),
    (0x40, "SECBIT_NO_CAP_AMBIENT_RAISE"),
    (0x80, "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"),
    (0x100, "SECBIT_EXEC_RESTRICT_FILE"),
    (0x200, "SECBIT_EXEC_RESTRICT_FILE_LOCKED"),
    (0x400, "SECBIT_EXEC_DENY_INTERACTIVE"),
    (0x800, "SECBIT_EXEC_DENY_INTERACTIVE_LOCKED"),
];

impl Securebits {
    /// Names the bits; unknown ones appear as hex.
    pub fn from_bits(bits: u32) -> Securebits {
        let mut names: Vec<String> = SECUREBITS
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| n.to_string())
            .collect();
        let known: u32 = SECUREBITS.iter().map(|(b, _)| b).sum();
        if bits & !known != 0 {
            names.push(format!("{:#x}", bits & !known));
        }
        Securebits { bits, names }
    }
}

/// Seccomp state of the main thread.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Seccomp {
    /// Mode.
    pub mode: Fact<SeccompMode>,
    /// Number of filters installed (`Seccomp_filters`, Linux 5.9+).
    pub filters: Fact<u32>,
}

/// no_new_privs and where it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct NoNewPrivs {
    /// Whether execve can no longer grant privileges.
    pub enabled: bool,
    /// `status` (the `NoNewPrivs:` line) or `prctl` (`PR_GET_NO_NEW_PRIVS`, the
    /// calling thread, used where status lacks the line).
    pub source: NnpSource,
}

/// Where no_new_privs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum NnpSource {
    /// The status file.
    Status,
    /// `prctl(PR_GET_NO_NEW_PRIVS)`.
    Prctl,
}

/// A thread whose security state differs from the main thread's. Each `Some`
/// field is a difference, holding the thread's own value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ThreadDiff {
    /// Thread id.
    pub tid: u32,
    /// Seccomp mode, if different.
    pub seccomp: Option<SeccompMode>,
    /// no_new_privs, if different.
    pub no_new_privs: Option<bool>,
    /// Effective set, if different.
    pub effective: Option<CapSet>,
    /// Permitted set, if different.
    pub permitted: Option<CapSet>,
    /// Bounding set, if different.
    pub bounding: Option<CapSet>,
    /// Ambient set, if different.
    pub ambient: Option<CapSet>,
    /// Inheritable set, if different.
    pub inheritable: Option<CapSet>,
    /// User ids, if different.
    pub uid: Option<[u32; 4]>,
}

/// Per-thread state (seccomp, no_new_privs and capabilities are per thread).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Threads {
    /// Threads listed.
    pub count: usize,
    /// Threads that differ from the main thread.
    pub differing: Vec<ThreadDiff>,
    /// Threads whose status could not be read or parsed: `tid: reason`.
    pub unreadable: Vec<String>,
    /// Threads that exited between listing and reading.
    pub exited: usize,
    /// Whether the listing stopped at the crate's thread bound.
    pub truncated: bool,
}

impl Threads {
    /// Whether every thread's state is known (none unreadable, none past the bound).
    pub fn complete(&self) -> bool {
        self.unreadable.is_empty() && !self.truncated
    }
}

/// The user namespace and its id maps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct UserNamespace {
    /// `uid_map`.
    pub uid_map: Fact<IdMap>,
    /// `gid_map`.
    pub gid_map: Fact<IdMap>,
    /// Whether this is the host's initial user namespace (from its inode).
    pub initial: Fact<bool>,
    /// Where uid 0 of this namespace lands in the parent namespace.
    pub root_uid: Fact<Mapping>,
    /// Where gid 0 lands.
    pub root_gid: Fact<Mapping>,
    /// Where this process's effective uid lands.
    pub own_uid: Fact<Mapping>,
}

/// LSM confinement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Lsm {
    /// This process's label.
    pub label: Fact<LsmLabel>,
    /// The file the label came from.
    pub label_source: String,
    /// SELinux enforcing (`/sys/fs/selinux/enforce`).
    pub selinux_enforcing: Fact<bool>,
    /// The kernel's active LSMs (`/sys/kernel/security/lsm`).
    pub active: Fact<Vec<String>>,
}

/// One namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Namespace {
    /// Its type.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub ns_type: NsType,
    /// Its inode.
    pub inode: Fact<u64>,
    /// Whether it is the host's initial namespace.
    pub initial: Fact<bool>,
}

/// cgroup facts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Cgroups {
    /// Version.
    pub version: CgroupVersion,
    /// `/proc/self/cgroup`.
    pub membership: Vec<CgroupLine>,
    /// Memory limit of this process's cgroup.
    pub memory: Fact<Limit>,
    /// Task limit.
    pub pids: Fact<Limit>,
    /// CPU bandwidth limit.
    pub cpu: Fact<Limit>,
}

/// Device nodes in `/dev`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Devices {
    /// Names listed in `/dev`.
    pub entries: usize,
    /// Names that are host hardware (disks, memory, kernel log…), which a
    /// default container does not get.
    pub host_devices: Vec<String>,
}

/// Device name prefixes of host hardware.
const HOST_DEVICE_PREFIXES: &[&str] = &[
    "sd",
    "vd",
    "xvd",
    "hd",
    "nvme",
    "mmcblk",
    "dm-",
    "loop",
    "nbd",
    "md",
    "sr",
    "mem",
    "kmem",
    "port",
    "kmsg",
    "cpu",
    "mcelog",
    "kvm",
    "vhost-",
    "vfio",
    "hpet",
    "rtc",
    "watchdog",
    "tpm",
    "snapshot",
    "bsg",
    "sg",
    "autofs",
    "btrfs-control",
    "mapper",
    "disk",
    "bus",
    "input",
    "dri",
    "uinput",
];

/// For each first byte, the bit set of [`HOST_DEVICE_PREFIXES`] starting
/// with it: a name is compared only with the prefixes of its first letter.
const PREFIXES_BY_FIRST_BYTE: [u64; 256] = {
    assert!(HOST_DEVICE_PREFIXES.len() <= 64);
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < HOST_DEVICE_PREFIXES.len() {
        t[HOST_DEVICE_PREFIXES[i].as_bytes()[0] as usize] |= 1 << i;
        i += 1;
    }
    t
};

/// Whether a `/dev` name is host hardware.
pub fn is_host_device(name: &str) -> bool {
    let Some(&first) = name.as_bytes().first() else {
        return false;
    };
    // A host's /dev has 100-odd names (64 of them tty*), and this runs for each.
    let mut set = PREFIXES_BY_FIRST_BYTE[first as usize];
    while set != 0 {
        if name.starts_with(HOST_DEVICE_PREFIXES[set.trailing_zeros() as usize]) {
            return true;
        }
        set &= set - 1;
    }
    false
}

/// Everything `posture` knows about the calling process.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Report {
    /// Where the facts were read.
    pub origin: Origin,
    /// Whether `/proc` is procfs.
    pub proc_trust: Fact<ProcTrust>,
    /// Kernel release and capability count.
    pub kernel: Kernel,
    /// uids, gids, groups.
    pub identity: Identity,
    /// The capability sets.
    pub capabilities: Capabilities,
    /// Securebits (calling thread, via prctl; unknown for fixtures).
    pub securebits: Fact<Securebits>,
    /// Seccomp.
    pub seccomp: Seccomp,
    /// no_new_privs.
    pub no_new_privs: Fact<NoNewPrivs>,
    /// Threads that differ.
    pub threads: Fact<Threads>,
    /// User namespace mapping.
    pub user_namespace: UserNamespace,
    /// AppArmor / SELinux.
    pub lsm: Lsm,
    /// Mount table facts.
    pub mounts: Fact<Mounts>,
    /// Namespaces.
    pub namespaces: Vec<Namespace>,
    /// Whether the network namespace is the host's, and what decided it
    /// (its verdict is also the `net` entry of [`Report::namespaces`]).
    pub network: HostNetwork,
    /// Container runtime.
    pub runtime: Runtime,
    /// cgroups and limits.
    pub cgroups: Fact<Cgroups>,
    /// `/dev` contents.
    pub devices: Fact<Devices>,
    /// Whether a Kubernetes service-account token file is present.
    pub service_account_token: Fact<bool>,
    /// Which dangerous syscalls the calling thread can reach: unknown ("not
    /// run") until a probe is attached with [`Report::with_syscalls`].
    pub syscalls: Fact<crate::syscalls::SyscallProbe>,
}

impl Report {
    /// The namespace entry of a type.
    pub fn namespace(&self, ty: NsType) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.ns_type == ty)
    }
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

/// [`show`] for a path no longer needed: reuses its buffer when it is UTF-8.
fn into_shown(p: std::path::PathBuf) -> String {
    p.into_os_string()
        .into_string()
        .unwrap_or_else(|p| p.to_string_lossy().into_owned())
}

fn field<T: Clone>(path: &Path, f: &Field<T>, line: &str) -> Fact<T> {
    match f {
        Field::Value(v) => Fact::Known(v.clone()),
        Field::Missing => Fact::unknown(show(path), format!("no {line}: line")),
        Field::Malformed(why) => Fact::unknown(show(path), why.to_string()),
    }
}

/// Reads what every probe needs once, then assembles the report.
pub(crate) fn collect(root: &Root) -> Report {
    let session = root.session();
    let io = &session;
    let mut buf = Vec::with_capacity(4096);
    let status_path = root.proc_self("status");
    let status: Result<Status, Unknown> = io
        .read_into(&status_path, root::STATUS_LIMIT, &mut buf)
        .map_err(|e| Unknown::read(&status_path, &e))
        .and_then(|truncated| {
            if truncated {
                Err(Unknown::file(&status_path, "larger than the read bound"))
            } else {
                Ok(Status::parse_bytes(&buf))
            }
        });

    let kernel = read_kernel(io);
    let version = kernel
        .release
        .known()
        .and_then(|r| ns::parse_kernel_version(r));
    let mut namespaces = read_namespaces(io, version);
    let network = read_network(io, &mut namespaces, version);
    let mounts: Fact<Mounts> = read_mounts(io)
        .map(|(t, truncated)| {
            // One path buffer for every stat below: the masked paths, then
            // the socket candidates. A stat that finds nothing allocates
            // nothing.
            let mut full = std::path::PathBuf::with_capacity(root.base().as_os_str().len() + 128);
            let mut m = mountinfo::analyse_with(t, truncated, |p| {
                root.path_into(p, &mut full);
                io.exists(&full).ok()
            });
            probe_sockets(root, &mut m, &mut full);
            m
        })
        .into();
    let mount_list: Result<&[Mount], &Unknown> = match &mounts {
        Fact::Known(m) => Ok(&m.table),
        Fact::Unknown(u) => Err(u),
    };

    let identity = identity(root, &status_path, &status);
    let capabilities = capabilities(&status_path, &status, &kernel);
    let seccomp = match &status {
        Ok(s) => Seccomp {
            mode: field(&status_path, &s.seccomp, "Seccomp"),
            filters: field(&status_path, &s.seccomp_filters, "Seccomp_filters"),
        },
        Err(u) => Seccomp {
            mode: Fact::Unknown(u.clone()),
            filters: Fact::Unknown(u.clone()),
        },
    };
    let no_new_privs = no_new_privs(root, &status_path, &status);
    let threads = match &status {
        Ok(s) => read_threads(io, s),
        Err(u) => Fact::Unknown(u.clone()),
    };
    let user_namespace = user_namespace(io, &namespaces, &identity);
    let lsm = read_lsm(io);
    let cgroup_ns_initial = namespaces
        .iter()
        .find(|n| n.ns_type == NsType::Cgroup)
        .and_then(|n| n.initial.known().copied());
    let cgroups = read_cgroups(io, mount_list, cgroup_ns_initial);
    let runtime = read_runtime(io, &status, mount_list.ok(), &cgroups, &kernel, &namespaces);
    let devices = read_devices(io);
    let token = root.path("var/run/secrets/kubernetes.io/serviceaccount/token");
    let service_account_token = io
        .exists(&token)
        .map_err(|e| Unknown::read(&token, &e))
        .into();

    Report {
        origin: Origin {
            kind: root.kind(),
            root: show(root.base()),
        },
        proc_trust: proc_trust(root),
        kernel,
        identity,
        capabilities,
        securebits: securebits(root),
        seccomp,
        no_new_privs,
        threads,
        user_namespace,
        lsm,
        mounts,
        namespaces,
        network,
        runtime,
        cgroups,
        devices,
        service_account_token,
        syscalls: crate::syscalls::not_run(),
    }
}

fn proc_trust(root: &Root) -> Fact<ProcTrust> {
    if root.kind() == RootKind::Fixture {
        return Fact::Known(ProcTrust::Fixture);
    }
    // /proc itself, and the files whose lines decide most checks: a file
    // bind-mounted over /proc/<pid>/status sits on another filesystem even
    // when /proc is a real procfs.
    for path in [
        root.proc_dir(),
        root.proc_self("status"),
        root.proc_self("mountinfo"),
    ] {
        match root::statfs_type(&path) {
            Ok(root::PROC_SUPER_MAGIC) => {}
            Ok(magic) => {
                return Fact::Known(ProcTrust::NotProcfs {
                    magic: format!("{magic:#x}"),
                });
            }
            Err(e) => return Fact::unknown(format!("statfs({})", show(&path)), e.desc()),
        }
    }
    Fact::Known(ProcTrust::Procfs)
}

/// Looks (one `stat` each) for runtime sockets where runtimes put them and at
/// the top of tmpfs mounts that may be a host's `/run`: a socket reachable
/// through a directory mount never shows in the mount table. A stat that
/// cannot answer makes the table incomplete, so absence is not concluded.
/// `full` is the caller's path buffer, reused for every candidate.
fn probe_sockets(root: &Root, m: &mut Mounts, full: &mut std::path::PathBuf) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let complete =
        mountinfo::for_each_socket_candidate(&m.table, &m.runtime_sockets, |path, runtime| {
            root.path_into(path, full);
            match root.is_socket(full) {
                Ok(false) => {}
                Ok(true) => found.push(mountinfo::SocketMount {
                    mount_point: path.to_string(),
                    root: String::new(),
                    runtime: runtime.to_string(),
                    directory: false,
                    seen_in: mountinfo::SeenIn::Stat,
                }),
                Err(e) => unknown.push(format!("cannot tell whether {path} is a socket: {e}")),
            }
        });
    found.sort_by(|a, b| a.mount_point.cmp(&b.mount_point));
    m.runtime_sockets.extend(found);
    m.incomplete.extend(unknown);
    if !complete {
        m.incomplete.push(format!(
            "more than {} tmpfs mounts that may be a host's /run: the rest were not searched for runtime sockets",
            mountinfo::SOCKET_SEARCH_MOUNTS
        ));
    }
}

/// Reads a small text file and parses it in place (no copy of the text).
fn parse_small<T>(
    io: &Session,
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, Unknown>,
) -> Result<T, Unknown> {
    io.with_text(path, root::SMALL_FILE_LIMIT, parse)
        .map_err(|e| Unknown::read(path, &e))
        .and_then(|r| r)
}

fn read_kernel(io: &Session) -> Kernel {
    let root = io.root();
    let rel = root.proc_sys("kernel/osrelease");
    let last = root.proc_sys("kernel/cap_last_cap");
    Kernel {
        release: parse_small(io, &rel, |s| Ok(s.trim().to_string())).into(),
        cap_last_cap: parse_small(io, &last, |s| {
            s.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n < 64)
                .ok_or_else(|| {
                    Unknown::file(&last, format!("{:?} is not a capability number", s.trim()))
                })
        })
        .into(),
    }
}

fn identity(root: &Root, path: &Path, status: &Result<Status, Unknown>) -> Identity {
    let s = match status {
        Ok(s) => s,
        Err(u) => {
            return Identity {
                uid: Fact::Unknown(u.clone()),
                gid: Fact::Unknown(u.clone()),
                groups: Fact::Unknown(u.clone()),
                source: show(path),
            };
        }
    };
    let uid = field(path, &s.uid, "Uid").map(Ids::from_status);
    let gid = field(path, &s.gid, "Gid").map(Ids::from_status);
    let groups = field(path, &s.groups, "Groups");
    // gVisor and some sandboxes omit the id lines; for the live process the
    // kernel still answers getresuid(2). The fs id is then not known.
    if root.kind() == RootKind::Live
        && matches!(s.uid, Field::Missing)
        && matches!(s.gid, Field::Missing)
    {
        // The syscalls do not report the filesystem id.
        let ids = |real, effective, saved| Ids {
            real,
            effective,
            saved,
            filesystem: None,
        };
        let uid = root::resuid()
            .map(|[r, e, s]| ids(r, e, s))
            .map_err(|e| Unknown::new("getresuid(2)", e.desc()));
        let gid = root::resgid()
            .map(|[r, e, s]| ids(r, e, s))
            .map_err(|e| Unknown::new("getresgid(2)", e.desc()));
        let groups = match groups {
            Fact::Known(g) => Fact::Known(g),
            Fact::Unknown(_) => root::groups()
                .map_err(|e| Unknown::new("getgroups(2)", e.desc()))
                .into(),
        };
        return Identity {
            uid: uid.into(),
            gid: gid.into(),
            groups,
            source: "getresuid(2), getresgid(2) (status has no Uid/Gid lines)".into(),
        };
    }
    Identity {
        uid,
        gid,
        groups,
        source: show(path),
    }
}

fn capabilities(path: &Path, status: &Result<Status, Unknown>, kernel: &Kernel) -> Capabilities {
    let set = |f: fn(&Status) -> &Field<u64>, line: &str| -> Fact<CapSet> {
        match status {
            Ok(s) => field(path, f(s), line).map(CapSet::from_mask),
            Err(u) => Fact::Unknown(u.clone()),
        }
    };
    // Before Linux 4.3 the ambient set does not exist (no `CapAmb:` line):
    // it is empty, not unknown.
    let pre_ambient = kernel
        .release
        .known()
        .and_then(|r| ns::parse_kernel_version(r))
        .is_some_and(|k| k < (4, 3));
    let ambient = match status {
        Ok(s) if pre_ambient && matches!(s.cap_amb, Field::Missing) => {
            Fact::Known(CapSet::from_mask(0))
        }
        _ => set(|s| &s.cap_amb, "CapAmb"),
    };
    Capabilities {
        effective: set(|s| &s.cap_eff, "CapEff"),
        permitted: set(|s| &s.cap_prm, "CapPrm"),
        inheritable: set(|s| &s.cap_inh, "CapInh"),
        bounding: set(|s| &s.cap_bnd, "CapBnd"),
        ambient,
        full_set: kernel.cap_last_cap.clone().map(CapSet::full),
        source: show(path),
    }
}

fn securebits(root: &Root) -> Fact<Securebits> {
    if root.kind() == RootKind::Fixture {
        return Fact::unknown(
            "prctl(PR_GET_SECUREBITS)",
            "securebits are not in procfs; only the live process can ask for its own",
        );
    }
    match root::secure_bits() {
        Ok(b) => Fact::Known(Securebits::from_bits(b)),
        Err(e) => Fact::unknown("prctl(PR_GET_SECUREBITS)", e.to_string()),
    }
}

fn no_new_privs(root: &Root, path: &Path, status: &Result<Status, Unknown>) -> Fact<NoNewPrivs> {
    let from_status = match status {
        Ok(s) => field(path, &s.no_new_privs, "NoNewPrivs"),
        Err(u) => Fact::Unknown(u.clone()),
    };
    match from_status {
        Fact::Known(enabled) => Fact::Known(NoNewPrivs {
            enabled,
            source: NnpSource::Status,
        }),
        // The prctl answer is the authority where status lacks the line
        // (kernels before 4.10, gVisor) — for the live process only.
        Fact::Unknown(u) if root.kind() == RootKind::Live => match root::no_new_privs() {
            Ok(enabled) => Fact::Known(NoNewPrivs {
                enabled,
                source: NnpSource::Prctl,
            }),
            Err(e) => Fact::unknown(
                "prctl(PR_GET_NO_NEW_PRIVS)",
                format!("{}; and {}: {}", e.desc(), u.source, u.reason),
            ),
        },
        Fact::Unknown(u) => Fact::Unknown(u),
    }
}

fn read_threads(io: &Session, main: &Status) -> Fact<Threads> {
    let root = io.root();
    let dir = root.proc_self_tasks();
    let main_tid = main.tgid.value().copied();
    let mut unreadable = Vec::new();
    // The other threads' ids: none for a single-threaded process, so no
    // allocation then.
    let mut others: Vec<u32> = Vec::new();
    let (count, truncated) =
        match io.scan_dir(&dir, root::TASK_LIMIT, |name| match name.parse::<u32>() {
            Ok(tid) if Some(tid) == main_tid => {}
            Ok(tid) => others.push(tid),
            Err(_) => unreadable.push(format!("{name}: not a thread id")),
        }) {
            Ok(v) => v,
            Err(e) => return Fact::Unknown(Unknown::read(&dir, &e)),
        };
    unreadable.sort();
    others.sort_unstable();
    let mut t = Threads {
        count,
        differing: Vec::new(),
        unreadable,
        exited: 0,
        truncated,
    };
    let mut buf = Vec::new();
    for tid in others {
        let mut path = dir.join(tid.to_string());
        path.push("status");
        match io.read_into(&path, root::STATUS_LIMIT, &mut buf) {
            Ok(false) => {}
            Ok(true) => {
                t.unreadable
                    .push(format!("{tid}: status larger than the read bound"));
                continue;
            }
            Err(e) if matches!(e.errno(), Some(2) | Some(3)) => {
                t.exited += 1;
                continue;
            }
            Err(e) => {
                t.unreadable.push(format!("{tid}: {e}"));
                continue;
            }
        }
        let s = Status::parse_bytes(&buf);
        match diff(tid, main, &s) {
            Ok(Some(d)) => t.differing.push(d),
            Ok(None) => {}
            Err(why) => t.unreadable.push(format!("{tid}: {why}")),
        }
    }
    Fact::Known(t)
}

fn diff(tid: u32, main: &Status, s: &Status) -> Result<Option<ThreadDiff>, ParseError> {
    fn cmp<T: Clone + PartialEq>(
        name: &'static str,
        main: &Field<T>,
        t: &Field<T>,
    ) -> Result<Option<T>, ParseError> {
        match (main, t) {
            (Field::Value(a), Field::Value(b)) => Ok((a != b).then(|| b.clone())),
            (Field::Missing, Field::Missing) => Ok(None),
            (_, Field::Malformed(m)) => Err(m.clone()),
            (_, Field::Missing) => Err(ParseError::MissingLine(name)),
            (_, Field::Value(b)) => Ok(Some(b.clone())),
        }
    }
    let cap =
        |name, a: &Field<u64>, b: &Field<u64>| cmp(name, a, b).map(|o| o.map(CapSet::from_mask));
    let d = ThreadDiff {
        tid,
        seccomp: cmp("Seccomp", &main.seccomp, &s.seccomp)?,
        no_new_privs: cmp("NoNewPrivs", &main.no_new_privs, &s.no_new_privs)?,
        effective: cap("CapEff", &main.cap_eff, &s.cap_eff)?,
        permitted: cap("CapPrm", &main.cap_prm, &s.cap_prm)?,
        bounding: cap("CapBnd", &main.cap_bnd, &s.cap_bnd)?,
        ambient: cap("CapAmb", &main.cap_amb, &s.cap_amb)?,
        inheritable: cap("CapInh", &main.cap_inh, &s.cap_inh)?,
        uid: cmp("Uid", &main.uid, &s.uid)?,
    };
    let same = d.seccomp.is_none()
        && d.no_new_privs.is_none()
        && d.effective.is_none()
        && d.permitted.is_none()
        && d.bounding.is_none()
        && d.ambient.is_none()
        && d.inheritable.is_none()
        && d.uid.is_none();
    Ok((!same).then_some(d))
}

fn read_namespaces(io: &Session, kernel: Option<(u32, u32)>) -> Vec<Namespace> {
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
/// known, else from what the namespace holds (see [`crate::netns`]). The
/// verdict also becomes the `net` entry's `initial`.
fn read_network(
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
    // procfs's parsers (the stack's crate) for both tables: a line they do
    // not understand fails the whole table, which leaves the answer unknown.
    use procfs::FromBufRead;
    let interfaces: Fact<Vec<netns::Interface>> = io
        .with_text(&dev_path, root::SMALL_FILE_LIMIT * 4, |t| {
            procfs::net::InterfaceDeviceStatus::from_buf_read(t.as_bytes())
                .map_err(|e| Unknown::file(&dev_path, e.to_string()))
        })
        .map_err(|e| Unknown::read(&dev_path, &e))
        .and_then(|r| r)
        .map(|table| {
            let mut names: Vec<String> = table.0.into_keys().collect();
            names.sort_unstable();
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
            procfs::net::UnixNetEntries::from_buf_read(data)
                .map(|t| netns::UnixSockets {
                    paths: t
                        .0
                        .into_iter()
                        .filter_map(|e| e.path)
                        .filter_map(|p| p.into_os_string().into_string().ok())
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

fn read_mounts(io: &Session) -> Result<(MountTable, bool), Unknown> {
    let root = io.root();
    let path = root.proc_self("mountinfo");
    let (table, truncated) = io
        .with_capped(&path, root::MOUNTINFO_LIMIT, |data, truncated| {
            // A cut read: drop the partial last line.
            let data = match (truncated, data.iter().rposition(|&b| b == b'\n')) {
                (false, _) => data,
                (true, Some(i)) => &data[..=i],
                (true, None) => &[],
            };
            (MountTable::parse_bytes(data), truncated)
        })
        .map_err(|e| Unknown::read(&path, &e))?;
    if table.mounts.is_empty() {
        return Err(Unknown::file(&path, "no mount could be parsed"));
    }
    Ok((table, truncated))
}

fn user_namespace(io: &Session, namespaces: &[Namespace], identity: &Identity) -> UserNamespace {
    let root = io.root();
    let map = |name: &str| -> Fact<IdMap> {
        let path = root.proc_self(name);
        parse_small(io, &path, |t| {
            IdMap::parse(t).map_err(|e| Unknown::file(&path, e.to_string()))
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

fn read_lsm(io: &Session) -> Lsm {
    let root = io.root();
    let list_path = root.sys("kernel/security/lsm");
    let active: Fact<Vec<String>> =
        parse_small(io, &list_path, |t| Ok(lsm::parse_lsm_list(t))).into();
    let enforce_path = root.sys("fs/selinux/enforce");
    let selinux_enforcing = parse_small(io, &enforce_path, |t| {
        lsm::parse_enforce(t).map_err(|w| Unknown::file(&enforce_path, w))
    })
    .into();

    let aa_path = root.proc_self("attr/apparmor/current");
    let cur_path = root.proc_self("attr/current");
    let aa = io.read_text(&aa_path, root::SMALL_FILE_LIMIT);
    let (label, label_source) = match aa {
        Ok(text) => (
            lsm::parse_apparmor(&text)
                .map(LsmLabel::AppArmor)
                .map_err(|w| Unknown::file(&aa_path, w))
                .into(),
            show(&aa_path),
        ),
        Err(aa_err) => {
            let label = match io.read_text(&cur_path, root::SMALL_FILE_LIMIT) {
                Ok(text) => lsm::parse_current(&text, active.known().map(|v| v.as_slice()))
                    .map_err(|w| Unknown::file(&cur_path, w))
                    .into(),
                Err(e) if e.errno() == Some(22) => Fact::Known(LsmLabel::None {
                    evidence: format!(
                        "{}: EINVAL (no LSM provides a process label)",
                        show(&cur_path)
                    ),
                }),
                Err(e) => Fact::unknown(show(&cur_path), format!("{e}; {}", describe_aa(&aa_err))),
            };
            (label, show(&cur_path))
        }
    };
    Lsm {
        label,
        label_source,
        selinux_enforcing,
        active,
    }
}

fn describe_aa(e: &ReadError) -> String {
    format!("AppArmor's own attribute: {e}")
}

fn read_cgroups(
    io: &Session,
    table: Result<&[Mount], &Unknown>,
    cgroup_ns_initial: Option<bool>,
) -> Fact<Cgroups> {
    let root = io.root();
    let path = root.proc_self("cgroup");
    let lines = match parse_small(io, &path, |t| {
        cgroup::parse_proc_cgroup(t).map_err(|w| Unknown::file(&path, w))
    }) {
        Ok(l) => l,
        Err(u) => return Fact::Unknown(u),
    };
    let limit = |kind: LimitKind| -> Fact<Limit> {
        let table = match table {
            Ok(t) => t,
            Err(u) => return Fact::Unknown(u.clone()),
        };
        let chain = match cgroup::limit_chain(&lines, table, kind) {
            Ok(c) => c,
            Err(w) => return Fact::unknown(show(&path), w),
        };
        // The kernel gives the real root cgroup no limit files (memory.max,
        // pids.max, cpu.max, v1 pids.max): there is no limit there to read.
        // The view's top is the real root only in the host's own cgroup
        // namespace with the hierarchy mounted from its root; in a private
        // namespace "/" is the container's own cgroup.
        let top_is_real_root = cgroup_ns_initial == Some(true) && chain.top == "/";
        let last = chain.levels.len() - 1;
        // One level's limit. `Ok(None)`: no file, which at the real root
        // means no limit, and at an ancestor means that level does not use
        // the controller (its children are limited, if at all, above it).
        let level = |files: &LimitFiles, missing_ok: bool| -> Result<Option<Limit>, Unknown> {
            let read = |p: &str| -> Result<Option<(String, std::path::PathBuf)>, Unknown> {
                let full = root.path(p);
                match io.read_text(&full, root::SMALL_FILE_LIMIT) {
                    Ok(t) => Ok(Some((t, full))),
                    Err(e) if missing_ok && e.errno() == Some(2) => Ok(None),
                    Err(e) => Err(Unknown::read(&full, &e)),
                }
            };
            // One file parsed in place (no copy of its text).
            let parse = |p: &str, f: fn(&str) -> Result<Limit, ParseError>| {
                let full = root.path(p);
                match io.with_text(&full, root::SMALL_FILE_LIMIT, f) {
                    Ok(r) => r.map(Some).map_err(|w| Unknown::file(&full, w)),
                    Err(e) if missing_ok && e.errno() == Some(2) => Ok(None),
                    Err(e) => Err(Unknown::read(&full, &e)),
                }
            };
            match (files, kind) {
                (LimitFiles::V2(p), LimitKind::Cpu) => parse(p, cgroup::parse_cpu_max),
                (LimitFiles::V1(q, Some(per)), LimitKind::Cpu) => {
                    read(q).and_then(|qo| match (qo, read(per)?) {
                        (Some((qt, qf)), Some((pt, _))) => cgroup::parse_cpu_v1(&qt, &pt)
                            .map(Some)
                            .map_err(|w| Unknown::file(&qf, w)),
                        _ => Ok(None),
                    })
                }
                (LimitFiles::V2(p) | LimitFiles::V1(p, _), _) => parse(p, cgroup::parse_limit),
            }
        };
        // The effective limit is the tightest along the chain.
        let mut best: Option<Limit> = None;
        for (i, files) in chain.levels.iter().enumerate() {
            let missing_ok = i > 0 || (top_is_real_root && i == last);
            match level(files, missing_ok) {
                Ok(Some(l)) if l.is_limited() => {
                    best = Some(match best {
                        Some(b) if b.tighter_than(l) => b,
                        _ => l,
                    })
                }
                Ok(_) => {}
                // A limit already found stands; a level that cannot be read
                // can only make it tighter.
                Err(_) if best.is_some() => break,
                Err(u) => return Fact::Unknown(u),
            }
        }
        match best {
            Some(l) => Fact::Known(l),
            None if top_is_real_root => Fact::Known(Limit::Unlimited),
            None => {
                let top_file = match &chain.levels[last] {
                    LimitFiles::V2(p) | LimitFiles::V1(p, _) => show(&root.path(p)),
                };
                Fact::unknown(
                    top_file,
                    format!(
                        "no limit in this cgroup{}; the top of this view (cgroup {}) is not the real root, so a limit set above it cannot be ruled out",
                        match last {
                            0 => String::new(),
                            n => format!(" or the {n} above it"),
                        },
                        chain.top
                    ),
                )
            }
        }
    };
    Fact::Known(Cgroups {
        version: cgroup::version(&lines),
        memory: limit(LimitKind::Memory),
        pids: limit(LimitKind::Pids),
        cpu: limit(LimitKind::Cpu),
        membership: lines,
    })
}

fn read_runtime(
    io: &Session,
    status: &Result<Status, Unknown>,
    table: Option<&[Mount]>,
    cgroups: &Fact<Cgroups>,
    kernel: &Kernel,
    namespaces: &[Namespace],
) -> Runtime {
    let root = io.root();
    let dockerenv_path = root.path(".dockerenv");
    let containerenv_path = root.path("run/.containerenv");
    let self_env_path = root.proc_self("environ");
    let init_env_path = root.proc_init("environ");
    let containerenv = io
        .read_text(&containerenv_path, root::SMALL_FILE_LIMIT)
        .ok();
    let self_env = io
        .read_bytes(&self_env_path, root::SMALL_FILE_LIMIT * 4)
        .ok();
    let init_env = io
        .read_bytes(&init_env_path, root::SMALL_FILE_LIMIT * 4)
        .ok();
    let initial = |ty| {
        namespaces
            .iter()
            .find(|n| n.ns_type == ty)
            .and_then(|n| n.initial.known().copied())
    };
    // A container has its own mount namespace (and, but for --pid=host, its
    // own pid namespace). A process in the host's pid and mount namespaces is
    // not in a container, whatever user namespace it has (`unshare -U`).
    let host_namespaces = match (initial(NsType::Pid), initial(NsType::Mnt)) {
        (Some(true), Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        _ => None,
    };
    let status_is_sparse = status
        .as_ref()
        .is_ok_and(|s| matches!(s.no_new_privs, Field::Missing));
    let ns_inodes_not_linux = {
        let mut inodes = namespaces.iter().filter_map(|n| n.inode.known()).peekable();
        inodes.peek().is_some() && inodes.all(|&i| !ns::is_linux_namespace_inode(i))
    };
    let inputs = runtime::Inputs {
        dockerenv: io.exists(&dockerenv_path).unwrap_or(false),
        containerenv: containerenv.as_deref(),
        self_environ: self_env.as_deref(),
        init_environ: init_env.as_deref(),
        cgroups: cgroups.known().map(|c| c.membership.as_slice()),
        mounts: table,
        osrelease: kernel.release.known().map(String::as_str),
        host_namespaces,
        status_is_sparse,
        ns_inodes_not_linux,
        // OpenVZ's kernel has /proc/vz on the host and in containers, and
        // /proc/bc only on the host (systemd's detect_container rule).
        openvz_container: io.exists(&root.proc_dir().join("vz")).unwrap_or(false)
            && !io.exists(&root.proc_dir().join("bc")).unwrap_or(true),
        paths: runtime::Paths {
            dockerenv: into_shown(dockerenv_path),
            containerenv: into_shown(containerenv_path),
            self_environ: into_shown(self_env_path),
            init_environ: into_shown(init_env_path),
            cgroup: into_shown(root.proc_self("cgroup")),
            mountinfo: into_shown(root.proc_self("mountinfo")),
            osrelease: into_shown(root.proc_sys("kernel/osrelease")),
            status: into_shown(root.proc_self("status")),
        },
    };
    runtime::detect(&inputs)
}

fn read_devices(io: &Session) -> Fact<Devices> {
    let root = io.root();
    let dir = root.dev_dir();
    let mut host_devices = Vec::new();
    let scan = io.scan_dir(&dir, root::DEV_ENTRY_LIMIT, |name| {
        if is_host_device(name) {
            host_devices.push(name.to_string());
        }
    });
    match scan {
        Ok((_, true)) => Fact::unknown(
            show(&dir),
            format!("more than {} entries", root::DEV_ENTRY_LIMIT),
        ),
        Ok((entries, false)) => {
            host_devices.sort_unstable();
            Fact::Known(Devices {
                entries,
                host_devices,
            })
        }
        Err(e) => Fact::Unknown(Unknown::read(&dir, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_device_lookup_by_first_byte_matches_the_prefix_list() {
        let mut names: Vec<String> = ["", "s", "tty0", "ttyS0", "null", "zero", "ptmx", "pts"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for p in HOST_DEVICE_PREFIXES {
            names.push(p.to_string());
            names.push(format!("{p}0"));
            // One byte short: not the prefix any more.
            names.push(p[..p.len() - 1].to_string());
            names.push(format!("x{p}"));
        }
        let mut hits = 0;
        for n in &names {
            let expected = HOST_DEVICE_PREFIXES.iter().any(|p| n.starts_with(p));
            assert_eq!(is_host_device(n), expected, "{n:?}");
            hits += expected as usize;
        }
        assert!(hits >= 2 * HOST_DEVICE_PREFIXES.len());
        assert!(is_host_device("vda1") && is_host_device("kmsg") && !is_host_device("tty1"));
    }
}

//! The report: every fact `posture` establishes about the calling process,
//! gathered from a [`Root`](crate::Root) in one pass. Each probe's failure is its own
//! [`Fact::Unknown`]; none aborts the others.
//!
//! Stage: Report (parse -> probe -> Report -> policy -> render). Types only,
//! the Rust mirror of `SCHEMA.md`: the [`Report`] and every section it holds,
//! with a few pure helpers on them. Nothing here reads a file; the probe stage
//! ([`crate::posture_with_root`]) fills these in.

use crate::fact::Fact;
// The parsed values a report holds. The parsers themselves are the crate's
// own (`src/parse/`, private); what they produce is part of the report.
pub use crate::parse::capability::{CapSet, Capability};
pub use crate::parse::cgroup::{CgroupLine, CgroupVersion, Limit, LimitScope};
pub use crate::parse::idmap::{IdMap, IdRange, Mapping};
pub use crate::parse::lsm::{AppArmor, AppArmorMode, LsmLabel, SelinuxContext};
pub use crate::parse::mountinfo::{Mount, Propagation};
pub use crate::parse::ns::NsType;
pub use crate::parse::status::SeccompMode;

mod network;
mod runtime;
mod syscall_probe;
pub use network::{HostNetwork, NetMethod, NetSignal, Strength};
pub use runtime::{Confidence, Runtime, RuntimeKind, RuntimeSignal};
pub use syscall_probe::{
    BlockedBy, Creation, Errno, Outcome, Signal, Syscall, SyscallProbe, SyscallResult,
    UserNamespaces,
};

/// The version of the JSON document this crate writes. Bumped when a field
/// changes meaning or is removed; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the root came from: the live system or a fixture directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RootKind {
    /// The running system: `/`.
    Live,
    /// A directory shaped like `/`, holding captured files.
    Fixture,
}

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
    /// `/proc` is a procfs, but what it says of this process disagrees with
    /// what the kernel answers directly (a file or directory of another
    /// process, or of another filesystem, mounted over this process's; a
    /// procfs of another pid namespace): nothing read from it can be trusted.
    Disagrees {
        /// Each disagreement, naming the file and what contradicted it.
        findings: Vec<String>,
    },
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
    pub(crate) fn from_status(v: [u32; 4]) -> Ids {
        Ids {
            real: v[0],
            effective: v[1],
            saved: v[2],
            filesystem: Some(v[3]),
        }
    }

    /// Whether any of the ids is 0.
    pub(crate) fn any_root(&self) -> bool {
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

impl Capabilities {
    /// The five sets' names, in the order [`Capabilities::sets`] and
    /// [`ThreadDiff::sets`] list them: the order of the text report, the
    /// JSON document and the metrics.
    pub(crate) const SET_NAMES: [&'static str; 5] = [
        "effective",
        "permitted",
        "inheritable",
        "bounding",
        "ambient",
    ];

    /// The five sets with their names, in the order of the text report, the JSON
    /// document and the metrics: effective, permitted, inheritable, bounding, ambient.
    pub fn sets(&self) -> [(&'static str, &Fact<CapSet>); 5] {
        let [e, p, i, b, a] = Self::SET_NAMES;
        [
            (e, &self.effective),
            (p, &self.permitted),
            (i, &self.inheritable),
            (b, &self.bounding),
            (a, &self.ambient),
        ]
    }
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
    pub(crate) fn from_bits(bits: u32) -> Securebits {
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

impl ThreadDiff {
    /// The thread's five capability sets, `Some` where they differ from the
    /// main thread's, in the order of [`Capabilities::sets`].
    pub fn sets(&self) -> [(&'static str, Option<CapSet>); 5] {
        let [e, p, i, b, a] = Capabilities::SET_NAMES;
        [
            (e, self.effective),
            (p, self.permitted),
            (i, self.inheritable),
            (b, self.bounding),
            (a, self.ambient),
        ]
    }
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
    /// Memory limit: the tightest over this process's cgroup and every
    /// ancestor the mount shows (`unlimited`: none of them sets one).
    pub memory: Fact<Limit>,
    /// Task limit, likewise.
    pub pids: Fact<Limit>,
    /// CPU bandwidth limit, likewise.
    pub cpu: Fact<Limit>,
    /// How far up `memory` was read (`None` where its cgroup files were not
    /// found): whether the view reached the real root cgroup.
    pub memory_scope: Option<LimitScope>,
    /// How far up `pids` was read.
    pub pids_scope: Option<LimitScope>,
    /// How far up `cpu` was read.
    pub cpu_scope: Option<LimitScope>,
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

/// A mount as the report lists it (where, what, flags): a [`Mount`] whose
/// JSON leaves out the ids, device numbers and option strings. It derefs to
/// the mount, and cloning it copies no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSummary(pub Mount);

impl std::ops::Deref for MountSummary {
    type Target = Mount;
    fn deref(&self) -> &Mount {
        &self.0
    }
}

impl From<&Mount> for MountSummary {
    fn from(m: &Mount) -> MountSummary {
        MountSummary(m.clone())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MountSummary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let m = &self.0;
        let mut st = s.serialize_struct("MountSummary", 9)?;
        st.serialize_field("mount_point", m.mount_point())?;
        st.serialize_field("fstype", m.fstype())?;
        st.serialize_field("source", m.source())?;
        st.serialize_field("root", m.root())?;
        st.serialize_field("read_only", &m.read_only)?;
        st.serialize_field("nosuid", &m.nosuid)?;
        st.serialize_field("noexec", &m.noexec)?;
        st.serialize_field("nodev", &m.nodev)?;
        st.serialize_field("propagation", &m.propagation)?;
        st.end()
    }
}

/// A runtime socket (or its directory) visible in the mount table, or found
/// at a place runtimes put sockets (the probe's socket search).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
// The schema's description, as the doc comment read before its link named
// the socket search by path (the report does not import the probe).
#[cfg_attr(
    feature = "schema",
    schemars(
        description = "A runtime socket (or its directory) visible in the mount table, or found\nat a place runtimes put sockets ([`for_each_socket_candidate`])."
    )
)]
#[non_exhaustive]
pub struct SocketMount {
    /// Where it is mounted (or, when found by `stat`, where the socket is).
    pub mount_point: String,
    /// Its path within the source filesystem (empty when found by `stat`:
    /// the mount that brought it in shows only its directory).
    pub root: String,
    /// Whose socket it is.
    pub runtime: String,
    /// True when a directory holding sockets is mounted, not the socket itself.
    pub directory: bool,
    /// How it was found.
    pub seen_in: SeenIn,
}

/// What a host mount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum HostMountKind {
    /// A file the runtime binds into every container (`/etc/hostname`, …)
    /// from its own state directory.
    RuntimeFile,
    /// A volume the runtime or the kubelet made (named volume, emptyDir,
    /// PersistentVolumeClaim, ConfigMap, Secret).
    Volume,
    /// A whole filesystem that is not the host's root (a block volume
    /// mounted at `/data`).
    Filesystem,
    /// A host directory or file bound in (`-v /data/x:/x`, `hostPath`).
    HostPath,
    /// A procfs, sysfs or devtmpfs mounted where the runtime does not put one.
    Pseudo,
}

/// How a runtime socket was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SeenIn {
    /// In the mount table: the socket, its directory, or a host filesystem
    /// holding `/run`, mounted in.
    Mountinfo,
    /// By `stat` at a place runtimes put sockets, whatever mount brought it.
    Stat,
}

/// A host filesystem or directory mounted in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HostMount {
    /// The mount.
    pub mount: MountSummary,
    /// Where its root is on the host, as far as the table tells (`None`: the
    /// top of a filesystem whose place on the host is not known).
    pub host_path: Option<String>,
    /// How `host_path` was found: `runtime_file` (a runtime-managed bind on
    /// the same filesystem shows where it is mounted), `subvolume` (btrfs),
    /// `assumed_root` (the filesystem is taken to be the host's `/`), `tree`
    /// (it holds `etc`, `usr` and `var`, so it is a root filesystem).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["runtime_file", "subvolume", "tree", "assumed_root", "tmpfs", "pseudo", "unknown"])))]
    pub placement: &'static str,
    /// What it is.
    pub kind: HostMountKind,
    /// Why it is sensitive, if it is.
    pub sensitive: Option<String>,
    /// Whether the runtime itself puts this file in every container.
    pub runtime_managed: bool,
}

/// How a runtime-masked path looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MaskState {
    /// Covered by an empty file or an empty tmpfs.
    Masked,
    /// Covered by (or under) a read-only mount.
    ReadOnly,
    /// Not covered, and present: visible as far as mounts go.
    Exposed,
    /// Not covered, but the path does not exist on this kernel (e.g.
    /// `/proc/kcore` without `CONFIG_PROC_KCORE`): nothing to mask.
    Absent,
}

/// A masked or read-only path and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct MaskedPath {
    /// The path.
    pub path: &'static str,
    /// Its state.
    pub state: MaskState,
}

/// What covers `/sys` or `/proc/sys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum PseudoFsState {
    /// Mounted read-only.
    ReadOnly,
    /// Mounted read-write.
    ReadWrite,
    /// Not mounted at all.
    NotMounted,
    /// Another filesystem stands there (sysbox's FUSE `sysboxfs` over
    /// `/proc/sys`): an emulation, not the kernel's own tree.
    Emulated,
}

/// What the mount table says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Mounts {
    /// How many mounts were parsed.
    pub count: usize,
    /// Why the table may be incomplete (truncated read, lines that did not
    /// parse, a socket `stat` that could not answer, more tmpfs mounts than
    /// the socket search covers). Non-empty means "absence of X" cannot be
    /// concluded.
    pub incomplete: Vec<String>,
    /// The mount at `/`, if any.
    pub root: Option<MountSummary>,
    /// Whether `/` is read-only (`None` when no mount at `/` is listed).
    pub root_read_only: Option<bool>,
    /// Writable mounts, with their nosuid/noexec/nodev and propagation.
    pub writable: Vec<MountSummary>,
    /// Runtime sockets mounted in.
    pub runtime_sockets: Vec<SocketMount>,
    /// Host files and directories mounted in (bind mounts of block-backed
    /// filesystems, and pseudo filesystems in unusual places).
    pub host_mounts: Vec<HostMount>,
    /// State of each runtime-masked and read-only path.
    pub masked_paths: Vec<MaskedPath>,
    /// What covers `/proc/sys`.
    pub proc_sys: PseudoFsState,
    /// What covers `/sys`.
    pub sys: PseudoFsState,
    /// Kubernetes service-account credential mounts.
    pub service_account_mounts: Vec<String>,
    /// Every mount, in file order, as parsed.
    pub table: Vec<Mount>,
}

impl Mounts {
    /// Whether the table is complete enough to conclude that something is absent.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_empty()
    }
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
    pub syscalls: Fact<SyscallProbe>,
}

impl Report {
    /// The namespace entry of a type.
    pub fn namespace(&self, ty: NsType) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.ns_type == ty)
    }
}

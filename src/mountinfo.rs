//! `/proc/self/mountinfo` (proc(5)): a tolerant parser and what the mount
//! table says about hardening.
//!
//! Each line reads
//! `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
//! mount id, parent id, `major:minor`, the root of the mount within its source
//! filesystem, the mount point, per-mount options, optional fields ending in
//! `-`, the filesystem type, the source, and per-superblock options.
//! Paths escape space, tab, newline and backslash as octal (`\040`).

/// One mount.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mount {
    /// Mount id.
    pub id: u32,
    /// Parent mount id.
    pub parent: u32,
    /// Device major number (0 for pseudo and memory filesystems).
    pub major: u32,
    /// Device minor number.
    pub minor: u32,
    /// The directory of the source filesystem this mount shows (a bind mount's
    /// source path within its filesystem; `/` for a whole filesystem).
    pub root: String,
    /// Where it is mounted.
    pub mount_point: String,
    /// Per-mount options (`ro`, `nosuid`, …), comma-separated.
    pub options: String,
    /// `ro` among the per-mount options.
    pub read_only: bool,
    /// `nosuid` among the per-mount options.
    pub nosuid: bool,
    /// `noexec` among the per-mount options.
    pub noexec: bool,
    /// `nodev` among the per-mount options.
    pub nodev: bool,
    /// Propagation from the optional fields.
    pub propagation: Propagation,
    /// Filesystem type (`overlay`, `proc`, `ext4`, …).
    pub fstype: String,
    /// Source (`/dev/vda`, `tmpfs`, `overlay`, …).
    pub source: String,
    /// Per-superblock options.
    pub super_options: String,
}

/// Mount propagation, from mountinfo's optional fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Propagation {
    /// No propagation (no optional fields).
    #[default]
    Private,
    /// `shared:N`: mounts propagate both ways with peer group N.
    Shared,
    /// `master:N` without `shared`: receives from the master only.
    Slave,
    /// Both `shared:N` and `master:M`.
    SharedAndSlave,
    /// `unbindable`.
    Unbindable,
}

impl Mount {
    /// Whether a per-mount option is present.
    pub fn has_option(&self, opt: &str) -> bool {
        self.options.split(',').any(|o| o == opt)
    }

    /// Whether the mount is read-only (per-mount `ro`).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the filesystem sits on a block device (a real disk, not a
    /// pseudo or memory filesystem).
    pub fn block_backed(&self) -> bool {
        self.major != 0
    }
}

/// A parsed mount table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountTable {
    /// The mounts, in file order.
    pub mounts: Vec<Mount>,
    /// Lines that did not parse: `(line number, reason)`.
    pub bad_lines: Vec<(usize, String)>,
}

/// Undoes the kernel's octal escaping of `\`, space, tab and newline.
pub fn unescape(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_string();
    }
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            if v <= 0xff {
                out.push(v as u8);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_line(line: &str) -> Result<Mount, String> {
    let mut it = line.split(' ');
    let mut next = |what: &str| {
        it.next()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("no {what}"))
    };
    let id = next("mount id")?
        .parse()
        .map_err(|_| "mount id is not a number")?;
    let parent = next("parent id")?
        .parse()
        .map_err(|_| "parent id is not a number")?;
    let (maj, min) = next("major:minor")?
        .split_once(':')
        .ok_or("major:minor has no colon")?;
    let major = maj.parse().map_err(|_| "major is not a number")?;
    let minor = min.parse().map_err(|_| "minor is not a number")?;
    let root = unescape(next("root")?);
    let mount_point = unescape(next("mount point")?);
    let options = next("mount options")?;
    let (mut read_only, mut nosuid, mut noexec, mut nodev) = (false, false, false, false);
    for o in options.split(',') {
        match o {
            "ro" => read_only = true,
            "nosuid" => nosuid = true,
            "noexec" => noexec = true,
            "nodev" => nodev = true,
            _ => {}
        }
    }
    let options = options.to_string();
    let mut propagation = Propagation::Private;
    let (mut shared, mut master) = (false, false);
    loop {
        let f = next("separator `-`")?;
        if f == "-" {
            break;
        }
        if f.starts_with("shared:") {
            shared = true;
        } else if f.starts_with("master:") {
            master = true;
        } else if f == "unbindable" {
            propagation = Propagation::Unbindable;
        }
    }
    if propagation != Propagation::Unbindable {
        propagation = match (shared, master) {
            (true, true) => Propagation::SharedAndSlave,
            (true, false) => Propagation::Shared,
            (false, true) => Propagation::Slave,
            (false, false) => Propagation::Private,
        };
    }
    let fstype = next("filesystem type")?.to_string();
    // The source may legitimately be empty on some kernels ("none" elsewhere).
    let source = it.next().map(unescape).unwrap_or_default();
    let super_options = it.next().unwrap_or("").to_string();
    Ok(Mount {
        id,
        parent,
        major,
        minor,
        root,
        mount_point,
        options,
        read_only,
        nosuid,
        noexec,
        nodev,
        propagation,
        fstype,
        source,
        super_options,
    })
}

impl MountTable {
    /// Parses mountinfo text. Never fails; bad lines are listed.
    pub fn parse(text: &str) -> MountTable {
        let mut t = MountTable::default();
        for (i, line) in text.split('\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            match parse_line(line) {
                Ok(m) => t.mounts.push(m),
                Err(e) => {
                    if t.bad_lines.len() < 16 {
                        t.bad_lines.push((i + 1, e));
                    }
                }
            }
        }
        t
    }

    /// The mount that decides what `path` sees: the deepest mount point that is
    /// `path` or an ancestor of it; among mounts stacked on one point, the last.
    pub fn mount_for(&self, path: &str) -> Option<&Mount> {
        mount_for(self.mounts.iter(), path)
    }

    /// The last mount exactly at `path`.
    pub fn mount_at(&self, path: &str) -> Option<&Mount> {
        mount_at(self.mounts.iter(), path)
    }
}

fn mount_for<'a>(mounts: impl Iterator<Item = &'a Mount>, path: &str) -> Option<&'a Mount> {
    let mut best: Option<&Mount> = None;
    for m in mounts {
        if is_ancestor_or_equal(&m.mount_point, path)
            && best.is_none_or(|b| m.mount_point.len() >= b.mount_point.len())
        {
            best = Some(m);
        }
    }
    best
}

fn mount_at<'a>(
    mounts: impl DoubleEndedIterator<Item = &'a Mount>,
    path: &str,
) -> Option<&'a Mount> {
    mounts.rev().find(|m| m.mount_point == path)
}

/// Whether `a` is `b` or a directory above it (`/` is above everything).
pub fn is_ancestor_or_equal(a: &str, b: &str) -> bool {
    a == b || a == "/" || (b.starts_with(a) && b.as_bytes().get(a.len()) == Some(&b'/'))
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Socket files of container runtimes and orchestrators; anyone who can
/// connect to one controls the host.
pub const RUNTIME_SOCKETS: &[(&str, &str)] = &[
    ("docker.sock", "docker"),
    ("dockershim.sock", "kubernetes"),
    ("cri-dockerd.sock", "docker"),
    ("containerd.sock", "containerd"),
    ("containerd.sock.ttrpc", "containerd"),
    ("podman.sock", "podman"),
    ("crio.sock", "cri-o"),
    ("kubelet.sock", "kubernetes"),
    ("buildkitd.sock", "buildkit"),
];

/// Directories that hold those sockets; a bind of the whole directory exposes them.
pub const RUNTIME_SOCKET_DIRS: &[(&str, &str)] = &[
    ("/run/docker", "docker"),
    ("/var/run/docker", "docker"),
    ("/run/containerd", "containerd"),
    ("/var/run/containerd", "containerd"),
    ("/run/podman", "podman"),
    ("/var/run/podman", "podman"),
    ("/run/crio", "cri-o"),
    ("/var/run/crio", "cri-o"),
    ("/run/buildkit", "buildkit"),
    ("/var/lib/kubelet/device-plugins", "kubernetes"),
    ("/var/lib/kubelet/pod-resources", "kubernetes"),
];

/// Where runtimes put their sockets, as seen from inside the container; a
/// socket there is reachable whatever mount brought it in.
pub const SOCKET_PATHS: &[(&str, &str)] = &[
    ("/var/run/docker.sock", "docker"),
    ("/run/docker.sock", "docker"),
    ("/run/containerd/containerd.sock", "containerd"),
    ("/var/run/containerd/containerd.sock", "containerd"),
    ("/run/podman/podman.sock", "podman"),
    ("/run/crio/crio.sock", "cri-o"),
    ("/var/run/crio/crio.sock", "cri-o"),
    ("/run/buildkit/buildkitd.sock", "buildkit"),
    ("/var/lib/kubelet/pod-resources/kubelet.sock", "kubernetes"),
];

/// The same sockets relative to a host `/run` mounted somewhere else
/// (`-v /run:/host-run`): looked for at the top of every tmpfs the runtime
/// did not make for itself.
pub const SOCKETS_UNDER_RUN: &[(&str, &str)] = &[
    ("docker.sock", "docker"),
    ("containerd/containerd.sock", "containerd"),
    ("podman/podman.sock", "podman"),
    ("crio/crio.sock", "cri-o"),
    ("buildkit/buildkitd.sock", "buildkit"),
];

/// Directories to look for sockets in: the fixed places, then
/// [`SOCKETS_UNDER_RUN`] below each whole tmpfs mounted outside `/dev`,
/// `/proc` and `/sys`. Paths already in `known` are left out.
pub fn socket_candidates(mounts: &[Mount], known: &[SocketMount]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = SOCKET_PATHS
        .iter()
        .map(|(p, rt)| (p.to_string(), *rt))
        .collect();
    for m in mounts {
        let at = m.mount_point.as_str();
        if m.fstype == "tmpfs"
            && m.root == "/"
            && at != "/"
            && !["/dev", "/proc", "/sys"]
                .iter()
                .any(|d| is_ancestor_or_equal(d, at))
        {
            for (rel, rt) in SOCKETS_UNDER_RUN {
                out.push((format!("{}/{rel}", at.trim_end_matches('/')), *rt));
            }
        }
    }
    out.retain(|(p, _)| !known.iter().any(|k| &k.mount_point == p));
    out.sort();
    out.dedup();
    out
}

/// Host paths that must not be bind-mounted into a container, whole or as an
/// ancestor (mounting `/var` exposes `/var/run`).
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/var/run",
    "/run",
    "/var/lib/docker",
    "/var/lib/containers",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/log",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/lib/modules",
    "/usr",
];

/// Host trees whose every file is sensitive (a single `/etc/shadow` bind counts).
/// Not `/var/lib/kubelet` as a whole: every Kubernetes volume (ConfigMaps,
/// Secrets, emptyDir, `/etc/hosts`) is a bind from the pod's own directory
/// `/var/lib/kubelet/pods/<uid>/…`; the kubelet's credentials are listed.
pub const SENSITIVE_HOST_TREES: &[&str] = &[
    "/etc",
    "/root",
    "/boot",
    "/proc",
    "/sys",
    "/var/lib/kubelet/pki",
    "/var/lib/kubelet/kubeconfig",
    "/var/lib/kubelet/config.yaml",
];

/// Files a runtime bind-mounts into every container itself.
pub const RUNTIME_MANAGED: &[&str] = &[
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/run/.containerenv",
    "/.containerenv",
    "/dev/termination-log",
    "/run/secrets",
    "/dev/shm",
];

/// `/proc` and `/sys` paths that runtimes mask with an empty file or tmpfs,
/// because they leak host kernel state (runc's default `maskedPaths`).
pub const MASKED_PATHS: &[&str] = &[
    "/proc/kcore",
    "/proc/keys",
    "/proc/timer_list",
    "/proc/sched_debug",
    "/proc/latency_stats",
    "/proc/timer_stats",
    "/proc/acpi",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Paths runtimes make read-only (runc's default `readonlyPaths`).
pub const READONLY_PATHS: &[&str] = &[
    "/proc/sysrq-trigger",
    "/proc/sys",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/asound",
];

/// Paths that must be masked (or, for `sysrq-trigger`, read-only) for the
/// sensitive-mount check: they exist on every kernel.
pub const REQUIRED_MASKS: &[&str] = &[
    "/proc/kcore",
    "/proc/keys",
    "/proc/timer_list",
    "/proc/sysrq-trigger",
];

/// Where Kubernetes mounts service-account credentials.
pub const SERVICE_ACCOUNT_DIRS: &[&str] = &[
    "/var/run/secrets/kubernetes.io/serviceaccount",
    "/run/secrets/kubernetes.io/serviceaccount",
    "/var/run/secrets/eks.amazonaws.com/serviceaccount",
    "/var/run/secrets/tokens",
];

/// A mount summary for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MountSummary {
    /// Where it is mounted.
    pub mount_point: String,
    /// Filesystem type.
    pub fstype: String,
    /// Source.
    pub source: String,
    /// The directory of the source filesystem shown here.
    pub root: String,
    /// `ro`.
    pub read_only: bool,
    /// `nosuid`.
    pub nosuid: bool,
    /// `noexec`.
    pub noexec: bool,
    /// `nodev`.
    pub nodev: bool,
    /// Propagation.
    pub propagation: Propagation,
}

impl From<&Mount> for MountSummary {
    fn from(m: &Mount) -> MountSummary {
        MountSummary {
            mount_point: m.mount_point.clone(),
            fstype: m.fstype.clone(),
            source: m.source.clone(),
            root: m.root.clone(),
            read_only: m.read_only,
            nosuid: m.nosuid,
            noexec: m.noexec,
            nodev: m.nodev,
            propagation: m.propagation,
        }
    }
}

/// A runtime socket (or its directory) visible in the mount table, or found
/// at a place runtimes put sockets ([`socket_candidates`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    /// How it was found: `mountinfo` or `stat`.
    pub seen_in: &'static str,
}

/// A host filesystem or directory mounted in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HostMount {
    /// The mount.
    pub mount: MountSummary,
    /// Why it is sensitive, if it is.
    pub sensitive: Option<String>,
    /// Whether the runtime itself puts this file in every container.
    pub runtime_managed: bool,
}

/// How a runtime-masked path looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
pub struct MaskedPath {
    /// The path.
    pub path: &'static str,
    /// Its state.
    pub state: MaskState,
}

/// What covers `/sys` or `/proc/sys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PseudoFsState {
    /// Mounted read-only.
    ReadOnly,
    /// Mounted read-write.
    ReadWrite,
    /// Not mounted at all.
    NotMounted,
}

/// What the mount table says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Mounts {
    /// How many mounts were parsed.
    pub count: usize,
    /// Why the table may be incomplete (truncated read, lines that did not
    /// parse). Non-empty means "absence of X" cannot be concluded.
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

fn mask_state(t: &[&Mount], path: &str) -> MaskState {
    match mount_at(t.iter().copied(), path) {
        Some(m) if m.fstype == "tmpfs" && m.read_only() => MaskState::Masked,
        // A bind of /dev/null: root "/null" on devtmpfs/tmpfs.
        Some(m) if basename(&m.root) == "null" => MaskState::Masked,
        Some(m) if m.read_only() => MaskState::ReadOnly,
        Some(_) => MaskState::Exposed,
        None => match mount_for(t.iter().copied(), path) {
            Some(m) if m.read_only() => MaskState::ReadOnly,
            _ => MaskState::Exposed,
        },
    }
}

fn pseudo_state(t: &[&Mount], path: &str, fstype: &str) -> PseudoFsState {
    match mount_for(t.iter().copied(), path) {
        Some(m) if m.fstype == fstype || m.mount_point == path => {
            if m.read_only() {
                PseudoFsState::ReadOnly
            } else {
                PseudoFsState::ReadWrite
            }
        }
        _ => PseudoFsState::NotMounted,
    }
}

fn sensitivity(m: &Mount) -> Option<String> {
    let at = &m.mount_point;
    match m.fstype.as_str() {
        // Runtimes re-bind parts of the container's own /proc and /sys read-only
        // in place; a procfs or sysfs anywhere else is someone else's view.
        "proc" if !is_ancestor_or_equal("/proc", at) => {
            return Some(format!("a procfs mounted at {at}"));
        }
        "sysfs" if !is_ancestor_or_equal("/sys", at) => {
            return Some(format!("a sysfs mounted at {at}"));
        }
        // devtmpfs is always the host's device tree. Runtimes bind single
        // harmless nodes from it (/null to mask, /zero, /tty … when they cannot
        // mknod in a user namespace); the whole tree or a disk, memory or
        // kernel-log node exposes the host.
        "devtmpfs" if m.root == "/" || crate::report::is_host_device(basename(&m.root)) => {
            return Some(format!("the host's devtmpfs ({}) at {at}", m.root));
        }
        _ => {}
    }
    if !m.block_backed() || at == "/" {
        return None;
    }
    if let Some(p) = SENSITIVE_HOST_PATHS
        .iter()
        .find(|p| is_ancestor_or_equal(&m.root, p))
    {
        return Some(format!("host path {} (covers {p}) at {at}", m.root));
    }
    if let Some(p) = SENSITIVE_HOST_TREES
        .iter()
        .find(|p| is_ancestor_or_equal(p, &m.root))
    {
        return Some(format!("host path {} (in {p}) at {at}", m.root));
    }
    None
}

/// Analyses a parsed table. `truncated` says the read stopped at its bound.
/// Paths the table leaves uncovered are reported [`MaskState::Exposed`];
/// [`analyse_with`] can tell those from absent ones.
pub fn analyse(t: &MountTable, truncated: bool) -> Mounts {
    analyse_with(t.clone(), truncated, |_| None)
}

/// Whether a path names a runtime socket or socket directory, and whose.
fn socket_of(p: &str) -> Option<(&'static str, bool)> {
    let base = basename(p);
    if base.contains(".sock")
        && let Some((_, rt)) = RUNTIME_SOCKETS.iter().find(|(n, _)| base == *n)
    {
        return Some((rt, false));
    }
    if (p.starts_with("/run/") || p.starts_with("/var/"))
        && let Some((_, rt)) = RUNTIME_SOCKET_DIRS.iter().find(|(d, _)| p == *d)
    {
        return Some((rt, true));
    }
    None
}

/// Like [`analyse`], taking the table (its mounts become [`Mounts::table`]
/// without a copy), with `exists(path)` answering whether an uncovered
/// masked path exists (`None`: could not tell, so it stays `Exposed`).
pub fn analyse_with(
    t: MountTable,
    truncated: bool,
    exists: impl Fn(&str) -> Option<bool>,
) -> Mounts {
    let mut incomplete = Vec::new();
    if truncated {
        incomplete.push("mountinfo was larger than the read bound and was cut".to_string());
    }
    for (line, why) in &t.bad_lines {
        incomplete.push(format!("line {line} did not parse: {why}"));
    }
    let root = t.mount_at("/");
    let mut runtime_sockets = Vec::new();
    let mut host_mounts = Vec::new();
    let mut service_account_mounts = Vec::new();
    let mut writable = Vec::new();
    // The few mounts that can cover /proc or /sys paths, for the mask checks.
    let mut pseudo: Vec<&Mount> = Vec::new();
    for m in &t.mounts {
        let at = m.mount_point.as_str();
        if at == "/" || at.starts_with("/proc") || at.starts_with("/sys") {
            pseudo.push(m);
        }
        if !m.read_only {
            writable.push(MountSummary::from(m));
        }
        if let Some((rt, directory)) = socket_of(at).or_else(|| socket_of(&m.root)) {
            runtime_sockets.push(SocketMount {
                mount_point: m.mount_point.clone(),
                root: m.root.clone(),
                runtime: rt.to_string(),
                directory,
                seen_in: "mountinfo",
            });
        }
        // A host filesystem mounted whole (or a tree holding /run) brings the
        // runtime sockets in with it, though no socket shows in the table.
        if m.block_backed()
            && at != "/"
            && let Some(dir) = ["/run", "/var/run"]
                .iter()
                .find(|d| is_ancestor_or_equal(&m.root, d))
        {
            runtime_sockets.push(SocketMount {
                mount_point: m.mount_point.clone(),
                root: m.root.clone(),
                runtime: format!("any runtime whose socket is under the host's {dir}"),
                directory: true,
                seen_in: "mountinfo",
            });
        }
        if at.contains("/secrets/")
            && SERVICE_ACCOUNT_DIRS
                .iter()
                .any(|d| is_ancestor_or_equal(d, at))
        {
            service_account_mounts.push(m.mount_point.clone());
        }
        let pseudo_elsewhere = matches!(m.fstype.as_str(), "proc" | "sysfs" | "devtmpfs");
        if (m.block_backed() && at != "/") || pseudo_elsewhere {
            let sensitive = sensitivity(m);
            if m.block_backed() || sensitive.is_some() {
                host_mounts.push(HostMount {
                    mount: m.into(),
                    runtime_managed: RUNTIME_MANAGED.contains(&at),
                    sensitive,
                });
            }
        }
    }
    let masked_paths = MASKED_PATHS
        .iter()
        .chain(READONLY_PATHS)
        .map(|p| MaskedPath {
            path: p,
            state: match mask_state(&pseudo, p) {
                MaskState::Exposed if exists(p) == Some(false) => MaskState::Absent,
                s => s,
            },
        })
        .collect();
    let proc_sys = pseudo_state(&pseudo, "/proc/sys", "proc");
    let sys = pseudo_state(&pseudo, "/sys", "sysfs");
    let root_summary = root.map(MountSummary::from);
    let root_read_only = root.map(|m| m.read_only);
    drop(pseudo);
    Mounts {
        count: t.mounts.len(),
        incomplete,
        root: root_summary,
        root_read_only,
        writable,
        runtime_sockets,
        host_mounts,
        masked_paths,
        proc_sys,
        sys,
        service_account_mounts,
        table: t.mounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER: &str = "\
1101 950 0:102 / / rw,relatime master:436 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work
1102 1101 0:105 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1103 1101 0:106 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1108 1101 0:110 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1116 1101 254:0 /var/lib/docker/containers/abc/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw
1117 1101 254:0 /var/lib/docker/containers/abc/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw
1119 1101 0:25 /docker.sock /var/run/docker.sock rw,nosuid,nodev - tmpfs tmpfs rw,mode=755
1120 1101 254:0 / /host rw,relatime - ext4 /dev/vda rw
1121 1101 254:0 /etc /host\\040etc ro,relatime - ext4 /dev/vda rw
951 1102 0:105 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
955 1102 0:105 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
956 1102 0:105 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw
958 1102 0:106 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
959 1102 0:106 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
960 1102 0:106 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
962 1108 0:112 / /sys/firmware ro,relatime - tmpfs tmpfs ro
";

    #[test]
    fn parses_fields_and_escapes() {
        let t = MountTable::parse(DOCKER);
        assert!(t.bad_lines.is_empty(), "{:?}", t.bad_lines);
        assert_eq!(t.mounts.len(), 16);
        let m = &t.mounts[0];
        assert_eq!((m.id, m.parent, m.major, m.minor), (1101, 950, 0, 102));
        assert_eq!(m.propagation, Propagation::Slave);
        assert_eq!(m.fstype, "overlay");
        assert_eq!(t.mounts[8].mount_point, "/host etc");
        assert_eq!(unescape("a\\134b\\011c\\012"), "a\\b\tc\n");
        assert_eq!(unescape("bad\\9"), "bad\\9");
    }

    #[test]
    fn analysis_finds_socket_host_mounts_and_masks() {
        let a = analyse(&MountTable::parse(DOCKER), false);
        assert!(a.is_complete());
        assert_eq!(a.root_read_only, Some(false));
        // The socket itself, and the host's /run reachable through /host.
        assert_eq!(a.runtime_sockets.len(), 2);
        assert_eq!(a.runtime_sockets[0].runtime, "docker");
        assert!(!a.runtime_sockets[0].directory);
        assert_eq!(a.runtime_sockets[1].mount_point, "/host");
        assert!(a.runtime_sockets[1].directory);
        let sensitive: Vec<_> = a
            .host_mounts
            .iter()
            .filter(|h| h.sensitive.is_some())
            .map(|h| h.mount.mount_point.as_str())
            .collect();
        assert_eq!(sensitive, ["/host", "/host etc"]);
        assert!(
            a.host_mounts
                .iter()
                .any(|h| h.runtime_managed && h.mount.mount_point == "/etc/hostname")
        );
        let state = |p: &str| a.masked_paths.iter().find(|m| m.path == p).unwrap().state;
        assert_eq!(state("/proc/kcore"), MaskState::Masked);
        assert_eq!(state("/proc/sysrq-trigger"), MaskState::ReadOnly);
        assert_eq!(state("/sys/firmware"), MaskState::Masked);
        // Under a read-only /sys.
        assert_eq!(state("/sys/devices/virtual/powercap"), MaskState::ReadOnly);
        assert_eq!(state("/proc/acpi"), MaskState::Exposed);
        assert_eq!(a.proc_sys, PseudoFsState::ReadOnly);
        assert_eq!(a.sys, PseudoFsState::ReadOnly);
    }

    #[test]
    fn kubernetes_pod_volumes_are_not_host_exposure() {
        let t = MountTable::parse(
            "1 0 0:50 / / rw - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs\n\
             2 1 254:1 /var/lib/kubelet/pods/0a1b/etc-hosts /etc/hosts rw - ext4 /dev/sda1 rw\n\
             3 1 254:1 /var/lib/kubelet/pods/0a1b/volumes/kubernetes.io~configmap/cfg /etc/app ro - ext4 /dev/sda1 rw\n\
             4 1 254:1 /var/lib/kubelet/pods/0a1b/volumes/kubernetes.io~empty-dir/cache /cache rw - ext4 /dev/sda1 rw\n\
             5 1 254:1 /var/lib/kubelet/pki /pki ro - ext4 /dev/sda1 rw\n\
             6 1 254:1 /var/lib/kubelet /kubelet ro - ext4 /dev/sda1 rw\n",
        );
        let a = analyse(&t, false);
        let sensitive: Vec<_> = a
            .host_mounts
            .iter()
            .filter(|h| h.sensitive.is_some())
            .map(|h| h.mount.mount_point.as_str())
            .collect();
        assert_eq!(sensitive, ["/pki", "/kubelet"]);
    }

    #[test]
    fn stacked_and_nested_mounts_resolve_to_the_deepest_last() {
        let t = MountTable::parse(
            "1 0 0:1 / / rw - ext4 a rw\n2 1 0:2 / / ro - overlay b ro\n3 2 0:3 / /proc rw - proc proc rw\n",
        );
        assert_eq!(t.mount_for("/etc/x").unwrap().id, 2);
        assert_eq!(t.mount_for("/proc/sys").unwrap().id, 3);
        assert_eq!(t.mount_for("/procx").unwrap().id, 2);
        assert!(analyse(&t, false).root_read_only == Some(true));
    }

    #[test]
    fn bad_and_truncated_tables_are_incomplete() {
        let t = MountTable::parse("1 0 0:1 / / rw - ext4 a rw\ngarbage line\n2 x\n");
        assert_eq!(t.mounts.len(), 1);
        assert_eq!(t.bad_lines.len(), 2);
        assert!(!analyse(&t, false).is_complete());
        let ok = MountTable::parse("1 0 0:1 / / rw - ext4 a rw\n");
        assert!(!analyse(&ok, true).is_complete());
        for junk in ["", "\n", " - ", "1 2 3:4 / / rw", "1 2 3:4 / / rw x y z"] {
            let _ = analyse(&MountTable::parse(junk), false);
        }
    }

    #[test]
    fn ancestry() {
        assert!(is_ancestor_or_equal("/", "/etc"));
        assert!(is_ancestor_or_equal("/var", "/var/run"));
        assert!(!is_ancestor_or_equal("/var/r", "/var/run"));
        assert!(!is_ancestor_or_equal("/var/run/x", "/var/run"));
    }
}

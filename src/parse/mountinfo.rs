//! `/proc/self/mountinfo` (proc(5)): a tolerant parser and what the mount
//! table says about hardening.
//!
//! Each line reads
//! `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
//! mount id, parent id, `major:minor`, the root of the mount within its source
//! filesystem, the mount point, per-mount options, optional fields ending in
//! `-`, the filesystem type, the source, and per-superblock options.
//! Paths escape space, tab, newline and backslash as octal (`\040`).
//!
//! A parsed table keeps its text in one shared buffer: each [`Mount`] holds
//! the buffer and the spans of its fields, so parsing makes one allocation
//! for the text of the whole table, and cloning a mount (into the report's
//! lists of writable or host mounts) copies no text.
//!
//! ```
//! use posture::mountinfo::{MountTable, Propagation};
//!
//! let t = MountTable::parse(
//!     "36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n",
//! );
//! let m = &t.mounts[0];
//! assert_eq!((m.root(), m.mount_point(), m.fstype()), ("/mnt1", "/mnt 2", "ext3"));
//! assert_eq!(m.propagation, Propagation::Slave);
//! assert!(m.has_option("noatime") && !m.read_only);
//! ```

use crate::parse::ParseError;
use std::fmt;
use std::sync::Arc;

/// Indices of the text fields in [`Mount::spans`].
const ROOT: usize = 0;
const MOUNT_POINT: usize = 1;
const OPTIONS: usize = 2;
const FSTYPE: usize = 3;
const SOURCE: usize = 4;
const SUPER_OPTIONS: usize = 5;
const TEXT_FIELDS: usize = 6;

/// One mount.
///
/// The text fields are methods ([`Mount::mount_point`], [`Mount::root`], …):
/// they are spans of a buffer shared with the rest of the table.
#[derive(Clone)]
pub struct Mount {
    /// Mount id.
    pub id: u32,
    /// Parent mount id.
    pub parent: u32,
    /// Device major number (0 for pseudo and memory filesystems).
    pub major: u32,
    /// Device minor number.
    pub minor: u32,
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
    text: Arc<str>,
    spans: [(u32, u32); TEXT_FIELDS],
}

/// Mount propagation, from mountinfo's optional fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    fn field(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.text[a as usize..b as usize]
    }

    /// The directory of the source filesystem this mount shows (a bind
    /// mount's source path within its filesystem; `/` for a whole
    /// filesystem), unescaped.
    pub fn root(&self) -> &str {
        self.field(ROOT)
    }

    /// Where it is mounted, unescaped.
    pub fn mount_point(&self) -> &str {
        self.field(MOUNT_POINT)
    }

    /// Per-mount options (`ro`, `nosuid`, …), comma-separated.
    pub fn options(&self) -> &str {
        self.field(OPTIONS)
    }

    /// Filesystem type (`overlay`, `proc`, `ext4`, …).
    pub fn fstype(&self) -> &str {
        self.field(FSTYPE)
    }

    /// Source (`/dev/vda`, `tmpfs`, `overlay`, …), unescaped; empty when the
    /// kernel printed none.
    pub fn source(&self) -> &str {
        self.field(SOURCE)
    }

    /// Per-superblock options, comma-separated.
    pub fn super_options(&self) -> &str {
        self.field(SUPER_OPTIONS)
    }

    /// Whether a per-mount option is present.
    pub fn has_option(&self, opt: &str) -> bool {
        self.options().split(',').any(|o| o == opt)
    }

    /// Whether a per-superblock option is present (`memory` on a cgroup v1
    /// hierarchy, `lowerdir=…` on overlay).
    pub fn has_super_option(&self, opt: &str) -> bool {
        self.super_options().split(',').any(|o| o == opt)
    }

    /// Whether the mount is read-only (per-mount `ro`).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the filesystem sits on a block device (major number ≠ 0).
    pub fn block_backed(&self) -> bool {
        self.major != 0
    }

    /// Whether the filesystem is kept on a disk of the machine: a block
    /// device, or btrfs, ZFS or bcachefs, which report an anonymous device
    /// number (`0:NN`) although they sit on disks. Memory and pseudo
    /// filesystems (tmpfs, proc, overlay's own superblock, …) are not.
    pub fn disk_backed(&self) -> bool {
        self.major != 0 || matches!(self.fstype(), "btrfs" | "zfs" | "bcachefs")
    }

    /// The btrfs subvolume this mount's superblock view belongs to
    /// (`subvol=/root` in the super options), when it is not the top level.
    pub fn btrfs_subvolume(&self) -> Option<&str> {
        if self.fstype() != "btrfs" {
            return None;
        }
        self.super_options()
            .split(',')
            .find_map(|o| o.strip_prefix("subvol="))
            .filter(|s| *s != "/" && !s.is_empty())
    }

    /// The root field relative to the filesystem as its owner mounts it: for
    /// btrfs the root is printed from the top-level subvolume, so Fedora's
    /// host `/etc` reads `/root/etc` (subvolume `root`); this strips the
    /// subvolume so it reads `/etc`. Other filesystems' roots are returned
    /// as they are.
    pub fn fs_root(&self) -> &str {
        let root = self.root();
        if let Some(sub) = self.btrfs_subvolume()
            && let Some(rest) = root.strip_prefix(sub)
        {
            if rest.is_empty() {
                return "/";
            }
            if rest.starts_with('/') {
                return rest;
            }
        }
        root
    }
}

impl PartialEq for Mount {
    fn eq(&self, o: &Mount) -> bool {
        (self.id, self.parent, self.major, self.minor) == (o.id, o.parent, o.major, o.minor)
            && (self.read_only, self.nosuid, self.noexec, self.nodev)
                == (o.read_only, o.nosuid, o.noexec, o.nodev)
            && self.propagation == o.propagation
            && (0..TEXT_FIELDS).all(|i| self.field(i) == o.field(i))
    }
}

impl Eq for Mount {}

impl fmt::Debug for Mount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mount")
            .field("id", &self.id)
            .field("parent", &self.parent)
            .field("major", &self.major)
            .field("minor", &self.minor)
            .field("root", &self.root())
            .field("mount_point", &self.mount_point())
            .field("options", &self.options())
            .field("read_only", &self.read_only)
            .field("nosuid", &self.nosuid)
            .field("noexec", &self.noexec)
            .field("nodev", &self.nodev)
            .field("propagation", &self.propagation)
            .field("fstype", &self.fstype())
            .field("source", &self.source())
            .field("super_options", &self.super_options())
            .finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Mount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Mount", 15)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("parent", &self.parent)?;
        st.serialize_field("major", &self.major)?;
        st.serialize_field("minor", &self.minor)?;
        st.serialize_field("root", self.root())?;
        st.serialize_field("mount_point", self.mount_point())?;
        st.serialize_field("options", self.options())?;
        st.serialize_field("read_only", &self.read_only)?;
        st.serialize_field("nosuid", &self.nosuid)?;
        st.serialize_field("noexec", &self.noexec)?;
        st.serialize_field("nodev", &self.nodev)?;
        st.serialize_field("propagation", &self.propagation)?;
        st.serialize_field("fstype", self.fstype())?;
        st.serialize_field("source", self.source())?;
        st.serialize_field("super_options", self.super_options())?;
        st.end()
    }
}

/// A parsed mount table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountTable {
    /// The mounts, in file order.
    pub mounts: Vec<Mount>,
    /// Lines that did not parse: `(line number, why)`; line 0 is the text
    /// past the parser's size bound.
    pub bad_lines: Vec<(usize, ParseError)>,
}

/// The most text parsed: with the unescaped copies (never longer than their
/// escaped form) every span fits in 32 bits.
const MAX_TEXT: usize = (u32::MAX / 2) as usize;

/// The most bad lines a table lists.
const BAD_LINES_KEPT: usize = 16;

fn octal_escape_at(b: &[u8], i: usize) -> Option<u8> {
    let d = b.get(i + 1..i + 4)?;
    if b[i] != b'\\' || !d.iter().all(|c| (b'0'..=b'7').contains(c)) {
        return None;
    }
    let v = (d[0] - b'0') as u32 * 64 + (d[1] - b'0') as u32 * 8 + (d[2] - b'0') as u32;
    u8::try_from(v).ok()
}

/// Undoes the kernel's octal escaping of `\`, space, tab and newline.
pub fn unescape(field: &str) -> String {
    let mut out = String::new();
    unescape_into(field, &mut out);
    out
}

/// [`unescape`], appending to `out`. A byte that does not make UTF-8 becomes
/// U+FFFD, as it does for the rest of the text.
fn unescape_into(field: &str, out: &mut String) {
    if !field.contains('\\') {
        out.push_str(field);
        return;
    }
    let b = field.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match octal_escape_at(b, i) {
            Some(v) => {
                bytes.push(v);
                i += 4;
            }
            None => {
                bytes.push(b[i]);
                i += 1;
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// One line's fields before the shared text exists: spans are offsets into
/// the input text or, for a field that held escapes, into the buffer of
/// unescaped fields that will follow the text.
struct RawMount {
    id: u32,
    parent: u32,
    major: u32,
    minor: u32,
    flags: [bool; 4],
    propagation: Propagation,
    spans: [(u32, u32); TEXT_FIELDS],
}

/// The most space-separated fields a line may have: ten fixed ones and up to
/// 22 optional fields (the kernel prints at most four: `shared:`, `master:`,
/// `propagate_from:`, `unbindable`). A line with more is reported, not parsed.
const MAX_FIELDS: usize = 32;

/// Names of the fields before the separator, for error messages.
const FIELD_NAMES: [&str; 6] = [
    "mount id",
    "parent id",
    "major:minor",
    "root",
    "mount point",
    "mount options",
];

fn parse_u32(f: &[u8], what: &'static str) -> Result<u32, ParseError> {
    // Digits only, at most ten, no sign: what the kernel prints.
    if f.is_empty() || f.len() > 10 || !f.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::FieldNotANumber(what));
    }
    let v = f.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
    u32::try_from(v).map_err(|_| ParseError::FieldNotANumber(what))
}

/// Parses one line in one pass over its bytes. `at` is the line's offset in
/// the table text; text fields without escapes become spans of it, escaped
/// ones are unescaped onto `side` (spans from `side_base` on).
fn parse_line(
    line: &str,
    at: usize,
    side: &mut String,
    side_base: usize,
) -> Result<RawMount, ParseError> {
    let b = line.as_bytes();
    // (start, end, holds a backslash) of each field.
    let mut f = [(0u32, 0u32, false); MAX_FIELDS];
    let (mut n, mut start, mut escaped) = (0usize, 0usize, false);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' => {
                if n == MAX_FIELDS - 1 {
                    return Err(ParseError::TooManyFields(MAX_FIELDS));
                }
                f[n] = (start as u32, i as u32, escaped);
                (n, start, escaped) = (n + 1, i + 1, false);
            }
            b'\\' => escaped = true,
            _ => {}
        }
    }
    f[n] = (start as u32, b.len() as u32, escaped);
    let n = n + 1;
    let text = |i: usize| &b[f[i].0 as usize..f[i].1 as usize];
    let sep = (FIELD_NAMES.len()..n).find(|&i| text(i) == b"-");
    let need = sep.map_or(FIELD_NAMES.len(), |s| s + 2);
    // Every field up to the filesystem type must be there and non-empty.
    if let Some(i) = (0..need.min(n + 1)).find(|&i| i >= n || text(i).is_empty()) {
        return Err(ParseError::Missing(match FIELD_NAMES.get(i) {
            Some(name) => name,
            None if sep.is_none_or(|s| i <= s) => "separator `-`",
            None => "filesystem type",
        }));
    }
    let Some(sep) = sep else {
        return Err(ParseError::Missing("separator `-`"));
    };
    let id = parse_u32(text(0), "mount id")?;
    let parent = parse_u32(text(1), "parent id")?;
    let majmin = text(2);
    let colon = majmin
        .iter()
        .position(|&c| c == b':')
        .ok_or(ParseError::NoColon)?;
    let major = parse_u32(&majmin[..colon], "major")?;
    let minor = parse_u32(&majmin[colon + 1..], "minor")?;
    // A span of the line as it is, or of its unescaped copy on `side`.
    let mut span = |i: usize| -> (u32, u32) {
        let (s, e, esc) = f[i];
        if esc {
            let a = side.len();
            unescape_into(&line[s as usize..e as usize], side);
            ((side_base + a) as u32, (side_base + side.len()) as u32)
        } else {
            ((at + s as usize) as u32, (at + e as usize) as u32)
        }
    };
    // Options, the filesystem type and superblock options are kept as
    // printed; paths and the source are unescaped.
    let raw = |i: usize| ((at + f[i].0 as usize) as u32, (at + f[i].1 as usize) as u32);
    let root = span(3);
    let mount_point = span(4);
    let options = raw(5);
    let mut flags = [false; 4];
    for o in text(5).split(|&c| c == b',') {
        match o {
            b"ro" => flags[0] = true,
            b"nosuid" => flags[1] = true,
            b"noexec" => flags[2] = true,
            b"nodev" => flags[3] = true,
            _ => {}
        }
    }
    let (mut shared, mut master, mut unbindable) = (false, false, false);
    for i in FIELD_NAMES.len()..sep {
        let o = text(i);
        shared |= o.starts_with(b"shared:");
        master |= o.starts_with(b"master:");
        unbindable |= o == b"unbindable";
    }
    let propagation = match (unbindable, shared, master) {
        (true, _, _) => Propagation::Unbindable,
        (_, true, true) => Propagation::SharedAndSlave,
        (_, true, false) => Propagation::Shared,
        (_, false, true) => Propagation::Slave,
        (_, false, false) => Propagation::Private,
    };
    let fstype = raw(sep + 1);
    // The source may legitimately be empty on some kernels ("none" elsewhere).
    let end = (at + b.len()) as u32;
    let source = if sep + 2 < n {
        span(sep + 2)
    } else {
        (end, end)
    };
    let super_options = if sep + 3 < n {
        raw(sep + 3)
    } else {
        (end, end)
    };
    Ok(RawMount {
        id,
        parent,
        major,
        minor,
        flags,
        propagation,
        spans: [root, mount_point, options, fstype, source, super_options],
    })
}

impl MountTable {
    /// Parses mountinfo text. Never fails; bad lines are listed.
    ///
    /// Text past 2 GiB is not parsed and is listed as a bad line (spans are
    /// 32-bit); the bound on what is read (`posture::root::MOUNTINFO_LIMIT`)
    /// is far below that.
    pub fn parse(text: &str) -> MountTable {
        let mut bad_lines = Vec::new();
        let text = if text.len() <= MAX_TEXT {
            text
        } else {
            let mut cut = MAX_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            bad_lines.push((0, ParseError::TooLong(MAX_TEXT)));
            &text[..cut]
        };
        let mut raw = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
        let mut side = String::new();
        for (i, (line_at, line)) in crate::records::records(text.as_bytes(), b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let line = &text[line_at..line_at + line.len()];
            match parse_line(line, line_at, &mut side, text.len()) {
                Ok(m) => raw.push(m),
                Err(e) => {
                    if bad_lines.len() < BAD_LINES_KEPT {
                        bad_lines.push((i + 1, e));
                    }
                }
            }
        }
        // One buffer for every mount's text: the input, then the unescaped
        // fields (usually none).
        let shared: Arc<str> = if side.is_empty() {
            Arc::from(text)
        } else {
            let mut all = String::with_capacity(text.len() + side.len());
            all.push_str(text);
            all.push_str(&side);
            Arc::from(all)
        };
        let mounts = raw
            .into_iter()
            .map(|r| Mount {
                id: r.id,
                parent: r.parent,
                major: r.major,
                minor: r.minor,
                read_only: r.flags[0],
                nosuid: r.flags[1],
                noexec: r.flags[2],
                nodev: r.flags[3],
                propagation: r.propagation,
                text: Arc::clone(&shared),
                spans: r.spans,
            })
            .collect();
        MountTable { mounts, bad_lines }
    }

    /// Parses mountinfo bytes: text that is not UTF-8 (a path holding such
    /// bytes, which the kernel does not escape) has those bytes replaced by
    /// U+FFFD; the valid case is checked once and not copied.
    pub fn parse_bytes(bytes: &[u8]) -> MountTable {
        match std::str::from_utf8(bytes) {
            Ok(t) => MountTable::parse(t),
            Err(_) => MountTable::parse(&String::from_utf8_lossy(bytes)),
        }
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
        if is_ancestor_or_equal(m.mount_point(), path)
            && best.is_none_or(|b| m.mount_point().len() >= b.mount_point().len())
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
    mounts.rev().find(|m| m.mount_point() == path)
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

/// The most tmpfs mounts whose top is searched for host sockets
/// ([`for_each_socket_candidate`]); past it the search stops and says so.
pub const SOCKET_SEARCH_MOUNTS: usize = 256;

/// Whether a mount may be a host's `/run` mounted elsewhere: a whole tmpfs
/// outside `/`, `/dev`, `/proc` and `/sys`.
fn may_be_host_run(m: &Mount) -> bool {
    let at = m.mount_point();
    m.fstype() == "tmpfs"
        && m.root() == "/"
        && at != "/"
        && !["/dev", "/proc", "/sys"]
            .iter()
            .any(|d| is_ancestor_or_equal(d, at))
}

/// Calls `f(path, runtime)` for each place to look for a runtime socket: the
/// fixed places ([`SOCKET_PATHS`]), then [`SOCKETS_UNDER_RUN`] below each
/// whole tmpfs mounted outside `/dev`, `/proc` and `/sys` (each directory
/// once, in path order). Paths already in `known` are left out. Returns
/// `false` when there were more than [`SOCKET_SEARCH_MOUNTS`] such tmpfs
/// mounts and the rest were not searched.
pub fn for_each_socket_candidate(
    mounts: &[Mount],
    known: &[SocketMount],
    mut f: impl FnMut(&str, &'static str),
) -> bool {
    let is_known = |p: &str| known.iter().any(|k| k.mount_point == p);
    for (p, rt) in SOCKET_PATHS {
        if !is_known(p) {
            f(p, rt);
        }
    }
    // Counted first: one allocation for the list, none when it is empty.
    let tmpfs = mounts.iter().filter(|m| may_be_host_run(m));
    let mut dirs: Vec<&str> = Vec::with_capacity(tmpfs.clone().count());
    dirs.extend(tmpfs.map(|m| m.mount_point().trim_end_matches('/')));
    dirs.sort_unstable();
    dirs.dedup();
    let complete = dirs.len() <= SOCKET_SEARCH_MOUNTS;
    // One buffer, long enough for every candidate.
    let longest_rel = SOCKETS_UNDER_RUN.iter().map(|(r, _)| r.len()).max();
    let longest_dir = dirs.iter().map(|d| d.len()).max();
    let mut path = match longest_dir {
        Some(d) => String::with_capacity(d + 1 + longest_rel.unwrap_or(0)),
        None => String::new(),
    };
    for dir in dirs.iter().take(SOCKET_SEARCH_MOUNTS) {
        for (rel, rt) in SOCKETS_UNDER_RUN {
            path.clear();
            path.push_str(dir);
            path.push('/');
            path.push_str(rel);
            if !SOCKET_PATHS.iter().any(|(p, _)| *p == path) && !is_known(&path) {
                f(&path, rt);
            }
        }
    }
    complete
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

/// Files a runtime bind-mounts into containers itself (podman adds
/// `/etc/passwd` and `/etc/group` entries for `--user` from its per-container
/// `userdata`). A host's own file at one of these places is still a host
/// path: it is judged by where it comes from.
pub const RUNTIME_MANAGED: &[&str] = &[
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/run/.containerenv",
    "/.containerenv",
    "/dev/termination-log",
    "/run/secrets",
    "/dev/shm",
];

/// Host directories where runtimes and the kubelet keep per-container state
/// (the files they bind into every container come from here). A
/// runtime-managed bind from one of them shows where its filesystem is
/// mounted on the host: its root field is the path below that mount.
pub const RUNTIME_STATE_DIRS: &[&str] = &[
    "/var/lib/docker/",
    "/var/lib/containers/",
    "/var/lib/containerd/",
    "/var/lib/kubelet/",
    "/var/lib/rancher/",
    "/var/lib/lxc/",
    "/var/lib/lxd/",
    "/var/lib/incus/",
    "/run/containers/",
];

/// Host directories of volumes a runtime or the kubelet created (named
/// volumes, emptyDir, PersistentVolumeClaims, ConfigMaps, Secrets): data the
/// workload owns, not a host path.
pub const VOLUME_DIRS: &[&str] = &[
    "/var/lib/kubelet/pods/",
    "/var/lib/docker/volumes/",
    "/var/lib/containers/storage/volumes/",
    "/var/lib/nerdctl/",
    "/var/lib/sysbox/",
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
/// at a place runtimes put sockets ([`for_each_socket_candidate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

fn mask_state(t: &[&Mount], path: &str) -> MaskState {
    match mount_at(t.iter().copied(), path) {
        Some(m) if m.fstype() == "tmpfs" && m.read_only() => MaskState::Masked,
        // A bind of /dev/null: root "/null" on devtmpfs/tmpfs.
        Some(m) if basename(m.root()) == "null" => MaskState::Masked,
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
        Some(m) if m.fstype() != fstype && m.mount_point() == path => PseudoFsState::Emulated,
        Some(m) if m.fstype() == fstype => {
            if m.read_only() {
                PseudoFsState::ReadOnly
            } else {
                PseudoFsState::ReadWrite
            }
        }
        _ => PseudoFsState::NotMounted,
    }
}

fn pseudo_sensitivity(m: &Mount) -> Option<String> {
    let at = m.mount_point();
    match m.fstype() {
        // Runtimes re-bind parts of the container's own /proc and /sys read-only
        // in place; a procfs or sysfs anywhere else is someone else's view.
        "proc" if !is_ancestor_or_equal("/proc", at) => Some(format!("a procfs mounted at {at}")),
        "sysfs" if !is_ancestor_or_equal("/sys", at) => Some(format!("a sysfs mounted at {at}")),
        // devtmpfs is always the host's device tree. Runtimes bind single
        // harmless nodes from it (/null to mask, /zero, /tty … when they cannot
        // mknod in a user namespace); the whole tree or a disk, memory or
        // kernel-log node exposes the host.
        "devtmpfs" if m.root() == "/" || crate::report::is_host_device(basename(m.root())) => {
            Some(format!("the host's devtmpfs ({}) at {at}", m.root()))
        }
        _ => None,
    }
}

/// Why a host path mounted at `at` is sensitive, if it is.
fn host_path_sensitivity(host: &str, at: &str) -> Option<String> {
    if let Some(p) = SENSITIVE_HOST_PATHS
        .iter()
        .find(|p| is_ancestor_or_equal(host, p))
    {
        return Some(format!("host path {host} (covers {p}) at {at}"));
    }
    if let Some(p) = SENSITIVE_HOST_TREES
        .iter()
        .find(|p| is_ancestor_or_equal(p, host))
    {
        return Some(format!("host path {host} (in {p}) at {at}"));
    }
    None
}

/// Where on the host a filesystem is mounted, from a runtime-managed file on
/// it: `/var/lib/docker/containers/x/hostname` means the filesystem is the
/// host's `/`; `/lib/docker/containers/x/hostname` means it is mounted at
/// `/var`; `/docker/containers/…` at `/var/lib`.
fn placement_from(runtime_file_root: &str) -> Option<String> {
    let mut best: Option<String> = None;
    for dir in RUNTIME_STATE_DIRS {
        // Every split of the state dir at a '/': its tail is what the
        // filesystem shows, its head is where the filesystem is mounted.
        for (i, _) in dir.match_indices('/') {
            let (head, tail) = dir.split_at(i);
            if tail.len() > 1 && runtime_file_root.starts_with(tail) {
                let head = if head.is_empty() { "/" } else { head };
                if best.as_ref().is_none_or(|b| head.len() < b.len()) {
                    best = Some(head.to_string());
                }
                break;
            }
        }
    }
    best
}

fn join_host(base: &str, rel: &str) -> String {
    match (base, rel) {
        ("/", r) => r.to_string(),
        (b, "/") => b.to_string(),
        (b, r) => format!("{}{r}", b.trim_end_matches('/')),
    }
}

/// One filesystem view: device numbers and, for btrfs, the subvolume.
type FsKey<'a> = (u32, u32, Option<&'a str>);

/// Analyses a parsed table./// Analyses a parsed table. `truncated` says the read stopped at its bound.
/// Paths the table leaves uncovered are reported [`MaskState::Exposed`];
/// [`analyse_with`] can tell those from absent ones.
pub fn analyse(t: &MountTable, truncated: bool) -> Mounts {
    analyse_with(t.clone(), truncated, |_| None)
}

/// Whether a path names a runtime socket or socket directory, and whose.
fn socket_of(p: &str) -> Option<(&'static str, bool)> {
    let base = basename(p);
    if let Some((_, rt)) = RUNTIME_SOCKETS.iter().find(|(n, _)| base == *n) {
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
    mut exists: impl FnMut(&str) -> Option<bool>,
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
    // Where each disk filesystem (device and btrfs subvolume) is mounted on
    // the host, from the runtime's own files on it.
    let mut placements: Vec<(FsKey<'_>, String)> = Vec::new();
    for m in &t.mounts {
        if m.disk_backed()
            && RUNTIME_MANAGED.contains(&m.mount_point())
            && let Some(base) = placement_from(m.fs_root())
        {
            let key = (m.major, m.minor, m.btrfs_subvolume());
            if !placements.iter().any(|(k, _)| *k == key) {
                placements.push((key, base));
            }
        }
    }
    // The few mounts that can cover /proc or /sys paths, for the mask checks.
    let mut pseudo: Vec<&Mount> = Vec::new();
    for m in &t.mounts {
        let at = m.mount_point();
        if at == "/" || at.starts_with("/proc") || at.starts_with("/sys") {
            pseudo.push(m);
        }
        if !m.read_only {
            writable.push(MountSummary::from(m));
        }
        if let Some((rt, directory)) = socket_of(at).or_else(|| socket_of(m.root())) {
            runtime_sockets.push(SocketMount {
                mount_point: at.to_string(),
                root: m.root().to_string(),
                runtime: rt.to_string(),
                directory,
                seen_in: SeenIn::Mountinfo,
            });
        }
        if at.contains("/secrets/")
            && SERVICE_ACCOUNT_DIRS
                .iter()
                .any(|d| is_ancestor_or_equal(d, at))
        {
            service_account_mounts.push(at.to_string());
        }
        if let Some(sensitive) = pseudo_sensitivity(m) {
            host_mounts.push(HostMount {
                mount: m.into(),
                host_path: Some(m.root().to_string()),
                placement: "pseudo",
                kind: HostMountKind::Pseudo,
                sensitive: Some(sensitive),
                runtime_managed: false,
            });
            continue;
        }
        // A part of a host tmpfs bound in (`-v /run/x.sock:/x.sock`): its root
        // is a path inside that tmpfs. The runtime's own tmpfs mounts are
        // whole (root `/`), and its masks bind `/null` over /proc and /sys.
        if m.fstype() == "tmpfs"
            && m.root() != "/"
            && basename(m.root()) != "null"
            && !["/proc", "/sys", "/dev"]
                .iter()
                .any(|d| is_ancestor_or_equal(d, at))
        {
            let runtime_managed = RUNTIME_MANAGED.contains(&at);
            let own = runtime_managed
                && RUNTIME_STATE_DIRS
                    .iter()
                    .chain(&["/containers/", "/run/containers/"])
                    .any(|d| m.root().starts_with(d) || m.root().contains(d));
            host_mounts.push(HostMount {
                mount: m.into(),
                host_path: Some(m.root().to_string()),
                placement: "tmpfs",
                kind: if own {
                    HostMountKind::RuntimeFile
                } else {
                    HostMountKind::HostPath
                },
                sensitive: None,
                runtime_managed,
            });
            continue;
        }
        if !m.disk_backed() || at == "/" {
            continue;
        }
        let rel = m.fs_root();
        let key = (m.major, m.minor, m.btrfs_subvolume());
        let placed = placements.iter().find(|(k, _)| *k == key).map(|(_, b)| b);
        let (host_path, placement) = match placed {
            Some(base) => (Some(join_host(base, rel)), "runtime_file"),
            None if rel == "/" => {
                // The top of a filesystem whose place is unknown: a root
                // filesystem holds etc, usr and var; a volume does not.
                let mut holds = |d: &str| exists(&format!("{}/{d}", at.trim_end_matches('/')));
                if ["etc", "usr", "var"].iter().all(|d| holds(d) == Some(true)) {
                    (Some("/".to_string()), "tree")
                } else {
                    (None, "unknown")
                }
            }
            None if m.btrfs_subvolume().is_some() => (Some(rel.to_string()), "subvolume"),
            None => (Some(rel.to_string()), "assumed_root"),
        };
        let runtime_managed = RUNTIME_MANAGED.contains(&at);
        let sensitive = host_path
            .as_deref()
            .and_then(|h| host_path_sensitivity(h, at));
        let under = |dirs: &[&str]| {
            host_path
                .as_deref()
                .is_some_and(|h| dirs.iter().any(|d| h.starts_with(d)))
        };
        let kind = match &host_path {
            None => HostMountKind::Filesystem,
            Some(_) if sensitive.is_some() => HostMountKind::HostPath,
            Some(_) if under(VOLUME_DIRS) => HostMountKind::Volume,
            Some(_) if runtime_managed && under(RUNTIME_STATE_DIRS) => HostMountKind::RuntimeFile,
            Some(_) => HostMountKind::HostPath,
        };
        // A host filesystem mounted whole (or a tree holding /run) brings the
        // runtime sockets in with it, though no socket shows in the table.
        if let Some(h) = host_path.as_deref()
            && let Some(dir) = ["/run", "/var/run"]
                .iter()
                .find(|d| is_ancestor_or_equal(h, d))
        {
            runtime_sockets.push(SocketMount {
                mount_point: at.to_string(),
                root: m.root().to_string(),
                runtime: format!("any runtime whose socket is under the host's {dir}"),
                directory: true,
                seen_in: SeenIn::Mountinfo,
            });
        }
        host_mounts.push(HostMount {
            mount: m.into(),
            host_path,
            placement,
            kind,
            sensitive,
            runtime_managed,
        });
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
        assert_eq!(m.fstype(), "overlay");
        assert_eq!(t.mounts[8].mount_point(), "/host etc");
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
            .map(|h| h.mount.mount_point())
            .collect();
        assert_eq!(sensitive, ["/host", "/host etc"]);
        assert!(
            a.host_mounts
                .iter()
                .any(|h| h.runtime_managed && h.mount.mount_point() == "/etc/hostname")
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
            .map(|h| h.mount.mount_point())
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
    fn socket_candidates_are_each_place_once_and_bounded() {
        let t = MountTable::parse(
            "1 0 0:1 / / rw - overlay overlay rw\n\
             2 1 0:2 / /host-run rw - tmpfs tmpfs rw\n\
             3 1 0:3 / /host-run rw - tmpfs tmpfs rw\n\
             4 1 0:4 / /run rw - tmpfs tmpfs rw\n\
             5 1 0:5 / /dev/shm rw - tmpfs shm rw\n\
             6 1 0:6 /sub /x rw - tmpfs tmpfs rw\n",
        );
        let known = [SocketMount {
            mount_point: "/var/run/docker.sock".into(),
            root: "/docker.sock".into(),
            runtime: "docker".into(),
            directory: false,
            seen_in: SeenIn::Mountinfo,
        }];
        let mut seen = Vec::new();
        let complete =
            for_each_socket_candidate(&t.mounts, &known, |p, rt| seen.push((p.to_string(), rt)));
        assert!(complete);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{seen:?}");
        let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
        // The fixed places but the known one; the stacked /host-run once;
        // /run adds nothing (the fixed list has all its places); not
        // /dev/shm, not a tmpfs subdirectory.
        assert!(!paths.contains(&"/var/run/docker.sock"));
        assert!(paths.contains(&"/run/docker.sock"));
        assert_eq!(
            paths.iter().filter(|p| p.starts_with("/host-run/")).count(),
            5
        );
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("/dev/") || p.starts_with("/x/"))
        );
        assert_eq!(
            paths.len(),
            SOCKET_PATHS.len() - 1 + SOCKETS_UNDER_RUN.len()
        );

        let many: String = (0..SOCKET_SEARCH_MOUNTS + 10)
            .map(|i| format!("{} 1 0:{i} / /t/{i} rw - tmpfs tmpfs rw\n", i + 2))
            .collect();
        let t = MountTable::parse(&format!("1 0 0:1 / / rw - overlay overlay rw\n{many}"));
        let mut n = 0;
        assert!(!for_each_socket_candidate(&t.mounts, &[], |_, _| n += 1));
        assert_eq!(
            n,
            SOCKET_PATHS.len() + SOCKET_SEARCH_MOUNTS * SOCKETS_UNDER_RUN.len()
        );
    }

    #[test]
    fn shared_text_spans_survive_escapes_and_clones() {
        let t = MountTable::parse(
            "7 1 8:1 /a\\134b /m\\040n rw,ro - ext4 /dev/s\\011x opt\n8 1 0:2 / /p rw - proc  rw\n",
        );
        let (a, b) = (&t.mounts[0], &t.mounts[1]);
        assert_eq!(a.root(), "/a\\b");
        assert_eq!(a.mount_point(), "/m n");
        assert_eq!(a.source(), "/dev/s\tx");
        assert_eq!((a.options(), a.super_options()), ("rw,ro", "opt"));
        assert!(a.read_only && a.has_option("ro") && a.has_super_option("opt"));
        // An empty source field stays empty; the superblock options follow it.
        assert_eq!((b.source(), b.super_options()), ("", "rw"));
        let summary = MountSummary::from(a);
        assert_eq!(summary.mount_point(), "/m n");
        assert_eq!(&summary.0, a);
        // Equal fields are equal mounts, whatever buffer holds them.
        let again = MountTable::parse("7 1 8:1 /a\\134b /m\\040n rw,ro - ext4 /dev/s\\011x opt\n");
        assert_eq!(&again.mounts[0], a);
    }

    #[test]
    fn ancestry() {
        assert!(is_ancestor_or_equal("/", "/etc"));
        assert!(is_ancestor_or_equal("/var", "/var/run"));
        assert!(!is_ancestor_or_equal("/var/r", "/var/run"));
        assert!(!is_ancestor_or_equal("/var/run/x", "/var/run"));
    }
}

//! `/proc/self/mountinfo` (proc(5)): a tolerant parser.
//!
//! Stage: parse (parse -> probe -> Report -> policy -> render). Pure text to
//! values, no I/O. What the table says about hardening (the report's mounts
//! section, [`crate::report::Mounts`]) is built by
//! the mount analysis (`infer::mounts`), from the runtime knowledge in
//! `known`.
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
//! // (the parsers are the crate's own; tests reach them through `__private`)
//! use posture::__private::parse::mountinfo::{MountTable, Propagation};
//!
//! let t = MountTable::parse(
//!     "36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n",
//! );
//! let m = &t.mounts[0];
//! assert_eq!((m.root(), m.mount_point(), m.fstype()), ("/mnt1", "/mnt 2", "ext3"));
//! assert_eq!(m.propagation, Propagation::Slave);
//! assert!(m.options().contains("noatime") && !m.read_only);
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

    /// Whether a per-superblock option is present (`memory` on a cgroup v1
    /// hierarchy, `lowerdir=…` on overlay).
    pub(crate) fn has_super_option(&self, opt: &str) -> bool {
        self.super_options().split(',').any(|o| o == opt)
    }

    /// Whether the filesystem is kept on a disk of the machine: a block
    /// device, or btrfs, ZFS or bcachefs, which report an anonymous device
    /// number (`0:NN`) although they sit on disks. Memory and pseudo
    /// filesystems (tmpfs, proc, overlay's own superblock, …) are not.
    pub(crate) fn disk_backed(&self) -> bool {
        self.major != 0 || matches!(self.fstype(), "btrfs" | "zfs" | "bcachefs")
    }

    /// The btrfs subvolume this mount's superblock view belongs to
    /// (`subvol=/root` in the super options), when it is not the top level.
    pub(crate) fn btrfs_subvolume(&self) -> Option<&str> {
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
    pub(crate) fn fs_root(&self) -> &str {
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
    /// 32-bit); the bound on what is read (`root::MOUNTINFO_LIMIT`)
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
        for (i, (line_at, line)) in
            crate::parse::records::records(text.as_bytes(), b'\n').enumerate()
        {
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
    #[cfg(test)]
    pub(crate) fn mount_for(&self, path: &str) -> Option<&Mount> {
        mount_for(self.mounts.iter(), path)
    }

    /// The last mount exactly at `path`.
    pub(crate) fn mount_at(&self, path: &str) -> Option<&Mount> {
        mount_at(self.mounts.iter(), path)
    }
}

pub(crate) fn mount_for<'a>(
    mounts: impl Iterator<Item = &'a Mount>,
    path: &str,
) -> Option<&'a Mount> {
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

pub(crate) fn mount_at<'a>(
    mounts: impl DoubleEndedIterator<Item = &'a Mount>,
    path: &str,
) -> Option<&'a Mount> {
    mounts.rev().find(|m| m.mount_point() == path)
}

/// Whether `a` is `b` or a directory above it (`/` is above everything).
pub(crate) fn is_ancestor_or_equal(a: &str, b: &str) -> bool {
    a == b || a == "/" || (b.starts_with(a) && b.as_bytes().get(a.len()) == Some(&b'/'))
}

pub(crate) fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::MountSummary;

    /// A Docker container's table, shared with the analysis tests.
    pub(crate) const DOCKER: &str = "\
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
    fn shared_text_spans_survive_escapes_and_clones() {
        let t = MountTable::parse(
            "7 1 8:1 /a\\134b /m\\040n rw,ro - ext4 /dev/s\\011x opt\n8 1 0:2 / /p rw - proc  rw\n",
        );
        let (a, b) = (&t.mounts[0], &t.mounts[1]);
        assert_eq!(a.root(), "/a\\b");
        assert_eq!(a.mount_point(), "/m n");
        assert_eq!(a.source(), "/dev/s\tx");
        assert_eq!((a.options(), a.super_options()), ("rw,ro", "opt"));
        assert!(
            a.read_only && a.options().split(",").any(|o| o == "ro") && a.has_super_option("opt")
        );
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

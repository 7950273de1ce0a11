//! cgroups (cgroups(7)): which version, which cgroup this process is in, and
//! where its memory, pids and cpu limit files are visible from inside.
//!
//! `/proc/self/cgroup` lines are `hierarchy-id:controllers:path`; v2 has the
//! single line `0::path`. The limit files are found through the mount table:
//! the controller's mount point plus the process's path below that mount's root.

use crate::parse::ParseError;
use crate::parse::mountinfo::Mount;
#[cfg(test)]
use crate::parse::mountinfo::MountTable;

/// One `/proc/self/cgroup` line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CgroupLine {
    /// Hierarchy id (0 for v2).
    pub hierarchy: u32,
    /// Controllers bound to the hierarchy (empty for v2).
    pub controllers: Vec<String>,
    /// The process's cgroup path in that hierarchy.
    pub path: String,
}

/// cgroup version in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CgroupVersion {
    /// Only the unified hierarchy.
    V2,
    /// Only v1 hierarchies.
    V1,
    /// v1 controllers plus the unified hierarchy.
    Hybrid,
}

/// Parses `/proc/self/cgroup`.
pub fn parse_proc_cgroup(text: &str) -> Result<Vec<CgroupLine>, ParseError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let mut it = line.splitn(3, ':');
        let (Some(h), Some(c), Some(p)) = (it.next(), it.next(), it.next()) else {
            return Err(ParseError::NotShaped("`id:controllers:path`").at_line(i + 1));
        };
        let hierarchy = h
            .parse()
            .map_err(|_| ParseError::part("hierarchy id", h, "a number").at_line(i + 1))?;
        if !p.starts_with('/') {
            return Err(ParseError::part("path", p, "absolute").at_line(i + 1));
        }
        out.push(CgroupLine {
            hierarchy,
            controllers: c
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            path: p.to_string(),
        });
        if out.len() > 64 {
            return Err(ParseError::More("64 hierarchies"));
        }
    }
    if out.is_empty() {
        return Err(ParseError::Missing("cgroup lines"));
    }
    Ok(out)
}

/// The version the lines show.
pub fn version(lines: &[CgroupLine]) -> CgroupVersion {
    let v2 = lines
        .iter()
        .any(|l| l.hierarchy == 0 && l.controllers.is_empty());
    let v1 = lines.iter().any(|l| l.hierarchy != 0);
    match (v1, v2) {
        (true, true) => CgroupVersion::Hybrid,
        (true, false) => CgroupVersion::V1,
        _ => CgroupVersion::V2,
    }
}

/// Which limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// Memory in bytes.
    Memory,
    /// Number of tasks.
    Pids,
    /// CPU bandwidth.
    Cpu,
}

impl LimitKind {
    /// The v1 controller name.
    pub fn controller(self) -> &'static str {
        match self {
            LimitKind::Memory => "memory",
            LimitKind::Pids => "pids",
            LimitKind::Cpu => "cpu",
        }
    }
}

/// Where a limit lives: absolute paths inside the (container's) filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitFiles {
    /// v2: one file (`memory.max`, `pids.max`, `cpu.max`).
    V2(String),
    /// v1: one file, or for cpu the quota and the period.
    V1(String, Option<String>),
}

/// Finds the files holding `kind`'s limit for this process's own cgroup.
pub fn limit_files(
    lines: &[CgroupLine],
    mounts: &[Mount],
    kind: LimitKind,
) -> Result<LimitFiles, LocateError> {
    let at = locate(lines, mounts, kind)?;
    Ok(files_in(&at.dir, kind, at.v1))
}

/// The limit files of one kind from this process's own cgroup up through
/// every ancestor the mount shows, own first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitChain {
    /// One entry per level: the own cgroup first, the top of the mounted
    /// view last.
    pub levels: Vec<LimitFiles>,
    /// The cgroup path, in this cgroup namespace, of the top level (the
    /// mount's root): `/` in a private cgroup namespace or at the real root.
    pub top: String,
}

/// [`limit_files`] for the own cgroup and each visible ancestor: the
/// effective limit is the smallest along the chain.
pub fn limit_chain(
    lines: &[CgroupLine],
    mounts: &[Mount],
    kind: LimitKind,
) -> Result<LimitChain, LocateError> {
    let at = locate(lines, mounts, kind)?;
    let top_dir = at.mount_point.trim_end_matches('/');
    let mut levels = Vec::new();
    let mut dir = at.dir.as_str();
    loop {
        levels.push(files_in(dir, kind, at.v1));
        if dir.len() <= top_dir.len() {
            break;
        }
        dir = match dir.rfind('/') {
            Some(i) if i >= top_dir.len() => &dir[..i],
            _ => top_dir,
        };
    }
    Ok(LimitChain {
        levels,
        top: at.mount_root,
    })
}

/// Why the limit files of this process's cgroup could not be found from
/// `/proc/self/cgroup` and the mount table.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocateError {
    /// The controller sits on a v1 hierarchy that is not mounted here.
    #[error("the {controller} v1 hierarchy is not mounted")]
    V1NotMounted {
        /// The controller (`memory`, `pids`, `cpu`).
        controller: &'static str,
    },
    /// No line of `/proc/self/cgroup` holds the controller, and there is no
    /// unified (`0::`) line either.
    #[error("no hierarchy holds the {controller} controller")]
    NoHierarchy {
        /// The controller.
        controller: &'static str,
    },
    /// The unified hierarchy is in `/proc/self/cgroup` but not mounted.
    #[error("the cgroup2 hierarchy is not mounted")]
    V2NotMounted,
    /// The process's cgroup is outside the part of the hierarchy the mount
    /// shows.
    #[error("cgroup {path} is not below the mounted part {mount_root} of the hierarchy")]
    OutsideMount {
        /// The cgroup path from `/proc/self/cgroup`.
        path: String,
        /// The mount's root field.
        mount_root: String,
    },
    /// A cgroup path with a `..` component.
    #[error("cgroup path {path} leaves the mount")]
    LeavesMount {
        /// The cgroup path.
        path: String,
    },
}

debug_is_display!(LocateError);

/// The message, for an [`Unknown`](crate::Unknown)'s reason.
impl From<LocateError> for String {
    fn from(e: LocateError) -> String {
        e.to_string()
    }
}

struct Located {
    dir: String,
    mount_point: String,
    mount_root: String,
    v1: bool,
}

fn locate(lines: &[CgroupLine], mounts: &[Mount], kind: LimitKind) -> Result<Located, LocateError> {
    let ctl = kind.controller();
    // v1 first: a controller bound to a v1 hierarchy is not in v2.
    if let Some(line) = lines
        .iter()
        .find(|l| l.hierarchy != 0 && l.controllers.iter().any(|c| c == ctl))
    {
        let mount = mounts
            .iter()
            .rev()
            .find(|m| m.fstype() == "cgroup" && m.has_super_option(ctl))
            .ok_or(LocateError::V1NotMounted { controller: ctl })?;
        return Ok(Located {
            dir: below_mount(mount.mount_point(), mount.root(), &line.path)?,
            mount_point: mount.mount_point().to_string(),
            mount_root: mount.root().to_string(),
            v1: true,
        });
    }
    let line = lines
        .iter()
        .find(|l| l.hierarchy == 0)
        .ok_or(LocateError::NoHierarchy { controller: ctl })?;
    let mount = mounts
        .iter()
        .rev()
        .find(|m| m.fstype() == "cgroup2")
        .ok_or(LocateError::V2NotMounted)?;
    Ok(Located {
        dir: below_mount(mount.mount_point(), mount.root(), &line.path)?,
        mount_point: mount.mount_point().to_string(),
        mount_root: mount.root().to_string(),
        v1: false,
    })
}

fn files_in(dir: &str, kind: LimitKind, v1: bool) -> LimitFiles {
    match (v1, kind) {
        (true, LimitKind::Memory) => LimitFiles::V1(format!("{dir}/memory.limit_in_bytes"), None),
        (true, LimitKind::Pids) => LimitFiles::V1(format!("{dir}/pids.max"), None),
        (true, LimitKind::Cpu) => LimitFiles::V1(
            format!("{dir}/cpu.cfs_quota_us"),
            Some(format!("{dir}/cpu.cfs_period_us")),
        ),
        (false, LimitKind::Memory) => LimitFiles::V2(format!("{dir}/memory.max")),
        (false, LimitKind::Pids) => LimitFiles::V2(format!("{dir}/pids.max")),
        (false, LimitKind::Cpu) => LimitFiles::V2(format!("{dir}/cpu.max")),
    }
}

fn below_mount(mount_point: &str, mount_root: &str, path: &str) -> Result<String, LocateError> {
    let rel = if mount_root == "/" {
        path
    } else {
        match path.strip_prefix(mount_root) {
            Some(r) if r.is_empty() || r.starts_with('/') => r,
            _ => {
                return Err(LocateError::OutsideMount {
                    path: path.to_string(),
                    mount_root: mount_root.to_string(),
                });
            }
        }
    };
    let rel = rel.trim_end_matches('/');
    if rel.split('/').any(|c| c == "..") {
        return Err(LocateError::LeavesMount {
            path: path.to_string(),
        });
    }
    Ok(format!("{}{}", mount_point.trim_end_matches('/'), rel))
}

/// A limit value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Limit {
    /// No limit (`max`, or v1's page-rounded LONG_MAX).
    Unlimited,
    /// A number: bytes for memory, tasks for pids.
    Value(u64),
    /// CPU bandwidth: `quota` microseconds every `period`.
    Cpu {
        /// Microseconds of CPU time per period.
        quota_us: u64,
        /// Period in microseconds.
        period_us: u64,
    },
}

impl std::fmt::Display for Limit {
    /// `max`, the number, or `quota/period µs` for CPU.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Unlimited => f.write_str("max"),
            Limit::Value(v) => write!(f, "{v}"),
            Limit::Cpu {
                quota_us,
                period_us,
            } => write!(f, "{quota_us}/{period_us} µs"),
        }
    }
}

impl Limit {
    /// Whether a limit is set.
    pub(crate) fn is_limited(self) -> bool {
        !matches!(self, Limit::Unlimited)
    }

    /// Whether this limit allows less than `other` (CPU limits compare their
    /// quota per period).
    pub(crate) fn tighter_than(self, other: Limit) -> bool {
        match (self, other) {
            (_, Limit::Unlimited) => self.is_limited(),
            (Limit::Unlimited, _) => false,
            (Limit::Value(a), Limit::Value(b)) => a < b,
            (
                Limit::Cpu {
                    quota_us: q1,
                    period_us: p1,
                },
                Limit::Cpu {
                    quota_us: q2,
                    period_us: p2,
                },
            ) => (q1 as u128) * (p2 as u128) < (q2 as u128) * (p1 as u128),
            _ => false,
        }
    }
}

/// How far up the cgroup tree a limit was read: the top of the chain of
/// cgroups this process can see ([`LimitChain::top`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LimitScope {
    /// The top cgroup read, as this process's cgroup namespace names it
    /// (the controller's mount root): `/` at the real root or in a private
    /// cgroup namespace, the container's own path for a hierarchy mounted
    /// from it (`/docker/<id>`).
    pub top: String,
    /// Whether that top is the real root cgroup, above which nothing can
    /// set a limit: `true` in the host's cgroup namespace with the hierarchy
    /// mounted from `/`; `false` for a cgroup below it (the root of a
    /// private cgroup namespace, or a hierarchy mounted from a cgroup below
    /// `/`), which is where container runtimes put the container's own
    /// cgroup, and whose ancestors are not visible; `null` when the top is
    /// `/` and whether the cgroup namespace is the host's is unknown.
    pub real_root: Option<bool>,
}

impl LimitScope {
    /// The scope of a chain whose top is `top`, in a cgroup namespace that
    /// is the host's initial one (`Some(true)`), another (`Some(false)`),
    /// or unknown.
    pub(crate) fn new(top: &str, cgroup_ns_initial: Option<bool>) -> LimitScope {
        LimitScope {
            top: top.to_string(),
            real_root: if top == "/" {
                cgroup_ns_initial
            } else {
                Some(false)
            },
        }
    }
}

/// v1 reports "no memory limit" as LONG_MAX rounded down to a page.
const V1_UNLIMITED_FLOOR: u64 = 1 << 62;

/// Parses a v2 `memory.max`/`pids.max` or a v1 `memory.limit_in_bytes`/`pids.max`.
pub fn parse_limit(text: &str) -> Result<Limit, ParseError> {
    let t = text.trim();
    if t == "max" {
        return Ok(Limit::Unlimited);
    }
    let v: u64 = t
        .parse()
        .map_err(|_| ParseError::neither(t, "`max`", "a number"))?;
    Ok(if v >= V1_UNLIMITED_FLOOR {
        Limit::Unlimited
    } else {
        Limit::Value(v)
    })
}

/// Parses v2 `cpu.max`: `max 100000` or `50000 100000`.
pub fn parse_cpu_max(text: &str) -> Result<Limit, ParseError> {
    let mut it = text.split_ascii_whitespace();
    let (Some(q), Some(p), None) = (it.next(), it.next(), it.next()) else {
        return Err(ParseError::not_a(text.trim(), "`quota period`"));
    };
    let period_us = p
        .parse()
        .map_err(|_| ParseError::part("period", p, "a number"))?;
    if q == "max" {
        return Ok(Limit::Unlimited);
    }
    let quota_us = q
        .parse()
        .map_err(|_| ParseError::part("quota", q, "a number"))?;
    Ok(Limit::Cpu {
        quota_us,
        period_us,
    })
}

/// Parses v1 `cpu.cfs_quota_us` (-1 for none) and `cpu.cfs_period_us`.
pub fn parse_cpu_v1(quota: &str, period: &str) -> Result<Limit, ParseError> {
    let q: i64 = quota
        .trim()
        .parse()
        .map_err(|_| ParseError::part("quota", quota.trim(), "a number"))?;
    let p: u64 = period
        .trim()
        .parse()
        .map_err(|_| ParseError::part("period", period.trim(), "a number"))?;
    Ok(if q < 0 {
        Limit::Unlimited
    } else {
        Limit::Cpu {
            quota_us: q as u64,
            period_us: p,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/c03\n1:cpu:/\n0::/\n";

    #[test]
    fn versions() {
        assert_eq!(
            version(&parse_proc_cgroup("0::/\n").unwrap()),
            CgroupVersion::V2
        );
        assert_eq!(
            version(&parse_proc_cgroup(HYBRID).unwrap()),
            CgroupVersion::Hybrid
        );
        assert_eq!(
            version(&parse_proc_cgroup("1:cpu,cpuacct:/x\n").unwrap()),
            CgroupVersion::V1
        );
        assert!(parse_proc_cgroup("").is_err());
        assert!(parse_proc_cgroup("x::/").is_err());
        assert!(parse_proc_cgroup("0::relative").is_err());
    }

    #[test]
    fn v1_limit_file_under_its_mount() {
        let lines = parse_proc_cgroup(HYBRID).unwrap();
        let mounts = MountTable::parse(
            "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
        );
        assert_eq!(
            limit_files(&lines, &mounts.mounts, LimitKind::Memory),
            Ok(LimitFiles::V1(
                "/sys/fs/cgroup/memory/process_api/c03/memory.limit_in_bytes".into(),
                None
            ))
        );
        assert!(limit_files(&lines, &mounts.mounts, LimitKind::Pids).is_err());
    }

    #[test]
    fn v2_private_namespace_reads_the_top() {
        let lines = parse_proc_cgroup("0::/\n").unwrap();
        let mounts = MountTable::parse("30 20 0:30 / /sys/fs/cgroup ro - cgroup2 cgroup rw\n");
        assert_eq!(
            limit_files(&lines, &mounts.mounts, LimitKind::Pids),
            Ok(LimitFiles::V2("/sys/fs/cgroup/pids.max".into()))
        );
    }

    #[test]
    fn v1_container_view_strips_the_mount_root() {
        let lines = parse_proc_cgroup("4:memory:/docker/abc\n").unwrap();
        let mounts = MountTable::parse(
            "1 0 0:40 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
        );
        assert_eq!(
            limit_files(&lines, &mounts.mounts, LimitKind::Memory),
            Ok(LimitFiles::V1(
                "/sys/fs/cgroup/memory/memory.limit_in_bytes".into(),
                None
            ))
        );
        let outside = parse_proc_cgroup("4:memory:/other\n").unwrap();
        assert!(limit_files(&outside, &mounts.mounts, LimitKind::Memory).is_err());
    }

    #[test]
    fn the_chain_climbs_to_the_top_of_the_mounted_view() {
        let lines =
            parse_proc_cgroup("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-a.scope\n")
                .unwrap();
        let mounts =
            MountTable::parse("30 1 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n");
        let c = limit_chain(&lines, &mounts.mounts, LimitKind::Memory).unwrap();
        let files: Vec<String> = c
            .levels
            .iter()
            .map(|l| match l {
                LimitFiles::V2(f) => f.clone(),
                LimitFiles::V1(f, _) => f.clone(),
            })
            .collect();
        assert_eq!(
            files,
            [
                "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cri-containerd-a.scope/memory.max",
                "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/memory.max",
                "/sys/fs/cgroup/kubepods.slice/memory.max",
                "/sys/fs/cgroup/memory.max",
            ]
        );
        assert_eq!(c.top, "/");
        // A v1 container view: the mount's root is the container's cgroup,
        // so nothing above it is visible.
        let lines = parse_proc_cgroup("4:memory:/docker/abc\n").unwrap();
        let mounts = MountTable::parse(
            "40 30 0:40 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
        );
        let c = limit_chain(&lines, &mounts.mounts, LimitKind::Memory).unwrap();
        assert_eq!(
            c.levels,
            [LimitFiles::V1(
                "/sys/fs/cgroup/memory/memory.limit_in_bytes".into(),
                None
            )]
        );
        assert_eq!(c.top, "/docker/abc");
    }

    #[test]
    fn a_view_reaches_the_real_root_only_from_the_hosts_namespace() {
        let scope = |top, ns| {
            let s = LimitScope::new(top, ns);
            assert_eq!(s.top, top);
            s.real_root
        };
        assert_eq!(scope("/", Some(true)), Some(true));
        // A private cgroup namespace's root is the container's own cgroup.
        assert_eq!(scope("/", Some(false)), Some(false));
        assert_eq!(scope("/", None), None);
        // A hierarchy mounted from a cgroup below the root (v1 in the
        // host's namespace: runc binds the container's own cgroup).
        for ns in [Some(true), Some(false), None] {
            assert_eq!(scope("/docker/abc", ns), Some(false));
        }
    }

    #[test]
    fn values() {
        assert_eq!(parse_limit("max\n"), Ok(Limit::Unlimited));
        assert_eq!(parse_limit("9223372036854771712"), Ok(Limit::Unlimited));
        assert_eq!(parse_limit("536870912"), Ok(Limit::Value(536870912)));
        assert!(parse_limit("").is_err());
        assert_eq!(parse_cpu_max("max 100000"), Ok(Limit::Unlimited));
        assert_eq!(
            parse_cpu_max("50000 100000\n"),
            Ok(Limit::Cpu {
                quota_us: 50000,
                period_us: 100000
            })
        );
        assert!(parse_cpu_max("50000").is_err());
        assert_eq!(parse_cpu_v1("-1", "100000"), Ok(Limit::Unlimited));
        assert!(parse_cpu_v1("x", "1").is_err());
    }
}

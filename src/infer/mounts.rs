//! Inference stage: the report's [`Mounts`] section from a parsed mount
//! table and the runtime knowledge in `known`: runtime sockets,
//! host mounts and what they are, masked paths, `/proc/sys` and `/sys`, and
//! where to look for runtime sockets that no mount line shows
//! ([`for_each_socket_candidate`]). Pure: the `stat`s are the caller's
//! (`exists`, and the probe's socket search).

use crate::known::{
    MASKED_PATHS, READONLY_PATHS, RUNTIME_MANAGED, RUNTIME_SOCKET_DIRS, RUNTIME_SOCKETS,
    RUNTIME_STATE_DIRS, SENSITIVE_HOST_PATHS, SENSITIVE_HOST_TREES, SERVICE_ACCOUNT_DIRS,
    SOCKET_PATHS, VOLUME_DIRS, is_host_device, runtime_file_layout, sockets_in_directory,
};
use crate::parse::mountinfo::{
    Mount, MountTable, basename, is_ancestor_or_equal, mount_at, mount_for,
};
use crate::report::{
    HostMount, HostMountKind, MaskState, MaskedPath, MountSummary, Mounts, PseudoFsState, SeenIn,
    SocketMount,
};

/// The most mounts below which runtime sockets are looked for
/// ([`for_each_socket_candidate`]); past it the search stops and says so.
pub const SOCKET_SEARCH_MOUNTS: usize = 256;

/// Whether a mount may be a host directory holding runtime sockets: a mount
/// of a local filesystem (tmpfs, as a host's `/run` is; a disk filesystem,
/// as a directory bound from ext4, xfs, btrfs or ZFS is; overlay), anywhere
/// but `/` (whose places are `SOCKET_PATHS`) and at or below `/dev`,
/// `/proc` and `/sys`. Network and FUSE filesystems are not searched: a
/// `stat` there can wait on a server without bound, and a Unix socket is
/// reachable only through the kernel that bound it, which runtimes do on
/// their hosts' local filesystems. A file bind (`/etc/hosts`) costs only
/// `stat`s that find no directory.
fn may_hold_sockets(m: &Mount) -> bool {
    let at = m.mount_point();
    (matches!(m.fstype(), "tmpfs" | "overlay") || m.disk_backed())
        && at != "/"
        && !["/dev", "/proc", "/sys"]
            .iter()
            .any(|d| is_ancestor_or_equal(d, at))
}

/// Calls `f(path, runtime)` for each place to look for a runtime socket: the
/// fixed places (`SOCKET_PATHS`), then `sockets_in_directory` below each
/// mount that may be a host directory (a local filesystem mounted outside
/// `/`, `/dev`, `/proc` and `/sys`; each directory once, in path order): the socket names
/// at its top and one directory down. Paths already in `known` are left
/// out. Returns `false` when there were more than [`SOCKET_SEARCH_MOUNTS`]
/// such mounts and the rest were not searched. No directory is listed: the
/// number of places is at most `SOCKET_PATHS.len() + SOCKET_SEARCH_MOUNTS *
/// sockets_in_directory().count()`, one `stat` each.
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
    let dirs_in = mounts.iter().filter(|m| may_hold_sockets(m));
    let mut dirs: Vec<&str> = Vec::with_capacity(dirs_in.clone().count());
    dirs.extend(dirs_in.map(|m| m.mount_point().trim_end_matches('/')));
    dirs.sort_unstable();
    dirs.dedup();
    let complete = dirs.len() <= SOCKET_SEARCH_MOUNTS;
    // One buffer, long enough for every candidate.
    let longest_rel = sockets_in_directory().map(|(r, _)| r.len()).max();
    let longest_dir = dirs.iter().map(|d| d.len()).max();
    let mut path = match longest_dir {
        Some(d) => String::with_capacity(d + 1 + longest_rel.unwrap_or(0)),
        None => String::new(),
    };
    for dir in dirs.iter().take(SOCKET_SEARCH_MOUNTS) {
        for (rel, rt) in sockets_in_directory() {
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

fn mask_state(t: &[&Mount], path: &str) -> MaskState {
    match mount_at(t.iter().copied(), path) {
        Some(m) if m.fstype() == "tmpfs" && m.read_only => MaskState::Masked,
        // A bind of /dev/null: root "/null" on devtmpfs/tmpfs.
        Some(m) if basename(m.root()) == "null" => MaskState::Masked,
        Some(m) if m.read_only => MaskState::ReadOnly,
        Some(_) => MaskState::Exposed,
        None => match mount_for(t.iter().copied(), path) {
            Some(m) if m.read_only => MaskState::ReadOnly,
            _ => MaskState::Exposed,
        },
    }
}

fn pseudo_state(t: &[&Mount], path: &str, fstype: &str) -> PseudoFsState {
    match mount_for(t.iter().copied(), path) {
        Some(m) if m.fstype() != fstype && m.mount_point() == path => PseudoFsState::Emulated,
        Some(m) if m.fstype() == fstype => {
            if m.read_only {
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
        "devtmpfs" if m.root() == "/" || is_host_device(basename(m.root())) => {
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

/// Analyses a parsed table. `truncated` says the read stopped at its bound.
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
            // The runtime's own file: from its state directory, or shaped
            // as its per-container files are wherever that tmpfs is mounted
            // (podman's graph root on a tmpfs of its own reads
            // `/storage/overlay-containers/<id>/userdata/passwd`).
            let own = runtime_managed
                && (RUNTIME_STATE_DIRS
                    .iter()
                    .chain(&["/containers/", "/run/containers/"])
                    .any(|d| m.root().starts_with(d) || m.root().contains(d))
                    || runtime_file_layout(m.root(), at).is_some());
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
        // A runtime's per-container file is known by its shape in the
        // runtime's storage, wherever that storage is mounted: with
        // `/var/lib/containers` on a volume of its own, podman's `passwd`
        // reads `/storage/overlay-containers/<id>/userdata/passwd`, and no
        // other file on that volume tells where it lies on the host.
        let runtime_file = runtime_managed
            && (under(RUNTIME_STATE_DIRS) || runtime_file_layout(m.root(), at).is_some());
        let kind = match &host_path {
            None => HostMountKind::Filesystem,
            Some(_) if sensitive.is_some() => HostMountKind::HostPath,
            Some(_) if under(VOLUME_DIRS) => HostMountKind::Volume,
            Some(_) if runtime_file => HostMountKind::RuntimeFile,
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
    use crate::parse::mountinfo::tests::DOCKER;

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
             6 1 0:6 /sub /x rw - tmpfs tmpfs rw\n\
             7 1 254:1 /srv/sockdir /mnt/x rw - ext4 /dev/vda1 rw\n\
             8 1 0:60 /export /nfs rw - nfs4 server:/export rw\n\
             9 1 0:61 / /host/proc rw - proc proc rw\n\
             10 1 254:1 /etc/hosts /etc/hosts ro - ext4 /dev/vda1 rw\n\
             11 1 0:62 / /data rw - btrfs /dev/vdb rw\n",
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
        let below = |d: &str| {
            paths
                .iter()
                .filter(|p| p.starts_with(&format!("{d}/")))
                .count()
        };
        // The fixed places but the known one.
        assert!(!paths.contains(&"/var/run/docker.sock"));
        assert!(paths.contains(&"/run/docker.sock"));
        // Every local filesystem mounted outside /dev, /proc and /sys, once
        // each (the stacked /host-run too), the names at its top and one
        // directory down: a whole tmpfs, a part of one, a host directory on
        // a disk, a file bind (its stats find no directory), btrfs.
        for d in ["/host-run", "/x", "/mnt/x", "/etc/hosts", "/data"] {
            assert_eq!(below(d), sockets_in_directory().count(), "{d}");
        }
        assert!(paths.contains(&"/mnt/x/docker.sock"));
        assert!(paths.contains(&"/mnt/x/containerd.sock"));
        assert!(paths.contains(&"/x/containerd/containerd.sock"));
        // /run: only what the fixed list does not have already (which
        // lists five places there), so each place once.
        let fixed_under_run = sockets_in_directory()
            .filter(|(r, _)| SOCKET_PATHS.iter().any(|(p, _)| *p == format!("/run/{r}")))
            .count();
        assert_eq!(fixed_under_run, 5);
        assert_eq!(below("/run"), sockets_in_directory().count());
        // Not /dev, not NFS (a stat there may wait on a server), not procfs.
        for d in ["/dev", "/nfs", "/host"] {
            assert_eq!(below(d), 0, "{d}");
        }
        assert_eq!(
            paths.len(),
            SOCKET_PATHS.len() - 1
                + 5 * sockets_in_directory().count()
                + sockets_in_directory().count()
                - fixed_under_run
        );

        let many: String = (0..SOCKET_SEARCH_MOUNTS + 10)
            .map(|i| format!("{} 1 0:{i} / /t/{i} rw - tmpfs tmpfs rw\n", i + 2))
            .collect();
        let t = MountTable::parse(&format!("1 0 0:1 / / rw - overlay overlay rw\n{many}"));
        let mut n = 0;
        assert!(!for_each_socket_candidate(&t.mounts, &[], |_, _| n += 1));
        assert_eq!(
            n,
            SOCKET_PATHS.len() + SOCKET_SEARCH_MOUNTS * sockets_in_directory().count()
        );
    }

    const ID: &str = "4a4b0609c8a28d64df88c5fda0e5cb8ec27a7c4bc2a4ed05004908790a18014e";

    fn kind_at(a: &Mounts, at: &str) -> HostMountKind {
        a.host_mounts
            .iter()
            .find(|h| h.mount.mount_point() == at)
            .unwrap_or_else(|| panic!("no host mount at {at}"))
            .kind
    }

    /// podman's `passwd` and `group` for `--user` with its graph root
    /// (`/var/lib/containers`) on a volume of its own, on disk and on tmpfs:
    /// the runtime's own files by their shape, while a host file of a
    /// similar shape is still a host path.
    #[test]
    fn runtime_files_from_storage_on_its_own_filesystem() {
        let t = MountTable::parse(&format!(
            "1 0 0:50 / / ro - overlay overlay rw,lowerdir=/storage/overlay/l/X\n\
             2 1 253:2 /storage/overlay-containers/{ID}/userdata/passwd /etc/passwd ro - xfs /dev/mapper/rhel-containers rw\n\
             3 1 253:2 /storage/overlay-containers/{ID}/userdata/group /etc/group ro - xfs /dev/mapper/rhel-containers rw\n\
             4 1 0:29 /storage/overlay-containers/{ID}/userdata/passwd /etc/passwd ro - tmpfs tmpfs rw\n\
             5 1 253:0 /srv/overlay-containers/{short}/userdata/passwd /etc/passwd ro - xfs /dev/mapper/rhel-root rw\n\
             6 1 253:0 /srv/overlay-containers/{ID}/userdata/passwd /data/passwd ro - xfs /dev/mapper/rhel-root rw\n\
             7 1 0:29 /srv/overlay-containers/{ID}/passwd /etc/group ro - tmpfs tmpfs rw\n\
             8 1 253:0 /etc/overlay-containers/{ID}/userdata/passwd /etc/passwd ro - xfs /dev/mapper/rhel-root rw\n",
            short = &ID[..63],
        ));
        let a = analyse(&t, false);
        let kinds: Vec<(u32, HostMountKind)> =
            a.host_mounts.iter().map(|h| (h.mount.id, h.kind)).collect();
        use HostMountKind::{HostPath, RuntimeFile};
        assert_eq!(
            kinds,
            [
                (2, RuntimeFile),
                (3, RuntimeFile),
                (4, RuntimeFile),
                // a 63-digit id; the file at a place the runtime does not
                // bind it; no `userdata`; under the host's /etc (taken as
                // the host's /, a sensitive path first).
                (5, HostPath),
                (6, HostPath),
                (7, HostPath),
                (8, HostPath),
            ]
        );
        // Docker's data root on its own volume.
        let t = MountTable::parse(&format!(
            "1 0 0:50 / / rw - overlay overlay rw\n\
             2 1 253:3 /containers/{ID}/hostname /etc/hostname rw - ext4 /dev/vdc rw\n\
             3 1 253:3 /containers/{ID}/resolv.conf /etc/resolv.conf rw - ext4 /dev/vdc rw\n"
        ));
        let a = analyse(&t, false);
        assert_eq!(kind_at(&a, "/etc/hostname"), RuntimeFile);
        assert_eq!(kind_at(&a, "/etc/resolv.conf"), RuntimeFile);
    }
}

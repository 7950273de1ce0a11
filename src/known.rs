//! What the crate knows about container runtimes and hosts, as data: where
//! runtimes put their sockets, which host paths are sensitive, which `/proc`
//! and `/sys` paths runtimes mask, which `/dev` names are host hardware, which
//! capabilities break the container boundary.
//!
//! Not a stage of the pipeline (parse -> probe -> Report -> policy -> render)
//! but what the probe and policy stages consult. No I/O, no judgement: lists,
//! and lookups over them.

use crate::parse::capability::Capability;

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

/// The names in [`RUNTIME_SOCKETS`] whose daemons run in the host's own
/// namespaces (the container engines' and the kubelet's): one bound in a
/// network namespace says the namespace is the host's. podman's API service
/// and buildkitd often run inside containers, so theirs are left out.
pub const HOST_DAEMON_SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "kubelet.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
];

/// Host-side interfaces of container networking, by exact name: bridges and
/// CNI devices that exist in the namespace holding the containers' peers.
pub const HOST_SIDE_INTERFACES: &[&str] = &[
    "docker0",
    "cni0",
    "cbr0",
    "kube-ipvs0",
    "kube-bridge",
    "nodelocaldns",
    "weave",
    "vxlan.calico",
    "flannel.1",
    "antrea-gw0",
    "ovs-system",
];

/// Host-side interfaces of container networking, by name prefix (veth peers,
/// Calico, Cilium, podman and libvirt bridges, …).
pub const HOST_SIDE_INTERFACE_PREFIXES: &[&str] = &[
    "veth",
    "cali",
    "flannel",
    "cilium_",
    "lxc",
    "cni-podman",
    "podman",
    "virbr",
    "lxdbr",
    "incusbr",
    "genev_sys_",
    "vethwe",
];

/// Sockets of host daemons that may also run inside a container (systemd's,
/// D-Bus's, udev's): one bound in a network namespace hints at the host's,
/// never decides.
pub const HOST_HINT_SOCKETS: &[&str] = &[
    "/run/systemd/journal/stdout",
    "/run/systemd/private",
    "/run/dbus/system_bus_socket",
    "/var/run/dbus/system_bus_socket",
    "/run/udev/control",
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

/// Where a runtime socket may sit in a directory mounted into the
/// container, relative to the mount point: each of [`RUNTIME_SOCKETS`]' names
/// at its top (`-v /srv/x:/mnt/x` with `/srv/x/docker.sock`), and one
/// directory down where a host `/run` keeps them ([`SOCKETS_UNDER_RUN`]).
/// Looked for with one `stat` each, below every mount that may be a host
/// directory (`infer::mounts::for_each_socket_candidate`).
pub fn sockets_in_directory() -> impl Iterator<Item = &'static (&'static str, &'static str)> + Clone
{
    RUNTIME_SOCKETS
        .iter()
        .chain(SOCKETS_UNDER_RUN.iter().filter(|(p, _)| p.contains('/')))
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

/// Where a runtime binds each of its per-container files: `(mount point,
/// file)`, the file's path below the shape of [`RUNTIME_FILE_LAYOUTS`].
pub type RuntimeFiles = &'static [(&'static str, &'static str)];

/// The files each runtime writes per container and binds in, by the shape
/// of their path in its storage and where it binds them: `(runtime, shape,
/// [(mount point, file)])`. In a shape, `<id>` is a container id (64
/// lower-case hex digits, as Docker, containerd, CRI-O and podman make
/// them), `<uid>` a pod UID, `<name>` any one path component, `<hex8>` eight
/// hex digits, and `<driver>` a containers/storage graph driver; what comes
/// before the shape is wherever that storage lies on its filesystem.
/// [`runtime_file_layout`] matches against these.
pub const RUNTIME_FILE_LAYOUTS: &[(&str, &str, RuntimeFiles)] = &[
    // containers/storage (podman, CRI-O, buildah): the per-container
    // `userdata` directory, in the run root (`/run/containers/storage`) or
    // the graph root (`/var/lib/containers/storage`, which RHEL advises
    // putting on a volume of its own; `passwd` and `group` for `--user`
    // live there), or a rootless user's `~/.local/share/containers/storage`.
    (
        "podman",
        "<driver>-containers/<id>/userdata",
        &[
            ("/etc/passwd", "passwd"),
            ("/etc/group", "group"),
            ("/etc/hosts", "hosts"),
            ("/etc/hostname", "hostname"),
            ("/etc/resolv.conf", "resolv.conf"),
            ("/run/.containerenv", ".containerenv"),
            ("/run/secrets", "run/secrets"),
        ],
    ),
    // Docker: `<data-root>/containers/<id>/` (data-root `/var/lib/docker`,
    // with `<uid>.<gid>/` added under userns-remap).
    (
        "docker",
        "containers/<id>",
        &[
            ("/etc/hosts", "hosts"),
            ("/etc/hostname", "hostname"),
            ("/etc/resolv.conf", "resolv.conf"),
        ],
    ),
    // containerd's CRI plugin: the pod sandbox's files.
    (
        "containerd",
        "io.containerd.grpc.v1.cri/sandboxes/<id>",
        &[
            ("/etc/hosts", "hosts"),
            ("/etc/hostname", "hostname"),
            ("/etc/resolv.conf", "resolv.conf"),
        ],
    ),
    // The kubelet: `<root-dir>/pods/<uid>/etc-hosts` and each container's
    // termination log `<root-dir>/pods/<uid>/containers/<name>/<hex8>`.
    (
        "kubernetes",
        "pods/<uid>",
        &[
            ("/etc/hosts", "etc-hosts"),
            ("/dev/termination-log", "containers/<name>/<hex8>"),
        ],
    ),
];

/// containers/storage's graph drivers (the `<driver>-containers` directory).
const STORAGE_DRIVERS: &[&str] = &["overlay", "vfs", "btrfs", "zfs", "aufs", "devmapper"];

/// Whether `s` is a container id: 64 lower-case hex digits.
pub fn is_container_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `s` is a pod UID as the kubelet names its directories: a UUID,
/// lower-case hex in groups of 8-4-4-4-12.
fn is_pod_uid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        })
}

/// Whether one path component fits one component of a shape.
fn component_fits(pattern: &str, c: &str) -> bool {
    match pattern {
        "<id>" => is_container_id(c),
        "<uid>" => is_pod_uid(c),
        "<name>" => !c.is_empty() && c != "." && c != "..",
        "<hex8>" => c.len() == 8 && c.bytes().all(|b| b.is_ascii_hexdigit()),
        "<driver>-containers" => c
            .strip_suffix("-containers")
            .is_some_and(|d| STORAGE_DRIVERS.contains(&d)),
        lit => lit == c,
    }
}

/// Whose per-container file a bind is, from the shape of its root (the path
/// within its filesystem, however that filesystem is mounted on the host)
/// and where it is bound: `Some(runtime)` when `root` ends in one of
/// [`RUNTIME_FILE_LAYOUTS`]' shapes followed by the file that runtime binds
/// at `mount_point`. `/storage/overlay-containers/<id>/userdata/passwd` at
/// `/etc/passwd` is podman's (its graph root on a volume of its own);
/// the same path at `/etc/shadow`, without `userdata`, or with a shorter id
/// is no runtime's. No I/O.
pub fn runtime_file_layout(root: &str, mount_point: &str) -> Option<&'static str> {
    if root.split('/').any(|c| c == "." || c == "..") {
        return None;
    }
    for (runtime, shape, files) in RUNTIME_FILE_LAYOUTS {
        for (at, file) in files.iter() {
            if *at != mount_point {
                continue;
            }
            // Match the shape and the file from the end of the root.
            let mut parts = root.rsplit('/');
            let fits = shape
                .split('/')
                .chain(file.split('/'))
                .rev()
                .all(|p| parts.next().is_some_and(|c| component_fits(p, c)));
            // Something (if only the empty string before the leading '/')
            // must precede the shape: the root is an absolute path.
            if fits && parts.next().is_some() {
                return Some(runtime);
            }
        }
    }
    None
}

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

/// Capabilities that break the container boundary or the host on their own,
/// most dangerous first. Evidence lists these before the rest.
pub const DANGEROUS: &[Capability] = &[
    Capability::CAP_SYS_ADMIN,
    Capability::CAP_SYS_MODULE,
    Capability::CAP_SYS_PTRACE,
    Capability::CAP_SYS_RAWIO,
    Capability::CAP_DAC_READ_SEARCH,
    Capability::CAP_NET_ADMIN,
    Capability::CAP_NET_RAW,
    Capability::CAP_BPF,
    Capability::CAP_PERFMON,
    Capability::CAP_SYS_BOOT,
    Capability::CAP_SYS_TIME,
    Capability::CAP_MAC_ADMIN,
    Capability::CAP_MAC_OVERRIDE,
    Capability::CAP_SYSLOG,
    Capability::CAP_SETFCAP,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_CHECKPOINT_RESTORE,
    Capability::CAP_LINUX_IMMUTABLE,
    Capability::CAP_MKNOD,
];

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4a4b0609c8a28d64df88c5fda0e5cb8ec27a7c4bc2a4ed05004908790a18014e";

    #[test]
    fn runtime_files_are_known_by_their_shape_wherever_the_storage_lies() {
        let podman =
            |prefix: &str, file: &str| format!("{prefix}/overlay-containers/{ID}/userdata/{file}");
        for prefix in [
            "/var/lib/containers/storage",
            // /var/lib/containers on a volume of its own (RHEL's advice).
            "/storage",
            // the graph root at the top of its own filesystem.
            "",
            "/home/u/.local/share/containers/storage",
            "/run/containers/storage",
        ] {
            for (at, file) in [
                ("/etc/passwd", "passwd"),
                ("/etc/group", "group"),
                ("/etc/hosts", "hosts"),
                ("/etc/hostname", "hostname"),
                ("/etc/resolv.conf", "resolv.conf"),
                ("/run/.containerenv", ".containerenv"),
                ("/run/secrets", "run/secrets"),
            ] {
                let root = podman(prefix, file);
                assert_eq!(
                    runtime_file_layout(&root, at),
                    Some("podman"),
                    "{root} at {at}"
                );
            }
        }
        let vfs = format!("/storage/vfs-containers/{ID}/userdata/passwd");
        assert_eq!(runtime_file_layout(&vfs, "/etc/passwd"), Some("podman"));
        for root in [
            format!("/containers/{ID}/hostname"),
            format!("/var/lib/docker/containers/{ID}/hostname"),
            format!("/var/lib/docker/165536.165536/containers/{ID}/hostname"),
        ] {
            assert_eq!(
                runtime_file_layout(&root, "/etc/hostname"),
                Some("docker"),
                "{root}"
            );
        }
        let cri = format!("/io.containerd.grpc.v1.cri/sandboxes/{ID}/resolv.conf");
        assert_eq!(
            runtime_file_layout(&cri, "/etc/resolv.conf"),
            Some("containerd")
        );
        let uid = "3e1c3b0e-6a8e-4f3f-9d5e-2b7c1f0a9d41";
        let hosts = format!("/pods/{uid}/etc-hosts");
        assert_eq!(
            runtime_file_layout(&hosts, "/etc/hosts"),
            Some("kubernetes")
        );
        let log = format!("/var/lib/kubelet/pods/{uid}/containers/app/5f0c2d1e");
        assert_eq!(
            runtime_file_layout(&log, "/dev/termination-log"),
            Some("kubernetes")
        );
    }

    #[test]
    fn a_similar_but_wrong_shape_is_no_runtime_file() {
        let ok = format!("/storage/overlay-containers/{ID}/userdata/passwd");
        assert_eq!(runtime_file_layout(&ok, "/etc/passwd"), Some("podman"));
        let wrong = [
            // another file than the runtime binds there
            (ok.clone(), "/etc/shadow"),
            (ok.clone(), "/etc/group"),
            (ok.clone(), "/data/passwd"),
            (
                format!("/storage/overlay-containers/{ID}/userdata/shadow"),
                "/etc/passwd",
            ),
            // no userdata, no driver, an unknown driver
            (
                format!("/storage/overlay-containers/{ID}/passwd"),
                "/etc/passwd",
            ),
            (format!("/storage/{ID}/userdata/passwd"), "/etc/passwd"),
            (
                format!("/storage/my-containers/{ID}/userdata/passwd"),
                "/etc/passwd",
            ),
            // ids that are not 64 lower-case hex digits
            (
                format!("/storage/overlay-containers/{}/userdata/passwd", &ID[1..]),
                "/etc/passwd",
            ),
            (
                format!(
                    "/storage/overlay-containers/{}/userdata/passwd",
                    ID.to_uppercase()
                ),
                "/etc/passwd",
            ),
            (
                format!("/storage/overlay-containers/{}x/userdata/passwd", &ID[1..]),
                "/etc/passwd",
            ),
            (
                "/srv/overlay-containers/abc/userdata/passwd".to_string(),
                "/etc/passwd",
            ),
            // a directory of it, or below it
            (
                format!("/storage/overlay-containers/{ID}/userdata"),
                "/etc/passwd",
            ),
            (
                format!("/storage/overlay-containers/{ID}/userdata/passwd/x"),
                "/etc/passwd",
            ),
            ("/etc/passwd".to_string(), "/etc/passwd"),
            ("/".to_string(), "/etc/passwd"),
            (String::new(), "/etc/passwd"),
            // docker's shape with podman's file, a pod uid that is no UUID
            (format!("/containers/{ID}/passwd"), "/etc/passwd"),
            (format!("/containers/{ID}/hosts/x"), "/etc/hosts"),
            ("/pods/not-a-uid/etc-hosts".to_string(), "/etc/hosts"),
            (
                format!("/storage/overlay-containers/{ID}/userdata/../../passwd"),
                "/etc/passwd",
            ),
        ];
        for (root, at) in &wrong {
            assert_eq!(runtime_file_layout(root, at), None, "{root} at {at}");
        }
    }

    #[test]
    fn socket_lists_agree() {
        for (name, rt) in RUNTIME_SOCKETS.iter().chain(SOCKETS_UNDER_RUN) {
            assert!(
                sockets_in_directory().any(|s| *s == (*name, *rt)),
                "{name} is not looked for in directories"
            );
        }
        for n in HOST_DAEMON_SOCKETS {
            assert!(RUNTIME_SOCKETS.iter().any(|(s, _)| s == n), "{n}");
        }
        assert!(is_container_id(ID) && !is_container_id(&ID[1..]));
    }

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

//! What the crate knows about container runtimes and hosts, as data: where
//! runtimes put their sockets, which host paths are sensitive, which `/proc`
//! and `/sys` paths runtimes mask, which `/dev` names are host hardware, which
//! capabilities break the container boundary.
//!
//! Not a stage of the pipeline (parse -> probe -> Report -> policy -> render)
//! but what the probe and policy stages consult. No I/O, no judgement: lists,
//! and lookups over them.

use crate::capability::Capability;

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

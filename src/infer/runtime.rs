//! Inference stage: which container runtime (if any) started this process, with the evidence.
//!
//! Signals are weighed by whether the container's own image or environment
//! could fake them. A file in the image (`/.dockerenv`), an environment
//! variable or pid 1's `container=` is *spoofable*; what the kernel prints
//! about mounts and cgroups was written by whoever set the container up and
//! is not. Detection never relies on cgroup paths alone: with cgroup v2 and a
//! private cgroup namespace `/proc/self/cgroup` is just `0::/`, so the mount
//! table (overlay layer directories, the host paths behind `/etc/hostname`)
//! carries the strong signals.

use crate::parse::cgroup::CgroupLine;

use crate::parse::mountinfo::Mount;
#[cfg(test)]
use crate::parse::mountinfo::MountTable;
use crate::report::{Confidence, Runtime, RuntimeKind, RuntimeSignal};

/// The inputs runtime detection looks at, already read.
#[derive(Debug, Default)]
pub struct Inputs<'a> {
    /// `/.dockerenv` exists.
    pub dockerenv: bool,
    /// `/run/.containerenv` content, if it exists.
    pub containerenv: Option<&'a str>,
    /// This process's initial environment (`/proc/self/environ`), NUL-separated.
    pub self_environ: Option<&'a [u8]>,
    /// pid 1's environment, NUL-separated, if readable.
    pub init_environ: Option<&'a [u8]>,
    /// `/proc/self/cgroup`.
    pub cgroups: Option<&'a [CgroupLine]>,
    /// The mount table.
    pub mounts: Option<&'a [Mount]>,
    /// `osrelease`.
    pub osrelease: Option<&'a str>,
    /// Whether the pid and mount namespaces are both the host's (None if
    /// unknown). A user namespace alone does not make a container.
    pub host_namespaces: Option<bool>,
    /// Whether `status` lacks the `NoNewPrivs:` line (Linux prints it from
    /// 4.10; gVisor never).
    pub status_is_sparse: bool,
    /// Whether every namespace inode read lies outside the numbers Linux
    /// gives namespaces (gVisor's Sentry, OpenVZ).
    pub ns_inodes_not_linux: bool,
    /// Whether `/proc/vz` exists and `/proc/bc` does not: an OpenVZ or
    /// Virtuozzo container (the host has both).
    pub openvz_container: bool,
    /// Paths used in evidence.
    pub paths: Paths,
}

/// Paths named in evidence.
#[derive(Debug, Default, Clone)]
pub struct Paths {
    /// `/.dockerenv`.
    pub dockerenv: String,
    /// `/run/.containerenv`.
    pub containerenv: String,
    /// `/proc/self/environ`.
    pub self_environ: String,
    /// `/proc/1/environ`.
    pub init_environ: String,
    /// `/proc/self/cgroup`.
    pub cgroup: String,
    /// `/proc/self/mountinfo`.
    pub mountinfo: String,
    /// `osrelease`.
    pub osrelease: String,
}

/// Looks up `KEY=` in a NUL-separated environment block.
pub fn env_value<'a>(environ: &'a [u8], key: &str) -> Option<&'a str> {
    crate::parse::records::records(environ, 0).find_map(|(_, kv)| {
        let v = kv.strip_prefix(key.as_bytes())?.strip_prefix(b"=")?;
        std::str::from_utf8(v).ok()
    })
}

fn container_env(v: &str) -> RuntimeKind {
    match v {
        "docker" => RuntimeKind::Docker,
        "podman" | "oci" => RuntimeKind::Podman,
        "lxc" | "lxc-libvirt" => RuntimeKind::Lxc,
        "systemd-nspawn" => RuntimeKind::SystemdNspawn,
        "crio" | "cri-o" => RuntimeKind::CriO,
        "containerd" => RuntimeKind::Containerd,
        _ => RuntimeKind::Unknown,
    }
}

fn from_cgroup_path(p: &str) -> Option<RuntimeKind> {
    let has = |s: &str| p.contains(s);
    if has("/kubepods") {
        if has("crio-") {
            return Some(RuntimeKind::CriO);
        }
        if has("cri-containerd-") {
            return Some(RuntimeKind::Containerd);
        }
        if has("docker-") || has("/docker/") {
            return Some(RuntimeKind::Docker);
        }
        return Some(RuntimeKind::Kubernetes);
    }
    if has("libpod-") || has("/libpod_parent") || has("/machine.slice/libpod") {
        return Some(RuntimeKind::Podman);
    }
    if has("/docker/") || has("docker-") && has(".scope") {
        return Some(RuntimeKind::Docker);
    }
    if has("crio-") {
        return Some(RuntimeKind::CriO);
    }
    if has("cri-containerd-") || has("/containerd/") {
        return Some(RuntimeKind::Containerd);
    }
    if has("/lxc/") || has("/lxc.payload") {
        return Some(RuntimeKind::Lxc);
    }
    if has("systemd-nspawn") {
        return Some(RuntimeKind::SystemdNspawn);
    }
    None
}

fn from_host_path(p: &str) -> Option<RuntimeKind> {
    if p.contains("/run/kata-containers/") || p.contains("/kataShared") {
        return Some(RuntimeKind::Kata);
    }
    if p.contains("/var/lib/sysbox/") {
        return Some(RuntimeKind::Sysbox);
    }
    if p.contains("/var/lib/kubelet/pods/") {
        return Some(RuntimeKind::Kubernetes);
    }
    if p.contains("/var/lib/docker/") {
        return Some(RuntimeKind::Docker);
    }
    if p.contains("/containers/storage/") {
        return Some(RuntimeKind::Podman);
    }
    if p.contains("/containerd/io.containerd.") || p.contains("/var/lib/containerd/") {
        return Some(RuntimeKind::Containerd);
    }
    if p.contains("/var/lib/lxc/") || p.contains("/var/lib/lxd/") || p.contains("/var/lib/incus/") {
        return Some(RuntimeKind::Lxc);
    }
    None
}

/// Whether the root mount is a container's root filesystem shared into a
/// virtual machine from its host (Kata Containers and other micro-VM
/// runtimes): a `virtiofs` or `9p` filesystem from the hypervisor (not
/// gVisor's gofer, which speaks 9p over a file descriptor, `trans=fd`), bound
/// at `/` from a directory named for a container (a 64-hex container id
/// in the root field or the source: Kata's `/<id>/rootfs`), or from a share
/// tagged `kataShared`, Kata's own tag. A VM's own root over 9p or
/// virtio-fs (a QEMU guest booted on a host directory, root field `/`) has no
/// container in it and is not one. Returns what decided it.
fn vm_shared_root(m: &Mount) -> Option<String> {
    if m.mount_point() != "/" || !matches!(m.fstype(), "virtiofs" | "9p") {
        return None;
    }
    if m.super_options().split(',').any(|o| o == "trans=fd") {
        return None;
    }
    // Kata names per-container files `<id>-<16 hex>-<name>` beside `<id>/`.
    let has_id = |p: &str| {
        p.split('/').any(|c| {
            c.get(..64).is_some_and(crate::known::is_container_id)
                && (c.len() == 64 || c.as_bytes()[64] == b'-')
        })
    };
    if has_id(m.root()) {
        Some("a container id in its path".to_string())
    } else if has_id(m.source()) {
        Some("a container id in its source".to_string())
    } else if m.source() == "kataShared" {
        Some("Kata Containers' share tag".to_string())
    } else {
        None
    }
}

/// Weighs the signals.
pub fn detect(i: &Inputs<'_>) -> Runtime {
    let mut signals = Vec::new();
    let mut push = |source: &str, observed: String, indicates, spoofable| {
        signals.push(RuntimeSignal {
            source: source.to_string(),
            observed,
            indicates,
            spoofable,
        })
    };
    if let Some(mounts) = i.mounts {
        // Whoever created the bind sources is the engine; the image store
        // may be another's (Docker on containerd's snapshotter), so those
        // signals come first.
        let mut layers = Vec::new();
        for m in mounts {
            if matches!(
                m.mount_point(),
                "/etc/hostname"
                    | "/etc/hosts"
                    | "/etc/resolv.conf"
                    | "/run/.containerenv"
                    | "/dev/termination-log"
            ) && let Some(k) = from_host_path(m.root())
            {
                push(
                    &i.paths.mountinfo,
                    format!("{} is bind-mounted from {}", m.mount_point(), m.root()),
                    k,
                    false,
                );
            }
            if m.mount_point() == "/" {
                if let Some(id) = vm_shared_root(m) {
                    layers.push((
                        format!(
                            "root filesystem {} {} at {} shared from the host into a VM: {id}",
                            m.fstype(),
                            m.source(),
                            m.root()
                        ),
                        RuntimeKind::Kata,
                    ));
                } else if from_host_path(m.root()) == Some(RuntimeKind::Kata) {
                    layers.push((
                        format!("root filesystem from {}", m.root()),
                        RuntimeKind::Kata,
                    ));
                }
                if m.fstype() == "overlay" {
                    for opt in m.super_options().split(',') {
                        if let Some(dir) = opt
                            .strip_prefix("lowerdir=")
                            .or_else(|| opt.strip_prefix("upperdir="))
                            && let Some(k) = from_host_path(dir)
                        {
                            layers.push((format!("root overlay layer {dir}"), k));
                            break;
                        }
                    }
                }
            }
            if m.fstype() == "fuse" && m.source() == "sysboxfs" || m.fstype() == "fuse.sysboxfs" {
                layers.push((
                    format!(
                        "{} is sysbox's FUSE emulation ({})",
                        m.mount_point(),
                        m.source()
                    ),
                    RuntimeKind::Sysbox,
                ));
            }
        }
        layers.dedup_by_key(|(_, k)| *k);
        for (observed, k) in layers {
            push(&i.paths.mountinfo, observed, k, false);
        }
    }
    if let Some(lines) = i.cgroups {
        let mut last: Option<&str> = None;
        for l in lines {
            // cgroup v1 lists one line per hierarchy, mostly with one path.
            if last == Some(l.path.as_str()) {
                continue;
            }
            last = Some(&l.path);
            if let Some(k) = from_cgroup_path(&l.path) {
                push(&i.paths.cgroup, format!("cgroup path {}", l.path), k, false);
                break;
            }
        }
    }
    // gVisor: its Sentry has reported osrelease 4.4.0 and 4.19.0-gvisor (and
    // none at all); numbers its namespaces outside Linux's ranges; prints no
    // NoNewPrivs line; serves mounts through its gofer; has a "job" cgroup
    // controller. A release naming gVisor decides; otherwise two must agree.
    let rel = i.osrelease.map(str::trim);
    let named = rel.is_some_and(|r| r.contains("gvisor"));
    let gvisor_release = named || rel == Some("4.4.0");
    // The Sentry's gofer serves the root over 9p on a file descriptor, and
    // it names every mount's source "none".
    let gofer_root = i.mounts.is_some_and(|ms| {
        ms.iter().any(|m| {
            m.mount_point() == "/"
                && m.fstype() == "9p"
                && m.super_options().split(',').any(|o| o == "trans=fd")
        }) || (!ms.is_empty() && ms.iter().all(|m| m.source() == "none"))
    });
    // gVisor's cgroupfs has a "job" controller, which Linux has not.
    let job_controller = i
        .cgroups
        .is_some_and(|ls| ls.iter().any(|l| l.controllers.iter().any(|c| c == "job")));
    let hints = [
        gvisor_release,
        i.ns_inodes_not_linux,
        i.status_is_sparse,
        gofer_root,
        job_controller,
    ];
    if named || hints.iter().filter(|h| **h).count() >= 2 {
        let mut seen = Vec::new();
        if let Some(r) = rel.filter(|_| gvisor_release) {
            seen.push(format!("kernel release {r}"));
        }
        if i.ns_inodes_not_linux {
            seen.push("namespace inodes outside Linux's ranges".to_string());
        }
        if i.status_is_sparse {
            seen.push("a status file without the NoNewPrivs line Linux 4.10+ prints".to_string());
        }
        if gofer_root {
            seen.push(
                "mounts served by a gofer (9p over a file descriptor, sources \"none\")"
                    .to_string(),
            );
        }
        if job_controller {
            seen.push("a \"job\" cgroup controller".to_string());
        }
        push(
            &i.paths.osrelease,
            format!("{} (gVisor's Sentry)", seen.join(", ")),
            RuntimeKind::Gvisor,
            false,
        );
    } else if i.openvz_container {
        push(
            &i.paths.osrelease,
            format!(
                "/proc/vz without /proc/bc (an OpenVZ container){}",
                if i.ns_inodes_not_linux {
                    "; namespace inodes outside Linux's ranges"
                } else {
                    ""
                }
            ),
            RuntimeKind::Openvz,
            false,
        );
    }
    if i.dockerenv {
        push(
            &i.paths.dockerenv,
            "file exists".into(),
            RuntimeKind::Docker,
            true,
        );
    }
    if let Some(text) = i.containerenv {
        let engine = text
            .lines()
            .find_map(|l| l.strip_prefix("engine=\""))
            .map(|e| e.trim_end_matches('"').to_string());
        let kind = match &engine {
            Some(e) if e.starts_with("podman") => RuntimeKind::Podman,
            Some(e) if e.starts_with("cri-o") => RuntimeKind::CriO,
            _ => RuntimeKind::Podman,
        };
        push(
            &i.paths.containerenv,
            format!(
                "file exists (engine {})",
                engine.as_deref().unwrap_or("not named")
            ),
            kind,
            true,
        );
    }
    for (env, path) in [
        (i.init_environ, &i.paths.init_environ),
        (i.self_environ, &i.paths.self_environ),
    ] {
        if let Some(v) = env.and_then(|e| env_value(e, "container")) {
            push(path, format!("container={v}"), container_env(v), true);
        }
    }
    if let Some(v) = i
        .self_environ
        .and_then(|e| env_value(e, "KUBERNETES_SERVICE_HOST"))
    {
        push(
            &i.paths.self_environ,
            format!("KUBERNETES_SERVICE_HOST={v}"),
            RuntimeKind::Kubernetes,
            true,
        );
    }
    signals.sort_by_key(|s| s.spoofable);
    let kubernetes = signals
        .iter()
        .any(|s| s.indicates == RuntimeKind::Kubernetes);
    let concrete =
        |s: &&RuntimeSignal| !matches!(s.indicates, RuntimeKind::Kubernetes | RuntimeKind::Unknown);
    // containers/storage under the kubelet is CRI-O, not podman.
    if kubernetes {
        for s in signals.iter_mut() {
            if s.indicates == RuntimeKind::Podman && !s.spoofable {
                s.indicates = RuntimeKind::CriO;
                s.observed.push_str(" (with kubelet pod paths: CRI-O)");
            }
        }
    }
    // A sandbox wraps whatever started it: it wins when seen.
    let pick = signals
        .iter()
        .find(|s| {
            matches!(
                s.indicates,
                RuntimeKind::Gvisor | RuntimeKind::Kata | RuntimeKind::Sysbox | RuntimeKind::Openvz
            ) && !s.spoofable
        })
        .or_else(|| signals.iter().find(concrete));
    // Every namespace the host's: a spoofable file or variable cannot outweigh that.
    let pick = pick.filter(|s| !(s.spoofable && i.host_namespaces == Some(true)));
    let (kind, confidence) = match pick {
        Some(s) => (
            s.indicates,
            if s.spoofable {
                Confidence::Spoofable
            } else {
                Confidence::Strong
            },
        ),
        None if kubernetes && i.host_namespaces != Some(true) => {
            let strong = signals.iter().any(|s| !s.spoofable);
            (
                RuntimeKind::Kubernetes,
                if strong {
                    Confidence::Strong
                } else {
                    Confidence::Spoofable
                },
            )
        }
        None => match i.host_namespaces {
            Some(true) => (RuntimeKind::None, Confidence::Inferred),
            _ => (RuntimeKind::Unknown, Confidence::Inferred),
        },
    };
    Runtime {
        kind,
        kubernetes,
        confidence,
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::cgroup::parse_proc_cgroup;

    #[test]
    fn mount_table_beats_a_spoofed_file() {
        let m = MountTable::parse(
            "1 0 0:50 / / rw - overlay overlay rw,lowerdir=/var/lib/containers/storage/overlay/l/X,upperdir=/var/lib/containers/storage/overlay/a/diff\n",
        );
        let r = detect(&Inputs {
            dockerenv: true,
            mounts: Some(&m.mounts),
            ..Default::default()
        });
        assert_eq!(r.kind, RuntimeKind::Podman);
        assert_eq!(r.confidence, Confidence::Strong);
        assert_eq!(r.signals.len(), 2);
        assert!(!r.signals[0].spoofable);
    }

    #[test]
    fn cgroup_v2_private_namespace_still_detects_from_mounts() {
        let lines = parse_proc_cgroup("0::/\n").unwrap();
        let m = MountTable::parse(
            "5 1 254:0 /var/lib/docker/containers/abc/hostname /etc/hostname rw - ext4 /dev/vda rw\n",
        );
        let r = detect(&Inputs {
            cgroups: Some(&lines),
            mounts: Some(&m.mounts),
            ..Default::default()
        });
        assert_eq!(r.kind, RuntimeKind::Docker);
    }

    #[test]
    fn kubernetes_on_containerd_with_a_private_cgroup_namespace() {
        let lines = parse_proc_cgroup("0::/\n").unwrap();
        let m = MountTable::parse(
            "1 0 0:50 / / rw - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/9/fs\n\
             2 1 254:1 /var/lib/kubelet/pods/0a1b/etc-hosts /etc/hosts rw - ext4 /dev/sda1 rw\n",
        );
        let r = detect(&Inputs {
            cgroups: Some(&lines),
            mounts: Some(&m.mounts),
            host_namespaces: Some(false),
            ..Default::default()
        });
        assert_eq!(r.kind, RuntimeKind::Containerd);
        assert!(r.kubernetes);
        assert_eq!(r.confidence, Confidence::Strong);
    }

    #[test]
    fn spoofable_only_and_none() {
        let r = detect(&Inputs {
            self_environ: Some(b"PATH=/bin\0KUBERNETES_SERVICE_HOST=10.0.0.1\0"),
            ..Default::default()
        });
        assert_eq!(
            (r.kind, r.confidence, r.kubernetes),
            (RuntimeKind::Kubernetes, Confidence::Spoofable, true)
        );
        let host = detect(&Inputs {
            host_namespaces: Some(true),
            ..Default::default()
        });
        assert_eq!(host.kind, RuntimeKind::None);
        // This very machine has a /.dockerenv in its root: a spoof the
        // namespaces see through.
        let spoofed = detect(&Inputs {
            dockerenv: true,
            host_namespaces: Some(true),
            ..Default::default()
        });
        assert_eq!(
            (spoofed.kind, spoofed.signals.len()),
            (RuntimeKind::None, 1)
        );
        let unknown = detect(&Inputs {
            host_namespaces: Some(false),
            ..Default::default()
        });
        assert_eq!(unknown.kind, RuntimeKind::Unknown);
    }

    /// VM sandboxes by what the root filesystem is, whatever the share's tag.
    #[test]
    fn a_container_root_shared_into_a_vm_is_a_vm_sandbox() {
        let id = "0b14fd09a2d4d54042919c5cdc9767f4d18afc50b3a90383043fa898e3483daa";
        let kind = |mountinfo: String| {
            let m = MountTable::parse(&mountinfo);
            detect(&Inputs {
                mounts: Some(&m.mounts),
                host_namespaces: Some(false),
                ..Default::default()
            })
        };
        for line in [
            // Kata 3 (virtio-fs), another build's tag.
            format!("73 46 0:33 /{id}/rootfs / rw,relatime - virtiofs sandboxShared rw\n"),
            // Kata 1 (9p over virtio), another tag.
            format!(
                "73 46 0:33 /{id}/rootfs / rw,relatime - 9p vmshare rw,dirsync,mmap,access=client,trans=virtio\n"
            ),
            // The id in the share's tag instead of its path.
            format!("73 46 0:33 /rootfs / rw - virtiofs {id} rw\n"),
            // Kata's own tag, whatever the path.
            "73 46 0:33 /ctr/rootfs / rw - virtiofs kataShared rw\n".to_string(),
        ] {
            let r = kind(line.clone());
            assert_eq!(r.kind, RuntimeKind::Kata, "{line}: {:?}", r.signals);
            assert_eq!(r.confidence, Confidence::Strong);
        }
        for line in [
            // A QEMU guest's own root over 9p (this project's guest matrix,
            // scripts/guest/init) or virtio-fs: no container in it.
            "1 0 0:20 / / ro,relatime - 9p hostroot ro,cache=loose,access=client,msize=262144,trans=virtio\n".to_string(),
            "1 0 0:20 / / rw,relatime - virtiofs myfs rw\n".to_string(),
            // A subdirectory of a share, but no container id in it.
            "1 0 0:20 /vm1/root / rw - virtiofs share rw\n".to_string(),
            // gVisor's gofer: 9p over a file descriptor.
            format!("1 0 0:2 /{id} / rw - 9p none rw,trans=fd,rfdno=4,wfdno=4\n"),
            // A container id on an overlay or ext4 root is not a VM share.
            format!("1 0 0:50 /{id}/rootfs / rw - ext4 /dev/vda rw\n"),
            // An id-like component that is not 64 hex digits.
            format!("1 0 0:20 /{}/rootfs / rw - virtiofs share rw\n", &id[1..]),
            format!("1 0 0:20 /{id}x/rootfs / rw - virtiofs share rw\n"),
            // Kata's tag on a mount that is not the root.
            "2 1 0:33 / /mnt rw - virtiofs kataShared rw\n1 0 0:20 / / rw - ext4 /dev/vda rw\n".to_string(),
        ] {
            let r = kind(line.clone());
            assert_ne!(r.kind, RuntimeKind::Kata, "{line}: {:?}", r.signals);
        }
    }

    #[test]
    fn environment_lookup() {
        assert_eq!(
            env_value(b"a=1\0container=podman\0", "container"),
            Some("podman")
        );
        assert_eq!(env_value(b"containerx=1\0", "container"), None);
        assert_eq!(env_value(b"\xff\0", "container"), None);
    }
}

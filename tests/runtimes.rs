//! The static `posture` binary inside real containers, flag by flag.
//!
//! Opt-in through the `runtime-tests` feature, so a plain `cargo test` does not
//! build it (needs root, podman with runc, a docker daemon, capsh):
//!
//! ```text
//! bash .ci/setup-runtimes.sh
//! cargo test --features runtime-tests --test runtimes
//! ```
//!
//! Once asked for, a missing runtime fails the test, naming what to install.
//!
//! Every scenario runs `/posture --check --policy checklist --json` inside the
//! container and asserts (1) that the report agrees with the kernel's own
//! `/proc/self/status` lines read by `cat` in the same container (capability
//! hex masks and their `capsh --decode` names, Seccomp, NoNewPrivs, Uid,
//! Gid), (2) the status of all 17 checks against an explicit table derived
//! from the flags and this host's facts, and (3) the verdict and exit status
//! that follow. Host facts every table relies on: no LSM is loaded (so
//! `mac_enforced` fails everywhere with "no LSM" evidence), /proc is procfs,
//! no Kubernetes service-account token exists, cgroups are hybrid (v1 limits).

mod common;

#[path = "runtimes/harness.rs"]
#[macro_use]
mod harness;

use harness::{
    Kube, Need, Run, St, assert_checklist, assert_kernel_agrees, assert_verdict, cap_names,
    evidence, known, names, ns_initial, repo, statuses,
};
use serde_json::json;

const CHECKLIST: &[&str] = &["checklist"];

/// docker's default capabilities (moby `oci/caps/defaults.go`).
const DOCKER_DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_RAW",
    "CAP_SYS_CHROOT",
    "CAP_MKNOD",
    "CAP_AUDIT_WRITE",
    "CAP_SETFCAP",
];

/// podman's default capabilities (containers.conf `default_capabilities`):
/// docker's without NET_RAW, MKNOD and AUDIT_WRITE.
const PODMAN_DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_SETFCAP",
];

const HARDENED: &[&str] = &[
    "--cap-drop=ALL",
    "--cap-add=NET_BIND_SERVICE",
    "--read-only",
    "--security-opt",
    "no-new-privileges",
    "--user",
    "1000:1000",
];

/// `dangerous_syscalls_blocked` is unknown ("not run") in every table here:
/// these runs do not pass `--probe-syscalls` (tests/runtimes_syscalls.rs does).
///
/// A runtime's defaults: root, its default capabilities, its default seccomp
/// profile, rw root, no_new_privs off, no user namespace, no limits (podman
/// sets pids 2048 but no memory limit), private namespaces, masked /proc.
/// `resource_limits` fails: docker and podman put `--memory` and
/// `--pids-limit` on the container's own cgroup, from which the v1
/// hierarchies are mounted here, and `max` there is no limit set (issue 16).
fn defaults_table() -> harness::Expected {
    table! {
        non_root: Fail,
        capabilities_dropped: Fail,
        seccomp: Pass,
        mac_enforced: Fail,
        read_only_rootfs: Fail,
        no_new_privs: Fail,
        not_privileged: Pass,
        userns_remap: Fail,
        no_runtime_socket: Pass,
        no_host_pid: Pass,
        no_host_ipc: Pass,
        no_host_network: Pass,
        no_host_uts: Pass,
        no_sensitive_mounts: Pass,
        no_host_path: Pass,
        resource_limits: Fail,
        no_service_account_token: Pass,
        proc_trusted: Pass,
        dangerous_syscalls_blocked: Unknown,
    }
}

/// The hardened line: every check passes except mac_enforced (no LSM here),
/// userns_remap (no user namespace) and resource_limits (no --memory: `max`
/// on the container's own cgroup, where the runtime would have set it).
fn hardened_table() -> harness::Expected {
    table! {
        non_root: Pass,
        capabilities_dropped: Pass,
        seccomp: Pass,
        mac_enforced: Fail,
        read_only_rootfs: Pass,
        no_new_privs: Pass,
        not_privileged: Pass,
        userns_remap: Fail,
        no_runtime_socket: Pass,
        no_host_pid: Pass,
        no_host_ipc: Pass,
        no_host_network: Pass,
        no_host_uts: Pass,
        no_sensitive_mounts: Pass,
        no_host_path: Pass,
        resource_limits: Fail,
        no_service_account_token: Pass,
        proc_trusted: Pass,
        dangerous_syscalls_blocked: Unknown,
    }
}

fn podman(name: &str, flags: &[&str]) -> harness::Outcome {
    harness::require(&[Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "podman",
        name,
        flags,
        probe: "",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    o
}

fn docker(name: &str, flags: &[&str]) -> harness::Outcome {
    harness::require(&[Need::Docker, Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "docker",
        name,
        flags,
        probe: "",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    o
}

fn assert_mac_evidence_says_no_lsm(o: &harness::Outcome) {
    let ev = evidence(o, "mac_enforced");
    assert!(
        ev.contains("no LSM"),
        "{}: mac_enforced evidence should say no LSM is loaded: {ev}",
        o.scenario
    );
}

// ------------------------------------------------------------------ defaults

#[test]
fn docker_defaults() {
    harness::require(&[Need::Docker, Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "docker",
        name: "docker-defaults",
        flags: &["--network=none"],
        probe: "test -f /.dockerenv && echo DOCKERENV",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    assert_checklist(&o, &defaults_table());
    assert_eq!(cap_names(&o, "effective"), names(DOCKER_DEFAULT_CAPS));
    assert_eq!(cap_names(&o, "bounding"), names(DOCKER_DEFAULT_CAPS));
    assert!(o.probe.contains("DOCKERENV"), "no /.dockerenv: {}", o.probe);
    assert_eq!(o.report()["runtime"]["kind"], "docker");
    let ev = evidence(&o, "capabilities_dropped");
    assert!(ev.contains("CAP_NET_RAW"), "{ev}");
    assert_mac_evidence_says_no_lsm(&o);
}

#[test]
fn podman_defaults() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "podman",
        name: "podman-defaults",
        flags: &[],
        probe: "test -f /run/.containerenv && echo CONTAINERENV",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    assert_checklist(&o, &defaults_table());
    assert_eq!(cap_names(&o, "effective"), names(PODMAN_DEFAULT_CAPS));
    assert_eq!(cap_names(&o, "bounding"), names(PODMAN_DEFAULT_CAPS));
    assert!(o.probe.contains("CONTAINERENV"), "{}", o.probe);
    assert_eq!(o.report()["runtime"]["kind"], "podman");
    // podman run sets pids.max 2048 by default, but no memory limit on the
    // container's cgroup, which is the top of its view (the v1 hierarchies
    // are mounted from it): no limit, read up to a cgroup below the real root.
    let cg = known(&o.scenario, "cgroups", &o.report()["cgroups"]);
    assert_eq!(cg["memory"], json!({"known": "unlimited"}));
    assert_eq!(cg["memory_scope"]["real_root"], json!(false), "{cg}");
    let top = cg["memory_scope"]["top"].as_str().unwrap_or_default();
    assert!(top.contains("libpod-"), "the container's own cgroup: {top}");
    assert_eq!(cg["pids"], json!({"known": {"value": 2048}}));
    let ev = evidence(&o, "resource_limits");
    assert!(
        ev.contains("no memory limit on the container's own cgroup"),
        "{ev}"
    );
    assert_mac_evidence_says_no_lsm(&o);
}

// ------------------------------------------------------------------ hardened

#[test]
fn hardened_docker() {
    let mut flags = vec!["--network=none"];
    flags.extend(HARDENED);
    let o = docker("hardened-docker", &flags);
    assert_checklist(&o, &hardened_table());
    assert_eq!(cap_names(&o, "bounding"), names(&["CAP_NET_BIND_SERVICE"]));
    // docker gives a non-root user no effective capabilities.
    assert_eq!(cap_names(&o, "effective"), names(&[]));
    assert_mac_evidence_says_no_lsm(&o);
}

#[test]
fn hardened_podman() {
    let o = podman("hardened-podman", HARDENED);
    assert_checklist(&o, &hardened_table());
    assert_eq!(cap_names(&o, "bounding"), names(&["CAP_NET_BIND_SERVICE"]));
    // podman raises added capabilities as ambient for a non-root user.
    assert_eq!(cap_names(&o, "ambient"), names(&["CAP_NET_BIND_SERVICE"]));
    assert_eq!(cap_names(&o, "effective"), names(&["CAP_NET_BIND_SERVICE"]));
    assert_mac_evidence_says_no_lsm(&o);
}

#[test]
fn hardened_but_root() {
    let o = podman(
        "hardened-root",
        &[
            "--cap-drop=ALL",
            "--cap-add=NET_BIND_SERVICE",
            "--read-only",
            "--security-opt",
            "no-new-privileges",
            "--user",
            "0",
        ],
    );
    assert_checklist(
        &o,
        &table! {
            non_root: Fail,
            capabilities_dropped: Pass,
            seccomp: Pass,
            mac_enforced: Fail,
            read_only_rootfs: Pass,
            no_new_privs: Pass,
            not_privileged: Pass,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            no_sensitive_mounts: Pass,
            no_host_path: Pass,
            resource_limits: Fail,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        },
    );
    assert_eq!(
        statuses(&o, "checklist").diff(&hardened_table()),
        [("non_root", (St::Pass, St::Fail))].into_iter().collect(),
        "only non_root differs from the hardened line"
    );
}

// --------------------------------------------------- privilege and seccomp

#[test]
fn podman_privileged() {
    // docker run --privileged fails on this host (see .ci/setup-runtimes.sh).
    let o = podman("privileged", &["--privileged"]);
    assert_checklist(
        &o,
        &table! {
            non_root: Fail,
            capabilities_dropped: Fail,
            seccomp: Fail,
            mac_enforced: Fail,
            read_only_rootfs: Fail,
            no_new_privs: Fail,
            not_privileged: Fail,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            // /proc/sys and /sys writable, /proc/kcore & co. not masked.
            no_sensitive_mounts: Fail,
            no_host_path: Pass,
            resource_limits: Fail,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        },
    );
    assert_eq!(o.status["Seccomp"], "0");
    let ev = evidence(&o, "not_privileged");
    assert!(ev.starts_with("privileged"), "{ev}");
    assert!(ev.contains("host devices"), "{ev}");
}

#[test]
fn seccomp_unconfined() {
    for rt in ["podman", "docker"] {
        harness::require(&[Need::Podman, Need::Docker, Need::Capsh]);
        let flags: &[&str] = if rt == "docker" {
            &["--network=none", "--security-opt", "seccomp=unconfined"]
        } else {
            &["--security-opt", "seccomp=unconfined"]
        };
        let o = Run {
            rt,
            name: "seccomp-unconfined",
            flags,
            probe: "",
            policies: CHECKLIST,
        }
        .go();
        assert_kernel_agrees(&o);
        assert_eq!(o.status["Seccomp"], "0", "{rt}");
        let want = table! {
            non_root: Fail,
            capabilities_dropped: Fail,
            seccomp: Fail,
            mac_enforced: Fail,
            read_only_rootfs: Fail,
            no_new_privs: Fail,
            // Not privileged: the bounding set is the default one and /dev
            // holds no host device, even though seccomp is off and no LSM.
            not_privileged: Pass,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            no_sensitive_mounts: Pass,
            no_host_path: Pass,
            resource_limits: Fail,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        };
        assert_checklist(&o, &want);
        assert_eq!(
            want.diff(&defaults_table()),
            [("seccomp", (St::Pass, St::Fail))].into_iter().collect()
        );
    }
}

#[test]
fn seccomp_custom_profile() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let dir = harness::TempDir::new("seccomp");
    let profile = dir.path().join("deny-kexec.json");
    // Allow everything but kexec_load / kexec_file_load.
    std::fs::write(
        &profile,
        serde_json::to_string_pretty(&json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [
                {"names": ["kexec_load", "kexec_file_load"], "action": "SCMP_ACT_ERRNO"}
            ]
        }))
        .unwrap(),
    )
    .unwrap();
    let opt = format!("seccomp={}", profile.display());
    let o = Run {
        rt: "podman",
        name: "seccomp-custom",
        flags: &["--security-opt", &opt],
        probe: "",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    assert_eq!(o.status["Seccomp"], "2");
    assert_eq!(o.report()["seccomp"]["mode"], json!({"known": "filter"}));
    assert_checklist(&o, &defaults_table());
}

// --------------------------------------------------------------- capabilities

#[test]
fn cap_add_sys_admin() {
    let o = podman("cap-sys-admin", &["--cap-add=SYS_ADMIN"]);
    // SYS_ADMIN is one more capability, not a privileged container.
    assert_checklist(&o, &defaults_table());
    let ev = evidence(&o, "capabilities_dropped");
    assert!(ev.contains("CAP_SYS_ADMIN"), "{ev}");
    assert!(cap_names(&o, "effective").contains(&"CAP_SYS_ADMIN".to_string()));
}

#[test]
fn cap_net_raw_only() {
    let o = podman("cap-net-raw", &["--cap-drop=ALL", "--cap-add=NET_RAW"]);
    assert_eq!(cap_names(&o, "effective"), names(&["CAP_NET_RAW"]));
    assert_eq!(cap_names(&o, "bounding"), names(&["CAP_NET_RAW"]));
    // NET_RAW is not in the checklist's allowed set (NET_BIND_SERVICE only).
    assert_checklist(&o, &defaults_table());
    let ev = evidence(&o, "capabilities_dropped");
    assert!(ev.contains("CAP_NET_RAW"), "{ev}");
    assert!(!ev.contains("CAP_CHOWN"), "{ev}");
}

// ------------------------------------------------------------ user namespaces

#[test]
fn userns_remapped() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "podman",
        name: "userns-remap",
        flags: &["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"],
        probe: "cat /proc/self/uid_map",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    let ranges: Vec<Vec<u64>> = o
        .probe
        .lines()
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(ranges, vec![vec![0, 100000, 65536]]);
    let un = &o.report()["user_namespace"];
    assert_eq!(
        known(&o.scenario, "uid_map", &un["uid_map"])["ranges"],
        json!([{"inside": 0, "outside": 100000, "count": 65536}])
    );
    assert_eq!(
        un["root_uid"],
        json!({"known": {"unprivileged": {"outside": 100000}}})
    );
    assert_eq!(un["initial"], json!({"known": false}));
    let want = table! {
        // uid 0 inside is still root in the container.
        non_root: Fail,
        capabilities_dropped: Fail,
        seccomp: Pass,
        mac_enforced: Fail,
        read_only_rootfs: Fail,
        no_new_privs: Fail,
        not_privileged: Pass,
        userns_remap: Pass,
        no_runtime_socket: Pass,
        no_host_pid: Pass,
        no_host_ipc: Pass,
        no_host_network: Pass,
        no_host_uts: Pass,
        no_sensitive_mounts: Pass,
        no_host_path: Pass,
        resource_limits: Fail,
        no_service_account_token: Pass,
        proc_trusted: Pass,
        dangerous_syscalls_blocked: Unknown,
    };
    assert_checklist(&o, &want);
}

#[test]
fn userns_rootless_like() {
    harness::require(&[Need::Podman, Need::Capsh]);
    // Container root = host uid 1000 (an ordinary user), the rest a
    // subordinate range: what rootless podman looks like from inside. podman
    // 4.3's overlay cannot mount an image for a multi-range map here, so the
    // rootfs is the test image unpacked and chowned to 1000 (like a rootless
    // user's storage).
    let dir = harness::TempDir::new("rootless");
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let ctr = harness::unique("rootless-export");
    harness::must(
        "podman",
        &[
            "create",
            "--name",
            &ctr,
            harness::test_image("podman"),
            "/bin/true",
        ],
        60,
    );
    let _c = harness::Cleanup::container("podman", &ctr);
    let tar = dir.path().join("fs.tar");
    harness::must(
        "podman",
        &["export", "-o", tar.to_str().unwrap(), &ctr],
        120,
    );
    harness::must(
        "tar",
        &["-xf", tar.to_str().unwrap(), "-C", rootfs.to_str().unwrap()],
        60,
    );
    harness::must("chown", &["-R", "1000:1000", rootfs.to_str().unwrap()], 60);
    let o = Run {
        rt: "podman",
        name: "rootless-like",
        flags: &[
            "--network=none",
            "--uidmap",
            "0:1000:1",
            "--uidmap",
            "1:100000:65535",
            "--gidmap",
            "0:1000:1",
            "--gidmap",
            "1:100000:65535",
            "--rootfs",
            rootfs.to_str().unwrap(),
        ],
        probe: "cat /proc/self/uid_map",
        policies: CHECKLIST,
    }
    .go_in_rootfs();
    assert_kernel_agrees(&o);
    let un = &o.report()["user_namespace"];
    assert_eq!(
        known(&o.scenario, "uid_map", &un["uid_map"])["ranges"],
        json!([
            {"inside": 0, "outside": 1000, "count": 1},
            {"inside": 1, "outside": 100000, "count": 65535}
        ])
    );
    assert_eq!(
        un["root_uid"],
        json!({"known": {"unprivileged": {"outside": 1000}}})
    );
    let want = table! {
        non_root: Fail,
        capabilities_dropped: Fail,
        seccomp: Pass,
        mac_enforced: Fail,
        read_only_rootfs: Fail,
        no_new_privs: Fail,
        not_privileged: Pass,
        userns_remap: Pass,
        no_runtime_socket: Pass,
        no_host_pid: Pass,
        no_host_ipc: Pass,
        no_host_network: Pass,
        no_host_uts: Pass,
        // the root is a bind of a host directory: at / that is the rootfs,
        // not a host path mounted in.
        no_sensitive_mounts: Pass,
        no_host_path: Pass,
        resource_limits: Fail,
        no_service_account_token: Pass,
        proc_trusted: Pass,
        dangerous_syscalls_blocked: Unknown,
    };
    assert_checklist(&o, &want);
}

// ---------------------------------------------------------- host namespaces

/// Runs podman with one host namespace and asserts that exactly the matching
/// check flips from pass to fail relative to podman's defaults, measured in a
/// default container on the same host in the same test.
fn host_namespace(flag: &'static str, ns: &str, id: &'static str) {
    let base = podman("ns-default", &[]);
    let o = podman("host-ns", &[flag]);
    assert!(
        ns_initial(&o, ns),
        "{flag}: report says the {ns} namespace is not the host's"
    );
    assert!(!ns_initial(&base, ns));
    let mut want = defaults_table();
    want.0.insert(id, St::Fail);
    assert_checklist(&o, &want);
    assert_checklist(&base, &defaults_table());
    assert_eq!(
        statuses(&o, "checklist").diff(&statuses(&base, "checklist")),
        [(id, (St::Pass, St::Fail))].into_iter().collect(),
        "{flag}: only {id} may change relative to the default container"
    );
}

#[test]
fn host_pid() {
    host_namespace("--pid=host", "pid", "no_host_pid");
}

#[test]
fn host_network() {
    host_namespace("--network=host", "net", "no_host_network");
}

#[test]
fn host_ipc() {
    host_namespace("--ipc=host", "ipc", "no_host_ipc");
}

#[test]
fn host_uts() {
    host_namespace("--uts=host", "uts", "no_host_uts");
}

// -------------------------------------------------------------------- mounts

#[test]
fn docker_socket_mounted() {
    harness::require(&[Need::Podman, Need::Docker, Need::Capsh]);
    for rt in ["docker", "podman"] {
        let flags: &[&str] = if rt == "docker" {
            &[
                "--network=none",
                "-v",
                "/var/run/docker.sock:/var/run/docker.sock",
            ]
        } else {
            &["-v", "/var/run/docker.sock:/var/run/docker.sock"]
        };
        let o = Run {
            rt,
            name: "docker-sock",
            flags,
            probe: "test -S /var/run/docker.sock && echo SOCKET",
            policies: CHECKLIST,
        }
        .go();
        assert_kernel_agrees(&o);
        assert!(o.probe.contains("SOCKET"), "{rt}: the socket is not there");
        let mut want = defaults_table();
        want.0.insert("no_runtime_socket", St::Fail);
        // A runtime socket is also a sensitive host path (the library counts
        // it under both checks since 5e4aa86; the brief lists both).
        want.0.insert("no_sensitive_mounts", St::Fail);
        // And a bind of a host file: a hostPath to the Pod Security Standards.
        want.0.insert("no_host_path", St::Fail);
        assert_checklist(&o, &want);
        let ev = evidence(&o, "no_runtime_socket");
        assert!(
            ev.contains("docker") && ev.contains("/var/run/docker.sock"),
            "{ev}"
        );
    }
}

#[test]
fn host_root_mounted() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let o = Run {
        rt: "podman",
        name: "host-root",
        flags: &["-v", "/:/host"],
        // The host's docker socket is reachable through the host's /.
        probe: "test -S /host/run/docker.sock && echo SOCKET",
        policies: CHECKLIST,
    }
    .go();
    assert_kernel_agrees(&o);
    assert!(
        o.probe.contains("SOCKET"),
        "the host socket is not reachable"
    );
    let mut want = defaults_table();
    want.0.insert("no_sensitive_mounts", St::Fail);
    want.0.insert("no_host_path", St::Fail);
    // /host/run holds the runtime sockets (shown by the probe).
    want.0.insert("no_runtime_socket", St::Fail);
    assert_checklist(&o, &want);
    let ev = evidence(&o, "no_sensitive_mounts");
    assert!(ev.contains("/host"), "{ev}");
}

/// A host /run lives on tmpfs on most systemd hosts; bound in whole, it shows
/// in mountinfo as a bare tmpfs, and the socket inside it only to a `stat`.
/// A tmpfs made on the host for the test, holding a real Unix socket (bound
/// with std's UnixListener, which leaves the socket file behind), stands in
/// for it.
#[test]
fn host_run_tmpfs_mounted() {
    harness::require(&[Need::Podman, Need::Docker, Need::Capsh]);
    let dir = harness::TempDir::new("hostrun");
    let run = dir.path().join("run");
    std::fs::create_dir_all(&run).unwrap();
    harness::must(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            "size=1m",
            "tmpfs",
            run.to_str().unwrap(),
        ],
        30,
    );
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _u = Unmount(run.clone());
    std::fs::create_dir_all(run.join("containerd")).unwrap();
    let listener =
        std::os::unix::net::UnixListener::bind(run.join("containerd/containerd.sock")).unwrap();
    drop(listener);
    let bind = format!("{}:/hostrun", run.display());
    let o = docker("host-run", &["--network=none", "-v", &bind]);
    let mut want = defaults_table();
    want.0.insert("no_runtime_socket", St::Fail);
    want.0.insert("no_sensitive_mounts", St::Fail);
    assert_checklist(&o, &want);
    let ev = evidence(&o, "no_runtime_socket");
    assert!(
        ev.contains("containerd socket reachable at /hostrun/containerd/containerd.sock"),
        "{ev}"
    );
    let mi = known(&o.scenario, "mounts", &o.report()["mounts"]);
    let at: Vec<&serde_json::Value> = mi["table"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["mount_point"] == "/hostrun")
        .collect();
    assert_eq!(at.len(), 1, "the bind shows as one mount");
    assert_eq!(
        at[0]["fstype"], "tmpfs",
        "only a tmpfs, no socket, in mountinfo"
    );
}

#[test]
fn host_etc_mounted() {
    let o = docker("host-etc", &["--network=none", "-v", "/etc:/host-etc"]);
    let mut want = defaults_table();
    want.0.insert("no_sensitive_mounts", St::Fail);
    want.0.insert("no_host_path", St::Fail);
    assert_checklist(&o, &want);
    let ev = evidence(&o, "no_sensitive_mounts");
    assert!(ev.contains("/host-etc"), "{ev}");
}

/// A host directory holding a live Docker socket, bound at a path of its own
/// (`-v <dir>:/mnt/x`, issue 16): mountinfo shows only the directory (ext4
/// here), and the socket one level into it only to a `stat`.
#[test]
fn socket_in_a_host_directory() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let dir = harness::TempDir::new("sockdir");
    // Listening for the whole run: a real daemon's socket.
    let listener = std::os::unix::net::UnixListener::bind(dir.path().join("docker.sock")).unwrap();
    let bind = format!("{}:/mnt/x", dir.path().display());
    let o = Run {
        rt: "podman",
        name: "socket-in-dir",
        flags: &["-v", &bind],
        probe: "test -S /mnt/x/docker.sock && echo SOCKET",
        policies: CHECKLIST,
    }
    .go();
    drop(listener);
    assert_kernel_agrees(&o);
    assert!(o.probe.contains("SOCKET"), "the socket is not there");
    let mut want = defaults_table();
    want.0.insert("no_runtime_socket", St::Fail);
    want.0.insert("no_sensitive_mounts", St::Fail);
    // The directory itself is a host path.
    want.0.insert("no_host_path", St::Fail);
    assert_checklist(&o, &want);
    let ev = evidence(&o, "no_runtime_socket");
    assert!(
        ev.contains("docker socket reachable at /mnt/x/docker.sock"),
        "{ev}"
    );
    let mi = known(&o.scenario, "mounts", &o.report()["mounts"]);
    let at: Vec<&serde_json::Value> = mi["table"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["mount_point"] == "/mnt/x")
        .collect();
    assert_eq!(at.len(), 1, "the bind shows as one mount");
    assert_ne!(at[0]["fstype"], "tmpfs", "a directory from a disk");
}

// -------------------------------------------------------------------- limits

#[test]
fn memory_and_pids_limits() {
    harness::require(&[Need::Podman, Need::Docker, Need::Capsh]);
    for rt in ["podman", "docker"] {
        let flags: &[&str] = if rt == "docker" {
            &["--network=none", "--memory=256m", "--pids-limit=100"]
        } else {
            &["--memory=256m", "--pids-limit=100"]
        };
        let o = Run {
            rt,
            name: "limits",
            flags,
            probe: "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max",
            policies: CHECKLIST,
        }
        .go();
        assert_kernel_agrees(&o);
        let raw: Vec<&str> = o.probe.lines().collect();
        assert_eq!(raw, ["268435456", "100"], "{rt}: kernel's v1 limit files");
        let cg = known(&o.scenario, "cgroups", &o.report()["cgroups"]);
        assert_eq!(cg["memory"], json!({"known": {"value": 268435456}}), "{rt}");
        assert_eq!(cg["pids"], json!({"known": {"value": 100}}), "{rt}");
        let mut want = defaults_table();
        want.0.insert("resource_limits", St::Pass);
        assert_checklist(&o, &want);
    }
}

// ------------------------------------------------------------ examples/

#[test]
fn hardened_dockerfile() {
    harness::require(&[Need::Podman]);
    // FROM scratch: no shell to cat /proc/self/status with, by design; the
    // kernel cross-check for the same flags is in hardened_podman.
    let image = harness::hardened_image();
    let name = harness::unique("dockerfile");
    let _c = harness::Cleanup::container("podman", &name);
    let out = harness::sh(
        "podman",
        &[
            "run",
            "--rm",
            "--name",
            &name,
            "--cap-drop=ALL",
            "--read-only",
            "--security-opt",
            "no-new-privileges",
            "--memory=64m",
            "--pids-limit=64",
            image,
            "--check",
            "--policy",
            "checklist",
            "--json",
        ],
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stdout} {out:?}"));
    let o = harness::Outcome {
        scenario: "dockerfile".into(),
        status: Default::default(),
        probe: String::new(),
        runs: vec![harness::PolicyRun {
            policy: "checklist".into(),
            doc,
            exit: out.status.code().unwrap_or(-1),
        }],
    };
    // The image's USER 1000:1000 makes non_root pass without --user.
    assert_checklist(
        &o,
        &table! {
            non_root: Pass,
            capabilities_dropped: Pass,
            seccomp: Pass,
            mac_enforced: Fail,
            read_only_rootfs: Pass,
            no_new_privs: Pass,
            not_privileged: Pass,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            no_sensitive_mounts: Pass,
            no_host_path: Pass,
            resource_limits: Pass,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        },
    );
    let ids = known("dockerfile", "uid", &o.report()["identity"]["uid"]);
    assert_eq!(ids["effective"], 1000);
    // No shell and nothing but the binary in the image.
    let files = harness::must(
        "podman",
        &[
            "image",
            "inspect",
            "--format",
            "{{len .RootFS.Layers}} {{.Config.User}}",
            image,
        ],
        60,
    );
    assert_eq!(
        files.trim(),
        "1 1000:1000",
        "one layer (the binary), USER 1000:1000"
    );
}

fn k8s(name: &str) -> std::path::PathBuf {
    repo().join("examples/k8s").join(name)
}

#[test]
fn kube_restricted_pod() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let manifest = k8s("pod-restricted.yaml");
    let o = Kube {
        name: "kube-restricted",
        manifest: &manifest,
        probe: "",
        policies: &["checklist", "pss-restricted", "pss-baseline"],
    }
    .go();
    assert_kernel_agrees(&o);
    assert_checklist(
        &o,
        &table! {
            non_root: Pass,
            capabilities_dropped: Pass,
            seccomp: Pass,
            mac_enforced: Fail,
            read_only_rootfs: Pass,
            no_new_privs: Pass,
            not_privileged: Pass,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            no_sensitive_mounts: Pass,
            no_host_path: Pass,
            // memory limit set by resources.limits; podman kube play sets
            // no pids limit on the container's cgroup (and is no
            // Kubernetes, whose podPidsLimit would sit on the pod's cgroup):
            // no pids limit set.
            resource_limits: Fail,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        },
    );
    assert_eq!(cap_names(&o, "bounding"), names(&[]));
    assert_verdict(&o, "pss-restricted", true);
    assert_verdict(&o, "pss-baseline", true);
    let cg = known(&o.scenario, "cgroups", &o.report()["cgroups"]);
    assert_eq!(cg["memory"], json!({"known": {"value": 64 * 1024 * 1024}}));
    // pss-restricted does not evaluate read_only_rootfs.
    let ids: Vec<&str> = o.policy("pss-restricted").doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"read_only_rootfs") && ids.len() == harness::CHECK_IDS.len() - 1,
        "{ids:?}"
    );
}

#[test]
fn kube_restricted_pod_as_shipped() {
    harness::require(&[Need::Podman]);
    // The manifest exactly as shipped (only the pod renamed), with the
    // examples/Dockerfile image: the binary's exit status is the pod's.
    harness::hardened_image();
    let text = std::fs::read_to_string(k8s("pod-restricted.yaml")).unwrap();
    let pod = harness::unique("kube-shipped");
    let (text, ctr) = harness::rewrite_manifest(&text, &pod, harness::HARDENED_IMAGE, None);
    let (logs, code) = harness::kube_play("kube-shipped", &text, &ctr, &pod);
    let doc: serde_json::Value =
        serde_json::from_str(logs.trim()).unwrap_or_else(|e| panic!("no JSON ({e}): {logs}"));
    assert_eq!(doc["assessment"]["policy"], "pss-restricted");
    assert_eq!(doc["assessment"]["verdict"], "pass", "{logs}");
    assert_eq!(code, 0);
}

#[test]
fn kube_baseline_pod() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let manifest = k8s("pod-baseline.yaml");
    let o = Kube {
        name: "kube-baseline",
        manifest: &manifest,
        probe: "",
        policies: &["checklist", "pss-baseline", "pss-restricted"],
    }
    .go();
    assert_kernel_agrees(&o);
    assert_checklist(&o, &defaults_table());
    assert_eq!(cap_names(&o, "bounding"), names(PODMAN_DEFAULT_CAPS));
    assert_verdict(&o, "pss-baseline", true);
    assert_eq!(
        harness::check(&o, "pss-baseline", "capabilities_dropped")["status"],
        "pass",
        "podman's defaults are within baseline's allowed capabilities"
    );
    assert_verdict(&o, "pss-restricted", false);
}

#[test]
fn kube_privileged_pod() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let manifest = k8s("pod-privileged.yaml");
    let o = Kube {
        name: "kube-privileged",
        manifest: &manifest,
        probe: "",
        policies: &["checklist", "pss-baseline"],
    }
    .go();
    assert_kernel_agrees(&o);
    assert_checklist(
        &o,
        &table! {
            non_root: Fail,
            capabilities_dropped: Fail,
            seccomp: Fail,
            mac_enforced: Fail,
            read_only_rootfs: Fail,
            no_new_privs: Fail,
            not_privileged: Fail,
            userns_remap: Fail,
            no_runtime_socket: Pass,
            no_host_pid: Pass,
            no_host_ipc: Pass,
            no_host_network: Pass,
            no_host_uts: Pass,
            no_sensitive_mounts: Fail,
            no_host_path: Pass,
            resource_limits: Fail,
            no_service_account_token: Pass,
            proc_trusted: Pass,
            dangerous_syscalls_blocked: Unknown,
        },
    );
    assert_verdict(&o, "pss-baseline", false);
}

#[test]
fn kube_hostpid_pod() {
    harness::require(&[Need::Podman, Need::Capsh]);
    let manifest = k8s("pod-hostpid.yaml");
    let o = Kube {
        name: "kube-hostpid",
        manifest: &manifest,
        probe: "readlink /proc/self/ns/pid",
        policies: &["checklist", "pss-baseline"],
    }
    .go();
    assert_kernel_agrees(&o);
    // Ground truth from the kernel, not from the manifest: podman honours
    // hostPID only since 4.5 (containers/podman#17168); 4.3 ignores it and
    // gives the pod its own pid namespace. Whatever podman did, the report
    // must say it: no_host_pid fails exactly when the container's pid
    // namespace link equals this (host) process's own.
    let host = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let shared = o.probe.trim() == host.to_str().unwrap();
    let version = harness::must(
        "podman",
        &["version", "--format", "{{.Client.Version}}"],
        30,
    );
    if !shared {
        println!(
            "kube_hostpid_pod: podman {} ignored hostPID: true (supported since podman 4.5); \
             asserting that posture reports the private pid namespace podman created",
            version.trim()
        );
    }
    assert_eq!(
        ns_initial(&o, "pid"),
        shared,
        "pid ns {} vs host {host:?}",
        o.probe.trim()
    );
    let mut want = table! {
        non_root: Pass,
        capabilities_dropped: Pass,
        seccomp: Pass,
        mac_enforced: Fail,
        read_only_rootfs: Pass,
        no_new_privs: Pass,
        not_privileged: Pass,
        userns_remap: Fail,
        no_runtime_socket: Pass,
        no_host_pid: Fail,
        no_host_ipc: Pass,
        no_host_network: Pass,
        no_host_uts: Pass,
        no_sensitive_mounts: Pass,
        no_host_path: Pass,
        resource_limits: Fail,
        no_service_account_token: Pass,
        proc_trusted: Pass,
        dangerous_syscalls_blocked: Unknown,
    };
    if !shared {
        want.0.insert("no_host_pid", St::Pass);
    }
    assert_checklist(&o, &want);
    assert_verdict(&o, "pss-baseline", !shared);
}

#[test]
fn kube_health_deployment() {
    harness::require(&[Need::Podman]);
    let manifest = k8s("deployment.yaml");
    assert!(
        manifest.exists(),
        "examples/k8s/deployment.yaml is missing (the hardened health Deployment)"
    );
    assert!(
        harness::health_bin().is_some(),
        "examples/health.rs is missing"
    );
    harness::health_image();
    // The manifest as shipped except the Deployment's name (unique per run).
    let text = std::fs::read_to_string(&manifest).unwrap();
    let name = harness::unique("health");
    let (text, _) = harness::rewrite_manifest(&text, &name, harness::HEALTH_IMAGE, None);
    let port: u16 = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("- containerPort:"))
        .or_else(|| {
            text.lines()
                .find_map(|l| l.trim_start().strip_prefix("containerPort:"))
        })
        .expect("deployment.yaml names no containerPort")
        .trim()
        .parse()
        .unwrap();
    let dir = harness::TempDir::new("health");
    let file = dir.path().join("deployment.yaml");
    std::fs::write(&file, &text).unwrap();
    // `podman kube down` removes what play made; the pod id from play's
    // output is removed too, whatever podman version names it.
    let _down = harness::Cleanup::pod(&file, &format!("{name}-pod-0"));
    let played = harness::must("podman", &["kube", "play", file.to_str().unwrap()], 180);
    let pod = played
        .lines()
        .skip_while(|l| l.trim() != "Pod:")
        .nth(1)
        .unwrap_or_else(|| panic!("no pod id in `podman kube play` output: {played}"))
        .trim()
        .to_string();
    let _rm = harness::Cleanup::pod(&file, &pod);
    // Reach it over the pod's own network (the kube network's bridge): the
    // pod's IP from its infra container. (podman 4.3 also publishes the
    // containerPort on the host; hostNetwork would fail no_host_network.)
    let infra = harness::must(
        "podman",
        &["pod", "inspect", &pod, "--format", "{{.InfraContainerID}}"],
        30,
    );
    let ip = harness::must(
        "podman",
        &[
            "inspect",
            infra.trim(),
            "--format",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
        ],
        30,
    );
    let ip = ip
        .split_whitespace()
        .next()
        .expect("the pod has no IP address");
    let addr = format!("{ip}:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (code, body) = loop {
        match harness::http_get(&addr, "/healthz") {
            Ok(r) => break r,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            Err(e) => {
                let logs = harness::sh("podman", &["pod", "logs", &pod], 30);
                panic!(
                    "GET http://{addr}/healthz never answered: {e}\nlogs: {}{}",
                    String::from_utf8_lossy(&logs.stdout),
                    String::from_utf8_lossy(&logs.stderr)
                );
            }
        }
    };
    assert_eq!(code, 200, "GET /healthz: {body}");
    assert_eq!(body.trim(), "pass policy=pss-restricted", "GET /healthz");
    let (code, metrics) = harness::http_get(&addr, "/metrics").unwrap();
    assert_eq!(code, 200, "GET /metrics: {metrics}");
    assert!(metrics.contains("posture"), "{metrics}");
}

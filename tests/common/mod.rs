//! Helpers shared by the integration tests (each test binary includes this
//! module; not every binary uses every helper).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every check id, in the library's order, written out here (not taken from
/// the library) so a renamed or dropped id fails the tests.
pub const CHECK_IDS: [&str; 19] = [
    "non_root",
    "capabilities_dropped",
    "seccomp",
    "mac_enforced",
    "read_only_rootfs",
    "no_new_privs",
    "not_privileged",
    "userns_remap",
    "no_runtime_socket",
    "no_host_pid",
    "no_host_ipc",
    "no_host_network",
    "no_host_uts",
    "no_sensitive_mounts",
    "no_host_path",
    "resource_limits",
    "no_service_account_token",
    "proc_trusted",
    "dangerous_syscalls_blocked",
];

/// `target/<profile>/examples/<name>`, next to this test binary's `deps/`.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let p = profile_dir.join("examples").join(name);
    assert!(
        p.is_file(),
        "{} not found: run `cargo test` (which builds the examples before the tests; \
         the health example needs the serde, policy-file and prometheus features), or \
         `cargo build --examples` first when selecting tests with `--test`",
        p.display()
    );
    p
}

/// The `capsh` program (libcap2-bin): from `PATH`, else `/usr/sbin` or
/// `/sbin`, where Debian installs it and which a non-root user's `PATH`
/// does not hold.
pub fn capsh() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join("capsh"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("capsh not found on PATH, in /usr/sbin or /sbin: install libcap2-bin (apt-get install libcap2-bin)")
        })
}

/// The `posture` binary (src/bin/posture.rs), which cargo builds for the
/// integration tests when the `cli` feature (a default) is on.
pub fn posture_bin() -> PathBuf {
    // Set by cargo only when the binary is built (not with
    // --no-default-features): a test that runs it says so.
    let Some(p) = option_env!("CARGO_BIN_EXE_posture") else {
        panic!("the posture binary is not built: it needs the `cli` feature (a default feature)")
    };
    let p = PathBuf::from(p);
    assert!(p.is_file(), "{} not found", p.display());
    p
}

/// Runs the real `promtool check metrics` on `text` and fails the test on
/// any complaint, or when promtool is not installed.
pub fn promtool_check(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run promtool ({e}): install the Debian package `prometheus` \
                 (apt-get install prometheus, or run .ci/setup-runtimes.sh)"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}\nstdout: {}\nstderr: {}\n--- input ---\n{text}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tests/fixtures`.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The name of every fixture tree under `tests/fixtures` (a directory
/// holding `proc/self/status`), sorted.
pub fn all_fixtures() -> Vec<String> {
    let dir = fixtures_root();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry"))
        .filter(|e| e.path().join("proc/self/status").is_file())
        .map(|e| e.file_name().into_string().expect("UTF-8 fixture name"))
        .collect();
    names.sort();
    names
}

/// `tests/fixtures/<name>`, checked to be a fixture tree (it has
/// `proc/self/status`).
pub fn fixture_dir(name: &str) -> PathBuf {
    let dir = fixtures_root().join(name);
    assert!(
        dir.join("proc/self/status").is_file(),
        "fixture {name} missing: {} (scripts/make-handbuilt-fixtures.sh builds the hand-built ones)",
        dir.display()
    );
    dir
}

/// The library pipeline over a fixture tree.
pub fn fixture_report(name: &str) -> posture::Report {
    report_at(&fixture_dir(name))
}

/// The library pipeline over any directory shaped like `/` (a fixture or an
/// edited copy of one).
pub fn report_at(dir: &Path) -> posture::Report {
    posture::posture_with_root(&posture::Root::fixture(dir))
}

/// The fixture trees whose expectations live in `tests/fleet.rs` (built from
/// documented real output of environments no machine here runs), and so not
/// in `tests/policy.rs`'s table of this machine's captures.
pub const FLEET_FIXTURES: &[&str] = &[
    "k8s-containerd",
    "k8s-userns",
    "block-pvc",
    "hostpath-volume",
    "crio-selinux",
    "selinux-container-t",
    "selinux-spc-t",
    "podman-rootless",
    "docker-userns-remap",
    "gvisor",
    "gvisor-old",
    "kata",
    "sysbox",
    "btrfs-host-etc",
    "zfs-host-etc",
    "hostdir-runtime-socket",
    "podman-storage-volume",
];

/// The syscalls the probe makes, in the library's order, written out here
/// (not taken from the library) for every test binary that checks them.
pub const PROBED_SYSCALLS: [&str; 26] = [
    "unshare",
    "clone",
    "clone3",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "fsopen",
    "open_tree",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "open_by_handle_at",
    "init_module",
    "finit_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
];

/// The checks `strict` requires that fail (or are unknown) in the
/// `privileged` fixture (`podman run --privileged` as root; see its README):
/// uid 0, every capability, `Seccomp: 0`, no LSM (`attr/current` EINVAL), a
/// writable root, `NoNewPrivs: 0`, privileged, uid 0 mapped to the host's,
/// /proc and /sys unmasked, no memory or pids limit, and no syscall probe
/// in a fixture (unknown). Written out here, not taken from the library.
pub const PRIVILEGED_STRICT_BLOCKING: [&str; 11] = [
    "non_root",
    "capabilities_dropped",
    "seccomp",
    "mac_enforced",
    "read_only_rootfs",
    "no_new_privs",
    "not_privileged",
    "userns_remap",
    "no_sensitive_mounts",
    "resource_limits",
    "dangerous_syscalls_blocked",
];

/// A `POSTURE_OVERRIDE` value overriding each of `ids` with `reason`:
/// `id=reason;id=reason`.
pub fn override_spec(ids: &[&str], reason: &str) -> String {
    ids.iter()
        .map(|id| format!("{id}={reason}"))
        .collect::<Vec<_>>()
        .join(";")
}

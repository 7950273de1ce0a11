//! Support for `tests/runtimes.rs`: builds the static `posture` binary once per
//! test run, imports it into podman and docker as a test image, runs containers
//! and pods with given flags, and checks what the binary reports inside them
//! against the kernel's own numbers and against an expected table of checks.
//!
//! Nothing here is a mock: every scenario is a real `podman run`, `docker run`
//! or `podman kube play` on this host.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The busybox image `.ci/setup-runtimes.sh` imports (busybox + capsh).
pub const BASE_IMAGE: &str = "localhost/posture-base:latest";
/// The base image plus `/posture`, rebuilt once per test run.
pub const TEST_IMAGE: &str = "localhost/posture-test:latest";
/// `examples/Dockerfile` built from the static binary, once per test run.
pub const HARDENED_IMAGE: &str = "localhost/posture:latest";
/// `examples/health.rs` (static) on the base image, once per test run.
pub const HEALTH_IMAGE: &str = "localhost/posture-health:latest";

const SETUP_HINT: &str = "run `bash .ci/setup-runtimes.sh` as root (installs podman, runc, docker.io, \
     busybox-static, libcap2-bin; starts dockerd; imports localhost/posture-base:latest)";

/// Every check id, in the library's order.
pub use crate::common::CHECK_IDS;

/// The checks the hardening checklist marks MUST; the `checklist` preset
/// requires exactly these and warns on the rest.
pub const MUST: [&str; 9] = [
    "non_root",
    "capabilities_dropped",
    "not_privileged",
    "no_runtime_socket",
    "no_host_pid",
    "no_host_ipc",
    "no_host_network",
    "no_sensitive_mounts",
    "proc_trusted",
];

/// What a scenario needs on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// podman with the runc OCI runtime and the base image.
    Podman,
    /// A docker daemon that answers, and the base image in it.
    Docker,
    /// `capsh` on the host (decodes the kernel's hex masks independently).
    Capsh,
}

fn tool_ok(cmd: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("timeout")
        .arg("30")
        .arg(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cmd}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`{cmd} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn check_need(n: Need) -> Result<(), String> {
    match n {
        Need::Podman => {
            tool_ok("podman", &["--version"])?;
            tool_ok("runc", &["--version"])?;
            let rt = tool_ok("podman", &["info", "--format", "{{.Host.OCIRuntime.Name}}"])?;
            if rt != "runc" {
                return Err(format!("podman's OCI runtime is {rt:?}, expected runc"));
            }
            tool_ok("podman", &["image", "exists", BASE_IMAGE])
                .map_err(|e| format!("podman has no {BASE_IMAGE}: {e}"))?;
            Ok(())
        }
        Need::Docker => {
            tool_ok("docker", &["info", "--format", "{{.ServerVersion}}"])
                .map_err(|e| format!("the docker daemon does not answer: {e}"))?;
            tool_ok("docker", &["image", "inspect", BASE_IMAGE])
                .map_err(|e| format!("docker has no {BASE_IMAGE}: {e}"))?;
            Ok(())
        }
        Need::Capsh => tool_ok("capsh", &["--decode=0"]).map(|_| ()),
    }
}

/// Fails the test, naming what to install, when the host lacks something the
/// scenario needs. Each need is probed once per test run.
pub fn require(needs: &[Need]) {
    static PODMAN: OnceLock<Result<(), String>> = OnceLock::new();
    static DOCKER: OnceLock<Result<(), String>> = OnceLock::new();
    static CAPSH: OnceLock<Result<(), String>> = OnceLock::new();
    for &n in needs {
        let cell = match n {
            Need::Podman => &PODMAN,
            Need::Docker => &DOCKER,
            Need::Capsh => &CAPSH,
        };
        if let Err(e) = cell.get_or_init(|| check_need(n)) {
            panic!(
                "the runtime suite was asked for (feature runtime-tests) but {n:?} is not usable on this host: {e}\nFix: {SETUP_HINT}"
            );
        }
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command with a timeout; returns its output whatever the exit status.
pub fn sh(cmd: &str, args: &[&str], timeout_s: u32) -> Output {
    Command::new("timeout")
        .arg("--kill-after=10")
        .arg(timeout_s.to_string())
        .arg(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"))
}

/// Runs a command that must succeed; returns stdout.
pub fn must(cmd: &str, args: &[&str], timeout_s: u32) -> String {
    let out = sh(cmd, args, timeout_s);
    assert!(
        out.status.success(),
        "`{cmd} {}` failed ({}):\nstdout: {}\nstderr: {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A process-unique name (tests run in parallel; other runs may be going on).
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "posture-rt-{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/<unique>`.
    pub fn new(prefix: &str) -> TempDir {
        let p = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
        TempDir(p)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds the static binaries (the `posture` binary, the `health` example)
/// once per test run with `scripts/build-static.sh`.
fn static_bins() -> &'static BTreeMap<String, PathBuf> {
    static BINS: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BINS.get_or_init(|| {
        let mut wanted = vec!["posture"];
        let health = repo().join("examples/health.rs").exists();
        if health {
            wanted.push("health");
        }
        let script = repo().join("scripts/build-static.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(&script).args(&wanted).stdin(Stdio::null());
        if health {
            cmd.env("POSTURE_STATIC_FEATURES", "prometheus");
        }
        let out = cmd.output().expect("run scripts/build-static.sh");
        assert!(
            out.status.success(),
            "scripts/build-static.sh {} failed:\n{}",
            wanted.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let paths: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(PathBuf::from)
            .collect();
        assert_eq!(
            paths.len(),
            wanted.len(),
            "build-static.sh printed {paths:?}"
        );
        wanted.iter().map(|s| s.to_string()).zip(paths).collect()
    })
}

/// Names a prebuilt static binary to test instead of building
/// `src/bin/posture.rs` (it must honour the same `--check` contract).
pub const BINARY_ENV: &str = "POSTURE_RUNTIME_BINARY";

/// The static `posture` binary.
pub fn posture_bin() -> PathBuf {
    match std::env::var_os(BINARY_ENV) {
        Some(p) => PathBuf::from(p),
        None => static_bins()["posture"].clone(),
    }
}

/// The static `health` binary, once `examples/health.rs` exists.
pub fn health_bin() -> Option<PathBuf> {
    static_bins().get("health").cloned()
}

/// A tar of the base image's filesystem plus the given files at `/`, each
/// owned by root, mode 0755.
pub fn image_tar(dir: &Path, files: &[(&str, &Path)]) -> PathBuf {
    let ctr = unique("export");
    must(
        "podman",
        &["create", "--name", &ctr, BASE_IMAGE, "/bin/true"],
        60,
    );
    let tar = dir.join("rootfs.tar");
    let out = sh(
        "podman",
        &["export", "-o", tar.to_str().unwrap(), &ctr],
        120,
    );
    let _ = sh("podman", &["rm", "-f", &ctr], 60);
    assert!(out.status.success(), "podman export: {out:?}");
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let mut names = Vec::new();
    for (name, src) in files {
        std::fs::copy(src, stage.join(name)).unwrap_or_else(|e| panic!("copy {src:?}: {e}"));
        names.push(name.to_string());
    }
    let mut args: Vec<String> = [
        "--append",
        "-f",
        tar.to_str().unwrap(),
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "--mode=0755",
        "-C",
        stage.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(names);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    must("tar", &args, 60);
    tar
}

fn import(rt: &str, tar: &Path, tag: &str) {
    must(
        rt,
        &[
            "import",
            "--change",
            "CMD [\"/posture\"]",
            "--change",
            "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            tar.to_str().unwrap(),
            tag,
        ],
        180,
    );
}

/// `localhost/posture-test:latest` in `rt` ("podman" or "docker"): the base
/// image plus the static binary at `/posture`. Built once per run; the binary
/// is copied into the image, not bind-mounted (a bind would add a mount to
/// what is measured).
pub fn test_image(rt: &str) -> &'static str {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    static PODMAN: OnceLock<()> = OnceLock::new();
    static DOCKER: OnceLock<()> = OnceLock::new();
    let tar = TAR.get_or_init(|| {
        // Kept for the whole run (both runtimes import it) under target/,
        // replaced by the next run.
        let dir = repo().join("target/static/runtimes-image");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let bin = posture_bin();
        let mut files: Vec<(&str, &Path)> = vec![("posture", bin.as_path())];
        let health = if std::env::var_os(BINARY_ENV).is_some() {
            None
        } else {
            health_bin()
        };
        if let Some(h) = &health {
            files.push(("health", h.as_path()));
        }
        image_tar(&dir, &files)
    });
    match rt {
        "podman" => PODMAN.get_or_init(|| import("podman", tar, TEST_IMAGE)),
        "docker" => DOCKER.get_or_init(|| import("docker", tar, TEST_IMAGE)),
        other => panic!("unknown runtime {other}"),
    };
    TEST_IMAGE
}

/// `examples/Dockerfile` built with `podman build` from a context holding only
/// the static binary.
pub fn hardened_image() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let ctx = TempDir::new("dockerfile-ctx");
        std::fs::copy(posture_bin(), ctx.path().join("posture")).unwrap();
        let dockerfile = repo().join("examples/Dockerfile");
        must(
            "podman",
            &[
                "build",
                "--pull=never",
                "-q",
                "-f",
                dockerfile.to_str().unwrap(),
                "-t",
                HARDENED_IMAGE,
                ctx.path().to_str().unwrap(),
            ],
            300,
        );
    });
    HARDENED_IMAGE
}

/// `localhost/posture-health:latest`, the image `examples/k8s/deployment.yaml`
/// names: FROM scratch with only the static `health` build at `/health`,
/// USER 1000:1000, built once per run.
pub fn health_image() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let bin = health_bin().expect("examples/health.rs is missing");
        scratch_image(
            "podman",
            HEALTH_IMAGE,
            &[("health", &bin)],
            Some("1000:1000"),
            "health",
        );
    });
    HEALTH_IMAGE
}

/// Builds `tag` with `tool` (`podman` or `docker`) from `FROM scratch`
/// holding only `files` (each copied to `/<name>`), running as `user` if
/// given, with `/<entrypoint>` as its entrypoint.
pub fn scratch_image(
    tool: &str,
    tag: &str,
    files: &[(&str, &Path)],
    user: Option<&str>,
    entrypoint: &str,
) {
    let ctx = TempDir::new("image-ctx");
    let mut file = String::from("FROM scratch\n");
    for (name, src) in files {
        std::fs::copy(src, ctx.path().join(name)).unwrap();
        file += &format!("COPY {name} /{name}\n");
    }
    if let Some(u) = user {
        file += &format!("USER {u}\n");
    }
    file += &format!("ENTRYPOINT [\"/{entrypoint}\"]\n");
    std::fs::write(ctx.path().join("Dockerfile"), file).unwrap();
    let dir = ctx.path().to_str().unwrap();
    // podman may not pull: no registry is reachable (`FROM scratch` needs none).
    let args: &[&str] = match tool {
        "podman" => &["build", "--pull=never", "-q", "-t", tag, dir],
        _ => &["build", "-q", "-t", tag, dir],
    };
    must(tool, args, 300);
}

/// Removes a container (or pod) when dropped, whether the test passed or not.
pub struct Cleanup {
    cmds: Vec<Vec<String>>,
}

impl Cleanup {
    /// `rt rm -f name` on drop.
    pub fn container(rt: &str, name: &str) -> Cleanup {
        Cleanup {
            cmds: vec![vec![rt.into(), "rm".into(), "-f".into(), name.into()]],
        }
    }

    /// `podman kube down file` and `podman pod rm -f pod` on drop.
    pub fn pod(manifest: &Path, pod: &str) -> Cleanup {
        Cleanup {
            cmds: vec![
                vec![
                    "podman".into(),
                    "kube".into(),
                    "down".into(),
                    manifest.display().to_string(),
                ],
                vec![
                    "podman".into(),
                    "pod".into(),
                    "rm".into(),
                    "-f".into(),
                    pod.into(),
                ],
            ],
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.cmds {
            let args: Vec<&str> = c[1..].iter().map(String::as_str).collect();
            let _ = sh(&c[0], &args, 60);
        }
    }
}

/// The shell script a scenario runs inside the container: the kernel's own
/// status lines first (from `cat`, a child of the same shell with the same
/// credentials, seccomp filter and no_new_privs), then any probe, then the
/// binary once per policy with its exit status.
pub fn inner_script(probe: &str, policies: &[&str]) -> String {
    let mut s = String::from("cat /proc/self/status; echo '@@STATUS-END@@'; ");
    if !probe.is_empty() {
        s.push_str(probe);
        s.push_str("; ");
    }
    s.push_str("echo '@@PROBE-END@@'; ");
    for p in policies {
        let _ = write!(
            s,
            "echo '@@POLICY {p}@@'; /posture --check --policy {p} --json; echo \"@@EXIT $?@@\"; "
        );
    }
    s.push_str("echo '@@DONE@@'");
    s
}

/// One run of `posture --check --policy <p> --json` inside a container.
#[derive(Debug, Clone)]
pub struct PolicyRun {
    /// The policy name.
    pub policy: String,
    /// The JSON document.
    pub doc: Value,
    /// The exit status.
    pub exit: i32,
}

/// Everything a scenario printed.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Scenario name (for messages).
    pub scenario: String,
    /// `/proc/self/status` as `cat` read it, field → value.
    pub status: BTreeMap<String, String>,
    /// The probe's output.
    pub probe: String,
    /// One entry per policy, in the order asked.
    pub runs: Vec<PolicyRun>,
}

impl Outcome {
    /// The run for a policy.
    pub fn policy(&self, p: &str) -> &PolicyRun {
        self.runs
            .iter()
            .find(|r| r.policy == p)
            .unwrap_or_else(|| panic!("{}: no run for policy {p}", self.scenario))
    }

    /// The report (from the first run).
    pub fn report(&self) -> &Value {
        &self.runs[0].doc["report"]
    }
}

/// Parses the output of [`inner_script`].
pub fn parse_output(scenario: &str, text: &str) -> Outcome {
    let (status_txt, rest) = text
        .split_once("@@STATUS-END@@\n")
        .unwrap_or_else(|| panic!("{scenario}: no status section in output:\n{text}"));
    let (probe, mut rest) = rest
        .split_once("@@PROBE-END@@\n")
        .unwrap_or_else(|| panic!("{scenario}: no probe section in output:\n{text}"));
    assert!(
        rest.contains("@@DONE@@"),
        "{scenario}: output truncated:\n{text}"
    );
    let status = status_txt
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut runs = Vec::new();
    while let Some(after) = rest.strip_prefix("@@POLICY ") {
        let (policy, body) = after.split_once("@@\n").unwrap();
        let (json, tail) = body
            .split_once("@@EXIT ")
            .unwrap_or_else(|| panic!("{scenario}: no exit status for {policy}:\n{text}"));
        let (code, tail) = tail.split_once("@@\n").unwrap();
        let doc: Value = serde_json::from_str(json.trim()).unwrap_or_else(|e| {
            panic!("{scenario}: posture --check --policy {policy} --json did not print JSON ({e}):\n{json}")
        });
        runs.push(PolicyRun {
            policy: policy.to_string(),
            doc,
            exit: code.trim().parse().unwrap(),
        });
        rest = tail;
    }
    Outcome {
        scenario: scenario.to_string(),
        status,
        probe: probe.to_string(),
        runs,
    }
}

/// A `podman run` / `docker run` scenario.
pub struct Run<'a> {
    /// "podman" or "docker".
    pub rt: &'a str,
    /// Scenario name.
    pub name: &'a str,
    /// Flags between `run` and the image.
    pub flags: &'a [&'a str],
    /// Shell run after the status and before the binary (may be empty).
    pub probe: &'a str,
    /// Policies to run `--check` with; the first is the one the expected table is for.
    pub policies: &'a [&'a str],
}

impl Run<'_> {
    /// Runs it in the test image.
    pub fn go(&self) -> Outcome {
        self.go_in(Some(test_image(self.rt)))
    }

    /// Runs it with `--rootfs` among the flags (no image argument).
    pub fn go_in_rootfs(&self) -> Outcome {
        self.go_in(None)
    }

    /// Runs it in another image (that has /bin/sh and /posture), or with no
    /// image argument (`--rootfs`).
    pub fn go_in(&self, image: Option<&str>) -> Outcome {
        let name = unique(self.name);
        let _guard = Cleanup::container(self.rt, &name);
        let script = inner_script(self.probe, self.policies);
        let mut args: Vec<&str> = vec!["run", "--rm", "--name", &name];
        args.extend(self.flags);
        args.extend(image);
        args.extend(["/bin/sh", "-c", &script]);
        let out = sh(self.rt, &args, 180);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: `{} {}` failed ({}):\nstdout: {stdout}\nstderr: {}",
            self.name,
            self.rt,
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let o = parse_output(self.name, &stdout);
        // Every scenario runs under runc, started by podman or dockerd; the
        // report must name the runtime that started it.
        assert_eq!(
            o.report()["runtime"]["kind"],
            self.rt,
            "{}: runtime.kind; signals: {}",
            self.name,
            o.report()["runtime"]["signals"]
        );
        o
    }
}

/// Follows `{"known": x}` or panics with the unknown's reason.
pub fn known<'a>(scenario: &str, what: &str, v: &'a Value) -> &'a Value {
    match v.get("known") {
        Some(k) => k,
        None => panic!("{scenario}: {what} is not known: {v}"),
    }
}

fn seccomp_name(n: &str) -> &'static str {
    match n {
        "0" => "disabled",
        "1" => "strict",
        "2" => "filter",
        other => panic!("kernel Seccomp value {other:?}"),
    }
}

/// Decodes a hex capability mask with the host's `capsh --decode` (an
/// independent decoder: libcap's names, upper-cased with the CAP_ prefix).
pub fn capsh_decode(hex: &str) -> Vec<String> {
    let out = must("capsh", &[&format!("--decode={hex}")], 30);
    // "0x00000000a80425fb=cap_chown,cap_dac_override,..."
    let names = out.trim().split_once('=').map(|x| x.1).unwrap_or("");
    let mut v: Vec<String> = names
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_uppercase())
        .collect();
    v.sort();
    v
}

/// Asserts that the report agrees with the kernel's own status lines, read by
/// `cat` in the same container: every capability set's hex (and its names,
/// decoded by `capsh`), Seccomp and its filter count, NoNewPrivs, Uid, Gid.
pub fn assert_kernel_agrees(o: &Outcome) {
    let sc = &o.scenario;
    let r = o.report();
    let st = |k: &str| {
        o.status
            .get(k)
            .unwrap_or_else(|| panic!("{sc}: kernel status has no {k} line"))
            .clone()
    };
    for (line, set) in [
        ("CapEff", "effective"),
        ("CapPrm", "permitted"),
        ("CapInh", "inheritable"),
        ("CapBnd", "bounding"),
        ("CapAmb", "ambient"),
    ] {
        let v = known(sc, set, &r["capabilities"][set]);
        let kernel = st(line);
        assert_eq!(
            v["hex"].as_str().unwrap().to_lowercase(),
            kernel.to_lowercase(),
            "{sc}: capabilities.{set}.hex vs kernel {line}"
        );
        let mut names: Vec<String> = v["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            capsh_decode(&kernel),
            "{sc}: capabilities.{set}.names vs capsh --decode={kernel}"
        );
    }
    let mode = known(sc, "seccomp.mode", &r["seccomp"]["mode"]);
    assert_eq!(
        mode.as_str().unwrap(),
        seccomp_name(&st("Seccomp")),
        "{sc}: seccomp.mode vs kernel Seccomp {}",
        st("Seccomp")
    );
    let filters = known(sc, "seccomp.filters", &r["seccomp"]["filters"]);
    assert_eq!(
        filters.as_u64().unwrap().to_string(),
        st("Seccomp_filters"),
        "{sc}: seccomp.filters vs kernel Seccomp_filters"
    );
    let nnp = known(sc, "no_new_privs", &r["no_new_privs"]);
    assert_eq!(
        nnp["enabled"].as_bool().unwrap(),
        st("NoNewPrivs") == "1",
        "{sc}: no_new_privs.enabled vs kernel NoNewPrivs {}",
        st("NoNewPrivs")
    );
    for (line, key) in [("Uid", "uid"), ("Gid", "gid")] {
        let ids = known(sc, key, &r["identity"][key]);
        let got: Vec<String> = ["real", "effective", "saved", "filesystem"]
            .iter()
            .map(|k| ids[k].to_string())
            .collect();
        let kernel: Vec<String> = st(line).split_whitespace().map(String::from).collect();
        assert_eq!(got, kernel, "{sc}: identity.{key} vs kernel {line}");
    }
}

/// A check's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum St {
    /// pass
    Pass,
    /// fail
    Fail,
    /// unknown
    Unknown,
}

impl St {
    /// The JSON string.
    pub fn as_str(self) -> &'static str {
        match self {
            St::Pass => "pass",
            St::Fail => "fail",
            St::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> St {
        match s {
            "pass" => St::Pass,
            "fail" => St::Fail,
            "unknown" => St::Unknown,
            other => panic!("status {other:?}"),
        }
    }
}

/// A scenario's expected status for every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected(pub BTreeMap<&'static str, St>);

impl Expected {
    /// From a full table; panics unless it names every check exactly once.
    pub fn new(rows: &[(&'static str, St)]) -> Expected {
        let map: BTreeMap<&'static str, St> = rows.iter().copied().collect();
        assert_eq!(map.len(), rows.len(), "a check is listed twice: {rows:?}");
        let mut ids: Vec<&str> = map.keys().copied().collect();
        let mut all = CHECK_IDS.to_vec();
        ids.sort();
        all.sort();
        assert_eq!(ids, all, "an expected table must list every check");
        Expected(map)
    }

    /// The checks whose status differs from `other`'s.
    pub fn diff(&self, other: &Expected) -> BTreeMap<&'static str, (St, St)> {
        self.0
            .iter()
            .filter(|(k, v)| other.0.get(*k) != Some(v))
            .map(|(k, v)| (*k, (other.0[k], *v)))
            .collect()
    }
}

/// `table! { non_root: Fail, capabilities_dropped: Pass, … }` — all 17.
macro_rules! table {
    ($($id:ident: $st:ident),* $(,)?) => {
        $crate::harness::Expected::new(&[$((stringify!($id), $crate::harness::St::$st)),*])
    };
}

/// The statuses the binary reported under a policy.
pub fn statuses(o: &Outcome, policy: &str) -> Expected {
    let run = o.policy(policy);
    let checks = run.doc["assessment"]["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no assessment.checks: {}", o.scenario, run.doc));
    Expected(
        checks
            .iter()
            .map(|c| {
                let id = c["id"].as_str().unwrap();
                let id = CHECK_IDS
                    .iter()
                    .find(|x| **x == id)
                    .unwrap_or_else(|| panic!("unknown check id {id}"));
                (*id, St::parse(c["status"].as_str().unwrap()))
            })
            .collect(),
    )
}

/// The check object for an id.
pub fn check<'a>(o: &'a Outcome, policy: &str, id: &str) -> &'a Value {
    o.policy(policy).doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{}: no check {id} under {policy}", o.scenario))
}

/// Asserts every check's status under the `checklist` policy, the shape of
/// each result, the verdict that follows from the table (MUST checks
/// required, the rest warn) and the exit status (0 pass, 1 fail).
pub fn assert_checklist(o: &Outcome, want: &Expected) {
    let sc = &o.scenario;
    let run = o.policy("checklist");
    let a = &run.doc["assessment"];
    assert_eq!(a["policy"], "checklist", "{sc}: assessment.policy");
    assert_eq!(run.doc["schema_version"], 1, "{sc}: schema_version");
    let got = statuses(o, "checklist");
    if &got != want {
        let mut msg = format!("{sc}: check statuses differ from the expected table\n");
        for id in CHECK_IDS {
            let g = got.0.get(id).map_or("MISSING", |s| s.as_str());
            let w = want.0[id].as_str();
            if g != w {
                let ev = got
                    .0
                    .get(id)
                    .map(|_| check(o, "checklist", id)["evidence"].to_string())
                    .unwrap_or_default();
                let _ = writeln!(msg, "  {id}: expected {w}, got {g}; evidence: {ev}");
            }
        }
        panic!("{msg}");
    }
    for id in CHECK_IDS {
        let c = check(o, "checklist", id);
        let must = MUST.contains(&id);
        assert_eq!(
            c["required"].as_bool(),
            Some(must),
            "{sc}: {id}.required under checklist"
        );
        assert_eq!(
            c["severity"].as_str() == Some("must"),
            must,
            "{sc}: {id}.severity = {}",
            c["severity"]
        );
        assert!(
            !c["evidence"].as_str().unwrap_or("").is_empty(),
            "{sc}: {id} has no evidence"
        );
        assert!(
            c["remediation"].is_object() || c["remediation"].is_string(),
            "{sc}: {id} has no remediation: {}",
            c["remediation"]
        );
    }
    let blocked: Vec<&str> = MUST
        .iter()
        .copied()
        .filter(|id| want.0[id] != St::Pass)
        .collect();
    let verdict = if blocked.is_empty() { "pass" } else { "fail" };
    assert_eq!(
        a["verdict"], verdict,
        "{sc}: verdict (required checks not passing: {blocked:?})"
    );
    assert_eq!(
        run.exit,
        if blocked.is_empty() { 0 } else { 1 },
        "{sc}: exit status of --check"
    );
}

/// Asserts a policy's verdict and the matching exit status.
pub fn assert_verdict(o: &Outcome, policy: &str, pass: bool) {
    let run = o.policy(policy);
    let a = &run.doc["assessment"];
    let blocking: Vec<String> = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["required"] == true && c["status"] != "pass")
        .map(|c| format!("{} {}: {}", c["id"], c["status"], c["evidence"]))
        .collect();
    assert_eq!(
        a["verdict"],
        if pass { "pass" } else { "fail" },
        "{}: verdict under {policy}; blocking: {blocking:#?}",
        o.scenario
    );
    assert_eq!(
        run.exit,
        if pass { 0 } else { 1 },
        "{}: exit status under {policy}",
        o.scenario
    );
}

/// The evidence string of a check under checklist.
pub fn evidence(o: &Outcome, id: &str) -> String {
    check(o, "checklist", id)["evidence"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The names of a capability set in the report.
pub fn cap_names(o: &Outcome, set: &str) -> Vec<String> {
    let v = known(&o.scenario, set, &o.report()["capabilities"][set]);
    let mut n: Vec<String> = v["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

/// Whether the report says a namespace is the host's.
pub fn ns_initial(o: &Outcome, ty: &str) -> bool {
    let ns = o.report()["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == ty)
        .unwrap_or_else(|| panic!("{}: no {ty} namespace in report", o.scenario));
    known(&o.scenario, ty, &ns["initial"]).as_bool().unwrap()
}

/// A sorted list of names.
pub fn names(v: &[&str]) -> Vec<String> {
    let mut n: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    n.sort();
    n
}

/// A `podman kube play` scenario. The manifest is used as written except:
/// the pod gets a unique name, `image: localhost/posture:latest` becomes the
/// test image (which has a shell) and the `command:` line becomes the
/// [`inner_script`], so that the kernel's status can be read next to the
/// binary's report in the same container.
pub struct Kube<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// The manifest.
    pub manifest: &'a Path,
    /// Shell run after the status and before the binary.
    pub probe: &'a str,
    /// Policies; the first is the expected table's.
    pub policies: &'a [&'a str],
}

/// A manifest rewritten for a run: (text, pod name, container name).
pub fn rewrite_manifest(
    text: &str,
    pod: &str,
    image: &str,
    command: Option<&str>,
) -> (String, String) {
    let mut out = String::new();
    let mut in_meta = false;
    let mut renamed = false;
    let mut ctr = None;
    let mut in_containers = false;
    for line in text.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        if line.starts_with("metadata:") {
            in_meta = true;
        } else if !line.starts_with(' ') && !line.is_empty() {
            in_meta = false;
        }
        if t.starts_with("containers:") {
            in_containers = true;
        }
        let new = if in_meta && !renamed && line.starts_with("  name:") {
            renamed = true;
            format!("  name: {pod}")
        } else if t.starts_with("image: localhost/posture:latest") {
            format!("{indent}image: {image}")
        } else if let (true, Some(cmd)) = (t.starts_with("command:"), command) {
            format!(
                "{indent}command: [\"/bin/sh\", \"-c\", {}]",
                serde_json::to_string(cmd).unwrap()
            )
        } else {
            if in_containers
                && ctr.is_none()
                && let Some(n) = t.strip_prefix("- name:")
            {
                ctr = Some(n.trim().to_string());
            }
            line.to_string()
        };
        out.push_str(&new);
        out.push('\n');
    }
    assert!(renamed, "manifest has no metadata.name");
    let ctr = ctr.expect("manifest has no container name");
    (out, format!("{pod}-{ctr}"))
}

/// Plays a manifest, waits for its container, returns (logs, exit status).
pub fn kube_play(name: &str, text: &str, ctr: &str, pod: &str) -> (String, i32) {
    let dir = TempDir::new(name);
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, text).unwrap();
    let _guard = Cleanup::pod(&file, pod);
    must("podman", &["kube", "play", file.to_str().unwrap()], 180);
    let code = must("podman", &["wait", ctr], 180);
    let logs = sh("podman", &["logs", ctr], 60);
    assert!(logs.status.success(), "podman logs {ctr}: {logs:?}");
    let mut s = String::from_utf8_lossy(&logs.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&logs.stderr));
    (s, code.trim().parse().unwrap())
}

impl Kube<'_> {
    /// Plays it with the test image and the inner script.
    pub fn go(&self) -> Outcome {
        test_image("podman");
        let text = std::fs::read_to_string(self.manifest)
            .unwrap_or_else(|e| panic!("read {}: {e}", self.manifest.display()));
        let pod = unique(self.name);
        let script = inner_script(self.probe, self.policies);
        let (text, ctr) = rewrite_manifest(&text, &pod, TEST_IMAGE, Some(&script));
        let (logs, code) = kube_play(self.name, &text, &ctr, &pod);
        assert_eq!(
            code, 0,
            "{}: the script's shell exited {code}:\n{logs}",
            self.name
        );
        let o = parse_output(self.name, &logs);
        let rt = &o.report()["runtime"];
        assert_eq!(rt["kind"], "podman", "{}: runtime.kind: {rt}", self.name);
        // podman kube play is not Kubernetes: no service account, no
        // KUBERNETES_* environment.
        assert_eq!(
            rt["kubernetes"], false,
            "{}: runtime.kubernetes: {rt}",
            self.name
        );
        o
    }
}

/// One HTTP/1.1 GET over a plain TCP connection: (status code, body).
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect_timeout(
        &addr
            .parse()
            .map_err(|e| std::io::Error::other(format!("{addr}: {e}")))?,
        std::time::Duration::from_secs(3),
    )?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: posture-runtimes-test\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no header end in {text:?}")))?;
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok((code, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

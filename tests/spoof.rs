//! Spoofing the static `posture` binary in real containers: an entrypoint
//! that wants `posture --check` to pass although the process is not
//! hardened. Each attack is set up by a wrapper that then execs `posture`
//! in its own pid, so that `/proc/self` is the attacked entry.
//!
//! Opt-in through the `runtime-tests` feature (root, podman with runc, a
//! docker daemon, gcc with a static libc: `bash .ci/setup-runtimes.sh`):
//!
//! ```text
//! cargo test --features runtime-tests --test spoof -- --test-threads=1
//! ```
//!
//! The image is the base image plus `/posture`, `/spoof` (tests/spoof/spoof.c,
//! compiled here with `gcc -static`: user namespaces with chosen maps,
//! confined victim processes, dropping capabilities) and `/attack`
//! (tests/spoof/attack.sh: one case per attack). Nothing is bind-mounted
//! into the container, so the only mounts an attack adds are its own.
//!
//! Every test first asserts that the attack took effect (the forged
//! `/proc/<pid>/status` and `uid_map` as `cat` reads them by the same path,
//! next to `id -u` from the real credentials), so that a test cannot pass
//! because an attack silently failed; then it asserts the verdict a
//! security tool must give, from what the process really is: a check the
//! real process fails must not pass, `proc_trusted` must not pass when a
//! file under `/proc/self` is not the process's own, and `--check` must
//! exit 1. It never asserts what the current code happens to print.
//!
//! The attacks (issue 16):
//!
//! 1. A root process passes as non-root: uid 1000 of a new user namespace
//!    mapped (`1000 0 1`) onto the container's uid 0, which is the host's
//!    uid 0 (no user namespace under the container).
//! 2. Another process's `/proc` passes for our own: a confined process's
//!    `/proc/<pid>` (whole, or single files), ordinary files with crafted
//!    text, a tmpfs tree, or a second procfs instance, mounted over the
//!    wrapper's `/proc/<pid>` or `/proc`.
//! 3. FIFOs where `posture` reads a file: `/run/.containerenv`, the policy
//!    file; and `--policy /dev/zero`: an answer within a bound, never a hang
//!    or unbounded memory.

mod common;

#[path = "common/schema.rs"]
mod schema;

#[path = "runtimes/harness.rs"]
#[macro_use]
#[allow(unused_macros)]
mod harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use harness::{Cleanup, Need, image_tar, must, posture_bin, repo, require, unique};
use serde_json::Value;

/// The base image plus `/posture`, `/spoof` and `/attack`.
const SPOOF_IMAGE: &str = "localhost/posture-spoof:latest";

/// The status a check the real process fails must not have.
const PASS: &str = "pass";

// ------------------------------------------------------------------ setup

/// `tests/spoof/spoof.c` compiled with `gcc -static`, once per test run.
fn helper_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spoof-helper");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("spoof");
        let src = repo().join("tests/spoof/spoof.c");
        let res = Command::new("gcc")
            .args(["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(&out)
            .arg(&src)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run gcc ({e}): the spoofing suite compiles its helper with `gcc -static` (apt-get install gcc libc6-dev)")
            });
        assert!(
            res.status.success(),
            "gcc -static {} failed:\n{}",
            src.display(),
            String::from_utf8_lossy(&res.stderr)
        );
        out
    })
}

/// [`SPOOF_IMAGE`] in `rt` ("podman" or "docker"), built once per run.
fn spoof_image(rt: &str) -> &'static str {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    static PODMAN: OnceLock<()> = OnceLock::new();
    static DOCKER: OnceLock<()> = OnceLock::new();
    let tar = TAR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spoof-image");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let bin = posture_bin();
        let attack = repo().join("tests/spoof/attack.sh");
        image_tar(
            &dir,
            &[
                ("posture", bin.as_path()),
                ("spoof", helper_bin()),
                ("attack", attack.as_path()),
            ],
        )
    });
    let import = |rt: &str| {
        must(
            rt,
            &[
                "import",
                "--change",
                "CMD [\"/posture\"]",
                "--change",
                "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                tar.to_str().unwrap(),
                SPOOF_IMAGE,
            ],
            180,
        );
    };
    match rt {
        "podman" => PODMAN.get_or_init(|| import("podman")),
        "docker" => DOCKER.get_or_init(|| import("docker")),
        other => panic!("unknown runtime {other}"),
    };
    SPOOF_IMAGE
}

// ------------------------------------------------------------------ runs

/// One `posture` run inside the container.
#[derive(Debug)]
struct PostureRun {
    /// The policy (attacks) or the case (bounded runs).
    label: String,
    /// What the setup printed: the evidence that the attack took effect.
    setup: String,
    /// posture's stdout.
    stdout: String,
    /// posture's stderr (and the setup's).
    stderr: String,
    /// The exit status (111: the setup failed; 143: killed by `timeout`).
    exit: i32,
}

impl PostureRun {
    /// The `--json` document, or a panic naming the scenario.
    fn doc(&self, sc: &str) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "{sc} [{}]: posture printed no JSON document ({e}); exit {}\nsetup:\n{}\nstdout:\n{}\nstderr:\n{}",
                self.label, self.exit, self.setup, self.stdout, self.stderr
            )
        })
    }

    /// The setup's `key: value` lines for `key`, values trimmed.
    fn lines(&self, key: &str) -> Vec<String> {
        section_lines(&self.setup, key)
    }
}

/// The `key: value` lines of a section for `key`.
fn section_lines(text: &str, key: &str) -> Vec<String> {
    let prefix = format!("{key}:");
    text.lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Everything one container printed.
#[derive(Debug)]
struct Attacked {
    scenario: String,
    /// What the container is before any attack (the @@REAL@@ section).
    real: String,
    runs: Vec<PostureRun>,
}

/// Parses the driver's output (see tests/spoof/attack.sh).
fn parse(scenario: &str, text: &str) -> Attacked {
    assert!(
        text.contains("@@DONE@@"),
        "{scenario}: output truncated:\n{text}"
    );
    let (real, mut rest) = text
        .split_once("@@RUN ")
        .unwrap_or_else(|| panic!("{scenario}: no run in output:\n{text}"));
    let real = real
        .split_once("@@REAL@@\n")
        .map_or("", |x| x.1)
        .to_string();
    let mut runs = Vec::new();
    loop {
        let (label, body) = rest.split_once("@@\n").unwrap();
        let (body, next) = match body.split_once("@@RUN ") {
            Some((b, n)) => (b, Some(n)),
            None => (body, None),
        };
        let (before, stderr) = body
            .split_once("@@STDERR@@\n")
            .unwrap_or_else(|| panic!("{scenario}: run {label} has no stderr section:\n{text}"));
        let stderr = stderr.split("@@END@@").next().unwrap_or("").to_string();
        let (before, exit) = before
            .rsplit_once("@@EXIT ")
            .unwrap_or_else(|| panic!("{scenario}: run {label} has no exit status:\n{text}"));
        let exit: i32 = exit.split("@@").next().unwrap().trim().parse().unwrap();
        let (setup, stdout) = before.split_once("@@JSON@@\n").unwrap_or((before, ""));
        runs.push(PostureRun {
            label: label.to_string(),
            setup: setup.to_string(),
            stdout: stdout.to_string(),
            stderr,
            exit,
        });
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    Attacked {
        scenario: scenario.to_string(),
        real,
        runs,
    }
}

/// Runs `/attack <args>` in a new container of the spoof image.
fn container(rt: &str, scenario: &str, flags: &[&str], args: &[&str]) -> Attacked {
    let needs: &[Need] = match rt {
        "docker" => &[Need::Docker, Need::Podman],
        _ => &[Need::Podman],
    };
    require(needs);
    let image = spoof_image(rt);
    let name = unique(scenario);
    let _guard = Cleanup::container(rt, &name);
    let mut cmd: Vec<&str> = vec!["run", "--rm", "--name", &name];
    if rt == "docker" {
        cmd.push("--network=none");
    }
    cmd.extend(flags);
    cmd.push(image);
    cmd.push("/attack");
    cmd.extend(args);
    // conmon writes a file named `oom` into its working directory when the
    // container hits its memory limit: not into the repository.
    let out = Command::new("timeout")
        .args(["--kill-after=10", "180", rt])
        .args(&cmd)
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {rt}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{scenario}: `{rt} {}` failed ({}):\nstdout: {stdout}\nstderr: {}",
        cmd.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    parse(scenario, &stdout)
}

/// Runs attack `attack` once per policy.
fn attack(scenario: &str, flags: &[&str], attack: &str) -> Attacked {
    let a = container(
        "podman",
        scenario,
        flags,
        &[attack, "checklist", "pss-restricted"],
    );
    assert_eq!(a.runs.len(), 2, "{scenario}: {a:?}");
    a
}

// ------------------------------------------------------------------ asserts

/// The container before the attack: root, the host's uid 0 (no user
/// namespace: the identity map), no_new_privs off.
fn assert_real_root(a: &Attacked) {
    let sc = &a.scenario;
    assert_eq!(
        section_lines(&a.real, "id -u"),
        ["0"],
        "{sc}: the container runs as root:\n{}",
        a.real
    );
    assert_eq!(
        section_lines(&a.real, "uid_map"),
        ["0 0 4294967295"],
        "{sc}: the container has no user namespace, so its uid 0 is the host's:\n{}",
        a.real
    );
    assert_eq!(
        section_lines(&a.real, "status: NoNewPrivs"),
        ["0"],
        "{sc}: no_new_privs is off in the container:\n{}",
        a.real
    );
    let eff = section_lines(&a.real, "status: CapEff");
    assert!(
        eff.len() == 1 && eff[0] != "0000000000000000",
        "{sc}: the container's root holds capabilities: {eff:?}"
    );
}

/// Asserts that the setup printed the forged status (`Uid` all `uid`,
/// no capabilities, no_new_privs on) while the same process's real uid
/// (`id -u`) is `real_uid`.
fn assert_forged(sc: &str, r: &PostureRun, uid: &str, real_uid: &str) {
    let ctx = || {
        format!(
            "{sc} [{}]: setup:\n{}\nstderr:\n{}",
            r.label, r.setup, r.stderr
        )
    };
    assert_ne!(r.exit, 111, "the attack's setup failed: {}", ctx());
    assert!(r.setup.contains("@@BOUND@@"), "no @@BOUND@@: {}", ctx());
    assert_eq!(
        r.lines("id -u"),
        [real_uid],
        "real uid of the attacked process: {}",
        ctx()
    );
    assert_eq!(
        r.lines("status: Uid"),
        [format!("{uid} {uid} {uid} {uid}")],
        "the forged status shows uid {uid}: {}",
        ctx()
    );
    for cap in ["CapPrm", "CapEff", "CapBnd"] {
        assert_eq!(
            r.lines(&format!("status: {cap}")),
            ["0000000000000000"],
            "the forged status shows no capabilities in {cap}: {}",
            ctx()
        );
    }
    assert_eq!(
        r.lines("status: NoNewPrivs"),
        ["1"],
        "the forged status shows no_new_privs: {}",
        ctx()
    );
}

/// A check's status in a document.
fn status<'a>(doc: &'a Value, id: &str) -> &'a str {
    doc["assessment"]["checks"]
        .as_array()
        .expect("assessment.checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))["status"]
        .as_str()
        .expect("status is a string")
}

/// A check's evidence, for messages.
fn evidence(doc: &Value, id: &str) -> String {
    doc["assessment"]["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .map_or(String::new(), |c| c["evidence"].to_string())
}

/// The verdict a security tool must give for an attacked run: every check
/// in `really_failing` (the real process fails it) is not `pass`; with
/// `untrusted_proc`, `proc_trusted` fails (or the report's `proc_trust` is
/// not procfs and the check does not pass); the verdict is fail and
/// `--check` exits 1; the document is valid against the schema. Returns
/// what is wrong, one line each, so that a test can report every policy's.
fn caught(sc: &str, r: &PostureRun, really_failing: &[&str], untrusted_proc: bool) -> Vec<String> {
    let doc = r.doc(sc);
    let at = format!("{sc} [{}]", r.label);
    schema::assert_valid(&at, &doc);
    assert_eq!(
        doc["assessment"]["policy"],
        r.label.as_str(),
        "{at}: policy"
    );
    let mut wrong = Vec::new();
    for id in really_failing {
        if status(&doc, id) == PASS {
            wrong.push(format!("{id} passes: {}", evidence(&doc, id)));
        }
    }
    if untrusted_proc {
        let st = status(&doc, "proc_trusted");
        let procfs = doc["report"]["proc_trust"] == serde_json::json!({"known": "procfs"});
        if !(st == "fail" || (!procfs && st != PASS)) {
            wrong.push(format!(
                "proc_trusted is {st} (report.proc_trust {}): {}",
                doc["report"]["proc_trust"],
                evidence(&doc, "proc_trusted")
            ));
        }
    }
    if doc["assessment"]["verdict"] != "fail" {
        wrong.push(format!("verdict {}", doc["assessment"]["verdict"]));
    }
    if r.exit != 1 {
        wrong.push(format!("--check exited {}", r.exit));
    }
    wrong
        .into_iter()
        .map(|w| format!("[{}] {w}", r.label))
        .collect()
}

/// Panics with every policy's problems, and the setup's evidence.
fn assert_all_caught(a: &Attacked, wrong: Vec<String>) {
    let setups: Vec<String> = a
        .runs
        .iter()
        .map(|r| format!("[{}]\n{}", r.label, r.setup))
        .collect();
    assert!(
        wrong.is_empty(),
        "{}: the spoof was not caught:\n  {}\nsetup:\n{}",
        a.scenario,
        wrong.join("\n  "),
        setups.join("")
    );
}

// ------------------------------------------------ 1. root passes as non-root

/// uid 1000 in a user namespace whose map is `1000 0 1`, in a root
/// container with no user namespace: the process's uid is the host's uid 0
/// through every level of uid_map.
fn userns_uid_1000(scenario: &str, flags: &[&str], privileged: bool) {
    let a = attack(scenario, flags, "userns");
    assert_real_root(&a);
    let mut all = Vec::new();
    for r in &a.runs {
        let ctx = || format!("{scenario} [{}]:\n{}\n{}", r.label, r.setup, r.stderr);
        assert_ne!(r.exit, 111, "the attack's setup failed: {}", ctx());
        assert_eq!(
            r.lines("id -u"),
            ["1000"],
            "uid in the namespace: {}",
            ctx()
        );
        assert_eq!(
            r.lines("uid_map"),
            ["1000 0 1"],
            "uid 1000 is the container's uid 0: {}",
            ctx()
        );
        assert_eq!(r.lines("status: NoNewPrivs"), ["1"], "{}", ctx());
        let doc = r.doc(scenario);
        let at = format!("{scenario} [{}]", r.label);
        schema::assert_valid(&at, &doc);
        let mut wrong = Vec::new();
        if status(&doc, "non_root") == PASS {
            wrong.push(format!(
                "non_root passes, but uid 1000 maps to uid 0 at every level: {}",
                evidence(&doc, "non_root")
            ));
        }
        if status(&doc, "userns_remap") != "fail" {
            wrong.push(format!(
                "userns_remap is {}, but the process's uid maps to the host's uid 0: {}",
                status(&doc, "userns_remap"),
                evidence(&doc, "userns_remap")
            ));
        }
        if privileged && status(&doc, "not_privileged") == PASS {
            wrong.push(format!(
                "not_privileged passes under --privileged: {}",
                evidence(&doc, "not_privileged")
            ));
        }
        if doc["assessment"]["verdict"] != "fail" || r.exit != 1 {
            wrong.push(format!(
                "verdict {} and exit {}: host root must not pass --check",
                doc["assessment"]["verdict"], r.exit
            ));
        }
        all.extend(wrong.into_iter().map(|w| format!("[{}] {w}", r.label)));
    }
    assert!(
        all.is_empty(),
        "{scenario}: a root process passed as non-root:\n  {}",
        all.join("\n  ")
    );
}

#[test]
fn userns_uid_1000_over_root() {
    userns_uid_1000("userns-uid-1000", &[], false);
}

#[test]
fn userns_uid_1000_over_root_privileged() {
    userns_uid_1000("userns-uid-1000-privileged", &["--privileged"], true);
}

// ------------------------------------- 2. another process's /proc for ours

/// The checks a root container with its default capabilities (plus what the
/// attack needs) and no_new_privs off really fails.
const ROOT_FAILS: &[&str] = &[
    "non_root",
    "capabilities_dropped",
    "no_new_privs",
    "userns_remap",
];

/// CAP_SYS_ADMIN for the mounts; CAP_SYS_PTRACE so that the victim's
/// namespace links (uid 1000) are readable through the bound directory, as
/// our own would be: without it those checks are unknown and the spoof
/// fails on them, not on the forgery.
const MOUNT_CAPS: &[&str] = &["--cap-add=SYS_ADMIN", "--cap-add=SYS_PTRACE"];

#[test]
fn proc_dir_of_a_confined_process() {
    // 2a: the victim's whole /proc/<pid> over the wrapper's.
    let a = attack("proc-dir", MOUNT_CAPS, "proc-dir");
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        assert_forged(&a.scenario, r, "1000", "0");
        wrong.extend(caught(&a.scenario, r, ROOT_FAILS, true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn proc_dir_of_a_userns_process_privileged() {
    // 2a under --privileged, the victim in a user namespace (0 -> 100000):
    // its uid_map claims a remapped root too.
    let a = attack("proc-dir-userns", &["--privileged"], "proc-dir-userns");
    assert_real_root(&a);
    let mut fails = ROOT_FAILS.to_vec();
    fails.push("not_privileged");
    let mut wrong = Vec::new();
    for r in &a.runs {
        assert_forged(&a.scenario, r, "101000", "0");
        assert_eq!(r.lines("uid_map"), ["0 100000 65536"], "{}", r.setup);
        wrong.extend(caught(&a.scenario, r, &fails, true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn proc_files_of_a_userns_process() {
    // 2b: the victim's status (process and main thread), uid_map, gid_map
    // over ours.
    let a = attack("proc-files", MOUNT_CAPS, "proc-files");
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        assert_forged(&a.scenario, r, "101000", "0");
        assert_eq!(r.lines("uid_map"), ["0 100000 65536"], "{}", r.setup);
        wrong.extend(caught(&a.scenario, r, ROOT_FAILS, true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn crafted_files_over_proc_self() {
    // 2c: ordinary files with crafted text over status and the maps.
    let a = attack("crafted-files", MOUNT_CAPS, "crafted-files");
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        assert_forged(&a.scenario, r, "1000", "0");
        assert_eq!(r.lines("uid_map"), ["0 100000 65536"], "{}", r.setup);
        wrong.extend(caught(&a.scenario, r, ROOT_FAILS, true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn crafted_uid_map_over_proc_self() {
    // 2c, the maps only: a root process whose capabilities really are gone
    // and which really has no_new_privs claims uid 0 maps to host uid
    // 100000, which the Pod Security Standards accept for runAsNonRoot.
    // It is the host's root: non_root and userns_remap must not pass.
    let a = attack(
        "crafted-uid-map",
        &["--cap-add=SYS_ADMIN"],
        "crafted-uid-map",
    );
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        let ctx = || format!("{} [{}]:\n{}\n{}", a.scenario, r.label, r.setup, r.stderr);
        assert_ne!(r.exit, 111, "the attack's setup failed: {}", ctx());
        assert!(r.setup.contains("@@BOUND@@"), "{}", ctx());
        assert_eq!(r.lines("uid_map"), ["0 100000 65536"], "{}", ctx());
        // After `spoof drop`, in the same pid: root, nothing held, nnp on.
        let dropped = r
            .setup
            .split_once("@@DROPPED@@")
            .map_or("", |x| x.1)
            .to_string();
        assert_eq!(
            section_lines(&dropped, "status: Uid"),
            ["0 0 0 0"],
            "{}",
            ctx()
        );
        for cap in ["CapPrm", "CapEff", "CapBnd"] {
            assert_eq!(
                section_lines(&dropped, &format!("status: {cap}")),
                ["0000000000000000"],
                "{}",
                ctx()
            );
        }
        assert_eq!(
            section_lines(&dropped, "status: NoNewPrivs"),
            ["1"],
            "{}",
            ctx()
        );
        wrong.extend(caught(&a.scenario, r, &["non_root", "userns_remap"], true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn tmpfs_over_proc() {
    // 2d: a tmpfs over /proc holding a crafted tree (self, the pid, 1).
    let a = attack("tmpfs-proc", &["--cap-add=SYS_ADMIN"], "tmpfs-proc");
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        assert_forged(&a.scenario, r, "1000", "0");
        assert_eq!(r.lines("uid_map"), ["0 100000 65536"], "{}", r.setup);
        assert!(
            r.lines("mountinfo")
                .iter()
                .any(|l| l.contains(" /proc ") && l.contains(" - proc ")),
            "{}: the crafted mountinfo claims /proc is procfs:\n{}",
            a.scenario,
            r.setup
        );
        wrong.extend(caught(&a.scenario, r, ROOT_FAILS, true));
    }
    assert_all_caught(&a, wrong);
}

#[test]
fn foreign_procfs_over_proc() {
    // 2e: a procfs of another pid namespace over /proc. Its /proc/self
    // cannot name this process (a procfs resolves self in its own pid
    // namespace, where this process is not), so nothing can be forged
    // through it, but nothing read from it is this process's either; /proc/1
    // is a confined process.
    let a = attack("foreign-procfs", &["--cap-add=SYS_ADMIN"], "foreign-procfs");
    assert_real_root(&a);
    let mut wrong = Vec::new();
    for r in &a.runs {
        let ctx = || format!("{} [{}]:\n{}\n{}", a.scenario, r.label, r.setup, r.stderr);
        assert_ne!(r.exit, 111, "the attack's setup failed: {}", ctx());
        assert!(r.setup.contains("@@BOUND@@"), "{}", ctx());
        assert_eq!(r.lines("self"), ["missing"], "{}", ctx());
        assert_eq!(
            r.lines("status: Uid"),
            ["1000 1000 1000 1000"],
            "/proc/1: {}",
            ctx()
        );
        wrong.extend(caught(&a.scenario, r, ROOT_FAILS, true));
    }
    assert_all_caught(&a, wrong);
}

// --------------------------------------------------------- 3. FIFOs, /dev/zero

/// Runs `/attack bounded CASE` (a 10 s `timeout` around posture).
fn bounded(rt: &str, scenario: &str, flags: &[&str], case: &str) -> PostureRun {
    let mut a = container(rt, scenario, flags, &["bounded", case]);
    assert_eq!(a.runs.len(), 1, "{scenario}: {a:?}");
    let r = a.runs.remove(0);
    assert_ne!(
        r.exit, 143,
        "{scenario}: posture did not return within 10 s (killed by timeout)\nsetup:\n{}\nstderr:\n{}",
        r.setup, r.stderr
    );
    assert_ne!(
        r.exit, 137,
        "{scenario}: posture was killed (SIGKILL: the memory limit?)\nsetup:\n{}\nstderr:\n{}",
        r.setup, r.stderr
    );
    r
}

/// A FIFO at /run/.containerenv: a verdict within the bound.
fn fifo_containerenv(rt: &str, scenario: &str, flags: &[&str]) {
    let r = bounded(rt, scenario, flags, "containerenv");
    assert!(
        r.lines("ls").iter().any(|l| l.starts_with('p')),
        "{scenario}: /run/.containerenv is not a FIFO:\n{}",
        r.setup
    );
    let doc = r.doc(scenario);
    schema::assert_valid(scenario, &doc);
    assert!(
        matches!(r.exit, 0 | 1),
        "{scenario}: --check exited {}: {}",
        r.exit,
        r.stderr
    );
    let verdict = &doc["assessment"]["verdict"];
    assert_eq!(
        r.exit,
        if verdict == "pass" { 0 } else { 1 },
        "{scenario}: exit status vs verdict {verdict}"
    );
}

#[test]
fn fifo_containerenv_docker() {
    // docker binds no /run/.containerenv: the entrypoint (root) makes one.
    fifo_containerenv("docker", "fifo-containerenv-docker", &[]);
}

#[test]
fn fifo_containerenv_podman() {
    // podman binds its /run/.containerenv: unmounting it takes CAP_SYS_ADMIN.
    fifo_containerenv(
        "podman",
        "fifo-containerenv-podman",
        &["--cap-add=SYS_ADMIN"],
    );
}

/// A policy file that is not a regular file: exit 2 within the bound,
/// with a message naming it.
fn bad_policy(scenario: &str, flags: &[&str], case: &str, path: &str) {
    let r = bounded("podman", scenario, flags, case);
    assert_eq!(
        r.exit, 2,
        "{scenario}: --policy {path} must be refused (exit 2)\nsetup:\n{}\nstdout:\n{}\nstderr:\n{}",
        r.setup, r.stdout, r.stderr
    );
    assert!(
        r.stderr.contains(path),
        "{scenario}: the message does not name {path}:\n{}",
        r.stderr
    );
}

#[test]
fn fifo_policy_file() {
    bad_policy("fifo-policy", &[], "policy-fifo", "/tmp/policy-fifo");
}

#[test]
fn dev_zero_policy_file() {
    // 256 MiB for the whole container: reading /dev/zero without a bound
    // ends in the OOM killer (137), not exit 2.
    bad_policy(
        "dev-zero-policy",
        &["--memory=256m", "--memory-swap=256m"],
        "policy-zero",
        "/dev/zero",
    );
}

//! A verdict nothing in the container can talk past or freeze (issue 16):
//! root in disguise behind a user namespace, a `/proc` that is not this
//! process's, and files that would block or never end.
//!
//! The expected verdicts are the rules written out here, not outputs of the
//! code under test: a process whose uid maps to uid 0 outside its user
//! namespace is root; a `/proc` the kernel contradicts is not trusted, and
//! nothing read from it passes; a FIFO or a device is never read.
//!
//! The live tests make real user and mount namespaces on the host (root
//! only: behind the `root-tests` feature, as tests/live.rs). The same
//! attacks inside real containers are in tests/spoof.rs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use posture::__private::parse::idmap;
use posture::CheckId;
use posture::Fact;
use posture::policy::CheckStatus;
use posture::policy::{Policy, Preset};
use posture::report::ProcTrust;

/// Asserts the checklist's status of each check named.
fn assert_checklist(r: &posture::Report, want: &[(CheckId, CheckStatus)]) {
    for (id, status) in want {
        assert_eq!(status_of(r, Preset::Checklist, *id), *status, "{id:?}");
    }
}

fn status_of(r: &posture::Report, preset: Preset, id: CheckId) -> CheckStatus {
    let a = posture::evaluate(r, &Policy::preset(preset));
    a.check(id).expect("check judged").status
}

/// The hardened fixture (uid 1000 everywhere, in the host's user namespace)
/// moved into a user namespace whose only line is `1000 0 1`: what
/// `unshare --map-user=1000 --map-root-user`-style wrappers and bubblewrap's
/// `--uid 1000` make of a root container.
fn disguised() -> posture::Report {
    in_user_namespace("1000 0 1\n")
}

/// The hardened fixture moved into a (non-initial) user namespace with
/// `map` as its uid_map and gid_map.
fn in_user_namespace(map: &str) -> posture::Report {
    let mut r = common::fixture_report("hardened");
    let map = idmap::parse(map).unwrap();
    r.user_namespace.uid_map = Fact::Known(map.clone());
    r.user_namespace.gid_map = Fact::Known(map.clone());
    r.user_namespace.root_uid = Fact::Known(map.mapping_of(0));
    r.user_namespace.root_gid = Fact::Known(map.mapping_of(0));
    r.user_namespace.own_uid = Fact::Known(map.mapping_of(1000));
    r.user_namespace.initial = Fact::Known(false);
    r
}

#[test]
fn root_in_disguise_is_root() {
    let r = disguised();
    for preset in [
        Preset::Checklist,
        Preset::PssBaseline,
        Preset::PssRestricted,
        Preset::Strict,
    ] {
        let a = posture::evaluate(&r, &Policy::preset(preset));
        let non_root = a.check(CheckId::NonRoot).unwrap();
        assert_eq!(
            non_root.status,
            CheckStatus::Fail,
            "{preset:?}: {non_root:?}"
        );
        assert!(
            non_root.evidence.contains("1000 0 1") && non_root.evidence.contains("uid 0 outside"),
            "{}",
            non_root.evidence
        );
        if let Some(c) = a.check(CheckId::UsernsRemap) {
            assert_eq!(c.status, CheckStatus::Fail, "{preset:?}: {c:?}");
        }
        // PSS baseline does not require non-root (runAsNonRoot is a
        // restricted-level control); every other preset does.
        if preset != Preset::PssBaseline {
            assert!(!a.passed(), "{preset:?} passed a host-root process");
        }
    }
}

#[test]
fn a_remapped_container_is_still_non_root() {
    // The ordinary user-namespaced container: root is host uid 100000, and
    // uid 1000 is host uid 101000. Nothing here is root outside.
    let r = in_user_namespace("0 100000 65536\n");
    assert_checklist(
        &r,
        &[
            (CheckId::NonRoot, CheckStatus::Pass),
            (CheckId::UsernsRemap, CheckStatus::Pass),
        ],
    );
}

#[test]
fn a_map_that_also_holds_host_root_is_not_remapped() {
    // Root remapped, but host uid 0 mapped in as uid 70000 as well.
    // uid 1000 is host uid 101000: not root.
    let r = in_user_namespace("0 100000 65536\n70000 0 1\n");
    assert_checklist(
        &r,
        &[
            (CheckId::UsernsRemap, CheckStatus::Fail),
            (CheckId::NonRoot, CheckStatus::Pass),
        ],
    );
}

#[test]
fn non_root_without_a_uid_map_is_unknown_outside_the_initial_namespace() {
    let mut r = common::fixture_report("hardened");
    r.user_namespace.uid_map = Fact::unknown("/proc/self/uid_map", "EACCES");
    r.user_namespace.initial = Fact::Known(false);
    assert_eq!(
        status_of(&r, Preset::Checklist, CheckId::NonRoot),
        CheckStatus::Unknown
    );
    // In the initial namespace every id is itself: no map needed.
    r.user_namespace.initial = Fact::Known(true);
    assert_eq!(
        status_of(&r, Preset::Checklist, CheckId::NonRoot),
        CheckStatus::Pass
    );
}

#[test]
fn a_proc_that_disagrees_fails_and_passes_nothing() {
    let mut r = common::fixture_report("hardened");
    r.proc_trust = Fact::Known(ProcTrust::Disagrees {
        findings: vec![
            "/proc/self/status: Uid line says 1000 1000 1000, but getresuid(2) answers 0 0 0"
                .into(),
        ],
    });
    let a = posture::evaluate(&r, &Policy::preset(Preset::Strict));
    let t = a.check(CheckId::ProcTrusted).unwrap();
    assert_eq!(t.status, CheckStatus::Fail);
    assert!(t.evidence.contains("getresuid(2)"), "{}", t.evidence);
    for c in &a.checks {
        assert_ne!(
            c.status,
            CheckStatus::Pass,
            "{:?} passed on a forged /proc",
            c.id
        );
    }
    assert!(!a.passed());
}

/// Runs `f` on another thread and fails the test if it does not return
/// within `limit` (a read that blocks would hang the test otherwise).
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what}: no answer within {limit:?}: a read blocked"))
}

fn copy_tree(from: &Path, to: &Path) {
    common::copy_tree(from, to);
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
}

/// Every regular file of a real capture, replaced by a FIFO in turn: the
/// fixture reader returns at once, and the fact that file held is unknown
/// naming the FIFO (the status file, which nearly every check reads, is
/// checked by name).
#[test]
fn a_fifo_anywhere_in_a_fixture_never_blocks() {
    let src = common::fixture_dir("docker-default");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    copy_tree(&src, &dir);
    let mut files = Vec::new();
    let mut stack = vec![dir.join("proc"), dir.join("sys"), dir.join("run")];
    stack.push(dir.clone());
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() && d != dir {
                stack.push(e.path());
            } else if ft.is_file()
                && !e.file_name().to_string_lossy().ends_with(".errno")
                && e.file_name() != ".keep"
                && e.path().starts_with(dir.join("proc"))
            {
                files.push(e.path());
            }
        }
    }
    // .dockerenv and run/.containerenv, which the runtime probe opens.
    files.push(dir.join(".dockerenv"));
    files.push(dir.join("run/.containerenv"));
    assert!(files.len() >= 15, "too few files found: {files:?}");
    for f in &files {
        let saved = std::fs::read(f).ok();
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        mkfifo(f);
        let d = dir.clone();
        let r = within(
            Duration::from_secs(10),
            &f.display().to_string(),
            move || posture::posture_with_root(&posture::Root::fixture(d)),
        );
        if f.ends_with("proc/self/status") {
            let u = uid_unknown(&r);
            assert!(u.reason.contains("FIFO"), "{u:?}");
        }
        let _ = std::fs::remove_file(f);
        if let Some(b) = saved {
            std::fs::write(f, b).unwrap();
        }
    }
}

#[test]
fn a_device_in_a_fixture_is_not_read() {
    let src = common::fixture_dir("docker-default");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    copy_tree(&src, &dir);
    let status = dir.join("proc/self/status");
    std::fs::remove_file(&status).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &status).unwrap();
    let r = within(Duration::from_secs(10), "status -> /dev/zero", move || {
        posture::posture_with_root(&posture::Root::fixture(dir))
    });
    let u = uid_unknown(&r);
    assert!(u.reason.contains("character device"), "{u:?}");
}

/// Why the report's uid is unknown; panics when it is known.
fn uid_unknown(r: &posture::Report) -> posture::Unknown {
    r.identity
        .uid
        .as_ref()
        .into_result()
        .expect_err("uid unknown")
}

fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} did not finish within {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A FIFO, a device, a directory or an oversized file as the policy: exit 2
/// at once, naming the file and what it is.
#[test]
fn policy_files_that_would_block_or_never_end_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("policy.toml");
    mkfifo(&fifo);
    let big = tmp.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; 2 * 1024 * 1024]).unwrap();
    let cases: [(PathBuf, &str); 4] = [
        (fifo, "FIFO"),
        (PathBuf::from("/dev/zero"), "character device"),
        (tmp.path().to_path_buf(), "directory"),
        (big, "larger than 1048576 bytes"),
    ];
    for (path, says) in cases {
        for via_env in [false, true] {
            let mut cmd = Command::new(common::posture_bin());
            cmd.arg("--check")
                .arg("--root")
                .arg(common::fixture_dir("hardened"));
            if via_env {
                cmd.env("POSTURE_POLICY", &path);
            } else {
                cmd.arg("--policy").arg(&path);
                cmd.env_remove("POSTURE_POLICY");
            }
            let out = run_bounded(cmd, Duration::from_secs(10));
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{path:?} (env {via_env}): {err}"
            );
            assert!(
                err.contains(says) && err.contains(&*path.to_string_lossy()),
                "{path:?}: {err}"
            );
        }
    }
}

#[test]
fn an_empty_root_is_a_usage_error() {
    let out = run_bounded(
        {
            let mut c = Command::new(common::posture_bin());
            c.arg("--root=");
            c
        },
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--root needs a value"));
}

// ---------------------------------------------------------------- live

/// `sh -c SCRIPT` where the script ends by exec'ing `posture --check --json`
/// (`$POSTURE`), bounded; returns the lines the script printed before the
/// JSON document, the document, and the exit code.
fn attack(script: &str, wrap: &[&str]) -> (String, serde_json::Value, i32) {
    let mut cmd = Command::new(wrap[0]);
    cmd.args(&wrap[1..])
        .arg("sh")
        .arg("-c")
        .arg(script)
        .env("POSTURE", common::posture_bin())
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE");
    let out = run_bounded(cmd, Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let at = stdout.find("{\n").unwrap_or_else(|| {
        panic!(
            "no JSON document; stdout {stdout}; stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let doc: serde_json::Value = serde_json::from_str(&stdout[at..]).expect("JSON document");
    (
        stdout[..at].to_string(),
        doc,
        out.status.code().unwrap_or(-1),
    )
}

fn check<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn assert_forged_proc_passes_nothing(doc: &serde_json::Value) {
    assert_eq!(
        check(doc, "proc_trusted")["status"],
        "fail",
        "{}",
        check(doc, "proc_trusted")
    );
    for c in doc["assessment"]["checks"].as_array().unwrap() {
        assert_ne!(
            c["status"], "pass",
            "{} passed on a forged /proc: {c}",
            c["id"]
        );
    }
    assert_eq!(doc["assessment"]["verdict"], "fail");
}

/// A confined helper (uid 1000, no capabilities, no_new_privs) whose
/// /proc/<pid> is what the attacks bind over this process's own.
const HELPER: &str = "setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs sleep 20 </dev/null >/dev/null 2>&1 & H=$!; sleep 0.3; ";

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_root_behind_a_user_namespace_is_root() {
    // As root: a user namespace in which uid 1000 is the caller's uid 0,
    // no_new_privs set, then the service. The marker proves the map.
    let (pre, doc, code) = attack(
        "cat /proc/self/uid_map; id -u; exec setpriv --no-new-privs \"$POSTURE\" --check --json --policy pss-restricted",
        &["unshare", "--user", "--map-user=1000", "--map-group=1000"],
    );
    let lines: Vec<&str> = pre.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["1000", "0", "1"],
        "{pre}"
    );
    assert_eq!(lines[1], "1000", "{pre}");
    assert_eq!(
        check(&doc, "non_root")["status"],
        "fail",
        "{}",
        check(&doc, "non_root")
    );
    assert_eq!(check(&doc, "userns_remap")["status"], "fail");
    assert_eq!(code, 1);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_another_process_proc_dir_over_our_own() {
    let (pre, doc, code) = attack(
        &format!(
            "{HELPER} mount --bind /proc/$H /proc/$$ && grep ^Uid: /proc/$$/status; exec \"$POSTURE\" --check --json"
        ),
        &["unshare", "-m", "--propagation", "private"],
    );
    // The attack took: this root shell's /proc/self says uid 1000.
    assert!(pre.starts_with("Uid:\t1000"), "{pre}");
    assert_forged_proc_passes_nothing(&doc);
    assert_eq!(code, 1);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_another_process_files_over_our_own() {
    for file in ["status", "uid_map"] {
        let (pre, doc, code) = attack(
            &format!(
                "{HELPER} mount --bind /proc/$H/{file} /proc/$$/{file} && echo bound; exec \"$POSTURE\" --check --json"
            ),
            &["unshare", "-m", "--propagation", "private"],
        );
        assert_eq!(pre.trim(), "bound");
        assert_forged_proc_passes_nothing(&doc);
        assert_eq!(code, 1, "{file}");
    }
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_ordinary_files_over_proc_files() {
    // A crafted uid_map that makes host root look remapped, and a crafted
    // status that makes it look unprivileged.
    let (pre, doc, code) = attack(
        "printf '         0     100000      65536\\n' > /tmp/posture-uid_map.$$ \
         && sed -e 's/^Uid:.*/Uid:\\t1000\\t1000\\t1000\\t1000/' -e 's/^Cap\\(Eff\\|Prm\\|Bnd\\):.*/Cap\\1:\\t0000000000000000/' /proc/$$/status > /tmp/posture-status.$$ \
         && mount --bind /tmp/posture-uid_map.$$ /proc/$$/uid_map \
         && mount --bind /tmp/posture-status.$$ /proc/$$/status \
         && cat /proc/$$/uid_map && grep ^Uid: /proc/$$/status; exec \"$POSTURE\" --check --json",
        &["unshare", "-m", "--propagation", "private"],
    );
    assert!(
        pre.contains("100000") && pre.contains("Uid:\t1000"),
        "{pre}"
    );
    assert_forged_proc_passes_nothing(&doc);
    assert_eq!(code, 1);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_a_tmpfs_over_proc_is_not_procfs() {
    let (pre, doc, code) = attack(
        "mkdir -p /tmp/posture-fakeproc.$$/self && cp /proc/self/status /tmp/posture-fakeproc.$$/self/ \
         && mount -t tmpfs fake /proc && cp -r /tmp/posture-fakeproc.$$/self /proc/ && echo faked; \
         exec \"$POSTURE\" --check --json",
        &["unshare", "-m", "--propagation", "private"],
    );
    assert_eq!(pre.trim(), "faked");
    assert_forged_proc_passes_nothing(&doc);
    assert_eq!(code, 1);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn live_a_fifo_at_run_containerenv_does_not_block() {
    // Docker binds no /run/.containerenv: whoever can write /run can put a
    // FIFO there. The probe opens it; it must not wait for a writer.
    let (pre, doc, _code) = attack(
        "mount -t tmpfs run /run && mkfifo /run/.containerenv && ls -l /run/.containerenv | cut -c1; \
         exec \"$POSTURE\" --check --json",
        &["unshare", "-m", "--propagation", "private"],
    );
    assert_eq!(pre.trim(), "p");
    // A verdict was reached, and the (unforged) /proc is trusted.
    assert!(doc["assessment"]["verdict"].is_string());
    assert_eq!(check(&doc, "proc_trusted")["status"], "pass");
}

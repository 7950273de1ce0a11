//! A Compose file that is also the policy, with a real Compose
//! implementation: Debian's `docker-compose` (1.29, the Python one) against
//! dockerd. The service's Compose file is bind-mounted read-only at
//! `/etc/posture`, `POSTURE_POLICY` names it and `POSTURE_CONTAINER` the
//! service; `docker-compose up` of the file as declared passes, and of the
//! same file with one field drifted per run (an added capability, no
//! read-only root, another user, a bigger memory limit) fails naming
//! exactly that field (`services.app.cap_add`, ...). Each drifted
//! container's own `--check --format compose` output (judged against the
//! declared file) names that field as already declared; merged into the
//! drifted file (which describes what ran) the way its header says (each
//! key replaces the service's own, `security_opt` entries are added:
//! `merge::merge_service`) and run again with that file as its own policy,
//! every check it covers passes. Only the writable root fails a check of
//! its own (read_only_rootfs, before the patch, and `read_only: true`
//! fixes it); an added capability (only in the bounding set of a non-root
//! process with no_new_privs, under docker), another non-root user and a
//! bigger limit fail none, and their patches are asserted to hold no key.
//! Then a weak service whose `--check --format compose` output, merged
//! into its file, makes every check that output covers pass; so do the
//! distinct compose patches of every fixture, merged into one weak
//! service. And, under podman (docker cannot run `--privileged` here): a
//! privileged service declaring
//! the runtime's default seccomp profile by path, run so, drifts in that
//! `security_opt` entry: podman applies no filter at all. That run's own
//! patch (`privileged: false` and limits; seccomp only a comment), merged
//! into the file describing it (privileged, `seccomp=unconfined`) is no
//! longer privileged, so docker-compose runs it: every check the patch
//! covers passes, and what does not pass is what the patch's comments
//! name.
//!
//! Opt-in through the `runtime-tests` feature (root, dockerd and
//! docker-compose: `bash .ci/setup-runtimes.sh`):
//!
//! ```text
//! cargo test --features runtime-tests --test compose_play
//! ```
//!
//! The image is built here with `docker build`,
//! `localhost/posture-compose:latest` (FROM scratch, the static CLI at
//! `/posture`, no USER: the Compose file says who runs it), not the shared
//! test images, which other suites rebuild. dockerd runs with
//! `--bridge=none` here, so every service has `network_mode: none`.

mod common;

#[path = "runtimes/harness.rs"]
#[allow(unused_macros)]
mod harness;

use std::path::Path;
use std::sync::OnceLock;

#[path = "manifests/merge.rs"]
mod merge;

use harness::{Need, TempDir};
use serde_json::{Value, json};

const IMAGE: &str = "localhost/posture-compose:latest";

fn image() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        harness::require(&[Need::Docker]);
        let out = harness::sh("docker-compose", &["version"], 60);
        assert!(
            out.status.success(),
            "docker-compose is missing: run `bash .ci/setup-runtimes.sh`"
        );
        harness::scratch_image(
            "docker",
            IMAGE,
            &[("posture", &harness::posture_bin())],
            None,
            "posture",
        );
    });
    IMAGE
}

/// The declared service: non-root, no capabilities, no privilege
/// escalation, a read-only root, 64 MiB and 100 pids, its own Compose file
/// (in the directory `policy`) mounted at /etc/posture, where the policy
/// variables point; `args` for the CLI.
fn service(policy: &Path, args: &[&str]) -> Value {
    json!({
        "image": IMAGE,
        "command": args,
        "environment": {
            "POSTURE_POLICY": "/etc/posture/compose.yaml",
            "POSTURE_CONTAINER": "app",
        },
        "user": "1000:1000",
        "cap_drop": ["ALL"],
        "cap_add": [],
        "privileged": false,
        "read_only": true,
        "security_opt": ["no-new-privileges:true"],
        "network_mode": "none",
        "mem_limit": "64m",
        "pids_limit": 100,
        "volumes": [volume(policy)],
    })
}

fn volume(policy: &Path) -> String {
    format!("{}:/etc/posture:ro", policy.display())
}

/// The Compose file of the one service `app`. JSON is YAML: what
/// docker-compose and posture both read.
fn file(svc: &Value) -> String {
    serde_json::to_string_pretty(&json!({"services": {"app": svc}})).unwrap() + "\n"
}

/// `docker-compose down` on drop.
struct Down(String, String);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = harness::sh(
            "docker-compose",
            &["-p", &self.0, "-f", &self.1, "down"],
            120,
        );
    }
}

/// `docker-compose up` of `run` (in a project of its own) with `declared`
/// written to `policy/compose.yaml`, the file the service mounts and
/// judges itself by: (the container's output, its exit status).
fn up(tag: &str, policy: &Path, declared: &Value, run: &Value) -> (String, i32) {
    image();
    std::fs::write(policy.join("compose.yaml"), file(declared)).unwrap();
    let project = TempDir::new(tag);
    let compose = project.path().join("docker-compose.yml");
    std::fs::write(&compose, file(run)).unwrap();
    let name = harness::unique(tag).replace('-', "");
    let f = compose.to_str().unwrap();
    let down = Down(name.clone(), f.to_string());
    let out = harness::sh(
        "docker-compose",
        &[
            "-p",
            &name,
            "-f",
            f,
            "up",
            "--no-color",
            "--exit-code-from",
            "app",
        ],
        180,
    );
    let code = out.status.code().unwrap_or(-1);
    let ps = harness::must("docker-compose", &["-p", &name, "-f", f, "ps", "-q"], 60);
    let id = ps.trim().to_string();
    assert!(
        !id.is_empty(),
        "no container: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = harness::sh("docker", &["logs", &id], 60);
    let logs = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_ne!(
        code,
        2,
        "usage or policy error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(down);
    (logs, code)
}

/// `up` of the declared service changed by `drift`, judged against the
/// declared one.
fn up_drifted(tag: &str, drift: impl Fn(&mut Value)) -> (String, i32) {
    let policy = TempDir::new(&format!("{tag}-policy"));
    let declared = service(policy.path(), &["--check"]);
    let mut run = declared.clone();
    drift(&mut run);
    up(tag, policy.path(), &declared, &run)
}

/// The `pass`/`fail`/`unknown` lines of the text output's declared-versus-
/// applied section: (status, field).
fn declared(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip_while(|l| !l.starts_with("Declared versus applied"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| {
            let mut w = l.split_whitespace();
            let status = w.next().unwrap().to_string();
            let mut field = w.next().unwrap().to_string();
            if field.ends_with(':') {
                field.pop();
            } else {
                // `services.app.user (gid):`
                field.push(' ');
                field.push_str(w.next().unwrap().trim_end_matches(':'));
            }
            (status, field)
        })
        .collect()
}

/// The fields the declared service makes, in derivation order.
const FIELDS: [&str; 11] = [
    "services.app.user",
    "services.app.user (gid)",
    "services.app.privileged",
    "services.app.cap_drop",
    "services.app.cap_add",
    "services.app.read_only",
    "services.app.security_opt[0]",
    "services.app.network_mode",
    "services.app.mem_limit",
    "services.app.pids_limit",
    "services.app.volumes",
];

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn compose_up_as_declared_passes() {
    let (logs, code) = up_drifted("declared", |_| {});
    assert_eq!(code, 0, "{logs}");
    let want: Vec<(String, String)> = FIELDS
        .iter()
        .map(|f| ("pass".to_string(), f.to_string()))
        .collect();
    assert_eq!(declared(&logs), want, "{logs}");
}

/// One `docker-compose up` of the declared service with one field drifted,
/// judged against the declared file. The drifted file is also what
/// describes the run (docker-compose ran exactly it): the file its patch is
/// merged into.
struct Drift {
    name: &'static str,
    tag: &'static str,
    /// The declared service changed in one field.
    drift: fn(&mut Value),
    /// The only field that drifts, and what its line says was applied.
    field: &'static str,
    applied: &'static str,
    /// The checks the drift fails (written by hand): those its patch
    /// covers beyond what the run as declared's patch covers.
    fails: &'static [&'static str],
}

/// Measured: under dockerd an added capability reaches only the bounding
/// set of a non-root process (docker adds none to its ambient set), and
/// no_new_privs makes it unreachable: capabilities_dropped passes, the
/// patch has no key (its `cap_add: []` is not needed here).
const CAP_ADD: Drift = Drift {
    name: "an added capability",
    tag: "capadd",
    drift: |s| s["cap_add"] = json!(["NET_RAW"]),
    field: "services.app.cap_add",
    applied: "applied CAP_NET_RAW",
    fails: &[],
};

const WRITABLE_ROOT: Drift = Drift {
    name: "a writable root",
    tag: "rw",
    drift: |s| {
        s.as_object_mut().unwrap().remove("read_only");
    },
    field: "services.app.read_only",
    applied: "declared true, applied / mounted rw",
    fails: &["read_only_rootfs"],
};

/// Another non-root user: no check fails, the patch has no key.
const OTHER_USER: Drift = Drift {
    name: "another user",
    tag: "user",
    drift: |s| s["user"] = json!("1001:1000"),
    field: "services.app.user",
    applied: "declared 1000, applied 1001",
    fails: &[],
};

/// Still a memory limit: resource_limits passes, the patch has no key.
const BIGGER_MEMORY: Drift = Drift {
    name: "a bigger memory limit",
    tag: "mem",
    drift: |s| s["mem_limit"] = json!("128m"),
    field: "services.app.mem_limit",
    applied: "applied 128Mi (134217728 bytes)",
    fails: &[],
};

const DRIFTS: [&Drift; 4] = [&CAP_ADD, &WRITABLE_ROOT, &OTHER_USER, &BIGGER_MEMORY];

fn fails_naming(d: &Drift) {
    let (logs, code) = up_drifted(d.tag, d.drift);
    assert_eq!(code, 1, "{}: {logs}", d.name);
    let bad: Vec<String> = declared(&logs)
        .into_iter()
        .filter(|(s, _)| s != "pass")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(bad, [d.field], "{}: {logs}", d.name);
    let line = logs
        .lines()
        .find(|l| l.contains(&format!(" {}: ", d.field)))
        .unwrap();
    assert!(line.contains(d.applied), "{}: {line}", d.name);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn an_added_capability_is_drift_in_cap_add() {
    fails_naming(&CAP_ADD);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn a_writable_root_is_drift_in_read_only() {
    fails_naming(&WRITABLE_ROOT);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn another_user_is_drift_in_user() {
    fails_naming(&OTHER_USER);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn a_bigger_memory_limit_is_drift_in_mem_limit() {
    fails_naming(&BIGGER_MEMORY);
}

/// The JSON output `out` of the service `svc` run with its own file as the
/// policy: each of `ids` whose status is not `status`, every expectation
/// (declared field) that did not pass (the file does not describe the
/// run), and each of [`FIELDS`] whose key `svc` sets but that is not
/// declared (lost on the way).
fn not_as_expected(
    out: &str,
    svc: &Value,
    ids: &[String],
    status: &str,
) -> Result<Vec<String>, String> {
    let (expectations, mut bad) = merge::judged(out, ids, status)?;
    for f in FIELDS {
        let key = f["services.app.".len()..].split([' ', '[']).next().unwrap();
        if svc.get(key).is_some() && !expectations.iter().any(|e| e["field"] == f) {
            bad.push(format!("{f} not declared"));
        }
    }
    Ok(bad)
}

/// The service keys of a compose patch (`Null` when it has none).
fn keys(patch: &str) -> Value {
    merge::yaml_to_json(patch)["services"]["app"].clone()
}

/// What went wrong with drift `d`'s patch (nothing: it worked): the
/// drifted container's `--check --format compose` output, judged against
/// the declared file, names the drifted field in a comment and covers
/// `d.fails` beyond `baseline`; the drifted file run as its own policy
/// fails `d.fails` and applies every field it declares; with the patch's
/// keys merged into it and run again (its own policy), every check the
/// patch covers passes, every field is applied, and it exits 0. A patch
/// with no key of its own must hold exactly the baseline's keys.
fn drift_patch_failures(d: &Drift, baseline: &(Vec<String>, Value)) -> Vec<String> {
    let policy = TempDir::new(&format!("{}-patch-policy", d.tag));
    let declared = service(policy.path(), &["--check", "--format", "compose"]);
    let mut run = declared.clone();
    (d.drift)(&mut run);
    let (patch, code) = up(&format!("{}-patch", d.tag), policy.path(), &declared, &run);
    if code != 1 {
        return vec![format!("the drifted run exited {code}: {patch}")];
    }
    let mut bad = Vec::new();
    let comment = format!("# {}: declared ", d.field);
    let said = patch.lines().any(|l| {
        l.starts_with(&comment) && l.contains(d.applied) && l.contains("already declared")
    });
    if !said {
        bad.push(format!(
            "no line {comment:?}...{:?}...already declared in the patch:\n{patch}",
            d.applied
        ));
    }
    let covered = merge::covered(&patch);
    let own: Vec<&str> = covered
        .iter()
        .map(String::as_str)
        .filter(|c| !baseline.0.iter().any(|b| b == c))
        .collect();
    if own != d.fails {
        bad.push(format!(
            "covers {own:?} beyond the run as declared, want {:?}:\n{patch}",
            d.fails
        ));
    }
    let keys = keys(&patch);
    if d.fails.is_empty() && keys != baseline.1 {
        bad.push(format!(
            "keys {keys} beyond the run as declared's {}:\n{patch}",
            baseline.1
        ));
    }
    // The drifted file, its own policy: it describes the run, and fails
    // the drift's checks.
    run["command"] = json!(["--check", "--json"]);
    let fails: Vec<String> = d.fails.iter().map(|s| s.to_string()).collect();
    let (out, _) = up(&format!("{}-described", d.tag), policy.path(), &run, &run);
    match not_as_expected(&out, &run, &fails, "fail") {
        Ok(b) => bad.extend(
            b.into_iter()
                .map(|b| format!("the drifted file run: {b}\n{run:#}")),
        ),
        Err(e) => bad.push(format!("the drifted file run: {e}")),
    }
    if !keys.is_null() {
        merge::merge_service(&mut run, &keys);
    }
    let (out, code) = up(&format!("{}-patched", d.tag), policy.path(), &run, &run);
    match not_as_expected(&out, &run, &covered, "pass") {
        Ok(b) => bad.extend(
            b.into_iter()
                .map(|b| format!("patched: {b}\n{patch}\n{run:#}")),
        ),
        Err(e) => bad.push(format!("patched: {e}")),
    }
    if code != 0 {
        bad.push(format!("patched: exit {code}\n{patch}\n{run:#}\n{out}"));
    }
    bad
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn each_drifted_runs_compose_patch_applied_to_its_file_passes_when_run() {
    // What the run as declared's patch covers and sets: every drifted
    // run's patch covers it as well.
    let policy = TempDir::new("baseline-policy");
    let declared = service(policy.path(), &["--check", "--format", "compose"]);
    let (patch, code) = up("baseline", policy.path(), &declared, &declared);
    assert_eq!(code, 0, "{patch}");
    let baseline = (merge::covered(&patch), keys(&patch));
    assert_eq!(baseline.0, Vec::<String>::new(), "{patch}");
    assert_eq!(baseline.1, Value::Null, "{patch}");
    let mut failures = Vec::new();
    for d in DRIFTS {
        for f in drift_patch_failures(d, &baseline) {
            failures.push(format!("{}: {f}", d.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn the_compose_patch_applied_makes_the_checks_it_covers_pass() {
    // A weak service (root, the default capabilities, a writable root, no
    // limits) whose file is its policy: the checklist's checks fail.
    let policy = TempDir::new("weak-policy");
    let mut weak = json!({
        "image": IMAGE,
        "command": ["--check", "--format", "compose"],
        "environment": {
            "POSTURE_POLICY": "/etc/posture/compose.yaml",
            "POSTURE_CONTAINER": "app",
        },
        "network_mode": "none",
        "volumes": [volume(policy.path())],
    });
    let (patch, code) = up("weak", policy.path(), &weak, &weak);
    assert_eq!(code, 1, "{patch}");
    let covered = merge::covered(&patch);
    for id in [
        "non_root",
        "capabilities_dropped",
        "read_only_rootfs",
        "no_new_privs",
    ] {
        assert!(covered.iter().any(|c| c == id), "{id}: {patch}");
    }
    let keys = merge::yaml_to_json(&patch)["services"]["app"].clone();
    assert!(keys.is_object(), "{patch}");
    merge::merge_service(&mut weak, &keys);
    weak["command"] = json!(["--check", "--json"]);
    let (out, code) = up("patched", policy.path(), &weak, &weak);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    for id in &covered {
        let c = checks.iter().find(|c| c["id"] == **id).unwrap();
        assert_eq!(c["status"], "pass", "{id} after the patch {patch}: {c}");
    }
    // Every required check passes now; no drift (the file is the policy).
    assert_eq!(code, 0, "{patch}\n{out}");
}

/// The same image in podman's store (built there, not shared).
fn podman_image() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        harness::require(&[Need::Podman]);
        harness::scratch_image(
            "podman",
            IMAGE,
            &[("posture", &harness::posture_bin())],
            None,
            "posture",
        );
    });
    IMAGE
}

const PROFILE: &str = "/usr/share/containers/seccomp.json";

/// A privileged service declaring the runtime's default seccomp profile
/// by path (its file mounted from `policy`).
fn privileged_decl(policy: &Path) -> Value {
    json!({
        "image": IMAGE,
        "user": "1000:1000",
        "privileged": true,
        "read_only": true,
        "security_opt": ["no-new-privileges:true", format!("seccomp={PROFILE}")],
        "network_mode": "none",
        "volumes": [volume(policy)],
    })
}

/// `podman run` as [`privileged_decl`] declares, that file (written to
/// `policy`) its policy, `args` for the CLI: (output, exit status).
fn run_privileged(policy: &Path, args: &[&str]) -> (String, i32) {
    podman_image();
    let decl = privileged_decl(policy);
    std::fs::write(policy.join("compose.yaml"), file(&decl)).unwrap();
    let name = harness::unique("privileged-seccomp");
    let _cleanup = harness::Cleanup::container("podman", &name);
    let mount = volume(policy);
    let seccomp = format!("--security-opt=seccomp={PROFILE}");
    let mut cmd = vec![
        "run",
        "--name",
        &name,
        "--network=none",
        "--user=1000:1000",
        "--privileged",
        "--read-only",
        "--security-opt=no-new-privileges",
        &seccomp,
        "-v",
        &mount,
        "-e",
        "POSTURE_POLICY=/etc/posture/compose.yaml",
        "-e",
        "POSTURE_CONTAINER=app",
        IMAGE,
    ];
    cmd.extend_from_slice(args);
    let out = harness::sh("podman", &cmd, 120);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn privileged_naming_the_default_seccomp_profile_is_drift_in_security_opt() {
    let policy = TempDir::new("privileged-policy");
    let (logs, code) = run_privileged(policy.path(), &["--check"]);
    assert_eq!(code, 1, "{logs}");
    let bad: Vec<String> = declared(&logs)
        .into_iter()
        .filter(|(s, _)| s != "pass")
        .map(|(_, f)| f)
        .collect();
    let field = "services.app.security_opt[1]";
    assert_eq!(bad, [field], "{logs}");
    let line = logs
        .lines()
        .find(|l| l.contains(&format!(" {field}: ")))
        .unwrap();
    assert!(line.contains("applied no filter (Seccomp: 0)"), "{line}");
}

/// How many fixtures under tests/fixtures emit a Compose patch with at
/// least one key, and how many distinct patches (keys and the checks they
/// cover; comments aside) they emit: a new fixture, or a change in what
/// the patch says, shows here.
const FIXTURES_PATCHED: usize = 46;
const DISTINCT_PATCHES: usize = 5;

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, dockerd and docker-compose"
)]
fn every_fixtures_compose_patch_applied_to_a_weak_service_passes_when_run() {
    // The CLI on each fixture tree with one weak Compose file as the
    // policy (root, the default capabilities, a writable root, no limits;
    // nothing else declared, so no drift) prints the keys that fixture
    // needs. Each distinct set of keys is merged into that weak service
    // and run once with docker-compose, the file its own policy: every
    // check it covers passes, every key it sets is applied.
    image();
    let policy = TempDir::new("fixtures-policy");
    let weak = json!({
        "image": IMAGE,
        "command": ["--check", "--json"],
        "environment": {
            "POSTURE_POLICY": "/etc/posture/compose.yaml",
            "POSTURE_CONTAINER": "app",
        },
        "network_mode": "none",
        "volumes": [volume(policy.path())],
    });
    let base = policy.path().join("compose.yaml");
    std::fs::write(&base, file(&weak)).unwrap();
    // (keys, covered, the patch, the fixtures emitting it)
    let mut distinct: Vec<(Value, Vec<String>, String, Vec<String>)> = Vec::new();
    let mut patched = 0;
    for fixture in common::all_fixtures() {
        let out = std::process::Command::new(common::posture_bin())
            .args(["--check", "--format", "compose", "--container", "app"])
            .arg("--root")
            .arg(common::fixture_dir(&fixture))
            .arg("--policy")
            .arg(&base)
            .env_remove("POSTURE_POLICY")
            .env_remove("POSTURE_OVERRIDE")
            .env_remove("POSTURE_CONTAINER")
            .output()
            .unwrap();
        let patch = String::from_utf8(out.stdout).unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0 | 1)), "{fixture}: {code:?}: {patch}");
        let covered = merge::covered(&patch);
        if covered.is_empty() {
            // Only comments: what no key can set, or nothing to patch.
            assert!(
                patch.lines().all(|l| l.starts_with('#')),
                "{fixture}: {patch}"
            );
            continue;
        }
        patched += 1;
        let keys = merge::yaml_to_json(&patch)["services"]["app"].clone();
        assert!(keys.is_object(), "{fixture}: {patch}");
        match distinct.iter_mut().find(|d| d.0 == keys && d.1 == covered) {
            Some(d) => d.3.push(fixture),
            None => distinct.push((keys, covered, patch, vec![fixture])),
        }
    }
    let list: Vec<String> = distinct
        .iter()
        .map(|d| format!("{:?}: {}", d.3, d.1.join(" ")))
        .collect();
    assert_eq!(patched, FIXTURES_PATCHED, "{list:#?}");
    assert_eq!(distinct.len(), DISTINCT_PATCHES, "{list:#?}");
    let mut failures = Vec::new();
    for (keys, covered, patch, fixtures) in &distinct {
        let mut svc = weak.clone();
        merge::merge_service(&mut svc, keys);
        let (out, _code) = up("fixture-patch", policy.path(), &svc, &svc);
        let doc: Value = match serde_json::from_str(&out) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{fixtures:?}: {e}: {out}"));
                continue;
            }
        };
        let checks = doc["assessment"]["checks"].as_array().unwrap();
        for id in covered {
            let c = checks.iter().find(|c| c["id"] == **id).unwrap();
            if c["status"] != "pass" {
                failures.push(format!("{fixtures:?}: {id} after {patch}\n{svc:#}\n{c}"));
            }
        }
        for e in doc["assessment"]["expectations"].as_array().unwrap() {
            if e["status"] != "pass" {
                failures.push(format!("{fixtures:?}: drift {e}\n{patch}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_compose_merge_adds_security_opt_entries_keeping_the_others() {
    let mut svc = json!({
        "user": "0:0",
        "security_opt": ["no-new-privileges:false", "seccomp=/p.json"],
    });
    let keys = json!({
        "user": "65532:65532",
        "cap_add": [],
        "security_opt": ["no-new-privileges:true"],
    });
    merge::merge_service(&mut svc, &keys);
    assert_eq!(
        svc,
        json!({
            "user": "65532:65532",
            "cap_add": [],
            "security_opt": ["seccomp=/p.json", "no-new-privileges:true"],
        })
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, podman, dockerd and docker-compose"
)]
fn the_privileged_podman_runs_compose_patch_applied_to_its_file_passes_when_run() {
    // The drifted run (podman, privileged, the default profile named: no
    // filter), judged against the file declaring it: its own patch.
    let policy = TempDir::new("privileged-patch-policy");
    let (patch, code) = run_privileged(policy.path(), &["--check", "--format", "compose"]);
    assert_eq!(code, 1, "{patch}");
    let comment = "# services.app.security_opt[1]: declared Localhost /usr/share/containers/seccomp.json, applied no filter (Seccomp: 0): already declared";
    assert!(
        patch.lines().any(|l| l.starts_with(comment)),
        "no line {comment:?}:\n{patch}"
    );
    // not_privileged is the drift's (privileged: false); resource_limits
    // the file's own (it declares no limit); seccomp has only a comment.
    let covered = merge::covered(&patch);
    assert_eq!(covered, ["not_privileged", "resource_limits"], "{patch}");
    // Before: the drifted run fails not_privileged and seccomp.
    let (out, _) = run_privileged(policy.path(), &["--check", "--json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    for id in ["not_privileged", "seccomp"] {
        let c = checks.iter().find(|c| c["id"] == id).unwrap();
        assert_eq!(c["status"], "fail", "{id} before the patch: {c}");
    }
    // The file that describes the run: privileged, no filter. docker
    // cannot run it here (`--privileged`); with the patch's keys merged it
    // is no longer privileged, and docker-compose runs it, its own policy.
    image();
    let policy = TempDir::new("privileged-patched-policy");
    let mut svc = privileged_decl(policy.path());
    svc["security_opt"][1] = json!("seccomp=unconfined");
    svc["command"] = json!(["--check", "--json"]);
    svc["environment"] = json!({
        "POSTURE_POLICY": "/etc/posture/compose.yaml",
        "POSTURE_CONTAINER": "app",
    });
    merge::merge_service(&mut svc, &keys(&patch));
    let (out, code) = up("privileged-patched", policy.path(), &svc, &svc);
    let bad = not_as_expected(&out, &svc, &covered, "pass").unwrap_or_else(|e| panic!("{e}"));
    assert!(bad.is_empty(), "{bad:#?}\n{patch}\n{svc:#}");
    // What still does not pass is what only the patch's comments name:
    // seccomp (remove seccomp=unconfined; a warning now, the file itself
    // declaring unconfined), no LSM, no user namespace, the bind mount,
    // the syscall probe; no key it should have set.
    let doc: Value = serde_json::from_str(&out).unwrap();
    let not_passing: Vec<&str> = doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "pass")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(not_passing.contains(&"seccomp"), "{out}");
    for id in &not_passing {
        assert!(
            patch.lines().any(|l| l.starts_with(&format!("# {id}: "))),
            "{id} does not pass after the patch and no comment names it:\n{patch}\n{out}"
        );
    }
    assert_eq!(code, 0, "{out}");
}

//! A manifest that is also the policy, in real containers: a Pod and a
//! Deployment played with `podman kube play`, each with a ConfigMap that
//! holds the manifest itself, mounted at `/etc/posture`, and the static CLI
//! checking `--policy /etc/posture/pod.yaml`: it passes. The same Pod with
//! `hostUsers: false` runs in a user namespace of its own (uid 0 is a host
//! uid from the subordinate range of the user `containers`): userns_remap
//! passes and `spec.hostUsers` is applied. Then the same image under
//! `podman run` with the manifest's settings as flags, once as declared
//! (passes) and once per drifted field (an added capability, no read-only
//! root, another user, a bigger memory limit, `seccomp=unconfined`,
//! `--privileged` naming the default seccomp profile): each fails, naming
//! exactly that field. For each drift, the `--format k8s-patch` output of
//! that drifted container names the field as drift and covers the checks
//! the drift fails (none for another non-root user or a bigger limit:
//! asserted), the manifest describing the drifted run (the field changed;
//! for seccomp `Unconfined`, which podman 4.3 applies only through the
//! annotation the API server derived from it, see [`seccomp_annotations`])
//! played reproduces it, and with the patch merged, played again, every
//! check the patch covers passes and every declared field is applied.
//! `examples/guard` in the played Pod, the manifest as its
//! `POSTURE_POLICY`, starts. A weak Pod's `--format k8s-patch` output
//! merged into its manifest and played again makes every check the patch
//! covers pass; so does every fixture's (the distinct patches of all of
//! tests/fixtures, each merged into one weak Pod and played once).
//! `hostUsers: false` is played wherever a patch sets it; only an AppArmor
//! profile is left out (see [`playable`]).
//!
//! Opt-in through the `runtime-tests` feature (root, podman with runc, the
//! base image and a subordinate id range for the user `containers`: `bash
//! .ci/setup-runtimes.sh`):
//!
//! ```text
//! cargo test --features runtime-tests --test manifest_play
//! ```
//!
//! The image is built here, `localhost/posture-manifest:latest` (FROM
//! scratch, the static CLI at `/posture` and `examples/guard` at `/guard`,
//! USER 1000:1000), not the shared
//! `localhost/posture:latest`, which other suites rebuild.

mod common;

#[path = "runtimes/harness.rs"]
#[allow(unused_macros)]
mod harness;

use std::sync::OnceLock;

use harness::{Need, TempDir};
use serde_json::{Value, json};

#[path = "manifests/merge.rs"]
mod merge;

const IMAGE: &str = "localhost/posture-manifest:latest";

fn image() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        harness::scratch_image(
            "podman",
            IMAGE,
            &[
                ("posture", &harness::posture_bin()),
                ("guard", &guard_bin()),
            ],
            Some("1000:1000"),
            "posture",
        );
    });
    IMAGE
}

/// `examples/guard.rs`, static, with the features the harness builds the
/// other static binaries with (so nothing else rebuilds).
fn guard_bin() -> std::path::PathBuf {
    let out = std::process::Command::new("bash")
        .arg(harness::repo().join("scripts/build-static.sh"))
        .arg("guard")
        .env("POSTURE_STATIC_FEATURES", "prometheus")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run scripts/build-static.sh");
    assert!(
        out.status.success(),
        "build-static.sh guard: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The pod spec the manifests declare: non-root, no capabilities, no
/// privilege escalation, a read-only root, the runtime's seccomp profile,
/// 64 MiB of memory, no service-account token; the container checks itself
/// against the manifest mounted at /etc/posture.
fn pod_spec(configmap: &str) -> Value {
    json!({
        "restartPolicy": "Never",
        "automountServiceAccountToken": false,
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": 1000,
            "runAsGroup": 1000,
            "seccompProfile": {"type": "RuntimeDefault"}
        },
        "containers": [{
            "name": "app",
            "image": IMAGE,
            "imagePullPolicy": "Never",
            "args": ["--check", "--policy", "/etc/posture/pod.yaml"],
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "privileged": false,
                "capabilities": {"drop": ["ALL"]}
            },
            "resources": {"limits": {"memory": "64Mi"}},
            "volumeMounts": [{"name": "policy", "mountPath": "/etc/posture", "readOnly": true}]
        }],
        "volumes": [{"name": "policy", "configMap": {"name": configmap}}]
    })
}

/// JSON is YAML: the manifest text the ConfigMap carries and posture reads.
fn text(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap() + "\n"
}

/// The declared fields the manifest makes (the same for the Pod and the
/// Deployment, under their own paths), in derivation order.
fn fields(spec: &str) -> Vec<String> {
    let c = format!("{spec}.containers[app]");
    vec![
        format!("{spec}.securityContext.runAsUser"),
        format!("{spec}.securityContext.runAsGroup"),
        format!("{spec}.securityContext.runAsNonRoot"),
        format!("{spec}.securityContext.seccompProfile.type"),
        format!("{c}.securityContext.capabilities.drop"),
        format!("{c}.securityContext.capabilities.add"),
        format!("{c}.securityContext.privileged"),
        format!("{c}.securityContext.allowPrivilegeEscalation"),
        format!("{c}.securityContext.readOnlyRootFilesystem"),
        format!("{spec}.automountServiceAccountToken"),
        format!("{c}.resources.limits.memory"),
    ]
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
            let field = w.next().unwrap().trim_end_matches(':').to_string();
            (status, field)
        })
        .collect()
}

/// Plays `docs` (the ConfigMap first) and returns the container's logs and
/// exit status.
fn play(tag: &str, docs: &[Value], pod: &str, ctr: &str, volume: &str) -> (String, i32) {
    let (out, _, code) = play_err(tag, docs, pod, ctr, volume);
    (out, code)
}

/// [`play`], with the container's stderr too: (stdout, stderr, status).
fn play_err(
    tag: &str,
    docs: &[Value],
    pod: &str,
    ctr: &str,
    volume: &str,
) -> (String, String, i32) {
    // One played Pod at a time: podman 4.3.1 can deadlock when two
    // processes allocate `--userns=auto` ranges at once (userns.lock and
    // storage.lock taken in opposite orders, podman issue #16062, fixed in
    // 4.4). Seen in CI: two concurrent `kube play`s of `hostUsers: false`
    // Pods both hung until the 180 s bound, with no podman event at all.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new(tag);
    let file = dir.path().join("play.yaml");
    let body: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    std::fs::write(&file, body.join("\n---\n") + "\n").unwrap();
    let cleanup = harness::Cleanup::pod(&file, pod);
    harness::must("podman", &["kube", "play", file.to_str().unwrap()], 180);
    let code = harness::must("podman", &["wait", ctr], 180);
    let logs = harness::sh("podman", &["logs", ctr], 60);
    drop(cleanup);
    let _ = harness::sh("podman", &["volume", "rm", "-f", volume], 60);
    (
        String::from_utf8_lossy(&logs.stdout).into_owned(),
        String::from_utf8_lossy(&logs.stderr).into_owned(),
        code.trim().parse().unwrap(),
    )
}

fn assert_all_pass(logs: &str, spec: &str) {
    let want: Vec<(String, String)> = fields(spec)
        .into_iter()
        .map(|f| ("pass".to_string(), f))
        .collect();
    assert_eq!(declared(logs), want, "{logs}");
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_played_pod_whose_manifest_is_its_policy_passes() {
    harness::require(&[Need::Podman]);
    image();
    let name = harness::unique("declared-pod");
    let cm = format!("{name}-policy");
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": pod_spec(&cm),
    });
    let configmap = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": cm},
        "data": {"pod.yaml": text(&pod)},
    });
    let (logs, code) = play(
        "declared-pod",
        &[configmap, pod],
        &name,
        &format!("{name}-app"),
        &cm,
    );
    assert_eq!(code, 0, "{logs}");
    assert_all_pass(&logs, "spec");
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_played_deployment_whose_manifest_is_its_policy_passes() {
    harness::require(&[Need::Podman]);
    image();
    let name = harness::unique("declared-deploy");
    let cm = format!("{name}-policy");
    let mut spec = pod_spec(&cm);
    // A Deployment's pods restart: exit status read from podman inspect
    // after the first run, and restartPolicy Always (the only one allowed).
    spec["restartPolicy"] = json!("Always");
    let deploy = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    });
    let configmap = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": cm},
        "data": {"pod.yaml": text(&deploy)},
    });
    let dir = TempDir::new("declared-deploy");
    let file = dir.path().join("play.yaml");
    std::fs::write(&file, format!("{}\n---\n{}\n", configmap, deploy)).unwrap();
    let pod = format!("{name}-pod-0");
    let ctr = format!("{pod}-app");
    let cleanup = harness::Cleanup::pod(&file, &pod);
    harness::must("podman", &["kube", "play", file.to_str().unwrap()], 180);
    // The first run's log: wait until it has its totals line.
    let t = std::time::Instant::now();
    let logs = loop {
        let out = harness::sh("podman", &["logs", &ctr], 60);
        let logs = String::from_utf8_lossy(&out.stdout).into_owned();
        if logs.contains("Totals:") || t.elapsed() > std::time::Duration::from_secs(120) {
            break logs;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    drop(cleanup);
    let _ = harness::sh("podman", &["volume", "rm", "-f", &cm], 60);
    assert!(logs.contains(": PASS\n"), "{logs}");
    assert_all_pass(&logs, "spec.template.spec");
}

/// `podman run` of the image with the manifest's settings as flags, one
/// changed by `drift` (a flag to add, or one to leave out), the manifest
/// (the Pod) bind-mounted read-only at /etc/posture: (logs, exit status).
fn run_drifted(add: &[&str], leave_out: Option<&str>) -> (String, i32) {
    run_spec(pod_spec("unused"), add, leave_out, &[])
}

/// [`run_drifted`] with the Pod's spec `spec`, and `more` arguments for
/// the CLI after `--check --policy /etc/posture/pod.yaml`.
fn run_spec(spec: Value, add: &[&str], leave_out: Option<&str>, more: &[&str]) -> (String, i32) {
    harness::require(&[Need::Podman]);
    image();
    let dir = TempDir::new("declared-run");
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "declared"},
        "spec": spec,
    });
    std::fs::write(dir.path().join("pod.yaml"), text(&pod)).unwrap();
    let mount = format!("{}:/etc/posture:ro", dir.path().display());
    let name = harness::unique("declared-run");
    let _cleanup = harness::Cleanup::container("podman", &name);
    let mut args: Vec<&str> = vec!["run", "--name", &name, "--network=none", "-v", &mount];
    let declared = [
        "--user=1000:1000",
        "--cap-drop=ALL",
        "--read-only",
        "--security-opt=no-new-privileges",
        "--memory=64m",
    ];
    args.extend(declared.iter().filter(|f| Some(**f) != leave_out));
    args.extend_from_slice(add);
    args.extend([IMAGE, "--check", "--policy", "/etc/posture/pod.yaml"]);
    args.extend_from_slice(more);
    let out = harness::sh("podman", &args, 120);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The fields of the section that did not pass.
fn drifted(logs: &str) -> Vec<String> {
    declared(logs)
        .into_iter()
        .filter(|(s, _)| s != "pass")
        .map(|(_, f)| f)
        .collect()
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn run_as_declared_passes() {
    let (logs, code) = run_drifted(&[], None);
    assert_eq!(code, 0, "{logs}");
    assert_all_pass(&logs, "spec");
}

/// One `podman run` that drifts from the manifest it is checked against,
/// and the manifest that describes what it ran.
struct Drift {
    name: &'static str,
    /// What the matching manifest ([`pod_spec`]) declares beyond the
    /// common spec.
    declared: fn(&mut Value),
    /// The flag `podman run` adds, and the one it leaves out.
    add: &'static [&'static str],
    leave_out: Option<&'static str>,
    /// The only field that drifts, and what its line says was applied.
    field: &'static str,
    applied: &'static str,
    /// The matching manifest changed in that field so that `podman kube
    /// play` runs what the drifted `podman run` ran: the drifted run's
    /// manifest, into which its patch is merged.
    describe: fn(&mut Value),
    /// The checks the drift fails (written by hand): those its patch
    /// covers beyond what the run as declared's patch covers.
    fails: &'static [&'static str],
}

fn nothing(_: &mut Value) {}

fn privileged(spec: &mut Value) {
    spec["containers"][0]["securityContext"]["privileged"] = json!(true);
}

/// The pod's seccompProfile `Unconfined`: podman 4.3's kube play reads
/// only the seccomp annotations, which [`play_own_policy_err`] derives
/// from the fields as the API server did (Kubernetes 1.19 to 1.26), so
/// the played pod runs with no filter.
fn unconfined(spec: &mut Value) {
    spec["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"});
}

const CAP_ADD: Drift = Drift {
    name: "an added capability",
    declared: nothing,
    add: &["--cap-add=NET_RAW"],
    leave_out: None,
    field: "spec.containers[app].securityContext.capabilities.add",
    applied: "declared [], applied CAP_NET_RAW",
    describe: |s| s["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_RAW"]),
    fails: &["capabilities_dropped"],
};

const WRITABLE_ROOT: Drift = Drift {
    name: "a writable root",
    declared: nothing,
    add: &[],
    leave_out: Some("--read-only"),
    field: "spec.containers[app].securityContext.readOnlyRootFilesystem",
    applied: "declared true, applied / mounted rw",
    describe: |s| s["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(false),
    fails: &["read_only_rootfs"],
};

/// Another non-root user: no check fails, the patch has nothing of its own.
const OTHER_USER: Drift = Drift {
    name: "another user",
    declared: nothing,
    add: &["--user=1001:1000"],
    leave_out: Some("--user=1000:1000"),
    field: "spec.securityContext.runAsUser",
    applied: "declared 1000, applied 1001",
    describe: |s| s["securityContext"]["runAsUser"] = json!(1001),
    fails: &[],
};

/// Still a memory limit: resource_limits passes, the patch has nothing of
/// its own.
const BIGGER_MEMORY: Drift = Drift {
    name: "a bigger memory limit",
    declared: nothing,
    add: &["--memory=128m"],
    leave_out: Some("--memory=64m"),
    field: "spec.containers[app].resources.limits.memory",
    applied: "declared 64Mi (67108864 bytes), applied 128Mi (134217728 bytes)",
    describe: |s| s["containers"][0]["resources"]["limits"]["memory"] = json!("128Mi"),
    fails: &[],
};

const SECCOMP_UNCONFINED: Drift = Drift {
    name: "seccomp=unconfined",
    declared: nothing,
    add: &["--security-opt=seccomp=unconfined"],
    leave_out: None,
    field: "spec.securityContext.seccompProfile.type",
    applied: "declared RuntimeDefault, applied no filter (Seccomp: 0)",
    describe: unconfined,
    fails: &["seccomp"],
};

/// Measured: podman run --privileged with the runtime's default profile
/// named explicitly runs with no filter at all. A manifest declaring a
/// privileged container with the runtime's default profile drifts in
/// exactly that field. The manifest that describes the run says
/// `Unconfined` (kube play of a privileged container applies no filter
/// either way).
const PRIVILEGED_DEFAULT_PROFILE: Drift = Drift {
    name: "--privileged naming the default seccomp profile",
    declared: privileged,
    add: &[
        "--privileged",
        "--security-opt=seccomp=/usr/share/containers/seccomp.json",
    ],
    leave_out: None,
    field: "spec.securityContext.seccompProfile.type",
    applied: "declared RuntimeDefault, applied no filter (Seccomp: 0)",
    describe: unconfined,
    fails: &["not_privileged", "seccomp"],
};

const DRIFTS: [&Drift; 6] = [
    &CAP_ADD,
    &WRITABLE_ROOT,
    &OTHER_USER,
    &BIGGER_MEMORY,
    &SECCOMP_UNCONFINED,
    &PRIVILEGED_DEFAULT_PROFILE,
];

/// The matching manifest's spec `d` is checked against.
fn declared_spec(d: &Drift) -> Value {
    let mut spec = pod_spec("unused");
    (d.declared)(&mut spec);
    spec
}

/// `d`'s run, the CLI's output in `more`'s format: (output, exit status).
fn run_drift(d: &Drift, more: &[&str]) -> (String, i32) {
    run_spec(declared_spec(d), d.add, d.leave_out, more)
}

fn fails_naming(d: &Drift) {
    let (logs, code) = run_drift(d, &[]);
    assert_eq!(code, 1, "{}: {logs}", d.name);
    assert_eq!(drifted(&logs), [d.field], "{}: {logs}", d.name);
    let line = logs
        .lines()
        .find(|l| l.contains(&format!(" {}: ", d.field)))
        .unwrap();
    assert!(line.contains(d.applied), "{}: {line}", d.name);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn an_added_capability_is_drift_in_capabilities_add() {
    fails_naming(&CAP_ADD);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_writable_root_is_drift_in_read_only_root_filesystem() {
    fails_naming(&WRITABLE_ROOT);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn another_user_is_drift_in_run_as_user() {
    fails_naming(&OTHER_USER);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_bigger_memory_limit_is_drift_in_limits_memory() {
    fails_naming(&BIGGER_MEMORY);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn seccomp_unconfined_is_drift_in_seccomp_profile() {
    fails_naming(&SECCOMP_UNCONFINED);
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn privileged_naming_the_default_seccomp_profile_is_drift_in_seccomp_profile() {
    fails_naming(&PRIVILEGED_DEFAULT_PROFILE);
}

/// The checks of the JSON output `out` whose status is not `status`, among
/// `ids`; every expectation (declared field) that did not pass; and each
/// field [`pod_spec`] declares that is not among them (lost on the way).
fn not_as_expected(out: &str, ids: &[String], status: &str) -> Result<Vec<String>, String> {
    let (expectations, mut bad) = merge::judged(out, ids, status)?;
    // A container's field stands for the pod's (it overrides it), and a
    // privileged container's capabilities are not expected (it holds all).
    let declares = |f: &str, v: Option<&str>| {
        expectations
            .iter()
            .any(|e| e["field"] == f && v.is_none_or(|v| e["declared"] == v))
    };
    let privileged = declares(
        "spec.containers[app].securityContext.privileged",
        Some("true"),
    );
    for f in fields("spec") {
        let twin = f.replacen("spec.", "spec.containers[app].", 1);
        let moot = privileged && f.contains(".capabilities.");
        if !(declares(&f, None) || declares(&twin, None) || moot) {
            bad.push(format!("{f} not declared"));
        }
    }
    Ok(bad)
}

/// What went wrong with drift `d`'s patch (nothing: it worked): its run's
/// `--format k8s-patch` output names the drifted field and covers `d.fails`
/// beyond `baseline` (what the run as declared's patch covers); the
/// drifted run's manifest, played, applies every field it declares and
/// fails `d.fails`; with the patch merged, played again, every check the
/// patch covers passes and every declared field is applied.
fn drift_patch_failures(d: &Drift, baseline: &[String]) -> Vec<String> {
    let (patch, code) = run_drift(d, &["--format", "k8s-patch", "--container", "app"]);
    if code != 1 {
        return vec![format!("run exited {code}: {patch}")];
    }
    let mut bad = Vec::new();
    let comment = format!("# {}: {}: already declared", d.field, d.applied);
    if !patch.lines().any(|l| l.starts_with(&comment)) {
        bad.push(format!("no line {comment:?} in the patch:\n{patch}"));
    }
    let covered = merge::covered(&patch);
    let own: Vec<&str> = covered
        .iter()
        .map(String::as_str)
        .filter(|c| !baseline.iter().any(|b| b == c))
        .collect();
    if own != d.fails {
        bad.push(format!(
            "covers {own:?} beyond the run as declared, want {:?}:\n{patch}",
            d.fails
        ));
    }
    let mut spec = declared_spec(d);
    (d.describe)(&mut spec);
    spec["containers"][0]["args"] =
        json!(["--check", "--policy", "/etc/posture/pod.yaml", "--json"]);
    let fails: Vec<String> = d.fails.iter().map(|s| s.to_string()).collect();
    let (out, err, _) = play_own_policy_err(
        "drift-manifest",
        &harness::unique("drift-manifest"),
        spec.clone(),
    );
    match not_as_expected(&out, &fails, "fail") {
        Ok(b) => bad.extend(
            b.into_iter()
                .map(|b| format!("its manifest played: {b}\n{spec:#}")),
        ),
        Err(e) => bad.push(format!("its manifest played: {e}{err}")),
    }
    let mut p = merge::yaml_to_json(&patch);
    let covered = playable(&mut p, covered);
    merge::merge(&mut spec, &p["spec"]);
    let (out, err, code) = play_own_policy_err(
        "drift-patched",
        &harness::unique("drift-patched"),
        spec.clone(),
    );
    match not_as_expected(&out, &covered, "pass") {
        Ok(b) => bad.extend(
            b.into_iter()
                .map(|b| format!("patched: {b}\n{patch}\n{spec:#}")),
        ),
        Err(e) => bad.push(format!("patched: {e}{err}")),
    }
    if code != 0 {
        let failed: Vec<String> = serde_json::from_str::<Value>(&out)
            .map(|doc| {
                doc["assessment"]["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["required"] == true && c["status"] != "pass")
                    .map(|c| format!("{}: {}", c["id"], c["evidence"]))
                    .collect()
            })
            .unwrap_or_default();
        bad.push(format!("patched: exit {code}: {failed:#?}\n{spec:#}"));
    }
    bad
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn each_drifted_runs_k8s_patch_applied_to_its_manifest_passes_when_played() {
    // What the run as declared's patch covers (it passes, but runs in the
    // host's user namespace: userns_remap is a warning, and the patch
    // covers warnings too): every drifted run's patch covers it as well.
    let (patch, code) = run_spec(
        pod_spec("unused"),
        &[],
        None,
        &["--format", "k8s-patch", "--container", "app"],
    );
    assert_eq!(code, 0, "{patch}");
    let baseline = merge::covered(&patch);
    assert_eq!(baseline, ["userns_remap"], "{patch}");
    let mut failures = Vec::new();
    for d in DRIFTS {
        for f in drift_patch_failures(d, &baseline) {
            failures.push(format!("{}: {f}", d.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The seccomp annotations of a pod whose spec is `spec`, derived from its
/// `seccompProfile` fields as the API server did for Kubernetes 1.19 to
/// 1.26 (the pod's field to `seccomp.security.alpha.kubernetes.io/pod`, a
/// container's to `container.seccomp.security.alpha.kubernetes.io/<name>`).
/// Podman 4.3's kube play reads only these annotations (measured: a
/// container's `seccompProfile: {type: Unconfined}` alone still runs with
/// the default filter; the pod annotation `unconfined` runs with none, and
/// a container's annotation `runtime/default` overrides it), so without
/// them a played pod's seccompProfile would choose nothing.
fn seccomp_annotations(spec: &Value) -> Value {
    let value = |p: &Value| match p["type"].as_str() {
        Some("RuntimeDefault") => Some("runtime/default".to_string()),
        Some("Unconfined") => Some("unconfined".to_string()),
        Some("Localhost") => p["localhostProfile"]
            .as_str()
            .map(|f| format!("localhost/{f}")),
        _ => None,
    };
    let mut a = serde_json::Map::new();
    if let Some(v) = value(&spec["securityContext"]["seccompProfile"]) {
        a.insert("seccomp.security.alpha.kubernetes.io/pod".into(), json!(v));
    }
    for c in spec["containers"].as_array().into_iter().flatten() {
        if let (Some(name), Some(v)) = (
            c["name"].as_str(),
            value(&c["securityContext"]["seccompProfile"]),
        ) {
            a.insert(
                format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
                json!(v),
            );
        }
    }
    Value::Object(a)
}

/// Plays a Pod named `name` whose spec is `spec` with its manifest in a
/// ConfigMap mounted at /etc/posture (the policy): (logs, exit status).
fn play_own_policy(tag: &str, name: &str, spec: Value) -> (String, i32) {
    let (out, _, code) = play_own_policy_err(tag, name, spec);
    (out, code)
}

/// [`play_own_policy`] with the container's stderr: (stdout, stderr, status).
fn play_own_policy_err(tag: &str, name: &str, spec: Value) -> (String, String, i32) {
    let cm = format!("{name}-policy");
    let mut spec = spec;
    spec["volumes"] = json!([{"name": "policy", "configMap": {"name": cm}}]);
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": seccomp_annotations(&spec)},
        "spec": spec,
    });
    let configmap = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": cm},
        "data": {"pod.yaml": text(&pod)},
    });
    play_err(tag, &[configmap, pod], name, &format!("{name}-app"), &cm)
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn the_k8s_patch_applied_makes_the_checks_it_covers_pass() {
    harness::require(&[Need::Podman]);
    image();
    // A weak Pod (root, the default capabilities, a writable root, no
    // limits) whose manifest is its policy: the checklist's checks fail
    // and --format k8s-patch prints the fields.
    let mut spec = json!({
        "restartPolicy": "Never",
        "securityContext": {"runAsUser": 0},
        "containers": [{
            "name": "app",
            "image": IMAGE,
            "imagePullPolicy": "Never",
            "args": ["--check", "--policy", "/etc/posture/pod.yaml", "--format", "k8s-patch"],
            // The recipe's variable: the patch names this container.
            "env": [{"name": "POSTURE_CONTAINER", "value": "app"}],
            "volumeMounts": [{"name": "policy", "mountPath": "/etc/posture", "readOnly": true}]
        }],
    });
    let (patch, code) = play_own_policy("weak-pod", &harness::unique("weak-pod"), spec.clone());
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
    let mut p = merge::yaml_to_json(&patch);
    // Not applied here: what `playable` removes (an AppArmor profile on a
    // host without an LSM).
    let covered = playable(&mut p, covered);
    // The patch is for the pod spec (spec.containers[name]): merged there.
    merge::merge(&mut spec, &p["spec"]);
    spec["containers"][0]["args"] =
        json!(["--check", "--policy", "/etc/posture/pod.yaml", "--json"]);
    let (out, code) = play_own_policy("patched-pod", &harness::unique("patched-pod"), spec.clone());
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    for id in &covered {
        let c = checks.iter().find(|c| c["id"] == **id).unwrap();
        assert_eq!(c["status"], "pass", "{id} after {patch}\n{spec:#}\n{c}");
    }
    assert_eq!(code, 0, "{patch}\n{out}");
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn the_guard_example_in_a_played_pod_whose_manifest_is_its_policy() {
    harness::require(&[Need::Podman]);
    image();
    let guard_spec = |privileged: bool| {
        let mut spec = pod_spec("unused");
        let c = &mut spec["containers"][0];
        if privileged {
            c["securityContext"]["privileged"] = json!(true);
            c["securityContext"]["allowPrivilegeEscalation"] = json!(true);
        }
        c["command"] = json!(["/guard"]);
        c["args"] = json!([]);
        c["env"] = json!([
            {"name": "POSTURE_POLICY", "value": "/etc/posture/pod.yaml"},
            {"name": "POSTURE_CONTAINER", "value": "app"},
        ]);
        spec
    };
    // The guard probes the filter (posture::enforce does). Podman's
    // default profile lets some dangerous calls through (unshare, mount,
    // ptrace, ...: they fail in the kernel for want of a capability) but
    // blocks those every runtime's default blocks, so `seccompProfile:
    // RuntimeDefault` is met as declared and the guard starts.
    let name = harness::unique("guard-pod");
    let (out, err, code) = play_own_policy_err("guard-pod", &name, guard_spec(false));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("/etc/posture/pod.yaml") && out.contains("\" passed ("),
        "{out}{err}"
    );
    // The same manifest with a privileged container: podman runs it with
    // no filter (and every capability), so seccompProfile drifts, and the
    // guard refuses with 78, naming that field among the drifted ones.
    let name = harness::unique("guard-pod");
    let (out, err, code) = play_own_policy_err("guard-pod", &name, guard_spec(true));
    assert_eq!(code, 78, "{out}{err}");
    let bad: Vec<String> = declared(&err)
        .into_iter()
        .filter(|(s, _)| s != "pass")
        .map(|(_, f)| f)
        .collect();
    assert!(
        bad.iter()
            .any(|f| f == "spec.securityContext.seccompProfile.type"),
        "{bad:?}\n{err}"
    );
    assert!(err.contains("no filter (Seccomp: 0)"), "{err}");
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_failing_fixtures_k8s_patch_applied_to_its_manifest_passes_when_played() {
    // The CLI on the podman-default fixture tree (podman run's defaults:
    // root, the default capabilities, a writable root) with the manifest
    // that declares them: the checklist's checks fail, and the patch says
    // how to fix them. Merged into that manifest and played with the
    // image, every check the patch covers passes.
    harness::require(&[Need::Podman]);
    image();
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/manifests/podman-default.yaml");
    let (patch, code) = fixture_patch("podman-default", &manifest);
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
    let mut p = merge::yaml_to_json(&patch);
    let covered = playable(&mut p, covered);
    let mut doc = merge::yaml_to_json(&std::fs::read_to_string(&manifest).unwrap());
    merge::merge(&mut doc["spec"], &p["spec"]);
    let mut spec = doc["spec"].clone();
    spec["restartPolicy"] = json!("Never");
    let c = &mut spec["containers"][0];
    c["image"] = json!(IMAGE);
    c["imagePullPolicy"] = json!("Never");
    c["args"] = json!(["--check", "--policy", "/etc/posture/pod.yaml", "--json"]);
    c["env"] = json!([{"name": "POSTURE_CONTAINER", "value": "app"}]);
    c["volumeMounts"] = json!([{"name": "policy", "mountPath": "/etc/posture", "readOnly": true}]);
    let name = harness::unique("fixture-patched");
    let (out, err, code) = play_own_policy_err("fixture-patched", &name, spec.clone());
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    for id in &covered {
        let c = checks.iter().find(|c| c["id"] == **id).unwrap();
        assert_eq!(c["status"], "pass", "{id} after {patch}\n{spec:#}\n{c}");
    }
    assert_eq!(code, 0, "{patch}\n{out}");
}

/// The generic base Pod every fixture's patch is merged into: weak (no
/// securityContext, no limits: podman's defaults), the image checking
/// itself, as JSON, against its own manifest (mounted at /etc/posture by
/// [`play_own_policy_err`]).
fn weak_spec() -> Value {
    json!({
        "restartPolicy": "Never",
        "containers": [{
            "name": "app",
            "image": IMAGE,
            "imagePullPolicy": "Never",
            "args": ["--check", "--policy", "/etc/posture/pod.yaml", "--json"],
            "env": [{"name": "POSTURE_CONTAINER", "value": "app"}],
            "volumeMounts": [{"name": "policy", "mountPath": "/etc/posture", "readOnly": true}]
        }],
    })
}

/// Takes out of the patch `p` what `podman kube play` cannot honour on
/// this host, and returns the checks `covered` less the ones those fields
/// fixed: a container's `appArmorProfile` (mac_enforced). This host has
/// no LSM (`/proc/self/attr/current` is EINVAL), so nothing can enforce it
/// here (podman 4.3 accepts the field and applies nothing).
///
/// Kept: `spec.hostUsers: false` (userns_remap), which podman kube play
/// runs with `--userns=auto`: a range of the subordinate ids of the user
/// `containers` (asserted here, see [`containers_subuid`]). And
/// `seccompProfile`, which chooses the filter through the annotations
/// [`play_own_policy_err`] derives from it (see [`seccomp_annotations`]).
fn playable(p: &mut Value, covered: Vec<String>) -> Vec<String> {
    if p["spec"]["hostUsers"] == json!(false) {
        containers_subuid();
    }
    let mut gone = Vec::new();
    // get_mut, not `[]`: indexing a missing key mutably inserts a null,
    // which the merge would then write over the manifest's own field.
    if let Some(cs) = p
        .get_mut("spec")
        .and_then(|s| s.get_mut("containers"))
        .and_then(Value::as_array_mut)
    {
        for c in cs {
            if let Some(sc) = c.get_mut("securityContext").and_then(Value::as_object_mut)
                && sc.remove("appArmorProfile").is_some()
            {
                gone.push("mac_enforced");
            }
        }
    }
    covered
        .into_iter()
        .filter(|c| !gone.contains(&c.as_str()))
        .collect()
}

/// The subordinate uid range of the user `containers` in /etc/subuid
/// (start, count), from which podman's `--userns=auto` (kube play's
/// `hostUsers: false`) takes each pod's ids; panics naming the script that
/// adds it if there is none (podman would fail "no subuid ranges found for
/// user \"containers\"").
fn containers_subuid() -> (u64, u64) {
    let subuid = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
    let range = subuid.lines().find_map(|l| {
        let mut f = l.strip_prefix("containers:")?.split(':');
        Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
    });
    range.expect(
        "no range for the user containers in /etc/subuid, which podman kube play needs for \
         hostUsers: false (--userns=auto): run .ci/setup-runtimes.sh",
    )
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root, podman with runc and a subuid range for containers"
)]
fn a_played_pod_with_host_users_false_runs_in_a_remapped_user_namespace() {
    // The declared Pod with hostUsers: false, its manifest its policy:
    // podman kube play gives it a user namespace of its own (--userns=auto),
    // so userns_remap passes and every declared field is applied, hostUsers
    // included. Where uid 0 lands is read from the report's uid_map and held
    // against the range /etc/subuid gives the user containers (not 0).
    harness::require(&[Need::Podman]);
    image();
    let (start, count) = containers_subuid();
    let mut spec = pod_spec("unused");
    spec["hostUsers"] = json!(false);
    spec["containers"][0]["args"] =
        json!(["--check", "--policy", "/etc/posture/pod.yaml", "--json"]);
    let name = harness::unique("host-users");
    let (out, err, code) = play_own_policy_err("host-users", &name, spec);
    assert_eq!(code, 0, "{out}{err}");
    let bad = not_as_expected(&out, &["userns_remap".into()], "pass");
    assert_eq!(bad, Ok(vec![]), "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let expectations = doc["assessment"]["expectations"].as_array().unwrap();
    let host_users = expectations
        .iter()
        .find(|e| e["field"] == "spec.hostUsers")
        .unwrap_or_else(|| panic!("no spec.hostUsers: {expectations:#?}"));
    assert_eq!(host_users["declared"], "false", "{host_users}");
    let ns = &doc["report"]["user_namespace"];
    assert_eq!(ns["initial"]["known"], false, "{ns}");
    let ranges = ns["uid_map"]["known"]["ranges"].as_array().unwrap();
    let root = ranges
        .iter()
        .find(|r| r["inside"] == 0)
        .unwrap_or_else(|| panic!("uid 0 unmapped: {ns}"));
    let outside = root["outside"].as_u64().unwrap();
    assert!(
        outside != 0
            && outside >= start
            && outside + root["count"].as_u64().unwrap() <= start + count,
        "uid 0 is host uid {outside}, not in containers:{start}:{count}: {ns}"
    );
    assert_eq!(
        ns["root_uid"]["known"]["unprivileged"]["outside"], outside,
        "{ns}"
    );
}

/// `posture --check --format k8s-patch --container app` on the fixture
/// tree `fixture` with the manifest `policy`: (the patch, exit status).
fn fixture_patch(fixture: &str, policy: &std::path::Path) -> (String, i32) {
    let out = std::process::Command::new(common::posture_bin())
        .args(["--check", "--format", "k8s-patch", "--container", "app"])
        .arg("--root")
        .arg(common::fixture_dir(fixture))
        .arg("--policy")
        .arg(policy)
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE")
        .env_remove("POSTURE_CONTAINER")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// One patch the fixtures emit, the checks it covers, and which fixtures
/// emit it.
struct Distinct {
    text: String,
    fields: Value,
    covered: Vec<String>,
    fixtures: Vec<String>,
}

/// How many fixtures under tests/fixtures emit a patch with at least one
/// field, and how many distinct patches (fields and the checks they cover;
/// comments aside) they emit: a new fixture, or a change in what the patch
/// says, shows here.
const FIXTURES_PATCHED: usize = 54;
const DISTINCT_PATCHES: usize = 18;

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn every_fixtures_k8s_patch_applied_to_a_weak_pod_passes_when_played() {
    // The CLI on each fixture tree with one weak Pod manifest as the
    // policy (nothing declared, so no drift: the checklist's checks alone)
    // prints the patch that fixture needs. Many fixtures need the same:
    // each distinct patch is merged into that weak Pod and played once,
    // the manifest its own policy, and every check it covers must pass,
    // every field it declares applied.
    harness::require(&[Need::Podman]);
    image();
    let dir = TempDir::new("weak-base");
    let policy = dir.path().join("pod.yaml");
    let base = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "weak"},
        "spec": weak_spec(),
    });
    std::fs::write(&policy, text(&base)).unwrap();
    let mut distinct: Vec<Distinct> = Vec::new();
    let mut patched = 0;
    for fixture in common::all_fixtures() {
        let (patch, code) = fixture_patch(&fixture, &policy);
        assert!(code == 0 || code == 1, "{fixture}: exit {code}: {patch}");
        let covered = merge::covered(&patch);
        if covered.is_empty() {
            assert!(patch.ends_with("nothing to patch\n"), "{fixture}: {patch}");
            continue;
        }
        patched += 1;
        let fields = merge::yaml_to_json(&patch);
        match distinct
            .iter_mut()
            .find(|d| d.fields == fields && d.covered == covered)
        {
            Some(d) => d.fixtures.push(fixture),
            None => distinct.push(Distinct {
                text: patch,
                fields,
                covered,
                fixtures: vec![fixture],
            }),
        }
    }
    let list: Vec<String> = distinct
        .iter()
        .map(|d| format!("{:?}: {}", d.fixtures, d.covered.join(" ")))
        .collect();
    assert_eq!(patched, FIXTURES_PATCHED, "{list:#?}");
    assert_eq!(distinct.len(), DISTINCT_PATCHES, "{list:#?}");
    let mut failures = Vec::new();
    let mut played = 0;
    for d in &distinct {
        let mut p = d.fields.clone();
        let covered = playable(&mut p, d.covered.clone());
        if covered.is_empty() {
            // Only fields this host cannot honour (see playable).
            continue;
        }
        played += 1;
        let mut spec = weak_spec();
        merge::merge(&mut spec, &p["spec"]);
        let name = harness::unique("fixture-patch");
        let (out, err, _code) = play_own_policy_err("fixture-patch", &name, spec.clone());
        let doc: Value = match serde_json::from_str(&out) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{:?}: {e}: {out}{err}", d.fixtures));
                continue;
            }
        };
        let checks = doc["assessment"]["checks"].as_array().unwrap();
        for id in &covered {
            let c = checks.iter().find(|c| c["id"] == **id).unwrap();
            if c["status"] != "pass" {
                failures.push(format!(
                    "{:?}: {id} after {}\n{spec:#}\n{c}",
                    d.fixtures, d.text
                ));
            }
        }
        // Every field the patched manifest declares was applied.
        for e in doc["assessment"]["expectations"].as_array().unwrap() {
            if e["status"] != "pass" {
                failures.push(format!("{:?}: drift {e}\n{}", d.fixtures, d.text));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(played > 0);
}

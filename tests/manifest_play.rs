//! A manifest that is also the policy, in real containers: a Pod and a
//! Deployment played with `podman kube play`, each with a ConfigMap that
//! holds the manifest itself, mounted at `/etc/posture`, and the static CLI
//! checking `--policy /etc/posture/pod.yaml`: it passes. Then the same image
//! under `podman run` with the manifest's settings as flags, once as
//! declared (passes) and once per drifted field (an added capability, no
//! read-only root, another user, a bigger memory limit,
//! `seccomp=unconfined`, `--privileged` naming the default seccomp
//! profile): each fails, naming exactly that field. `examples/guard` in
//! the played Pod, the manifest as its `POSTURE_POLICY`, starts. A weak
//! Pod's `--format k8s-patch` output merged into its manifest and played
//! again makes every check the patch covers pass; so does every fixture's
//! (the distinct patches of all of tests/fixtures, each merged into one
//! weak Pod and played once).
//!
//! Opt-in through the `runtime-tests` feature (root, podman with runc and
//! the base image: `bash .ci/setup-runtimes.sh`):
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
    run_spec(pod_spec("unused"), add, leave_out)
}

/// [`run_drifted`] with the Pod's spec `spec`.
fn run_spec(spec: Value, add: &[&str], leave_out: Option<&str>) -> (String, i32) {
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

fn fails_naming(add: &[&str], leave_out: Option<&str>, field: &str, applied: &str) {
    let (logs, code) = run_drifted(add, leave_out);
    assert_eq!(code, 1, "{add:?} {leave_out:?}: {logs}");
    assert_eq!(drifted(&logs), [field], "{add:?} {leave_out:?}: {logs}");
    let line = logs
        .lines()
        .find(|l| l.contains(&format!(" {field}: ")))
        .unwrap();
    assert!(line.contains(applied), "{line}");
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn an_added_capability_is_drift_in_capabilities_add() {
    fails_naming(
        &["--cap-add=NET_RAW"],
        None,
        "spec.containers[app].securityContext.capabilities.add",
        "declared [], applied CAP_NET_RAW",
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_writable_root_is_drift_in_read_only_root_filesystem() {
    fails_naming(
        &[],
        Some("--read-only"),
        "spec.containers[app].securityContext.readOnlyRootFilesystem",
        "declared true, applied / mounted rw",
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn another_user_is_drift_in_run_as_user() {
    fails_naming(
        &["--user=1001:1000"],
        Some("--user=1000:1000"),
        "spec.securityContext.runAsUser",
        "declared 1000, applied 1001",
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn a_bigger_memory_limit_is_drift_in_limits_memory() {
    fails_naming(
        &["--memory=128m"],
        Some("--memory=64m"),
        "spec.containers[app].resources.limits.memory",
        "declared 64Mi (67108864 bytes), applied 128Mi (134217728 bytes)",
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn seccomp_unconfined_is_drift_in_seccomp_profile() {
    fails_naming(
        &["--security-opt=seccomp=unconfined"],
        None,
        "spec.securityContext.seccompProfile.type",
        "declared RuntimeDefault, applied no filter (Seccomp: 0)",
    );
}

#[test]
#[cfg_attr(
    not(feature = "runtime-tests"),
    ignore = "needs root and podman with runc"
)]
fn privileged_naming_the_default_seccomp_profile_is_drift_in_seccomp_profile() {
    // Measured: podman run --privileged with the runtime's default profile
    // named explicitly runs with no filter at all. A manifest declaring a
    // privileged container with the runtime's default profile drifts in
    // exactly that field.
    let mut spec = pod_spec("unused");
    spec["containers"][0]["securityContext"]["privileged"] = json!(true);
    let (logs, code) = run_spec(
        spec,
        &[
            "--privileged",
            "--security-opt=seccomp=/usr/share/containers/seccomp.json",
        ],
        None,
    );
    assert_eq!(code, 1, "{logs}");
    let field = "spec.securityContext.seccompProfile.type";
    assert_eq!(drifted(&logs), [field], "{logs}");
    let line = logs
        .lines()
        .find(|l| l.contains(&format!(" {field}: ")))
        .unwrap();
    assert!(
        line.contains("declared RuntimeDefault, applied no filter (Seccomp: 0)"),
        "{line}"
    );
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
        "metadata": {"name": name},
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
    // Not applied here: what `playable` removes (`hostUsers: false` needs
    // a subuid range for podman's --userns=auto that this host lacks).
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
/// fixed:
/// - `spec.hostUsers: false` (userns_remap): podman kube play turns it
///   into `--userns=auto`, which needs a subuid range for the user
///   `containers` that this host's /etc/subuid does not have;
/// - a container's `appArmorProfile` (mac_enforced): this host has no LSM
///   (`/proc/self/attr/current` is EINVAL), so nothing can enforce it
///   here (podman 4.3 accepts the field and applies nothing).
///
/// Kept, though it proves less here: `seccompProfile`. Podman 4.3's kube
/// play applies its default filter whatever the container's
/// `seccompProfile` says (measured: `Unconfined` still runs with a
/// filter), so the played Pod shows the field is accepted and the check
/// passes, not that the field chose the filter.
fn playable(p: &mut Value, covered: Vec<String>) -> Vec<String> {
    let mut gone = Vec::new();
    if let Some(spec) = p["spec"].as_object_mut()
        && spec.remove("hostUsers").is_some()
    {
        gone.push("userns_remap");
    }
    if let Some(cs) = p["spec"]["containers"].as_array_mut() {
        for c in cs {
            if let Some(sc) = c["securityContext"].as_object_mut()
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

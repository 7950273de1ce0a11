//! What the comments of `examples/k8s/deployment.yaml` and
//! `examples/k8s/job-gate.yaml` say happens, each in a real `podman kube
//! play` on this host: the manifest as shipped, then with the one line a
//! comment names removed from its text (PyYAML then turns it into the JSON
//! documents `kube play` reads; only names are made unique per run).
//!
//! Opt-in through the `runtime-tests` feature, like `tests/runtimes.rs`,
//! whose harness builds the images (needs root, podman with runc and the
//! base image: `bash .ci/setup-runtimes.sh`):
//!
//! ```text
//! cargo test --features runtime-tests --test k8s_play
//! ```
//!
//! podman 4.3's `kube play` runs no Jobs: the gate Job's pod template runs
//! as a Pod, beside the ConfigMap that holds its policy. The Deployment runs
//! as a Deployment (one replica, restart policy Always: a refused container
//! is restarted, so its exit status is read from `podman inspect`), without
//! its `ports` list: podman 4.3 also publishes a containerPort on the host,
//! and these tests run several at once; they reach the pod on its own
//! address.

mod common;

#[path = "runtimes/harness.rs"]
#[allow(unused_macros)]
mod harness;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{Need, TempDir};
use serde_json::{Value, json};

fn manifest(name: &str) -> String {
    let p = harness::repo().join("examples/k8s").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `text` without the one line whose trimmed text is `line`.
fn without(text: &str, line: &str) -> String {
    let n = text.lines().filter(|l| l.trim() == line).count();
    assert_eq!(n, 1, "the manifest has {n} lines `{line}`");
    text.lines()
        .filter(|l| l.trim() != line)
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Every document of a YAML text, as JSON, by PyYAML.
fn yaml_docs(text: &str) -> Vec<Value> {
    let dir = TempDir::new("yaml");
    let f = dir.path().join("m.yaml");
    std::fs::write(&f, text).unwrap();
    const TO_JSON: &str = "import json, sys, yaml\n\
        with open(sys.argv[1]) as f:\n    docs = [d for d in yaml.safe_load_all(f) if d is not None]\n\
        print(json.dumps(docs))";
    let out = Command::new("python3")
        .args(["-c", TO_JSON])
        .arg(&f)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): install python3-yaml"));
    assert!(
        out.status.success(),
        "PyYAML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A played manifest: `podman kube down`, the pod and the ConfigMap's
/// volume removed on drop.
struct Played {
    _dir: TempDir,
    cleanup: Option<harness::Cleanup>,
    volume: Option<String>,
}

impl Drop for Played {
    fn drop(&mut self) {
        // The pod first (kube down), then the volume it used.
        drop(self.cleanup.take());
        if let Some(v) = &self.volume {
            let _ = harness::sh("podman", &["volume", "rm", "-f", v], 60);
        }
    }
}

/// Writes the documents as one file and plays it.
fn play(tag: &str, docs: &[Value], pod: &str, volume: Option<String>) -> Played {
    let dir = TempDir::new(tag);
    let file: PathBuf = dir.path().join("play.yaml");
    let text: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    std::fs::write(&file, text.join("\n---\n") + "\n").unwrap();
    let cleanup = harness::Cleanup::pod(&file, pod);
    let played = Played {
        _dir: dir,
        cleanup: Some(cleanup),
        volume,
    };
    harness::must("podman", &["kube", "play", file.to_str().unwrap()], 180);
    played
}

/// The checklist rows (`id status severity required`) of a `--check` text.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .filter(|w: &Vec<String>| w.len() == 4 && w[0] != "id")
        .collect()
}

/// The ids of the rows that fail the verdict: failed or unknown, required.
fn blocking(text: &str) -> Vec<String> {
    rows(text)
        .into_iter()
        .filter(|w| w[1] != "pass" && w[3] == "yes")
        .map(|w| w[0].clone())
        .collect()
}

// ------------------------------------------------------------ job-gate.yaml

/// The gate's pod template as a Pod, with its ConfigMap, the manifest's
/// text having lost `remove` if given: (logs, exit status).
fn gate(remove: Option<&str>) -> (String, i32) {
    harness::require(&[Need::Podman]);
    harness::hardened_image();
    let mut text = manifest("job-gate.yaml");
    if let Some(line) = remove {
        text = without(&text, line);
    }
    let docs = yaml_docs(&text);
    let name = harness::unique("gate");
    let cm_name = format!("{name}-policy");
    let mut cm = docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .expect("job-gate.yaml has its ConfigMap")
        .clone();
    let old_cm = cm["metadata"]["name"].clone();
    cm["metadata"]["name"] = json!(cm_name);
    let job = docs.iter().find(|d| d["kind"] == "Job").expect("a Job");
    let mut spec = job["spec"]["template"]["spec"].clone();
    for v in spec["volumes"].as_array_mut().expect("volumes") {
        if v["configMap"]["name"] == old_cm {
            v["configMap"]["name"] = json!(cm_name);
        }
    }
    let ctr = format!("{name}-{}", spec["containers"][0]["name"].as_str().unwrap());
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": job["spec"]["template"]["metadata"]["labels"]},
        "spec": spec,
    });
    let _played = play("gate", &[cm, pod], &name, Some(cm_name));
    let code = harness::must("podman", &["wait", &ctr], 180);
    let logs = harness::must("podman", &["logs", &ctr], 60);
    (logs, code.trim().parse().unwrap())
}

#[test]
fn gate_as_shipped_passes() {
    let (logs, code) = gate(None);
    assert_eq!(code, 0, "{logs}");
    assert!(logs.starts_with("Checks policy \"gate\": PASS\n"), "{logs}");
    // The ConfigMap's policy is in force: read_only_rootfs is judged and
    // required (pss-restricted alone ignores it).
    let ro: Vec<_> = rows(&logs)
        .into_iter()
        .filter(|w| w[0] == "read_only_rootfs")
        .collect();
    assert_eq!(ro, [["read_only_rootfs", "pass", "recommended", "yes"]]);
    assert!(blocking(&logs).is_empty(), "{logs}");
}

/// The comment: remove one of these lines and the Job fails, on this check.
fn gate_fails_without(line: &str, check: &str) {
    let (logs, code) = gate(Some(line));
    assert_eq!(code, 1, "without `{line}`: {logs}");
    assert!(
        logs.starts_with("Checks policy \"gate\": FAIL\n"),
        "without `{line}`: {logs}"
    );
    assert_eq!(blocking(&logs), [check], "without `{line}`: {logs}");
}

#[test]
fn gate_fails_without_read_only_root() {
    gate_fails_without("readOnlyRootFilesystem: true", "read_only_rootfs");
}

#[test]
fn gate_fails_without_no_privilege_escalation() {
    gate_fails_without("allowPrivilegeEscalation: false", "no_new_privs");
}

#[test]
fn gate_fails_without_drop_all() {
    gate_fails_without("drop: [\"ALL\"]", "capabilities_dropped");
}

// ---------------------------------------------------------- deployment.yaml

/// The Deployment, renamed, the manifest's text having lost `remove` if
/// given, its args replaced by `args` if given: (played, pod, container).
fn deployment(tag: &str, remove: Option<&str>, args: Option<&[&str]>) -> (Played, String, String) {
    harness::require(&[Need::Podman]);
    harness::health_image();
    let mut text = manifest("deployment.yaml");
    if let Some(line) = remove {
        text = without(&text, line);
    }
    let mut docs = yaml_docs(&text);
    assert_eq!(docs.len(), 1);
    let name = harness::unique(tag);
    let d = &mut docs[0];
    assert_eq!(d["kind"], "Deployment");
    d["metadata"]["name"] = json!(name);
    let c = &mut d["spec"]["template"]["spec"]["containers"][0];
    if let Some(a) = args {
        c["args"] = json!(a);
    }
    // podman 4.3 publishes a containerPort on the host's port too: two of
    // these pods at once would collide on 8080. The tests reach the pod on
    // its own address, so the declaration goes.
    c.as_object_mut().unwrap().remove("ports");
    let pod = format!("{name}-pod-0");
    let ctr = format!("{pod}-{}", c["name"].as_str().unwrap());
    let played = play(tag, &docs, &pod, None);
    (played, pod, ctr)
}

/// The exit status a refused container had, read while podman restarts it
/// (restart policy Always), and its log.
fn refused(ctr: &str) -> (i32, String) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let s = harness::must(
            "podman",
            &["inspect", ctr, "--format", "{{.State.ExitCode}}"],
            30,
        );
        let code: i32 = s.trim().parse().unwrap();
        if code != 0 {
            let logs = harness::sh("podman", &["logs", ctr], 60);
            let mut text = String::from_utf8_lossy(&logs.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&logs.stderr));
            return (code, text);
        }
        assert!(
            Instant::now() < deadline,
            "{ctr} did not exit within 90 s (it should be refused)"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The comment: remove this line and the guard refuses, exit 78, with the
/// failed check, its evidence and its fix in the log.
fn deployment_refused_without(line: &str, check: &str, severity: &str) {
    let (_played, _pod, ctr) = deployment("health-refused", Some(line), None);
    let (code, logs) = refused(&ctr);
    assert_eq!(code, 78, "without `{line}`: {logs}");
    assert!(
        logs.starts_with(
            "posture: refusing to start: 1 required check(s) of policy \"pss-restricted\" did not pass\n"
        ),
        "without `{line}`: {logs}"
    );
    // The refusal repeats on every restart; its first block names the check.
    let first: String = logs
        .split("posture: refusing to start")
        .nth(1)
        .unwrap()
        .to_string();
    assert_eq!(
        rows(&first),
        [[check, "fail", severity, "yes"]],
        "without `{line}`: {logs}"
    );
    assert!(first.contains("evidence: "), "{logs}");
    assert!(first.contains("fix: run: "), "{logs}");
}

#[test]
fn deployment_refused_without_drop_all() {
    deployment_refused_without("drop: [\"ALL\"]", "capabilities_dropped", "must");
}

#[test]
fn deployment_refused_without_no_privilege_escalation() {
    deployment_refused_without(
        "allowPrivilegeEscalation: false",
        "no_new_privs",
        "recommended",
    );
}

/// `GET path` on the pod's own address, retried until it answers.
fn get(pod: &str, ctr: &str, path: &str) -> (u16, String) {
    let infra = harness::must(
        "podman",
        &["pod", "inspect", pod, "--format", "{{.InfraContainerID}}"],
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
    let addr = format!(
        "{}:8080",
        ip.split_whitespace().next().expect("the pod has no IP")
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match harness::http_get(&addr, path) {
            Ok(r) => return r,
            Err(e) => {
                if Instant::now() >= deadline {
                    let logs = harness::sh("podman", &["logs", ctr], 30);
                    panic!(
                        "GET http://{addr}{path}: {e}\nlogs: {}{}",
                        String::from_utf8_lossy(&logs.stdout),
                        String::from_utf8_lossy(&logs.stderr)
                    );
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        }
    }
}

#[test]
fn deployment_report_only_serves_503_with_the_failing_id() {
    let (_played, pod, ctr) = deployment(
        "health-report-only",
        Some("drop: [\"ALL\"]"),
        Some(&[
            "--listen",
            "0.0.0.0:8080",
            "--policy",
            "pss-restricted",
            "--report-only",
        ]),
    );
    let (code, body) = get(&pod, &ctr, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert_eq!(
        body.trim(),
        "fail policy=pss-restricted blocking=capabilities_dropped"
    );
}

/// The comment's "why not --policy checklist": without `drop: ["ALL"]` the
/// checklist passes, the capabilities left in the bounding set named in its
/// evidence as unreachable.
#[test]
fn deployment_without_drop_all_passes_the_checklist() {
    let (_played, pod, ctr) = deployment(
        "health-checklist",
        Some("drop: [\"ALL\"]"),
        Some(&[
            "--listen",
            "0.0.0.0:8080",
            "--policy",
            "checklist",
            "--expose-details",
        ]),
    );
    let (code, body) = get(&pod, &ctr, "/healthz");
    assert_eq!(code, 200, "{body}");
    assert_eq!(body.trim(), "pass policy=checklist");
    let (code, doc) = get(&pod, &ctr, "/posture");
    assert_eq!(code, 200, "{doc}");
    let v: Value = serde_json::from_str(&doc).unwrap();
    let r = &v["report"];
    // uid 1000 with no_new_privs: nothing effective, the runtime's
    // defaults (podman's include CAP_CHOWN) left in the bounding set.
    assert_eq!(
        r["capabilities"]["effective"]["known"]["hex"],
        "0000000000000000"
    );
    let bounding: Vec<&str> = r["capabilities"]["bounding"]["known"]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(bounding.contains(&"CAP_CHOWN"), "{bounding:?}");
    assert_eq!(r["no_new_privs"]["known"]["enabled"], true);
    let c = v["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "capabilities_dropped")
        .unwrap();
    assert_eq!(c["status"], "pass");
    let ev = c["evidence"].as_str().unwrap();
    assert!(
        ev.contains("bounding set holds") && ev.contains("(unreachable: no_new_privs is on)"),
        "{ev}"
    );
}

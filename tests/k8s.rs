//! The Kubernetes manifests under `examples/k8s`, parsed by a real YAML
//! parser (yaml-rust2, a YAML 1.2 parser that passes the YAML test suite;
//! with the `tool-tests` feature PyYAML's `safe_load_all`, Debian's
//! `python3-yaml`, must read every file the same): each file is
//! valid YAML, every container sets `terminationMessagePolicy:
//! FallbackToLogsOnError` (so a refusal's failed checks reach the pod's
//! status), the CI-gate Job runs the image's CLI once with a
//! securityContext that meets the restricted Pod Security Standard and the
//! policy its ConfigMap holds, and the securityContext lines the comments
//! say change nothing when removed do repeat the pod's or a default.
//!
//! Whether the manifests pass or fail the checks they say they do in a real
//! pod is `tests/runtimes.rs` and `tests/k8s_play.rs` (feature
//! `runtime-tests`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

fn k8s_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/k8s")
}

/// A YAML node as JSON, the way PyYAML's documents turn into `json.dumps`:
/// mappings with string keys, integers, floats, booleans and null.
fn to_json(path: &Path, y: &Yaml) -> Value {
    match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => json!(b),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => json!(
            y.as_f64()
                .unwrap_or_else(|| panic!("{}: {r:?} is no float", path.display()))
        ),
        Yaml::String(s) => json!(s),
        Yaml::Array(a) => Value::Array(a.iter().map(|v| to_json(path, v)).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let k = match k {
                        Yaml::String(s) => s.clone(),
                        other => panic!(
                            "{}: a mapping key {other:?} that is not a string",
                            path.display()
                        ),
                    };
                    (k, to_json(path, v))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::BadValue => {
            panic!(
                "{}: {y:?} (aliases are not used in the manifests)",
                path.display()
            )
        }
    }
}

/// Every document of a YAML file, as JSON, by yaml-rust2; empty documents
/// are left out, as `safe_load_all`'s `None`s are.
fn load(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    docs.iter()
        .map(|d| to_json(path, d))
        .filter(|d| !d.is_null())
        .collect()
}

/// Every document of a YAML file, as JSON, by PyYAML.
fn load_with_pyyaml(path: &Path) -> Vec<Value> {
    const TO_JSON: &str = "import json, sys, yaml\n\
        with open(sys.argv[1]) as f:\n    docs = list(yaml.safe_load_all(f))\n\
        print(json.dumps(docs))";
    let out = Command::new("python3")
        .args(["-c", TO_JSON])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): install python3 and python3-yaml (apt-get install python3-yaml)")
        });
    assert!(
        out.status.success(),
        "{} is not valid YAML (or PyYAML is missing: apt-get install python3-yaml):\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

/// PyYAML (YAML 1.1) reads every manifest as yaml-rust2 (YAML 1.2) does:
/// no `yes`/`no`/`on`/`off`, octal or sexagesimal scalar means something
/// else to one of them.
#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs python3 with PyYAML (python3-yaml): cargo test --features tool-tests"
)]
fn pyyaml_reads_every_manifest_as_yaml_rust2_does() {
    let files = manifest_files();
    assert!(!files.is_empty());
    for p in files {
        assert_eq!(load_with_pyyaml(&p), load(&p), "{}", p.display());
    }
}

fn manifest_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(k8s_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

fn manifests() -> Vec<(String, Vec<Value>)> {
    manifest_files()
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, load(&p))
        })
        .collect()
}

/// The workload of a file: its one document that is not a ConfigMap.
fn workload<'a>(file: &str, docs: &'a [Value]) -> &'a Value {
    let w: Vec<&Value> = docs.iter().filter(|d| d["kind"] != "ConfigMap").collect();
    assert_eq!(
        w.len(),
        1,
        "{file}: one workload per file (besides ConfigMaps)"
    );
    w[0]
}

/// The pod spec of a workload: a Pod's own, or its template's.
fn pod_spec<'a>(file: &str, doc: &'a Value) -> &'a Value {
    match doc["kind"].as_str() {
        Some("Pod") => &doc["spec"],
        Some("Deployment" | "Job" | "DaemonSet" | "StatefulSet") => {
            &doc["spec"]["template"]["spec"]
        }
        Some("CronJob") => &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        other => panic!("{file}: a kind this test does not know: {other:?}"),
    }
}

fn containers<'a>(file: &str, doc: &'a Value) -> Vec<&'a Value> {
    let spec = pod_spec(file, doc);
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec[k].as_array())
        .flatten()
        .collect()
}

#[test]
fn the_examples_are_the_expected_files() {
    let names: Vec<String> = manifests().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "deployment.yaml",
            "job-gate.yaml",
            "pod-baseline.yaml",
            "pod-hostpid.yaml",
            "pod-privileged.yaml",
            "pod-restricted.yaml",
        ]
    );
}

#[test]
fn every_container_falls_back_to_its_log_on_error() {
    for (file, docs) in manifests() {
        let cs = containers(&file, workload(&file, &docs));
        assert!(!cs.is_empty(), "{file}: no containers");
        for c in cs {
            assert_eq!(
                c["terminationMessagePolicy"], "FallbackToLogsOnError",
                "{file}: container {}",
                c["name"]
            );
        }
    }
}

/// The path the image's Dockerfile copies the CLI to, which is also its
/// entrypoint.
fn cli_in_image() -> String {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Dockerfile"))
            .unwrap();
    let copy = text
        .lines()
        .find_map(|l| l.strip_prefix("COPY posture "))
        .expect("examples/Dockerfile has a `COPY posture <path>` line")
        .trim()
        .to_string();
    assert!(
        text.lines()
            .any(|l| l == format!("ENTRYPOINT [\"{copy}\"]")),
        "the Dockerfile's entrypoint is {copy}:\n{text}"
    );
    copy
}

#[test]
fn the_gate_job_runs_the_check_once_as_restricted() {
    let docs = load(&k8s_dir().join("job-gate.yaml"));
    let job = workload("job-gate.yaml", &docs);
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    // One attempt: a retry would hide nothing and only delay the verdict.
    assert_eq!(job["spec"]["backoffLimit"], 0);
    let pod = pod_spec("job-gate.yaml", job);
    assert_eq!(pod["restartPolicy"], "Never");
    assert_eq!(pod["automountServiceAccountToken"], false);
    let cs = containers("job-gate.yaml", job);
    assert_eq!(cs.len(), 1);
    let c = cs[0];
    let cli = cli_in_image();
    assert_eq!(cli, "/posture");
    assert_eq!(
        c["command"],
        json!([cli, "--check", "--policy", "/etc/posture/gate.toml"])
    );
    assert_eq!(c["image"], "localhost/posture:latest");
    // The restricted Pod Security Standard's container and pod fields
    // (kubernetes.io/docs/concepts/security/pod-security-standards), written
    // out here: the values the pss-restricted preset then finds in the pod.
    let sc = &c["securityContext"];
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["privileged"], false);
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
    assert!(sc["capabilities"]["add"].is_null(), "{sc}");
    assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault");
    let psc = &pod["securityContext"];
    assert_eq!(psc["runAsNonRoot"], true);
    assert_ne!(psc["runAsUser"], 0);
    for host in ["hostPID", "hostIPC", "hostNetwork"] {
        assert!(pod[host].is_null() || pod[host] == false, "{host}");
    }
    // One volume, no hostPath: the ConfigMap in the same file, mounted
    // read-only where the command reads the policy.
    let cm: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "ConfigMap").collect();
    assert_eq!(cm.len(), 1);
    let cm_name = &cm[0]["metadata"]["name"];
    assert_eq!(
        pod["volumes"],
        json!([{"name": "policy", "configMap": {"name": cm_name}}])
    );
    assert_eq!(
        c["volumeMounts"],
        json!([{"name": "policy", "mountPath": "/etc/posture", "readOnly": true}])
    );
}

/// The gate's policy, read by the library from the ConfigMap's text: the
/// pss-restricted preset with read_only_rootfs required.
#[cfg(feature = "policy-file")]
#[test]
fn the_gate_policy_is_pss_restricted_plus_a_read_only_root() {
    use posture::CheckId;
    use posture::policy::{Action, Policy, Preset};
    let docs = load(&k8s_dir().join("job-gate.yaml"));
    let cm = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    let text = cm["data"]["gate.toml"].as_str().expect("data.gate.toml");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate.toml");
    std::fs::write(&path, text).unwrap();
    let gate = Policy::from_name_or_path(path.to_str().unwrap()).unwrap();
    let restricted = Policy::preset(Preset::PssRestricted);
    // What pss-restricted does not require: read_only_rootfs is ignored
    // there (it is no Pod Security control).
    assert_eq!(restricted.action(CheckId::ReadOnlyRootfs), Action::Ignore);
    assert_eq!(gate.action(CheckId::ReadOnlyRootfs), Action::Require);
    for &id in CheckId::ALL {
        if id != CheckId::ReadOnlyRootfs {
            assert_eq!(gate.action(id), restricted.action(id), "{id}");
        }
    }
    assert_eq!(gate.rules(), restricted.rules());
    assert_eq!(
        gate.allowed_capabilities(),
        restricted.allowed_capabilities()
    );
}

/// The manifests' comments say which container securityContext lines a
/// check catches when removed, and that removing any other one alone changes
/// nothing, because it repeats the pod-level securityContext or the
/// Kubernetes default. Checked here for the Deployment and the Job; what the
/// removals do in a real pod is `tests/k8s_play.rs`.
#[test]
fn the_other_security_context_lines_repeat_the_pod_or_a_default() {
    // The lines each comment names on their own (caught when removed, or
    // said not to be judged); every other line must repeat the pod or a
    // default.
    for (file, named) in [
        (
            "deployment.yaml",
            &[
                "allowPrivilegeEscalation",
                "capabilities",
                "readOnlyRootFilesystem",
            ][..],
        ),
        (
            "job-gate.yaml",
            &[
                "allowPrivilegeEscalation",
                "capabilities",
                "readOnlyRootFilesystem",
            ][..],
        ),
    ] {
        let docs = load(&k8s_dir().join(file));
        let w = workload(file, &docs);
        let pod = pod_spec(file, w);
        let cs = containers(file, w);
        assert_eq!(cs.len(), 1, "{file}");
        let sc = cs[0]["securityContext"].as_object().unwrap();
        for (k, v) in sc {
            if named.contains(&k.as_str()) {
                continue;
            }
            // Kubernetes defaults: privileged false.
            let default = k == "privileged" && *v == json!(false);
            let repeated = pod["securityContext"][k] == *v;
            assert!(
                default || repeated,
                "{file}: container securityContext.{k}: {v} is neither the pod's ({}) nor a default",
                pod["securityContext"][k]
            );
        }
    }
}

//! A Kubernetes manifest as the policy (feature `manifest`): the `posture`
//! binary on fixture trees with the manifests of `tests/manifests`, the
//! drift named by field path in every format, the container choice, the
//! printed TOML policy reading back the same, hostile manifests refused
//! with exit 2 in bounded time, and proptests over the YAML reader.
//!
//! Each fixture's facts are its own captured files; each drift expected
//! here is the one flag its capture command (`capture/command.txt`) adds
//! to `podman run`'s defaults, which `tests/manifests/podman-default.yaml`
//! declares.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use posture::__private::manifest::{self, Node};
use posture::policy::ManifestError;
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::{fixture_dir, fixture_report, posture_bin};
#[path = "common/schema.rs"]
mod schema;

fn manifest_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/manifests")
        .join(name)
}

/// The binary with no policy, override or container from the environment.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(posture_bin());
    c.args(args)
        .env_remove("NO_COLOR")
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE")
        .env_remove("POSTURE_CONTAINER");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run the posture binary")
}

fn check_json(fixture: &str, policy: &Path, extra: &[&str]) -> (i32, Value) {
    let root = fixture_dir(fixture);
    let mut args = vec![
        "--check",
        "--json",
        "--root",
        root.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args, &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

/// The fields whose expectation did not pass, and every expectation's field.
fn drifted(doc: &Value) -> (Vec<String>, usize) {
    let e = doc["assessment"]["expectations"]
        .as_array()
        .expect("expectations in the assessment");
    (
        e.iter()
            .filter(|x| x["status"] != "pass")
            .map(|x| x["field"].as_str().unwrap().to_string())
            .collect(),
        e.len(),
    )
}

#[test]
fn the_restricted_pod_is_its_own_passing_policy() {
    // tests/fixtures/k8s-restricted was captured by `podman kube play` of
    // this very manifest.
    let pod = fixture_dir("k8s-restricted").join("capture/pod.yaml");
    let (code, doc) = check_json("k8s-restricted", &pod, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(drifted(&doc), (vec![], 10));
    schema::assert_valid("k8s-restricted with its manifest", &doc);
    // Text: the section and one pass line per field.
    let root = fixture_dir("k8s-restricted");
    let out = run(
        &[
            "--check",
            "--root",
            root.to_str().unwrap(),
            "--policy",
            pod.to_str().unwrap(),
        ],
        &[],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Declared versus applied: 0 of 10 fields drifted or unknown"),
        "{text}"
    );
    assert!(text.contains(
        "  pass     spec.containers[capture].securityContext.runAsUser: declared 1000, applied 1000\n"
    ));
}

#[test]
fn each_drift_is_named_by_exactly_its_field() {
    let policy = manifest_path("podman-default.yaml");
    let c = "spec.containers[app].securityContext";
    let cases: &[(&str, &[String])] = &[
        ("podman-default", &[]),
        ("podman-cap-sys-admin", &[format!("{c}.capabilities.add")]),
        (
            "podman-seccomp-unconfined",
            &[format!("{c}.seccompProfile.type")],
        ),
        ("podman-pid-host", &["spec.hostPID".to_string()]),
        (
            "privileged",
            &[
                format!("{c}.seccompProfile.type"),
                format!("{c}.capabilities.add"),
                format!("{c}.privileged"),
            ],
        ),
    ];
    for (fixture, want) in cases {
        let (code, doc) = check_json(fixture, &policy, &[]);
        let (fields, n) = drifted(&doc);
        assert_eq!(n, 9, "{fixture}");
        assert_eq!(&fields, want, "{fixture}");
        // The checklist's checks fail these root containers anyway: exit 1.
        assert_eq!(code, 1, "{fixture}");
        schema::assert_valid(fixture, &doc);
    }
    // The drift line names the declared and the applied value.
    let root = fixture_dir("podman-cap-sys-admin");
    let out = run(
        &[
            "--check",
            "--root",
            root.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
        &[],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "  fail     {c}.capabilities.add: declared [], applied CAP_CHOWN CAP_DAC_OVERRIDE \
             CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP \
             CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_SYS_ADMIN CAP_SETFCAP\n"
        )),
        "{text}"
    );
    // The evidence, wrapped across lines, says what is beyond the default.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(
        "evidence: held beyond podman default set (11 capabilities) minus drop, plus add: CAP_SYS_ADMIN"
    ));
}

#[test]
fn limits_pass_as_declared_and_a_smaller_declared_limit_is_drift() {
    let (_, doc) = check_json("podman-limits", &manifest_path("podman-limits.yaml"), &[]);
    assert_eq!(drifted(&doc), (vec![], 2));
    // The same Deployment declaring 128Mi: the 256m applied is drift.
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    let text = std::fs::read_to_string(manifest_path("podman-limits.yaml"))
        .unwrap()
        .replace("256Mi", "128Mi")
        .replace("500m", "250m");
    std::fs::write(&m, text).unwrap();
    let (_, doc) = check_json("podman-limits", &m, &[]);
    let l = "spec.template.spec.containers[app].resources.limits";
    assert_eq!(drifted(&doc).0, [format!("{l}.memory"), format!("{l}.cpu")]);
    let e = &doc["assessment"]["expectations"][0];
    assert_eq!(e["declared"], "128Mi (134217728 bytes)");
    assert_eq!(e["applied"], "256Mi (268435456 bytes)");
    // An unlimited container: drift too, never a pass.
    let (_, doc) = check_json("podman-default", &m, &[]);
    assert_eq!(drifted(&doc).0.len(), 2);
}

#[test]
fn junit_metrics_and_the_guard_carry_the_drift() {
    let policy =
        posture::Policy::from_name_or_path(manifest_path("podman-default.yaml").to_str().unwrap())
            .unwrap();
    let report = fixture_report("podman-seccomp-unconfined");
    let a = posture::evaluate(&report, &policy);
    let field = "spec.containers[app].securityContext.seccompProfile.type";
    let line = format!("{field}: declared RuntimeDefault, applied no filter (Seccomp: 0)");
    assert_eq!(
        a.drift().map(|e| e.to_string()).collect::<Vec<_>>(),
        std::slice::from_ref(&line)
    );
    let xml = posture::render::junit(&a);
    assert!(
        xml.contains(&format!(
            "<testcase classname=\"{}\" name=\"{field}\">\n      <failure type=\"drift\" message=\"{line}\">",
            a.policy
        )),
        "{xml}"
    );
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        suite.attribute("tests").unwrap(),
        (a.checks.len() + a.expectations.len()).to_string()
    );
    let summary = posture::render::prometheus::render_summary(&a);
    common::exposition_check(&summary);
    let series: Vec<&str> = summary
        .lines()
        .filter(|l| l.starts_with("posture_drift{"))
        .collect();
    assert_eq!(
        series,
        [format!(
            "posture_drift{{field=\"{field}\",declared=\"RuntimeDefault\",applied=\"no filter (Seccomp: 0)\",status=\"fail\"}} 1"
        )]
    );
    let full = posture::render::prometheus::render(&report, &a);
    common::exposition_check(&full);
    assert!(full.contains("posture_drift{"));
    // The guard refuses, listing the drift (exit 78 in enforce).
    let refusal = posture::guard_report(&report, &policy).unwrap_err();
    let msg = refusal.to_string();
    assert!(
        msg.contains("1 declared field(s) not applied as declared"),
        "{msg}"
    );
    assert!(msg.contains(&line), "{msg}");
    // Ignoring every check leaves only the drift to fail the verdict.
    let mut only = policy.clone();
    for id in posture::CheckId::ALL {
        only = only.set(*id, posture::policy::Action::Ignore);
    }
    assert!(!posture::evaluate(&report, &only).passed());
    assert!(posture::evaluate(&fixture_report("podman-default"), &only).passed());
}

#[test]
fn the_container_is_chosen_by_flag_or_environment() {
    let multi = manifest_path("multi.yaml");
    let root = fixture_dir("k8s-restricted");
    let base = [
        "--check",
        "--root",
        root.to_str().unwrap(),
        "--policy",
        multi.to_str().unwrap(),
    ];
    let out = run(&base, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("3 containers; choose one with --container NAME or POSTURE_CONTAINER (choices: web/app, sidecar, nightly/app)"),
        "{err}"
    );
    let out = run(&[&base[..], &["--container", "app"]].concat(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than one container \"app\""));
    // The sidecar declares root: drift on the k8s-restricted fixture (uid 1000).
    let (code, doc) = check_json("k8s-restricted", &multi, &["--container", "sidecar"]);
    assert_eq!(code, 1);
    assert_eq!(
        drifted(&doc).0,
        ["spec.template.spec.containers[sidecar].securityContext.runAsUser"]
    );
    // The web app inherits the pod's runAsUser 1000: as applied.
    let (code, doc) = check_json("k8s-restricted", &multi, &["--container", "web/app"]);
    assert_eq!(drifted(&doc), (vec![], 1), "{doc:#}");
    assert_eq!(code, 0);
    // The downward API's way: POSTURE_CONTAINER, with the policy from POSTURE_POLICY.
    let out = run(
        &["--check", "--root", root.to_str().unwrap()],
        &[
            ("POSTURE_POLICY", multi.to_str().unwrap()),
            ("POSTURE_CONTAINER", "nightly/app"),
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("pass     spec.jobTemplate.spec.template.spec.containers[app].securityContext.readOnlyRootFilesystem: declared true, applied / mounted ro"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0));
    // --container without --check is a usage error.
    assert_eq!(run(&["--container", "x"], &[]).status.code(), Some(2));
}

#[test]
fn the_printed_policy_reads_back_the_same() {
    let pod = fixture_dir("k8s-restricted").join("capture/pod.yaml");
    let out = run(&["--print-policy", "--policy", pod.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(
        toml.contains("[[expect]]\nfield = \"spec.containers[capture].securityContext.runAsUser\"")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, &toml).unwrap();
    let from_manifest = posture::Policy::from_name_or_path(pod.to_str().unwrap()).unwrap();
    let from_toml = posture::Policy::from_name_or_path(file.to_str().unwrap()).unwrap();
    assert_eq!(from_toml, from_manifest);
    // And printing a preset prints every check's action.
    let out = run(&["--print-policy", "--policy", "strict"], &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    let p = posture::Policy::from_document(&text, false, "x").unwrap();
    assert_eq!(p, posture::Policy::preset(posture::Preset::Strict));
    assert_eq!(
        run(&["--print-policy", "--check"], &[]).status.code(),
        Some(2)
    );
}

/// Writes `text` to a temporary manifest and checks it as the policy.
fn refused(text: &[u8]) -> (String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.yaml");
    std::fs::write(&file, text).unwrap();
    let root = fixture_dir("k8s-restricted");
    let t = Instant::now();
    let out = run(
        &[
            "--check",
            "--root",
            root.to_str().unwrap(),
            "--policy",
            file.to_str().unwrap(),
        ],
        &[],
    );
    let took = t.elapsed();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    (String::from_utf8(out.stderr).unwrap(), took)
}

#[test]
fn hostile_manifests_exit_2_in_bounded_time() {
    let mut laughs =
        String::from("apiVersion: v1\nkind: Pod\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=9u8 {
        let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        laughs.push_str(&format!(
            "{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    let huge = format!(
        "apiVersion: v1\nkind: Pod\nx: \"{}\"\n",
        "y".repeat(1 << 20)
    );
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let cases: [(&[u8], &str); 6] = [
        (
            laughs.as_bytes(),
            "YAML nodes (aliases counted as what they expand to): refused",
        ),
        (huge.as_bytes(), "cannot read policy file"),
        (deep.as_bytes(), "hostile.yaml"),
        (
            b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
            "no Pod or workload with a pod template (kinds found: Secret;",
        ),
        (
            b"apiVersion: v1\nkind: Pod\nspec:\n  hostPID: 1\n  containers: [{name: c}]\n",
            "hostile.yaml: spec.hostPID: expected a boolean, found an integer",
        ),
        (b"apiVersion: v1\nkind: Pod\n\xff\n", "not UTF-8"),
    ];
    for (text, want) in cases {
        let (err, took) = refused(text);
        assert!(err.contains(want), "{want}: {err}");
        assert!(took < Duration::from_secs(10), "{want}: {took:?}");
    }
}

/// A YAML text for a node (block style for mappings, flow for lists,
/// scalars quoted), which the reader must give back.
fn emit(n: &Node, indent: usize, out: &mut String) {
    match n {
        Node::Map(m) if !m.is_empty() => {
            for (k, v) in m {
                out.push_str(&" ".repeat(indent));
                out.push_str(&format!("{k:?}:"));
                match &**v {
                    Node::Map(inner) if !inner.is_empty() => {
                        out.push('\n');
                        emit(v, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        flow(v, out);
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&" ".repeat(indent));
            flow(other, out);
            out.push('\n');
        }
    }
}

fn flow(n: &Node, out: &mut String) {
    match n {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(&b.to_string()),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Str(s) => out.push_str(&format!("{s:?}")),
        Node::Seq(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(x, out);
            }
            out.push(']');
        }
        Node::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("{k:?}: "));
                flow(v, out);
            }
            out.push('}');
        }
    }
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        any::<i64>().prop_map(Node::Int),
        "[a-zA-Z0-9 ._/:-]{0,12}".prop_map(Node::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone().prop_map(std::rc::Rc::new), 0..6)
                .prop_map(Node::Seq),
            prop::collection::btree_map("[a-z]{1,6}", inner.prop_map(std::rc::Rc::new), 0..6)
                .prop_map(|m| Node::Map(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text: a tree or an error, never a panic.
    #[test]
    fn the_reader_never_panics(text in "\\PC{0,300}") {
        let _ = manifest::read_yaml(&text, "f");
        let _ = manifest::parse(&text, "f", None);
    }

    /// YAML-ish text built from YAML's own punctuation: likewise.
    #[test]
    fn yaml_punctuation_never_panics(text in "[-:&*!|>'\"\\[\\]{},#? \\na-z0-9]{0,300}") {
        let _ = manifest::read_yaml(&text, "f");
        let _ = manifest::parse(&text, "f", Some("c"));
    }

    /// A tree written out as YAML reads back as the same tree.
    #[test]
    fn trees_round_trip(n in node()) {
        let mut text = String::new();
        emit(&n, 0, &mut text);
        let docs = manifest::read_yaml(&text, "f").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(docs.len(), 1, "{}", text);
        prop_assert_eq!(&*docs[0], &n, "{}", text);
    }

    /// Any pod spec with any runAsUser: the expectation names it, or the
    /// error names the field.
    #[test]
    fn run_as_user_is_read_or_named(v in any::<i64>()) {
        let text = format!("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext: {{runAsUser: {v}}}\n");
        match manifest::parse(&text, "f", None) {
            Ok(p) => prop_assert_eq!(p.expectations()[0].rule.to_string(), v.to_string()),
            Err(e) => {
                let bad_value = matches!(e, ManifestError::BadValue { .. });
                prop_assert!(bad_value);
                prop_assert!(e.to_string().contains("spec.containers[c].securityContext.runAsUser"));
            }
        }
    }
}

#[test]
fn k8s_patch_names_the_fields_and_the_container() {
    let root = fixture_dir("podman-default");
    let policy = manifest_path("podman-default.yaml");
    let out = run(
        &[
            "--check",
            "--format",
            "k8s-patch",
            "--root",
            root.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--container",
            "app",
        ],
        &[],
    );
    // The checklist's required checks fail (root, capabilities): exit 1.
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = manifest::read_yaml(&text, "patch").expect("the patch is YAML");
    let spec = docs[0].get("spec").unwrap();
    let Some(Node::Seq(c)) = spec.get("containers") else {
        panic!("{text}")
    };
    assert_eq!(c[0].get("name"), Some(&Node::Str("app".into())));
    let sc = c[0].get("securityContext").unwrap();
    assert_eq!(sc.get("runAsNonRoot"), Some(&Node::Bool(true)), "{text}");
    assert!(sc.get("capabilities").is_some(), "{text}");
    assert!(text.contains("# mac_enforced: no AppArmor or SELinux on this node"));
    // Only with --check.
    assert_eq!(run(&["--format", "k8s-patch"], &[]).status.code(), Some(2));
}

#[test]
fn compose_patch_names_the_service_keys_and_the_drift() {
    // podman-limits ran as the Compose file's service declares, as root with
    // podman's default capabilities and a writable root: the checklist's
    // checks fail, and the fix is the service's keys; podman-default drifts
    // from it (no memory or pids limit): a comment, not a key.
    let compose = manifest_path("compose.yaml");
    let patch = |fixture: &str| {
        let root = fixture_dir(fixture);
        let out = run(
            &[
                "--check",
                "--format",
                "compose",
                "--root",
                root.to_str().unwrap(),
                "--policy",
                compose.to_str().unwrap(),
                "--container",
                "app",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let text = patch("podman-limits");
    let docs = manifest::read_yaml(&text, "patch").expect("the patch is YAML");
    let svc = docs[0]
        .get("services")
        .and_then(|s| s.get("app"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        svc.get("user"),
        Some(&Node::Str("65532:65532".into())),
        "{text}"
    );
    assert_eq!(
        svc.get("cap_drop"),
        Some(&Node::Seq(vec![Node::Str("ALL".into()).into()])),
        "{text}"
    );
    assert_eq!(svc.get("read_only"), Some(&Node::Bool(true)), "{text}");
    assert!(!text.contains("services.app."), "no drift: {text}");
    assert!(text.contains("# mac_enforced: no AppArmor or SELinux on this node"));
    let text = patch("podman-default");
    assert!(
        text.lines()
            .any(|l| l.starts_with("# services.app.mem_limit: declared 256Mi")),
        "{text}"
    );
    // Only with --check.
    assert_eq!(run(&["--format", "compose"], &[]).status.code(), Some(2));
}

#[test]
fn a_compose_file_is_a_policy_and_names_its_drift() {
    let compose = manifest_path("compose.yaml");
    // podman-limits ran with exactly this service's settings.
    let (_, doc) = check_json("podman-limits", &compose, &["--container", "app"]);
    assert_eq!(drifted(&doc), (vec![], 8));
    // podman-default ran without the limits: drift in exactly those two.
    let (code, doc) = check_json("podman-default", &compose, &["--container", "app"]);
    assert_eq!(code, 1);
    assert_eq!(
        drifted(&doc).0,
        ["services.app.mem_limit", "services.app.pids_limit"]
    );
    schema::assert_valid("compose drift", &doc);
    let root = fixture_dir("podman-default");
    let out = run(
        &[
            "--check",
            "--root",
            root.to_str().unwrap(),
            "--policy",
            compose.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(choices: app, other)"));
}

/// The LSM fields of a manifest judged on captures from real kernels: the
/// QEMU guests' `podman run --security-opt apparmor=unconfined` (Debian's
/// 6.1 and 6.12 with AppArmor), their default profile, a Docker profile in
/// complain mode, and the SELinux guest's `label=disable`, `container_t`
/// and `svirt_t`. Each applied value is the label in the capture's own
/// `attr/current`, read here independently of posture.
#[test]
fn lsm_fields_declared_are_judged_against_real_kernel_captures() {
    let dir = tempfile::tempdir().unwrap();
    let pod = |name: &str, annotations: &str, pod_sc: &str, ctr_sc: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lsm\n{annotations}spec:\n{pod_sc}  containers:\n  - name: app\n    image: busybox\n{ctr_sc}"
            ),
        )
        .unwrap();
        p
    };
    let field_aa = "spec.containers[app].securityContext.appArmorProfile.type";
    let field_ann = "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]";
    let field_se = "spec.securityContext.seLinuxOptions.type";
    let aa = pod(
        "aa.yaml",
        "",
        "",
        "    securityContext:\n      appArmorProfile: {type: RuntimeDefault}\n",
    );
    let ann = pod(
        "ann.yaml",
        "  annotations:\n    container.apparmor.security.beta.kubernetes.io/app: runtime/default\n",
        "",
        "",
    );
    let se = pod(
        "se.yaml",
        "",
        "  securityContext:\n    seLinuxOptions: {type: container_t}\n",
        "",
    );
    let label = |fixture: &str| {
        std::fs::read_to_string(fixture_dir(fixture).join("proc/self/attr/current"))
            .unwrap()
            .trim_end_matches(['\n', '\0'])
            .to_string()
    };
    // (policy, field, fixture, passes, what the applied value must hold)
    let cases: Vec<(&Path, &str, &str, bool, String)> = vec![
        (
            &aa,
            field_aa,
            "guest-6.12-apparmor-unconfined",
            false,
            "unconfined".into(),
        ),
        (
            &aa,
            field_aa,
            "guest-6.1-apparmor-unconfined",
            false,
            "unconfined".into(),
        ),
        (
            &aa,
            field_aa,
            "apparmor-complain",
            false,
            label("apparmor-complain"),
        ),
        (
            &aa,
            field_aa,
            "guest-6.12-hardened",
            true,
            label("guest-6.12-hardened"),
        ),
        (
            &aa,
            field_aa,
            "guest-6.1-hardened",
            true,
            label("guest-6.1-hardened"),
        ),
        // An AppArmor profile declared on an SELinux node is not applied.
        (
            &aa,
            field_aa,
            "guest-6.1-selinux-container-t",
            false,
            label("guest-6.1-selinux-container-t"),
        ),
        (
            &ann,
            field_ann,
            "guest-6.12-apparmor-unconfined",
            false,
            "unconfined".into(),
        ),
        (
            &ann,
            field_ann,
            "guest-6.12-hardened",
            true,
            label("guest-6.12-hardened"),
        ),
        (
            &se,
            field_se,
            "guest-6.1-selinux-label-disable",
            false,
            "kernel_t".into(),
        ),
        (
            &se,
            field_se,
            "guest-6.1-selinux-svirt-t",
            false,
            "svirt_t".into(),
        ),
        (
            &se,
            field_se,
            "guest-6.1-selinux-container-t",
            true,
            "container_t".into(),
        ),
        (
            &se,
            field_se,
            "guest-6.12-hardened",
            false,
            label("guest-6.12-hardened"),
        ),
    ];
    assert_eq!(label("guest-6.12-apparmor-unconfined"), "unconfined");
    assert_eq!(label("apparmor-complain"), "docker-default (complain)");
    for (policy, field, fixture, passes, applied) in cases {
        let (code, doc) = check_json(fixture, policy, &["--container", "app"]);
        let e = doc["assessment"]["expectations"].as_array().unwrap();
        assert_eq!(e.len(), 1, "{fixture}: one declared field: {doc:#}");
        let e = &e[0];
        assert_eq!(e["field"], field, "{fixture}");
        let want = if passes { "pass" } else { "fail" };
        assert_eq!(e["status"], want, "{fixture} {field}: {e:#}");
        let got = e["applied"].as_str().unwrap();
        assert!(
            got.contains(&applied),
            "{fixture}: applied {got:?} names {applied:?}"
        );
        if !passes {
            assert_ne!(code, 0, "{fixture}: drift refuses");
        }
    }
}

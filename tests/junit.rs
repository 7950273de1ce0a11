//! `posture::render::junit` read back by a strict XML parser: every
//! document must be well-formed XML 1.0 (roxmltree refuses what xmllint
//! refuses: mismatched tags, undefined entities, characters XML cannot
//! hold) and read back, in the shape `junitparser` gives it (the Python
//! JUnit XML library CI tools use to merge and inspect reports), one test
//! case per check with the failures, messages, outputs and properties the
//! module promises. Fixtures cover a passing policy with warnings, failed
//! and unknown required checks, and hostile text (`<&"'>`, tab, a control
//! character) in a profile name, a policy name and an override reason.
//!
//! With the `tool-tests` feature the real consumers read the same
//! documents: libxml2's `xmllint` must find each well-formed and
//! `junitparser` (python3-junitparser) must read back exactly what the
//! Rust reader does; without it that test is listed as ignored.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use posture::policy::{Policy, Preset};
use serde_json::{Value, json};

mod common;
use common::{
    CHECK_IDS, PRIVILEGED_STRICT_BLOCKING, copy_tree, fixture_dir, fixture_report, override_spec,
};

/// Reads a JUnit document with junitparser and returns what it saw, as JSON.
const READ_BACK: &str = r#"
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
out = {"root": xml._tag, "name": xml.name, "tests": xml.tests,
       "failures": xml.failures, "errors": xml.errors, "suites": []}
for suite in xml:
    s = {"name": suite.name, "tests": suite.tests, "failures": suite.failures,
         "errors": suite.errors, "skipped": suite.skipped,
         "properties": [[p.name, p.value] for p in suite.properties()],
         "cases": []}
    for case in suite:
        s["cases"].append({
            "classname": case.classname, "name": case.name,
            "results": [{"kind": type(r).__name__, "type": r.type,
                         "message": r.message, "text": r.text}
                        for r in case.result],
            "system_out": case.system_out})
    out["suites"].append(s)
print(json.dumps(out))
"#;

/// Parses `xml` strictly and reads it back as [`READ_BACK`] does with
/// junitparser: the same JSON shape, attributes that are absent as null,
/// counts as integers, an element's text as the text before its first
/// child (ElementTree's `.text`).
fn consume(xml: &str) -> Value {
    let doc = roxmltree::Document::parse(xml)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n--- document ---\n{xml}"));
    let attr = |n: roxmltree::Node, name: &str| -> Value {
        n.attribute(name).map_or(Value::Null, |v| json!(v))
    };
    let int = |n: roxmltree::Node, name: &str| -> Value {
        n.attribute(name).map_or(Value::Null, |v| {
            json!(
                v.parse::<i64>()
                    .unwrap_or_else(|e| panic!("{name}={v:?} is not an integer: {e}"))
            )
        })
    };
    let text = |n: roxmltree::Node| -> Value {
        match n.first_child() {
            Some(t) if t.is_text() => json!(t.text().unwrap()),
            _ => Value::Null,
        }
    };
    fn children<'a, 'i>(
        n: roxmltree::Node<'a, 'i>,
        tag: &'static str,
    ) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
        n.children()
            .filter(move |c| c.is_element() && c.tag_name().name() == tag)
    }
    let root = doc.root_element();
    let mut suites = Vec::new();
    for suite in children(root, "testsuite") {
        let properties: Vec<Value> = children(suite, "properties")
            .flat_map(|ps| children(ps, "property"))
            .map(|p| json!([attr(p, "name"), attr(p, "value")]))
            .collect();
        let mut cases = Vec::new();
        for case in children(suite, "testcase") {
            let results: Vec<Value> = case
                .children()
                .filter(|c| c.is_element())
                .filter_map(|r| {
                    let kind = match r.tag_name().name() {
                        "failure" => "Failure",
                        "error" => "Error",
                        "skipped" => "Skipped",
                        _ => return None,
                    };
                    Some(json!({"kind": kind, "type": attr(r, "type"),
                        "message": attr(r, "message"), "text": text(r)}))
                })
                .collect();
            let system_out = children(case, "system-out")
                .next()
                .map_or(Value::Null, text);
            cases.push(
                json!({"classname": attr(case, "classname"), "name": attr(case, "name"),
                "results": results, "system_out": system_out}),
            );
        }
        suites.push(
            json!({"name": attr(suite, "name"), "tests": int(suite, "tests"),
            "failures": int(suite, "failures"), "errors": int(suite, "errors"),
            "skipped": int(suite, "skipped"), "properties": properties, "cases": cases}),
        );
    }
    json!({"root": root.tag_name().name(), "name": attr(root, "name"),
        "tests": int(root, "tests"), "failures": int(root, "failures"),
        "errors": int(root, "errors"), "suites": suites})
}

/// Checks `xml` with xmllint and returns junitparser's reading of it.
fn consume_with_tools(xml: &str) -> Value {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(xml.as_bytes()).unwrap();
    let path = f.path().to_str().unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", path])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run xmllint ({e}): apt-get install libxml2-utils (.ci/setup-runtimes.sh)"
            )
        });
    assert!(
        lint.status.success() && lint.stderr.is_empty(),
        "xmllint: {}\n--- document ---\n{xml}",
        String::from_utf8_lossy(&lint.stderr)
    );
    // Debian's python3, where python3-junitparser installs.
    let read = Command::new("/usr/bin/python3")
        .args(["-c", READ_BACK, path])
        .output()
        .unwrap_or_else(|e| panic!("cannot run /usr/bin/python3 ({e})"));
    assert!(
        read.status.success(),
        "junitparser (apt-get install python3-junitparser): {}\n--- document ---\n{xml}",
        String::from_utf8_lossy(&read.stderr)
    );
    serde_json::from_slice(&read.stdout).unwrap()
}

/// The read-back case named `id`.
fn case<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == id)
        .unwrap_or_else(|| panic!("no test case {id}: {v}"))
}

/// What every document must say, whatever the fixture: one suite named
/// after the policy, one case per evaluated check in the library's order,
/// the counts matching the cases, a failure exactly for the checks that
/// block the verdict, and an output for every case.
fn assert_shape(v: &Value, a: &posture::Assessment) {
    assert_eq!(v["root"], "testsuites");
    assert_eq!(v["name"], "posture");
    let suites = v["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 1);
    let s = &suites[0];
    assert_eq!(s["name"], a.policy.as_str());
    let cases = s["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let evaluated: Vec<String> = a.checks.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(names, evaluated);
    // In the order of the written-out list of ids.
    let mut order = CHECK_IDS.iter();
    for n in &names {
        assert!(order.any(|id| id == n), "{n} out of order or unknown");
    }
    let with = |kind: &str| -> Vec<&str> {
        cases
            .iter()
            .filter(|c| {
                c["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["kind"] == kind)
            })
            .map(|c| c["name"].as_str().unwrap())
            .collect()
    };
    let failed = with("Failure");
    let blocking: Vec<String> = a.blocking().map(|c| c.id.to_string()).collect();
    assert_eq!(failed, blocking, "failures are the blocking checks");
    // Skipped: the checks that would block but for an override.
    let skipped = with("Skipped");
    let waived: Vec<String> = a
        .overridden_checks
        .iter()
        .filter(|o| o.would_block)
        .map(|o| o.id.to_string())
        .collect();
    assert_eq!(
        skipped, waived,
        "skipped are the overridden blocking checks"
    );
    for c in cases {
        assert!(c["results"].as_array().unwrap().len() <= 1, "{c}");
    }
    assert_eq!(s["tests"], cases.len());
    assert_eq!(v["tests"], cases.len());
    assert_eq!(s["failures"], failed.len());
    assert_eq!(v["failures"], failed.len());
    assert_eq!(s["errors"], 0);
    assert_eq!(s["skipped"], skipped.len());
    let verdict = if a.passed() { "pass" } else { "fail" };
    assert_eq!(s["properties"][0], serde_json::json!(["verdict", verdict]));
    for c in cases {
        assert_eq!(c["classname"], a.policy.as_str());
        let out = c["system_out"].as_str().unwrap();
        assert!(out.contains("\nstatus: "), "{out}");
        assert!(out.contains("\nevidence: "), "{out}");
        for r in c["results"].as_array().unwrap() {
            if r["kind"] == "Skipped" {
                assert_eq!(r["type"], "overridden");
                assert!(
                    r["message"].as_str().unwrap().starts_with("overridden by "),
                    "{r}"
                );
                continue;
            }
            assert_eq!(r["kind"], "Failure");
            let ty = r["type"].as_str().unwrap();
            assert!(ty == "fail" || ty == "unknown", "{ty}");
            assert!(
                r["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{ty}: "))
            );
            let text = r["text"].as_str().unwrap();
            assert!(text.starts_with("evidence: "), "{text}");
            assert!(text.contains("\nfix: run: "), "{text}");
        }
    }
}

#[test]
fn a_passing_policy_has_no_failures_and_shows_its_warnings() {
    // hardened: no LSM in the capture (attr/current is EINVAL), so the
    // checklist's mac_enforced fails, as a warning: it is not required.
    assert_eq!(
        std::fs::read_to_string(fixture_dir("hardened").join("proc/self/attr/current.errno"))
            .unwrap()
            .trim(),
        "EINVAL"
    );
    let a = posture::evaluate(
        &fixture_report("hardened"),
        &Policy::preset(Preset::Checklist),
    );
    let v = consume(&posture::render::junit(&a));
    assert_shape(&v, &a);
    assert_eq!(v["suites"][0]["failures"], 0);
    assert_eq!(v["suites"][0]["name"], "checklist");
    let mac = case(&v, "mac_enforced");
    assert_eq!(mac["results"], serde_json::json!([]));
    let out = mac["system_out"].as_str().unwrap();
    assert!(
        out.contains("\nstatus: fail\nrequired: no (a warning)\n"),
        "{out}"
    );
    assert!(
        out.contains("\nfix: run: --security-opt apparmor=<profile>"),
        "{out}"
    );
    let nonroot = case(&v, "non_root")["system_out"].as_str().unwrap();
    assert!(
        nonroot.starts_with(
            "Run as a non-root user\nstatus: pass\nrequired: yes\nseverity: must\nevidence: "
        ),
        "{nonroot}"
    );
    assert!(!nonroot.contains("fix:"), "a pass has no fix: {nonroot}");
    // Every case names the controls it covers, a pass too (CIS Docker
    // v1.6.0 4.1, Pod Security Admission's runAsNonRoot and runAsUser).
    assert!(
        nonroot.ends_with(
            "\ncontrols: CIS Docker 1.6.0 4.1; PSS v1.33 runAsNonRoot, runAsUser; NSA/CISA v1.2 \"Non-root\" containers and \"rootless\" container engines"
        ),
        "{nonroot}"
    );
    assert!(
        out.contains("\ncontrols: CIS Docker 1.6.0 5.2, 5.3; "),
        "mac_enforced names CIS 5.2 (AppArmor profile) and 5.3 (SELinux options): {out}"
    );
}

#[test]
fn failed_required_checks_are_failures() {
    // docker-default runs as root with docker's default capabilities.
    let a = posture::evaluate(
        &fixture_report("docker-default"),
        &Policy::preset(Preset::Checklist),
    );
    let v = consume(&posture::render::junit(&a));
    assert_shape(&v, &a);
    let r = &case(&v, "non_root")["results"][0];
    assert_eq!(r["type"], "fail");
    assert_eq!(r["message"], "fail: Run as a non-root user");
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("evidence: runs as root: uid real 0"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\nfix: run: --user 1000:1000; kubernetes: securityContext.runAsNonRoot: true, runAsUser: 1000; Dockerfile: USER 1000:1000"
        ),
        "{text}"
    );
    assert_eq!(
        case(&v, "capabilities_dropped")["results"][0]["type"],
        "fail"
    );
    assert_eq!(v["suites"][0]["properties"][0][1], "fail");
}

#[test]
fn unknown_required_checks_are_failures() {
    // gvisor-old prints no NoNewPrivs line and has no attr files: under
    // pss-restricted no_new_privs and mac_enforced are unknown, and
    // unknown is never a pass.
    let dir = fixture_dir("gvisor-old");
    let status = std::fs::read_to_string(dir.join("proc/self/status")).unwrap();
    assert!(!status.contains("NoNewPrivs:"));
    assert!(!dir.join("proc/self/attr/current").exists());
    let a = posture::evaluate(
        &fixture_report("gvisor-old"),
        &Policy::preset(Preset::PssRestricted),
    );
    let v = consume(&posture::render::junit(&a));
    assert_shape(&v, &a);
    for id in ["no_new_privs", "mac_enforced"] {
        let r = &case(&v, id)["results"][0];
        assert_eq!(r["type"], "unknown", "{id}");
        assert!(
            r["text"]
                .as_str()
                .unwrap()
                .starts_with("evidence: unknown: "),
            "{r}"
        );
    }
    // sysbox: no /proc/self/net files, so whether the network is the host's
    // is unknown; the checklist requires it.
    assert!(!fixture_dir("sysbox").join("proc/self/net/dev").exists());
    let a = posture::evaluate(
        &fixture_report("sysbox"),
        &Policy::preset(Preset::Checklist),
    );
    let v = consume(&posture::render::junit(&a));
    assert_shape(&v, &a);
    assert_eq!(case(&v, "no_host_network")["results"][0]["type"], "unknown");
}

#[test]
fn every_fixture_under_every_preset_is_read_back_whole() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixture_dir("docker-default").parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("proc/self/status").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 20);
    for dir in dirs {
        let report = posture::posture_with_root(&posture::Root::fixture(&dir));
        for preset in [
            Preset::Checklist,
            Preset::PssBaseline,
            Preset::PssRestricted,
            Preset::Strict,
        ] {
            let a = posture::evaluate(&report, &Policy::preset(preset));
            let v = consume(&posture::render::junit(&a));
            assert_shape(&v, &a);
        }
    }
}

/// A copy of `apparmor-complain` whose AppArmor profile name is hostile.
fn hostile_fixture(dir: &Path, profile: &str) {
    copy_tree(&fixture_dir("apparmor-complain"), dir);
    for f in ["proc/self/attr/current", "proc/self/attr/apparmor/current"] {
        std::fs::write(dir.join(f), format!("{profile} (complain)\n")).unwrap();
    }
}

const HOSTILE_PROFILE: &str = "evil<&\"'>]]>--&amp;";
const HOSTILE_POLICY: &str = "<&\"'> \"policy\" ]]>";
const HOSTILE_REASON: &str = "TICKET<1>\t&\"'\u{1}x";

/// The assessment of a copy of `apparmor-complain` with a hostile profile
/// name, under a policy document with a hostile name and a hostile
/// override reason for `non_root`, made in `tmp`.
fn hostile_assessment(tmp: &Path) -> posture::Assessment {
    let root = tmp.join("fixture");
    hostile_fixture(&root, HOSTILE_PROFILE);
    let policy_file = tmp.join("p.toml");
    std::fs::write(
        &policy_file,
        r#"name = "<&\"'> \"policy\" ]]>"
[checks]
mac_enforced = "require"
non_root = "require"
"#,
    )
    .unwrap();
    let policy = Policy::from_name_or_path(policy_file.to_str().unwrap())
        .unwrap()
        .with_override_spec(&format!("non_root={HOSTILE_REASON}"))
        .unwrap();
    assert_eq!(policy.name(), HOSTILE_POLICY);
    let report = posture::posture_with_root(&posture::Root::fixture(&root));
    posture::evaluate(&report, &policy)
}

#[test]
fn hostile_text_is_escaped_and_read_back_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let (profile, name) = (HOSTILE_PROFILE, HOSTILE_POLICY);
    let a = hostile_assessment(tmp.path());
    let xml = posture::render::junit(&a);
    // Nothing hostile reaches the document raw.
    assert!(!xml.contains(profile), "{xml}");
    assert!(!xml.contains('\u{1}'));
    let v = consume(&xml);
    assert_shape(&v, &a);
    assert_eq!(v["suites"][0]["name"], name);
    // The override's reason, tab and all; the control character XML cannot
    // carry is U+FFFD.
    assert_eq!(
        v["suites"][0]["properties"],
        serde_json::json!([
            ["verdict", "fail"],
            ["overridden", "1 check overridden by the policy"],
            ["override.non_root", "TICKET<1>\t&\"'\u{fffd}x"],
            ["override_source.non_root", "policy"]
        ])
    );
    // The profile, in complain mode: a failure of the required mac_enforced
    // whose evidence names it exactly.
    let r = &case(&v, "mac_enforced")["results"][0];
    assert_eq!(r["type"], "fail");
    let evidence = format!("evidence: AppArmor profile {profile} in complain mode");
    assert!(r["text"].as_str().unwrap().starts_with(&evidence), "{r}");
    let out = case(&v, "non_root")["system_out"].as_str().unwrap();
    assert!(
        out.contains("\n!! OVERRIDE: TICKET<1>\t&\"'\u{fffd}x"),
        "{out}"
    );
}

const OVERRIDE_REASON: &str = "base <image> & \"ENV\"";

/// privileged under strict: 11 required checks block (its README);
/// POSTURE_OVERRIDE's value names them all, one reason with markup.
fn overridden_assessment() -> posture::Assessment {
    let policy = Policy::preset(Preset::Strict)
        .with_env_override_spec(&override_spec(&PRIVILEGED_STRICT_BLOCKING, OVERRIDE_REASON))
        .unwrap();
    posture::evaluate(&fixture_report("privileged"), &policy)
}

#[test]
fn checks_that_pass_only_by_override_are_skipped_not_green() {
    let reason = OVERRIDE_REASON;
    let a = overridden_assessment();
    let v = consume(&posture::render::junit(&a));
    assert_shape(&v, &a);
    let s = &v["suites"][0];
    assert_eq!(s["failures"], 0);
    assert_eq!(s["skipped"], 11);
    let props = s["properties"].as_array().unwrap();
    assert_eq!(props[0], serde_json::json!(["verdict", "pass"]));
    assert_eq!(
        props[1],
        serde_json::json!(["overridden", "11 checks overridden by POSTURE_OVERRIDE"])
    );
    for id in PRIVILEGED_STRICT_BLOCKING {
        assert!(
            props.contains(&serde_json::json!([
                format!("override_source.{id}"),
                "environment"
            ])),
            "{id}: {props:?}"
        );
        let r = &case(&v, id)["results"];
        assert_eq!(r[0]["kind"], "Skipped", "{id}: {r}");
        assert_eq!(
            r[0]["message"],
            format!("overridden by POSTURE_OVERRIDE: {reason}"),
            "{id}"
        );
        let out = case(&v, id)["system_out"].as_str().unwrap();
        assert!(
            out.ends_with(&format!("\n!! OVERRIDE by POSTURE_OVERRIDE: {reason}")),
            "{id}: {out}"
        );
    }
    // A check that passes is not skipped: no_runtime_socket (no socket
    // mounted in the capture).
    assert_eq!(
        case(&v, "no_runtime_socket")["results"],
        serde_json::json!([])
    );
}

/// Documents that are not well-formed XML, each for its own reason.
const NOT_XML: [(&str, &str); 7] = [
    (
        "mismatched tags",
        "<testsuites><testsuite></testsuites></testsuite>",
    ),
    ("an unclosed element", "<testsuites><testsuite>"),
    ("a raw ampersand", "<testsuites name=\"a & b\"/>"),
    ("an undefined entity", "<testsuites name=\"&nbsp;\"/>"),
    ("a control character", "<testsuites name=\"a\u{1}b\"/>"),
    (
        "a duplicate attribute",
        "<testsuites name=\"a\" name=\"b\"/>",
    ),
    ("two root elements", "<testsuites/><testsuites/>"),
];

/// The Rust reader is a validator: what is not well-formed XML fails it.
#[test]
fn the_reader_refuses_what_is_not_xml() {
    for (why, doc) in NOT_XML {
        assert!(
            roxmltree::Document::parse(doc).is_err(),
            "{why} was accepted: {doc:?}"
        );
    }
}

/// Every document the tests above read, read by the real consumers:
/// xmllint finds each well-formed, junitparser reads back exactly what the
/// Rust reader does, and xmllint refuses what the Rust reader refuses.
#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs xmllint (libxml2-utils) and /usr/bin/python3 with python3-junitparser: cargo test --features tool-tests"
)]
fn xmllint_and_junitparser_read_every_document_as_the_rust_reader_does() {
    let mut docs: Vec<(String, String)> = Vec::new();
    for name in common::all_fixtures() {
        let report = fixture_report(&name);
        for preset in [
            Preset::Checklist,
            Preset::PssBaseline,
            Preset::PssRestricted,
            Preset::Strict,
        ] {
            let a = posture::evaluate(&report, &Policy::preset(preset));
            docs.push((format!("{name} {preset:?}"), posture::render::junit(&a)));
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    docs.push((
        "hostile".into(),
        posture::render::junit(&hostile_assessment(tmp.path())),
    ));
    docs.push((
        "overridden".into(),
        posture::render::junit(&overridden_assessment()),
    ));
    assert!(docs.len() >= 80, "{}", docs.len());
    for (what, xml) in &docs {
        assert_eq!(consume_with_tools(xml), consume(xml), "{what}");
    }
    for (why, doc) in NOT_XML {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(doc.as_bytes()).unwrap();
        let lint = Command::new("xmllint")
            .arg("--noout")
            .arg(f.path())
            .output()
            .expect("xmllint");
        assert!(!lint.status.success(), "xmllint accepted {why}: {doc:?}");
    }
}

//! The checked-in JSON Schema, `schema/posture.schema.json`: it is what the
//! code generates (feature `schema`), it is a valid draft 2020-12 schema,
//! every fixture's document (`--json`, and `--check --json` under each
//! preset) and a live report with the syscall probe attached validate
//! against it, and documents with a renamed key or a changed enum value do
//! not (so the schema is not vacuous).
//!
//! Regenerate the file with `cargo run --example schema --features schema`.

mod common;
#[path = "common/schema.rs"]
mod schema;

use posture::render::json::Document;
use posture::{Policy, Preset, evaluate};
use serde_json::{Value, json};

/// The document of a fixture, without an assessment (`--json`) or judged by
/// a preset (`--check --json --policy <preset>`).
fn fixture_doc(name: &str, preset: Option<Preset>) -> Value {
    let report = common::fixture_report(name);
    let doc = Document::new(&report);
    match preset {
        None => serde_json::to_value(&doc),
        Some(p) => {
            let a = evaluate(&report, &Policy::preset(p));
            serde_json::to_value(doc.with_assessment(&a))
        }
    }
    .expect("the document serializes")
}

#[test]
fn every_fixture_document_validates_with_and_without_an_assessment() {
    let names = common::all_fixtures();
    // 49 trees when this was written: an emptied or moved directory must not
    // pass by validating nothing.
    assert!(names.len() >= 49, "only {} fixture trees", names.len());
    let mut failures = Vec::new();
    let mut validated = 0;
    for name in &names {
        let presets = [None].into_iter().chain(Preset::ALL.into_iter().map(Some));
        for preset in presets {
            let doc = fixture_doc(name, preset);
            assert_eq!(doc.get("assessment").is_some(), preset.is_some(), "{name}");
            let errs = schema::errors(&doc);
            if !errs.is_empty() {
                failures.push(format!("{name} {preset:?}:\n  {}", errs.join("\n  ")));
            }
            validated += 1;
        }
    }
    assert_eq!(validated, names.len() * 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_live_report_with_the_syscall_probe_validates() {
    let probe = posture::syscalls::probe_with(&posture::syscalls::Options::default());
    let report = posture::posture().with_syscalls(probe);
    let a = evaluate(&report, &Policy::preset(Preset::Strict));
    let doc = serde_json::to_value(Document::new(&report).with_assessment(&a)).unwrap();
    // The probe's own form, not the "not run" unknown.
    let results = doc["report"]["syscalls"]["known"]["results"]
        .as_array()
        .expect("the probe ran and is attached");
    assert_eq!(results.len(), common::PROBED_SYSCALLS.len());
    schema::assert_valid("live report with the syscall probe", &doc);
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema: Value = serde_json::from_str(schema::SCHEMA_TEXT).unwrap();
    assert_eq!(
        schema["$schema"],
        json!("https://json-schema.org/draft/2020-12/schema")
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("schema/posture.schema.json against its meta-schema: {e}");
    }
}

#[cfg(feature = "schema")]
#[test]
fn the_checked_in_schema_is_what_the_code_generates() {
    let generated = posture::schema::document_schema_json();
    if generated != schema::SCHEMA_TEXT {
        let line = generated
            .lines()
            .zip(schema::SCHEMA_TEXT.lines())
            .position(|(a, b)| a != b)
            .map_or(
                generated
                    .lines()
                    .count()
                    .min(schema::SCHEMA_TEXT.lines().count()),
                |i| i,
            );
        panic!(
            "schema/posture.schema.json differs from what the code generates (first at line {}); \
             regenerate it with `cargo run --example schema --features schema` and review the diff",
            line + 1,
        );
    }
}

#[cfg(not(feature = "schema"))]
#[test]
#[ignore = "NOT RUN: needs the `schema` feature (cargo test --features schema, or --all-features as CI does)"]
fn the_checked_in_schema_is_what_the_code_generates() {
    panic!("build with --features schema to compare the checked-in schema with the code");
}

/// Whether some complaint is about `at` or a value holding it (a `oneOf`,
/// such as a fact's `known`/`unknown`, complains where it stands).
fn complains_about(errs: &[String], at: &str) -> bool {
    errs.iter().any(|e| {
        let path = e.split_once(": ").map_or("", |(p, _)| p);
        at == path || at.starts_with(&format!("{path}/"))
    })
}

/// Applies `change` to a fixture's checked document (which validates) and
/// asserts that the result does not, with a complaint at `at` or a value
/// holding it.
fn assert_rejected(fixture: &str, at: &str, change: impl FnOnce(&mut Value)) {
    let mut doc = fixture_doc(fixture, Some(Preset::Checklist));
    schema::assert_valid(fixture, &doc);
    change(&mut doc);
    let errs = schema::errors(&doc);
    assert!(
        !errs.is_empty() && complains_about(&errs, at),
        "{fixture}: expected a complaint at {at:?}, got {errs:#?}"
    );
}

fn object(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v.as_object_mut().expect("an object")
}

fn rename(v: &mut Value, from: &str, to: &str) {
    let o = object(v);
    let x = o.remove(from).unwrap_or_else(|| panic!("no key {from}"));
    o.insert(to.to_string(), x);
}

#[test]
fn a_renamed_or_added_key_fails_validation() {
    // A required key renamed: missing, and the new name is not allowed.
    assert_rejected("docker-default", "/report/capabilities", |d| {
        rename(
            &mut d["report"]["capabilities"],
            "effective",
            "effective_set",
        )
    });
    assert_rejected("docker-default", "/assessment/checks/0", |d| {
        rename(&mut d["assessment"]["checks"][0], "evidence", "details")
    });
    // An extra key, at the top and inside a fact's wrapper.
    assert_rejected("docker-default", "", |d| {
        object(d).insert("generated_at".into(), json!("now"));
    });
    assert_rejected("docker-default", "/report/kernel/release", |d| {
        object(&mut d["report"]["kernel"]["release"]).insert("source".into(), json!("x"));
    });
    // The hand-written mount schema: a key of the table dropped, one of the
    // summary added.
    assert_rejected("docker-default", "/report/mounts/known/table/0", |d| {
        object(&mut d["report"]["mounts"]["known"]["table"][0]).remove("fstype");
    });
    assert_rejected("docker-default", "/report/mounts/known/root", |d| {
        object(&mut d["report"]["mounts"]["known"]["root"]).insert("id".into(), json!(1));
    });
}

#[test]
fn a_changed_enum_value_fails_validation() {
    let cases: [(&str, &str, Value); 10] = [
        ("docker-default", "/schema_version", json!(2)),
        ("docker-default", "/assessment/verdict", json!("passed")),
        ("docker-default", "/assessment/checks/0/status", json!("ok")),
        (
            "docker-default",
            "/assessment/checks/0/id",
            json!("no_root"),
        ),
        (
            "docker-default",
            "/assessment/checks/0/severity",
            json!("should"),
        ),
        ("docker-default", "/assessment/rules", json!("pss")),
        (
            "docker-default",
            "/report/seccomp/mode/known",
            json!("filtered"),
        ),
        ("docker-default", "/report/runtime/kind", json!("moby")),
        (
            "docker-default",
            "/report/namespaces/0/type",
            json!("network"),
        ),
        (
            "hostpath-volume",
            "/report/mounts/known/host_mounts/0/placement",
            json!("guessed"),
        ),
    ];
    for (fixture, pointer, value) in cases {
        assert_rejected(fixture, pointer, |d| {
            *d.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{fixture} has no {pointer}")) = value;
        });
    }
    // A capability name the crate does not know, and an override keyed by
    // no check.
    assert_rejected(
        "docker-default",
        "/report/capabilities/effective/known/names/0",
        |d| {
            d["report"]["capabilities"]["effective"]["known"]["names"][0] = json!("CAP_EVERYTHING");
        },
    );
    assert_rejected("docker-default", "/assessment/overrides", |d| {
        d["assessment"]["overrides"] = json!({"no_such_check": "reason"});
    });
}

#[test]
fn a_changed_syscall_probe_fails_validation() {
    let probe = posture::syscalls::probe_with(&posture::syscalls::Options::default());
    let report = posture::posture().with_syscalls(probe);
    let doc = serde_json::to_value(Document::new(&report)).unwrap();
    schema::assert_valid("live report with the syscall probe", &doc);
    let bad = |pointer: &str, value: Value| {
        let mut d = doc.clone();
        *d.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}")) = value;
        let errs = schema::errors(&d);
        assert!(
            !errs.is_empty() && complains_about(&errs, pointer),
            "{pointer}: expected a complaint, got {errs:#?}"
        );
    };
    bad("/report/syscalls/known/results/0/syscall", json!("fork"));
    bad("/report/syscalls/known/results/0/outcome", json!("allowed"));
    bad(
        "/report/syscalls/known/user_namespaces/attempt/outcome",
        json!("maybe"),
    );
}

/// The document of `privileged` judged by `strict` with three checks
/// overridden: two by `POSTURE_OVERRIDE`'s value, one by the program.
fn overridden_doc() -> Value {
    let report = common::fixture_report("privileged");
    let policy = Policy::preset(Preset::Strict)
        .override_check(posture::CheckId::NonRoot, "TICKET-1")
        .with_env_override_spec("seccomp=from a base image; userns_remap=TICKET-2")
        .unwrap();
    let a = evaluate(&report, &policy);
    serde_json::to_value(Document::new(&report).with_assessment(&a)).unwrap()
}

#[test]
fn overrides_carry_their_source_in_a_document_that_validates() {
    let doc = overridden_doc();
    schema::assert_valid("privileged, strict, overridden", &doc);
    let listed: Vec<(&str, &str)> = doc["assessment"]["overridden_checks"]
        .as_array()
        .expect("listed when there are overrides")
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o["source"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("non_root", "policy"),
            ("seccomp", "environment"),
            ("userns_remap", "environment")
        ]
    );
    let seccomp = &doc["assessment"]["overridden_checks"][1];
    assert_eq!(
        *seccomp,
        json!({"id": "seccomp", "source": "environment", "reason": "from a base image",
               "downgraded": true, "would_block": true})
    );
    // Without overrides the key is left out, so those documents are what
    // they were.
    let plain = fixture_doc("privileged", Some(Preset::Strict));
    assert!(plain["assessment"].get("overridden_checks").is_none());
    assert_eq!(plain["assessment"]["overrides"], json!({}));
}

#[test]
fn overrides_without_their_sources_fail_validation() {
    let rejected = |what: &str, at: &str, mut doc: Value, change: &dyn Fn(&mut Value)| {
        change(&mut doc);
        let errs = schema::errors(&doc);
        assert!(
            !errs.is_empty() && complains_about(&errs, at),
            "{what}: expected a complaint at {at:?}, got {errs:#?}"
        );
    };
    let doc = overridden_doc();
    rejected(
        "a source renamed",
        "/assessment/overridden_checks/1/source",
        doc.clone(),
        &|d| {
            d["assessment"]["overridden_checks"][1]["source"] = json!("env");
        },
    );
    rejected("the list dropped", "/assessment", doc.clone(), &|d| {
        object(&mut d["assessment"]).remove("overridden_checks");
    });
    rejected(
        "an empty list",
        "/assessment/overridden_checks",
        doc.clone(),
        &|d| {
            d["assessment"]["overridden_checks"] = json!([]);
        },
    );
    rejected(
        "a key dropped",
        "/assessment/overridden_checks/0",
        doc,
        &|d| {
            object(&mut d["assessment"]["overridden_checks"][0]).remove("would_block");
        },
    );
    // A list where no override is in force.
    let plain = fixture_doc("privileged", Some(Preset::Strict));
    rejected(
        "a list without overrides",
        "/assessment/overridden_checks",
        plain,
        &|d| {
            d["assessment"]["overridden_checks"] = json!([{"id": "non_root", "source": "policy",
            "reason": "x", "downgraded": true, "would_block": true}]);
        },
    );
}

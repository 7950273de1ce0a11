//! What `cargo package` ships, read back from `cargo package --list` and
//! `cargo metadata` (cargo's own answers, not the manifest's text): every
//! source file the library, the binary and the examples need, the licence
//! texts the declared licence names, and nothing from `tests/` (whose
//! fixture trees hold namespace links that point nowhere and that cargo
//! cannot package), `benches/` or `scripts/`. `.ci/run` then builds the
//! package with `cargo package` (which compiles the packaged sources alone)
//! and `cargo publish --dry-run`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo that builds these tests (cargo sets `CARGO` for the
/// processes it runs), else `cargo` from `PATH`.
fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(repo());
    c
}

/// `cargo package --list`: the paths the `.crate` holds.
fn package_list() -> BTreeSet<String> {
    let out = cargo()
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .expect("run cargo package --list");
    assert!(
        out.status.success(),
        "cargo package --list failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every file under `dir` (relative to the repository, `/`-separated)
/// whose name ends with `ext`.
fn files_under(dir: &str, ext: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, ext: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, ext, out);
            } else if p.to_str().unwrap().ends_with(ext) {
                out.push(p.strip_prefix(root).unwrap().to_str().unwrap().to_string());
            }
        }
    }
    let root = repo();
    let mut out = Vec::new();
    walk(&root, &root.join(dir), ext, &mut out);
    out.sort();
    out
}

#[test]
fn the_package_holds_what_the_build_needs_and_no_test_data() {
    let list = package_list();
    // Every Rust source of the library, the binary and the examples: a file
    // left out would fail `cargo package`'s build, or drop an example.
    let mut needed = files_under("src", ".rs");
    needed.extend(files_under("examples", ".rs"));
    assert!(needed.iter().any(|f| f == "src/lib.rs"), "{needed:?}");
    assert!(needed.iter().any(|f| f == "src/bin/posture.rs"));
    for f in &needed {
        assert!(list.contains(f), "{f} is not in the package: {list:?}");
    }
    // The declared licence's texts, the README the manifest names, the
    // lockfile the binary is built with, the documents the README links to.
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "SCHEMA.md",
        "SECURITY.md",
        "CHECKS.md",
        "schema/posture.schema.json",
    ] {
        assert!(list.contains(f), "{f} is not in the package: {list:?}");
    }
    // Nothing that needs the repository: the fixtures (and their dangling
    // namespace links), the test and bench sources, the CI scripts.
    for f in &list {
        for dir in ["tests/", "benches/", "scripts/", ".ci/", "target/"] {
            assert!(!f.starts_with(dir), "{f} is in the package");
        }
        let on_disk = repo().join(f);
        if let Ok(m) = std::fs::symlink_metadata(&on_disk) {
            assert!(!m.file_type().is_symlink(), "{f} is a symlink");
        }
    }
    // A plain count, so a new top-level file does not slip in unseen:
    // sources and examples, the fixed files above, the k8s
    // manifests and the Dockerfile, and cargo's own .cargo_vcs_info.json
    // and Cargo.toml.orig (the first only when the tree is a git checkout).
    let extra: Vec<&String> = list
        .iter()
        .filter(|f| !needed.contains(f))
        .filter(|f| !f.starts_with("examples/k8s/") || !f.ends_with(".yaml"))
        .collect();
    let want: BTreeSet<&str> = [
        ".cargo_vcs_info.json",
        "Cargo.toml",
        "Cargo.toml.orig",
        "Cargo.lock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "SCHEMA.md",
        "SECURITY.md",
        "CHECKS.md",
        "schema/posture.schema.json",
        "examples/Dockerfile",
    ]
    .into_iter()
    .collect();
    for f in &extra {
        assert!(
            want.contains(f.as_str()),
            "unexpected file {f} in the package"
        );
    }
}

#[test]
fn the_licence_files_are_the_declared_licences() {
    let meta = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .expect("run cargo metadata");
    assert!(meta.status.success(), "{meta:?}");
    let v: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let pkg = &v["packages"][0];
    assert_eq!(pkg["name"], "posture");
    assert_eq!(pkg["license"], "MIT OR Apache-2.0");
    let mit = std::fs::read_to_string(repo().join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License\n\nCopyright (c) the posture developers\n"));
    assert!(
        mit.contains(
            "Permission is hereby granted, free of charge, to any person obtaining a copy"
        )
    );
    let apache = std::fs::read_to_string(repo().join("LICENSE-APACHE")).unwrap();
    assert!(
        apache.contains("Apache License\n                           Version 2.0, January 2004")
    );
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));

    // docs.rs builds the features that shape the library's API and docs,
    // every one of them a real feature, none of the test-only ones.
    let docs = &pkg["metadata"]["docs"]["rs"];
    let features: Vec<&str> = docs["features"]
        .as_array()
        .expect("[package.metadata.docs.rs] features")
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in &features {
        assert!(
            pkg["features"].get(*f).is_some(),
            "docs.rs feature {f} does not exist"
        );
    }
    for f in ["serde", "policy-file", "tracing", "prometheus", "schema"] {
        assert!(
            features.contains(&f),
            "docs.rs does not build {f}: {features:?}"
        );
    }
    for f in ["root-tests", "tool-tests", "runtime-tests", "guest-tests"] {
        assert!(!features.contains(&f), "docs.rs builds the test-only {f}");
        assert!(
            pkg["features"].get(f).is_some(),
            "{f} is gone: update this test"
        );
    }
    assert_ne!(
        docs["all-features"], true,
        "all-features would build the test-only features"
    );
    assert_eq!(
        docs["targets"],
        serde_json::json!(["x86_64-unknown-linux-gnu"])
    );
}

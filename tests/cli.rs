//! The text renderer (`posture::render::text`) on fixture trees, in-process,
//! and the `posture` binary (src/bin/posture.rs) in a child process once per
//! exit code (0, 1, 2): every expected value here is read from the fixture's
//! own files (capability names from the kernel header's table in
//! `tests/common`, which `capsh --decode` confirms with the `tool-tests`
//! feature), or written out by hand, never taken
//! from the library under test; the subprocess tests check that the binary
//! prints what the library renders, with the flags wired as documented.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use posture::policy::{Policy, Preset};
use posture::render::json::Document;
use posture::render::text::{self, Color};

mod common;
use common::{
    PRIVILEGED_STRICT_BLOCKING, cap_names, copy_tree, fixture_dir as fixture, fixture_report,
    override_spec, posture_bin, report_at,
};

/// The binary, in a child process, with no policy, override or NO_COLOR
/// from the environment.
fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(posture_bin())
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .expect("run the posture binary")
}

/// The text report of a fixture, rendered in-process by the library.
fn text_of(name: &str) -> String {
    text::report(&fixture_report(name), Color::Plain)
}

/// The JSON document of a fixture, in-process.
fn json_of(root: &Path) -> serde_json::Value {
    serde_json::to_value(Document::new(&report_at(root))).expect("the document serializes")
}

fn read(name: &str, rel: &str) -> String {
    std::fs::read_to_string(fixture(name).join(rel))
        .unwrap_or_else(|e| panic!("fixture {name}/{rel}: {e}"))
}

/// A line's value from `proc/self/status`, parsed here, not by the crate.
fn status_line(name: &str, key: &str) -> Option<String> {
    read(name, "proc/self/status").lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k == key).then(|| v.trim().to_string())
    })
}

/// Capability names of a mask, as `capsh --decode` prints them (upper-cased).
#[cfg_attr(not(feature = "tool-tests"), allow(dead_code))]
fn capsh_decode(mask: u64) -> BTreeSet<String> {
    let out = Command::new(common::capsh())
        .arg(format!("--decode={mask:x}"))
        .output()
        .unwrap_or_else(|e| {
            panic!("capsh not runnable ({e}): install libcap2-bin (apt-get install libcap2-bin)")
        });
    assert!(out.status.success(), "capsh --decode: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    // `0x00000000a80425fb=cap_chown,cap_dac_override,...`
    let names = text
        .trim()
        .split_once('=')
        .expect("capsh --decode format")
        .1;
    names
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| n.to_ascii_uppercase())
        .collect()
}

/// The value lines of the row `label` in the section whose heading starts
/// with `section`: the first line's text after the label, then every
/// continuation line (blank where the label column is).
fn row(text: &str, section: &str, label: &str) -> Vec<String> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(section))
        .skip(1)
        .take_while(|l| !l.is_empty());
    let prefix = format!("  {label} ");
    let first = lines
        .by_ref()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no row {label:?} under {section:?} in:\n{text}"));
    let col = prefix.len() + first[prefix.len()..].len() - first[prefix.len()..].trim_start().len();
    let mut out = vec![first[col..].to_string()];
    for l in lines {
        if l.len() > col && l[..col].trim().is_empty() {
            out.push(l[col..].to_string());
        } else {
            break;
        }
    }
    out
}

/// Reads a capability row back: the mask printed and the set of names it says.
fn cap_row(text: &str, label: &str, full: &BTreeSet<String>) -> (String, BTreeSet<String>) {
    let lines = row(text, "Capabilities", label);
    let joined = lines.join(" ");
    let (hex, rest) = joined.trim().split_once("  ").expect("mask then names");
    let rest = rest.trim();
    let names: BTreeSet<String> = if rest == "(none)" {
        BTreeSet::new()
    } else if let Some(n) = rest.strip_prefix("full set (all ") {
        assert_eq!(n, format!("{})", full.len()), "{rest}");
        full.clone()
    } else if let Some(except) = rest.strip_prefix(&format!("all {} except ", full.len())) {
        let missing: BTreeSet<String> = except.split(", ").map(str::to_string).collect();
        full.difference(&missing).cloned().collect()
    } else {
        rest.split(',').map(|n| n.trim().to_string()).collect()
    };
    (hex.to_string(), names)
}

/// The written-out capability table agrees with libcap's: `capsh --decode`
/// names every capability this kernel has, bit by bit and all at once.
#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs capsh (libcap2-bin): cargo test --features tool-tests"
)]
fn capsh_decodes_the_capability_table_alike() {
    let last: usize = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(last < common::CAP_NAMES.len(), "cap_last_cap {last}");
    for bit in 0..=last {
        assert_eq!(cap_names(1 << bit), capsh_decode(1 << bit), "bit {bit}");
    }
    let all = (1u64 << (last + 1)) - 1;
    assert_eq!(cap_names(all), capsh_decode(all));
    assert_eq!(cap_names(all).len(), last + 1);
}

fn full_names(name: &str) -> BTreeSet<String> {
    let last: u32 = read(name, "proc/sys/kernel/cap_last_cap")
        .trim()
        .parse()
        .unwrap();
    cap_names((1u64 << (last + 1)) - 1)
}

#[test]
fn capability_sets_match_the_fixture_status_files() {
    for name in [
        "docker-default",
        "docker-hardened",
        "hardened",
        "privileged",
        "podman-cap-sys-admin",
        "rootless-like",
    ] {
        let text = text_of(name);
        let full = full_names(name);
        for (label, key) in [
            ("effective", "CapEff"),
            ("permitted", "CapPrm"),
            ("inheritable", "CapInh"),
            ("bounding", "CapBnd"),
            ("ambient", "CapAmb"),
        ] {
            let hex = status_line(name, key).unwrap();
            let mask = u64::from_str_radix(&hex, 16).unwrap();
            let (shown_hex, shown) = cap_row(&text, label, &full);
            assert_eq!(shown_hex, hex, "{name} {label}");
            assert_eq!(shown, cap_names(mask), "{name} {label}");
        }
    }
}

#[test]
fn docker_default_text_states_its_fixture_facts() {
    let name = "docker-default";
    let text = text_of(name);
    // Securebits are not in procfs: a fixture cannot know them.
    let sb = row(&text, "Capabilities", "securebits");
    assert!(
        sb[0].starts_with("unknown (prctl(PR_GET_SECUREBITS): "),
        "{sb:?}"
    );
    let nnp = status_line(name, "NoNewPrivs").unwrap();
    let want = if nnp == "1" { "on" } else { "off" };
    assert_eq!(
        row(&text, "Capabilities", "no_new_privs"),
        [format!("{want} (from status)")]
    );

    // Seccomp as the status file says, here and where it was turned off.
    for name in [name, "podman-seccomp-unconfined"] {
        let text = text_of(name);
        let mode = match status_line(name, "Seccomp").unwrap().as_str() {
            "0" => "disabled",
            "1" => "strict",
            "2" => "filter",
            other => panic!("fixture Seccomp {other}"),
        };
        assert_eq!(row(&text, "Seccomp", "mode"), [mode], "{name}");
        assert_eq!(
            row(&text, "Seccomp", "filters"),
            [status_line(name, "Seccomp_filters").unwrap()],
            "{name}"
        );
    }
    assert_eq!(
        status_line("podman-seccomp-unconfined", "Seccomp").unwrap(),
        "0"
    );

    let uid: Vec<String> = status_line(name, "Uid")
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(
        row(&text, "Identity", "uid"),
        [format!(
            "real {}, effective {}, saved {}, fs {}",
            uid[0], uid[1], uid[2], uid[3]
        )]
    );

    // attr/current is stored as EINVAL: no LSM.
    assert_eq!(read(name, "proc/self/attr/current.errno").trim(), "EINVAL");
    let label = row(&text, "LSM", "label");
    assert!(
        label[0].starts_with("none — ") && label[0].contains("EINVAL"),
        "{label:?}"
    );
    // No selinuxfs in the capture: unknown, with the file and the reason.
    assert!(!fixture(name).join("sys/fs/selinux/enforce").exists());
    let enf = row(&text, "LSM", "selinux enforcing");
    assert!(
        enf[0].starts_with(&format!(
            "unknown ({}: ",
            fixture(name).join("sys/fs/selinux/enforce").display()
        )),
        "{enf:?}"
    );

    // Namespace inodes as the fixture's links say.
    for ns in ["user", "pid", "mnt", "net"] {
        let link = std::fs::read_link(fixture(name).join("proc/self/ns").join(ns)).unwrap();
        let link = link.to_str().unwrap();
        let ino = link
            .trim_start_matches(&format!("{ns}:["))
            .trim_end_matches(']');
        let shown = row(&text, "Namespaces", ns);
        assert!(shown[0].starts_with(&format!("{ino}  ")), "{ns}: {shown:?}");
    }
    // CAP_NET_RAW is in docker's default set; there is no colour on a pipe.
    assert!(text.contains("CAP_NET_RAW"));
    assert!(!text.contains('\x1b'), "escape codes on a pipe");
    assert!(row(&text, "Runtime", "runtime")[0].starts_with("docker "));
}

#[test]
fn a_sparse_status_prints_unknowns_not_values() {
    // gVisor before release-20260615.0 prints no NoNewPrivs, CapAmb or
    // Seccomp_filters line (it does print Uid since release-20210806.0).
    let name = "gvisor-old";
    for key in ["NoNewPrivs", "CapAmb", "Seccomp_filters"] {
        assert_eq!(status_line(name, key), None, "fixture has {key}");
    }
    let text = text_of(name);
    let status = fixture(name).join("proc/self/status");
    let unknown = |line: &str| format!("unknown ({}: no {line}: line)", status.display());
    assert_eq!(
        row(&text, "Capabilities", "no_new_privs"),
        [unknown("NoNewPrivs")]
    );
    assert_eq!(row(&text, "Capabilities", "ambient"), [unknown("CapAmb")]);
    assert_eq!(
        row(&text, "Seccomp", "filters"),
        [unknown("Seccomp_filters")]
    );
}

#[test]
fn user_namespace_mapping_comes_from_uid_map() {
    let name = "userns-remapped";
    let map = read(name, "proc/self/uid_map");
    let f: Vec<u32> = map.split_whitespace().map(|x| x.parse().unwrap()).collect();
    assert_eq!(f.len(), 3, "one range in the fixture");
    let text = text_of(name);
    let shown = row(&text, "User namespace", "uid_map");
    assert!(
        shown[0].starts_with(&format!("{} {} {}  ", f[0], f[1], f[2])),
        "{shown:?}"
    );
    assert_eq!(f[0], 0);
    assert_eq!(
        row(&text, "User namespace", "uid 0 is"),
        [format!("uid {} outside (unprivileged)", f[1])]
    );
    assert_eq!(
        row(&text, "User namespace", "namespace"),
        ["its own (not the host's)"]
    );
}

#[test]
fn lsm_labels_come_from_the_attr_files() {
    for name in ["apparmor-enforce", "apparmor-complain"] {
        // `docker-default (enforce)`
        let attr = read(name, "proc/self/attr/apparmor/current");
        let (profile, mode) = attr.trim().rsplit_once(" (").unwrap();
        let mode = mode.trim_end_matches(')');
        let text = text_of(name);
        assert_eq!(
            row(&text, "LSM", "label"),
            [format!("AppArmor profile {profile} ({mode})")]
        );
    }
    for name in ["selinux-container-t", "selinux-spc-t"] {
        let ctx = read(name, "proc/self/attr/current");
        let ctx = ctx.trim_end_matches(['\0', '\n']);
        let ty = ctx.split(':').nth(2).unwrap();
        let text = text_of(name);
        assert_eq!(
            row(&text, "LSM", "label"),
            [format!("SELinux {ctx} (type {ty})")]
        );
        // A real container cannot see selinuxfs (podman masks it, a fresh
        // sysfs lacks it): the enforcing state is printed as unknown.
        assert!(!fixture(name).join("sys/fs/selinux/enforce").exists());
        let shown = row(&text, "LSM", "selinux enforcing");
        assert!(shown[0].starts_with("unknown ("), "{name}: {shown:?}");
    }
}

#[test]
fn cgroup_limits_come_from_the_limit_files() {
    let name = "docker-limits";
    let mem: u64 = read(name, "sys/fs/cgroup/memory/memory.limit_in_bytes")
        .trim()
        .parse()
        .unwrap();
    let pids = read(name, "sys/fs/cgroup/pids/pids.max");
    let quota = read(name, "sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    let period = read(name, "sys/fs/cgroup/cpu/cpu.cfs_period_us");
    let text = text_of(name);
    let m = row(&text, "Cgroups", "memory");
    assert!(m[0].ends_with(&format!("({mem} bytes)")), "{m:?}");
    assert_eq!(
        row(&text, "Cgroups", "pids"),
        [format!("{} tasks", pids.trim())]
    );
    let c = row(&text, "Cgroups", "cpu");
    assert!(
        c[0].ends_with(&format!("({} us every {} us)", quota.trim(), period.trim())),
        "{c:?}"
    );
}

#[test]
fn mounts_show_root_state_sockets_and_host_paths() {
    // hardened ran with --read-only: its / line says ro.
    let mi = read("hardened", "proc/self/mountinfo");
    let root = mi
        .lines()
        .find(|l| l.split(' ').nth(4) == Some("/"))
        .expect("a / mount");
    let ro = root
        .split(' ')
        .nth(5)
        .unwrap()
        .split(',')
        .any(|o| o == "ro");
    assert!(ro, "hardened's / is read-only: {root}");
    let text = text_of("hardened");
    assert!(row(&text, "Mounts", "/")[0].starts_with("read-only "));
    let text = text_of("docker-default");
    assert!(row(&text, "Mounts", "/")[0].starts_with("read-write "));

    // The docker socket bind mount is listed where mountinfo has it.
    let mi = read("podman-docker-sock", "proc/self/mountinfo");
    let sock = mi
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .find(|p| p.ends_with("docker.sock"))
        .expect("socket mount in fixture");
    let text = text_of("podman-docker-sock");
    let sockets = row(&text, "Mounts", "runtime sockets");
    assert!(sockets.iter().any(|s| s.starts_with(sock)), "{sockets:?}");

    // -v /:/host: the host's root filesystem is mounted at /host.
    let text = text_of("podman-host-root");
    let host = row(&text, "Mounts", "host mounts");
    assert!(
        host.iter()
            .any(|h| h.starts_with("/host <- ") && h.contains("sensitive")),
        "{host:?}"
    );
}

#[test]
fn a_full_bounding_set_is_called_full() {
    // A copy of docker-default whose CapBnd is every capability cap_last_cap names.
    let src = fixture("docker-default");
    let dir = std::env::temp_dir().join(format!("posture-cli-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&src, &dir);
    let last: u32 = read("docker-default", "proc/sys/kernel/cap_last_cap")
        .trim()
        .parse()
        .unwrap();
    let full = (1u64 << (last + 1)) - 1;
    let st = std::fs::read_to_string(dir.join("proc/self/status")).unwrap();
    let st: String = st
        .lines()
        .map(|l| {
            if l.starts_with("CapBnd:") {
                format!("CapBnd:\t{full:016x}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("proc/self/status"), st).unwrap();
    let text = text::report(&report_at(&dir), Color::Plain);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        row(&text, "Capabilities", "bounding"),
        [format!("{full:016x}  full set (all {})", last + 1)]
    );
}

#[test]
fn json_matches_the_fixture_and_the_schema() {
    let name = "docker-default";
    let v = json_of(&fixture(name));
    assert_eq!(v["schema_version"], 1);
    let r = &v["report"];
    assert_eq!(r["origin"]["kind"], "fixture");
    let hex = status_line(name, "CapEff").unwrap();
    let eff = &r["capabilities"]["effective"]["known"];
    assert_eq!(eff["hex"], hex.as_str());
    let names: BTreeSet<String> = eff["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, cap_names(u64::from_str_radix(&hex, 16).unwrap()));
    assert_eq!(
        r["securebits"]["unknown"]["source"],
        "prctl(PR_GET_SECUREBITS)"
    );
}

/// Every `{"unknown": {"source", "reason"}}` in the JSON.
fn unknowns(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(u) = m.get("unknown").filter(|_| m.len() == 1)
                && let (Some(s), Some(r)) = (u["source"].as_str(), u["reason"].as_str())
            {
                out.push((s.to_string(), r.to_string()));
                return;
            }
            m.values().for_each(|x| unknowns(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| unknowns(x, out)),
        _ => {}
    }
}

#[test]
fn every_unknown_in_the_json_is_printed_in_the_text() {
    let dirs: Vec<PathBuf> = common::all_fixtures().iter().map(|n| fixture(n)).collect();
    assert!(dirs.len() >= 20, "fixtures: {dirs:?}");
    let mut seen = 0;
    for dir in dirs {
        let v = json_of(&dir);
        let text = text::report(&report_at(&dir), Color::Plain);
        let mut u = Vec::new();
        unknowns(&v, &mut u);
        assert!(
            !u.is_empty(),
            "{}: a fixture never knows securebits",
            dir.display()
        );
        for (source, reason) in u {
            let line = format!("unknown ({source}: {reason})");
            assert!(
                text.contains(&line),
                "{}: {line} missing from the text:\n{text}",
                dir.display()
            );
            seen += 1;
        }
        assert!(
            !text.contains('\x1b'),
            "{}: escape codes in plain text",
            dir.display()
        );
    }
    assert!(seen > 0);
}

#[test]
fn dangerous_capabilities_are_bold_red_only_with_colour() {
    let report = fixture_report("docker-default");
    let text = text::report(&report, Color::Ansi);
    assert!(text.contains("\x1b[1;31mCAP_NET_RAW\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[1;31mCAP_MKNOD\x1b[0m"));
    assert!(!text.contains("\x1b[1;31mCAP_CHOWN"));
    assert!(text.contains(" CAP_CHOWN,") || text.contains("  CAP_CHOWN,"));
    assert!(
        text.starts_with("\x1b[1mCapabilities  ("),
        "headings in bold"
    );
    assert!(!text::report(&report, Color::Plain).contains('\x1b'));
}

/// Whether a checklist line is a row (`  id  status  severity  required`):
/// indented by exactly two spaces. The lines under a row are indented
/// further, their continuation lines further still.
fn is_row_line(l: &str) -> bool {
    l.starts_with("  ") && !l.starts_with("   ")
}

/// The checklist rows of `id` in `checks`: the row itself (its words) and
/// the lines under it up to the next row (`evidence: …`, `fix: …`, …), each
/// with its wrapped continuation lines joined back with one space.
fn check_rows<'a>(checks: &'a str, id: &str) -> (Vec<&'a str>, Vec<String>) {
    let mut lines = checks
        .lines()
        .skip_while(|l| !(is_row_line(l) && l.split_whitespace().next() == Some(id)));
    let row = lines
        .next()
        .unwrap_or_else(|| panic!("no row {id} in:\n{checks}"));
    let mut under: Vec<String> = Vec::new();
    let mut pad = usize::MAX;
    for l in lines.take_while(|l| l.starts_with("      ")) {
        let indent = l.len() - l.trim_start().len();
        if indent > pad {
            let last = under.last_mut().expect("a continuation under a line");
            last.push(' ');
            last.push_str(l.trim_start());
        } else {
            pad = indent;
            under.push(l.trim_start().to_string());
        }
    }
    (row.split_whitespace().collect(), under)
}

#[test]
fn the_checklist_names_status_severity_evidence_and_fix() {
    // docker-default runs as root (Uid 0 0 0 0 in its status file), with
    // docker's default capability set: the checklist fails on both.
    let name = "docker-default";
    assert_eq!(status_line(name, "Uid").unwrap(), "0\t0\t0\t0");
    let report = fixture_report(name);
    let a = posture::evaluate(&report, &Policy::preset(Preset::Checklist));
    let checks = text::checks(&a, Color::Plain);
    assert!(
        checks.starts_with(
            "Checks policy \"checklist\": FAIL\n\n  id                          status   severity            required\n"
        ),
        "{checks}"
    );
    let (row, under) = check_rows(&checks, "non_root");
    assert_eq!(row, ["non_root", "fail", "must", "yes"]);
    assert!(
        under[0].starts_with("evidence: runs as root: uid real 0"),
        "{under:?}"
    );
    assert_eq!(
        under[1],
        "fix: run: --user 1000:1000; kubernetes: securityContext.runAsNonRoot: true, runAsUser: 1000; Dockerfile: USER 1000:1000"
    );
    // The controls the check covers, written out from CIS Docker v1.6.0
    // (4.1), Pod Security Admission (runAsNonRoot, runAsUser) and the
    // NSA/CISA guide v1.2's heading.
    assert_eq!(
        under[2],
        "controls: CIS Docker 1.6.0 4.1; PSS v1.33 runAsNonRoot, runAsUser; NSA/CISA v1.2 \"Non-root\" containers and \"rootless\" container engines"
    );
    assert_eq!(under.len(), 3, "{under:?}");
    let (row, under) = check_rows(&checks, "capabilities_dropped");
    assert_eq!(row, ["capabilities_dropped", "fail", "must", "yes"]);
    assert!(under[0].contains("CAP_NET_RAW"), "{under:?}");
    assert_eq!(
        *under.last().unwrap(),
        "controls: CIS Docker 1.6.0 5.4; PSS v1.33 capabilities_baseline, capabilities_restricted"
    );
    // A check that passed has its evidence, and no fix and no controls.
    let (row, under) = check_rows(&checks, "no_runtime_socket");
    assert_eq!(row[1], "pass", "{row:?}");
    assert_eq!(under.len(), 1, "{under:?}");
    assert!(under[0].starts_with("evidence: "));

    // In colour: the verdict and the blocking statuses bold red, the
    // heading bold.
    let ansi = text::checks(&a, Color::Ansi);
    assert!(ansi.starts_with("\x1b[1mChecks\x1b[0m policy \"checklist\": \x1b[1;31mFAIL\x1b[0m\n"));
    assert!(
        ansi.contains("  non_root                    \x1b[1;31mfail   \x1b[0m  must"),
        "{ansi}"
    );
}

#[test]
fn a_passing_policy_and_an_override_read_as_such() {
    // hardened: --user 1000:1000, --cap-drop=ALL --cap-add=NET_BIND_SERVICE,
    // --read-only, no-new-privileges (README); pss-restricted passes.
    let report = fixture_report("hardened");
    let a = posture::evaluate(&report, &Policy::preset(Preset::PssRestricted));
    let checks = text::checks(&a, Color::Plain);
    assert!(
        checks.starts_with("Checks policy \"pss-restricted\": PASS\n"),
        "{checks}"
    );
    assert_eq!(
        check_rows(&checks, "non_root").0,
        ["non_root", "pass", "must", "yes"]
    );
    assert_eq!(text::blocking(&a, Color::Plain), "", "nothing blocks");

    // docker-default with non_root overridden: the row says so, loudly.
    let policy = Policy::preset(Preset::Checklist)
        .with_override_spec("non_root=TICKET-42: legacy image")
        .unwrap();
    let a = posture::evaluate(&fixture_report("docker-default"), &policy);
    let checks = text::checks(&a, Color::Plain);
    let (row, under) = check_rows(&checks, "non_root");
    assert_eq!(row, ["non_root", "fail", "must", "OVERRIDDEN"]);
    assert_eq!(
        under.last().map(String::as_str),
        Some("!! OVERRIDE: TICKET-42: legacy image")
    );
}

/// The last line of a checklist, after a blank line.
fn last_line(checks: &str) -> &str {
    let lines: Vec<&str> = checks.lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        "",
        "a blank line before the totals:\n{checks}"
    );
    lines[lines.len() - 1]
}

#[test]
fn the_checklist_closes_with_its_totals() {
    // docker-default under the checklist, from its files: uid 0 (non_root),
    // docker's 14 default capabilities (capabilities_dropped), no LSM
    // (attr/current EINVAL: mac_enforced), `/` rw (read_only_rootfs),
    // NoNewPrivs 0 (no_new_privs), uid_map `0 0 4294967295` (userns_remap),
    // memory.max `max` on the container's own cgroup (resource_limits: the
    // runtime set no limit) fail: 7. dangerous_syscalls_blocked (a fixture
    // runs no probe) is unknown: 1.
    // The other 11 of the 19 pass. Of the failures only non_root and
    // capabilities_dropped are MUST checks, which the checklist requires: 2
    // block the verdict.
    let a = posture::evaluate(
        &fixture_report("docker-default"),
        &Policy::preset(Preset::Checklist),
    );
    let checks = text::checks(&a, Color::Plain);
    assert!(checks.ends_with('\n'));
    assert_eq!(
        last_line(&checks),
        "Totals: 11 passed, 7 failed, 1 unknown; 2 blocking"
    );
    // Never a bare `N passed, N failed` that a log scraper takes for a test
    // runner's summary.
    assert!(checks.lines().all(|l| !l.starts_with(char::is_numeric)));

    // non_root overridden: still failed, one blocking fewer, said.
    let policy = Policy::preset(Preset::Checklist)
        .with_override_spec("non_root=TICKET-42: legacy image")
        .unwrap();
    let a = posture::evaluate(&fixture_report("docker-default"), &policy);
    assert_eq!(
        last_line(&text::checks(&a, Color::Plain)),
        "Totals: 11 passed, 7 failed, 1 unknown; 1 blocking, 1 overridden"
    );

    // hardened under pss-restricted, which ignores read_only_rootfs: 18
    // evaluated. userns_remap (uid_map `0 0 4294967295`) and resource_limits
    // (no --memory or --pids-limit in its run line: memory.max `max` on the
    // container's own cgroup) fail; the probe's check is unknown; all three
    // only warn. The other 15 pass.
    let a = posture::evaluate(
        &fixture_report("hardened"),
        &Policy::preset(Preset::PssRestricted),
    );
    assert_eq!(
        last_line(&text::checks(&a, Color::Plain)),
        "Totals: 15 passed, 2 failed, 1 unknown; 0 blocking, 1 ignored by the policy"
    );
    // The refusal lists the blocking rows only, without totals.
    assert!(!text::blocking(&a, Color::Plain).contains("Totals:"));
}

/// Lines of a checklist longer than 100 columns hold a single word (a long
/// path), never a list that could have been broken.
fn assert_wrapped(text: &str) {
    assert_wrapped_where(text, |_| true);
}

/// [`assert_wrapped`] for the lines `which` picks.
fn assert_wrapped_where(text: &str, which: impl Fn(&str) -> bool) {
    for l in text.lines().filter(|l| which(l)) {
        if l.chars().count() > 100 {
            assert_eq!(
                l.split_whitespace().count(),
                1,
                "a line over 100 columns:\n{l}\nin:\n{text}"
            );
        }
    }
}

#[test]
fn long_capability_lines_are_wrapped() {
    // privileged: 40 of the kernel's 41 capabilities in every set but the
    // inheritable and ambient ones (CapEff 000001fffeffffff), named in
    // capabilities_dropped's evidence: once one line of 1,600 columns.
    let report = fixture_report("privileged");
    for p in Preset::ALL {
        let a = posture::evaluate(&report, &Policy::preset(p));
        let checks = text::checks(&a, Color::Plain);
        assert_wrapped(&checks);
        // Joined back, each line under a row is the check's own text.
        let c = a.check(posture::CheckId::CapabilitiesDropped).unwrap();
        let (_, under) = check_rows(&checks, "capabilities_dropped");
        assert_eq!(under[0], format!("evidence: {}", c.evidence));
        assert_eq!(under[1], format!("fix: {}", c.remediation));
        assert!(under.len() > 1 && c.evidence.len() > 1000, "{}", c.evidence);
        // Every continuation line starts under the text after `evidence: `.
        let lines: Vec<&str> = checks
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("evidence: effective set holds"))
            .collect();
        let col = lines[0].find("evidence: ").unwrap() + "evidence: ".len();
        assert!(lines[1].len() > col && lines[1][..col].trim().is_empty());
        assert!(!lines[1][col..].starts_with(' '), "{}", lines[1]);
    }
    // In the report, the capability lines (other rows, such as an unknown
    // fact's reason, are not lists).
    assert_wrapped_where(&text::report(&report, Color::Plain), |l| l.contains("CAP_"));

    // The same tree with cap_last_cap unreadable: the full set is unknown,
    // so every set is listed by name, 40 of them.
    let dir = std::env::temp_dir().join(format!("posture-cli-nolast-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&fixture("privileged"), &dir);
    std::fs::remove_file(dir.join("proc/sys/kernel/cap_last_cap")).unwrap();
    let text = text::report(&report_at(&dir), Color::Plain);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_wrapped_where(&text, |l| l.contains("CAP_"));
    let eff = row(&text, "Capabilities", "effective");
    assert!(eff.len() >= 7, "{eff:?}");
    // Mask, then the names; continuation lines start under the first name.
    assert!(
        eff[0].starts_with("000001fffeffffff  CAP_CHOWN, "),
        "{eff:?}"
    );
    let names: BTreeSet<String> = eff
        .join(" ")
        .trim_start_matches("000001fffeffffff")
        .split(',')
        .map(|n| n.trim().to_string())
        .collect();
    assert_eq!(names, cap_names(0x000001fffeffffff));
    assert_eq!(names.len(), 40);
}

#[test]
fn the_verdict_names_what_overrode_it() {
    // privileged under strict blocks on 11 checks (its README: podman
    // --privileged as root); POSTURE_OVERRIDE naming all 11 passes it, and
    // the verdict line says so: never a plain PASS.
    let report = fixture_report("privileged");
    let spec = override_spec(&PRIVILEGED_STRICT_BLOCKING, "TICKET-7");
    let env = Policy::preset(Preset::Strict)
        .with_env_override_spec(&spec)
        .unwrap();
    let a = posture::evaluate(&report, &env);
    assert!(a.passed());
    let checks = text::checks(&a, Color::Plain);
    assert!(
        checks.starts_with(
            "Checks policy \"strict\": PASS (11 checks overridden by POSTURE_OVERRIDE)\n\n"
        ),
        "{checks}"
    );
    let (row, under) = check_rows(&checks, "seccomp");
    assert_eq!(row, ["seccomp", "fail", "highly_recommended", "OVERRIDDEN"]);
    assert_eq!(
        under.last().map(String::as_str),
        Some("!! OVERRIDE by POSTURE_OVERRIDE: TICKET-7")
    );
    // In colour the note is bold red, like a failure.
    let ansi = text::checks(&a, Color::Ansi);
    assert!(
        ansi.starts_with(
            "\x1b[1mChecks\x1b[0m policy \"strict\": \x1b[1mPASS\x1b[0m \x1b[1;31m(11 checks overridden by POSTURE_OVERRIDE)\x1b[0m\n"
        ),
        "{ansi}"
    );

    // The program's own override, one check: the policy's, singular; a
    // failing verdict names its overrides too.
    let own = Policy::preset(Preset::Strict).override_check(posture::CheckId::NonRoot, "T");
    let a = posture::evaluate(&report, &own);
    assert!(
        text::checks(&a, Color::Plain)
            .starts_with("Checks policy \"strict\": FAIL (1 check overridden by the policy)\n"),
    );
    // Both: the environment first.
    let both = own
        .with_env_override_spec("seccomp=T; no_new_privs=T")
        .unwrap();
    let a = posture::evaluate(&report, &both);
    assert!(
        text::checks(&a, Color::Plain).starts_with(
            "Checks policy \"strict\": FAIL (2 checks overridden by POSTURE_OVERRIDE, 1 by the policy)\n"
        ),
    );
    // An override of a check the policy does not require downgrades
    // nothing: hardened passes the checklist with mac_enforced a warning.
    let warn_only = Policy::preset(Preset::Checklist)
        .with_env_override_spec("mac_enforced=T")
        .unwrap();
    let a = posture::evaluate(&fixture_report("hardened"), &warn_only);
    assert!(text::checks(&a, Color::Plain).starts_with("Checks policy \"checklist\": PASS\n"));
}

/// `POSTURE_OVERRIDE` in the binary's real environment: beside `--policy`
/// it is refused (exit 2) unless `--allow-env-override`; without `--policy`
/// it applies; either way the verdict names it, in every format.
#[test]
fn posture_override_beside_an_explicit_policy() {
    let root = fixture("privileged");
    let dir = root.to_str().unwrap();
    let spec = override_spec(&PRIVILEGED_STRICT_BLOCKING, "from a base image");
    let with_env = |args: &[&str], policy_env: Option<&str>| {
        let mut c = Command::new(posture_bin());
        c.args(args)
            .env_remove("NO_COLOR")
            .env_remove("POSTURE_POLICY")
            .env("POSTURE_OVERRIDE", &spec);
        if let Some(p) = policy_env {
            c.env("POSTURE_POLICY", p);
        }
        c.output().expect("run the posture binary")
    };
    // --policy strict and the variable: refused, naming both ways out.
    for format in ["text", "json", "junit"] {
        let out = with_env(
            &[
                "--check", "--policy", "strict", "--format", format, "--root", dir,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{format}: {out:?}");
        assert!(out.stdout.is_empty(), "{format}: no verdict at all");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("posture: POSTURE_OVERRIDE is set ("),
            "{err}"
        );
        assert!(
            err.contains("Unset POSTURE_OVERRIDE, or pass --allow-env-override"),
            "{err}"
        );
    }
    // Allowed: the overrides apply, and the verdict line says so.
    let expected = "Checks policy \"strict\": PASS (11 checks overridden by POSTURE_OVERRIDE)\n";
    let out = with_env(
        &[
            "--check",
            "--policy",
            "strict",
            "--allow-env-override",
            "--root",
            dir,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).starts_with(expected), "{}", stdout(&out));
    // Without --policy the environment chose the policy and overrides it.
    let out = with_env(&["--check", "--root", dir], Some("strict"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).starts_with(expected), "{}", stdout(&out));
    // JSON: each override with its source.
    let out = with_env(&["--check", "--json", "--root", dir], Some("strict"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = v["assessment"]["overridden_checks"].as_array().unwrap();
    assert_eq!(listed.len(), 11);
    for o in listed {
        assert_eq!(o["source"], "environment", "{o}");
        assert_eq!(o["reason"], "from a base image", "{o}");
        assert_eq!(o["would_block"], true, "{o}");
    }
    // JUnit: the note, and the 11 as skipped, not green.
    let out = with_env(
        &["--check", "--format", "junit", "--root", dir],
        Some("strict"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let xml = stdout(&out);
    assert!(
        xml.contains(" failures=\"0\" errors=\"0\" skipped=\"11\">"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<property name=\"overridden\" value=\"11 checks overridden by POSTURE_OVERRIDE\"/>"
        ),
        "{xml}"
    );
}

#[test]
fn the_refusal_lists_the_blocking_rows_of_the_checklist() {
    let report = fixture_report("docker-default");
    let a = posture::evaluate(&report, &Policy::preset(Preset::Checklist));
    let checks = text::checks(&a, Color::Plain);
    let blocking = text::blocking(&a, Color::Plain);
    // Each line of the blocking table is a line of the checklist, byte for
    // byte: the check is worded one way wherever it is shown.
    for line in blocking.lines() {
        assert!(
            checks.lines().any(|l| l == line),
            "{line:?} not in:\n{checks}"
        );
    }
    let (row, _) = check_rows(&blocking, "non_root");
    assert_eq!(row, ["non_root", "fail", "must", "yes"]);
    // Only blocking checks: no row says pass.
    assert!(
        !blocking
            .lines()
            .any(|l| l.split_whitespace().nth(1) == Some("pass"))
    );
    let n = a.blocking().count();
    assert!(n >= 2, "non_root and capabilities_dropped block");
    let refusal = posture::Refusal { assessment: a }.to_string();
    assert_eq!(
        refusal,
        format!(
            "posture: refusing to start: {n} required check(s) of policy \"checklist\" did not pass\n{blocking}"
        )
    );
}

/// Runs the binary with its stdout on a pseudo-terminal (openpty(3), the
/// terminal `script` would give it), so that `--color auto` sees a
/// terminal; returns what it wrote there.
fn on_tty(no_color: Option<&str>) -> Vec<u8> {
    use std::io::Read;

    let pty = nix::pty::openpty(None, None).expect("openpty");
    for fd in [&pty.master, &pty.slave] {
        // Not inherited by the children other tests spawn meanwhile, which
        // would hold the terminal open past this child's exit.
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .unwrap();
    }
    let root = fixture("docker-default");
    let mut c = Command::new(posture_bin());
    c.arg("--root")
        .arg(&root)
        .stdout(std::process::Stdio::from(pty.slave))
        .env_remove("NO_COLOR")
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let mut child = c.spawn().expect("run the posture binary");
    // The only other copy of the terminal's slave side is the child's.
    drop(c);
    let mut master = std::fs::File::from(pty.master);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // The slave side closed: the child has exited.
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => break,
            Err(e) => panic!("read the terminal: {e}"),
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!out.is_empty(), "nothing written to the terminal");
    out
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).expect("utf-8 output")
}

/// Exit 0: the help, the report in every format and flag spelling, colour
/// as asked or as the terminal says, and a check that passes.
#[test]
fn exit_0_report_help_and_a_passing_check() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for word in [
        "--json",
        "--format FORMAT",
        "junit",
        "--root DIR",
        "--color",
        "NO_COLOR",
        "--check",
        "--policy NAME|FILE",
        "--allow-env-override",
        "POSTURE_OVERRIDE",
        "unknown (<source>: <reason>)",
        "--opt=VALUE",
    ] {
        assert!(help.contains(word), "help lacks {word:?}:\n{help}");
    }
    assert!(out.stderr.is_empty());
    assert!(help.contains("-V, --version"), "{help}");
    // The version, as Cargo.toml says it (read here, not from the binary).
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml's version line");
    for flag in ["--version", "-V"] {
        let out = run(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert_eq!(stdout(&out), format!("posture {version}\n"), "{flag}");
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }

    let root = fixture("docker-default");
    let dir = root.to_str().unwrap();
    let report = report_at(&root);
    // Text, on a pipe: no colour unless asked; `--x v` and `--x=v` alike.
    let plain = text::report(&report, Color::Plain);
    let root_eq = format!("--root={dir}");
    for args in [
        &["--root", dir][..],
        &[root_eq.as_str()][..],
        &["--root", dir, "--color", "never"][..],
        &["--root", dir, "--format", "text"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(stdout(&out), plain, "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    }
    for args in [
        &["--root", dir, "--color", "always"][..],
        &["--colour=always", &root_eq][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&out), text::report(&report, Color::Ansi), "{args:?}");
        assert!(stdout(&out).contains("\x1b[1;31mCAP_NET_RAW\x1b[0m"));
    }
    // JSON: the document, pretty, one newline.
    let json = serde_json::to_string_pretty(&Document::new(&report)).unwrap() + "\n";
    for args in [
        &["--json", "--root", dir][..],
        &["--format=json", &root_eq][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&out), json, "{args:?}");
    }
    // Colour on a terminal follows NO_COLOR.
    let esc = |b: &[u8]| b.contains(&0x1b);
    assert!(esc(&on_tty(None)), "a terminal gets colour");
    assert!(esc(&on_tty(Some(""))), "an empty NO_COLOR is unset");
    assert!(!esc(&on_tty(Some("1"))), "NO_COLOR=1 turns colour off");

    // --check passes: hardened under pss-restricted, as text and JUnit.
    let hardened = fixture("hardened");
    let h = hardened.to_str().unwrap();
    let a = posture::evaluate(
        &report_at(&hardened),
        &Policy::preset(Preset::PssRestricted),
    );
    let out = run(&["--check", "--policy", "pss-restricted", "--root", h]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), text::checks(&a, Color::Plain));
    let out = run(&[
        "--check",
        "--policy=pss-restricted",
        "--format=junit",
        "--root",
        h,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), posture::render::junit(&a));
    assert!(stdout(&out).contains(" failures=\"0\""));
}

/// Exit 1: a required check fails, in every format.
#[test]
fn exit_1_a_required_check_fails() {
    let root = fixture("docker-default");
    let dir = root.to_str().unwrap();
    let report = report_at(&root);
    let a = posture::evaluate(&report, &Policy::preset(Preset::Checklist));
    assert!(!a.passed());
    let out = run(&["--check", "--root", dir]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(stdout(&out), text::checks(&a, Color::Plain));
    assert!(out.stderr.is_empty(), "{out:?}");
    let out = run(&["--check", "--json", "--root", dir]);
    assert_eq!(out.status.code(), Some(1));
    // The same bytes as the library's document, so what tests/schema.rs
    // validates in-process is what the binary prints.
    assert_eq!(
        stdout(&out),
        serde_json::to_string_pretty(&Document::new(&report).with_assessment(&a)).unwrap() + "\n"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["assessment"]["verdict"], "fail");
    assert_eq!(v["assessment"]["policy"], "checklist");
    let out = run(&["--check", "--format", "junit", "--root", dir]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), posture::render::junit(&a));
    // POSTURE_POLICY is read when --policy is absent.
    let out = Command::new(posture_bin())
        .args(["--check", "--root", dir])
        .env("POSTURE_POLICY", "strict")
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("Checks policy \"strict\": FAIL\n"));
}

/// Exit 2: usage errors (with the usage text on stderr, nothing on stdout)
/// and a bad policy.
#[test]
fn exit_2_usage_errors_and_a_bad_policy() {
    let dir = fixture("docker-default");
    let dir = dir.to_str().unwrap();
    let non_utf8 = OsStr::from_bytes(b"tests/fixtures/\xff");
    let mut non_utf8_eq = std::ffi::OsString::from("--root=");
    non_utf8_eq.push(non_utf8);
    let cases: Vec<(Vec<&OsStr>, &str)> = vec![
        (vec!["--bogus".as_ref()], "--bogus"),
        (vec!["--root".as_ref()], "--root"),
        (
            vec!["--color".as_ref(), "sometimes".as_ref()],
            "\"sometimes\" is not auto, always or never",
        ),
        (vec!["extra".as_ref()], "extra"),
        (vec!["--json=yes".as_ref()], "--json"),
        (
            vec!["--format".as_ref(), "yaml".as_ref()],
            "\"yaml\" is not text, json, junit, k8s-patch or compose",
        ),
        (
            vec!["--format=junit".as_ref(), "--root".as_ref(), dir.as_ref()],
            "--format junit goes with --check",
        ),
        (
            vec!["--policy".as_ref(), "strict".as_ref()],
            "--policy goes with --check",
        ),
        (
            vec!["--allow-env-override".as_ref()],
            "--allow-env-override goes with --check",
        ),
        (
            vec!["--probe-syscalls".as_ref(), "--root".as_ref(), dir.as_ref()],
            "does not go with --root",
        ),
        (
            vec!["--root".as_ref(), non_utf8],
            "--root: \"tests/fixtures/\\xFF\" is not UTF-8",
        ),
        (vec![non_utf8_eq.as_os_str()], "is not UTF-8"),
    ];
    for (args, needle) in cases {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed a report");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("posture: "), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
        assert!(err.contains("usage:"), "{args:?}: {err}");
    }
    // A bad policy: the reason, no report.
    let out = run(&["--check", "--policy", "no-such-preset", "--root", dir]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no policy preset named \"no-such-preset\""),
        "{err}"
    );
}

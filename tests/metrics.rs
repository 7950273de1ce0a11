//! The Prometheus exposition of real fixture trees: valid text format that
//! passes `promtool check metrics`'s lints (checked in Rust by
//! `common::exposition_check`; with the `tool-tests` feature, by the real
//! `promtool` too), and every value the one the fixture's own files say
//! (read here directly from the fixture, not from the library).

use std::collections::BTreeMap;
use std::path::Path;

use posture::policy::{Policy, Preset, evaluate};

mod common;
use common::{
    PRIVILEGED_STRICT_BLOCKING, exposition_check, fixture_dir as fixture, fixture_report,
    override_spec, promtool_check,
};

type Labels = BTreeMap<String, String>;

/// A minimal parser of the text format, written independently of the crate.
fn parse(text: &str) -> Vec<(String, Labels, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (name, rest) = match line.find('{') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => {
                let (n, v) = line.split_once(' ').unwrap();
                out.push((n.to_string(), Labels::new(), v.parse().unwrap()));
                continue;
            }
        };
        let mut labels = Labels::new();
        let mut chars = rest.chars().peekable();
        loop {
            if chars.peek() == Some(&'}') {
                chars.next();
                break;
            }
            let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
            assert_eq!(chars.next(), Some('"'), "line {line}");
            let mut value = String::new();
            loop {
                match chars.next().unwrap() {
                    '\\' => match chars.next().unwrap() {
                        'n' => value.push('\n'),
                        c => value.push(c),
                    },
                    '"' => break,
                    c => value.push(c),
                }
            }
            labels.insert(key, value);
            if chars.peek() == Some(&',') {
                chars.next();
            }
        }
        let value: String = chars.collect();
        out.push((name.to_string(), labels, value.trim().parse().unwrap()));
    }
    out
}

struct Metrics(Vec<(String, Labels, f64)>);

impl Metrics {
    fn of(text: &str) -> Metrics {
        Metrics(parse(text))
    }

    /// The value of the one series with exactly these labels.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: Labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let found: Vec<f64> = self
            .0
            .iter()
            .filter(|(n, l, _)| n == name && *l == want)
            .map(|(_, _, v)| *v)
            .collect();
        assert!(found.len() <= 1, "{name}{labels:?} appears {found:?}");
        found.first().copied()
    }

    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(name, labels)
            .unwrap_or_else(|| panic!("no series {name}{labels:?}"))
    }

    fn series(&self, name: &str) -> Vec<&(String, Labels, f64)> {
        self.0.iter().filter(|(n, _, _)| n == name).collect()
    }

    /// The state that holds in a state set, asserting every state is present
    /// and exactly one is 1.
    fn state(&self, name: &str, key: &str, states: &[&str]) -> String {
        let s = self.series(name);
        assert_eq!(s.len(), states.len(), "{name}: {s:?}");
        for st in states {
            assert!(s.iter().any(|(_, l, _)| l[key] == *st), "{name}: no {st}");
        }
        let ones: Vec<_> = s.iter().filter(|(_, _, v)| *v == 1.0).collect();
        assert_eq!(ones.len(), 1, "{name}: {s:?}");
        assert!(s.iter().all(|(_, _, v)| *v == 0.0 || *v == 1.0));
        ones[0].1[key].clone()
    }
}

/// A `Name:\tvalue` line of the fixture's status file.
fn status_line(dir: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("proc/self/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

/// Every capability set the status file has: each capability bit up to
/// cap_last_cap must be exported with the bit's value, and the count must
/// match the mask's popcount.
fn assert_capabilities_match_status(dir: &Path, m: &Metrics) {
    let last: usize = std::fs::read_to_string(dir.join("proc/sys/kernel/cap_last_cap"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    for (key, set) in [
        ("CapEff", "effective"),
        ("CapPrm", "permitted"),
        ("CapInh", "inheritable"),
        ("CapBnd", "bounding"),
        ("CapAmb", "ambient"),
    ] {
        let Some(hex) = status_line(dir, key) else {
            assert_eq!(
                m.value("posture_capability_set_known", &[("set", set)]),
                0.0,
                "{set} is absent from {}, so it must be unknown",
                dir.display()
            );
            assert!(
                m.series("posture_capability")
                    .iter()
                    .all(|(_, l, _)| l["set"] != set),
                "no posture_capability series for an unknown set"
            );
            continue;
        };
        let mask = u64::from_str_radix(&hex, 16).unwrap();
        assert_eq!(
            m.value("posture_capability_set_known", &[("set", set)]),
            1.0
        );
        assert_eq!(
            m.value("posture_capabilities_held", &[("set", set)]),
            f64::from(mask.count_ones()),
            "{set}"
        );
        let n = m
            .series("posture_capability")
            .iter()
            .filter(|(_, l, _)| l["set"] == set)
            .count();
        assert_eq!(
            n,
            last + 1,
            "{set}: one series per capability the kernel has"
        );
        for (bit, name) in common::CAP_NAMES.iter().enumerate().take(last + 1) {
            assert_eq!(
                m.value("posture_capability", &[("set", set), ("capability", name)]),
                ((mask >> bit) & 1) as f64,
                "{} {set} {name}",
                dir.display()
            );
        }
    }
}

/// What the fixture's mountinfo says about `/`.
fn root_mount_state(dir: &Path) -> &'static str {
    let text = std::fs::read_to_string(dir.join("proc/self/mountinfo")).unwrap();
    // The last mount at / is the one visible.
    let line = text
        .lines()
        .rfind(|l| l.split(' ').nth(4) == Some("/"))
        .expect("a mount at /");
    let opts = line.split(' ').nth(5).unwrap();
    if opts.split(',').any(|o| o == "ro") {
        "read_only"
    } else {
        "writable"
    }
}

fn seccomp_state(dir: &Path) -> &'static str {
    match status_line(dir, "Seccomp").as_deref() {
        Some("0") => "disabled",
        Some("1") => "strict",
        Some("2") => "filter",
        _ => "unknown",
    }
}

fn nnp_state(dir: &Path) -> &'static str {
    match status_line(dir, "NoNewPrivs").as_deref() {
        Some("1") => "enabled",
        Some("0") => "disabled",
        _ => "unknown",
    }
}

/// Renders with the checklist, checks the format, and checks the facts
/// that come straight from the fixture's files.
fn check_fixture(name: &str, runtime: &str, userns: &str) -> Metrics {
    let dir = fixture(name);
    let report = fixture_report(name);
    let a = evaluate(&report, &Policy::preset(Preset::Checklist));
    let text = posture::render::prometheus::render(&report, &a);
    exposition_check(&text);
    let summary = posture::render::prometheus::render_summary(&a);
    exposition_check(&summary);
    let m = Metrics::of(&text);

    assert_eq!(
        m.value(
            "posture_info",
            &[
                ("schema_version", "1"),
                ("runtime", runtime),
                ("origin", "fixture")
            ]
        ),
        1.0,
        "{name}"
    );
    assert_capabilities_match_status(&dir, &m);
    assert_eq!(
        m.state(
            "posture_seccomp_mode",
            "mode",
            &["disabled", "strict", "filter", "unknown"]
        ),
        seccomp_state(&dir),
        "{name}"
    );
    assert_eq!(
        m.state(
            "posture_no_new_privs",
            "state",
            &["enabled", "disabled", "unknown"]
        ),
        nnp_state(&dir),
        "{name}"
    );
    assert_eq!(
        m.state(
            "posture_userns_root",
            "mapping",
            &["host_root", "unprivileged", "unmapped", "unknown"]
        ),
        userns,
        "{name}"
    );
    assert_eq!(
        m.state(
            "posture_root_filesystem",
            "state",
            &["read_only", "writable", "unknown"]
        ),
        root_mount_state(&dir),
        "{name}"
    );
    // Every evaluated check is a full state set; checklist ignores none.
    let statuses = m.series("posture_check_status");
    assert_eq!(statuses.len(), 3 * posture::CheckId::ALL.len(), "{name}");
    for id in posture::CheckId::ALL {
        let rows: Vec<_> = statuses
            .iter()
            .filter(|(_, l, _)| l["check"] == id.to_string())
            .collect();
        assert_eq!(rows.len(), 3, "{name} {id}");
        assert_eq!(
            rows.iter().filter(|(_, _, v)| *v == 1.0).count(),
            1,
            "{name} {id}: exactly one status holds"
        );
        assert!(
            rows.iter()
                .all(|(_, l, _)| l["check_severity"] == id.severity().to_string())
        );
    }
    // Verdict and blocking count agree with the per-check series, in both
    // renderings.
    let blocking: Vec<String> = m
        .series("posture_check_blocking")
        .iter()
        .filter(|(_, _, v)| *v == 1.0)
        .map(|(_, l, _)| l["check"].clone())
        .collect();
    let s = Metrics::of(&summary);
    let policy = [("policy", "checklist")];
    for mm in [&m, &s] {
        assert_eq!(
            mm.value("posture_blocking_checks", &policy),
            blocking.len() as f64
        );
        assert_eq!(
            mm.value("posture_verdict", &policy),
            if blocking.is_empty() { 1.0 } else { 0.0 }
        );
        assert_eq!(mm.value("posture_overrides", &policy), 0.0);
    }
    let summary_blocking: Vec<String> = s
        .series("posture_check_blocking")
        .iter()
        .map(|(_, l, _)| l["check"].clone())
        .collect();
    assert_eq!(summary_blocking, blocking, "{name}");
    // Controls: written from the CIS Docker Benchmark v1.6.0 and the
    // NSA/CISA guide, not from the library's table.
    assert_eq!(
        m.value(
            "posture_check_control_info",
            &[
                ("check", "no_new_privs"),
                ("framework", "cis_docker_1.6.0"),
                ("control", "5.26")
            ]
        ),
        1.0,
        "{name}"
    );
    assert_eq!(
        m.value(
            "posture_check_control_info",
            &[
                ("check", "no_runtime_socket"),
                ("framework", "cis_docker_1.6.0"),
                ("control", "5.32")
            ]
        ),
        1.0,
        "{name}"
    );
    // A label value with double quotes, escaped and read back.
    assert_eq!(
        m.value(
            "posture_check_control_info",
            &[
                ("check", "non_root"),
                ("framework", "nsa_cisa_k8s_1.2"),
                (
                    "control",
                    "\"Non-root\" containers and \"rootless\" container engines"
                )
            ]
        ),
        1.0,
        "{name}"
    );
    let controls = m.series("posture_check_control_info");
    // 55 controls over the 19 checks (checklist evaluates every one);
    // proc_trusted covers none.
    assert_eq!(controls.len(), 55, "{name}");
    assert!(controls.iter().all(|(_, _, v)| *v == 1.0));
    assert!(
        !controls
            .iter()
            .any(|(_, l, _)| l["check"] == "proc_trusted")
    );
    for (_, l, _) in &controls {
        assert!(
            ["cis_docker_1.6.0", "k8s_pss_1.33", "nsa_cisa_k8s_1.2"]
                .contains(&l["framework"].as_str()),
            "{l:?}"
        );
    }
    // The summary says nothing else about the hardening.
    for detail in [
        "posture_check_control_info",
        "posture_capability",
        "posture_seccomp_mode",
        "posture_check_status",
        "posture_userns_root",
        "posture_root_filesystem",
        "posture_no_new_privs",
    ] {
        assert!(s.series(detail).is_empty(), "summary has {detail}");
    }
    assert_eq!(
        s.value("posture_info", &[("schema_version", "1")]),
        1.0,
        "summary info has no runtime label"
    );
    // The build, in both renderings: the version in Cargo.toml, one series.
    for (what, r) in [("full", &m), ("summary", &s)] {
        let b = r.series("posture_build_info");
        assert_eq!(b.len(), 1, "{name} {what}: {b:?}");
        assert_eq!(b[0].1.len(), 1, "{name} {what}: only the version label");
        assert_eq!(
            b[0].1["version"],
            env!("CARGO_PKG_VERSION"),
            "{name} {what}"
        );
        assert_eq!(b[0].2, 1.0);
        no_severity_label(&r.0);
    }
    m
}

/// No series carries a label named `severity`: alerting rules set that
/// label on alerts and Alertmanager routes on it; the check's severity is
/// `check_severity`.
fn no_severity_label(series: &[(String, Labels, f64)]) {
    for (name, labels, _) in series {
        assert!(
            !labels.contains_key("severity"),
            "{name} has a severity label: {labels:?}"
        );
    }
}

#[test]
fn docker_default() {
    let m = check_fixture("docker-default", "docker", "host_root");
    // The runtime's default set keeps NET_RAW and drops SYS_ADMIN.
    let eff = |c| {
        m.value(
            "posture_capability",
            &[("set", "effective"), ("capability", c)],
        )
    };
    assert_eq!(eff("CAP_NET_RAW"), 1.0);
    assert_eq!(eff("CAP_SYS_ADMIN"), 0.0);
    assert_eq!(seccomp_state(&fixture("docker-default")), "filter");
    assert_eq!(root_mount_state(&fixture("docker-default")), "writable");
    // Running as root fails the checklist's non_root (a MUST, so required).
    assert_eq!(
        m.value(
            "posture_check_status",
            &[
                ("check", "non_root"),
                ("check_severity", "must"),
                ("required", "true"),
                ("status", "fail")
            ]
        ),
        1.0
    );
    assert_eq!(m.value("posture_verdict", &[("policy", "checklist")]), 0.0);
}

#[test]
fn hardened() {
    let m = check_fixture("hardened", "podman", "host_root");
    assert_eq!(root_mount_state(&fixture("hardened")), "read_only");
    assert_eq!(
        m.value("posture_root_filesystem", &[("state", "read_only")]),
        1.0
    );
    assert_eq!(
        m.value("posture_no_new_privs", &[("state", "enabled")]),
        1.0
    );
    assert_eq!(
        m.value(
            "posture_capability",
            &[("set", "effective"), ("capability", "CAP_NET_BIND_SERVICE")]
        ),
        1.0
    );
    assert_eq!(
        m.value("posture_capabilities_held", &[("set", "effective")]),
        1.0
    );
    assert_eq!(m.value("posture_verdict", &[("policy", "checklist")]), 1.0);
    assert_eq!(
        m.value("posture_blocking_checks", &[("policy", "checklist")]),
        0.0
    );
}

#[test]
fn userns_remapped_root_is_unprivileged() {
    check_fixture("userns-remapped", "podman", "unprivileged");
}

#[test]
fn privileged_fails_not_privileged() {
    let m = check_fixture("privileged", "podman", "host_root");
    assert_eq!(
        m.value("posture_check_blocking", &[("check", "not_privileged")]),
        1.0
    );
    assert_eq!(
        m.value(
            "posture_capability",
            &[("set", "effective"), ("capability", "CAP_SYS_ADMIN")]
        ),
        1.0
    );
}

#[test]
fn seccomp_unconfined_is_disabled() {
    let m = check_fixture("podman-seccomp-unconfined", "podman", "host_root");
    assert_eq!(
        m.value("posture_seccomp_mode", &[("mode", "disabled")]),
        1.0
    );
}

#[test]
fn gvisor_no_new_privs_is_unknown_not_off() {
    // gVisor (before release-20260615.0) prints no NoNewPrivs and no CapAmb line.
    let dir = fixture("gvisor-old");
    assert_eq!(status_line(&dir, "NoNewPrivs"), None);
    assert_eq!(status_line(&dir, "CapAmb"), None);
    let m = check_fixture("gvisor-old", "gvisor", "host_root");
    assert_eq!(
        m.value("posture_no_new_privs", &[("state", "unknown")]),
        1.0
    );
    assert_eq!(
        m.value("posture_no_new_privs", &[("state", "disabled")]),
        0.0
    );
    assert_eq!(
        m.value("posture_capability_set_known", &[("set", "ambient")]),
        0.0
    );
    assert_eq!(
        m.get("posture_capabilities_held", &[("set", "ambient")]),
        None
    );
}

/// A copy of docker-default whose status read fails with EACCES: everything
/// from status is unknown, and rendered so.
#[test]
fn unreadable_status_is_unknown_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    common::copy_tree(&fixture("docker-default"), &dst);
    std::fs::remove_file(dst.join("proc/self/status")).unwrap();
    std::fs::write(dst.join("proc/self/status.errno"), "EACCES\n").unwrap();

    let report = common::report_at(&dst);
    let a = evaluate(&report, &Policy::preset(Preset::Checklist));
    let text = posture::render::prometheus::render(&report, &a);
    exposition_check(&text);
    let m = Metrics::of(&text);
    for set in [
        "effective",
        "permitted",
        "inheritable",
        "bounding",
        "ambient",
    ] {
        assert_eq!(
            m.value("posture_capability_set_known", &[("set", set)]),
            0.0
        );
    }
    assert!(m.series("posture_capability").is_empty());
    assert!(m.series("posture_capabilities_held").is_empty());
    assert_eq!(m.value("posture_seccomp_mode", &[("mode", "unknown")]), 1.0);
    assert_eq!(
        m.value("posture_no_new_privs", &[("state", "unknown")]),
        1.0
    );
    assert_eq!(
        m.value(
            "posture_check_status",
            &[
                ("check", "capabilities_dropped"),
                ("check_severity", "must"),
                ("required", "true"),
                ("status", "unknown")
            ]
        ),
        1.0
    );
    // Unknown required checks block the verdict.
    assert_eq!(
        m.value(
            "posture_check_blocking",
            &[("check", "capabilities_dropped")]
        ),
        1.0
    );
    assert_eq!(m.value("posture_verdict", &[("policy", "checklist")]), 0.0);
}

/// Label values with quotes, backslashes and newlines (a policy name and an
/// override reason come from users) survive escaping, per the format check and a
/// round trip through the parser.
#[test]
fn label_values_are_escaped() {
    let name = "team \"payments\"\\prod\nline2";
    let reason = "TICKET-1: \"legacy\" image\\root\nsee wiki";
    let policy = Policy::preset(Preset::Checklist)
        .named(name)
        .override_check(posture::CheckId::NonRoot, reason);
    let report = fixture_report("docker-default");
    let a = evaluate(&report, &policy);
    let text = posture::render::prometheus::render(&report, &a);
    exposition_check(&text);
    exposition_check(&posture::render::prometheus::render_summary(&a));
    let m = Metrics::of(&text);
    assert_eq!(m.value("posture_overrides", &[("policy", name)]), 1.0);
    assert_eq!(
        m.value(
            "posture_check_overridden",
            &[
                ("check", "non_root"),
                ("source", "policy"),
                ("reason", reason)
            ]
        ),
        1.0
    );
    // The override makes non_root a warning: it no longer blocks.
    assert_eq!(
        m.value("posture_check_blocking", &[("check", "non_root")]),
        0.0
    );
    assert!(text.contains(r#"policy="team \"payments\"\\prod\nline2""#));
}

/// The syscall state sets of one exposition: syscall -> (state -> value).
fn syscall_states(text: &str) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (name, labels, v) in parse(text) {
        if name == "posture_syscall" {
            out.entry(labels["syscall"].clone())
                .or_default()
                .insert(labels["state"].clone(), v);
        }
    }
    out
}

const SYSCALL_STATES: [&str; 4] = ["reachable", "blocked", "killed", "unknown"];

#[test]
fn an_unprobed_report_reads_unknown_for_every_syscall() {
    let r = fixture_report("docker-default");
    let a = evaluate(&r, &Policy::preset(Preset::Checklist));
    let text = posture::render::prometheus::render(&r, &a);
    exposition_check(&text);
    let m = Metrics(parse(&text));
    assert_eq!(m.value("posture_syscall_probe_run", &[]), 0.0);
    assert_eq!(
        m.state(
            "posture_userns_creatable",
            "state",
            &["yes", "no", "unknown"]
        ),
        "unknown"
    );
    let sets = syscall_states(&text);
    assert_eq!(sets.len(), 26, "{sets:?}");
    for (sc, states) in &sets {
        let names: Vec<&str> = states.keys().map(String::as_str).collect();
        let mut want = SYSCALL_STATES.to_vec();
        want.sort();
        assert_eq!(names, want, "{sc}");
        assert_eq!(states["unknown"], 1.0, "{sc}");
        assert_eq!(states.values().sum::<f64>(), 1.0, "{sc}");
    }
}

#[test]
fn a_probed_report_has_one_state_per_syscall() {
    // This test process has no seccomp filter (the host), so the kernel's own
    // validation answers: keyctl(0x7fffffff) is EOPNOTSUPP, ptrace on pid 0
    // is ESRCH (security/keys/keyctl.c, kernel/ptrace.c): both reachable.
    let r = posture::posture().with_syscalls(posture::syscalls::probe());
    assert_eq!(
        r.seccomp.mode.known(),
        Some(&posture::report::SeccompMode::Disabled),
        "this test expects to run without a seccomp filter"
    );
    let a = evaluate(&r, &Policy::preset(Preset::Checklist));
    let text = posture::render::prometheus::render(&r, &a);
    exposition_check(&text);
    let m = Metrics(parse(&text));
    assert_eq!(m.value("posture_syscall_probe_run", &[]), 1.0);
    let sets = syscall_states(&text);
    assert_eq!(sets.len(), 26);
    for (sc, states) in &sets {
        assert_eq!(states.len(), 4, "{sc}");
        assert_eq!(
            states.values().sum::<f64>(),
            1.0,
            "{sc}: exactly one state holds"
        );
    }
    assert_eq!(sets["keyctl"]["reachable"], 1.0);
    assert_eq!(sets["ptrace"]["reachable"], 1.0);
}

#[test]
fn ignored_checks_name_no_controls() {
    // pss-restricted ignores read_only_rootfs (no PSS control): its CIS 5.13
    // and the guide's immutable file systems are not emitted.
    let report = fixture_report("k8s-restricted");
    let a = evaluate(&report, &Policy::preset(Preset::PssRestricted));
    let text = posture::render::prometheus::render(&report, &a);
    exposition_check(&text);
    let m = Metrics::of(&text);
    assert!(
        m.series("posture_check_control_info")
            .iter()
            .all(|(_, l, _)| l["check"] != "read_only_rootfs")
    );
    assert_eq!(
        m.value(
            "posture_check_control_info",
            &[
                ("check", "no_host_pid"),
                ("framework", "k8s_pss_1.33"),
                ("control", "hostNamespaces")
            ]
        ),
        1.0
    );
    // 55 less read_only_rootfs's 3.
    assert_eq!(m.series("posture_check_control_info").len(), 52);
}

/// The override count is the number of required checks overrides
/// downgraded, and both expositions say which came from POSTURE_OVERRIDE.
#[test]
fn overrides_are_counted_by_what_they_downgraded_and_named_with_their_source() {
    // privileged under strict: 11 required checks block (its README).
    let report = fixture_report("privileged");
    let policy = Policy::preset(Preset::Strict)
        .override_check(posture::CheckId::NonRoot, "TICKET-1")
        .with_env_override_spec(&override_spec(
            &PRIVILEGED_STRICT_BLOCKING[1..],
            "base image",
        ))
        .unwrap();
    let a = evaluate(&report, &policy);
    let summary = posture::render::prometheus::render_summary(&a);
    let full = posture::render::prometheus::render(&report, &a);
    exposition_check(&summary);
    exposition_check(&full);
    let strict = [("policy", "strict")];
    for (what, text) in [("summary", &summary), ("full", &full)] {
        let m = Metrics::of(text);
        assert_eq!(m.value("posture_verdict", &strict), 1.0, "{what}");
        assert_eq!(m.value("posture_overrides", &strict), 11.0, "{what}");
        let mut named: Vec<(String, String)> = m
            .series("posture_check_overridden")
            .iter()
            .map(|(_, l, v)| {
                assert_eq!(*v, 1.0);
                (l["check"].clone(), l["source"].clone())
            })
            .collect();
        let mut want: Vec<(String, String)> = PRIVILEGED_STRICT_BLOCKING[1..]
            .iter()
            .map(|id| (id.to_string(), "environment".to_string()))
            .collect();
        want.push(("non_root".into(), "policy".into()));
        named.sort();
        want.sort();
        assert_eq!(named, want, "{what}");
    }
    // The reason only in the full exposition.
    let full = Metrics::of(&full);
    assert_eq!(
        full.value(
            "posture_check_overridden",
            &[
                ("check", "seccomp"),
                ("source", "environment"),
                ("reason", "base image")
            ]
        ),
        1.0
    );
    assert!(
        Metrics::of(&summary)
            .series("posture_check_overridden")
            .iter()
            .all(|(_, l, _)| !l.contains_key("reason"))
    );

    // Overrides of checks the policy does not require downgrade nothing:
    // hardened under the checklist, where mac_enforced is a warning and
    // read_only_rootfs is ignored here.
    let p = Policy::preset(Preset::Checklist)
        .set(
            posture::CheckId::ReadOnlyRootfs,
            posture::policy::Action::Ignore,
        )
        .with_env_override_spec("mac_enforced=a; read_only_rootfs=b")
        .unwrap();
    let a = evaluate(&fixture_report("hardened"), &p);
    let s = Metrics::of(&posture::render::prometheus::render_summary(&a));
    assert_eq!(
        s.value("posture_overrides", &[("policy", "checklist")]),
        0.0
    );
    assert!(s.series("posture_check_overridden").is_empty());
}

/// Expositions that are wrong, each for its own reason, and whether
/// promtool 2.42 refuses them too (the others break rules Prometheus keeps
/// when it scrapes, which promtool's lint does not look at).
const NOT_EXPOSITIONS: [(&str, &str, bool); 12] = [
    ("no help text", "foo_info 1\n", true),
    (
        "a counter without _total",
        "# HELP foo_seen x\n# TYPE foo_seen counter\nfoo_seen 1\n",
        true,
    ),
    (
        "a gauge with _total",
        "# HELP foo_total x\n# TYPE foo_total gauge\nfoo_total 1\n",
        true,
    ),
    (
        "a gauge with _count",
        "# HELP foo_count x\n# TYPE foo_count gauge\nfoo_count 1\n",
        true,
    ),
    (
        "camelCase",
        "# HELP fooBar x\n# TYPE fooBar gauge\nfooBar 1\n",
        true,
    ),
    (
        "an abbreviated unit",
        "# HELP foo_ms x\n# TYPE foo_ms gauge\nfoo_ms 1\n",
        true,
    ),
    (
        "a bad escape",
        "# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info{l=\"x\\q\"} 1\n",
        true,
    ),
    (
        "a value that is no number",
        "# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info one\n",
        true,
    ),
    (
        "a second TYPE",
        "# HELP foo_info x\n# TYPE foo_info gauge\n# TYPE foo_info gauge\nfoo_info 1\n",
        true,
    ),
    (
        "a label twice",
        "# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info{l=\"1\",l=\"2\"} 1\n",
        true,
    ),
    (
        "a series twice",
        "# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info 1\nfoo_info 2\n",
        false,
    ),
    (
        "a family split by another",
        "# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info 1\n# HELP bar_info x\n# TYPE bar_info gauge\nbar_info 1\nfoo_info{x=\"1\"} 2\n",
        false,
    ),
];

/// The Rust format check is no rubber stamp: each broken exposition fails
/// it, and a good one passes.
#[test]
fn the_format_check_refuses_broken_expositions() {
    exposition_check("# HELP foo_info x\n# TYPE foo_info gauge\nfoo_info{l=\"a\\\"b\"} 1\n");
    for (why, text, _) in NOT_EXPOSITIONS {
        let refused = std::panic::catch_unwind(|| exposition_check(text)).is_err();
        assert!(refused, "{why} passed the format check: {text:?}");
    }
}

/// The real `promtool check metrics` on every kind of exposition the tests
/// above check in Rust: each fixture under each preset, full and summary,
/// hostile label values, a probed live report and overrides of both
/// sources; and it refuses what promtool's rules refuse of the broken ones.
#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs promtool (Debian package prometheus): cargo test --features tool-tests"
)]
fn promtool_accepts_every_exposition() {
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut add = |what: String, report: &posture::Report, a: &posture::Assessment| {
        texts.push((
            format!("{what} (full)"),
            posture::render::prometheus::render(report, a),
        ));
        texts.push((
            format!("{what} (summary)"),
            posture::render::prometheus::render_summary(a),
        ));
    };
    for name in common::all_fixtures() {
        let report = fixture_report(&name);
        for preset in [
            Preset::Checklist,
            Preset::PssBaseline,
            Preset::PssRestricted,
            Preset::Strict,
        ] {
            let a = evaluate(&report, &Policy::preset(preset));
            add(format!("{name} {preset:?}"), &report, &a);
        }
    }
    let report = fixture_report("docker-default");
    let hostile = Policy::preset(Preset::Checklist)
        .named("team \"payments\"\\prod\nline2")
        .override_check(posture::CheckId::NonRoot, "TICKET-1: \"legacy\"\\root\nsee");
    add(
        "hostile labels".into(),
        &report,
        &evaluate(&report, &hostile),
    );
    let live = posture::posture().with_syscalls(posture::syscalls::probe());
    add(
        "live, probed".into(),
        &live,
        &evaluate(&live, &Policy::preset(Preset::Strict)),
    );
    let privileged = fixture_report("privileged");
    let overridden = Policy::preset(Preset::Strict)
        .override_check(posture::CheckId::NonRoot, "TICKET-1")
        .with_env_override_spec(&override_spec(
            &PRIVILEGED_STRICT_BLOCKING[1..],
            "base image",
        ))
        .unwrap();
    add(
        "overrides".into(),
        &privileged,
        &evaluate(&privileged, &overridden),
    );
    assert!(texts.len() >= 100, "{}", texts.len());
    for (what, text) in &texts {
        eprintln!("promtool: {what}");
        promtool_check(text);
        exposition_check(text);
    }
    for (why, text, promtool_refuses) in NOT_EXPOSITIONS {
        if !promtool_refuses {
            continue;
        }
        let refused = std::panic::catch_unwind(|| promtool_check(text)).is_err();
        assert!(refused, "promtool accepted {why}: {text:?}");
    }
}

//! Prometheus text exposition (format 0.0.4) of a report and its assessment
//! (feature `prometheus`), for fleet monitoring: scrape every service's
//! `/metrics` and alert on the hardening that went missing.
//!
//! ```
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-default");
//! # if !std::path::Path::new(dir).exists() { return; }
//! use posture::policy::{evaluate, Policy, Preset};
//! let report = posture::posture_with_root(&posture::Root::fixture(dir));
//! let a = evaluate(&report, &Policy::preset(Preset::Checklist));
//! let text = posture::render::prometheus::render(&report, &a);
//! assert!(text.contains(
//!     "posture_capability{set=\"effective\",capability=\"CAP_NET_RAW\"} 1\n"
//! ));
//! assert!(text.contains("posture_seccomp_mode{mode=\"filter\"} 1\n"));
//! ```
//!
//! # Shape, and why
//!
//! **Enumerated facts are state sets**: one series per possible state, exactly
//! one of them `1`, the others `0`, and `unknown` is one of the states. For a
//! check:
//!
//! ```text
//! posture_check_status{check="seccomp",check_severity="highly_recommended",required="false",status="pass"} 1
//! posture_check_status{check="seccomp",check_severity="highly_recommended",required="false",status="fail"} 0
//! posture_check_status{check="seccomp",check_severity="highly_recommended",required="false",status="unknown"} 0
//! ```
//!
//! The check's severity (must, highly_recommended, recommended) is the
//! label `check_severity`, not `severity`: alerting rules conventionally set
//! `severity` on the alerts they fire and Alertmanager routes on it, and a
//! series label of that name would be copied into every alert built from it.
//!
//! A numeric encoding (`pass=1, fail=0, unknown=-1`) would make every alert
//! remember the code table, and an `unknown` that reads as a number invites
//! `< 1` or `== 0` comparisons that treat it as "off" or silently skip it.
//! With a state set, alerts are plain selectors (`posture_check_status
//! {status="fail"} == 1`, `{status="unknown"} == 1`), dashboards can `sum by
//! (status)`, and because every state is always emitted, a missing series means
//! the target is not scraped, never "this state does not hold". It is the
//! OpenMetrics `stateset` idea written as gauges, which the 0.0.4 text format
//! (the one every Prometheus version ingests) lacks. The same holds for
//! `posture_seccomp_mode{mode}`, `posture_no_new_privs{state}`,
//! `posture_userns_root{mapping}`, `posture_root_filesystem{state}`,
//! `posture_syscall{syscall,state}` (one set per syscall the probe lists:
//! reachable|blocked|killed|unknown; all unknown, and
//! `posture_syscall_probe_run 0`, when the probe did not run) and
//! `posture_userns_creatable{state}`.
//!
//! **Sets of capabilities** are one 0/1 series per capability the kernel has
//! (from `cap_last_cap`; every name the crate knows when that is unknown), per
//! set: `posture_capability{set="effective",capability="CAP_NET_RAW"} 1`.
//! Zeros are emitted too, so `== 0` means "not held", not "not scraped". A set
//! that could not be read emits no `posture_capability` series at all, and
//! `posture_capability_set_known{set="effective"} 0` says so; that gauge is
//! itself never unknown.
//!
//! **Verdict**: `posture_verdict{policy="checklist"}` is `1` for pass and `0`
//! for fail (a verdict is always known: unknown required checks fail it);
//! `posture_blocking_checks` counts the checks that fail it and
//! `posture_check_blocking{check}` names them. The required checks that
//! overrides downgraded to warnings are counted by `posture_overrides` and
//! named by `posture_check_overridden{check,source,reason}`, `source` being
//! `environment` (`POSTURE_OVERRIDE`) or `policy` (its document or the
//! program): alert on `posture_check_overridden{source="environment"}`. An
//! override of a check the policy does not require changes nothing and is
//! not counted.
//!
//! **Controls**: `posture_check_control_info{check,framework,control} 1`
//! names each published control an evaluated check covers (see
//! [`crate::policy::Control`]): a static table, 55 series when every check is
//! evaluated, kept out of
//! `posture_check_status` so that family's label set does not multiply by
//! the controls. Join on `check` to ask which CIS items fail:
//! `posture_check_status{status="fail"} == 1 and on(check)
//! posture_check_control_info{framework="cis_docker_1.6.0"}`.
//!
//! Ignored checks are not evaluated and emit nothing.
//!
//! **Build**: `posture_build_info{version="0.1.0"} 1`, the crate version
//! that rendered the exposition, in the full rendering and the summary (a
//! fleet mixing versions can tell which judged what).
//!
//! # Full and summary
//!
//! The full rendering ([`render`]) tells anyone who can scrape it how the box
//! is hardened. [`render_summary`] emits only `posture_info{schema_version}`,
//! `posture_build_info{version}`, the verdict, the blocking count, one
//! `posture_check_blocking{check} 1` per blocking check (the ids a
//! readiness probe shows anyway), the override count and one
//! `posture_check_overridden{check,source} 1` per check an override
//! downgraded (without the reason); serve it where the scrape endpoint is
//! not trusted.
//!
//! # Why by hand
//!
//! The output is a snapshot rendered from a fresh report on each scrape, with
//! label sets that depend on the report (which capabilities the kernel has,
//! which checks the policy evaluates). `prometheus-client` is built around a
//! long-lived registry of metric families updated in place, and writes
//! OpenMetrics; using it here would mean building a registry per scrape and
//! adding a dependency for what is ~200 lines of formatting. The format's rules
//! that matter are kept here and checked in the tests with the real
//! `promtool check metrics`: one `# HELP` and `# TYPE` per family, its samples
//! contiguous, label values escaped (`\\`, `\"`, `\n`), help text escaped
//! (`\\`, `\n`).

use std::fmt::Write as _;

use crate::fact::Fact;
use crate::parse::capability::{CapSet, capability_from_bit};
use crate::parse::idmap::Mapping;
use crate::parse::status::SeccompMode;
use crate::policy::{Assessment, Verdict};
use crate::report::{Report, SCHEMA_VERSION};

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Escapes a label value: backslash, double quote and newline.
pub(crate) fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `# HELP` text: backslash and newline.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Writes families: a header, then samples.
struct Out {
    text: String,
}

impl Out {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: u64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", escape_label_value(v));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
    }

    /// A state set: every state, the one that holds is 1.
    fn state_set(
        &mut self,
        name: &str,
        fixed: &[(&str, &str)],
        key: &str,
        states: &[&str],
        holds: &str,
    ) {
        debug_assert!(states.contains(&holds), "{holds} not among {states:?}");
        for s in states {
            let mut labels = fixed.to_vec();
            labels.push((key, s));
            self.sample(name, &labels, u64::from(*s == holds));
        }
    }
}

/// `posture_build_info{version} 1`: the crate version that rendered it.
fn build_info(out: &mut Out) {
    out.family(
        "posture_build_info",
        "Always 1; version is the posture crate version that rendered this exposition.",
    );
    out.sample(
        "posture_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1,
    );
}

fn verdict_value(a: &Assessment) -> u64 {
    u64::from(a.verdict == Verdict::Pass)
}

fn common_summary(out: &mut Out, a: &Assessment) {
    let blocking: Vec<_> = a.blocking().collect();
    out.family(
        "posture_verdict",
        "1 when every required check of the policy passed, 0 when one failed or is unknown.",
    );
    out.sample(
        "posture_verdict",
        &[("policy", &a.policy)],
        verdict_value(a),
    );
    out.family(
        "posture_blocking_checks",
        "Number of required checks that failed or are unknown (each fails the verdict).",
    );
    out.sample(
        "posture_blocking_checks",
        &[("policy", &a.policy)],
        blocking.len() as u64,
    );
    out.family(
        "posture_overrides",
        "Number of required checks downgraded to warnings by an override (POSTURE_OVERRIDE or the policy document).",
    );
    out.sample(
        "posture_overrides",
        &[("policy", &a.policy)],
        a.downgraded() as u64,
    );
}

/// `posture_check_overridden`: one series per required check an override
/// downgraded, with where the override came from, and its reason when
/// `with_reason`.
fn overridden(out: &mut Out, a: &Assessment, with_reason: bool) {
    let downgraded: Vec<_> = a
        .overridden_checks
        .iter()
        .filter(|o| o.downgraded)
        .collect();
    if downgraded.is_empty() {
        return;
    }
    out.family(
        "posture_check_overridden",
        "1 for each required check downgraded to a warning by an override; source is environment (POSTURE_OVERRIDE) or policy (its document or the program).",
    );
    for o in downgraded {
        let mut labels = vec![("check", o.id.as_str()), ("source", o.source.as_str())];
        if with_reason {
            labels.push(("reason", &o.reason));
        }
        out.sample("posture_check_overridden", &labels, 1);
    }
}

/// The summary: schema version, verdict, the ids of the checks that fail it,
/// the number of required checks overrides downgraded and their ids with
/// where each override came from. Nothing about how the box is hardened
/// beyond what fails or was overridden.
pub fn render_summary(assessment: &Assessment) -> String {
    let mut out = Out {
        text: String::with_capacity(1024),
    };
    let schema = SCHEMA_VERSION.to_string();
    out.family("posture_info", "The posture schema version.");
    out.sample("posture_info", &[("schema_version", &schema)], 1);
    build_info(&mut out);
    common_summary(&mut out, assessment);
    let blocking: Vec<_> = assessment.blocking().collect();
    if !blocking.is_empty() {
        out.family(
            "posture_check_blocking",
            "1 for each required check that failed or is unknown (summary: only those are listed).",
        );
        for c in blocking {
            out.sample("posture_check_blocking", &[("check", c.id.as_str())], 1);
        }
    }
    overridden(&mut out, assessment, false);
    drift(&mut out, assessment);
    out.text
}

/// `posture_drift{field,declared,applied,status}`: one series per declared
/// field (a manifest's) that drifted (`fail`) or is `unknown`; none when
/// nothing drifted.
fn drift(out: &mut Out, a: &Assessment) {
    let rows: Vec<_> = a.drift().collect();
    if rows.is_empty() {
        return;
    }
    out.family(
        "posture_drift",
        "1 for each declared field (the manifest's) whose applied value differs (status fail) or is unknown.",
    );
    for e in rows {
        out.sample(
            "posture_drift",
            &[
                ("field", &e.field),
                ("declared", &e.declared),
                ("applied", &e.applied),
                ("status", e.status.as_str()),
            ],
            1,
        );
    }
}

/// Every capability bit worth a series: the kernel's full set if known, else
/// every bit the crate can name, plus any bit found set.
fn universe(report: &Report) -> CapSet {
    let c = &report.capabilities;
    let base = match &c.full_set {
        Fact::Known(full) => *full,
        Fact::Unknown(_) => (0u8..64)
            .filter_map(capability_from_bit)
            .collect::<CapSet>(),
    };
    c.sets()
        .into_iter()
        .filter_map(|(_, set)| set.known())
        .fold(base, |u, s| u.union(*s))
}

fn cap_name(bit: u8) -> String {
    match capability_from_bit(bit) {
        Some(c) => c.to_string(),
        None => format!("CAP_{bit}"),
    }
}

/// The full exposition: everything in the summary, plus every check's state,
/// capability sets by name, seccomp mode, no_new_privs, where uid 0 maps, the
/// root filesystem, and `posture_info{schema_version,runtime,origin}`.
pub fn render(report: &Report, assessment: &Assessment) -> String {
    let a = assessment;
    let mut out = Out {
        text: String::with_capacity(16 * 1024),
    };
    let schema = SCHEMA_VERSION.to_string();
    let origin = match report.origin.kind {
        crate::root::RootKind::Live => "live",
        crate::root::RootKind::Fixture => "fixture",
    };
    out.family(
        "posture_info",
        "The posture schema version, the container runtime detected and where the facts were read (live or fixture).",
    );
    out.sample(
        "posture_info",
        &[
            ("schema_version", &schema),
            ("runtime", report.runtime.kind.as_str()),
            ("origin", origin),
        ],
        1,
    );
    build_info(&mut out);
    common_summary(&mut out, a);

    out.family(
        "posture_check_status",
        "State set per check: exactly one of status=pass|fail|unknown is 1. required is whether a failure fails the verdict under the policy (after overrides).",
    );
    for c in &a.checks {
        let required = if c.required { "true" } else { "false" };
        out.state_set(
            "posture_check_status",
            &[
                ("check", c.id.as_str()),
                ("check_severity", c.severity.as_str()),
                ("required", required),
            ],
            "status",
            &["pass", "fail", "unknown"],
            c.status.as_str(),
        );
    }
    out.family(
        "posture_check_blocking",
        "1 when the check fails the verdict (required, and failed or unknown without unknown being accepted), else 0.",
    );
    for c in &a.checks {
        out.sample(
            "posture_check_blocking",
            &[("check", c.id.as_str())],
            u64::from(c.blocks()),
        );
    }
    out.family(
        "posture_check_control_info",
        "1 for each published control an evaluated check covers: framework is cis_docker_1.6.0, k8s_pss_1.33 or nsa_cisa_k8s_1.2, control the item number, Pod Security Admission check id or guide section.",
    );
    for c in &a.checks {
        for control in c.controls {
            out.sample(
                "posture_check_control_info",
                &[
                    ("check", c.id.as_str()),
                    ("framework", control.framework.as_str()),
                    ("control", control.id),
                ],
                1,
            );
        }
    }
    overridden(&mut out, a, true);
    drift(&mut out, a);

    let caps = &report.capabilities;
    let sets = caps.sets();
    out.family(
        "posture_capability_set_known",
        "1 when the capability set could be read; 0 when it is unknown (then no posture_capability series exist for it).",
    );
    for (name, set) in sets {
        out.sample(
            "posture_capability_set_known",
            &[("set", name)],
            u64::from(set.known().is_some()),
        );
    }
    if sets.iter().any(|(_, s)| s.known().is_some()) {
        out.family(
            "posture_capabilities_held",
            "Number of capabilities in the set (only for sets that could be read).",
        );
        for (name, set) in sets {
            if let Some(s) = set.known() {
                out.sample(
                    "posture_capabilities_held",
                    &[("set", name)],
                    u64::from(s.len()),
                );
            }
        }
        let all = universe(report);
        out.family(
            "posture_capability",
            "1 when the capability is in the set, 0 when not; every capability the kernel has is listed for every set that could be read.",
        );
        for (name, set) in sets {
            if let Some(s) = set.known() {
                for bit in all.bits() {
                    let cap = cap_name(bit);
                    let held = s.mask() & (1u64 << bit) != 0;
                    out.sample(
                        "posture_capability",
                        &[("set", name), ("capability", &cap)],
                        u64::from(held),
                    );
                }
            }
        }
    }

    out.family(
        "posture_seccomp_mode",
        "State set: the seccomp mode of the main thread (disabled|strict|filter|unknown).",
    );
    let mode = match &report.seccomp.mode {
        Fact::Known(SeccompMode::Disabled) => "disabled",
        Fact::Known(SeccompMode::Strict) => "strict",
        Fact::Known(SeccompMode::Filter) => "filter",
        Fact::Unknown(_) => "unknown",
    };
    out.state_set(
        "posture_seccomp_mode",
        &[],
        "mode",
        &["disabled", "strict", "filter", "unknown"],
        mode,
    );

    out.family(
        "posture_no_new_privs",
        "State set: whether no_new_privs is set (enabled|disabled|unknown).",
    );
    let nnp = match &report.no_new_privs {
        Fact::Known(n) if n.enabled => "enabled",
        Fact::Known(_) => "disabled",
        Fact::Unknown(_) => "unknown",
    };
    out.state_set(
        "posture_no_new_privs",
        &[],
        "state",
        &["enabled", "disabled", "unknown"],
        nnp,
    );

    out.family(
        "posture_userns_root",
        "State set: where uid 0 of this user namespace lands outside it (host_root|unprivileged|unmapped|unknown).",
    );
    let mapping = match &report.user_namespace.root_uid {
        Fact::Known(Mapping::HostRoot) => "host_root",
        Fact::Known(Mapping::Unprivileged { .. }) => "unprivileged",
        Fact::Known(Mapping::Unmapped) => "unmapped",
        Fact::Unknown(_) => "unknown",
    };
    out.state_set(
        "posture_userns_root",
        &[],
        "mapping",
        &["host_root", "unprivileged", "unmapped", "unknown"],
        mapping,
    );

    out.family(
        "posture_root_filesystem",
        "State set: the mount at / (read_only|writable|unknown; unknown also when the mount table lists no mount at /).",
    );
    let rootfs = match &report.mounts {
        Fact::Known(m) => match m.root_read_only {
            Some(true) => "read_only",
            Some(false) => "writable",
            None => "unknown",
        },
        Fact::Unknown(_) => "unknown",
    };
    out.state_set(
        "posture_root_filesystem",
        &[],
        "state",
        &["read_only", "writable", "unknown"],
        rootfs,
    );
    syscalls(&mut out, report);
    out.text
}

/// The syscall probe: whether it ran, one state set per listed syscall
/// (every syscall reads `unknown` when it did not run), and whether new user
/// namespaces can be created.
fn syscalls(out: &mut Out, report: &Report) {
    use crate::report::{Outcome, Syscall};
    let probe = report.syscalls.known();
    out.family(
        "posture_syscall_probe_run",
        "1 when the syscall probe ran (posture::guard, --probe-syscalls), 0 when not: then every posture_syscall reads unknown.",
    );
    out.sample("posture_syscall_probe_run", &[], u64::from(probe.is_some()));
    out.family(
        "posture_syscall",
        "State set per dangerous syscall: what the probe's call answered (reachable: the kernel's own argument check, the filter let it through|blocked: an errno from the filter or a kernel check|killed: a signal|unknown).",
    );
    for &sc in Syscall::ALL {
        let state = probe
            .and_then(|p| p.outcome(sc))
            .map_or("unknown", Outcome::as_str);
        out.state_set(
            "posture_syscall",
            &[("syscall", sc.name())],
            "state",
            &Outcome::STATES,
            state,
        );
    }
    out.family(
        "posture_userns_creatable",
        "State set: whether this process can create new user namespaces (yes|no|unknown), from the syscall probe.",
    );
    let state = match probe.map(|p| &p.user_namespaces.can_create) {
        Some(Fact::Known(true)) => "yes",
        Some(Fact::Known(false)) => "no",
        _ => "unknown",
    };
    out.state_set(
        "posture_userns_creatable",
        &[],
        "state",
        &["yes", "no", "unknown"],
        state,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_label_values() {
        assert_eq!(escape_label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label_value("x\ny"), "x\\ny");
        assert_eq!(escape_help("a\\b\nc"), "a\\\\b\\nc");
    }

    #[test]
    fn state_set_emits_every_state() {
        let mut out = Out {
            text: String::new(),
        };
        out.state_set("m", &[("k", "v")], "s", &["a", "b"], "b");
        assert_eq!(out.text, "m{k=\"v\",s=\"a\"} 0\nm{k=\"v\",s=\"b\"} 1\n");
    }
}

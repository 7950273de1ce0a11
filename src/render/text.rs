//! The text renderer: the report as `capsh --print` prints capabilities
//! (one heading per section, `label  value` rows, long lists wrapped;
//! capability lists within 100 columns), and the checklist of an assessment
//! as a table closed by a totals line.
//!
//! The `posture` binary prints exactly these strings; [`crate::Refusal`]
//! takes its list of blocking checks from [`blocking`], so a check reads the
//! same wherever it is shown. Colour is a value the caller chooses
//! ([`Color`]): the library never asks whether stdout is a terminal.
//!
//! ```
//! use posture::render::text::{self, Color};
//! use posture::policy::{Policy, Preset};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-default");
//! # if !std::path::Path::new(dir).exists() { return; }
//! let report = posture::posture_with_root(&posture::Root::fixture(dir));
//! let out = text::report(&report, Color::Plain);
//! assert!(out.starts_with("Capabilities"));
//! assert!(out.contains("CAP_NET_RAW"));
//!
//! let a = posture::evaluate(&report, &Policy::preset(Preset::Checklist));
//! let list = text::checks(&a, Color::Plain);
//! assert!(list.starts_with("Checks policy \"checklist\": FAIL\n"));
//! assert!(!list.contains('\x1b'));
//! ```
//!
//! Every fact the library could not establish is printed as
//! `unknown (<source>: <reason>)`, never as a value.

use crate::Fact;
use crate::parse::capability::{self, CapSet};
use crate::parse::cgroup::{CgroupVersion, Limit};
use crate::parse::idmap::{IdMap, Mapping};
use crate::parse::lsm::{AppArmorMode, LsmLabel};
use crate::parse::mountinfo::Propagation;
use crate::policy::{Assessment, CheckResult, CheckStatus, OverrideSource, Verdict};
use crate::report::Confidence;
use crate::report::{Ids, MaskState, MountSummary, ProcTrust, PseudoFsState, Report};

/// Whether the output carries ANSI colour: dangerous capabilities, failed
/// required checks and other alarms in bold red, headings in bold.
///
/// The caller decides (the `posture` binary: `--color auto|always|never`,
/// auto meaning a terminal on stdout and `NO_COLOR` unset or empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Color {
    /// No escape codes: for pipes, files and logs.
    #[default]
    Plain,
    /// ANSI SGR escape codes (`ESC[1m` bold, `ESC[1;31m` bold red).
    Ansi,
}

/// The text report of every section: capabilities, identity, seccomp, the
/// syscall probe, threads, LSM, user namespace, mounts, namespaces, runtime,
/// cgroups, devices and credentials, and where the facts were read from.
/// Sections are separated by a blank line; the string ends with a newline.
pub fn report(r: &Report, color: Color) -> String {
    render_text(r, Style::new(color))
}

/// The checklist: a heading with the policy and its verdict, then a table
/// of every evaluated check (id, status, severity, required), each followed
/// by its evidence and, where it did not pass, its fix and the published
/// controls it covers (as one line); an overridden check
/// says `OVERRIDDEN` and `!! OVERRIDE: <reason>` (`!! OVERRIDE by
/// POSTURE_OVERRIDE: <reason>` when the override came from the
/// environment).
///
/// When overrides downgraded required checks, the verdict says how many and
/// from where: `PASS (11 checks overridden by
/// POSTURE_OVERRIDE)`, never a plain `PASS`.
///
/// Evidence, fix and controls wrap at 100 columns, each continuation line
/// under the text it continues. A blank line and a totals line close it:
/// `Totals: 11 passed, 7 failed, 1 unknown; 2 blocking`, then `, N
/// overridden` and `, N ignored by the policy` when there are any.
pub fn checks(a: &Assessment, color: Color) -> String {
    render_checks(a, Style::new(color))
}

/// The table of [`checks`] restricted to the checks that fail the verdict
/// ([`Assessment::blocking`]), without the heading: what
/// [`crate::Refusal`] lists. Each row is the same text as in [`checks`]
/// (the id column as wide as there); empty when nothing blocks.
pub fn blocking(a: &Assessment, color: Color) -> String {
    let rows: Vec<&CheckResult> = a.blocking().collect();
    let mut out = String::new();
    if !rows.is_empty() {
        check_table(a, &rows, Style::new(color), &mut out);
    }
    out.push_str(&drift_section(a, true));
    out
}

/// The checklist as a table: id, status, severity, required; then the
/// evidence and, where it did not pass, the fix.
fn render_checks(a: &Assessment, st: Style) -> String {
    let mut out = String::new();
    let mut verdict = match a.verdict {
        Verdict::Pass => st.paint(BOLD, "PASS"),
        Verdict::Fail => st.danger("FAIL"),
    };
    if let Some(note) = override_note(a) {
        verdict.push(' ');
        verdict.push_str(&st.danger(&format!("({note})")));
    }
    out.push_str(&format!(
        "{} policy {:?}: {verdict}\n\n",
        st.heading("Checks"),
        a.policy
    ));
    let rows: Vec<&CheckResult> = a.checks.iter().collect();
    check_table(a, &rows, st, &mut out);
    out.push_str(&drift_section(a, false));
    out.push('\n');
    out.push_str(&totals(a));
    out
}

/// Declared versus applied (a policy with expectations, a manifest's): a
/// heading, then one line per expectation (only those that fail the
/// verdict when `blocking_only`): status, then `field: declared X, applied
/// Y`, then its evidence. Empty when there is nothing to list.
pub(crate) fn drift_section(a: &Assessment, blocking_only: bool) -> String {
    let rows: Vec<_> = a
        .expectations
        .iter()
        .filter(|e| !blocking_only || e.status != CheckStatus::Pass)
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let drifted = a.drift().count();
    let mut out = format!(
        "\nDeclared versus applied: {} of {} fields drifted or unknown\n",
        drifted,
        a.expectations.len()
    );
    for e in rows {
        out.push_str(&format!("  {:7}  {}\n", e.status.as_str(), e.line()));
        push_wrapped(&mut out, "           ", "evidence: ", &e.evidence);
    }
    out
}

/// What overrides did to the verdict, for people: `11 checks overridden by
/// POSTURE_OVERRIDE`, `1 check overridden by the policy`, `11 checks
/// overridden by POSTURE_OVERRIDE, 1 by the policy`, counting the required
/// checks each source downgraded ([`Assessment::downgraded_by`]). `None`
/// when overrides downgraded nothing.
pub(crate) fn override_note(a: &Assessment) -> Option<String> {
    let env = a.downgraded_by(OverrideSource::Environment);
    let own = a.downgraded_by(OverrideSource::Policy);
    let checks = |n: usize| if n == 1 { "check" } else { "checks" };
    let (by_env, by_own) = (
        OverrideSource::Environment.describe(),
        OverrideSource::Policy.describe(),
    );
    match (env, own) {
        (0, 0) => None,
        (e, 0) => Some(format!("{e} {} overridden by {by_env}", checks(e))),
        (0, p) => Some(format!("{p} {} overridden by {by_own}", checks(p))),
        (e, p) => Some(format!(
            "{e} {} overridden by {by_env}, {p} by {by_own}",
            checks(e)
        )),
    }
}

/// The closing line of the checklist: how many checks passed, failed and
/// are unknown, how many of those fail the verdict, and (when any) how many
/// are overridden or ignored by the policy. It starts with `Totals:` so
/// that no log scraper takes it for a test runner's `N passed, N failed`.
fn totals(a: &Assessment) -> String {
    let count = |s: CheckStatus| a.checks.iter().filter(|c| c.status == s).count();
    let mut line = format!(
        "Totals: {} passed, {} failed, {} unknown; {} blocking",
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
        count(CheckStatus::Unknown),
        a.blocking().count()
    );
    let overridden = a.checks.iter().filter(|c| c.overridden.is_some()).count();
    if overridden > 0 {
        line.push_str(&format!(", {overridden} overridden"));
    }
    let ignored = crate::policy::CheckId::ALL
        .iter()
        .filter(|id| a.check(**id).is_none())
        .count();
    if ignored > 0 {
        line.push_str(&format!(", {ignored} ignored by the policy"));
    }
    line.push('\n');
    line
}

/// The rows `checks` of the checklist of `a`, with their column headings;
/// the id column fits every id of `a`.
fn check_table(a: &Assessment, checks: &[&CheckResult], st: Style, out: &mut String) {
    let w = a
        .checks
        .iter()
        .map(|c| c.id.as_str().len())
        .max()
        .unwrap_or(2);
    out.push_str(&format!(
        "  {:w$}  {:7}  {:18}  {:8}\n",
        "id", "status", "severity", "required"
    ));
    for c in checks {
        let status = format!("{:7}", c.status.as_str());
        let status = match c.status {
            CheckStatus::Pass => status,
            _ if c.blocks() => st.danger(&status),
            _ => st.paint(BOLD, &status),
        };
        let required = if c.overridden.is_some() {
            "OVERRIDDEN".to_string()
        } else if c.required {
            "yes".to_string()
        } else {
            "no".to_string()
        };
        out.push_str(&format!(
            "  {:w$}  {status}  {:18}  {required}\n",
            c.id.as_str(),
            c.severity.as_str()
        ));
        let pad = " ".repeat(w + 4);
        let d = super::CheckDetail::of(a, c);
        push_wrapped(out, &pad, "evidence: ", d.evidence);
        if let Some(fix) = d.fix_unless_passed() {
            push_wrapped(out, &pad, "fix: ", fix);
            if !d.controls.is_empty() {
                push_wrapped(out, &pad, "controls: ", &d.controls);
            }
        }
        if let Some(line) = &d.overridden {
            out.push_str(&format!("{pad}{}\n", st.danger(line)));
        }
    }
}

// ---------------------------------------------------------------------------
// Rendering

const BOLD_RED: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";
/// Width a wrapped list may take after the label column.
const LIST_WIDTH: usize = 78;
/// The columns a capability line or a checklist line may take in all (a
/// single word longer than what is left still goes whole on its own line).
const TEXT_WIDTH: usize = 100;
/// Where a capability set's names start: two spaces, the Capabilities
/// section's label column (`no_new_privs`, 12) and two spaces, the 16-digit
/// mask and two spaces.
const CAP_NAMES_COLUMN: usize = 2 + 12 + 2 + 16 + 2;

/// Appends `pad`, `label` and `text`, word-wrapped at [`TEXT_WIDTH`]
/// columns, each further line indented under the text's first word.
/// Breaks only at single spaces, so joining the lines with one space gives
/// `text` back.
fn push_wrapped(out: &mut String, pad: &str, label: &str, text: &str) {
    let indent = pad.len() + label.chars().count();
    out.push_str(pad);
    out.push_str(label);
    let mut col = indent;
    let mut first = true;
    for word in text.split(' ') {
        let n = word.chars().count();
        if !first && col + 1 + n > TEXT_WIDTH && col > indent {
            out.push('\n');
            push_padded(out, "", indent);
            col = indent;
        } else if !first {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += n;
        first = false;
    }
    out.push('\n');
}

#[derive(Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn new(color: Color) -> Style {
        Style {
            color: color == Color::Ansi,
        }
    }
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
    fn danger(self, s: &str) -> String {
        self.paint(BOLD_RED, s)
    }
    fn heading(self, s: &str) -> String {
        self.paint(BOLD, s)
    }
}

/// A heading and its `label  value` rows; a value may span several lines.
struct Section {
    title: String,
    rows: Vec<(&'static str, Value)>,
}

/// A row's value: one line (most rows) or several.
enum Value {
    One(String),
    Many(Vec<String>),
}

impl Value {
    fn lines(&self) -> &[String] {
        match self {
            Value::One(l) => std::slice::from_ref(l),
            Value::Many(v) => v,
        }
    }
}

impl Section {
    fn new(title: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            rows: Vec::with_capacity(8),
        }
    }
    fn row(&mut self, label: &'static str, value: impl Into<String>) {
        self.rows.push((label, Value::One(value.into())));
    }
    fn lines(&mut self, label: &'static str, lines: Vec<String>) {
        let value = if lines.is_empty() {
            Value::One("none".to_string())
        } else {
            Value::Many(lines)
        };
        self.rows.push((label, value));
    }
    fn render(&self, style: Style, out: &mut String) {
        out.push_str(&style.heading(&self.title));
        out.push('\n');
        let width = self
            .rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        // Pushed piece by piece: a `format!` with `{:<width$}` per line pads
        // one char at a time and was half of the CLI's user time.
        for (label, value) in &self.rows {
            for (i, line) in value.lines().iter().enumerate() {
                let l = if i == 0 { label } else { "" };
                let start = out.len();
                out.push_str("  ");
                push_padded(out, l, width + 2);
                out.push_str(line);
                let kept = out[start..].trim_end().len();
                out.truncate(start + kept);
                out.push('\n');
            }
        }
    }
}

/// `s` followed by spaces up to `width` characters (`format!("{s:<width$}")`
/// without the formatter's char-at-a-time padding).
fn padded(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(s.len() + width);
    push_padded(&mut out, s, width);
    out
}

/// [`padded`], appended to `out`.
fn push_padded(out: &mut String, s: &str, width: usize) {
    const SPACES: &str = "                                                                ";
    out.push_str(s);
    let mut pad = width.saturating_sub(s.chars().count());
    while pad > 0 {
        let n = pad.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        pad -= n;
    }
}

/// Renders a fact: the value, or `unknown (<source>: <reason>)`.
fn fact<T>(f: &Fact<T>, show: impl FnOnce(&T) -> String) -> String {
    match f {
        Fact::Known(v) => show(v),
        Fact::Unknown(u) => u.to_string(),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// Joins items with ", " into lines of at most [`LIST_WIDTH`] visible
/// characters. Each item is `(visible text, text to print)`.
fn wrap(items: &[(String, String)]) -> Vec<String> {
    wrap_at(items, LIST_WIDTH, 0)
}

/// [`wrap`] into lines of at most `width` visible characters, the first of
/// which already holds `used` of them.
fn wrap_at(items: &[(String, String)], width: usize, used: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut line, mut len) = (String::new(), used);
    let mut empty = true;
    for (i, (plain, shown)) in items.iter().enumerate() {
        let sep = if i + 1 < items.len() { "," } else { "" };
        let add = plain.chars().count() + sep.len();
        if !empty && len + 1 + add > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(shown);
        line.push_str(sep);
        len += add;
        empty = false;
    }
    if !empty {
        lines.push(line);
    }
    lines
}

/// Capability names, dangerous ones highlighted.
fn cap_items(set: CapSet, style: Style) -> Vec<(String, String)> {
    let mut items = Vec::new();
    for bit in set.bits() {
        match capability::capability_from_bit(bit) {
            Some(c) => {
                let name = c.to_string();
                let shown = if capability::is_dangerous(c) {
                    style.danger(&name)
                } else {
                    name.clone()
                };
                items.push((name, shown));
            }
            // A bit this crate has no name for (a newer kernel): shown by number.
            None => items.push((format!("CAP_{bit}"), format!("CAP_{bit}"))),
        }
    }
    items
}

/// One capability set: its mask, then `full set (all N)`, `all N except …`,
/// `(none)` or the names.
fn cap_set(set: &Fact<CapSet>, full: Option<CapSet>, style: Style) -> Vec<String> {
    let set = match set {
        Fact::Known(s) => *s,
        Fact::Unknown(u) => return vec![u.to_string()],
    };
    let hex = format!("{:016x}", set.mask());
    let any_dangerous = set.capabilities().any(capability::is_dangerous);
    let mut lines = match full {
        _ if set.is_empty() => vec!["(none)".to_string()],
        Some(full) if set == full => {
            let all = format!("full set (all {})", full.len());
            vec![if any_dangerous {
                style.danger(&all)
            } else {
                all
            }]
        }
        // Mostly full: name what is missing, as `capsh` does.
        Some(full)
            if full.is_superset(set) && {
                let missing = full.without(set).len();
                missing < set.len() && missing <= 8
            } =>
        {
            let all = format!("all {} except", full.len());
            let used = all.chars().count() + 1;
            let head = if any_dangerous {
                style.danger(&all)
            } else {
                all
            };
            let missing: Vec<(String, String)> = full
                .without(set)
                .names()
                .into_iter()
                .map(|n| (n.clone(), n))
                .collect();
            let width = TEXT_WIDTH - CAP_NAMES_COLUMN;
            let mut lines = wrap_at(&missing, width, used);
            lines[0] = format!("{head} {}", lines[0]);
            lines
        }
        _ => wrap_at(&cap_items(set, style), TEXT_WIDTH - CAP_NAMES_COLUMN, 0),
    };
    let pad = " ".repeat(hex.len());
    for (i, l) in lines.iter_mut().enumerate() {
        *l = format!("{}  {l}", if i == 0 { &hex } else { &pad });
    }
    lines
}

fn ids(i: &Ids) -> String {
    let fs = match i.filesystem {
        Some(f) => f.to_string(),
        None => "not given".to_string(),
    };
    format!(
        "real {}, effective {}, saved {}, fs {fs}",
        i.real, i.effective, i.saved
    )
}

fn id_map(m: &IdMap) -> Vec<String> {
    if m.ranges.is_empty() {
        return vec!["(empty: nothing mapped yet)".to_string()];
    }
    if m.is_full_identity() {
        return vec!["0 0 4294967295 (identity: the initial namespace's map)".to_string()];
    }
    m.ranges
        .iter()
        .map(|r| {
            format!(
                "{} {} {}  (inside {}..={} is outside {}..={})",
                r.inside,
                r.outside,
                r.count,
                r.inside,
                u64::from(r.inside) + u64::from(r.count) - 1,
                r.outside,
                u64::from(r.outside) + u64::from(r.count) - 1
            )
        })
        .collect()
}

fn mapping(kind: &str, m: &Mapping, style: Style) -> String {
    match m {
        Mapping::HostRoot => style.danger(&format!("host root ({kind} 0 outside)")),
        Mapping::Unprivileged { outside } => format!("{kind} {outside} outside (unprivileged)"),
        Mapping::Unmapped => "unmapped (does not exist outside)".to_string(),
    }
}

/// `nosuid,noexec,nodev` (those set) or `suid, exec, dev allowed`, then the
/// propagation unless private.
fn push_flags(s: &mut String, m: &MountSummary) {
    let start = s.len();
    for (on, name) in [
        (m.nosuid, "nosuid"),
        (m.noexec, "noexec"),
        (m.nodev, "nodev"),
    ] {
        if on {
            if s.len() > start {
                s.push(',');
            }
            s.push_str(name);
        }
    }
    if s.len() == start {
        s.push_str("suid, exec, dev allowed");
    }
    s.push_str(match m.propagation {
        Propagation::Private => "",
        Propagation::Shared => ", shared",
        Propagation::Slave => ", slave",
        Propagation::SharedAndSlave => ", shared+slave",
        Propagation::Unbindable => ", unbindable",
    });
}

fn pseudo(s: PseudoFsState) -> &'static str {
    match s {
        PseudoFsState::ReadOnly => "read-only",
        PseudoFsState::ReadWrite => "read-write",
        PseudoFsState::NotMounted => "not mounted",
        PseudoFsState::Emulated => "an emulation (not the kernel's tree)",
    }
}

fn limit(l: &Limit, unit: &str) -> String {
    match *l {
        Limit::Unlimited => "unlimited".to_string(),
        Limit::Value(v) if unit == "bytes" => {
            let units = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
            match units.iter().find(|(_, d)| v >= *d) {
                Some((u, d)) => format!("{:.1} {u} ({v} bytes)", v as f64 / *d as f64),
                None => format!("{v} bytes"),
            }
        }
        Limit::Value(v) => format!("{v} {unit}"),
        Limit::Cpu {
            quota_us,
            period_us,
        } => format!(
            "{:.2} CPU ({quota_us} us every {period_us} us)",
            quota_us as f64 / period_us.max(1) as f64
        ),
    }
}

/// The text report: each section in turn, separated by a blank line.
fn render_text(r: &Report, style: Style) -> String {
    let sections = [
        capabilities_section(r, style),
        identity_section(r),
        seccomp_section(r),
        syscalls_section(r, style),
        threads_section(r),
        lsm_section(r),
        user_namespace_section(r, style),
        mounts_section(r, style),
        namespaces_section(r),
        runtime_section(r),
        cgroups_section(r),
        devices_section(r, style),
        source_section(r, style),
    ];
    let mut out = String::with_capacity(16 * 1024);
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        s.render(style, &mut out);
    }
    out
}

/// Capabilities, securebits, no_new_privs.
fn capabilities_section(r: &Report, style: Style) -> Section {
    let full = r.capabilities.full_set.known().copied();
    let mut s = Section::new(format!("Capabilities  ({})", r.capabilities.source));
    let c = &r.capabilities;
    for (name, set) in c.sets() {
        s.lines(name, cap_set(set, full, style));
    }
    s.row(
        "securebits",
        fact(&r.securebits, |b| {
            if b.names.is_empty() {
                format!("{:#x} (none set)", b.bits)
            } else {
                format!("{:#x} {}", b.bits, b.names.join(", "))
            }
        }),
    );
    s.row(
        "no_new_privs",
        fact(&r.no_new_privs, |n| {
            let src = match n.source {
                crate::report::NnpSource::Status => "status",
                crate::report::NnpSource::Prctl => "prctl",
            };
            format!("{} (from {src})", if n.enabled { "on" } else { "off" })
        }),
    );
    s
}

/// Identity: uids, gids, supplementary groups.
fn identity_section(r: &Report) -> Section {
    let mut s = Section::new(format!("Identity  ({})", r.identity.source));
    s.row("uid", fact(&r.identity.uid, ids));
    s.row("gid", fact(&r.identity.gid, ids));
    s.row(
        "groups",
        fact(&r.identity.groups, |g| {
            if g.is_empty() {
                "(none)".to_string()
            } else {
                g.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
            }
        }),
    );
    s
}

/// Seccomp: mode and number of filters.
fn seccomp_section(r: &Report) -> Section {
    let mut s = Section::new("Seccomp");
    s.row("mode", fact(&r.seccomp.mode, |m| m.as_str().to_string()));
    s.row("filters", fact(&r.seccomp.filters, u32::to_string));
    s
}

/// Threads: how many, and those whose security state differs.
fn threads_section(r: &Report) -> Section {
    let mut s = Section::new("Threads");
    match &r.threads {
        Fact::Unknown(u) => s.row("threads", u.to_string()),
        Fact::Known(t) => {
            let mut head = format!("{} listed", t.count);
            if t.exited > 0 {
                head.push_str(&format!(", {} exited while read", t.exited));
            }
            if t.truncated {
                head.push_str(", listing stopped at the crate's bound");
            }
            s.row("threads", head);
            let diffs: Vec<String> = t
                .differing
                .iter()
                .map(|d| {
                    let mut parts = Vec::new();
                    if let Some(m) = d.seccomp {
                        parts.push(format!("seccomp {}", m.as_str()));
                    }
                    if let Some(n) = d.no_new_privs {
                        parts.push(format!("no_new_privs {}", if n { "on" } else { "off" }));
                    }
                    for (name, set) in d.sets() {
                        if let Some(set) = set {
                            parts.push(format!("{name} {:016x}", set.mask()));
                        }
                    }
                    if let Some(u) = d.uid {
                        parts.push(format!("uid {} {} {} {}", u[0], u[1], u[2], u[3]));
                    }
                    format!("tid {}: {}", d.tid, parts.join("; "))
                })
                .collect();
            s.lines("differing", diffs);
            if !t.unreadable.is_empty() {
                s.lines("unreadable", t.unreadable.clone());
            }
        }
    }
    s
}

/// LSM: the label and which LSMs are active.
fn lsm_section(r: &Report) -> Section {
    let mut s = Section::new(format!("LSM  ({})", r.lsm.label_source));
    s.row(
        "label",
        fact(&r.lsm.label, |l| match l {
            LsmLabel::AppArmor(a) => {
                let mode = match &a.mode {
                    AppArmorMode::Enforce => "enforce".to_string(),
                    AppArmorMode::Complain => "complain".to_string(),
                    AppArmorMode::Kill => "kill".to_string(),
                    AppArmorMode::Unconfined => "unconfined".to_string(),
                    AppArmorMode::Prompt => "prompt".to_string(),
                    AppArmorMode::Other(m) => m.clone(),
                };
                format!("AppArmor profile {} ({mode})", a.profile)
            }
            LsmLabel::Selinux(c) => format!("SELinux {} (type {})", c.context, c.type_),
            LsmLabel::Other { label } => format!("other LSM label {label}"),
            LsmLabel::None { evidence } => format!("none — {evidence}"),
        }),
    );
    s.row(
        "selinux enforcing",
        fact(&r.lsm.selinux_enforcing, |b| yes_no(*b)),
    );
    s.row(
        "active LSMs",
        fact(&r.lsm.active, |v| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(",")
            }
        }),
    );
    s
}

/// User namespace: whether it is the host's, its maps, what uid 0 is.
fn user_namespace_section(r: &Report, style: Style) -> Section {
    let u = &r.user_namespace;
    let mut s = Section::new("User namespace");
    s.row(
        "namespace",
        fact(&u.initial, |i| {
            if *i {
                "the host's initial user namespace".to_string()
            } else {
                "its own (not the host's)".to_string()
            }
        }),
    );
    s.lines("uid_map", fact_lines(&u.uid_map, id_map));
    s.lines("gid_map", fact_lines(&u.gid_map, id_map));
    s.row("uid 0 is", fact(&u.root_uid, |m| mapping("uid", m, style)));
    s.row("gid 0 is", fact(&u.root_gid, |m| mapping("gid", m, style)));
    s.row(
        "own euid is",
        fact(&u.own_uid, |m| mapping("uid", m, style)),
    );
    s
}

/// Mounts: the root, pseudo filesystems, writable, runtime sockets, host mounts, masked paths.
fn mounts_section(r: &Report, style: Style) -> Section {
    match &r.mounts {
        Fact::Unknown(un) => {
            let mut s = Section::new("Mounts");
            s.row("mount table", un.to_string());
            s
        }
        Fact::Known(m) => {
            let mut s = Section::new(format!("Mounts  ({} entries)", m.count));
            if !m.incomplete.is_empty() {
                s.lines("incomplete", m.incomplete.clone());
            }
            s.row(
                "/",
                match (&m.root, m.root_read_only) {
                    (Some(root), Some(ro)) => format!(
                        "{} ({} {})",
                        if ro { "read-only" } else { "read-write" },
                        root.fstype(),
                        root.source()
                    ),
                    _ => "no mount at / is listed".to_string(),
                },
            );
            s.row("/proc/sys", pseudo(m.proc_sys));
            s.row("/sys", pseudo(m.sys));
            let w = m.writable.iter().map(|x| x.mount_point().len()).max();
            let w = w.unwrap_or(0);
            s.lines(
                "writable",
                m.writable
                    .iter()
                    .map(|x| {
                        let mut l = String::with_capacity(w + 50);
                        push_padded(&mut l, x.mount_point(), w + 2);
                        push_padded(&mut l, x.fstype(), 10);
                        push_flags(&mut l, x);
                        l
                    })
                    .collect(),
            );
            s.lines(
                "runtime sockets",
                m.runtime_sockets
                    .iter()
                    .map(|k| {
                        let whence = if k.seen_in == crate::report::SeenIn::Stat {
                            "a socket file, found by stat".to_string()
                        } else {
                            format!("from {}", k.root)
                        };
                        style.danger(&format!(
                            "{} ({}{}, {whence})",
                            k.mount_point,
                            k.runtime,
                            if k.directory { " socket directory" } else { "" },
                        ))
                    })
                    .collect(),
            );
            let host: Vec<String> = m
                .host_mounts
                .iter()
                .map(|h| {
                    let what = format!(
                        "{} <- {} {} ({})",
                        h.mount.mount_point(),
                        h.mount.fstype(),
                        h.mount.root(),
                        if h.mount.read_only { "ro" } else { "rw" }
                    );
                    use crate::report::HostMountKind;
                    let host = h.host_path.as_deref().unwrap_or("?");
                    match (&h.sensitive, h.kind) {
                        (Some(why), _) => style.danger(&format!("{what}: sensitive, {why}")),
                        (None, HostMountKind::RuntimeFile) => format!("{what}: the runtime's own"),
                        (None, HostMountKind::Volume) => format!("{what}: a volume"),
                        (None, HostMountKind::Filesystem) => {
                            format!("{what}: a whole filesystem, not the host's root")
                        }
                        (None, _) => style.danger(&format!("{what}: host path {host}")),
                    }
                })
                .collect();
            s.lines("host mounts", host);
            let mut masked = Vec::new();
            for (state, name) in [
                (MaskState::Masked, "masked"),
                (MaskState::ReadOnly, "read-only"),
                (MaskState::Exposed, "exposed"),
                (MaskState::Absent, "absent"),
            ] {
                let paths: Vec<(String, String)> = m
                    .masked_paths
                    .iter()
                    .filter(|p| p.state == state)
                    .map(|p| (p.path.to_string(), p.path.to_string()))
                    .collect();
                if !paths.is_empty() {
                    let head = format!("{name}:");
                    let mut lines = wrap(&paths);
                    for (i, l) in lines.iter_mut().enumerate() {
                        *l = padded(if i == 0 { head.as_str() } else { "" }, 11) + l.as_str();
                    }
                    masked.extend(lines);
                }
            }
            s.lines("masked paths", masked);
            if !m.service_account_mounts.is_empty() {
                s.lines("service account", m.service_account_mounts.clone());
            }
            s
        }
    }
}

/// Namespaces: each one's inode, and whether the network is the host's.
fn namespaces_section(r: &Report) -> Section {
    let mut s = Section::new("Namespaces");
    for n in &r.namespaces {
        let value = match (&n.inode, &n.initial) {
            (Fact::Unknown(u), _) => u.to_string(),
            (Fact::Known(ino), Fact::Known(true)) => format!("{ino}  the host's"),
            (Fact::Known(ino), Fact::Known(false)) => format!("{ino}  own"),
            (Fact::Known(ino), Fact::Unknown(u)) => format!("{ino}  {u}"),
        };
        s.row(n.ns_type.name(), value);
    }
    let net = &r.network;
    let decided = match net.decided_by {
        Some(crate::report::NetMethod::Inode) => "by inode",
        Some(crate::report::NetMethod::NetnsCookie) => "by SO_NETNS_COOKIE",
        Some(crate::report::NetMethod::Contents) => "by what it holds",
        _ => "undecided",
    };
    s.row(
        "host network",
        fact(&net.initial, |h| {
            format!("{} ({decided})", if *h { "yes" } else { "no" })
        }),
    );
    if let Some(c) = &net.netns_cookie {
        s.row("netns cookie", fact(c, |c| c.to_string()));
    }
    s.lines(
        "net signals",
        net.signals
            .iter()
            .map(|g| format!("[{}] {}: {}", g.strength.as_str(), g.source, g.observed))
            .collect(),
    );
    s
}

/// Runtime: which one, how sure, and the signals.
fn runtime_section(r: &Report) -> Section {
    let rt = &r.runtime;
    let mut s = Section::new("Runtime");
    let confidence = match rt.confidence {
        Confidence::Strong => "strong: a signal the container cannot fake",
        Confidence::Spoofable => "spoofable: only signals the image could fake",
        Confidence::Inferred => "inferred from namespaces alone",
    };
    s.row("runtime", format!("{} ({confidence})", rt.kind.as_str()));
    s.row("kubernetes", yes_no(rt.kubernetes));
    s.lines(
        "signals",
        rt.signals
            .iter()
            .map(|g| {
                format!(
                    "{:<11} {} -> {}: {}",
                    if g.spoofable {
                        "[spoofable]"
                    } else {
                        "[strong]"
                    },
                    g.indicates.as_str(),
                    g.source,
                    g.observed
                )
            })
            .collect(),
    );
    s
}

/// Cgroups: version, path, limits.
fn cgroups_section(r: &Report) -> Section {
    let mut s = Section::new("Cgroups");
    match &r.cgroups {
        Fact::Unknown(u) => s.row("cgroups", u.to_string()),
        Fact::Known(c) => {
            s.row(
                "version",
                match c.version {
                    CgroupVersion::V2 => "v2 (unified)",
                    CgroupVersion::V1 => "v1",
                    CgroupVersion::Hybrid => "hybrid (v1 controllers + unified)",
                },
            );
            let path = c
                .membership
                .iter()
                .find(|l| l.hierarchy == 0)
                .or(c.membership.first());
            if let Some(p) = path {
                s.row("cgroup", p.path.clone());
            }
            let scoped =
                |l: &Limit, unit: &str, scope: &Option<crate::parse::cgroup::LimitScope>| {
                    let text = limit(l, unit);
                    match scope {
                        // No limit seen, and the view stops below the real root.
                        Some(sc) if !l.is_limited() && sc.real_root != Some(true) => {
                            format!("{text} up to cgroup {} (its parents not visible)", sc.top)
                        }
                        _ => text,
                    }
                };
            s.row(
                "memory",
                fact(&c.memory, |l| scoped(l, "bytes", &c.memory_scope)),
            );
            s.row("pids", fact(&c.pids, |l| scoped(l, "tasks", &c.pids_scope)));
            s.row("cpu", fact(&c.cpu, |l| scoped(l, "", &c.cpu_scope)));
        }
    }
    s
}

/// Devices and credentials: host hardware in /dev, the service account token.
fn devices_section(r: &Report, style: Style) -> Section {
    let mut s = Section::new("Devices and credentials");
    s.row(
        "/dev",
        fact(&r.devices, |d| {
            if d.host_devices.is_empty() {
                format!("{} entries, no host hardware", d.entries)
            } else {
                let items: Vec<String> = d.host_devices.iter().map(|x| style.danger(x)).collect();
                format!("{} entries, host hardware: {}", d.entries, items.join(", "))
            }
        }),
    );
    s.row(
        "k8s token",
        fact(&r.service_account_token, |p| {
            if *p { "present" } else { "absent" }.to_string()
        }),
    );
    s
}

/// Source: where the facts were read from, the kernel, whether /proc is procfs.
fn source_section(r: &Report, style: Style) -> Section {
    let mut s = Section::new("Source");
    s.row(
        "read from",
        format!(
            "{} ({})",
            r.origin.root,
            match r.origin.kind {
                crate::RootKind::Live => "live system",
                crate::RootKind::Fixture => "fixture tree",
            }
        ),
    );
    s.row("kernel", fact(&r.kernel.release, String::clone));
    s.row(
        "cap_last_cap",
        fact(&r.kernel.cap_last_cap, |n| {
            format!("{n} ({} capabilities)", u32::from(*n) + 1)
        }),
    );
    s.row(
        "/proc",
        fact(&r.proc_trust, |t| match t {
            ProcTrust::Procfs => "procfs (statfs says PROC_SUPER_MAGIC)".to_string(),
            ProcTrust::NotProcfs { magic } => style.danger(&format!(
                "NOT procfs (magic {magic}): nothing read from it can be trusted"
            )),
            ProcTrust::Fixture => "fixture: captured elsewhere, not verified here".to_string(),
            ProcTrust::Disagrees { findings } => style.danger(&format!(
                "DISAGREES with the kernel: {}",
                findings.join("; ")
            )),
        }),
    );
    s
}

/// The syscall probe: one row per syscall (outcome, errno or signal), then
/// user namespaces.
fn syscalls_section(r: &Report, style: Style) -> Section {
    use crate::report::{Creation, Outcome};
    let mut s = Section::new("Syscalls  (posture::syscalls::probe)");
    let p = match &r.syscalls {
        Fact::Known(p) => p,
        Fact::Unknown(u) => {
            s.row("probe", format!("{u} (--probe-syscalls runs it)"));
            return s;
        }
    };
    s.row(
        "filter",
        fact(&p.filter, |f| {
            if *f {
                "installed on the calling thread"
            } else {
                "none on the calling thread"
            }
            .to_string()
        }),
    );
    let w = p
        .results
        .iter()
        .map(|x| x.syscall.name().len())
        .max()
        .unwrap_or(8);
    let mut rows = vec![format!(
        "{}  {:9}  errno or signal",
        padded("syscall", w),
        "outcome"
    )];
    for x in &p.results {
        let detail = match &x.outcome {
            Outcome::Reachable { errno: Some(e) } => format!("{e} (the kernel's own answer)"),
            Outcome::Reachable { errno: None } => "succeeded".to_string(),
            Outcome::Blocked { errno, by, note } => match note {
                Some(n) => format!("{errno} by {} ({n})", by.as_str()),
                None => format!("{errno} by {}", by.as_str()),
            },
            Outcome::Killed { signal } => format!("{signal}"),
            Outcome::Unknown { reason } => reason.clone(),
        };
        let state = format!("{:9}", x.outcome.as_str());
        let state = match x.outcome {
            Outcome::Reachable { .. } => style.danger(&state),
            _ => state,
        };
        rows.push(format!(
            "{}  {state}  {detail}",
            padded(x.syscall.name(), w)
        ));
    }
    s.lines("calls", rows);
    let u = &p.user_namespaces;
    s.row("max userns", fact(&u.max_user_namespaces, u64::to_string));
    s.row(
        "userns try",
        match &u.attempt {
            Creation::Created => style.danger("unshare(CLONE_NEWUSER) created one"),
            Creation::Refused { errno } => format!("unshare(CLONE_NEWUSER) refused: {errno}"),
            Creation::Killed { signal } => format!("unshare(CLONE_NEWUSER) killed by {signal}"),
            Creation::Unknown { reason } => format!("unknown ({reason})"),
        },
    );
    s.row(
        "new userns",
        fact(&u.can_create, |c| {
            if *c {
                style.danger("can be created")
            } else {
                "cannot be created".to_string()
            }
        }),
    );
    s.row("children", p.children.to_string());
    s
}

fn fact_lines<T>(f: &Fact<T>, show: impl FnOnce(&T) -> Vec<String>) -> Vec<String> {
    match f {
        Fact::Known(v) => show(v),
        Fact::Unknown(u) => vec![u.to_string()],
    }
}

//! JUnit XML (private module; the user docs are on [`crate::render::junit`]).

#[cfg(doc)]
use crate::policy::Override;
use crate::policy::{Assessment, CheckResult, CheckStatus, Verdict};

/// The assessment as JUnit XML, so a CI pipeline that gates on `posture
/// --check --format junit` shows one result per check instead of one exit
/// code.
///
/// Shape (the common JUnit report format that Jenkins, GitLab, GitHub
/// test-report actions and `junitparser` read):
///
/// * one `<testsuites>` holding one `<testsuite name="POLICY">`, whose
///   `<properties>` carry the verdict, what overrides did to it
///   (`overridden` = `11 checks overridden by POSTURE_OVERRIDE`, as the
///   checklist's verdict line says; only when overrides downgraded a
///   required check) and every override in force (`override.CHECK_ID` =
///   reason, `override_source.CHECK_ID` = `policy` or `environment`);
/// * one `<testcase classname="POLICY" name="CHECK_ID">` per evaluated check,
///   in the assessment's order;
/// * a check that fails the verdict ([`CheckResult::blocks`]: a required
///   check that failed, or was unknown where the policy does not accept
///   unknown) holds a `<failure type="fail|unknown" message="…">` whose text
///   is the evidence and the fix, so `failures` counts exactly the blocking
///   checks and is 0 exactly when the verdict passes;
/// * every test case holds a `<system-out>` with its status, whether it is
///   required, its severity, evidence, the fix when it did not pass, the
///   controls it covers (as one line) and the override reason: a warning (a check that is not required, or was
///   downgraded by an override) is a passing test case whose output says
///   what is wrong;
/// * a check that fails the verdict but for an override
///   ([`Override::would_block`]) is `<skipped type="overridden"
///   message="overridden by POSTURE_OVERRIDE: reason">` (or `by the
///   policy`), as a waived failure is, so the suite's `skipped` count and
///   a CI page show the checks that pass only because they were
///   overridden, not a green test.
///
/// No timestamps, host names or durations: the same assessment gives the
/// same bytes. Every attribute and text is escaped here (`&`, `<`, `>`, `"`,
/// `'`, and in attributes tab, newline and carriage return as character
/// references, so XML attribute-value normalisation keeps them); characters
/// XML 1.0 cannot carry at all (control characters other than tab, newline
/// and carriage return, U+FFFE, U+FFFF) are written as U+FFFD.
///
/// ```
/// use posture::policy::{Policy, Preset};
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-default");
/// # if !std::path::Path::new(dir).exists() { return; }
/// let report = posture::posture_with_root(&posture::Root::fixture(dir));
/// let a = posture::evaluate(&report, &Policy::preset(Preset::Checklist));
/// let xml = posture::render::junit(&a);
/// assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
/// assert!(xml.contains("<testcase classname=\"checklist\" name=\"non_root\">"));
/// ```
///
/// The assessment as a JUnit XML document (UTF-8, ending in a newline).
pub fn checks(a: &Assessment) -> String {
    let tests = a.checks.len() + a.expectations.len();
    let failures = a.blocking().count() + a.drift().count();
    let skipped = a.overridden_checks.iter().filter(|o| o.would_block).count();
    let mut out = String::with_capacity(1024 + 512 * tests);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts =
        format!(" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"");
    out.push_str("<testsuites name=\"posture\"");
    out.push_str(&counts);
    out.push_str(">\n  <testsuite name=\"");
    attr(&a.policy, &mut out);
    out.push('"');
    out.push_str(&counts);
    out.push_str(">\n    <properties>\n");
    let verdict = match a.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    };
    property("verdict", verdict, &mut out);
    if let Some(note) = super::text::override_note(a) {
        property("overridden", &note, &mut out);
    }
    for o in &a.overridden_checks {
        property(&format!("override.{}", o.id), &o.reason, &mut out);
        property(
            &format!("override_source.{}", o.id),
            o.source.as_str(),
            &mut out,
        );
    }
    out.push_str("    </properties>\n");
    for c in &a.checks {
        testcase(a, c, &mut out);
    }
    for e in &a.expectations {
        expectation(a, e, &mut out);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn property(name: &str, value: &str, out: &mut String) {
    out.push_str("      <property name=\"");
    attr(name, out);
    out.push_str("\" value=\"");
    attr(value, out);
    out.push_str("\"/>\n");
}

fn testcase(a: &Assessment, c: &CheckResult, out: &mut String) {
    let ov = a.overridden_checks.iter().find(|o| o.id == c.id);
    let d = super::CheckDetail::of(a, c);
    out.push_str("    <testcase classname=\"");
    attr(&a.policy, out);
    out.push_str("\" name=\"");
    attr(c.id.as_str(), out);
    out.push_str("\">\n");
    if c.blocks() {
        let status = c.status.as_str();
        out.push_str("      <failure type=\"");
        attr(status, out);
        out.push_str("\" message=\"");
        attr(&format!("{status}: {}", c.title), out);
        out.push_str("\">");
        text(&format!("evidence: {}\nfix: {}", d.evidence, d.fix), out);
        out.push_str("</failure>\n");
    }
    if let Some(o) = ov.filter(|o| o.would_block) {
        out.push_str("      <skipped type=\"overridden\" message=\"");
        attr(
            &format!("overridden by {}: {}", o.source.describe(), o.reason),
            out,
        );
        out.push_str("\">");
        text(
            &format!(
                "{}: {}\nevidence: {}\nfix: {}",
                c.status.as_str(),
                c.title,
                d.evidence,
                d.fix
            ),
            out,
        );
        out.push_str("</skipped>\n");
    }
    let required = if c.overridden.is_some() {
        "OVERRIDDEN (downgraded to a warning)"
    } else if c.required {
        "yes"
    } else {
        "no (a warning)"
    };
    let mut detail = format!(
        "{}\nstatus: {}\nrequired: {required}\nseverity: {}\nevidence: {}",
        c.title,
        c.status.as_str(),
        c.severity.as_str(),
        d.evidence
    );
    if let Some(fix) = d.fix_unless_passed() {
        detail.push_str(&format!("\nfix: {fix}"));
    }
    if !d.controls.is_empty() {
        detail.push_str(&format!("\ncontrols: {}", d.controls));
    }
    if let Some(line) = &d.overridden {
        detail.push('\n');
        detail.push_str(line);
    }
    out.push_str("      <system-out>");
    text(&detail, out);
    out.push_str("</system-out>\n    </testcase>\n");
}

/// One declared field (a manifest's) as a test case named by its field
/// path; drift or unknown is a `<failure>` whose message is the drift line.
fn expectation(a: &Assessment, e: &crate::policy::ExpectationResult, out: &mut String) {
    out.push_str("    <testcase classname=\"");
    attr(&a.policy, out);
    out.push_str("\" name=\"");
    attr(&e.field, out);
    out.push_str("\">\n");
    if e.status != CheckStatus::Pass {
        out.push_str("      <failure type=\"");
        attr(
            if e.status == CheckStatus::Fail {
                "drift"
            } else {
                "unknown"
            },
            out,
        );
        out.push_str("\" message=\"");
        attr(&e.line(), out);
        out.push_str("\">");
        text(&format!("evidence: {}", e.evidence), out);
        out.push_str("</failure>\n");
    }
    out.push_str("      <system-out>");
    text(
        &format!(
            "{}\nstatus: {}\nevidence: {}",
            e.line(),
            e.status.as_str(),
            e.evidence
        ),
        out,
    );
    out.push_str("</system-out>\n    </testcase>\n");
}

/// Appends `s` escaped for an attribute value in double quotes.
fn attr(s: &str, out: &mut String) {
    escape(s, true, out);
}

/// Appends `s` escaped for element content.
fn text(s: &str, out: &mut String) {
    escape(s, false, out);
}

fn escape(s: &str, in_attr: bool, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A parser turns a literal CR (or CRLF) into LF everywhere, and
            // tab and LF into spaces inside attributes: references keep them.
            '\r' => out.push_str("&#13;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\t' if in_attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(ch),
            // Not a character XML 1.0 can hold, even as a reference.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{attr, text};

    #[test]
    fn escapes_markup_quotes_and_whitespace() {
        let mut a = String::new();
        attr("a<b>&\"c'\td\ne\rf", &mut a);
        assert_eq!(a, "a&lt;b&gt;&amp;&quot;c&apos;&#9;d&#10;e&#13;f");
        let mut t = String::new();
        text("a<b>&\"c'\td\ne\rf", &mut t);
        assert_eq!(t, "a&lt;b&gt;&amp;&quot;c&apos;\td\ne&#13;f");
    }

    #[test]
    fn characters_xml_cannot_hold_become_replacement_characters() {
        let mut t = String::new();
        text("x\u{0}y\u{1b}[1mz\u{fffe}\u{ffff}é\u{10000}", &mut t);
        assert_eq!(t, "x\u{fffd}y\u{fffd}[1mz\u{fffd}\u{fffd}é\u{10000}");
    }
}

//! Renderers: the last stage of the pipeline, turning a [`crate::Report`]
//! and an [`crate::Assessment`] into text for people and machines. Pure
//! functions returning a `String`; no I/O, no terminal detection.
//!
//! * [`text`]: the `capsh --print`-style report and the checklist table
//!   (what the `posture` binary prints, and what [`crate::Refusal`] lists).
//! * [`k8s_patch`], [`compose_patch`]: the manifest fields that would make the failing checks
//!   pass, as a YAML patch (`--format k8s-patch`).
//! * [`junit()`]: the assessment as JUnit XML, one test case per check, for CI
//!   systems that show per-test results.
//!
//! * `json` (feature `serde`): the versioned document,
//!   `posture::render::json::Document`.
//! * `prometheus` (feature `prometheus`): the
//!   text exposition format for fleet monitoring.
//! * `tracing()` (feature `tracing`): one structured
//!   event per finding when the guard runs.

#[cfg(feature = "serde")]
pub mod json;
mod junit;
mod patch;
#[cfg(feature = "prometheus")]
pub mod prometheus;
pub mod text;
#[cfg(feature = "tracing")]
mod tracing;

pub use junit::checks as junit;
pub use patch::{compose_patch, k8s_patch};
#[cfg(feature = "tracing")]
pub use tracing::assessment as tracing;

use crate::policy::{Assessment, CheckResult, CheckStatus, OverrideSource};
use crate::policy::{Control, Framework};

/// What explains one check beyond its row (evidence, fix, controls, the
/// override), built once here for the renderers that show it: the text
/// checklist ([`text::checks`]) and JUnit's `<system-out>`
/// ([`junit()`]). Each lays it out its own way.
pub(crate) struct CheckDetail<'a> {
    /// The evidence.
    pub(crate) evidence: &'a str,
    /// The fix (the remediation as text).
    pub(crate) fix: String,
    /// Whether the check passed (then the text checklist omits the fix).
    pub(crate) passed: bool,
    /// The controls the check covers as one line ([`controls_line`]);
    /// empty when none.
    pub(crate) controls: String,
    /// `!! OVERRIDE: <reason>`, or `!! OVERRIDE by POSTURE_OVERRIDE:
    /// <reason>` when the override came from the environment; `None`
    /// when the check is not overridden.
    pub(crate) overridden: Option<String>,
}

impl<'a> CheckDetail<'a> {
    /// The detail of check `c` of assessment `a`.
    pub(crate) fn of(a: &Assessment, c: &'a CheckResult) -> CheckDetail<'a> {
        let overridden = c.overridden.as_ref().map(|reason| {
            let from_env = a
                .overrides_from(OverrideSource::Environment)
                .any(|o| o.id == c.id);
            let by = if from_env {
                format!(" by {}", OverrideSource::Environment.describe())
            } else {
                String::new()
            };
            format!("!! OVERRIDE{by}: {reason}")
        });
        CheckDetail {
            evidence: &c.evidence,
            fix: c.remediation.to_string(),
            passed: c.status == CheckStatus::Pass,
            controls: controls_line(c.controls),
            overridden,
        }
    }

    /// The fix, where the check did not pass.
    pub(crate) fn fix_unless_passed(&self) -> Option<&str> {
        (!self.passed).then_some(self.fix.as_str())
    }
}

/// The controls a check covers as one line for people, grouped by
/// framework in the order given: `CIS Docker 1.6.0 5.25, 5.26; PSS v1.33
/// allowPrivilegeEscalation; NSA/CISA v1.2 Pod security enforcement`. Empty
/// when the check covers none.
pub(crate) fn controls_line(controls: &[Control]) -> String {
    let mut out = String::new();
    let mut last: Option<Framework> = None;
    for c in controls {
        if last == Some(c.framework) {
            out.push_str(", ");
        } else {
            if last.is_some() {
                out.push_str("; ");
            }
            out.push_str(c.framework.short_title());
            out.push(' ');
            last = Some(c.framework);
        }
        out.push_str(c.id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::CheckId;

    #[test]
    fn controls_read_as_one_line_grouped_by_framework() {
        // Written out from the CIS v1.6.0, PSA and NSA/CISA tables.
        assert_eq!(
            controls_line(CheckId::NoNewPrivs.controls()),
            "CIS Docker 1.6.0 5.26; PSS v1.33 allowPrivilegeEscalation; NSA/CISA v1.2 Pod security enforcement"
        );
        assert_eq!(controls_line(CheckId::ProcTrusted.controls()), "");
    }
}

//! Renderers: the last stage of the pipeline, turning a [`crate::Report`]
//! and an [`crate::Assessment`] into text for people and machines. Pure
//! functions returning a `String`; no I/O, no terminal detection.
//!
//! * [`text`]: the `capsh --print`-style report and the checklist table
//!   (what the `posture` binary prints, and what [`crate::Refusal`] lists).
//! * [`patch`]: the manifest fields that would make the failing checks
//!   pass, as a YAML patch (`--format k8s-patch`).
//! * [`junit`]: the assessment as JUnit XML, one test case per check, for CI
//!   systems that show per-test results.
//!
//! * `json` (feature `serde`): the versioned document,
//!   `posture::render::json::Document`.
//! * `prometheus` (feature `prometheus`): the
//!   text exposition format for fleet monitoring.
//! * `tracing` (feature `tracing`): one structured
//!   event per finding when the guard runs.

#[cfg(feature = "serde")]
pub mod json;
pub mod junit;
pub mod patch;
#[cfg(feature = "prometheus")]
pub mod prometheus;
pub mod text;
#[cfg(feature = "tracing")]
pub mod tracing;

use crate::policy::controls::{Control, Framework};

/// The controls a check covers as one line for people, grouped by
/// framework in the order given: `CIS Docker 1.6.0 5.25, 5.26; PSS v1.33
/// allowPrivilegeEscalation; NSA/CISA v1.2 Pod security enforcement`. Empty
/// when the check covers none.
pub fn controls_line(controls: &[Control]) -> String {
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

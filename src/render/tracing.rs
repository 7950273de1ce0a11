//! `tracing` events (private module; the user docs are on [`crate::render::tracing`]).

use crate::policy::{Assessment, CheckStatus};

/// Structured logging of findings through `tracing` (feature `tracing`).
///
/// When the guard runs, each failed or unknown check becomes one event with
/// the fields `check`, `severity`, `status`, `required`, `evidence` and `fix`,
/// so findings land in the service's existing log pipeline. Blocking findings
/// are `error`, the rest `warn`; overrides are `warn` with `override_reason`.
///
/// Emits one event per failed or unknown check, and one per override.
pub fn assessment(a: &Assessment) {
    for c in &a.checks {
        if c.status == CheckStatus::Pass {
            continue;
        }
        let fix = c.remediation.to_string();
        // tracing needs the level at compile time: one macro, two levels.
        macro_rules! finding {
            ($level:ident) => {
                ::tracing::$level!(
                    target: "posture",
                    check = c.id.as_str(),
                    severity = c.severity.as_str(),
                    status = c.status.as_str(),
                    required = c.required,
                    evidence = c.evidence.as_str(),
                    fix = fix.as_str(),
                    policy = a.policy.as_str(),
                    "hardening check did not pass"
                )
            };
        }
        if c.blocks() {
            finding!(error);
        } else {
            finding!(warn);
        }
    }
    for (id, reason) in &a.overrides {
        ::tracing::warn!(
            target: "posture",
            check = id.as_str(),
            override_reason = reason.as_str(),
            policy = a.policy.as_str(),
            "required check overridden"
        );
    }
}

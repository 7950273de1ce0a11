//! The smallest service with the guard in front: judge this process against
//! a policy before doing anything else, and refuse to start without the
//! hardening it requires.
//!
//! ```text
//! cargo run --example guard                                   # checklist
//! POSTURE_POLICY=strict cargo run --example guard             # exits 78 on most hosts
//! POSTURE_POLICY=ops/policy.toml cargo run --example guard    # a policy document
//! POSTURE_OVERRIDE='non_root=TICKET-42: legacy image' cargo run --example guard
//! ```
//!
//! On refusal it prints every blocking check with its evidence and fix to
//! stderr and exits 78 (`EX_CONFIG`). Kubernetes has no notion of a
//! configuration error: it shows the container as `Error` with exit code 78
//! (and the pod as `CrashLoopBackOff` when it restarts). The reason is in the
//! log, and in the pod's status (`state.terminated.message`) when the
//! container sets `terminationMessagePolicy: FallbackToLogsOnError`, as the
//! manifests in `examples/k8s` do. (systemd logs it as `status=78/CONFIG`.) An
//! override (`POSTURE_OVERRIDE=check_id=reason;…`) downgrades only the named
//! checks, and is printed as `!! OVERRIDE` on every start.
//!
//! `posture::enforce` is the `main()`-friendly form of `posture::guard`:
//! `posture::guard(&policy)?` also works in a `main` returning
//! `Result<(), Box<dyn Error>>`, but Rust then exits 1 and prints the
//! refusal's `Debug` form, not the list of fixes; `enforce` prints the list
//! and exits 78.

use std::error::Error;

use posture::policy::{Policy, Preset};

fn main() -> Result<(), Box<dyn Error>> {
    // POSTURE_POLICY: a preset name or a policy file; a bad one is an error here.
    let policy = Policy::from_env_or(Policy::preset(Preset::Checklist))
        .map_err(|e| format!("posture: {e}"))?;
    let assessment = posture::enforce(&policy);
    println!(
        "posture: policy {:?} passed ({} checks); starting",
        assessment.policy,
        assessment.checks.len()
    );
    // … the service itself …
    Ok(())
}

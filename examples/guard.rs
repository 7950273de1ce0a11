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
//! **Which call exits 78**: `posture::enforce`, and only it. On refusal it
//! prints the list and calls `exit(78)`. `posture::guard(&policy)` returns
//! the refusal as an `Err` and exits nothing: with `posture::guard(&policy)?`
//! in a `main` returning `Result`, Rust prints `Error: ` and the same list,
//! then exits **1**, like any error from `main` — not 78.
//!
//! A bad `POSTURE_POLICY` (an unknown preset, a file that does not parse)
//! is not a refusal: `main` ends with the error's sentence, which names the
//! value and the choices (`Error: no policy preset named "bogus" (presets:
//! checklist, pss-baseline, pss-restricted, strict)`), and exits 1.

use posture::policy::{Policy, PolicyError, Preset};

fn main() -> Result<(), PolicyError> {
    // POSTURE_POLICY: a preset name or a policy file; a bad one ends main here.
    let policy = Policy::from_env_or(Policy::preset(Preset::Checklist))?;
    // Exits 78 on refusal.
    let assessment = posture::enforce(&policy);
    println!(
        "posture: policy {:?} passed ({} checks); starting",
        assessment.policy,
        assessment.checks.len()
    );
    // … the service itself …
    Ok(())
}

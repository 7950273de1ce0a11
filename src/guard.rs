//! The startup guard: judge this process and refuse to start when a required
//! check fails.
//!
//! [`enforce`] exits 78 ([`EX_CONFIG`]) on refusal; [`guard`] returns the
//! [`Refusal`], and `guard(&policy)?` in `main` exits 1.
//!
//! ```no_run
//! use posture::policy::{Policy, PolicyError, Preset};
//!
//! fn main() -> Result<(), PolicyError> {
//!     let policy = Policy::from_env_or(Policy::preset(Preset::Checklist))?;
//!     posture::enforce(&policy); // on refusal: every failed check with its fix, exit 78
//!     // … serve …
//!     Ok(())
//! }
//! ```
//!
//! # The environment
//!
//! The guard never reads the environment: [`guard`], [`guard_report`] and
//! [`enforce`] judge the policy they are given exactly as it was built, so a
//! policy built in code (`posture::guard(&Policy::preset(Preset::Strict))`)
//! is never weakened by `POSTURE_OVERRIDE`. The environment comes in only
//! through a loader the program calls: [`Policy::from_env_or`] (above) lets
//! `POSTURE_POLICY` choose the policy and `POSTURE_OVERRIDE` downgrade named
//! checks; [`Policy::load`] with [`EnvOverrides::Refuse`] (or `Ignore`) lets
//! the first and not the second. An override from the environment is shown
//! as such wherever the guard speaks: each `!! OVERRIDE` line names
//! `POSTURE_OVERRIDE`, in a refusal and, via [`enforce`] or
//! [`OverrideBanner`], on a start that passed.
//!
//! ```no_run
//! use posture::policy::{EnvOverrides, Policy, Preset};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // POSTURE_POLICY may pick the policy; a set POSTURE_OVERRIDE is an error.
//! let policy = Policy::load(None, Policy::preset(Preset::Strict), EnvOverrides::Refuse)?;
//! posture::guard(&policy)?;
//! # Ok(())
//! # }
//! ```

use std::fmt;

#[cfg(doc)]
use crate::policy::EnvOverrides;
use crate::policy::{Action, Assessment, CheckId, OVERRIDE_ENV, OverrideSource, Policy, evaluate};
use crate::render::text::{self, Color};
use crate::report::Report;

/// The exit code [`enforce`] uses: `EX_CONFIG` from sysexits.h, "configuration
/// error" — the container was started without the hardening the policy needs.
pub const EX_CONFIG: i32 = 78;

/// A refusal to start: the assessment, whose failed required checks it lists.
///
/// Its `Debug` is its `Display`, so `fn main() -> Result<(), Box<dyn Error>>`
/// prints every failed check with its evidence and fix (the process then
/// exits 1; [`enforce`] exits [`EX_CONFIG`]).
#[derive(Clone)]
pub struct Refusal {
    /// The full assessment.
    pub assessment: Assessment,
}

impl fmt::Debug for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Refusal {
    /// The header line, the blocking checks as the checklist shows them
    /// ([`crate::render::text::blocking`]: id, status, severity, required,
    /// evidence, fix), then the override banner.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "posture: refusing to start: {} required check(s) of policy {:?} did not pass",
            self.assessment.blocking().count(),
            self.assessment.policy
        )?;
        let drift = self.assessment.drift().count();
        if drift > 0 {
            writeln!(
                f,
                "posture: {drift} declared field(s) not applied as declared (drift or unknown)"
            )?;
        }
        f.write_str(&text::blocking(&self.assessment, Color::Plain))?;
        write_overrides(f, &self.assessment)
    }
}

/// Writes the override banner, if any override is in force: one line per
/// override, naming `POSTURE_OVERRIDE` when it came from the environment.
fn write_overrides(f: &mut fmt::Formatter<'_>, a: &Assessment) -> fmt::Result {
    for o in &a.overridden_checks {
        let (id, reason) = (o.id, &o.reason);
        let status = a.check(id).map_or("not evaluated", |c| c.status.as_str());
        let by = match o.source {
            OverrideSource::Environment => format!(" by {OVERRIDE_ENV}"),
            OverrideSource::Policy => String::new(),
        };
        if o.downgraded {
            writeln!(
                f,
                "  !! OVERRIDE: required check {id} downgraded to a warning{by} (status: {status}); reason: {reason}"
            )?;
        } else {
            writeln!(
                f,
                "  !! OVERRIDE: check {id} overridden{by}, which changes nothing: the policy does not require it (status: {status}); reason: {reason}"
            )?;
        }
    }
    Ok(())
}

impl std::error::Error for Refusal {}

/// Judges this process ([`crate::posture()`]) and returns the assessment, or
/// a [`Refusal`] when a required check did not pass.
///
/// When the policy judges `dangerous_syscalls_blocked` (any action but
/// ignore), the guard also runs [`crate::syscalls::probe`] and attaches it:
/// a forked child makes each listed syscall once (see that module for what it
/// can be seen doing). Filters can only be added, never removed, so the
/// probe taken at startup stays true or gets stricter for the life of the
/// process: keep the report (see [`report_for`]) rather than probing again.
#[allow(
    clippy::result_large_err,
    reason = "Refusal's public field is the whole Assessment (128 bytes with its expectations); boxing it would change the API for one refusal per process start"
)]
pub fn guard(policy: &Policy) -> Result<Assessment, Refusal> {
    guard_report(&report_for(policy), policy)
}

/// The report [`guard`] judges: [`crate::posture()`], with a syscall probe
/// attached when the policy judges `dangerous_syscalls_blocked`.
pub fn report_for(policy: &Policy) -> Report {
    let report = crate::posture();
    if policy.action(CheckId::DangerousSyscallsBlocked) == Action::Ignore {
        report
    } else {
        report.with_syscalls(crate::syscalls::probe())
    }
}

/// The same for a report already taken.
#[allow(
    clippy::result_large_err,
    reason = "Refusal's public field is the whole Assessment (128 bytes with its expectations); boxing it would change the API for one refusal per process start"
)]
pub fn guard_report(report: &Report, policy: &Policy) -> Result<Assessment, Refusal> {
    let assessment = evaluate(report, policy);
    #[cfg(feature = "tracing")]
    crate::render::tracing(&assessment);
    if assessment.passed() {
        Ok(assessment)
    } else {
        Err(Refusal { assessment })
    }
}

/// The guard for `main()` without error plumbing: on refusal, prints the
/// refusal to stderr and exits with [`EX_CONFIG`] (78). The only code in this
/// crate that ends the process. Overrides in force are printed to stderr even
/// when the guard passes ([`OverrideBanner`]).
pub fn enforce(policy: &Policy) -> Assessment {
    match guard(policy) {
        Ok(a) => {
            if !a.overridden_checks.is_empty() {
                eprint!("{}", OverrideBanner(&a));
            }
            a
        }
        Err(refusal) => {
            eprint!("{refusal}");
            std::process::exit(EX_CONFIG);
        }
    }
}

/// Displays the override lines of an assessment.
pub struct OverrideBanner<'a>(pub &'a Assessment);

impl fmt::Display for OverrideBanner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_overrides(f, self.0)
    }
}

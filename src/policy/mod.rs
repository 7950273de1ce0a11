//! Judgement: checks with stable ids, policies that require, warn or ignore
//! them, and [`evaluate`], a pure function of a [`Report`] and a [`Policy`].
//!
//! This is the policy stage of the pipeline (parse -> probe -> Report ->
//! **policy** -> render): it reads only a [`Report`] and a [`Policy`], opens
//! no file and makes no system call. The exceptions are named: loading a
//! policy ([`Policy::from_env_or`], [`Policy::from_name_or_path`]) reads the
//! environment and, with the `policy-file` feature, a document file; nothing
//! in [`evaluate`] calls them.
//!
//! Every check ends `pass`, `fail` or `unknown`, with the evidence that
//! decided it and the fix a user types. `unknown` is never a pass: a required
//! check that is unknown fails the verdict unless the policy accepts unknown
//! for that check by name.
//!
//! ```
//! use posture::policy::{evaluate, CheckId, Policy, Preset, CheckStatus};
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hardened");
//! # if !std::path::Path::new(dir).exists() { return; }
//! let report = posture::posture_with_root(&posture::Root::fixture(dir));
//! let a = evaluate(&report, &Policy::preset(Preset::Checklist));
//! assert_eq!(a.check(CheckId::NonRoot).unwrap().status, CheckStatus::Pass);
//! assert!(a.passed());
//! ```
//!
//! Where things are (every public item is re-exported here, at
//! `posture::policy::…`):
//!
//! - `mod.rs`: [`CheckId`] (the table of ids, titles and severities),
//!   [`CheckStatus`], [`Action`], [`Rules`], [`Policy`] and its builder,
//!   [`CheckResult`], [`Assessment`], and [`evaluate`], which applies the
//!   policy to what each check finds.
//! - `checks.rs`: one function per check, the judgement rules, and their
//!   helpers (private; [`evaluate`] is the way in).
//! - `presets.rs`: [`Preset`], what each one requires, warns about or
//!   ignores ([`Policy::preset`]), and the lists checks judge against
//!   (capabilities runtimes grant or the Pod Security Standards allow,
//!   SELinux types).
//! - `remediation.rs`: [`Remediation`], the fix for each check.
//! - `controls.rs`: [`Control`] and [`Framework`], the published controls each check covers.
//! - `load.rs`: a policy from a preset name, a path, or the environment
//!   ([`POLICY_ENV`], [`OVERRIDE_ENV`], [`EnvOverrides`]), and
//!   [`PolicyError`].
//!
//! # Overrides never hide
//!
//! An override downgrades one named required check to a warning, with a
//! reason. Each records where it came from ([`OverrideSource`]): the policy
//! itself (a policy document's `[overrides]`, or [`Policy::override_check`]
//! in the program) or the environment ([`OVERRIDE_ENV`], applied by a
//! loader). The [`Assessment`] lists every override with its source and
//! what it did ([`Assessment::overridden_checks`]), and every renderer shows
//! it where a verdict is shown: the checklist's verdict line reads `PASS (11
//! checks overridden by POSTURE_OVERRIDE)`, never a plain `PASS`, and so do
//! the JSON document, JUnit and the Prometheus summary.
//!
//! Nothing in this module reads the environment except the loaders: a
//! policy built in code and handed to [`evaluate`] or [`crate::guard`] is
//! judged exactly as built. A program that loads its policy with
//! [`Policy::load`] chooses what `POSTURE_OVERRIDE` may do to it
//! ([`EnvOverrides::Apply`], [`EnvOverrides::Ignore`],
//! [`EnvOverrides::Refuse`]); [`Policy::from_arg_or_env`] refuses it when a
//! policy was named explicitly.
//! - `document` (feature `policy-file`): TOML and JSON policy documents.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::fact::Fact;
use crate::parse::capability::{CapSet, Capability};
use crate::report::{ProcTrust, Report};

mod checks;
mod controls;
#[cfg(feature = "policy-file")]
mod document;
mod expect;
mod load;
#[cfg(feature = "manifest")]
pub(crate) mod manifest;
mod presets;
mod remediation;

pub use controls::{Control, Framework, UnknownFramework};
pub use expect::{Expectation, ExpectationResult, Profile, Rule};
pub use load::{CONTAINER_ENV, EnvOverrides, OVERRIDE_ENV, POLICY_ENV, PolicyError};
#[cfg(feature = "manifest")]
pub use manifest::ManifestError;
pub use presets::Preset;
pub(crate) use presets::{
    PSS_SELINUX_TYPES, RUNTIME_DEFAULT_CAPABILITIES, UNCONFINED_SELINUX_TYPES,
};
pub use remediation::Remediation;

/// How much a check matters, from the hardening checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    /// The container is not hardened without it.
    Must,
    /// Strongly advised.
    HighlyRecommended,
    /// Advised.
    Recommended,
}

display_by!(as_str: Severity);

impl Severity {
    /// snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "must",
            Severity::HighlyRecommended => "highly_recommended",
            Severity::Recommended => "recommended",
        }
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CheckStatus {
    /// The facts show the hardening is in place.
    Pass,
    /// The facts show it is missing.
    Fail,
    /// The facts needed could not be established.
    Unknown,
}

display_by!(as_str: CheckStatus);

impl CheckStatus {
    /// snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Unknown => "unknown",
        }
    }
}

macro_rules! checks {
    ($( $variant:ident = $id:literal, $sev:ident, $title:literal; )*) => {
        /// A check's stable id. The snake_case string is API: JSON, metrics
        /// and policy documents use it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
        #[non_exhaustive]
        pub enum CheckId {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl CheckId {
            /// Every check, in report order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),*];

            /// The stable id.
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(CheckId::$variant => $id,)* }
            }

            /// A one-line title.
            pub fn title(self) -> &'static str {
                match self { $(CheckId::$variant => $title,)* }
            }

            /// Its severity.
            pub fn severity(self) -> Severity {
                match self { $(CheckId::$variant => Severity::$sev,)* }
            }
        }

        impl FromStr for CheckId {
            type Err = UnknownCheck;
            fn from_str(s: &str) -> Result<CheckId, UnknownCheck> {
                match s {
                    $($id => Ok(CheckId::$variant),)*
                    _ => Err(UnknownCheck(s.to_string())),
                }
            }
        }
    };
}

checks! {
    NonRoot = "non_root", Must, "Run as a non-root user";
    CapabilitiesDropped = "capabilities_dropped", Must, "Drop capabilities not needed";
    Seccomp = "seccomp", HighlyRecommended, "Confine system calls with seccomp";
    MacEnforced = "mac_enforced", HighlyRecommended, "Enforce an AppArmor or SELinux policy";
    ReadOnlyRootfs = "read_only_rootfs", Recommended, "Mount the root filesystem read-only";
    NoNewPrivs = "no_new_privs", Recommended, "Set no_new_privs";
    NotPrivileged = "not_privileged", Must, "Not a privileged container";
    UsernsRemap = "userns_remap", Recommended, "Map container root to an unprivileged host user";
    NoRuntimeSocket = "no_runtime_socket", Must, "No container runtime socket mounted in";
    NoHostPid = "no_host_pid", Must, "Not in the host's pid namespace";
    NoHostIpc = "no_host_ipc", Must, "Not in the host's ipc namespace";
    NoHostNetwork = "no_host_network", Must, "Not in the host's network namespace";
    NoHostUts = "no_host_uts", Recommended, "Not in the host's uts namespace";
    NoSensitiveMounts = "no_sensitive_mounts", Must, "No sensitive host paths mounted; /proc and /sys masked";
    NoHostPath = "no_host_path", Recommended, "No host directories or files bind-mounted in (hostPath)";
    ResourceLimits = "resource_limits", Recommended, "Memory and pids limits set";
    NoServiceAccountToken = "no_service_account_token", Recommended, "No Kubernetes service-account token mounted";
    ProcTrusted = "proc_trusted", Must, "/proc is a real procfs";
    DangerousSyscallsBlocked = "dangerous_syscalls_blocked", HighlyRecommended, "Dangerous syscalls blocked by the seccomp filter";
}

/// A check id that names no check (`"nope".parse::<CheckId>()`). Its
/// message names every check id; its `Debug` is that message.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no check named {0:?} (checks: {ids})",
    ids = CheckId::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
)]
pub struct UnknownCheck(pub String);

debug_is_display!(UnknownCheck);

display_by!(as_str: CheckId);

/// What a policy does with a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Action {
    /// A fail (or unknown) fails the verdict.
    Require,
    /// Reported, never fails the verdict.
    Warn,
    /// Not evaluated.
    Ignore,
}

/// Which judgement a policy applies where the hardening checklist and the
/// Kubernetes Pod Security Standards differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Rules {
    /// The hardening checklist: confinement must be in force.
    Checklist,
    /// The Pod Security Standards (Kubernetes v1.33), as far as a process
    /// can see them: what a pod spec may not *set*. A host with no LSM is no
    /// failure, an allowed SELinux type passes whatever the enforcing mode,
    /// and user-namespaced pods get the relaxations Pod Security Admission
    /// gives them (`runAsNonRoot`, `procMount`).
    PodSecurity,
}

/// Where an override came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum OverrideSource {
    /// Part of the policy: a policy document's `[overrides]` table, or the
    /// program ([`Policy::override_check`], [`Policy::with_override_spec`]).
    Policy,
    /// The environment: [`OVERRIDE_ENV`] (`POSTURE_OVERRIDE`), applied by a
    /// loader ([`Policy::from_env_or`], [`Policy::load`] with
    /// [`EnvOverrides::Apply`]) or [`Policy::with_env_override_spec`].
    Environment,
}

display_by!(as_str: OverrideSource);

impl OverrideSource {
    /// snake_case name (`policy`, `environment`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OverrideSource::Policy => "policy",
            OverrideSource::Environment => "environment",
        }
    }

    /// Who overrode, for people: `the policy`, `POSTURE_OVERRIDE`.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            OverrideSource::Policy => "the policy",
            OverrideSource::Environment => OVERRIDE_ENV,
        }
    }
}

/// A policy: what to do with each check, which capabilities are allowed,
/// which checks may be unknown, and which are overridden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    name: String,
    rules: Rules,
    accept_sandbox: bool,
    actions: BTreeMap<CheckId, Action>,
    allowed: CapSet,
    accept_unknown: BTreeSet<CheckId>,
    overrides: BTreeMap<CheckId, String>,
    /// The checks of `overrides` whose override came from the environment
    /// (the others are the policy's own).
    env_overrides: BTreeSet<CheckId>,
    /// Declared fields the applied state must match (a manifest's).
    expectations: Vec<Expectation>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::preset(Preset::Checklist)
    }
}

impl Policy {
    /// The policy's name (a preset's, or one given to a custom policy).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the policy (shown in the assessment).
    pub fn named(mut self, name: impl Into<String>) -> Policy {
        self.name = name.into();
        self
    }

    /// Which judgement the policy applies where the checklist and the Pod
    /// Security Standards differ.
    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// Sets the judgement ([`Rules`]).
    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn with_rules(mut self, rules: Rules) -> Policy {
        self.rules = rules;
        self
    }

    /// Lets a sandboxed runtime whose kernel is in user space (gVisor) stand
    /// in for seccomp: there `Seccomp:` reads 0 because the sandbox itself is
    /// the syscall boundary. Explicit; no preset does it.
    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn accept_sandbox_as_seccomp(mut self) -> Policy {
        self.accept_sandbox = true;
        self
    }

    /// Whether [`Policy::accept_sandbox_as_seccomp`] is on.
    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn accepts_sandbox_as_seccomp(&self) -> bool {
        self.accept_sandbox
    }

    /// Sets a check's action.
    pub fn set(mut self, id: CheckId, action: Action) -> Policy {
        self.actions.insert(id, action);
        self
    }

    /// Replaces the allowed capabilities.
    pub fn allow_only(mut self, caps: impl IntoIterator<Item = Capability>) -> Policy {
        self.allowed = caps.into_iter().collect();
        self
    }

    /// Lets a required check be unknown without failing the verdict. Explicit,
    /// per check: there is no way to accept unknown for all.
    pub fn accept_unknown(mut self, id: CheckId) -> Policy {
        self.accept_unknown.insert(id);
        self
    }

    /// Downgrades one named required check to a warning, with a reason that
    /// the assessment and any refusal show loudly. There is no blanket switch.
    /// The override is the policy's own ([`OverrideSource::Policy`]); it
    /// replaces an earlier override of the same check.
    pub fn override_check(self, id: CheckId, reason: impl Into<String>) -> Policy {
        self.override_from(id, reason, OverrideSource::Policy)
    }

    /// [`Policy::override_check`] recording where the override came from;
    /// it replaces an earlier override of the same check, source and all.
    pub(crate) fn override_from(
        mut self,
        id: CheckId,
        reason: impl Into<String>,
        source: OverrideSource,
    ) -> Policy {
        self.overrides.insert(id, reason.into());
        match source {
            OverrideSource::Policy => self.env_overrides.remove(&id),
            OverrideSource::Environment => self.env_overrides.insert(id),
        };
        self
    }

    /// The action for a check.
    pub fn action(&self, id: CheckId) -> Action {
        self.actions.get(&id).copied().unwrap_or(Action::Require)
    }

    /// The capabilities allowed.
    pub fn allowed_capabilities(&self) -> CapSet {
        self.allowed
    }

    /// The overrides in force: check id → reason.
    #[cfg_attr(not(feature = "policy-file"), allow(dead_code))]
    pub(crate) fn overrides(&self) -> &BTreeMap<CheckId, String> {
        &self.overrides
    }

    /// Where the override of a check came from; `None` when it has none.
    pub(crate) fn override_source(&self, id: CheckId) -> Option<OverrideSource> {
        self.overrides.contains_key(&id).then(|| {
            if self.env_overrides.contains(&id) {
                OverrideSource::Environment
            } else {
                OverrideSource::Policy
            }
        })
    }

    /// Whether unknown is accepted for a check.
    pub fn accepts_unknown(&self, id: CheckId) -> bool {
        self.accept_unknown.contains(&id)
    }

    /// Adds declared fields the applied state must match
    /// ([`Expectation`]): each is judged by [`evaluate`], and one that fails or
    /// is unknown fails the verdict. A manifest read as a policy
    /// (feature `manifest`) sets them.
    #[cfg_attr(
        not(any(feature = "policy-file", feature = "manifest")),
        allow(dead_code)
    )]
    pub(crate) fn with_expectations(mut self, e: impl IntoIterator<Item = Expectation>) -> Policy {
        self.expectations.extend(e);
        self
    }

    /// The declared fields the applied state must match.
    pub fn expectations(&self) -> &[Expectation] {
        &self.expectations
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CheckResult {
    /// Stable id.
    pub id: CheckId,
    /// Title.
    pub title: &'static str,
    /// Outcome.
    pub status: CheckStatus,
    /// Severity.
    pub severity: Severity,
    /// Whether this check's failure fails the verdict under the policy
    /// (after overrides; unknown fails it too unless accepted).
    pub required: bool,
    /// The policy's action before overrides.
    pub action: Action,
    /// The facts that decided it.
    pub evidence: String,
    /// The fix.
    pub remediation: Remediation,
    /// The reason given for an override that downgraded this check.
    pub overridden: Option<String>,
    /// Whether the policy accepts unknown for this check.
    pub unknown_accepted: bool,
    /// The published controls the check covers ([`CheckId::controls`]).
    pub controls: &'static [Control],
}

impl CheckResult {
    /// Whether this result fails the verdict.
    pub fn blocks(&self) -> bool {
        self.required
            && match self.status {
                CheckStatus::Pass => false,
                CheckStatus::Fail => true,
                CheckStatus::Unknown => !self.unknown_accepted,
            }
    }
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// Every required check passed.
    Pass,
    /// A required check failed or is unknown.
    Fail,
}

/// One override in force, where it came from and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Override {
    /// The check overridden.
    pub id: CheckId,
    /// Where the override came from.
    pub source: OverrideSource,
    /// The reason given.
    pub reason: String,
    /// Whether it downgraded a check the policy requires to a warning.
    /// `false` when the policy only warns about the check or ignores it:
    /// then the override changes nothing.
    pub downgraded: bool,
    /// Whether the check, as found, would fail the verdict without this
    /// override (downgraded, and `fail`, or `unknown` without
    /// `unknown_accepted`): a passing verdict with any of these passes only
    /// because of the override.
    pub would_block: bool,
}

/// A report judged by a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Assessment {
    /// The policy's name.
    pub policy: String,
    /// Which judgement it applied.
    pub rules: Rules,
    /// The verdict.
    pub verdict: Verdict,
    /// Every evaluated check (ignored ones are left out).
    pub checks: Vec<CheckResult>,
    /// Overrides in force: `check id → reason`.
    pub overrides: BTreeMap<CheckId, String>,
    /// Every override in force, in check-id order, with where it came from
    /// (the policy or `POSTURE_OVERRIDE`) and what it did. Left out of the
    /// JSON document when there is none (exactly when `overrides` is empty).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub overridden_checks: Vec<Override>,
    /// Declared versus applied: each expectation of the policy (a
    /// manifest's fields) judged, in the manifest's terms. One that failed
    /// (drift) or is unknown fails the verdict. Left out of the JSON
    /// document when the policy has none.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub expectations: Vec<ExpectationResult>,
}

impl Assessment {
    /// Whether the verdict is pass.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// One check's result.
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The results that fail the verdict.
    pub fn blocking(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.blocks())
    }

    /// The expectations that fail the verdict: drift (`fail`) or `unknown`.
    pub fn drift(&self) -> impl Iterator<Item = &ExpectationResult> {
        self.expectations
            .iter()
            .filter(|e| e.status != CheckStatus::Pass)
    }

    /// The overrides from one source ([`Assessment::overridden_checks`]).
    pub(crate) fn overrides_from(&self, source: OverrideSource) -> impl Iterator<Item = &Override> {
        self.overridden_checks
            .iter()
            .filter(move |o| o.source == source)
    }

    /// How many required checks overrides from `source` downgraded to
    /// warnings ([`Override::downgraded`]): the number the verdict line
    /// shows (`PASS (11 checks overridden by POSTURE_OVERRIDE)`).
    pub fn downgraded_by(&self, source: OverrideSource) -> usize {
        self.overrides_from(source).filter(|o| o.downgraded).count()
    }

    /// How many required checks overrides downgraded, from any source.
    #[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
    pub(crate) fn downgraded(&self) -> usize {
        self.overridden_checks
            .iter()
            .filter(|o| o.downgraded)
            .count()
    }
}

/// Judges a report. Pure: the same report and policy give the same assessment.
pub fn evaluate(report: &Report, policy: &Policy) -> Assessment {
    let proc_untrusted = !matches!(
        report.proc_trust,
        Fact::Known(ProcTrust::Procfs | ProcTrust::Fixture)
    );
    let mut checks = Vec::new();
    for &id in CheckId::ALL {
        let action = policy.action(id);
        if action == Action::Ignore {
            continue;
        }
        let (mut status, mut evidence) = checks::judge(id, report, policy);
        // Nothing read from an untrusted /proc may pass a check.
        if proc_untrusted && id != CheckId::ProcTrusted && status == CheckStatus::Pass {
            status = CheckStatus::Unknown;
            evidence = format!(
                "{evidence}; but /proc is not verified as procfs, so this cannot be trusted"
            );
        }
        let overridden = policy.overrides.get(&id).cloned();
        let required = action == Action::Require && overridden.is_none();
        checks.push(CheckResult {
            id,
            title: id.title(),
            status,
            severity: id.severity(),
            required,
            action,
            evidence,
            remediation: id.remediation(),
            overridden,
            unknown_accepted: policy.accepts_unknown(id),
            controls: id.controls(),
        });
    }
    let expectations: Vec<ExpectationResult> = policy
        .expectations
        .iter()
        .map(|e| {
            let mut r = expect::judge(e, report, policy);
            if proc_untrusted && r.status == CheckStatus::Pass {
                r.status = CheckStatus::Unknown;
                r.evidence = format!(
                    "{}; but /proc is not verified as procfs, so this cannot be trusted",
                    r.evidence
                );
            }
            r
        })
        .collect();
    let verdict = if checks.iter().any(CheckResult::blocks)
        || expectations.iter().any(|e| e.status != CheckStatus::Pass)
    {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let overridden_checks = policy
        .overrides
        .iter()
        .map(|(&id, reason)| {
            let result = checks.iter().find(|c| c.id == id);
            let downgraded = result.is_some_and(|c| c.action == Action::Require);
            let would_block = result.is_some_and(|c| {
                downgraded
                    && match c.status {
                        CheckStatus::Pass => false,
                        CheckStatus::Fail => true,
                        CheckStatus::Unknown => !c.unknown_accepted,
                    }
            });
            Override {
                id,
                source: policy.override_source(id).unwrap_or(OverrideSource::Policy),
                reason: reason.clone(),
                downgraded,
                would_block,
            }
        })
        .collect();
    Assessment {
        policy: policy.name.clone(),
        rules: policy.rules,
        verdict,
        checks,
        overrides: policy.overrides.clone(),
        overridden_checks,
        expectations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for &id in CheckId::ALL {
            assert_eq!(id.as_str().parse::<CheckId>(), Ok(id));
            assert!(!id.title().is_empty());
        }
        assert!(
            "nope"
                .parse::<CheckId>()
                .unwrap_err()
                .to_string()
                .starts_with(r#"no check named "nope" (checks: non_root, capabilities_dropped, "#)
        );
    }
}

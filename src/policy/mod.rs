//! Judgement: checks with stable ids, policies that require, warn or ignore
//! them, and [`evaluate`], a pure function of a [`Report`] and a [`Policy`].
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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::capability::{CapSet, Capability, DANGEROUS};
use crate::fact::Fact;
use crate::idmap::Mapping;
use crate::lsm::{AppArmorMode, LsmLabel};
use crate::mountinfo::{MaskState, PseudoFsState, REQUIRED_MASKS};
use crate::ns::NsType;
use crate::report::{ProcTrust, Report};
use crate::status::SeccompMode;

pub mod controls;
pub use controls::{Control, Framework};

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

impl Severity {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
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

impl CheckStatus {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
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
            pub fn as_str(self) -> &'static str {
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

/// A check id that names no check (`"nope".parse::<CheckId>()`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no check named {0:?}")]
pub struct UnknownCheck(pub String);

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to fix a failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Remediation {
    /// `docker run` / `podman run` flags.
    pub run_flags: &'static str,
    /// The Kubernetes field.
    pub kubernetes: &'static str,
    /// The Dockerfile line, where one exists.
    pub dockerfile: Option<&'static str>,
}

impl fmt::Display for Remediation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "run: {}; kubernetes: {}",
            self.run_flags, self.kubernetes
        )?;
        if let Some(d) = self.dockerfile {
            write!(f, "; Dockerfile: {d}")?;
        }
        Ok(())
    }
}

impl CheckId {
    /// The fix.
    pub fn remediation(self) -> Remediation {
        let r = |run_flags, kubernetes, dockerfile| Remediation {
            run_flags,
            kubernetes,
            dockerfile,
        };
        match self {
            CheckId::NonRoot => r(
                "--user 1000:1000",
                "securityContext.runAsNonRoot: true, runAsUser: 1000",
                Some("USER 1000:1000"),
            ),
            CheckId::CapabilitiesDropped => r(
                "--cap-drop=ALL --cap-add=<only what is needed>",
                "securityContext.capabilities: {drop: [ALL], add: [<only what is needed>]}",
                None,
            ),
            CheckId::Seccomp => r(
                "keep the runtime's default profile (never --security-opt seccomp=unconfined) or --security-opt seccomp=<profile.json>",
                "securityContext.seccompProfile.type: RuntimeDefault (or Localhost)",
                None,
            ),
            CheckId::MacEnforced => r(
                "--security-opt apparmor=<profile> or --security-opt label=type:container_t, on a host with that LSM enabled",
                "securityContext.appArmorProfile.type: RuntimeDefault or seLinuxOptions.type: container_t",
                None,
            ),
            CheckId::ReadOnlyRootfs => r(
                "--read-only (with --tmpfs /tmp where the service writes)",
                "securityContext.readOnlyRootFilesystem: true",
                None,
            ),
            CheckId::NoNewPrivs => r(
                "--security-opt no-new-privileges",
                "securityContext.allowPrivilegeEscalation: false",
                None,
            ),
            CheckId::NotPrivileged => r(
                "drop --privileged; use --device and --cap-add for what is needed",
                "securityContext.privileged: false",
                None,
            ),
            CheckId::UsernsRemap => r(
                "dockerd --userns-remap=default, or podman --userns=auto / --uidmap 0:100000:65536",
                "spec.hostUsers: false",
                None,
            ),
            CheckId::NoRuntimeSocket => r(
                "remove -v /var/run/docker.sock (and any runtime socket) from the run command",
                "remove the hostPath volume of the runtime socket",
                None,
            ),
            CheckId::NoHostPid => r("drop --pid=host", "spec.hostPID: false", None),
            CheckId::NoHostIpc => r("drop --ipc=host", "spec.hostIPC: false", None),
            CheckId::NoHostNetwork => r("drop --network=host", "spec.hostNetwork: false", None),
            CheckId::NoHostUts => r(
                "drop --uts=host",
                "do not share the host's uts namespace",
                None,
            ),
            CheckId::NoSensitiveMounts => r(
                "remove -v of host system paths; never --security-opt systempaths=unconfined",
                "remove hostPath volumes; securityContext.procMount: Default",
                None,
            ),
            CheckId::NoHostPath => r(
                "replace -v /host/dir:/dir with a named volume (-v name:/dir) or --tmpfs",
                "replace hostPath volumes with emptyDir, a PersistentVolumeClaim, ConfigMap or Secret",
                None,
            ),
            CheckId::ResourceLimits => r(
                "--memory=<limit> --pids-limit=<n>",
                "resources.limits.memory; the kubelet's podPidsLimit",
                None,
            ),
            CheckId::NoServiceAccountToken => r(
                "do not mount credentials into the container",
                "automountServiceAccountToken: false",
                None,
            ),
            CheckId::ProcTrusted => r(
                "do not mount over /proc",
                "securityContext.procMount: Default",
                None,
            ),
            CheckId::DangerousSyscallsBlocked => r(
                "--security-opt seccomp=<profile.json>: the runtime's default profile plus SCMP_ACT_ERRNO (or a kill action) for each syscall named",
                "securityContext.seccompProfile: {type: Localhost, localhostProfile: <that profile>}",
                None,
            ),
        }
    }
}

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

/// The built-in policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// The hardening checklist: MUST checks required, the rest warn.
    Checklist,
    /// Kubernetes Pod Security Standards, baseline, as far as visible at runtime.
    PssBaseline,
    /// Kubernetes Pod Security Standards, restricted, as far as visible at runtime.
    PssRestricted,
    /// Every check required.
    Strict,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [
        Preset::Checklist,
        Preset::PssBaseline,
        Preset::PssRestricted,
        Preset::Strict,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Checklist => "checklist",
            Preset::PssBaseline => "pss-baseline",
            Preset::PssRestricted => "pss-restricted",
            Preset::Strict => "strict",
        }
    }
}

impl FromStr for Preset {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Preset, PolicyError> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| PolicyError::UnknownPreset {
                name: s.to_string(),
            })
    }
}

/// Capabilities that container runtimes grant by default and that the Pod
/// Security Standards' baseline therefore admits, although its list does not
/// name them: baseline restricts what a pod spec *adds*, and a pod that adds
/// nothing gets Docker's and containerd's `CAP_NET_RAW`.
pub const PSS_BASELINE_RUNTIME_DEFAULTS: &[Capability] = &[Capability::CAP_NET_RAW];

/// The default capability set of Docker Engine and containerd (moby
/// `oci/caps/defaults.go`, containerd `pkg/oci/spec.go`): what a container
/// holds when nothing was dropped. Evidence names these apart from added ones.
pub const RUNTIME_DEFAULT_CAPABILITIES: &[Capability] = &[
    Capability::CAP_CHOWN,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_FSETID,
    Capability::CAP_FOWNER,
    Capability::CAP_MKNOD,
    Capability::CAP_NET_RAW,
    Capability::CAP_SETGID,
    Capability::CAP_SETUID,
    Capability::CAP_SETFCAP,
    Capability::CAP_SETPCAP,
    Capability::CAP_NET_BIND_SERVICE,
    Capability::CAP_SYS_CHROOT,
    Capability::CAP_KILL,
    Capability::CAP_AUDIT_WRITE,
];

/// The capabilities the Pod Security Standards' baseline lets a pod spec add
/// (its list, without the runtime defaults it also admits).
pub const PSS_BASELINE_CAPABILITIES: &[Capability] = &[
    Capability::CAP_AUDIT_WRITE,
    Capability::CAP_CHOWN,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_FOWNER,
    Capability::CAP_FSETID,
    Capability::CAP_KILL,
    Capability::CAP_MKNOD,
    Capability::CAP_NET_BIND_SERVICE,
    Capability::CAP_SETFCAP,
    Capability::CAP_SETGID,
    Capability::CAP_SETPCAP,
    Capability::CAP_SETUID,
    Capability::CAP_SYS_CHROOT,
];

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
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::preset(Preset::Checklist)
    }
}

impl Policy {
    /// A built-in policy.
    pub fn preset(p: Preset) -> Policy {
        use CheckId::*;
        let mut actions = BTreeMap::new();
        let mut allowed: CapSet = [Capability::CAP_NET_BIND_SERVICE].into_iter().collect();
        for &id in CheckId::ALL {
            let a = match p {
                Preset::Strict => Action::Require,
                Preset::Checklist if id.severity() == Severity::Must => Action::Require,
                Preset::Checklist => Action::Warn,
                Preset::PssBaseline => match id {
                    NotPrivileged | CapabilitiesDropped | NoHostPid | NoHostIpc | NoHostNetwork
                    | NoSensitiveMounts | NoRuntimeSocket | ProcTrusted | NoHostPath
                    | MacEnforced => Action::Require,
                    ReadOnlyRootfs => Action::Ignore,
                    _ => Action::Warn,
                },
                Preset::PssRestricted => match id {
                    NotPrivileged | CapabilitiesDropped | NoHostPid | NoHostIpc | NoHostNetwork
                    | NoSensitiveMounts | NoRuntimeSocket | ProcTrusted | NonRoot | NoNewPrivs
                    | Seccomp | NoHostPath | MacEnforced => Action::Require,
                    ReadOnlyRootfs => Action::Ignore,
                    _ => Action::Warn,
                },
            };
            actions.insert(id, a);
        }
        if p == Preset::PssBaseline {
            allowed = PSS_BASELINE_CAPABILITIES
                .iter()
                .chain(PSS_BASELINE_RUNTIME_DEFAULTS)
                .copied()
                .collect();
        }
        let rules = match p {
            Preset::PssBaseline | Preset::PssRestricted => Rules::PodSecurity,
            _ => Rules::Checklist,
        };
        Policy {
            name: p.name().to_string(),
            rules,
            accept_sandbox: false,
            actions,
            allowed,
            accept_unknown: BTreeSet::new(),
            overrides: BTreeMap::new(),
        }
    }

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
    pub fn with_rules(mut self, rules: Rules) -> Policy {
        self.rules = rules;
        self
    }

    /// Lets a sandboxed runtime whose kernel is in user space (gVisor) stand
    /// in for seccomp: there `Seccomp:` reads 0 because the sandbox itself is
    /// the syscall boundary. Explicit; no preset does it.
    pub fn accept_sandbox_as_seccomp(mut self) -> Policy {
        self.accept_sandbox = true;
        self
    }

    /// Whether [`Policy::accept_sandbox_as_seccomp`] is on.
    pub fn accepts_sandbox_as_seccomp(&self) -> bool {
        self.accept_sandbox
    }

    /// Makes a check required.
    pub fn require(mut self, id: CheckId) -> Policy {
        self.actions.insert(id, Action::Require);
        self
    }

    /// Makes a check a warning.
    pub fn warn(mut self, id: CheckId) -> Policy {
        self.actions.insert(id, Action::Warn);
        self
    }

    /// Stops evaluating a check.
    pub fn ignore(mut self, id: CheckId) -> Policy {
        self.actions.insert(id, Action::Ignore);
        self
    }

    /// Sets a check's action.
    pub fn set(mut self, id: CheckId, action: Action) -> Policy {
        self.actions.insert(id, action);
        self
    }

    /// Allows one more capability for `capabilities_dropped`.
    pub fn allow_capability(mut self, cap: Capability) -> Policy {
        self.allowed = self.allowed.union([cap].into_iter().collect());
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
    pub fn override_check(mut self, id: CheckId, reason: impl Into<String>) -> Policy {
        self.overrides.insert(id, reason.into());
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

    /// The overrides in force.
    pub fn overrides(&self) -> &BTreeMap<CheckId, String> {
        &self.overrides
    }

    /// Whether unknown is accepted for a check.
    pub fn accepts_unknown(&self, id: CheckId) -> bool {
        self.accept_unknown.contains(&id)
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
        let (mut status, mut evidence) = judge(id, report, policy);
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
    let verdict = if checks.iter().any(CheckResult::blocks) {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    Assessment {
        policy: policy.name.clone(),
        rules: policy.rules,
        verdict,
        checks,
        overrides: policy.overrides.clone(),
    }
}

type Judged = (CheckStatus, String);

fn unknown(u: &crate::Unknown) -> Judged {
    (
        CheckStatus::Unknown,
        format!("unknown: {}: {}", u.source, u.reason),
    )
}

/// Three-valued logic over facts that are each "bad" (true), "fine" (false)
/// or unknown (None).
fn any_bad(parts: &[Option<bool>]) -> Option<bool> {
    if parts.contains(&Some(true)) {
        Some(true)
    } else if parts.iter().all(|b| *b == Some(false)) {
        Some(false)
    } else {
        None
    }
}

fn all_bad(parts: &[Option<bool>]) -> Option<bool> {
    if parts.contains(&Some(false)) {
        Some(false)
    } else if parts.iter().all(|b| *b == Some(true)) {
        Some(true)
    } else {
        None
    }
}

fn names_dangerous_first(set: CapSet) -> String {
    let mut names: Vec<String> = DANGEROUS
        .iter()
        .filter(|c| set.contains(**c))
        .map(|c| c.to_string())
        .collect();
    let dangerous: CapSet = DANGEROUS.iter().copied().collect();
    names.extend(set.without(dangerous).names());
    // Long lists name the first ten (dangerous first) and count the rest.
    const SHOWN: usize = 10;
    if names.len() > SHOWN {
        let more = names.len() - SHOWN;
        names.truncate(SHOWN);
        return format!("{} (+{more} more, {} in all)", names.join(", "), set.len());
    }
    names.join(", ")
}

fn judge(id: CheckId, r: &Report, p: &Policy) -> Judged {
    match id {
        CheckId::NonRoot => non_root(r, p),
        CheckId::CapabilitiesDropped => capabilities_dropped(r, p),
        CheckId::Seccomp => seccomp(r, p),
        CheckId::MacEnforced if p.rules == Rules::PodSecurity => mac_pod_security(r),
        CheckId::MacEnforced => mac_enforced(r),
        CheckId::ReadOnlyRootfs => read_only_rootfs(r),
        CheckId::NoNewPrivs => no_new_privs(r),
        CheckId::NotPrivileged => not_privileged(r),
        CheckId::UsernsRemap => userns_remap(r),
        CheckId::NoRuntimeSocket => no_runtime_socket(r),
        CheckId::NoHostPid => host_ns(r, NsType::Pid),
        CheckId::NoHostIpc => host_ns(r, NsType::Ipc),
        CheckId::NoHostNetwork => host_network(r),
        CheckId::NoHostUts => host_ns(r, NsType::Uts),
        CheckId::NoSensitiveMounts => no_sensitive_mounts(r, p),
        CheckId::NoHostPath => no_host_path(r),
        CheckId::ResourceLimits => resource_limits(r),
        CheckId::NoServiceAccountToken => no_service_account_token(r),
        CheckId::ProcTrusted => proc_trusted(r),
        CheckId::DangerousSyscallsBlocked => dangerous_syscalls_blocked(r),
    }
}

/// Whether uid 0 of the process's user namespace is an unprivileged host
/// user (a user-namespaced pod, `hostUsers: false`): `Some(Some(uid))` yes,
/// landing at host `uid` (`u32::MAX`: unmapped); `Some(None)` no (the
/// initial namespace, or root mapped to host root); `None` unknown. A uid 0
/// mapped to a non-zero uid proves a non-initial namespace by itself (the
/// initial one maps every id to itself).
fn userns_root(r: &Report) -> Option<Option<u32>> {
    match (&r.user_namespace.initial, &r.user_namespace.root_uid) {
        (_, Fact::Known(Mapping::Unprivileged { outside })) => Some(Some(*outside)),
        (_, Fact::Known(Mapping::HostRoot)) | (Fact::Known(true), _) => Some(None),
        (Fact::Known(false), Fact::Known(Mapping::Unmapped)) => Some(Some(u32::MAX)),
        _ => None,
    }
}

/// [`userns_root`] where only a known "yes" counts.
fn userns_unprivileged_root(r: &Report) -> Option<u32> {
    userns_root(r).flatten()
}

fn non_root(r: &Report, p: &Policy) -> Judged {
    let (status, evidence) = non_root_checklist(r);
    // Pod Security Admission relaxes runAsNonRoot and runAsUser for pods in
    // their own user namespace: root there is an unprivileged host user.
    if status != CheckStatus::Fail || p.rules != Rules::PodSecurity {
        return (status, evidence);
    }
    match userns_root(r) {
        Some(Some(outside)) => {
            let host = if outside == u32::MAX {
                "no host uid".to_string()
            } else {
                format!("unprivileged host uid {outside}")
            };
            (
                CheckStatus::Pass,
                format!(
                    "{evidence}; user-namespaced (uid 0 maps to {host}): the Pod Security Standards relax runAsNonRoot for such pods"
                ),
            )
        }
        Some(None) => (status, evidence),
        None => (
            CheckStatus::Unknown,
            format!(
                "{evidence}; whether the pod is user-namespaced (which the Pod Security Standards relax this for) is unknown"
            ),
        ),
    }
}

fn non_root_checklist(r: &Report) -> Judged {
    let ids = match &r.identity.uid {
        Fact::Known(ids) => ids,
        Fact::Unknown(u) => return unknown(u),
    };
    let desc = format!(
        "uid real {}, effective {}, saved {}, filesystem {}",
        ids.real,
        ids.effective,
        ids.saved,
        ids.filesystem
            .map_or("not reported".to_string(), |f| f.to_string())
    );
    // Ids are per thread too: a thread that kept uid 0 is root.
    let (root_threads, threads_known) = match &r.threads {
        Fact::Known(t) => (
            t.differing
                .iter()
                .filter(|d| d.uid.is_some_and(|u| u.contains(&0)))
                .map(|d| d.tid.to_string())
                .collect::<Vec<_>>(),
            t.complete(),
        ),
        Fact::Unknown(_) => (Vec::new(), false),
    };
    if !ids.any_root() {
        if !root_threads.is_empty() {
            return (
                CheckStatus::Fail,
                format!(
                    "{desc}; but thread(s) {} hold uid 0",
                    root_threads.join(", ")
                ),
            );
        }
        if !threads_known {
            return (
                CheckStatus::Unknown,
                format!("{desc} on the main thread; other threads could not all be read"),
            );
        }
        return (CheckStatus::Pass, desc);
    }
    let mapped = match &r.user_namespace.root_uid {
        Fact::Known(Mapping::Unprivileged { outside }) => {
            format!(
                "; uid 0 maps to unprivileged host uid {outside}, but is still root inside the container"
            )
        }
        Fact::Known(Mapping::HostRoot) => "; uid 0 is the host's root".to_string(),
        Fact::Known(Mapping::Unmapped) => "; uid 0 is not mapped outside".to_string(),
        Fact::Unknown(_) => String::new(),
    };
    let what = if ids.effective == 0 {
        "runs as root"
    } else {
        "can regain root: a real, saved or filesystem uid is 0"
    };
    (CheckStatus::Fail, format!("{what}: {desc}{mapped}"))
}

/// A note for capability evidence when the sets are relative to a user
/// namespace other than the host's: they act only on what it owns.
fn userns_note(r: &Report) -> &'static str {
    match r.user_namespace.initial {
        Fact::Known(false) => {
            " (in a non-initial user namespace: these capabilities act only on what that namespace owns)"
        }
        _ => "",
    }
}

fn capabilities_dropped(r: &Report, p: &Policy) -> Judged {
    let c = &r.capabilities;
    let allowed = p.allowed;
    let nnp = nnp_everywhere(r);
    let mut bad = Vec::new();
    let mut unknowns = Vec::new();
    let mut notes = Vec::new();
    for (name, fact) in [
        ("effective", &c.effective),
        ("permitted", &c.permitted),
        ("inheritable", &c.inheritable),
        ("ambient", &c.ambient),
        ("bounding", &c.bounding),
    ] {
        match fact {
            Fact::Known(set) => {
                let extra = set.without(allowed);
                if extra.is_empty() {
                    continue;
                }
                let line = format!("{name} set holds {}", names_dangerous_first(extra));
                if name == "bounding" {
                    match nnp {
                        Some(true) => notes.push(format!("{line} (unreachable: no_new_privs is on)")),
                        Some(false) => bad.push(format!("{line}; no_new_privs off, so setuid or file-capability programs can reach them")),
                        None => unknowns.push(format!("{line}; no_new_privs unknown, so whether they are reachable is unknown")),
                    }
                } else {
                    bad.push(line);
                }
            }
            Fact::Unknown(u) => {
                unknowns.push(format!("{name} set unknown: {}: {}", u.source, u.reason))
            }
        }
    }
    match &r.threads {
        Fact::Known(t) => {
            for d in &t.differing {
                for (name, set) in [
                    ("effective", d.effective),
                    ("permitted", d.permitted),
                    ("inheritable", d.inheritable),
                    ("ambient", d.ambient),
                    ("bounding", d.bounding),
                ] {
                    if let Some(set) = set {
                        let extra = set.without(allowed);
                        // A thread's bounding set matters as the main one's:
                        // reachable unless no_new_privs is on everywhere.
                        if !extra.is_empty() && (name != "bounding" || nnp != Some(true)) {
                            bad.push(format!(
                                "thread {} {name} set holds {}",
                                d.tid,
                                names_dangerous_first(extra)
                            ));
                        }
                    }
                }
            }
            if !t.complete() {
                unknowns.push(format!(
                    "{} thread(s) could not be read",
                    t.unreadable.len()
                ));
            }
        }
        Fact::Unknown(u) => unknowns.push(format!("threads unknown: {}: {}", u.source, u.reason)),
    }
    let allowed_txt = if allowed.is_empty() {
        "none allowed".to_string()
    } else {
        format!("allowed: {}", allowed.names().join(", "))
    };
    if !bad.is_empty() {
        bad.extend(unknowns);
        bad.extend(notes);
        return (
            CheckStatus::Fail,
            format!(
                "{} ({allowed_txt}){}{}",
                bad.join("; "),
                runtime_default_note(r, allowed),
                userns_note(r)
            ),
        );
    }
    if !unknowns.is_empty() {
        unknowns.extend(notes);
        return (CheckStatus::Unknown, unknowns.join("; "));
    }
    let mut ev = format!("no capability beyond the allowed in any set ({allowed_txt})");
    for n in notes {
        ev.push_str("; ");
        ev.push_str(&n);
    }
    (CheckStatus::Pass, ev)
}

/// Tells runtime defaults apart from added capabilities in the failing sets
/// (the bounding set holds what the container may ever have).
fn runtime_default_note(r: &Report, allowed: CapSet) -> String {
    let Some(held) = r.capabilities.bounding.known() else {
        return String::new();
    };
    let extra = held.without(allowed);
    let defaults: CapSet = RUNTIME_DEFAULT_CAPABILITIES.iter().copied().collect();
    let from_defaults = extra.without(extra.without(defaults));
    let added = extra.without(defaults);
    let mut parts = Vec::new();
    if !from_defaults.is_empty() {
        parts.push(format!(
            "runtime defaults (Docker, containerd grant them unless dropped): {}",
            from_defaults.names().join(", ")
        ));
    }
    if !added.is_empty() {
        parts.push(format!(
            "beyond the runtime defaults: {}",
            names_dangerous_first(added)
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}

/// Whether no_new_privs is on for every thread (None: unknown).
fn nnp_everywhere(r: &Report) -> Option<bool> {
    let main = r.no_new_privs.known()?.enabled;
    if !main {
        return Some(false);
    }
    let t = r.threads.known()?;
    if t.differing.iter().any(|d| d.no_new_privs == Some(false)) {
        return Some(false);
    }
    t.complete().then_some(true)
}

fn seccomp(r: &Report, p: &Policy) -> Judged {
    let mode = match &r.seccomp.mode {
        Fact::Known(m) => *m,
        Fact::Unknown(u) => return unknown(u),
    };
    let gvisor = r.runtime.kind == crate::runtime::RuntimeKind::Gvisor
        && r.runtime.confidence == crate::runtime::Confidence::Strong;
    if mode == SeccompMode::Disabled && gvisor {
        return if p.accept_sandbox {
            (
                CheckStatus::Pass,
                "seccomp reads disabled under gVisor, whose user-space kernel is the syscall boundary; the policy accepts the sandbox in place of seccomp".into(),
            )
        } else {
            (
                CheckStatus::Fail,
                "seccomp reads disabled: under gVisor the sandbox's user-space kernel is the syscall boundary, not a seccomp filter (a policy may accept that with accept_sandbox_as_seccomp)".into(),
            )
        };
    }
    let filters = match &r.seccomp.filters {
        Fact::Known(n) => format!(" ({n} filter(s))"),
        Fact::Unknown(_) => String::new(),
    };
    if mode == SeccompMode::Disabled {
        return (
            CheckStatus::Fail,
            "seccomp disabled on the main thread".into(),
        );
    }
    let t = match &r.threads {
        Fact::Known(t) => t,
        Fact::Unknown(u) => return unknown(u),
    };
    let off: Vec<String> = t
        .differing
        .iter()
        .filter(|d| d.seccomp == Some(SeccompMode::Disabled))
        .map(|d| d.tid.to_string())
        .collect();
    if !off.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "seccomp {}{filters} on the main thread but disabled on thread(s) {}",
                mode.as_str(),
                off.join(", ")
            ),
        );
    }
    if !t.complete() {
        return (
            CheckStatus::Unknown,
            format!(
                "seccomp {} on the main thread; {} thread(s) could not be read",
                mode.as_str(),
                t.unreadable.len()
            ),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "seccomp {}{filters} on all {} thread(s); the filter's rules are not visible from inside",
            mode.as_str(),
            t.count.max(1)
        ),
    )
}

/// Whether a MAC policy confines the process: Some(true) yes, Some(false) no.
pub(crate) fn mac_state(r: &Report) -> (Option<bool>, String) {
    let (s, e) = mac_enforced(r);
    (
        match s {
            CheckStatus::Pass => Some(true),
            CheckStatus::Fail => Some(false),
            CheckStatus::Unknown => None,
        },
        e,
    )
}

/// SELinux types that are not confined.
pub const UNCONFINED_SELINUX_TYPES: &[&str] = &[
    "unconfined_t",
    "unconfined_service_t",
    "spc_t",
    "kernel_t",
    "initrc_t",
    "init_t",
    "container_runtime_t",
    "unlabeled_t",
];

fn mac_enforced(r: &Report) -> Judged {
    match &r.lsm.label {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(LsmLabel::None { evidence }) => (
            CheckStatus::Fail,
            format!("no LSM is loaded, so nothing confines the process ({evidence})"),
        ),
        Fact::Known(LsmLabel::AppArmor(a)) => {
            let desc = format!("AppArmor profile {} in {} mode", a.profile, a.mode.as_str());
            match a.mode {
                AppArmorMode::Enforce | AppArmorMode::Kill if a.profile != "unconfined" => {
                    (CheckStatus::Pass, desc)
                }
                AppArmorMode::Other(_) => {
                    (CheckStatus::Unknown, format!("{desc}: mode not understood"))
                }
                _ => (CheckStatus::Fail, format!("{desc}: not enforcing")),
            }
        }
        Fact::Known(LsmLabel::Selinux(c)) => {
            if UNCONFINED_SELINUX_TYPES.contains(&c.type_.as_str()) {
                return (
                    CheckStatus::Fail,
                    format!("SELinux type {} is unconfined ({})", c.type_, c.context),
                );
            }
            match &r.lsm.selinux_enforcing {
                Fact::Known(true) => (
                    CheckStatus::Pass,
                    format!("SELinux enforcing, type {} ({})", c.type_, c.context),
                ),
                Fact::Known(false) => (
                    CheckStatus::Fail,
                    format!("SELinux permissive: type {} is not enforced", c.type_),
                ),
                Fact::Unknown(u) => (
                    CheckStatus::Unknown,
                    format!(
                        "SELinux type {}, enforcing state unknown: {}: {}",
                        c.type_, u.source, u.reason
                    ),
                ),
            }
        }
        Fact::Known(LsmLabel::Other { label }) => (
            CheckStatus::Unknown,
            format!("label {label:?} from an LSM this crate does not judge"),
        ),
    }
}

/// The SELinux types the Pod Security Standards let a pod set (baseline,
/// "SELinux": the type may be unset or one of these).
pub const PSS_SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// The Pod Security Standards' AppArmor and SELinux controls as a process
/// sees them: the Unconfined AppArmor profile is forbidden, SELinux types come
/// from an allow-list with no custom user or role (the runtime's defaults
/// `system_u`/`system_r`), and a host without either LSM is no failure.
fn mac_pod_security(r: &Report) -> Judged {
    match &r.lsm.label {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(LsmLabel::None { evidence }) => (
            CheckStatus::Pass,
            format!(
                "no LSM is loaded ({evidence}): the Pod Security Standards ask nothing of a host without AppArmor or SELinux (the checklist preset fails this)"
            ),
        ),
        Fact::Known(LsmLabel::AppArmor(a)) => {
            let desc = format!("AppArmor profile {} in {} mode", a.profile, a.mode.as_str());
            if a.profile == "unconfined" || a.mode == AppArmorMode::Unconfined {
                (
                    CheckStatus::Fail,
                    format!(
                        "{desc}: AppArmor is loaded and the process is unconfined, which the Pod Security Standards forbid"
                    ),
                )
            } else if a.mode == AppArmorMode::Complain {
                (
                    CheckStatus::Pass,
                    format!(
                        "{desc}: a profile is set, as the Pod Security Standards ask, but complain mode enforces nothing (the checklist preset fails this)"
                    ),
                )
            } else {
                (
                    CheckStatus::Pass,
                    format!("{desc}: a confining profile, as the Pod Security Standards ask"),
                )
            }
        }
        Fact::Known(LsmLabel::Selinux(c)) => {
            let custom = [("user", &c.user, "system_u"), ("role", &c.role, "system_r")]
                .into_iter()
                .filter(|(_, v, d)| v.as_str() != *d)
                .map(|(k, v, _)| format!("custom {k} {v}"))
                .collect::<Vec<_>>();
            if !PSS_SELINUX_TYPES.contains(&c.type_.as_str()) {
                (
                    CheckStatus::Fail,
                    format!(
                        "SELinux type {} ({}) is not one the Pod Security Standards allow ({})",
                        c.type_,
                        c.context,
                        PSS_SELINUX_TYPES.join(", ")
                    ),
                )
            } else if !custom.is_empty() {
                (
                    CheckStatus::Fail,
                    format!(
                        "SELinux context {} sets a {}: the Pod Security Standards forbid a custom user or role",
                        c.context,
                        custom.join(" and ")
                    ),
                )
            } else {
                (
                    CheckStatus::Pass,
                    format!(
                        "SELinux type {} ({}) is allowed by the Pod Security Standards (they judge the type, not whether the host enforces)",
                        c.type_, c.context
                    ),
                )
            }
        }
        Fact::Known(LsmLabel::Other { label }) => (
            CheckStatus::Unknown,
            format!("label {label:?} from an LSM this crate does not judge"),
        ),
    }
}

fn read_only_rootfs(r: &Report) -> Judged {
    match &r.mounts {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(m) => match (&m.root, m.root_read_only) {
            (Some(root), Some(true)) => (
                CheckStatus::Pass,
                format!("/ ({} {}) is mounted ro", root.fstype(), root.source()),
            ),
            (Some(root), _) => (
                CheckStatus::Fail,
                format!("/ ({} {}) is mounted rw", root.fstype(), root.source()),
            ),
            _ => (CheckStatus::Unknown, "no mount at / in mountinfo".into()),
        },
    }
}

fn no_new_privs(r: &Report) -> Judged {
    let n = match &r.no_new_privs {
        Fact::Known(n) => n,
        Fact::Unknown(u) => return unknown(u),
    };
    let src = match n.source {
        crate::report::NnpSource::Status => "status",
        crate::report::NnpSource::Prctl => "prctl(PR_GET_NO_NEW_PRIVS)",
    };
    if !n.enabled {
        return (CheckStatus::Fail, format!("no_new_privs off (from {src})"));
    }
    match nnp_everywhere(r) {
        Some(true) => (
            CheckStatus::Pass,
            format!("no_new_privs on for every thread (from {src})"),
        ),
        Some(false) => (
            CheckStatus::Fail,
            "no_new_privs on for the main thread, off for another thread".into(),
        ),
        None => (
            CheckStatus::Unknown,
            "no_new_privs on for the main thread; other threads unknown".into(),
        ),
    }
}

fn not_privileged(r: &Report) -> Judged {
    let full = match (&r.capabilities.bounding, &r.capabilities.full_set) {
        // Inside a user namespace whose root is an unprivileged host user, a
        // full set acts only on what that namespace owns.
        (Fact::Known(b), Fact::Known(full)) if b.is_superset(*full) && userns_root(r).is_none() => {
            (
                None,
                format!(
                    "bounding set is the kernel's full set of {} capabilities; whether the user namespace's root is an unprivileged host user is unknown",
                    full.len()
                ),
            )
        }
        (Fact::Known(b), Fact::Known(full))
            if b.is_superset(*full) && userns_unprivileged_root(r).is_some() =>
        {
            (
                Some(false),
                format!(
                    "bounding set is the kernel's full set of {} capabilities, but in a user namespace whose uid 0 is an unprivileged host user, so not privileged on the host",
                    full.len()
                ),
            )
        }
        (Fact::Known(b), Fact::Known(full)) => (
            Some(b.is_superset(*full)),
            format!(
                "bounding set {} the kernel's full set of {} capabilities",
                if b.is_superset(*full) { "is" } else { "is not" },
                full.len()
            ),
        ),
        (Fact::Unknown(u), _) | (_, Fact::Unknown(u)) => (
            None,
            format!(
                "bounding set vs full set unknown ({}: {})",
                u.source, u.reason
            ),
        ),
    };
    let seccomp_off = match &r.seccomp.mode {
        Fact::Known(m) => (
            Some(*m == SeccompMode::Disabled),
            format!("seccomp {}", m.as_str()),
        ),
        Fact::Unknown(u) => (None, format!("seccomp unknown ({})", u.reason)),
    };
    let (mac, mac_ev) = mac_state(r);
    let no_mac = (mac.map(|m| !m), format!("MAC: {mac_ev}"));
    let devices = match &r.devices {
        Fact::Known(d) if d.host_devices.is_empty() => {
            (Some(false), "no host devices in /dev".to_string())
        }
        Fact::Known(d) => (
            Some(true),
            format!(
                "host devices in /dev: {}{}",
                d.host_devices
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                if d.host_devices.len() > 8 {
                    format!(" (+{} more)", d.host_devices.len() - 8)
                } else {
                    String::new()
                }
            ),
        ),
        Fact::Unknown(u) => (None, format!("/dev unknown ({})", u.reason)),
    };
    let unconfined = all_bad(&[seccomp_off.0, no_mac.0, devices.0]);
    let verdict = any_bad(&[full.0, unconfined]);
    let evidence = format!("{}; {}; {}; {}", full.1, seccomp_off.1, no_mac.1, devices.1);
    match verdict {
        Some(true) => (
            CheckStatus::Fail,
            format!("privileged: {evidence}{}", userns_note(r)),
        ),
        Some(false) => (CheckStatus::Pass, evidence),
        None => (CheckStatus::Unknown, evidence),
    }
}

fn userns_remap(r: &Report) -> Judged {
    if r.runtime.kind.own_kernel() {
        return (
            CheckStatus::Unknown,
            format!(
                "under {} the uid_map is that kernel's own, not the host's mapping",
                r.runtime.kind.as_str()
            ),
        );
    }
    let maps = |f: &Fact<crate::idmap::IdMap>| match f {
        Fact::Known(m) => m
            .ranges
            .iter()
            .map(|x| format!("{} {} {}", x.inside, x.outside, x.count))
            .collect::<Vec<_>>()
            .join(", "),
        Fact::Unknown(_) => "unknown".into(),
    };
    match &r.user_namespace.root_uid {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(Mapping::HostRoot) => (
            CheckStatus::Fail,
            format!(
                "uid 0 is the host's uid 0 (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
        Fact::Known(Mapping::Unprivileged { outside }) => (
            CheckStatus::Pass,
            format!(
                "uid 0 maps to host uid {outside} (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
        Fact::Known(Mapping::Unmapped) => (
            CheckStatus::Pass,
            format!(
                "uid 0 is not mapped to any host uid (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
    }
}

fn no_runtime_socket(r: &Report) -> Judged {
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    if !m.runtime_sockets.is_empty() {
        let list: Vec<String> = m
            .runtime_sockets
            .iter()
            .map(|s| {
                if s.seen_in == crate::mountinfo::SeenIn::Stat {
                    format!("{} socket reachable at {}", s.runtime, s.mount_point)
                } else {
                    format!(
                        "{} socket{} at {} (from {})",
                        s.runtime,
                        if s.directory { " directory" } else { "" },
                        s.mount_point,
                        s.root
                    )
                }
            })
            .collect();
        return (CheckStatus::Fail, list.join("; "));
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    (
        CheckStatus::Pass,
        format!("no runtime socket among {} mounts", m.count),
    )
}

/// A namespace verdict when the process runs on a kernel of its own (a Kata
/// guest, gVisor's Sentry): whatever that kernel's namespaces are, they are
/// not the host's.
fn own_kernel(r: &Report, ty: NsType) -> Option<Judged> {
    let rt = &r.runtime;
    (rt.kind.own_kernel() && rt.confidence == crate::runtime::Confidence::Strong).then(|| {
        (
            CheckStatus::Pass,
            format!(
                "runs on {}'s own kernel: its {} namespace, initial there or not, is not the host's",
                rt.kind.as_str(),
                ty.name()
            ),
        )
    })
}

fn host_ns(r: &Report, ty: NsType) -> Judged {
    if let Some(j) = own_kernel(r, ty) {
        return j;
    }
    let Some(n) = r.namespace(ty) else {
        return (
            CheckStatus::Unknown,
            format!("{} namespace not probed", ty.name()),
        );
    };
    let ino = n
        .inode
        .known()
        .map_or("unknown".to_string(), |i| i.to_string());
    match &n.initial {
        Fact::Known(true) => (
            CheckStatus::Fail,
            format!(
                "{} namespace inode {ino} is the host's initial namespace",
                ty.name()
            ),
        ),
        Fact::Known(false) => (
            CheckStatus::Pass,
            format!("{} namespace inode {ino} is not the host's", ty.name()),
        ),
        Fact::Unknown(u) => unknown(u),
    }
}

fn host_network(r: &Report) -> Judged {
    use crate::netns::NetMethod;
    if r.runtime.kind == crate::runtime::RuntimeKind::Kata
        && let Some(j) = own_kernel(r, NsType::Net)
    {
        return j;
    }
    let n = &r.network;
    let ino = r
        .namespace(NsType::Net)
        .and_then(|n| n.inode.known().copied())
        .map_or("unknown".to_string(), |i| i.to_string());
    let signals = |host_only: bool| {
        n.signals
            .iter()
            .filter(|s| !host_only || s.host)
            .map(|s| format!("[{}] {}: {}", s.strength.as_str(), s.source, s.observed))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let cookie = match &n.netns_cookie {
        Some(Fact::Known(c)) => format!("SO_NETNS_COOKIE {c}"),
        Some(Fact::Unknown(u)) => format!("SO_NETNS_COOKIE unknown ({}: {})", u.source, u.reason),
        None => String::new(),
    };
    let how = match n.decided_by {
        Some(NetMethod::Inode) => format!("network namespace inode {ino}"),
        Some(NetMethod::NetnsCookie) => {
            format!("{cookie} (the initial network namespace's cookie is 1 on Linux 5.14 to 6.17)")
        }
        Some(NetMethod::Contents) => format!(
            "what the namespace holds ({cookie}{}{})",
            if cookie.is_empty() { "" } else { "; " },
            signals(n.initial == Fact::Known(true))
        ),
        None => String::new(),
    };
    match &n.initial {
        Fact::Known(true) => (
            CheckStatus::Fail,
            format!("the host's initial network namespace, by {how}"),
        ),
        Fact::Known(false) => (
            CheckStatus::Pass,
            format!("not the host's network namespace, by {how}"),
        ),
        Fact::Unknown(u) => {
            let mut ev = format!("unknown: {}: {}", u.source, u.reason);
            if !cookie.is_empty() {
                ev.push_str("; ");
                ev.push_str(&cookie);
            }
            if !n.signals.is_empty() {
                ev.push_str("; ");
                ev.push_str(&signals(false));
            }
            (CheckStatus::Unknown, ev)
        }
    }
}

fn no_host_path(r: &Report) -> Judged {
    use crate::mountinfo::HostMountKind;
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    let mut bad = Vec::new();
    let mut fine = Vec::new();
    // gVisor's /dev, /proc and /sys are the Sentry's own.
    let gvisor = r.runtime.kind == crate::runtime::RuntimeKind::Gvisor;
    for h in &m.host_mounts {
        let at = h.mount.mount_point();
        match h.kind {
            HostMountKind::Pseudo if gvisor => {}
            HostMountKind::Pseudo => bad.push(
                h.sensitive
                    .clone()
                    .unwrap_or_else(|| format!("the host's {} at {at}", h.mount.fstype())),
            ),
            HostMountKind::HostPath => bad.push(format!(
                "host path {} at {at}{}",
                h.host_path.as_deref().unwrap_or(h.mount.root()),
                if h.placement == "assumed_root" {
                    " (its filesystem taken as the host's /)"
                } else {
                    ""
                }
            )),
            HostMountKind::RuntimeFile => fine.push(format!("{at} (the runtime's own file)")),
            HostMountKind::Volume => fine.push(format!("{at} (a volume)")),
            HostMountKind::Filesystem => fine.push(format!(
                "{at} (a whole {} filesystem from {}, not the host's root)",
                h.mount.fstype(),
                h.mount.source()
            )),
        }
    }
    if !bad.is_empty() {
        return (CheckStatus::Fail, bad.join("; "));
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    if fine.is_empty() {
        return (
            CheckStatus::Pass,
            format!("no host directory or file among {} mounts", m.count),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "no host directory or file bound in; from disks: {}",
            fine.join(", ")
        ),
    )
}

fn no_sensitive_mounts(r: &Report, p: &Policy) -> Judged {
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    // Pod Security Admission lets user-namespaced pods unmask /proc
    // (procMount: Unmasked): there its files belong to the pod's namespace.
    let userns = userns_root(r);
    let masks_relaxed = p.rules == Rules::PodSecurity && userns.is_some_and(|u| u.is_some());
    // What fails only because whether the user namespace relaxes it is unknown.
    let mut unsure = Vec::new();
    let mut relaxed = Vec::new();
    let mut bad = Vec::new();
    // gVisor's /proc and /sys are the Sentry's own, not the host kernel's.
    let gvisor = r.runtime.kind == crate::runtime::RuntimeKind::Gvisor;
    // In a user namespace whose root is an unprivileged host user, files
    // that only the host's root may open (/proc/kcore 0400, sysrq-trigger
    // 0200, sysfs's attributes) stay shut: their owner is not mapped there,
    // so neither DAC nor the namespace's capabilities reach them.
    let unmapped_root = userns.is_some_and(|u| u.is_some());
    let mut notes = Vec::new();
    for h in &m.host_mounts {
        if gvisor && h.kind == crate::mountinfo::HostMountKind::Pseudo {
            continue;
        }
        if let Some(why) = &h.sensitive {
            bad.push(why.clone());
        }
    }
    // A runtime socket is the most sensitive host path of all.
    for sock in m.runtime_sockets.iter().filter(|s| !s.directory) {
        bad.push(format!(
            "{} socket from the host at {}",
            sock.runtime, sock.mount_point
        ));
    }
    if m.proc_sys == PseudoFsState::ReadWrite && !gvisor {
        bad.push(match r.user_namespace.initial {
            Fact::Known(false) => "/proc/sys is writable (in a non-initial user namespace, so only the sysctls that namespace owns can be written)".to_string(),
            _ => "/proc/sys is writable".to_string(),
        });
    }
    if m.sys == PseudoFsState::ReadWrite && !gvisor {
        if unmapped_root {
            notes.push("/sys is writable, but its files belong to the host's root, which this user namespace does not map".to_string());
        } else if userns.is_none() {
            unsure.push("/sys is writable".to_string());
        } else {
            bad.push("/sys is writable".into());
        }
    }
    let mut masks = Vec::new();
    for path in REQUIRED_MASKS {
        let state = m
            .masked_paths
            .iter()
            .find(|x| x.path == *path)
            .map(|x| x.state);
        let root_only = matches!(*path, "/proc/kcore" | "/proc/sysrq-trigger");
        let (ok, word) = match state {
            Some(MaskState::Masked) => (true, "masked"),
            Some(MaskState::Absent) => (true, "absent"),
            Some(MaskState::ReadOnly) => (*path == "/proc/sysrq-trigger", "read-only"),
            _ if unmapped_root && root_only => (
                true,
                "exposed, but only the host's root may open it, and this user namespace does not map it",
            ),
            _ => (gvisor, "exposed"),
        };
        if ok {
            masks.push(format!("{path} {word}"));
        } else if masks_relaxed {
            relaxed.push(format!("{path} {word}"));
        } else if userns.is_none() && (root_only || p.rules == Rules::PodSecurity) {
            unsure.push(format!("{path} is {word}, not masked"));
        } else {
            bad.push(format!("{path} is {word}, not masked"));
        }
    }
    if !bad.is_empty() {
        return (CheckStatus::Fail, bad.join("; "));
    }
    if !unsure.is_empty() {
        return (
            CheckStatus::Unknown,
            format!(
                "{}; whether the user namespace's root is an unprivileged host user (which makes these harmless or allowed) is unknown",
                unsure.join("; ")
            ),
        );
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    let fs = |s: PseudoFsState| match s {
        PseudoFsState::ReadOnly => "read-only",
        PseudoFsState::ReadWrite => "writable (gVisor's own)",
        PseudoFsState::NotMounted => "not mounted",
        PseudoFsState::Emulated => "an emulation, not the kernel's tree",
    };
    for n in notes {
        masks.push(n);
    }
    let relaxed = if relaxed.is_empty() {
        String::new()
    } else {
        format!(
            "; {}: the Pod Security Standards allow an unmasked /proc in a user-namespaced pod",
            relaxed.join(", ")
        )
    };
    (
        CheckStatus::Pass,
        format!(
            "no sensitive host path among {} mounts; /proc/sys {}, /sys {}; {}{relaxed}",
            m.count,
            fs(m.proc_sys),
            fs(m.sys),
            masks.join(", ")
        ),
    )
}

fn resource_limits(r: &Report) -> Judged {
    let c = match &r.cgroups {
        Fact::Known(c) => c,
        Fact::Unknown(u) => return unknown(u),
    };
    let part = |name: &str, f: &Fact<crate::cgroup::Limit>| match f {
        Fact::Known(l) if l.is_limited() => (Some(false), format!("{name} limit {l}")),
        Fact::Known(_) => (Some(true), format!("no {name} limit")),
        Fact::Unknown(u) => (
            None,
            format!("{name} limit unknown ({}: {})", u.source, u.reason),
        ),
    };
    let mut parts = [part("memory", &c.memory), part("pids", &c.pids)];
    // On a kernel of its own (gVisor, a Kata guest) the cgroup tree is that
    // kernel's: its root having no limit says nothing of the host's limits.
    if r.runtime.kind.own_kernel() {
        for (bad, ev) in parts.iter_mut() {
            if *bad == Some(true) {
                *bad = None;
                ev.push_str(&format!(
                    " in {}'s own cgroup tree, which says nothing of the limits the host sets on the sandbox",
                    r.runtime.kind.as_str()
                ));
            }
        }
    }
    let ev = parts
        .iter()
        .map(|(_, e)| e.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    match any_bad(&[parts[0].0, parts[1].0]) {
        Some(true) => (CheckStatus::Fail, ev),
        Some(false) => (CheckStatus::Pass, ev),
        None => (CheckStatus::Unknown, ev),
    }
}

fn no_service_account_token(r: &Report) -> Judged {
    let mounted = match &r.mounts {
        Fact::Known(m) if !m.service_account_mounts.is_empty() => {
            return (
                CheckStatus::Fail,
                format!(
                    "service-account credentials mounted at {}",
                    m.service_account_mounts.join(", ")
                ),
            );
        }
        Fact::Known(m) => m
            .is_complete()
            .then_some(())
            .ok_or("mount table incomplete".to_string()),
        Fact::Unknown(u) => Err(format!("{}: {}", u.source, u.reason)),
    };
    match (&r.service_account_token, mounted) {
        (Fact::Known(true), _) => (
            CheckStatus::Fail,
            "a service-account token file is present".into(),
        ),
        (Fact::Known(false), Ok(())) => (
            CheckStatus::Pass,
            "no service-account token file or mount".into(),
        ),
        (Fact::Unknown(u), _) => unknown(u),
        (_, Err(e)) => (CheckStatus::Unknown, e),
    }
}

fn proc_trusted(r: &Report) -> Judged {
    match &r.proc_trust {
        Fact::Known(ProcTrust::Procfs) => {
            (CheckStatus::Pass, "statfs(/proc) reports procfs".into())
        }
        Fact::Known(ProcTrust::Fixture) => (
            CheckStatus::Pass,
            "fixture root: files captured elsewhere, not verified here".into(),
        ),
        Fact::Known(ProcTrust::NotProcfs { magic }) => (
            CheckStatus::Fail,
            format!("/proc is filesystem {magic}, not procfs: nothing read from it can be trusted"),
        ),
        Fact::Unknown(u) => unknown(u),
    }
}

/// Fails when the syscall probe found a listed syscall the filter lets
/// through; unknown when the probe did not run or could not decide one.
fn dangerous_syscalls_blocked(r: &Report) -> Judged {
    let p = match &r.syscalls {
        Fact::Known(p) => p,
        Fact::Unknown(u) => return unknown(u),
    };
    let userns = p.user_namespaces_summary();
    let reachable = p.reachable();
    if !reachable.is_empty() {
        let names: Vec<&str> = reachable.iter().map(|s| s.name()).collect();
        return (
            CheckStatus::Fail,
            format!(
                "{} of {} listed syscalls reach the kernel (its own argument check answered): {}; {userns}",
                names.len(),
                p.results.len(),
                names.join(", ")
            ),
        );
    }
    let undecided: Vec<String> = p
        .results
        .iter()
        .filter(|r| r.outcome.as_str() == "unknown")
        .map(|r| format!("{} ({})", r.syscall, r.outcome.detail()))
        .collect();
    if !undecided.is_empty() {
        return (
            CheckStatus::Unknown,
            format!("none reachable, but undecided: {}", undecided.join("; ")),
        );
    }
    (
        CheckStatus::Pass,
        format!("{}; {userns}", p.blocked_summary()),
    )
}

/// Why a policy could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// No preset of that name.
    #[error(
        "no policy preset named {name:?} (presets: checklist, pss-baseline, pss-restricted, strict)"
    )]
    UnknownPreset {
        /// The name given.
        name: String,
    },
    /// The policy file could not be read.
    #[error("cannot read policy file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The document does not parse, or names something unknown.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file (or `<inline>`).
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A policy document given where support for them is compiled out.
    #[error("policy documents need the `policy-file` feature; {value:?} is not a preset name")]
    DocumentsDisabled {
        /// The value given.
        value: String,
    },
}

/// The environment variable that names a policy (a preset or a file path).
pub const POLICY_ENV: &str = "POSTURE_POLICY";
/// The environment variable that overrides named checks:
/// `check_id=reason;check_id=reason` (each downgraded to a warning, shown loudly).
pub const OVERRIDE_ENV: &str = "POSTURE_OVERRIDE";

impl Policy {
    /// A preset name or, with the `policy-file` feature, a path to a TOML or
    /// JSON policy document.
    pub fn from_name_or_path(value: &str) -> Result<Policy, PolicyError> {
        if let Ok(p) = value.parse::<Preset>() {
            return Ok(Policy::preset(p));
        }
        #[cfg(feature = "policy-file")]
        {
            let path = std::path::Path::new(value);
            if path.exists()
                || value.contains('/')
                || value.ends_with(".toml")
                || value.ends_with(".json")
            {
                return document::from_file(path);
            }
        }
        #[cfg(not(feature = "policy-file"))]
        {
            if value.contains('/') || value.contains('.') {
                return Err(PolicyError::DocumentsDisabled {
                    value: value.to_string(),
                });
            }
        }
        Err(PolicyError::UnknownPreset {
            name: value.to_string(),
        })
    }

    /// The policy named by `POSTURE_POLICY` (preset or file), or `default`
    /// when unset; overrides from `POSTURE_OVERRIDE` are applied either way.
    pub fn from_env_or(default: Policy) -> Result<Policy, PolicyError> {
        let base = match std::env::var(POLICY_ENV) {
            Ok(v) if !v.trim().is_empty() => Policy::from_name_or_path(v.trim())?,
            _ => default,
        };
        match std::env::var(OVERRIDE_ENV) {
            Ok(v) if !v.trim().is_empty() => base.with_override_spec(&v),
            _ => Ok(base),
        }
    }

    /// The policy a command-line flag names, else `POSTURE_POLICY`, else
    /// `default`; `POSTURE_OVERRIDE` applies in every case.
    pub fn from_arg_or_env(arg: Option<&str>, default: Policy) -> Result<Policy, PolicyError> {
        let base = match arg {
            Some(a) => Policy::from_name_or_path(a)?,
            None => return Policy::from_env_or(default),
        };
        match std::env::var(OVERRIDE_ENV) {
            Ok(v) if !v.trim().is_empty() => base.with_override_spec(&v),
            _ => Ok(base),
        }
    }

    /// Applies `check_id=reason;check_id=reason`.
    pub fn with_override_spec(mut self, spec: &str) -> Result<Policy, PolicyError> {
        for (i, item) in spec.split(';').filter(|s| !s.trim().is_empty()).enumerate() {
            let (id, reason) = item.split_once('=').unwrap_or((item, ""));
            let id: CheckId =
                id.trim()
                    .parse()
                    .map_err(|e: UnknownCheck| PolicyError::Invalid {
                        path: OVERRIDE_ENV.into(),
                        line: 1,
                        message: format!("item {}: {e}", i + 1),
                    })?;
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(PolicyError::Invalid {
                    path: OVERRIDE_ENV.into(),
                    line: 1,
                    message: format!("override of {id} needs a reason: `{id}=why`"),
                });
            }
            self = self.override_check(id, reason);
        }
        Ok(self)
    }
}

#[cfg(feature = "policy-file")]
pub mod document {
    //! Policy documents, TOML or JSON:
    //!
    //! ```toml
    //! extends = "pss-restricted"            # a preset to start from (default: checklist)
    //! name = "payments"                     # shown in the assessment
    //! allow_capabilities = ["CAP_NET_BIND_SERVICE"]   # replaces the preset's list
    //! accept_unknown = ["mac_enforced"]     # per check, never all
    //!
    //! [checks]
    //! read_only_rootfs = "require"          # require | warn | ignore
    //!
    //! [overrides]
    //! userns_remap = "TICKET-123: runtime lacks userns on this cluster"
    //! ```
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::{Action, CheckId, Policy, PolicyError, Preset};
    use crate::capability::Capability;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        extends: Option<String>,
        name: Option<String>,
        allow_capabilities: Option<Vec<String>>,
        #[serde(default)]
        accept_unknown: Vec<String>,
        #[serde(default)]
        checks: BTreeMap<String, Action>,
        #[serde(default)]
        overrides: BTreeMap<String, String>,
        rules: Option<super::Rules>,
        #[serde(default)]
        accept_sandbox_as_seccomp: bool,
    }

    /// The 1-based line where `needle` first appears, for error messages.
    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1)
    }

    fn line_at(text: &str, offset: usize) -> usize {
        text[..offset.min(text.len())].matches('\n').count() + 1
    }

    /// Reads a policy document from a file (`.json` is JSON, anything else TOML).
    pub fn from_file(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let json = path.extension().is_some_and(|e| e == "json");
        parse(&text, json, &path.display().to_string())
    }

    /// Parses a policy document; `origin` names it in errors.
    pub fn parse(text: &str, json: bool, origin: &str) -> Result<Policy, PolicyError> {
        let invalid = |line, message: String| PolicyError::Invalid {
            path: origin.to_string(),
            line,
            message,
        };
        let doc: Doc = if json {
            serde_json::from_str(text).map_err(|e| invalid(e.line(), e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| {
                let line = e.span().map_or(1, |s| line_at(text, s.start));
                invalid(line, e.message().to_string())
            })?
        };
        let base = match &doc.extends {
            Some(p) => p
                .parse::<Preset>()
                .map_err(|e| invalid(line_of(text, "extends"), format!("extends: {e}")))?,
            None => Preset::Checklist,
        };
        let mut policy = Policy::preset(base);
        if let Some(n) = doc.name {
            policy = policy.named(n);
        } else {
            policy = policy.named(origin.to_string());
        }
        let check = |key: &str, table: &str| -> Result<CheckId, PolicyError> {
            key.parse::<CheckId>()
                .map_err(|e| invalid(line_of(text, key), format!("{table}: {e}")))
        };
        if let Some(rules) = doc.rules {
            policy = policy.with_rules(rules);
        }
        if doc.accept_sandbox_as_seccomp {
            policy = policy.accept_sandbox_as_seccomp();
        }
        for (key, action) in &doc.checks {
            policy = policy.set(check(key, "checks")?, *action);
        }
        for key in &doc.accept_unknown {
            policy = policy.accept_unknown(check(key, "accept_unknown")?);
        }
        for (key, reason) in &doc.overrides {
            let id = check(key, "overrides")?;
            if reason.trim().is_empty() {
                return Err(invalid(
                    line_of(text, key),
                    format!("overrides.{key}: a reason is required"),
                ));
            }
            policy = policy.override_check(id, reason.clone());
        }
        if let Some(caps) = doc.allow_capabilities {
            let mut parsed = Vec::new();
            for c in &caps {
                let name = c.trim().to_ascii_uppercase();
                let name = if name.starts_with("CAP_") {
                    name
                } else {
                    format!("CAP_{name}")
                };
                let cap: Capability = name.parse().map_err(|_| {
                    invalid(
                        line_of(text, c),
                        format!("allow_capabilities: {c:?} is not a capability name"),
                    )
                })?;
                parsed.push(cap);
            }
            policy = policy.allow_only(parsed);
        }
        Ok(policy)
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
        assert_eq!(
            "nope".parse::<CheckId>().unwrap_err().to_string(),
            r#"no check named "nope""#
        );
    }

    #[test]
    fn presets_parse_and_differ() {
        for p in Preset::ALL {
            assert_eq!(p.name().parse::<Preset>().unwrap(), p);
        }
        let c = Policy::preset(Preset::Checklist);
        assert_eq!(c.action(CheckId::NonRoot), Action::Require);
        assert_eq!(c.action(CheckId::Seccomp), Action::Warn);
        let r = Policy::preset(Preset::PssRestricted);
        assert_eq!(r.action(CheckId::Seccomp), Action::Require);
        assert_eq!(r.action(CheckId::ReadOnlyRootfs), Action::Ignore);
        let b = Policy::preset(Preset::PssBaseline);
        assert_eq!(b.action(CheckId::NonRoot), Action::Warn);
        assert!(b.allowed_capabilities().contains(Capability::CAP_CHOWN));
        // Docker's and containerd's default NET_RAW is admitted by baseline
        // (a pod that adds nothing gets it); nothing else beyond its list.
        assert!(b.allowed_capabilities().contains(Capability::CAP_NET_RAW));
        assert!(!b.allowed_capabilities().contains(Capability::CAP_SYS_ADMIN));
        assert!(!c.allowed_capabilities().contains(Capability::CAP_NET_RAW));
        assert_eq!(b.rules(), Rules::PodSecurity);
        assert_eq!(c.rules(), Rules::Checklist);
        assert_eq!(b.action(CheckId::NoHostPath), Action::Require);
        assert_eq!(c.action(CheckId::NoHostPath), Action::Warn);
        assert!(
            CheckId::ALL
                .iter()
                .all(|&i| Policy::preset(Preset::Strict).action(i) == Action::Require)
        );
    }

    #[test]
    fn override_spec() {
        let p = Policy::default()
            .with_override_spec("non_root=legacy image, TICKET-1")
            .unwrap();
        assert_eq!(
            p.overrides().get(&CheckId::NonRoot).unwrap(),
            "legacy image, TICKET-1"
        );
        assert!(Policy::default().with_override_spec("non_root").is_err());
        assert!(
            Policy::default()
                .with_override_spec("everything=yes")
                .is_err()
        );
    }
}

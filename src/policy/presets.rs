//! The built-in policies: [`Preset`], what each one requires, warns about
//! or ignores ([`Policy::preset`]), and the lists checks judge against (the
//! capabilities runtimes grant and the Pod Security Standards allow, the
//! SELinux types that are unconfined or allowed).
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render): data and pure constructors, no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::parse::capability::{CapSet, Capability};

use super::{Action, CheckId, Policy, PolicyError, Rules, Severity};

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

display_by!(name: Preset);

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 4] = [
        Preset::Checklist,
        Preset::PssBaseline,
        Preset::PssRestricted,
        Preset::Strict,
    ];

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
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
pub(crate) const PSS_BASELINE_RUNTIME_DEFAULTS: &[Capability] = &[Capability::CAP_NET_RAW];

/// The default capability set of Docker Engine and containerd (moby
/// `oci/caps/defaults.go`, containerd `pkg/oci/spec.go`): what a container
/// holds when nothing was dropped. Evidence names these apart from added ones.
pub(crate) const RUNTIME_DEFAULT_CAPABILITIES: &[Capability] = &[
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
pub(crate) const PSS_BASELINE_CAPABILITIES: &[Capability] = &[
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

/// SELinux types that are not confined.
pub(crate) const UNCONFINED_SELINUX_TYPES: &[&str] = &[
    "unconfined_t",
    "unconfined_service_t",
    "spc_t",
    "kernel_t",
    "initrc_t",
    "init_t",
    "container_runtime_t",
    "unlabeled_t",
];

/// The SELinux types the Pod Security Standards let a pod set (baseline,
/// "SELinux": the type may be unset or one of these).
pub(crate) const PSS_SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

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
            env_overrides: BTreeSet::new(),
            expectations: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

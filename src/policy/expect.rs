//! Declared versus applied (private module: its items are re-exported by
//! `policy`; the user docs are on [`Expectation`]).

use std::fmt;

use crate::fact::Fact;
use crate::parse::capability::{CapSet, Capability};
use crate::parse::cgroup::Limit;
use crate::parse::lsm::{AppArmor, AppArmorMode, LsmLabel};
use crate::parse::status::SeccompMode;
use crate::report::MaskState;
use crate::report::RuntimeKind;
use crate::report::{HostMountKind, Outcome, Report, Syscall, SyscallProbe};

use super::{CheckId, CheckStatus, Policy};

/// Declared versus applied: expectations a deployment manifest declares
/// (`runAsUser: 1000`, `capabilities.drop: [ALL]`, `limits.memory: 128Mi`),
/// each judged against the facts of a [`Report`].
///
/// An [`Expectation`] is a field path in the manifest's own terms
/// (`spec.containers[app].securityContext.runAsUser`) and a [`Rule`], the
/// exact value the field makes the kernel show. [`evaluate`](super::evaluate) judges each against
/// the report and gives an [`ExpectationResult`]: pass, fail (drift: the
/// applied value differs from the declared one) or unknown (a fact it needs
/// is unknown; never a pass).
///
/// Part of the policy stage (parse -> probe -> Report -> **policy** ->
/// render): pure, no I/O. A manifest read as a policy builds them
/// ([`Policy::load`](super::Policy::load), feature `manifest`); policy documents may also list them
/// (`[[expect]]`), which is what `posture --print-policy` writes.
///
/// # Capabilities
///
/// Kubernetes applies `capabilities.drop` and `.add` to the container
/// runtime's default set, which differs per runtime
/// (written from each runtime's source). Applied means the bounding set
/// (what a runtime sets for the container; a non-root process has an empty
/// effective set whatever was added) together with the effective and
/// permitted sets. The rule judged:
///
/// - `add`: every added capability is in the bounding set, and nothing
///   beyond `default ∪ add` (minus `drop`) is in any of the three sets, where
///   `default` is the detected runtime's default set, or the union of the
///   known runtimes' defaults (Docker's and containerd's 14) when the runtime
///   is not identified. With `drop: [ALL]` the default does not matter: the
///   sets must hold only what `add` names.
/// - `drop`: no dropped capability is in any of the three sets.
///
/// # What is not verified
///
/// `seccompProfile: Unconfined`, `appArmorProfile: Unconfined` and
/// `runAsNonRoot: false` declare the absence of a requirement: there is
/// nothing to verify, and the result says so (a pass whose evidence reads
/// `nothing to verify`). The base preset's checks (`seccomp`,
/// `mac_enforced`, `non_root`) still judge what such a field weakens.
///
/// One declared field and the value it makes the kernel show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Expectation {
    /// The field path in the manifest's terms, e.g.
    /// `spec.containers[app].securityContext.runAsUser`.
    pub field: String,
    /// What the field declares.
    pub rule: Rule,
}

/// `seccompProfile.type` and `appArmorProfile.type`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Profile {
    /// `RuntimeDefault`.
    RuntimeDefault,
    /// `Localhost`, with its `localhostProfile`.
    Localhost(String),
    /// `Unconfined`.
    Unconfined,
}

/// What a declared field requires of the applied state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Rule {
    /// `runAsUser`: real, effective and saved uid.
    Uid(u32),
    /// `runAsGroup`: real, effective and saved gid.
    Gid(u32),
    /// `runAsNonRoot`: `true` requires no uid 0; `false` requires nothing.
    NonRoot(bool),
    /// `supplementalGroups`: each is among the supplementary groups.
    SupplementalGroups(Vec<u32>),
    /// `capabilities.add` (kernel names, `CAP_` prefixed; with the
    /// container's `drop` to know what the default leaves).
    CapabilitiesAdd {
        /// The added capabilities.
        add: Vec<String>,
        /// The dropped ones (`ALL` allowed).
        drop: Vec<String>,
    },
    /// `capabilities.drop` (`ALL` allowed).
    CapabilitiesDrop(Vec<String>),
    /// `privileged`.
    Privileged(bool),
    /// `allowPrivilegeEscalation`: `false` is no_new_privs on.
    AllowPrivilegeEscalation(bool),
    /// `readOnlyRootFilesystem`.
    ReadOnlyRootFilesystem(bool),
    /// `seccompProfile`.
    Seccomp(Profile),
    /// `appArmorProfile` or the `container.apparmor.security.beta.kubernetes.io/<name>` annotation.
    AppArmor(Profile),
    /// `seLinuxOptions.type`.
    SelinuxType(String),
    /// `seLinuxOptions.level`.
    SelinuxLevel(String),
    /// `hostNetwork`.
    HostNetwork(bool),
    /// `hostPID`.
    HostPid(bool),
    /// `hostIPC`.
    HostIpc(bool),
    /// `hostUsers`: `false` is a user namespace of its own.
    HostUsers(bool),
    /// `procMount`: `true` for `Default` (masked), `false` for `Unmasked`.
    ProcMountDefault(bool),
    /// `resources.limits.memory`, in bytes.
    MemoryLimit(u64),
    /// `resources.limits.cpu`, in millicores.
    CpuLimitMillis(u64),
    /// `hostPath` volumes mounted into the container: the only host paths allowed.
    HostPaths(Vec<String>),
    /// `automountServiceAccountToken`.
    ServiceAccountToken(bool),
    /// Compose `pids_limit`: the cgroup's task limit.
    PidsLimit(u64),
}

impl fmt::Display for Rule {
    /// The declared value as the manifest writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.declared())
    }
}

impl Rule {
    /// The declared value as the manifest writes it.
    pub(crate) fn declared(&self) -> String {
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|c| c.strip_prefix("CAP_").unwrap_or(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        match self {
            Rule::Uid(v) | Rule::Gid(v) => v.to_string(),
            Rule::NonRoot(b)
            | Rule::Privileged(b)
            | Rule::AllowPrivilegeEscalation(b)
            | Rule::ReadOnlyRootFilesystem(b)
            | Rule::HostNetwork(b)
            | Rule::HostPid(b)
            | Rule::HostIpc(b)
            | Rule::HostUsers(b)
            | Rule::ServiceAccountToken(b) => b.to_string(),
            Rule::SupplementalGroups(g) => format!(
                "[{}]",
                g.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            ),
            Rule::CapabilitiesAdd { add, .. } => list(add),
            Rule::CapabilitiesDrop(d) => list(d),
            Rule::Seccomp(p) | Rule::AppArmor(p) => match p {
                Profile::RuntimeDefault => "RuntimeDefault".into(),
                Profile::Localhost(n) => format!("Localhost {n}"),
                Profile::Unconfined => "Unconfined".into(),
            },
            Rule::SelinuxType(s) | Rule::SelinuxLevel(s) => s.clone(),
            Rule::ProcMountDefault(true) => "Default".into(),
            Rule::ProcMountDefault(false) => "Unmasked".into(),
            Rule::MemoryLimit(b) => show_bytes(*b),
            Rule::CpuLimitMillis(m) => format!("{m}m"),
            Rule::HostPaths(p) => format!("[{}]", p.join(", ")),
            Rule::PidsLimit(n) => n.to_string(),
        }
    }
}

/// One expectation judged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ExpectationResult {
    /// The field path in the manifest's terms.
    pub field: String,
    /// The declared value, as the manifest writes it.
    pub declared: String,
    /// The applied value, as the kernel shows it (`unknown (…)` when a fact
    /// it needs is unknown).
    pub applied: String,
    /// `pass`: applied as declared; `fail`: drift; `unknown`: a fact is
    /// unknown (fails the verdict, like a required check).
    pub status: CheckStatus,
    /// How it was decided.
    pub evidence: String,
}

impl ExpectationResult {
    /// The drift line: `field: declared X, applied Y`.
    pub(crate) fn line(&self) -> String {
        format!(
            "{}: declared {}, applied {}",
            self.field, self.declared, self.applied
        )
    }
}

impl fmt::Display for ExpectationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// The default capability set of a runtime, from its source:
///
/// - Docker Engine: moby `oci/caps/defaults.go` (`DefaultCapabilities`), 14.
/// - containerd (and Kubernetes on containerd): `pkg/oci/spec.go`
///   (`defaultUnixCaps`), the same 14.
/// - CRI-O: `pkg/config/config.go`/`internal/config/capabilities`
///   (`DefaultCapabilities`, since CRI-O 1.18): CHOWN, DAC_OVERRIDE,
///   FSETID, FOWNER, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, KILL.
/// - Podman: containers/common `pkg/config/default.go`
///   (`DefaultCapabilities`, since Podman 4.0; `default_capabilities` of
///   `/usr/share/containers/containers.conf`): CHOWN, DAC_OVERRIDE, FOWNER,
///   FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
///   SYS_CHROOT.
///
/// Any other runtime, or none identified: the union of these (Docker's 14),
/// the most any of them grants. A runtime configured away from its default
/// (`default_capabilities` in containers.conf or crio.conf) is not seen.
pub(crate) fn runtime_default_capabilities(kind: RuntimeKind) -> CapSet {
    use Capability as C;
    match kind {
        RuntimeKind::CriO => [
            C::CAP_CHOWN,
            C::CAP_DAC_OVERRIDE,
            C::CAP_FSETID,
            C::CAP_FOWNER,
            C::CAP_SETGID,
            C::CAP_SETUID,
            C::CAP_SETPCAP,
            C::CAP_NET_BIND_SERVICE,
            C::CAP_KILL,
        ]
        .into_iter()
        .collect(),
        RuntimeKind::Podman => [
            C::CAP_CHOWN,
            C::CAP_DAC_OVERRIDE,
            C::CAP_FOWNER,
            C::CAP_FSETID,
            C::CAP_KILL,
            C::CAP_NET_BIND_SERVICE,
            C::CAP_SETFCAP,
            C::CAP_SETGID,
            C::CAP_SETPCAP,
            C::CAP_SETUID,
            C::CAP_SYS_CHROOT,
        ]
        .into_iter()
        .collect(),
        _ => super::RUNTIME_DEFAULT_CAPABILITIES
            .iter()
            .copied()
            .collect(),
    }
}

/// A capability name as a manifest writes it (`NET_RAW`, `CAP_NET_RAW`,
/// any case) to the kernel's (`CAP_NET_RAW`); `ALL` stays `ALL`.
#[cfg(feature = "manifest")]
pub(crate) fn kernel_cap_name(name: &str) -> String {
    let n = name.trim().to_ascii_uppercase();
    if n == "ALL" || n.starts_with("CAP_") {
        n
    } else {
        format!("CAP_{n}")
    }
}

fn cap_set(names: &[String]) -> (CapSet, bool) {
    let all = names.iter().any(|n| n == "ALL");
    let set = names
        .iter()
        .filter_map(|n| n.parse::<Capability>().ok())
        .collect();
    (set, all)
}

type Out = (CheckStatus, String, String);

fn unknown_of(u: &crate::Unknown) -> Out {
    (
        CheckStatus::Unknown,
        format!("unknown ({}: {})", u.source, u.reason),
        format!("unknown: {}: {}", u.source, u.reason),
    )
}

fn verdict(ok: bool) -> CheckStatus {
    if ok {
        CheckStatus::Pass
    } else {
        CheckStatus::Fail
    }
}

/// Judges one expectation against the report. Pure.
pub(crate) fn judge(e: &Expectation, r: &Report, p: &Policy) -> ExpectationResult {
    let (status, applied, evidence) = judge_rule(&e.rule, r, p);
    ExpectationResult {
        field: e.field.clone(),
        declared: e.rule.declared(),
        applied,
        status,
        evidence,
    }
}

/// A check's own judgement turned into a declared boolean: `declared_bad`
/// is what the field asks for (`privileged: true` asks for the check to fail).
fn via_check(id: CheckId, declared_bad: bool, r: &Report, p: &Policy, what: &str) -> Out {
    let (st, ev) = super::checks::judge(id, r, p);
    match st {
        CheckStatus::Unknown => (CheckStatus::Unknown, format!("unknown ({ev})"), ev),
        CheckStatus::Pass => (verdict(!declared_bad), format!("not {what}"), ev),
        CheckStatus::Fail => (verdict(declared_bad), what.to_string(), ev),
    }
}

fn judge_rule(rule: &Rule, r: &Report, p: &Policy) -> Out {
    match rule {
        Rule::Uid(v) | Rule::Gid(v) => {
            let (fact, what) = if matches!(rule, Rule::Uid(_)) {
                (&r.identity.uid, "uid")
            } else {
                (&r.identity.gid, "gid")
            };
            match fact {
                Fact::Unknown(u) => unknown_of(u),
                Fact::Known(ids) => {
                    let ok = ids.real == *v && ids.effective == *v && ids.saved == *v;
                    let applied = if ids.real == ids.effective && ids.effective == ids.saved {
                        ids.effective.to_string()
                    } else {
                        format!(
                            "{} (real {}, saved {})",
                            ids.effective, ids.real, ids.saved
                        )
                    };
                    (
                        verdict(ok),
                        applied,
                        format!("{what}s real/effective/saved from {}", r.identity.source),
                    )
                }
            }
        }
        Rule::NonRoot(false) => (
            CheckStatus::Pass,
            "-".into(),
            "runAsNonRoot: false requires nothing: nothing to verify (the non_root check judges it)"
                .into(),
        ),
        Rule::NonRoot(true) => match &r.identity.uid {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(ids) => (
                verdict(!(ids.real == 0 || ids.effective == 0 || ids.saved == 0)),
                format!("uid {}", ids.effective),
                "no uid (real, effective, saved) may be 0".into(),
            ),
        },
        Rule::SupplementalGroups(want) => match &r.identity.groups {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(have) => (
                verdict(want.iter().all(|g| have.contains(g))),
                format!(
                    "[{}]",
                    have.iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "each declared group is a supplementary group".into(),
            ),
        },
        Rule::CapabilitiesAdd { add, drop } => caps_add(add, drop, r),
        Rule::CapabilitiesDrop(drop) => caps_drop(drop, r),
        Rule::Privileged(b) => via_check(CheckId::NotPrivileged, *b, r, p, "privileged"),
        Rule::AllowPrivilegeEscalation(allow) => match &r.no_new_privs {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(n) => (
                verdict(n.enabled != *allow),
                format!("no_new_privs {}", if n.enabled { "on" } else { "off" }),
                "allowPrivilegeEscalation: false is no_new_privs on".into(),
            ),
        },
        Rule::ReadOnlyRootFilesystem(ro) => match &r.mounts {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(m) => match m.root_read_only {
                None => (
                    CheckStatus::Unknown,
                    "unknown (no mount at / in mountinfo)".into(),
                    "no mount at / in mountinfo".into(),
                ),
                Some(have) => (
                    verdict(have == *ro),
                    format!("/ mounted {}", if have { "ro" } else { "rw" }),
                    "the mount at / from mountinfo".into(),
                ),
            },
        },
        Rule::Seccomp(Profile::Unconfined) => (
            CheckStatus::Pass,
            "-".into(),
            "Unconfined declares no filter: nothing to verify (the seccomp check judges it)".into(),
        ),
        Rule::Seccomp(profile) => match &r.seccomp.mode {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(SeccompMode::Filter) => match &r.syscalls {
                Fact::Unknown(_) => (
                    CheckStatus::Pass,
                    "filter".into(),
                    "a seccomp filter is installed (the syscall probe did not run: which calls it blocks is not verified)".into(),
                ),
                Fact::Known(probe) if matches!(profile, Profile::RuntimeDefault) => {
                    runtime_default_blocks(r, probe)
                }
                Fact::Known(_) => {
                    let (st, ev) =
                        super::checks::judge(CheckId::DangerousSyscallsBlocked, r, p);
                    let applied = match st {
                        CheckStatus::Pass => "filter, dangerous syscalls blocked",
                        CheckStatus::Fail => "filter, dangerous syscalls reachable",
                        CheckStatus::Unknown => "filter, dangerous syscalls unknown",
                    };
                    (st, applied.into(), ev)
                }
            },
            Fact::Known(m) => (
                CheckStatus::Fail,
                match m {
                    SeccompMode::Disabled => "no filter (Seccomp: 0)".into(),
                    _ => "strict mode, not a filter".into(),
                },
                "Seccomp: from /proc/self/status".into(),
            ),
        },
        Rule::AppArmor(Profile::Unconfined) => (
            CheckStatus::Pass,
            "-".into(),
            "Unconfined declares no profile: nothing to verify (the mac_enforced check judges it)"
                .into(),
        ),
        Rule::AppArmor(profile) => match &r.lsm.label {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(LsmLabel::AppArmor(a)) => {
                let enforce = a.mode == AppArmorMode::Enforce;
                let named = match profile {
                    Profile::Localhost(n) => &a.profile == n,
                    _ => a.profile != "unconfined",
                };
                (
                    verdict(enforce && named),
                    apparmor_label(a),
                    format!("AppArmor label from {}", r.lsm.label_source),
                )
            }
            Fact::Known(other) => (
                CheckStatus::Fail,
                lsm_name(other),
                "no AppArmor label: the profile is not applied".into(),
            ),
        },
        Rule::SelinuxType(want) | Rule::SelinuxLevel(want) => match &r.lsm.label {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(LsmLabel::Selinux(c)) => {
                let have = if matches!(rule, Rule::SelinuxType(_)) {
                    c.type_.clone()
                } else {
                    c.level.clone().unwrap_or_default()
                };
                (
                    verdict(&have == want),
                    have,
                    format!("SELinux context {}", c.context),
                )
            }
            Fact::Known(other) => (
                CheckStatus::Fail,
                lsm_name(other),
                "no SELinux label: the options are not applied".into(),
            ),
        },
        Rule::HostNetwork(b) => via_check(CheckId::NoHostNetwork, *b, r, p, "host network"),
        Rule::HostPid(b) => via_check(CheckId::NoHostPid, *b, r, p, "host pid namespace"),
        Rule::HostIpc(b) => via_check(CheckId::NoHostIpc, *b, r, p, "host ipc namespace"),
        Rule::HostUsers(b) => match &r.user_namespace.initial {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(initial) => (
                verdict(initial == b),
                if *initial {
                    "host user namespace".into()
                } else {
                    "own user namespace".into()
                },
                "the user namespace's inode".into(),
            ),
        },
        Rule::ProcMountDefault(masked) => match &r.mounts {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(m) => {
                let exposed: Vec<&str> = m
                    .masked_paths
                    .iter()
                    .filter(|x| x.state == MaskState::Exposed)
                    .map(|x| x.path)
                    .collect();
                let applied = if exposed.is_empty() {
                    "masked".to_string()
                } else {
                    format!("unmasked {}", exposed.join(" "))
                };
                (
                    verdict(exposed.is_empty() == *masked),
                    applied,
                    "the runtime's masked paths in mountinfo".into(),
                )
            }
        },
        Rule::MemoryLimit(bytes) => match &r.cgroups {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(c) => match &c.memory {
                Fact::Unknown(u) => unknown_of(u),
                Fact::Known(l) => {
                    // The kernel keeps memory.max in pages, rounding down:
                    // allow up to 64 KiB (the largest page size) below.
                    let ok = matches!(l, Limit::Value(v) if *v <= *bytes && bytes - v < 65536);
                    (
                        verdict(ok),
                        match l {
                            Limit::Value(v) => show_bytes(*v),
                            other => other.to_string(),
                        },
                        "memory.max (tightest over the cgroup chain), rounded down to a page by the kernel".into(),
                    )
                }
            },
        },
        Rule::CpuLimitMillis(m) => match &r.cgroups {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(c) => match &c.cpu {
                Fact::Unknown(u) => unknown_of(u),
                Fact::Known(l) => {
                    let ok = match l {
                        Limit::Cpu {
                            quota_us,
                            period_us,
                        } => {
                            // kubelet milliCPUToQuota: quota = m * period /
                            // 1000, at least 1000 µs.
                            let want = (m.saturating_mul(*period_us) / 1000).max(1000);
                            quota_us.abs_diff(want) <= (want / 100).max(10)
                        }
                        _ => false,
                    };
                    let applied = match l {
                        Limit::Cpu {
                            quota_us,
                            period_us,
                        } if *period_us > 0 => {
                            format!("{}m ({l})", quota_us.saturating_mul(1000) / period_us)
                        }
                        other => other.to_string(),
                    };
                    (
                        verdict(ok),
                        applied,
                        "cpu.max; the kubelet sets quota = millicores × period / 1000 (at least 1 ms); 1% allowed".into(),
                    )
                }
            },
        },
        Rule::HostPaths(allowed) => match &r.mounts {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(m) => {
                let mut unknown = false;
                let mut extra = Vec::new();
                let mut seen = Vec::new();
                for h in m.host_mounts.iter().filter(|h| h.kind == HostMountKind::HostPath) {
                    match &h.host_path {
                        None => unknown = true,
                        Some(path) => {
                            seen.push(path.clone());
                            let under = allowed.iter().any(|a| {
                                let a = a.trim_end_matches('/');
                                path == a || path.starts_with(&format!("{a}/")) || a.is_empty()
                            });
                            if !under {
                                extra.push(path.clone());
                            }
                        }
                    }
                }
                let applied = format!("[{}]", seen.join(", "));
                if !extra.is_empty() {
                    (
                        CheckStatus::Fail,
                        applied,
                        format!("host paths not declared: {}", extra.join(", ")),
                    )
                } else if unknown || !m.is_complete() {
                    (
                        CheckStatus::Unknown,
                        format!("unknown ({applied} and host mounts whose host path is not known)"),
                        "the mount table is incomplete or a host mount's place on the host is not known".into(),
                    )
                } else {
                    (
                        CheckStatus::Pass,
                        applied,
                        "every host directory bound in is a declared hostPath".into(),
                    )
                }
            }
        },
        Rule::PidsLimit(n) => match &r.cgroups {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(c) => match &c.pids {
                Fact::Unknown(u) => unknown_of(u),
                Fact::Known(l) => (
                    verdict(*l == Limit::Value(*n)),
                    l.to_string(),
                    "pids.max (tightest over the cgroup chain)".into(),
                ),
            },
        },
        Rule::ServiceAccountToken(want) => match &r.service_account_token {
            Fact::Unknown(u) => unknown_of(u),
            Fact::Known(have) => (
                verdict(have == want),
                have.to_string(),
                "whether a service-account token file is present".into(),
            ),
        },
    }
}

/// Bytes as a quantity when exact (`256Mi`), else the number.
fn show_bytes(b: u64) -> String {
    for (unit, shift) in [("Gi", 30), ("Mi", 20), ("Ki", 10)] {
        if b != 0 && b.is_multiple_of(1 << shift) {
            return format!("{}{unit} ({b} bytes)", b >> shift);
        }
    }
    format!("{b} bytes")
}

/// The probed calls that every known runtime's default seccomp profile
/// blocks, each with the capabilities under which some default lets it
/// through. Read from moby's `profiles/seccomp/default.json` (Docker, and
/// containerd's `contrib/seccomp`, which follows it: allowed only with the
/// capability named) and containers-common's `seccomp.json` (Podman and
/// CRI-O: `add_key`/`request_key` not listed, the others allowed only with
/// those capabilities or not at all). The rest of the probe's list is let
/// through by at least one default (Podman's allows `unshare`, `mount`,
/// `setns`, `keyctl`, `ptrace` and `clone` with namespace flags; Docker
/// 20.10's allows `ptrace` and `io_uring_setup`), so reaching them is what
/// `RuntimeDefault` means there, not drift: the `dangerous_syscalls_blocked`
/// check judges them.
const BLOCKED_BY_EVERY_DEFAULT: &[(Syscall, &[Capability])] = &[
    (Syscall::AddKey, &[]),
    (Syscall::RequestKey, &[]),
    (
        Syscall::Bpf,
        &[Capability::CAP_SYS_ADMIN, Capability::CAP_BPF],
    ),
    (
        Syscall::PerfEventOpen,
        &[Capability::CAP_SYS_ADMIN, Capability::CAP_PERFMON],
    ),
    (Syscall::Userfaultfd, &[Capability::CAP_SYS_PTRACE]),
    (Syscall::OpenByHandleAt, &[Capability::CAP_DAC_READ_SEARCH]),
    (Syscall::InitModule, &[Capability::CAP_SYS_MODULE]),
    (Syscall::FinitModule, &[Capability::CAP_SYS_MODULE]),
    (Syscall::KexecLoad, &[Capability::CAP_SYS_BOOT]),
    (Syscall::KexecFileLoad, &[Capability::CAP_SYS_BOOT]),
    (Syscall::Swapon, &[Capability::CAP_SYS_ADMIN]),
];

/// `seccompProfile: RuntimeDefault` with the probe's answers: a filter that
/// blocks what every runtime's default blocks for a container holding this
/// bounding set ([`BLOCKED_BY_EVERY_DEFAULT`]).
fn runtime_default_blocks(r: &Report, probe: &SyscallProbe) -> Out {
    let bounding = match &r.capabilities.bounding {
        Fact::Known(b) => *b,
        Fact::Unknown(u) => return unknown_of(u),
    };
    let expected: Vec<Syscall> = BLOCKED_BY_EVERY_DEFAULT
        .iter()
        .filter(|(_, unlock)| !unlock.iter().any(|c| bounding.contains(*c)))
        .map(|(sc, _)| *sc)
        .collect();
    let names = |v: &[Syscall]| v.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
    let mut reachable = Vec::new();
    let mut undecided = Vec::new();
    for sc in &expected {
        match probe.outcome(*sc) {
            Some(Outcome::Blocked { .. } | Outcome::Killed { .. }) => {}
            Some(Outcome::Reachable { .. }) => reachable.push(*sc),
            _ => undecided.push(*sc),
        }
    }
    if !reachable.is_empty() {
        return (
            CheckStatus::Fail,
            format!("filter, {} reachable", names(&reachable)),
            format!(
                "every runtime's default profile blocks {} for this bounding set; the installed filter lets {} through",
                names(&expected),
                names(&reachable)
            ),
        );
    }
    if !undecided.is_empty() {
        return (
            CheckStatus::Unknown,
            "filter, unknown".into(),
            format!("the probe could not decide {}", names(&undecided)),
        );
    }
    (
        CheckStatus::Pass,
        "filter".into(),
        format!(
            "a seccomp filter blocks {}, as every runtime's default does for this bounding set (which other calls it lets through differs per runtime: the dangerous_syscalls_blocked check judges them)",
            names(&expected)
        ),
    )
}

/// An AppArmor label as the kernel prints it in `attr/current`:
/// `profile (mode)`, but the bare `unconfined` for the unconfined profile
/// (not `unconfined (unconfined)`).
fn apparmor_label(a: &AppArmor) -> String {
    if a.profile == "unconfined" && a.mode == AppArmorMode::Unconfined {
        a.profile.clone()
    } else {
        format!("{} ({})", a.profile, a.mode.as_str())
    }
}

fn lsm_name(l: &LsmLabel) -> String {
    match l {
        LsmLabel::AppArmor(a) => format!("AppArmor {}", apparmor_label(a)),
        LsmLabel::Selinux(c) => format!("SELinux {}", c.context),
        LsmLabel::Other { label } => label.clone(),
        LsmLabel::None { .. } => "no LSM label".into(),
    }
}

/// The union of the three sets that say what the container holds, or the
/// first unknown among them.
fn held(r: &Report) -> Result<(CapSet, CapSet), Out> {
    let c = &r.capabilities;
    let get = |f: &Fact<CapSet>| match f {
        Fact::Known(s) => Ok(*s),
        Fact::Unknown(u) => Err(unknown_of(u)),
    };
    let bounding = get(&c.bounding)?;
    let all = bounding.union(get(&c.effective)?).union(get(&c.permitted)?);
    Ok((bounding, all))
}

fn caps_add(add: &[String], drop: &[String], r: &Report) -> Out {
    let (bounding, all) = match held(r) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (add_set, _) = cap_set(add);
    let (drop_set, drop_all) = cap_set(drop);
    let default = runtime_default_capabilities(r.runtime.kind);
    let allowed = if drop_all {
        add_set
    } else {
        default.without(drop_set).union(add_set)
    };
    let missing = add_set.without(bounding);
    let extra = all.without(allowed);
    let applied = bounding.names().join(" ");
    let applied = if applied.is_empty() {
        "none".into()
    } else {
        applied
    };
    let base = if drop_all {
        "drop [ALL]: only what add names".to_string()
    } else {
        format!(
            "{} default set ({} capabilities) minus drop, plus add",
            r.runtime.kind.as_str(),
            default.len()
        )
    };
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!(
            "added but not in the bounding set: {}",
            missing.names().join(" ")
        ));
    }
    if !extra.is_empty() {
        why.push(format!("held beyond {base}: {}", extra.names().join(" ")));
    }
    if why.is_empty() {
        (
            CheckStatus::Pass,
            applied,
            format!(
                "bounding, effective and permitted sets within {base}; every added one in the bounding set"
            ),
        )
    } else {
        (CheckStatus::Fail, applied, why.join("; "))
    }
}

fn caps_drop(drop: &[String], r: &Report) -> Out {
    let (bounding, all) = match held(r) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (drop_set, drop_all) = cap_set(drop);
    let applied = if bounding.is_empty() {
        "none".to_string()
    } else {
        bounding.names().join(" ")
    };
    if drop_all {
        // What add names is judged by the add expectation.
        return (
            CheckStatus::Pass,
            applied,
            "drop [ALL]: what remains is judged against capabilities.add".into(),
        );
    }
    let kept = all.without(all.without(drop_set));
    if kept.is_empty() {
        (
            CheckStatus::Pass,
            applied,
            "no dropped capability in the bounding, effective or permitted set".into(),
        )
    } else {
        (
            CheckStatus::Fail,
            applied,
            format!("dropped but held: {}", kept.names().join(" ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Option<Report> {
        let dir = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::path::Path::new(&dir)
            .exists()
            .then(|| crate::posture_with_root(&crate::Root::fixture(&dir)))
    }

    fn status(rule: Rule, r: &Report) -> (CheckStatus, String) {
        let e = Expectation {
            field: "f".into(),
            rule,
        };
        let j = judge(&e, r, &Policy::default());
        (j.status, j.applied)
    }

    #[test]
    fn lsm_profiles_and_labels() {
        let Some(aa) = fixture("hostpath-volume") else {
            return;
        };
        let p = |n: &str| Rule::AppArmor(Profile::Localhost(n.into()));
        assert_eq!(
            status(p("cri-containerd.apparmor.d"), &aa).0,
            CheckStatus::Pass
        );
        assert_eq!(
            status(p("other"), &aa),
            (
                CheckStatus::Fail,
                "cri-containerd.apparmor.d (enforce)".into()
            )
        );
        assert_eq!(
            status(Rule::AppArmor(Profile::RuntimeDefault), &aa).0,
            CheckStatus::Pass
        );
        // Unconfined (a QEMU guest's `apparmor=unconfined`): applied is
        // the kernel's own `unconfined`.
        let unconfined = fixture("guest-6.12-apparmor-unconfined").unwrap();
        assert_eq!(
            status(Rule::AppArmor(Profile::RuntimeDefault), &unconfined),
            (CheckStatus::Fail, "unconfined".into())
        );
        // A node without AppArmor: the profile was not applied.
        let none = fixture("podman-default").unwrap();
        assert_eq!(
            status(Rule::AppArmor(Profile::RuntimeDefault), &none).0,
            CheckStatus::Fail
        );
        let se = fixture("selinux-container-t").unwrap();
        assert_eq!(
            status(Rule::SelinuxType("container_t".into()), &se).0,
            CheckStatus::Pass
        );
        assert_eq!(
            status(Rule::SelinuxLevel("s0:c1,c2".into()), &se),
            (CheckStatus::Fail, "s0:c123,c456".into())
        );
    }

    #[test]
    fn host_paths_only_those_declared() {
        let Some(r) = fixture("hostpath-volume") else {
            return;
        };
        assert_eq!(
            status(Rule::HostPaths(vec!["/data".into()]), &r),
            (CheckStatus::Pass, "[/data/x]".into())
        );
        assert_eq!(
            status(Rule::HostPaths(vec!["/srv".into()]), &r).0,
            CheckStatus::Fail
        );
        // A prefix that is not a parent directory is not the path.
        assert_eq!(
            status(Rule::HostPaths(vec!["/data/x2".into(), "/dat".into()]), &r).0,
            CheckStatus::Fail
        );
    }

    #[test]
    fn limits_allow_for_rounding_only() {
        let Some(r) = fixture("podman-limits") else {
            return;
        };
        let mib = 1u64 << 20;
        assert_eq!(
            status(Rule::MemoryLimit(256 * mib), &r).0,
            CheckStatus::Pass
        );
        // Declared a few bytes above what the kernel keeps in pages.
        assert_eq!(
            status(Rule::MemoryLimit(256 * mib + 100), &r).0,
            CheckStatus::Pass
        );
        assert_eq!(
            status(Rule::MemoryLimit(512 * mib), &r).0,
            CheckStatus::Fail
        );
        assert_eq!(
            status(Rule::MemoryLimit(128 * mib), &r).0,
            CheckStatus::Fail
        );
        assert_eq!(status(Rule::CpuLimitMillis(500), &r).0, CheckStatus::Pass);
        assert_eq!(status(Rule::CpuLimitMillis(1000), &r).0, CheckStatus::Fail);
        let unlimited = fixture("podman-default").unwrap();
        assert_eq!(
            status(Rule::MemoryLimit(256 * mib), &unlimited),
            (CheckStatus::Fail, "max".into())
        );
    }

    /// A probe answer per syscall: the listed ones reachable (the kernel
    /// answered EINVAL), the rest blocked by the filter with ENOSYS.
    fn probe_reaching(reach: &[Syscall]) -> SyscallProbe {
        use crate::report::{BlockedBy, Creation, Errno, SyscallResult, UserNamespaces};
        SyscallProbe {
            arch: "x86_64",
            filter: Fact::Known(true),
            results: Syscall::ALL
                .iter()
                .map(|&syscall| SyscallResult {
                    syscall,
                    outcome: if reach.contains(&syscall) {
                        Outcome::Reachable {
                            errno: Some(Errno::new(crate::sys::abi::EINVAL)),
                        }
                    } else {
                        Outcome::Blocked {
                            errno: Errno::new(crate::sys::ENOSYS),
                            by: BlockedBy::Filter,
                            note: None,
                        }
                    },
                })
                .collect(),
            user_namespaces: UserNamespaces {
                max_user_namespaces: Fact::Known(0),
                attempt: Creation::Unknown {
                    reason: "test".into(),
                },
                can_create: Fact::Known(false),
            },
            children: 1,
            seccomp_mode: Fact::Known(SeccompMode::Filter),
        }
    }

    #[test]
    fn runtime_default_means_what_every_default_blocks() {
        let Some(base) = fixture("podman-default") else {
            return;
        };
        let rd = || Rule::Seccomp(Profile::RuntimeDefault);
        // Podman's default lets unshare, mount, setns, keyctl, ptrace
        // through: RuntimeDefault as declared, not drift.
        let podman_like = [
            Syscall::Unshare,
            Syscall::Clone,
            Syscall::Setns,
            Syscall::Mount,
            Syscall::Keyctl,
            Syscall::Ptrace,
        ];
        let r = base.clone().with_syscalls(probe_reaching(&podman_like));
        assert_eq!(status(rd(), &r), (CheckStatus::Pass, "filter".into()));
        // The dangerous_syscalls_blocked check still fails on them.
        assert_eq!(
            crate::policy::checks::judge(CheckId::DangerousSyscallsBlocked, &r, &Policy::default())
                .0,
            CheckStatus::Fail
        );
        // A filter that lets bpf and add_key through is no runtime's
        // default (podman-default's bounding set has no CAP_SYS_ADMIN or
        // CAP_BPF).
        let r = base
            .clone()
            .with_syscalls(probe_reaching(&[Syscall::Bpf, Syscall::AddKey]));
        let (st, applied) = status(rd(), &r);
        assert_eq!(st, CheckStatus::Fail);
        assert_eq!(applied, "filter, add_key, bpf reachable");
        // With CAP_SYS_ADMIN in the bounding set, Docker's default lets
        // bpf and swapon through: not expected blocked then; add_key is.
        let mut admin = base.clone();
        if let Fact::Known(b) = &mut admin.capabilities.bounding {
            *b = b.union(CapSet::from_iter([Capability::CAP_SYS_ADMIN]));
        }
        let r = admin
            .clone()
            .with_syscalls(probe_reaching(&[Syscall::Bpf, Syscall::Swapon]));
        assert_eq!(status(rd(), &r).0, CheckStatus::Pass);
        let r = admin.with_syscalls(probe_reaching(&[Syscall::AddKey]));
        assert_eq!(status(rd(), &r).0, CheckStatus::Fail);
        // Localhost keeps the stricter rule: the dangerous calls blocked.
        let r = base.with_syscalls(probe_reaching(&podman_like));
        assert_eq!(
            status(Rule::Seccomp(Profile::Localhost("p.json".into())), &r).0,
            CheckStatus::Fail
        );
    }

    #[test]
    fn an_unknown_fact_is_never_a_pass() {
        let Some(mut r) = fixture("k8s-restricted") else {
            return;
        };
        r.identity.uid = Fact::unknown("/proc/self/status", "gone");
        r.capabilities.bounding = Fact::unknown("/proc/self/status", "gone");
        r.seccomp.mode = Fact::unknown("/proc/self/status", "gone");
        r.mounts = Fact::unknown("/proc/self/mountinfo", "gone");
        for rule in [
            Rule::Uid(1000),
            Rule::NonRoot(true),
            Rule::CapabilitiesAdd {
                add: vec![],
                drop: vec!["ALL".into()],
            },
            Rule::CapabilitiesDrop(vec!["CAP_NET_RAW".into()]),
            Rule::Seccomp(Profile::RuntimeDefault),
            Rule::ReadOnlyRootFilesystem(true),
            Rule::HostPaths(vec!["/x".into()]),
            Rule::ProcMountDefault(true),
        ] {
            let (st, applied) = status(rule.clone(), &r);
            assert_eq!(st, CheckStatus::Unknown, "{rule:?}");
            assert!(applied.starts_with("unknown ("), "{rule:?}: {applied}");
        }
    }

    #[test]
    fn capabilities_against_each_runtime_default() {
        let Some(docker) = fixture("docker-default") else {
            return;
        };
        // Docker's 14 with nothing dropped: as declared; dropping NET_RAW
        // that is still held is drift in drop.
        let add = |add: &[&str], drop: &[&str]| Rule::CapabilitiesAdd {
            add: add.iter().map(|s| s.to_string()).collect(),
            drop: drop.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(status(add(&[], &[]), &docker).0, CheckStatus::Pass);
        assert_eq!(
            status(Rule::CapabilitiesDrop(vec!["CAP_NET_RAW".into()]), &docker).0,
            CheckStatus::Fail
        );
        // NET_RAW dropped: then held beyond what the default leaves.
        assert_eq!(
            status(add(&[], &["CAP_NET_RAW"]), &docker).0,
            CheckStatus::Fail
        );
        // An added capability not in the bounding set is drift too.
        assert_eq!(
            status(add(&["CAP_SYS_ADMIN"], &[]), &docker).0,
            CheckStatus::Fail
        );
        // Podman's 11: Docker's extra MKNOD, NET_RAW, AUDIT_WRITE are not
        // in it; a Docker-shaped container detected as podman would drift.
        let podman = fixture("podman-default").unwrap();
        assert_eq!(status(add(&[], &[]), &podman).0, CheckStatus::Pass);
        assert_eq!(runtime_default_capabilities(RuntimeKind::Podman).len(), 11);
        assert_eq!(runtime_default_capabilities(RuntimeKind::CriO).len(), 9);
        assert_eq!(
            runtime_default_capabilities(RuntimeKind::Kubernetes).len(),
            14
        );
        assert!(
            runtime_default_capabilities(RuntimeKind::Docker)
                .is_superset(runtime_default_capabilities(RuntimeKind::Podman))
        );
    }
}

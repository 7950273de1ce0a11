//! The published controls each check covers (private module: its items are
//! re-exported by `policy`; the user docs are on [`CheckId::controls`]).

use std::str::FromStr;

use crate::policy::CheckId;

/// A published set of controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum Framework {
    /// CIS Docker Benchmark v1.6.0 (June 2023). Ids are item numbers (`5.26`).
    #[cfg_attr(feature = "serde", serde(rename = "cis_docker_1.6.0"))]
    CisDocker160,
    /// Kubernetes Pod Security Standards as of Kubernetes v1.33. Ids are Pod
    /// Security Admission's check ids (`allowPrivilegeEscalation`).
    #[cfg_attr(feature = "serde", serde(rename = "k8s_pss_1.33"))]
    PodSecurityStandards,
    /// NSA/CISA Kubernetes Hardening Guide v1.2 (August 2022). Ids are
    /// section headings (`Immutable container file systems`).
    #[cfg_attr(feature = "serde", serde(rename = "nsa_cisa_k8s_1.2"))]
    NsaCisaK8sHardening,
}

/// A framework name that is none of [`Framework::ALL`].
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no control framework named {name:?} (known: cis_docker_1.6.0, k8s_pss_1.33, nsa_cisa_k8s_1.2)"
)]
pub struct UnknownFramework {
    /// The name given.
    pub name: String,
}

debug_is_display!(UnknownFramework);

impl Framework {
    /// Every framework, in the order checks list their controls.
    pub const ALL: [Framework; 3] = [
        Framework::CisDocker160,
        Framework::PodSecurityStandards,
        Framework::NsaCisaK8sHardening,
    ];

    /// The stable snake_case name JSON and metrics use; it carries the
    /// version, so a later edition of a framework is a new name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Framework::CisDocker160 => "cis_docker_1.6.0",
            Framework::PodSecurityStandards => "k8s_pss_1.33",
            Framework::NsaCisaK8sHardening => "nsa_cisa_k8s_1.2",
        }
    }

    /// A short name with the edition, for one-line listings
    /// ([`crate::render::controls_line`]).
    pub(crate) fn short_title(self) -> &'static str {
        match self {
            Framework::CisDocker160 => "CIS Docker 1.6.0",
            Framework::PodSecurityStandards => "PSS v1.33",
            Framework::NsaCisaK8sHardening => "NSA/CISA v1.2",
        }
    }
}

display_by!(as_str: Framework);

impl FromStr for Framework {
    type Err = UnknownFramework;
    fn from_str(s: &str) -> Result<Framework, UnknownFramework> {
        Framework::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFramework {
                name: s.to_string(),
            })
    }
}

/// One control of a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Control {
    /// Which framework.
    pub framework: Framework,
    /// The control's id in it: a CIS item number, a Pod Security Admission
    /// check id, an NSA/CISA section heading.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
}

const fn cis(id: &'static str, title: &'static str) -> Control {
    Control {
        framework: Framework::CisDocker160,
        id,
        title,
    }
}

const fn pss(id: &'static str, title: &'static str) -> Control {
    Control {
        framework: Framework::PodSecurityStandards,
        id,
        title,
    }
}

const fn nsa(id: &'static str, title: &'static str) -> Control {
    Control {
        framework: Framework::NsaCisaK8sHardening,
        id,
        title,
    }
}

// CIS Docker Benchmark v1.6.0.
const CIS_2_9: Control = cis("2.9", "Enable user namespace support");
const CIS_4_1: Control = cis(
    "4.1",
    "Ensure that a user for the container has been created",
);
const CIS_5_2: Control = cis(
    "5.2",
    "Ensure that, if applicable, an AppArmor Profile is enabled",
);
const CIS_5_3: Control = cis(
    "5.3",
    "Ensure that, if applicable, SELinux security options are set",
);
const CIS_5_4: Control = cis(
    "5.4",
    "Ensure that Linux kernel capabilities are restricted within containers",
);
const CIS_5_5: Control = cis("5.5", "Ensure that privileged containers are not used");
const CIS_5_6: Control = cis(
    "5.6",
    "Ensure sensitive host system directories are not mounted on containers",
);
const CIS_5_10: Control = cis(
    "5.10",
    "Ensure that the host's network namespace is not shared",
);
const CIS_5_11: Control = cis(
    "5.11",
    "Ensure that the memory usage for containers is limited",
);
const CIS_5_13: Control = cis(
    "5.13",
    "Ensure that the container's root filesystem is mounted as read only",
);
const CIS_5_16: Control = cis(
    "5.16",
    "Ensure that the host's process namespace is not shared",
);
const CIS_5_17: Control = cis("5.17", "Ensure that the host's IPC namespace is not shared");
const CIS_5_21: Control = cis("5.21", "Ensure that the host's UTS namespace is not shared");
const CIS_5_22: Control = cis("5.22", "Ensure the default seccomp profile is not Disabled");
const CIS_5_26: Control = cis(
    "5.26",
    "Ensure that the container is restricted from acquiring additional privileges",
);
const CIS_5_29: Control = cis("5.29", "Ensure that the PIDs cgroup limit is used");
const CIS_5_31: Control = cis(
    "5.31",
    "Ensure that the host's user namespaces are not shared",
);
const CIS_5_32: Control = cis(
    "5.32",
    "Ensure that the Docker socket is not mounted inside any containers",
);

// Pod Security Standards (Kubernetes v1.33).
const PSS_HOST_NAMESPACES: Control = pss("hostNamespaces", "Host Namespaces (baseline)");
const PSS_PRIVILEGED: Control = pss("privileged", "Privileged Containers (baseline)");
const PSS_CAPABILITIES_BASELINE: Control = pss("capabilities_baseline", "Capabilities (baseline)");
const PSS_HOST_PATH: Control = pss("hostPathVolumes", "HostPath Volumes (baseline)");
const PSS_APPARMOR: Control = pss("appArmorProfile", "AppArmor (baseline)");
const PSS_SELINUX: Control = pss("seLinuxOptions", "SELinux (baseline)");
const PSS_PROC_MOUNT: Control = pss("procMount", "/proc Mount Type (baseline)");
const PSS_SECCOMP_BASELINE: Control = pss("seccompProfile_baseline", "Seccomp (baseline)");
const PSS_VOLUME_TYPES: Control = pss("restrictedVolumes", "Volume Types (restricted)");
const PSS_PRIVILEGE_ESCALATION: Control = pss(
    "allowPrivilegeEscalation",
    "Privilege Escalation (restricted)",
);
const PSS_RUN_AS_NON_ROOT: Control = pss("runAsNonRoot", "Running as Non-root (restricted)");
const PSS_RUN_AS_USER: Control = pss("runAsUser", "Running as Non-root user (restricted)");
const PSS_SECCOMP_RESTRICTED: Control = pss("seccompProfile_restricted", "Seccomp (restricted)");
const PSS_CAPABILITIES_RESTRICTED: Control =
    pss("capabilities_restricted", "Capabilities (restricted)");

// NSA/CISA Kubernetes Hardening Guide v1.2.
const NSA_NON_ROOT: Control = nsa(
    "\"Non-root\" containers and \"rootless\" container engines",
    "Kubernetes Pod security > \"Non-root\" containers and \"rootless\" container engines",
);
const NSA_IMMUTABLE: Control = nsa(
    "Immutable container file systems",
    "Kubernetes Pod security > Immutable container file systems",
);
const NSA_ENFORCEMENT: Control = nsa(
    "Pod security enforcement",
    "Kubernetes Pod security > Pod security enforcement",
);
const NSA_SA_TOKENS: Control = nsa(
    "Protecting Pod service account tokens",
    "Kubernetes Pod security > Protecting Pod service account tokens",
);
const NSA_RESOURCE_POLICIES: Control = nsa(
    "Resource policies",
    "Network separation and hardening > Resource policies",
);

impl CheckId {
    /// The controls this check covers, CIS Docker first, then the Pod
    /// Security Standards, then the NSA/CISA guide.
    ///
    /// The published controls each check covers: items of the CIS Docker
    /// Benchmark v1.6.0, controls of the Kubernetes Pod Security Standards (as of
    /// Kubernetes v1.33, the version the `pss-*` presets follow) and sections of
    /// the NSA/CISA Kubernetes Hardening Guide v1.2 (August 2022).
    ///
    /// A check *covers* a control when a pass of the check is evidence that the
    /// control is met for this process. A check lists no control of a framework
    /// that has none for what it judges: `no_service_account_token` names no CIS
    /// Docker item and no Pod Security Standards control, because neither has
    /// one; `proc_trusted` (is `/proc` the kernel's procfs) is the precondition
    /// for trusting every other check and is a control of no framework, so it
    /// lists none.
    ///
    /// Part of the policy stage (parse -> probe -> Report -> **policy** ->
    /// render): data only, no I/O.
    ///
    /// ```
    /// use posture::policy::CheckId;
    /// use posture::policy::Framework;
    /// let cis: Vec<&str> = CheckId::NoNewPrivs
    ///     .controls()
    ///     .iter()
    ///     .filter(|c| c.framework == Framework::CisDocker160)
    ///     .map(|c| c.id)
    ///     .collect();
    /// assert_eq!(cis, ["5.26"]);
    /// ```
    ///
    /// # Sources
    ///
    /// - **CIS Docker Benchmark v1.6.0** (06-14-2023). Item numbers and titles
    ///   as in docker-bench-security after its pull request 546 ("Update check ID
    ///   … (v1.6.0 - 06-14-2023)", commit 958f5fa, which moved "Ensure swarm mode
    ///   is not Enabled" from 7.1 to 5.1 and so renumbered section 5 by one:
    ///   `tests/5_container_runtime.sh`, `tests/4_container_images.sh`,
    ///   `tests/2_docker_daemon_configuration.sh`), and identically in Turbot's
    ///   steampipe-mod-docker-compliance `cis_v160/section_{2,4,5}.pp`. The
    ///   docker-bench-security `v1.6.0` tag predates that correction and is one
    ///   off in section 5 (it numbers the Docker socket 5.31); it is not used.
    ///   The "(Automated)"/"(Manual)" suffix of each title is left out.
    /// - **Pod Security Standards**, <https://kubernetes.io/docs/concepts/security/pod-security-standards/>:
    ///   the control names of its Baseline and Restricted tables. The id is the
    ///   check id Pod Security Admission gives the control in
    ///   `k8s.io/pod-security-admission/policy` (tag `v0.33.9`, Kubernetes
    ///   v1.33): `hostNamespaces`, `privileged`, `capabilities_baseline`, …;
    ///   the title is the control's name on the page with its profile.
    /// - **NSA/CISA Kubernetes Hardening Guide**, version 1.2, August 2022
    ///   (`CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF`). The guide does
    ///   not number its sections; the id is the section heading, the title its
    ///   place in the guide (`Kubernetes Pod security > …`). Version 1.2 names
    ///   "Pod security enforcement" what 1.0 called "Pod Security Policies";
    ///   its table of Pod security fields (privileged, hostPID/hostIPC,
    ///   hostNetwork, allowedHostPaths, readOnlyRootFilesystem, runAsUser…,
    ///   allowPrivilegeEscalation, seLinux, AppArmor, seccomp) is what the
    ///   mappings to that section cite.
    pub fn controls(self) -> &'static [Control] {
        match self {
            CheckId::NonRoot => &[CIS_4_1, PSS_RUN_AS_NON_ROOT, PSS_RUN_AS_USER, NSA_NON_ROOT],
            CheckId::CapabilitiesDropped => &[
                CIS_5_4,
                PSS_CAPABILITIES_BASELINE,
                PSS_CAPABILITIES_RESTRICTED,
            ],
            CheckId::Seccomp => &[
                CIS_5_22,
                PSS_SECCOMP_BASELINE,
                PSS_SECCOMP_RESTRICTED,
                NSA_ENFORCEMENT,
            ],
            CheckId::MacEnforced => &[CIS_5_2, CIS_5_3, PSS_APPARMOR, PSS_SELINUX, NSA_ENFORCEMENT],
            CheckId::ReadOnlyRootfs => &[CIS_5_13, NSA_IMMUTABLE, NSA_ENFORCEMENT],
            CheckId::NoNewPrivs => &[CIS_5_26, PSS_PRIVILEGE_ESCALATION, NSA_ENFORCEMENT],
            CheckId::NotPrivileged => &[CIS_5_5, PSS_PRIVILEGED, NSA_ENFORCEMENT],
            // Rootless engines: "execution is remapped to the engine's user
            // context on the host", what this check verifies.
            CheckId::UsernsRemap => &[CIS_2_9, CIS_5_31, NSA_NON_ROOT],
            // In Kubernetes a runtime socket comes in through a hostPath
            // volume; the guide's allowedHostPaths row limits those.
            CheckId::NoRuntimeSocket => &[CIS_5_32, PSS_HOST_PATH, NSA_ENFORCEMENT],
            CheckId::NoHostPid => &[CIS_5_16, PSS_HOST_NAMESPACES, NSA_ENFORCEMENT],
            CheckId::NoHostIpc => &[CIS_5_17, PSS_HOST_NAMESPACES, NSA_ENFORCEMENT],
            CheckId::NoHostNetwork => &[CIS_5_10, PSS_HOST_NAMESPACES, NSA_ENFORCEMENT],
            // The Pod Security Standards' host namespaces are network, pid
            // and ipc only (a pod spec has no hostUTS), and the guide's table
            // names hostPID, hostIPC and hostNetwork.
            CheckId::NoHostUts => &[CIS_5_21],
            CheckId::NoSensitiveMounts => {
                &[CIS_5_6, PSS_HOST_PATH, PSS_PROC_MOUNT, NSA_ENFORCEMENT]
            }
            // Stricter than CIS 5.6 (any host path, not only sensitive ones).
            CheckId::NoHostPath => &[CIS_5_6, PSS_HOST_PATH, PSS_VOLUME_TYPES, NSA_ENFORCEMENT],
            CheckId::ResourceLimits => &[CIS_5_11, CIS_5_29, NSA_RESOURCE_POLICIES],
            CheckId::NoServiceAccountToken => &[NSA_SA_TOKENS],
            CheckId::ProcTrusted => &[],
            // What a filter blocks, beyond whether one is installed. The Pod
            // Security Standards admit RuntimeDefault, which lets some of
            // these calls through, so this check covers none of their
            // controls; the guide asks for a profile that blocks every
            // syscall the application does not need.
            CheckId::DangerousSyscallsBlocked => &[CIS_5_22, NSA_ENFORCEMENT],
        }
    }
}

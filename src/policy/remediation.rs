//! How to fix each check: the `docker run` / `podman run` flags, the
//! Kubernetes field and, where one exists, the Dockerfile line.
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render): data only, no I/O.

use std::fmt;

use super::CheckId;

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

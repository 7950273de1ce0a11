//! The report's runtime section: which container runtime (if any) started
//! this process, how sure, and the evidence. Types only; the detection is in
//! `infer::runtime`.

/// A container runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RuntimeKind {
    /// Docker Engine.
    Docker,
    /// Podman.
    Podman,
    /// containerd (directly, or under Kubernetes).
    Containerd,
    /// CRI-O (Kubernetes). Serialized as `crio`.
    #[cfg_attr(feature = "serde", serde(rename = "crio"))]
    CriO,
    /// LXC / LXD / Incus.
    Lxc,
    /// systemd-nspawn.
    SystemdNspawn,
    /// gVisor (runsc): a user-space kernel.
    Gvisor,
    /// Kata Containers (or another runtime that puts each container in a
    /// virtual machine): the kernel seen is the guest's.
    Kata,
    /// sysbox-runc: system containers with an emulated `/proc/sys`.
    Sysbox,
    /// OpenVZ / Virtuozzo: a kernel that virtualises namespaces itself.
    Openvz,
    /// Kubernetes, with the runtime underneath not identified.
    Kubernetes,
    /// Not in a container: the host's own namespaces.
    None,
    /// In a container (some namespace is not the host's), runtime unidentified.
    Unknown,
}

display_by!(as_str: RuntimeKind);

impl RuntimeKind {
    /// Whether the process runs on a kernel other than the host's (gVisor's
    /// user-space kernel, a Kata guest): the namespaces it sees, initial or
    /// not, are that kernel's, never the host's.
    pub fn own_kernel(self) -> bool {
        matches!(self, RuntimeKind::Gvisor | RuntimeKind::Kata)
    }

    /// Lower-case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RuntimeKind::Docker => "docker",
            RuntimeKind::Podman => "podman",
            RuntimeKind::Containerd => "containerd",
            RuntimeKind::CriO => "cri-o",
            RuntimeKind::Lxc => "lxc",
            RuntimeKind::SystemdNspawn => "systemd-nspawn",
            RuntimeKind::Gvisor => "gvisor",
            RuntimeKind::Kata => "kata",
            RuntimeKind::Sysbox => "sysbox",
            RuntimeKind::Openvz => "openvz",
            RuntimeKind::Kubernetes => "kubernetes",
            RuntimeKind::None => "none",
            RuntimeKind::Unknown => "unknown",
        }
    }
}

/// One observation pointing at a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RuntimeSignal {
    /// Where it was seen (a file).
    pub source: String,
    /// What was seen.
    pub observed: String,
    /// What it points at.
    pub indicates: RuntimeKind,
    /// Whether the container's image or environment could fake it.
    pub spoofable: bool,
}

/// How sure the verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Confidence {
    /// Backed by a signal the container cannot fake.
    Strong,
    /// Backed only by signals the image or environment could fake.
    Spoofable,
    /// Inferred from namespaces alone.
    Inferred,
}

/// The runtime verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Runtime {
    /// The runtime.
    pub kind: RuntimeKind,
    /// Whether Kubernetes manages the container (any signal).
    pub kubernetes: bool,
    /// How sure.
    pub confidence: Confidence,
    /// Every signal seen, strong ones first.
    pub signals: Vec<RuntimeSignal>,
}

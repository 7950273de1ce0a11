//! The report's host-network section: whether the process shares the host's
//! network namespace, what decided it, and the contents signals seen. Types
//! only; the judgement is in `infer::network`.

use crate::fact::Fact;

/// How strongly a signal decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Strength {
    /// Decides on its own.
    Strong,
    /// Reported, never decides.
    Weak,
}

display_by!(as_str: Strength);

impl Strength {
    /// snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Weak => "weak",
        }
    }
}

/// What decided [`HostNetwork::initial`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum NetMethod {
    /// The namespace inode against the fixed initial inode (Linux 6.18+), or
    /// an inode no Linux host namespace can have.
    Inode,
    /// `SO_NETNS_COOKIE` (Linux 5.14 to 6.17).
    NetnsCookie,
    /// What the namespace holds (interfaces, sockets).
    Contents,
}

/// One observation about the network namespace's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct NetSignal {
    /// The file it was seen in.
    pub source: String,
    /// What was seen.
    pub observed: String,
    /// True when it points at the host's namespace, false when away from it.
    pub host: bool,
    /// How strongly it decides.
    pub strength: Strength,
}

/// The network namespace verdict and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct HostNetwork {
    /// Whether this is the host's initial network namespace.
    pub initial: Fact<bool>,
    /// What decided it (`None` when nothing did).
    pub decided_by: Option<NetMethod>,
    /// `getsockopt(SO_NETNS_COOKIE)`, when it was asked.
    pub netns_cookie: Option<Fact<u64>>,
    /// Contents signals, when the contents were read.
    pub signals: Vec<NetSignal>,
}

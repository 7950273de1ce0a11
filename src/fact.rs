//! A fact, or an explicit "unknown" that names the file and the reason.

use std::fmt;
use std::path::Path;

/// Why a fact could not be established: which file, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Unknown {
    /// The file (or call, e.g. `prctl(PR_GET_SECUREBITS)`) the fact comes from.
    pub source: String,
    /// What went wrong.
    pub reason: String,
}

impl Unknown {
    /// An unknown with a source and a reason.
    pub(crate) fn new(source: impl Into<String>, reason: impl Into<String>) -> Unknown {
        Unknown {
            source: source.into(),
            reason: reason.into(),
        }
    }

    /// An unknown whose source is a file path.
    pub(crate) fn file(path: &Path, reason: impl Into<String>) -> Unknown {
        Unknown::new(path.display().to_string(), reason)
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown ({}: {})", self.source, self.reason)
    }
}

/// A fact about the process, or why it is unknown.
///
/// Serialized as `{"known": value}` or `{"unknown": {"source": …, "reason": …}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "schema", schemars(rename = "Fact_{T}"))]
pub enum Fact<T> {
    /// Established from the kernel's own interface.
    Known(T),
    /// Could not be established.
    Unknown(Unknown),
}

impl<T> Fact<T> {
    /// An unknown fact.
    pub fn unknown(source: impl Into<String>, reason: impl Into<String>) -> Fact<T> {
        Fact::Unknown(Unknown::new(source, reason))
    }

    /// The value, if known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Fact<&T> {
        match self {
            Fact::Known(v) => Fact::Known(v),
            Fact::Unknown(u) => Fact::Unknown(u.clone()),
        }
    }

    /// Maps a known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(v) => Fact::Known(f(v)),
            Fact::Unknown(u) => Fact::Unknown(u),
        }
    }

    /// Chains a fact that depends on this one.
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Fact<U>) -> Fact<U> {
        match self {
            Fact::Known(v) => f(v),
            Fact::Unknown(u) => Fact::Unknown(u),
        }
    }

    /// Converts to a `Result`, for `?` in judgement code.
    pub fn into_result(self) -> Result<T, Unknown> {
        match self {
            Fact::Known(v) => Ok(v),
            Fact::Unknown(u) => Err(u),
        }
    }
}

impl<T> From<Result<T, Unknown>> for Fact<T> {
    fn from(r: Result<T, Unknown>) -> Fact<T> {
        match r {
            Ok(v) => Fact::Known(v),
            Err(u) => Fact::Unknown(u),
        }
    }
}

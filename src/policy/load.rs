//! Where a policy comes from: a preset name, a path to a policy document
//! (feature `policy-file`, parsed by the `document` module), the environment
//! ([`POLICY_ENV`], [`OVERRIDE_ENV`]), and why that can fail
//! ([`PolicyError`]).
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render), but not its pure part: this file reads environment variables and
//! [`Policy::from_name_or_path`] reads a document file. It runs before
//! [`super::evaluate`], never inside it.

use super::{CheckId, Policy, Preset, UnknownCheck};

/// Why a policy could not be built. Every message is a sentence naming the
/// value and, where there is a fixed set, the choices; its `Debug` is that
/// message, so `?` in a `main` returning `Result` prints it (not
/// `UnknownPreset { name: .. }`).
#[derive(thiserror::Error)]
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

debug_is_display!(PolicyError);

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
                return super::document::from_file(path);
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

#[cfg(test)]
mod tests {
    use super::*;

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

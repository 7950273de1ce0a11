//! Where a policy comes from: a preset name, a path to a policy document
//! (feature `policy-file`, parsed by the `document` module), the environment
//! ([`POLICY_ENV`], [`OVERRIDE_ENV`]), and why that can fail
//! ([`PolicyError`]).
//!
//! # What `POSTURE_OVERRIDE` may do to a policy
//!
//! Only a loader reads it, and only as its caller says ([`EnvOverrides`]):
//!
//! - [`Policy::from_env_or`]: the environment chooses the policy
//!   (`POSTURE_POLICY`) and may override checks of it: applied.
//! - [`Policy::from_arg_or_env`]: with a policy named explicitly (a
//!   command-line flag), a set `POSTURE_OVERRIDE` is refused
//!   ([`PolicyError::EnvOverrideRefused`]): an `ENV` left in a base image
//!   must not weaken the policy a user named. Without one, as
//!   [`Policy::from_env_or`].
//! - [`Policy::load`]: the caller chooses: [`EnvOverrides::Apply`],
//!   [`EnvOverrides::Ignore`] or [`EnvOverrides::Refuse`].
//!
//! A policy built in code and never passed through a loader is not touched
//! by the environment at all. Every override applied from the environment
//! is recorded as such ([`super::OverrideSource::Environment`]) and shown
//! with the verdict.
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render), but not its pure part: this file reads environment variables and
//! [`Policy::from_name_or_path`] reads a document file. It runs before
//! [`super::evaluate`], never inside it.

use super::{CheckId, OverrideSource, Policy, Preset, UnknownCheck};

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
    /// A Kubernetes manifest that cannot be read as a policy (feature
    /// `manifest`): the message names the file and the field.
    #[cfg(feature = "manifest")]
    #[error(transparent)]
    Manifest(#[from] super::manifest::ManifestError),
    /// `POSTURE_OVERRIDE` is set where overrides from the environment are
    /// refused ([`EnvOverrides::Refuse`]; [`Policy::from_arg_or_env`] with a
    /// policy named explicitly).
    #[error(
        "POSTURE_OVERRIDE is set ({value:?}), but this policy takes no overrides from the environment"
    )]
    EnvOverrideRefused {
        /// The variable's value.
        value: String,
    },
}

/// What a loader ([`Policy::load`]) does with [`OVERRIDE_ENV`]
/// (`POSTURE_OVERRIDE`). Unset or blank, the variable is absent in every
/// mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvOverrides {
    /// Apply it: each named check is downgraded to a warning, recorded as
    /// an override from the environment and shown with the verdict.
    Apply,
    /// Do not apply it: the policy is judged as loaded, whatever the
    /// variable says.
    Ignore,
    /// A set, non-blank variable is an error
    /// ([`PolicyError::EnvOverrideRefused`]): for a service that must not
    /// start on a policy it did not choose, nor silently ignore a setting
    /// someone believes is in force.
    Refuse,
}

debug_is_display!(PolicyError);

/// The environment variable that names a policy (a preset or a file path).
pub const POLICY_ENV: &str = "POSTURE_POLICY";
/// The environment variable that names the container of a manifest used as
/// the policy (for the downward API; `--container` on the command line).
pub const CONTAINER_ENV: &str = "POSTURE_CONTAINER";
/// The environment variable that overrides named checks:
/// `check_id=reason;check_id=reason` (each downgraded to a warning, shown loudly).
pub const OVERRIDE_ENV: &str = "POSTURE_OVERRIDE";

impl Policy {
    /// A preset name or, with the `policy-file` feature, a path to a TOML or
    /// JSON policy document.
    ///
    /// With the `manifest` feature the file may also be a Kubernetes
    /// manifest (detected by content); its container is the one
    /// [`CONTAINER_ENV`] names, or the only one.
    pub fn from_name_or_path(value: &str) -> Result<Policy, PolicyError> {
        let env = std::env::var(CONTAINER_ENV).ok();
        from_name_or_path_for(value, env.as_deref())
    }
}

/// [`Policy::from_name_or_path`] with the manifest's container given
/// (blank: none).
fn from_name_or_path_for(value: &str, container: Option<&str>) -> Result<Policy, PolicyError> {
    let container = container.map(str::trim).filter(|c| !c.is_empty());
    {
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
                || value.ends_with(".yaml")
                || value.ends_with(".yml")
            {
                return super::document::from_file_for(path, container);
            }
        }
        #[cfg(not(feature = "policy-file"))]
        let _ = container;
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
}

impl Policy {
    /// The policy named by `POSTURE_POLICY` (preset or file), or `default`
    /// when unset; overrides from `POSTURE_OVERRIDE` are applied either way
    /// ([`Policy::load`] with no argument and [`EnvOverrides::Apply`]), each
    /// recorded as coming from the environment.
    pub fn from_env_or(default: Policy) -> Result<Policy, PolicyError> {
        Policy::load(None, default, EnvOverrides::Apply)
    }

    /// The policy a command-line flag names, else `POSTURE_POLICY`, else
    /// `default`. With a flag, a set `POSTURE_OVERRIDE` is an error
    /// ([`PolicyError::EnvOverrideRefused`]): the policy named explicitly is
    /// not weakened by the environment (to allow it, [`Policy::load`] with
    /// [`EnvOverrides::Apply`]). Without one, `POSTURE_OVERRIDE` applies, as
    /// in [`Policy::from_env_or`].
    pub fn from_arg_or_env(arg: Option<&str>, default: Policy) -> Result<Policy, PolicyError> {
        let mode = if arg.is_some() {
            EnvOverrides::Refuse
        } else {
            EnvOverrides::Apply
        };
        Policy::load(arg, default, mode)
    }

    /// The policy `arg` names (a preset or file), else the one
    /// `POSTURE_POLICY` names, else `default`; then `POSTURE_OVERRIDE` as
    /// `env_overrides` says.
    ///
    /// ```no_run
    /// use posture::policy::{EnvOverrides, Policy, Preset};
    /// // POSTURE_POLICY may choose the policy; POSTURE_OVERRIDE may not weaken it.
    /// let policy = Policy::load(None, Policy::preset(Preset::Strict), EnvOverrides::Refuse)?;
    /// # Ok::<(), posture::policy::PolicyError>(())
    /// ```
    pub fn load(
        arg: Option<&str>,
        default: Policy,
        env_overrides: EnvOverrides,
    ) -> Result<Policy, PolicyError> {
        load_with(arg, default, env_overrides, None, |name| {
            std::env::var(name).ok()
        })
    }

    /// [`Policy::load`] naming the container of a manifest used as the
    /// policy (`--container`); `None` leaves it to [`CONTAINER_ENV`], else
    /// the manifest must have exactly one.
    pub fn load_for_container(
        arg: Option<&str>,
        default: Policy,
        env_overrides: EnvOverrides,
        container: Option<&str>,
    ) -> Result<Policy, PolicyError> {
        load_with(arg, default, env_overrides, container, |name| {
            std::env::var(name).ok()
        })
    }

    /// Applies `check_id=reason;check_id=reason` as the policy's own
    /// overrides ([`super::OverrideSource::Policy`]): the program chose them.
    /// For the value of `POSTURE_OVERRIDE`, use
    /// [`Policy::with_env_override_spec`].
    pub fn with_override_spec(self, spec: &str) -> Result<Policy, PolicyError> {
        self.apply_spec(spec, OverrideSource::Policy)
    }

    /// Applies a value of `POSTURE_OVERRIDE` (`check_id=reason;…`), each
    /// override recorded as coming from the environment
    /// ([`super::OverrideSource::Environment`]), as the loaders do.
    pub fn with_env_override_spec(self, spec: &str) -> Result<Policy, PolicyError> {
        self.apply_spec(spec, OverrideSource::Environment)
    }

    fn apply_spec(mut self, spec: &str, source: OverrideSource) -> Result<Policy, PolicyError> {
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
            self = self.override_from(id, reason, source);
        }
        Ok(self)
    }
}

/// [`Policy::load`] with the environment read through `env` (a variable's
/// value, `None` when unset or not UTF-8), so the rule can be tested without
/// touching the process's environment.
fn load_with(
    arg: Option<&str>,
    default: Policy,
    env_overrides: EnvOverrides,
    container: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Policy, PolicyError> {
    let env_container = env(CONTAINER_ENV);
    let container = container.or(env_container.as_deref());
    let base = match arg {
        Some(a) => from_name_or_path_for(a, container)?,
        None => match env(POLICY_ENV) {
            Some(v) if !v.trim().is_empty() => from_name_or_path_for(v.trim(), container)?,
            _ => default,
        },
    };
    match env(OVERRIDE_ENV).filter(|v| !v.trim().is_empty()) {
        None => Ok(base),
        Some(spec) => match env_overrides {
            EnvOverrides::Apply => base.with_env_override_spec(&spec),
            EnvOverrides::Ignore => Ok(base),
            EnvOverrides::Refuse => Err(PolicyError::EnvOverrideRefused { value: spec }),
        },
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

    /// A fake environment holding `vars`.
    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn each_mode_does_what_it_says_with_posture_override() {
        let vars = [
            ("POSTURE_POLICY", "pss-baseline"),
            ("POSTURE_OVERRIDE", "non_root=TICKET-1; seccomp=TICKET-2"),
        ];
        let strict = || Policy::preset(Preset::Strict);
        // Apply: POSTURE_POLICY chooses, POSTURE_OVERRIDE overrides, and
        // each override says it came from the environment.
        let p = load_with(None, strict(), EnvOverrides::Apply, None, env(&vars)).unwrap();
        assert_eq!(p.name(), "pss-baseline");
        assert_eq!(
            p.override_source(CheckId::NonRoot),
            Some(OverrideSource::Environment)
        );
        assert_eq!(p.overrides().get(&CheckId::Seccomp).unwrap(), "TICKET-2");
        // Ignore: the policy as loaded.
        let p = load_with(
            Some("strict"),
            strict(),
            EnvOverrides::Ignore,
            None,
            env(&vars),
        )
        .unwrap();
        assert_eq!(p, strict());
        // Refuse: an error naming the value.
        let e = load_with(None, strict(), EnvOverrides::Refuse, None, env(&vars)).unwrap_err();
        assert!(
            matches!(&e, PolicyError::EnvOverrideRefused { value } if value == vars[1].1),
            "{e}"
        );
        // Blank or unset is absent in every mode.
        for mode in [
            EnvOverrides::Apply,
            EnvOverrides::Ignore,
            EnvOverrides::Refuse,
        ] {
            let blank = [("POSTURE_OVERRIDE", "  ")];
            assert_eq!(
                load_with(None, strict(), mode, None, env(&blank)).unwrap(),
                strict()
            );
            assert_eq!(
                load_with(None, strict(), mode, None, env(&[])).unwrap(),
                strict()
            );
        }
    }

    #[test]
    fn a_policy_of_its_own_overrides_are_not_the_environments() {
        let p = Policy::preset(Preset::Strict)
            .with_override_spec("non_root=in code")
            .unwrap();
        assert_eq!(
            p.override_source(CheckId::NonRoot),
            Some(OverrideSource::Policy)
        );
        assert_eq!(p.override_source(CheckId::Seccomp), None);
        // The environment overriding the same check replaces it, and says so;
        // the program overriding it again makes it the policy's once more.
        let p = p.with_env_override_spec("non_root=from env").unwrap();
        assert_eq!(
            p.override_source(CheckId::NonRoot),
            Some(OverrideSource::Environment)
        );
        assert_eq!(p.overrides()[&CheckId::NonRoot], "from env");
        let p = p.override_check(CheckId::NonRoot, "in code again");
        assert_eq!(
            p.override_source(CheckId::NonRoot),
            Some(OverrideSource::Policy)
        );
    }
}

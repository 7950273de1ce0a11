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
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render): [`Policy::from_document`] is pure text -> [`Policy`]; `from_file_for` is the one
//! function here that reads a file. Neither runs inside
//! [`evaluate`](super::evaluate).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Action, CheckId, Policy, PolicyError, Preset};
use crate::parse::capability::Capability;

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
    /// Declared fields the applied state must match (what
    /// `posture --print-policy` writes for a manifest).
    #[serde(default)]
    expect: Vec<super::Expectation>,
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

/// The most read of a policy document: far more than any policy needs, and
/// a bound on what `--policy /dev/zero`-like mistakes can cost.
pub(crate) const POLICY_FILE_LIMIT: usize = 1024 * 1024;

/// Reads a policy document from a file (`.json` is JSON, anything else
/// TOML), or, with the `manifest` feature, a Kubernetes manifest or Compose
/// file (detected by content), whose container is the one the caller names
/// (`None`: the manifest must have exactly one).
///
/// The file is opened as every read of the crate is (non-blocking, and a
/// regular file only: a FIFO, a device or a directory is refused at once)
/// and read up to [`POLICY_FILE_LIMIT`] bytes; past it, an error.
pub(crate) fn from_file_for(path: &Path, container: Option<&str>) -> Result<Policy, PolicyError> {
    use crate::root::ReadError;
    use std::io::{Error, ErrorKind};
    let read_err = |source| PolicyError::Read {
        path: path.display().to_string(),
        source,
    };
    let bytes = crate::root::read_user_file(path, POLICY_FILE_LIMIT).map_err(|e| match e {
        ReadError::Io { source, .. } => read_err(source),
        other => read_err(Error::new(
            match other {
                ReadError::TooLarge { .. } => ErrorKind::FileTooLarge,
                _ => ErrorKind::InvalidInput,
            },
            other.reason(),
        )),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| read_err(Error::new(ErrorKind::InvalidData, "not UTF-8 text")))?;
    #[cfg(feature = "manifest")]
    if super::manifest::looks_like_manifest(&text) {
        return Ok(super::manifest::parse(
            &text,
            &path.display().to_string(),
            container,
        )?);
    }
    #[cfg(not(feature = "manifest"))]
    let _ = container;
    let json = path.extension().is_some_and(|e| e == "json");
    Policy::from_document(&text, json, &path.display().to_string())
}

impl Policy {
    /// Parses a policy document (TOML, or JSON when `json`), as
    /// `--policy FILE` and `POSTURE_POLICY` read one; `origin` names it in
    /// errors. For a document embedded in the program (`include_str!`).
    ///
    /// ```
    /// use posture::policy::{Action, CheckId, Policy};
    /// let p = Policy::from_document(
    ///     "extends = \"checklist\"\n[checks]\nread_only_rootfs = \"warn\"\n",
    ///     false,
    ///     "embedded",
    /// )
    /// .unwrap();
    /// assert_eq!(p.action(CheckId::ReadOnlyRootfs), Action::Warn);
    /// ```
    pub fn from_document(text: &str, json: bool, origin: &str) -> Result<Policy, PolicyError> {
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
                    format!(
                        "allow_capabilities: {c:?} is not a capability name (names: {}; the CAP_ prefix may be left out)",
                        (0u8..64)
                            .filter_map(crate::parse::capability::capability_from_bit)
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
                parsed.push(cap);
            }
            policy = policy.allow_only(parsed);
        }
        Ok(policy.with_expectations(doc.expect))
    }

    /// The policy as a TOML policy document that [`Policy::from_document`]
    /// reads back to the same policy: every check's action, the allowed
    /// capabilities, the checks whose unknown is accepted, the overrides,
    /// and the expectations (`[[expect]]`). What `posture --print-policy`
    /// prints, to commit and diff.
    pub fn to_toml(&self) -> String {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            name: &'a str,
            rules: super::Rules,
            accept_sandbox_as_seccomp: bool,
            allow_capabilities: Vec<String>,
            accept_unknown: Vec<&'static str>,
            checks: BTreeMap<&'static str, Action>,
            overrides: BTreeMap<&'static str, &'a str>,
            expect: &'a [super::Expectation],
        }
        let out = Out {
            name: self.name(),
            rules: self.rules(),
            accept_sandbox_as_seccomp: self.accepts_sandbox_as_seccomp(),
            allow_capabilities: self.allowed_capabilities().names(),
            accept_unknown: CheckId::ALL
                .iter()
                .filter(|c| self.accepts_unknown(**c))
                .map(|c| c.as_str())
                .collect(),
            checks: CheckId::ALL
                .iter()
                .map(|c| (c.as_str(), self.action(*c)))
                .collect(),
            overrides: self
                .overrides()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            expect: self.expectations(),
        };
        let body =
            toml::to_string(&out).unwrap_or_else(|e| format!("# cannot write the policy: {e}\n"));
        format!(
            "# posture policy document (TOML), written by `posture --print-policy`.\n\
         # Every check's action is listed, so it reads back as the same self.\n{body}"
        )
    }
}

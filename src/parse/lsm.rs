//! Linux security modules: the AppArmor profile or SELinux context of this
//! process, read from `/proc/self/attr/…`.
//!
//! `attr/apparmor/current` is AppArmor's own file (stacking-safe, Linux 5.8+);
//! `attr/current` belongs to whichever major LSM is first. `EINVAL` from
//! `attr/current` means no loaded LSM offers the interface: that is a fact
//! ("no LSM"), not a failure.

use crate::parse::ParseError;

/// AppArmor's mode for the confining profile.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AppArmorMode {
    /// Violations are denied.
    Enforce,
    /// Violations are only logged.
    Complain,
    /// Violations kill the task.
    Kill,
    /// The process is not confined.
    Unconfined,
    /// Violations are sent to user space for a decision.
    Prompt,
    /// A mode this crate does not know.
    Other(String),
}

display_by!(as_str: AppArmorMode);

impl AppArmorMode {
    /// The mode as the kernel prints it (`enforce`, `complain`, …).
    pub(crate) fn as_str(&self) -> &str {
        match self {
            AppArmorMode::Enforce => "enforce",
            AppArmorMode::Complain => "complain",
            AppArmorMode::Kill => "kill",
            AppArmorMode::Unconfined => "unconfined",
            AppArmorMode::Prompt => "prompt",
            AppArmorMode::Other(s) => s,
        }
    }
}

/// An AppArmor confinement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AppArmor {
    /// The profile name (`docker-default`, `unconfined`, …).
    pub profile: String,
    /// Its mode.
    pub mode: AppArmorMode,
}

/// An SELinux security context `user:role:type[:level]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SelinuxContext {
    /// The whole context as the kernel printed it.
    pub context: String,
    /// SELinux user (`system_u`).
    pub user: String,
    /// Role (`system_r`).
    pub role: String,
    /// Type (`container_t`): what the policy confines by.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub type_: String,
    /// MLS/MCS level (`s0:c1,c2`), if any.
    pub level: Option<String>,
}

/// What the process's LSM attribute says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum LsmLabel {
    /// AppArmor is active for this process.
    AppArmor(AppArmor),
    /// SELinux is active for this process.
    Selinux(SelinuxContext),
    /// Another LSM's label (Smack, …), as printed.
    Other {
        /// The label text.
        label: String,
    },
    /// No loaded LSM offers a process label (`attr/current` gives `EINVAL`).
    None {
        /// Where that was seen.
        evidence: String,
    },
}

fn clean(text: &str) -> &str {
    text.trim_end_matches(['\0', '\n', ' '])
}

/// Parses AppArmor's `current` attribute: `profile (mode)` or `unconfined`.
pub fn parse_apparmor(text: &str) -> Result<AppArmor, ParseError> {
    let t = clean(text);
    if t.is_empty() {
        return Err(ParseError::Empty("AppArmor label"));
    }
    if t == "unconfined" {
        return Ok(AppArmor {
            profile: "unconfined".into(),
            mode: AppArmorMode::Unconfined,
        });
    }
    let (profile, mode) = t
        .rsplit_once(" (")
        .and_then(|(p, m)| Some((p, m.strip_suffix(')')?)))
        .ok_or_else(|| ParseError::not_a(t, "`profile (mode)`"))?;
    let mode = match mode {
        "enforce" => AppArmorMode::Enforce,
        "complain" => AppArmorMode::Complain,
        "kill" => AppArmorMode::Kill,
        "unconfined" => AppArmorMode::Unconfined,
        "prompt" => AppArmorMode::Prompt,
        other => AppArmorMode::Other(other.to_string()),
    };
    Ok(AppArmor {
        profile: profile.to_string(),
        mode,
    })
}

/// Parses an SELinux context `user:role:type[:level]`.
pub fn parse_selinux(text: &str) -> Result<SelinuxContext, ParseError> {
    let t = clean(text);
    let mut parts = t.splitn(4, ':');
    let (Some(user), Some(role), Some(type_)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError::not_a(t, "`user:role:type[:level]`"));
    };
    if user.is_empty() || role.is_empty() || type_.is_empty() || t.contains(char::is_whitespace) {
        return Err(ParseError::not_a(t, "`user:role:type[:level]`"));
    }
    Ok(SelinuxContext {
        context: t.to_string(),
        user: user.to_string(),
        role: role.to_string(),
        type_: type_.to_string(),
        level: parts.next().map(str::to_string),
    })
}

/// Decides which LSM wrote `attr/current`, using the kernel's LSM list when
/// known and the label's shape otherwise.
pub fn parse_current(text: &str, lsm_list: Option<&[String]>) -> Result<LsmLabel, ParseError> {
    let has = |name: &str| lsm_list.is_some_and(|l| l.iter().any(|x| x == name));
    let t = clean(text);
    if has("selinux") && !has("apparmor") {
        return parse_selinux(t).map(LsmLabel::Selinux);
    }
    if has("apparmor") && !has("selinux") {
        return parse_apparmor(t).map(LsmLabel::AppArmor);
    }
    if t == "unconfined" || t.ends_with(')') {
        return parse_apparmor(t).map(LsmLabel::AppArmor);
    }
    if let Ok(ctx) = parse_selinux(t) {
        return Ok(LsmLabel::Selinux(ctx));
    }
    if t.is_empty() {
        return Err(ParseError::Empty("LSM label"));
    }
    Ok(LsmLabel::Other {
        label: t.to_string(),
    })
}

/// Parses `/sys/kernel/security/lsm`: a comma-separated list.
pub fn parse_lsm_list(text: &str) -> Vec<String> {
    clean(text)
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses `/sys/fs/selinux/enforce`: `1` enforcing, `0` permissive.
pub fn parse_enforce(text: &str) -> Result<bool, ParseError> {
    match clean(text) {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(ParseError::neither(other, "0", "1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apparmor_labels() {
        let a = parse_apparmor("docker-default (enforce)\n").unwrap();
        assert_eq!(a.profile, "docker-default");
        assert_eq!(a.mode, AppArmorMode::Enforce);
        assert_eq!(
            parse_apparmor("x (complain)").unwrap().mode,
            AppArmorMode::Complain
        );
        assert_eq!(
            parse_apparmor("unconfined\n").unwrap().mode,
            AppArmorMode::Unconfined
        );
        assert_eq!(
            parse_apparmor("/usr/bin/foo (odd)").unwrap().mode,
            AppArmorMode::Other("odd".into())
        );
        assert!(parse_apparmor("").is_err());
        assert!(parse_apparmor("no-mode").is_err());
    }

    #[test]
    fn selinux_contexts() {
        let c = parse_selinux("system_u:system_r:container_t:s0:c123,c456\0").unwrap();
        assert_eq!(c.type_, "container_t");
        assert_eq!(c.level.as_deref(), Some("s0:c123,c456"));
        assert!(parse_selinux("a:b").is_err());
        assert!(parse_selinux("a::c").is_err());
    }

    #[test]
    fn current_is_attributed_by_list_then_shape() {
        let sel = vec!["capability".to_string(), "selinux".to_string()];
        assert!(matches!(
            parse_current("system_u:system_r:spc_t:s0\0", Some(&sel)),
            Ok(LsmLabel::Selinux(_))
        ));
        assert!(matches!(
            parse_current("docker-default (enforce)", None),
            Ok(LsmLabel::AppArmor(_))
        ));
        assert!(matches!(
            parse_current("u:r:t:s0", None),
            Ok(LsmLabel::Selinux(_))
        ));
        assert!(matches!(
            parse_current("_", None),
            Ok(LsmLabel::Other { .. })
        ));
        assert!(parse_current("", None).is_err());
    }

    #[test]
    fn lsm_list_and_enforce() {
        assert_eq!(
            parse_lsm_list("lockdown,capability,apparmor\n"),
            ["lockdown", "capability", "apparmor"]
        );
        assert_eq!(parse_enforce("1"), Ok(true));
        assert!(parse_enforce("2").is_err());
    }
}

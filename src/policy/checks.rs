//! The judgement rules: one function per check, each a pure function of the
//! [`Report`] (and, where the rules differ, the [`Policy`]) that returns the
//! check's status and the evidence that decided it.
//!
//! Part of the policy stage (parse -> probe -> Report -> **policy** ->
//! render): no I/O, no system call, no environment; only facts already in
//! the report. [`judge`] is the one entry point; [`super::evaluate`] applies
//! the policy's actions, overrides and the `/proc` trust rule on top.

use crate::fact::Fact;
use crate::known::REQUIRED_MASKS;
use crate::parse::capability::{CapSet, DANGEROUS};
use crate::parse::idmap::Mapping;
use crate::parse::lsm::{AppArmorMode, LsmLabel};
use crate::parse::ns::NsType;
use crate::parse::status::SeccompMode;
use crate::report::{MaskState, PseudoFsState};
use crate::report::{ProcTrust, Report};

use super::{
    CheckId, CheckStatus, PSS_SELINUX_TYPES, Policy, RUNTIME_DEFAULT_CAPABILITIES, Rules,
    UNCONFINED_SELINUX_TYPES,
};

type Judged = (CheckStatus, String);

/// What check `id` finds in the report under the policy: the one entry
/// point [`super::evaluate`] calls.
pub(super) fn judge(id: CheckId, r: &Report, p: &Policy) -> Judged {
    match id {
        CheckId::NonRoot => non_root(r, p),
        CheckId::CapabilitiesDropped => capabilities_dropped(r, p),
        CheckId::Seccomp => seccomp(r, p),
        CheckId::MacEnforced if p.rules == Rules::PodSecurity => mac_pod_security(r),
        CheckId::MacEnforced => mac_enforced(r),
        CheckId::ReadOnlyRootfs => read_only_rootfs(r),
        CheckId::NoNewPrivs => no_new_privs(r),
        CheckId::NotPrivileged => not_privileged(r),
        CheckId::UsernsRemap => userns_remap(r),
        CheckId::NoRuntimeSocket => no_runtime_socket(r),
        CheckId::NoHostPid => host_ns(r, NsType::Pid),
        CheckId::NoHostIpc => host_ns(r, NsType::Ipc),
        CheckId::NoHostNetwork => host_network(r),
        CheckId::NoHostUts => host_ns(r, NsType::Uts),
        CheckId::NoSensitiveMounts => no_sensitive_mounts(r, p),
        CheckId::NoHostPath => no_host_path(r),
        CheckId::ResourceLimits => resource_limits(r),
        CheckId::NoServiceAccountToken => no_service_account_token(r),
        CheckId::ProcTrusted => proc_trusted(r),
        CheckId::DangerousSyscallsBlocked => dangerous_syscalls_blocked(r),
    }
}

fn unknown(u: &crate::Unknown) -> Judged {
    (
        CheckStatus::Unknown,
        format!("unknown: {}: {}", u.source, u.reason),
    )
}

/// Three-valued logic over facts that are each "bad" (true), "fine" (false)
/// or unknown (None).
fn any_bad(parts: &[Option<bool>]) -> Option<bool> {
    if parts.contains(&Some(true)) {
        Some(true)
    } else if parts.iter().all(|b| *b == Some(false)) {
        Some(false)
    } else {
        None
    }
}

fn all_bad(parts: &[Option<bool>]) -> Option<bool> {
    if parts.contains(&Some(false)) {
        Some(false)
    } else if parts.iter().all(|b| *b == Some(true)) {
        Some(true)
    } else {
        None
    }
}

fn names_dangerous_first(set: CapSet) -> String {
    let mut names: Vec<String> = DANGEROUS
        .iter()
        .filter(|c| set.contains(**c))
        .map(|c| c.to_string())
        .collect();
    let dangerous: CapSet = DANGEROUS.iter().copied().collect();
    names.extend(set.without(dangerous).names());
    // Long lists name the first ten (dangerous first) and count the rest.
    const SHOWN: usize = 10;
    if names.len() > SHOWN {
        let more = names.len() - SHOWN;
        names.truncate(SHOWN);
        return format!("{} (+{more} more, {} in all)", names.join(", "), set.len());
    }
    names.join(", ")
}

/// Whether uid 0 of the process's user namespace is an unprivileged host
/// user (a user-namespaced pod, `hostUsers: false`): `Some(Some(uid))` yes,
/// landing at host `uid` (`u32::MAX`: unmapped); `Some(None)` no (the
/// initial namespace, or root mapped to host root); `None` unknown. A uid 0
/// mapped to a non-zero uid proves a non-initial namespace by itself (the
/// initial one maps every id to itself).
fn userns_root(r: &Report) -> Option<Option<u32>> {
    // A namespace that maps the parent's uid 0 to any of its ids does not
    // take root away: whoever holds that id is root outside.
    if host_root_inside(r).is_some() {
        return Some(None);
    }
    match (&r.user_namespace.initial, &r.user_namespace.root_uid) {
        (_, Fact::Known(Mapping::Unprivileged { outside })) => Some(Some(*outside)),
        (_, Fact::Known(Mapping::HostRoot)) | (Fact::Known(true), _) => Some(None),
        (Fact::Known(false), Fact::Known(Mapping::Unmapped)) => Some(Some(u32::MAX)),
        _ => None,
    }
}

/// The id of the process's user namespace that uid 0 of the parent
/// namespace (the host's root, for a namespace made from the host's) is
/// mapped to, if the uid_map maps it at all.
fn host_root_inside(r: &Report) -> Option<u32> {
    r.user_namespace.uid_map.known()?.to_inside(0)
}

/// The process's own uids (real, effective, saved, filesystem; and those of
/// threads that differ) that are not 0 inside but map to uid 0 outside its
/// user namespace: root in disguise (`unshare --map-user=1000
/// --map-root-user`, bubblewrap's `--uid`). Each as `"effective 1000"`.
fn disguised_root_uids(r: &Report, ids: &crate::report::Ids) -> Vec<String> {
    let Some(map) = r.user_namespace.uid_map.known() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |what: String, id: u32| {
        if id != 0 && map.to_outside(id) == Some(0) {
            out.push(format!("{what} {id}"));
        }
    };
    add("real".into(), ids.real);
    add("effective".into(), ids.effective);
    add("saved".into(), ids.saved);
    if let Some(f) = ids.filesystem {
        add("filesystem".into(), f);
    }
    if let Fact::Known(t) = &r.threads {
        for d in &t.differing {
            if let Some(u) = d.uid {
                for id in u {
                    add(format!("thread {}", d.tid), id);
                }
            }
        }
    }
    out.dedup();
    out
}

/// The uid_map as `inside outside count` lines joined by `, `.
fn show_map(m: &Fact<crate::parse::idmap::IdMap>) -> String {
    match m {
        Fact::Known(m) => m
            .ranges
            .iter()
            .map(|x| format!("{} {} {}", x.inside, x.outside, x.count))
            .collect::<Vec<_>>()
            .join(", "),
        Fact::Unknown(_) => "unknown".into(),
    }
}

/// [`userns_root`] where only a known "yes" counts.
fn userns_unprivileged_root(r: &Report) -> Option<u32> {
    userns_root(r).flatten()
}

fn non_root(r: &Report, p: &Policy) -> Judged {
    let (status, evidence) = non_root_checklist(r);
    // Pod Security Admission relaxes runAsNonRoot and runAsUser for pods in
    // their own user namespace: root there is an unprivileged host user.
    if status != CheckStatus::Fail || p.rules != Rules::PodSecurity {
        return (status, evidence);
    }
    match userns_root(r) {
        Some(Some(outside)) => {
            let host = if outside == u32::MAX {
                "no host uid".to_string()
            } else {
                format!("unprivileged host uid {outside}")
            };
            (
                CheckStatus::Pass,
                format!(
                    "{evidence}; user-namespaced (uid 0 maps to {host}): the Pod Security Standards relax runAsNonRoot for such pods"
                ),
            )
        }
        Some(None) => (status, evidence),
        None => (
            CheckStatus::Unknown,
            format!(
                "{evidence}; whether the pod is user-namespaced (which the Pod Security Standards relax this for) is unknown"
            ),
        ),
    }
}

fn non_root_checklist(r: &Report) -> Judged {
    let ids = match &r.identity.uid {
        Fact::Known(ids) => ids,
        Fact::Unknown(u) => return unknown(u),
    };
    let desc = format!(
        "uid real {}, effective {}, saved {}, filesystem {}",
        ids.real,
        ids.effective,
        ids.saved,
        ids.filesystem
            .map_or("not reported".to_string(), |f| f.to_string())
    );
    // Ids are per thread too: a thread that kept uid 0 is root.
    let (root_threads, threads_known) = match &r.threads {
        Fact::Known(t) => (
            t.differing
                .iter()
                .filter(|d| d.uid.is_some_and(|u| u.contains(&0)))
                .map(|d| d.tid.to_string())
                .collect::<Vec<_>>(),
            t.complete(),
        ),
        Fact::Unknown(_) => (Vec::new(), false),
    };
    if !ids.any_root() {
        // The ids the host sees decide: an id that reads 1000 here but maps
        // to uid 0 outside is root there (files it creates are root's, root's
        // files are its own, sysctls test that euid).
        let disguised = disguised_root_uids(r, ids);
        if !disguised.is_empty() {
            return (
                CheckStatus::Fail,
                format!(
                    "root outside its user namespace: {desc} inside it, but the uid_map ({}) makes uid {} uid 0 outside it{}",
                    show_map(&r.user_namespace.uid_map),
                    disguised.join(", "),
                    disguised_gids(r)
                ),
            );
        }
        if !root_threads.is_empty() {
            return (
                CheckStatus::Fail,
                format!(
                    "{desc}; but thread(s) {} hold uid 0",
                    root_threads.join(", ")
                ),
            );
        }
        if !threads_known {
            return (
                CheckStatus::Unknown,
                format!("{desc} on the main thread; other threads could not all be read"),
            );
        }
        // Without the uid_map, whether these ids are root outside cannot be
        // told (only the initial namespace needs no map: it maps each id to
        // itself).
        if let (Fact::Unknown(u), false) = (
            &r.user_namespace.uid_map,
            r.user_namespace.initial == Fact::Known(true),
        ) {
            return (
                CheckStatus::Unknown,
                format!(
                    "{desc} inside its user namespace, but whether one maps to uid 0 outside it is unknown ({}: {})",
                    u.source, u.reason
                ),
            );
        }
        return (CheckStatus::Pass, format!("{desc}{}", disguised_gids(r)));
    }
    let mapped = match &r.user_namespace.root_uid {
        Fact::Known(Mapping::Unprivileged { outside }) => {
            format!(
                "; uid 0 maps to unprivileged host uid {outside}, but is still root inside the container"
            )
        }
        Fact::Known(Mapping::HostRoot) => "; uid 0 is the host's root".to_string(),
        Fact::Known(Mapping::Unmapped) => "; uid 0 is not mapped outside".to_string(),
        Fact::Unknown(_) => String::new(),
    };
    let what = if ids.effective == 0 {
        "runs as root"
    } else {
        "can regain root: a real, saved or filesystem uid is 0"
    };
    (CheckStatus::Fail, format!("{what}: {desc}{mapped}"))
}

/// A note for `non_root`'s evidence when a gid of the process that is not
/// 0 inside maps to gid 0 outside its user namespace (the host's root
/// group): not root, but in root's group there.
fn disguised_gids(r: &Report) -> String {
    let (Fact::Known(g), Some(map)) = (&r.identity.gid, r.user_namespace.gid_map.known()) else {
        return String::new();
    };
    let mut hits: Vec<String> = Vec::new();
    for (what, id) in [
        ("real", Some(g.real)),
        ("effective", Some(g.effective)),
        ("saved", Some(g.saved)),
        ("filesystem", g.filesystem),
    ] {
        if let Some(id) = id
            && id != 0
            && map.to_outside(id) == Some(0)
        {
            hits.push(format!("{what} {id}"));
        }
    }
    if hits.is_empty() {
        return String::new();
    }
    format!(
        "; the gid_map ({}) makes gid {} gid 0 outside it",
        show_map(&r.user_namespace.gid_map),
        hits.join(", ")
    )
}

/// A note for capability evidence when the sets are relative to a user
/// namespace other than the host's: they act only on what it owns.
fn userns_note(r: &Report) -> &'static str {
    match r.user_namespace.initial {
        Fact::Known(false) => {
            " (in a non-initial user namespace: these capabilities act only on what that namespace owns)"
        }
        _ => "",
    }
}

/// No capability outside the allowed ones in any set. The bounding set is
/// judged two ways:
///
/// - checklist rules: by what the process can reach. With no_new_privs on in
///   every thread no execve can raise a capability out of it (the kernel
///   ignores setuid bits and file capabilities), so what it holds then is a
///   note, not a failure.
/// - Pod Security rules: by what the pod spec left, as Pod Security Admission
///   does. A container whose spec does not drop a capability keeps it in its
///   bounding set (the runtime's defaults unless `drop: ["ALL"]`), whatever
///   its user and no_new_privs: PSA's restricted level rejects that pod (only
///   `NET_BIND_SERVICE` may stay), baseline one that adds beyond its list.
fn capabilities_dropped(r: &Report, p: &Policy) -> Judged {
    let c = &r.capabilities;
    let allowed = p.allowed;
    let nnp = nnp_everywhere(r);
    let pod_security = p.rules == Rules::PodSecurity;
    let mut bad = Vec::new();
    let mut unknowns = Vec::new();
    let mut notes = Vec::new();
    // The held sets first, then the bounding set (whose line depends on
    // no_new_privs): the evidence reads in that order.
    let [eff, prm, inh, bnd, amb] = c.sets();
    for (name, fact) in [eff, prm, inh, amb, bnd] {
        match fact {
            Fact::Known(set) => {
                let extra = set.without(allowed);
                if extra.is_empty() {
                    continue;
                }
                let line = format!("{name} set holds {}", names_dangerous_first(extra));
                if name == "bounding" && pod_security {
                    bad.push(format!("{line}, which the pod spec did not drop (Pod Security judges the spec, whatever the user and no_new_privs)"));
                } else if name == "bounding" {
                    match nnp {
                        Some(true) => notes.push(format!("{line} (unreachable: no_new_privs is on)")),
                        Some(false) => bad.push(format!("{line}; no_new_privs off, so setuid or file-capability programs can reach them")),
                        None => unknowns.push(format!("{line}; no_new_privs unknown, so whether they are reachable is unknown")),
                    }
                } else {
                    bad.push(line);
                }
            }
            Fact::Unknown(u) => {
                unknowns.push(format!("{name} set unknown: {}: {}", u.source, u.reason))
            }
        }
    }
    match &r.threads {
        Fact::Known(t) => {
            for d in &t.differing {
                let [eff, prm, inh, bnd, amb] = d.sets();
                for (name, set) in [eff, prm, inh, amb, bnd] {
                    if let Some(set) = set {
                        let extra = set.without(allowed);
                        // A thread's bounding set matters as the main one's:
                        // reachable unless no_new_privs is on everywhere, and
                        // under Pod Security rules what the spec left.
                        if !extra.is_empty()
                            && (name != "bounding" || nnp != Some(true) || pod_security)
                        {
                            bad.push(format!(
                                "thread {} {name} set holds {}",
                                d.tid,
                                names_dangerous_first(extra)
                            ));
                        }
                    }
                }
            }
            if !t.complete() {
                unknowns.push(format!(
                    "{} thread(s) could not be read",
                    t.unreadable.len()
                ));
            }
        }
        Fact::Unknown(u) => unknowns.push(format!("threads unknown: {}: {}", u.source, u.reason)),
    }
    let allowed_txt = if allowed.is_empty() {
        "none allowed".to_string()
    } else {
        format!("allowed: {}", allowed.names().join(", "))
    };
    if !bad.is_empty() {
        bad.extend(unknowns);
        bad.extend(notes);
        return (
            CheckStatus::Fail,
            format!(
                "{} ({allowed_txt}){}{}",
                bad.join("; "),
                runtime_default_note(r, allowed),
                userns_note(r)
            ),
        );
    }
    if !unknowns.is_empty() {
        unknowns.extend(notes);
        return (CheckStatus::Unknown, unknowns.join("; "));
    }
    let mut ev = format!("no capability beyond the allowed in any set ({allowed_txt})");
    for n in notes {
        ev.push_str("; ");
        ev.push_str(&n);
    }
    (CheckStatus::Pass, ev)
}

/// Tells runtime defaults apart from added capabilities in the failing sets
/// (the bounding set holds what the container may ever have).
fn runtime_default_note(r: &Report, allowed: CapSet) -> String {
    let Some(held) = r.capabilities.bounding.known() else {
        return String::new();
    };
    let extra = held.without(allowed);
    let defaults: CapSet = RUNTIME_DEFAULT_CAPABILITIES.iter().copied().collect();
    let from_defaults = extra.without(extra.without(defaults));
    let added = extra.without(defaults);
    let mut parts = Vec::new();
    if !from_defaults.is_empty() {
        parts.push(format!(
            "runtime defaults (Docker, containerd grant them unless dropped): {}",
            from_defaults.names().join(", ")
        ));
    }
    if !added.is_empty() {
        parts.push(format!(
            "beyond the runtime defaults: {}",
            names_dangerous_first(added)
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}

/// Whether no_new_privs is on for every thread (None: unknown).
fn nnp_everywhere(r: &Report) -> Option<bool> {
    let main = r.no_new_privs.known()?.enabled;
    if !main {
        return Some(false);
    }
    let t = r.threads.known()?;
    if t.differing.iter().any(|d| d.no_new_privs == Some(false)) {
        return Some(false);
    }
    t.complete().then_some(true)
}

fn seccomp(r: &Report, p: &Policy) -> Judged {
    let mode = match &r.seccomp.mode {
        Fact::Known(m) => *m,
        Fact::Unknown(u) => return unknown(u),
    };
    let gvisor = r.runtime.kind == crate::report::RuntimeKind::Gvisor
        && r.runtime.confidence == crate::report::Confidence::Strong;
    if mode == SeccompMode::Disabled && gvisor {
        return if p.accept_sandbox {
            (
                CheckStatus::Pass,
                "seccomp reads disabled under gVisor, whose user-space kernel is the syscall boundary; the policy accepts the sandbox in place of seccomp".into(),
            )
        } else {
            (
                CheckStatus::Fail,
                "seccomp reads disabled: under gVisor the sandbox's user-space kernel is the syscall boundary, not a seccomp filter (a policy may accept that with accept_sandbox_as_seccomp)".into(),
            )
        };
    }
    let filters = match &r.seccomp.filters {
        Fact::Known(n) => format!(" ({n} filter(s))"),
        Fact::Unknown(_) => String::new(),
    };
    if mode == SeccompMode::Disabled {
        return (
            CheckStatus::Fail,
            "seccomp disabled on the main thread".into(),
        );
    }
    let t = match &r.threads {
        Fact::Known(t) => t,
        Fact::Unknown(u) => return unknown(u),
    };
    let off: Vec<String> = t
        .differing
        .iter()
        .filter(|d| d.seccomp == Some(SeccompMode::Disabled))
        .map(|d| d.tid.to_string())
        .collect();
    if !off.is_empty() {
        return (
            CheckStatus::Fail,
            format!(
                "seccomp {}{filters} on the main thread but disabled on thread(s) {}",
                mode.as_str(),
                off.join(", ")
            ),
        );
    }
    if !t.complete() {
        return (
            CheckStatus::Unknown,
            format!(
                "seccomp {} on the main thread; {} thread(s) could not be read",
                mode.as_str(),
                t.unreadable.len()
            ),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "seccomp {}{filters} on all {} thread(s); the filter's rules are not visible from inside",
            mode.as_str(),
            t.count.max(1)
        ),
    )
}

/// Whether a MAC policy confines the process: Some(true) yes, Some(false) no.
pub(crate) fn mac_state(r: &Report) -> (Option<bool>, String) {
    let (s, e) = mac_enforced(r);
    (
        match s {
            CheckStatus::Pass => Some(true),
            CheckStatus::Fail => Some(false),
            CheckStatus::Unknown => None,
        },
        e,
    )
}

fn mac_enforced(r: &Report) -> Judged {
    match &r.lsm.label {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(LsmLabel::None { evidence }) => (
            CheckStatus::Fail,
            format!("no LSM is loaded, so nothing confines the process ({evidence})"),
        ),
        Fact::Known(LsmLabel::AppArmor(a)) => {
            let desc = format!("AppArmor profile {} in {} mode", a.profile, a.mode.as_str());
            match a.mode {
                AppArmorMode::Enforce | AppArmorMode::Kill if a.profile != "unconfined" => {
                    (CheckStatus::Pass, desc)
                }
                AppArmorMode::Other(_) => {
                    (CheckStatus::Unknown, format!("{desc}: mode not understood"))
                }
                _ => (CheckStatus::Fail, format!("{desc}: not enforcing")),
            }
        }
        Fact::Known(LsmLabel::Selinux(c)) => {
            if UNCONFINED_SELINUX_TYPES.contains(&c.type_.as_str()) {
                return (
                    CheckStatus::Fail,
                    format!("SELinux type {} is unconfined ({})", c.type_, c.context),
                );
            }
            match &r.lsm.selinux_enforcing {
                Fact::Known(true) => (
                    CheckStatus::Pass,
                    format!("SELinux enforcing, type {} ({})", c.type_, c.context),
                ),
                Fact::Known(false) => (
                    CheckStatus::Fail,
                    format!("SELinux permissive: type {} is not enforced", c.type_),
                ),
                Fact::Unknown(u) => (
                    CheckStatus::Unknown,
                    format!(
                        "SELinux type {}, enforcing state unknown: {}: {}",
                        c.type_, u.source, u.reason
                    ),
                ),
            }
        }
        Fact::Known(LsmLabel::Other { label }) => (
            CheckStatus::Unknown,
            format!("label {label:?} from an LSM this crate does not judge"),
        ),
    }
}

/// The Pod Security Standards' AppArmor and SELinux controls as a process
/// sees them: the Unconfined AppArmor profile is forbidden, SELinux types come
/// from an allow-list with no custom user or role (the runtime's defaults
/// `system_u`/`system_r`), and a host without either LSM is no failure.
fn mac_pod_security(r: &Report) -> Judged {
    match &r.lsm.label {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(LsmLabel::None { evidence }) => (
            CheckStatus::Pass,
            format!(
                "no LSM is loaded ({evidence}): the Pod Security Standards ask nothing of a host without AppArmor or SELinux (the checklist preset fails this)"
            ),
        ),
        Fact::Known(LsmLabel::AppArmor(a)) => {
            let desc = format!("AppArmor profile {} in {} mode", a.profile, a.mode.as_str());
            if a.profile == "unconfined" || a.mode == AppArmorMode::Unconfined {
                (
                    CheckStatus::Fail,
                    format!(
                        "{desc}: AppArmor is loaded and the process is unconfined, which the Pod Security Standards forbid"
                    ),
                )
            } else if a.mode == AppArmorMode::Complain {
                (
                    CheckStatus::Pass,
                    format!(
                        "{desc}: a profile is set, as the Pod Security Standards ask, but complain mode enforces nothing (the checklist preset fails this)"
                    ),
                )
            } else {
                (
                    CheckStatus::Pass,
                    format!("{desc}: a confining profile, as the Pod Security Standards ask"),
                )
            }
        }
        Fact::Known(LsmLabel::Selinux(c)) => {
            let custom = [("user", &c.user, "system_u"), ("role", &c.role, "system_r")]
                .into_iter()
                .filter(|(_, v, d)| v.as_str() != *d)
                .map(|(k, v, _)| format!("custom {k} {v}"))
                .collect::<Vec<_>>();
            if !PSS_SELINUX_TYPES.contains(&c.type_.as_str()) {
                (
                    CheckStatus::Fail,
                    format!(
                        "SELinux type {} ({}) is not one the Pod Security Standards allow ({})",
                        c.type_,
                        c.context,
                        PSS_SELINUX_TYPES.join(", ")
                    ),
                )
            } else if !custom.is_empty() {
                (
                    CheckStatus::Fail,
                    format!(
                        "SELinux context {} sets a {}: the Pod Security Standards forbid a custom user or role",
                        c.context,
                        custom.join(" and ")
                    ),
                )
            } else {
                (
                    CheckStatus::Pass,
                    format!(
                        "SELinux type {} ({}) is allowed by the Pod Security Standards (they judge the type, not whether the host enforces)",
                        c.type_, c.context
                    ),
                )
            }
        }
        Fact::Known(LsmLabel::Other { label }) => (
            CheckStatus::Unknown,
            format!("label {label:?} from an LSM this crate does not judge"),
        ),
    }
}

fn read_only_rootfs(r: &Report) -> Judged {
    match &r.mounts {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(m) => match (&m.root, m.root_read_only) {
            (Some(root), Some(true)) => (
                CheckStatus::Pass,
                format!("/ ({} {}) is mounted ro", root.fstype(), root.source()),
            ),
            (Some(root), _) => (
                CheckStatus::Fail,
                format!("/ ({} {}) is mounted rw", root.fstype(), root.source()),
            ),
            _ => (CheckStatus::Unknown, "no mount at / in mountinfo".into()),
        },
    }
}

fn no_new_privs(r: &Report) -> Judged {
    let n = match &r.no_new_privs {
        Fact::Known(n) => n,
        Fact::Unknown(u) => return unknown(u),
    };
    let src = match n.source {
        crate::report::NnpSource::Status => "status",
        crate::report::NnpSource::Prctl => "prctl(PR_GET_NO_NEW_PRIVS)",
    };
    if !n.enabled {
        return (CheckStatus::Fail, format!("no_new_privs off (from {src})"));
    }
    match nnp_everywhere(r) {
        Some(true) => (
            CheckStatus::Pass,
            format!("no_new_privs on for every thread (from {src})"),
        ),
        Some(false) => (
            CheckStatus::Fail,
            "no_new_privs on for the main thread, off for another thread".into(),
        ),
        None => (
            CheckStatus::Unknown,
            "no_new_privs on for the main thread; other threads unknown".into(),
        ),
    }
}

fn not_privileged(r: &Report) -> Judged {
    let full = match (&r.capabilities.bounding, &r.capabilities.full_set) {
        // Inside a user namespace whose root is an unprivileged host user, a
        // full set acts only on what that namespace owns.
        (Fact::Known(b), Fact::Known(full)) if b.is_superset(*full) && userns_root(r).is_none() => {
            (
                None,
                format!(
                    "bounding set is the kernel's full set of {} capabilities; whether the user namespace's root is an unprivileged host user is unknown",
                    full.len()
                ),
            )
        }
        (Fact::Known(b), Fact::Known(full))
            if b.is_superset(*full) && userns_unprivileged_root(r).is_some() =>
        {
            (
                Some(false),
                format!(
                    "bounding set is the kernel's full set of {} capabilities, but in a user namespace whose uid 0 is an unprivileged host user, so not privileged on the host",
                    full.len()
                ),
            )
        }
        (Fact::Known(b), Fact::Known(full)) => (
            Some(b.is_superset(*full)),
            format!(
                "bounding set {} the kernel's full set of {} capabilities",
                if b.is_superset(*full) { "is" } else { "is not" },
                full.len()
            ),
        ),
        (Fact::Unknown(u), _) | (_, Fact::Unknown(u)) => (
            None,
            format!(
                "bounding set vs full set unknown ({}: {})",
                u.source, u.reason
            ),
        ),
    };
    let seccomp_off = match &r.seccomp.mode {
        Fact::Known(m) => (
            Some(*m == SeccompMode::Disabled),
            format!("seccomp {}", m.as_str()),
        ),
        Fact::Unknown(u) => (None, format!("seccomp unknown ({})", u.reason)),
    };
    let (mac, mac_ev) = mac_state(r);
    let no_mac = (mac.map(|m| !m), format!("MAC: {mac_ev}"));
    let devices = match &r.devices {
        Fact::Known(d) if d.host_devices.is_empty() => {
            (Some(false), "no host devices in /dev".to_string())
        }
        Fact::Known(d) => (
            Some(true),
            format!(
                "host devices in /dev: {}{}",
                d.host_devices
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                if d.host_devices.len() > 8 {
                    format!(" (+{} more)", d.host_devices.len() - 8)
                } else {
                    String::new()
                }
            ),
        ),
        Fact::Unknown(u) => (None, format!("/dev unknown ({})", u.reason)),
    };
    let unconfined = all_bad(&[seccomp_off.0, no_mac.0, devices.0]);
    let verdict = any_bad(&[full.0, unconfined]);
    let evidence = format!("{}; {}; {}; {}", full.1, seccomp_off.1, no_mac.1, devices.1);
    match verdict {
        Some(true) => (
            CheckStatus::Fail,
            format!("privileged: {evidence}{}", userns_note(r)),
        ),
        Some(false) => (CheckStatus::Pass, evidence),
        None => (CheckStatus::Unknown, evidence),
    }
}

fn userns_remap(r: &Report) -> Judged {
    if r.runtime.kind.own_kernel() {
        return (
            CheckStatus::Unknown,
            format!(
                "under {} the uid_map is that kernel's own, not the host's mapping",
                r.runtime.kind.as_str()
            ),
        );
    }
    let maps = show_map;
    // Root is remapped only if no id here is the parent's root.
    if let Some(inside) = host_root_inside(r)
        && inside != 0
    {
        return (
            CheckStatus::Fail,
            format!(
                "uid 0 outside is mapped into this user namespace as uid {inside} (uid_map {}): whoever holds uid {inside} is root outside",
                maps(&r.user_namespace.uid_map)
            ),
        );
    }
    match &r.user_namespace.root_uid {
        Fact::Unknown(u) => unknown(u),
        Fact::Known(Mapping::HostRoot) => (
            CheckStatus::Fail,
            format!(
                "uid 0 is the host's uid 0 (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
        Fact::Known(Mapping::Unprivileged { outside }) => (
            CheckStatus::Pass,
            format!(
                "uid 0 maps to host uid {outside} (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
        Fact::Known(Mapping::Unmapped) => (
            CheckStatus::Pass,
            format!(
                "uid 0 is not mapped to any host uid (uid_map {})",
                maps(&r.user_namespace.uid_map)
            ),
        ),
    }
}

fn no_runtime_socket(r: &Report) -> Judged {
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    if !m.runtime_sockets.is_empty() {
        let list: Vec<String> = m
            .runtime_sockets
            .iter()
            .map(|s| {
                if s.seen_in == crate::report::SeenIn::Stat {
                    format!("{} socket reachable at {}", s.runtime, s.mount_point)
                } else {
                    format!(
                        "{} socket{} at {} (from {})",
                        s.runtime,
                        if s.directory { " directory" } else { "" },
                        s.mount_point,
                        s.root
                    )
                }
            })
            .collect();
        return (CheckStatus::Fail, list.join("; "));
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    (
        CheckStatus::Pass,
        format!("no runtime socket among {} mounts", m.count),
    )
}

/// A namespace verdict when the process runs on a kernel of its own (a Kata
/// guest, gVisor's Sentry): whatever that kernel's namespaces are, they are
/// not the host's.
fn own_kernel(r: &Report, ty: NsType) -> Option<Judged> {
    let rt = &r.runtime;
    (rt.kind.own_kernel() && rt.confidence == crate::report::Confidence::Strong).then(|| {
        (
            CheckStatus::Pass,
            format!(
                "runs on {}'s own kernel: its {} namespace, initial there or not, is not the host's",
                rt.kind.as_str(),
                ty.name()
            ),
        )
    })
}

fn host_ns(r: &Report, ty: NsType) -> Judged {
    if let Some(j) = own_kernel(r, ty) {
        return j;
    }
    let Some(n) = r.namespace(ty) else {
        return (
            CheckStatus::Unknown,
            format!("{} namespace not probed", ty.name()),
        );
    };
    let ino = n
        .inode
        .known()
        .map_or("unknown".to_string(), |i| i.to_string());
    match &n.initial {
        Fact::Known(true) => (
            CheckStatus::Fail,
            format!(
                "{} namespace inode {ino} is the host's initial namespace",
                ty.name()
            ),
        ),
        Fact::Known(false) => (
            CheckStatus::Pass,
            format!("{} namespace inode {ino} is not the host's", ty.name()),
        ),
        Fact::Unknown(u) => unknown(u),
    }
}

fn host_network(r: &Report) -> Judged {
    use crate::report::NetMethod;
    if r.runtime.kind == crate::report::RuntimeKind::Kata
        && let Some(j) = own_kernel(r, NsType::Net)
    {
        return j;
    }
    let n = &r.network;
    let ino = r
        .namespace(NsType::Net)
        .and_then(|n| n.inode.known().copied())
        .map_or("unknown".to_string(), |i| i.to_string());
    let signals = |host_only: bool| {
        n.signals
            .iter()
            .filter(|s| !host_only || s.host)
            .map(|s| format!("[{}] {}: {}", s.strength.as_str(), s.source, s.observed))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let cookie = match &n.netns_cookie {
        Some(Fact::Known(c)) => format!("SO_NETNS_COOKIE {c}"),
        Some(Fact::Unknown(u)) => format!("SO_NETNS_COOKIE unknown ({}: {})", u.source, u.reason),
        None => String::new(),
    };
    let how = match n.decided_by {
        Some(NetMethod::Inode) => format!("network namespace inode {ino}"),
        Some(NetMethod::NetnsCookie) => {
            format!("{cookie} (the initial network namespace's cookie is 1 on Linux 5.14 to 6.17)")
        }
        Some(NetMethod::Contents) => format!(
            "what the namespace holds ({cookie}{}{})",
            if cookie.is_empty() { "" } else { "; " },
            signals(n.initial == Fact::Known(true))
        ),
        None => String::new(),
    };
    match &n.initial {
        Fact::Known(true) => (
            CheckStatus::Fail,
            format!("the host's initial network namespace, by {how}"),
        ),
        Fact::Known(false) => (
            CheckStatus::Pass,
            format!("not the host's network namespace, by {how}"),
        ),
        Fact::Unknown(u) => {
            let mut ev = format!("unknown: {}: {}", u.source, u.reason);
            if !cookie.is_empty() {
                ev.push_str("; ");
                ev.push_str(&cookie);
            }
            if !n.signals.is_empty() {
                ev.push_str("; ");
                ev.push_str(&signals(false));
            }
            (CheckStatus::Unknown, ev)
        }
    }
}

fn no_host_path(r: &Report) -> Judged {
    use crate::report::HostMountKind;
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    let mut bad = Vec::new();
    let mut fine = Vec::new();
    // gVisor's /dev, /proc and /sys are the Sentry's own.
    let gvisor = r.runtime.kind == crate::report::RuntimeKind::Gvisor;
    for h in &m.host_mounts {
        let at = h.mount.mount_point();
        match h.kind {
            HostMountKind::Pseudo if gvisor => {}
            HostMountKind::Pseudo => bad.push(
                h.sensitive
                    .clone()
                    .unwrap_or_else(|| format!("the host's {} at {at}", h.mount.fstype())),
            ),
            HostMountKind::HostPath => bad.push(format!(
                "host path {} at {at}{}",
                h.host_path.as_deref().unwrap_or(h.mount.root()),
                if h.placement == "assumed_root" {
                    " (its filesystem taken as the host's /)"
                } else {
                    ""
                }
            )),
            HostMountKind::RuntimeFile => fine.push(format!("{at} (the runtime's own file)")),
            HostMountKind::Volume => fine.push(format!("{at} (a volume)")),
            HostMountKind::Filesystem => fine.push(format!(
                "{at} (a whole {} filesystem from {}, not the host's root)",
                h.mount.fstype(),
                h.mount.source()
            )),
        }
    }
    if !bad.is_empty() {
        return (CheckStatus::Fail, bad.join("; "));
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    if fine.is_empty() {
        return (
            CheckStatus::Pass,
            format!("no host directory or file among {} mounts", m.count),
        );
    }
    (
        CheckStatus::Pass,
        format!(
            "no host directory or file bound in; from disks: {}",
            fine.join(", ")
        ),
    )
}

fn no_sensitive_mounts(r: &Report, p: &Policy) -> Judged {
    let m = match &r.mounts {
        Fact::Known(m) => m,
        Fact::Unknown(u) => return unknown(u),
    };
    // Pod Security Admission lets user-namespaced pods unmask /proc
    // (procMount: Unmasked): there its files belong to the pod's namespace.
    let userns = userns_root(r);
    let masks_relaxed = p.rules == Rules::PodSecurity && userns.is_some_and(|u| u.is_some());
    // What fails only because whether the user namespace relaxes it is unknown.
    let mut unsure = Vec::new();
    let mut relaxed = Vec::new();
    let mut bad = Vec::new();
    // gVisor's /proc and /sys are the Sentry's own, not the host kernel's.
    let gvisor = r.runtime.kind == crate::report::RuntimeKind::Gvisor;
    // In a user namespace whose root is an unprivileged host user, files
    // that only the host's root may open (/proc/kcore 0400, sysrq-trigger
    // 0200, sysfs's attributes) stay shut: their owner is not mapped there,
    // so neither DAC nor the namespace's capabilities reach them.
    let unmapped_root = userns.is_some_and(|u| u.is_some());
    let mut notes = Vec::new();
    for h in &m.host_mounts {
        if gvisor && h.kind == crate::report::HostMountKind::Pseudo {
            continue;
        }
        if let Some(why) = &h.sensitive {
            bad.push(why.clone());
        }
    }
    // A runtime socket is the most sensitive host path of all.
    for sock in m.runtime_sockets.iter().filter(|s| !s.directory) {
        bad.push(format!(
            "{} socket from the host at {}",
            sock.runtime, sock.mount_point
        ));
    }
    if m.proc_sys == PseudoFsState::ReadWrite && !gvisor {
        // Sysctl permissions test the effective uid as the host sees it: an
        // euid that maps to uid 0 outside writes the host's sysctls.
        let euid_outside_root = match (&r.identity.uid, r.user_namespace.uid_map.known()) {
            (Fact::Known(ids), Some(map)) => map.to_outside(ids.effective) == Some(0),
            _ => false,
        };
        bad.push(match r.user_namespace.initial {
            Fact::Known(false) if euid_outside_root => "/proc/sys is writable, and this process's effective uid is uid 0 outside its user namespace, which sysctl permissions test".to_string(),
            Fact::Known(false) => "/proc/sys is writable (in a non-initial user namespace, so only the sysctls that namespace owns can be written)".to_string(),
            _ => "/proc/sys is writable".to_string(),
        });
    }
    if m.sys == PseudoFsState::ReadWrite && !gvisor {
        if unmapped_root {
            notes.push("/sys is writable, but its files belong to the host's root, which this user namespace does not map".to_string());
        } else if userns.is_none() {
            unsure.push("/sys is writable".to_string());
        } else {
            bad.push("/sys is writable".into());
        }
    }
    let mut masks = Vec::new();
    for path in REQUIRED_MASKS {
        let state = m
            .masked_paths
            .iter()
            .find(|x| x.path == *path)
            .map(|x| x.state);
        let root_only = matches!(*path, "/proc/kcore" | "/proc/sysrq-trigger");
        let (ok, word) = match state {
            Some(MaskState::Masked) => (true, "masked"),
            Some(MaskState::Absent) => (true, "absent"),
            Some(MaskState::ReadOnly) => (*path == "/proc/sysrq-trigger", "read-only"),
            _ if unmapped_root && root_only => (
                true,
                "exposed, but only the host's root may open it, and this user namespace does not map it",
            ),
            _ => (gvisor, "exposed"),
        };
        if ok {
            masks.push(format!("{path} {word}"));
        } else if masks_relaxed {
            relaxed.push(format!("{path} {word}"));
        } else if userns.is_none() && (root_only || p.rules == Rules::PodSecurity) {
            unsure.push(format!("{path} is {word}, not masked"));
        } else {
            bad.push(format!("{path} is {word}, not masked"));
        }
    }
    if !bad.is_empty() {
        return (CheckStatus::Fail, bad.join("; "));
    }
    if !unsure.is_empty() {
        return (
            CheckStatus::Unknown,
            format!(
                "{}; whether the user namespace's root is an unprivileged host user (which makes these harmless or allowed) is unknown",
                unsure.join("; ")
            ),
        );
    }
    if !m.is_complete() {
        return (
            CheckStatus::Unknown,
            format!("mount table incomplete: {}", m.incomplete.join("; ")),
        );
    }
    let fs = |s: PseudoFsState| match s {
        PseudoFsState::ReadOnly => "read-only",
        PseudoFsState::ReadWrite => "writable (gVisor's own)",
        PseudoFsState::NotMounted => "not mounted",
        PseudoFsState::Emulated => "an emulation, not the kernel's tree",
    };
    for n in notes {
        masks.push(n);
    }
    let relaxed = if relaxed.is_empty() {
        String::new()
    } else {
        format!(
            "; {}: the Pod Security Standards allow an unmasked /proc in a user-namespaced pod",
            relaxed.join(", ")
        )
    };
    (
        CheckStatus::Pass,
        format!(
            "no sensitive host path among {} mounts; /proc/sys {}, /sys {}; {}{relaxed}",
            m.count,
            fs(m.proc_sys),
            fs(m.sys),
            masks.join(", ")
        ),
    )
}

/// Memory and pids limits. Docker, podman and CRI-O set a container's
/// memory and pids limits, and Kubernetes its memory limit, on the
/// container's own cgroup; runtimes create the container's cgroup namespace
/// there and mount v1 hierarchies from it, so that cgroup is the top of the
/// container's view. `max` there means the runtime set no limit: a fail,
/// though the ancestors are not visible. Kubernetes puts the kubelet's
/// `podPidsLimit` on the pod's cgroup, above the container's: with the view
/// stopping below the real root, a pids `max` under Kubernetes is unknown.
/// On a kernel of its own (gVisor, a Kata guest) the tree is that kernel's.
fn resource_limits(r: &Report) -> Judged {
    use crate::parse::cgroup::{Limit, LimitScope};
    let c = match &r.cgroups {
        Fact::Known(c) => c,
        Fact::Unknown(u) => return unknown(u),
    };
    let kubernetes = r.runtime.kubernetes;
    let part = |name: &str, f: &Fact<Limit>, scope: Option<&LimitScope>| match f {
        Fact::Known(l) if l.is_limited() => (Some(false), format!("{name} limit {l}")),
        Fact::Known(_) => match scope {
            Some(LimitScope {
                real_root: Some(true),
                ..
            }) => (
                Some(true),
                format!(
                    "no {name} limit on this process's cgroup or any above it, up to the real root cgroup"
                ),
            ),
            Some(LimitScope { top, .. }) if name == "pids" && kubernetes => (
                None,
                format!(
                    "no pids limit on the container's own cgroup (cgroup {top} in its view); Kubernetes puts the pod's pids limit (the kubelet's podPidsLimit) on the pod's cgroup above it, which is not visible from inside"
                ),
            ),
            Some(LimitScope { top, .. }) => (
                Some(true),
                format!(
                    "no {name} limit on the container's own cgroup (cgroup {top}, the top of its view), where runtimes set it (the cgroups above are not visible)"
                ),
            ),
            None => (Some(true), format!("no {name} limit")),
        },
        Fact::Unknown(u) => (
            None,
            format!("{name} limit unknown ({}: {})", u.source, u.reason),
        ),
    };
    let mut parts = [
        part("memory", &c.memory, c.memory_scope.as_ref()),
        part("pids", &c.pids, c.pids_scope.as_ref()),
    ];
    // On a kernel of its own (gVisor, a Kata guest) the cgroup tree is that
    // kernel's: its root having no limit says nothing of the host's limits.
    if r.runtime.kind.own_kernel() {
        for (bad, ev) in parts.iter_mut() {
            if *bad == Some(true) {
                *bad = None;
                ev.push_str(&format!(
                    " in {}'s own cgroup tree, which says nothing of the limits the host sets on the sandbox",
                    r.runtime.kind.as_str()
                ));
            }
        }
    }
    let ev = parts
        .iter()
        .map(|(_, e)| e.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    match any_bad(&[parts[0].0, parts[1].0]) {
        Some(true) => (CheckStatus::Fail, ev),
        Some(false) => (CheckStatus::Pass, ev),
        None => (CheckStatus::Unknown, ev),
    }
}

fn no_service_account_token(r: &Report) -> Judged {
    let mounted = match &r.mounts {
        Fact::Known(m) if !m.service_account_mounts.is_empty() => {
            return (
                CheckStatus::Fail,
                format!(
                    "service-account credentials mounted at {}",
                    m.service_account_mounts.join(", ")
                ),
            );
        }
        Fact::Known(m) => m
            .is_complete()
            .then_some(())
            .ok_or("mount table incomplete".to_string()),
        Fact::Unknown(u) => Err(format!("{}: {}", u.source, u.reason)),
    };
    match (&r.service_account_token, mounted) {
        (Fact::Known(true), _) => (
            CheckStatus::Fail,
            "a service-account token file is present".into(),
        ),
        (Fact::Known(false), Ok(())) => (
            CheckStatus::Pass,
            "no service-account token file or mount".into(),
        ),
        (Fact::Unknown(u), _) => unknown(u),
        (_, Err(e)) => (CheckStatus::Unknown, e),
    }
}

fn proc_trusted(r: &Report) -> Judged {
    match &r.proc_trust {
        Fact::Known(ProcTrust::Procfs) => (
            CheckStatus::Pass,
            "statfs(/proc) reports procfs, and what it says of this process agrees with the kernel's direct answers".into(),
        ),
        Fact::Known(ProcTrust::Fixture) => (
            CheckStatus::Pass,
            "fixture root: files captured elsewhere, not verified here".into(),
        ),
        Fact::Known(ProcTrust::NotProcfs { magic }) => (
            CheckStatus::Fail,
            format!("/proc is filesystem {magic}, not procfs: nothing read from it can be trusted"),
        ),
        Fact::Known(ProcTrust::Disagrees { findings }) => (
            CheckStatus::Fail,
            format!(
                "/proc disagrees with what the kernel answers directly, so nothing read from it can be trusted: {}",
                findings.join("; ")
            ),
        ),
        Fact::Unknown(u) => unknown(u),
    }
}

/// Fails when the syscall probe found a listed syscall the filter lets
/// through; unknown when the probe did not run or could not decide one.
fn dangerous_syscalls_blocked(r: &Report) -> Judged {
    let p = match &r.syscalls {
        Fact::Known(p) => p,
        Fact::Unknown(u) => return unknown(u),
    };
    let userns = p.user_namespaces_summary();
    let reachable = p.reachable();
    if !reachable.is_empty() {
        let names: Vec<&str> = reachable.iter().map(|s| s.name()).collect();
        return (
            CheckStatus::Fail,
            format!(
                "{} of {} listed syscalls reach the kernel (its own argument check answered): {}; {userns}",
                names.len(),
                p.results.len(),
                names.join(", ")
            ),
        );
    }
    let undecided: Vec<String> = p
        .results
        .iter()
        .filter(|r| r.outcome.as_str() == "unknown")
        .map(|r| format!("{} ({})", r.syscall, r.outcome.detail()))
        .collect();
    if !undecided.is_empty() {
        return (
            CheckStatus::Unknown,
            format!("none reachable, but undecided: {}", undecided.join("; ")),
        );
    }
    (
        CheckStatus::Pass,
        format!("{}; {userns}", p.blocked_summary()),
    )
}

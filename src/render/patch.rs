//! Patches (private module; the user docs are on [`crate::render::k8s_patch`]).

use crate::policy::{Assessment, CheckId, CheckStatus};

/// Where a fix goes.
enum Fix {
    /// A pod-level field: `spec.<key>: <value>`.
    Pod(&'static str, &'static str),
    /// A container `securityContext` line (already YAML: `key: value`).
    Container(&'static str),
    /// The container's `resources.limits`.
    Limits(&'static str),
    /// Nothing in the manifest fixes it: why.
    Comment(&'static str),
}

fn fixes(id: CheckId, evidence: &str) -> Vec<Fix> {
    use Fix::*;
    match id {
        CheckId::NonRoot => vec![
            Container("runAsNonRoot: true"),
            Container("runAsUser: 65532  # any uid but 0 that the image can run as"),
        ],
        // `add: []` too: a strategic merge keeps a manifest's own `add`
        // list (measured in tests/manifest_play.rs: `add: [NET_RAW]`
        // survived a patch of `drop` alone and the check still failed).
        CheckId::CapabilitiesDropped => vec![Container(
            "capabilities: {drop: [\"ALL\"], add: []}  # add back only what the policy allows",
        )],
        CheckId::Seccomp => vec![Container("seccompProfile: {type: RuntimeDefault}")],
        CheckId::DangerousSyscallsBlocked => vec![Comment(
            "dangerous_syscalls_blocked: see which calls the filter lets through (--probe-syscalls), \
             write a profile that blocks them and set seccompProfile: {type: Localhost, localhostProfile: <it>}",
        )],
        CheckId::MacEnforced if evidence.contains("no LSM") => vec![Comment(
            "mac_enforced: no AppArmor or SELinux on this node; no manifest field can enforce one here",
        )],
        CheckId::MacEnforced => vec![Container("appArmorProfile: {type: RuntimeDefault}")],
        CheckId::ReadOnlyRootfs => vec![Container("readOnlyRootFilesystem: true")],
        CheckId::NoNewPrivs => vec![Container("allowPrivilegeEscalation: false")],
        CheckId::NotPrivileged => vec![Container("privileged: false")],
        CheckId::UsernsRemap => vec![Pod("hostUsers", "false")],
        CheckId::NoHostPid => vec![Pod("hostPID", "false")],
        CheckId::NoHostIpc => vec![Pod("hostIPC", "false")],
        CheckId::NoHostNetwork => vec![Pod("hostNetwork", "false")],
        CheckId::NoServiceAccountToken => vec![Pod("automountServiceAccountToken", "false")],
        CheckId::ResourceLimits => vec![
            Limits("memory: 256Mi  # the service's own need"),
            Comment(
                "resource_limits: the pids limit is the kubelet's podPidsLimit, not a manifest field",
            ),
        ],
        CheckId::NoHostUts => vec![Comment(
            "no_host_uts: Kubernetes has no hostUTS field; a pod shares the host's uts namespace only with hostNetwork",
        )],
        CheckId::NoHostPath | CheckId::NoSensitiveMounts | CheckId::NoRuntimeSocket => {
            vec![Comment(match id {
                CheckId::NoHostPath => {
                    "no_host_path: remove the hostPath volume (see the evidence)"
                }
                CheckId::NoSensitiveMounts => {
                    "no_sensitive_mounts: remove the hostPath volume of the sensitive path; procMount: Default"
                }
                _ => "no_runtime_socket: remove the volume that mounts the runtime socket",
            })]
        }
        CheckId::ProcTrusted => vec![Comment(
            "proc_trusted: /proc is not the kernel's procfs; no manifest field fixes that",
        )],
    }
}

/// The other direction: the manifest fields that would make the failing
/// checks pass, as a YAML patch to merge into a pod spec (`posture --check
/// --format k8s-patch`), or the Compose service keys that would (`--format
/// compose`). A check no manifest field can fix (no LSM on the
/// node, a masked path, a runtime socket) is a comment saying so, never an
/// invented field; a declared field that drifted (a manifest used as the
/// policy) is a comment too: the manifest already says it, the node did not
/// apply it.
///
/// Pure: the assessment in, text out.
///
/// The patch for every check that did not pass (failed or unknown,
/// required or a warning), for `container` (a name, or a placeholder).
pub fn k8s_patch(a: &Assessment, container: &str) -> String {
    let mut pod = Vec::new();
    let mut ctr = Vec::new();
    let mut limits = Vec::new();
    let mut comments = Vec::new();
    for c in a.checks.iter().filter(|c| c.status != CheckStatus::Pass) {
        for f in fixes(c.id, &c.evidence) {
            match f {
                Fix::Pod(k, v) => pod.push(format!("  {k}: {v}  # {}", c.id)),
                Fix::Container(line) => ctr.push((line, c.id)),
                Fix::Limits(line) => limits.push((line, c.id)),
                Fix::Comment(why) => comments.push(format!("# {why}")),
            }
        }
    }
    for e in a.drift() {
        comments.push(format!(
            "# {}: declared {}, applied {}: already declared; the node did not apply it (runtime, admission webhook, RuntimeClass)",
            e.field, e.declared, e.applied
        ));
    }
    pod.dedup();
    ctr.dedup_by(|x, y| x.0 == y.0);
    let mut out = format!(
        "# posture k8s-patch for policy {:?}: merge into the pod spec (kubectl patch --type strategic)\n",
        a.policy
    );
    if pod.is_empty() && ctr.is_empty() && limits.is_empty() && comments.is_empty() {
        out.push_str("# every check passed: nothing to patch\n");
        return out;
    }
    for c in &comments {
        out.push_str(c);
        out.push('\n');
    }
    out.push_str("spec:\n");
    for p in &pod {
        out.push_str(p);
        out.push('\n');
    }
    out.push_str(&format!("  containers:\n    - name: {container:?}\n"));
    if !ctr.is_empty() {
        out.push_str("      securityContext:\n");
        for (line, id) in &ctr {
            out.push_str(&format!("        {line}  # {id}\n"));
        }
    }
    if !limits.is_empty() {
        out.push_str("      resources:\n        limits:\n");
        for (line, id) in &limits {
            out.push_str(&format!("          {line}  # {id}\n"));
        }
    }
    out
}

/// Where a Compose fix goes.
enum ComposeFix {
    /// A service key and its value (already YAML).
    Key(&'static str, &'static str),
    /// An entry of the service's `security_opt` list.
    SecurityOpt(&'static str),
    /// Nothing the service's keys can set fixes it, or the fix is to
    /// remove something: what to do.
    Comment(&'static str),
}

fn compose_fixes(id: CheckId, evidence: &str) -> Vec<ComposeFix> {
    use ComposeFix::*;
    match id {
        CheckId::NonRoot => vec![Key(
            "user",
            "\"65532:65532\"  # any uid but 0 that the image can run as",
        )],
        // `cap_add: []` too, as the k8s patch's `add: []`: the service's own
        // `cap_add` would otherwise stay beside the new `cap_drop`.
        CheckId::CapabilitiesDropped => vec![
            Key("cap_drop", "[\"ALL\"]"),
            Key("cap_add", "[]  # add back only what the policy allows"),
        ],
        CheckId::Seccomp => vec![Comment(
            "seccomp: remove seccomp=unconfined from security_opt (and privileged: true): the runtime's default filter then applies; or name a profile: seccomp=<path>",
        )],
        CheckId::DangerousSyscallsBlocked => vec![Comment(
            "dangerous_syscalls_blocked: see which calls the filter lets through (--probe-syscalls), write a profile that blocks them and name it in security_opt: seccomp=<path>",
        )],
        CheckId::MacEnforced if evidence.contains("no LSM") => vec![Comment(
            "mac_enforced: no AppArmor or SELinux on this node; no Compose key can enforce one here",
        )],
        CheckId::MacEnforced => vec![Comment(
            "mac_enforced: remove apparmor=unconfined / label=disable from security_opt (the runtime's default profile then applies; its name differs per runtime)",
        )],
        CheckId::ReadOnlyRootfs => vec![Key("read_only", "true")],
        CheckId::NoNewPrivs => vec![SecurityOpt("no-new-privileges:true")],
        CheckId::NotPrivileged => vec![Key("privileged", "false")],
        CheckId::UsernsRemap => vec![Comment(
            "userns_remap: Docker: the daemon's userns-remap setting, not a Compose key; Podman: userns_mode: auto",
        )],
        CheckId::NoHostPid => vec![Comment("no_host_pid: remove pid: host")],
        CheckId::NoHostIpc => vec![Key("ipc", "private")],
        CheckId::NoHostNetwork => vec![Comment("no_host_network: remove network_mode: host")],
        CheckId::NoHostUts => vec![Comment("no_host_uts: remove uts: host")],
        CheckId::NoServiceAccountToken => vec![Comment(
            "no_service_account_token: remove the volume that mounts the service-account token",
        )],
        CheckId::ResourceLimits => vec![
            Key("mem_limit", "256m  # the service's own need"),
            Key("pids_limit", "512  # the service's own need"),
        ],
        CheckId::NoHostPath => vec![Comment(
            "no_host_path: remove the bind-mounted host path from volumes (see the evidence)",
        )],
        CheckId::NoSensitiveMounts => vec![Comment(
            "no_sensitive_mounts: remove the bind mount of the sensitive path from volumes",
        )],
        CheckId::NoRuntimeSocket => vec![Comment(
            "no_runtime_socket: remove the volume that mounts the runtime socket",
        )],
        CheckId::ProcTrusted => vec![Comment(
            "proc_trusted: /proc is not the kernel's procfs; no Compose key fixes that",
        )],
    }
}

/// The Compose service keys that would make every check that did not pass
/// (failed or unknown, required or a warning) pass, for `service` (a name,
/// or a placeholder). Each key replaces the service's own (`security_opt`
/// too: keep its other entries); what no key fixes, or what needs a key
/// removed, is a comment.
pub fn compose_patch(a: &Assessment, service: &str) -> String {
    let mut keys: Vec<(&str, &str, CheckId)> = Vec::new();
    let mut opts: Vec<(&str, CheckId)> = Vec::new();
    let mut comments = Vec::new();
    for c in a.checks.iter().filter(|c| c.status != CheckStatus::Pass) {
        for f in compose_fixes(c.id, &c.evidence) {
            match f {
                ComposeFix::Key(k, v) => keys.push((k, v, c.id)),
                ComposeFix::SecurityOpt(o) => opts.push((o, c.id)),
                ComposeFix::Comment(why) => comments.push(format!("# {why}")),
            }
        }
    }
    for e in a.drift() {
        comments.push(format!(
            "# {}: declared {}, applied {}: already declared; the runtime did not apply it (how the service was started)",
            e.field, e.declared, e.applied
        ));
    }
    keys.dedup_by(|x, y| x.0 == y.0);
    opts.dedup_by(|x, y| x.0 == y.0);
    comments.dedup();
    let mut out = format!(
        "# posture compose patch for policy {:?}: set these keys in the service (each replaces the service's own; keep security_opt's other entries)\n",
        a.policy
    );
    if keys.is_empty() && opts.is_empty() && comments.is_empty() {
        out.push_str("# every check passed: nothing to patch\n");
        return out;
    }
    for c in &comments {
        out.push_str(c);
        out.push('\n');
    }
    if keys.is_empty() && opts.is_empty() {
        return out;
    }
    out.push_str(&format!("services:\n  {service:?}:\n"));
    for (k, v, id) in &keys {
        out.push_str(&format!("    {k}: {v}  # {id}\n"));
    }
    if !opts.is_empty() {
        out.push_str("    security_opt:\n");
        for (o, id) in &opts {
            out.push_str(&format!("      - {o:?}  # {id}\n"));
        }
    }
    out
}

#[cfg(all(test, feature = "manifest"))]
mod tests {
    use super::*;
    use crate::policy::manifest::{Node, read_yaml};
    use crate::policy::{Action, Policy, Preset, evaluate};

    fn patch_of(fixture: &str, policy: Policy) -> Option<String> {
        let dir = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        if !std::path::Path::new(&dir).exists() {
            return None;
        }
        let r = crate::posture_with_root(&crate::Root::fixture(&dir));
        Some(k8s_patch(&evaluate(&r, &policy), "app"))
    }

    #[test]
    fn the_patch_is_yaml_holding_each_fix_once() {
        let Some(p) = patch_of("privileged", Policy::preset(Preset::Strict)) else {
            return;
        };
        let docs = read_yaml(&p, "patch").unwrap();
        let spec = docs[0].get("spec").unwrap();
        assert_eq!(spec.get("hostUsers"), Some(&Node::Bool(false)));
        let Some(Node::Seq(c)) = spec.get("containers") else {
            panic!("{p}")
        };
        assert_eq!(c[0].get("name"), Some(&Node::Str("app".into())));
        let sc = c[0].get("securityContext").unwrap();
        for (k, v) in [
            ("privileged", Node::Bool(false)),
            ("runAsNonRoot", Node::Bool(true)),
            ("readOnlyRootFilesystem", Node::Bool(true)),
            ("allowPrivilegeEscalation", Node::Bool(false)),
        ] {
            assert_eq!(sc.get(k), Some(&v), "{k}: {p}");
        }
        assert!(sc.get("seccompProfile").is_some(), "{p}");
        let caps = sc.get("capabilities").unwrap();
        assert_eq!(caps.get("add"), Some(&Node::Seq(vec![])), "{p}");
        assert_eq!(
            caps.get("drop"),
            Some(&Node::Seq(vec![Node::Str("ALL".into()).into()])),
            "{p}"
        );
        assert_eq!(p.matches("runAsNonRoot").count(), 1);
        // No LSM on that host: a comment, not an invented field.
        assert!(
            p.contains("# mac_enforced: no AppArmor or SELinux on this node"),
            "{p}"
        );
        assert!(sc.get("appArmorProfile").is_none());
    }

    #[test]
    fn nothing_to_patch_when_every_check_passes() {
        // k8s-restricted under pss-restricted, without the four checks it
        // does not pass (no LSM, no user namespace, no limits, no probe).
        let policy = Policy::preset(Preset::PssRestricted)
            .set(CheckId::MacEnforced, Action::Ignore)
            .set(CheckId::UsernsRemap, Action::Ignore)
            .set(CheckId::ResourceLimits, Action::Ignore)
            .set(CheckId::DangerousSyscallsBlocked, Action::Ignore);
        let Some(p) = patch_of("k8s-restricted", policy) else {
            return;
        };
        assert!(
            p.ends_with("# every check passed: nothing to patch\n"),
            "{p}"
        );
    }

    #[test]
    fn the_compose_patch_is_yaml_holding_the_service_keys() {
        let Some(_) = patch_of("privileged", Policy::preset(Preset::Strict)) else {
            return;
        };
        let dir = format!("{}/tests/fixtures/privileged", env!("CARGO_MANIFEST_DIR"));
        let r = crate::posture_with_root(&crate::Root::fixture(&dir));
        let a = evaluate(&r, &Policy::preset(Preset::Strict));
        let p = compose_patch(&a, "app");
        let docs = read_yaml(&p, "patch").unwrap();
        let svc = docs[0].get("services").and_then(|s| s.get("app")).unwrap();
        assert_eq!(svc.get("privileged"), Some(&Node::Bool(false)), "{p}");
        assert_eq!(svc.get("read_only"), Some(&Node::Bool(true)), "{p}");
        assert_eq!(
            svc.get("user"),
            Some(&Node::Str("65532:65532".into())),
            "{p}"
        );
        assert_eq!(
            svc.get("security_opt"),
            Some(&Node::Seq(vec![
                Node::Str("no-new-privileges:true".into()).into()
            ])),
            "{p}"
        );
        assert_eq!(
            svc.get("cap_drop"),
            Some(&Node::Seq(vec![Node::Str("ALL".into()).into()])),
            "{p}"
        );
        assert_eq!(svc.get("cap_add"), Some(&Node::Seq(vec![])), "{p}");
        // No invented keys: what the file cannot set is a comment.
        assert!(
            p.contains("# mac_enforced: no AppArmor or SELinux on this node"),
            "{p}"
        );
        for k in ["apparmor", "seccomp:", "userns_remap:", "hostUsers"] {
            assert!(
                p.lines()
                    .filter(|l| !l.starts_with('#'))
                    .all(|l| !l.contains(k)),
                "{k}: {p}"
            );
        }
        assert_eq!(p.matches("read_only:").count(), 1, "{p}");
    }

    #[test]
    fn the_compose_patch_has_nothing_when_every_check_passes() {
        let policy = Policy::preset(Preset::PssRestricted)
            .set(CheckId::MacEnforced, Action::Ignore)
            .set(CheckId::UsernsRemap, Action::Ignore)
            .set(CheckId::ResourceLimits, Action::Ignore)
            .set(CheckId::DangerousSyscallsBlocked, Action::Ignore);
        let dir = format!(
            "{}/tests/fixtures/k8s-restricted",
            env!("CARGO_MANIFEST_DIR")
        );
        if !std::path::Path::new(&dir).exists() {
            return;
        }
        let r = crate::posture_with_root(&crate::Root::fixture(&dir));
        let p = compose_patch(&evaluate(&r, &policy), "app");
        assert!(
            p.ends_with("# every check passed: nothing to patch\n"),
            "{p}"
        );
    }
}

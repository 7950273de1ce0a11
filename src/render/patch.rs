//! The other direction: the manifest fields that would make the failing
//! checks pass, as a YAML patch to merge into a pod spec (`posture --check
//! --format k8s-patch`). A check no manifest field can fix (no LSM on the
//! node, a masked path, a runtime socket) is a comment saying so, never an
//! invented field; a declared field that drifted (a manifest used as the
//! policy) is a comment too: the manifest already says it, the node did not
//! apply it.
//!
//! Pure: the assessment in, text out.

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
        CheckId::CapabilitiesDropped => vec![Container("capabilities: {drop: [\"ALL\"]}")],
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

#[cfg(all(test, feature = "manifest"))]
mod tests {
    use super::*;
    use crate::policy::manifest::{Node, read_yaml};
    use crate::policy::{Policy, Preset, evaluate};

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
            .ignore(CheckId::MacEnforced)
            .ignore(CheckId::UsernsRemap)
            .ignore(CheckId::ResourceLimits)
            .ignore(CheckId::DangerousSyscallsBlocked);
        let Some(p) = patch_of("k8s-restricted", policy) else {
            return;
        };
        assert!(
            p.ends_with("# every check passed: nothing to patch\n"),
            "{p}"
        );
    }
}

//! The controls each check covers, against tables written here from the
//! sources (not from the library): the CIS Docker Benchmark v1.6.0 items as
//! docker-bench-security numbers them after its v1.6.0 correction (PR 546)
//! and steampipe-mod-docker-compliance's `cis_v160`; Pod Security Admission's
//! check ids (k8s.io/pod-security-admission v0.33) with the control names of
//! the Pod Security Standards page; the NSA/CISA Kubernetes Hardening Guide
//! v1.2 section headings.

use std::collections::BTreeMap;

use posture::policy::CheckId;
use posture::policy::{Control, Framework};

mod common;
use common::CHECK_IDS;

const CIS: &str = "cis_docker_1.6.0";
const PSS: &str = "k8s_pss_1.33";
const NSA: &str = "nsa_cisa_k8s_1.2";

fn check(id: &str) -> CheckId {
    id.parse()
        .unwrap_or_else(|e| panic!("{id} is no check id: {e}"))
}

fn ids_in(id: &str, framework: &str) -> Vec<&'static str> {
    check(id)
        .controls()
        .iter()
        .filter(|c| c.framework.to_string() == framework)
        .map(|c| c.id)
        .collect()
}

/// CIS Docker Benchmark v1.6.0: number -> title, for every item a check may
/// cite (sections 2, 4 and 5 of the benchmark).
const CIS_ITEMS: &[(&str, &str)] = &[
    ("2.9", "Enable user namespace support"),
    (
        "4.1",
        "Ensure that a user for the container has been created",
    ),
    (
        "5.2",
        "Ensure that, if applicable, an AppArmor Profile is enabled",
    ),
    (
        "5.3",
        "Ensure that, if applicable, SELinux security options are set",
    ),
    (
        "5.4",
        "Ensure that Linux kernel capabilities are restricted within containers",
    ),
    ("5.5", "Ensure that privileged containers are not used"),
    (
        "5.6",
        "Ensure sensitive host system directories are not mounted on containers",
    ),
    (
        "5.10",
        "Ensure that the host's network namespace is not shared",
    ),
    (
        "5.11",
        "Ensure that the memory usage for containers is limited",
    ),
    (
        "5.13",
        "Ensure that the container's root filesystem is mounted as read only",
    ),
    (
        "5.16",
        "Ensure that the host's process namespace is not shared",
    ),
    ("5.17", "Ensure that the host's IPC namespace is not shared"),
    (
        "5.18",
        "Ensure that host devices are not directly exposed to containers",
    ),
    ("5.21", "Ensure that the host's UTS namespace is not shared"),
    ("5.22", "Ensure the default seccomp profile is not Disabled"),
    (
        "5.26",
        "Ensure that the container is restricted from acquiring additional privileges",
    ),
    ("5.29", "Ensure that the PIDs cgroup limit is used"),
    (
        "5.31",
        "Ensure that the host's user namespaces are not shared",
    ),
    (
        "5.32",
        "Ensure that the Docker socket is not mounted inside any containers",
    ),
];

/// Which CIS items each check covers, from the benchmark's wording.
#[test]
fn cis_docker_items_per_check() {
    let want: &[(&str, &[&str])] = &[
        ("non_root", &["4.1"]),
        ("capabilities_dropped", &["5.4"]),
        ("seccomp", &["5.22"]),
        ("mac_enforced", &["5.2", "5.3"]),
        ("read_only_rootfs", &["5.13"]),
        ("no_new_privs", &["5.26"]),
        ("not_privileged", &["5.5"]),
        ("userns_remap", &["2.9", "5.31"]),
        ("no_runtime_socket", &["5.32"]),
        ("no_host_pid", &["5.16"]),
        ("no_host_ipc", &["5.17"]),
        ("no_host_network", &["5.10"]),
        ("no_host_uts", &["5.21"]),
        ("no_sensitive_mounts", &["5.6"]),
        ("no_host_path", &["5.6"]),
        ("resource_limits", &["5.11", "5.29"]),
        ("no_service_account_token", &[]),
        ("proc_trusted", &[]),
        ("dangerous_syscalls_blocked", &["5.22"]),
    ];
    assert_eq!(want.len(), CHECK_IDS.len());
    for (id, items) in want {
        assert_eq!(ids_in(id, CIS), *items, "{id}");
    }
}

/// Every CIS control's title is the benchmark's title for that number: a
/// number one off (docker-bench-security's v1.6.0 tag numbers the Docker
/// socket 5.31) fails here.
#[test]
fn cis_titles_match_their_numbers() {
    let items: BTreeMap<&str, &str> = CIS_ITEMS.iter().copied().collect();
    for id in CHECK_IDS {
        for c in check(id).controls() {
            if c.framework == Framework::CisDocker160 {
                assert_eq!(
                    items.get(c.id).copied(),
                    Some(c.title),
                    "{id}: CIS {}",
                    c.id
                );
            }
        }
    }
}

/// Pod Security Admission check id -> (the control's name on the Standards
/// page, its profile).
const PSS_CONTROLS: &[(&str, &str, &str)] = &[
    ("hostNamespaces", "Host Namespaces", "baseline"),
    ("privileged", "Privileged Containers", "baseline"),
    ("capabilities_baseline", "Capabilities", "baseline"),
    ("hostPathVolumes", "HostPath Volumes", "baseline"),
    ("hostPorts", "Host Ports", "baseline"),
    ("appArmorProfile", "AppArmor", "baseline"),
    ("seLinuxOptions", "SELinux", "baseline"),
    ("procMount", "/proc Mount Type", "baseline"),
    ("seccompProfile_baseline", "Seccomp", "baseline"),
    ("sysctls", "Sysctls", "baseline"),
    ("restrictedVolumes", "Volume Types", "restricted"),
    (
        "allowPrivilegeEscalation",
        "Privilege Escalation",
        "restricted",
    ),
    ("runAsNonRoot", "Running as Non-root", "restricted"),
    ("runAsUser", "Running as Non-root user", "restricted"),
    ("seccompProfile_restricted", "Seccomp", "restricted"),
    ("capabilities_restricted", "Capabilities", "restricted"),
];

#[test]
fn pod_security_controls() {
    // As the README's preset table maps them.
    assert_eq!(ids_in("no_new_privs", PSS), ["allowPrivilegeEscalation"]);
    assert_eq!(ids_in("non_root", PSS), ["runAsNonRoot", "runAsUser"]);
    for ns in ["no_host_pid", "no_host_ipc", "no_host_network"] {
        assert_eq!(ids_in(ns, PSS), ["hostNamespaces"], "{ns}");
    }
    assert_eq!(ids_in("not_privileged", PSS), ["privileged"]);
    assert_eq!(
        ids_in("mac_enforced", PSS),
        ["appArmorProfile", "seLinuxOptions"]
    );
    assert_eq!(
        ids_in("no_host_path", PSS),
        ["hostPathVolumes", "restrictedVolumes"]
    );
    // Not Pod Security Standards controls (README: "not PSS controls").
    for none in [
        "read_only_rootfs",
        "userns_remap",
        "resource_limits",
        "no_service_account_token",
        "no_host_uts",
        "proc_trusted",
    ] {
        assert!(ids_in(none, PSS).is_empty(), "{none}");
    }
    let page: BTreeMap<&str, (&str, &str)> = PSS_CONTROLS
        .iter()
        .map(|&(id, n, p)| (id, (n, p)))
        .collect();
    for id in CHECK_IDS {
        for c in check(id).controls() {
            if c.framework == Framework::PodSecurityStandards {
                let (name, profile) = page
                    .get(c.id)
                    .unwrap_or_else(|| panic!("{id}: {} is no PSA check id", c.id));
                assert_eq!(c.title, format!("{name} ({profile})"), "{id}");
            }
        }
    }
}

#[test]
fn nsa_cisa_sections() {
    const SECTIONS: &[(&str, &str)] = &[
        (
            "\"Non-root\" containers and \"rootless\" container engines",
            "Kubernetes Pod security",
        ),
        (
            "Immutable container file systems",
            "Kubernetes Pod security",
        ),
        ("Pod security enforcement", "Kubernetes Pod security"),
        (
            "Protecting Pod service account tokens",
            "Kubernetes Pod security",
        ),
        ("Resource policies", "Network separation and hardening"),
    ];
    assert_eq!(
        ids_in("no_service_account_token", NSA),
        ["Protecting Pod service account tokens"]
    );
    assert_eq!(
        ids_in("read_only_rootfs", NSA),
        [
            "Immutable container file systems",
            "Pod security enforcement"
        ]
    );
    assert_eq!(ids_in("resource_limits", NSA), ["Resource policies"]);
    assert_eq!(
        ids_in("non_root", NSA),
        ["\"Non-root\" containers and \"rootless\" container engines"]
    );
    let headings: BTreeMap<&str, &str> = SECTIONS.iter().copied().collect();
    for id in CHECK_IDS {
        for c in check(id).controls() {
            if c.framework == Framework::NsaCisaK8sHardening {
                let parent = headings
                    .get(c.id)
                    .unwrap_or_else(|| panic!("{id}: {:?} is no section of the guide", c.id));
                assert_eq!(c.title, format!("{parent} > {}", c.id), "{id}");
            }
        }
    }
}

/// Every check names a control, except `proc_trusted`, which no framework
/// has; none names one twice; frameworks come in order.
#[test]
fn every_check_but_proc_trusted_names_a_control() {
    let rank = |f: Framework| match f.to_string().as_str() {
        CIS => 0,
        PSS => 1,
        NSA => 2,
        other => panic!("unexpected framework {other}"),
    };
    for id in CHECK_IDS {
        let controls: &[Control] = check(id).controls();
        if id == "proc_trusted" {
            assert!(controls.is_empty(), "{controls:?}");
            continue;
        }
        assert!(!controls.is_empty(), "{id} names no control");
        for w in controls.windows(2) {
            assert!(rank(w[0].framework) <= rank(w[1].framework), "{id}: {w:?}");
            assert_ne!(w[0], w[1], "{id}");
        }
        for c in controls {
            assert!(!c.id.is_empty() && !c.title.is_empty(), "{id}: {c:?}");
        }
    }
}

#[test]
fn framework_names_round_trip() {
    let names = [CIS, PSS, NSA];
    assert_eq!(Framework::ALL.len(), names.len());
    for (f, name) in Framework::ALL.into_iter().zip(names) {
        assert_eq!(f.to_string(), name);
        assert_eq!(f.to_string(), name);
        assert_eq!(name.parse::<Framework>(), Ok(f));
        #[cfg(feature = "serde")]
        assert_eq!(serde_json::to_value(f).unwrap(), serde_json::json!(name));
    }
    let err = "cis_docker_1.5.0".parse::<Framework>().unwrap_err();
    assert!(err.to_string().contains("\"cis_docker_1.5.0\""), "{err}");
    assert_eq!(err.name, "cis_docker_1.5.0");
}

/// In the JSON document, each check result carries its controls; written
/// out here for two checks of the hardened fixture.
#[cfg(feature = "serde")]
#[test]
fn json_check_results_carry_controls() {
    use posture::policy::{Policy, Preset, evaluate};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardened");
    assert!(dir.is_dir(), "fixture {} is missing", dir.display());
    let report = posture::posture_with_root(&posture::Root::fixture(&dir));
    let a = evaluate(&report, &Policy::preset(Preset::Checklist));
    let doc = posture::render::json::Document::new(&report).with_assessment(&a);
    let v = serde_json::to_value(&doc).unwrap();
    let checks = v["assessment"]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), CHECK_IDS.len());
    let find = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    assert_eq!(
        find("no_new_privs")["controls"],
        serde_json::json!([
            {"framework": "cis_docker_1.6.0", "id": "5.26",
             "title": "Ensure that the container is restricted from acquiring additional privileges"},
            {"framework": "k8s_pss_1.33", "id": "allowPrivilegeEscalation",
             "title": "Privilege Escalation (restricted)"},
            {"framework": "nsa_cisa_k8s_1.2", "id": "Pod security enforcement",
             "title": "Kubernetes Pod security > Pod security enforcement"}
        ])
    );
    assert_eq!(find("proc_trusted")["controls"], serde_json::json!([]));
    for c in checks {
        assert!(c["controls"].is_array(), "{c}");
    }
}

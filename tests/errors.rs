//! Every error type the crate gives its users prints a sentence, and prints
//! the same sentence through `Debug`: `fn main() -> Result<(), E>` (or
//! `Box<dyn Error>`) ends with `Error: ` and the error's `Debug`, which for a
//! derived `Debug` read `UnknownPreset { name: "bogus" }`. Errors about a
//! value from a fixed set name the value and every choice, written out here
//! by hand.

use std::path::PathBuf;

use posture::__private::parse::ParseError;
use posture::__private::parse::cgroup::LocateError;
use posture::__private::parse::idmap;
use posture::__private::root::ReadError;
use posture::CheckId;
use posture::policy::{Framework, Policy, PolicyError};
use posture::syscalls::ProbeError;

/// `Debug` is the `Display` sentence, and it is no struct dump.
fn same<E: std::fmt::Debug + std::fmt::Display>(e: &E) -> String {
    let shown = e.to_string();
    assert_eq!(format!("{e:?}"), shown);
    assert_eq!(format!("{e:#?}"), shown);
    assert!(!shown.contains(" { "), "{shown}");
    shown
}

const PRESETS: &str = "checklist, pss-baseline, pss-restricted, strict";

const CHECKS: &str = "non_root, capabilities_dropped, seccomp, mac_enforced, \
    read_only_rootfs, no_new_privs, not_privileged, userns_remap, no_runtime_socket, \
    no_host_pid, no_host_ipc, no_host_network, no_host_uts, no_sensitive_mounts, \
    no_host_path, resource_limits, no_service_account_token, proc_trusted, \
    dangerous_syscalls_blocked";

#[test]
fn policy_errors_are_sentences_naming_the_value_and_the_choices() {
    let e = Policy::from_name_or_path("bogus").unwrap_err();
    assert!(matches!(e, PolicyError::UnknownPreset { .. }));
    assert_eq!(
        same(&e),
        format!("no policy preset named \"bogus\" (presets: {PRESETS})")
    );
    // Boxed, as `fn main() -> Result<(), Box<dyn Error>>` holds it.
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(
        format!("{boxed:?}"),
        format!("no policy preset named \"bogus\" (presets: {PRESETS})")
    );

    let e = Policy::from_name_or_path("/nonexistent/policy.toml").unwrap_err();
    assert_eq!(
        same(&e),
        "cannot read policy file /nonexistent/policy.toml: No such file or directory (os error 2)"
    );

    let e = Policy::default()
        .with_override_spec("everything=please")
        .unwrap_err();
    assert_eq!(
        same(&e),
        format!("POSTURE_OVERRIDE:1: item 1: no check named \"everything\" (checks: {CHECKS})")
    );
}

#[test]
fn unknown_names_list_the_known_ones() {
    let e = "nope".parse::<CheckId>().unwrap_err();
    assert_eq!(
        same(&e),
        format!("no check named \"nope\" (checks: {CHECKS})")
    );
    let e = "cis".parse::<Framework>().unwrap_err();
    assert_eq!(
        same(&e),
        "no control framework named \"cis\" (known: cis_docker_1.6.0, k8s_pss_1.33, nsa_cisa_k8s_1.2)"
    );
}

#[test]
fn a_bad_capability_in_a_document_lists_the_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "allow_capabilities = [\"CAP_NOPE\"]\n").unwrap();
    let e = Policy::from_name_or_path(p.to_str().unwrap()).unwrap_err();
    let s = same(&e);
    assert!(
        s.starts_with(&format!(
            "{}:1: allow_capabilities: \"CAP_NOPE\" is not a capability name (names: CAP_CHOWN, CAP_DAC_OVERRIDE, ",
            p.display()
        )),
        "{s}"
    );
    // capabilities(7), Linux 5.9 and later: the last three.
    assert!(
        s.ends_with(
            "CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE; the CAP_ prefix may be left out)"
        ),
        "{s}"
    );
}

#[test]
fn read_parse_and_probe_errors_are_sentences() {
    let e = ReadError::TooLarge {
        path: PathBuf::from("/proc/self/mountinfo"),
        limit: 4096,
    };
    assert_eq!(
        same(&e),
        "/proc/self/mountinfo is larger than 4096 bytes, the most read for it"
    );
    let e = ReadError::Io {
        path: PathBuf::from("/proc/self/status"),
        source: std::io::Error::from_raw_os_error(13),
    };
    assert_eq!(
        same(&e),
        "cannot read /proc/self/status: Permission denied (os error 13)"
    );
    let e = ParseError::NotA {
        text: "x".into(),
        expected: "a number",
    };
    assert_eq!(same(&e), "\"x\" is not a number");
    let e = idmap::parse("0 0\n").unwrap_err();
    assert_eq!(
        same(&e),
        "line 1: expected `inside outside count`, found \"0 0\""
    );
    let e = LocateError::V2NotMounted;
    assert_eq!(same(&e), "the cgroup2 hierarchy is not mounted");
    let e = ProbeError::Pipe(posture::report::Errno::new(24));
    assert_eq!(same(&e), "pipe2: EMFILE: Too many open files");
}

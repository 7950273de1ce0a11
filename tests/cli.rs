//! The `posture` example binary against fixture trees: every expected value
//! here is read from the fixture's own files (or decoded by `capsh`), never
//! from the library under test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::example;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(example("posture"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run the posture example")
}

fn text_of(name: &str) -> String {
    let root = fixture(name);
    let out = run(&["--root", root.to_str().unwrap()]);
    assert!(out.status.success(), "{name}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn json_of(root: &Path) -> serde_json::Value {
    let out = run(&["--json", "--root", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}: {out:?}", root.display());
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

fn read(name: &str, rel: &str) -> String {
    std::fs::read_to_string(fixture(name).join(rel))
        .unwrap_or_else(|e| panic!("fixture {name}/{rel}: {e}"))
}

/// A line's value from `proc/self/status`, parsed here, not by the crate.
fn status_line(name: &str, key: &str) -> Option<String> {
    read(name, "proc/self/status").lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k == key).then(|| v.trim().to_string())
    })
}

/// Capability names of a mask, as `capsh --decode` prints them (upper-cased).
fn capsh_decode(mask: u64) -> BTreeSet<String> {
    let out = Command::new(common::capsh())
        .arg(format!("--decode={mask:x}"))
        .output()
        .unwrap_or_else(|e| {
            panic!("capsh not runnable ({e}): install libcap2-bin (apt-get install libcap2-bin)")
        });
    assert!(out.status.success(), "capsh --decode: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    // `0x00000000a80425fb=cap_chown,cap_dac_override,...`
    let names = text
        .trim()
        .split_once('=')
        .expect("capsh --decode format")
        .1;
    names
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| n.to_ascii_uppercase())
        .collect()
}

/// The value lines of the row `label` in the section whose heading starts
/// with `section`: the first line's text after the label, then every
/// continuation line (blank where the label column is).
fn row(text: &str, section: &str, label: &str) -> Vec<String> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(section))
        .skip(1)
        .take_while(|l| !l.is_empty());
    let prefix = format!("  {label} ");
    let first = lines
        .by_ref()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no row {label:?} under {section:?} in:\n{text}"));
    let col = prefix.len() + first[prefix.len()..].len() - first[prefix.len()..].trim_start().len();
    let mut out = vec![first[col..].to_string()];
    for l in lines {
        if l.len() > col && l[..col].trim().is_empty() {
            out.push(l[col..].to_string());
        } else {
            break;
        }
    }
    out
}

/// Reads a capability row back: the mask printed and the set of names it says.
fn cap_row(text: &str, label: &str, full: &BTreeSet<String>) -> (String, BTreeSet<String>) {
    let lines = row(text, "Capabilities", label);
    let joined = lines.join(" ");
    let (hex, rest) = joined.trim().split_once("  ").expect("mask then names");
    let rest = rest.trim();
    let names: BTreeSet<String> = if rest == "(none)" {
        BTreeSet::new()
    } else if let Some(n) = rest.strip_prefix("full set (all ") {
        assert_eq!(n, format!("{})", full.len()), "{rest}");
        full.clone()
    } else if let Some(except) = rest.strip_prefix(&format!("all {} except ", full.len())) {
        let missing: BTreeSet<String> = except.split(", ").map(str::to_string).collect();
        full.difference(&missing).cloned().collect()
    } else {
        rest.split(',').map(|n| n.trim().to_string()).collect()
    };
    (hex.to_string(), names)
}

fn full_names(name: &str) -> BTreeSet<String> {
    let last: u32 = read(name, "proc/sys/kernel/cap_last_cap")
        .trim()
        .parse()
        .unwrap();
    capsh_decode((1u64 << (last + 1)) - 1)
}

#[test]
fn help_exits_zero_and_documents_every_option() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "--json",
        "--root DIR",
        "--color",
        "NO_COLOR",
        "--check",
        "--policy NAME|FILE",
        "unknown (<source>: <reason>)",
    ] {
        assert!(help.contains(word), "help lacks {word:?}:\n{help}");
    }
    assert!(out.stderr.is_empty());
}

#[test]
fn bad_arguments_exit_2_with_usage_on_stderr() {
    for args in [
        &["--bogus"][..],
        &["--root"][..],
        &["--color", "sometimes"][..],
        &["extra"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed a report");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("usage:"), "{args:?}: {err}");
    }
}

#[test]
fn capability_sets_match_the_fixture_status_files() {
    for name in [
        "docker-default",
        "docker-hardened",
        "hardened",
        "privileged",
        "podman-cap-sys-admin",
        "rootless-like",
    ] {
        let text = text_of(name);
        let full = full_names(name);
        for (label, key) in [
            ("effective", "CapEff"),
            ("permitted", "CapPrm"),
            ("inheritable", "CapInh"),
            ("bounding", "CapBnd"),
            ("ambient", "CapAmb"),
        ] {
            let hex = status_line(name, key).unwrap();
            let mask = u64::from_str_radix(&hex, 16).unwrap();
            let (shown_hex, shown) = cap_row(&text, label, &full);
            assert_eq!(shown_hex, hex, "{name} {label}");
            assert_eq!(shown, capsh_decode(mask), "{name} {label}");
        }
    }
}

#[test]
fn docker_default_text_states_its_fixture_facts() {
    let name = "docker-default";
    let text = text_of(name);
    // Securebits are not in procfs: a fixture cannot know them.
    let sb = row(&text, "Capabilities", "securebits");
    assert!(
        sb[0].starts_with("unknown (prctl(PR_GET_SECUREBITS): "),
        "{sb:?}"
    );
    let nnp = status_line(name, "NoNewPrivs").unwrap();
    let want = if nnp == "1" { "on" } else { "off" };
    assert_eq!(
        row(&text, "Capabilities", "no_new_privs"),
        [format!("{want} (from status)")]
    );

    // Seccomp as the status file says, here and where it was turned off.
    for name in [name, "podman-seccomp-unconfined"] {
        let text = text_of(name);
        let mode = match status_line(name, "Seccomp").unwrap().as_str() {
            "0" => "disabled",
            "1" => "strict",
            "2" => "filter",
            other => panic!("fixture Seccomp {other}"),
        };
        assert_eq!(row(&text, "Seccomp", "mode"), [mode], "{name}");
        assert_eq!(
            row(&text, "Seccomp", "filters"),
            [status_line(name, "Seccomp_filters").unwrap()],
            "{name}"
        );
    }
    assert_eq!(
        status_line("podman-seccomp-unconfined", "Seccomp").unwrap(),
        "0"
    );

    let uid: Vec<String> = status_line(name, "Uid")
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(
        row(&text, "Identity", "uid"),
        [format!(
            "real {}, effective {}, saved {}, fs {}",
            uid[0], uid[1], uid[2], uid[3]
        )]
    );

    // attr/current is stored as EINVAL: no LSM.
    assert_eq!(read(name, "proc/self/attr/current.errno").trim(), "EINVAL");
    let label = row(&text, "LSM", "label");
    assert!(
        label[0].starts_with("none — ") && label[0].contains("EINVAL"),
        "{label:?}"
    );
    // No selinuxfs in the capture: unknown, with the file and the reason.
    assert!(!fixture(name).join("sys/fs/selinux/enforce").exists());
    let enf = row(&text, "LSM", "selinux enforcing");
    assert!(
        enf[0].starts_with(&format!(
            "unknown ({}: ",
            fixture(name).join("sys/fs/selinux/enforce").display()
        )),
        "{enf:?}"
    );

    // Namespace inodes as the fixture's links say.
    for ns in ["user", "pid", "mnt", "net"] {
        let link = std::fs::read_link(fixture(name).join("proc/self/ns").join(ns)).unwrap();
        let link = link.to_str().unwrap();
        let ino = link
            .trim_start_matches(&format!("{ns}:["))
            .trim_end_matches(']');
        let shown = row(&text, "Namespaces", ns);
        assert!(shown[0].starts_with(&format!("{ino}  ")), "{ns}: {shown:?}");
    }
    // CAP_NET_RAW is in docker's default set; there is no colour on a pipe.
    assert!(text.contains("CAP_NET_RAW"));
    assert!(!text.contains('\x1b'), "escape codes on a pipe");
    assert!(row(&text, "Runtime", "runtime")[0].starts_with("docker "));
}

#[test]
fn a_sparse_status_prints_unknowns_not_values() {
    // gVisor before release-20260615.0 prints no NoNewPrivs, CapAmb or
    // Seccomp_filters line (it does print Uid since release-20210806.0).
    let name = "gvisor-old";
    for key in ["NoNewPrivs", "CapAmb", "Seccomp_filters"] {
        assert_eq!(status_line(name, key), None, "fixture has {key}");
    }
    let text = text_of(name);
    let status = fixture(name).join("proc/self/status");
    let unknown = |line: &str| format!("unknown ({}: no {line}: line)", status.display());
    assert_eq!(
        row(&text, "Capabilities", "no_new_privs"),
        [unknown("NoNewPrivs")]
    );
    assert_eq!(row(&text, "Capabilities", "ambient"), [unknown("CapAmb")]);
    assert_eq!(
        row(&text, "Seccomp", "filters"),
        [unknown("Seccomp_filters")]
    );
}

#[test]
fn user_namespace_mapping_comes_from_uid_map() {
    let name = "userns-remapped";
    let map = read(name, "proc/self/uid_map");
    let f: Vec<u32> = map.split_whitespace().map(|x| x.parse().unwrap()).collect();
    assert_eq!(f.len(), 3, "one range in the fixture");
    let text = text_of(name);
    let shown = row(&text, "User namespace", "uid_map");
    assert!(
        shown[0].starts_with(&format!("{} {} {}  ", f[0], f[1], f[2])),
        "{shown:?}"
    );
    assert_eq!(f[0], 0);
    assert_eq!(
        row(&text, "User namespace", "uid 0 is"),
        [format!("uid {} outside (unprivileged)", f[1])]
    );
    assert_eq!(
        row(&text, "User namespace", "namespace"),
        ["its own (not the host's)"]
    );
}

#[test]
fn lsm_labels_come_from_the_attr_files() {
    for name in ["apparmor-enforce", "apparmor-complain"] {
        // `docker-default (enforce)`
        let attr = read(name, "proc/self/attr/apparmor/current");
        let (profile, mode) = attr.trim().rsplit_once(" (").unwrap();
        let mode = mode.trim_end_matches(')');
        let text = text_of(name);
        assert_eq!(
            row(&text, "LSM", "label"),
            [format!("AppArmor profile {profile} ({mode})")]
        );
    }
    for name in ["selinux-container-t", "selinux-spc-t"] {
        let ctx = read(name, "proc/self/attr/current");
        let ctx = ctx.trim_end_matches(['\0', '\n']);
        let ty = ctx.split(':').nth(2).unwrap();
        let text = text_of(name);
        assert_eq!(
            row(&text, "LSM", "label"),
            [format!("SELinux {ctx} (type {ty})")]
        );
        // A real container cannot see selinuxfs (podman masks it, a fresh
        // sysfs lacks it): the enforcing state is printed as unknown.
        assert!(!fixture(name).join("sys/fs/selinux/enforce").exists());
        let shown = row(&text, "LSM", "selinux enforcing");
        assert!(shown[0].starts_with("unknown ("), "{name}: {shown:?}");
    }
}

#[test]
fn cgroup_limits_come_from_the_limit_files() {
    let name = "docker-limits";
    let mem: u64 = read(name, "sys/fs/cgroup/memory/memory.limit_in_bytes")
        .trim()
        .parse()
        .unwrap();
    let pids = read(name, "sys/fs/cgroup/pids/pids.max");
    let quota = read(name, "sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    let period = read(name, "sys/fs/cgroup/cpu/cpu.cfs_period_us");
    let text = text_of(name);
    let m = row(&text, "Cgroups", "memory");
    assert!(m[0].ends_with(&format!("({mem} bytes)")), "{m:?}");
    assert_eq!(
        row(&text, "Cgroups", "pids"),
        [format!("{} tasks", pids.trim())]
    );
    let c = row(&text, "Cgroups", "cpu");
    assert!(
        c[0].ends_with(&format!("({} us every {} us)", quota.trim(), period.trim())),
        "{c:?}"
    );
}

#[test]
fn mounts_show_root_state_sockets_and_host_paths() {
    // hardened ran with --read-only: its / line says ro.
    let mi = read("hardened", "proc/self/mountinfo");
    let root = mi
        .lines()
        .find(|l| l.split(' ').nth(4) == Some("/"))
        .expect("a / mount");
    let ro = root
        .split(' ')
        .nth(5)
        .unwrap()
        .split(',')
        .any(|o| o == "ro");
    assert!(ro, "hardened's / is read-only: {root}");
    let text = text_of("hardened");
    assert!(row(&text, "Mounts", "/")[0].starts_with("read-only "));
    let text = text_of("docker-default");
    assert!(row(&text, "Mounts", "/")[0].starts_with("read-write "));

    // The docker socket bind mount is listed where mountinfo has it.
    let mi = read("podman-docker-sock", "proc/self/mountinfo");
    let sock = mi
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .find(|p| p.ends_with("docker.sock"))
        .expect("socket mount in fixture");
    let text = text_of("podman-docker-sock");
    let sockets = row(&text, "Mounts", "runtime sockets");
    assert!(sockets.iter().any(|s| s.starts_with(sock)), "{sockets:?}");

    // -v /:/host: the host's root filesystem is mounted at /host.
    let text = text_of("podman-host-root");
    let host = row(&text, "Mounts", "host mounts");
    assert!(
        host.iter()
            .any(|h| h.starts_with("/host <- ") && h.contains("sensitive")),
        "{host:?}"
    );
}

#[test]
fn a_full_bounding_set_is_called_full() {
    // A copy of docker-default whose CapBnd is every capability cap_last_cap names.
    let src = fixture("docker-default");
    let dir = std::env::temp_dir().join(format!("posture-cli-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new("cp")
        .arg("-a")
        .arg(&src)
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let last: u32 = read("docker-default", "proc/sys/kernel/cap_last_cap")
        .trim()
        .parse()
        .unwrap();
    let full = (1u64 << (last + 1)) - 1;
    let st = std::fs::read_to_string(dir.join("proc/self/status")).unwrap();
    let st: String = st
        .lines()
        .map(|l| {
            if l.starts_with("CapBnd:") {
                format!("CapBnd:\t{full:016x}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("proc/self/status"), st).unwrap();
    let out = run(&["--root", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        row(&text, "Capabilities", "bounding"),
        [format!("{full:016x}  full set (all {})", last + 1)]
    );
}

#[test]
fn json_matches_the_fixture_and_the_schema() {
    let name = "docker-default";
    let v = json_of(&fixture(name));
    assert_eq!(v["schema_version"], 1);
    let r = &v["report"];
    assert_eq!(r["origin"]["kind"], "fixture");
    let hex = status_line(name, "CapEff").unwrap();
    let eff = &r["capabilities"]["effective"]["known"];
    assert_eq!(eff["hex"], hex.as_str());
    let names: BTreeSet<String> = eff["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, capsh_decode(u64::from_str_radix(&hex, 16).unwrap()));
    assert_eq!(
        r["securebits"]["unknown"]["source"],
        "prctl(PR_GET_SECUREBITS)"
    );
}

/// Every `{"unknown": {"source", "reason"}}` in the JSON.
fn unknowns(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(u) = m.get("unknown").filter(|_| m.len() == 1)
                && let (Some(s), Some(r)) = (u["source"].as_str(), u["reason"].as_str())
            {
                out.push((s.to_string(), r.to_string()));
                return;
            }
            m.values().for_each(|x| unknowns(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| unknowns(x, out)),
        _ => {}
    }
}

#[test]
fn every_unknown_in_the_json_is_printed_in_the_text() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("proc").is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "fixtures: {dirs:?}");
    let mut seen = 0;
    for dir in dirs {
        let v = json_of(&dir);
        let out = run(&["--root", dir.to_str().unwrap()]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut u = Vec::new();
        unknowns(&v, &mut u);
        assert!(
            !u.is_empty(),
            "{}: a fixture never knows securebits",
            dir.display()
        );
        for (source, reason) in u {
            let line = format!("unknown ({source}: {reason})");
            assert!(
                text.contains(&line),
                "{}: {line} missing from the text:\n{text}",
                dir.display()
            );
            seen += 1;
        }
        assert!(
            !text.contains('\x1b'),
            "{}: escape codes on a pipe",
            dir.display()
        );
    }
    assert!(seen > 0);
}

#[test]
fn dangerous_capabilities_are_bold_red_only_with_colour() {
    let root = fixture("docker-default");
    let out = run(&["--color", "always", "--root", root.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\x1b[1;31mCAP_NET_RAW\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[1;31mCAP_MKNOD\x1b[0m"));
    assert!(!text.contains("\x1b[1;31mCAP_CHOWN"));
    assert!(text.contains(" CAP_CHOWN,") || text.contains("  CAP_CHOWN,"));
    let out = run(&["--color", "never", "--root", root.to_str().unwrap()]);
    assert!(!out.stdout.contains(&0x1b));
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so that
/// `--color auto` sees a terminal.
fn on_tty(no_color: Option<&str>) -> Vec<u8> {
    let root = fixture("docker-default");
    let cmd = format!("{} --root {}", example("posture").display(), root.display());
    let mut c = Command::new("script");
    c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let out = c.output().unwrap_or_else(|e| {
        panic!("`script` not runnable ({e}): install bsdutils (apt-get install bsdutils)")
    });
    assert!(out.status.success(), "{out:?}");
    out.stdout
}

#[test]
fn auto_colour_follows_the_terminal_and_no_color() {
    let esc = |b: &[u8]| b.contains(&0x1b);
    assert!(esc(&on_tty(None)), "a terminal gets colour");
    assert!(esc(&on_tty(Some(""))), "an empty NO_COLOR is unset");
    assert!(!esc(&on_tty(Some("1"))), "NO_COLOR=1 turns colour off");
}

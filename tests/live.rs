//! Live tests: the report of this process against its own `/proc/self/status`,
//! and of child processes whose posture real tools (setpriv, capsh, unshare,
//! mount, a seccomp filter) changed, each read by the `posture` binary with
//! `--json` from inside the child.
//!
//! What any user can do runs for every user, with no outside tool: the own
//! report, no_new_privs and a new user namespace set up between fork and
//! exec (as `setpriv --no-new-privs` and `unshare -r` do; the latter needs
//! unprivileged user namespaces, as Debian allows, when not run as root), a
//! seccomp filter, a thread's own filter. The same through the real
//! `setpriv` and `unshare` runs with the `tool-tests` feature, and is
//! listed as ignored without it. The tests that need root use util-linux
//! (setpriv, unshare, mount) and libcap2-bin (capsh); a missing tool fails
//! the test with what to install. What needs
//! root (dropping bounding capabilities, securebits, mounts, `unshare -n`)
//! or the host's own network namespace is marked ignored unless the
//! `root-tests` feature is on (`scripts/test-all.sh` turns it on with
//! `--all-features`), so a plain `cargo test` lists those tests as ignored
//! with that reason instead of passing them; with the feature on, a run as
//! non-root fails them, saying why.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};

use posture::report::Capability;
use posture::report::SeccompMode;

mod common;
use common::example;

fn posture_bin() -> String {
    common::posture_bin().to_str().unwrap().to_string()
}

/// Which package provides each tool, for the failure message.
fn package(tool: &str) -> &'static str {
    match tool {
        "capsh" => "libcap2-bin",
        "setpriv" | "unshare" | "mount" => "util-linux (mount for mount)",
        _ => "coreutils",
    }
}

fn run(tool: &str, args: &[&str]) -> Output {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {tool} ({e}): install {} (apt-get install …); these live tests need it",
            package(tool)
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn require_root() {
    let uid = fs_status("Uid");
    assert!(
        uid.split_whitespace().nth(1) == Some("0"),
        "the live tests change capabilities, namespaces and mounts: run them as root (Uid: {uid})"
    );
}

/// The JSON document printed after `marker` (or the whole output).
fn json_after(out: &Output, marker: Option<&str>) -> (String, serde_json::Value) {
    let text = String::from_utf8(out.stdout.clone()).expect("utf-8 output");
    let (before, json) = match marker {
        Some(m) => {
            let (b, j) = text
                .split_once(m)
                .unwrap_or_else(|| panic!("no {m:?} in output:\n{text}"));
            (b.to_string(), j.to_string())
        }
        None => (String::new(), text),
    };
    let v: serde_json::Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("posture --json output is not JSON ({e}):\n{json}"));
    assert_eq!(v["schema_version"], 1);
    (before, v)
}

/// A line of this process's `/proc/self/status`, parsed here.
fn fs_status(key: &str) -> String {
    let text = std::fs::read_to_string("/proc/self/status").unwrap();
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k == key).then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {key} line in /proc/self/status"))
}

fn hex(v: &str) -> u64 {
    u64::from_str_radix(v, 16).unwrap()
}

/// A known capability set's mask from the JSON.
fn json_mask(r: &serde_json::Value, set: &str) -> u64 {
    let h = r["capabilities"][set]["known"]["hex"]
        .as_str()
        .unwrap_or_else(|| panic!("{set} not known: {}", r["capabilities"][set]));
    hex(h)
}

fn json_names(r: &serde_json::Value, set: &str) -> BTreeSet<String> {
    r["capabilities"][set]["known"]["names"]
        .as_array()
        .unwrap_or_else(|| panic!("{set} not known"))
        .iter()
        .map(|n| n.as_str().unwrap().to_ascii_lowercase())
        .collect()
}

fn bit(c: Capability) -> u64 {
    1u64 << c.index()
}

#[test]
fn own_report_agrees_with_own_status() {
    // The status line is read once before and once after: the process does not
    // change its own state in between, so both must agree with the report.
    let r = posture::posture();
    let c = &r.capabilities;
    for (key, fact) in [
        ("CapEff", &c.effective),
        ("CapPrm", &c.permitted),
        ("CapInh", &c.inheritable),
        ("CapBnd", &c.bounding),
        ("CapAmb", &c.ambient),
    ] {
        let want = hex(&fs_status(key));
        let got = fact.known().unwrap_or_else(|| panic!("{key} unknown"));
        assert_eq!(got.mask(), want, "{key}");
    }
    let uid: Vec<u32> = fs_status("Uid")
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let ids = r.identity.uid.known().expect("uid known");
    assert_eq!(
        [ids.real, ids.effective, ids.saved, ids.filesystem.unwrap()],
        uid[..]
    );
    let want_mode = match fs_status("Seccomp").as_str() {
        "0" => SeccompMode::Disabled,
        "1" => SeccompMode::Strict,
        "2" => SeccompMode::Filter,
        o => panic!("Seccomp {o}"),
    };
    assert_eq!(r.seccomp.mode.known(), Some(&want_mode));
    let filters: u32 = fs_status("Seccomp_filters").parse().unwrap();
    assert_eq!(r.seccomp.filters.known(), Some(&filters));
    let nnp = fs_status("NoNewPrivs") == "1";
    assert_eq!(r.no_new_privs.known().map(|n| n.enabled), Some(nnp));
    // cap_last_cap, read here.
    let last: u8 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(r.kernel.cap_last_cap.known(), Some(&last));
}

/// no_new_privs set in the child just before it execs the binary (the
/// prctl `setpriv --no-new-privs` makes), and not set without it.
#[test]
fn no_new_privs_set_before_exec_is_reported() {
    assert_eq!(
        fs_status("NoNewPrivs"),
        "0",
        "the test process must not have no_new_privs already"
    );
    let bin = posture_bin();
    let out = common::with_no_new_privs(Command::new(&bin).arg("--json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let (_, with) = json_after(&out, None);
    assert_eq!(
        with["report"]["no_new_privs"]["known"],
        serde_json::json!({"enabled": true, "source": "status"})
    );
    let (_, without) = json_after(&run(&bin, &["--json"]), None);
    assert_eq!(
        without["report"]["no_new_privs"]["known"],
        serde_json::json!({"enabled": false, "source": "status"})
    );
}

#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs setpriv (util-linux): cargo test --features tool-tests"
)]
fn no_new_privs_set_by_setpriv_is_reported() {
    assert_eq!(
        fs_status("NoNewPrivs"),
        "0",
        "the test process must not have no_new_privs already"
    );
    let bin = posture_bin();
    let (_, with) = json_after(&run("setpriv", &["--no-new-privs", &bin, "--json"]), None);
    assert_eq!(
        with["report"]["no_new_privs"]["known"],
        serde_json::json!({"enabled": true, "source": "status"})
    );
    let (_, without) = json_after(&run(&bin, &["--json"]), None);
    assert_eq!(
        without["report"]["no_new_privs"]["known"],
        serde_json::json!({"enabled": false, "source": "status"})
    );
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_dropped_bounding_capability_is_missing_from_the_report() {
    require_root();
    let ours = hex(&fs_status("CapBnd"));
    assert_ne!(
        ours & bit(Capability::CAP_NET_RAW),
        0,
        "we hold CAP_NET_RAW"
    );
    let bin = posture_bin();
    let via_capsh = run(
        "capsh",
        &["--drop=cap_net_raw", "--", "-c", &format!("{bin} --json")],
    );
    let via_setpriv = run("setpriv", &["--bounding-set", "-net_raw", &bin, "--json"]);
    for (tool, out) in [("capsh", via_capsh), ("setpriv", via_setpriv)] {
        let (_, v) = json_after(&out, None);
        let r = &v["report"];
        let bnd = json_mask(r, "bounding");
        assert_eq!(
            bnd,
            ours & !bit(Capability::CAP_NET_RAW),
            "{tool}: exactly CAP_NET_RAW left the bounding set"
        );
        let names = json_names(r, "bounding");
        assert!(!names.contains("cap_net_raw"), "{tool}: {names:?}");
        assert!(names.contains("cap_sys_admin"), "{tool}: {names:?}");
        // Root's exec takes its permitted set from the bounding set.
        assert_eq!(
            json_mask(r, "permitted") & bit(Capability::CAP_NET_RAW),
            0,
            "{tool}"
        );
    }
}

/// The child enters a new user namespace before it execs the binary, as
/// `unshare -r` does: unshare(CLONE_NEWUSER), `deny` to setgroups, then
/// our uid and gid mapped to 0 (the one mapping an unprivileged process
/// may write for itself). Before the exec it sends what the kernel then
/// says, its `uid_map` and its `ns/user` link, down a pipe; the report
/// must agree with both.
#[test]
fn a_new_user_namespace_is_reported_with_the_kernel_map() {
    use std::io::Read;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;

    let bin = posture_bin();
    let ours: u32 = fs_status("Uid")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let our_gid: u32 = fs_status("Gid")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let our_userns = std::fs::read_link("/proc/self/ns/user").unwrap();
    // Everything the child writes is made here: it may not allocate.
    let uid_map = format!("0 {ours} 1\n");
    let gid_map = format!("0 {our_gid} 1\n");
    let (r, w): (OwnedFd, OwnedFd) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let w_fd = w.as_raw_fd();
    let mut cmd = Command::new(&bin);
    cmd.arg("--json");
    // SAFETY: between fork and exec the closure makes only system calls
    // (unshare, open, write, read, readlink, close) on buffers made before
    // the fork; it allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            use nix::libc;
            let err = std::io::Error::last_os_error;
            let write_file = |path: &std::ffi::CStr, data: &[u8]| -> std::io::Result<()> {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    return Err(err());
                }
                let n = libc::write(fd, data.as_ptr().cast(), data.len());
                let e = err();
                libc::close(fd);
                if n != data.len() as isize {
                    return Err(e);
                }
                Ok(())
            };
            if libc::unshare(libc::CLONE_NEWUSER) != 0 {
                return Err(err());
            }
            write_file(c"/proc/self/setgroups", b"deny")?;
            write_file(c"/proc/self/uid_map", uid_map.as_bytes())?;
            write_file(c"/proc/self/gid_map", gid_map.as_bytes())?;
            let mut buf = [0u8; 512];
            let fd = libc::open(
                c"/proc/self/uid_map".as_ptr(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            );
            if fd < 0 {
                return Err(err());
            }
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            let e = err();
            libc::close(fd);
            if n < 0 {
                return Err(e);
            }
            libc::write(w_fd, buf.as_ptr().cast(), n as usize);
            let n = libc::readlink(
                c"/proc/self/ns/user".as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            );
            if n < 0 {
                return Err(err());
            }
            libc::write(w_fd, buf.as_ptr().cast(), n as usize);
            libc::write(w_fd, b"\n".as_ptr().cast(), 1);
            Ok(())
        });
    }
    let out = cmd
        .output()
        .expect("start the binary in a new user namespace");
    // The last copy of the write end: the child's went at its exec.
    drop(w);
    drop(cmd);
    let mut before = String::new();
    std::fs::File::from(r).read_to_string(&mut before).unwrap();
    assert!(out.status.success(), "{out:?}");
    let (_, v) = json_after(&out, None);
    let mut lines = before.lines();
    let map: Vec<u64> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let link = lines.next().unwrap();
    // What the kernel kept: our uid as root, one id.
    assert_eq!(map, [0, u64::from(ours), 1]);
    let r = &v["report"];
    let u = &r["user_namespace"];
    assert_eq!(
        u["uid_map"]["known"]["ranges"],
        serde_json::json!([{"inside": map[0], "outside": map[1], "count": map[2]}])
    );
    let want_root = if ours == 0 {
        serde_json::json!("host_root")
    } else {
        serde_json::json!({"unprivileged": {"outside": ours}})
    };
    assert_eq!(u["root_uid"]["known"], want_root);
    assert_eq!(u["initial"]["known"], false);
    let ino: u64 = link
        .trim_start_matches("user:[")
        .trim_end_matches(']')
        .parse()
        .unwrap();
    let ns = r["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "user")
        .unwrap();
    assert_eq!(ns["inode"]["known"], ino);
    assert_ne!(link, our_userns.to_str().unwrap(), "a new user namespace");
}

#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs unshare (util-linux) and sh: cargo test --features tool-tests"
)]
fn unshare_user_namespace_is_reported_with_the_kernel_map() {
    let bin = posture_bin();
    let ours: u32 = fs_status("Uid")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let our_userns = std::fs::read_link("/proc/self/ns/user").unwrap();
    let out = run(
        "unshare",
        &[
            "-Ur",
            "sh",
            "-c",
            &format!("cat /proc/self/uid_map; readlink /proc/self/ns/user; echo @@@; {bin} --json"),
        ],
    );
    let (before, v) = json_after(&out, Some("@@@\n"));
    let mut lines = before.lines();
    let map: Vec<u64> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let link = lines.next().unwrap();
    // What the kernel wrote for `unshare -r`: our uid as root, one id.
    assert_eq!(map, [0, u64::from(ours), 1]);
    let r = &v["report"];
    let u = &r["user_namespace"];
    assert_eq!(
        u["uid_map"]["known"]["ranges"],
        serde_json::json!([{"inside": map[0], "outside": map[1], "count": map[2]}])
    );
    let want_root = if ours == 0 {
        serde_json::json!("host_root")
    } else {
        serde_json::json!({"unprivileged": {"outside": ours}})
    };
    assert_eq!(u["root_uid"]["known"], want_root);
    assert_eq!(u["initial"]["known"], false);
    let ino: u64 = link
        .trim_start_matches("user:[")
        .trim_end_matches(']')
        .parse()
        .unwrap();
    let ns = r["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "user")
        .unwrap();
    assert_eq!(ns["inode"]["known"], ino);
    assert_ne!(link, our_userns.to_str().unwrap(), "a new user namespace");
}

/// The `/` line of a mountinfo text: (mount id, read-only).
fn root_mount(mountinfo: &str) -> Vec<(u64, bool)> {
    mountinfo
        .lines()
        .filter(|l| l.split(' ').nth(4) == Some("/"))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), f[5].split(',').any(|o| o == "ro"))
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_read_only_root_remount_is_reported() {
    require_root();
    let host = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let host_root = root_mount(&host);
    assert!(
        host_root.iter().any(|(_, ro)| !ro),
        "the host's / is writable before the test: {host_root:?}"
    );
    let bin = posture_bin();
    // A private mount namespace: the remount never reaches the host's /.
    let script = format!(
        "mount --make-rprivate / && mount -o remount,bind,ro / && \
         cat /proc/self/mountinfo && echo @@@ && {bin} --json"
    );
    let out = run("unshare", &["-m", "sh", "-c", &script]);
    let (mi, v) = json_after(&out, Some("@@@\n"));
    let r = &v["report"];
    let m = &r["mounts"]["known"];
    // The last mount at / is the one the process sees; the kernel says ro.
    let (_, ro) = *root_mount(&mi).last().expect("a / mount");
    assert!(ro, "the kernel's mountinfo says / is read-only:\n{mi}");
    assert_eq!(m["root_read_only"], true);
    assert_eq!(m["root"]["read_only"], true);
    assert!(
        !m["writable"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["mount_point"] == "/"),
        "/ is not listed as writable"
    );
    // And the host's own / is untouched.
    let after = root_mount(&std::fs::read_to_string("/proc/self/mountinfo").unwrap());
    assert_eq!(after, host_root);
    let own = posture::posture();
    assert_eq!(own.mounts.known().unwrap().root_read_only, Some(false));
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_read_only_bind_mount_is_reported_in_the_table() {
    require_root();
    let dir = std::env::temp_dir().join(format!("posture-live-ro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();
    let bin = posture_bin();
    let script = format!(
        "mount --make-rprivate / && mount --bind {d} {d} && mount -o remount,bind,ro {d} && \
         {bin} --json"
    );
    let out = run("unshare", &["-m", "sh", "-c", &script]);
    std::fs::remove_dir(&dir).unwrap();
    let (_, v) = json_after(&out, None);
    let m = &v["report"]["mounts"]["known"];
    let at: Vec<&serde_json::Value> = m["table"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["mount_point"] == d)
        .collect();
    assert_eq!(at.len(), 1, "one mount at {d}: {at:?}");
    assert_eq!(at[0]["read_only"], true);
    assert!(
        !m["writable"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["mount_point"] == d)
    );
}

#[test]
fn a_seccomp_filter_installed_by_the_child_is_reported() {
    let own = posture::posture();
    assert_eq!(
        own.seccomp.mode.known(),
        Some(&SeccompMode::Disabled),
        "the test process runs without seccomp"
    );
    let own_filters = *own.seccomp.filters.known().unwrap();
    let out = run(
        example("seccomp_exec").to_str().unwrap(),
        &[&posture_bin(), "--json"],
    );
    let (_, v) = json_after(&out, None);
    let r = &v["report"];
    assert_eq!(r["seccomp"]["mode"]["known"], "filter");
    assert_eq!(
        r["seccomp"]["filters"]["known"],
        own_filters + 1,
        "exactly the one filter seccomp_exec installed"
    );
    // Installing a filter without CAP_SYS_ADMIN needs no_new_privs; seccompiler sets it.
    assert_eq!(r["no_new_privs"]["known"]["enabled"], true);
}

/// What `capsh --print` says, parsed from its text.
#[derive(Debug)]
struct Capsh {
    effective: BTreeSet<String>,
    permitted: BTreeSet<String>,
    inheritable: BTreeSet<String>,
    bounding: BTreeSet<String>,
    ambient: BTreeSet<String>,
    securebits: u32,
    no_new_privs: bool,
    uid: u32,
    euid: u32,
}

fn names(list: &str) -> BTreeSet<String> {
    list.split(',')
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses libcap's text form (`cap_to_text`, cap_text(3)):
/// `=ep cap_net_raw+i cap_sys_admin-ep`. Each clause is a name list (empty
/// means every capability) and operator/flags pairs.
fn parse_cap_text(text: &str, all: &BTreeSet<String>) -> BTreeMap<char, BTreeSet<String>> {
    let mut sets: BTreeMap<char, BTreeSet<String>> = ['e', 'p', 'i']
        .iter()
        .map(|f| (*f, BTreeSet::new()))
        .collect();
    for clause in text.split_whitespace() {
        let op_at = clause
            .find(['=', '+', '-'])
            .unwrap_or_else(|| panic!("clause {clause:?} has no operator"));
        let (list, mut rest) = clause.split_at(op_at);
        let caps = if list.is_empty() || list == "all" {
            all.clone()
        } else {
            names(list)
        };
        while let Some(op) = rest.chars().next() {
            let flags_end = rest[1..]
                .find(['=', '+', '-'])
                .map_or(rest.len(), |i| i + 1);
            let flags = &rest[1..flags_end];
            if op == '=' {
                for s in sets.values_mut() {
                    s.retain(|c| !caps.contains(c));
                }
            }
            for f in flags.chars() {
                let s = sets
                    .get_mut(&f)
                    .unwrap_or_else(|| panic!("flag {f} in {clause}"));
                match op {
                    '=' | '+' => s.extend(caps.iter().cloned()),
                    '-' => s.retain(|c| !caps.contains(c)),
                    _ => unreachable!(),
                }
            }
            rest = &rest[flags_end..];
        }
    }
    sets
}

fn parse_capsh(text: &str, all: &BTreeSet<String>) -> Capsh {
    let line = |prefix: &str| -> &str {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("capsh --print has no {prefix:?} line:\n{text}"))
    };
    let current = parse_cap_text(line("Current: "), all);
    // `Securebits: 01/0x1/1'b1 (no-new-privs=0)`
    let sb = line("Securebits: ");
    let hex_bits = sb.split('/').nth(1).expect("octal/hex/binary");
    let securebits = u32::from_str_radix(hex_bits.trim_start_matches("0x"), 16).unwrap();
    let nnp = sb
        .split_once("no-new-privs=")
        .map(|(_, v)| v.starts_with('1'))
        .unwrap_or_else(|| panic!("no no-new-privs= in {sb:?}"));
    // `uid=0(root) euid=0(root)`
    let ids = line("uid=");
    let uid: u32 = ids.split('(').next().unwrap().parse().unwrap();
    let euid: u32 = ids
        .split_once("euid=")
        .unwrap()
        .1
        .split('(')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Capsh {
        effective: current[&'e'].clone(),
        permitted: current[&'p'].clone(),
        inheritable: current[&'i'].clone(),
        bounding: names(line("Bounding set =")),
        ambient: names(line("Ambient set =")),
        securebits,
        no_new_privs: nnp,
        uid,
        euid,
    }
}

/// Every capability name this kernel has, as capsh decodes them.
fn all_caps() -> BTreeSet<String> {
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let out = run(
        "capsh",
        &[&format!("--decode={:x}", (1u64 << (last + 1)) - 1)],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    names(text.trim().split_once('=').unwrap().1)
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn capsh_print_and_posture_agree_in_the_same_environment() {
    require_root();
    let all = all_caps();
    let bin = posture_bin();
    let both = format!("capsh --print && echo @@@ && {bin} --json");
    let scenarios: [(&str, Vec<&str>); 2] = [
        (
            "no_new_privs, dropped CAP_SYS_ADMIN, inheritable and ambient caps",
            vec![
                "setpriv",
                "--no-new-privs",
                "capsh",
                "--drop=cap_sys_admin",
                "--inh=cap_net_bind_service,cap_net_raw",
                "--addamb=cap_net_bind_service",
                "--",
                "-c",
                &both,
            ],
        ),
        (
            "SECBIT_NOROOT: root keeps only its ambient capability",
            vec![
                "capsh",
                "--secbits=0x1",
                "--drop=cap_sys_admin",
                "--inh=cap_net_bind_service",
                "--addamb=cap_net_bind_service",
                "--",
                "-c",
                &both,
            ],
        ),
    ];
    for (what, argv) in scenarios {
        let out = run(argv[0], &argv[1..]);
        let (capsh_text, v) = json_after(&out, Some("@@@\n"));
        let c = parse_capsh(&capsh_text, &all);
        let r = &v["report"];
        assert_eq!(json_names(r, "effective"), c.effective, "{what}: effective");
        assert_eq!(json_names(r, "permitted"), c.permitted, "{what}: permitted");
        assert_eq!(
            json_names(r, "inheritable"),
            c.inheritable,
            "{what}: inheritable"
        );
        assert_eq!(json_names(r, "bounding"), c.bounding, "{what}: bounding");
        assert_eq!(json_names(r, "ambient"), c.ambient, "{what}: ambient");
        assert_eq!(
            r["securebits"]["known"]["bits"], c.securebits,
            "{what}: securebits"
        );
        assert_eq!(
            r["no_new_privs"]["known"]["enabled"], c.no_new_privs,
            "{what}: no_new_privs"
        );
        assert_eq!(r["identity"]["uid"]["known"]["real"], c.uid, "{what}");
        assert_eq!(r["identity"]["uid"]["known"]["effective"], c.euid, "{what}");
        // The scenario really changed something, so agreement is not trivial.
        assert!(!c.bounding.contains("cap_sys_admin"), "{what}");
        assert!(c.ambient.contains("cap_net_bind_service"), "{what}");
    }
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn the_text_report_of_a_changed_child_shows_the_change() {
    require_root();
    let out = run(
        "setpriv",
        &[
            "--no-new-privs",
            "--bounding-set",
            "-net_raw,-sys_admin",
            &posture_bin(),
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour on a pipe");
    let line = |label: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("  {label} ")))
            .unwrap_or_else(|| panic!("no {label} line:\n{text}"))
            .to_string()
    };
    assert!(line("no_new_privs").ends_with("on (from status)"), "{text}");
    let bounding = line("bounding");
    let want =
        hex(&fs_status("CapBnd")) & !bit(Capability::CAP_NET_RAW) & !bit(Capability::CAP_SYS_ADMIN);
    assert!(bounding.contains(&format!("{want:016x}")), "{bounding}");
    // Either "all N except …" naming both, or a list without them.
    let named = bounding.contains("CAP_NET_RAW") && bounding.contains("CAP_SYS_ADMIN");
    if bounding.contains(" except ") {
        assert!(
            named,
            "the dropped capabilities are named as missing: {bounding}"
        );
    } else {
        assert!(!bounding.contains("CAP_NET_RAW,") && !bounding.contains("CAP_SYS_ADMIN,"));
    }
    let securebits = line("securebits");
    assert!(securebits.ends_with("0x0 (none set)"), "{securebits}");
}

#[test]
fn a_thread_with_its_own_seccomp_filter_is_listed_as_differing() {
    use std::sync::mpsc;

    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter};

    let (ready_tx, ready_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        // `<pid>/task/<tid>`: this thread's id, as the kernel names it.
        let link = std::fs::read_link("/proc/thread-self").unwrap();
        let tid: u32 = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
        let filter = SeccompFilter::new(
            BTreeMap::from([(nix::libc::SYS_kexec_load, vec![])]),
            SeccompAction::Allow,
            SeccompAction::Errno(nix::libc::EPERM as u32),
            std::env::consts::ARCH.try_into().unwrap(),
        )
        .unwrap();
        let bpf: BpfProgram = filter.try_into().unwrap();
        // This thread only (not TSYNC): the process's other threads stay unfiltered.
        seccompiler::apply_filter(&bpf).unwrap();
        ready_tx.send(tid).unwrap();
        done_rx.recv().unwrap();
    });
    let tid = ready_rx.recv().unwrap();
    let r = posture::posture();
    // The kernel's view of that thread, read here.
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).unwrap();
    done_tx.send(()).unwrap();
    thread.join().unwrap();
    assert!(status.contains("\nSeccomp:\t2\n"), "{status}");
    assert!(status.contains("\nNoNewPrivs:\t1\n"), "{status}");

    let t = r.threads.known().expect("threads known");
    assert!(t.complete(), "{t:?}");
    let d = t
        .differing
        .iter()
        .find(|d| d.tid == tid)
        .unwrap_or_else(|| panic!("thread {tid} not listed as differing: {t:?}"));
    assert_eq!(d.seccomp, Some(SeccompMode::Filter));
    assert_eq!(d.no_new_privs, Some(true));
    // The main thread (what /proc/self/status describes) is unfiltered.
    assert_eq!(r.seccomp.mode.known(), Some(&SeccompMode::Disabled));
}

/// A fixture tree holding only what the network-namespace contents rule reads,
/// taken from a real namespace: `dev` and `unix` are the kernel's
/// `/proc/self/net/{dev,unix}`, `ifs` each interface with whether its
/// `/sys/class/net/<if>/device` exists. The kernel is set to 5.10, before
/// `SO_NETNS_COOKIE`, so only the contents can decide.
fn contents_tree(dev: &str, unix: &str, ifs: &[(String, bool)]) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let p = |rel: &str| {
        let f = t.path().join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        f
    };
    std::fs::write(p("proc/sys/kernel/osrelease"), "5.10.0-30-amd64\n").unwrap();
    std::os::unix::fs::symlink("net:[4026532200]", p("proc/self/ns/net")).unwrap();
    std::fs::write(p(".posture/so_netns_cookie.errno"), "ENOPROTOOPT\n").unwrap();
    std::fs::write(p("proc/self/net/dev"), dev).unwrap();
    std::fs::write(p("proc/self/net/unix"), unix).unwrap();
    for (name, device) in ifs {
        std::fs::create_dir_all(t.path().join("sys/class/net").join(name)).unwrap();
        if *device {
            std::fs::write(p(&format!("sys/class/net/{name}/device")), "").unwrap();
        }
    }
    t
}

fn contents_verdict(t: &tempfile::TempDir) -> (Option<bool>, String) {
    let r = posture::posture_with_root(&posture::Root::fixture(t.path()));
    let a = posture::evaluate(&r, &posture::Policy::preset(posture::Preset::Checklist));
    let c = a.check(posture::CheckId::NoHostNetwork).unwrap();
    (r.network.initial.known().copied(), c.evidence.clone())
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn network_contents_rule_on_real_namespaces() {
    require_root();
    // The host's own namespace, as the kernel shows it to this test.
    let dev = std::fs::read_to_string("/proc/self/net/dev").unwrap();
    let unix = std::fs::read_to_string("/proc/self/net/unix").unwrap();
    let ifs: Vec<(String, bool)> = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                e.path().join("device").exists(),
            )
        })
        .collect();
    assert!(
        ifs.iter().any(|(_, d)| *d)
            || ifs
                .iter()
                .any(|(n, _)| posture::__private::network::host_side_interface(n)),
        "this machine's namespace has a device-backed or host-side interface: {ifs:?}"
    );
    let (host, ev) = contents_verdict(&contents_tree(&dev, &unix, &ifs));
    assert_eq!(host, Some(true), "{ev}");
    assert!(ev.contains("[strong]"), "{ev}");
    // A new network namespace (sysfs mounted afresh in a private mount
    // namespace, so it shows that namespace's interfaces).
    let out = run(
        "unshare",
        &[
            "-nm",
            "sh",
            "-c",
            "mount -t sysfs sysfs /sys && cat /proc/self/net/dev && echo '====' && cat /proc/self/net/unix \
             && echo '====' && for i in /sys/class/net/*; do if [ -e \"$i/device\" ]; then echo \"${i##*/} 1\"; else echo \"${i##*/} 0\"; fi; done",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let parts: Vec<&str> = text.split("====\n").collect();
    assert_eq!(parts.len(), 3, "{text}");
    let ifs: Vec<(String, bool)> = parts[2]
        .lines()
        .map(|l| {
            let (n, d) = l.split_once(' ').unwrap();
            (n.to_string(), d == "1")
        })
        .collect();
    assert_eq!(
        ifs,
        [("lo".to_string(), false)],
        "a new namespace has only lo"
    );
    let (host, ev) = contents_verdict(&contents_tree(parts[0], parts[1], &ifs));
    assert_eq!(host, Some(false), "{ev}");
}

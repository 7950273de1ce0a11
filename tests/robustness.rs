//! Probes that survive any input and fail closed.
//!
//! * property tests: every parser takes arbitrary bytes and near-valid lines
//!   without panicking, and its output is bounded by its input;
//! * hostile fixture trees (copies of `podman-default` with one file broken);
//! * the live cases `/proc` not a procfs and a file bind-mounted over
//!   `/proc/<pid>/status` (need root and `unshare`);
//! * every policy check, fed unknown facts, is never `pass`.

use std::path::{Path, PathBuf};
use std::process::Command;

use posture::__private::parse::cgroup::{self, LimitKind};
use posture::__private::parse::idmap;
use posture::__private::parse::mountinfo::{self, MountTable};
use posture::__private::parse::ns::{self, NsType};
use posture::__private::parse::status::{Field, Status};
use posture::__private::parse::{capability, lsm};
use posture::__private::runtime;
use posture::policy::{self, CheckStatus, Policy, Preset};
use posture::{Fact, Report, Root};
use proptest::prelude::*;

mod common;

// ---------------------------------------------------------------- parsers

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,400}",
        prop::collection::vec(any::<u8>(), 0..400)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[0-9a-zA-Z:/ \\t\\n\\\\(),=_.\\[\\]-]{0,400}",
    ]
}

/// One mountinfo line, valid in shape, with random escapes, optional fields
/// and options.
fn mount_line() -> impl Strategy<Value = String> {
    let path = "(/[a-z]{0,6}(\\\\0[0-7]{2}|\\\\1[0-7]{2}|\\\\[0-9]{0,3})?){1,4}";
    let opts = "(rw|ro)(,(nosuid|nodev|noexec|relatime|size=[0-9]{1,6}k)){0,4}";
    let optional = prop::collection::vec(
        prop_oneof![
            "shared:[0-9]{1,4}",
            "master:[0-9]{1,4}",
            Just("unbindable".to_string()),
            "propagate_from:[0-9]{1,3}",
            "[a-z:0-9]{1,8}",
        ],
        0..4,
    );
    (
        0u32..5000,
        0u32..5000,
        0u32..300,
        0u32..300,
        path,
        path,
        opts,
        optional,
        "(tmpfs|proc|sysfs|overlay|ext4|cgroup|cgroup2|devtmpfs|x)",
        "(none|/dev/vda|tmpfs|)",
        "(rw|ro)(,[a-z=0-9]{1,8}){0,3}",
    )
        .prop_map(|(id, p, ma, mi, root, mp, o, opt, fs, src, so)| {
            let mut fields = vec![
                id.to_string(),
                p.to_string(),
                format!("{ma}:{mi}"),
                root,
                mp,
                o,
            ];
            fields.extend(opt);
            fields.push("-".into());
            fields.extend([fs, src, so]);
            fields.join(" ")
        })
}

/// proc(5)'s mountinfo line, parsed the plain way (split at spaces, then
/// field by field): the reference the one-pass parser must agree with.
/// Numbers are ASCII digits only; a line of more than 32 fields is refused.
#[allow(clippy::type_complexity)]
fn reference_mountinfo(text: &str) -> (Vec<[String; 10]>, Vec<usize>) {
    let (mut mounts, mut bad) = (Vec::new(), Vec::new());
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    for (i, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        let parsed = (|| {
            if f.len() > 32 || f.len() < 6 || f[..6].iter().any(|x| x.is_empty()) {
                return None;
            }
            let sep = (6..f.len()).find(|&k| f[k] == "-")?;
            if f[6..=sep].iter().any(|x| x.is_empty())
                || f.get(sep + 1).is_none_or(|x| x.is_empty())
            {
                return None;
            }
            let (ma, mi) = f[2].split_once(':')?;
            let ids = [num(f[0])?, num(f[1])?, num(ma)?, num(mi)?];
            let opts: Vec<&str> = f[5].split(',').collect();
            let flags: String = ["ro", "nosuid", "noexec", "nodev"]
                .iter()
                .map(|o| if opts.contains(o) { '1' } else { '0' })
                .collect();
            let opt = &f[6..sep];
            let prop = if opt.contains(&"unbindable") {
                "unbindable"
            } else {
                match (
                    opt.iter().any(|o| o.starts_with("shared:")),
                    opt.iter().any(|o| o.starts_with("master:")),
                ) {
                    (true, true) => "shared_and_slave",
                    (true, false) => "shared",
                    (false, true) => "slave",
                    (false, false) => "private",
                }
            };
            Some([
                format!("{ids:?}"),
                mountinfo::unescape(f[3]),
                mountinfo::unescape(f[4]),
                f[5].to_string(),
                flags,
                prop.to_string(),
                f[sep + 1].to_string(),
                f.get(sep + 2)
                    .map(|x| mountinfo::unescape(x))
                    .unwrap_or_default(),
                f.get(sep + 3).unwrap_or(&"").to_string(),
                String::new(),
            ])
        })();
        match parsed {
            Some(m) => mounts.push(m),
            None if bad.len() < 16 => bad.push(i + 1),
            None => {}
        }
    }
    (mounts, bad)
}

fn as_reference(t: &MountTable) -> (Vec<[String; 10]>, Vec<usize>) {
    let mounts = t
        .mounts
        .iter()
        .map(|m| {
            let flags: String = [m.read_only, m.nosuid, m.noexec, m.nodev]
                .iter()
                .map(|&b| if b { '1' } else { '0' })
                .collect();
            let prop = match m.propagation {
                mountinfo::Propagation::Unbindable => "unbindable",
                mountinfo::Propagation::SharedAndSlave => "shared_and_slave",
                mountinfo::Propagation::Shared => "shared",
                mountinfo::Propagation::Slave => "slave",
                mountinfo::Propagation::Private => "private",
            };
            [
                format!("{:?}", [m.id, m.parent, m.major, m.minor]),
                m.root().to_string(),
                m.mount_point().to_string(),
                m.options().to_string(),
                flags,
                prop.to_string(),
                m.fstype().to_string(),
                m.source().to_string(),
                m.super_options().to_string(),
                String::new(),
            ]
        })
        .collect();
    (mounts, t.bad_lines.iter().map(|(l, _)| *l).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mountinfo_agrees_with_the_reference_parser(
        lines in prop::collection::vec(prop_oneof![mount_line(), any_text()], 0..30),
    ) {
        let text = lines.join("\n");
        prop_assert_eq!(as_reference(&MountTable::parse(&text)), reference_mountinfo(&text));
    }

    #[test]
    fn status_never_panics_and_bounds_groups(t in any_text(), b in prop::collection::vec(any::<u8>(), 0..600)) {
        for s in [Status::parse(&t), Status::parse_bytes(&b), Status::parse_bytes(t.as_bytes())] {
            if let Field::Value(g) = &s.groups {
                prop_assert!(g.len() <= 65536);
                prop_assert!(g.len() <= t.len().max(b.len()));
            }
        }
    }

    #[test]
    fn status_near_valid_lines(key in "(Uid|Gid|Groups|CapEff|CapPrm|CapBnd|CapAmb|CapInh|NoNewPrivs|Seccomp|Seccomp_filters|Tgid|Pid)",
                               val in "[0-9a-fx \\t-]{0,40}", dup in any::<bool>()) {
        let line = format!("{key}:\t{val}\n");
        let text = if dup { format!("{line}{line}") } else { line };
        let s = Status::parse(&text);
        if dup {
            // A line seen twice is never a value.
            let fields = [s.uid.value().is_some(), s.gid.value().is_some(), s.groups.value().is_some(),
                s.cap_eff.value().is_some(), s.cap_prm.value().is_some(), s.cap_bnd.value().is_some(),
                s.cap_amb.value().is_some(), s.cap_inh.value().is_some(), s.no_new_privs.value().is_some(),
                s.seccomp.value().is_some(), s.seccomp_filters.value().is_some(), s.tgid.value().is_some(),
                s.pid.value().is_some()];
            prop_assert!(fields.iter().all(|v| !v), "{text:?} gave a value: {s:?}");
        }
    }

    #[test]
    fn idmap_bounded(t in any_text(), lines in prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..400)) {
        if let Ok(m) = idmap::parse(&t) {
            prop_assert!(m.ranges.len() <= idmap::MAX_LINES);
            prop_assert!(m.ranges.len() <= t.lines().count());
        }
        let text: String = lines.iter().map(|(a, b, c)| format!("{a} {b} {c}\n")).collect();
        if let Ok(m) = idmap::parse(&text) {
            prop_assert!(m.ranges.len() <= idmap::MAX_LINES);
            for r in &m.ranges {
                prop_assert!(r.count > 0);
                prop_assert!(r.inside.checked_add(r.count - 1).is_some());
                prop_assert!(r.outside.checked_add(r.count - 1).is_some());
            }
            for id in [0u32, 1, 1000, u32::MAX] { let _ = m.mapping_of(id); }
        }
    }

    #[test]
    fn lsm_parsers_never_panic(t in any_text()) {
        let _ = lsm::parse_apparmor(&t);
        let _ = lsm::parse_selinux(&t);
        let list = lsm::parse_lsm_list(&t);
        prop_assert!(list.len() <= t.len());
        let _ = lsm::parse_current(&t, Some(&list));
        let _ = lsm::parse_current(&t, None);
        let _ = lsm::parse_enforce(&t);
    }

    #[test]
    fn mountinfo_bounded(t in any_text()) {
        let m = MountTable::parse(&t);
        prop_assert!(m.mounts.len() <= t.split('\n').count());
        prop_assert!(m.bad_lines.len() <= 16);
        let a = posture::__private::mounts::analyse(&m, false);
        prop_assert_eq!(a.count, m.mounts.len());
        prop_assert!(a.table.len() == m.mounts.len());
        prop_assert!(mountinfo::unescape(&t).len() <= t.len() * 3);
    }

    #[test]
    fn mountinfo_near_valid(lines in prop::collection::vec(mount_line(), 0..40), cut in any::<bool>()) {
        let mut text = lines.join("\n");
        if cut && !text.is_empty() { text.truncate(text.len() / 2); }
        let m = MountTable::parse(&text);
        prop_assert!(m.mounts.len() <= lines.len());
        if !cut {
            // Every generated line has all the fields: all of them parse.
            prop_assert_eq!(m.mounts.len(), lines.len(), "{:?}", m.bad_lines);
        }
        let a = posture::__private::mounts::analyse(&m, cut);
        prop_assert_eq!(a.is_complete(), !cut && m.bad_lines.is_empty());
        for mnt in &m.mounts {
            // Unescaping never grows a field.
            prop_assert!(!mnt.mount_point().is_empty());
        }
    }

    #[test]
    fn ns_parsers_never_panic(t in any_text(), n in any::<u64>()) {
        for ty in NsType::ALL {
            let _ = ns::parse_link(ty, &t);
            prop_assert_eq!(ns::parse_link(ty, &format!("{}:[{n}]", ty)), Ok(n));
        }
        let _ = ns::parse_kernel_version(&t);
    }

    #[test]
    fn cgroup_parsers_bounded(t in any_text(), mi in prop::collection::vec(mount_line(), 0..10), q in any_text()) {
        if let Ok(lines) = cgroup::parse_proc_cgroup(&t) {
            prop_assert!(lines.len() <= 64 && lines.len() <= t.lines().count());
            let table = MountTable::parse(&mi.join("\n"));
            for k in [LimitKind::Memory, LimitKind::Pids, LimitKind::Cpu] {
                if let Ok(cgroup::LimitFiles::V2(p) | cgroup::LimitFiles::V1(p, _)) = cgroup::limit_files(&lines, &table.mounts, k) {
                    prop_assert!(!p.split('/').any(|c| c == ".."), "{p}");
                }
            }
        }
        let _ = cgroup::parse_limit(&t);
        let _ = cgroup::parse_cpu_max(&t);
        let _ = cgroup::parse_cpu_v1(&t, &q);
    }

    #[test]
    fn runtime_and_masks_never_panic(env in prop::collection::vec(any::<u8>(), 0..400), key in "[a-zA-Z_]{0,12}", t in any_text()) {
        if let Some(v) = runtime::env_value(&env, &key) { prop_assert!(v.len() < env.len()); }
        let table = MountTable::parse(&t);
        let lines = cgroup::parse_proc_cgroup(&t).ok();
        let r = runtime::detect(&runtime::Inputs {
            self_environ: Some(&env), init_environ: Some(&env), containerenv: Some(&t),
            mounts: Some(&table.mounts), cgroups: lines.as_deref(), osrelease: Some(&t),
            ..Default::default()
        });
        prop_assert!(r.signals.len() <= 8 + table.mounts.len() * 2);
        let _ = capability::parse_mask(&t);
    }
}

// ------------------------------------------------------- fixture trees

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ty = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if ty.is_dir() {
            copy_tree(&e.path(), &dest);
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), &dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

struct Tree(PathBuf);

impl Tree {
    fn podman(tag: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("posture-robust-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/podman-default"),
            &dir,
        );
        Tree(dir)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn report(&self) -> Report {
        posture::posture_with_root(&Root::fixture(&self.0))
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unknown<T: std::fmt::Debug>(f: &Fact<T>) -> &posture::Unknown {
    match f {
        Fact::Unknown(u) => u,
        Fact::Known(_) => panic!("expected unknown, got {f:?}"),
    }
}

#[test]
fn multi_megabyte_mountinfo_is_read_to_the_bound_and_reported_truncated() {
    let t = Tree::podman("bigmi");
    let real = std::fs::read_to_string(t.path("proc/self/mountinfo")).unwrap();
    let mut big = real.clone();
    let mut i = 0;
    while big.len() < posture::__private::root::MOUNTINFO_LIMIT + 1024 * 1024 {
        big.push_str(&format!(
            "{} 1 0:{i} / /mnt/m{i} rw,nosuid - tmpfs tmpfs rw\n",
            100000 + i
        ));
        i += 1;
    }
    std::fs::write(t.path("proc/self/mountinfo"), &big).unwrap();
    let r = t.report();
    let m = r
        .mounts
        .known()
        .expect("a truncated table is still a table");
    assert!(!m.incomplete.is_empty());
    assert!(
        m.incomplete.iter().any(|w| w.contains("read bound")),
        "{:?}",
        m.incomplete
    );
    assert!(!m.is_complete());
    // Only whole lines below the bound were parsed.
    let whole = big[..posture::__private::root::MOUNTINFO_LIMIT]
        .matches('\n')
        .count();
    assert_eq!(m.count, whole);
}

#[test]
fn oversized_status_is_unknown_naming_the_file() {
    let t = Tree::podman("bigstatus");
    let mut s = std::fs::read_to_string(t.path("proc/self/status")).unwrap();
    s.push_str(&"X:\t0\n".repeat(posture::__private::root::STATUS_LIMIT / 4));
    std::fs::write(t.path("proc/self/status"), s).unwrap();
    let r = t.report();
    let u = unknown(&r.capabilities.effective);
    assert!(u.source.ends_with("proc/self/status"), "{u}");
    assert!(u.reason.contains("bound"), "{u}");
    assert!(r.seccomp.mode.known().is_none());
    assert!(r.no_new_privs.known().is_none());
}

#[test]
fn garbage_status_leaves_every_status_fact_unknown() {
    let t = Tree::podman("garbage");
    std::fs::write(
        t.path("proc/self/status"),
        b"\xff\xfe\x00garbage\nCapEff:\tnope\n",
    )
    .unwrap();
    let r = t.report();
    assert!(unknown(&r.capabilities.effective).reason.contains("CapEff"));
    assert!(unknown(&r.capabilities.bounding).reason.contains("CapBnd"));
    unknown(&r.seccomp.mode);
    unknown(&r.no_new_privs);
    unknown(&r.identity.uid);
}

#[test]
fn duplicated_status_lines_are_unknown_not_either_value() {
    let t = Tree::podman("dup");
    let s = std::fs::read_to_string(t.path("proc/self/status")).unwrap();
    let s = format!("{s}CapEff:\t0000000000000000\nSeccomp:\t2\nNoNewPrivs:\t1\n");
    std::fs::write(t.path("proc/self/status"), s).unwrap();
    let r = t.report();
    for u in [
        unknown(&r.capabilities.effective),
        unknown(&r.seccomp.mode),
        unknown(&r.no_new_privs),
    ] {
        assert!(u.reason.contains("more than once"), "{u}");
    }
    // Lines not duplicated are still read.
    assert!(r.capabilities.bounding.known().is_some());
}

#[test]
fn hidepid_like_unreadable_files_are_unknown_with_eacces() {
    let t = Tree::podman("hidepid");
    for f in ["status", "mountinfo", "uid_map", "cgroup"] {
        std::fs::remove_file(t.path(&format!("proc/self/{f}"))).unwrap();
        std::fs::write(t.path(&format!("proc/self/{f}.errno")), "EACCES\n").unwrap();
    }
    let r = t.report();
    for u in [
        unknown(&r.capabilities.effective),
        unknown(&r.mounts),
        unknown(&r.user_namespace.uid_map),
        unknown(&r.cgroups),
    ] {
        assert!(u.reason.contains("os error 13"), "{u}");
    }
}

#[test]
fn missing_proc_sys_leaves_kernel_facts_unknown() {
    let t = Tree::podman("nosys");
    std::fs::remove_dir_all(t.path("proc/sys")).unwrap();
    let r = t.report();
    assert!(
        unknown(&r.kernel.release)
            .source
            .ends_with("proc/sys/kernel/osrelease")
    );
    unknown(&r.kernel.cap_last_cap);
    unknown(&r.capabilities.full_set);
    // Without a kernel version, "not the initial net namespace" is unproven.
    let net = r.namespace(NsType::Net).unwrap();
    assert!(net.initial.known().is_none(), "{net:?}");
}

#[test]
fn a_thread_listed_but_gone_counts_as_exited() {
    let t = Tree::podman("exited");
    std::fs::create_dir_all(t.path("proc/self/task/424242")).unwrap();
    let r = t.report();
    let th = r.threads.known().expect("threads");
    assert_eq!(th.exited, 1, "{th:?}");
    assert!(th.unreadable.is_empty(), "{th:?}");
    assert_eq!(th.count, 2);
}

// ------------------------------------------------------------ live

/// The two tests below mount over `/proc` in a private mount namespace:
/// root only, so they run with the `root-tests` feature.
fn root_with_unshare() -> bool {
    nix::unistd::geteuid().is_root()
        && Command::new("unshare")
            .args(["-m", "true"])
            .status()
            .is_ok_and(|s| s.success())
}

/// The `posture` binary (src/bin/posture.rs).
fn cli() -> PathBuf {
    common::posture_bin()
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn proc_on_a_tmpfs_is_not_procfs() {
    assert!(root_with_unshare(), "this test needs root and unshare(1)");
    let cli = cli();
    // A tmpfs over /proc holding a plausible fake status claiming full hardening.
    let script = format!(
        "set -e; mount -t tmpfs fake /proc; mkdir -p /proc/self/ns /proc/sys/kernel; \
         printf 'CapEff:\\t0000000000000000\\nSeccomp:\\t2\\nNoNewPrivs:\\t1\\n' > /proc/self/status; \
         exec {} --json",
        cli.display()
    );
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let trust = &v["report"]["proc_trust"]["known"];
    assert!(trust.get("not_procfs").is_some(), "{trust}");
    assert_eq!(trust["not_procfs"]["magic"], "0x1021994", "tmpfs magic");
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_file_bound_over_proc_pid_status_makes_proc_untrusted() {
    assert!(root_with_unshare(), "this test needs root and unshare(1)");
    let cli = cli();
    let fake = std::env::temp_dir().join(format!("posture-fake-status-{}", std::process::id()));
    std::fs::write(&fake, "Name:\tfake\nCapEff:\t0000000000000000\nCapPrm:\t0000000000000000\nCapBnd:\t0000000000000000\nCapInh:\t0000000000000000\nCapAmb:\t0000000000000000\nSeccomp:\t2\nNoNewPrivs:\t1\n").unwrap();
    // /proc/self resolves per reader: bind over the status of the shell's own
    // pid ($$), which exec keeps for the CLI.
    let script = format!(
        "set -e; mount --bind {} /proc/$$/status; exec {} --json",
        fake.display(),
        cli.display()
    );
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&fake);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let rep = &v["report"];
    // /proc is a real procfs, but the status read is a file on another
    // filesystem (the temp dir's): the report must not vouch for it.
    let trust = &rep["proc_trust"]["known"];
    assert!(trust.get("not_procfs").is_some(), "{trust}");
    // And the bind shows in the mount table.
    let table = rep["mounts"]["known"]["table"].as_array().unwrap();
    assert!(
        table.iter().any(|m| {
            let mp = m["mount_point"].as_str().unwrap_or("");
            mp.starts_with("/proc/") && mp.ends_with("/status")
        }),
        "the bind over status is not in the mount table"
    );
}

// ------------------------------------------------------ fails closed

/// Every way to make one fact unknown.
/// A way to make facts unknown, and its name.
type MakeUnknown = (&'static str, fn(&mut Report));

fn unknowns() -> Vec<MakeUnknown> {
    fn u<T>() -> Fact<T> {
        Fact::unknown("test", "made unknown")
    }
    vec![
        ("proc_trust", |r| r.proc_trust = u()),
        ("kernel.release", |r| r.kernel.release = u()),
        ("kernel.cap_last_cap", |r| r.kernel.cap_last_cap = u()),
        ("identity.uid", |r| r.identity.uid = u()),
        ("identity.gid", |r| r.identity.gid = u()),
        ("identity.groups", |r| r.identity.groups = u()),
        ("capabilities.effective", |r| r.capabilities.effective = u()),
        ("capabilities.permitted", |r| r.capabilities.permitted = u()),
        ("capabilities.inheritable", |r| {
            r.capabilities.inheritable = u()
        }),
        ("capabilities.bounding", |r| r.capabilities.bounding = u()),
        ("capabilities.ambient", |r| r.capabilities.ambient = u()),
        ("capabilities.full_set", |r| r.capabilities.full_set = u()),
        ("securebits", |r| r.securebits = u()),
        ("seccomp.mode", |r| r.seccomp.mode = u()),
        ("seccomp.filters", |r| r.seccomp.filters = u()),
        ("no_new_privs", |r| r.no_new_privs = u()),
        ("threads", |r| r.threads = u()),
        ("user_namespace.uid_map", |r| r.user_namespace.uid_map = u()),
        ("user_namespace.gid_map", |r| r.user_namespace.gid_map = u()),
        ("user_namespace.initial", |r| r.user_namespace.initial = u()),
        ("user_namespace.root_uid", |r| {
            r.user_namespace.root_uid = u()
        }),
        ("user_namespace.root_gid", |r| {
            r.user_namespace.root_gid = u()
        }),
        ("user_namespace.own_uid", |r| r.user_namespace.own_uid = u()),
        ("lsm.label", |r| r.lsm.label = u()),
        ("lsm.selinux_enforcing", |r| r.lsm.selinux_enforcing = u()),
        ("lsm.active", |r| r.lsm.active = u()),
        ("mounts", |r| r.mounts = u()),
        ("namespaces.inode", |r| {
            r.namespaces.iter_mut().for_each(|n| n.inode = u())
        }),
        ("namespaces.initial", |r| {
            r.namespaces.iter_mut().for_each(|n| n.initial = u())
        }),
        ("network.initial", |r| r.network.initial = u()),
        ("cgroups", |r| r.cgroups = u()),
        ("devices", |r| r.devices = u()),
        ("service_account_token", |r| r.service_account_token = u()),
        ("mounts.incomplete", |r| {
            if let Fact::Known(m) = &mut r.mounts {
                m.incomplete.push("test: truncated".into());
            }
        }),
        ("threads.incomplete", |r| {
            if let Fact::Known(t) = &mut r.threads {
                t.unreadable.push("1: test".into());
                t.truncated = true;
            }
        }),
    ]
}

#[test]
fn unknown_facts_never_turn_a_check_into_pass() {
    let fixtures = common::fixtures_root();
    let mut judged = 0;
    for name in [
        "hardened",
        "docker-hardened",
        "k8s-restricted",
        "podman-default",
        "userns-remapped",
    ] {
        let base = posture::posture_with_root(&Root::fixture(fixtures.join(name)));
        for preset in Preset::ALL {
            let policy = Policy::preset(preset);
            let before = policy::evaluate(&base, &policy);
            for (what, make_unknown) in unknowns() {
                let mut r = base.clone();
                make_unknown(&mut r);
                let after = policy::evaluate(&r, &policy);
                for c in &after.checks {
                    let was = before.check(c.id).map(|b| b.status);
                    // A check may keep its status (it does not read that fact)
                    // or become unknown; it never gains a pass.
                    assert!(
                        c.status != CheckStatus::Pass || was == Some(CheckStatus::Pass),
                        "{name}/{}: {} became pass with {what} unknown",
                        preset,
                        c.id
                    );
                    if was == Some(CheckStatus::Pass) && c.status != CheckStatus::Pass {
                        assert_eq!(
                            c.status,
                            CheckStatus::Unknown,
                            "{name}/{}: {} went from pass to {:?} with {what} unknown",
                            preset,
                            c.id,
                            c.status
                        );
                    }
                    judged += 1;
                }
            }
            // Everything unknown at once: nothing passes.
            let mut r = base.clone();
            for (_, f) in unknowns() {
                f(&mut r);
            }
            let all = policy::evaluate(&r, &policy);
            for c in &all.checks {
                assert_ne!(
                    c.status,
                    CheckStatus::Pass,
                    "{name}: {} passed on no facts",
                    c.id
                );
            }
        }
    }
    assert!(judged > 1000);
}

#[test]
fn proc_not_procfs_passes_nothing() {
    let fixtures = common::fixtures_root();
    let mut r = posture::posture_with_root(&Root::fixture(fixtures.join("hardened")));
    r.proc_trust = Fact::Known(posture::report::ProcTrust::NotProcfs {
        magic: "0x1021994".into(),
    });
    let a = policy::evaluate(&r, &Policy::preset(Preset::Strict));
    for c in &a.checks {
        assert_ne!(
            c.status,
            CheckStatus::Pass,
            "{} passed on an untrusted /proc",
            c.id
        );
    }
}

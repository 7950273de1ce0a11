//! Policy evaluation on fixture trees: each check's pass, fail and unknown;
//! every preset on every scenario; policy documents good and bad.
//!
//! Expected values are written from what each scenario's flags and the
//! kernel's files say (see each fixture's README), not from the code's output.

use std::path::{Path, PathBuf};

use posture::fact::Fact;
use posture::policy::{Action, CheckId, Policy, Preset, Status, Verdict, document, evaluate};
use posture::report::ProcTrust;
use posture::{Report, Root};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn report(name: &str) -> Report {
    let dir = fixtures().join(name);
    assert!(
        dir.join("proc/self/status").exists(),
        "fixture {name} missing"
    );
    posture::posture_with_root(&Root::fixture(dir))
}

/// A copy of a fixture in a temp dir, to damage one file.
struct Scratch(PathBuf);

impl Scratch {
    fn of(name: &str, tag: &str) -> Scratch {
        let dst = std::env::temp_dir().join(format!(
            "posture-policy-{}-{name}-{tag}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dst);
        copy_tree(&fixtures().join(name), &dst);
        Scratch(dst)
    }
    fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.0.join(rel);
        let _ = std::fs::remove_file(&p);
        std::fs::write(p, text).unwrap();
        self
    }
    fn edit(&self, rel: &str, f: impl Fn(&str) -> String) -> &Self {
        let p = self.0.join(rel);
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(p, f(&t)).unwrap();
        self
    }
    fn fail_with(&self, rel: &str, errno: &str) -> &Self {
        let p = self.0.join(rel);
        let _ = std::fs::remove_file(&p);
        let mut e = p.into_os_string();
        e.push(".errno");
        std::fs::write(e, format!("{errno}\n")).unwrap();
        self
    }
    fn relink(&self, rel: &str, target: &str) -> &Self {
        let p = self.0.join(rel);
        let _ = std::fs::remove_file(&p);
        std::os::unix::fs::symlink(target, p).unwrap();
        self
    }
    fn report(&self) -> Report {
        posture::posture_with_root(&Root::fixture(&self.0))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let (s, d) = (e.path(), dst.join(e.file_name()));
        let ft = e.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&s).unwrap(), &d).unwrap();
        } else if ft.is_dir() {
            copy_tree(&s, &d);
        } else {
            std::fs::copy(&s, &d).unwrap();
        }
    }
}

fn drop_line(prefix: &'static str) -> impl Fn(&str) -> String {
    move |t| {
        t.lines()
            .filter(|l| !l.starts_with(prefix))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

fn status_of(r: &Report, id: CheckId) -> Status {
    let a = evaluate(r, &Policy::preset(Preset::Strict));
    a.check(id)
        .unwrap_or_else(|| panic!("{id} not evaluated"))
        .status
}

use CheckId::*;
use Status::{Fail as F, Pass as P, Unknown as U};

/// Every check's status under any policy, per scenario. Columns follow
/// `CheckId::ALL`.
#[rustfmt::skip]
const CHECK_TABLE: &[(&str, [Status; 17])] = &[
    //                              root caps secc mac  ro   nnp  priv usr  sock pid  ipc  net  uts  sens lim  sa   proc
    ("docker-default",             [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("podman-default",             [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("hardened",                   [P,   P,   P,   F,   P,   P,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("docker-hardened",            [P,   P,   P,   F,   P,   P,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("k8s-restricted",             [P,   P,   P,   F,   P,   P,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("privileged",                 [F,   F,   F,   F,   F,   F,   F,   F,   P,   P,   P,   P,   P,   F,   F,   P,   P]),
    ("userns-remapped",            [F,   F,   P,   F,   F,   F,   P,   P,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("rootless-like",              [F,   F,   P,   F,   F,   F,   P,   P,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("podman-seccomp-unconfined",  [F,   F,   F,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("podman-cap-sys-admin",       [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("podman-pid-host",            [F,   F,   P,   F,   F,   F,   P,   F,   P,   F,   P,   P,   P,   P,   F,   P,   P]),
    ("podman-docker-sock",         [F,   F,   P,   F,   F,   F,   P,   F,   F,   P,   P,   P,   P,   F,   F,   P,   P]),
    ("podman-host-root",           [F,   F,   P,   F,   F,   F,   P,   F,   F,   P,   P,   P,   P,   F,   F,   P,   P]),
    ("podman-limits",              [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   P,   P,   P]),
    ("docker-limits",              [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   P,   P,   P]),
    ("cgroupns-private",           [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    // No controller is enabled in the only cgroup2 view this host can give.
    ("cgroupns-private-v2",        [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   U,   P,   P]),
    ("apparmor-enforce",           [F,   F,   P,   P,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("apparmor-complain",          [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("selinux-container-t",        [F,   F,   P,   P,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    ("selinux-spc-t",              [F,   F,   F,   F,   F,   F,   F,   F,   P,   P,   P,   P,   P,   F,   F,   P,   P]),
    ("no-lsm",                     [F,   F,   P,   F,   F,   F,   P,   F,   P,   P,   P,   P,   P,   P,   F,   P,   P]),
    // gVisor: no Uid or NoNewPrivs lines, Seccomp 0, no attr files, kernel
    // "4.4.0" (so the net namespace's initial inode is not fixed).
    ("gvisor",                     [U,   F,   F,   U,   F,   U,   P,   F,   P,   P,   P,   U,   P,   P,   F,   P,   P]),
    // The host: all namespaces initial. Its pids cgroup is the real root,
    // which has no pids.max: no limit, so resource_limits fails whatever the
    // (uncaptured) memory file would say.
    ("host",                       [F,   F,   F,   F,   F,   F,   F,   F,   P,   F,   F,   F,   F,   F,   F,   P,   P]),
    ("host-unshare-user",          [F,   F,   F,   F,   F,   F,   F,   F,   P,   F,   F,   F,   F,   F,   F,   P,   P]),
];

#[test]
fn every_check_on_every_scenario() {
    let on_disk: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("proc/self/status").exists())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    for name in &on_disk {
        assert!(
            CHECK_TABLE.iter().any(|(n, _)| n == name),
            "fixture {name} has no row in CHECK_TABLE"
        );
    }
    let mut wrong = Vec::new();
    for (name, row) in CHECK_TABLE {
        let a = evaluate(&report(name), &Policy::preset(Preset::Strict));
        assert_eq!(a.checks.len(), CheckId::ALL.len());
        // A fixture report is never probed: that check is unknown, "not run"
        // (tests/syscalls.rs covers it); the table holds the others.
        let sys = a.check(DangerousSyscallsBlocked).unwrap();
        assert_eq!(sys.status, U, "{name}: {}", sys.evidence);
        let judged = CheckId::ALL
            .iter()
            .filter(|id| **id != DangerousSyscallsBlocked);
        for (i, id) in judged.enumerate() {
            let c = a.check(*id).unwrap();
            if c.status != row[i] {
                wrong.push(format!(
                    "{name}: {id} expected {:?}, got {:?} ({})",
                    row[i], c.status, c.evidence
                ));
            }
            assert!(!c.evidence.is_empty(), "{name}: {id} has no evidence");
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn every_preset_on_every_scenario() {
    // (scenario, checklist, pss-baseline, pss-restricted, strict)
    use Verdict::{Fail as X, Pass as O};
    let table: &[(&str, [Verdict; 4])] = &[
        ("docker-default", [X, X, X, X]), // root; NET_RAW is outside the baseline list
        ("podman-default", [X, O, X, X]), // podman's 11 are all baseline capabilities
        ("hardened", [O, O, O, X]),
        ("docker-hardened", [O, O, O, X]),
        ("k8s-restricted", [O, O, O, X]),
        ("privileged", [X, X, X, X]),
        ("userns-remapped", [X, O, X, X]),
        ("rootless-like", [X, O, X, X]),
        ("podman-seccomp-unconfined", [X, O, X, X]), // baseline does not require seccomp
        ("podman-cap-sys-admin", [X, X, X, X]),
        ("podman-pid-host", [X, X, X, X]),
        ("podman-docker-sock", [X, X, X, X]),
        ("podman-host-root", [X, X, X, X]),
        ("podman-limits", [X, O, X, X]),
        ("docker-limits", [X, X, X, X]),
        ("cgroupns-private", [X, O, X, X]),
        ("cgroupns-private-v2", [X, O, X, X]),
        ("apparmor-enforce", [X, X, X, X]),
        ("apparmor-complain", [X, X, X, X]),
        ("selinux-container-t", [X, O, X, X]),
        ("selinux-spc-t", [X, X, X, X]),
        ("no-lsm", [X, O, X, X]),
        ("gvisor", [X, X, X, X]),
        ("host", [X, X, X, X]),
        ("host-unshare-user", [X, X, X, X]),
    ];
    assert_eq!(table.len(), CHECK_TABLE.len());
    let mut wrong = Vec::new();
    for (name, verdicts) in table {
        let r = report(name);
        for (preset, want) in Preset::ALL.iter().zip(verdicts) {
            let a = evaluate(&r, &Policy::preset(*preset));
            assert_eq!(a.policy, preset.name());
            if a.verdict != *want {
                let blocking: Vec<_> = a.blocking().map(|c| c.id.as_str()).collect();
                wrong.push(format!(
                    "{name} under {}: expected {want:?}, blocking {blocking:?}",
                    preset.name()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn unknown_inputs_make_each_check_unknown() {
    let base = "podman-default";
    let cases: Vec<(CheckId, Scratch)> = vec![
        (NonRoot, {
            let s = Scratch::of(base, "uid");
            s.edit("proc/self/status", drop_line("Uid:"));
            s
        }),
        (CapabilitiesDropped, {
            let s = Scratch::of("hardened", "capeff");
            s.edit("proc/self/status", |t| {
                t.replace("CapPrm:\t0000000000000400", "CapPrm:\tzz")
            });
            s
        }),
        (Seccomp, {
            let s = Scratch::of(base, "seccomp");
            s.edit("proc/self/status", drop_line("Seccomp:"));
            s
        }),
        (MacEnforced, {
            let s = Scratch::of(base, "attr");
            s.fail_with("proc/self/attr/current", "EACCES");
            s
        }),
        (ReadOnlyRootfs, {
            let s = Scratch::of(base, "mi");
            s.fail_with("proc/self/mountinfo", "EACCES");
            s
        }),
        (NoNewPrivs, {
            let s = Scratch::of("hardened", "nnp");
            s.edit("proc/self/status", drop_line("NoNewPrivs:"));
            s
        }),
        (NotPrivileged, {
            let s = Scratch::of(base, "bnd");
            s.edit("proc/self/status", drop_line("CapBnd:"));
            s
        }),
        (UsernsRemap, {
            let s = Scratch::of(base, "uidmap");
            s.write("proc/self/uid_map", "garbage\n");
            s
        }),
        (NoRuntimeSocket, {
            let s = Scratch::of(base, "mibad");
            s.edit("proc/self/mountinfo", |t| format!("{t}not a mount line\n"));
            s
        }),
        (NoHostPid, {
            let s = Scratch::of(base, "pidns");
            s.relink("proc/self/ns/pid", "pid:[?]");
            s
        }),
        (NoHostIpc, {
            let s = Scratch::of(base, "ipcns");
            s.fail_with("proc/self/ns/ipc", "EACCES");
            s
        }),
        (NoHostNetwork, {
            let s = Scratch::of(base, "netns");
            s.write("proc/sys/kernel/osrelease", "6.1.0\n");
            s
        }),
        (NoHostUts, {
            let s = Scratch::of(base, "utsns");
            s.relink("proc/self/ns/uts", "ipc:[4026531838]");
            s
        }),
        (NoSensitiveMounts, {
            let s = Scratch::of(base, "mibad2");
            s.edit("proc/self/mountinfo", |t| format!("{t}1 2 x\n"));
            s
        }),
        (ResourceLimits, {
            let s = Scratch::of("podman-limits", "mem");
            s.fail_with("sys/fs/cgroup/memory/memory.limit_in_bytes", "EACCES");
            s
        }),
        (NoServiceAccountToken, {
            let s = Scratch::of(base, "sa");
            s.fail_with("proc/self/mountinfo", "EACCES");
            s
        }),
        // Its input is the syscall probe, which a fixture report never runs.
        (DangerousSyscallsBlocked, Scratch::of(base, "sys")),
    ];
    for (id, scratch) in &cases {
        let r = scratch.report();
        let a = evaluate(&r, &Policy::preset(Preset::Strict));
        let c = a.check(*id).unwrap();
        assert_eq!(c.status, Status::Unknown, "{id}: {}", c.evidence);
        assert!(c.blocks(), "{id}: unknown must block a required check");
        // The evidence names where the trouble is.
        assert!(
            c.evidence.contains("unknown")
                || c.evidence.contains("incomplete")
                || c.evidence.contains("/"),
            "{id}: {}",
            c.evidence
        );
        // Accepting unknown is per check and explicit.
        let lenient = Policy::preset(Preset::Strict).accept_unknown(*id);
        assert!(!evaluate(&r, &lenient).check(*id).unwrap().blocks());
    }
    // proc_trusted's unknown and fail come from statfs, which a fixture has
    // none of; see untrusted_proc_fails_closed.
    assert_eq!(cases.len(), CheckId::ALL.len() - 1);
}

#[test]
fn sockets_reachable_through_a_directory_mount_are_found() {
    // A host /run on tmpfs bound at /hostrun: mountinfo shows only a tmpfs.
    let s = Scratch::of("podman-default", "hostrun");
    s.edit("proc/self/mountinfo", |t| {
        format!(
            "{t}4242 80 0:77 / /hostrun rw,nosuid,nodev - tmpfs tmpfs rw,size=2408000k,mode=755\n"
        )
    });
    std::fs::create_dir_all(s.0.join("hostrun/containerd")).unwrap();
    let before = evaluate(&s.report(), &Policy::default());
    assert_eq!(before.check(NoRuntimeSocket).unwrap().status, Status::Pass);
    // A fixture cannot hold a socket: a regular file stands for one.
    std::fs::write(s.0.join("hostrun/containerd/containerd.sock"), "").unwrap();
    let a = evaluate(&s.report(), &Policy::default());
    let c = a.check(NoRuntimeSocket).unwrap();
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.evidence
            .contains("containerd socket reachable at /hostrun/containerd/containerd.sock"),
        "{}",
        c.evidence
    );
    assert_eq!(a.check(NoSensitiveMounts).unwrap().status, Status::Fail);

    // And at the place runtimes put it, however it got there.
    let d = Scratch::of("podman-default", "varrun");
    std::fs::create_dir_all(d.0.join("var/run")).unwrap();
    std::fs::write(d.0.join("var/run/docker.sock"), "").unwrap();
    let c = evaluate(&d.report(), &Policy::default());
    assert!(
        c.check(NoRuntimeSocket)
            .unwrap()
            .evidence
            .contains("docker socket reachable at /var/run/docker.sock")
    );
}

#[test]
fn a_thread_that_differs_decides_per_thread_checks() {
    // docker-hardened: uid 1000, bounding NET_BIND_SERVICE, no_new_privs on.
    let s = Scratch::of("docker-hardened", "thread");
    let main = std::fs::read_to_string(s.0.join("proc/self/status")).unwrap();
    let other = |edit: &dyn Fn(&str) -> String| {
        let t = s.0.join("proc/self/task/7");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(
            t.join("status"),
            edit(&main).replace("Pid:\t1\n", "Pid:\t7\n"),
        )
        .unwrap();
        evaluate(&s.report(), &Policy::preset(Preset::Strict))
    };
    let same = other(&|t| t.to_string());
    assert_eq!(same.check(NonRoot).unwrap().status, Status::Pass);
    assert_eq!(same.check(NoNewPrivs).unwrap().status, Status::Pass);

    let root_thread =
        other(&|t| t.replace("Uid:\t1000\t1000\t1000\t1000", "Uid:\t1000\t0\t1000\t0"));
    let nr = root_thread.check(NonRoot).unwrap();
    assert_eq!(nr.status, Status::Fail, "{}", nr.evidence);
    assert!(
        nr.evidence.contains("thread(s) 7 hold uid 0"),
        "{}",
        nr.evidence
    );

    // no_new_privs off in one thread: that thread's bounding set is reachable.
    let nnp_off = other(&|t| {
        t.replace("NoNewPrivs:\t1", "NoNewPrivs:\t0")
            .replace("CapBnd:\t0000000000000400", "CapBnd:\t0000000000202400")
    });
    assert_eq!(nnp_off.check(NoNewPrivs).unwrap().status, Status::Fail);
    let caps = nnp_off.check(CapabilitiesDropped).unwrap();
    assert_eq!(caps.status, Status::Fail, "{}", caps.evidence);
    assert!(
        caps.evidence
            .contains("thread 7 bounding set holds CAP_SYS_ADMIN, CAP_NET_RAW"),
        "{}",
        caps.evidence
    );

    let no_seccomp = other(&|t| t.replace("Seccomp:\t2", "Seccomp:\t0"));
    let sc = no_seccomp.check(Seccomp).unwrap();
    assert_eq!(sc.status, Status::Fail);
    assert!(
        sc.evidence.contains("disabled on thread(s) 7"),
        "{}",
        sc.evidence
    );
}

#[test]
fn untrusted_proc_fails_closed() {
    let mut r = report("hardened");
    assert_eq!(status_of(&r, NonRoot), Status::Pass);
    r.proc_trust = Fact::Known(ProcTrust::NotProcfs {
        magic: "0x1021994".into(),
    });
    let a = evaluate(&r, &Policy::preset(Preset::Checklist));
    assert_eq!(a.check(ProcTrusted).unwrap().status, Status::Fail);
    for c in &a.checks {
        assert_ne!(
            c.status,
            Status::Pass,
            "{} passed on an untrusted /proc",
            c.id
        );
    }
    assert_eq!(a.verdict, Verdict::Fail);
    r.proc_trust = Fact::unknown("statfs(/proc)", "EACCES");
    assert_eq!(status_of(&r, ProcTrusted), Status::Unknown);
}

#[test]
fn evidence_names_the_facts() {
    let a = evaluate(&report("docker-default"), &Policy::default());
    let caps = a.check(CapabilitiesDropped).unwrap();
    // Dangerous ones first: NET_RAW leads docker's extra capabilities.
    assert!(
        caps.evidence.starts_with("effective set holds CAP_NET_RAW"),
        "{}",
        caps.evidence
    );
    assert!(
        caps.evidence.contains("bounding set holds CAP_NET_RAW"),
        "{}",
        caps.evidence
    );
    assert!(
        caps.evidence.contains("no_new_privs off"),
        "{}",
        caps.evidence
    );
    let mac = a.check(MacEnforced).unwrap();
    assert!(mac.evidence.contains("EINVAL"), "{}", mac.evidence);
    let root = evaluate(&report("userns-remapped"), &Policy::default());
    let nr = root.check(NonRoot).unwrap();
    assert_eq!(nr.status, Status::Fail);
    assert!(
        nr.evidence.contains("unprivileged host uid 100000"),
        "{}",
        nr.evidence
    );
    assert!(
        root.check(UsernsRemap)
            .unwrap()
            .evidence
            .contains("0 100000 65536")
    );
    // Capabilities in a remapped container are relative to its user namespace.
    let caps = root.check(CapabilitiesDropped).unwrap();
    assert!(
        caps.evidence.contains("non-initial user namespace"),
        "{}",
        caps.evidence
    );
    assert!(
        !a.check(CapabilitiesDropped)
            .unwrap()
            .evidence
            .contains("non-initial")
    );
    let sock = evaluate(&report("podman-docker-sock"), &Policy::default());
    assert!(
        sock.check(NoRuntimeSocket)
            .unwrap()
            .evidence
            .contains("/var/run/docker.sock")
    );
    for c in &a.checks {
        assert!(!c.remediation.run_flags.is_empty() && !c.remediation.kubernetes.is_empty());
    }
    assert_eq!(
        a.check(NonRoot).unwrap().remediation.dockerfile,
        Some("USER 1000:1000")
    );
}

#[test]
fn capability_allow_list_and_bounding_rule() {
    // hardened keeps NET_BIND_SERVICE everywhere; with an empty allow-list it fails.
    let r = report("hardened");
    assert_eq!(
        evaluate(&r, &Policy::default())
            .check(CapabilitiesDropped)
            .unwrap()
            .status,
        Status::Pass
    );
    let none = Policy::default().allow_only([]);
    let c = evaluate(&r, &none);
    assert_eq!(c.check(CapabilitiesDropped).unwrap().status, Status::Fail);
    // docker-hardened holds NET_BIND_SERVICE only in the bounding set, with
    // no_new_privs on: unreachable, so even an empty allow-list passes.
    let d = evaluate(&report("docker-hardened"), &none);
    let cd = d.check(CapabilitiesDropped).unwrap();
    assert_eq!(cd.status, Status::Pass, "{}", cd.evidence);
    assert!(
        cd.evidence.contains("unreachable: no_new_privs is on"),
        "{}",
        cd.evidence
    );
    // Allowing SYS_ADMIN makes the SYS_ADMIN scenario's extra capabilities
    // the podman defaults only.
    let p = Policy::preset(Preset::PssBaseline)
        .allow_capability(posture::capability::Capability::CAP_SYS_ADMIN);
    assert_eq!(
        evaluate(&report("podman-cap-sys-admin"), &p)
            .check(CapabilitiesDropped)
            .unwrap()
            .status,
        Status::Pass
    );
}

#[test]
fn builder_actions_and_overrides() {
    let r = report("docker-default");
    let p = Policy::preset(Preset::Checklist)
        .ignore(NonRoot)
        .warn(CapabilitiesDropped)
        .require(Seccomp);
    let a = evaluate(&r, &p);
    assert!(
        a.check(NonRoot).is_none(),
        "ignored checks are not evaluated"
    );
    assert!(!a.check(CapabilitiesDropped).unwrap().required);
    assert!(a.check(Seccomp).unwrap().required);
    // Remaining required checks pass on docker-default.
    assert_eq!(
        a.verdict,
        Verdict::Pass,
        "{:?}",
        a.blocking().map(|c| c.id).collect::<Vec<_>>()
    );

    let o = Policy::preset(Preset::Checklist)
        .override_check(NonRoot, "TICKET-1 legacy image")
        .override_check(CapabilitiesDropped, "TICKET-2");
    let a = evaluate(&r, &o);
    let nr = a.check(NonRoot).unwrap();
    assert_eq!(
        nr.status,
        Status::Fail,
        "an override changes the consequence, not the fact"
    );
    assert_eq!(nr.overridden.as_deref(), Some("TICKET-1 legacy image"));
    assert!(!nr.required);
    assert_eq!(a.verdict, Verdict::Pass);
    assert_eq!(a.overrides.len(), 2);
    // Only the named checks are downgraded.
    assert!(a.check(NotPrivileged).unwrap().required);
}

#[test]
fn policy_documents() {
    let toml = r#"
extends = "pss-restricted"
name = "payments"
allow_capabilities = ["NET_BIND_SERVICE", "CAP_CHOWN"]
accept_unknown = ["mac_enforced"]

[checks]
read_only_rootfs = "require"
mac_enforced = "require"

[overrides]
userns_remap = "TICKET-9"
"#;
    let p = document::parse(toml, false, "payments.toml").unwrap();
    assert_eq!(p.name(), "payments");
    assert_eq!(p.action(ReadOnlyRootfs), Action::Require);
    assert_eq!(
        p.action(NonRoot),
        Action::Require,
        "inherited from pss-restricted"
    );
    assert!(p.accepts_unknown(MacEnforced));
    assert!(
        p.allowed_capabilities()
            .contains(posture::capability::Capability::CAP_CHOWN)
    );
    assert_eq!(
        p.overrides().get(&UsernsRemap).map(String::as_str),
        Some("TICKET-9")
    );

    let json = r#"{"extends": "strict", "checks": {"mac_enforced": "warn"}}"#;
    let j = document::parse(json, true, "p.json").unwrap();
    assert_eq!(j.action(MacEnforced), Action::Warn);
    assert_eq!(j.action(Seccomp), Action::Require);

    let bad = |text: &str, json: bool| document::parse(text, json, "bad").unwrap_err().to_string();
    let e = bad("extends = \"strict\"\n\nfrobnicate = 1\n", false);
    assert!(e.contains("frobnicate") && e.starts_with("bad:3:"), "{e}");
    let e = bad(
        "[checks]\nnon_root = \"require\"\nnot_a_check = \"warn\"\n",
        false,
    );
    assert!(e.contains("not_a_check") && e.starts_with("bad:3:"), "{e}");
    let e = bad("[checks]\nnon_root = \"sometimes\"\n", false);
    assert!(e.contains("sometimes") && e.starts_with("bad:2:"), "{e}");
    let e = bad("allow_capabilities = [\"CAP_FLY\"]\n", false);
    assert!(e.contains("CAP_FLY") && e.starts_with("bad:1:"), "{e}");
    let e = bad("extends = \"lenient\"\n", false);
    assert!(e.contains("lenient"), "{e}");
    let e = bad("[overrides]\nnon_root = \"\"\n", false);
    assert!(e.contains("reason"), "{e}");
    let e = bad(
        "{\n  \"checks\": {\n    \"seccomp\": \"require\",\n    \"nope\": 1\n  }\n}",
        true,
    );
    assert!(e.contains("bad:4:"), "{e}");
    let e = bad("extends = ", false);
    assert!(e.starts_with("bad:1:"), "{e}");

    // By name or path.
    assert_eq!(
        Policy::from_name_or_path("pss-baseline").unwrap().name(),
        "pss-baseline"
    );
    let path = std::env::temp_dir().join(format!("posture-policy-{}.toml", std::process::id()));
    std::fs::write(&path, toml).unwrap();
    assert_eq!(
        Policy::from_name_or_path(path.to_str().unwrap())
            .unwrap()
            .name(),
        "payments"
    );
    std::fs::remove_file(&path).unwrap();
    let e = Policy::from_name_or_path("/nonexistent/policy.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/policy.toml"), "{e}");
    assert!(
        Policy::from_name_or_path("nope")
            .unwrap_err()
            .to_string()
            .contains("checklist")
    );
}

#[cfg(feature = "serde")]
#[test]
fn json_document_shape() {
    let r = report("hardened");
    let a = evaluate(&r, &Policy::default());
    let v: serde_json::Value =
        serde_json::to_value(posture::Document::new(&r).with_assessment(&a)).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["assessment"]["policy"], "checklist");
    assert_eq!(v["assessment"]["verdict"], "pass");
    let checks = v["assessment"]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), CheckId::ALL.len());
    for c in checks {
        for key in [
            "id",
            "status",
            "severity",
            "required",
            "evidence",
            "remediation",
        ] {
            assert!(c.get(key).is_some(), "check lacks {key}: {c}");
        }
    }
    assert_eq!(checks[0]["id"], "non_root");
    assert_eq!(checks[0]["severity"], "must");
    assert_eq!(
        v["report"]["capabilities"]["bounding"]["known"]["names"][0],
        "CAP_NET_BIND_SERVICE"
    );
    assert!(v["report"]["securebits"]["unknown"]["reason"].is_string());
    let plain: serde_json::Value = serde_json::to_value(posture::Document::new(&r)).unwrap();
    assert!(plain.get("assessment").is_none());
}

//! Probe stage (parse -> probe -> Report -> policy -> render): the process
//! itself. `/proc/self/status` (ids, capability sets, seccomp,
//! no_new_privs), the other threads' status files, and what only the live
//! process can ask the kernel (securebits, `getresuid`, `PR_GET_NO_NEW_PRIVS`,
//! `statfs` of `/proc`). I/O only through [`Root`] and [`Session`].

use std::path::Path;

use super::{field, show};
use crate::fact::{Fact, Unknown};
use crate::parse::ParseError;
use crate::parse::capability::CapSet;
use crate::parse::ns;
use crate::parse::status::{Field, Status};
use crate::report::{
    Capabilities, Identity, Ids, Kernel, NnpSource, NoNewPrivs, ProcTrust, Seccomp, Securebits,
    ThreadDiff, Threads,
};
use crate::root::{self, KernelView, Root, RootKind, Session};

/// Reads and parses `/proc/self/status` (`path`), the input of most of the
/// process's facts.
pub(super) fn read_status(io: &Session, path: &Path) -> Result<Status, Unknown> {
    let mut buf = Vec::with_capacity(4096);
    io.read_into(path, root::STATUS_LIMIT, &mut buf)
        .map_err(|e| Unknown::read(path, &e))
        .and_then(|truncated| {
            if truncated {
                Err(Unknown::file(path, "larger than the read bound"))
            } else {
                Ok(Status::parse_bytes(&buf))
            }
        })
}

/// The main thread's seccomp mode and filter count, from status.
pub(super) fn seccomp(path: &Path, status: &Result<Status, Unknown>) -> Seccomp {
    match status {
        Ok(s) => Seccomp {
            mode: field(path, &s.seccomp, "Seccomp"),
            filters: field(path, &s.seccomp_filters, "Seccomp_filters"),
        },
        Err(u) => Seccomp {
            mode: Fact::Unknown(u.clone()),
            filters: Fact::Unknown(u.clone()),
        },
    }
}

/// Live root: holds `/proc/self/status` against what the kernel answers
/// directly ([`KernelView`]). The calling thread's own status is what the
/// kernel's per-thread answers describe: the main status when the caller is
/// the main thread, else `task/<tid>/status`. Every line the kernel
/// contradicts is made [`ParseError::Contradicted`] in the main status too
/// (so every fact drawn from it is unknown, naming why), and recorded as a
/// finding of the session (so `proc_trust` says `/proc` disagrees). A
/// status whose `Pid:`/`Tgid:` is not this process's is another process's
/// file: all of it is unknown.
pub(super) fn cross_check(
    io: &Session,
    path: &Path,
    status: &mut Result<Status, Unknown>,
    kv: &KernelView,
) {
    let Ok(main) = status else { return };
    let pid_line = |key: &'static str, f: &Field<u32>, want: u32| match f {
        Field::Value(v) if *v != want => Some(ParseError::Contradicted {
            key,
            said: v.to_string(),
            call: if key == "Pid" && want == kv.tid && kv.tid != kv.pid {
                "gettid(2)"
            } else {
                "getpid(2)"
            },
            kernel: want.to_string(),
        }),
        _ => None,
    };
    if let Some(e) =
        pid_line("Tgid", &main.tgid, kv.pid).or_else(|| pid_line("Pid", &main.pid, kv.pid))
    {
        io.contradiction(format!("{}: {e}", show(path)));
        *status = Err(Unknown::file(path, e.to_string()));
        return;
    }
    // The calling thread's own status, when it is not the main thread.
    let thread_path;
    let thread_status;
    let (t, t_path): (&Status, &Path) = if kv.tid == kv.pid {
        (main, path)
    } else {
        thread_path = io
            .root()
            .proc_self_tasks()
            .join(kv.tid.to_string())
            .join("status");
        let mut buf = Vec::new();
        match io.read_into(&thread_path, root::STATUS_LIMIT, &mut buf) {
            Ok(false) => {
                thread_status = Status::parse_bytes(&buf);
                if let Some(e) = pid_line("Pid", &thread_status.pid, kv.tid)
                    .or_else(|| pid_line("Tgid", &thread_status.tgid, kv.pid))
                {
                    io.contradiction(format!("{}: {e}", show(&thread_path)));
                    *status = Err(Unknown::file(path, e.to_string()));
                    return;
                }
                (&thread_status, &thread_path)
            }
            // Unreadable: the main status's lines stay as read (the thread
            // list reports the thread as unreadable).
            _ => return,
        }
    };
    let mut bad: Vec<(&'static str, ParseError)> = Vec::new();
    let ids3 = |v: &[u32; 4]| format!("{} {} {}", v[0], v[1], v[2]);
    let k3 = |v: &[u32; 3]| format!("{} {} {}", v[0], v[1], v[2]);
    for (key, line, answer, call) in [
        ("Uid", &t.uid, &kv.uid, "getresuid(2)"),
        ("Gid", &t.gid, &kv.gid, "getresgid(2)"),
    ] {
        if let (Field::Value(v), Ok(k)) = (line, answer)
            && v[..3] != k[..]
        {
            bad.push((
                key,
                ParseError::Contradicted {
                    key,
                    said: ids3(v),
                    call,
                    kernel: k3(k),
                },
            ));
        }
    }
    if let (Field::Value(v), Ok(k)) = (&t.no_new_privs, &kv.no_new_privs)
        && v != k
    {
        bad.push((
            "NoNewPrivs",
            ParseError::Contradicted {
                key: "NoNewPrivs",
                said: u8::from(*v).to_string(),
                call: "prctl(PR_GET_NO_NEW_PRIVS)",
                kernel: u8::from(*k).to_string(),
            },
        ));
    }
    let mut cap = |key: &'static str, line: &Field<u64>, answer: Result<u64, _>, call| {
        if let (Field::Value(v), Ok(k)) = (line, answer)
            && *v != k
        {
            bad.push((
                key,
                ParseError::Contradicted {
                    key,
                    said: format!("{v:016x}"),
                    call,
                    kernel: format!("{k:016x}"),
                },
            ));
        }
    };
    let caps = kv.caps;
    cap("CapEff", &t.cap_eff, caps.map(|c| c[0]), "capget(2)");
    cap("CapPrm", &t.cap_prm, caps.map(|c| c[1]), "capget(2)");
    cap("CapInh", &t.cap_inh, caps.map(|c| c[2]), "capget(2)");
    cap("CapBnd", &t.cap_bnd, kv.bounding, "prctl(PR_CAPBSET_READ)");
    cap(
        "CapAmb",
        &t.cap_amb,
        kv.ambient,
        "prctl(PR_CAP_AMBIENT_IS_SET)",
    );
    if bad.is_empty() {
        return;
    }
    let Ok(main) = status else { return };
    for (key, e) in bad {
        io.contradiction(format!("{}: {e}", show(t_path)));
        match key {
            "Uid" => main.uid = Field::Malformed(e),
            "Gid" => main.gid = Field::Malformed(e),
            "NoNewPrivs" => main.no_new_privs = Field::Malformed(e),
            "CapEff" => main.cap_eff = Field::Malformed(e),
            "CapPrm" => main.cap_prm = Field::Malformed(e),
            "CapInh" => main.cap_inh = Field::Malformed(e),
            "CapBnd" => main.cap_bnd = Field::Malformed(e),
            _ => main.cap_amb = Field::Malformed(e),
        }
    }
}

/// Whether `/proc` is this process's procfs: a procfs (`statfs`) at
/// `/proc` and under the files most checks read, with `/proc/self` the
/// directory of `getpid()`, and nothing this pass read from it contradicted
/// by the kernel (the session's findings: files on another mount, status
/// lines against the kernel's direct answers).
pub(super) fn proc_trust(root: &Root, io: &Session, kv: Option<&KernelView>) -> Fact<ProcTrust> {
    if root.kind() == RootKind::Fixture {
        return Fact::Known(ProcTrust::Fixture);
    }
    // /proc itself, and the files whose lines decide most checks: a file
    // bind-mounted over /proc/<pid>/status sits on another filesystem even
    // when /proc is a real procfs.
    for path in [
        root.proc_dir(),
        root.proc_self("status"),
        root.proc_self("mountinfo"),
    ] {
        match root::statfs_type(&path) {
            Ok(root::PROC_SUPER_MAGIC) => {}
            Ok(magic) => {
                return Fact::Known(ProcTrust::NotProcfs {
                    magic: format!("{magic:#x}"),
                });
            }
            Err(e) => return Fact::unknown(format!("statfs({})", show(&path)), e.desc()),
        }
    }
    if let Some(kv) = kv {
        match io.self_is_pid(kv.pid) {
            Ok(true) => {}
            Ok(false) => io.contradiction(format!(
                "{} is not {} (getpid(2) answers {}): a procfs of another pid namespace",
                show(&root.proc_self_tasks().with_file_name("")),
                show(&root.path(&format!("proc/{}", kv.pid))),
                kv.pid
            )),
            Err(e) => io.contradiction(format!("{e}")),
        }
    }
    let findings = io.findings();
    if !findings.is_empty() {
        return Fact::Known(ProcTrust::Disagrees { findings });
    }
    Fact::Known(ProcTrust::Procfs)
}

pub(super) fn identity(root: &Root, path: &Path, status: &Result<Status, Unknown>) -> Identity {
    let s = match status {
        Ok(s) => s,
        Err(u) => {
            return Identity {
                uid: Fact::Unknown(u.clone()),
                gid: Fact::Unknown(u.clone()),
                groups: Fact::Unknown(u.clone()),
                source: show(path),
            };
        }
    };
    let uid = field(path, &s.uid, "Uid").map(Ids::from_status);
    let gid = field(path, &s.gid, "Gid").map(Ids::from_status);
    let groups = field(path, &s.groups, "Groups");
    // gVisor and some sandboxes omit the id lines; for the live process the
    // kernel still answers getresuid(2). The fs id is then not known.
    if root.kind() == RootKind::Live
        && matches!(s.uid, Field::Missing)
        && matches!(s.gid, Field::Missing)
    {
        // The syscalls do not report the filesystem id.
        let ids = |real, effective, saved| Ids {
            real,
            effective,
            saved,
            filesystem: None,
        };
        let uid = root::resuid()
            .map(|[r, e, s]| ids(r, e, s))
            .map_err(|e| Unknown::new("getresuid(2)", e.desc()));
        let gid = root::resgid()
            .map(|[r, e, s]| ids(r, e, s))
            .map_err(|e| Unknown::new("getresgid(2)", e.desc()));
        let groups = match groups {
            Fact::Known(g) => Fact::Known(g),
            Fact::Unknown(_) => root::groups()
                .map_err(|e| Unknown::new("getgroups(2)", e.desc()))
                .into(),
        };
        return Identity {
            uid: uid.into(),
            gid: gid.into(),
            groups,
            source: "getresuid(2), getresgid(2) (status has no Uid/Gid lines)".into(),
        };
    }
    Identity {
        uid,
        gid,
        groups,
        source: show(path),
    }
}

pub(super) fn capabilities(
    path: &Path,
    status: &Result<Status, Unknown>,
    kernel: &Kernel,
) -> Capabilities {
    let set = |f: fn(&Status) -> &Field<u64>, line: &str| -> Fact<CapSet> {
        match status {
            Ok(s) => field(path, f(s), line).map(CapSet::from_mask),
            Err(u) => Fact::Unknown(u.clone()),
        }
    };
    // Before Linux 4.3 the ambient set does not exist (no `CapAmb:` line):
    // it is empty, not unknown.
    let pre_ambient = kernel
        .release
        .known()
        .and_then(|r| ns::parse_kernel_version(r))
        .is_some_and(|k| k < (4, 3));
    let ambient = match status {
        Ok(s) if pre_ambient && matches!(s.cap_amb, Field::Missing) => {
            Fact::Known(CapSet::from_mask(0))
        }
        _ => set(|s| &s.cap_amb, "CapAmb"),
    };
    Capabilities {
        effective: set(|s| &s.cap_eff, "CapEff"),
        permitted: set(|s| &s.cap_prm, "CapPrm"),
        inheritable: set(|s| &s.cap_inh, "CapInh"),
        bounding: set(|s| &s.cap_bnd, "CapBnd"),
        ambient,
        full_set: kernel.cap_last_cap.clone().map(CapSet::full),
        source: show(path),
    }
}

pub(super) fn securebits(root: &Root) -> Fact<Securebits> {
    if root.kind() == RootKind::Fixture {
        return Fact::unknown(
            "prctl(PR_GET_SECUREBITS)",
            "securebits are not in procfs; only the live process can ask for its own",
        );
    }
    match root::secure_bits() {
        Ok(b) => Fact::Known(Securebits::from_bits(b)),
        Err(e) => Fact::unknown("prctl(PR_GET_SECUREBITS)", e.to_string()),
    }
}

pub(super) fn no_new_privs(
    root: &Root,
    path: &Path,
    status: &Result<Status, Unknown>,
) -> Fact<NoNewPrivs> {
    let from_status = match status {
        Ok(s) => field(path, &s.no_new_privs, "NoNewPrivs"),
        Err(u) => Fact::Unknown(u.clone()),
    };
    match from_status {
        Fact::Known(enabled) => Fact::Known(NoNewPrivs {
            enabled,
            source: NnpSource::Status,
        }),
        // The prctl answer is the authority where status lacks the line
        // (kernels before 4.10, gVisor) — for the live process only.
        Fact::Unknown(u) if root.kind() == RootKind::Live => match root::no_new_privs() {
            Ok(enabled) => Fact::Known(NoNewPrivs {
                enabled,
                source: NnpSource::Prctl,
            }),
            Err(e) => Fact::unknown(
                "prctl(PR_GET_NO_NEW_PRIVS)",
                format!("{}; and {}: {}", e.desc(), u.source, u.reason),
            ),
        },
        Fact::Unknown(u) => Fact::Unknown(u),
    }
}

pub(super) fn read_threads(io: &Session, main: &Status) -> Fact<Threads> {
    let root = io.root();
    let dir = root.proc_self_tasks();
    let main_tid = main.tgid.value().copied();
    let mut unreadable = Vec::new();
    // The other threads' ids: none for a single-threaded process, so no
    // allocation then.
    let mut others: Vec<u32> = Vec::new();
    let (count, truncated) =
        match io.scan_dir(&dir, root::TASK_LIMIT, |name| match name.parse::<u32>() {
            Ok(tid) if Some(tid) == main_tid => {}
            Ok(tid) => others.push(tid),
            Err(_) => unreadable.push(format!("{name}: not a thread id")),
        }) {
            Ok(v) => v,
            Err(e) => return Fact::Unknown(Unknown::read(&dir, &e)),
        };
    unreadable.sort();
    others.sort_unstable();
    let mut t = Threads {
        count,
        differing: Vec::new(),
        unreadable,
        exited: 0,
        truncated,
    };
    let mut buf = Vec::new();
    for tid in others {
        let mut path = dir.join(tid.to_string());
        path.push("status");
        match io.read_into(&path, root::STATUS_LIMIT, &mut buf) {
            Ok(false) => {}
            Ok(true) => {
                t.unreadable
                    .push(format!("{tid}: status larger than the read bound"));
                continue;
            }
            Err(e) if matches!(e.errno(), Some(2) | Some(3)) => {
                t.exited += 1;
                continue;
            }
            Err(e) => {
                t.unreadable.push(format!("{tid}: {e}"));
                continue;
            }
        }
        let s = Status::parse_bytes(&buf);
        match diff(tid, main, &s) {
            Ok(Some(d)) => t.differing.push(d),
            Ok(None) => {}
            Err(why) => t.unreadable.push(format!("{tid}: {why}")),
        }
    }
    Fact::Known(t)
}

fn diff(tid: u32, main: &Status, s: &Status) -> Result<Option<ThreadDiff>, ParseError> {
    fn cmp<T: Clone + PartialEq>(
        name: &'static str,
        main: &Field<T>,
        t: &Field<T>,
    ) -> Result<Option<T>, ParseError> {
        match (main, t) {
            (Field::Value(a), Field::Value(b)) => Ok((a != b).then(|| b.clone())),
            (Field::Missing, Field::Missing) => Ok(None),
            (_, Field::Malformed(m)) => Err(m.clone()),
            (_, Field::Missing) => Err(ParseError::MissingLine(name)),
            (_, Field::Value(b)) => Ok(Some(b.clone())),
        }
    }
    let cap =
        |name, a: &Field<u64>, b: &Field<u64>| cmp(name, a, b).map(|o| o.map(CapSet::from_mask));
    let d = ThreadDiff {
        tid,
        seccomp: cmp("Seccomp", &main.seccomp, &s.seccomp)?,
        no_new_privs: cmp("NoNewPrivs", &main.no_new_privs, &s.no_new_privs)?,
        effective: cap("CapEff", &main.cap_eff, &s.cap_eff)?,
        permitted: cap("CapPrm", &main.cap_prm, &s.cap_prm)?,
        bounding: cap("CapBnd", &main.cap_bnd, &s.cap_bnd)?,
        ambient: cap("CapAmb", &main.cap_amb, &s.cap_amb)?,
        inheritable: cap("CapInh", &main.cap_inh, &s.cap_inh)?,
        uid: cmp("Uid", &main.uid, &s.uid)?,
    };
    let same = d.seccomp.is_none()
        && d.no_new_privs.is_none()
        && d.effective.is_none()
        && d.permitted.is_none()
        && d.bounding.is_none()
        && d.ambient.is_none()
        && d.inheritable.is_none()
        && d.uid.is_none();
    Ok((!same).then_some(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::root::Errno;

    fn fixture(name: &str) -> Root {
        Root::fixture(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
    }

    /// What the kernel would answer for the `hardened` capture (uid 1000,
    /// only CAP_NET_BIND_SERVICE, no_new_privs on), for process 1.
    fn agreeing() -> KernelView {
        KernelView {
            pid: 1,
            tid: 1,
            uid: Ok([1000; 3]),
            gid: Ok([1000; 3]),
            no_new_privs: Ok(true),
            caps: Ok([0x400; 3]),
            bounding: Ok(0x400),
            ambient: Ok(0x400),
        }
    }

    fn checked(kv: &KernelView) -> (Result<Status, Unknown>, Vec<String>) {
        let root = fixture("hardened");
        let io = root.session();
        let path = root.proc_self("status");
        let mut status = read_status(&io, &path);
        cross_check(&io, &path, &mut status, kv);
        (status, io.findings())
    }

    #[test]
    fn a_status_that_agrees_with_the_kernel_is_kept_whole() {
        let (status, findings) = checked(&agreeing());
        assert!(findings.is_empty(), "{findings:?}");
        let s = status.unwrap();
        assert_eq!(s.uid, Field::Value([1000; 4]));
        assert_eq!(s.cap_eff, Field::Value(0x400));
    }

    #[test]
    fn every_line_the_kernel_contradicts_becomes_unknown() {
        // The process is really root with every capability and no
        // no_new_privs; the status file says otherwise (a bound file from a
        // confined process, on a kernel that does not report mount ids).
        let kv = KernelView {
            uid: Ok([0; 3]),
            no_new_privs: Ok(false),
            caps: Ok([0x1ff_ffff_ffff, 0x1ff_ffff_ffff, 0]),
            bounding: Ok(0x1ff_ffff_ffff),
            ..agreeing()
        };
        let (status, findings) = checked(&kv);
        let s = status.unwrap();
        for (name, bad) in [
            ("Uid", matches!(s.uid, Field::Malformed(_))),
            ("NoNewPrivs", matches!(s.no_new_privs, Field::Malformed(_))),
            ("CapEff", matches!(s.cap_eff, Field::Malformed(_))),
            ("CapPrm", matches!(s.cap_prm, Field::Malformed(_))),
            ("CapInh", matches!(s.cap_inh, Field::Malformed(_))),
            ("CapBnd", matches!(s.cap_bnd, Field::Malformed(_))),
        ] {
            assert!(bad, "{name} kept");
        }
        // What the kernel confirms stays.
        assert_eq!(s.gid, Field::Value([1000; 4]));
        assert_eq!(s.cap_amb, Field::Value(0x400));
        assert_eq!(findings.len(), 6, "{findings:?}");
        assert!(
            findings
                .iter()
                .any(|f| f.contains("Uid line says 1000 1000 1000")
                    && f.contains("getresuid(2) answers 0 0 0")),
            "{findings:?}"
        );
        let ids = identity(&fixture("hardened"), Path::new("status"), &Ok(s));
        assert!(ids.uid.known().is_none());
    }

    #[test]
    fn another_process_status_is_unknown_whole() {
        let kv = KernelView {
            pid: 4242,
            tid: 4242,
            ..agreeing()
        };
        let (status, findings) = checked(&kv);
        let u = status.unwrap_err();
        assert!(u.reason.contains("getpid(2) answers 4242"), "{u:?}");
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn a_kernel_that_cannot_answer_contradicts_nothing() {
        let kv = KernelView {
            uid: Err(Errno::EPERM),
            caps: Err(Errno::EPERM),
            bounding: Err(Errno::EPERM),
            ambient: Err(Errno::EINVAL),
            no_new_privs: Err(Errno::EINVAL),
            ..agreeing()
        };
        let (status, findings) = checked(&kv);
        assert!(findings.is_empty());
        assert_eq!(status.unwrap().uid, Field::Value([1000; 4]));
    }
}

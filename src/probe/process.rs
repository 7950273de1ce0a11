//! Probe stage (parse -> probe -> Report -> policy -> render): the process
//! itself. `/proc/self/status` (ids, capability sets, seccomp,
//! no_new_privs), the other threads' status files, and what only the live
//! process can ask the kernel (securebits, `getresuid`, `PR_GET_NO_NEW_PRIVS`,
//! `statfs` of `/proc`). I/O only through [`Root`] and [`Session`].

use std::path::Path;

use super::{field, show};
use crate::capability::CapSet;
use crate::fact::{Fact, Unknown};
use crate::ns;
use crate::parse::ParseError;
use crate::report::{
    Capabilities, Identity, Ids, Kernel, NnpSource, NoNewPrivs, ProcTrust, Seccomp, Securebits,
    ThreadDiff, Threads,
};
use crate::root::{self, Root, RootKind, Session};
use crate::status::{Field, Status};

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

pub(super) fn proc_trust(root: &Root) -> Fact<ProcTrust> {
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

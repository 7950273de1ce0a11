//! Probe stage (parse -> probe -> Report -> policy -> render): cgroups.
//! `/proc/self/cgroup` and the memory, pids and CPU limits along the chain of
//! cgroups from this process's up to the top of its view, found through the
//! mount table ([`crate::parse::cgroup`] parses and walks; this reads), with how far
//! up each was read ([`LimitScope`]). No judgement: a `max` up to a top that
//! is not the real root is reported as such, with its scope. I/O only
//! through [`Session`].

use super::{parse_small, show};
use crate::fact::{Fact, Unknown};
use crate::parse::ParseError;
use crate::parse::cgroup::{self, Limit, LimitFiles, LimitKind, LimitScope};
use crate::parse::mountinfo::Mount;
use crate::report::Cgroups;
use crate::root::{self, Session};

pub(super) fn read_cgroups(
    io: &Session,
    table: Result<&[Mount], &Unknown>,
    cgroup_ns_initial: Option<bool>,
) -> Fact<Cgroups> {
    let root = io.root();
    let path = root.proc_self("cgroup");
    let lines = match parse_small(io, &path, |t| {
        cgroup::parse_proc_cgroup(t).map_err(|w| Unknown::file(&path, w))
    }) {
        Ok(l) => l,
        Err(u) => return Fact::Unknown(u),
    };
    // One limit, and how far up it was read.
    let limit = |kind: LimitKind| -> (Fact<Limit>, Option<LimitScope>) {
        let table = match table {
            Ok(t) => t,
            Err(u) => return (Fact::Unknown(u.clone()), None),
        };
        let chain = match cgroup::limit_chain(&lines, table, kind) {
            Ok(c) => c,
            Err(w) => return (Fact::unknown(show(&path), w), None),
        };
        let scope = LimitScope::new(&chain.top, cgroup_ns_initial);
        // The kernel gives the real root cgroup no limit files (memory.max,
        // pids.max, cpu.max, v1 pids.max): there is no limit there to read.
        // The view's top is the real root only in the host's own cgroup
        // namespace with the hierarchy mounted from its root; in a private
        // namespace "/" is the container's own cgroup, which has them.
        let top_is_real_root = scope.real_root == Some(true);
        let last = chain.levels.len() - 1;
        // One level's limit. `Ok(None)`: no file, which at the real root
        // means no limit, and at an ancestor means that level does not use
        // the controller (its children are limited, if at all, above it).
        let level = |files: &LimitFiles, missing_ok: bool| -> Result<Option<Limit>, Unknown> {
            let read = |p: &str| -> Result<Option<(String, std::path::PathBuf)>, Unknown> {
                let full = root.path(p);
                match io.read_text(&full, root::SMALL_FILE_LIMIT) {
                    Ok(t) => Ok(Some((t, full))),
                    Err(e) if missing_ok && e.errno() == Some(2) => Ok(None),
                    Err(e) => Err(Unknown::read(&full, &e)),
                }
            };
            // One file parsed in place (no copy of its text).
            let parse = |p: &str, f: fn(&str) -> Result<Limit, ParseError>| {
                let full = root.path(p);
                match io.with_text(&full, root::SMALL_FILE_LIMIT, f) {
                    Ok(r) => r.map(Some).map_err(|w| Unknown::file(&full, w)),
                    Err(e) if missing_ok && e.errno() == Some(2) => Ok(None),
                    Err(e) => Err(Unknown::read(&full, &e)),
                }
            };
            match (files, kind) {
                (LimitFiles::V2(p), LimitKind::Cpu) => parse(p, cgroup::parse_cpu_max),
                (LimitFiles::V1(q, Some(per)), LimitKind::Cpu) => {
                    read(q).and_then(|qo| match (qo, read(per)?) {
                        (Some((qt, qf)), Some((pt, _))) => cgroup::parse_cpu_v1(&qt, &pt)
                            .map(Some)
                            .map_err(|w| Unknown::file(&qf, w)),
                        _ => Ok(None),
                    })
                }
                (LimitFiles::V2(p) | LimitFiles::V1(p, _), _) => parse(p, cgroup::parse_limit),
            }
        };
        // The effective limit is the tightest along the chain.
        let mut best: Option<Limit> = None;
        for (i, files) in chain.levels.iter().enumerate() {
            let missing_ok = i > 0 || (top_is_real_root && i == last);
            match level(files, missing_ok) {
                Ok(Some(l)) if l.is_limited() => {
                    best = Some(match best {
                        Some(b) if b.tighter_than(l) => b,
                        _ => l,
                    })
                }
                Ok(_) => {}
                // A limit already found stands; a level that cannot be read
                // can only make it tighter.
                Err(_) if best.is_some() => break,
                Err(u) => return (Fact::Unknown(u), Some(scope)),
            }
        }
        // No limit on any cgroup read, up to the top of the view. Whether
        // something above that top may still limit the process is the
        // scope's to say and the policy's to judge: runtimes put a
        // container's limits on its own cgroup, which is that top.
        (Fact::Known(best.unwrap_or(Limit::Unlimited)), Some(scope))
    };
    let (memory, memory_scope) = limit(LimitKind::Memory);
    let (pids, pids_scope) = limit(LimitKind::Pids);
    let (cpu, cpu_scope) = limit(LimitKind::Cpu);
    Fact::Known(Cgroups {
        version: cgroup::version(&lines),
        memory,
        pids,
        cpu,
        memory_scope,
        pids_scope,
        cpu_scope,
        membership: lines,
    })
}

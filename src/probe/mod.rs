//! Probe stage (parse -> probe -> Report -> policy -> render): `&Root ->
//! Report`, run by [`crate::posture`] and [`crate::posture_with_root`].
//! `collect` reads every file once, in a fixed order, through one `Session`
//! of the [`Root`], hands the text to the parsers and assembles the
//! [`Report`]. One file per area reads its section: `process` (status, ids,
//! capabilities, securebits, no_new_privs, threads, seccomp, whether `/proc`
//! is procfs), `namespaces` (namespace links, the user namespace and its id
//! maps, the host-network reads), [`mounts`] (the mount table, its analysis,
//! the runtime-socket search), `lsm`, `cgroups` (the limits), `runtime` (what
//! runtime detection needs) and `devices`.
//!
//! I/O only through [`Root`] and its `Session`: no file here opens a file or
//! names a syscall crate itself. A probe that cannot read or parse its input
//! says [`Fact::Unknown`]; none aborts the others. No judgement is made here:
//! the policy stage reads the report.

mod cgroups;
mod devices;
mod lsm;
mod mounts;
mod namespaces;
mod process;
mod runtime;

use std::path::Path;

use crate::fact::{Fact, Unknown};
use crate::parse::mountinfo::Mount;
use crate::parse::ns::{self, NsType};
use crate::parse::status::Field;
use crate::report::{Kernel, Origin, Report};
use crate::root::{self, Root, Session};

pub(super) fn show(p: &Path) -> String {
    p.display().to_string()
}

/// [`show`] for a path no longer needed: reuses its buffer when it is UTF-8.
pub(super) fn into_shown(p: std::path::PathBuf) -> String {
    p.into_os_string()
        .into_string()
        .unwrap_or_else(|p| p.to_string_lossy().into_owned())
}

pub(super) fn field<T: Clone>(path: &Path, f: &Field<T>, line: &str) -> Fact<T> {
    match f {
        Field::Value(v) => Fact::Known(v.clone()),
        Field::Missing => Fact::unknown(show(path), format!("no {line}: line")),
        Field::Malformed(why) => Fact::unknown(show(path), why.to_string()),
    }
}

/// Reads what every probe needs once, then assembles the report.
pub(crate) fn collect(root: &Root) -> Report {
    let session = root.session();
    let io = &session;
    let status_path = root.proc_self("status");
    let mut status = process::read_status(io, &status_path);
    // What the kernel answers directly, to hold /proc against (live only).
    let kernel_view = (root.kind() == root::RootKind::Live).then(root::kernel_view);
    if let Some(kv) = &kernel_view {
        process::cross_check(io, &status_path, &mut status, kv);
    }

    let kernel = read_kernel(io);
    let version = kernel
        .release
        .known()
        .and_then(|r| ns::parse_kernel_version(r));
    let mut namespaces = namespaces::read_namespaces(io, version);
    let network = namespaces::read_network(io, &mut namespaces, version);
    let mounts = mounts::read(io);
    let mount_list: Result<&[Mount], &Unknown> = match &mounts {
        Fact::Known(m) => Ok(&m.table),
        Fact::Unknown(u) => Err(u),
    };

    let identity = process::identity(root, &status_path, &status);
    let capabilities = process::capabilities(&status_path, &status, &kernel);
    let seccomp = process::seccomp(&status_path, &status);
    let no_new_privs = process::no_new_privs(root, &status_path, &status);
    let threads = match &status {
        Ok(s) => process::read_threads(io, s),
        Err(u) => Fact::Unknown(u.clone()),
    };
    let user_namespace = namespaces::user_namespace(io, &namespaces, &identity);
    let lsm = lsm::read_lsm(io);
    let cgroup_ns_initial = namespaces
        .iter()
        .find(|n| n.ns_type == NsType::Cgroup)
        .and_then(|n| n.initial.known().copied());
    let cgroups = cgroups::read_cgroups(io, mount_list, cgroup_ns_initial);
    let runtime =
        runtime::read_runtime(io, &status, mount_list.ok(), &cgroups, &kernel, &namespaces);
    let devices = devices::read_devices(io);
    let token = root.path("var/run/secrets/kubernetes.io/serviceaccount/token");
    let service_account_token = io
        .exists(&token)
        .map_err(|e| Unknown::read(&token, &e))
        .into();

    // Last: every read of the pass has added its findings.
    let proc_trust = process::proc_trust(root, io, kernel_view.as_ref());
    Report {
        origin: Origin {
            kind: root.kind(),
            root: show(root.base()),
        },
        proc_trust,
        kernel,
        identity,
        capabilities,
        securebits: process::securebits(root),
        seccomp,
        no_new_privs,
        threads,
        user_namespace,
        lsm,
        mounts,
        namespaces,
        network,
        runtime,
        cgroups,
        devices,
        service_account_token,
        syscalls: crate::syscalls::not_run(),
    }
}

/// Reads a small text file and parses it in place (no copy of the text).
pub(super) fn parse_small<T>(
    io: &Session,
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, Unknown>,
) -> Result<T, Unknown> {
    io.with_text(path, root::SMALL_FILE_LIMIT, parse)
        .map_err(|e| Unknown::read(path, &e))
        .and_then(|r| r)
}

fn read_kernel(io: &Session) -> Kernel {
    let root = io.root();
    let rel = root.proc_sys("kernel/osrelease");
    let last = root.proc_sys("kernel/cap_last_cap");
    Kernel {
        release: parse_small(io, &rel, |s| Ok(s.trim().to_string())).into(),
        cap_last_cap: parse_small(io, &last, |s| {
            s.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n < 64)
                .ok_or_else(|| {
                    Unknown::file(&last, format!("{:?} is not a capability number", s.trim()))
                })
        })
        .into(),
    }
}

//! Probe stage (parse -> probe -> Report -> policy -> render): the inputs
//! of container-runtime detection (`.dockerenv`, `run/.containerenv`, the
//! environments of this process and of pid 1, OpenVZ's `/proc/vz`), handed
//! with facts already read to [`crate::infer::runtime::detect`], which judges. I/O
//! only through [`Session`].

use super::into_shown;
use crate::fact::{Fact, Unknown};
use crate::infer::runtime;
use crate::parse::mountinfo::Mount;
use crate::parse::ns::{self, NsType};
use crate::parse::status::{Field, Status};
use crate::report::Runtime;
use crate::report::{Cgroups, Kernel, Namespace};
use crate::root::{self, Session};

pub(super) fn read_runtime(
    io: &Session,
    status: &Result<Status, Unknown>,
    table: Option<&[Mount]>,
    cgroups: &Fact<Cgroups>,
    kernel: &Kernel,
    namespaces: &[Namespace],
) -> Runtime {
    let root = io.root();
    let dockerenv_path = root.path(".dockerenv");
    let containerenv_path = root.path("run/.containerenv");
    let self_env_path = root.proc_self("environ");
    let init_env_path = root.proc_init("environ");
    let containerenv = io
        .read_text(&containerenv_path, root::SMALL_FILE_LIMIT)
        .ok();
    let self_env = io
        .read_bytes(&self_env_path, root::SMALL_FILE_LIMIT * 4)
        .ok();
    let init_env = io
        .read_bytes(&init_env_path, root::SMALL_FILE_LIMIT * 4)
        .ok();
    let initial = |ty| {
        namespaces
            .iter()
            .find(|n| n.ns_type == ty)
            .and_then(|n| n.initial.known().copied())
    };
    // A container has its own mount namespace (and, but for --pid=host, its
    // own pid namespace). A process in the host's pid and mount namespaces is
    // not in a container, whatever user namespace it has (`unshare -U`).
    let host_namespaces = match (initial(NsType::Pid), initial(NsType::Mnt)) {
        (Some(true), Some(true)) => Some(true),
        (Some(false), _) | (_, Some(false)) => Some(false),
        _ => None,
    };
    let status_is_sparse = status
        .as_ref()
        .is_ok_and(|s| matches!(s.no_new_privs, Field::Missing));
    let ns_inodes_not_linux = {
        let mut inodes = namespaces.iter().filter_map(|n| n.inode.known()).peekable();
        inodes.peek().is_some() && inodes.all(|&i| !ns::is_linux_namespace_inode(i))
    };
    let inputs = runtime::Inputs {
        dockerenv: io.exists(&dockerenv_path).unwrap_or(false),
        containerenv: containerenv.as_deref(),
        self_environ: self_env.as_deref(),
        init_environ: init_env.as_deref(),
        cgroups: cgroups.known().map(|c| c.membership.as_slice()),
        mounts: table,
        osrelease: kernel.release.known().map(String::as_str),
        host_namespaces,
        status_is_sparse,
        ns_inodes_not_linux,
        // OpenVZ's kernel has /proc/vz on the host and in containers, and
        // /proc/bc only on the host (systemd's detect_container rule).
        openvz_container: io.exists(&root.proc_dir().join("vz")).unwrap_or(false)
            && !io.exists(&root.proc_dir().join("bc")).unwrap_or(true),
        paths: runtime::Paths {
            dockerenv: into_shown(dockerenv_path),
            containerenv: into_shown(containerenv_path),
            self_environ: into_shown(self_env_path),
            init_environ: into_shown(init_env_path),
            cgroup: into_shown(root.proc_self("cgroup")),
            mountinfo: into_shown(root.proc_self("mountinfo")),
            osrelease: into_shown(root.proc_sys("kernel/osrelease")),
        },
    };
    runtime::detect(&inputs)
}

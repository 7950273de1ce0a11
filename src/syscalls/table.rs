//! The probe's table: which system calls it makes, why, with which
//! arguments, and what the kernel answers to them; and the plan a child
//! runs.

use crate::report::Syscall;
use crate::sys;

/// What the kernel answers for the arguments the probe passes, and which
/// other answers it may give before validating them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expectation {
    /// The call made, in C notation.
    pub call: &'static str,
    /// The errnos of the kernel's own validation: seeing one means the filter
    /// let the call through.
    pub answers: &'static [i32],
    /// Errnos the kernel may give *before* validating (a capability or sysctl
    /// check), the same a filter would give, with the reason. `ENOSYS` (a
    /// kernel without the call) is always among them and not listed.
    pub kernel_also: &'static [(i32, &'static str)],
    /// The kernel source file read for the order of its checks.
    pub kernel_file: &'static str,
}

const MAY_MOUNT: &str =
    "the kernel checks CAP_SYS_ADMIN over the mount namespace (may_mount) before the arguments";

impl Syscall {
    /// What the kernel answers to the probe's call (see the module table).
    pub fn expectation(self) -> Expectation {
        use sys::abi::{EBADF, EFAULT, EINVAL, ENOENT, ENOEXEC, EOPNOTSUPP, EPERM, ESRCH};
        let e = |call, answers, kernel_also, kernel_file| Expectation {
            call,
            answers,
            kernel_also,
            kernel_file,
        };
        match self {
            Syscall::Unshare => e(
                "unshare(CLONE_NEWUSER|0x1)",
                &[EINVAL],
                &[(
                    EPERM,
                    "Debian's and Ubuntu's kernel.unprivileged_userns_clone=0 refuses CLONE_NEWUSER before the flags are validated",
                )],
                "kernel/fork.c",
            ),
            Syscall::Clone => e(
                "clone(CLONE_NEWUSER|CLONE_FS, 0, 0, 0, 0)",
                &[EINVAL],
                &[],
                "kernel/fork.c",
            ),
            Syscall::Clone3 => e("clone3(NULL, 0)", &[EINVAL], &[], "kernel/fork.c"),
            Syscall::Setns => e("setns(-1, 0)", &[EBADF], &[], "kernel/nsproxy.c"),
            Syscall::Mount => e(
                "mount(\"\", \"\", \"\", 0, NULL)",
                &[ENOENT],
                &[],
                "fs/namespace.c",
            ),
            Syscall::Umount2 => e(
                "umount2(\"\", 0x80000000)",
                &[EINVAL],
                &[],
                "fs/namespace.c",
            ),
            Syscall::PivotRoot => e(
                "pivot_root(\"\", \"\")",
                &[ENOENT],
                &[(EPERM, MAY_MOUNT)],
                "fs/namespace.c",
            ),
            Syscall::Fsopen => e(
                "fsopen(\"\", 0x7fffffff)",
                &[EINVAL],
                &[(EPERM, MAY_MOUNT)],
                "fs/fsopen.c",
            ),
            Syscall::OpenTree => e(
                "open_tree(-1, \"\", 0x80000000)",
                &[EINVAL],
                &[],
                "fs/namespace.c",
            ),
            Syscall::Keyctl => e(
                "keyctl(0x7fffffff, 0, 0, 0, 0)",
                &[EOPNOTSUPP],
                &[],
                "security/keys/keyctl.c",
            ),
            Syscall::AddKey => e(
                "add_key(\"\", NULL, NULL, SIZE_MAX, 0)",
                &[EINVAL],
                &[],
                "security/keys/keyctl.c",
            ),
            Syscall::RequestKey => e(
                "request_key(\"\", \"\", NULL, 0)",
                &[EINVAL],
                &[],
                "security/keys/keyctl.c",
            ),
            Syscall::Bpf => e(
                "bpf(0x7fffffff, NULL, 0)",
                &[EINVAL],
                &[(
                    EPERM,
                    "older kernels check kernel.unprivileged_bpf_disabled first, and an LSM's bpf hook runs before the command is validated",
                )],
                "kernel/bpf/syscall.c",
            ),
            Syscall::PerfEventOpen => e(
                "perf_event_open(NULL, 0, -1, -1, 0)",
                &[EFAULT],
                &[],
                "kernel/events/core.c",
            ),
            Syscall::Userfaultfd => e(
                "userfaultfd(0x7fffffff)",
                &[EINVAL],
                &[(
                    EPERM,
                    "kernels before 5.11 check vm.unprivileged_userfaultfd and CAP_SYS_PTRACE first",
                )],
                "fs/userfaultfd.c",
            ),
            Syscall::IoUringSetup => e(
                "io_uring_setup(0, NULL)",
                &[EFAULT],
                &[(EPERM, "kernel.io_uring_disabled is checked first")],
                "io_uring/io_uring.c",
            ),
            Syscall::Ptrace => e(
                "ptrace(0x7fffffff, 0, 0, 0)",
                &[ESRCH],
                &[],
                "kernel/ptrace.c",
            ),
            Syscall::ProcessVmReadv => e(
                "process_vm_readv(0, NULL, 0, NULL, 0, 1)",
                &[EINVAL],
                &[],
                "mm/process_vm_access.c",
            ),
            Syscall::ProcessVmWritev => e(
                "process_vm_writev(0, NULL, 0, NULL, 0, 1)",
                &[EINVAL],
                &[],
                "mm/process_vm_access.c",
            ),
            Syscall::OpenByHandleAt => e(
                "open_by_handle_at(-1, NULL, 0)",
                &[EBADF, EFAULT],
                &[(
                    EPERM,
                    "older kernels check CAP_DAC_READ_SEARCH before the descriptor",
                )],
                "fs/fhandle.c",
            ),
            Syscall::InitModule => e(
                "init_module(NULL, 0, \"\")",
                &[ENOEXEC],
                &[(
                    EPERM,
                    "the kernel checks CAP_SYS_MODULE and kernel.modules_disabled first",
                )],
                "kernel/module/main.c",
            ),
            Syscall::FinitModule => e(
                "finit_module(-1, \"\", 0x80000000)",
                &[EINVAL],
                &[(
                    EPERM,
                    "the kernel checks CAP_SYS_MODULE and kernel.modules_disabled first",
                )],
                "kernel/module/main.c",
            ),
            Syscall::KexecLoad => e(
                "kexec_load(0, 0, NULL, 0x8000)",
                &[EINVAL],
                &[(
                    EPERM,
                    "the kernel checks CAP_SYS_BOOT, kernel.kexec_load_disabled and lockdown first",
                )],
                "kernel/kexec.c",
            ),
            Syscall::KexecFileLoad => e(
                "kexec_file_load(-1, -1, 0, NULL, 0x40000000)",
                &[EINVAL],
                &[(
                    EPERM,
                    "the kernel checks CAP_SYS_BOOT and kernel.kexec_load_disabled first",
                )],
                "kernel/kexec_file.c",
            ),
            Syscall::Reboot => e(
                "reboot(0, 0, 0, NULL)",
                &[EINVAL],
                &[(
                    EPERM,
                    "the kernel checks CAP_SYS_BOOT before the magic numbers",
                )],
                "kernel/reboot.c",
            ),
            Syscall::Swapon => e(
                "swapon(NULL, 0x40000000)",
                &[EINVAL],
                &[(EPERM, "older kernels check CAP_SYS_ADMIN before the flags")],
                "mm/swapfile.c",
            ),
        }
    }

    /// The raw call on this architecture, or `None` where the probe has no
    /// numbers.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn call(self) -> Option<sys::Call> {
        const NEG1: usize = -1i64 as usize;
        let s = sys::empty();
        let (nr, args, forks): (sys::abi::c_long, [usize; 6], bool) = match self {
            Syscall::Unshare => (
                sys::abi::SYS_unshare,
                [sys::abi::CLONE_NEWUSER as usize | 0x1, 0, 0, 0, 0, 0],
                false,
            ),
            Syscall::Clone => (
                sys::abi::SYS_clone,
                [
                    (sys::abi::CLONE_NEWUSER | sys::abi::CLONE_FS) as usize,
                    0,
                    0,
                    0,
                    0,
                    0,
                ],
                true,
            ),
            Syscall::Clone3 => (sys::abi::SYS_clone3, [0; 6], true),
            Syscall::Setns => (sys::abi::SYS_setns, [NEG1, 0, 0, 0, 0, 0], false),
            Syscall::Mount => (sys::abi::SYS_mount, [s, s, s, 0, 0, 0], false),
            Syscall::Umount2 => (sys::abi::SYS_umount2, [s, 0x8000_0000, 0, 0, 0, 0], false),
            Syscall::PivotRoot => (sys::abi::SYS_pivot_root, [s, s, 0, 0, 0, 0], false),
            Syscall::Fsopen => (sys::abi::SYS_fsopen, [s, 0x7fff_ffff, 0, 0, 0, 0], false),
            Syscall::OpenTree => (
                sys::abi::SYS_open_tree,
                [NEG1, s, 0x8000_0000, 0, 0, 0],
                false,
            ),
            Syscall::Keyctl => (sys::abi::SYS_keyctl, [0x7fff_ffff, 0, 0, 0, 0, 0], false),
            Syscall::AddKey => (sys::abi::SYS_add_key, [s, 0, 0, usize::MAX, 0, 0], false),
            Syscall::RequestKey => (sys::abi::SYS_request_key, [s, s, 0, 0, 0, 0], false),
            Syscall::Bpf => (sys::abi::SYS_bpf, [0x7fff_ffff, 0, 0, 0, 0, 0], false),
            Syscall::PerfEventOpen => (
                sys::abi::SYS_perf_event_open,
                [0, 0, NEG1, NEG1, 0, 0],
                false,
            ),
            Syscall::Userfaultfd => (
                sys::abi::SYS_userfaultfd,
                [0x7fff_ffff, 0, 0, 0, 0, 0],
                false,
            ),
            Syscall::IoUringSetup => (sys::abi::SYS_io_uring_setup, [0; 6], false),
            Syscall::Ptrace => (sys::abi::SYS_ptrace, [0x7fff_ffff, 0, 0, 0, 0, 0], false),
            Syscall::ProcessVmReadv => (sys::abi::SYS_process_vm_readv, [0, 0, 0, 0, 0, 1], false),
            Syscall::ProcessVmWritev => {
                (sys::abi::SYS_process_vm_writev, [0, 0, 0, 0, 0, 1], false)
            }
            Syscall::OpenByHandleAt => (
                sys::abi::SYS_open_by_handle_at,
                [NEG1, 0, 0, 0, 0, 0],
                false,
            ),
            Syscall::InitModule => (sys::abi::SYS_init_module, [0, 0, s, 0, 0, 0], false),
            Syscall::FinitModule => (
                sys::abi::SYS_finit_module,
                [NEG1, s, 0x8000_0000, 0, 0, 0],
                false,
            ),
            Syscall::KexecLoad => (sys::abi::SYS_kexec_load, [0, 0, 0, 0x8000, 0, 0], false),
            Syscall::KexecFileLoad => (
                sys::abi::SYS_kexec_file_load,
                [NEG1, NEG1, 0, 0, 0x4000_0000, 0],
                false,
            ),
            Syscall::Reboot => (sys::abi::SYS_reboot, [0; 6], false),
            Syscall::Swapon => (sys::abi::SYS_swapon, [0, 0x4000_0000, 0, 0, 0, 0], false),
        };
        Some(sys::Call { nr, args, forks })
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    fn call(self) -> Option<sys::Call> {
        None
    }
}

/// The plan a probe runs: every listed call in [`Syscall::ALL`]'s order,
/// then, with `attempt_user_namespace`, the real `unshare(CLONE_NEWUSER)`,
/// and last the kernel's own answer for the seccomp mode
/// (`prctl(PR_GET_SECCOMP)`). On an architecture without numbers it stops
/// at the first call it has none for, shorter than [`Syscall::ALL`], and
/// holds neither extra.
pub(super) fn plan(attempt_user_namespace: bool) -> Vec<sys::Call> {
    let mut plan: Vec<sys::Call> = Vec::with_capacity(Syscall::ALL.len() + 2);
    for sc in Syscall::ALL {
        match sc.call() {
            Some(c) => plan.push(c),
            None => return plan,
        }
    }
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        if attempt_user_namespace {
            plan.push(sys::Call {
                nr: sys::abi::SYS_unshare,
                args: [sys::abi::CLONE_NEWUSER as usize, 0, 0, 0, 0, 0],
                forks: false,
            });
        }
        plan.push(sys::Call {
            nr: sys::abi::SYS_prctl,
            args: [sys::abi::PR_GET_SECCOMP as usize, 0, 0, 0, 0, 0],
            forks: false,
        });
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    let _ = attempt_user_namespace;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_syscall_has_a_call_on_supported_arches() {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            for sc in Syscall::ALL {
                assert!(sc.call().is_some(), "{sc}");
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = Syscall::ALL.iter().map(|s| s.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Syscall::ALL.len());
    }
}

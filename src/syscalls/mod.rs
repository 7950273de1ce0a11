//! Which dangerous system calls this process can reach: an opt-in probe that
//! changes nothing.
//!
//! The `seccomp` check says a filter is installed; it cannot say what the
//! filter blocks (the rules are not visible from inside). [`probe`] finds out
//! by asking: each listed system call is made once, with arguments the kernel
//! rejects **before it does anything**, so the answer comes either from the
//! filter (which runs first, on entry) or from the kernel's own argument
//! validation, and nothing changes:
//!
//! - the errno the kernel's validation gives for those arguments →
//!   [`Outcome::Reachable`]: the filter let the call through;
//! - any other errno → [`Outcome::Blocked`], with [`BlockedBy`] saying
//!   whether filter and kernel can be told apart (some kernels check a
//!   capability or a sysctl *before* validating, and answer `EPERM` just as a
//!   filter would; a kernel built without the call answers `ENOSYS`, as
//!   filters often do);
//! - the child died of a signal (`SECCOMP_RET_KILL_PROCESS`, `KILL_THREAD`,
//!   `TRAP`) → [`Outcome::Killed`];
//! - anything undecidable (no answer in time, an architecture without a
//!   table) → [`Outcome::Unknown`] with the reason.
//!
//! `posture()` never runs it; [`crate::guard()`] does when its policy judges
//! `dangerous_syscalls_blocked`. Attach a probe to a report with
//! [`Report::with_syscalls`](crate::Report::with_syscalls); [`crate::evaluate`] stays a pure function of the
//! report and the policy.
//!
//! ```
//! let probe = posture::syscalls::probe();
//! // Every listed syscall has exactly one outcome.
//! assert_eq!(probe.results.len(), posture::report::Syscall::ALL.len());
//! let report = posture::posture().with_syscalls(probe);
//! assert!(report.syscalls.known().is_some());
//! ```
//!
//! # Safety for the service
//!
//! A filter may kill the caller (`SCMP_ACT_KILL_PROCESS`, `SCMP_ACT_TRAP`).
//! So the calls are made in a child of the calling thread (it inherits that
//! thread's filter, which is the one that matters), which only makes raw
//! system calls, writes one 16-byte record per call to a pipe and exits. A
//! killed child tells which call killed it (the one after its last record);
//! the probe resumes after it in a new child. The child ignores the signals
//! the caller catches (no handler of the caller's runs in it), resets
//! `SIGSYS` to its default action (an inherited handler could resume a
//! trapped call), sets `RLIMIT_CORE` to 0 (no core file from a killed child)
//! and `PR_SET_PDEATHSIG` to `SIGKILL`. Each call has a bound
//! ([`Options::timeout`], 2 s by default): a child that does not answer is
//! killed and reaped, and that call reads unknown. The service never dies
//! and no child outlives the probe (a child held by a tracer can only be
//! reaped once the tracer lets it go; a thread waits for that).
//!
//! On Linux 5.16 and later the child shares the service's memory instead of
//! copying its page tables (`clone(CLONE_VM | SIGCHLD)` on a small stack of
//! its own, as `posix_spawn` starts its child, but without suspending the
//! caller, so that the bound still holds): a probe costs the same with a
//! large heap as with a small one, where a `fork` costs tens of milliseconds
//! or more a GiB of resident memory. That child writes only its own stack
//! and the pipe. Before 5.16 a core-dumping process took every process
//! sharing its memory with it, and a seccomp kill dumps core: there, and
//! wherever the shared `clone` is refused (by a filter, say), the child is
//! forked, as before. Either needs `clone` without namespace flags (which
//! the runtimes' profiles allow) and a free slot under the pids limit: where
//! it is refused, every call reads unknown with the error. The code that
//! needs `unsafe` (the child's start, its raw calls) is the crate's one
//! private `sys` module; every block has a `// SAFETY:` comment.
//!
//! The module's parts: `table` (the list, each call's arguments and the
//! kernel's answers, and the plan a child runs), `runner` (one child on a
//! plan: the pipe, the bound, kill and reap), and this entry point (the
//! outcomes, [`probe_with`] and its reading of the records).
//!
//! # What the probe can be seen doing
//!
//! The calls are real system calls, made by a short-lived child of the
//! service:
//!
//! - a filter whose action logs (`SCMP_ACT_LOG`, `SECCOMP_FILTER_FLAG_LOG`,
//!   or any kill action with `kernel.seccomp.actions_logged` defaults) writes
//!   one audit record (`type=SECCOMP`, `syscall=<nr>`) per call it acts on to
//!   the host's audit log or kernel log: a probe under a strict profile can
//!   leave about 27 such lines, which look like an attack to a reader who does
//!   not know about it;
//! - a `SECCOMP_RET_USER_NOTIF` supervisor (a runtime's seccomp agent, LXD,
//!   gVisor-style sandboxes) receives each call and decides it; a supervisor
//!   that never answers costs one [`Options::timeout`] per call;
//! - a ptracer (strace, a `SECCOMP_RET_TRACE` tracer) sees them;
//! - `auditd` rules on these syscalls (common in hardening guides for
//!   `init_module`, `kexec_load`, `mount`, `ptrace`) log them;
//! - the one call that does something: with [`Options::attempt_user_namespace`]
//!   (on by default) the child calls `unshare(CLONE_NEWUSER)` for real, last,
//!   to learn whether the kernel creates user namespaces for this process. The
//!   namespace belongs to the child and is gone when it exits a moment later.
//!
//! # The list, and why each is on it
//!
//! Each row: the call made (arguments the kernel rejects), the answer of the
//! kernel's validation, and the kernel source read for the order of its
//! checks (Linux 6.12 as shipped by Debian, `linux-source-6.12`, cross-read
//! with mainline on GitHub for `fs/fhandle.c`). See [`Syscall::why`] and
//! [`Syscall::expectation`].
//!
//! | syscall | call | kernel's answer | kernel file | answers `EPERM` first |
//! |---|---|---|---|---|
//! | unshare | `unshare(CLONE_NEWUSER\|0x1)` | EINVAL | kernel/fork.c `ksys_unshare`, `check_unshare_flags` | Debian/Ubuntu `kernel.unprivileged_userns_clone=0` |
//! | clone | `clone(CLONE_NEWUSER\|CLONE_FS, 0, …)` | EINVAL | kernel/fork.c `copy_process` (first check) | — |
//! | clone3 | `clone3(NULL, 0)` | EINVAL | kernel/fork.c `copy_clone_args_from_user` | — |
//! | setns | `setns(-1, 0)` | EBADF | kernel/nsproxy.c | — |
//! | mount | `mount("", "", "", 0, NULL)` | ENOENT | fs/namespace.c `do_mount` (path lookup before `may_mount`) | — |
//! | umount2 | `umount2("", 0x80000000)` | EINVAL | fs/namespace.c `ksys_umount` | — |
//! | pivot_root | `pivot_root("", "")` | ENOENT | fs/namespace.c | `may_mount()` |
//! | fsopen | `fsopen("", 0x7fffffff)` | EINVAL | fs/fsopen.c | `may_mount()` |
//! | open_tree | `open_tree(-1, "", 0x80000000)` | EINVAL | fs/namespace.c | — |
//! | keyctl | `keyctl(0x7fffffff, 0, 0, 0, 0)` | EOPNOTSUPP | security/keys/keyctl.c | — |
//! | add_key | `add_key("", NULL, NULL, SIZE_MAX, 0)` | EINVAL | security/keys/keyctl.c (`plen` check first) | — |
//! | request_key | `request_key("", "", NULL, 0)` | EINVAL | security/keys/keyctl.c `key_get_type_from_user` | — |
//! | bpf | `bpf(0x7fffffff, NULL, 0)` | EINVAL | kernel/bpf/syscall.c `__sys_bpf` | older kernels (`unprivileged_bpf_disabled`), LSM hook |
//! | perf_event_open | `perf_event_open(NULL, 0, -1, -1, 0)` | EFAULT | kernel/events/core.c (copy before `perf_event_paranoid`) | — |
//! | userfaultfd | `userfaultfd(0x7fffffff)` | EINVAL | fs/userfaultfd.c (`UFFD_USER_MODE_ONLY` is always allowed) | before 5.11 |
//! | io_uring_setup | `io_uring_setup(0, NULL)` | EFAULT | io_uring/io_uring.c | `kernel.io_uring_disabled` |
//! | ptrace | `ptrace(0x7fffffff, 0, 0, 0)` | ESRCH | kernel/ptrace.c | — |
//! | process_vm_readv | `process_vm_readv(0, NULL, 0, NULL, 0, 1)` | EINVAL | mm/process_vm_access.c | — |
//! | process_vm_writev | `process_vm_writev(0, NULL, 0, NULL, 0, 1)` | EINVAL | mm/process_vm_access.c | — |
//! | open_by_handle_at | `open_by_handle_at(-1, NULL, 0)` | EBADF (6.12: descriptor first) or EFAULT (measured on 6.18: handle copied first) | fs/fhandle.c `handle_to_path` | older kernels (`CAP_DAC_READ_SEARCH` first) |
//! | init_module | `init_module(NULL, 0, "")` | ENOEXEC | kernel/module/main.c | `CAP_SYS_MODULE`, `modules_disabled` |
//! | finit_module | `finit_module(-1, "", 0x80000000)` | EINVAL | kernel/module/main.c | `CAP_SYS_MODULE`, `modules_disabled` |
//! | kexec_load | `kexec_load(0, 0, NULL, 0x8000)` | EINVAL | kernel/kexec.c `kexec_load_check` | `CAP_SYS_BOOT`, `kexec_load_disabled`, lockdown |
//! | kexec_file_load | `kexec_file_load(-1, -1, 0, NULL, 1<<30)` | EINVAL | kernel/kexec_file.c | `CAP_SYS_BOOT`, `kexec_load_disabled` |
//! | reboot | `reboot(0, 0, 0, NULL)` | EINVAL | kernel/reboot.c (magic checked after) | `CAP_SYS_BOOT` |
//! | swapon | `swapon(NULL, 0x40000000)` | EINVAL | mm/swapfile.c (flags before capability) | older kernels |
//!
//! `ENOSYS` is always ambiguous: a kernel built without the call (no
//! `CONFIG_KEYS`, `CONFIG_BPF_SYSCALL`, `CONFIG_MODULES`, …) answers it too.
//! When the calling thread has no filter at all (`Seccomp: 0`), every answer
//! is the kernel's: an `EPERM` is then [`BlockedBy::Kernel`].
//!
//! The system call numbers come from the `libc` crate's `SYS_*` constants for
//! x86_64 and aarch64; on other architectures every call reads unknown.
//!
//! # User namespaces
//!
//! [`UserNamespaces`] adds `/proc/sys/user/max_user_namespaces` (in this
//! user namespace; `0` means the kernel refuses to create any), read through
//! a [`Root`], and the real `unshare(CLONE_NEWUSER)` of the child.

use std::time::Duration;

use crate::fact::{Fact, Unknown};
use crate::parse::status::{SeccompMode, Status};
use crate::report::{
    BlockedBy, Creation, Errno, Outcome, Signal, Syscall, SyscallProbe, SyscallResult,
    UserNamespaces,
};
use crate::root::{Root, SMALL_FILE_LIMIT};
use runner::End;

mod runner;
mod table;

pub use table::Expectation;

/// Classifies one answer: `ret` is the raw return value, `errno` the errno
/// when `ret == -1`; `filter` whether the calling thread has a seccomp filter
/// (`None`: not known).
pub(crate) fn classify(sc: Syscall, ret: i64, errno: i32, filter: Option<bool>) -> Outcome {
    if ret >= 0 {
        return Outcome::Reachable { errno: None };
    }
    if ret != -1 {
        return Outcome::Unknown {
            reason: format!("returned {ret}, neither -1 nor a success"),
        };
    }
    let exp = sc.expectation();
    if exp.answers.contains(&errno) {
        return Outcome::Reachable {
            errno: Some(Errno::new(errno)),
        };
    }
    let kernel_note = if errno == crate::sys::ENOSYS {
        Some("a kernel built without this system call answers ENOSYS too")
    } else {
        exp.kernel_also
            .iter()
            .find(|(e, _)| *e == errno)
            .map(|(_, why)| *why)
    };
    let by = match (filter, kernel_note) {
        (Some(false), _) => BlockedBy::Kernel,
        (Some(true), None) => BlockedBy::Filter,
        _ => BlockedBy::FilterOrKernel,
    };
    let note = match (by, kernel_note) {
        (BlockedBy::Filter, _) => None,
        (_, Some(n)) => Some(n),
        (BlockedBy::Kernel, None) => Some("no seccomp filter is installed, so the kernel answered"),
        (_, None) => Some("whether a seccomp filter is installed is unknown"),
    };
    Outcome::Blocked {
        errno: Errno::new(errno),
        by,
        note,
    }
}

/// The source named by a report whose probe did not run.
pub(crate) const NOT_RUN_SOURCE: &str = "posture::syscalls::probe";

/// [`Report::syscalls`](crate::Report::syscalls) before a probe is attached.
pub(crate) fn not_run() -> Fact<SyscallProbe> {
    Fact::unknown(NOT_RUN_SOURCE, "not run")
}

/// Probe options.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How long one call may take before its child is killed and the call
    /// reads unknown.
    pub timeout: Duration,
    /// Whether the child also calls `unshare(CLONE_NEWUSER)` for real (last,
    /// after every probe call).
    pub attempt_user_namespace: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout: Duration::from_secs(2),
            attempt_user_namespace: true,
        }
    }
}

/// Why a probe child could not be run or read.
#[derive(thiserror::Error)]
pub enum ProbeError {
    /// `pipe2` failed.
    #[error("pipe2: {}", .0.described())]
    Pipe(#[source] crate::report::Errno),
    /// The child could not be started (its stack's `mmap`, the signal mask,
    /// `clone` and `fork` both refused).
    #[error("starting the probe child: {0}")]
    Fork(#[source] std::io::Error),
    /// Reading the pipe failed.
    #[error("read from the probe child's pipe: {}", .0.described())]
    Read(#[source] crate::report::Errno),
    /// `poll` failed.
    #[error("poll on the probe child's pipe: {}", .0.described())]
    Poll(#[source] crate::report::Errno),
    /// `waitpid` failed.
    #[error("waitpid for the probe child: {}", .0.described())]
    Wait(#[source] crate::report::Errno),
}

debug_is_display!(ProbeError);

/// Probes with the default [`Options`].
pub fn probe() -> SyscallProbe {
    probe_with(&Options::default())
}

/// `max_user_namespaces` of this user namespace, through a [`Root`].
pub(crate) fn max_user_namespaces(root: &Root) -> Fact<u64> {
    let path = root.proc_sys("user/max_user_namespaces");
    match root.read_text(&path, SMALL_FILE_LIMIT) {
        Ok(t) => match t.trim().parse::<u64>() {
            Ok(n) => Fact::Known(n),
            Err(e) => Fact::Unknown(Unknown::file(&path, format!("not a number: {e}"))),
        },
        Err(e) => Fact::Unknown(Unknown::read(&path, &e)),
    }
}

/// Whether the calling thread has a seccomp filter, from
/// `<root>/proc/thread-self/status`.
pub(crate) fn thread_filter(root: &Root) -> Fact<bool> {
    let path = root.path("proc/thread-self/status");
    match root.read_text(&path, crate::root::STATUS_LIMIT) {
        Ok(t) => match Status::parse(&t).seccomp {
            crate::parse::status::Field::Value(m) => Fact::Known(m != SeccompMode::Disabled),
            crate::parse::status::Field::Missing => {
                Fact::Unknown(Unknown::file(&path, "no Seccomp: line"))
            }
            crate::parse::status::Field::Malformed(why) => {
                Fact::Unknown(Unknown::file(&path, why.to_string()))
            }
        },
        Err(e) => Fact::Unknown(Unknown::read(&path, &e)),
    }
}

/// Probes with options. Never panics and never kills the caller: every
/// failure becomes an unknown outcome with its reason.
pub fn probe_with(opts: &Options) -> SyscallProbe {
    let root = Root::live();
    let filter = thread_filter(&root);
    let known_filter = filter.known().copied();
    let max = max_user_namespaces(&root);
    let plan = table::plan(opts.attempt_user_namespace);
    let n = Syscall::ALL.len();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; n];
    let mut attempt = if opts.attempt_user_namespace {
        None
    } else {
        Some(Creation::Unknown {
            reason: "not attempted (Options::attempt_user_namespace is off)".to_string(),
        })
    };
    let mut children = 0u32;
    let mut seccomp: Option<Fact<SeccompMode>> = None;
    // Complete on x86_64 and aarch64: every listed call, then the unshare
    // attempt (if on) and the seccomp question.
    if plan.len() > n {
        let mut start = 0usize;
        // Where the unshare attempt and the seccomp question sit in the plan.
        let unshare_at = opts.attempt_user_namespace.then_some(n);
        let seccomp_at = plan.len() - 1;
        while start < plan.len() {
            children += 1;
            let run = match runner::run_child(&plan, start, opts.timeout, crate::sys::start_mode())
            {
                Ok(r) => r,
                Err(e) => {
                    fill(&mut outcomes, &mut attempt, start, &e.to_string());
                    seccomp.get_or_insert_with(|| Fact::unknown(SECCOMP_SRC, e.to_string()));
                    break;
                }
            };
            for &(idx, errno, ret) in &run.records {
                let i = idx as usize;
                if i < n {
                    outcomes[i] = Some(classify(Syscall::ALL[i], ret, errno, known_filter));
                } else if Some(i) == unshare_at {
                    attempt = Some(if ret >= 0 {
                        Creation::Created
                    } else {
                        Creation::Refused {
                            errno: Errno::new(errno),
                        }
                    });
                } else if i == seccomp_at {
                    seccomp = Some(if ret >= 0 {
                        u8::try_from(ret)
                            .ok()
                            .and_then(SeccompMode::from_number)
                            .map_or_else(
                                || {
                                    Fact::unknown(
                                        SECCOMP_SRC,
                                        format!("answered {ret}, not a mode"),
                                    )
                                },
                                Fact::Known,
                            )
                    } else {
                        Fact::unknown(SECCOMP_SRC, Errno::new(errno).to_string())
                    });
                }
            }
            // The call after the last one answered is the one the child was in.
            let next = run
                .records
                .iter()
                .map(|r| r.0 as usize + 1)
                .filter(|&i| i <= plan.len())
                .max()
                .unwrap_or(start)
                .max(start);
            let failed = |what: String,
                          outcomes: &mut Vec<Option<Outcome>>,
                          attempt: &mut Option<Creation>,
                          seccomp: &mut Option<Fact<SeccompMode>>| {
                if next < n {
                    outcomes[next] = Some(Outcome::Unknown { reason: what });
                } else if Some(next) == unshare_at {
                    *attempt = Some(Creation::Unknown { reason: what });
                } else if next == seccomp_at {
                    *seccomp = Some(Fact::unknown(SECCOMP_SRC, what));
                }
            };
            match run.end {
                End::Finished => break,
                _ if !run.setup_done => {
                    let why = match run.end {
                        End::Signaled(s) => format!(
                            "the probe child was killed by {} during its set-up (close, rt_sigaction, prlimit64, prctl, rt_sigprocmask), before any probe call",
                            Signal::new(s)
                        ),
                        End::TimedOut => {
                            "the probe child did not finish its set-up in time".to_string()
                        }
                        End::Exited(c) => {
                            format!("the probe child exited with {c} during its set-up")
                        }
                        End::Vanished(w) => w,
                        // Taken by the `End::Finished => break` arm above.
                        End::Finished => "the probe child finished".to_string(),
                    };
                    fill(&mut outcomes, &mut attempt, start, &why);
                    seccomp.get_or_insert_with(|| Fact::unknown(SECCOMP_SRC, why.clone()));
                    break;
                }
                End::Signaled(sig) => {
                    if next < n {
                        outcomes[next] = Some(Outcome::Killed {
                            signal: Signal::new(sig),
                        });
                    } else if Some(next) == unshare_at {
                        attempt = Some(Creation::Killed {
                            signal: Signal::new(sig),
                        });
                    } else if next == seccomp_at {
                        seccomp = Some(Fact::unknown(
                            SECCOMP_SRC,
                            format!("the probe child was killed by {} on it", Signal::new(sig)),
                        ));
                    }
                }
                End::TimedOut => failed(
                    format!(
                        "no answer within {:?} (a SECCOMP_RET_USER_NOTIF supervisor or a tracer may hold the call); the child was killed",
                        opts.timeout
                    ),
                    &mut outcomes,
                    &mut attempt,
                    &mut seccomp,
                ),
                End::Exited(code) => failed(
                    format!("the probe child exited with {code} without answering"),
                    &mut outcomes,
                    &mut attempt,
                    &mut seccomp,
                ),
                End::Vanished(why) => failed(why, &mut outcomes, &mut attempt, &mut seccomp),
            }
            start = next + 1;
        }
    }
    let unsupported = format!(
        "no system call numbers for {}: the probe knows x86_64 and aarch64",
        std::env::consts::ARCH
    );
    let results = Syscall::ALL
        .iter()
        .zip(outcomes)
        .map(|(&syscall, o)| SyscallResult {
            syscall,
            outcome: o.unwrap_or_else(|| Outcome::Unknown {
                reason: if plan.len() < n {
                    unsupported.clone()
                } else {
                    "the probe child gave no answer for it".to_string()
                },
            }),
        })
        .collect::<Vec<_>>();
    let attempt = attempt.unwrap_or_else(|| Creation::Unknown {
        reason: if plan.len() < n {
            unsupported.clone()
        } else {
            "the probe child gave no answer for it".to_string()
        },
    });
    let can_create = can_create(&results, &max, &attempt);
    SyscallProbe {
        arch: std::env::consts::ARCH,
        filter,
        results,
        user_namespaces: UserNamespaces {
            max_user_namespaces: max,
            attempt,
            can_create,
        },
        children,
        seccomp_mode: seccomp.unwrap_or_else(|| {
            Fact::unknown(
                SECCOMP_SRC,
                if plan.len() < n {
                    unsupported.clone()
                } else {
                    "the probe child gave no answer for it".to_string()
                },
            )
        }),
    }
}

/// The source of [`SyscallProbe::seccomp_mode`].
const SECCOMP_SRC: &str = "prctl(PR_GET_SECCOMP) in the probe's child";

/// Marks every undecided call from `start` on (and the attempt) unknown.
fn fill(outcomes: &mut [Option<Outcome>], attempt: &mut Option<Creation>, start: usize, why: &str) {
    for o in outcomes.iter_mut().skip(start) {
        if o.is_none() {
            *o = Some(Outcome::Unknown {
                reason: why.to_string(),
            });
        }
    }
    if attempt.is_none() {
        *attempt = Some(Creation::Unknown {
            reason: why.to_string(),
        });
    }
}

/// The user-namespace conclusion.
pub(crate) fn can_create(
    results: &[SyscallResult],
    max: &Fact<u64>,
    attempt: &Creation,
) -> Fact<bool> {
    const SRC: &str = "posture::syscalls::probe (user namespaces)";
    if let Creation::Created = attempt {
        return Fact::Known(true);
    }
    if max.known() == Some(&0) {
        return Fact::Known(false);
    }
    let state = |sc: Syscall| {
        results
            .iter()
            .find(|r| r.syscall == sc)
            .map(|r| r.outcome.as_str())
    };
    let routes = [Syscall::Unshare, Syscall::Clone, Syscall::Clone3];
    let open: Vec<&str> = routes
        .iter()
        .filter(|&&sc| state(sc) != Some("blocked") && state(sc) != Some("killed"))
        .map(|sc| sc.name())
        .collect();
    match attempt {
        Creation::Refused { .. } | Creation::Killed { .. } if open.is_empty() => Fact::Known(false),
        // The filter let unshare with CLONE_NEWUSER through and the kernel
        // refused the real call: the kernel applies the same checks to clone
        // and clone3.
        Creation::Refused { .. } if state(Syscall::Unshare) == Some("reachable") => {
            Fact::Known(false)
        }
        Creation::Refused { errno } => Fact::unknown(
            SRC,
            format!(
                "unshare(CLONE_NEWUSER) was refused with {errno}, but {} reach the kernel and the probe creates no namespace through them",
                open.join(", ")
            ),
        ),
        Creation::Killed { signal } => Fact::unknown(
            SRC,
            format!(
                "unshare(CLONE_NEWUSER) was killed by {signal}, but {} reach the kernel",
                open.join(", ")
            ),
        ),
        Creation::Unknown { reason } => Fact::unknown(SRC, reason.clone()),
        Creation::Created => Fact::Known(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The errors' text is what nix's `Errno` printed before they held the
    /// report's `Errno`: name, colon, the C library's description.
    #[test]
    fn probe_errors_print_the_errno_name_and_description() {
        let e = |code| crate::report::Errno::new(code);
        assert_eq!(
            ProbeError::Pipe(e(1)).to_string(),
            "pipe2: EPERM: Operation not permitted"
        );
        assert_eq!(
            ProbeError::Read(e(9)).to_string(),
            "read from the probe child's pipe: EBADF: Bad file number"
        );
        assert_eq!(
            ProbeError::Poll(e(4)).to_string(),
            "poll on the probe child's pipe: EINTR: Interrupted system call"
        );
        assert_eq!(
            ProbeError::Wait(e(10)).to_string(),
            "waitpid for the probe child: ECHILD: No child processes"
        );
        for code in [1, 4, 9, 10, 22, 38, 95, 4095] {
            let ours = ProbeError::Poll(e(code)).to_string();
            let nix = format!(
                "poll on the probe child's pipe: {}",
                crate::root::Errno::from_raw(code)
            );
            assert_eq!(ours, nix);
        }
    }

    #[test]
    fn keyctl_answers_tell_the_kernel_from_the_filter() {
        use crate::report::BlockedBy;
        // The kernel's own answer to keyctl(0x7fffffff): EOPNOTSUPP.
        assert!(matches!(
            classify(
                Syscall::Keyctl,
                -1,
                crate::root::Errno::EOPNOTSUPP as i32,
                Some(true)
            ),
            Outcome::Reachable { .. }
        ));
        // EPERM from keyctl can only be the filter's.
        assert!(matches!(
            classify(
                Syscall::Keyctl,
                -1,
                crate::root::Errno::EPERM as i32,
                Some(true)
            ),
            Outcome::Blocked {
                by: BlockedBy::Filter,
                ..
            }
        ));
    }

    #[test]
    fn the_childs_seccomp_answer_is_held_against_status() {
        // The child asks the kernel for this test process's mode (no
        // filter in a test run; a filter where one is installed).
        let probe = probe();
        let Fact::Known(kernel) = probe.seccomp_mode else {
            panic!("no answer: {:?}", probe.seccomp_mode);
        };
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        // A capture whose status says the opposite of the kernel's answer.
        let other = if kernel == SeccompMode::Filter {
            "privileged"
        } else {
            "hardened"
        };
        let mut r = crate::posture_with_root(&Root::fixture(fixtures.join(other)));
        assert_ne!(r.seccomp.mode, Fact::Known(kernel));
        r.proc_trust = Fact::Known(crate::report::ProcTrust::Procfs);
        let r = r.with_syscalls(probe.clone());
        let u = r
            .seccomp
            .mode
            .as_ref()
            .into_result()
            .expect_err("mode made unknown");
        assert!(u.reason.contains("prctl(PR_GET_SECCOMP)"), "{u:?}");
        let Fact::Known(crate::report::ProcTrust::Disagrees { findings }) = &r.proc_trust else {
            panic!("{:?}", r.proc_trust);
        };
        assert_eq!(findings.len(), 1);
        // Agreement changes nothing.
        let same = if kernel == SeccompMode::Filter {
            "hardened"
        } else {
            "privileged"
        };
        let mut r = crate::posture_with_root(&Root::fixture(fixtures.join(same)));
        r.proc_trust = Fact::Known(crate::report::ProcTrust::Procfs);
        let r = r.with_syscalls(probe);
        assert_eq!(r.seccomp.mode, Fact::Known(kernel));
        assert_eq!(r.proc_trust, Fact::Known(crate::report::ProcTrust::Procfs));
    }
}

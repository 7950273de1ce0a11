//! The only `unsafe` code in the crate, and the only module that makes raw
//! system calls: start a child of the calling thread that makes raw system
//! calls, writes one fixed-size record per call to a pipe and exits (for the
//! opt-in [`crate::syscalls`] probe, whose `runner` drives it), and the one
//! `getsockopt(SO_NETNS_COOKIE)` that [`crate::root`] asks for. Every
//! `unsafe` block has a `// SAFETY:` comment; the crate root denies
//! `unsafe_code` everywhere else.
//!
//! # How the child is started
//!
//! On Linux 5.16 and later ([`Start::SharedMemory`]) the child is a `clone`
//! with `CLONE_VM` (and `SIGCHLD` as its exit signal, nothing else): it
//! shares the caller's memory instead of copying its page tables, so its
//! cost does not grow with the service's heap, as `fork`'s does (tens of
//! milliseconds or more a GiB of resident memory). It is still a process of
//! its own: its own thread group (a seccomp kill ends it alone), its own
//! copy of the descriptor table, signal handlers, signal mask and resource
//! limits (neither `CLONE_FILES`, `CLONE_SIGHAND`, `CLONE_THREAD` nor
//! `CLONE_FS`), the calling thread's credentials and seccomp filter. Unlike
//! `vfork` (`CLONE_VFORK`), the caller is not suspended until the child
//! exits: it waits on the pipe with its bound, and kills a child that does
//! not answer.
//!
//! What the kernel does for such a child (kernel/fork.c, read for this):
//! `copy_process` drops its rseq registration (`rseq_fork` with `CLONE_VM`),
//! does not inherit the robust-futex list or a clear-tid address, and resets
//! its alternate signal stack, so the kernel writes nothing of the child's
//! into the caller's thread areas. The probe's calls answer as in a forked
//! child: none of their checks looks at the mm, and the real
//! `unshare(CLONE_NEWUSER)` still creates a namespace (`ksys_unshare` adds
//! `CLONE_THREAD | CLONE_FS`, and `check_unshare_flags` then refuses only a
//! task with other threads in its group or sharing its signal handlers; the
//! mm is checked only when `CLONE_VM` itself is unshared. Older kernels
//! also refused it while the mm was shared, `mm_users > 1`: all older than
//! 5.16, they fork here).
//!
//! Sharing memory with a running process asks a lot of the child, and this
//! module keeps to it:
//!
//! - it runs on a stack of its own: a private `mmap` with a `PROT_NONE`
//!   guard page below it, which the caller unmaps only once the child has
//!   been reaped (the kernel reports its exit, so it runs no more); a child
//!   whose end was never seen leaves its mapping in place rather than have
//!   the caller's next allocation land under a live stack;
//! - it reads only its own mapping (a copy of the plan and its arguments,
//!   written before `clone`), the static [`EMPTY`] and the code, and writes
//!   only its own stack and the pipe: nothing of the caller's heap, no lock,
//!   no allocation, nothing that can be left half-written if it dies
//!   mid-call;
//! - it makes every system call with its own `syscall`/`svc` instruction and
//!   reads the result from the return register: no libc wrapper, because
//!   without `CLONE_SETTLS` the child has the caller's thread pointer, and a
//!   wrapper's `errno` store would land in the *calling thread's* `errno`;
//! - it never returns from its entry function (it ends with `exit_group`);
//! - no signal handler of the caller runs in it: the caller blocks every
//!   signal but `SIGSYS` around `clone`, and the child first sets `SIGSYS`
//!   to `SIG_DFL`, then, before unblocking the others, each caught signal
//!   to `SIG_IGN` (as a forked child would have survived it by running its
//!   copy of the handler). `SIGSYS` stays deliverable in the caller, so that
//!   a sandbox that traps `clone` and emulates it in its `SIGSYS` handler
//!   still can (a blocked `SIGSYS` from seccomp is forced to its default
//!   action, which would end the service); in the child only a filter that
//!   traps `rt_sigaction` itself could run that handler, before its first
//!   call returns.
//!
//! What makes it safe only from 5.16 on: until then a core-dumping process
//! killed every process sharing its memory (`zap_threads`, removed by
//! commit 0258b5fd7c71 "coredump: Limit coredumps to a single thread
//! group", first in 5.16), and a seccomp `KILL` or `TRAP` on the child dumps
//! core (`RLIMIT_CORE` 0 is checked only after the other processes are
//! killed): the service would die with its probe. So older kernels, a
//! release that cannot be parsed, and any error of the shared `clone` (a
//! filter that refuses `CLONE_VM`; kernels whose time namespaces refused it
//! once the caller had unshared one for its children) take [`Start::Fork`]:
//! glibc's `fork`, as the probe always did, with the same child code.
//!
//! It also holds the one `getsockopt(SO_NETNS_COOKIE)` call of the report's
//! network probe ([`netns_cookie`]), which no safe crate wraps.

use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

/// One raw call: the system call number and its six register arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Call {
    /// `SYS_*` number for this architecture.
    pub nr: libc::c_long,
    /// The arguments, as the registers carry them.
    pub args: [usize; 6],
    /// The call creates a process when it succeeds (`clone`): the new
    /// process must exit at once.
    pub forks: bool,
}

/// Bytes per record: index (u32), errno (i32), return value (i64), native
/// endian. Far below `PIPE_BUF`, so each `write` is atomic.
pub(crate) const RECORD: usize = 16;
/// Index of the record the child writes once its set-up calls are done.
pub(crate) const SETUP_DONE: u32 = u32::MAX - 1;
/// Index of the record the child writes last.
pub(crate) const END: u32 = u32::MAX;

/// A NUL-terminated empty string, for path and name arguments. Static, so
/// the child needs no allocation to pass it.
pub(crate) static EMPTY: [u8; 1] = [0];

/// The address of [`EMPTY`], as a register argument.
pub(crate) fn empty() -> usize {
    EMPTY.as_ptr() as usize
}

/// How the child is started (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// `clone(CLONE_VM | SIGCHLD)` on a stack of its own; `fork` if that
    /// fails.
    SharedMemory,
    /// glibc's `fork`.
    Fork,
}

/// A started child: its pid and the mapping that holds its stack and
/// arguments.
pub(crate) struct Child {
    pid: libc::pid_t,
    shared: bool,
    /// `None` once released by [`Child::reaped`].
    region: Option<Region>,
}

impl Child {
    /// The child's pid.
    pub(crate) fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Whether it shares the caller's memory (`false`: forked).
    #[cfg(test)]
    pub(crate) fn shares_memory(&self) -> bool {
        self.shared
    }

    /// The caller has seen the child end (`waitpid` returned its status, or
    /// `ECHILD` because it was reaped elsewhere): it runs no more, and its
    /// stack is unmapped.
    pub(crate) fn reaped(mut self) {
        drop(self.region.take());
    }
}

impl Drop for Child {
    /// A child whose end was not seen may still be running on its stack: the
    /// mapping is left in place (leaked), never unmapped under it.
    fn drop(&mut self) {
        if let Some(region) = self.region.take() {
            std::mem::forget(region);
        }
    }
}

impl std::fmt::Debug for Child {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.pid)
            .field("shared", &self.shared)
            .finish()
    }
}

/// Bytes of the child's stack. Its frames take well under a page (a
/// record buffer, two signal-action structs); a debug build more, still far
/// below this.
const STACK: usize = 64 * 1024;

/// What the child reads: written by the caller before the child starts,
/// never written again while the child lives.
#[repr(C)]
struct ChildArgs {
    /// The plan's copy, right after this struct in the same mapping.
    calls: *const Call,
    len: usize,
    start: usize,
    write: i32,
    read: i32,
    /// The calling thread's signal mask before the caller blocked every
    /// signal: the child restores it after its set-up.
    mask: u64,
}

/// A private anonymous mapping: a guard page, the child's stack, then its
/// [`ChildArgs`] and the plan's copy.
struct Region {
    base: *mut u8,
    len: usize,
    /// Offset of the stack's top (16-byte aligned) and of the `ChildArgs`.
    top: usize,
}

// SAFETY: a `Region` owns its mapping (no reference into it exists outside
// the child, which is a process of its own and no Rust thread), so moving it
// to the thread that reaps a slow child moves that ownership.
unsafe impl Send for Region {}

impl Region {
    /// Maps the region and writes the child's arguments into it.
    fn new(plan: &[Call], start: usize, write: i32, read: i32) -> std::io::Result<Region> {
        use nix::unistd::{SysconfVar, sysconf};
        let page = match sysconf(SysconfVar::PAGE_SIZE) {
            Ok(Some(p)) if p > 0 => p as usize,
            Ok(_) => return Err(std::io::Error::other("sysconf(_SC_PAGESIZE) has no value")),
            Err(e) => return Err(e.into()),
        };
        let round = |n: usize| n.div_ceil(page) * page;
        let calls_at =
            std::mem::size_of::<ChildArgs>().next_multiple_of(std::mem::align_of::<Call>());
        let args_len = calls_at + std::mem::size_of_val(plan);
        let top = page + round(STACK);
        let len = top + round(args_len);
        // SAFETY: a fresh private anonymous mapping at an address the kernel
        // chooses: it overlaps nothing, and no pointer into it exists yet.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let region = Region {
            base: base.cast(),
            len,
            top,
        };
        // SAFETY: the first page of the mapping just made: a stack overflow
        // faults there instead of writing below the mapping.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `top + args_len <= len`, so both writes stay inside the
        // mapping, which is page-aligned (so `top` is aligned for
        // `ChildArgs`, and `calls_at` was rounded up for `Call`); nothing
        // else refers to that memory, and the plan is a live slice that
        // cannot overlap a fresh mapping.
        unsafe {
            let args = region.base.add(top);
            let calls = args.add(calls_at).cast::<Call>();
            std::ptr::copy_nonoverlapping(plan.as_ptr(), calls, plan.len());
            args.cast::<ChildArgs>().write(ChildArgs {
                calls,
                len: plan.len(),
                start,
                write,
                read,
                mask: 0,
            });
        }
        Ok(region)
    }

    fn args(&self) -> *mut ChildArgs {
        // SAFETY: `top` is inside the mapping (see `new`).
        unsafe { self.base.add(self.top).cast() }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, of `len` bytes; a `Region` is
        // dropped only once its child has been reaped, or before it was
        // started (`Child::drop` forgets it otherwise).
        unsafe {
            libc::munmap(self.base.cast(), self.len);
        }
    }
}

/// Starts a child that runs `plan[start..]` and exits; returns it to the
/// parent. `write` is the pipe's write end, `read` its read end (closed in
/// the child).
pub(crate) fn spawn(
    plan: &[Call],
    start: usize,
    write: BorrowedFd<'_>,
    read: BorrowedFd<'_>,
    how: Start,
) -> std::io::Result<Child> {
    let region = Region::new(plan, start, write.as_raw_fd(), read.as_raw_fd())?;
    let args = region.args();
    // Block every signal of the calling thread but SIGSYS while the child
    // starts, so that none of the caller's handlers runs in the child before
    // it has reset them (see `child`). SIGSYS stays open: seccomp forces a
    // blocked SIGSYS to its default action, so a filter that traps clone
    // (for a handler to emulate it) would end the caller. The raw call, not
    // glibc's `pthread_sigmask`, which leaves glibc's two internal signals
    // out of the set.
    let all: u64 = !(1u64 << (libc::SIGSYS - 1));
    let mut old: u64 = 0;
    // SAFETY: `all` and `old` are live stack values of the 8 bytes the
    // kernel's sigset has on x86_64 and aarch64 (the size passed).
    let rc = unsafe {
        syscall6(
            libc::SYS_rt_sigprocmask,
            [
                libc::SIG_SETMASK as usize,
                &all as *const u64 as usize,
                &mut old as *mut u64 as usize,
                8,
                0,
                0,
            ],
        )
    };
    if rc < 0 {
        return Err(std::io::Error::from_raw_os_error(-rc as i32));
    }
    // SAFETY: `args` points into the mapping, which no child reads yet.
    unsafe { (*args).mask = old };
    let mut shared = false;
    let mut pid = -1;
    if how == Start::SharedMemory {
        let top = region.base.wrapping_add(region.top);
        // SAFETY: see `clone_vm`: `top` is the 16-byte aligned top of the
        // mapping's stack, which stays mapped until the child is reaped
        // (`Child`), and `args` points to the child's arguments in the same
        // mapping, complete before the call (the system call orders the
        // writes before the child's reads).
        let rc = unsafe { clone_vm(top, args) };
        if rc > 0 {
            pid = rc as libc::pid_t;
            shared = true;
        }
        // rc < 0: refused (a filter, a time namespace for children on some
        // kernels, a limit): the fork below says whether a child can be had
        // at all.
    }
    let mut fork_error = None;
    if !shared {
        // SAFETY: `fork` has no memory-safety preconditions. In the child
        // (`pid == 0`) control goes straight to `child_entry` with the
        // arguments in the (copied) mapping; it never returns and makes only
        // raw system calls (glibc runs its own fork handlers, which reset its
        // internal locks; std registers none); the parent continues
        // normally.
        pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: `args` points to complete arguments in this process's
            // copy of the mapping, which nothing else touches.
            unsafe { child_entry(args) }
        }
        if pid < 0 {
            fork_error = Some(std::io::Error::last_os_error());
        }
    }
    // SAFETY: `old` is the live 8-byte mask read above.
    unsafe {
        syscall6(
            libc::SYS_rt_sigprocmask,
            [
                libc::SIG_SETMASK as usize,
                &old as *const u64 as usize,
                0,
                8,
                0,
                0,
            ],
        );
    }
    if let Some(e) = fork_error {
        // No child: the mapping goes with `region`.
        return Err(e);
    }
    Ok(Child {
        pid,
        shared,
        region: Some(region),
    })
}

/// The kernel's `struct sigaction` for `rt_sigaction` on x86_64 and aarch64
/// (handler, flags, restorer, mask); the probe only sets `SIG_IGN` and
/// `SIG_DFL`, with every other field zero, and reads the handler back.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// `_NSIG` on x86_64 and aarch64: signals are 1..=64.
const NSIG: usize = 64;

/// The entry of the child, on its own stack (shared memory) or on its copy
/// of the caller's (fork).
///
/// # Safety
///
/// `args` points to a complete [`ChildArgs`] whose plan copy it points to,
/// neither written nor unmapped while the child lives.
unsafe extern "C" fn child_entry(args: *const ChildArgs) -> ! {
    // SAFETY: per this function's contract, `args` and the calls it points
    // to are complete and stay unchanged and mapped for the child's life.
    let (a, plan) = unsafe {
        let a = &*args;
        (a, std::slice::from_raw_parts(a.calls, a.len))
    };
    child(plan, a.start, a.write, a.read, a.mask)
}

/// Writes one record; a failed write is ignored (the parent then sees the
/// record missing and says so).
fn record(fd: i32, index: u32, errno: i32, ret: i64) {
    let mut buf = [0u8; RECORD];
    buf[..4].copy_from_slice(&index.to_ne_bytes());
    buf[4..8].copy_from_slice(&errno.to_ne_bytes());
    buf[8..].copy_from_slice(&ret.to_ne_bytes());
    // SAFETY: `buf` is a live stack array of `RECORD` bytes; `write` reads at
    // most that many from it. `fd` is the pipe's write end, open in this
    // process.
    unsafe {
        syscall6(
            libc::SYS_write,
            [fd as usize, buf.as_ptr() as usize, RECORD, 0, 0, 0],
        );
    }
}

/// The child: set-up, the calls from `start` on, the end record, exit.
///
/// Only raw system calls on its own stack values (see the module
/// documentation): no allocation, no lock, no libc, no `errno`, no panic.
fn child(plan: &[Call], start: usize, w: i32, r: i32, mask: u64) -> ! {
    let ign = KernelSigaction {
        handler: libc::SIG_IGN,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    let dfl = KernelSigaction {
        handler: libc::SIG_DFL,
        ..ign
    };
    // SAFETY: each call below is one system call on values owned by this
    // function; the kernel reads and writes only the stack structs passed
    // by pointer, which live for the call, within their sizes (the 8-byte
    // sigset size passed matches `u64`).
    unsafe {
        // First, so that a trap on any later set-up call ends the child
        // rather than run an inherited SIGSYS handler (a sandbox's, say) on
        // shared memory, or resume the call.
        syscall6(
            libc::SYS_rt_sigaction,
            [
                libc::SIGSYS as usize,
                &dfl as *const KernelSigaction as usize,
                0,
                8,
                0,
                0,
            ],
        );
        syscall6(libc::SYS_close, [r as usize, 0, 0, 0, 0, 0]);
        // The caller's handlers must not run here (they would run on shared
        // memory): each caught signal is ignored, as a forked child running
        // its copy of the handler would have carried on. Faults (SIGSEGV,
        // SIGBUS, …) still end the child: the kernel forces an ignored
        // fault signal back to its default action.
        for sig in 1..=NSIG {
            if [libc::SIGKILL, libc::SIGSTOP, libc::SIGSYS].contains(&(sig as i32)) {
                continue;
            }
            let mut old = KernelSigaction { ..ign };
            let rc = syscall6(
                libc::SYS_rt_sigaction,
                [sig, 0, &mut old as *mut KernelSigaction as usize, 8, 0, 0],
            );
            if rc == 0 && old.handler != libc::SIG_DFL && old.handler != libc::SIG_IGN {
                syscall6(
                    libc::SYS_rt_sigaction,
                    [sig, &ign as *const KernelSigaction as usize, 0, 8, 0, 0],
                );
            }
        }
        // A killed child must not leave a core file (SIGSYS dumps core).
        // glibc's setrlimit is this call too.
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        syscall6(
            libc::SYS_prlimit64,
            [
                0,
                libc::RLIMIT_CORE as usize,
                &no_core as *const libc::rlimit as usize,
                0,
                0,
                0,
            ],
        );
        // Die with the thread that started us rather than linger.
        syscall6(
            libc::SYS_prctl,
            [
                libc::PR_SET_PDEATHSIG as usize,
                libc::SIGKILL as usize,
                0,
                0,
                0,
                0,
            ],
        );
        // The calling thread's mask, as a forked child would have had it.
        syscall6(
            libc::SYS_rt_sigprocmask,
            [
                libc::SIG_SETMASK as usize,
                &mask as *const u64 as usize,
                0,
                8,
                0,
                0,
            ],
        );
    }
    record(w, SETUP_DONE, 0, 0);
    for (i, c) in plan.iter().enumerate().skip(start) {
        // SAFETY: the arguments are integers, null pointers, or the address
        // of the static `EMPTY`; each call in the plan is chosen so that the
        // kernel validates them and writes through no pointer (see the
        // table in `super`). The kernel may read `EMPTY` (one byte).
        let ret = unsafe { syscall6(c.nr, c.args) };
        if c.forks && ret == 0 {
            // An unexpected success created a process, and this is it (with
            // a copy of the memory: the probe's clone flags have no
            // CLONE_VM): leave at once, before touching the pipe.
            exit(0);
        }
        let (errno, ret) = if (-4095..0).contains(&ret) {
            (-ret as i32, -1)
        } else {
            (0, ret as i64)
        };
        record(w, i as u32, errno, ret);
    }
    record(w, END, 0, 0);
    exit(0)
}

/// Ends the child's process (its thread group is itself alone) without
/// running anything of the caller's: no atexit handler, no stdio flush.
fn exit(code: i32) -> ! {
    loop {
        // SAFETY: `exit_group` takes an integer and does not return.
        unsafe {
            syscall6(libc::SYS_exit_group, [code as usize, 0, 0, 0, 0, 0]);
        }
    }
}

/// One system call with six register arguments; returns the raw result
/// (`-errno` on failure). Writes no `errno`, touches no thread-local.
///
/// # Safety
///
/// The call must be sound for its arguments: every pointer among them is
/// valid for what the kernel reads or writes through it.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn syscall6(nr: libc::c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the x86_64 Linux system call convention: number in rax,
    // arguments in rdi, rsi, rdx, r10, r8, r9; the kernel returns in rax and
    // clobbers rcx and r11 only. Memory effects are the call's (the caller's
    // contract).
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") a[0],
            in("rsi") a[1],
            in("rdx") a[2],
            in("r10") a[3],
            in("r8") a[4],
            in("r9") a[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, preserves_flags),
        );
    }
    ret
}

/// One system call with six register arguments (see the x86_64 one).
///
/// # Safety
///
/// As for x86_64.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
unsafe fn syscall6(nr: libc::c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the aarch64 Linux system call convention: number in x8,
    // arguments in x0..x5, the result in x0, every other register preserved.
    unsafe {
        std::arch::asm!(
            "svc 0",
            in("x8") nr,
            inlateout("x0") a[0] => ret,
            in("x1") a[1],
            in("x2") a[2],
            in("x3") a[3],
            in("x4") a[4],
            in("x5") a[5],
            options(nostack, preserves_flags),
        );
    }
    ret
}

/// Elsewhere the probe has no system call numbers and starts no child
/// (`crate::syscalls::probe_with` stops before); this only keeps the module building.
///
/// # Safety
///
/// None needed: it makes no call.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn syscall6(_nr: libc::c_long, _a: [usize; 6]) -> isize {
    -(libc::ENOSYS as isize)
}

/// The flags of the shared-memory child: the caller's memory, and `SIGCHLD`
/// at its exit so that a plain `waitpid` reaps it. Nothing else is shared.
const CLONE_FLAGS: usize = libc::CLONE_VM as usize | libc::SIGCHLD as usize;

/// `clone(CLONE_VM | SIGCHLD)` with `top` as the child's stack pointer; the
/// child calls `child_entry(args)` there and never comes back. Returns the
/// child's pid in the caller, or `-errno`.
///
/// # Safety
///
/// `top` is the 16-byte aligned top of a writable stack that stays mapped
/// and untouched by the caller for the child's whole life, and `args`
/// satisfies [`child_entry`]'s contract.
#[cfg(target_arch = "x86_64")]
unsafe fn clone_vm(top: *mut u8, args: *const ChildArgs) -> isize {
    let entry: unsafe extern "C" fn(*const ChildArgs) -> ! = child_entry;
    let ret: isize;
    // SAFETY: the raw clone system call (flags, stack, parent_tid,
    // child_tid, tls). The kernel gives the child a copy of the caller's
    // registers with rax = 0 and rsp = `top`: it keeps r12 and r13, which
    // carry the entry and its argument, and calls the entry (rsp 16-byte
    // aligned before the call, as the ABI wants), which never returns
    // (`ud2` would trap if it did). rbp is cleared there only, to end
    // backtraces. The caller (rax != 0) goes on at `2:` with every register
    // but rax, rcx and r11 as it was, on its own stack.
    unsafe {
        std::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r13",
            "call r12",
            "ud2",
            "2:",
            inlateout("rax") libc::SYS_clone as isize => ret,
            in("rdi") CLONE_FLAGS,
            in("rsi") top,
            in("rdx") 0usize,
            in("r10") 0usize,
            in("r8") 0usize,
            in("r12") entry,
            in("r13") args,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// The aarch64 `clone(CLONE_VM | SIGCHLD)` (see the x86_64 one).
///
/// # Safety
///
/// As for x86_64.
#[cfg(target_arch = "aarch64")]
unsafe fn clone_vm(top: *mut u8, args: *const ChildArgs) -> isize {
    let entry: unsafe extern "C" fn(*const ChildArgs) -> ! = child_entry;
    let ret: isize;
    // SAFETY: the raw clone system call (flags, stack, parent_tid, tls,
    // child_tid on arm64). The child gets the caller's registers with
    // x0 = 0 and sp = `top` (16-byte aligned): x9 and x10 carry the entry
    // and its argument; the frame pointer and link register are cleared
    // there only, to end backtraces, and the entry never returns (`brk`
    // would trap if it did). The caller (x0 != 0) goes on at `2:` with every
    // register but x0 as it was.
    unsafe {
        std::arch::asm!(
            "svc 0",
            "cbnz x0, 2f",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, x10",
            "blr x9",
            "brk #0x1",
            "2:",
            in("x8") libc::SYS_clone,
            inlateout("x0") CLONE_FLAGS => ret,
            in("x1") top,
            in("x2") 0usize,
            in("x3") 0usize,
            in("x4") 0usize,
            in("x9") entry,
            in("x10") args,
            options(nostack),
        );
    }
    ret
}

/// No shared-memory child elsewhere: `spawn` forks.
///
/// # Safety
///
/// None needed: it makes no call.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn clone_vm(_top: *mut u8, _args: *const ChildArgs) -> isize {
    -(libc::ENOSYS as isize)
}

// ------------------------------------------------------------ SO_NETNS_COOKIE
// `getsockopt(SO_NETNS_COOKIE)` (Linux 5.14+): the 64-bit cookie of the
// network namespace a socket belongs to. Neither nix nor rustix has this
// option, and their generic getters take only their own option types.

/// `SO_NETNS_COOKIE` from the kernel's `asm/socket.h`: 71 on every
/// architecture but sparc (0x50) and parisc (0x4050).
#[cfg(target_arch = "sparc64")]
const SO_NETNS_COOKIE: libc::c_int = 0x50;
#[cfg(not(target_arch = "sparc64"))]
const SO_NETNS_COOKIE: libc::c_int = 71;

/// The cookie of the calling thread's network namespace, read from an
/// unbound, unconnected `AF_UNIX` datagram socket (no address, no traffic;
/// closed on return). `ENOPROTOOPT` before Linux 5.14 and under sandboxes
/// that do not implement the option.
pub(crate) fn netns_cookie() -> Result<u64, nix::errno::Errno> {
    use nix::errno::Errno;
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
    let fd = socket(
        AddressFamily::Unix,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let mut value: u64 = 0;
    let mut len = std::mem::size_of::<u64>() as libc::socklen_t;
    // SAFETY: `fd` is an open socket owned for the whole call; `value` is a
    // live, aligned u64 and `len` holds its exact size, so the kernel writes
    // at most `len` bytes into memory we own. No pointer outlives the call.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            SO_NETNS_COOKIE,
            (&mut value as *mut u64).cast::<libc::c_void>(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(Errno::last());
    }
    if len as usize != std::mem::size_of::<u64>() {
        return Err(Errno::EINVAL);
    }
    Ok(value)
}

/// How this kernel lets the probe start its child: sharing the caller's
/// memory from Linux 5.16 on, forked before (see the module docs).
pub(crate) fn start_mode() -> Start {
    match nix::sys::utsname::uname() {
        Ok(u) if u.release().to_str().is_some_and(shares_memory_safely) => Start::SharedMemory,
        _ => Start::Fork,
    }
}

/// Whether a kernel release (`uname -r`) is 5.16 or later: from then on a
/// core dump ends only the dumping process, not every process sharing its
/// memory (commit 0258b5fd7c71, "coredump: Limit coredumps to a single thread
/// group"). Anything that does not start with `MAJOR.MINOR` is taken as
/// older: the fork it then gets is slower, never unsafe.
fn shares_memory_safely(release: &str) -> bool {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let mut number = || parts.next().and_then(|p| p.parse::<u32>().ok());
    match (number(), number()) {
        (Some(major), Some(minor)) => (major, minor) >= (5, 16),
        _ => false,
    }
}

#[cfg(test)]
mod start_tests {
    use super::shares_memory_safely;

    #[test]
    fn kernels_from_5_16_share_memory() {
        for (release, shares) in [
            ("6.18.44-fc-v1272", true),
            ("6.1.0-27-amd64", true),
            ("5.16.0", true),
            ("5.16", true),
            ("10.0.0", true),
            ("5.15.0-91-generic", false),
            ("5.4.0", false),
            ("4.18.0-553.el8_10.x86_64", false),
            ("4.4.0", false),
            ("6", false),
            ("", false),
            ("v6.1", false),
            ("6.x", false),
        ] {
            assert_eq!(shares_memory_safely(release), shares, "{release}");
        }
    }
}

#[cfg(test)]
mod cookie_tests {
    #[test]
    fn the_cookie_of_this_namespace_is_stable_and_nonzero() {
        // Linux 5.14+ (the machines this crate is tested on): a cookie is
        // never 0 and is the same for every socket of one namespace.
        let a = super::netns_cookie().expect("SO_NETNS_COOKIE on Linux 5.14+");
        let b = super::netns_cookie().unwrap();
        assert_ne!(a, 0);
        assert_eq!(a, b);
    }
}

#[cfg(test)]
mod child_tests {
    //! The shared-memory child against the hazards the module lists: the
    //! caller's `errno` and signal handlers. Only on the architectures the
    //! probe supports, and on kernels where it shares memory.

    use super::*;
    use std::os::fd::{AsFd, OwnedFd};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    use nix::unistd::Pid;

    /// Whether this kernel gets the shared-memory child (the crate's own
    /// rule, `super::start_mode`).
    fn shared_here() -> bool {
        super::start_mode() == Start::SharedMemory
    }

    fn pipe() -> (OwnedFd, OwnedFd) {
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe2")
    }

    /// Reads records until `until` is seen or the pipe ends.
    fn read_until(r: &OwnedFd, until: u32) -> Vec<(u32, i32, i64)> {
        let mut out = Vec::new();
        let mut rec = [0u8; RECORD];
        loop {
            let mut got = 0;
            while got < RECORD {
                match nix::unistd::read(r.as_fd(), &mut rec[got..]) {
                    Ok(0) => return out,
                    Ok(n) => got += n,
                    Err(nix::errno::Errno::EINTR) => {}
                    Err(e) => panic!("read: {e}"),
                }
            }
            let idx = u32::from_ne_bytes(rec[..4].try_into().unwrap());
            let errno = i32::from_ne_bytes(rec[4..8].try_into().unwrap());
            let ret = i64::from_ne_bytes(rec[8..].try_into().unwrap());
            out.push((idx, errno, ret));
            if idx == until {
                return out;
            }
        }
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[test]
    fn the_callers_errno_is_left_alone() {
        if !shared_here() {
            return;
        }
        // 100 ms of sleep (so that the errno below is set first; the
        // caller's own set-up may clear it), then calls that fail (EBADF,
        // EOPNOTSUPP): a libc wrapper in a child sharing this thread's TLS
        // pointer would store those in this thread's errno.
        static SLEEP: libc::timespec = libc::timespec {
            tv_sec: 0,
            tv_nsec: 100_000_000,
        };
        let plan = [
            Call {
                nr: libc::SYS_ppoll,
                args: [0, 0, &SLEEP as *const libc::timespec as usize, 0, 8, 0],
                forks: false,
            },
            Call {
                nr: libc::SYS_setns,
                args: [usize::MAX, 0, 0, 0, 0, 0],
                forks: false,
            },
            Call {
                nr: libc::SYS_keyctl,
                args: [0x7fff_ffff, 0, 0, 0, 0, 0],
                forks: false,
            },
        ];
        let (r, w) = pipe();
        let child = spawn(&plan, 0, w.as_fd(), r.as_fd(), Start::SharedMemory).expect("spawn");
        nix::errno::Errno::set_raw(4242);
        drop(w);
        assert!(child.shares_memory(), "{child:?}");
        let records = read_until(&r, END);
        let status = waitpid(Pid::from_raw(child.pid()), None).expect("waitpid");
        let errno_after = nix::errno::Errno::last_raw();
        child.reaped();
        assert_eq!(errno_after, 4242, "the child wrote the caller's errno");
        assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
        assert_eq!(
            records,
            vec![
                (SETUP_DONE, 0, 0),
                (0, 0, 0),
                (1, libc::EBADF, -1),
                (2, libc::EOPNOTSUPP, -1),
                (END, 0, 0)
            ]
        );
    }

    static HANDLED: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn count(_: libc::c_int) {
        HANDLED.fetch_add(1, Ordering::SeqCst);
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[test]
    fn the_callers_signal_handlers_do_not_run_in_the_child() {
        if !shared_here() {
            return;
        }
        // A handler for SIGUSR2 (no other test of this binary uses it): run
        // in a child sharing memory, it would count in this process.
        // SAFETY: `count` only touches an atomic; the struct is zeroed and
        // then filled, and outlives the call.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = count as *const () as usize;
            assert_eq!(libc::sigaction(libc::SIGUSR2, &sa, std::ptr::null_mut()), 0);
        }
        // ppoll with no descriptor and no timeout: waits until a signal is
        // delivered, or for ever.
        let plan = [Call {
            nr: libc::SYS_ppoll,
            args: [0, 0, 0, 0, 8, 0],
            forks: false,
        }];
        let (r, w) = pipe();
        let child = spawn(&plan, 0, w.as_fd(), r.as_fd(), Start::SharedMemory).expect("spawn");
        drop(w);
        let pid = Pid::from_raw(child.pid());
        assert_eq!(read_until(&r, SETUP_DONE), vec![(SETUP_DONE, 0, 0)]);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGUSR2).expect("kill");
        // Ignored: the child goes on waiting, and nothing ran the handler.
        let until = Instant::now() + Duration::from_millis(200);
        while Instant::now() < until {
            assert_eq!(
                waitpid(pid, Some(WaitPidFlag::WNOHANG)),
                Ok(WaitStatus::StillAlive)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(HANDLED.load(Ordering::SeqCst), 0);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).expect("kill");
        let status = waitpid(pid, None).expect("waitpid");
        child.reaped();
        assert!(
            matches!(
                status,
                WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGKILL, _)
            ),
            "{status:?}"
        );
        // The handler is the process's again: it runs here.
        nix::sys::signal::raise(nix::sys::signal::Signal::SIGUSR2).expect("raise");
        assert_eq!(HANDLED.load(Ordering::SeqCst), 1);
    }
}

// The runner's calls on the pipe and the child: safe wrappers over nix, so
// that `syscalls::runner` names no syscall crate. Errors come back as the
// raw errno number (the runner makes it the report's `Errno`): `sys` is the
// ground floor and imports nothing of the crate.

/// `EINTR`, for the runner's retry loops.
pub(crate) const EINTR: i32 = libc::EINTR;
/// `ECHILD`: the child was reaped elsewhere (or `SIGCHLD` is ignored).
pub(crate) const ECHILD: i32 = libc::ECHILD;
/// `ENOSYS`: the kernel does not have the call.
pub(crate) const ENOSYS: i32 = libc::ENOSYS;

fn errno(e: nix::errno::Errno) -> i32 {
    e as i32
}

/// An errno's name as nix spells it (`EPERM`), `None` for a number nix
/// does not know.
pub(crate) fn errno_name(code: i32) -> Option<String> {
    let e = nix::errno::Errno::from_raw(code);
    (e != nix::errno::Errno::UnknownErrno).then(|| format!("{e:?}"))
}

/// An errno as text error messages carry it: `EPERM: Operation not
/// permitted` (nix's name and the C library's description).
pub(crate) fn errno_described(code: i32) -> String {
    let e = nix::errno::Errno::from_raw(code);
    format!("{e:?}: {}", e.desc())
}

/// A close-on-exec pipe: (read end, write end).
pub(crate) fn pipe() -> Result<(OwnedFd, OwnedFd), i32> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(errno)
}

/// One `read` from `fd` into `buf`.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, i32> {
    nix::unistd::read(fd, buf).map_err(errno)
}

/// Waits at most `timeout` for `fd` to be readable (or at EOF); whether it is.
pub(crate) fn poll_in(fd: BorrowedFd<'_>, timeout: Duration) -> Result<bool, i32> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let timeout = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    poll(&mut fds, timeout).map(|n| n > 0).map_err(errno)
}

/// A child's state, from `waitpid`.
pub(crate) enum Wait {
    /// Still running (`WNOHANG` only).
    StillAlive,
    /// Exited with this status.
    Exited(i32),
    /// Killed by this signal.
    Signaled(i32),
    /// Anything else, as nix's `Debug` writes it.
    Other(String),
}

impl Wait {
    /// Whether the child has ended (exited or was killed).
    pub(crate) fn ended(&self) -> bool {
        matches!(self, Wait::Exited(_) | Wait::Signaled(_))
    }
}

/// `waitpid` on one child; with `block` false, `WNOHANG`.
pub(crate) fn wait(pid: libc::pid_t, block: bool) -> Result<Wait, i32> {
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    let flags = (!block).then_some(WaitPidFlag::WNOHANG);
    Ok(
        match waitpid(nix::unistd::Pid::from_raw(pid), flags).map_err(errno)? {
            WaitStatus::StillAlive => Wait::StillAlive,
            WaitStatus::Exited(_, code) => Wait::Exited(code),
            WaitStatus::Signaled(_, sig, _) => Wait::Signaled(sig as i32),
            other => Wait::Other(format!("{other:?}")),
        },
    )
}

/// Sends `SIGKILL` to a child (errors ignored: it may have ended).
pub(crate) fn kill(pid: libc::pid_t) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// A signal's name (`SIGSYS`), if nix knows the number.
pub(crate) fn signal_name(number: i32) -> Option<&'static str> {
    nix::sys::signal::Signal::try_from(number)
        .ok()
        .map(|s| s.as_str())
}

/// The errno values the probe's table expects, and the system call numbers
/// and flags its plan passes to the child's raw calls (`syscalls::table`):
/// the C library's, named here so that the table names no syscall crate.
pub(crate) mod abi {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    pub(crate) use libc::{
        CLONE_FS, CLONE_NEWUSER, PR_GET_SECCOMP, SYS_add_key, SYS_bpf, SYS_clone, SYS_clone3,
        SYS_finit_module, SYS_fsopen, SYS_init_module, SYS_io_uring_setup, SYS_kexec_file_load,
        SYS_kexec_load, SYS_keyctl, SYS_mount, SYS_open_by_handle_at, SYS_open_tree,
        SYS_perf_event_open, SYS_pivot_root, SYS_prctl, SYS_process_vm_readv,
        SYS_process_vm_writev, SYS_ptrace, SYS_reboot, SYS_request_key, SYS_setns, SYS_swapon,
        SYS_umount2, SYS_unshare, SYS_userfaultfd, c_long,
    };
    pub(crate) use libc::{EBADF, EFAULT, EINVAL, ENOENT, ENOEXEC, EOPNOTSUPP, EPERM, ESRCH};
}

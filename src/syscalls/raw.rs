//! The only `unsafe` code in the crate: fork a child of the calling thread
//! that makes raw system calls, writes one fixed-size record per call to a
//! pipe and `_exit`s.
//!
//! Between `fork` and `_exit` the child of a multi-threaded parent may only
//! use async-signal-safe functions: other threads' locks (the allocator's,
//! stdio's) are copied in whatever state they were. So the child allocates
//! nothing, formats nothing, takes no lock and never returns into Rust code
//! of the parent's: it reads the plan (copied by `fork`, already built by the
//! parent), calls `syscall(2)`, `write(2)` and `_exit(2)` and a few set-up
//! calls, all thin wrappers around one system call each.
//!
//! It also holds the one `getsockopt(SO_NETNS_COOKIE)` call of the report's
//! network probe ([`netns_cookie`]), which no safe crate wraps.

use std::os::fd::{AsRawFd, BorrowedFd};

/// One raw call: the system call number and its six register arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Call {
    /// `SYS_*` number for this architecture.
    pub nr: libc::c_long,
    /// The arguments, as the registers carry them.
    pub args: [usize; 6],
    /// The call creates a process when it succeeds (`clone`): the new
    /// process must `_exit` at once.
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

/// Forks a child that runs `plan[start..]` and exits; returns its pid in the
/// parent. `write` is the pipe's write end, `read` its read end (closed in
/// the child).
pub(crate) fn spawn(
    plan: &[Call],
    start: usize,
    write: BorrowedFd<'_>,
    read: BorrowedFd<'_>,
) -> std::io::Result<libc::pid_t> {
    let (w, r) = (write.as_raw_fd(), read.as_raw_fd());
    // SAFETY: `fork` has no memory-safety preconditions. In the child
    // (`pid == 0`) control goes straight to `child`, which never returns and
    // only makes async-signal-safe calls, as a child of a possibly
    // multi-threaded process must (glibc runs its own fork handlers, which
    // reset its internal locks; std registers none); the parent continues
    // normally.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        child(plan, start, w, r);
    }
    Ok(pid)
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
        libc::write(fd, buf.as_ptr().cast(), RECORD);
    }
}

/// The child: set-up, the calls from `start` on, the end record, `_exit`.
fn child(plan: &[Call], start: usize, w: i32, r: i32) -> ! {
    // SAFETY: each call below is one system call on values owned by this
    // function; none touches memory other than the stack structs passed by
    // pointer, which live for the call.
    unsafe {
        libc::close(r);
        // A SIGSYS handler inherited from the parent (a sandbox's, say) would
        // run on SECCOMP_RET_TRAP and could resume the call; the default
        // action ends the child, which is what the parent reports as killed.
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(libc::SIGSYS, &dfl, std::ptr::null_mut());
        // A killed child must not leave a core file (SIGSYS dumps core).
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        // Die with the thread that forked us rather than linger.
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        );
    }
    record(w, SETUP_DONE, 0, 0);
    for (i, c) in plan.iter().enumerate().skip(start) {
        let a = c.args;
        // SAFETY: the arguments are integers, null pointers, or the address
        // of the static `EMPTY`; each call in the plan is chosen so that the
        // kernel validates them and writes through no pointer (see the
        // table in `super`). The kernel may read `EMPTY` (one byte).
        let ret = unsafe { libc::syscall(c.nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
        if c.forks && ret == 0 {
            // An unexpected success created a process, and this is it: leave
            // at once, before touching the pipe.
            // SAFETY: `_exit` ends the process without running any handler.
            unsafe { libc::_exit(0) };
        }
        let errno = if ret == -1 {
            // SAFETY: `__errno_location` returns this thread's errno slot,
            // valid for reading for the thread's lifetime.
            unsafe { *libc::__errno_location() }
        } else {
            0
        };
        record(w, i as u32, errno, ret as i64);
    }
    record(w, END, 0, 0);
    // SAFETY: `_exit` ends the process without running atexit handlers or
    // flushing the parent's stdio buffers copied by fork.
    unsafe { libc::_exit(0) }
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

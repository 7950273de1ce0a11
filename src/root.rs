//! The one place that turns "the file the kernel keeps for X" into a path.
//!
//! Every probe asks a [`Root`] for its input. The root is a value: [`Root::live`]
//! is the running system (`/`), [`Root::fixture`] is a directory shaped like `/`
//! (holding `proc/self/…`, `sys/…`, `dev/…`), so the whole pipeline runs against
//! captured text in tests. No other module spells a `/proc` or `/sys` path.
//!
//! ## Fixture conventions
//! * A file the kernel refused to read is stored as a sibling `<name>.errno`
//!   holding the errno name (`EINVAL`, `EACCES`, …); reading `<name>` from a
//!   fixture root then fails with that errno, as the kernel did.
//! * `proc/self/ns/<type>` entries are symbolic links whose target is what
//!   `readlink` printed (`user:[4026531837]`).
//! * `dev/` holds one empty file per device name seen in the container's `/dev`.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use rustix::fs::OFlags;

// Syscall crates: nix is the stack's, and every call goes through it except
// four that nix has no allocation-free or no equivalent for, which use rustix:
// `readlinkat_raw` (readlink into the caller's buffer; nix allocates a new
// OsString per link, one per namespace on every call), `RawDir` (getdents64
// into a reused buffer; nix's `Dir` iterator allocates per entry), `openat`
// with `OFlags` for those fds, and `PR_GET_SECUREBITS`, which nix's `prctl`
// module does not offer. No other module of the probe names a syscall crate:
// they ask the functions below. The raw system calls (the opt-in `syscalls`
// probe's child, and `getsockopt(SO_NETNS_COOKIE)` for
// [`Root::netns_cookie`]) are in the private `sys` module, the crate's only
// `unsafe`.

/// An errno from a query of the live process.
pub(crate) use nix::errno::Errno;

/// `PROC_SUPER_MAGIC`, procfs's `statfs(2)` filesystem type.
// `__fsword_t` is i64 here and i32 on 32-bit targets: the cast is not a no-op
// everywhere.
#[allow(clippy::unnecessary_cast)]
pub(crate) const PROC_SUPER_MAGIC: i64 = nix::sys::statfs::PROC_SUPER_MAGIC.0 as i64;

/// The filesystem type (`f_type`) of the filesystem holding `path`
/// (`statfs(2)`).
#[allow(clippy::unnecessary_cast)] // see PROC_SUPER_MAGIC
pub(crate) fn statfs_type(path: &Path) -> Result<i64, Errno> {
    nix::sys::statfs::statfs(path).map(|st| st.filesystem_type().0 as i64)
}

/// Real, effective and saved user ids of the calling thread
/// (`getresuid(2)`).
pub(crate) fn resuid() -> Result<[u32; 3], Errno> {
    nix::unistd::getresuid().map(|r| [r.real.as_raw(), r.effective.as_raw(), r.saved.as_raw()])
}

/// Real, effective and saved group ids of the calling thread
/// (`getresgid(2)`).
pub(crate) fn resgid() -> Result<[u32; 3], Errno> {
    nix::unistd::getresgid().map(|r| [r.real.as_raw(), r.effective.as_raw(), r.saved.as_raw()])
}

/// Supplementary groups of the calling thread (`getgroups(2)`).
pub(crate) fn groups() -> Result<Vec<u32>, Errno> {
    nix::unistd::getgroups().map(|g| g.into_iter().map(|g| g.as_raw()).collect())
}

/// The calling thread's securebits (`prctl(PR_GET_SECUREBITS)`).
pub(crate) fn secure_bits() -> Result<u32, Errno> {
    rustix::thread::capabilities_secure_bits()
        .map(|b| b.bits())
        .map_err(|e| Errno::from_raw(e.raw_os_error()))
}

/// The calling thread's no_new_privs flag (`prctl(PR_GET_NO_NEW_PRIVS)`).
pub(crate) fn no_new_privs() -> Result<bool, Errno> {
    nix::sys::prctl::get_no_new_privs()
}

/// What the kernel answers directly about the calling thread, to hold
/// `/proc/self/status` against. Each call is one the runtimes' default
/// seccomp profiles allow (Docker's, podman's and containerd's allow every
/// one of them): `getpid`, `gettid`, `getresuid`, `getresgid`,
/// `prctl(PR_GET_NO_NEW_PRIVS)`, `capget`, `prctl(PR_CAPBSET_READ)` once per
/// capability the kernel has, `prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET)`
/// likewise. `PR_GET_SECCOMP` is deliberately not among them: it kills a
/// caller in strict mode, and a filter may kill on it.
///
/// The capability sets come from rustix (one `capget` for all three sets
/// and the raw bits, with no allocation), not from the caps crate, whose
/// `read` makes one `capget` per set and returns a `HashSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KernelView {
    /// `getpid(2)`.
    pub(crate) pid: u32,
    /// `gettid(2)`.
    pub(crate) tid: u32,
    /// `getresuid(2)`.
    pub(crate) uid: Result<[u32; 3], Errno>,
    /// `getresgid(2)`.
    pub(crate) gid: Result<[u32; 3], Errno>,
    /// `prctl(PR_GET_NO_NEW_PRIVS)`.
    pub(crate) no_new_privs: Result<bool, Errno>,
    /// `capget(2)`: effective, permitted, inheritable.
    pub(crate) caps: Result<[u64; 3], Errno>,
    /// `prctl(PR_CAPBSET_READ)` for each capability until the kernel answers
    /// `EINVAL` (past its last).
    pub(crate) bounding: Result<u64, Errno>,
    /// `prctl(PR_CAP_AMBIENT_IS_SET)` likewise; `Err(EINVAL)` before 4.3.
    pub(crate) ambient: Result<u64, Errno>,
}

fn rustix_errno(e: rustix::io::Errno) -> Errno {
    Errno::from_raw(e.raw_os_error())
}

/// Asks the kernel for [`KernelView`].
pub(crate) fn kernel_view() -> KernelView {
    use rustix::thread::CapabilitySet;
    let caps = rustix::thread::capabilities(None)
        .map(|c| [c.effective.bits(), c.permitted.bits(), c.inheritable.bits()])
        .map_err(rustix_errno);
    // Bit n set when the kernel says capability n is in the set; stops at
    // the first EINVAL (a capability number past the kernel's last).
    let read_set = |is_set: fn(CapabilitySet) -> rustix::io::Result<bool>| {
        let mut bits = 0u64;
        for n in 0..64u32 {
            match is_set(CapabilitySet::from_bits_retain(1 << n)) {
                Ok(true) => bits |= 1 << n,
                Ok(false) => {}
                Err(rustix::io::Errno::INVAL) if n > 0 => return Ok(bits),
                Err(e) => return Err(rustix_errno(e)),
            }
        }
        Ok(bits)
    };
    KernelView {
        pid: nix::unistd::getpid().as_raw() as u32,
        tid: nix::unistd::gettid().as_raw() as u32,
        uid: resuid(),
        gid: resgid(),
        no_new_privs: no_new_privs(),
        caps,
        bounding: read_set(rustix::thread::capability_is_in_bounding_set),
        ambient: read_set(rustix::thread::capability_is_in_ambient_set),
    }
}

/// Upper bound for small single-value files (`cap_last_cap`, `uid_map`, attr files…).
pub(crate) const SMALL_FILE_LIMIT: usize = 64 * 1024;
/// Upper bound for `/proc/self/status` and each task's status.
pub(crate) const STATUS_LIMIT: usize = 64 * 1024;
/// Upper bound for `mountinfo`: past this the mount table is reported as truncated
/// and every check that needs the whole table becomes unknown.
pub(crate) const MOUNTINFO_LIMIT: usize = 4 * 1024 * 1024;
/// Upper bound for the number of threads whose status is read.
pub(crate) const TASK_LIMIT: usize = 4096;
/// Upper bound for the number of `/dev` entries listed.
pub(crate) const DEV_ENTRY_LIMIT: usize = 4096;

/// Room reserved before a read: procfs text files fit in one read of this.
const READ_CHUNK: usize = 16 * 1024;
/// Spare bytes in a path built by [`Root::path`] and friends, so that one more
/// short component (`ns/<type>`, `<tid>/status`) needs no second allocation.
const PATH_SLACK: usize = 24;
/// Room for one `getdents64` batch: `/dev` of a host (100-odd names) in one call.
const DIR_BUF: usize = 8 * 1024;

/// How every file is opened for reading: `O_NONBLOCK`, so that opening a
/// FIFO returns at once (it is then refused as not a regular file) and no
/// read can wait; `O_NOCTTY`, so that a terminal device never becomes the
/// controlling terminal; `O_CLOEXEC`.
const READ_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::NONBLOCK)
    .union(OFlags::NOCTTY)
    .union(OFlags::CLOEXEC);

/// The file type bits and, when the kernel reports it (`STATX_MNT_ID`, Linux
/// 5.8+; not gVisor), the mount id of an open descriptor: one `statx`. Where
/// `statx` is missing or refused (before 4.11, or an old seccomp profile
/// that answers `EPERM`), `fstat` gives the type and the mount id is `None`.
fn inspect(fd: &OwnedFd) -> io::Result<(u32, Option<u64>)> {
    use rustix::fs::{AtFlags, StatxFlags};
    match rustix::fs::statx(
        fd,
        c"",
        AtFlags::EMPTY_PATH,
        StatxFlags::TYPE | StatxFlags::MNT_ID,
    ) {
        Ok(st) => Ok((
            u32::from(st.stx_mode),
            (st.stx_mask & StatxFlags::MNT_ID.bits() != 0).then_some(st.stx_mnt_id),
        )),
        Err(_) => rustix::fs::fstat(fd)
            .map(|st| (st.st_mode, None))
            .map_err(io::Error::from),
    }
}

/// `None` for a regular file; otherwise what the file is, for the error.
fn not_regular(mode: u32) -> Option<&'static str> {
    use rustix::fs::FileType;
    match FileType::from_raw_mode(mode as _) {
        FileType::RegularFile => None,
        FileType::Directory => Some("a directory"),
        FileType::Symlink => Some("a symbolic link"),
        FileType::Fifo => Some("a FIFO"),
        FileType::Socket => Some("a socket"),
        FileType::CharacterDevice => Some("a character device"),
        FileType::BlockDevice => Some("a block device"),
        FileType::Unknown => Some("a file of unknown type"),
    }
}

/// The filesystem type (`f_type`) of an open descriptor (`fstatfs(2)`).
#[allow(clippy::unnecessary_cast)] // see PROC_SUPER_MAGIC
fn fd_fs_type(fd: &impl std::os::fd::AsFd) -> io::Result<i64> {
    rustix::fs::fstatfs(fd)
        .map(|st| st.f_type as i64)
        .map_err(io::Error::from)
}

/// The mount id of a path (`statx(STATX_MNT_ID)`, Linux 5.8+), without
/// following a final symbolic link when `nofollow`; `None` where the kernel
/// does not report it. Errors are the lookup's.
fn mount_id(dir: Option<&OwnedFd>, rel: &Path, nofollow: bool) -> io::Result<Option<u64>> {
    use rustix::fs::{AtFlags, StatxFlags};
    let flags = if nofollow {
        AtFlags::SYMLINK_NOFOLLOW
    } else if rel.as_os_str().is_empty() {
        AtFlags::EMPTY_PATH
    } else {
        AtFlags::empty()
    };
    let r = match dir {
        Some(d) => rustix::fs::statx(d, rel, flags, StatxFlags::MNT_ID),
        None => rustix::fs::statx(rustix::fs::CWD, rel, flags, StatxFlags::MNT_ID),
    };
    match r {
        Ok(st) => Ok((st.stx_mask & StatxFlags::MNT_ID.bits() != 0).then_some(st.stx_mnt_id)),
        Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Opens a file that a user names (a policy document) for reading, as every
/// read of the crate does (`O_NONBLOCK`, a regular file only), and reads at
/// most `limit` bytes: [`ReadError::TooLarge`] past it, so that `/dev/zero`
/// or a FIFO can neither grow the caller's memory nor block it.
#[cfg(feature = "policy-file")]
pub(crate) fn read_user_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let r = Root::live();
    let mut buf = Vec::new();
    let opened = r.open_regular(None, path, path).map(|(f, _)| f);
    if r.read_opened(path, opened, limit, &mut buf)? {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(buf)
}

// Where a root came from is part of the report (`Origin::kind`).
pub use crate::report::RootKind;

/// The filesystem root all probes read from.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
    kind: RootKind,
}

/// A read that failed, naming the file and keeping the OS error.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The OS refused the read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that was read.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The file is larger than the crate reads for it.
    #[error("{path} is larger than {limit} bytes, the most read for it")]
    TooLarge {
        /// The file that was read.
        path: PathBuf,
        /// The bound in bytes.
        limit: usize,
    },
    /// The file is not valid UTF-8 where text was needed.
    #[error("{path} is not UTF-8 text")]
    NotUtf8 {
        /// The file that was read.
        path: PathBuf,
    },
    /// The path names something other than a regular file (a FIFO, a
    /// device, a socket, a directory): it is not read, so that a FIFO cannot
    /// block the caller and a device cannot feed it without end.
    #[error("{path} is {kind}, not a regular file")]
    NotRegular {
        /// The path opened.
        path: PathBuf,
        /// What it is (`a FIFO`, `a character device`, …).
        kind: &'static str,
    },
    /// A file below `/proc` that the kernel's own answers contradict: it is
    /// not on the procfs mount the process's `/proc` is (a bind mount of
    /// another process's file, or of a file from another filesystem, over
    /// this one's).
    #[error("{path} is not this process's procfs file: {reason}")]
    Untrusted {
        /// The path opened.
        path: PathBuf,
        /// What disagreed.
        reason: String,
    },
}

debug_is_display!(ReadError);

impl crate::fact::Unknown {
    /// An unknown from a failed read. The source is the path; the reason is
    /// what went wrong, without repeating the path. (Here, not in `fact`:
    /// the fact types know nothing of the resolver.)
    pub(crate) fn read(path: &Path, err: &ReadError) -> crate::fact::Unknown {
        crate::fact::Unknown::file(path, err.reason())
    }
}

impl ReadError {
    /// The errno behind the failure, if the OS gave one.
    pub(crate) fn errno(&self) -> Option<i32> {
        match self {
            ReadError::Io { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }

    /// What went wrong, without the path (for an `Unknown`'s reason).
    pub(crate) fn reason(&self) -> String {
        match self {
            ReadError::Io { source, .. } => source.to_string(),
            ReadError::TooLarge { limit, .. } => {
                format!("larger than {limit} bytes, the most read for it")
            }
            ReadError::NotUtf8 { .. } => "not UTF-8 text".to_string(),
            ReadError::NotRegular { kind, .. } => format!("{kind}, not a regular file: not read"),
            ReadError::Untrusted { reason, .. } => {
                format!("not this process's procfs file: {reason}")
            }
        }
    }
}

const ERRNO_NAMES: &[(&str, i32)] = &[
    ("EPERM", 1),
    ("ENOENT", 2),
    ("ESRCH", 3),
    ("EIO", 5),
    ("EACCES", 13),
    ("EBUSY", 16),
    ("ENOTDIR", 20),
    ("EINVAL", 22),
    ("ENOPROTOOPT", 92),
    ("EOPNOTSUPP", 95),
];

/// Maps an errno name (`EINVAL`) to its number, for fixture `.errno` files.
pub(crate) fn errno_from_name(name: &str) -> Option<i32> {
    ERRNO_NAMES
        .iter()
        .find(|(n, _)| *n == name.trim())
        .map(|(_, v)| *v)
}

impl Root {
    /// The live system.
    pub fn live() -> Root {
        Root {
            base: PathBuf::from("/"),
            kind: RootKind::Live,
        }
    }

    /// A fixture directory shaped like `/`.
    pub fn fixture(dir: impl Into<PathBuf>) -> Root {
        Root {
            base: dir.into(),
            kind: RootKind::Fixture,
        }
    }

    /// Live or fixture.
    pub(crate) fn kind(&self) -> RootKind {
        self.kind
    }

    /// The base directory.
    pub(crate) fn base(&self) -> &Path {
        &self.base
    }

    /// A path below the root; `rel` is written without a leading slash.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.below("", rel)
    }

    /// `<base>/<dir>/<rel>` built in one allocation, with room left for one
    /// more short component (a caller may `push` a name without a realloc).
    fn below(&self, dir: &str, rel: &str) -> PathBuf {
        let rel = rel.trim_start_matches('/');
        let mut p = PathBuf::with_capacity(
            self.base.as_os_str().len() + dir.len() + rel.len() + 2 + PATH_SLACK,
        );
        self.join_into(&mut p, dir, rel);
        p
    }

    /// [`Root::path`] written into `out` (cleared first), so that a loop over
    /// many paths reuses one buffer.
    pub(crate) fn path_into(&self, rel: &str, out: &mut PathBuf) {
        self.join_into(out, "", rel.trim_start_matches('/'));
    }

    /// `<base>/<dir>/<rel>` joined by hand (`PathBuf::push` re-inspects the
    /// path at each step): one separator between non-empty parts, as `push`
    /// would put.
    fn join_into(&self, out: &mut PathBuf, dir: &str, rel: &str) {
        use std::os::unix::ffi::OsStrExt;
        let p = out.as_mut_os_string();
        p.clear();
        p.push(self.base.as_os_str());
        for part in [dir, rel] {
            if part.is_empty() {
                continue;
            }
            if !p.as_bytes().ends_with(b"/") {
                p.push("/");
            }
            p.push(part);
        }
    }

    /// A file of the calling process: `proc/self/<rel>`.
    pub(crate) fn proc_self(&self, rel: &str) -> PathBuf {
        self.below("proc/self", rel)
    }

    /// The directory of the calling process's threads: `proc/self/task`.
    pub(crate) fn proc_self_tasks(&self) -> PathBuf {
        self.path("proc/self/task")
    }

    /// A file of process 1 in this pid namespace: `proc/1/<rel>`.
    pub(crate) fn proc_init(&self, rel: &str) -> PathBuf {
        self.below("proc/1", rel)
    }

    /// A kernel tunable: `proc/sys/<rel>`.
    pub(crate) fn proc_sys(&self, rel: &str) -> PathBuf {
        self.below("proc/sys", rel)
    }

    /// The mount point of procfs itself.
    pub(crate) fn proc_dir(&self) -> PathBuf {
        self.path("proc")
    }

    /// A sysfs or securityfs file: `sys/<rel>`.
    pub(crate) fn sys(&self, rel: &str) -> PathBuf {
        self.below("sys", rel)
    }

    /// The device directory: `dev`.
    pub(crate) fn dev_dir(&self) -> PathBuf {
        self.path("dev")
    }

    /// Reads a whole file up to `limit` bytes, into `buf` (cleared first).
    ///
    /// Returns whether the file was longer than `limit`. A fixture `<name>.errno`
    /// sibling turns into the errno it names.
    pub(crate) fn read_into(
        &self,
        path: &Path,
        limit: usize,
        buf: &mut Vec<u8>,
    ) -> Result<bool, ReadError> {
        let opened = self.open_regular(None, path, path).map(|(f, _)| f);
        self.read_opened(path, opened, limit, buf)
    }

    /// Opens `rel` (relative to `dir`, or as is) for reading the way every
    /// read of the crate does: `O_NONBLOCK` (a FIFO opens at once instead of
    /// waiting for a writer, and is then refused), `O_NOCTTY`, `O_CLOEXEC`;
    /// then one `statx` of the descriptor: anything but a regular file (every
    /// procfs, sysfs, cgroupfs and securityfs file is one) is
    /// [`ReadError::NotRegular`], never read. Returns the file and, where the
    /// kernel reports it (`STATX_MNT_ID`, Linux 5.8+), the id of the mount
    /// it is on.
    fn open_regular(
        &self,
        dir: Option<&OwnedFd>,
        rel: &Path,
        path: &Path,
    ) -> Result<(File, Option<u64>), ReadError> {
        let io_err = |source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let fd = match dir {
            Some(d) => rustix::fs::openat(d, rel, READ_FLAGS, rustix::fs::Mode::empty()),
            None => rustix::fs::open(rel, READ_FLAGS, rustix::fs::Mode::empty()),
        }
        .map_err(|e| io_err(self.fixture_errno(path).unwrap_or_else(|| e.into())))?;
        let (mode, mnt_id) = inspect(&fd).map_err(io_err)?;
        if let Some(kind) = not_regular(mode) {
            return Err(ReadError::NotRegular {
                path: path.to_path_buf(),
                kind,
            });
        }
        Ok((File::from(fd), mnt_id))
    }

    /// Reads an opened file (or returns the failed open's error).
    fn read_opened(
        &self,
        path: &Path,
        opened: Result<File, ReadError>,
        limit: usize,
        buf: &mut Vec<u8>,
    ) -> Result<bool, ReadError> {
        buf.clear();
        let io_err = |source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = opened?;
        // Room up front, so that a small file takes one read and one read of
        // 0 (an empty Vec would be probed with 32-byte reads, one syscall each).
        buf.reserve(limit.saturating_add(1).min(READ_CHUNK));
        // Read one byte past the bound to learn whether the file is longer.
        let mut take = file.take(limit as u64 + 1);
        take.read_to_end(buf).map_err(io_err)?;
        if buf.len() > limit {
            buf.truncate(limit);
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads a file up to `limit`, failing with [`ReadError::TooLarge`] past it.
    pub(crate) fn read_bytes(&self, path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
        let mut buf = Vec::new();
        if self.read_into(path, limit, &mut buf)? {
            return Err(ReadError::TooLarge {
                path: path.to_path_buf(),
                limit,
            });
        }
        Ok(buf)
    }

    /// Reads a text file up to `limit`.
    pub(crate) fn read_text(&self, path: &Path, limit: usize) -> Result<String, ReadError> {
        let bytes = self.read_bytes(path, limit)?;
        String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8 {
            path: path.to_path_buf(),
        })
    }

    /// Reads a symbolic link's target as text.
    pub(crate) fn read_link(&self, path: &Path) -> Result<String, ReadError> {
        self.link_text(path, std::fs::read_link(path).map(PathBuf::into_os_string))
    }

    fn link_text(
        &self,
        path: &Path,
        target: io::Result<std::ffi::OsString>,
    ) -> Result<String, ReadError> {
        let target = target.map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source: self.fixture_errno(path).unwrap_or(source),
        })?;
        target.into_string().map_err(|_| ReadError::NotUtf8 {
            path: path.to_path_buf(),
        })
    }

    /// Opens `proc/self` once for a pass of reads (see [`Session`]).
    pub(crate) fn session(&self) -> Session<'_> {
        let proc_self_path = self.path("proc/self");
        let proc_self = nix::fcntl::open(
            &proc_self_path,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .ok();
        let mut session = Session {
            root: self,
            proc_self_path,
            proc_self,
            proc_dir_path: self.proc_dir(),
            proc_mnt: None,
            findings: RefCell::new(Vec::new()),
            scratch: Cell::new(Vec::new()),
        };
        if self.kind == RootKind::Live {
            session.verify_proc_self();
        }
        session
    }

    /// The cookie of the calling thread's network namespace
    /// (`getsockopt(SO_NETNS_COOKIE)` on an unbound socket, Linux 5.14+). A
    /// fixture holds the captured value as decimal text in
    /// [`Root::NETNS_COOKIE_FILE`] (or its `.errno` sibling).
    pub(crate) fn netns_cookie(&self) -> Result<u64, ReadError> {
        match self.kind {
            RootKind::Live => crate::sys::netns_cookie().map_err(|e| ReadError::Io {
                path: PathBuf::from("getsockopt(SO_NETNS_COOKIE)"),
                source: io::Error::from_raw_os_error(e as i32),
            }),
            RootKind::Fixture => {
                let path = self.path(Root::NETNS_COOKIE_FILE);
                let text = self.read_text(&path, 64)?;
                text.trim().parse().map_err(|_| ReadError::Io {
                    path,
                    source: io::Error::new(io::ErrorKind::InvalidData, "not a decimal cookie"),
                })
            }
        }
    }

    /// Where a fixture keeps the `SO_NETNS_COOKIE` value it was captured
    /// with: not a kernel file, since the kernel gives it only to a syscall.
    pub(crate) const NETNS_COOKIE_FILE: &'static str = ".posture/so_netns_cookie";

    /// Whether a path exists (one `stat`, following links). `Err` when the
    /// answer is unknown (permission denied and the like), never a guess.
    pub(crate) fn exists(&self, path: &Path) -> Result<bool, ReadError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match self.fixture_errno(path) {
                Some(e) => Err(ReadError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }),
                None => Ok(false),
            },
            Err(source) => Err(ReadError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Whether `path` is a Unix socket (one `stat`, following links, as a
    /// client connecting to it would). A fixture cannot hold a socket, so there
    /// a regular file stands for one. `Ok(false)` when absent or another kind
    /// of file; `Err` when the answer is unknown.
    pub(crate) fn is_socket(&self, path: &Path) -> Result<bool, ReadError> {
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata(path) {
            Ok(m) => Ok(m.file_type().is_socket()
                || (self.kind == RootKind::Fixture && m.file_type().is_file())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            // A component that is a file, not a directory: nothing there.
            Err(e) if e.raw_os_error() == Some(20) => Ok(false),
            Err(source) => Err(ReadError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn fixture_errno(&self, path: &Path) -> Option<io::Error> {
        if self.kind != RootKind::Fixture {
            return None;
        }
        let mut name = path.file_name()?.to_os_string();
        name.push(".errno");
        let text = std::fs::read_to_string(path.with_file_name(name)).ok()?;
        errno_from_name(&text).map(io::Error::from_raw_os_error)
    }
}

/// One pass of reads over a [`Root`], as one `posture()` call makes them.
///
/// It holds `proc/self` open as a directory (`O_PATH`), so every file below it
/// is opened with `openat(2)` relative to that descriptor: the kernel does not
/// walk `/proc`, resolve the `self` link and look up the pid again for each
/// file, and every file comes from the same process directory even if
/// `/proc/self` were remounted between reads. Paths outside `proc/self` (and
/// every path, when the directory could not be opened) are opened as usual.
/// Errors name the same paths as [`Root`]'s own methods, and fixture
/// `.errno` files work the same way.
///
/// It also keeps one scratch buffer for the pass: every file is read into it
/// and only what the caller keeps is copied out, at its own size (a parse
/// through [`Session::with_text`] copies nothing), so a call makes one large
/// buffer instead of one per file.
pub(crate) struct Session<'r> {
    root: &'r Root,
    proc_self_path: PathBuf,
    proc_self: Option<OwnedFd>,
    /// `proc`, below the root.
    proc_dir_path: PathBuf,
    /// The mount id of `/proc` (live root, Linux 5.8+): every file of
    /// `/proc/self` must be on that mount.
    proc_mnt: Option<u64>,
    /// What the kernel's answers contradicted in `/proc` during this pass
    /// (live root only); see [`Session::findings`].
    findings: RefCell<Vec<String>>,
    /// Taken while a read uses it (a nested read finds it empty and grows its
    /// own), put back after.
    scratch: Cell<Vec<u8>>,
}

impl Session<'_> {
    /// The root read from.
    pub(crate) fn root(&self) -> &Root {
        self.root
    }

    /// Live root: learns `/proc`'s mount id and checks that `/proc/self` is
    /// on that mount. A directory mounted over `/proc/<pid>` (another
    /// process's, or a crafted one) is a mount of its own, so its id differs
    /// even when it is a real procfs directory. Where the kernel does not
    /// report mount ids (before 5.8), each file's filesystem type is checked
    /// instead (see [`Session::verify`]).
    fn verify_proc_self(&mut self) {
        self.proc_mnt = match mount_id(None, &self.proc_dir_path, false) {
            Ok(m) => m,
            Err(e) => {
                self.finding(format!("statx({}): {e}", self.proc_dir_path.display()));
                None
            }
        };
        let (Some(proc_mnt), Some(fd)) = (self.proc_mnt, self.proc_self.as_ref()) else {
            return;
        };
        match mount_id(Some(fd), Path::new(""), false) {
            Ok(Some(m)) if m != proc_mnt => {
                self.finding(format!(
                    "{} is on mount {m}, {} on mount {proc_mnt}: something is mounted over this process's directory",
                    self.proc_self_path.display(),
                    self.proc_dir_path.display()
                ));
                // Nothing below it may be read as this process's.
                self.proc_self = None;
            }
            Ok(_) => {}
            Err(e) => self.finding(format!("statx({}): {e}", self.proc_self_path.display())),
        }
    }

    fn finding(&self, what: String) {
        let mut f = self.findings.borrow_mut();
        if !f.contains(&what) {
            f.push(what);
        }
    }

    /// What the kernel's own answers contradicted in `/proc` so far in this
    /// pass (a file of `/proc/self` on another mount or filesystem), each
    /// naming the file. Empty for a fixture root.
    pub(crate) fn findings(&self) -> Vec<String> {
        self.findings.borrow().clone()
    }

    /// Live root: whether `proc/self` and `proc/<pid>` are the same
    /// directory (device and inode): a procfs of another pid namespace over
    /// `/proc` resolves `self` to another number, or to nothing.
    pub(crate) fn self_is_pid(&self, pid: u32) -> Result<bool, ReadError> {
        let by_pid = self.root.path(&format!("proc/{pid}"));
        let io_err = |path: &Path, e: rustix::io::Errno| ReadError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        };
        let own = match self.proc_self.as_ref() {
            Some(fd) => rustix::fs::fstat(fd),
            None => rustix::fs::stat(&self.proc_self_path),
        }
        .map_err(|e| io_err(&self.proc_self_path, e))?;
        let other = rustix::fs::stat(&by_pid).map_err(|e| io_err(&by_pid, e))?;
        Ok(own.st_dev == other.st_dev && own.st_ino == other.st_ino)
    }

    /// Records a contradiction found by a caller (the probe's cross-checks).
    pub(crate) fn contradiction(&self, what: String) {
        self.finding(what);
    }

    /// Whether `path` is below `proc` (live root), and below `proc/self`.
    fn proc_scope(&self, path: &Path) -> (bool, bool) {
        use std::os::unix::ffi::OsStrExt;
        if self.root.kind != RootKind::Live {
            return (false, false);
        }
        let p = path.as_os_str().as_bytes();
        let below = |dir: &Path| {
            p.strip_prefix(dir.as_os_str().as_bytes())
                .is_some_and(|rest| rest.first() == Some(&b'/'))
        };
        let in_self = below(&self.proc_self_path);
        (in_self || below(&self.proc_dir_path), in_self)
    }

    /// Live root: a file below `/proc` must be this process's procfs file.
    /// Below `/proc/self` it must be on `/proc`'s own mount (so a bind mount
    /// of another process's file, or of any other file, over it is refused);
    /// elsewhere below `/proc` (where runtimes bind `/proc/sys` read-only
    /// over itself) it must be on a procfs. Where the mount id is not
    /// reported, the filesystem type decides (`fstatfs` on the descriptor).
    fn verify(&self, path: &Path, fd: &File, mnt_id: Option<u64>) -> Result<(), ReadError> {
        let (in_proc, in_self) = self.proc_scope(path);
        if !in_proc {
            return Ok(());
        }
        let untrusted = |reason: String| {
            self.finding(format!("{}: {reason}", path.display()));
            Err(ReadError::Untrusted {
                path: path.to_path_buf(),
                reason,
            })
        };
        if let (Some(m), Some(proc_mnt)) = (mnt_id, self.proc_mnt) {
            if m == proc_mnt {
                return Ok(());
            }
            if in_self {
                return untrusted(format!(
                    "on mount {m}, not {}'s mount {proc_mnt} (something is mounted over it)",
                    self.proc_dir_path.display()
                ));
            }
        }
        match fd_fs_type(fd) {
            Ok(PROC_SUPER_MAGIC) => Ok(()),
            Ok(magic) => untrusted(format!("on filesystem {magic:#x}, not procfs")),
            Err(e) => untrusted(format!("fstatfs: {e}")),
        }
    }

    /// Live root: a namespace link below `/proc/self` must be a symbolic link
    /// on `/proc`'s own mount (one `statx` without following it).
    fn verify_link(&self, path: &Path, fd: &OwnedFd, rel: &Path) -> Result<(), ReadError> {
        let Some(proc_mnt) = self.proc_mnt else {
            return Ok(());
        };
        match mount_id(Some(fd), rel, true) {
            Ok(Some(m)) if m != proc_mnt => {
                let reason = format!(
                    "on mount {m}, not {}'s mount {proc_mnt} (something is mounted over it)",
                    self.proc_dir_path.display()
                );
                self.finding(format!("{}: {reason}", path.display()));
                Err(ReadError::Untrusted {
                    path: path.to_path_buf(),
                    reason,
                })
            }
            _ => Ok(()),
        }
    }

    /// The part of `path` below `proc/self`, when the directory is open.
    fn below_proc_self<'p>(&self, path: &'p Path) -> Option<(&OwnedFd, &'p Path)> {
        use std::os::unix::ffi::OsStrExt;
        let fd = self.proc_self.as_ref()?;
        // A byte comparison: paths here are built by `Root`, one separator
        // between components, so `Path::strip_prefix`'s component walk (a
        // large share of a call's user time) is not needed.
        let rel = path
            .as_os_str()
            .as_bytes()
            .strip_prefix(self.proc_self_path.as_os_str().as_bytes())?
            .strip_prefix(b"/")?;
        // Never an absolute rest (`openat` would ignore the directory).
        (!rel.is_empty() && rel[0] != b'/')
            .then(|| (fd, Path::new(std::ffi::OsStr::from_bytes(rel))))
    }

    fn open(&self, path: &Path) -> Result<File, ReadError> {
        let (file, mnt_id) = match self.below_proc_self(path) {
            Some((fd, rel)) => self.root.open_regular(Some(fd), rel, path)?,
            None => self.root.open_regular(None, path, path)?,
        };
        self.verify(path, &file, mnt_id)?;
        Ok(file)
    }

    /// [`Root::read_into`].
    pub(crate) fn read_into(
        &self,
        path: &Path,
        limit: usize,
        buf: &mut Vec<u8>,
    ) -> Result<bool, ReadError> {
        self.root.read_opened(path, self.open(path), limit, buf)
    }

    /// Reads `path` into the scratch buffer and hands `f` the bytes and
    /// whether the file was longer than `limit`.
    fn with_scratch<R>(
        &self,
        path: &Path,
        limit: usize,
        f: impl FnOnce(&[u8], bool) -> Result<R, ReadError>,
    ) -> Result<R, ReadError> {
        let mut buf = self.scratch.take();
        let r = self
            .read_into(path, limit, &mut buf)
            .and_then(|truncated| f(&buf, truncated));
        self.scratch.set(buf);
        r
    }

    /// [`Root::read_bytes`].
    pub(crate) fn read_bytes(&self, path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
        self.with_scratch(path, limit, |data, truncated| {
            if truncated {
                return Err(ReadError::TooLarge {
                    path: path.to_path_buf(),
                    limit,
                });
            }
            Ok(data.to_vec())
        })
    }

    /// Reads a text file up to `limit` (failing past it, as
    /// [`Root::read_text`] does) and passes the text to `f`, without copying it.
    pub(crate) fn with_text<R>(
        &self,
        path: &Path,
        limit: usize,
        f: impl FnOnce(&str) -> R,
    ) -> Result<R, ReadError> {
        self.with_scratch(path, limit, |data, truncated| {
            if truncated {
                return Err(ReadError::TooLarge {
                    path: path.to_path_buf(),
                    limit,
                });
            }
            std::str::from_utf8(data)
                .map(f)
                .map_err(|_| ReadError::NotUtf8 {
                    path: path.to_path_buf(),
                })
        })
    }

    /// [`Root::read_text`].
    pub(crate) fn read_text(&self, path: &Path, limit: usize) -> Result<String, ReadError> {
        self.with_text(path, limit, str::to_owned)
    }

    /// Reads `path` up to `limit` and passes `f` the bytes and whether the
    /// file was longer (no copy).
    pub(crate) fn with_capped<R>(
        &self,
        path: &Path,
        limit: usize,
        f: impl FnOnce(&[u8], bool) -> R,
    ) -> Result<R, ReadError> {
        self.with_scratch(path, limit, |data, truncated| Ok(f(data, truncated)))
    }

    /// [`Root::read_link`].
    pub(crate) fn read_link(&self, path: &Path) -> Result<String, ReadError> {
        let target = match self.below_proc_self(path) {
            Some((fd, rel)) => {
                self.verify_link(path, fd, rel)?;
                nix::fcntl::readlinkat(fd, rel).map_err(io::Error::from)
            }
            None => std::fs::read_link(path).map(PathBuf::into_os_string),
        };
        self.root.link_text(path, target)
    }

    /// Reads a symbolic link below `proc/self` into a stack buffer and passes
    /// its target to `f` (no allocation); anything else, a failure or a long
    /// or non-UTF-8 target goes through [`Session::read_link`], which reports it.
    pub(crate) fn with_link<R>(
        &self,
        path: &Path,
        f: impl FnOnce(&str) -> R,
    ) -> Result<R, ReadError> {
        if let Some((fd, rel)) = self.below_proc_self(path) {
            self.verify_link(path, fd, rel)?;
            let mut buf = [0u8; 128];
            if let Ok(n) = rustix::fs::readlinkat_raw(fd, rel, &mut buf[..])
                && n < buf.len()
                && let Ok(t) = std::str::from_utf8(&buf[..n])
            {
                return Ok(f(t));
            }
        }
        self.read_link(path).map(|t| f(&t))
    }

    /// [`Root::exists`].
    pub(crate) fn exists(&self, path: &Path) -> Result<bool, ReadError> {
        self.root.exists(path)
    }

    /// Calls `f` with each name in a directory (not `.` and `..`, not fixture
    /// bookkeeping files, not names that are not UTF-8), at most `limit` of
    /// them, without allocating a name or sorting. Returns how many names were
    /// passed and whether the listing was cut at `limit`.
    pub(crate) fn scan_dir(
        &self,
        path: &Path,
        limit: usize,
        mut f: impl FnMut(&str),
    ) -> Result<(usize, bool), ReadError> {
        let io_err = |source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        };
        // getdents64 straight into the scratch buffer: no opendir (which
        // would fstat, fcntl twice, allocate 32 KiB and lseek on close).
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let opened = match self.below_proc_self(path) {
            Some((fd, rel)) => rustix::fs::openat(fd, rel, flags, rustix::fs::Mode::empty()),
            None => rustix::fs::open(path, flags, rustix::fs::Mode::empty()),
        };
        let fd = opened.map_err(|e| {
            io_err(
                self.root
                    .fixture_errno(path)
                    .unwrap_or_else(|| io::Error::from(e)),
            )
        })?;
        let mut buf = self.scratch.take();
        buf.clear();
        buf.reserve(DIR_BUF);
        let fixture = self.root.kind == RootKind::Fixture;
        let mut n = 0;
        let mut dir = rustix::fs::RawDir::new(&fd, buf.spare_capacity_mut());
        let result = loop {
            let entry = match dir.next() {
                None => break Ok((n, false)),
                Some(Err(e)) => break Err(io_err(io::Error::from(e))),
                Some(Ok(entry)) => entry,
            };
            let Ok(name) = entry.file_name().to_str() else {
                continue;
            };
            if name == "." || name == ".." {
                continue;
            }
            if fixture && (name.ends_with(".errno") || name == ".keep") {
                continue;
            }
            if n == limit {
                break Ok((n, true));
            }
            n += 1;
            f(name);
        };
        self.scratch.set(buf);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_below_the_base() {
        let r = Root::fixture("/tmp/x");
        assert_eq!(
            r.proc_self("status"),
            PathBuf::from("/tmp/x/proc/self/status")
        );
        assert_eq!(r.path("/.dockerenv"), PathBuf::from("/tmp/x/.dockerenv"));
        assert_eq!(
            Root::live().sys("fs/selinux/enforce"),
            PathBuf::from("/sys/fs/selinux/enforce")
        );
    }

    #[test]
    fn errno_names_map() {
        assert_eq!(errno_from_name("EINVAL\n"), Some(22));
        assert_eq!(errno_from_name("EWHAT"), None);
    }

    #[test]
    fn fixture_errno_file_becomes_the_error() {
        let dir = std::env::temp_dir().join(format!("posture-root-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("current.errno"), "EINVAL\n").unwrap();
        std::fs::write(dir.join("big"), vec![b'x'; 100]).unwrap();
        let r = Root::fixture(&dir);
        let e = r.read_bytes(&dir.join("current"), 10).unwrap_err();
        assert_eq!(e.errno(), Some(22));
        assert!(e.to_string().contains("current"), "{e}");
        let mut data = Vec::new();
        assert!(r.read_into(&dir.join("big"), 10, &mut data).unwrap());
        assert_eq!(data.len(), 10);
        assert!(matches!(
            r.read_bytes(&dir.join("big"), 10),
            Err(ReadError::TooLarge { limit: 10, .. })
        ));
        // A live root never invents errors from .errno files.
        let live = Root {
            base: dir.clone(),
            kind: RootKind::Live,
        };
        assert_eq!(
            live.read_bytes(&dir.join("current"), 10)
                .unwrap_err()
                .errno(),
            Some(2)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

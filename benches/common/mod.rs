//! What the benches share.
#![allow(dead_code)] // each bench uses part of it

use std::io::Read;
use std::path::Path;

/// open, read until EOF (or the buffer is full), close: nothing else.
pub fn read_plain(path: impl AsRef<Path>, buf: &mut [u8]) -> usize {
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0;
    };
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

/// What every read of `posture()` must do since it refuses FIFOs, devices
/// and files mounted over `/proc`: open (non-blocking), one `statx` of the
/// descriptor for its type and mount id, read until EOF, close.
pub fn read_checked(path: impl AsRef<Path>, buf: &mut [u8]) -> usize {
    use rustix::fs::{AtFlags, OFlags, StatxFlags};
    let Ok(fd) = rustix::fs::open(
        path.as_ref(),
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    ) else {
        return 0;
    };
    let st = rustix::fs::statx(
        &fd,
        c"",
        AtFlags::EMPTY_PATH,
        StatxFlags::TYPE | StatxFlags::MNT_ID,
    );
    let mut f = std::fs::File::from(fd);
    let mut n = st.map_or(0, |s| s.stx_mnt_id as usize & 1);
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

/// The kernel's direct answers `posture()` holds `/proc/self` against: the
/// mount ids of `/proc` and `/proc/self`, `getpid`, `gettid`, `getresuid`,
/// `getresgid`, `PR_GET_NO_NEW_PRIVS`, `capget`, `PR_CAPBSET_READ` and
/// `PR_CAP_AMBIENT_IS_SET` per capability, and `/proc/self` against
/// `/proc/<pid>` (two stats).
pub fn kernel_view() -> usize {
    use rustix::fs::{AtFlags, StatxFlags};
    use rustix::thread::CapabilitySet;
    let mut n = 0usize;
    for p in ["/proc", "/proc/self"] {
        n += rustix::fs::statx(rustix::fs::CWD, p, AtFlags::empty(), StatxFlags::MNT_ID)
            .map_or(0, |s| s.stx_mnt_id as usize & 1);
    }
    n += nix::unistd::getpid().as_raw() as usize & 1;
    n += nix::unistd::gettid().as_raw() as usize & 1;
    n += nix::unistd::getresuid().is_ok() as usize;
    n += nix::unistd::getresgid().is_ok() as usize;
    n += nix::sys::prctl::get_no_new_privs().is_ok() as usize;
    n += rustix::thread::capabilities(None).is_ok() as usize;
    for is_set in [
        rustix::thread::capability_is_in_bounding_set as fn(CapabilitySet) -> _,
        rustix::thread::capability_is_in_ambient_set,
    ] {
        for b in 0..64u32 {
            match is_set(CapabilitySet::from_bits_retain(1 << b)) {
                Ok(v) => n += v as usize,
                Err(_) => break,
            }
        }
    }
    let pid = format!("/proc/{}", std::process::id());
    n += std::fs::metadata("/proc/self").is_ok() as usize;
    n += std::fs::metadata(pid).is_ok() as usize;
    n
}

/// A namespace link as `posture()` reads it: `statx` of the link itself (its
/// mount id), then `readlink`.
pub fn read_link_checked(path: impl AsRef<Path>) -> usize {
    use rustix::fs::{AtFlags, StatxFlags};
    let n = rustix::fs::statx(
        rustix::fs::CWD,
        path.as_ref(),
        AtFlags::SYMLINK_NOFOLLOW,
        StatxFlags::MNT_ID,
    )
    .map_or(0, |s| s.stx_mnt_id as usize & 1);
    n + std::fs::read_link(path).map_or(0, |t| t.as_os_str().len())
}

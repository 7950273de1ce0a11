//! The crate's one module with `unsafe`: kernel calls that no safe crate
//! wraps. Each block says why it is sound.
//!
//! * `getsockopt(SO_NETNS_COOKIE)` (Linux 5.14+): the 64-bit cookie of the
//!   network namespace a socket belongs to. Neither nix nor rustix has this
//!   option, and their generic getters take only their own option types.

use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::libc;
use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};

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
pub(crate) fn netns_cookie() -> Result<u64, Errno> {
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
mod tests {
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

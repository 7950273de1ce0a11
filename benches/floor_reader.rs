//! The floor of one `posture()` call as a process of its own, for the
//! whole-process comparison in `benches/compare-capsh.sh`: it makes the
//! syscalls a `posture()` call makes on this machine (the list comes from the
//! `posture` bench, `POSTURE_BENCH_PRINT_FLOOR=1`) with plain
//! open/read/close, and parses and prints nothing.
//!
//! Each argument is one operation:
//! `r:PATH` read to the end, `l:PATH` readlink, `s:PATH` lstat,
//! `S:PATH` stat (following links), `f:PATH` statfs, `d:PATH` list a
//! directory, `t:PATH` list a task directory and read every other thread's
//! status, `p:` read the securebits, `k:` ask the kernel what `posture()`
//! holds `/proc/self` against. Reads and readlinks are made as `posture()`
//! makes them since it refuses FIFOs and files mounted over `/proc`: with a
//! `statx` of each descriptor or link for its type and mount id.

mod common;
use common::read_checked;

fn main() {
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0usize;
    for op in std::env::args().skip(1) {
        let Some((kind, path)) = op.split_once(':') else {
            continue;
        };
        n += match kind {
            "r" => read_checked(path, &mut buf),
            "l" => common::read_link_checked(path),
            "s" => std::fs::symlink_metadata(path).is_ok() as usize,
            "S" => std::fs::metadata(path).is_ok() as usize,
            "f" => rustix::fs::statfs(path).is_ok() as usize,
            "d" => std::fs::read_dir(path).map_or(0, |d| d.count()),
            "t" => {
                let me = std::process::id().to_string();
                let mut k = 0;
                for e in std::fs::read_dir(path).into_iter().flatten().flatten() {
                    if e.file_name() != me.as_str() {
                        k += read_checked(
                            format!("{path}/{}/status", e.file_name().to_string_lossy()),
                            &mut buf,
                        );
                    }
                }
                k
            }
            "p" => rustix::thread::capabilities_secure_bits().is_ok() as usize,
            "k" => common::kernel_view(),
            _ => 0,
        };
    }
    std::hint::black_box(n);
}

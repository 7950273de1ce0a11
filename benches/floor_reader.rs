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
//! status, `p:` read the securebits.

mod common;
use common::read_plain;

fn main() {
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0usize;
    for op in std::env::args().skip(1) {
        let Some((kind, path)) = op.split_once(':') else {
            continue;
        };
        n += match kind {
            "r" => read_plain(path, &mut buf),
            "l" => std::fs::read_link(path).map_or(0, |t| t.as_os_str().len()),
            "s" => std::fs::symlink_metadata(path).is_ok() as usize,
            "S" => std::fs::metadata(path).is_ok() as usize,
            "f" => rustix::fs::statfs(path).is_ok() as usize,
            "d" => std::fs::read_dir(path).map_or(0, |d| d.count()),
            "t" => {
                let me = std::process::id().to_string();
                let mut k = 0;
                for e in std::fs::read_dir(path).into_iter().flatten().flatten() {
                    if e.file_name() != me.as_str() {
                        k += read_plain(
                            format!("{path}/{}/status", e.file_name().to_string_lossy()),
                            &mut buf,
                        );
                    }
                }
                k
            }
            "p" => rustix::thread::capabilities_secure_bits().is_ok() as usize,
            _ => 0,
        };
    }
    std::hint::black_box(n);
}

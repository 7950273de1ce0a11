//! What the syscall probe costs, and where the time goes.
//!
//! * `syscalls/probe`: one `posture::syscalls::probe()` end to end (one
//!   forked child making the 26 calls and the real `unshare(CLONE_NEWUSER)`,
//!   the pipe, the reap, the two `/proc` reads).
//! * `syscalls/probe_no_userns`: the same without the real
//!   `unshare(CLONE_NEWUSER)` (creating a user namespace is most of a
//!   child's kernel time).
//! * `syscalls/fork_reap`: the floor: fork a child that `_exit`s at once and
//!   reap it (`std::process::Command` cannot fork without exec, so this is
//!   `/bin/true` spawned and waited, an upper bound of the floor).
//! * `syscalls/probe_rss_64m`: the probe with 64 MiB of touched heap in the
//!   caller: fork copies the page tables, so the cost grows with the
//!   caller's resident memory.
//! * `syscalls/posture`: `posture()` alone, for scale.
//!
//! ```text
//! cargo bench --bench syscalls
//! ```

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use criterion::Criterion;
use posture::syscalls::{Options, probe, probe_with};

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut g = c.benchmark_group("syscalls");
    g.bench_function("probe", |b| b.iter(|| black_box(probe())));
    let no_userns = Options::default().attempt_user_namespace(false);
    g.bench_function("probe_no_userns", |b| {
        b.iter(|| black_box(probe_with(&no_userns)))
    });
    g.bench_function("fork_reap", |b| {
        b.iter(|| {
            let st = Command::new("/bin/true").status().expect("spawn /bin/true");
            assert!(st.success());
        })
    });
    g.bench_function("posture", |b| b.iter(|| black_box(posture::posture())));
    {
        let mut heap = vec![0u8; 64 << 20];
        for i in (0..heap.len()).step_by(4096) {
            heap[i] = 1;
        }
        g.bench_function("probe_rss_64m", |b| b.iter(|| black_box(probe())));
        black_box(&heap);
    }
    g.finish();
    c.final_summary();
}

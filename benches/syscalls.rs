//! What the syscall probe costs, and where the time goes.
//!
//! * `syscalls/probe`: one `posture::syscalls::probe()` end to end (one
//!   child making the 26 calls and the real `unshare(CLONE_NEWUSER)`, the
//!   pipe, the reap, the two `/proc` reads).
//! * `syscalls/probe_no_userns`: the same without the real
//!   `unshare(CLONE_NEWUSER)` (creating a user namespace is most of a
//!   child's kernel time).
//! * `syscalls/fork_reap`: the floor of a `fork`: `/bin/true` spawned and
//!   waited (`std::process::Command` cannot fork without exec, so this is an
//!   upper bound of it).
//! * `syscalls/probe_rss_64m`, `syscalls/probe_rss_1g`: the probe with 64 MiB
//!   and 1 GiB of touched heap in the caller. A `fork`ed child copies the
//!   caller's page tables, so its cost grows with the caller's resident
//!   memory; the probe's child shares the caller's memory (`clone` with
//!   `CLONE_VM` on a stack of its own, on Linux 5.16 and later), so it
//!   should cost what `syscalls/probe` does.
//! * `syscalls/posture`: `posture()` alone, for scale.
//!
//! ```text
//! cargo bench --bench syscalls
//! cargo bench --bench syscalls -- probe_rss
//! ```

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use criterion::Criterion;
use posture::syscalls::{Options, probe, probe_with};

/// A heap block of `bytes` with every page written, so that it is resident
/// and mapped by the caller's page tables.
fn touched_heap(bytes: usize) -> Vec<u8> {
    let mut heap = vec![0u8; bytes];
    for i in (0..heap.len()).step_by(4096) {
        heap[i] = 1;
    }
    black_box(heap)
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut g = c.benchmark_group("syscalls");
    g.bench_function("probe", |b| b.iter(|| black_box(probe())));
    let mut no_userns = Options::default();
    no_userns.attempt_user_namespace = false;
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
    // A forked probe takes a quarter of a second with 1 GiB resident: ten
    // samples keep the run short either way.
    g.sample_size(10);
    for (name, bytes) in [("probe_rss_64m", 64usize << 20), ("probe_rss_1g", 1 << 30)] {
        let heap = touched_heap(bytes);
        g.bench_function(name, |b| b.iter(|| black_box(probe())));
        black_box(&heap);
        drop(heap);
    }
    g.finish();
    c.final_summary();
}

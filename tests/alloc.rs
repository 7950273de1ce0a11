//! Heap allocations of one `posture()` call, counted by a global allocator.
//!
//! Budget: `180 + 2 × mounts`. Measured on the development host
//! (2026-11-28; 23 mounts, 110 `/dev` entries, one thread, hybrid cgroups):
//! 166 allocations (budget 226); the podman-default fixture (30 mounts): 203
//! (budget 240). Was 784 before the probes read into one scratch buffer and
//! parsed small files in place, and 417 before the mount table kept its text
//! in one shared buffer (one allocation for the whole table; a mount in the
//! report's writable or host lists shares it). What is left per mount is the
//! odd evidence text (a sensitive host mount, a socket); the fixed part is
//! facts, evidence texts, paths and the unknowns of files absent here. Run
//! with `--nocapture` to see the counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static COUNT: AtomicUsize = AtomicUsize::new(0);
static ON: AtomicBool = AtomicBool::new(false);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if ON.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Fixed part (status, ids, capability sets, namespaces, LSM, cgroups,
/// runtime evidence, error texts of the files that are absent here).
const FIXED_BUDGET: usize = 180;
/// Per mount in mountinfo.
const PER_MOUNT_BUDGET: usize = 2;
/// Per reason the mount table is incomplete: the sentence naming the path
/// and the error. Run as a user other than root, every runtime socket path
/// under a directory only root may search (`/var/lib/docker`, `/run/containerd`)
/// is one (15 on the development machine), so the same call makes more
/// allocations than as root.
const PER_INCOMPLETE_BUDGET: usize = 6;

fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    COUNT.store(0, Ordering::SeqCst);
    ON.store(true, Ordering::SeqCst);
    let v = f();
    ON.store(false, Ordering::SeqCst);
    (COUNT.load(Ordering::SeqCst), v)
}

// One test function: the counter is process-wide, so no other test may run
// alongside.
#[test]
fn one_posture_call_stays_within_its_allocation_budget() {
    // Warm up lazily initialised state (std's thread info, nix's statics).
    drop(posture::posture());
    let (n, report) = count(posture::posture);
    let mounts = report.mounts.known().map(|m| m.count).unwrap_or(0);
    let incomplete = report.mounts.known().map_or(0, |m| m.incomplete.len());
    let budget = FIXED_BUDGET + PER_MOUNT_BUDGET * mounts + PER_INCOMPLETE_BUDGET * incomplete;
    println!(
        "posture(): {n} allocations ({mounts} mounts, {incomplete} reasons the table is incomplete; budget {budget})"
    );
    assert!(
        mounts > 0,
        "the live mount table was not read: {:?}",
        report.mounts
    );
    assert!(
        n <= budget,
        "{n} allocations for one posture() call, budget {budget} ({mounts} mounts, {incomplete} incomplete)"
    );

    // A fixture of a container (podman default) for a number independent of
    // this host.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/podman-default");
    let root = posture::Root::fixture(dir);
    drop(posture::posture_with_root(&root));
    let (n, report) = count(|| posture::posture_with_root(&root));
    let mounts = report.mounts.known().map(|m| m.count).unwrap_or(0);
    let budget = FIXED_BUDGET + PER_MOUNT_BUDGET * mounts;
    println!("podman-default fixture: {n} allocations ({mounts} mounts; budget {budget})");
    assert!(mounts > 0);
    assert!(n <= budget, "{n} allocations, budget {budget}");

    // Parsing alone: the same few allocations at 10 and at 2,000 mounts (the
    // shared text, the list of mounts, the spans before it).
    for n in [10usize, 2_000] {
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "{} 1 0:{i} / /mnt/t{i} rw,nosuid shared:{i} - tmpfs tmpfs rw,size=4k\n",
                    i + 2
                )
            })
            .collect();
        let (k, table) = count(|| posture::__private::parse::mountinfo::MountTable::parse(&text));
        println!("MountTable::parse of {n} lines: {k} allocations");
        assert_eq!(table.mounts.len(), n);
        assert!(k <= 4, "{k} allocations to parse {n} lines");
        // The analysis lists every one as writable (a shared mount, not a
        // copy) and searches each tmpfs for sockets without building paths:
        // only its lists grow, by doubling.
        let (k, m) = count(|| posture::__private::mounts::analyse_with(table, false, |_| None));
        println!("analyse_with of {n} mounts: {k} allocations");
        assert_eq!(m.writable.len(), n);
        assert!(k <= 40, "{k} allocations to analyse {n} mounts");
        let (k, found) = count(|| {
            let mut found = 0;
            posture::__private::mounts::for_each_socket_candidate(&m.table, &[], |_, _| found += 1);
            found
        });
        println!("socket candidates of {n} mounts: {k} allocations");
        assert!(found > n.min(posture::__private::mounts::SOCKET_SEARCH_MOUNTS));
        assert!(k <= 2, "{k} allocations to list socket candidates");
    }
}

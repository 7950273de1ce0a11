//! `posture()` from many threads at once, and per-thread state.

use std::process::Command;
use std::sync::{Arc, Barrier, mpsc};

use posture::{Fact, Report};

/// The report without the fields that legitimately differ between calls made
/// at the same moment from different threads (how many threads exist and
/// which of them exited between listing and reading).
fn stable(r: &Report) -> Report {
    let mut r = r.clone();
    r.threads = Fact::unknown("threads", "varies between concurrent calls");
    r
}

#[test]
fn concurrent_calls_agree() {
    const N: usize = 16;
    let barrier = Arc::new(Barrier::new(N));
    let handles: Vec<_> = (0..N)
        .map(|_| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                (0..5).map(|_| posture::posture()).collect::<Vec<_>>()
            })
        })
        .collect();
    let reports: Vec<Report> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("posture() panicked in a thread"))
        .collect();
    let first = stable(&reports[0]);
    assert!(first.capabilities.effective.known().is_some(), "{first:?}");
    for r in &reports {
        assert_eq!(stable(r), first);
        let t = r.threads.known().expect("task listing readable");
        // Every thread here runs with the same credentials: none differs.
        assert!(t.differing.is_empty(), "{:?}", t.differing);
        assert!(t.unreadable.is_empty(), "{:?}", t.unreadable);
        assert!(t.count >= 1);
    }
}

const CHILD: &str = "POSTURE_THREADS_NNP_CHILD";

/// Re-executes this test binary to run `child_sets_nnp_in_one_thread`:
/// no_new_privs cannot be cleared once set, so it must not touch this
/// process.
#[test]
fn a_thread_with_no_new_privs_is_reported_as_differing() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_sets_nnp_in_one_thread", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("CHILD-OK"),
        "the child did not run: {stdout}"
    );
}

#[test]
fn child_sets_nnp_in_one_thread() {
    if std::env::var_os(CHILD).is_none() {
        return; // only meaningful in the re-executed child
    }
    assert!(!nix::sys::prctl::get_no_new_privs().unwrap(), "already set");
    let (tid_tx, tid_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        nix::sys::prctl::set_no_new_privs().unwrap();
        tid_tx.send(nix::unistd::gettid().as_raw() as u32).unwrap();
        done_rx.recv().unwrap();
    });
    let tid = tid_rx.recv().unwrap();
    let r = posture::posture();
    done_tx.send(()).unwrap();
    t.join().unwrap();

    // The main thread's flag is off, and the report says so …
    let nnp = r.no_new_privs.known().expect("no_new_privs known");
    assert!(!nnp.enabled);
    // … and names the one thread where it is on.
    let threads = r.threads.known().expect("threads known");
    let d = threads
        .differing
        .iter()
        .find(|d| d.tid == tid)
        .unwrap_or_else(|| panic!("thread {tid} not in differing: {threads:?}"));
    assert_eq!(d.no_new_privs, Some(true));
    assert_eq!(d.seccomp, None);
    assert_eq!(d.effective, None);
    println!("CHILD-OK");
}

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

/// no_new_privs cannot be cleared once set, so the thread that sets it must
/// not live in this test process: the test re-executes its own binary,
/// selecting only itself, with `CHILD` set, and in that child (the only
/// process that takes the second branch) sets the flag in one thread and
/// reads the report. Both runs are this one test: a normal `cargo test`
/// runs the parent, and the parent fails unless the child ran and passed.
#[test]
fn a_thread_with_no_new_privs_is_reported_as_differing() {
    if std::env::var_os(CHILD).is_some() {
        set_nnp_in_one_thread_and_check_the_report();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_thread_with_no_new_privs_is_reported_as_differing",
            "--nocapture",
            "--test-threads=1",
        ])
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
        stdout.contains("CHILD-OK") && stdout.contains("1 passed"),
        "the child did not run the test: {stdout}"
    );
}

/// The child's half: runs only in the re-executed process.
fn set_nnp_in_one_thread_and_check_the_report() {
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

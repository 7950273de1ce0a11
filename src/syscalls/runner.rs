//! The runner: starts a probe child on a plan, reads its records from the
//! pipe within the bound, and kills and reaps it.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use super::ProbeError;
use crate::report::Errno;
use crate::sys;

/// How one child ended.
pub(super) enum End {
    /// It wrote its end record and exited.
    Finished,
    /// Killed by a signal.
    Signaled(i32),
    /// Exited without its end record.
    Exited(i32),
    /// No answer within the bound; killed and reaped.
    TimedOut,
    /// Its status could not be collected (`SIGCHLD` ignored, another waiter).
    Vanished(String),
}

/// One child's records and end.
pub(super) struct ChildRun {
    pub(super) setup_done: bool,
    pub(super) records: Vec<(u32, i32, i64)>,
    pub(super) end: End,
}

/// Runs one child from `start`, collecting its records until it ends.
pub(super) fn run_child(
    plan: &[sys::Call],
    start: usize,
    timeout: Duration,
    how: sys::Start,
) -> Result<ChildRun, ProbeError> {
    let (r, w) = sys::pipe().map_err(|e| ProbeError::Pipe(Errno::new(e)))?;
    let child = sys::spawn(plan, start, w.as_fd(), r.as_fd(), how).map_err(ProbeError::Fork)?;
    drop(w);
    let pid = child.pid();
    let mut run = ChildRun {
        setup_done: false,
        records: Vec::new(),
        end: End::Finished,
    };
    let mut pending: Vec<u8> = Vec::with_capacity(sys::RECORD * 4);
    let mut buf = [0u8; 512];
    let mut deadline = Instant::now() + timeout;
    let mut finished = false;
    // Reads what is in the pipe; returns whether it reached EOF.
    let mut drain = |run: &mut ChildRun,
                     finished: &mut bool,
                     deadline: &mut Instant|
     -> Result<bool, ProbeError> {
        let n = match sys::read(r.as_fd(), &mut buf) {
            Ok(n) => n,
            Err(e) if e == sys::EINTR => return Ok(false),
            Err(e) => return Err(ProbeError::Read(Errno::new(e))),
        };
        if n == 0 {
            return Ok(true);
        }
        pending.extend_from_slice(&buf[..n]);
        while pending.len() >= sys::RECORD {
            let rec: Vec<u8> = pending.drain(..sys::RECORD).collect();
            let idx = u32::from_ne_bytes(rec[0..4].try_into().expect("4 bytes"));
            let errno = i32::from_ne_bytes(rec[4..8].try_into().expect("4 bytes"));
            let ret = i64::from_ne_bytes(rec[8..16].try_into().expect("8 bytes"));
            *deadline = Instant::now() + timeout;
            match idx {
                sys::SETUP_DONE => run.setup_done = true,
                sys::END => *finished = true,
                i => run.records.push((i, errno, ret)),
            }
        }
        Ok(false)
    };
    let mut eof = false;
    while !finished && !eof {
        let now = Instant::now();
        if now >= deadline {
            kill_and_reap(child, timeout);
            run.end = End::TimedOut;
            return Ok(run);
        }
        // Wake at least every 50 ms to notice a child that died while
        // another process (forked by another thread) holds the pipe open.
        let slice = (deadline - now).min(Duration::from_millis(50));
        match sys::poll_in(r.as_fd(), slice) {
            Ok(false) => {
                // Nothing to read: has the child ended?
                match sys::wait(pid, false) {
                    Ok(sys::Wait::StillAlive) => continue,
                    Ok(status) => {
                        release_if_ended(child, &status);
                        // Read whatever it wrote before it ended.
                        while let Ok(true) = sys::poll_in(r.as_fd(), Duration::ZERO) {
                            if drain(&mut run, &mut finished, &mut deadline)? {
                                break;
                            }
                        }
                        run.end = end_of(status, finished);
                        return Ok(run);
                    }
                    Err(e) => {
                        if e == sys::ECHILD {
                            // Reaped by another waiter or by the kernel
                            // (SIGCHLD ignored): it has ended.
                            child.reaped();
                        }
                        run.end = End::Vanished(format!(
                            "waitpid for the probe child: {}",
                            sys::errno_described(e)
                        ));
                        return Ok(run);
                    }
                }
            }
            Ok(true) => match drain(&mut run, &mut finished, &mut deadline) {
                Ok(at_eof) => eof = at_eof,
                Err(e) => {
                    kill_and_reap(child, timeout);
                    return Err(e);
                }
            },
            Err(e) if e == sys::EINTR => continue,
            Err(e) => {
                kill_and_reap(child, timeout);
                return Err(ProbeError::Poll(Errno::new(e)));
            }
        }
    }
    // End record or EOF: the child is exiting (or has); reap it.
    loop {
        match sys::wait(pid, true) {
            Ok(status) => {
                release_if_ended(child, &status);
                run.end = end_of(status, finished);
                return Ok(run);
            }
            Err(e) if e == sys::EINTR => continue,
            Err(e) if e == sys::ECHILD && finished => {
                // SIGCHLD ignored: the kernel reaped it; the records say it
                // finished. A blocking waitpid answers ECHILD only once the
                // child is gone.
                child.reaped();
                run.end = End::Finished;
                return Ok(run);
            }
            Err(e) => {
                if e == sys::ECHILD {
                    child.reaped();
                }
                run.end = End::Vanished(format!(
                    "the probe child's exit status could not be collected (waitpid: {}; is SIGCHLD ignored?)",
                    sys::errno_described(e)
                ));
                return Ok(run);
            }
        }
    }
}

/// Kills a child and reaps it, waiting at most `bound` (one second at
/// most). A traced child (strace, a debugger) can only be reaped once its
/// tracer has collected its exit, which the tracer may delay; then a thread
/// waits for it, so the probe returns in bounded time and no zombie stays.
/// The child's stack is released once it is reaped (by that thread, if it
/// comes to that).
fn kill_and_reap(child: sys::Child, bound: Duration) {
    let pid = child.pid();
    sys::kill(pid);
    let until = Instant::now() + bound.min(Duration::from_secs(1));
    loop {
        match sys::wait(pid, false) {
            Ok(sys::Wait::StillAlive) => {}
            Err(e) if e == sys::EINTR => {}
            Ok(status) => return release_if_ended(child, &status),
            // Reaped elsewhere: it has ended.
            Err(e) if e == sys::ECHILD => return child.reaped(),
            // Not known to have ended: its stack stays mapped.
            Err(_) => return,
        }
        if Instant::now() >= until {
            // If the thread cannot be started, the closure and the child
            // with it are dropped: the stack stays mapped.
            let _ = std::thread::Builder::new()
                .name("posture-reap".into())
                .spawn(move || {
                    loop {
                        match sys::wait(pid, true) {
                            Err(e) if e == sys::EINTR => continue,
                            Ok(status) => return release_if_ended(child, &status),
                            Err(e) if e == sys::ECHILD => return child.reaped(),
                            Err(_) => return,
                        }
                    }
                });
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Releases the child's stack when `status` says it has ended (exited or
/// killed); any other status (none is expected without `WUNTRACED`) leaves
/// it mapped.
fn release_if_ended(child: sys::Child, status: &sys::Wait) {
    if status.ended() {
        child.reaped();
    }
}

fn end_of(status: sys::Wait, finished: bool) -> End {
    match status {
        sys::Wait::Signaled(sig) => End::Signaled(sig),
        _ if finished => End::Finished,
        sys::Wait::Exited(code) => End::Exited(code),
        sys::Wait::StillAlive => End::Vanished("unexpected wait status StillAlive".to_string()),
        sys::Wait::Other(other) => End::Vanished(format!("unexpected wait status {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan `probe_with` builds on this architecture, without a filter.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn full_plan() -> Vec<sys::Call> {
        let plan = super::super::table::plan(true);
        assert_eq!(plan.len(), super::super::Syscall::ALL.len() + 2);
        plan
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[test]
    fn a_shared_and_a_forked_child_answer_alike() {
        let plan = full_plan();
        let timeout = Duration::from_secs(5);
        let shared = run_child(&plan, 0, timeout, sys::Start::SharedMemory).expect("shared");
        let forked = run_child(&plan, 0, timeout, sys::Start::Fork).expect("forked");
        for run in [&shared, &forked] {
            assert!(run.setup_done);
            assert!(matches!(run.end, End::Finished));
            assert_eq!(run.records.len(), plan.len());
        }
        assert_eq!(shared.records, forked.records);
        // From the middle of the plan, as a resumed probe starts.
        let shared = run_child(&plan, 9, timeout, sys::Start::SharedMemory).expect("shared");
        let forked = run_child(&plan, 9, timeout, sys::Start::Fork).expect("forked");
        assert_eq!(shared.records.first().map(|r| r.0), Some(9));
        assert_eq!(shared.records, forked.records);
    }
}

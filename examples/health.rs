//! A health endpoint that is also a hardening monitor: an HTTP service (axum
//! on a single-threaded tokio runtime, served through hyper's HTTP/1
//! connection directly) that runs the `posture` guard at startup and then
//! answers, from a fresh reading of this process on every request:
//!
//! | path       | answer |
//! | ---        | --- |
//! | `/healthz` | `200` `pass policy=<name>` when every required check passes; `503` `fail policy=<name> blocking=<id>,<id>` when not; `503` `stale …` when no reading could be taken in time (below). A Kubernetes readiness probe. |
//! | `/posture` | with `--expose-details`: the JSON document `{"schema_version":1,"report":{…},"assessment":{…}}` (as `posture --check --json`). Without: `404` and a line saying how to enable it. |
//! | `/metrics` | Prometheus text: the summary (`posture::render::prometheus::render_summary`: verdict, blocking ids, override count, build version) by default; every fact with `--expose-details` (`posture::render::prometheus::render`). |
//!
//! ```text
//! cargo run --example health --features prometheus -- --listen 127.0.0.1:8080
//! cargo run --example health --features prometheus -- --policy strict --report-only
//! ```
//!
//! Options:
//!
//! * `--listen ADDR` — the address to bind (default `127.0.0.1:8080`; port 0
//!   picks a free port). The bound address is printed on stdout as the first
//!   line, alone, so a supervisor or a test can find it.
//! * `--policy NAME|FILE` — a preset (`checklist`, `pss-baseline`,
//!   `pss-restricted`, `strict`) or a TOML/JSON policy document. Default:
//!   `POSTURE_POLICY`, else `checklist`. `POSTURE_OVERRIDE=check=reason`
//!   downgrades named checks of the `POSTURE_POLICY` or default policy, and
//!   is printed loudly; with `--policy` it is refused (exit 2), as the CLI
//!   refuses it without `--allow-env-override`.
//! * `--report-only` (alias `--no-guard`) — start even when the guard refuses.
//!   The refusal is still printed on stderr, and `/healthz` answers `503`, so
//!   the failing state can be served to the monitoring instead of a crash
//!   loop. Without it, a refusal exits with status 78 (`EX_CONFIG`) before the
//!   port is bound.
//! * `--expose-details` (or `POSTURE_EXPOSE_DETAILS=1`) — serve `/posture`
//!   and the detailed metrics.
//! * `--cache-ms N` — reuse a reading for up to N ms (default 0: every request
//!   reads `/proc` afresh; mounts and even capabilities can change at run time).
//! * `--header-timeout-ms N` — close a connection that has not sent a complete
//!   request head (request line and headers) within N ms (default 5000),
//!   counted from the accept for a new connection and from the first byte of
//!   the next request on a kept-alive one.
//! * `--idle-timeout-ms N` — close a kept-alive connection that has sent
//!   nothing for N ms after its last response was handed over (default
//!   30000). It also bounds writing a response to a client that does not read.
//! * `--max-connections N` — serve at most N connections at once (default
//!   256). Further connections are not accepted while every slot is taken:
//!   they wait in the kernel's listen backlog (1024, or `net.core.somaxconn`
//!   when lower; beyond it the kernel drops their SYNs and clients retry),
//!   costing the process no file descriptor, and are accepted in arrival
//!   order as slots free up.
//! * `--reading-timeout-ms N` — how long a request waits for a reading (default
//!   2000); see below.
//! * `--startup-timeout-ms N` — how long the guard waits for the startup
//!   reading, syscall probe included (default 10000).
//!
//! The syscall probe (`posture::syscalls`, a forked child making each listed
//! syscall once) runs once, at startup, when the policy judges
//! `dangerous_syscalls_blocked` (every preset does); every reading reuses
//! that result: seccomp filters can only be added, never removed, so a probe
//! taken at startup stays true or the process gets stricter.
//!
//! SIGTERM and SIGINT stop accepting connections and finish the requests in
//! flight (each connection still bound by the timeouts above), then exit 0.
//!
//! # Slow clients
//!
//! A connection holds a file descriptor and a slot from its accept to its
//! close, so no client decides how long that is. Each connection is in one of
//! three phases, watched by its own task: *head* (waiting for a complete
//! request head: closed at the header timeout), *busy* (a handler runs: bounded
//! by the reading timeout below) and *idle* (the response was handed over:
//! closed at the idle timeout unless the next request starts, which begins a
//! new head phase). A client that trickles a request head byte by byte
//! ("slowloris"), or connects and sends nothing, holds its slot for at most the
//! header timeout; a kept-alive client (a Prometheus scraper) keeps its
//! connection between requests for up to the idle timeout. The bound on
//! connections caps the file descriptors a flood can take: with the defaults,
//! 256 slots, each freed within 5 s by a stalled client; a probe that arrives
//! meanwhile waits in the backlog for a slot rather than being refused. It
//! protects the process, not availability: a client that sends a complete
//! request every 29 s can keep a slot, so 256 such clients keep the probe
//! waiting; run the endpoint where only the kubelet and the monitoring reach
//! it.
//!
//! # Stuck readings
//!
//! The library's reads are bounded, but a health endpoint must not bet the
//! server on it: every reading (`posture()` and the policy's evaluation per
//! request; at startup also the syscall probe) runs on its own thread
//! (`health-reading`), never on the runtime's thread, and at most one reading
//! is in flight: requests arriving while one runs share it rather than start
//! another. A request waits for the reading in flight until that reading's
//! deadline (its start plus `--reading-timeout-ms`). Past it the reading is
//! stuck; every request then answers at once, without starting another
//! reading, until the stuck one returns:
//!
//! ```text
//! 503 stale policy=<name> reading=stuck running_ms=<ms> last=<pass|fail|none>[ blocking=<ids>][ last_age_ms=<ms>]
//! ```
//!
//! (`reading=failed` instead when the reading thread could not be started or
//! panicked.) `/metrics` and `/posture` answer the same `503` line. The
//! verdict of the last completed reading is in the line for the operator, but
//! never in the status: what the process looks like now is unknown, and for a
//! security tool unknown is never a pass, so a stale reading can turn a pass
//! into a `503` but never a fail (or nothing) into a `200`. For a readiness
//! probe that means the pod leaves the Service's endpoints until readings work
//! again, which is the failure a hardening monitor should have; point a
//! liveness probe elsewhere, or a stuck `/proc` restarts the pod in a loop.
//! For `/metrics` it is a failed scrape (`up == 0`), so a dashboard cannot
//! show a stale pass as current.
//!
//! A startup reading that does not finish within `--startup-timeout-ms` cannot
//! be judged: the guard refuses (exit 78), unless `--report-only`, which
//! serves the `stale` line (`last=none`) until a reading completes.
//!
//! # Test hooks
//!
//! Two options exist for the tests in `tests/health.rs` and are left out of
//! `--help`; a service copied from this example should drop them:
//!
//! * `--test-fixture-root DIR` — read a fixture tree
//!   (`posture::posture_with_root(&posture::Root::fixture(DIR))`) instead of
//!   the live system.
//! * `--test-block-reading-on FIFO` — before each reading, the reading thread
//!   opens FIFO for reading: a real `open(2)` that blocks until some process
//!   holds the FIFO open for writing, so a test stalls readings on demand and
//!   releases them.
//!
//! # Why the details are off by default
//!
//! The full report is a map of the box for an attacker who can reach the
//! port: which capabilities the process holds (`CAP_NET_RAW`? `CAP_SYS_ADMIN`?),
//! whether seccomp or an LSM confines it, whether root maps to the host's root,
//! which host paths are mounted in, the kernel release. A readiness probe needs
//! none of it: pass/fail and the failing ids (which an operator needs to act
//! and which the refusal at startup prints anyway) suffice. So the default
//! serves only that summary, and the full document and per-fact metrics need
//! an explicit switch, meant for a port reachable only by the monitoring (a
//! separate listener, a NetworkPolicy, or a sidecar scrape on localhost). The
//! cost of the default is that fleet dashboards see which checks fail but not
//! why; the "why" is in the service's startup log (and in `tracing` events
//! with the `tracing` feature), or one switch away.
//!
//! With the `tracing` feature, a JSON `tracing-subscriber` on stderr receives
//! the guard's one event per failed or unknown check.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use posture::policy::{Action, Policy, Preset};
use posture::render::json::Document;
use posture::report::SyscallProbe;
use posture::{Assessment, CheckId, Report};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};

const USAGE: &str = "\
usage: health [--listen ADDR] [--policy NAME|FILE] [--report-only] [--expose-details] [--cache-ms N]
              [--header-timeout-ms N] [--idle-timeout-ms N] [--max-connections N]
              [--reading-timeout-ms N] [--startup-timeout-ms N]

Serves /healthz (200 when the policy passes, 503 with the failing check ids),
/posture (the JSON document; only with --expose-details) and /metrics
(Prometheus; summary unless --expose-details). Runs the posture guard at
startup and exits 78 when it refuses, unless --report-only.

options:
  --listen ADDR            bind address (default 127.0.0.1:8080; port 0 = any free port);
                           the bound address is printed alone on the first stdout line
  --policy NAME|FILE       checklist, pss-baseline, pss-restricted, strict, or a policy
                           document (default: $POSTURE_POLICY, else checklist)
  --report-only            start even if the guard refuses (alias --no-guard)
  --expose-details         serve /posture and detailed metrics (also POSTURE_EXPOSE_DETAILS=1)
  --cache-ms N             reuse a reading for N ms (default 0: read afresh per request)
  --header-timeout-ms N    close a connection whose request head is not complete
                           within N ms (default 5000)
  --idle-timeout-ms N      close a kept-alive connection idle for N ms (default 30000)
  --max-connections N      serve at most N connections at once; more wait in the
                           listen backlog (default 256)
  --reading-timeout-ms N   answer 503 stale when no reading completes within N ms
                           (default 2000)
  --startup-timeout-ms N   the guard refuses when the startup reading (with the
                           syscall probe) takes longer than N ms (default 10000)
  -h, --help               this text

exit status: 0 after SIGTERM/SIGINT, 2 usage or policy error, 78 guard refused.";

#[derive(Debug)]
struct Args {
    listen: String,
    policy: Option<String>,
    report_only: bool,
    expose_details: bool,
    cache: Duration,
    limits: Limits,
    reading_timeout: Duration,
    startup_timeout: Duration,
    /// Test hook: read this fixture tree instead of the live system.
    fixture_root: Option<PathBuf>,
    /// Test hook: open this FIFO for reading before each reading.
    block_reading_on: Option<PathBuf>,
}

/// How long a connection may take, and how many there may be.
#[derive(Debug, Clone, Copy)]
struct Limits {
    header: Duration,
    idle: Duration,
    max_connections: u32,
}

/// Why the command line was refused (exit 2, with the usage text).
#[derive(Debug, thiserror::Error)]
enum UsageError {
    /// What lexopt refuses: an unknown option, a missing or unexpected value.
    #[error("{0}")]
    Parse(#[from] lexopt::Error),
    #[error("{flag}: {value:?} is not UTF-8")]
    NotUtf8 {
        flag: &'static str,
        value: std::ffi::OsString,
    },
    #[error("{flag}: {value:?} is not a whole number")]
    Number { flag: &'static str, value: String },
    #[error("{flag}: must be above 0")]
    Zero { flag: &'static str },
}

/// `--x v` and `--x=v` alike (lexopt); `None` for `--help`.
fn parse_args(mut p: lexopt::Parser) -> Result<Option<Args>, UsageError> {
    use lexopt::prelude::*;
    let env_details = std::env::var("POSTURE_EXPOSE_DETAILS")
        .map(|v| matches!(v.trim(), "1" | "true" | "yes"))
        .unwrap_or(false);
    let mut args = Args {
        listen: "127.0.0.1:8080".into(),
        policy: None,
        report_only: false,
        expose_details: env_details,
        cache: Duration::ZERO,
        limits: Limits {
            header: Duration::from_secs(5),
            idle: Duration::from_secs(30),
            max_connections: 256,
        },
        reading_timeout: Duration::from_secs(2),
        startup_timeout: Duration::from_secs(10),
        fixture_root: None,
        block_reading_on: None,
    };
    let utf8 = |flag, value: std::ffi::OsString| {
        value
            .into_string()
            .map_err(|value| UsageError::NotUtf8 { flag, value })
    };
    // A whole number; `positive` refuses 0.
    let number = |flag, value, positive: bool| -> Result<u64, UsageError> {
        let v: String = utf8(flag, value)?;
        match v.parse::<u64>() {
            Ok(0) if positive => Err(UsageError::Zero { flag }),
            Ok(n) => Ok(n),
            Err(_) => Err(UsageError::Number { flag, value: v }),
        }
    };
    let millis = |flag, value| number(flag, value, true).map(Duration::from_millis);
    while let Some(arg) = p.next()? {
        match arg {
            Long("listen") => args.listen = utf8("--listen", p.value()?)?,
            Long("policy") => args.policy = Some(utf8("--policy", p.value()?)?),
            Long("report-only") | Long("no-guard") => args.report_only = true,
            Long("expose-details") => args.expose_details = true,
            Long("cache-ms") => {
                args.cache = Duration::from_millis(number("--cache-ms", p.value()?, false)?)
            }
            Long("header-timeout-ms") => {
                args.limits.header = millis("--header-timeout-ms", p.value()?)?
            }
            Long("idle-timeout-ms") => args.limits.idle = millis("--idle-timeout-ms", p.value()?)?,
            Long("max-connections") => {
                let flag = "--max-connections";
                let n = number(flag, p.value()?, true)?;
                // Tokio's semaphore holds fewer than 2^61 permits; u32 is plenty.
                args.limits.max_connections = u32::try_from(n).map_err(|_| UsageError::Number {
                    flag,
                    value: n.to_string(),
                })?;
            }
            Long("reading-timeout-ms") => {
                args.reading_timeout = millis("--reading-timeout-ms", p.value()?)?
            }
            Long("startup-timeout-ms") => {
                args.startup_timeout = millis("--startup-timeout-ms", p.value()?)?
            }
            Long("test-fixture-root") => args.fixture_root = Some(p.value()?.into()),
            Long("test-block-reading-on") => args.block_reading_on = Some(p.value()?.into()),
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(Some(args))
}

/// `--policy`, or `POSTURE_POLICY`, or the checklist, as the library loads
/// it: `POSTURE_OVERRIDE` applies only without `--policy` (a policy named on
/// the command line is not weakened by the environment: that is an error).
fn load_policy(flag: Option<&str>) -> Result<Policy, posture::policy::PolicyError> {
    Policy::from_arg_or_env(flag, Policy::preset(Preset::Checklist))
}

/// One reading: the report and its assessment.
struct Snapshot {
    report: Report,
    assessment: Assessment,
}

/// Takes readings off the runtime's thread, at most one at a time.
struct Reader {
    policy: Policy,
    /// `None`: the live system.
    root: Option<posture::Root>,
    /// The syscall probe taken once at startup, when the policy judges
    /// `dangerous_syscalls_blocked`. Seccomp filters can only be added, never
    /// removed, so it stays true (or the process gets stricter) for the
    /// process's life: every reading reuses it instead of forking again.
    syscalls: OnceLock<SyscallProbe>,
    /// Test hook (`--test-block-reading-on`).
    block_on: Option<PathBuf>,
    timeout: Duration,
    cache: Duration,
    state: Mutex<ReaderState>,
}

#[derive(Default)]
struct ReaderState {
    /// The reading running now, if any: never more than one.
    in_flight: Option<InFlight>,
    /// The last completed reading and when it started.
    last: Option<(Instant, Arc<Snapshot>)>,
}

#[derive(Clone)]
struct InFlight {
    started: Instant,
    /// `Some` once the reading is done; closed without a value if it panicked.
    done: watch::Receiver<Option<Arc<Snapshot>>>,
}

enum Reading {
    Fresh(Arc<Snapshot>),
    Stale(Stale),
}

/// No reading in time: why, and the last completed one with its age.
struct Stale {
    why: StaleWhy,
    last: Option<(Duration, Arc<Snapshot>)>,
}

enum StaleWhy {
    /// The reading in flight has run past its deadline, for this long.
    Stuck(Duration),
    /// The reading thread could not be started, or panicked.
    Failed,
}

impl Reader {
    fn lock(&self) -> MutexGuard<'_, ReaderState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The reading in flight, or a new one started on its own thread
    /// (`startup`: with the syscall probe). `None` when no thread can be
    /// started.
    fn in_flight(self: &Arc<Self>, st: &mut ReaderState, startup: bool) -> Option<InFlight> {
        if let Some(f) = &st.in_flight {
            return Some(f.clone());
        }
        let (tx, done) = watch::channel(None);
        let started = Instant::now();
        let me = Arc::clone(self);
        // The new thread inherits the runtime thread's credentials, securebits,
        // no_new_privs and seccomp filter, so the per-thread facts `posture()`
        // asks of its caller are the process's.
        let spawned = thread::Builder::new()
            .name("health-reading".into())
            .spawn(move || {
                let snap = panic::catch_unwind(AssertUnwindSafe(|| me.read(startup)))
                    .ok()
                    .map(Arc::new);
                // The state is locked by the spawner until `in_flight` is
                // set, so this runs after it.
                let mut st = me.lock();
                st.in_flight = None;
                if let Some(s) = &snap {
                    st.last = Some((started, Arc::clone(s)));
                }
                drop(st);
                tx.send_replace(snap);
            });
        match spawned {
            Ok(_) => {
                let f = InFlight { started, done };
                st.in_flight = Some(f.clone());
                Some(f)
            }
            Err(e) => {
                eprintln!("health: cannot start a reading thread: {e}");
                None
            }
        }
    }

    /// One reading, on the calling (reading) thread.
    fn read(&self, startup: bool) -> Snapshot {
        if let Some(fifo) = &self.block_on {
            // Test hook: blocks in open(2) until a writer holds the FIFO open.
            let _ = std::fs::File::open(fifo);
        }
        let mut report = match &self.root {
            Some(root) => posture::posture_with_root(root),
            None => posture::posture(),
        };
        if startup && self.policy.action(CheckId::DangerousSyscallsBlocked) != Action::Ignore {
            let _ = self.syscalls.set(posture::syscalls::probe());
        }
        if let Some(p) = self.syscalls.get() {
            report = report.with_syscalls(p.clone());
        }
        let assessment = posture::evaluate(&report, &self.policy);
        Snapshot { report, assessment }
    }

    /// A reading for a request: the cached one when younger than
    /// `--cache-ms`, else the one in flight or a new one, waited for until
    /// its deadline.
    async fn reading(self: &Arc<Self>) -> Reading {
        let f = {
            let mut st = self.lock();
            if !self.cache.is_zero()
                && let Some((at, snap)) = &st.last
                && at.elapsed() < self.cache
            {
                return Reading::Fresh(Arc::clone(snap));
            }
            self.in_flight(&mut st, false)
        };
        self.wait(f, self.timeout).await
    }

    /// The startup reading (with the syscall probe).
    async fn startup(self: &Arc<Self>, timeout: Duration) -> Reading {
        let f = self.in_flight(&mut self.lock(), true);
        self.wait(f, timeout).await
    }

    /// Waits for `f` until its start plus `timeout`: at once when that has passed.
    async fn wait(&self, f: Option<InFlight>, timeout: Duration) -> Reading {
        let Some(mut f) = f else {
            return self.stale(StaleWhy::Failed);
        };
        let deadline = tokio::time::Instant::from_std(f.started + timeout);
        let done = tokio::time::timeout_at(deadline, f.done.wait_for(Option::is_some)).await;
        match done {
            Ok(Ok(snap)) => match snap.clone() {
                Some(s) => Reading::Fresh(s),
                None => self.stale(StaleWhy::Failed),
            },
            Ok(Err(_closed)) => self.stale(StaleWhy::Failed),
            Err(_elapsed) => self.stale(StaleWhy::Stuck(f.started.elapsed())),
        }
    }

    fn stale(&self, why: StaleWhy) -> Reading {
        let last = self
            .lock()
            .last
            .as_ref()
            .map(|(at, s)| (at.elapsed(), Arc::clone(s)));
        Reading::Stale(Stale { why, last })
    }
}

struct App {
    reader: Arc<Reader>,
    expose_details: bool,
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `blocking=<id>,<id>`.
fn blocking(a: &Assessment) -> String {
    let ids: Vec<String> = a.blocking().map(|c| c.id.to_string()).collect();
    format!("blocking={}", ids.join(","))
}

/// The `503 stale …` answer, on every path: a stale reading never passes.
fn stale(policy: &str, s: &Stale) -> Response {
    let mut line = format!("stale policy={policy}");
    match s.why {
        StaleWhy::Stuck(running) => line.push_str(&format!(
            " reading=stuck running_ms={}",
            running.as_millis()
        )),
        StaleWhy::Failed => line.push_str(" reading=failed"),
    }
    match &s.last {
        None => line.push_str(" last=none"),
        Some((age, snap)) => {
            let a = &snap.assessment;
            if a.passed() {
                line.push_str(" last=pass");
            } else {
                line.push_str(&format!(" last=fail {}", blocking(a)));
            }
            line.push_str(&format!(" last_age_ms={}", age.as_millis()));
        }
    }
    line.push('\n');
    text(StatusCode::SERVICE_UNAVAILABLE, line)
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    let snap = match app.reader.reading().await {
        Reading::Fresh(snap) => snap,
        Reading::Stale(s) => return stale(app.reader.policy.name(), &s),
    };
    let a = &snap.assessment;
    let mut line = if a.passed() {
        format!("pass policy={}", a.policy)
    } else {
        format!("fail policy={} {}", a.policy, blocking(a))
    };
    if !a.overrides.is_empty() {
        let ids: Vec<String> = a.overrides.keys().map(|id| id.to_string()).collect();
        line.push_str(&format!(" overrides={}", ids.join(",")));
    }
    line.push('\n');
    let code = if a.passed() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    text(code, line)
}

async fn posture_json(State(app): State<Arc<App>>) -> Response {
    if !app.expose_details {
        return text(
            StatusCode::NOT_FOUND,
            "details are not exposed: start with --expose-details or POSTURE_EXPOSE_DETAILS=1 \
             (see /healthz for the verdict)\n"
                .into(),
        );
    }
    let snap = match app.reader.reading().await {
        Reading::Fresh(snap) => snap,
        Reading::Stale(s) => return stale(app.reader.policy.name(), &s),
    };
    let doc = Document::new(&snap.report).with_assessment(&snap.assessment);
    match serde_json::to_string(&doc) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let snap = match app.reader.reading().await {
        Reading::Fresh(snap) => snap,
        Reading::Stale(s) => return stale(app.reader.policy.name(), &s),
    };
    let body = if app.expose_details {
        posture::render::prometheus::render(&snap.report, &snap.assessment)
    } else {
        posture::render::prometheus::render_summary(&snap.assessment)
    };
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            posture::render::prometheus::CONTENT_TYPE,
        )],
        body,
    )
        .into_response()
}

/// Where a connection is: what it waits for, and until when.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a complete request head, until the header timeout.
    Head(tokio::time::Instant),
    /// A handler runs (bounded by the reading timeout).
    Busy,
    /// The response was handed over; waiting for the next request's first
    /// byte, until the idle timeout.
    Idle(tokio::time::Instant),
}

/// One connection's phase, shared by its socket, its service and its watchdog.
struct Clock {
    limits: Limits,
    phase: Mutex<Phase>,
    /// Wakes the watchdog when the phase changes.
    changed: Notify,
}

impl Clock {
    fn new(limits: Limits) -> Clock {
        Clock {
            limits,
            phase: Mutex::new(Phase::Head(tokio::time::Instant::now() + limits.header)),
            changed: Notify::new(),
        }
    }

    fn phase(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, p: Phase) {
        *self.phase() = p;
        self.changed.notify_one();
    }

    fn busy(&self) {
        self.set(Phase::Busy);
    }

    fn idle(&self) {
        self.set(Phase::Idle(tokio::time::Instant::now() + self.limits.idle));
    }

    /// Bytes arrived: on an idle connection, the next request's head begins.
    fn bytes_read(&self) {
        let mut p = self.phase();
        if let Phase::Idle(_) = *p {
            *p = Phase::Head(tokio::time::Instant::now() + self.limits.header);
            drop(p);
            self.changed.notify_one();
        }
    }

    fn deadline(&self) -> Option<tokio::time::Instant> {
        match *self.phase() {
            Phase::Head(d) | Phase::Idle(d) => Some(d),
            Phase::Busy => None,
        }
    }
}

/// The socket, telling its clock when bytes arrive.
struct Watched {
    io: TcpStream,
    clock: Arc<Clock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.clock.bytes_read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Sleeps until `d`; forever for `None`.
async fn sleep_until(d: Option<tokio::time::Instant>) {
    match d {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Serves one connection (HTTP/1.1 with keep-alive) until the client closes
/// it, its phase's deadline passes (the connection is dropped: closed), or
/// a graceful shutdown finishes it. The slot is freed on return.
async fn connection(
    stream: TcpStream,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let clock = Arc::new(Clock::new(limits));
    let io = TokioIo::new(Watched {
        io: stream,
        clock: Arc::clone(&clock),
    });
    let inner = TowerToHyperService::new(router);
    let svc_clock = Arc::clone(&clock);
    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
        svc_clock.busy();
        let clock = Arc::clone(&svc_clock);
        let fut = hyper::service::Service::call(&inner, req);
        async move {
            let r = fut.await;
            clock.idle();
            r
        }
    });
    let mut builder = http1::Builder::new();
    // The watchdog below is the header timeout (hyper's own restarts on every
    // idle keep-alive connection, so it cannot be longer than the idle one).
    builder.header_read_timeout(None);
    let conn = builder.serve_connection(io, svc);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = clock.deadline();
        tokio::select! {
            _ = conn.as_mut() => return,
            () = sleep_until(deadline) => {
                if clock.deadline().is_some_and(|d| d <= tokio::time::Instant::now()) {
                    return;
                }
            }
            () = clock.changed.notified() => {}
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The kernel's queue of connections not yet accepted (capped by
/// `net.core.somaxconn`): where connections wait while every slot is taken.
/// Tokio's `TcpListener::bind` would ask for 128, which a burst overflows.
const BACKLOG: u32 = 1024;

/// Listens on the first address `listen` resolves to that can be bound,
/// with [`BACKLOG`].
async fn bind(listen: &str) -> io::Result<TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(listen).await? {
        let listener = (|| {
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()?
            } else {
                TcpSocket::new_v6()?
            };
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(BACKLOG)
        })();
        match listener {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "resolves to no address")))
}

/// Accepts while a slot is free, until SIGTERM or SIGINT; then lets the
/// connections finish.
async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut term: Signal,
    mut int: Signal,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop_tx, stop_rx) = watch::channel(false);
    let shutdown = async {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        eprintln!("health: shutting down");
    };
    tokio::pin!(shutdown);
    loop {
        // No free slot: no accept; the connection waits in the backlog.
        let slot = tokio::select! {
            s = Arc::clone(&slots).acquire_owned() => match s {
                Ok(s) => s,
                Err(_closed) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, _)) => {
                tokio::spawn(connection(
                    stream,
                    router.clone(),
                    limits,
                    stop_rx.clone(),
                    slot,
                ));
            }
            Err(e) => {
                // Out of file descriptors or memory, or an aborted
                // connection: do not spin on it.
                eprintln!("health: accept: {e}");
                drop(slot);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every slot back: every connection has finished.
    let _ = slots.acquire_many(limits.max_connections).await;
}

#[cfg(feature = "tracing")]
fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(not(feature = "tracing"))]
fn init_tracing() {}

fn main() -> ExitCode {
    let args = match parse_args(lexopt::Parser::from_env()) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("health: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_tracing();
    let policy = match load_policy(args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("health: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("health: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };

    let reader = Arc::new(Reader {
        policy,
        root: args.fixture_root.map(posture::Root::fixture),
        syscalls: OnceLock::new(),
        block_on: args.block_reading_on,
        timeout: args.reading_timeout,
        cache: args.cache,
        state: Mutex::new(ReaderState::default()),
    });

    // The guard's reading, with the syscall probe when the policy judges it
    // (one forked child, once), on the reading thread like every other.
    match rt.block_on(reader.startup(args.startup_timeout)) {
        Reading::Fresh(snap) => match posture::guard_report(&snap.report, &reader.policy) {
            Ok(a) => {
                eprint!("{}", posture::OverrideBanner(&a));
                eprintln!("posture: policy {:?} passed", a.policy);
            }
            Err(refusal) if args.report_only => {
                eprint!("{refusal}");
                eprintln!("posture: --report-only: serving anyway; /healthz answers 503");
            }
            Err(refusal) => {
                eprint!("{refusal}");
                return ExitCode::from(posture::EX_CONFIG as u8);
            }
        },
        Reading::Stale(s) => {
            let why = match s.why {
                StaleWhy::Stuck(_) => format!(
                    "did not finish within {} ms",
                    args.startup_timeout.as_millis()
                ),
                StaleWhy::Failed => "failed".to_string(),
            };
            eprintln!(
                "posture: refusing to start: the startup reading {why}, so policy {:?} cannot be judged",
                reader.policy.name()
            );
            if !args.report_only {
                return ExitCode::from(posture::EX_CONFIG as u8);
            }
            eprintln!("posture: --report-only: serving anyway; /healthz answers 503");
        }
    }

    let app = Arc::new(App {
        reader,
        expose_details: args.expose_details,
    });
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/posture", get(posture_json))
        .route("/metrics", get(metrics))
        .with_state(app);

    rt.block_on(async move {
        // Before the address is printed, so a supervisor's SIGTERM right
        // after it is a graceful stop, never the default action.
        let (term, int) = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(t), Ok(i)) => (t, i),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("health: cannot handle SIGTERM/SIGINT: {e}");
                return ExitCode::FAILURE;
            }
        };
        let listener = match bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("health: cannot listen on {}: {e}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        match listener.local_addr() {
            Ok(addr) => println!("{addr}"),
            Err(e) => {
                eprintln!("health: no local address: {e}");
                return ExitCode::FAILURE;
            }
        }
        serve(listener, router, args.limits, term, int).await;
        ExitCode::SUCCESS
    })
}

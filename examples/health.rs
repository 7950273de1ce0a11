//! A health endpoint that is also a hardening monitor: an HTTP service (axum
//! on a single-threaded tokio runtime) that runs the `posture` guard at
//! startup and then answers, from a fresh reading of this process on every
//! request:
//!
//! | path       | answer |
//! | ---        | --- |
//! | `/healthz` | `200` `pass policy=<name>` when every required check passes; `503` `fail policy=<name> blocking=<id>,<id>` when not. A Kubernetes readiness probe. |
//! | `/posture` | with `--expose-details`: the JSON document `{"schema_version":1,"report":{…},"assessment":{…}}` (as `posture --check --json`). Without: `404` and a line saying how to enable it. |
//! | `/metrics` | Prometheus text: the summary (`posture::metrics::render_summary`: verdict, blocking ids, override count, build version) by default; every fact with `--expose-details` (`posture::metrics::render`). |
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
//!   downgrades named checks either way, and is printed loudly.
//! * `--report-only` (alias `--no-guard`) — start even when the guard refuses.
//!   The refusal is still printed on stderr, and `/healthz` answers `503`, so
//!   the failing state can be served to the monitoring instead of a crash
//!   loop. Without it, a refusal exits with status 78 (`EX_CONFIG`) before the
//!   port is bound.
//! * `--expose-details` (or `POSTURE_EXPOSE_DETAILS=1`) — serve `/posture`
//!   and the detailed metrics.
//! * `--cache-ms N` — reuse a reading for up to N ms (default 0: every request
//!   reads `/proc` afresh; mounts and even capabilities can change at run time).
//!
//! The syscall probe (`posture::syscalls`, a forked child making each listed
//! syscall once) runs once, at startup, when the policy judges
//! `dangerous_syscalls_blocked` (every preset does); every reading reuses
//! that result: seccomp filters can only be added, never removed, so a probe
//! taken at startup stays true or the process gets stricter.
//!
//! SIGTERM and SIGINT stop accepting connections and finish the requests in
//! flight, then exit 0.
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

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use posture::policy::{OVERRIDE_ENV, Policy, Preset};
use posture::{Assessment, Document, Report};

const USAGE: &str = "\
usage: health [--listen ADDR] [--policy NAME|FILE] [--report-only] [--expose-details] [--cache-ms N]

Serves /healthz (200 when the policy passes, 503 with the failing check ids),
/posture (the JSON document; only with --expose-details) and /metrics
(Prometheus; summary unless --expose-details). Runs the posture guard at
startup and exits 78 when it refuses, unless --report-only.

options:
  --listen ADDR        bind address (default 127.0.0.1:8080; port 0 = any free port);
                       the bound address is printed alone on the first stdout line
  --policy NAME|FILE   checklist, pss-baseline, pss-restricted, strict, or a policy
                       document (default: $POSTURE_POLICY, else checklist)
  --report-only        start even if the guard refuses (alias --no-guard)
  --expose-details     serve /posture and detailed metrics (also POSTURE_EXPOSE_DETAILS=1)
  --cache-ms N         reuse a reading for N ms (default 0: read afresh per request)
  -h, --help           this text

exit status: 0 after SIGTERM/SIGINT, 2 usage or policy error, 78 guard refused.";

#[derive(Debug)]
struct Args {
    listen: String,
    policy: Option<String>,
    report_only: bool,
    expose_details: bool,
    cache: Duration,
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
    #[error("--cache-ms: {0:?} is not a number of milliseconds")]
    CacheMs(String),
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
    };
    let utf8 = |flag, value: std::ffi::OsString| {
        value
            .into_string()
            .map_err(|value| UsageError::NotUtf8 { flag, value })
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("listen") => args.listen = utf8("--listen", p.value()?)?,
            Long("policy") => args.policy = Some(utf8("--policy", p.value()?)?),
            Long("report-only") | Long("no-guard") => args.report_only = true,
            Long("expose-details") => args.expose_details = true,
            Long("cache-ms") => {
                let v = utf8("--cache-ms", p.value()?)?;
                let ms: u64 = v.parse().map_err(|_| UsageError::CacheMs(v))?;
                args.cache = Duration::from_millis(ms);
            }
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(Some(args))
}

/// `--policy` (with `POSTURE_OVERRIDE` applied), or `POSTURE_POLICY`, or the checklist.
fn load_policy(flag: Option<&str>) -> Result<Policy, posture::policy::PolicyError> {
    match flag {
        Some(v) => {
            let p = Policy::from_name_or_path(v)?;
            match std::env::var(OVERRIDE_ENV) {
                Ok(spec) if !spec.trim().is_empty() => p.with_override_spec(&spec),
                _ => Ok(p),
            }
        }
        None => Policy::from_env_or(Policy::preset(Preset::Checklist)),
    }
}

/// One reading: the report and its assessment.
struct Snapshot {
    report: Report,
    assessment: Assessment,
}

struct App {
    policy: Policy,
    /// The syscall probe taken once at startup, when the policy judges
    /// `dangerous_syscalls_blocked`. Seccomp filters can only be added, never
    /// removed, so it stays true (or the process gets stricter) for the
    /// process's life: every reading reuses it instead of forking again.
    syscalls: Option<posture::syscalls::SyscallProbe>,
    expose_details: bool,
    cache: Duration,
    last: Mutex<Option<(Instant, Arc<Snapshot>)>>,
}

impl App {
    /// A fresh reading, or the cached one when it is younger than `--cache-ms`.
    fn snapshot(&self) -> Arc<Snapshot> {
        if !self.cache.is_zero() {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, snap)) = last.as_ref()
                && at.elapsed() < self.cache
            {
                return Arc::clone(snap);
            }
        }
        // Reads /proc only (no subprocess, no network): well under a
        // millisecond, so it runs on the runtime thread.
        let mut report = posture::posture();
        if let Some(p) = &self.syscalls {
            report = report.with_syscalls(p.clone());
        }
        let assessment = posture::evaluate(&report, &self.policy);
        let snap = Arc::new(Snapshot { report, assessment });
        if !self.cache.is_zero() {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((Instant::now(), Arc::clone(&snap)));
        }
        snap
    }
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    let snap = app.snapshot();
    let a = &snap.assessment;
    let mut line = if a.passed() {
        format!("pass policy={}", a.policy)
    } else {
        let ids: Vec<&str> = a.blocking().map(|c| c.id.as_str()).collect();
        format!("fail policy={} blocking={}", a.policy, ids.join(","))
    };
    if !a.overrides.is_empty() {
        let ids: Vec<&str> = a.overrides.keys().map(|id| id.as_str()).collect();
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
    let snap = app.snapshot();
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
    let snap = app.snapshot();
    let body = if app.expose_details {
        posture::metrics::render(&snap.report, &snap.assessment)
    } else {
        posture::metrics::render_summary(&snap.assessment)
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, posture::metrics::CONTENT_TYPE)],
        body,
    )
        .into_response()
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    eprintln!("health: shutting down");
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

    // The guard's report, with the syscall probe when the policy judges it
    // (one forked child, once).
    let startup = posture::report_for(&policy);
    let syscalls = startup.syscalls.known().cloned();
    match posture::guard_report(&startup, &policy) {
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
    }

    let app = Arc::new(App {
        policy,
        syscalls,
        expose_details: args.expose_details,
        cache: args.cache,
        last: Mutex::new(None),
    });
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/posture", get(posture_json))
        .route("/metrics", get(metrics))
        .with_state(app);

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
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
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
        match axum::serve(listener, router)
            .with_graceful_shutdown(shutdown())
            .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("health: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

//! The health example as a real HTTP service: the built example binary is
//! started on 127.0.0.1 port 0 and queried with a real HTTP client; metrics
//! go through the Rust format check of `tests/common` (and, with the
//! `tool-tests` feature, the real `promtool`); the guard's refusal is a real
//! exit status.
//!
//! The expectations about this host come from the host itself, read here
//! independently of the library: these tests run in the host's namespaces,
//! as root or as any other user. The test process has no no_new_privs, so a
//! policy requiring `no_new_privs` fails for every user (checked first);
//! one requiring only `proc_trusted` passes for every user (`/proc` is
//! procfs, checked first); `non_root` is expected to fail exactly when the
//! test process's uid is 0. The two tests that mount a service-account
//! token in the server's mount namespace need root (feature `root-tests`);
//! a user other than root could not even tell that no token is mounted (a
//! runtime socket path it may not search leaves the mount table
//! incomplete, so `no_service_account_token` is unknown for it).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

mod common;
use common::{CHECK_IDS, example, exposition_check, promtool_check};

/// A line of this test process's own status file.
fn own_status(key: &str) -> String {
    let text = std::fs::read_to_string("/proc/self/status").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key}: in /proc/self/status"))
        .trim()
        .to_string()
}

fn assert_root() {
    assert!(
        is_root(),
        "this test needs root: cargo test --features root-tests, as root"
    );
}

/// Whether any of this process's uids is 0, from its own status file.
fn is_root() -> bool {
    own_status("Uid").split_whitespace().any(|u| u == "0")
}

/// The test process has no no_new_privs (nor has the server, its child),
/// so a policy that requires it fails for every user.
fn assert_no_nnp() {
    assert_eq!(
        own_status("NoNewPrivs"),
        "0",
        "these tests expect no no_new_privs in the test process"
    );
}

fn assert_no_service_account() {
    assert!(!Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token").exists());
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mounts.contains("/secrets/kubernetes.io/serviceaccount")
            && !mounts.contains("/secrets/eks.amazonaws.com/serviceaccount"),
        "this host has a service-account mount"
    );
}

/// `/proc` is procfs (statfs(2), independently of the library), so a
/// policy that requires only `proc_trusted` passes for every user: the
/// server, our child, sees the same `/proc`.
fn assert_proc_is_procfs() {
    let fs = nix::sys::statfs::statfs("/proc").expect("statfs /proc");
    assert_eq!(
        fs.filesystem_type(),
        nix::sys::statfs::PROC_SUPER_MAGIC,
        "/proc is not procfs here"
    );
}

/// A policy document that ignores every check except `only`, which it requires.
fn policy_file(dir: &Path, name: &str, only: &str) -> PathBuf {
    let mut text = format!("name = \"{name}\"\n\n[checks]\n");
    for id in CHECK_IDS {
        let action = if id == only { "require" } else { "ignore" };
        text.push_str(&format!("{id} = \"{action}\"\n"));
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// A running server: its address, its stderr so far, and a kill on drop.
struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

fn collect_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().unwrap();
    let sink = Arc::clone(&buf);
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = err.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    buf
}

fn start_cmd(mut cmd: Command) -> Server {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start the health example");
    let stderr = collect_stderr(&mut child);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(l) => l,
        Err(_) => {
            let _ = child.kill();
            panic!(
                "no address on stdout within 20 s; stderr: {}",
                stderr.lock().unwrap()
            );
        }
    };
    let addr = line.trim().to_string();
    if addr.is_empty() {
        let status = child.wait().unwrap();
        thread::sleep(Duration::from_millis(100));
        panic!(
            "server exited ({status}) before listening; stderr:\n{}",
            stderr.lock().unwrap()
        );
    }
    assert!(
        addr.starts_with("127.0.0.1:"),
        "first stdout line is the bound address, got {addr:?}"
    );
    Server {
        child,
        addr,
        stderr,
    }
}

fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(example("health"));
    cmd.arg("--listen").arg("127.0.0.1:0").args(args);
    cmd.env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE")
        .env_remove("POSTURE_EXPOSE_DETAILS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    start_cmd(cmd)
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn get(&self, path: &str) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut resp = agent.get(&self.url(path)).call().expect("HTTP request");
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        Reply {
            status: resp.status().as_u16(),
            content_type,
            body: resp.body_mut().read_to_string().unwrap(),
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until stderr holds `needle`: stderr is drained by
    /// its own thread, so it can lag behind the address line on stdout.
    fn wait_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let err = self.stderr();
            if err.contains(needle) || Instant::now() > deadline {
                return err;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends SIGTERM (kill(2)) and waits for the exit.
    fn terminate(mut self) -> (ExitStatus, String) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("kill -TERM");
        let status = wait_timeout(&mut self.child, Duration::from_secs(10))
            .expect("exits within 10 s of SIGTERM");
        thread::sleep(Duration::from_millis(100));
        (status, self.stderr())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        thread::sleep(Duration::from_millis(20));
    }
    None
}

#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

/// `name{labels} value` lines whose text starts with `prefix`.
fn sample<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .map(|l| l.rsplit(' ').next().unwrap())
}

#[test]
fn passing_policy_answers_200() {
    assert_proc_is_procfs();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "proc-only", "proc_trusted");
    let s = start(&["--policy", p.to_str().unwrap()], &[]);
    let err = s.wait_stderr("posture: policy \"proc-only\" passed");
    assert!(
        err.contains("posture: policy \"proc-only\" passed"),
        "{err}"
    );

    let h = s.get("/healthz");
    assert_eq!(h.status, 200, "{h:?}");
    assert_eq!(h.body, "pass policy=proc-only\n");

    let m = s.get("/metrics");
    assert_eq!(m.status, 200);
    assert_eq!(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
    exposition_check(&m.body);
    assert_eq!(
        sample(&m.body, "posture_verdict{policy=\"proc-only\"}"),
        Some("1")
    );
    assert_eq!(
        sample(&m.body, "posture_blocking_checks{policy=\"proc-only\"}"),
        Some("0")
    );
    // Summary only: no capability or check-state series.
    assert!(!m.body.contains("posture_capability"));
    assert!(!m.body.contains("posture_check_status"));

    let d = s.get("/posture");
    assert_eq!(d.status, 404, "details are off by default");
    assert!(d.body.contains("--expose-details"));
    assert!(!d.body.contains("schema_version"));

    assert_eq!(s.get("/nope").status, 404);
}

#[test]
fn failing_policy_report_only_answers_503_with_ids() {
    assert_no_nnp();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "nnp-only", "no_new_privs");
    let s = start(&["--policy", p.to_str().unwrap(), "--report-only"], &[]);
    let err = s.wait_stderr("--report-only: serving anyway");
    assert!(err.contains("refusing to start"), "{err}");
    assert!(err.contains("--report-only: serving anyway"), "{err}");

    let h = s.get("/healthz");
    assert_eq!(h.status, 503, "{h:?}");
    assert_eq!(h.body, "fail policy=nnp-only blocking=no_new_privs\n");

    let m = s.get("/metrics");
    assert_eq!(m.status, 200, "metrics are served when failing too");
    exposition_check(&m.body);
    assert_eq!(
        sample(&m.body, "posture_verdict{policy=\"nnp-only\"}"),
        Some("0")
    );
    assert_eq!(
        sample(&m.body, "posture_check_blocking{check=\"no_new_privs\"}"),
        Some("1")
    );
    assert!(!m.body.contains("posture_capability"));
    assert_eq!(s.get("/posture").status, 404);
}

/// With the switch, `/posture` is the schema's document and `/metrics`
/// carries every fact; checked against this process's own status file.
fn check_details(s: &Server) {
    let d = s.get("/posture");
    assert_eq!(d.status, 200, "{d:?}");
    assert_eq!(d.content_type, "application/json");
    let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(v["schema_version"], 1);
    let report = v["report"].as_object().expect("report object");
    for key in [
        "origin",
        "proc_trust",
        "kernel",
        "identity",
        "capabilities",
        "seccomp",
        "no_new_privs",
        "user_namespace",
        "lsm",
        "mounts",
        "namespaces",
        "runtime",
        "cgroups",
    ] {
        assert!(report.contains_key(key), "report.{key} missing");
    }
    assert_eq!(v["report"]["origin"]["kind"], "live");
    let a = &v["assessment"];
    assert_eq!(a["policy"], "strict");
    assert_eq!(a["verdict"], "fail");
    let checks = a["checks"].as_array().unwrap();
    let ids: BTreeSet<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        CHECK_IDS.iter().copied().collect(),
        "strict evaluates all"
    );
    for c in checks {
        assert!(["pass", "fail", "unknown"].contains(&c["status"].as_str().unwrap()));
        assert!(
            ["must", "highly_recommended", "recommended"]
                .contains(&c["severity"].as_str().unwrap())
        );
        assert_eq!(c["required"], true);
        assert_eq!(c["action"], "require");
        assert!(c["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(c["evidence"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(c["remediation"]["run_flags"].is_string());
        assert!(c["remediation"]["kubernetes"].is_string());
        assert!(
            c["remediation"]["dockerfile"].is_string() || c["remediation"]["dockerfile"].is_null()
        );
        assert!(c["overridden"].is_null());
        assert_eq!(c["unknown_accepted"], false);
    }
    let non_root_status = if is_root() { "fail" } else { "pass" };
    let non_root = checks.iter().find(|c| c["id"] == "non_root").unwrap();
    assert_eq!(non_root["status"], non_root_status);
    let nnp = checks.iter().find(|c| c["id"] == "no_new_privs").unwrap();
    assert_eq!(nnp["status"], "fail");

    let m = s.get("/metrics");
    exposition_check(&m.body);
    // The runtime the document names (on the host in its own mount
    // namespace: none; a private mount namespace where `/.dockerenv` exists
    // reads docker, spoofable), the same in the metrics.
    let runtime = v["report"]["runtime"]["kind"]
        .as_str()
        .expect("runtime kind");
    let info =
        format!("posture_info{{schema_version=\"1\",runtime=\"{runtime}\",origin=\"live\"}} 1\n");
    assert!(m.body.contains(&info), "{info} not in:\n{}", m.body);
    // The effective set, bit by bit, as this process's own status says
    // (the server is a child with the same credentials).
    let eff = u64::from_str_radix(&own_status("CapEff"), 16).unwrap();
    for (bit, name) in [(0, "CAP_CHOWN"), (13, "CAP_NET_RAW"), (21, "CAP_SYS_ADMIN")] {
        let want = if eff >> bit & 1 == 1 { "1" } else { "0" };
        assert_eq!(
            sample(
                &m.body,
                &format!("posture_capability{{set=\"effective\",capability=\"{name}\"}}")
            ),
            Some(want),
            "{name}"
        );
    }
    let seccomp = match own_status("Seccomp").as_str() {
        "0" => "disabled",
        "1" => "strict",
        "2" => "filter",
        other => panic!("Seccomp {other}"),
    };
    assert_eq!(
        sample(
            &m.body,
            &format!("posture_seccomp_mode{{mode=\"{seccomp}\"}}")
        ),
        Some("1")
    );
    assert_eq!(
        sample(
            &m.body,
            &format!(
                "posture_check_status{{check=\"non_root\",check_severity=\"must\",required=\"true\",status=\"{non_root_status}\"}}"
            )
        ),
        Some("1")
    );
    assert_eq!(
        sample(
            &m.body,
            "posture_check_status{check=\"no_new_privs\",check_severity=\"recommended\",required=\"true\",status=\"fail\"}"
        ),
        Some("1")
    );
}

#[test]
fn details_with_the_flag() {
    assert_no_nnp();
    let s = start(
        &["--policy", "strict", "--report-only", "--expose-details"],
        &[],
    );
    check_details(&s);
}

#[test]
fn details_with_the_environment() {
    assert_no_nnp();
    let s = start(
        &["--report-only"],
        &[
            ("POSTURE_EXPOSE_DETAILS", "1"),
            ("POSTURE_POLICY", "strict"),
        ],
    );
    check_details(&s);
}

/// The real `promtool check metrics` on what the server serves, the
/// summary and every fact.
#[test]
#[cfg_attr(
    not(feature = "tool-tests"),
    ignore = "needs promtool (Debian package prometheus): cargo test --features tool-tests"
)]
fn promtool_accepts_the_served_metrics() {
    let summary = start(&["--report-only"], &[]);
    let detailed = start(
        &["--policy", "strict", "--report-only", "--expose-details"],
        &[],
    );
    for s in [&summary, &detailed] {
        let m = s.get("/metrics");
        assert_eq!(m.status, 200, "{m:?}");
        promtool_check(&m.body);
        exposition_check(&m.body);
    }
}

#[test]
fn guard_refuses_startup_with_78() {
    assert_no_nnp();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "nnp-only", "no_new_privs");
    let out = Command::new(example("health"))
        .args(["--listen", "127.0.0.1:0", "--policy", p.to_str().unwrap()])
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "stderr: {err}");
    assert!(out.stdout.is_empty(), "never listened: {:?}", out.stdout);
    assert!(
        err.contains("refusing to start: 1 required check(s) of policy \"nnp-only\""),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with("  ")
            && l.split_whitespace().collect::<Vec<_>>()
                == ["no_new_privs", "fail", "recommended", "yes"]),
        "{err}"
    );
    assert!(
        err.contains("evidence: no_new_privs off (from status)"),
        "{err}"
    );
    assert!(
        err.contains("fix: run: --security-opt no-new-privileges"),
        "{err}"
    );
}

#[test]
fn bad_policy_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.toml");
    std::fs::write(&p, "name = \"x\"\n[checks]\nno_such_check = \"require\"\n").unwrap();
    let out = Command::new(example("health"))
        .args(["--listen", "127.0.0.1:0", "--policy", p.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.toml:3:"), "{err}");
    assert!(err.contains("no_such_check"), "{err}");
}

#[test]
fn an_environment_override_of_an_explicit_policy_is_refused() {
    // The same rule as the CLI's: POSTURE_OVERRIDE left in an image cannot
    // weaken the policy named on the command line.
    let out = Command::new(example("health"))
        .args(["--listen", "127.0.0.1:0", "--policy", "strict"])
        .env("POSTURE_OVERRIDE", "non_root=legacy image")
        .env_remove("POSTURE_POLICY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("POSTURE_OVERRIDE"), "{err}");
}

#[test]
fn sigterm_stops_gracefully() {
    let s = start(&["--report-only"], &[]);
    // The default policy (checklist) fails on the host for every user: the
    // host's pid namespace.
    assert_eq!(s.get("/healthz").status, 503);
    let (status, err) = s.terminate();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("health: shutting down"), "{err}");
}

/// Each request reads the process afresh (mounts change at run time), unless
/// `--cache-ms` says otherwise. The server runs in its own mount namespace
/// (real `unshare`); a service-account mount is then added inside that
/// namespace only (real `nsenter` + `mount`), which fails
/// `no_service_account_token`.
fn mount_service_account(pid: u32) {
    let script = "mount -t tmpfs none /run && \
                  mkdir -p /run/secrets/kubernetes.io/serviceaccount && \
                  mount -t tmpfs none /run/secrets/kubernetes.io/serviceaccount";
    let out = Command::new("nsenter")
        .args(["-t", &pid.to_string(), "-m", "sh", "-c", script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nsenter mount: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_in_mount_ns(policy: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "--propagation", "private"])
        .arg(example("health"))
        .args(["--listen", "127.0.0.1:0", "--policy"])
        .arg(policy)
        .args(extra)
        .env_remove("POSTURE_OVERRIDE");
    start_cmd(cmd)
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root (mounts in the server's mount namespace with unshare, nsenter and mount): cargo test --features root-tests, as root"
)]
fn every_request_reads_afresh() {
    assert_root();
    assert_no_service_account();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "sa-only", "no_service_account_token");
    let s = start_in_mount_ns(&p, &[]);
    assert_eq!(s.get("/healthz").status, 200);
    mount_service_account(s.child.id());
    let h = s.get("/healthz");
    assert_eq!(h.status, 503, "{h:?}");
    assert_eq!(
        h.body,
        "fail policy=sa-only blocking=no_service_account_token\n"
    );
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root (mounts in the server's mount namespace with unshare, nsenter and mount): cargo test --features root-tests, as root"
)]
fn cache_keeps_a_reading() {
    assert_root();
    assert_no_service_account();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "sa-only", "no_service_account_token");
    let s = start_in_mount_ns(&p, &["--cache-ms=600000"]); // `--x=v` as well as `--x v`
    assert_eq!(s.get("/healthz").status, 200);
    mount_service_account(s.child.id());
    // Still the cached reading: the mount is not seen for ten minutes.
    assert_eq!(s.get("/healthz").status, 200);
}

/// Built with the `tracing` feature, the example's JSON subscriber on stderr
/// receives the guard's event for each failing check.
#[cfg(feature = "tracing")]
#[test]
fn refusal_is_also_a_json_log_event() {
    assert_no_nnp();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "nnp-only", "no_new_privs");
    let out = Command::new(example("health"))
        .args(["--listen", "127.0.0.1:0", "--policy", p.to_str().unwrap()])
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    let events: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "one check required and failing: {err}");
    let e = &events[0];
    assert_eq!(e["level"], "ERROR");
    assert_eq!(e["target"], "posture");
    assert_eq!(e["fields"]["check"], "no_new_privs");
    assert_eq!(e["fields"]["severity"], "recommended");
    assert_eq!(e["fields"]["status"], "fail");
    assert_eq!(e["fields"]["required"], true);
    assert_eq!(e["fields"]["policy"], "nnp-only");
    assert_eq!(e["fields"]["evidence"], "no_new_privs off (from status)");
    assert!(
        e["fields"]["fix"]
            .as_str()
            .unwrap()
            .contains("--security-opt no-new-privileges")
    );
}

/// The syscall probe runs once, at startup (`posture()` never probes), and
/// every reading carries that result. The host has no seccomp filter, so the
/// kernel's own validation answers (keyctl(0x7fffffff) is EOPNOTSUPP,
/// security/keys/keyctl.c): the check fails and blocks.
#[test]
fn the_syscall_probe_runs_at_startup_and_is_reused() {
    assert_eq!(own_status("Seccomp"), "0", "this test expects no filter");
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "syscalls-only", "dangerous_syscalls_blocked");
    let s = start(
        &[
            "--policy",
            p.to_str().unwrap(),
            "--report-only",
            "--expose-details",
        ],
        &[],
    );
    let err = s.wait_stderr("--report-only: serving anyway");
    assert!(err.contains("dangerous_syscalls_blocked"), "{err}");
    let h = s.get("/healthz");
    assert_eq!(h.status, 503, "{h:?}");
    assert_eq!(
        h.body,
        "fail policy=syscalls-only blocking=dangerous_syscalls_blocked\n"
    );
    let first: serde_json::Value = serde_json::from_str(&s.get("/posture").body).unwrap();
    let second: serde_json::Value = serde_json::from_str(&s.get("/posture").body).unwrap();
    let probe = &first["report"]["syscalls"]["known"];
    let keyctl = probe["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["syscall"] == "keyctl")
        .unwrap();
    assert_eq!(keyctl["outcome"], "reachable", "{keyctl}");
    assert_eq!(keyctl["errno"]["name"], "EOPNOTSUPP");
    assert_eq!(
        first["report"]["syscalls"], second["report"]["syscalls"],
        "the startup probe is reused"
    );
    let m = s.get("/metrics");
    exposition_check(&m.body);
    assert_eq!(sample(&m.body, "posture_syscall_probe_run"), Some("1"));
    assert_eq!(
        sample(
            &m.body,
            "posture_syscall{syscall=\"keyctl\",state=\"reachable\"}"
        ),
        Some("1")
    );
}

// ---- Slow and stuck clients, stuck readings ----------------------------------

/// The accept queue of the IPv4 TCP socket listening on `port`: (queued
/// connections, listen backlog), asked of the kernel as `ss -ltn` does
/// (a NETLINK_SOCK_DIAG dump of listening sockets, `inet_diag_msg`'s
/// `idiag_rqueue` and `idiag_wqueue`; include/uapi/linux/inet_diag.h).
fn listen_queue(port: u16) -> (u32, u32) {
    use nix::sys::socket::{
        AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recv, sendto,
        socket,
    };
    use std::os::fd::AsRawFd;
    const SOCK_DIAG_BY_FAMILY: u16 = 20;
    const NLM_F_REQUEST: u16 = 0x1;
    const NLM_F_DUMP: u16 = 0x300;
    const NLMSG_ERROR: u16 = 2;
    const NLMSG_DONE: u16 = 3;
    const TCP_LISTEN: u32 = 10;
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .expect("a NETLINK_SOCK_DIAG socket");
    // nlmsghdr (16 bytes) + inet_diag_req_v2 (56 bytes: family, protocol,
    // ext, pad, states, and an inet_diag_sockid the dump does not filter on).
    let mut req = Vec::with_capacity(72);
    req.extend_from_slice(&72u32.to_ne_bytes());
    req.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    req.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    req.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it
    req.extend_from_slice(&[nix::libc::AF_INET as u8, nix::libc::IPPROTO_TCP as u8, 0, 0]);
    req.extend_from_slice(&(1u32 << TCP_LISTEN).to_ne_bytes());
    req.resize(72, 0);
    sendto(
        fd.as_raw_fd(),
        &req,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .expect("send the sock_diag request");
    let mut found = None;
    let mut buf = vec![0u8; 64 * 1024];
    'dump: loop {
        let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).expect("sock_diag answer");
        let mut at = 0;
        while at + 16 <= n {
            let u32_at = |o: usize| u32::from_ne_bytes(buf[o..o + 4].try_into().unwrap());
            let len = u32_at(at) as usize;
            let ty = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap());
            assert!(
                len >= 16 && at + len <= n,
                "a netlink message of {len} bytes"
            );
            match ty {
                NLMSG_DONE => break 'dump,
                NLMSG_ERROR => panic!("sock_diag: error {}", u32_at(at + 16) as i32),
                SOCK_DIAG_BY_FAMILY => {
                    // inet_diag_msg: family, state, timer, retrans, then the
                    // sockid (source port first, big-endian), expires,
                    // rqueue, wqueue.
                    let m = at + 16;
                    let sport = u16::from_be_bytes([buf[m + 4], buf[m + 5]]);
                    if sport == port {
                        found = Some((u32_at(m + 56), u32_at(m + 60)));
                    }
                }
                _ => {}
            }
            at += (len + 3) & !3;
        }
    }
    found.unwrap_or_else(|| panic!("no IPv4 TCP socket listens on port {port}"))
}

/// The server's open sockets (listener, signal pipe, connections), from
/// `/proc/<pid>/fd`: what a flood of connections costs it.
fn socket_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|l| l.to_string_lossy().starts_with("socket:"))
        .count()
}

/// The server's threads named `name`, from `/proc/<pid>/task/*/comm`.
fn threads_named(pid: u32, name: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .filter(|c| c.trim_end() == name)
        .count()
}

/// Polls `f` every 20 ms until it holds or `limit` passes.
fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if f() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A request line and some headers, never finished: the connection stays in
/// its head phase until the server gives up on it.
const PARTIAL_HEAD: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1";

fn stall(addr: &str, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|i| {
            let mut c = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect #{i}: {e}"));
            c.write_all(PARTIAL_HEAD).unwrap();
            c
        })
        .collect()
}

/// Whether the server still holds `c` open: nothing to read yet (no EOF, no
/// reset, no answer).
fn is_open(c: &TcpStream) -> bool {
    c.set_nonblocking(true).unwrap();
    let mut b = [0u8; 1];
    let open = matches!(c.peek(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    c.set_nonblocking(false).unwrap();
    open
}

/// Blocks until the server closes `c` (EOF or reset) and returns when, or
/// `None` if it is still open at `deadline`. Bytes the server sends first
/// are skipped.
fn closed_by(c: &mut TcpStream, deadline: Instant) -> Option<Instant> {
    let mut b = [0u8; 1024];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        c.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match c.read(&mut b) {
            Ok(0) => return Some(Instant::now()),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if Instant::now() >= deadline {
                    return None;
                }
            }
            Err(_reset) => return Some(Instant::now()),
        }
    }
}

/// One HTTP/1.1 GET on an open connection (kept alive): status and body.
fn raw_get(c: &mut TcpStream, path: &str) -> (u16, String) {
    c.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .expect("content-length");
            if buf.len() >= end + 4 + len {
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
                assert_eq!(buf.len(), end + 4 + len, "one response, nothing after it");
                return (status, body);
            }
        }
        let n = c.read(&mut chunk).expect("response");
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Hundreds of clients that send part of a request head and stall are all
/// closed at the header timeout (and not before), their sockets are given
/// back, and real requests are served meanwhile.
#[test]
fn slow_clients_are_closed_at_the_header_timeout() {
    assert_proc_is_procfs();
    const N: usize = 300;
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "proc-only", "proc_trusted");
    let s = start(
        &[
            "--policy",
            p.to_str().unwrap(),
            "--header-timeout-ms",
            "2000",
            "--max-connections",
            "512",
        ],
        &[],
    );
    let pid = s.child.id();
    let idle_sockets = socket_fds(pid);

    let t0 = Instant::now();
    let mut conns = stall(&s.addr, N);
    assert!(
        eventually(Duration::from_secs(5), || socket_fds(pid)
            >= idle_sockets + N),
        "the server accepted every connection: {} sockets, {idle_sockets} idle",
        socket_fds(pid)
    );
    // Before the timeout every one is still held (so what closes them next is
    // the timeout, not a refusal of the partial head).
    if t0.elapsed() < Duration::from_millis(1900) {
        let open = conns.iter().filter(|c| is_open(c)).count();
        assert_eq!(open, N, "all held before the header timeout");
    }
    // Real requests are served while they stall.
    for _ in 0..3 {
        let t = Instant::now();
        let h = s.get("/healthz");
        assert_eq!(
            (h.status, h.body.as_str()),
            (200, "pass policy=proc-only\n")
        );
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    }

    let deadline = t0 + Duration::from_millis(2000) + Duration::from_secs(4);
    let mut first: Option<Instant> = None;
    for (i, c) in conns.iter_mut().enumerate() {
        let at = closed_by(c, deadline).unwrap_or_else(|| {
            panic!(
                "connection #{i} still open {:?} after it stalled",
                t0.elapsed()
            )
        });
        first = Some(first.map_or(at, |f| f.min(at)));
    }
    let first = first.unwrap() - t0;
    assert!(
        first >= Duration::from_millis(1990),
        "none is closed before the 2 s header timeout: first at {first:?}"
    );
    assert!(
        eventually(Duration::from_secs(3), || socket_fds(pid) == idle_sockets),
        "every socket given back: {} open, {idle_sockets} idle",
        socket_fds(pid)
    );
    let h = s.get("/healthz");
    assert_eq!(
        (h.status, h.body.as_str()),
        (200, "pass policy=proc-only\n")
    );
}

/// A kept-alive connection stays open between requests for the idle
/// timeout (longer than the header timeout, which does not apply while it
/// is idle), serves the next request, and is closed once idle for the idle
/// timeout. Bytes of a next request start the header timeout.
#[test]
fn idle_keep_alive_connections_close_at_the_idle_timeout() {
    assert_proc_is_procfs();
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "proc-only", "proc_trusted");
    let s = start(
        &[
            "--policy",
            p.to_str().unwrap(),
            "--header-timeout-ms",
            "1000",
            "--idle-timeout-ms",
            "3000",
        ],
        &[],
    );
    let mut c = TcpStream::connect(&s.addr).unwrap();
    assert_eq!(
        raw_get(&mut c, "/healthz"),
        (200, "pass policy=proc-only\n".into())
    );
    thread::sleep(Duration::from_millis(1500));
    assert!(is_open(&c), "idle, not held to the 1 s header timeout");
    assert_eq!(
        raw_get(&mut c, "/healthz"),
        (200, "pass policy=proc-only\n".into()),
        "the kept-alive connection serves the next request"
    );
    let idle_from = Instant::now();
    let closed = closed_by(&mut c, idle_from + Duration::from_secs(3 + 4))
        .expect("closed after the 3 s idle timeout");
    let idle = closed - idle_from;
    assert!(
        idle >= Duration::from_millis(2900),
        "not before the idle timeout: {idle:?}"
    );

    // Idle, then part of a next request: from its first byte the header
    // timeout (1 s) holds, not what is left of the idle one.
    let mut c = TcpStream::connect(&s.addr).unwrap();
    assert_eq!(raw_get(&mut c, "/healthz").0, 200);
    thread::sleep(Duration::from_millis(200));
    c.write_all(b"GET /heal").unwrap();
    let began = Instant::now();
    let closed = closed_by(&mut c, began + Duration::from_secs(3 + 4)).expect("closed");
    let took = closed - began;
    assert!(
        took >= Duration::from_millis(990) && took < Duration::from_millis(2500),
        "closed at the header timeout after the first byte: {took:?}"
    );
}

/// With every slot held by stalled clients, the server accepts no more
/// (its socket count stays at the bound); a real request waits in the
/// backlog and is served once the stalled ones ahead of it time out.
#[test]
fn the_connection_bound_holds_and_queued_requests_are_served() {
    assert_proc_is_procfs();
    const BOUND: usize = 16;
    const STALLED: usize = 40; // two and a half rounds of slots
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "proc-only", "proc_trusted");
    let s = start(
        &[
            "--policy",
            p.to_str().unwrap(),
            "--header-timeout-ms",
            "1000",
            "--max-connections",
            &BOUND.to_string(),
        ],
        &[],
    );
    let pid = s.child.id();
    let idle_sockets = socket_fds(pid);

    let t0 = Instant::now();
    let _conns = stall(&s.addr, STALLED);
    // Never more than the bound accepted, and the bound reached.
    let mut most = 0;
    for _ in 0..15 {
        let n = socket_fds(pid);
        assert!(
            n <= idle_sockets + BOUND,
            "{n} sockets, {idle_sockets} idle"
        );
        most = most.max(n);
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(most, idle_sockets + BOUND, "the bound is reached");
    // The rest wait in the kernel's accept queue (what `ss -ltn` shows as
    // Recv-Q, queued, and Send-Q, the listen backlog).
    let port: u16 = s.addr.rsplit(':').next().unwrap().parse().unwrap();
    let (queued, backlog) = listen_queue(port);
    assert_eq!(backlog, 1024, "the listen backlog");
    assert!(
        queued > 0 && queued as usize <= STALLED - BOUND,
        "stalled clients beyond the bound wait in the backlog: {queued} queued"
    );
    let h = s.get("/healthz");
    let answered = t0.elapsed();
    assert_eq!(
        (h.status, h.body.as_str()),
        (200, "pass policy=proc-only\n")
    );
    // Behind 40 stalled connections in the backlog with 16 slots: two rounds
    // of 1 s header timeouts pass before it is accepted.
    assert!(
        answered >= Duration::from_millis(1990),
        "served only after two rounds of stalled clients timed out: {answered:?}"
    );
    assert!(
        answered < Duration::from_secs(3 + 4),
        "served within three rounds (+ margin): {answered:?}"
    );
    assert!(
        eventually(Duration::from_secs(4), || socket_fds(pid) == idle_sockets),
        "every socket given back: {} open, {idle_sockets} idle",
        socket_fds(pid)
    );
}

fn mkfifo(path: &Path) {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
}

/// Holds `fifo` open for writing (O_RDWR does not wait for a reader), so
/// opening it for reading does not block while this lives.
fn hold_open(fifo: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(fifo)
        .unwrap()
}

/// `key=value` in a space-separated line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// A reading that blocks (a real open(2) of a FIFO with no writer, via the
/// example's test hook) after a good one: the first request waits the
/// reading timeout, then it and every later one answer `503 stale` at once,
/// carrying the last verdict but never its status; one reading thread in
/// all; once the FIFO gets a writer, fresh readings are served again.
fn stuck_reading(policy: &str, only: &str, extra: &[&str], fresh: (u16, &str), last: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), policy, only);
    let fifo = tmp.path().join("stall");
    mkfifo(&fifo);
    let holder = hold_open(&fifo);
    let mut args = vec![
        "--policy",
        p.to_str().unwrap(),
        "--reading-timeout-ms",
        "1500",
        "--test-block-reading-on",
        fifo.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let s = start(&args, &[]);
    let pid = s.child.id();
    let h = s.get("/healthz");
    assert_eq!((h.status, h.body.as_str()), fresh);

    drop(holder); // no writer: the next reading blocks in open(2)
    let t = Instant::now();
    let h = s.get("/healthz");
    let waited = t.elapsed();
    assert_eq!(h.status, 503, "{h:?}");
    let line = h.body.trim_end();
    assert!(
        line.starts_with(&format!("stale policy={policy} reading=stuck ")),
        "{line}"
    );
    assert_eq!(field(line, "last"), Some(last), "{line}");
    let running: u64 = field(line, "running_ms").unwrap().parse().unwrap();
    assert!(running >= 1500, "{line}");
    assert!(field(line, "last_age_ms").is_some(), "{line}");
    assert!(
        waited >= Duration::from_millis(1450) && waited < Duration::from_millis(1500 + 2000),
        "the first request waits for the reading's deadline: {waited:?}"
    );

    // The reading is known stuck: every answer comes at once, still stale.
    for path in ["/healthz", "/metrics", "/healthz", "/healthz", "/metrics"] {
        let t = Instant::now();
        let h = s.get(path);
        assert!(
            t.elapsed() < Duration::from_millis(1000),
            "{path} answered without waiting: {:?}",
            t.elapsed()
        );
        assert_eq!(h.status, 503, "{path}: {h:?}");
        assert!(
            h.body.starts_with(&format!("stale policy={policy} ")),
            "{h:?}"
        );
        assert_eq!(field(h.body.trim_end(), "last"), Some(last), "{h:?}");
    }
    assert_eq!(
        threads_named(pid, "health-reading"),
        1,
        "one reading in flight, however many requests"
    );

    // A writer: the stuck reading returns, and readings are fresh again.
    let _holder = hold_open(&fifo);
    assert!(
        eventually(Duration::from_secs(5), || threads_named(
            pid,
            "health-reading"
        ) == 0),
        "the stuck reading returned"
    );
    let h = s.get("/healthz");
    assert_eq!((h.status, h.body.as_str()), fresh);
}

#[test]
fn a_stuck_reading_after_a_pass_answers_503_stale() {
    assert_proc_is_procfs();
    stuck_reading(
        "proc-only",
        "proc_trusted",
        &[],
        (200, "pass policy=proc-only\n"),
        "pass",
    );
}

#[test]
fn a_stuck_reading_after_a_fail_answers_503_stale() {
    assert_no_nnp();
    stuck_reading(
        "nnp-only",
        "no_new_privs",
        &["--report-only"],
        (503, "fail policy=nnp-only blocking=no_new_privs\n"),
        "fail",
    );
}

/// The startup reading blocks: the guard cannot judge, so it refuses (78)
/// within the startup timeout; with `--report-only` the server starts and
/// answers `503 stale … last=none`.
#[test]
fn a_stuck_startup_reading_refuses_or_serves_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "proc-only", "proc_trusted");
    let fifo = tmp.path().join("stall");
    mkfifo(&fifo);
    let base = [
        "--listen",
        "127.0.0.1:0",
        "--policy",
        p.to_str().unwrap(),
        "--startup-timeout-ms",
        "1000",
        "--reading-timeout-ms",
        "1000",
        "--test-block-reading-on",
        fifo.to_str().unwrap(),
    ];
    let t = Instant::now();
    let out = Command::new(example("health"))
        .args(base)
        .env_remove("POSTURE_OVERRIDE")
        .env_remove("POSTURE_POLICY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(out.stdout.is_empty(), "never listened");
    assert!(
        err.contains("the startup reading did not finish within 1000 ms"),
        "{err}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(1 + 5),
        "{:?}",
        t.elapsed()
    );

    let s = start(&[&base[2..], &["--report-only"]].concat(), &[]);
    let err = s.wait_stderr("--report-only: serving anyway");
    assert!(err.contains("did not finish within 1000 ms"), "{err}");
    let h = s.get("/healthz");
    assert_eq!(h.status, 503, "{h:?}");
    assert!(
        h.body.starts_with("stale policy=proc-only reading=stuck "),
        "{h:?}"
    );
    assert_eq!(field(h.body.trim_end(), "last"), Some("none"), "{h:?}");
}

/// The library itself on a fixture root whose `proc/self/status` is a FIFO
/// nobody writes: whether the library's read blocks there (the reading is
/// then stuck) or gives up (the status is then unreadable, the uid unknown),
/// the server answers within its reading timeout and never passes `non_root`.
#[test]
fn a_fifo_status_file_never_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy_file(tmp.path(), "nonroot-only", "non_root");
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("proc/self")).unwrap();
    mkfifo(&root.join("proc/self/status"));
    let s = start(
        &[
            "--policy",
            p.to_str().unwrap(),
            "--report-only",
            "--startup-timeout-ms",
            "1000",
            "--reading-timeout-ms",
            "1000",
            "--test-fixture-root",
            root.to_str().unwrap(),
        ],
        &[],
    );
    for _ in 0..3 {
        let t = Instant::now();
        let h = s.get("/healthz");
        assert!(
            t.elapsed() < Duration::from_millis(1000 + 2000),
            "answered within the reading timeout: {:?}",
            t.elapsed()
        );
        assert_eq!(h.status, 503, "{h:?}");
        assert!(
            h.body.starts_with("stale policy=nonroot-only ")
                || h.body == "fail policy=nonroot-only blocking=non_root\n",
            "{h:?}"
        );
    }
    eprintln!("fifo status: {:?}", s.get("/healthz").body);
}

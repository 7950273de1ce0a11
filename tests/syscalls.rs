//! The syscall probe under real seccomp filters, installed with
//! `seccompiler` in a re-executed copy of this test binary (a filter cannot
//! be removed, so each scenario gets a fresh process), plus table and
//! property tests of the errno classification.
//!
//! Expected answers are written here from the kernel source (the files named
//! in `posture::syscalls`), not taken from the library: the kernel's
//! validation errno of each call, and which calls the kernel may answer with
//! `EPERM` before validating. The host facts they depend on are read here
//! too: a kernel without modules or kexec answers those calls `ENOSYS`
//! (`/proc/modules`, `/sys/kernel/kexec_loaded` absent), and
//! `kernel.io_uring_disabled=2` answers `io_uring_setup` `EPERM`.
//!
//! The scenarios expect root's answers (as `scripts/test-all.sh` runs them):
//! the kernel's validation for every call (no capability check fails). A
//! non-root user gets `EPERM` from the kernel's capability checks instead,
//! so those tests are marked ignored unless the `root-tests` feature is on
//! (`--all-features` turns it on); the table and property tests run for
//! every user.

mod common;
#[path = "common/schema.rs"]
mod schema;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use posture::__private::classify;
use posture::report::{BlockedBy, Outcome, Syscall};
use proptest::prelude::*;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};
use serde_json::Value;

const SCENARIO_ENV: &str = "POSTURE_SYSCALLS_SCENARIO";
const MARK: &str = "POSTURE_PROBE_JSON ";

use common::PROBED_SYSCALLS as NAMES;

/// The kernel's validation answer to each probe call (from the kernel
/// source), and whether the kernel may answer EPERM before validating.
fn kernel_table() -> BTreeMap<&'static str, (&'static [&'static str], bool)> {
    BTreeMap::from([
        ("unshare", (&["EINVAL"][..], true)),
        ("clone", (&["EINVAL"][..], false)),
        ("clone3", (&["EINVAL"][..], false)),
        ("setns", (&["EBADF"][..], false)),
        ("mount", (&["ENOENT"][..], false)),
        ("umount2", (&["EINVAL"][..], false)),
        ("pivot_root", (&["ENOENT"][..], true)),
        ("fsopen", (&["EINVAL"][..], true)),
        ("open_tree", (&["EINVAL"][..], false)),
        ("keyctl", (&["EOPNOTSUPP"][..], false)),
        ("add_key", (&["EINVAL"][..], false)),
        ("request_key", (&["EINVAL"][..], false)),
        ("bpf", (&["EINVAL"][..], true)),
        ("perf_event_open", (&["EFAULT"][..], false)),
        ("userfaultfd", (&["EINVAL"][..], true)),
        ("io_uring_setup", (&["EFAULT"][..], true)),
        ("ptrace", (&["ESRCH"][..], false)),
        ("process_vm_readv", (&["EINVAL"][..], false)),
        ("process_vm_writev", (&["EINVAL"][..], false)),
        // 6.12 resolves the descriptor first (EBADF); 6.18 copies the handle
        // first (EFAULT).
        ("open_by_handle_at", (&["EBADF", "EFAULT"][..], true)),
        ("init_module", (&["ENOEXEC"][..], true)),
        ("finit_module", (&["EINVAL"][..], true)),
        ("kexec_load", (&["EINVAL"][..], true)),
        ("kexec_file_load", (&["EINVAL"][..], true)),
        ("reboot", (&["EINVAL"][..], true)),
        ("swapon", (&["EINVAL"][..], true)),
    ])
}

/// What root gets from this kernel with no filter: the validation errno, or
/// the errno of a kernel check this host is known to fail.
fn host_answer(name: &str) -> (&'static str, bool) {
    let no_modules = !Path::new("/proc/modules").exists();
    let no_kexec = !Path::new("/sys/kernel/kexec_loaded").exists();
    let io_uring_off = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
        .map(|s| s.trim() == "2")
        .unwrap_or(false);
    match name {
        "init_module" | "finit_module" if no_modules => ("ENOSYS", false),
        "kexec_load" | "kexec_file_load" if no_kexec => ("ENOSYS", false),
        "io_uring_setup" if io_uring_off => ("EPERM", false),
        _ => {
            let (answers, _) = kernel_table()[name];
            (answers[0], true)
        }
    }
}

// ---------------------------------------------------------------------------
// Scenarios in a re-executed child.

/// The filter a scenario installs on the probing thread.
fn install(scenario: &str) {
    let arch = std::env::consts::ARCH.try_into().expect("seccompiler arch");
    let all: Vec<i64> = [
        libc::SYS_unshare,
        libc::SYS_clone,
        libc::SYS_clone3,
        libc::SYS_setns,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_fsopen,
        libc::SYS_open_tree,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_io_uring_setup,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_open_by_handle_at,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_reboot,
        libc::SYS_swapon,
    ]
    .to_vec();
    let one = |nr: i64| BTreeMap::from([(nr, vec![])]);
    let filter = match scenario {
        "none" | "traced-keyctl" => return,
        // Matches only acct(2), which the probe never calls: every listed
        // syscall is allowed.
        "allow-all" => SeccompFilter::new(
            one(libc::SYS_acct),
            SeccompAction::Allow,
            SeccompAction::Errno(libc::EPERM as u32),
            arch,
        ),
        // Like the runtimes' profiles, clone is matched only with
        // CLONE_NEWUSER set: the probe itself forks with clone.
        "errno-all" => SeccompFilter::new(
            all.iter()
                .map(|&nr| {
                    let rules = if nr == libc::SYS_clone {
                        let newuser = libc::CLONE_NEWUSER as u64;
                        vec![
                            SeccompRule::new(vec![
                                SeccompCondition::new(
                                    0,
                                    SeccompCmpArgLen::Qword,
                                    SeccompCmpOp::MaskedEq(newuser),
                                    newuser,
                                )
                                .unwrap(),
                            ])
                            .unwrap(),
                        ]
                    } else {
                        vec![]
                    };
                    (nr, rules)
                })
                .collect(),
            SeccompAction::Allow,
            SeccompAction::Errno(libc::EPERM as u32),
            arch,
        ),
        "kill-keyctl" => SeccompFilter::new(
            one(libc::SYS_keyctl),
            SeccompAction::Allow,
            SeccompAction::KillProcess,
            arch,
        ),
        "trap-bpf" => SeccompFilter::new(
            one(libc::SYS_bpf),
            SeccompAction::Allow,
            SeccompAction::Trap,
            arch,
        ),
        "kill-thread-mount" => SeccompFilter::new(
            one(libc::SYS_mount),
            SeccompAction::Allow,
            SeccompAction::KillThread,
            arch,
        ),
        // prlimit64 (RLIMIT_CORE to 0): one of the child's set-up calls.
        "kill-prlimit" => SeccompFilter::new(
            one(libc::SYS_prlimit64),
            SeccompAction::Allow,
            SeccompAction::KillProcess,
            arch,
        ),
        "kill-unshare" => SeccompFilter::new(
            one(libc::SYS_unshare),
            SeccompAction::Allow,
            SeccompAction::KillProcess,
            arch,
        ),
        other => panic!("no scenario {other}"),
    };
    let prog = filter
        .and_then(BpfProgram::try_from)
        .expect("filter builds");
    // Every thread, so that the report's main-thread facts see it too.
    seccompiler::apply_filter_all_threads(&prog).expect("filter installs");
}

/// A filter that answers EPERM to clone with CLONE_VM in its flags (and
/// lets everything else through: glibc's fork is a clone without it).
fn install_no_clone_vm() {
    let arch = std::env::consts::ARCH.try_into().expect("seccompiler arch");
    let vm = libc::CLONE_VM as u64;
    let filter = SeccompFilter::new(
        BTreeMap::from([(
            libc::SYS_clone,
            vec![
                SeccompRule::new(vec![
                    SeccompCondition::new(
                        0,
                        SeccompCmpArgLen::Qword,
                        SeccompCmpOp::MaskedEq(vm),
                        vm,
                    )
                    .unwrap(),
                ])
                .unwrap(),
            ],
        )]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    );
    let prog = filter
        .and_then(BpfProgram::try_from)
        .expect("filter builds");
    seccompiler::apply_filter_all_threads(&prog).expect("filter installs");
}

/// The child's entry point: installs the scenario's filter on this thread,
/// probes, prints the report (with the probe) and its checklist assessment
/// as one JSON line. Ignored in a plain run; `scenario` runs it with
/// `--ignored --exact`.
#[test]
#[ignore = "entry point of the re-executed scenario child"]
fn scenario_child() {
    let scenario = std::env::var(SCENARIO_ENV).expect("run by scenario() with the scenario set");
    // `forkonly-<scenario>`: a first filter refuses clone with CLONE_VM
    // (EPERM), as a filter may; the probe must fall back to fork, as on
    // kernels before 5.16, under the scenario's own filter.
    let scenario = match scenario.strip_prefix("forkonly-") {
        Some(rest) => {
            install_no_clone_vm();
            rest.to_string()
        }
        None => scenario,
    };
    install(&scenario);
    let started = Instant::now();
    let mut opts = posture::syscalls::Options::default();
    if scenario == "traced-keyctl" {
        opts.timeout = Duration::from_millis(500);
    }
    let report = posture::posture().with_syscalls(posture::syscalls::probe_with(&opts));
    let elapsed = started.elapsed();
    let policy = posture::Policy::preset(posture::Preset::Checklist);
    let a = posture::evaluate(&report, &policy);
    let doc = posture::render::json::Document::new(&report).with_assessment(&a);
    let mut v = serde_json::to_value(&doc).expect("serializes");
    v["elapsed_ms"] = (elapsed.as_millis() as u64).into();
    // A child held by a tracer can only be reaped once the tracer lets it
    // go; the probe leaves a thread to do that. Wait for it (bounded).
    let deadline = Instant::now() + Duration::from_secs(20);
    while !children_of(std::process::id()).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    v["leftover_children"] = children_of(std::process::id()).into();
    println!("{MARK}{v}");
}

/// The pids whose parent is `pid` (from every `/proc/<pid>/stat`): in the
/// scenario child only the probe forks, so any is a child it left behind.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces and parentheses.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after.split(' ').nth(1).unwrap().parse().unwrap();
        if ppid == pid {
            out.push(p);
        }
    }
    out
}

/// Runs a scenario in a fresh copy of this binary and returns its document.
fn scenario(name: &str) -> Value {
    scenario_under(name, &[])
}

/// The same, with the child started by `wrapper` (e.g. strace).
fn scenario_under(name: &str, wrapper: &[&str]) -> Value {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match wrapper.split_first() {
        Some((prog, args)) => {
            let mut c = Command::new(prog);
            c.args(args).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let out = cmd
        .args([
            "--ignored",
            "--exact",
            "scenario_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SCENARIO_ENV, name)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {wrapper:?} {}: {e}", exe.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scenario {name}: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once(MARK).map(|(_, json)| json))
        .unwrap_or_else(|| panic!("scenario {name} printed no document:\n{stdout}"));
    let doc: Value = serde_json::from_str(line).expect("JSON");
    // Each scenario's document (killed, filtered and held calls among them)
    // is valid against the checked-in JSON Schema, less the two keys the
    // child adds.
    let mut checked = doc.clone();
    for extra in ["elapsed_ms", "leftover_children"] {
        checked.as_object_mut().expect("an object").remove(extra);
    }
    schema::assert_valid(&format!("scenario {name}"), &checked);
    assert_eq!(
        doc["leftover_children"],
        serde_json::json!([]),
        "scenario {name}: every probe child was reaped"
    );
    doc
}

fn probe(doc: &Value) -> &Value {
    &doc["report"]["syscalls"]["known"]
}

/// syscall name -> its result object.
fn results(doc: &Value) -> BTreeMap<String, Value> {
    let list = probe(doc)["results"].as_array().expect("results");
    let names: Vec<&str> = list
        .iter()
        .map(|r| r["syscall"].as_str().unwrap())
        .collect();
    assert_eq!(names, NAMES, "one result per listed syscall, in order");
    list.iter()
        .map(|r| (r["syscall"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn check_status(doc: &Value) -> String {
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    let c = checks
        .iter()
        .find(|c| c["id"] == "dangerous_syscalls_blocked")
        .expect("the check is evaluated under checklist");
    assert_eq!(c["required"], false, "checklist warns on it");
    c["status"].as_str().unwrap().to_string()
}

fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "these scenarios expect root's answers (every capability check passes): run as root"
    );
}

/// Asserts one result: state, errno name and who blocked.
#[track_caller]
fn assert_result(r: &Value, state: &str, errno: Option<&str>, by: Option<&str>) {
    assert_eq!(r["outcome"], state, "{r}");
    if let ("reachable" | "blocked", Some(e)) = (state, errno) {
        assert_eq!(r["errno"]["name"], e, "{r}");
    }
    if let Some(b) = by {
        assert_eq!(r["by"], b, "{r}");
    }
}

/// The answers with no filter (or one that lets them all through): the
/// kernel's validation, except where this host's kernel lacks the call.
fn assert_kernel_answers(doc: &Value, filtered: bool, except: &[&str]) {
    for (name, r) in results(doc) {
        if except.contains(&name.as_str()) {
            continue;
        }
        let (errno, reachable) = host_answer(&name);
        if name == "open_by_handle_at" {
            // Either order of the kernel's checks (see kernel_table).
            assert_eq!(r["outcome"], "reachable", "{r}");
            let e = r["errno"]["name"].as_str().unwrap();
            assert!(e == "EBADF" || e == "EFAULT", "{r}");
            continue;
        }
        if reachable {
            assert_result(&r, "reachable", Some(errno), None);
        } else {
            let by = if filtered {
                "filter_or_kernel"
            } else {
                "kernel"
            };
            assert_result(&r, "blocked", Some(errno), Some(by));
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn without_a_filter_every_answer_is_the_kernels() {
    require_root();
    let doc = scenario("none");
    let p = probe(&doc);
    assert_eq!(
        p["filter"]["known"], false,
        "the test thread has no filter: {p}"
    );
    assert_kernel_answers(&doc, false, &[]);
    assert_eq!(p["children"], 1);
    assert_eq!(check_status(&doc), "fail");
    // Root on the host with max_user_namespaces > 0: the kernel creates one.
    let max: u64 = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let u = &p["user_namespaces"];
    assert_eq!(u["max_user_namespaces"]["known"], max);
    if max > 0 {
        assert_eq!(u["attempt"]["outcome"], "created", "{u}");
        assert_eq!(u["can_create"]["known"], true, "{u}");
    } else {
        assert_eq!(u["can_create"]["known"], false, "{u}");
    }
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn an_allow_all_filter_blocks_nothing_and_the_check_fails() {
    require_root();
    let doc = scenario("allow-all");
    let p = probe(&doc);
    assert_eq!(p["filter"]["known"], true);
    assert_eq!(doc["report"]["seccomp"]["mode"]["known"], "filter");
    assert_kernel_answers(&doc, true, &[]);
    assert_eq!(check_status(&doc), "fail");
    let c = doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dangerous_syscalls_blocked")
        .unwrap()
        .clone();
    let ev = c["evidence"].as_str().unwrap();
    for name in [
        "unshare",
        "mount",
        "keyctl",
        "bpf",
        "ptrace",
        "io_uring_setup",
    ] {
        assert!(ev.contains(name), "evidence names {name}: {ev}");
    }
    // The seccomp check, about the mode only, passes for this filter.
    let seccomp = doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "seccomp")
        .unwrap()
        .clone();
    assert_eq!(seccomp["status"], "pass");
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn errno_for_every_listed_syscall_passes() {
    require_root();
    let doc = scenario("errno-all");
    let table = kernel_table();
    for (name, r) in results(&doc) {
        let (_, eperm_first) = table[name.as_str()];
        let by = if eperm_first {
            "filter_or_kernel"
        } else {
            "filter"
        };
        assert_result(&r, "blocked", Some("EPERM"), Some(by));
        if eperm_first {
            assert!(r["note"].as_str().is_some_and(|n| !n.is_empty()), "{r}");
        }
    }
    assert_eq!(check_status(&doc), "pass");
    let u = &probe(&doc)["user_namespaces"];
    assert_eq!(u["attempt"]["outcome"], "refused");
    assert_eq!(u["attempt"]["errno"]["name"], "EPERM");
    assert_eq!(
        u["can_create"]["known"], false,
        "every route is blocked: {u}"
    );
    assert_eq!(probe(&doc)["children"], 1);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn kill_process_on_one_syscall_reads_killed_and_the_probe_resumes() {
    require_root();
    let doc = scenario("kill-keyctl");
    let r = results(&doc);
    assert_result(&r["keyctl"], "killed", None, None);
    assert_eq!(r["keyctl"]["signal"]["name"], "SIGSYS");
    assert_eq!(r["keyctl"]["signal"]["number"], libc::SIGSYS);
    // Before and after it, the kernel's answers: the probe resumed.
    assert_kernel_answers(&doc, true, &["keyctl"]);
    assert_eq!(probe(&doc)["children"], 2);
    assert_eq!(check_status(&doc), "fail");
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn trap_and_kill_thread_read_killed_too() {
    require_root();
    let doc = scenario("trap-bpf");
    let r = results(&doc);
    assert_result(&r["bpf"], "killed", None, None);
    assert_eq!(r["bpf"]["signal"]["name"], "SIGSYS");
    assert_kernel_answers(&doc, true, &["bpf"]);
    assert_eq!(probe(&doc)["children"], 2);

    let doc = scenario("kill-thread-mount");
    let r = results(&doc);
    assert_result(&r["mount"], "killed", None, None);
    assert_eq!(r["mount"]["signal"]["name"], "SIGSYS");
    assert_kernel_answers(&doc, true, &["mount"]);
    assert_eq!(probe(&doc)["children"], 2);
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn killed_on_unshare_leaves_user_namespace_creation_undecided() {
    require_root();
    let doc = scenario("kill-unshare");
    let r = results(&doc);
    assert_result(&r["unshare"], "killed", None, None);
    assert_kernel_answers(&doc, true, &["unshare"]);
    let p = probe(&doc);
    let u = &p["user_namespaces"];
    // The real unshare(CLONE_NEWUSER) is killed too: the first child dies
    // on the unshare probe, the second runs every other call and then dies
    // on the attempt; a third makes the plan's last call,
    // prctl(PR_GET_SECCOMP), which the filter lets through: a filter.
    assert_eq!(u["attempt"]["outcome"], "killed", "{u}");
    assert_eq!(p["children"], 3);
    assert_eq!(p["seccomp_mode"]["known"], "filter", "{p}");
    // clone and clone3 reach the kernel, so nothing is concluded.
    let reason = u["can_create"]["unknown"]["reason"].as_str().unwrap();
    assert!(reason.contains("clone, clone3"), "{reason}");
}

/// A call that does not come back is bounded: strace (a real tracer, as a
/// debugger or a `SECCOMP_RET_TRACE` tracer would be) holds every keyctl for
/// 8 s; with a 500 ms bound the probe kills that child, reports keyctl
/// unknown, and resumes after it in a new child. Needs strace
/// (`apt-get install strace`).
#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_held_call_is_killed_after_the_bound_and_the_probe_resumes() {
    require_root();
    let doc = scenario_under(
        "traced-keyctl",
        &[
            "strace",
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=keyctl",
            "-e",
            "inject=keyctl:delay_enter=8000000",
        ],
    );
    let r = results(&doc);
    assert_eq!(r["keyctl"]["outcome"], "unknown", "{}", r["keyctl"]);
    let reason = r["keyctl"]["reason"].as_str().unwrap();
    assert!(reason.contains("no answer within 500ms"), "{reason}");
    assert_kernel_answers(&doc, false, &["keyctl"]);
    assert_eq!(probe(&doc)["children"], 2);
    // The probe's own time, measured in the child (strace itself lingers
    // until its delay timer fires).
    let ms = doc["elapsed_ms"].as_u64().unwrap();
    assert!(
        (500..4000).contains(&ms),
        "the held call was cut at the bound, not waited for: {ms} ms"
    );
}

/// Where the shared-memory child is refused (here a filter answers EPERM
/// to clone with CLONE_VM), the probe forks it, as it does on kernels before
/// 5.16, with the same answers; a seccomp kill still ends only the child,
/// and the probe resumes.
#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn a_forked_child_where_clone_vm_is_refused_answers_the_same() {
    require_root();
    let doc = scenario("forkonly-none");
    let p = probe(&doc);
    assert_eq!(p["filter"]["known"], true);
    assert_kernel_answers(&doc, true, &[]);
    assert_eq!(p["children"], 1);
    assert_eq!(p["seccomp_mode"]["known"], "filter", "{p}");
    assert_eq!(p["user_namespaces"]["attempt"]["outcome"], "created", "{p}");

    let doc = scenario("forkonly-kill-keyctl");
    let r = results(&doc);
    assert_result(&r["keyctl"], "killed", None, None);
    assert_eq!(r["keyctl"]["signal"]["name"], "SIGSYS");
    assert_kernel_answers(&doc, true, &["keyctl"]);
    assert_eq!(probe(&doc)["children"], 2);
}

/// `major.minor` of the running kernel, read here from
/// `/proc/sys/kernel/osrelease`.
fn kernel_version() -> (u32, u32) {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The probe's cost does not grow with the caller's resident memory: from
/// Linux 5.16 its child shares the caller's memory instead of copying its
/// page tables, which `fork` does at 30 ms a GiB or more on the machines this
/// is tested on. The fastest of five probes with 1 GiB of touched heap is
/// held against the fastest of five without (a heap backed by huge pages
/// would make even a fork cheap: then this proves nothing, and passes).
#[test]
fn a_large_heap_does_not_slow_the_probe() {
    if kernel_version() < (5, 16) {
        eprintln!("kernel before 5.16: the probe forks, and its cost grows with the heap");
        return;
    }
    let mut opts = posture::syscalls::Options::default();
    opts.attempt_user_namespace = false;
    let fastest = || {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let p = posture::syscalls::probe_with(&opts);
                assert_eq!(p.children, 1);
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let small = fastest();
    let mut heap = vec![0u8; 1 << 30];
    for i in (0..heap.len()).step_by(4096) {
        heap[i] = 1;
    }
    let large = fastest();
    std::hint::black_box(&heap);
    drop(heap);
    assert!(
        large < small * 3 + Duration::from_millis(5),
        "with 1 GiB resident a probe took {large:?}, without {small:?}"
    );
}

#[test]
fn posture_never_probes_and_the_check_is_unknown() {
    let report = posture::posture();
    let u = report
        .syscalls
        .as_ref()
        .into_result()
        .expect_err("not probed");
    assert_eq!(u.source, "posture::syscalls::probe");
    assert_eq!(u.reason, "not run");
    let a = posture::evaluate(&report, &posture::Policy::preset(posture::Preset::Strict));
    let c = a.check(posture::CheckId::DangerousSyscallsBlocked).unwrap();
    assert_eq!(c.status, posture::policy::CheckStatus::Unknown);
    assert!(
        c.blocks(),
        "strict requires it, and unknown is never a pass"
    );
}

#[test]
fn the_probe_is_bounded_in_time_and_children() {
    let t = Instant::now();
    let p = posture::syscalls::probe();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(p.children, 1, "no filter here: one child does every call");
    assert_eq!(p.results.len(), NAMES.len());
}

// ---------------------------------------------------------------------------
// Classification, as a pure function.

fn errno_name(code: i32) -> String {
    posture::report::Errno::new(code).name
}

fn syscall_named(name: &str) -> Syscall {
    *Syscall::ALL
        .iter()
        .find(|s| s.to_string() == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

#[test]
fn the_library_lists_exactly_these_syscalls() {
    let names: Vec<String> = Syscall::ALL.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, NAMES);
    for s in Syscall::ALL {
        assert!(!s.why().is_empty(), "{s} says why it is listed");
        assert!(
            !s.expectation().kernel_file.is_empty(),
            "{s} names its kernel file"
        );
    }
}

#[test]
fn classification_table() {
    use libc::{EACCES, EFAULT, EINVAL, ENOENT, ENOSYS, EOPNOTSUPP, EPERM};
    // syscall, return value, errno, filter installed, state, blocked by.
    type Row = (
        &'static str,
        i64,
        i32,
        Option<bool>,
        &'static str,
        Option<BlockedBy>,
    );
    let rows: &[Row] = &[
        ("keyctl", -1, EOPNOTSUPP, Some(true), "reachable", None),
        (
            "keyctl",
            -1,
            EPERM,
            Some(true),
            "blocked",
            Some(BlockedBy::Filter),
        ),
        (
            "keyctl",
            -1,
            EPERM,
            Some(false),
            "blocked",
            Some(BlockedBy::Kernel),
        ),
        (
            "keyctl",
            -1,
            EPERM,
            None,
            "blocked",
            Some(BlockedBy::FilterOrKernel),
        ),
        (
            "keyctl",
            -1,
            ENOSYS,
            Some(true),
            "blocked",
            Some(BlockedBy::FilterOrKernel),
        ),
        (
            "keyctl",
            -1,
            ENOSYS,
            Some(false),
            "blocked",
            Some(BlockedBy::Kernel),
        ),
        ("unshare", -1, EINVAL, Some(true), "reachable", None),
        (
            "unshare",
            -1,
            EPERM,
            Some(true),
            "blocked",
            Some(BlockedBy::FilterOrKernel),
        ),
        ("mount", -1, ENOENT, Some(true), "reachable", None),
        (
            "mount",
            -1,
            EPERM,
            Some(true),
            "blocked",
            Some(BlockedBy::Filter),
        ),
        (
            "mount",
            -1,
            EACCES,
            Some(true),
            "blocked",
            Some(BlockedBy::Filter),
        ),
        (
            "pivot_root",
            -1,
            EPERM,
            Some(true),
            "blocked",
            Some(BlockedBy::FilterOrKernel),
        ),
        ("perf_event_open", -1, EFAULT, Some(true), "reachable", None),
        (
            "perf_event_open",
            -1,
            EACCES,
            Some(true),
            "blocked",
            Some(BlockedBy::Filter),
        ),
        (
            "open_by_handle_at",
            -1,
            EFAULT,
            Some(true),
            "reachable",
            None,
        ),
        (
            "io_uring_setup",
            -1,
            EPERM,
            Some(true),
            "blocked",
            Some(BlockedBy::FilterOrKernel),
        ),
        ("clone", 1234, 0, Some(true), "reachable", None),
        ("bpf", 3, 0, Some(false), "reachable", None),
        ("bpf", -2, 0, Some(true), "unknown", None),
    ];
    for &(name, ret, errno, filter, state, by) in rows {
        let o = classify(syscall_named(name), ret, errno, filter);
        assert_eq!(
            o.to_string(),
            state,
            "{name} {ret} {errno} {filter:?}: {o:?}"
        );
        if let Some(want) = by {
            match o {
                Outcome::Blocked { by, errno: e, .. } => {
                    assert_eq!(by, want, "{name} {errno}");
                    assert_eq!(e.code, errno);
                    assert_eq!(e.name, errno_name(errno));
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

proptest! {
    /// Over every errno and filter state: the kernel's answers are
    /// reachable; everything else is blocked, by the filter only when a
    /// filter is known to be installed and the kernel cannot give that errno
    /// (EPERM where it checks first, ENOSYS always).
    #[test]
    fn classification_follows_the_kernel_table(
        idx in 0usize..NAMES.len(),
        errno in 1i32..4096,
        filter in prop_oneof![Just(Some(true)), Just(Some(false)), Just(None)],
    ) {
        let name = NAMES[idx];
        let (answers, eperm_first) = kernel_table()[name];
        let o = classify(syscall_named(name), -1, errno, filter);
        let ename = errno_name(errno);
        if answers.contains(&ename.as_str()) {
            prop_assert_eq!(o.to_string(), "reachable");
        } else {
            let ambiguous = errno == libc::ENOSYS || (errno == libc::EPERM && eperm_first);
            let want = match filter {
                Some(false) => BlockedBy::Kernel,
                Some(true) if !ambiguous => BlockedBy::Filter,
                _ => BlockedBy::FilterOrKernel,
            };
            match o {
                Outcome::Blocked { by, errno: e, .. } => {
                    prop_assert_eq!(by, want);
                    prop_assert_eq!(e.code, errno);
                }
                other => prop_assert!(false, "{name} {errno}: {other:?}"),
            }
        }
    }

    /// A success is always reachable: a filter cannot make a call succeed
    /// without letting it through (or a supervisor answering for it).
    #[test]
    fn success_is_reachable(idx in 0usize..NAMES.len(), ret in 0i64..i64::MAX) {
        let o = classify(syscall_named(NAMES[idx]), ret, 0, Some(true));
        prop_assert_eq!(o.to_string(), "reachable");
    }
}

#[test]
fn check_ids_include_the_new_check() {
    assert!(common::CHECK_IDS.contains(&"dangerous_syscalls_blocked"));
}

// ---------------------------------------------------------------------------
// The guard and the CLI.

#[test]
fn the_guard_probes_exactly_when_its_policy_judges_the_check() {
    use posture::policy::{Action, Policy, Preset};
    for preset in Preset::ALL {
        let p = Policy::preset(preset);
        assert_ne!(
            p.action(posture::CheckId::DangerousSyscallsBlocked),
            Action::Ignore
        );
        let r = posture::report_for(&p);
        assert!(r.syscalls.known().is_some(), "{}", p.name());
    }
    let p = Policy::preset(Preset::Strict).set(
        posture::CheckId::DangerousSyscallsBlocked,
        posture::policy::Action::Ignore,
    );
    let r = posture::report_for(&p);
    assert_eq!(
        r.syscalls.as_ref().into_result().unwrap_err().reason,
        "not run"
    );
    // Under strict, on this host (no filter), the probed check fails and the
    // refusal names it.
    let refusal = posture::guard(&Policy::preset(Preset::Strict)).unwrap_err();
    let c = refusal
        .assessment
        .check(posture::CheckId::DangerousSyscallsBlocked)
        .unwrap();
    assert_eq!(
        c.status,
        posture::policy::CheckStatus::Fail,
        "{}",
        c.evidence
    );
    assert!(refusal.to_string().contains("dangerous_syscalls_blocked"));
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(common::posture_bin())
        .args(args)
        .env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn cli_text_table_and_json() {
    require_root();
    let out = cli(&["--probe-syscalls", "--color", "never"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let section = text
        .split("\n\n")
        .find(|s| s.starts_with("Syscalls"))
        .unwrap_or_else(|| panic!("no Syscalls section:\n{text}"));
    // One row per syscall: name, outcome, errno or signal.
    for name in NAMES {
        let row = section
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{section}"));
        let (errno, reachable) = if name == "open_by_handle_at" {
            ("EFAULT", true)
        } else {
            host_answer(name)
        };
        let state = if reachable { "reachable" } else { "blocked" };
        let words: Vec<&str> = row.split_whitespace().collect();
        let at = words.iter().position(|w| *w == name).unwrap();
        assert_eq!(words[at + 1], state, "{row}");
        if name != "open_by_handle_at" {
            assert_eq!(words[at + 2], errno, "{row}");
        }
    }
    assert!(section.contains("new userns"), "{section}");

    let out = cli(&["--probe-syscalls", "--json"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let list = doc["report"]["syscalls"]["known"]["results"]
        .as_array()
        .unwrap();
    assert_eq!(list.len(), NAMES.len());

    // Without the flag, the JSON says the probe did not run.
    let out = cli(&["--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["report"]["syscalls"]["unknown"]["source"],
        "posture::syscalls::probe"
    );
}

#[test]
#[cfg_attr(
    not(feature = "root-tests"),
    ignore = "needs root: cargo test --features root-tests, as root"
)]
fn cli_check_with_the_probe_and_usage_errors() {
    require_root();
    // strict requires the check; this host has no filter: it fails, exit 1.
    let out = cli(&[
        "--check",
        "--policy",
        "strict",
        "--probe-syscalls",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = doc["assessment"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dangerous_syscalls_blocked")
        .unwrap()
        .clone();
    assert_eq!(c["status"], "fail");
    assert_eq!(c["required"], true);
    // --probe-syscalls probes this process: it makes no sense with --root.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-default");
    let out = cli(&["--probe-syscalls", "--root", fixture]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--root"));
}

/// Probes from several threads at once: each has its own pipe and child and
/// reaps only its own; the answers are the same.
#[test]
fn concurrent_probes_agree() {
    let probes: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(posture::syscalls::probe))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for p in &probes[1..] {
        assert_eq!(p.results, probes[0].results);
        assert_eq!(p.children, 1);
    }
}

/// A filter that kills the child's set-up (`setrlimit`, so that a killed
/// child leaves no core file) stops the probe: every call reads unknown with
/// the reason, rather than probing without that protection; the check is
/// unknown, never a pass.
#[test]
fn killed_during_set_up_reads_unknown_everywhere() {
    let doc = scenario("kill-prlimit");
    for (name, r) in results(&doc) {
        assert_eq!(r["outcome"], "unknown", "{name}: {r}");
        let reason = r["reason"].as_str().unwrap();
        assert!(
            reason.contains("killed by SIGSYS during its set-up"),
            "{reason}"
        );
    }
    assert_eq!(probe(&doc)["children"], 1);
    assert_eq!(check_status(&doc), "unknown");
}

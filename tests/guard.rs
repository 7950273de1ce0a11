//! The guard in a real child process (`examples/guard.rs`, and the README's
//! library sample, `examples/readme.rs`): refusal with exit 78 and every
//! blocking check on stderr, a bad policy as a sentence with exit 1, overrides shown loudly and
//! limited to the named checks, a passing policy, and policy documents that
//! are wrong in the ways people get them wrong.
//!
//! These run in the host's namespaces, as root (the project's machines) or
//! as any other user, and rely only on what is checked here from the test
//! process itself first: it has no seccomp filter and no no_new_privs (so
//! `strict` refuses for every user, and a policy requiring `no_new_privs`
//! refuses until no_new_privs is set before exec, as `setpriv --no-new-privs`
//! does). `non_root` is asserted
//! both ways: as root it blocks with its fix, as another user it passes and
//! is not listed.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::example;

fn run_guard(env: &[(&str, &str)]) -> (Output, String, String) {
    run_example("guard", env)
}

/// An example in a child process, with `env` and no policy or override
/// from the test's own environment.
fn run_example(name: &str, env: &[(&str, &str)]) -> (Output, String, String) {
    let mut cmd = Command::new(example(name));
    cmd.env_remove("POSTURE_POLICY")
        .env_remove("POSTURE_OVERRIDE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// A `/proc/self/status` line of the test process.
fn own_status(key: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key}: line in /proc/self/status"))
        .trim()
        .to_string()
}

/// Whether the test process runs as root (every uid 0).
fn running_as_root() -> bool {
    own_status("Uid").split_whitespace().all(|u| u == "0")
}

/// The guard child inherits the test process's seccomp mode and
/// no_new_privs: neither may be set for these expectations.
fn assert_unfiltered_without_nnp() {
    assert_eq!(
        own_status("Seccomp"),
        "0",
        "the test process must run without a seccomp filter"
    );
    assert_eq!(
        own_status("NoNewPrivs"),
        "0",
        "the test process must not have no_new_privs"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// A TOML policy that requires `only` and ignores everything else.
fn only(dir: &Path, name: &str, only: &str) -> String {
    let mut text = format!("name = \"{name}\"\n[checks]\n");
    for id in posture::CheckId::ALL {
        let action = if id.to_string() == only {
            "require"
        } else {
            "ignore"
        };
        text.push_str(&format!("{id} = \"{action}\"\n"));
    }
    write(dir, &format!("{name}.toml"), &text)
}

/// Whether `line` is a checklist row: indented by exactly two spaces (the
/// lines under a row, and their wrapped continuations, are indented further).
fn is_row_line(line: &str) -> bool {
    line.starts_with("  ") && !line.starts_with("   ")
}

/// Whether `line` is the checklist row of `id` whose other columns are
/// `rest` (status, severity, required; words separated by one space).
fn is_row(line: &str, id: &str, rest: &str) -> bool {
    is_row_line(line)
        && line.split_whitespace().collect::<Vec<_>>().join(" ") == format!("{id} {rest}")
}

/// Whether any line of a refusal is a checklist row of `id`.
fn has_row(err: &str, id: &str) -> bool {
    err.lines()
        .any(|l| is_row_line(l) && l.split_whitespace().next() == Some(id))
}

/// The three lines of one blocking check in a refusal: its checklist row
/// (`id status severity required`, one space apart), its evidence and its
/// fix, each trimmed, wrapped continuation lines joined back with a space.
fn block(err: &str, id: &str, rest: &str) -> Vec<String> {
    let mut lines = err.lines().skip_while(|l| !is_row(l, id, rest));
    let Some(row) = lines.next() else {
        return Vec::new();
    };
    let mut out = vec![row.split_whitespace().collect::<Vec<_>>().join(" ")];
    let mut pad = usize::MAX;
    for l in lines.take_while(|l| !is_row_line(l) && l.starts_with("   ")) {
        let indent = l.len() - l.trim_start().len();
        if indent > pad {
            let last = out.last_mut().unwrap();
            last.push(' ');
            last.push_str(l.trim_start());
        } else {
            pad = indent;
            out.push(l.trim_start().to_string());
        }
    }
    out.truncate(3);
    out
}

#[test]
fn strict_refuses_with_78_and_the_fixes() {
    assert_unfiltered_without_nnp();
    let (out, stdout, err) = run_guard(&[("POSTURE_POLICY", "strict")]);
    assert_eq!(out.status.code(), Some(78), "stderr: {err}");
    assert!(stdout.is_empty(), "the service never started: {stdout}");
    assert!(
        err.starts_with("posture: refusing to start: "),
        "stderr: {err}"
    );
    assert!(err.contains("of policy \"strict\" did not pass"), "{err}");
    // For every user: no_new_privs is off, listed with its evidence and fix.
    let nnp = block(&err, "no_new_privs", "fail recommended yes");
    assert_eq!(
        nnp,
        [
            "no_new_privs fail recommended yes",
            "evidence: no_new_privs off (from status)",
            "fix: run: --security-opt no-new-privileges; kubernetes: securityContext.allowPrivilegeEscalation: false",
        ],
        "{err}"
    );
    if running_as_root() {
        // non_root is listed with its evidence and its fix.
        let nr = block(&err, "non_root", "fail must yes");
        assert_eq!(nr.len(), 3, "{err}");
        assert!(
            nr[1].starts_with("evidence: runs as root: uid real 0"),
            "{err}"
        );
        assert!(
            nr[2].starts_with(
                "fix: run: --user 1000:1000; kubernetes: securityContext.runAsNonRoot: true"
            ),
            "{err}"
        );
    } else {
        // Not root: non_root passes, so it does not block.
        assert!(!has_row(&err, "non_root"), "{err}");
    }
    assert!(!err.contains("!! OVERRIDE"), "{err}");
}

#[test]
fn override_downgrades_only_the_named_check_loudly() {
    assert_unfiltered_without_nnp();
    let (out, _, err) = run_guard(&[
        ("POSTURE_POLICY", "strict"),
        ("POSTURE_OVERRIDE", "no_new_privs=TICKET-42: legacy image"),
    ]);
    // Other checks still fail strict on this host.
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(
        err.contains(
            "!! OVERRIDE: required check no_new_privs downgraded to a warning by POSTURE_OVERRIDE (status: fail); reason: TICKET-42: legacy image"
        ),
        "{err}"
    );
    assert!(
        !has_row(&err, "no_new_privs"),
        "no_new_privs no longer blocks: {err}"
    );
    assert!(
        err.lines()
            .any(|l| is_row(l, "seccomp", "fail highly_recommended yes")),
        "the others still do: {err}"
    );
}

#[test]
fn override_can_let_a_failing_required_check_start_but_says_so() {
    assert_unfiltered_without_nnp();
    let tmp = tempfile::tempdir().unwrap();
    let p = only(tmp.path(), "nnp-only", "no_new_privs");
    let (out, stdout, err) = run_guard(&[("POSTURE_POLICY", &p)]);
    assert_eq!(out.status.code(), Some(78), "without the override: {err}");
    assert!(stdout.is_empty());
    let (out, stdout2, err2) = run_guard(&[
        ("POSTURE_POLICY", &p),
        ("POSTURE_OVERRIDE", "no_new_privs=TICKET-7"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{err2}");
    assert!(stdout2.contains("policy \"nnp-only\" passed"), "{stdout2}");
    assert!(
        err2.contains("!! OVERRIDE: required check no_new_privs"),
        "{err2}"
    );
    assert!(err2.contains("reason: TICKET-7"), "{err2}");
}

#[test]
fn passing_policy_starts_quietly() {
    assert_unfiltered_without_nnp();
    let tmp = tempfile::tempdir().unwrap();
    let p = only(tmp.path(), "nnp-only", "no_new_privs");
    // The same policy as above, the guard started with no_new_privs set.
    let out = common::with_no_new_privs(&mut Command::new(example("guard")))
        .env("POSTURE_POLICY", &p)
        .env_remove("POSTURE_OVERRIDE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "posture: policy \"nnp-only\" passed (1 checks); starting\n"
    );
    assert!(stderr.is_empty(), "{stderr}");
}

/// The refusal and the banner of a start that passed name where each
/// override came from; an override that downgrades nothing says so. In
/// process, on the `privileged` fixture (podman --privileged as root: under
/// strict, non_root, seccomp and not_privileged all fail; its README).
#[test]
fn refusals_and_banners_name_posture_override() {
    use posture::policy::{Policy, Preset};
    let report = common::fixture_report("privileged");
    let policy = Policy::preset(Preset::Strict)
        .override_check(posture::CheckId::NonRoot, "TICKET-1")
        .with_env_override_spec("seccomp=from a base image")
        .unwrap();
    let refusal = posture::guard_report(&report, &policy).unwrap_err();
    let text = refusal.to_string();
    assert!(
        text.contains(
            "\n  !! OVERRIDE: required check non_root downgraded to a warning (status: fail); reason: TICKET-1\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\n  !! OVERRIDE: required check seccomp downgraded to a warning by POSTURE_OVERRIDE (status: fail); reason: from a base image\n"
        ),
        "{text}"
    );
    assert!(has_row(&text, "not_privileged"), "still blocks: {text}");
    assert!(!has_row(&text, "seccomp"), "no longer blocks: {text}");

    // A start that passed only because of POSTURE_OVERRIDE: the banner.
    let only_seccomp = {
        let mut p = Policy::preset(Preset::Strict);
        for id in posture::CheckId::ALL {
            if *id != posture::CheckId::Seccomp {
                p = p.set(*id, posture::policy::Action::Ignore);
            }
        }
        p
    };
    let a = posture::guard_report(
        &report,
        &only_seccomp
            .clone()
            .with_env_override_spec("seccomp=T; no_new_privs=U")
            .unwrap(),
    )
    .expect("passes on the override");
    assert_eq!(
        posture::OverrideBanner(&a).to_string(),
        "  !! OVERRIDE: required check seccomp downgraded to a warning by POSTURE_OVERRIDE (status: fail); reason: T\n  \
         !! OVERRIDE: check no_new_privs overridden by POSTURE_OVERRIDE, which changes nothing: the policy does not require it (status: not evaluated); reason: U\n"
    );
    // The same policy built in code, without the override: refused.
    assert!(posture::guard_report(&report, &only_seccomp).is_err());
}

/// A bad policy is an error naming what is wrong, and the service does not
/// start (exit 1 from `main`'s error, not the refusal's 78).
fn assert_bad_policy(value: &str, override_spec: Option<&str>, needles: &[&str]) {
    let mut env = vec![("POSTURE_POLICY", value)];
    if let Some(o) = override_spec {
        env.push(("POSTURE_OVERRIDE", o));
    }
    let (out, stdout, err) = run_guard(&env);
    assert_eq!(out.status.code(), Some(1), "{value}: {err}");
    assert!(stdout.is_empty(), "{stdout}");
    for n in needles {
        assert!(err.contains(n), "{value}: {n:?} not in {err}");
    }
}

#[test]
fn unknown_key_names_the_key_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.toml",
        "name = \"x\"\nfrobnicate = true\n[checks]\nseccomp = \"require\"\n",
    );
    assert_bad_policy(&p, None, &["p.toml:2:", "frobnicate"]);
}

#[test]
fn unknown_check_id_names_it_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.toml",
        "[checks]\nseccomp = \"require\"\nno_such_check = \"warn\"\n",
    );
    assert_bad_policy(&p, None, &["p.toml:3:", "no_such_check"]);
}

#[test]
fn unknown_action_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "p.toml", "[checks]\nseccomp = \"maybe\"\n");
    assert_bad_policy(&p, None, &["p.toml:2:", "maybe"]);
}

#[test]
fn bad_capability_name_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.toml",
        "name = \"caps\"\nallow_capabilities = [\"CAP_NET_BIND_SERVICE\", \"CAP_NOPE\"]\n",
    );
    assert_bad_policy(
        &p,
        None,
        &["p.toml:2:", "CAP_NOPE", "not a capability name"],
    );
}

#[test]
fn bad_toml_syntax_is_an_error_with_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.toml",
        "name = \"x\"\n[checks\nseccomp = \"require\"\n",
    );
    assert_bad_policy(&p, None, &["p.toml:2:"]);
}

#[test]
fn bad_json_document_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.json",
        "{\n  \"name\": \"j\",\n  \"checks\": {\"seccomp\": \"require\"},\n  \"extra\": 1\n}\n",
    );
    assert_bad_policy(&p, None, &["p.json:4:", "extra"]);
}

#[test]
fn unknown_preset_and_missing_file_are_errors() {
    // The whole of stderr: the error's sentence after Rust's `Error: `,
    // naming the value and the presets, not a Debug dump of the error
    // (`UnknownPreset { name: "nonesuch" }`) nor a quoted, escaped string.
    let (out, stdout, err) = run_guard(&[("POSTURE_POLICY", "nonesuch")]);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        err,
        "Error: no policy preset named \"nonesuch\" (presets: checklist, pss-baseline, pss-restricted, strict)\n"
    );
    assert_bad_policy(
        "/nonexistent/policy.toml",
        None,
        &["cannot read policy file /nonexistent/policy.toml"],
    );
}

#[test]
fn bad_override_is_an_error() {
    assert_bad_policy(
        "checklist",
        Some("everything=please"),
        &[
            "POSTURE_OVERRIDE",
            "no check named \"everything\" (checks: non_root, capabilities_dropped, ",
        ],
    );
    assert_bad_policy(
        "checklist",
        Some("non_root"),
        &["override of non_root needs a reason"],
    );
}

/// The Rust block of the README's "The library in a few lines".
fn readme_sample() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## The library in a few lines\n")
        .nth(1)
        .expect("README has a section \"The library in a few lines\"");
    let block = section
        .split("```rust")
        .nth(1)
        .expect("a rust block in that section");
    let block = block.split_once('\n').unwrap().1;
    block.split("```").next().unwrap().to_string()
}

#[test]
fn the_readme_sample_is_examples_readme() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/readme.rs"))
            .unwrap();
    // The example is its doc comment, a blank line, then the sample verbatim.
    let code: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(code, readme_sample());
    // The call that exits 78 is the one the sample makes.
    assert!(code.contains("posture::enforce(&policy);"), "{code}");
}

#[test]
fn the_readme_sample_refuses_with_78() {
    assert_unfiltered_without_nnp();
    // strict requires no_new_privs, off in this process for every user.
    let (out, stdout, err) = run_example("readme", &[("POSTURE_POLICY", "strict")]);
    assert_eq!(out.status.code(), Some(78), "stderr: {err}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        err.starts_with("posture: refusing to start: "),
        "stderr: {err}"
    );
    let nnp = block(&err, "no_new_privs", "fail recommended yes");
    assert_eq!(nnp[1], "evidence: no_new_privs off (from status)", "{err}");
    // A bad POSTURE_POLICY: the sentence, exit 1 (main's error, not a refusal).
    let (out, stdout, err) = run_example("readme", &[("POSTURE_POLICY", "bogus")]);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(stdout.is_empty());
    assert_eq!(
        err,
        "Error: no policy preset named \"bogus\" (presets: checklist, pss-baseline, pss-restricted, strict)\n"
    );
    // A policy this process meets: it starts (exit 0, nothing printed).
    let tmp = tempfile::tempdir().unwrap();
    let p = only(tmp.path(), "proc-only", "proc_trusted");
    let (out, stdout, err) = run_example("readme", &[("POSTURE_POLICY", &p)]);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(stdout.is_empty() && err.is_empty(), "{stdout}{err}");
}

/// With `--features tracing`: one structured event per failed or unknown
/// check, with the fields a log pipeline indexes, collected in-process by a
/// real `tracing-subscriber` layer.
#[cfg(feature = "tracing")]
mod tracing_events {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use posture::policy::{Policy, Preset};
    use tracing::field::{Field, Visit};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    #[derive(Debug, Clone)]
    struct Event {
        level: tracing::Level,
        target: String,
        fields: BTreeMap<String, String>,
    }

    struct Collect(Arc<Mutex<Vec<Event>>>);

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().into(), value.into());
        }
        fn record_bool(&mut self, field: &Field, value: bool) {
            self.0.insert(field.name().into(), value.to_string());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().into(), format!("{value:?}"));
        }
    }

    impl<S: tracing::Subscriber> Layer<S> for Collect {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            self.0.lock().unwrap().push(Event {
                level: *event.metadata().level(),
                target: event.metadata().target().into(),
                fields,
            });
        }
    }

    fn events_of(fixture: &str, policy: &Policy) -> Vec<Event> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let report = posture::posture_with_root(&posture::Root::fixture(&dir));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Collect(Arc::clone(&seen)));
        tracing::subscriber::with_default(subscriber, || {
            let _ = posture::guard_report(&report, policy);
        });
        seen.lock().unwrap().clone()
    }

    fn by_check<'a>(events: &'a [Event], id: &str) -> Vec<&'a Event> {
        events
            .iter()
            .filter(|e| e.fields.get("check").map(String::as_str) == Some(id))
            .collect()
    }

    #[test]
    fn one_event_per_failed_or_unknown_check() {
        let events = events_of("docker-default", &Policy::preset(Preset::Checklist));
        assert!(events.iter().all(|e| e.target == "posture"));
        // docker-default runs as uid 0 (its status: `Uid: 0 0 0 0`): non_root
        // fails, is a MUST, required by the checklist, so it is an error.
        let nr = by_check(&events, "non_root");
        assert_eq!(nr.len(), 1, "{events:#?}");
        let e = nr[0];
        assert_eq!(e.level, tracing::Level::ERROR);
        assert_eq!(e.fields["severity"], "must");
        assert_eq!(e.fields["status"], "fail");
        assert_eq!(e.fields["required"], "true");
        assert_eq!(e.fields["policy"], "checklist");
        assert!(e.fields["evidence"].contains("uid real 0"), "{e:?}");
        assert!(e.fields["fix"].contains("--user 1000:1000"), "{e:?}");
        // Its root filesystem is writable (`rw` at / in its mountinfo):
        // read_only_rootfs fails, recommended, a warning under the checklist.
        let ro = by_check(&events, "read_only_rootfs");
        assert_eq!(ro.len(), 1);
        assert_eq!(ro[0].level, tracing::Level::WARN);
        assert_eq!(ro[0].fields["severity"], "recommended");
        assert_eq!(ro[0].fields["required"], "false");
        assert!(ro[0].fields["fix"].contains("--read-only"));
        // Seccomp is a filter there (`Seccomp: 2`): a pass, so no event.
        assert!(by_check(&events, "seccomp").is_empty(), "{events:#?}");
        // Exactly one event per check that did not pass, none for the rest.
        let a = posture::evaluate(
            &posture::posture_with_root(&posture::Root::fixture(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/docker-default"),
            )),
            &Policy::preset(Preset::Checklist),
        );
        for c in &a.checks {
            let n = by_check(&events, &c.id.to_string()).len();
            let want = usize::from(c.status != posture::policy::CheckStatus::Pass);
            assert_eq!(n, want, "{}: {n} events", c.id);
        }
        for e in &events {
            for f in ["check", "severity", "status", "required", "evidence", "fix"] {
                assert!(e.fields.contains_key(f), "{f} missing in {e:?}");
            }
        }
    }

    #[test]
    fn unknown_checks_are_events_too() {
        // gVisor's status has no NoNewPrivs line: no_new_privs is unknown.
        let events = events_of("gvisor", &Policy::preset(Preset::Checklist));
        let e = by_check(&events, "no_new_privs");
        assert_eq!(e.len(), 1, "{events:#?}");
        assert_eq!(e[0].fields["status"], "unknown");
        assert!(e[0].fields["evidence"].contains("NoNewPrivs"), "{:?}", e[0]);
    }

    #[test]
    fn overrides_are_logged() {
        let policy =
            Policy::preset(Preset::Checklist).override_check(posture::CheckId::NonRoot, "TICKET-9");
        let events = events_of("docker-default", &policy);
        let o: Vec<_> = events
            .iter()
            .filter(|e| e.fields.contains_key("override_reason"))
            .collect();
        assert_eq!(o.len(), 1, "{events:#?}");
        assert_eq!(o[0].fields["check"], "non_root");
        assert_eq!(o[0].fields["override_reason"], "TICKET-9");
        assert_eq!(o[0].level, tracing::Level::WARN);
        // The overridden check is still reported, as a warning now.
        let nr: Vec<_> = by_check(&events, "non_root")
            .into_iter()
            .filter(|e| e.fields.contains_key("status"))
            .collect();
        assert_eq!(nr.len(), 1);
        assert_eq!(nr[0].level, tracing::Level::WARN);
        assert_eq!(nr[0].fields["required"], "false");
    }
}

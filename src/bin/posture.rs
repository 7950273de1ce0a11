//! `posture`: `capsh --print` for container hardening, and a startup or CI
//! gate (`--check`). Arguments and exit codes only: the report, the
//! judgement and every output format come from the library
//! (`posture::render`, `posture::render::json::Document`).
//!
//! ```text
//! cargo install --path .          # or: cargo run -- --check
//! posture                         # text report of this process
//! posture --json                  # the versioned JSON document
//! posture --check --policy pss-restricted --format junit > posture.xml
//! posture --version               # "posture " and the crate version
//! ```
//!
//! `POSTURE_OVERRIDE` and an explicit `--policy`: the policy named on the
//! command line is not weakened by the environment unless the command line
//! says so too. With `--policy` and a set `POSTURE_OVERRIDE`, `--check`
//! refuses (exit 2, naming the variable) unless `--allow-env-override` is
//! given; an `ENV POSTURE_OVERRIDE=…` left in a base image then stops a CI
//! gate instead of turning it green. Without `--policy` (the policy from
//! `POSTURE_POLICY` or the default, both deploy-time settings) the
//! overrides apply. Whenever overrides downgraded required checks, the
//! verdict says so in every format: `PASS (11 checks overridden by
//! POSTURE_OVERRIDE)`, the JSON assessment's `overridden_checks` with each
//! override's source, JUnit's `overridden` property and `<skipped>` cases.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use posture::Root;
use posture::policy::{EnvOverrides, OVERRIDE_ENV, Policy, PolicyError, Preset};
use posture::render::json::Document;
use posture::render::text;
use posture::report::Report;

const USAGE: &str = "\
usage: posture [--json] [--root DIR] [--color WHEN] [--probe-syscalls]
       posture --check [--policy NAME|FILE [--allow-env-override]] [--container NAME]
                       [--format FORMAT] [--root DIR] [--probe-syscalls]
       posture --print-policy [--policy NAME|FILE] [--container NAME]
       posture --help | --version

Prints the container hardening of this process as its kernel reports it:
capability sets (dangerous ones in bold red), securebits, no_new_privs, ids,
seccomp, threads that differ, LSM label, user-namespace mapping, mounts,
namespaces, container runtime, cgroup limits and whether /proc is procfs.
A fact that could not be established is printed as
`unknown (<source>: <reason>)`, never as a value.

options:
  --json             print the JSON document {\"schema_version\":1,\"report\":{...}}
                     instead of text (the same as --format json)
  --format FORMAT    text (default), json, or junit (with --check: JUnit XML,
                     one test case per check; a required check that failed or
                     was unknown is a <failure>), or k8s-patch (with --check:
                     the pod-spec fields that would make each check that did
                     not pass pass, as YAML to merge; what no field can fix
                     is a comment), or compose (with --check: the same as
                     the Compose service's keys)
  --root DIR         read a directory shaped like / (a fixture tree such as
                     tests/fixtures/docker-default) instead of the live system
  --color WHEN       auto (default), always or never. auto colours only when
                     stdout is a terminal and NO_COLOR is unset or empty
  --check            judge the report against a policy and print the checklist
                     (id, status, severity, required, evidence, fix); with
                     --json the document gains an \"assessment\"
  --policy NAME|FILE the policy --check uses: checklist, pss-baseline,
                     pss-restricted, strict, or a TOML/JSON policy file.
                     Without it, $POSTURE_POLICY if set, else checklist.
                     $POSTURE_OVERRIDE=check_id=reason;... downgrades named
                     checks to warnings; the verdict then reads
                     `PASS (N checks overridden by POSTURE_OVERRIDE)`. With
                     --policy it is refused (exit 2) unless:
                     The file may also be a Kubernetes manifest (a Pod, a
                     Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
                     CronJob, a List, multi-document YAML; detected by its
                     apiVersion/kind): the checklist checks plus each
                     declared security field of the container, judged against
                     what is applied; drift is named by field path
  --container NAME   the manifest's container (NAME, or WORKLOAD/NAME where
                     names repeat); else $POSTURE_CONTAINER (downward API);
                     else the manifest must have exactly one
  --print-policy     print the policy (--policy, $POSTURE_POLICY or
                     checklist) as a TOML policy document and exit
  --allow-env-override
                     apply $POSTURE_OVERRIDE to the policy --policy names
  --probe-syscalls   also probe which dangerous syscalls the seccomp filter
                     lets through (a forked child makes each call with
                     arguments the kernel rejects; see posture::syscalls):
                     a table of syscall, outcome, errno or signal, and the
                     dangerous_syscalls_blocked check. Probes this process,
                     so not with --root
  -h, --help         print this help
  -V, --version      print `posture <version>` and exit

Options take their value as --opt VALUE or --opt=VALUE.

exit status: 0 report printed (with --check: every required check passed),
1 a required check failed or was unknown (with --check) or output failed,
2 usage error, a bad policy, or $POSTURE_OVERRIDE set with --policy but
without --allow-env-override.";

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Junit,
    K8sPatch,
    Compose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
struct Args {
    help: bool,
    /// `--version`: print the crate version.
    version: bool,
    format: Format,
    root: Option<String>,
    color: ColorWhen,
    /// `--check`: judge the report.
    check: bool,
    /// `--policy`: preset name or file.
    policy: Option<String>,
    /// `--allow-env-override`: apply `POSTURE_OVERRIDE` to `--policy`.
    allow_env_override: bool,
    /// `--probe-syscalls`: attach a syscall probe to the report.
    probe_syscalls: bool,
    /// `--container`: the manifest's container.
    container: Option<String>,
    /// `--print-policy`: print the policy as TOML.
    print_policy: bool,
}

/// Why the command line was refused (exit 2, with the usage text).
#[derive(Debug, thiserror::Error)]
enum UsageError {
    /// What lexopt refuses: an unknown option, a missing or unexpected value.
    #[error("{0}")]
    Parse(#[from] lexopt::Error),
    #[error("{flag}: {value:?} is not UTF-8")]
    NotUtf8 { flag: &'static str, value: OsString },
    #[error("{0} needs a value; it was given an empty one")]
    Empty(&'static str),
    #[error("--color: {0:?} is not auto, always or never")]
    Color(String),
    #[error("--format: {0:?} is not text, json, junit, k8s-patch or compose")]
    Format(String),
    #[error("--policy goes with --check or --print-policy")]
    PolicyWithoutCheck,
    #[error("--container goes with --check or --print-policy")]
    ContainerWithoutCheck,
    #[error(
        "--print-policy prints the policy only; it does not go with --check, --root or --format"
    )]
    PrintPolicyWith,
    #[error("--allow-env-override goes with --check")]
    AllowEnvOverrideWithoutCheck,
    #[error("--format junit goes with --check (it has one test case per check)")]
    JunitWithoutCheck,
    #[error("--format k8s-patch and compose go with --check (they patch what the checks find)")]
    PatchWithoutCheck,
    #[error("--probe-syscalls probes this process's own filter; it does not go with --root")]
    ProbeWithRoot,
}

/// An option's value that names a file or a preset: UTF-8 and not empty
/// (an empty `--root` would read relative to the working directory).
fn non_empty(flag: &'static str, value: OsString) -> Result<String, UsageError> {
    let v = utf8(flag, value)?;
    if v.is_empty() {
        return Err(UsageError::Empty(flag));
    }
    Ok(v)
}

/// An option's value, which must be UTF-8.
fn utf8(flag: &'static str, value: OsString) -> Result<String, UsageError> {
    value
        .into_string()
        .map_err(|value| UsageError::NotUtf8 { flag, value })
}

fn parse_args(mut p: lexopt::Parser) -> Result<Args, UsageError> {
    use lexopt::prelude::*;
    let mut args = Args {
        help: false,
        version: false,
        format: Format::Text,
        root: None,
        color: ColorWhen::Auto,
        check: false,
        policy: None,
        allow_env_override: false,
        probe_syscalls: false,
        container: None,
        print_policy: false,
    };
    let mut format_given = false;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => args.help = true,
            Short('V') | Long("version") => args.version = true,
            Long("json") => args.format = Format::Json,
            Long("check") => args.check = true,
            Long("probe-syscalls") => args.probe_syscalls = true,
            Long("print-policy") => args.print_policy = true,
            Long("container") => args.container = Some(non_empty("--container", p.value()?)?),
            Long("allow-env-override") => args.allow_env_override = true,
            Long("policy") => args.policy = Some(non_empty("--policy", p.value()?)?),
            Long("root") => args.root = Some(non_empty("--root", p.value()?)?),
            Long("format") => {
                format_given = true;
                args.format = match utf8("--format", p.value()?)?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "junit" => Format::Junit,
                    "k8s-patch" => Format::K8sPatch,
                    "compose" => Format::Compose,
                    other => return Err(UsageError::Format(other.to_string())),
                }
            }
            Long("color") | Long("colour") => {
                args.color = match utf8("--color", p.value()?)?.as_str() {
                    "auto" => ColorWhen::Auto,
                    "always" => ColorWhen::Always,
                    "never" => ColorWhen::Never,
                    other => return Err(UsageError::Color(other.to_string())),
                }
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    if args.help || args.version {
        return Ok(args);
    }
    if args.print_policy {
        if args.check || args.root.is_some() || format_given || args.probe_syscalls {
            return Err(UsageError::PrintPolicyWith);
        }
        return Ok(args);
    }
    if args.policy.is_some() && !args.check {
        return Err(UsageError::PolicyWithoutCheck);
    }
    if args.container.is_some() && !args.check {
        return Err(UsageError::ContainerWithoutCheck);
    }
    if args.allow_env_override && !args.check {
        return Err(UsageError::AllowEnvOverrideWithoutCheck);
    }
    if matches!(args.format, Format::K8sPatch | Format::Compose) && !args.check {
        return Err(UsageError::PatchWithoutCheck);
    }
    if args.format == Format::Junit && !args.check {
        return Err(UsageError::JunitWithoutCheck);
    }
    if args.probe_syscalls && args.root.is_some() {
        return Err(UsageError::ProbeWithRoot);
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args(lexopt::Parser::from_env()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("posture: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        return write_out(&format!("{USAGE}\n"), ExitCode::SUCCESS);
    }
    if args.version {
        return write_out(
            concat!("posture ", env!("CARGO_PKG_VERSION"), "\n"),
            ExitCode::SUCCESS,
        );
    }
    if args.print_policy {
        return print_policy(&args);
    }
    let report = match &args.root {
        Some(dir) => posture::posture_with_root(&Root::fixture(dir)),
        None if args.probe_syscalls => posture::posture().with_syscalls(posture::syscalls::probe()),
        None => posture::posture(),
    };
    let color = match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let color = if color {
        text::Color::Ansi
    } else {
        text::Color::Plain
    };
    if args.check {
        return check(&args, &report, color);
    }
    let out = match args.format {
        Format::Json => match json(Document::new(&report)) {
            Ok(s) => s,
            Err(code) => return code,
        },
        Format::Text | Format::Junit | Format::K8sPatch | Format::Compose => {
            text::report(&report, color)
        }
    };
    write_out(&out, ExitCode::SUCCESS)
}

/// `--check`: judge, print the checklist (or the JSON document with its
/// assessment, or JUnit XML), exit 0 when the verdict passes, 1 when it fails.
/// `POSTURE_OVERRIDE` applies unless `--policy` was given without
/// `--allow-env-override`: then it is refused, exit 2.
fn check(args: &Args, report: &Report, color: text::Color) -> ExitCode {
    let default = Policy::preset(Preset::Checklist);
    let env_overrides = if args.policy.is_none() || args.allow_env_override {
        EnvOverrides::Apply
    } else {
        EnvOverrides::Refuse
    };
    let policy = match load_policy(args, default, env_overrides) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let assessment = posture::evaluate(report, &policy);
    let code = if assessment.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // The container the patch names: --container, else POSTURE_CONTAINER
    // (as the policy loader chose it), else a placeholder.
    let container = args.container.clone().or_else(|| {
        std::env::var(posture::policy::CONTAINER_ENV)
            .ok()
            .filter(|c| !c.is_empty())
    });
    let out = match args.format {
        Format::Json => match json(Document::new(report).with_assessment(&assessment)) {
            Ok(s) => s,
            Err(code) => return code,
        },
        Format::Junit => posture::render::junit(&assessment),
        Format::K8sPatch => {
            posture::render::k8s_patch(&assessment, container.as_deref().unwrap_or("CONTAINER"))
        }
        Format::Compose => {
            posture::render::compose_patch(&assessment, container.as_deref().unwrap_or("SERVICE"))
        }
        Format::Text => text::checks(&assessment, color),
    };
    write_out(&out, code)
}

/// `--print-policy`: the policy `--check` would use, as a TOML policy
/// document (`POSTURE_OVERRIDE` is not applied: the document is the policy
/// as named).
fn print_policy(args: &Args) -> ExitCode {
    let default = Policy::preset(Preset::Checklist);
    match load_policy(args, default, EnvOverrides::Ignore) {
        Ok(p) => write_out(&p.to_toml(), ExitCode::SUCCESS),
        Err(code) => code,
    }
}

/// The policy, or exit 2 with the reason.
fn load_policy(
    args: &Args,
    default: Policy,
    env_overrides: EnvOverrides,
) -> Result<Policy, ExitCode> {
    let policy: Result<Policy, PolicyError> = Policy::load_for_container(
        args.policy.as_deref(),
        default,
        env_overrides,
        args.container.as_deref(),
    );
    match policy {
        Ok(p) => Ok(p),
        Err(e @ PolicyError::EnvOverrideRefused { .. }) => {
            eprintln!(
                "posture: {e}\nposture: --policy was given: the policy named on the command line \
                 is not weakened by the environment. Unset {OVERRIDE_ENV}, or pass \
                 --allow-env-override to apply it (the verdict then names it)."
            );
            Err(ExitCode::from(2))
        }
        Err(e) => {
            eprintln!("posture: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// The document as pretty JSON and a newline, or exit 1 with a message.
fn json(doc: Document<'_>) -> Result<String, ExitCode> {
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .map_err(|e| {
            eprintln!("posture: cannot serialize the report: {e}");
            ExitCode::from(1)
        })
}

fn write_out(out: &str, code: ExitCode) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => code,
        // A closed pipe (`| head`) is not worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            eprintln!("posture: cannot write: {e}");
            ExitCode::from(1)
        }
    }
}

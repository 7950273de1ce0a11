//! Installs a seccomp filter on itself, then executes a program under it.
//!
//! ```text
//! cargo run --example seccomp_exec -- PROGRAM [ARGS...]
//! ```
//!
//! The filter allows every system call except `kexec_load`, which fails with
//! `EPERM`. Installing it sets no_new_privs first (seccompiler does, as the
//! kernel requires without CAP_SYS_ADMIN). The live tests use it to show that
//! `posture` reports `Seccomp: filter` for a process whose filter it did not
//! install itself.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: seccomp_exec PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    let arch = match std::env::consts::ARCH.try_into() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("seccomp_exec: no seccomp support for this architecture: {e}");
            return ExitCode::from(1);
        }
    };
    // An empty rule list matches the call unconditionally.
    let rules = BTreeMap::from([(nix::libc::SYS_kexec_load, vec![])]);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(nix::libc::EPERM as u32),
        arch,
    )
    .and_then(BpfProgram::try_from);
    let program_bpf = match filter {
        Ok(p) => p,
        Err(e) => {
            eprintln!("seccomp_exec: cannot build the filter: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = seccompiler::apply_filter(&program_bpf) {
        eprintln!("seccomp_exec: cannot install the filter: {e}");
        return ExitCode::from(1);
    }
    let err = Command::new(&program).args(args).exec();
    eprintln!(
        "seccomp_exec: cannot execute {}: {err}",
        program.to_string_lossy()
    );
    ExitCode::from(127)
}

//! # posture
//!
//! A containerized service checks its own hardening from inside the running
//! process, and refuses to start when it is missing.
//!
//! The pipeline is visible in the API:
//!
//! 1. **probe**: [`posture()`] reads what the kernel says about this process
//!    (`/proc/self/status`, `uid_map`, `attr/current`, `mountinfo`, namespaces,
//!    cgroups) through one [`Root`] and returns a [`Report`] of facts. A probe
//!    that cannot read or parse its file says [`Fact::Unknown`] with the file and
//!    the reason, never a default that looks like a fact.
//!    It never runs the opt-in [`syscalls`] probe (a forked child making
//!    each dangerous syscall once): [`Report::syscalls`] stays unknown ("not
//!    run") until [`Report::with_syscalls`] attaches one; [`guard()`] does so
//!    when its policy judges `dangerous_syscalls_blocked`.
//! 2. **judge**: a policy turns the report into an assessment (see the
//!    `policy` module), a pure function of both.
//! 3. **act**: the guard refuses startup, renderers ([`render`]) print or
//!    serve the result.
//!
//! Parsers are pure functions over text, usable on their own:
//!
//! ```
//! use posture::status::{Status, Field, SeccompMode};
//! use posture::capability::{CapSet, Capability};
//!
//! let s = Status::parse("CapEff:\t00000000a80425fb\nSeccomp:\t2\nNoNewPrivs:\t1\n");
//! let eff = CapSet::from_mask(*s.cap_eff.value().unwrap());
//! assert!(eff.contains(Capability::CAP_NET_RAW));
//! assert_eq!(s.seccomp, Field::Value(SeccompMode::Filter));
//! assert_eq!(s.uid, Field::Missing); // absent, not zero
//! ```
//!
//! The whole pipeline runs against a directory shaped like `/`:
//!
//! ```
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docker-default");
//! # if !std::path::Path::new(dir).exists() { return; }
//! let report = posture::posture_with_root(&posture::Root::fixture(dir));
//! let eff = report.capabilities.effective.known().expect("status was captured");
//! assert_eq!(eff.len(), 14);
//! ```
// `unsafe` lives in one private module, `syscalls::raw` (fork and raw
// system calls for the opt-in syscall probe, and the one getsockopt no safe
// crate has); everything else is denied it.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod capability;
pub mod cgroup;
pub mod fact;
pub mod guard;
pub mod idmap;
#[cfg(feature = "tracing")]
pub mod log;
pub mod lsm;
#[cfg(feature = "prometheus")]
pub mod metrics;
pub mod mountinfo;
pub mod netns;
pub mod ns;
pub mod policy;
mod records;
pub mod render;
pub mod report;
pub mod root;
pub mod runtime;
pub mod status;
pub mod syscalls;

pub use fact::{Fact, Unknown};
pub use guard::{EX_CONFIG, Refusal, enforce, guard};
pub use policy::{Assessment, CheckId, Policy, Preset, evaluate};
pub use report::{Report, SCHEMA_VERSION};
pub use root::{Root, RootKind};

/// Inspects the calling process on the live system.
///
/// Reads only: no subprocess, no network, no filesystem walk, no write, no
/// fork (the syscall probe is [`syscalls::probe`], opt-in). Safe to
/// call from a health handler every few seconds and from many threads at once
/// (it keeps no global state).
///
/// Whose state: capabilities, ids, seccomp and no_new_privs come from
/// `/proc/self/status`, the process's main thread; every other thread is
/// compared with it in [`Report::threads`]. Two facts exist only per calling
/// thread and are asked of the thread that calls `posture()` with `prctl`:
/// securebits always, and no_new_privs where status lacks its line (kernels
/// before 4.10, gVisor). Call it from the main thread, or one that has not
/// changed its own state, when that matters.
pub fn posture() -> Report {
    report::collect(&Root::live())
}

/// Runs the same pipeline against another root (a fixture tree holding
/// `proc/…`, `sys/…`, `dev/…`).
pub fn posture_with_root(root: &Root) -> Report {
    report::collect(root)
}

/// The versioned JSON document:
/// `{"schema_version": 1, "report": {…}, "assessment": {…}}` (the assessment
/// only when one was made). See `SCHEMA.md` for every field.
#[cfg(feature = "serde")]
#[derive(Debug, serde::Serialize)]
pub struct Document<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The facts.
    pub report: &'a Report,
    /// The judgement, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<&'a Assessment>,
}

#[cfg(feature = "serde")]
impl<'a> Document<'a> {
    /// Wraps a report.
    pub fn new(report: &'a Report) -> Document<'a> {
        Document {
            schema_version: SCHEMA_VERSION,
            report,
            assessment: None,
        }
    }

    /// Adds the assessment.
    pub fn with_assessment(mut self, assessment: &'a Assessment) -> Document<'a> {
        self.assessment = Some(assessment);
        self
    }
}

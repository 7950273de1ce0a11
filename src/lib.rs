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
//! ## Refusing to start: which call exits 78
//!
//! [`enforce`] is the call that exits **78** ([`EX_CONFIG`], "configuration
//! error" in sysexits.h): on refusal it prints every blocking check with its
//! evidence and fix to stderr and ends the process. [`guard()`] returns the
//! refusal as `Err(`[`Refusal`]`)` and exits nothing: the caller decides.
//! `posture::guard(&policy)?` in a `main` that returns `Result` prints
//! `Error: ` and the same list, then exits **1**, as Rust does for any error
//! from `main` — not 78. A bad `POSTURE_POLICY` is a [`policy::PolicyError`],
//! whose message (its `Debug` too) names the value and the choices.
//!
//! ```no_run
//! use posture::policy::{Policy, PolicyError, Preset};
//!
//! fn main() -> Result<(), PolicyError> {
//!     // A bad POSTURE_POLICY: `Error: no policy preset named "…" (presets: …)`, exit 1.
//!     let policy = Policy::from_env_or(Policy::preset(Preset::Checklist))?;
//!     posture::enforce(&policy); // refused: the failed checks on stderr, exit 78
//!     // … start serving …
//!     Ok(())
//! }
//! ```
//!
//! ## Layout
//!
//! The source tree follows the pipeline (this table is where the README
//! points for it):
//!
//! | where | stage | may |
//! |---|---|---|
//! | `root` (`src/root.rs`, private; [`Root`] at the crate root) | the one path resolver ([`Root`]: live `/` or a fixture tree) | the only file that opens and reads files: the probe's (bounded, non-blocking, `statx`ed) and, through `root::read_user_file`, policy documents; it makes the probe's system calls (`statx`, `readlinkat`, `getdents64`, `capget`, `prctl`, …) through nix and rustix |
//! | `parse` (`src/parse/`, private) | kernel text to values (its `ParseError` becomes an unknown fact's reason); the values are the report's types ([`report::CapSet`], [`report::Mount`], …) | nothing else: no I/O (`capability` re-exports the `caps` crate's `Capability` enum, data only) |
//! | `known` (`src/known.rs`, private) | what runtimes and hosts look like: socket names, host-side interface names, sensitive host paths, masked paths, host devices, dangerous capabilities | data only |
//! | `probe` (`src/probe/`, private) | `&Root` to [`Report`], one reader per area | read through `root` only, parse with `parse`, then hand the values to `infer` |
//! | `infer` (`src/infer/`, private) | pure inference from parsed values to report sections: `network` (host network namespace), `runtime` (container runtime), `mounts` (the mount analysis) | nothing else: no I/O (a `stat` the analysis needs is the caller's closure) |
//! | [`report`] (`src/report/`), `fact` (`src/fact.rs`; [`Fact`] at the crate root) | the [`Report`] and every section it holds: the Rust mirror of `SCHEMA.md` (one file per large section: `report/network.rs`, `report/runtime.rs`, `report/syscall_probe.rs` with [`Report::with_syscalls`]); [`Fact`] (known, or unknown with source and reason) | types only |
//! | [`policy`] (`src/policy/`) | [`CheckId`], checks, presets, controls, policy documents; [`evaluate`] | pure, except loading: `policy/document.rs` reads a policy file through `root::read_user_file`, `policy/load.rs` reads `POSTURE_POLICY` and `POSTURE_OVERRIDE` |
//! | [`guard()`], [`enforce`] | refuse startup (exit 78) | exit, in `enforce` only; `guard` runs the syscall probe when its policy judges it |
//! | [`render`] | text, JUnit, JSON, Prometheus, tracing | pure (`tracing` emits events) |
//! | `schema` (feature `schema`) | the JSON Schema of the document | pure |
//! | [`syscalls`] (`src/syscalls/`) | the opt-in probe of dangerous syscalls: `table` (the list and the plan), `runner` (one child: pipe, bound, kill, reap), `mod.rs` (the entry point) | starts short-lived children through `sys`, reads their pipe, polls, kills and reaps them |
//! | `sys` (`src/sys.rs`, private) | the crate's only `unsafe`: the probe child's `clone`/`fork` and its raw system calls, the runner's safe `pipe2`/`read`/`poll`/`waitpid`/`kill` wrappers, the syscall numbers the probe's table uses, and the one `getsockopt(SO_NETNS_COOKIE)` `root` asks for | raw system calls, each `unsafe` block with its `// SAFETY:` comment |
//! | `src/bin/posture.rs` | the CLI: arguments and exit codes only | |
//!
//! Every item has one path, its module's (`posture::report::Report`); the
//! flat re-exports of earlier versions at the crate root are gone, and
//! `.ci/run` fails on a use of one.
//!
//! The public surface, counted from rustdoc's JSON output by
//! `scripts/public-surface.sh` (items a user can name, methods of inherent
//! impls included; fields and variants apart): 200 items, 211 public
//! fields and 210 enum variants. `.ci/run` fails when the count grows
//! past 200. What is public is what a service calls or reads: the entry
//! points ([`posture()`], [`guard()`], [`enforce`]), the report's types
//! (the parsed values among them: [`report::CapSet`], [`report::Mount`],
//! …), [`policy`] with its loaders and builder, the renderers, and the
//! opt-in [`syscalls`] probe. Each thing is done one way: a check's action
//! by [`policy::Policy::set`], an enum's name by `Display`, probe options by
//! their public fields. The parsers, the YAML reader, the judgement helpers
//! and the resolver's reads are `pub(crate)`; what `benches/` and the tests
//! (`tests/alloc.rs`, `tests/robustness.rs`, `tests/errors.rs`,
//! `tests/manifest.rs`, `tests/syscalls.rs`, `tests/live.rs`) drive
//! directly is re-exported by one hidden module, `posture::__private`,
//! which is not counted and not an API.
//!
//! The parsers (`src/parse/`) are pure functions over text and the crate's
//! own; the values they produce are the report's types, e.g. a capability
//! set from its `/proc/<pid>/status` mask:
//!
//! ```
//! use posture::report::{CapSet, Capability};
//!
//! let eff = CapSet::from_mask(0x0000_0000_a804_25fb); // Docker's default set
//! assert!(eff.contains(Capability::CAP_NET_RAW));
//! assert!(!eff.contains(Capability::CAP_SYS_ADMIN));
//! assert_eq!(eff.len(), 14);
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
//!
//! ## Kernel support
//!
//! Linux 4.18 (RHEL 8) to 6.18. Run on 6.18 (the development machine) and on
//! Debian 12's 6.1 and 6.12 (the guest matrix); older kernels are covered by
//! fixture trees and the kernel source, not by a booted kernel. What changes
//! with the kernel version (read from `/proc/sys/kernel/osrelease`):
//!
//! - **Capabilities**: the full set is the kernel's own (`cap_last_cap`), not
//!   a hard-coded mask. The ambient set exists from 4.3: before that a
//!   missing `CapAmb:` line is the empty set, not unknown.
//! - **no_new_privs**: the `NoNewPrivs:` status line exists from 4.10. Where
//!   it is missing (older kernels, gVisor) the live process asks
//!   `prctl(PR_GET_NO_NEW_PRIVS)` instead; a fixture tree says unknown.
//! - **seccomp**: the mode is in every supported kernel's status;
//!   `Seccomp_filters:` (the filter count) exists from 5.9 and is unknown
//!   before.
//! - **AppArmor**: `attr/apparmor/current` (stacking-safe) from 5.8; before
//!   that, and for other LSMs, `attr/current`.
//! - **Namespaces**: the initial user, uts, ipc and pid namespaces have fixed
//!   inodes on every supported kernel (cgroup from 4.6, time from 5.6). The
//!   initial network and mount namespaces have them only from 6.18; before
//!   that "not the fixed inode" proves nothing, so the report says unknown.
//! - **Host network** (`no_host_network`, see [`report::HostNetwork`]): the fixed inode
//!   from 6.18; `getsockopt(SO_NETNS_COOKIE)` == 1 on 5.14 to 6.17; before
//!   5.14, or where the cookie cannot be read, what the namespace holds
//!   (interfaces, devices, runtime sockets).
//! - **Syscall probe** ([`syscalls`]): a kernel without a listed call answers
//!   `ENOSYS`, reported as blocked by the kernel; some kernels check a
//!   capability or sysctl before validating and answer `EPERM` as a filter
//!   would, which is reported as "filter or kernel".
//!
//! ## Features
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `serde` | yes | `Serialize` on the report and assessment: the JSON document of `SCHEMA.md` |
//! | `policy-file` | yes | policy documents (TOML or JSON) from files and `POSTURE_POLICY` (toml, serde_json) |
//! | `tracing` | no | `posture::render::tracing`: one structured `tracing` event per failed or unknown check when the guard runs |
//! | `prometheus` | no | `posture::render::prometheus`: Prometheus text exposition of an assessment, no extra dependency |
//! | `cli` | yes | the `posture` binary (lexopt); `default-features = false` builds none of it |
//! | `root-tests` | no | tests only: runs the tests that need root or the host's namespaces (in `tests/live.rs`, `tests/syscalls.rs`, `tests/robustness.rs`); the library does not change |
//! | `tool-tests` | no | tests only: the cross-checks by outside programs (xmllint, junitparser, PyYAML, promtool, capsh, setpriv, unshare), each beside a pure-Rust test that a plain `cargo test` runs; the library does not change |
//! | `runtime-tests` | no | tests only: the CLI inside real podman and Docker containers (`tests/runtimes.rs`) |
//! | `guest-tests` | no | tests only: the CLI on Debian's 6.1 and 6.12 kernels in QEMU (`tests/guests.rs`) |
//!
//! ## MSRV
//!
//! Rust 1.88 (`rust-version` in `Cargo.toml`), edition 2024.
//! `scripts/check-msrv.sh` (run by CI) checks that no dependency declares a
//! newer `rust-version` and that clippy finds no standard-library API newer
//! than it (`clippy::incompatible_msrv`); it does not build with 1.88 itself,
//! so language features newer than the MSRV would not be caught.
// `unsafe` lives in one private module, `sys` (the probe child's start and
// its raw system calls, and the one getsockopt no safe crate has);
// everything else is denied it.
#![deny(unsafe_code)]
#![deny(missing_docs)]

// `Debug` that prints the `Display` sentence, for the crate's error types.
// `fn main() -> Result<(), E>` (and `Box<dyn Error>`) prints the error it
// ends with by its `Debug`: a derived one would show a service's user
// `UnknownPreset { name: "bogus" }` where the message names the value and
// the choices. `Refusal` does the same by hand.
macro_rules! debug_is_display {
    ($($t:ty),+ $(,)?) => {$(
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self, f)
            }
        }
    )+};
}

// `Display` that writes an enum's name (`as_str`, or `name`): the one way
// the crate's enums print (the JSON document's and the CLI's spelling).
macro_rules! display_by {
    ($method:ident: $($t:ty),+ $(,)?) => {$(
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.$method())
            }
        }
    )+};
}

mod fact;
mod guard;
mod infer;
mod known;
mod parse;
pub mod policy;
mod probe;
pub mod render;
pub mod report;
mod root;
#[cfg(feature = "schema")]
pub mod schema;
#[allow(unsafe_code)]
mod sys;

pub mod syscalls;

pub use fact::{Fact, Unknown};
// The guard's items live at the crate root (`posture::guard`, `posture::enforce`),
// not as `posture::guard::guard`.
pub use guard::{EX_CONFIG, OverrideBanner, Refusal, enforce, guard, guard_report, report_for};
pub use policy::{Assessment, CheckId, Policy, Preset, evaluate};
pub use report::{Report, SCHEMA_VERSION};
pub use root::{Root, RootKind};

/// Internals that the crate's own benches (`benches/`) and tests
/// (`tests/alloc.rs`, `tests/robustness.rs`, `tests/live.rs`) measure or
/// drive directly. Not part of the API: no stability promise, hidden from the
/// docs and from the public-surface count.
#[doc(hidden)]
pub mod __private {
    pub use crate::infer::{mounts, network, runtime};
    /// The parsers (`src/parse/`), for the tests and benches that drive them
    /// on text directly.
    pub mod parse {
        pub use crate::parse::{ParseError, capability, cgroup, idmap, lsm, mountinfo, ns, status};
    }

    /// The manifest reader (`src/policy/manifest.rs`): the bounded YAML
    /// reader and the manifest-to-policy step, for the proptests.
    #[cfg(feature = "manifest")]
    pub mod manifest {
        pub use crate::policy::manifest::{MAX_DEPTH, MAX_NODES, Node, parse, read_yaml};
    }

    /// [`crate::syscalls`]' classification of one call's return, for the
    /// probe's tests.
    pub fn classify(
        sc: crate::report::Syscall,
        ret: i64,
        errno: i32,
        filter: Option<bool>,
    ) -> crate::report::Outcome {
        crate::syscalls::classify(sc, ret, errno, filter)
    }
    use std::path::{Path, PathBuf};

    /// The read bounds the probe uses.
    pub mod root {
        pub use crate::root::ReadError;
        /// `root`'s bound for small files.
        pub const SMALL_FILE_LIMIT: usize = crate::root::SMALL_FILE_LIMIT;
        /// `root`'s bound for `status`.
        pub const STATUS_LIMIT: usize = crate::root::STATUS_LIMIT;
        /// `root`'s bound for `mountinfo`.
        pub const MOUNTINFO_LIMIT: usize = crate::root::MOUNTINFO_LIMIT;
    }

    /// [`Root`](crate::Root)'s path and read methods, which are the crate's
    /// own (`pub(crate)`), for the benches that time them one by one.
    #[allow(missing_docs)]
    pub trait RootIo {
        fn path(&self, rel: &str) -> PathBuf;
        fn proc_self(&self, rel: &str) -> PathBuf;
        fn proc_self_tasks(&self) -> PathBuf;
        fn proc_init(&self, rel: &str) -> PathBuf;
        fn proc_sys(&self, rel: &str) -> PathBuf;
        fn proc_dir(&self) -> PathBuf;
        fn sys(&self, rel: &str) -> PathBuf;
        fn dev_dir(&self) -> PathBuf;
        fn read_into(
            &self,
            path: &Path,
            limit: usize,
            buf: &mut Vec<u8>,
        ) -> Result<bool, crate::root::ReadError>;
        fn read_text(&self, path: &Path, limit: usize) -> Result<String, crate::root::ReadError>;
        fn read_link(&self, path: &Path) -> Result<String, crate::root::ReadError>;
    }

    impl RootIo for crate::Root {
        fn path(&self, rel: &str) -> PathBuf {
            crate::Root::path(self, rel)
        }
        fn proc_self(&self, rel: &str) -> PathBuf {
            crate::Root::proc_self(self, rel)
        }
        fn proc_self_tasks(&self) -> PathBuf {
            crate::Root::proc_self_tasks(self)
        }
        fn proc_init(&self, rel: &str) -> PathBuf {
            crate::Root::proc_init(self, rel)
        }
        fn proc_sys(&self, rel: &str) -> PathBuf {
            crate::Root::proc_sys(self, rel)
        }
        fn proc_dir(&self) -> PathBuf {
            crate::Root::proc_dir(self)
        }
        fn sys(&self, rel: &str) -> PathBuf {
            crate::Root::sys(self, rel)
        }
        fn dev_dir(&self) -> PathBuf {
            crate::Root::dev_dir(self)
        }
        fn read_into(
            &self,
            path: &Path,
            limit: usize,
            buf: &mut Vec<u8>,
        ) -> Result<bool, crate::root::ReadError> {
            crate::Root::read_into(self, path, limit, buf)
        }
        fn read_text(&self, path: &Path, limit: usize) -> Result<String, crate::root::ReadError> {
            crate::Root::read_text(self, path, limit)
        }
        fn read_link(&self, path: &Path) -> Result<String, crate::root::ReadError> {
            crate::Root::read_link(self, path)
        }
    }
}

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
    probe::collect(&Root::live())
}

/// Runs the same pipeline against another root (a fixture tree holding
/// `proc/…`, `sys/…`, `dev/…`).
pub fn posture_with_root(root: &Root) -> Report {
    probe::collect(root)
}

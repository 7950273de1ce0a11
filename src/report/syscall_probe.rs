//! The syscall probe's section of the report ([`Report::syscalls`]): which
//! dangerous system calls the calling thread can reach, as
//! [`crate::syscalls::probe`] found, and [`Report::with_syscalls`], which
//! attaches a probe to a report.

use std::fmt;

use crate::fact::{Fact, Unknown};
use crate::parse::status::SeccompMode;
use crate::report::{ProcTrust, Report};

macro_rules! syscalls {
    ($( $variant:ident = $name:literal, $why:literal; )*) => {
        /// A system call the probe asks about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Syscall {
            $(
                #[doc = $why]
                $variant,
            )*
        }

        impl Syscall {
            /// Every probed syscall, in probe order.
            pub const ALL: &'static [Syscall] = &[$(Syscall::$variant),*];

            /// Its name, as in `man 2` (and the JSON).
            pub(crate) fn name(self) -> &'static str {
                match self { $(Syscall::$variant => $name,)* }
            }

            /// Why it is on the list.
            pub fn why(self) -> &'static str {
                match self { $(Syscall::$variant => $why,)* }
            }
        }
    };
}

syscalls! {
    Unshare = "unshare", "Creates namespaces, a user namespace among them: full capabilities over new namespaces, the gateway to most container-escape kernel bugs.";
    Clone = "clone", "Creates a process in new namespaces (CLONE_NEWUSER and the other CLONE_NEW* flags): the other route to a user namespace.";
    Clone3 = "clone3", "clone with its flags in memory, which a filter cannot inspect: a filter that checks clone's flags must block clone3 whole.";
    Setns = "setns", "Joins another namespace through a file descriptor (a leaked `/proc/PID/ns` file of a host process).";
    Mount = "mount", "Mounts filesystems and remounts: exposes filesystem code and can uncover what the runtime masked.";
    Umount2 = "umount2", "Unmounts: removes the mounts that mask /proc and /sys paths.";
    PivotRoot = "pivot_root", "Changes the root filesystem: with mount, the way out of the container's root.";
    Fsopen = "fsopen", "The new mount API's entry (fsopen/fsconfig/fsmount): the same surface as mount, by other calls.";
    OpenTree = "open_tree", "Opens or clones a mount tree (OPEN_TREE_CLONE), the new mount API's bind mount.";
    Keyctl = "keyctl", "The kernel keyring: not namespaced, shared by every container of a uid, and a long CVE history.";
    AddKey = "add_key", "Adds keys to the kernel keyring (see keyctl).";
    RequestKey = "request_key", "Looks up keys, may call out to userspace on the host (see keyctl).";
    Bpf = "bpf", "eBPF programs and maps: the verifier and JIT are a large kernel attack surface.";
    PerfEventOpen = "perf_event_open", "Performance events: kernel address leaks, side channels and a long CVE history.";
    Userfaultfd = "userfaultfd", "Stalls page faults at chosen points: the standard tool for winning kernel race conditions.";
    IoUringSetup = "io_uring_setup", "io_uring: the largest recent source of kernel privilege escalations, and its operations bypass seccomp.";
    Ptrace = "ptrace", "Reads and writes other processes' memory and registers; before Linux 4.8 it bypassed seccomp.";
    ProcessVmReadv = "process_vm_readv", "Reads another process's memory without ptrace-stopping it.";
    ProcessVmWritev = "process_vm_writev", "Writes another process's memory without ptrace-stopping it.";
    OpenByHandleAt = "open_by_handle_at", "Opens files by handle, outside any mount's root: the 'shocker' container escape.";
    InitModule = "init_module", "Loads kernel code.";
    FinitModule = "finit_module", "Loads kernel code from a file descriptor.";
    KexecLoad = "kexec_load", "Replaces the running kernel.";
    KexecFileLoad = "kexec_file_load", "Replaces the running kernel, from files.";
    Reboot = "reboot", "Reboots or halts the host (or ends the pid namespace).";
    Swapon = "swapon", "Adds swap on the host: host memory and disk.";
}

display_by!(name: Syscall);

#[cfg(feature = "serde")]
impl serde::Serialize for Syscall {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// An errno, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Errno {
    /// The number.
    pub code: i32,
    /// `EPERM`, `EINVAL`, …
    pub name: String,
}

impl Errno {
    /// The errno of a number.
    pub fn new(code: i32) -> Errno {
        // The names are nix's (through `sys`, which names the crate).
        let name = crate::sys::errno_name(code).unwrap_or_else(|| format!("errno {code}"));
        Errno { code, name }
    }
}

impl Errno {
    /// The name and the C library's description, as in
    /// `EPERM: Operation not permitted` (the text error messages carry).
    pub(crate) fn described(&self) -> String {
        crate::sys::errno_described(self.code)
    }
}

impl std::error::Error for Errno {}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A signal, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Signal {
    /// The number.
    pub number: i32,
    /// `SIGSYS`, …
    pub name: String,
}

impl Signal {
    /// The signal of a number.
    pub(crate) fn new(number: i32) -> Signal {
        let name = match crate::sys::signal_name(number) {
            Some(s) => s.to_string(),
            None => format!("signal {number}"),
        };
        Signal { number, name }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Who answered a blocked call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum BlockedBy {
    /// The seccomp filter: the kernel does not give this errno for these
    /// arguments.
    Filter,
    /// The kernel (no filter is installed): a capability or sysctl check.
    Kernel,
    /// Either: the kernel may give the same errno before validating.
    FilterOrKernel,
}

display_by!(as_str: BlockedBy);

impl BlockedBy {
    /// snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BlockedBy::Filter => "filter",
            BlockedBy::Kernel => "kernel",
            BlockedBy::FilterOrKernel => "filter_or_kernel",
        }
    }
}

/// What one call answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(tag = "outcome", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Outcome {
    /// The kernel's validation answered: the filter let the call through.
    Reachable {
        /// The kernel's errno; `None` when the call succeeded.
        errno: Option<Errno>,
    },
    /// Something other than the kernel's validation answered.
    Blocked {
        /// The errno returned.
        errno: Errno,
        /// Whether the filter or the kernel did, as far as can be told.
        by: BlockedBy,
        /// Why the kernel could have given the same answer, where it could.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        note: Option<&'static str>,
    },
    /// The child making the call died of a signal (SIGSYS from a filter's
    /// kill or trap action).
    Killed {
        /// The signal.
        signal: Signal,
    },
    /// Could not be decided.
    Unknown {
        /// Why.
        reason: String,
    },
}

display_by!(as_str: Outcome);

impl Outcome {
    /// snake_case name of the variant.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Outcome::Reachable { .. } => "reachable",
            Outcome::Blocked { .. } => "blocked",
            Outcome::Killed { .. } => "killed",
            Outcome::Unknown { .. } => "unknown",
        }
    }

    /// Every variant name, for renderers that list all states.
    #[cfg(feature = "prometheus")]
    pub(crate) const STATES: [&'static str; 4] = ["reachable", "blocked", "killed", "unknown"];

    /// The errno or signal, or the reason, in a few words.
    pub(crate) fn detail(&self) -> String {
        match self {
            Outcome::Reachable { errno: Some(e) } => e.name.clone(),
            Outcome::Reachable { errno: None } => "succeeded".to_string(),
            Outcome::Blocked { errno, by, .. } => format!("{} ({})", errno.name, by.as_str()),
            Outcome::Killed { signal } => signal.name.clone(),
            Outcome::Unknown { reason } => reason.clone(),
        }
    }
}

/// One syscall's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SyscallResult {
    /// The syscall.
    pub syscall: Syscall,
    /// What it answered.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub outcome: Outcome,
}

/// The real `unshare(CLONE_NEWUSER)` of the probe child.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(tag = "outcome", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Creation {
    /// The kernel created the namespace (the child's, gone with it).
    Created,
    /// Refused with an errno (by the filter or the kernel).
    Refused {
        /// The errno.
        errno: Errno,
    },
    /// The child died of a signal on the call.
    Killed {
        /// The signal.
        signal: Signal,
    },
    /// Not attempted or undecided.
    Unknown {
        /// Why.
        reason: String,
    },
}

/// Whether this process can create user namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct UserNamespaces {
    /// `/proc/sys/user/max_user_namespaces` in this user namespace (0: the
    /// kernel creates none).
    pub max_user_namespaces: Fact<u64>,
    /// The child's real `unshare(CLONE_NEWUSER)`.
    pub attempt: Creation,
    /// The conclusion: whether a new user namespace can be created, by any
    /// of unshare, clone or clone3.
    pub can_create: Fact<bool>,
}

/// Which dangerous syscalls the calling thread can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SyscallProbe {
    /// The architecture probed (`std::env::consts::ARCH`).
    pub arch: &'static str,
    /// Whether the calling thread had a seccomp filter (from
    /// `/proc/thread-self/status`); decides [`BlockedBy::Kernel`].
    pub filter: Fact<bool>,
    /// One result per [`Syscall::ALL`], in that order.
    pub results: Vec<SyscallResult>,
    /// User-namespace creation.
    pub user_namespaces: UserNamespaces,
    /// How many children the probe forked (1, plus one per killed or stuck
    /// call).
    pub children: u32,
    /// The seccomp mode the kernel answers in the forked child
    /// (`prctl(PR_GET_SECCOMP)`, its last call): the calling thread's, which
    /// the child inherits. Asked there and never in the service, because in
    /// strict mode the call kills its caller, and a filter may kill on it;
    /// [`Report::with_syscalls`] holds `/proc/self/status`'s `Seccomp:` line
    /// against it.
    pub seccomp_mode: Fact<SeccompMode>,
}

impl SyscallProbe {
    /// One syscall's outcome.
    pub fn outcome(&self, sc: Syscall) -> Option<&Outcome> {
        self.results
            .iter()
            .find(|r| r.syscall == sc)
            .map(|r| &r.outcome)
    }

    /// The syscalls with an outcome of the given state name.
    pub(crate) fn with_state(&self, state: &str) -> Vec<Syscall> {
        self.results
            .iter()
            .filter(|r| r.outcome.as_str() == state)
            .map(|r| r.syscall)
            .collect()
    }

    /// The reachable syscalls.
    pub(crate) fn reachable(&self) -> Vec<Syscall> {
        self.with_state("reachable")
    }

    /// One line: how many are blocked, by whom, and which were killed.
    pub(crate) fn blocked_summary(&self) -> String {
        let count = |by: BlockedBy| {
            self.results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Blocked { by: b, .. } if b == by))
                .count()
        };
        let mut s = format!(
            "all {} listed syscalls blocked: {} by the filter, {} by the kernel, {} by filter or kernel (same errno)",
            self.results.len(),
            count(BlockedBy::Filter),
            count(BlockedBy::Kernel),
            count(BlockedBy::FilterOrKernel),
        );
        let killed: Vec<String> = self
            .results
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Killed { signal } => Some(format!("{} ({signal})", r.syscall)),
                _ => None,
            })
            .collect();
        if !killed.is_empty() {
            s.push_str(&format!(", killed on: {}", killed.join(", ")));
        }
        s
    }

    /// One line on user-namespace creation.
    pub(crate) fn user_namespaces_summary(&self) -> String {
        let u = &self.user_namespaces;
        let max = match &u.max_user_namespaces {
            Fact::Known(n) => format!("max_user_namespaces {n}"),
            Fact::Unknown(x) => format!("max_user_namespaces {x}"),
        };
        let attempt = match &u.attempt {
            Creation::Created => "unshare(CLONE_NEWUSER) succeeded".to_string(),
            Creation::Refused { errno } => format!("unshare(CLONE_NEWUSER) refused with {errno}"),
            Creation::Killed { signal } => format!("unshare(CLONE_NEWUSER) killed by {signal}"),
            Creation::Unknown { reason } => format!("unshare(CLONE_NEWUSER) unknown ({reason})"),
        };
        let can = match &u.can_create {
            Fact::Known(true) => "new user namespaces CAN be created".to_string(),
            Fact::Known(false) => "new user namespaces cannot be created".to_string(),
            Fact::Unknown(x) => format!("whether new user namespaces can be created is {x}"),
        };
        format!("{can} ({max}; {attempt})")
    }
}

impl Report {
    /// The report with a syscall probe attached (see [`crate::syscalls::probe`]); `posture()`
    /// leaves [`Report::syscalls`] unknown ("not run").
    ///
    /// The mode the kernel answered in the probe's child is held against the
    /// `Seccomp:` line the report read (when no thread's mode differs from
    /// the main thread's, so the calling thread's mode is the main one's):
    /// where they disagree, the report's mode becomes unknown and
    /// [`Report::proc_trust`] says `/proc` disagrees with the kernel.
    pub fn with_syscalls(mut self, probe: SyscallProbe) -> Report {
        let same_everywhere = match &self.threads {
            Fact::Known(t) => t.differing.iter().all(|d| d.seccomp.is_none()),
            Fact::Unknown(_) => false,
        };
        if let (Fact::Known(said), Fact::Known(kernel), true) =
            (&self.seccomp.mode, &probe.seccomp_mode, same_everywhere)
            && said != kernel
        {
            let reason = format!(
                "Seccomp line says {}, but prctl(PR_GET_SECCOMP) in the probe's child answers {}: not this process's file",
                said.as_str(),
                kernel.as_str()
            );
            let finding = format!("{}: {reason}", self.capabilities.source);
            let unknown = Unknown::new(self.capabilities.source.clone(), reason);
            self.seccomp.mode = Fact::Unknown(unknown.clone());
            self.seccomp.filters = Fact::Unknown(unknown);
            match &mut self.proc_trust {
                Fact::Known(ProcTrust::Disagrees { findings }) => findings.push(finding),
                Fact::Known(ProcTrust::Procfs) => {
                    self.proc_trust = Fact::Known(ProcTrust::Disagrees {
                        findings: vec![finding],
                    });
                }
                _ => {}
            }
        }
        self.syscalls = Fact::Known(probe);
        self
    }
}

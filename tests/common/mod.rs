//! Helpers shared by the integration tests (each test binary includes this
//! module; not every binary uses every helper).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every check id, in the library's order, written out here (not taken from
/// the library) so a renamed or dropped id fails the tests.
pub const CHECK_IDS: [&str; 19] = [
    "non_root",
    "capabilities_dropped",
    "seccomp",
    "mac_enforced",
    "read_only_rootfs",
    "no_new_privs",
    "not_privileged",
    "userns_remap",
    "no_runtime_socket",
    "no_host_pid",
    "no_host_ipc",
    "no_host_network",
    "no_host_uts",
    "no_sensitive_mounts",
    "no_host_path",
    "resource_limits",
    "no_service_account_token",
    "proc_trusted",
    "dangerous_syscalls_blocked",
];

/// `target/<profile>/examples/<name>`, next to this test binary's `deps/`.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let p = profile_dir.join("examples").join(name);
    assert!(
        p.is_file(),
        "{} not found: run `cargo test` (which builds the examples before the tests; \
         the health example needs the serde, policy-file and prometheus features), or \
         `cargo build --examples` first when selecting tests with `--test`",
        p.display()
    );
    p
}

/// The `capsh` program (libcap2-bin): from `PATH`, else `/usr/sbin` or
/// `/sbin`, where Debian installs it and which a non-root user's `PATH`
/// does not hold.
pub fn capsh() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join("capsh"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("capsh not found on PATH, in /usr/sbin or /sbin: install libcap2-bin (apt-get install libcap2-bin)")
        })
}

/// Capability names by number, written out here from the kernel's
/// `include/uapi/linux/capability.h` (Linux 5.9 to 6.18 define 0 to 40), not
/// taken from the library. `tests/cli.rs` holds this table against
/// `capsh --decode` with the `tool-tests` feature.
pub const CAP_NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The names of the capabilities in `mask`, from [`CAP_NAMES`]; a bit
/// beyond the table fails the test.
pub fn cap_names(mask: u64) -> std::collections::BTreeSet<String> {
    (0..64)
        .filter(|bit| mask >> bit & 1 == 1)
        .map(|bit| {
            CAP_NAMES
                .get(bit)
                .unwrap_or_else(|| panic!("capability {bit} is not in the table (mask {mask:x})"))
                .to_string()
        })
        .collect()
}

/// Copies a fixture tree: directories, regular files (with their mode) and
/// symbolic links as links (the namespace links such as `net:[4026532181]`
/// point nowhere). In place of `cp -a`, so that no test needs coreutils.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ft = e.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if ft.is_dir() {
            copy_tree(&src, &dst);
        } else if ft.is_file() {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        } else {
            panic!(
                "{}: a fixture holds only files, directories and links",
                src.display()
            );
        }
    }
}

/// Sets no_new_privs in the child of `cmd` just before it execs, as
/// `setpriv --no-new-privs` does, without the tool.
pub fn with_no_new_privs(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure makes one prctl(2) call,
    // which is async-signal-safe, and allocates nothing.
    unsafe { cmd.pre_exec(|| nix::sys::prctl::set_no_new_privs().map_err(std::io::Error::from)) }
}

/// The `posture` binary (src/bin/posture.rs), which cargo builds for the
/// integration tests when the `cli` feature (a default) is on.
pub fn posture_bin() -> PathBuf {
    // Set by cargo only when the binary is built (not with
    // --no-default-features): a test that runs it says so.
    let Some(p) = option_env!("CARGO_BIN_EXE_posture") else {
        panic!("the posture binary is not built: it needs the `cli` feature (a default feature)")
    };
    let p = PathBuf::from(p);
    assert!(p.is_file(), "{} not found", p.display());
    p
}

/// Runs the real `promtool check metrics` on `text` and fails the test on
/// any complaint, or when promtool is not installed. Only the tests behind
/// the `tool-tests` feature call it; the others call [`exposition_check`].
pub fn promtool_check(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run promtool ({e}): install the Debian package `prometheus` \
                 (apt-get install prometheus, or run .ci/setup-runtimes.sh)"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}\nstdout: {}\nstderr: {}\n--- input ---\n{text}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks a Prometheus text exposition (format 0.0.4) in Rust, written here
/// from the format's documentation and the lint rules of `promtool check
/// metrics` (Prometheus 2.42's promlint), independently of the crate:
/// every line is a `# HELP`, a `# TYPE`, another comment or a sample; names
/// and label names are valid, label values use only the `\\`, `\"` and
/// `\n` escapes, values are floats; each family has one HELP and one TYPE,
/// both before its samples. The lints: every family has help text, names
/// and label names are snake_case without `:`, no name holds an abbreviated
/// unit (`_ms`, `_b`, …), a counter ends in `_total` and nothing else does,
/// only histograms and summaries end in `_count`, `_sum` or `_bucket`.
/// Stricter than promtool where Prometheus itself is: a family's lines are
/// contiguous, no series appears twice, no label name starts with `__`.
/// Fails the test naming the line.
pub fn exposition_check(text: &str) {
    use std::collections::{BTreeMap, BTreeSet};

    fn valid_name(n: &str) -> bool {
        let mut c = n.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_' || f == ':')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == ':')
    }
    fn lint_name(n: &str) -> Option<&'static str> {
        if n.contains(':') {
            Some("contains ':'")
        } else if n.chars().any(|c| c.is_ascii_uppercase()) {
            Some("is not snake_case")
        } else {
            None
        }
    }
    type Labels = Vec<(String, String)>;
    /// `{a="b",c="d"}` after the name: the labels and the rest of the line.
    fn labels(rest: &str) -> Result<(Labels, &str), String> {
        let Some(mut r) = rest.strip_prefix('{') else {
            return Ok((Vec::new(), rest));
        };
        let mut out = Vec::new();
        loop {
            if let Some(after) = r.strip_prefix('}') {
                return Ok((out, after));
            }
            let (name, after) = r.split_once('=').ok_or("a label without '='")?;
            if !valid_name(name) || name.contains(':') {
                return Err(format!("label name {name:?} is not valid"));
            }
            if name.starts_with("__") {
                return Err(format!("label name {name:?} is reserved"));
            }
            if let Some(why) = lint_name(name) {
                return Err(format!("label name {name:?} {why}"));
            }
            let mut chars = after
                .strip_prefix('"')
                .ok_or("a label value not quoted")?
                .char_indices();
            let mut value = String::new();
            let end = loop {
                match chars.next() {
                    None => return Err("an unterminated label value".into()),
                    Some((i, '"')) => break i,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'n')) => value.push('\n'),
                        other => return Err(format!("escape \\{other:?} in a label value")),
                    },
                    Some((_, c)) => value.push(c),
                }
            };
            if out.iter().any(|(n, _)| n == name) {
                return Err(format!("label {name:?} twice"));
            }
            out.push((name.to_string(), value));
            r = &after[1 + end + 1..];
            if let Some(next) = r.strip_prefix(',') {
                r = next;
            } else if !r.starts_with('}') {
                return Err("labels not separated by ','".into());
            }
        }
    }
    fn value_ok(v: &str) -> bool {
        matches!(v, "+Inf" | "-Inf" | "NaN")
            || (v.parse::<f64>().is_ok()
                && v.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)))
    }

    let fail = |n: usize, line: &str, why: String| -> ! {
        panic!(
            "exposition line {}: {why}: {line:?}\n--- input ---\n{text}",
            n + 1
        )
    };
    assert!(
        text.ends_with('\n'),
        "the exposition does not end in a newline"
    );
    let mut help: BTreeSet<String> = BTreeSet::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut with_samples: BTreeSet<String> = BTreeSet::new();
    let mut closed: BTreeSet<String> = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut series: BTreeSet<(String, Labels)> = BTreeSet::new();
    let mut enter = |family: &str, n: usize, line: &str| {
        if current.as_deref() != Some(family) {
            if closed.contains(family) {
                fail(n, line, format!("family {family} is split by another"));
            }
            if let Some(c) = current.take() {
                closed.insert(c);
            }
            current = Some(family.to_string());
        }
    };
    for (n, line) in text.lines().enumerate() {
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            let (kw, name, rest) = (words.next(), words.next(), words.next());
            match (kw, name) {
                (Some("HELP"), Some(name)) => {
                    if !valid_name(name) {
                        fail(n, line, format!("metric name {name:?} is not valid"));
                    }
                    enter(name, n, line);
                    if !help.insert(name.to_string()) {
                        fail(n, line, "a second HELP".into());
                    }
                    if with_samples.contains(name) {
                        fail(n, line, "HELP after samples".into());
                    }
                    let doc = rest.unwrap_or("");
                    if doc.trim().is_empty() {
                        fail(n, line, "no help text".into());
                    }
                    let mut esc = doc.chars();
                    while let Some(c) = esc.next() {
                        if c == '\\' && !matches!(esc.next(), Some('\\' | 'n')) {
                            fail(n, line, "an escape HELP does not know".into());
                        }
                    }
                }
                (Some("TYPE"), Some(name)) => {
                    if !valid_name(name) {
                        fail(n, line, format!("metric name {name:?} is not valid"));
                    }
                    enter(name, n, line);
                    let ty = rest.unwrap_or("");
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&ty) {
                        fail(n, line, format!("type {ty:?}"));
                    }
                    if types.insert(name.to_string(), ty.to_string()).is_some() {
                        fail(n, line, "a second TYPE".into());
                    }
                    if with_samples.contains(name) {
                        fail(n, line, "TYPE after samples".into());
                    }
                }
                _ => {} // a comment
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let end = line
            .find(['{', ' '])
            .unwrap_or_else(|| fail(n, line, "no value".into()));
        let name = &line[..end];
        if !valid_name(name) {
            fail(n, line, format!("metric name {name:?} is not valid"));
        }
        let (labels, rest) = labels(&line[end..]).unwrap_or_else(|why| fail(n, line, why));
        let mut fields = rest
            .strip_prefix(' ')
            .unwrap_or_else(|| fail(n, line, "no space before the value".into()))
            .split(' ');
        let value = fields.next().unwrap_or("");
        if !value_ok(value) {
            fail(n, line, format!("value {value:?} is not a float"));
        }
        if let Some(ts) = fields.next()
            && ts.parse::<i64>().is_err()
        {
            fail(n, line, format!("timestamp {ts:?}"));
        }
        if fields.next().is_some() {
            fail(n, line, "text after the value".into());
        }
        // The family: the name, or a histogram's or summary's base name.
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .find(|base| {
                types
                    .get(*base)
                    .is_some_and(|t| t == "histogram" || t == "summary")
            })
            .unwrap_or(name)
            .to_string();
        enter(&family, n, line);
        with_samples.insert(family.clone());
        if !series.insert((name.to_string(), labels.clone())) {
            fail(n, line, "the same series twice".into());
        }
    }
    for family in &with_samples {
        let ty = types.get(family).map(String::as_str).unwrap_or("untyped");
        if !help.contains(family) {
            panic!("{family}: no help text\n--- input ---\n{text}");
        }
        if let Some(why) = lint_name(family) {
            panic!("metric name {family} {why}\n--- input ---\n{text}");
        }
        let units = [
            "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
        ];
        if family.split('_').any(|t| units.contains(&t)) {
            panic!("metric name {family} holds an abbreviated unit\n--- input ---\n{text}");
        }
        if ty == "counter" && !family.ends_with("_total") {
            panic!("counter {family} does not end in _total\n--- input ---\n{text}");
        }
        if ty != "counter" && family.ends_with("_total") {
            panic!("{ty} {family} ends in _total\n--- input ---\n{text}");
        }
        if ty != "histogram"
            && ty != "summary"
            && ["_count", "_sum", "_bucket"]
                .iter()
                .any(|s| family.ends_with(s))
        {
            panic!("{ty} {family} has a histogram's suffix\n--- input ---\n{text}");
        }
    }
}

/// `tests/fixtures`.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The name of every fixture tree under `tests/fixtures` (a directory
/// holding `proc/self/status`), sorted.
pub fn all_fixtures() -> Vec<String> {
    let dir = fixtures_root();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry"))
        .filter(|e| e.path().join("proc/self/status").is_file())
        .map(|e| e.file_name().into_string().expect("UTF-8 fixture name"))
        .collect();
    names.sort();
    names
}

/// `tests/fixtures/<name>`, checked to be a fixture tree (it has
/// `proc/self/status`).
pub fn fixture_dir(name: &str) -> PathBuf {
    let dir = fixtures_root().join(name);
    assert!(
        dir.join("proc/self/status").is_file(),
        "fixture {name} missing: {} (scripts/make-handbuilt-fixtures.sh builds the hand-built ones)",
        dir.display()
    );
    dir
}

/// The library pipeline over a fixture tree.
pub fn fixture_report(name: &str) -> posture::Report {
    report_at(&fixture_dir(name))
}

/// The library pipeline over any directory shaped like `/` (a fixture or an
/// edited copy of one).
pub fn report_at(dir: &Path) -> posture::Report {
    posture::posture_with_root(&posture::Root::fixture(dir))
}

/// The fixture trees whose expectations live in `tests/fleet.rs` (built from
/// documented real output of environments no machine here runs), and so not
/// in `tests/policy.rs`'s table of this machine's captures.
pub const FLEET_FIXTURES: &[&str] = &[
    "k8s-containerd",
    "k8s-userns",
    "block-pvc",
    "hostpath-volume",
    "crio-selinux",
    "selinux-container-t",
    "selinux-spc-t",
    "podman-rootless",
    "docker-userns-remap",
    "gvisor",
    "gvisor-old",
    "kata",
    "sysbox",
    "btrfs-host-etc",
    "zfs-host-etc",
    "hostdir-runtime-socket",
    "podman-storage-volume",
];

/// The syscalls the probe makes, in the library's order, written out here
/// (not taken from the library) for every test binary that checks them.
pub const PROBED_SYSCALLS: [&str; 26] = [
    "unshare",
    "clone",
    "clone3",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "fsopen",
    "open_tree",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "open_by_handle_at",
    "init_module",
    "finit_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
];

/// The checks `strict` requires that fail (or are unknown) in the
/// `privileged` fixture (`podman run --privileged` as root; see its README):
/// uid 0, every capability, `Seccomp: 0`, no LSM (`attr/current` EINVAL), a
/// writable root, `NoNewPrivs: 0`, privileged, uid 0 mapped to the host's,
/// /proc and /sys unmasked, no memory or pids limit, and no syscall probe
/// in a fixture (unknown). Written out here, not taken from the library.
pub const PRIVILEGED_STRICT_BLOCKING: [&str; 11] = [
    "non_root",
    "capabilities_dropped",
    "seccomp",
    "mac_enforced",
    "read_only_rootfs",
    "no_new_privs",
    "not_privileged",
    "userns_remap",
    "no_sensitive_mounts",
    "resource_limits",
    "dangerous_syscalls_blocked",
];

/// A `POSTURE_OVERRIDE` value overriding each of `ids` with `reason`:
/// `id=reason;id=reason`.
pub fn override_spec(ids: &[&str], reason: &str) -> String {
    ids.iter()
        .map(|id| format!("{id}={reason}"))
        .collect::<Vec<_>>()
        .join(";")
}

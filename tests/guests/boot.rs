//! Boots a guest kernel once per test run and runs every scenario in it.
//!
//! One job directory per boot under `target/guests/<series>/` (or
//! `<series>-nonic/`, `<series>-cgroup-v1/`, `<series>-selinux/` for the
//! other guests,
//! [`Guest::dir_name`]; kept after the run for inspection, replaced by the
//! next): `job.sh`
//! (`scripts/guest/job.sh`), `image.tar` (the runtime suite's base image plus
//! the static `/posture`), and
//! `scenarios/<name>/{args,script[,image,before,after]}`.
//! `scripts/guest/run.sh` boots the kernel under QEMU (TCG), the guest runs
//! every scenario with podman (runc) and writes `out/`; this module reads
//! `out/` back. Boots are serialised: the machine has two cores and TCG is
//! CPU-bound, so two guests at once only make both slower and their
//! timeouts less predictable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::harness;

/// What to run when the machine is not set up.
pub const SETUP_HINT: &str = "run `bash .ci/setup-guests.sh` (and `bash .ci/setup-runtimes.sh` for \
     podman and the base image) as root, or `bash scripts/test-all.sh`";

/// The cache `.ci/setup-guests.sh` fills.
pub fn cache() -> PathBuf {
    std::env::var_os("POSTURE_GUEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/posture-guests"))
}

/// Seconds one boot (all scenarios) may take before QEMU is killed. One
/// minute is normal on this idle 2-core machine and six were seen with the
/// load at 11; the bound leaves room for a busier machine.
pub const BOOT_TIMEOUT_S: u32 = 1200;

/// Debian's kernels under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Debian 12's own 6.1 (bookworm).
    V6_1,
    /// Debian 12's 6.12 (bookworm-security).
    V6_12,
    /// Debian 11's 5.10 (bullseye-security): before `SO_NETNS_COOKIE`
    /// (5.14), so the host network is decided by what the namespace holds.
    V5_10,
}

impl Kernel {
    /// The series name (cache directory, `run.sh` argument).
    pub fn series(self) -> &'static str {
        match self {
            Kernel::V6_1 => "6.1",
            Kernel::V6_12 => "6.12",
            Kernel::V5_10 => "5.10",
        }
    }

    fn index(self) -> usize {
        match self {
            Kernel::V6_1 => 0,
            Kernel::V6_12 => 1,
            Kernel::V5_10 => 2,
        }
    }
}

/// The cgroup layout the guest's init mounts (`scripts/guest/init`, chosen
/// by `scripts/guest/run.sh` from `POSTURE_GUEST_CGROUP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Pure cgroup v2: cgroup2 alone at `/sys/fs/cgroup` (the default).
    V2,
    /// cgroup v1 "legacy", as systemd mounts it on RHEL 8 and Amazon Linux
    /// 2: a tmpfs with one v1 hierarchy per controller group and
    /// `name=systemd`.
    V1,
}

impl Layout {
    /// `POSTURE_GUEST_CGROUP`'s value, and the `cgroup_layout` fact.
    pub fn name(self) -> &'static str {
        match self {
            Layout::V2 => "v2",
            Layout::V1 => "v1",
        }
    }
}

/// The major LSM the guest kernel runs (`scripts/guest/run.sh`'s
/// `POSTURE_GUEST_LSM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lsm {
    /// AppArmor (`apparmor=1`, Debian's default).
    AppArmor,
    /// SELinux (`security=selinux`), Debian's reference policy plus the
    /// container types, loaded permissive by `scripts/guest/init`.
    SELinux,
}

impl Lsm {
    /// `POSTURE_GUEST_LSM`'s value.
    pub fn name(self) -> &'static str {
        match self {
            Lsm::AppArmor => "apparmor",
            Lsm::SELinux => "selinux",
        }
    }
}

/// How one boot's guest is set up beyond its kernel: `scripts/guest/run.sh`'s
/// switches. Each combination is a boot of its own, with its own job
/// directory ([`Guest::dir_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    /// A virtio-net NIC on QEMU user networking (`POSTURE_GUEST_NIC`).
    pub nic: bool,
    /// The cgroup layout (`POSTURE_GUEST_CGROUP`).
    pub cgroup: Layout,
    /// The major LSM (`POSTURE_GUEST_LSM`).
    pub lsm: Lsm,
}

impl Guest {
    /// The matrix's ordinary guest: a NIC, pure cgroup v2, AppArmor.
    pub const DEFAULT: Guest = Guest {
        nic: true,
        cgroup: Layout::V2,
        lsm: Lsm::AppArmor,
    };

    /// The job directory's name under `target/guests/`: the series, then
    /// `-nonic`, `-cgroup-v1` and `-selinux` for what differs from
    /// [`Guest::DEFAULT`].
    pub fn dir_name(self, k: Kernel) -> String {
        let mut name = k.series().to_string();
        if !self.nic {
            name.push_str("-nonic");
        }
        if self.cgroup == Layout::V1 {
            name.push_str("-cgroup-v1");
        }
        if self.lsm == Lsm::SELinux {
            name.push_str("-selinux");
        }
        name
    }

    /// `scripts/guest/run.sh`'s environment for this guest.
    fn env(self) -> [(&'static str, &'static str); 3] {
        [
            ("POSTURE_GUEST_NIC", if self.nic { "1" } else { "0" }),
            ("POSTURE_GUEST_CGROUP", self.cgroup.name()),
            ("POSTURE_GUEST_LSM", self.lsm.name()),
        ]
    }
}

/// One scenario's raw results, as the guest wrote them.
#[derive(Debug, Clone)]
pub struct Raw {
    /// The container's stdout (the [`harness::inner_script`] sections).
    pub stdout: String,
    /// Its stderr (podman's and the script's).
    pub stderr: String,
    /// `podman run`'s exit status.
    pub rc: i32,
    /// `podman inspect --format {{.AppArmorProfile}}`.
    pub apparmor: String,
    /// `podman inspect --format {{.ProcessLabel}}` (SELinux; empty when
    /// podman set none).
    pub label: String,
    /// Wall time of the `podman run`.
    pub seconds: u64,
    /// The `before` script's exit status, when the scenario has one.
    pub before_rc: Option<i32>,
    /// The `before` and `after` scripts' output.
    pub before_log: String,
}

/// Everything one boot produced.
#[derive(Debug)]
pub struct Boot {
    /// `out/facts.txt`: key=value facts about the guest.
    pub facts: BTreeMap<String, String>,
    /// Scenario name -> results.
    pub raw: BTreeMap<String, Raw>,
    /// The job directory (for messages).
    pub dir: PathBuf,
    /// Wall time of the boot.
    pub seconds: u64,
}

impl Boot {
    /// Each scenario's wall time, `name Ns, …`, for the boot's summary line.
    pub fn timings(&self) -> String {
        self.raw
            .iter()
            .map(|(n, r)| format!("{n} {}s", r.seconds))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A fact, or a panic naming the file.
    pub fn fact(&self, k: &str) -> &str {
        self.facts
            .get(k)
            .unwrap_or_else(|| panic!("{}/out/facts.txt has no {k}", self.dir.display()))
    }
}

/// A scenario as the guest runs it.
pub struct Job<'a> {
    /// Name (a directory name).
    pub name: &'a str,
    /// The image to run (`None`: the test image the job imports); written
    /// to `scenarios/<name>/image`.
    pub image: Option<&'a str>,
    /// `podman run` flags.
    pub flags: Vec<String>,
    /// The shell script run in the container.
    pub script: String,
    /// A bash script the guest runs in its own namespaces before the
    /// container (`scripts/guest/job.sh`: `before`), and one after it.
    pub before: Option<String>,
    /// See `before`.
    pub after: Option<String>,
}

fn check_setup(k: Kernel) -> Result<(), String> {
    let dir = cache().join(k.series());
    for f in ["vmlinuz", "initrd.img", "release"] {
        if !dir.join(f).is_file() {
            return Err(format!("{} is missing", dir.join(f).display()));
        }
    }
    let q = Command::new("qemu-system-x86_64")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run qemu-system-x86_64: {e}"))?;
    if !q.status.success() {
        return Err(format!("qemu-system-x86_64 --version: {}", q.status));
    }
    let img = harness::sh("podman", &["image", "exists", harness::BASE_IMAGE], 60);
    if !img.status.success() {
        return Err(format!("podman has no {}", harness::BASE_IMAGE));
    }
    let capsh = harness::sh("capsh", &["--decode=0"], 30);
    if !capsh.status.success() {
        return Err("capsh does not run".into());
    }
    Ok(())
}

/// The guest image as a tar: the base image's filesystem (busybox, capsh)
/// plus the static `posture` at `/posture`, root-owned, mode 0755. Built once
/// per run and shared by every boot.
fn image_tar() -> &'static Path {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    TAR.get_or_init(|| {
        let dir = harness::repo().join("target/guests");
        std::fs::create_dir_all(&dir).unwrap();
        // The runtime suite's own image builder: the base image plus /posture.
        harness::image_tar(&dir, &[("posture", &harness::posture_bin())])
    })
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn boot(k: Kernel, guest: Guest, jobs: &[Job]) -> Result<Boot, String> {
    check_setup(k).map_err(|e| {
        format!(
            "the guest matrix was asked for (feature guest-tests) but kernel {} cannot boot here: {e}\nFix: {SETUP_HINT}",
            k.series()
        )
    })?;
    let repo = harness::repo();
    let dir = repo.join("target/guests").join(guest.dir_name(k));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(repo.join("scripts/guest/job.sh"), dir.join("job.sh")).unwrap();
    // A hard link: the job directory is shared with the guest by itself.
    let tar = image_tar();
    std::fs::hard_link(tar, dir.join("image.tar"))
        .or_else(|_| std::fs::copy(tar, dir.join("image.tar")).map(|_| ()))
        .unwrap();
    for j in jobs {
        let d = dir.join("scenarios").join(j.name);
        std::fs::create_dir_all(&d).unwrap();
        let mut args = j.flags.join("\n");
        args.push('\n');
        std::fs::write(d.join("args"), args).unwrap();
        std::fs::write(d.join("script"), &j.script).unwrap();
        if let Some(image) = j.image {
            std::fs::write(d.join("image"), format!("{image}\n")).unwrap();
        }
        for (f, body) in [("before", &j.before), ("after", &j.after)] {
            if let Some(body) = body {
                std::fs::write(d.join(f), body).unwrap();
            }
        }
    }
    let start = Instant::now();
    let out = Command::new("bash")
        .arg(repo.join("scripts/guest/run.sh"))
        .arg(k.series())
        .arg(&dir)
        .arg(BOOT_TIMEOUT_S.to_string())
        .envs(guest.env())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run scripts/guest/run.sh: {e}"))?;
    let seconds = start.elapsed().as_secs();
    let o = dir.join("out");
    if !out.status.success() {
        return Err(format!(
            "scripts/guest/run.sh {} {} failed ({}) after {seconds}s:\n{}\njob.log:\n{}",
            k.series(),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            read(&o.join("job.log")).unwrap_or_default()
        ));
    }
    eprintln!(
        "guest {}: {}",
        k.series(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let facts = read(&o.join("facts.txt"))?
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let mut raw = BTreeMap::new();
    for j in jobs {
        let f = |ext: &str| read(&o.join(format!("{}.{ext}", j.name)));
        raw.insert(
            j.name.to_string(),
            Raw {
                stdout: f("stdout")?,
                stderr: f("stderr")?,
                rc: f("rc")?.trim().parse().map_err(|e| format!("rc: {e}"))?,
                apparmor: f("apparmor")?.trim().to_string(),
                label: f("label").unwrap_or_default().trim().to_string(),
                seconds: f("seconds")?.trim().parse().unwrap_or(0),
                before_rc: f("before.rc").ok().and_then(|s| s.trim().parse().ok()),
                before_log: f("before.log").unwrap_or_default(),
            },
        );
    }
    Ok(Boot {
        facts,
        raw,
        dir,
        seconds,
    })
}

/// One boot at a time, whatever its kernel and layout (two cores; TCG is
/// CPU-bound).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The boot of kernel `k`, running `jobs()` — once per test run; every test
/// of that kernel shares it. A failed boot fails each of them with the same
/// message.
pub fn get(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOTS: [OnceLock<Result<Boot, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    get_in(&BOOTS[k.index()], k, Guest::DEFAULT, jobs)
}

/// The boot of kernel `k` WITHOUT its NIC (`POSTURE_GUEST_NIC=0`: the
/// guest's initial network namespace holds only `lo`), running `jobs()` —
/// once per test run, apart from [`get`]'s boot.
pub fn get_without_nic(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOTS: [OnceLock<Result<Boot, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let guest = Guest {
        nic: false,
        ..Guest::DEFAULT
    };
    get_in(&BOOTS[k.index()], k, guest, jobs)
}

/// [`get`] for the cgroup v1 layout: a boot of its own (its own job
/// directory, `target/guests/<series>-cgroup-v1/`), once per test run.
pub fn get_v1(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOTS: [OnceLock<Result<Boot, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let guest = Guest {
        cgroup: Layout::V1,
        ..Guest::DEFAULT
    };
    get_in(&BOOTS[k.index()], k, guest, jobs)
}

fn get_in(
    cell: &'static OnceLock<Result<Boot, String>>,
    k: Kernel,
    guest: Guest,
    jobs: fn() -> Vec<Job<'static>>,
) -> &'static Boot {
    let r = cell.get_or_init(|| {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        boot(k, guest, &jobs())
    });
    match r {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

/// The SELinux guest's boot (kernel `k`, `POSTURE_GUEST_LSM=selinux`,
/// permissive; NIC and cgroup v2 as in [`get`]), running `jobs()` once per
/// test run, in `target/guests/<series>-selinux/`.
pub fn get_selinux(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOTS: [OnceLock<Result<Boot, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let guest = Guest {
        lsm: Lsm::SELinux,
        ..Guest::DEFAULT
    };
    get_in(&BOOTS[k.index()], k, guest, jobs)
}

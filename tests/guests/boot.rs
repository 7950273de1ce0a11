//! Boots a guest kernel once per test run and runs every scenario in it.
//!
//! One job directory per kernel under `target/guests/<series>/` (kept after
//! the run for inspection, replaced by the next): `job.sh`
//! (`scripts/guest/job.sh`), `image.tar` (the runtime suite's base image plus
//! the static `/posture`), and `scenarios/<name>/{args,script[,image]}`.
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

/// Debian 12's kernels under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Debian 12's own 6.1 (bookworm).
    V6_1,
    /// Debian 12's 6.12 (bookworm-security).
    V6_12,
}

impl Kernel {
    /// The series name (cache directory, `run.sh` argument).
    pub fn series(self) -> &'static str {
        match self {
            Kernel::V6_1 => "6.1",
            Kernel::V6_12 => "6.12",
        }
    }

    fn index(self) -> usize {
        match self {
            Kernel::V6_1 => 0,
            Kernel::V6_12 => 1,
        }
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
/// per run and shared by both boots.
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

fn boot(k: Kernel, jobs: &[Job]) -> Result<Boot, String> {
    boot_in(k, k.series(), &[], jobs)
}

/// Boots kernel `k` with `env` for `scripts/guest/run.sh` (a layout switch
/// such as `POSTURE_GUEST_LSM=selinux`), in job directory
/// `target/guests/<name>`.
fn boot_in(k: Kernel, name: &str, env: &[(&str, &str)], jobs: &[Job]) -> Result<Boot, String> {
    check_setup(k).map_err(|e| {
        format!(
            "the guest matrix was asked for (feature guest-tests) but kernel {} cannot boot here: {e}\nFix: {SETUP_HINT}",
            k.series()
        )
    })?;
    let repo = harness::repo();
    let dir = repo.join("target/guests").join(name);
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
    }
    let start = Instant::now();
    let out = Command::new("bash")
        .arg(repo.join("scripts/guest/run.sh"))
        .arg(k.series())
        .arg(&dir)
        .arg(BOOT_TIMEOUT_S.to_string())
        .envs(env.iter().copied())
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

/// One boot at a time (two cores; TCG is CPU-bound).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The boot of kernel `k`, running `jobs()` — once per test run; every test
/// of that kernel shares it. A failed boot fails each of them with the same
/// message.
pub fn get(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOTS: [OnceLock<Result<Boot, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let r = BOOTS[k.index()].get_or_init(|| {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        boot(k, &jobs())
    });
    match r {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

/// The SELinux guest's boot (kernel `k`, `POSTURE_GUEST_LSM=selinux`,
/// permissive), running `jobs()` once per test run, in
/// `target/guests/<series>-selinux`. Serialised with the other boots.
pub fn get_selinux(k: Kernel, jobs: fn() -> Vec<Job<'static>>) -> &'static Boot {
    static BOOT: OnceLock<Result<Boot, String>> = OnceLock::new();
    let r = BOOT.get_or_init(|| {
        let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let name = format!("{}-selinux", k.series());
        boot_in(k, &name, &[("POSTURE_GUEST_LSM", "selinux")], &jobs())
    });
    match r {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

//! `posture()` against the floor of the reads it makes.
//!
//! * `posture/live`: one `posture()` call, end to end.
//! * `posture/floor`: exactly the files, links, stats, statfs and directory
//!   listings `collect` touches for this process on this machine, done with
//!   plain `open`/`read`/`close` (absolute paths, one reused buffer) and no
//!   parsing. The list is derived once, before timing, from the library's own
//!   path helpers and parsers (which cgroup limit files, which masked paths
//!   get a `stat`), so it follows this machine's cgroup layout; it was checked
//!   against `strace` of a `posture()` call (see the comment on [`Floor`]).
//! * `probe/*`: each probe alone, its reads and its parse.
//! * `mountinfo_generated/N`: parse + analyse of generated mountinfo text of
//!   N lines (10 … 10,000).
//! * `mountinfo_real/N`: in a child in its own mount namespace (`unshare -m`)
//!   with N tmpfs mounts, one on each of N directories (stacking them on one
//!   directory makes the kernel's read quadratic): the read alone (the
//!   kernel's share) and read + parse + analyse, then an interleaved
//!   per-line overhead line. The namespace dies with the child; the
//!   directories are removed afterwards.
//!
//! After criterion, a summary interleaves floor and `posture()` rounds and
//! prints the medians and their ratio (interleaving cancels drift).

mod common;
use common::read_plain;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use posture::__private::mounts;
use posture::__private::parse::cgroup::{self, LimitFiles, LimitKind};
use posture::__private::parse::idmap;
use posture::__private::parse::lsm;
use posture::__private::parse::mountinfo::MountTable;
use posture::__private::parse::ns::{self, NsType};
use posture::__private::parse::status::Status;
use posture::__private::runtime;
use posture::__private::{RootIo, root};
use posture::Root;
use posture::report::MaskState;
use std::hint::black_box;

/// What one `posture()` call touches on the live system.
///
/// `strace -e trace=openat,readlinkat,statx,statfs,getdents64,prctl` of one
/// `posture()` call on the development machine (2026-11-28, host, hybrid
/// cgroups) listed: status, osrelease, cap_last_cap, 8 × ns readlink,
/// mountinfo, lstat of each uncovered masked path, stat of each place a
/// runtime socket may be (the fixed places and the top of each tmpfs mounted
/// outside /dev, /proc and /sys), the task listing (+ the status of every
/// other thread), uid_map, gid_map, security/lsm, selinux/enforce,
/// attr/apparmor/current, attr/current, cgroup, the memory/pids/cpu limit
/// files, run/.containerenv, environ, proc/1/environ, lstat /.dockerenv, the
/// /dev listing, lstat of the service-account token, statfs of /proc, status
/// and mountinfo, prctl(PR_GET_SECUREBITS). `POSTURE_BENCH_PRINT_FLOOR=1`
/// prints this list as `benches/floor_reader.rs` takes it.
struct Floor {
    reads: Vec<PathBuf>,
    links: Vec<PathBuf>,
    stats: Vec<PathBuf>,
    socket_stats: Vec<PathBuf>,
    statfs: Vec<PathBuf>,
    dev: PathBuf,
    tasks: PathBuf,
}

impl Floor {
    fn derive() -> Floor {
        let r = Root::live();
        let mut reads = vec![
            r.proc_self("status"),
            r.proc_sys("kernel/osrelease"),
            r.proc_sys("kernel/cap_last_cap"),
            r.proc_self("mountinfo"),
            r.proc_self("uid_map"),
            r.proc_self("gid_map"),
            r.sys("kernel/security/lsm"),
            r.sys("fs/selinux/enforce"),
            r.proc_self("attr/apparmor/current"),
        ];
        // attr/current is read only when AppArmor's own file is not readable.
        if File::open(r.proc_self("attr/apparmor/current")).is_err() {
            reads.push(r.proc_self("attr/current"));
        }
        reads.push(r.proc_self("cgroup"));
        let table = MountTable::parse(&std::fs::read_to_string(r.proc_self("mountinfo")).unwrap());
        let lines =
            cgroup::parse_proc_cgroup(&std::fs::read_to_string(r.proc_self("cgroup")).unwrap())
                .unwrap();
        // posture() reads each limit from the own cgroup up through every
        // ancestor the mount shows (the effective limit is the tightest).
        for kind in [LimitKind::Memory, LimitKind::Pids, LimitKind::Cpu] {
            let Ok(chain) = cgroup::limit_chain(&lines, &table.mounts, kind) else {
                continue;
            };
            for level in chain.levels {
                match level {
                    LimitFiles::V2(p) | LimitFiles::V1(p, None) => reads.push(r.path(&p)),
                    LimitFiles::V1(q, Some(p)) => {
                        reads.push(r.path(&q));
                        // The period is read only when the quota was.
                        if File::open(r.path(&q)).is_ok() {
                            reads.push(r.path(&p));
                        }
                    }
                }
            }
        }
        reads.push(r.path("run/.containerenv"));
        reads.push(r.proc_self("environ"));
        reads.push(r.proc_init("environ"));
        let links = NsType::ALL
            .iter()
            .map(|t| r.proc_self(&format!("ns/{}", t)))
            .collect();
        let analysed = mounts::analyse(&table, false);
        let mut stats: Vec<PathBuf> = analysed
            .masked_paths
            .iter()
            .filter(|m| m.state == MaskState::Exposed)
            .map(|m| r.path(m.path))
            .collect();
        stats.push(r.path(".dockerenv"));
        // OpenVZ's /proc/vz (and /proc/bc only where /proc/vz exists).
        stats.push(r.proc_dir().join("vz"));
        stats.push(r.path("var/run/secrets/kubernetes.io/serviceaccount/token"));
        // The places runtime sockets are looked for (a stat each, following
        // links), less the ones the mount table already shows.
        let known = analysed.runtime_sockets;
        let mut socket_stats = Vec::new();
        mounts::for_each_socket_candidate(&table.mounts, &known, |p, _| {
            socket_stats.push(r.path(p))
        });
        Floor {
            reads,
            links,
            stats,
            socket_stats,
            statfs: vec![
                r.proc_dir(),
                r.proc_self("status"),
                r.proc_self("mountinfo"),
            ],
            dev: r.dev_dir(),
            tasks: r.proc_self_tasks(),
        }
    }

    fn run(&self, buf: &mut [u8]) -> usize {
        let mut n = common::kernel_view();
        for p in &self.reads {
            n += common::read_checked(p, buf);
        }
        for p in &self.links {
            n += common::read_link_checked(p);
        }
        for p in &self.stats {
            n += std::fs::symlink_metadata(p).is_ok() as usize;
        }
        for p in &self.socket_stats {
            n += std::fs::metadata(p).is_ok() as usize;
        }
        for p in &self.statfs {
            n += nix::sys::statfs::statfs(p).is_ok() as usize;
        }
        n += std::fs::read_dir(&self.dev).map(|d| d.count()).unwrap_or(0);
        let me = std::process::id().to_string();
        if let Ok(d) = std::fs::read_dir(&self.tasks) {
            for e in d.flatten() {
                if e.file_name() != me.as_str() {
                    n += common::read_checked(e.path().join("status"), buf);
                }
            }
        }
        n += rustix::thread::capabilities_secure_bits().is_ok() as usize;
        n
    }
}

/// Generated mountinfo of `n` lines shaped like a container's: tmpfs and
/// bind mounts, some with escapes, propagation fields, masked /proc paths.
fn generated_mountinfo(n: usize) -> String {
    let mut s = String::from(
        "1000 900 0:50 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work\n",
    );
    for i in 1..n {
        let id = 1000 + i;
        let line = match i % 5 {
            0 => format!(
                "{id} 1000 254:0 /var/lib/docker/containers/c{i}/host\\040name /etc/h{i} rw,relatime - ext4 /dev/vda rw\n"
            ),
            1 => format!(
                "{id} 1000 0:{i} / /mnt/t{i} rw,nosuid,nodev,noexec,relatime shared:{i} - tmpfs tmpfs rw,size=65536k,mode=755\n"
            ),
            2 => format!(
                "{id} 1001 0:105 /sys /proc/s{i} ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
            ),
            3 => format!(
                "{id} 1002 0:106 /null /proc/k{i} rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
            ),
            _ => format!(
                "{id} 1000 0:{i} / /sys/fs/cgroup/c{i} ro,nosuid,nodev,noexec,relatime master:{i} shared:{i} - cgroup cgroup rw,memory\n"
            ),
        };
        s.push_str(&line);
    }
    s
}

fn bench_posture(c: &mut Criterion, floor: &Floor) {
    let mut g = c.benchmark_group("posture");
    let mut buf = vec![0u8; root::MOUNTINFO_LIMIT + 1];
    g.bench_function("floor", |b| b.iter(|| black_box(floor.run(&mut buf))));
    g.bench_function("live", |b| b.iter(|| black_box(posture::posture())));
    g.finish();
}

fn bench_probes(c: &mut Criterion) {
    let r = Root::live();
    let mut g = c.benchmark_group("probe");
    let status = std::fs::read(r.proc_self("status")).unwrap();
    g.bench_function("status_parse", |b| {
        b.iter(|| black_box(Status::parse_bytes(black_box(&status))))
    });
    let mut buf = Vec::with_capacity(64 * 1024);
    g.bench_function("status_read_parse", |b| {
        b.iter(|| {
            r.read_into(&r.proc_self("status"), root::STATUS_LIMIT, &mut buf)
                .unwrap();
            black_box(Status::parse_bytes(&buf))
        })
    });
    let mi = std::fs::read_to_string(r.proc_self("mountinfo")).unwrap();
    g.bench_function("mountinfo_parse_analyse", |b| {
        b.iter(|| {
            black_box(mounts::analyse_with(
                MountTable::parse(black_box(&mi)),
                false,
                |_| None,
            ))
        })
    });
    g.bench_function("mountinfo_read_parse_analyse", |b| {
        b.iter(|| {
            let mut data = Vec::new();
            let truncated = r
                .read_into(&r.proc_self("mountinfo"), root::MOUNTINFO_LIMIT, &mut data)
                .unwrap();
            let t = MountTable::parse(std::str::from_utf8(&data).unwrap());
            black_box(mounts::analyse_with(t, truncated, |_| None))
        })
    });
    g.bench_function("idmap_read_parse", |b| {
        b.iter(|| {
            let u = r
                .read_text(&r.proc_self("uid_map"), root::SMALL_FILE_LIMIT)
                .unwrap();
            let g = r
                .read_text(&r.proc_self("gid_map"), root::SMALL_FILE_LIMIT)
                .unwrap();
            black_box((idmap::parse(&u), idmap::parse(&g)))
        })
    });
    g.bench_function("lsm_read_parse", |b| {
        b.iter(|| {
            let list = r
                .read_text(&r.sys("kernel/security/lsm"), root::SMALL_FILE_LIMIT)
                .map(|t| lsm::parse_lsm_list(&t));
            let enf = r
                .read_text(&r.sys("fs/selinux/enforce"), root::SMALL_FILE_LIMIT)
                .map(|t| lsm::parse_enforce(&t));
            let label = match r.read_text(
                &r.proc_self("attr/apparmor/current"),
                root::SMALL_FILE_LIMIT,
            ) {
                Ok(t) => Ok(lsm::parse_apparmor(&t).map(lsm::LsmLabel::AppArmor)),
                Err(_) => r
                    .read_text(&r.proc_self("attr/current"), root::SMALL_FILE_LIMIT)
                    .map(|t| lsm::parse_current(&t, None)),
            };
            black_box((list.is_ok(), enf.is_ok(), label.is_ok()))
        })
    });
    g.bench_function("ns_readlink_parse", |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for ty in NsType::ALL {
                let t = r.read_link(&r.proc_self(&format!("ns/{}", ty)));
                if let Ok(t) = t {
                    sum += ns::parse_link(ty, &t).unwrap_or(0);
                }
            }
            black_box(sum)
        })
    });
    let table = MountTable::parse(&mi);
    g.bench_function("cgroups_read_parse", |b| {
        b.iter(|| {
            let text = r
                .read_text(&r.proc_self("cgroup"), root::SMALL_FILE_LIMIT)
                .unwrap();
            let lines = cgroup::parse_proc_cgroup(&text).unwrap();
            let mut n = 0;
            for kind in [LimitKind::Memory, LimitKind::Pids, LimitKind::Cpu] {
                match cgroup::limit_files(&lines, &table.mounts, kind) {
                    Ok(LimitFiles::V2(p)) | Ok(LimitFiles::V1(p, None)) => {
                        n += r
                            .read_text(&r.path(&p), root::SMALL_FILE_LIMIT)
                            .map(|t| cgroup::parse_limit(&t).is_ok())
                            .unwrap_or(false) as usize;
                    }
                    Ok(LimitFiles::V1(q, Some(p))) => {
                        let q = r.read_text(&r.path(&q), root::SMALL_FILE_LIMIT);
                        let p = r.read_text(&r.path(&p), root::SMALL_FILE_LIMIT);
                        if let (Ok(q), Ok(p)) = (q, p) {
                            n += cgroup::parse_cpu_v1(&q, &p).is_ok() as usize;
                        }
                    }
                    Err(_) => {}
                }
            }
            black_box(n)
        })
    });
    let lines = cgroup::parse_proc_cgroup(&std::fs::read_to_string(r.proc_self("cgroup")).unwrap())
        .unwrap();
    let environ = std::fs::read(r.proc_self("environ")).unwrap();
    g.bench_function("runtime_detect", |b| {
        b.iter(|| {
            black_box(runtime::detect(&runtime::Inputs {
                dockerenv: true,
                self_environ: Some(&environ),
                cgroups: Some(&lines),
                mounts: Some(&table.mounts),
                osrelease: Some("6.18.44"),
                host_namespaces: Some(true),
                ..Default::default()
            }))
        })
    });
    g.finish();
}

fn bench_generated(c: &mut Criterion) {
    let mut g = c.benchmark_group("mountinfo_generated");
    for n in [10usize, 100, 1_000, 10_000] {
        let text = generated_mountinfo(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let t = MountTable::parse(black_box(text));
                black_box(mounts::analyse_with(t, false, |_| None))
            })
        });
    }
    g.finish();
}

const CHILD_ENV: &str = "POSTURE_BENCH_MOUNTNS_CHILD";

/// Runs in the child, inside its own mount namespace.
///
/// Each tmpfs goes on its own directory (`<dir>/<i>`): mounts stacked on one
/// directory make the kernel's own mountinfo read quadratic (each line's path
/// is resolved through the stack), which would hide our per-line cost.
fn mountns_child(c: &mut Criterion, n: usize, dir: &Path) {
    for i in 0..n {
        let target = dir.join(i.to_string());
        std::fs::create_dir_all(&target).unwrap();
        nix::mount::mount(
            Some("none"),
            &target,
            Some("tmpfs"),
            nix::mount::MsFlags::empty(),
            Some("size=4k"),
        )
        .expect("mount tmpfs");
    }
    let r = Root::live();
    let path = r.proc_self("mountinfo");
    let lines = std::fs::read_to_string(&path).unwrap().lines().count();
    eprintln!("mount namespace with {lines} mountinfo lines ({n} tmpfs added)");
    let mut g = c.benchmark_group("mountinfo_real");
    g.throughput(Throughput::Elements(lines as u64));
    let mut raw = vec![0u8; root::MOUNTINFO_LIMIT + 1];
    g.bench_function(BenchmarkId::new("read_only", n), |b| {
        b.iter(|| black_box(read_plain(&path, &mut raw)))
    });
    g.bench_function(BenchmarkId::new("read_parse_analyse", n), |b| {
        b.iter(|| {
            let mut data = Vec::new();
            let truncated = r
                .read_into(&path, root::MOUNTINFO_LIMIT, &mut data)
                .unwrap();
            let t = MountTable::parse(std::str::from_utf8(&data).unwrap());
            black_box(mounts::analyse_with(t, truncated, |_| None))
        })
    });
    g.bench_function(BenchmarkId::new("posture", n), |b| {
        b.iter(|| black_box(posture::posture()))
    });
    g.finish();
    per_line_overhead(&r, &path, lines, &mut raw);
}

/// Interleaved rounds of the plain read and read + parse + analyse; prints
/// the kernel's cost per line and ours on top of it (medians).
fn per_line_overhead(r: &Root, path: &Path, lines: usize, raw: &mut [u8]) {
    let rounds = (200_000 / lines.max(1)).clamp(20, 2000);
    let (mut k, mut a) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(read_plain(path, raw));
        k.push(t.elapsed());
        let t = Instant::now();
        let mut data = Vec::new();
        let truncated = r.read_into(path, root::MOUNTINFO_LIMIT, &mut data).unwrap();
        let table = MountTable::parse(std::str::from_utf8(&data).unwrap());
        black_box(mounts::analyse_with(table, truncated, |_| None));
        a.push(t.elapsed());
    }
    k.sort();
    a.sort();
    let (km, am) = (k[k.len() / 2].as_secs_f64(), a[a.len() / 2].as_secs_f64());
    let per = |x: f64| x * 1e6 / lines as f64;
    println!(
        "mountinfo_real {lines} lines: kernel read {:.1} µs ({:.2} µs/line), read+parse+analyse {:.1} µs, overhead {:.2} µs/line ({rounds} interleaved rounds)",
        km * 1e6,
        per(km),
        am * 1e6,
        per(am - km),
    );
}

fn bench_real_mountns(args: &[String]) {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("mountinfo_real: not root, skipped");
        return;
    }
    for n in [10usize, 100, 1_000, 10_000] {
        let dir =
            std::env::temp_dir().join(format!("posture-bench-mnt-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("unshare")
            .args(["-m", "--propagation", "private", "--"])
            .arg(std::env::current_exe().unwrap())
            .args(args)
            .env(CHILD_ENV, format!("{n}:{}", dir.display()))
            .status();
        let _ = std::fs::remove_dir_all(&dir);
        match status {
            Ok(s) if s.success() => {}
            other => eprintln!("mountinfo_real/{n}: child failed: {other:?}"),
        }
    }
}

/// Floor and `posture()` in turns, two ways, with medians and their ratio:
/// one call each in turn (each evicts the other's caches), and blocks of 50
/// calls in turn (each runs warm, as in criterion's own loops, while the
/// turns still cancel drift). The README reports the larger ratio.
fn summary(floor: &Floor) {
    let mut buf = vec![0u8; root::MOUNTINFO_LIMIT + 1];
    let (mut f, mut p) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        black_box(floor.run(&mut buf));
        black_box(posture::posture());
    }
    for _ in 0..2000 {
        let t = Instant::now();
        black_box(floor.run(&mut buf));
        f.push(t.elapsed());
        let t = Instant::now();
        black_box(posture::posture());
        p.push(t.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1e6
    };
    let (fm, pm) = (median(&mut f), median(&mut p));
    println!(
        "\nsummary: floor {fm:.1} µs ({} reads, {} readlinks, {} stats, {} statfs, 2 listings), posture() {pm:.1} µs, ratio {:.2} (one call each in turn)",
        floor.reads.len(),
        floor.links.len(),
        floor.stats.len() + floor.socket_stats.len(),
        floor.statfs.len(),
        pm / fm
    );
    const BLOCK: u32 = 50;
    let (mut f, mut p) = (Vec::new(), Vec::new());
    for _ in 0..60 {
        let t = Instant::now();
        for _ in 0..BLOCK {
            black_box(floor.run(&mut buf));
        }
        f.push(t.elapsed() / BLOCK);
        let t = Instant::now();
        for _ in 0..BLOCK {
            black_box(posture::posture());
        }
        p.push(t.elapsed() / BLOCK);
    }
    let (fm, pm) = (median(&mut f), median(&mut p));
    println!(
        "summary: floor {fm:.1} µs, posture() {pm:.1} µs, ratio {:.2} (blocks of {BLOCK} calls in turn)",
        pm / fm
    );
}

impl Floor {
    /// The floor as `benches/floor_reader.rs` operations, one per line.
    fn print_ops(&self) {
        let show = |p: &PathBuf| p.display().to_string();
        for p in &self.reads {
            println!("r:{}", show(p));
        }
        for p in &self.links {
            println!("l:{}", show(p));
        }
        for p in &self.stats {
            println!("s:{}", show(p));
        }
        for p in &self.socket_stats {
            println!("S:{}", show(p));
        }
        for p in &self.statfs {
            println!("f:{}", show(p));
        }
        println!("d:{}", show(&self.dev));
        println!("t:{}", show(&self.tasks));
        println!("p:");
        println!("k:");
    }
}

fn main() {
    if std::env::var_os("POSTURE_BENCH_PRINT_FLOOR").is_some() {
        Floor::derive().print_ops();
        return;
    }
    // The posture()/floor ratio alone (the issue-16 target: at most 1.2).
    if std::env::var_os("POSTURE_BENCH_SUMMARY_ONLY").is_some() {
        summary(&Floor::derive());
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (n, dir) = spec.split_once(':').unwrap();
        mountns_child(&mut c.sample_size(10), n.parse().unwrap(), Path::new(dir));
        return;
    }
    // `cargo bench --no-run` never gets here; `cargo test --benches` passes
    // --test (run each once): keep that quick.
    let floor = Floor::derive();
    bench_posture(&mut c, &floor);
    bench_probes(&mut c);
    bench_generated(&mut c);
    c.final_summary();
    // `--test` (cargo test --benches) and `--profile-time` run benches only.
    let quick = args.iter().any(|a| a == "--test" || a == "--profile-time");
    if !quick && std::env::var_os("POSTURE_BENCH_NO_MOUNTNS").is_none() {
        bench_real_mountns(&args);
    }
    if !quick {
        summary(&floor);
    }
}

#!/usr/bin/env bash
# .ci/setup-runtimes.sh — install and configure the container runtimes that
# posture's fixture capture and integration tests use, on Debian bookworm,
# as root.  Idempotent: running it again changes nothing that is already in
# place (packages, config files, running dockerd, imported base image).
#
# What it does:
#   1. apt-get install podman runc docker.io busybox-static libcap2-bin
#      util-linux uidmap slirp4netns fuse-overlayfs prometheus (promtool)
#      hyperfine, strace, python3-yaml, libxml2-utils (xmllint) and
#      python3-junitparser (the JUnit output's readers in tests/junit.rs),
#      docker-compose (1.29, Debian's Python Compose: tests/compose_play.rs
#      runs Compose files against dockerd with it)
#      (+ the helpers podman needs).
#   2. Writes /etc/containers/containers.conf (runtime runc, cgroupfs,
#      file events/k8s-file logs, default ulimits below the host's hard
#      limits) and /etc/containers/storage.conf (overlay if the kernel can,
#      else vfs; 65536 ids per --userns=auto container), and appends a
#      subordinate range for the user "containers" to /etc/subuid and
#      /etc/subgid if it has none (--userns=auto: kube play's hostUsers:
#      false).
#   3. Starts dockerd in the background if it is not answering
#      (--iptables=false --bridge=none --default-ulimit ...), logs to
#      $POSTURE_DOCKERD_LOG, waits (bounded) for `docker info`.
#   4. Builds a minimal busybox-static rootfs (+ capsh and its libs) and
#      imports it as localhost/posture-base:latest into podman and docker
#      (docker also gets the short tag posture-base:latest), unless an image
#      with the current content label is already there.
#
# Environment knobs:
#   POSTURE_SKIP_APT=1        skip apt-get (packages already installed)
#   POSTURE_DOCKERD_LOG=path  dockerd log file (default /var/log/posture-dockerd.log)
#   POSTURE_DOCKERD_WAIT=sec  how long to wait for dockerd (default 60)
#   POSTURE_NO_DOCKER=1       skip dockerd and the docker image
#
# Notes for this kind of host (hybrid cgroup v1 + v2 at /sys/fs/cgroup/unified,
# no CAP_SYS_RESOURCE, no reachable registry):
#   * crun refuses the hybrid layout, so podman is pinned to runc.
#   * Without CAP_SYS_RESOURCE the runtime cannot raise RLIMIT_NOFILE /
#     RLIMIT_NPROC above the host's hard limits, so defaults are set lower.
#   * dockerd cannot program iptables / create docker0 here, so it runs with
#     --iptables=false --bridge=none; docker containers use --network=none
#     or --network=host.
#   * `docker run --privileged` fails on this host; podman's works.
set -euo pipefail

BASE_IMAGE="localhost/posture-base:latest"
BASE_IMAGE_SHORT="posture-base:latest"
# Bump when the rootfs content below changes: images with another label are
# rebuilt and re-imported.
BASE_IMAGE_VERSION="1"
DOCKER="${DOCKER:-/usr/bin/docker}"
DOCKERD_LOG="${POSTURE_DOCKERD_LOG:-/var/log/posture-dockerd.log}"
DOCKERD_WAIT="${POSTURE_DOCKERD_WAIT:-60}"
NOFILE_ULIMIT="nofile=10000:10000"
NPROC_ULIMIT="nproc=1000:1000"

log()  { printf '[setup-runtimes] %s\n' "$*" >&2; }
die()  { printf '[setup-runtimes] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[setup-runtimes] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' EXIT

[ "$(id -u)" = 0 ] || die "must run as root (uses apt-get, dockerd, /etc/containers)"
[ -r /etc/os-release ] && . /etc/os-release
if [ "${ID:-}" != debian ]; then
  log "warning: written for Debian bookworm, this is ${PRETTY_NAME:-unknown}; continuing"
fi

# ---------------------------------------------------------------- 1. packages
PACKAGES=(
  podman runc conmon uidmap slirp4netns fuse-overlayfs
  containernetworking-plugins catatonit
  docker.io containerd
  busybox-static libcap2-bin util-linux coreutils iproute2 procps
  prometheus hyperfine strace
  ca-certificates python3 python3-yaml
  libxml2-utils python3-junitparser
  gcc libc6-dev
  docker-compose
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != installed ]; then
      printf '%s\n' "$p"
    fi
  done
}

if [ "${POSTURE_SKIP_APT:-0}" != 1 ]; then
  mapfile -t MISSING < <(missing_packages)
  if [ "${#MISSING[@]}" -gt 0 ]; then
    log "installing: ${MISSING[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d 101: keep package postinsts from starting services (there
    # may be no init system; we start dockerd ourselves below).  Only add it
    # if nobody else put one there, and remove it again afterwards.
    PRC_ADDED=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      PRC_ADDED=1
    fi
    apt_ok=1
    apt-get update -q || apt_ok=0
    if [ $apt_ok = 1 ]; then
      apt-get install -y -q --no-install-recommends "${MISSING[@]}" || apt_ok=0
    fi
    [ $PRC_ADDED = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ $apt_ok = 1 ] || die "apt-get failed installing: ${MISSING[*]}"
    mapfile -t STILL < <(missing_packages)
    [ "${#STILL[@]}" -eq 0 ] || die "packages still missing after apt-get: ${STILL[*]}"
  else
    log "packages: all present"
  fi
fi

for bin in podman runc conmon busybox capsh "$DOCKER" dockerd promtool hyperfine xmllint; do
  command -v "$bin" >/dev/null 2>&1 || die "required binary not found after install: $bin"
done
[ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"
# busybox-static must be static: it is copied alone into the image.
if ldd /bin/busybox >/dev/null 2>&1; then
  die "/bin/busybox is dynamically linked; need the busybox-static package"
fi

# ------------------------------------------------------ 2. podman configuration
mkdir -p /etc/containers

# Storage driver: native kernel overlay needs overlayfs in the kernel and a
# graphroot that is not itself overlay/tmpfs-on-overlay.  Otherwise use vfs.
GRAPHROOT=/var/lib/containers/storage
mkdir -p "$GRAPHROOT"
choose_driver() {
  local fstype
  fstype="$(stat -f -c %T "$GRAPHROOT" 2>/dev/null || echo unknown)"
  if ! grep -qw overlay /proc/filesystems; then
    modprobe overlay >/dev/null 2>&1 || true
  fi
  if grep -qw overlay /proc/filesystems && [ "$fstype" != overlayfs ] && [ "$fstype" != unknown ]; then
    # Prove it: mount a tiny overlay.
    local t; t="$(mktemp -d)"
    mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
    if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
      umount "$t/m"; rm -rf "$t"; echo overlay; return
    fi
    rm -rf "$t"
  fi
  echo vfs
}
# If podman storage already exists, keep the driver it was created with
# (switching drivers would need `podman system reset`).
EXISTING_DRIVER=""
if [ -f "$GRAPHROOT/storage.lock" ] || [ -d "$GRAPHROOT/overlay" ] || [ -d "$GRAPHROOT/vfs" ]; then
  if [ -d "$GRAPHROOT/overlay-images" ] && [ -n "$(ls -A "$GRAPHROOT/overlay-images" 2>/dev/null | grep -v '\.lock$' || true)" ]; then
    EXISTING_DRIVER=overlay
  elif [ -d "$GRAPHROOT/vfs-images" ] && [ -n "$(ls -A "$GRAPHROOT/vfs-images" 2>/dev/null | grep -v '\.lock$' || true)" ]; then
    EXISTING_DRIVER=vfs
  fi
fi
STORAGE_DRIVER="${EXISTING_DRIVER:-$(choose_driver)}"
log "podman storage driver: $STORAGE_DRIVER${EXISTING_DRIVER:+ (kept from existing storage)}"

write_if_changed() { # path, content on stdin
  local path="$1" tmp
  tmp="$(mktemp)"
  cat > "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
    log "unchanged: $path"
  else
    if [ -f "$path" ] && ! grep -q 'written by posture .ci/setup-runtimes.sh' "$path"; then
      cp -p "$path" "$path.pre-posture"
      log "saved previous $path as $path.pre-posture"
    fi
    install -m 0644 "$tmp" "$path"
    rm -f "$tmp"
    log "wrote: $path"
  fi
}

write_if_changed /etc/containers/storage.conf <<EOF
# written by posture .ci/setup-runtimes.sh
[storage]
driver = "$STORAGE_DRIVER"
runroot = "/run/containers/storage"
graphroot = "$GRAPHROOT"

[storage.options]
# A pod with hostUsers: false (podman kube play: --userns=auto) gets 65536
# ids, as a Kubernetes node gives one, not the 1024 default that leaves a
# runAsUser such as 65532 unmapped ("doesn't map UID 65532").
auto-userns-min-size = 65536
EOF

# Subordinate ids for --userns=auto (hostUsers: false): podman takes each
# such container's range from the user "containers" in /etc/subuid and
# /etc/subgid (podman-run(1), --userns=auto, whose example range this is).
# Appended only if that user has no range yet; nothing else is touched.
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if grep -q '^containers:' "$f"; then
    log "unchanged: $f (containers: $(grep '^containers:' "$f" | head -n1 | cut -d: -f2-))"
  else
    # A last line without its newline would swallow the range.
    [ -z "$(tail -c1 "$f")" ] || printf '\n' >> "$f"
    printf 'containers:2147483647:2147483648\n' >> "$f"
    log "appended to $f: containers:2147483647:2147483648"
  fi
done

write_if_changed /etc/containers/containers.conf <<EOF
# written by posture .ci/setup-runtimes.sh
# crun refuses this host's hybrid cgroup layout -> runc.  No systemd as
# init -> cgroupfs manager, file event log, k8s-file container logs.
# The host lacks CAP_SYS_RESOURCE -> default ulimits below its hard limits.
[containers]
default_ulimits = [
  "$NOFILE_ULIMIT",
  "$NPROC_ULIMIT",
]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "cni"
EOF

# short-name resolution: never try a registry (none is reachable).
write_if_changed /etc/containers/registries.conf.d/50-posture.conf <<'EOF'
# written by posture .ci/setup-runtimes.sh
short-name-mode = "disabled"
EOF

podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' >/dev/null 2>&1 \
  || { podman info >&2 || true; die "podman info fails with this configuration"; }
PODMAN_RT="$(podman info --format '{{.Host.OCIRuntime.Name}}')"
[ "$PODMAN_RT" = runc ] || die "podman OCI runtime is '$PODMAN_RT', expected runc"
log "podman: $(podman --version), runtime $PODMAN_RT, driver $(podman info --format '{{.Store.GraphDriverName}}')"

# ----------------------------------------------------------------- 3. dockerd
docker_ok() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

if [ "${POSTURE_NO_DOCKER:-0}" != 1 ]; then
  if docker_ok; then
    log "dockerd: already answering"
  else
    if [ -s /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
      log "dockerd pid $(cat /var/run/docker.pid) exists but does not answer yet; waiting"
    else
      rm -f /var/run/docker.pid
      mkdir -p "$(dirname "$DOCKERD_LOG")"
      log "starting dockerd (log: $DOCKERD_LOG)"
      # setsid + nohup: survives this script and the shell that ran it.
      setsid nohup dockerd \
        --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
        --default-ulimit "$NOFILE_ULIMIT" --default-ulimit "$NPROC_ULIMIT" \
        >>"$DOCKERD_LOG" 2>&1 < /dev/null &
      disown || true
    fi
    deadline=$(( $(date +%s) + DOCKERD_WAIT ))
    until docker_ok; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        tail -n 30 "$DOCKERD_LOG" >&2 2>/dev/null || true
        die "dockerd did not answer 'docker info' within ${DOCKERD_WAIT}s (log: $DOCKERD_LOG)"
      fi
      sleep 1
    done
    log "dockerd: answering"
  fi
  log "docker: client $("$DOCKER" version --format '{{.Client.Version}}') server $("$DOCKER" version --format '{{.Server.Version}}')"
fi

# ------------------------------------------------------------- 4. base image
podman_image_version() {
  podman image inspect --format '{{index .Labels "posture.base.version"}}' "$BASE_IMAGE" 2>/dev/null || true
}
docker_image_version() {
  "$DOCKER" image inspect --format '{{index .Config.Labels "posture.base.version"}}' "$1" 2>/dev/null || true
}

need_podman=0; need_docker=0
[ "$(podman_image_version)" = "$BASE_IMAGE_VERSION" ] || need_podman=1
if [ "${POSTURE_NO_DOCKER:-0}" != 1 ]; then
  [ "$(docker_image_version "$BASE_IMAGE")" = "$BASE_IMAGE_VERSION" ] || need_docker=1
  [ "$(docker_image_version "$BASE_IMAGE_SHORT")" = "$BASE_IMAGE_VERSION" ] || need_docker=1
fi

if [ $need_podman = 1 ] || [ $need_docker = 1 ]; then
  WORK="$(mktemp -d /tmp/posture-rootfs.XXXXXX)"
  ROOTFS="$WORK/rootfs"
  mkdir -p "$ROOTFS"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,var/run,root,home}
  chmod 1777 "$ROOTFS/tmp"
  cp /bin/busybox "$ROOTFS/bin/busybox"
  # one symlink per applet, placed where busybox says (bin/, sbin/, usr/...)
  while read -r applet; do
    [ -n "$applet" ] || continue
    dest="$ROOTFS/$applet"
    mkdir -p "$(dirname "$dest")"
    [ -e "$dest" ] || ln -s /bin/busybox "$dest"
  done < <(/bin/busybox --list-full)
  # capsh (dynamically linked) plus the libraries ldd names.
  cp /usr/sbin/capsh "$ROOTFS/usr/sbin/capsh"
  rm -f "$ROOTFS/sbin/capsh"
  while read -r lib; do
    [ -f "$lib" ] || continue
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done < <(ldd /usr/sbin/capsh | grep -oE '/[^ ]+' | sort -u)
  # /lib64 on Debian is a real dir holding the loader; keep path identical.
  chroot "$ROOTFS" /usr/sbin/capsh --print >/dev/null 2>&1 \
    || die "capsh does not run inside the built rootfs"
  cat > "$ROOTFS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat > "$ROOTFS/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
  mkdir -p "$ROOTFS/home/user" && chown 1000:1000 "$ROOTFS/home/user"
  : > "$ROOTFS/etc/hostname"; : > "$ROOTFS/etc/hosts"; : > "$ROOTFS/etc/resolv.conf"
  TARBALL="$WORK/rootfs.tar"
  tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL" .
  CHANGES=(
    --change 'CMD ["/bin/sh"]'
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin'
    --change "LABEL posture.base.version=$BASE_IMAGE_VERSION"
  )
  if [ $need_podman = 1 ]; then
    log "importing $BASE_IMAGE into podman"
    podman import -q "${CHANGES[@]}" "$TARBALL" "$BASE_IMAGE" >/dev/null \
      || die "podman import failed"
    [ "$(podman_image_version)" = "$BASE_IMAGE_VERSION" ] || die "podman image label check failed"
  fi
  if [ $need_docker = 1 ]; then
    log "importing $BASE_IMAGE into docker"
    "$DOCKER" import "${CHANGES[@]}" "$TARBALL" "$BASE_IMAGE" >/dev/null \
      || die "docker import failed"
    "$DOCKER" tag "$BASE_IMAGE" "$BASE_IMAGE_SHORT" || die "docker tag failed"
    [ "$(docker_image_version "$BASE_IMAGE_SHORT")" = "$BASE_IMAGE_VERSION" ] || die "docker image label check failed"
  fi
  rm -rf "$WORK"
else
  log "base image: $BASE_IMAGE (version $BASE_IMAGE_VERSION) already imported"
fi

# ------------------------------------------------------------- 5. smoke test
out="$(podman run --rm --network=none "$BASE_IMAGE" /bin/busybox echo podman-ok 2>&1)" \
  || die "podman smoke test failed: $out"
[ "$out" = podman-ok ] || die "podman smoke test printed: $out"
if [ "${POSTURE_NO_DOCKER:-0}" != 1 ]; then
  out="$("$DOCKER" run --rm --network=none "$BASE_IMAGE" /bin/busybox echo docker-ok 2>&1)" \
    || die "docker smoke test failed: $out"
  [ "$out" = docker-ok ] || die "docker smoke test printed: $out"
fi
log "ok: podman$( [ "${POSTURE_NO_DOCKER:-0}" = 1 ] || echo ' and docker') ready, image $BASE_IMAGE"

#!/usr/bin/env bash
# .ci/setup-guests.sh — prepare the real-kernel guest matrix (tests/guests.rs,
# feature guest-tests), on Debian bookworm, as root.  Idempotent and cached:
# a second run downloads and builds nothing.
#
# What it does:
#   1. apt-get install qemu-system-x86 seabios (its BIOS), apparmor (podman
#      loads its default profile in the guest with apparmor_parser),
#      busybox-static (the initramfs), xz-utils, python3 (in-guest helpers),
#      unless they are installed.
#   2. For each kernel series (6.1 and 6.12, Debian 12's own generic kernels,
#      and 5.10, Debian 11's): apt-get download
#      linux-image-<version>-amd64-unsigned and dpkg -x it under
#      $CACHE/<series>/.  The versions of issue 10 are preferred (6.1.0-50,
#      6.12.107+deb12); when the archive no longer carries one
#      (bookworm-security keeps only recent 6.12 builds), or none is named
#      (5.10), the newest of the series in the apt index is taken, and the
#      choice is logged.  5.10 comes from bullseye and bullseye-security
#      through a PRIVATE apt configuration under $CACHE/apt-bullseye/ (its
#      own sources.list, lists and cache, signed by debian-archive-keyring);
#      the system's apt sources are never touched.  depmod then writes each
#      kernel's modules.dep into its tree, which the guest sees at
#      /lib/modules/<release> so the kernel can autoload modules (bridge,
#      veth, nf_tables ...) with the host's modprobe.
#   3. Builds $CACHE/<series>/initrd.img: busybox-static, the 9p/virtio/
#      overlay/virtio_net modules with their dependencies (read from each
#      module's modinfo, .ko.xz decompressed; 5.10 ships plain .ko and has
#      no netfs or virtio_pci_*_dev modules, which the walk follows from
#      modinfo alone) in load order, and scripts/guest/init as /init.
#
#   4. The SELinux guest (scripts/guest/run.sh with POSTURE_GUEST_LSM=selinux):
#      apt-get install selinux-policy-default policycoreutils selinux-utils
#      setools (Debian's reference policy, load_policy/setenforce, seinfo),
#      then builds $CACHE/selinux/etc/selinux: a copy of that policy with
#      scripts/guest/container-selinux.cil added (semodule on a copy of the
#      store under $CACHE/selinux, so the host's own store stays as Debian
#      installed it).  Installing these on the host does not enable SELinux
#      on the host's kernel (no selinuxfs, no policy loaded); host podman
#      keeps working, which this script checks when podman and the test
#      image are present.
#
# Result, per series: $CACHE/<series>/{vmlinuz,initrd.img,release,package},
# read by scripts/guest/run.sh.
#
# Environment:
#   POSTURE_GUEST_CACHE   cache directory (default /var/cache/posture-guests)
#   POSTURE_SKIP_APT=1    do not apt-get install (packages already present)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="${POSTURE_GUEST_CACHE:-/var/cache/posture-guests}"
INIT="$REPO/scripts/guest/init"
# Bump when the initramfs layout or scripts/guest/init's contract changes.
INITRD_VERSION=2

# series -> preferred package
declare -A PREFERRED=(
  [6.1]="linux-image-6.1.0-50-amd64-unsigned"
  [6.12]="linux-image-6.12.107+deb12-amd64-unsigned"
)
# series -> regexp of the package names of that series (generic flavour only)
declare -A PATTERN=(
  [6.1]='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
  [6.12]='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$'
  [5.10]='^linux-image-5\.10\.0-[0-9]+-amd64-unsigned$'
)
# series -> the Debian suite it comes from when not this machine's own
# (bookworm): fetched through the private apt configuration below.
declare -A SUITE=(
  [5.10]=bullseye
)
SERIES=(6.1 6.12 5.10)
# Modules the initramfs loads (their dependencies are added): the 9p
# transport over virtio-pci, overlay for podman's storage driver, and
# virtio_net for the guest's NIC (QEMU's -nic user,model=virtio-net-pci).
MODULES=(virtio_pci 9pnet_virtio 9p overlay virtio_net)

log() { printf '[setup-guests] %s\n' "$*" >&2; }
die() { printf '[setup-guests] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[setup-guests] ERROR: failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' EXIT

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, $CACHE)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported"
[ -r "$INIT" ] || die "missing $INIT"

# ------------------------------------------------------------- 1. packages
# ensure_pkgs PKG...: apt-get installs those not installed (refused under
# POSTURE_SKIP_APT=1).
ensure_pkgs() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "packages: all present ($*)"
    return
  fi
  [ "${POSTURE_SKIP_APT:-0}" != 1 ] || die "POSTURE_SKIP_APT=1 but missing: ${missing[*]}"
  log "apt-get install ${missing[*]}"
  timeout 600 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
ensure_pkgs qemu-system-x86 seabios apparmor busybox-static xz-utils python3 cpio util-linux kmod
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found after install"
[ -r /usr/share/seabios/bios-256k.bin ] || die "seabios BIOS missing"
[ -x /sbin/apparmor_parser ] || die "/sbin/apparmor_parser missing"

# SELinux guest packages (step 4): a block of its own.
ensure_pkgs selinux-policy-default policycoreutils selinux-utils setools
[ -x /usr/sbin/load_policy ] || die "/usr/sbin/load_policy missing (policycoreutils)"
[ -r /etc/selinux/default/policy/policy.33 ] || ls /etc/selinux/default/policy/policy.* >/dev/null 2>&1 \
  || die "Debian's reference policy is missing (selinux-policy-default)"

apt_updated=0
apt_index() {
  if [ $apt_updated = 0 ] && [ "${POSTURE_SKIP_APT:-0}" != 1 ]; then
    timeout 600 apt-get update -qq; apt_updated=1
  fi
}

# A private apt configuration for another suite (bullseye for 5.10): its own
# sources.list, lists and cache under $CACHE/apt-<suite>/, so the system's
# sources and index stay as they are.  Sets APT_OPTS (empty for this
# machine's own suite).
APT_OPTS=()
declare -A suite_updated=()
apt_for() { # <series>
  local suite="${SUITE[$1]:-}" a key=/usr/share/keyrings/debian-archive-keyring.gpg
  APT_OPTS=()
  if [ -z "$suite" ]; then apt_index; return 0; fi
  a="$CACHE/apt-$suite"
  mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
  [ -r "$key" ] || die "$key missing (package debian-archive-keyring)"
  printf 'deb [signed-by=%s] http://deb.debian.org/%s %s main\n' \
    "$key" debian "$suite" "$key" debian-security "$suite-security" > "$a/sources.list"
  APT_OPTS=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache")
  if [ -z "${suite_updated[$suite]:-}" ]; then
    log "$1: apt-get update of $suite and $suite-security (private: $a)"
    timeout 600 apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update ($suite) failed"
    suite_updated[$suite]=1
  fi
}

# ----------------------------------------------------- 2. kernels, 3. initrd
modinfo_field() { # <module file (uncompressed)> <field>
  tr '\0' '\n' < "$1" | sed -n "s/^$2=//p" | head -n1
}

build_initrd() { # <series dir> <release>
  local dir=$1 rel=$2 mods="$1/root/lib/modules/$2" work
  work="$(mktemp -d /tmp/posture-initrd.XXXXXX)"
  # index: module name (as in depends=, '-' and '_' equal) -> file
  declare -A file_of=()
  local f n
  while IFS= read -r f; do
    n="$(basename "$f")"; n="${n%.xz}"; n="${n%.ko}"; n="${n//-/_}"
    file_of[$n]="$f"
  done < <(find "$mods/kernel" -name '*.ko' -o -name '*.ko.xz')
  mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}
  declare -A done_=()
  local order=()
  add() { # depth-first: dependencies first
    local m="${1//-/_}" src tmp dep
    [ -z "${done_[$m]:-}" ] || return 0
    src="${file_of[$m]:-}"
    if [ -z "$src" ]; then
      # built in: nothing to load
      grep -qE "/${m//_/[-_]}\.ko$" "$mods/modules.builtin" 2>/dev/null \
        || die "$rel: module $m is neither a module file nor built in"
      done_[$m]=builtin; return 0
    fi
    tmp="$work/lib/modules/$m.ko"
    case "$src" in *.xz) xz -dc "$src" > "$tmp" ;; *) cp "$src" "$tmp" ;; esac
    done_[$m]=1
    for dep in $(modinfo_field "$tmp" depends | tr ',' ' '); do add "$dep"; done
    order+=("$m")
  }
  for n in "${MODULES[@]}"; do add "$n"; done
  printf '%s\n' "${order[@]}" > "$work/modules.order"
  cp /bin/busybox "$work/bin/busybox"
  ln -s busybox "$work/bin/sh"
  install -m 0755 "$INIT" "$work/init"
  echo "$rel" > "$work/release"
  (cd "$work" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$dir/initrd.img.new"
  mv "$dir/initrd.img.new" "$dir/initrd.img"
  log "$rel: initrd with modules: ${order[*]}"
  rm -rf "$work"
}

for s in "${SERIES[@]}"; do
  dir="$CACHE/$s"
  mkdir -p "$dir"
  pkg=""
  if [ -s "$dir/package" ] && [ -r "$dir/vmlinuz" ] && [ -d "$dir/root/lib/modules" ]; then
    pkg="$(cat "$dir/package")"
    log "$s: cached $pkg"
  else
    apt_for "$s"
    if [ -n "${PREFERRED[$s]:-}" ] && apt-cache "${APT_OPTS[@]}" show "${PREFERRED[$s]}" >/dev/null 2>&1; then
      pkg="${PREFERRED[$s]}"
    else
      pkg="$(apt-cache "${APT_OPTS[@]}" pkgnames linux-image- | grep -E "${PATTERN[$s]}" | sort -V | tail -n1)"
      [ -n "$pkg" ] || die "$s: no package matching ${PATTERN[$s]} in the apt index"
      log "$s: ${PREFERRED[$s]:+${PREFERRED[$s]} is not in the archive; }using the newest in the index, $pkg"
    fi
    rm -rf "$dir/root" "$dir/dl"; mkdir -p "$dir/dl"
    log "$s: apt-get download $pkg"
    (cd "$dir/dl" && timeout 900 apt-get "${APT_OPTS[@]}" download -q "$pkg" >&2) || die "$s: apt-get download $pkg failed"
    deb="$(ls "$dir"/dl/*.deb)"
    dpkg -x "$deb" "$dir/root"
    rm -rf "$dir/dl"
    vmlinuz="$(ls "$dir"/root/boot/vmlinuz-*)"
    cp "$vmlinuz" "$dir/vmlinuz"
    echo "$pkg" > "$dir/package"
    rm -f "$dir/initrd.img" "$dir/initrd.version"
  fi
  rel="$(basename "$(ls -d "$dir"/root/lib/modules/*)")"
  echo "$rel" > "$dir/release"
  # The package leaves modules.dep to its postinst: write it (and the alias
  # maps the kernel's autoloading asks modprobe about) into the cached tree.
  if [ ! -s "$dir/root/lib/modules/$rel/modules.dep" ]; then
    depmod -b "$dir/root" "$rel" || die "$s: depmod $rel failed"
    log "$s: depmod $rel"
  fi
  want="$INITRD_VERSION $(sha256sum "$INIT" | cut -d' ' -f1)"
  if [ -r "$dir/initrd.img" ] && [ "$(cat "$dir/initrd.version" 2>/dev/null)" = "$want" ]; then
    log "$s: initrd up to date ($rel)"
  else
    build_initrd "$dir" "$rel"
    echo "$want" > "$dir/initrd.version"
  fi
done

# ------------------------------------------- 4. the SELinux guest's policy
# $CACHE/selinux/etc/selinux: Debian's policy plus container-selinux.cil,
# built by semodule on a copy of the host's store (-p: alternate root), so
# nothing under the host's /etc/selinux or /var/lib/selinux changes.
# scripts/guest/init binds it over the guest's /etc/selinux.
build_selinux() {
  local dir="$CACHE/selinux" cil="$REPO/scripts/guest/container-selinux.cil" want
  want="$(sha256sum "$cil" | cut -d' ' -f1) $(dpkg-query -W -f='${Version}' selinux-policy-default)"
  if [ "$(cat "$dir/version" 2>/dev/null)" = "$want" ] && [ -d "$dir/etc/selinux/default/policy" ]; then
    log "selinux: policy up to date"
    return 0
  fi
  rm -rf "$dir"; mkdir -p "$dir/etc" "$dir/var/lib"
  cp -a /etc/selinux "$dir/etc/"
  cp -a /var/lib/selinux "$dir/var/lib/"
  semodule -p "$dir" -s default -n -i "$cil" 2>&1 | grep -v 'user sddm not in password file' >&2 || true
  seinfo "$(ls "$dir"/etc/selinux/default/policy/policy.* | head -n1)" -t container_t >/dev/null 2>&1 \
    || die "selinux: container_t missing from the built policy"
  echo "$want" > "$dir/version"
  log "selinux: policy built with container-selinux.cil"
}
build_selinux
if command -v podman >/dev/null && podman image exists localhost/posture-test:latest 2>/dev/null; then
  podman run --rm --runtime runc --network=none localhost/posture-test:latest true \
    || die "host podman no longer runs containers after the SELinux packages"
  log "host podman (runc) still runs containers"
fi

# Scratch space the guest job shares with the host lives under $CACHE/jobs
# (tests/guests.rs creates one directory per boot there).
mkdir -p "$CACHE/jobs"
log "ready: $(for s in "${SERIES[@]}"; do printf '%s=%s ' "$s" "$(cat "$CACHE/$s/release")"; done)"

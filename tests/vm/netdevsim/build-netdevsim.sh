#!/usr/bin/env bash
# Builds netdevsim.ko for the VM tier's guest kernel and prints its path on stdout (all else goes to stderr).
#
#   build-netdevsim.sh [KERNEL_VERSION]
#
# Debian's stock kernel does not build netdevsim (CONFIG_NETDEVSIM is not set), so it is built out of tree:
# only drivers/net/netdevsim is extracted from Debian's kernel source tarball (/usr/src/linux-source-<series>.tar.xz,
# package linux-source) and built against the headers of that exact kernel (/lib/modules/<version>/build, package
# linux-headers-<version>). KERNEL_VERSION defaults to the kernel tests/vm boots: the newest /boot/vmlinuz-* whose
# modules are installed (Cdd.Vm.GuestKernel.Find).
#
# The module is cached in $CDD_VM_CACHE/netdevsim/<version>/ (default /var/cache/cdd-vm) with a stamp naming the
# source and headers package versions and this script's hash; a build happens only when one of them changes.
# Concurrent callers serialise on a lock in the cache folder.
set -euo pipefail

die() { echo "build-netdevsim: $*" >&2; exit 1; }

ver=${1:-}
if [ -z "$ver" ]; then
  for image in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -r); do
    v=${image#/boot/vmlinuz-}
    if [ -d "/lib/modules/$v/kernel" ]; then ver=$v; break; fi
  done
  [ -n "$ver" ] || die "no guest kernel: no /boot/vmlinuz-* with modules under /lib/modules; apt-get install --no-install-recommends linux-image-amd64 (./build.sh does)"
fi

for tool in make gcc tar xz modinfo flock sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing (packages make gcc tar xz-utils kmod util-linux coreutils; ./build.sh installs them)"
done

headers=/lib/modules/$ver/build
[ -f "$headers/Makefile" ] ||
  die "no kernel headers for the guest kernel $ver ($headers/Makefile is missing): apt-get install --no-install-recommends linux-headers-$ver (linux-headers-amd64 from ./build.sh matches linux-image-amd64 when both come from the same apt run)"

# 6.1.0-56-amd64 -> 6.1: Debian ships one source tarball per series.
series=$(echo "$ver" | cut -d. -f1-2)
tarball=/usr/src/linux-source-$series.tar.xz
[ -f "$tarball" ] || die "no kernel source for series $series ($tarball is missing): apt-get install --no-install-recommends linux-source-$series (./build.sh installs linux-source)"

pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }
src_version=$(pkg_version "linux-source-$series")
hdr_version=$(pkg_version "$(dpkg -S "$headers" 2>/dev/null | cut -d: -f1 | head -n1)")
if [ "$src_version" != "$hdr_version" ]; then
  echo "build-netdevsim: note: linux-source-$series $src_version and the headers of $ver ($hdr_version) differ; building anyway" >&2
fi
stamp="source=$src_version headers=$hdr_version script=$(sha256sum "$0" | cut -d' ' -f1)"

cache=${CDD_VM_CACHE:-/var/cache/cdd-vm}/netdevsim/$ver
ko=$cache/netdevsim.ko
mkdir -p "$cache" || die "cannot create the cache folder $cache (run as root, or set CDD_VM_CACHE)"

exec 9>"$cache/.lock"
flock 9

if [ -f "$ko" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$ko"
  exit 0
fi

work=$(mktemp -d /tmp/cdd-netdevsim-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "build-netdevsim: building netdevsim.ko for $ver from $tarball ($src_version)" >&2
start=$(date +%s)
# xz has no index to seek by: the whole tarball is decompressed, but only the driver's folder is written.
tar -xJf "$tarball" -C "$work" --wildcards "linux-source-$series/drivers/net/netdevsim/*" ||
  die "could not extract drivers/net/netdevsim from $tarball"
dir=$work/linux-source-$series/drivers/net/netdevsim
if ! make -C "$headers" M="$dir" CONFIG_NETDEVSIM=m -j"$(nproc)" modules > "$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  die "make against $headers failed (log above)"
fi
magic=$(modinfo -F vermagic "$dir/netdevsim.ko" | cut -d' ' -f1)
[ "$magic" = "$ver" ] || die "built module has vermagic $magic, not $ver"

cp "$dir/netdevsim.ko" "$cache/netdevsim.ko.tmp"
mv "$cache/netdevsim.ko.tmp" "$ko"
echo "$stamp" > "$cache/stamp.tmp"
mv "$cache/stamp.tmp" "$cache/stamp"
echo "build-netdevsim: built $ko in $(( $(date +%s) - start )) s" >&2
echo "$ko"

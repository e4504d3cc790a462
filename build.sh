#!/usr/bin/env bash
# One entry point: ./build.sh            restore, build, publish the binaries into out/, run the demo's quick path
#                  ./build.sh test       every test tier (fails when root, QEMU or the MySQL root is missing),
#                                        ending with "N passed, N failed, N skipped"
#                  ./build.sh test TIER  one tier: unit (any user), root, vm, mgr
#                  ./build.sh bench      benchmark tables (cdd-cni beside the reference plugins)
#                  ./build.sh demo       the end-to-end demo on this machine
#                  ./build.sh mgr-root   make (once per machine) the sid MySQL root and template datadir the mgr tier runs from
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages, per purpose; each is installed only when missing, and only for what is run.
# ./build.sh alone (build, publish, the demo's quick path) pulls no QEMU, kernel sources or database server.
BUILD_PACKAGES=(
  gcc libc6-dev             # native AOT links with the system toolchain
  iproute2 util-linux       # the demo makes namespaces with ip and enters them with nsenter
  containernetworking-plugins  # the demo's IPAM is Debian's host-local
)
DEMO_PACKAGES=(iputils-ping)  # the full demo pings between pods
# Per test tier (tests/Cdd.Testing/Tiers/Tier.cs).
UNIT_PACKAGES=(
  gcc libc6-dev             # struct layout tests compile C sizeof/offsetof probes
  containernetworking-plugins  # delegation tests exec Debian's host-local (files only, no root)
  busybox-static            # the initramfs writer's test unpacks with busybox cpio
)
ROOT_PACKAGES=(
  iproute2 util-linux       # tests check the kernel's state with ip/bridge and enter namespaces with nsenter
  iputils-ping              # pings between pods
  containernetworking-plugins  # reference plugins as peers: host-local, static, tuning, macvlan
  podman runc busybox-static   # the real-runtime tests
  e2fsprogs xfsprogs        # filesystems on loop devices
  mariadb-server            # failure-mode tests of the watcher/promoter (hung server, refusals, rows MGR gives only transiently) inject rows into a private mariadbd; MGR behaviour is the mgr tier's
)
VM_PACKAGES=(
  qemu-system-x86 linux-image-amd64 busybox-static   # Debian's stock kernel under TCG, a busybox initramfs (tests/vm)
  lvm2 thin-provisioning-tools xfsprogs e2fsprogs     # LVM thin pools and filesystems in the guest (cdd-csi)
  open-iscsi multipath-tools                          # the SAN node side in the guest: iscsiadm, iscsid, multipath, multipathd (cdd-csi san)
  linux-source linux-headers-amd64 make               # netdevsim.ko built out of tree for the guest's kernel (tests/vm/netdevsim)
)
MGR_PACKAGES=(debootstrap curl iproute2 util-linux)  # the sid root folder MySQL 9.7 runs from (MYSQL-NOTES.md); the mirror check; members in namespaces (nsenter)
BENCH_PACKAGES=(time containernetworking-plugins iputils-ping "${VM_PACKAGES[@]}" "${MGR_PACKAGES[@]}")  # GNU time for peak RSS; the CSI bench boots a guest; the MGR table runs real MySQL
TIERS=(unit root vm mgr)
# The sid root folder with mysqld for the mgr tier; made once per machine (MYSQL-NOTES.md).
MYSQL_ROOT=${CDD_MYSQL_ROOT:-/var/lib/cdd/mysql-root}

log() { printf '==> %s\n' "$*" >&2; }

# The mgr tier's sid root (MYSQL-NOTES.md): debootstrap sid, mysql-server-core inside, a mysql user, and an
# initialized template datadir (no auto.cnf: each member's copy gets its own server_uuid). Each step leaves a
# marker only once it is complete, so a run that was cut off is redone, and a complete root is left alone.
MYSQL_MIRROR=${CDD_MYSQL_MIRROR:-}
mysql_mirror() {
  [ -n "$MYSQL_MIRROR" ] && { echo "$MYSQL_MIRROR"; return; }
  # The Debian mirror this machine's apt sources already name (deb822 or one-line form), else deb.debian.org.
  local m
  m=$(grep -hsoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
      | grep -v security | head -1 | tr -d ' ')
  echo "${m:-http://deb.debian.org/debian}"
}
MYSQL_TEMPLATE_CNF='[mysqld]
user=mysql
datadir=/srv/template/data
secure_file_priv=NULL
skip-name-resolve
mysqlx=OFF
innodb_buffer_pool_size=16M
innodb_redo_log_capacity=16M
performance_schema=ON
'
make_mysql_root() {
  local root=$MYSQL_ROOT mirror
  if [ -f "$root/.cdd-root-complete" ] && [ -f "$root/srv/template/.cdd-template-complete" ]; then
    log "mgr: sid MySQL root at $root is complete (delete it to remake)"; return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "the mgr tier's MySQL root ($root) is missing or incomplete and making it needs root"
  if [ ! -f "$root/.cdd-root-complete" ]; then
    mirror=$(mysql_mirror)
    curl -fsS --max-time 30 -o /dev/null "$mirror/dists/sid/Release" \
      || die "mgr: the Debian mirror $mirror cannot be reached (GET $mirror/dists/sid/Release failed); the MySQL root at $root
  needs it once. Set CDD_MYSQL_MIRROR to a reachable Debian mirror, or copy a made root there (CDD_MYSQL_ROOT)."
    log "mgr: debootstrap sid into $root from $mirror (once per machine, about 4 min)"
    rm -rf "$root"; mkdir -p "$(dirname "$root")"
    debootstrap --variant=minbase sid "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
      || die "mgr: debootstrap failed, see $root.debootstrap.log"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"; mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"
    local rc=0
    # Check-Valid-Until=false: the mirror's sid Release file counts as expired on this machine's date.
    { chroot "$root" apt-get -o Acquire::Check-Valid-Until=false update -qq \
      && DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -o Acquire::Check-Valid-Until=false install -y -qq \
           --no-install-recommends mysql-server-core mysql-client-core; } >"$root.apt.log" 2>&1 || rc=$?
    umount "$root/dev/pts" "$root/dev" "$root/proc"
    [ $rc -eq 0 ] || die "mgr: installing mysql-server-core in $root failed, see $root.apt.log"
    chroot "$root" sh -c 'getent group mysql >/dev/null || groupadd -r mysql; id mysql >/dev/null 2>&1 || useradd -r -g mysql -d /nonexistent -s /usr/sbin/nologin mysql'
    [ -f "$root/usr/lib/mysql/plugin/group_replication.so" ] || die "mgr: $root has no group_replication.so"
    chroot "$root" apt-get clean; rm -rf "$root"/var/lib/apt/lists/*
    touch "$root/.cdd-root-complete"
  fi
  log "mgr: initializing the template datadir in $root/srv/template"
  rm -rf "$root/srv/template"; mkdir -p "$root/srv/template"
  printf '%s' "$MYSQL_TEMPLATE_CNF" >"$root/srv/template/my.cnf"
  chroot "$root" chown -R mysql:mysql /srv/template
  chroot "$root" /usr/sbin/mysqld --defaults-file=/srv/template/my.cnf --initialize-insecure --log-error=/srv/template/init.err \
    || die "mgr: mysqld --initialize-insecure failed, see $root/srv/template/init.err"
  rm -f "$root/srv/template/data/auto.cnf"
  touch "$root/srv/template/.cdd-template-complete"
  log "mgr: sid MySQL root ready ($(du -sh "$root" | cut -f1))"
}
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# ensure_packages WHAT PACKAGE...: installs what is missing as root; anyone else is told what to install.
ensure_packages() {
  local what=$1; shift
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "$what needs Debian packages that are missing: ${missing[*]}
  install them as root:  apt-get install --no-install-recommends ${missing[*]}"
    log "installing for $what: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is required"
}

# Whether any test class is tagged with this tier (mgr has none yet: its prerequisite is checked once it does).
tier_has_tests() { grep -rqs --include='*.cs' --exclude-dir=Cdd.Testing --exclude-dir=Cdd.Testing.Tests "Tier\.${1^})" tests; }

# require_tier TIER: fails loudly, before anything is built, when this machine cannot run the tier. Never skips.
require_tier() {
  case $1 in
    unit) ;;
    root|vm|mgr)
      [ "$(id -u)" -eq 0 ] || die "the $1 tier needs root (namespaces, links, loop devices, mounts, mariadbd, QEMU with / shared); run it as root, or ./build.sh test unit for the unit tier alone" ;;
    *) die "unknown test tier '$1' (tiers: ${TIERS[*]})" ;;
  esac
}

# After the packages are in: what a package cannot give.
require_tier_runtime() {
  case $1 in
    vm)
      command -v qemu-system-x86_64 >/dev/null || die "the vm tier needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
      compgen -G '/boot/vmlinuz-*' >/dev/null || die "the vm tier needs Debian's stock kernel in /boot (apt-get install linux-image-amd64)" ;;
    mgr)
      [ -x "$MYSQL_ROOT/usr/sbin/mysqld" ] && [ -f "$MYSQL_ROOT/srv/template/.cdd-template-complete" ] \
        || die "the mgr tier needs the sid root folder with MySQL 9.7 and its template datadir at $MYSQL_ROOT (or CDD_MYSQL_ROOT): ./build.sh mgr-root makes it (MYSQL-NOTES.md)" ;;
  esac
}

tier_packages() {
  case $1 in
    unit) echo "${UNIT_PACKAGES[@]}" ;;
    root) echo "${ROOT_PACKAGES[@]}" ;;
    vm) echo "${VM_PACKAGES[@]}" ;;
    mgr) echo "${MGR_PACKAGES[@]}" ;;
  esac
}

build() {
  log "restore + build"
  dotnet build CddPlugins.sln -c Release -nologo -v q -clp:ErrorsOnly
}

publish() {
  log "publish the binaries into out/ (native AOT; cdd-ipamd and cdd-operator single-file)"
  mkdir -p "$OUT"
  local tmp; tmp=$(mktemp -d)
  dotnet publish cni/Cdd.Cni/Cdd.Cni.csproj -c Release -nologo -v q -clp:ErrorsOnly -o "$tmp/cni"
  install -m 0755 "$tmp/cni/cdd-cni" "$OUT/cdd-cni"
  dotnet publish ipam/Cdd.Ipam.Plugin/Cdd.Ipam.Plugin.csproj -c Release -nologo -v q -clp:ErrorsOnly -o "$tmp/ipam"
  install -m 0755 "$tmp/ipam/cdd-ipam" "$OUT/cdd-ipam"
  dotnet publish csi/Cdd.Csi/Cdd.Csi.csproj -c Release -nologo -v q -clp:ErrorsOnly -o "$tmp/csi"
  install -m 0755 "$tmp/csi/cdd-csi" "$OUT/cdd-csi"
  # The node agent is a long-running daemon on the JIT (KubernetesClient): one self-contained file.
  dotnet publish ipam/Cdd.Ipamd/Cdd.Ipamd.csproj -c Release -nologo -v q -clp:ErrorsOnly -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none -o "$tmp/ipamd"
  install -m 0755 "$tmp/ipamd/cdd-ipamd" "$OUT/cdd-ipamd"
  # The operator (a Deployment; plan for capacity planning) is on the JIT too (YamlDotNet, KubernetesClient): same shape.
  # Its own artifacts folder: a self-contained publish in the project's obj/ would leave a self-contained deps.json
  # that the test project copies, and `dotnet cdd-operator.dll` in the tests then fails to find the runtime.
  dotnet publish deploy/operator/Cdd.Operator/Cdd.Operator.csproj -c Release -nologo -v q -clp:ErrorsOnly -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none --artifacts-path "$tmp/operator-artifacts" -o "$tmp/operator"
  install -m 0755 "$tmp/operator/cdd-operator" "$OUT/cdd-operator"
  rm -rf "$tmp"
  ls -l "$OUT" >&2
}

LOST=0
# run_tests TIER...: one dotnet test per test project, filtered to the tiers asked for, each into its own folder
# (no two TRX files can collide); a project without tests of those tiers still writes an empty TRX.
run_tests() {
  local results="$ROOT/TestResults"
  rm -rf "$results"
  local rc=0 proj name filter="" t start=$SECONDS
  for t in "$@"; do filter+="${filter:+|}tier=$t"; done
  log "test tiers: $* (filter $filter)"
  for proj in tests/*/*.Tests.csproj; do
    name=$(basename "$proj" .csproj)
    dotnet test "$proj" -c Release --no-build -nologo --filter "$filter" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results/$name" || rc=$?
    if [ -z "$(find "$results/$name" -name '*.trx' 2>/dev/null)" ]; then
      echo "build.sh: $name produced no test results (did its test host crash?); counted as 1 failed" >&2
      LOST=$((LOST + 1)); rc=1
    fi
  done
  log "tests ran for $((SECONDS - start)) s"
  summarize "$results"
  return $rc
}

# ./build.sh test [TIER]: no tier means every tier, and then every tier's prerequisites must hold.
test_tiers() {
  local asked=("$@") tiers=() t
  [ ${#asked[@]} -gt 0 ] || asked=("${TIERS[@]}")
  for t in "${asked[@]}"; do
    require_tier "$t"
    if [ "$t" = mgr ] && [ $# -eq 0 ] && ! tier_has_tests mgr; then
      log "mgr tier: no test carries Tier.Mgr yet; nothing to run there"
      continue
    fi
    tiers+=("$t")
  done
  ensure_packages "the build" "${BUILD_PACKAGES[@]}"
  for t in "${tiers[@]}"; do
    # shellcheck disable=SC2046
    ensure_packages "the $t tier" $(tier_packages "$t")
    [ "$t" != mgr ] || make_mysql_root
    require_tier_runtime "$t"
  done
  build; publish
  run_tests "${tiers[@]}"
}

# Sums every tier's TRX counters into the one closing line.
counter() { grep -o '<Counters [^>]*' "$2" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
summarize() {
  local passed=0 failed=${LOST:-0} skipped=0 f
  for f in $(find "$1" -name '*.trx'); do
    passed=$((passed + $(counter passed "$f")))
    failed=$((failed + $(counter failed "$f")))
    skipped=$((skipped + $(counter total "$f") - $(counter executed "$f")))
  done
  echo "$passed passed, $failed failed, $skipped skipped"
}

case "${1:-build}" in
  build)
    ensure_packages "the build" "${BUILD_PACKAGES[@]}"; build; publish
    log "demo (quick path)"
    tests/demo/demo.sh quick
    ;;
  test)
    [ $# -le 2 ] || die "usage: ./build.sh test [unit|root|vm|mgr]"
    test_tiers "${@:2}"
    ;;
  bench)
    ensure_packages "the bench" "${BUILD_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"; build; publish
    case " ${*:2} " in *" --no-mgr "*|*" --operator-only "*|*" --csi-only "*) ;; *) make_mysql_root ;; esac
    dotnet run --project tests/Cdd.Bench -c Release --no-build -- "${@:2}"
    ;;
  mgr-root)
    ensure_packages "the mgr tier" "${MGR_PACKAGES[@]}"; make_mysql_root
    ;;
  demo)
    ensure_packages "the demo" "${BUILD_PACKAGES[@]}" "${DEMO_PACKAGES[@]}"; build; publish
    tests/demo/demo.sh full
    ;;
  *)
    echo "usage: ./build.sh [build|test [unit|root|vm|mgr]|bench|demo|mgr-root]" >&2; exit 2 ;;
esac

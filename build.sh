#!/usr/bin/env bash
# One entry point: ./build.sh            restore, build, publish the binaries into out/, run the demo's quick path
#                  ./build.sh test       every test tier, ending with "N passed, N failed, N skipped"
#                  ./build.sh bench      benchmark tables (cdd-cni beside the reference plugins)
#                  ./build.sh demo       the end-to-end demo on this machine
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the build and the test tiers use. Installed only when missing.
APT_PACKAGES=(
  gcc libc6-dev             # native AOT links with the system toolchain; a test compiles a C sizeof probe
  iproute2 util-linux       # tests check the kernel's state with ip/bridge and enter namespaces with nsenter
  iputils-ping              # pings between pods in the integration tests
  containernetworking-plugins  # reference plugins: host-local, static, tuning, macvlan (peers and bench)
  podman runc busybox-static   # the real-runtime tests
  time                      # the bench reads peak RSS with GNU time
  qemu-system-x86 linux-image-amd64   # the VM tier boots Debian's stock kernel under TCG (tests/vm)
  lvm2 thin-provisioning-tools xfsprogs e2fsprogs   # LVM thin pools and filesystems in the VM tier and cdd-csi
  mariadb-server            # the primary watcher tests read a replication_group_members table from a private mariadbd
  linux-source linux-headers-amd64 make   # netdevsim.ko built out of tree for the VM tier's kernel (tests/vm/netdevsim)
)

log() { printf '==> %s\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "build.sh: need root to apt-get install ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { echo "build.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
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
run_tests() {
  local results="$ROOT/TestResults"
  rm -rf "$results"
  local rc=0 proj name
  log "unit + integration tiers (root: real namespaces, veth, macvlan, vxlan, bridges; podman)"
  # One run per test project, each into its own folder, so no two TRX files can collide.
  for proj in tests/*/*.Tests.csproj; do
    name=$(basename "$proj" .csproj)
    dotnet test "$proj" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results/$name" || rc=$?
    if [ -z "$(find "$results/$name" -name '*.trx' 2>/dev/null)" ]; then
      echo "build.sh: $name produced no test results (did its test host crash?); counted as 1 failed" >&2
      LOST=$((LOST + 1)); rc=1
    fi
  done
  summarize "$results"
  return $rc
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
    ensure_packages; build; publish
    log "demo (quick path)"
    tests/demo/demo.sh quick
    ;;
  test)
    ensure_packages; build; publish
    run_tests
    ;;
  bench)
    ensure_packages; build; publish
    dotnet run --project tests/Cdd.Bench -c Release --no-build -- "${@:2}"
    ;;
  demo)
    ensure_packages; build; publish
    tests/demo/demo.sh full
    ;;
  *)
    echo "usage: ./build.sh [build|test|bench|demo]" >&2; exit 2 ;;
esac

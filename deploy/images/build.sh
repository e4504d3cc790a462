#!/usr/bin/env bash
# deploy/images/build.sh [--local-base]: the node and operator images from the binaries in out/, tagged as the
# manifests name them (versions.env: CDD_REGISTRY/cdd-node:CDD_VERSION, CDD_REGISTRY/cdd-operator:CDD_VERSION).
#   (default)      FROM versions.env's BASE_IMAGE (a registry's Debian 12)
#   --local-base   FROM a Debian 12 made here: debootstrap --variant=minbase bookworm with the node's packages, kept as
#                  a tarball in CDD_IMAGE_CACHE (default /var/lib/cdd/images) and imported once into podman's store
# Extra podman global options (a private --root/--runroot) come from PODMAN_OPTS.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.env
. "$HERE/versions.env"
CACHE=${CDD_IMAGE_CACHE:-/var/lib/cdd/images}
read -r -a PODMAN_OPTS <<<"${PODMAN_OPTS:-}"
podman_() { podman "${PODMAN_OPTS[@]}" "$@"; }
NODE_PACKAGES=lvm2,thin-provisioning-tools,e2fsprogs,xfsprogs,open-iscsi,multipath-tools,util-linux
LOCAL_BASE=localhost/cdd-base:bookworm-minbase-2

mirror() {
  [ -n "${CDD_DEBIAN_MIRROR:-}" ] && { echo "$CDD_DEBIAN_MIRROR"; return; }
  local m
  m=$(grep -hsoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
      | grep -v security | head -1 | tr -d ' ')
  echo "${m:-http://deb.debian.org/debian}"
}

local_base() {
  local tar="$CACHE/bookworm-minbase-2.tar"   # -2: the root folder is 0755 (mktemp makes it 0700)
  if [ ! -f "$tar" ]; then
    command -v debootstrap >/dev/null || { echo "images: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
    local dir; dir=$(mktemp -d "${TMPDIR:-/tmp}/cdd-base.XXXXXX")
    echo "images: debootstrap --variant=minbase bookworm (once; cached in $tar)" >&2
    mkdir -p "$CACHE"
    if ! debootstrap --variant=minbase --include="$NODE_PACKAGES" bookworm "$dir" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1; then
      rm -rf "$dir"; echo "images: debootstrap failed, see $CACHE/debootstrap.log" >&2; exit 1
    fi
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    chmod 0755 "$dir"   # the image's / : a non-root user (the operator's 65532) must be able to walk it
    tar -C "$dir" -cf "$tar.part" . && mv "$tar.part" "$tar"
    rm -rf "$dir"
  fi
  if ! podman_ image exists "$LOCAL_BASE"; then
    podman_ import "$tar" "$LOCAL_BASE" >/dev/null
  fi
  echo "$LOCAL_BASE"
}

base=$BASE_IMAGE
[ "${1:-}" != --local-base ] || base=$(local_base)
ctx=$(mktemp -d "${TMPDIR:-/tmp}/cdd-image-ctx.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
for b in cdd-cni cdd-ipam cdd-ipamd cdd-csi cdd-operator; do
  [ -x "$ROOT/out/$b" ] || { echo "images: $ROOT/out/$b is missing: ./build.sh publishes it" >&2; exit 1; }
  cp "$ROOT/out/$b" "$ctx/"
done
# --network=none: the build reaches no registry or mirror unless the base lacks the packages (then apt needs one).
net=(--network=none)
[ "$base" = "$LOCAL_BASE" ] || net=()
podman_ build "${net[@]}" -q --build-arg BASE_IMAGE="$base" -f "$HERE/node.Containerfile" -t "$CDD_REGISTRY/cdd-node:$CDD_VERSION" "$ctx" >/dev/null
podman_ build "${net[@]}" -q --build-arg BASE_IMAGE="$base" -f "$HERE/operator.Containerfile" -t "$CDD_REGISTRY/cdd-operator:$CDD_VERSION" "$ctx" >/dev/null
echo "$CDD_REGISTRY/cdd-node:$CDD_VERSION $CDD_REGISTRY/cdd-operator:$CDD_VERSION (FROM $base)"

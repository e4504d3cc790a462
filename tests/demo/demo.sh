#!/usr/bin/env bash
# The demo, as root, no Kubernetes: two nodes (network namespaces) joined by a VLAN trunk and an underlay, cdd-ipamd
# on each node over one embedded file store with a two-segment pool (seg-a VLAN 100, seg-b VLAN 120), pods started by
# exec'ing cdd-cni exactly as a runtime does (macvlan on the VLAN interfaces, overlay over VXLAN), a StatefulSet member
# with a fixed address moved from node A to node B, a ping matrix, `cdd-operator plan` on the sample inventory.
#   tests/demo/demo.sh quick   what `./build.sh` runs
#   tests/demo/demo.sh full    what `./build.sh demo` runs: quick, then every tests/demo/full.d/*.sh (the hook for the
#                              full path's sections, e.g. an MGR group failover table; see tests/demo/full.d/README)
# Everything it makes (namespaces, links, agents, files) is removed at the end, also when a step fails.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/out"
MODE=${1:-quick}
case $MODE in quick|full) ;; *) echo "usage: $0 [quick|full]" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces, links)" >&2; exit 1; }
for b in cdd-cni cdd-ipam cdd-ipamd cdd-operator; do
  [ -x "$OUT/$b" ] || { echo "demo: $OUT/$b is missing: ./build.sh publishes it" >&2; exit 1; }
done
command -v ping >/dev/null || { echo "demo: ping is missing (apt-get install iputils-ping)" >&2; exit 1; }

ID=$$
NA="cdd-demo-a-$ID" NB="cdd-demo-b-$ID"
TMP=$(mktemp -d /tmp/cdd-demo.XXXXXX)
NS=() PIDS=() STEP="start" FAILED=0 T0=$(date +%s%N)
export LC_ALL=C.UTF-8   # ${#s} counts characters, so the tables line up with the check marks in them
OK=$'\u2714' BAD=$'\u2718'

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
  if [ $rc -ne 0 ] || [ $FAILED -ne 0 ]; then
    printf '\n%s demo failed at step "%s" (everything it made is removed)\n' "$BAD" "$STEP" >&2
    exit 1
  fi
}
trap cleanup EXIT
# A command that fails names its step and why (its stderr), then the trap cleans up.
fail() { printf '%s %s: %s\n' "$BAD" "$STEP" "$*" >&2; FAILED=1; exit 1; }
pad() { printf '%s%*s' "$1" $(($2 > ${#1} ? $2 - ${#1} : 0)) ''; }   # pad TEXT WIDTH, in characters
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
step() { STEP=$1; printf '\n== %s\n' "$1"; }

mkns() { ip netns add "$1"; NS+=("$1"); ip -n "$1" link set lo up; }
# cni VERB NODE_NS CONTAINER POD_NS POD_NAME CONFIG: cdd-cni exec'd as a runtime does, in the node's namespace.
cni() {
  CNI_COMMAND=$1 CNI_CONTAINERID=$3 CNI_NETNS=/var/run/netns/$4 CNI_IFNAME=eth0 CNI_PATH="$OUT:/usr/lib/cni" \
  CNI_ARGS="K8S_POD_NAMESPACE=db;K8S_POD_NAME=$5" CDD_STATE_DIR="$TMP/state-$2" CDD_NODE_NAME="$2" \
    nsenter --net=/var/run/netns/"$2" "$OUT/cdd-cni" < "$6"
}
json() { tr ',' '\n' | sed -n "s/.*\"$1\": *\"\{0,1\}\([^\"}]*\).*/\1/p" | head -1; }

# --- the two nodes -------------------------------------------------------------------------------------------------
step "two nodes"
t=$(date +%s%N)
mkns "$NA"; mkns "$NB"
# VLANs 100 and 120 between the nodes, and an underlay (untagged) for the overlay's VXLAN. Each VLAN is a link of its
# own here (vlan100, vlan120): this machine's kernel has no 802.1Q; on a real trunk they are trunk0.100 and trunk0.120,
# and an SR-IOV VF gets the tag itself (the VM tier shows that on netdevsim).
for l in vlan100 vlan120 ul0; do
  ip link add "$l" netns "$NA" type veth peer name "$l" netns "$NB"
  ip -n "$NA" link set "$l" up; ip -n "$NB" link set "$l" up
done
ip -n "$NA" addr add 192.0.2.1/24 dev ul0; ip -n "$NB" addr add 192.0.2.2/24 dev ul0
printf '  %-8s %-22s %-28s %s\n' node namespace "links" ""
printf '  %-8s %-22s %-28s %s\n' node-a "$NA" "vlan100 vlan120 ul0 192.0.2.1" "$OK"
printf '  %-8s %-22s %-28s %s\n' node-b "$NB" "vlan100 vlan120 ul0 192.0.2.2" "$OK"
echo "  ($(ms "$t") ms)"

# --- the agents on the file store ------------------------------------------------------------------------------------
step "cdd-ipamd on each node, one file store"
t=$(date +%s%N)
SEGMENTS='[{"name":"seg-a","subnet":"10.10.0.0/24","gateway":"10.10.0.1","vlan":100,"nodeSelector":{"topology.cdd.io/rack":"a"},"ranges":[{"start":"10.10.0.10","end":"10.10.0.250"}]},
           {"name":"seg-b","subnet":"10.20.0.0/24","gateway":"10.20.0.1","vlan":120,"nodeSelector":{"topology.cdd.io/rack":"b"},"ranges":[{"start":"10.20.0.10","end":"10.20.0.250"}]}]'
cat >"$TMP/pools.json" <<JSON
{"pools":[{"name":"mysql","segments":$SEGMENTS},
          {"name":"overlay","segments":[{"name":"ov","subnet":"10.30.0.0/24","ranges":[{"start":"10.30.0.10","end":"10.30.0.250"}]}]}]}
JSON
mkdir -p "$TMP/store"
start_agent() { # NODE_NS NODE_NAME ARGS...
  local ns=$1 name=$2; shift 2
  "$OUT/cdd-ipamd" --pools-file "$TMP/pools.json" --data-dir "$TMP/store" --node-name "$name" --socket "$TMP/$name.sock" --http off "$@" \
    >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
}
start_agent "$NA" node-a --node-label topology.cdd.io/rack=a
start_agent "$NB" node-b --node-label topology.cdd.io/rack=b --trunk-vlans 100   # node B's trunk also tags seg-a's VLAN 100
for n in node-a node-b; do
  for _ in $(seq 100); do [ -S "$TMP/$n.sock" ] && break; sleep 0.1; done
  [ -S "$TMP/$n.sock" ] || fail "cdd-ipamd on $n did not come up: $(tail -3 "$TMP/$n.log")"
done
printf '  %-8s %-10s %-40s %s\n' agent store pool ""
printf '  %-8s %-10s %-40s %s\n' node-a file "mysql: seg-a 10.10.0.0/24 VLAN 100 (rack a)" "$OK"
printf '  %-8s %-10s %-40s %s\n' node-b file "       seg-b 10.20.0.0/24 VLAN 120 (rack b)" "$OK"
echo "  ($(ms "$t") ms; node B reaches seg-a tagged: --trunk-vlans 100)"

# --- networks ------------------------------------------------------------------------------------------------------
# macvlan on a VLAN interface per segment; the agent picks the address (node A: seg-a, node B: seg-b first).
agent_net() { # FILE NAME MASTER NODE
  printf '{"cniVersion":"1.0.0","name":"%s","type":"cdd-cni","mode":"macvlan","master":"%s","ipam":{"type":"cdd-ipam","pool":"mysql","socket":"%s"}}\n' \
    "$2" "$3" "$TMP/$4.sock" >"$1"
}
for n in node-a node-b; do
  agent_net "$TMP/vlan100-$n.json" mysql-vlan100 vlan100 "$n"
  agent_net "$TMP/vlan120-$n.json" mysql-vlan120 vlan120 "$n"
  printf '{"cniVersion":"1.0.0","name":"mysql-overlay","type":"cdd-cni","mode":"overlay","vni":4200,"underlay":"ul0","peers":["192.0.2.1","192.0.2.2"],"ipam":{"type":"cdd-ipam","pool":"overlay","socket":"%s"}}\n' \
    "$TMP/$n.sock" >"$TMP/overlay-$n.json"
done
# The StatefulSet member: cdd-ipam on the same file store, binding db/orders-N for life (fixedStatefulSets).
member_net() { # FILE NODE LABEL TRUNK
  printf '{"cniVersion":"1.0.0","name":"mysql-vlan100","type":"cdd-cni","mode":"macvlan","master":"vlan100","ipam":{"type":"cdd-ipam","store":"file","dataDir":"%s","fixedStatefulSets":["orders"],"node":{"name":"%s","labels":{"topology.cdd.io/rack":"%s"},"trunkVlans":[%s]},"pool":{"name":"mysql","segments":%s}}}\n' \
    "$TMP/store" "$2" "$3" "$4" "$(echo "$SEGMENTS" | tr -d '\n')" >"$1"
}
member_net "$TMP/member-node-a.json" node-a a ""
member_net "$TMP/member-node-b.json" node-b b 100

# --- pods ----------------------------------------------------------------------------------------------------------
step "pods through cdd-cni"
declare -A ADDR VLAN SEG NODE_OF
pod() { # POD NODE_NS NODE NETWORK_FILE MODE NETWORK_LABEL [POD_NAME]
  local pod=$1 nodens=$2 node=$3 conf=$4 mode=$5 label=$6 podname=${7:-$1} t r
  t=$(date +%s%N)
  mkns "cdd-demo-$pod-$ID"
  r=$(cni ADD "$nodens" "c-$pod-$node" "cdd-demo-$pod-$ID" "$podname" "$conf" 2>"$TMP/err") || fail "ADD $pod on $node: $(cat "$TMP/err") $r"
  ADDR[$pod]=$(echo "$r" | json address | cut -d/ -f1)
  # The pod's reservation in the file store (POOL/ADDRESS): its segment and VLAN.
  local res; res=$(cat "$TMP"/store/*/"${ADDR[$pod]}" 2>/dev/null || true)
  VLAN[$pod]=$(echo "$res" | json vlan); SEG[$pod]=$(echo "$res" | json segment)
  NODE_OF[$pod]=$node
  ip -n "cdd-demo-$pod-$ID" -4 addr show dev eth0 | grep -q "inet ${ADDR[$pod]}/" || fail "$pod: eth0 does not hold ${ADDR[$pod]}"
  printf '  %-9s %-7s %-8s %-14s %-12s %-6s %-5s %4s ms %s\n' "$pod" "$node" "$mode" "$label" "${ADDR[$pod]}" "${SEG[$pod]:--}" "${VLAN[$pod]:--}" "$(ms "$t")" "$OK"
}
printf '  %-9s %-7s %-8s %-14s %-12s %-6s %-5s %7s\n' pod node mode network address seg vlan time
pod web-a "$NA" node-a "$TMP/vlan100-node-a.json" macvlan mysql-vlan100
pod web-b "$NB" node-b "$TMP/vlan120-node-b.json" macvlan mysql-vlan120
pod orders-0 "$NA" node-a "$TMP/member-node-a.json" macvlan "vlan100 fixed" orders-0
pod ov-a "$NA" node-a "$TMP/overlay-node-a.json" overlay mysql-overlay
pod ov-b "$NB" node-b "$TMP/overlay-node-b.json" overlay mysql-overlay
[ "${VLAN[web-a]}" = 100 ] && [ "${VLAN[web-b]}" = 120 ] && [ "${VLAN[orders-0]}" = 100 ] \
  || fail "each macvlan pod's address must come from its network's VLAN (web-a ${VLAN[web-a]}, web-b ${VLAN[web-b]}, orders-0 ${VLAN[orders-0]})"

# --- ping matrix ---------------------------------------------------------------------------------------------------
# Expected: same L2 network reaches (VLAN 100 pods, the overlay across nodes); different VLANs or networks do not.
reach() { ip netns exec "cdd-demo-$1-$ID" ping -c 1 -W 1 -q "${ADDR[$2]}" >/dev/null 2>&1; }
net_of() { case $1 in web-a|orders-0) echo v100 ;; web-b) echo v120 ;; ov-*) echo ov ;; esac; }
matrix() { # POD...
  local from to mark line wrong=0
  printf '  %-9s' "from\\to"; for to in "$@"; do printf ' %-9s' "$to"; done; echo
  for from in "$@"; do
    line=$(printf '  %-9s' "$from")
    for to in "$@"; do
      if [ "$from" = "$to" ]; then mark="-"
      elif reach "$from" "$to"; then
        if [ "$(net_of "$from")" = "$(net_of "$to")" ]; then mark="$OK"; else mark="$BAD leak"; wrong=1; fi
      else
        if [ "$(net_of "$from")" = "$(net_of "$to")" ]; then mark="$BAD lost"; wrong=1; else mark="·"; fi
      fi
      line+=" $(pad "$mark" 9)"
    done
    echo "$line"
  done
  echo "  ($OK reached within its network, · isolated as it should be)"
  [ $wrong -eq 0 ] || fail "a pod reached what it should not, or missed what it should (marked $BAD)"
}
step "ping matrix"
t=$(date +%s%N)
matrix web-a web-b orders-0 ov-a ov-b
echo "  ($(ms "$t") ms)"

# --- the member moves ----------------------------------------------------------------------------------------------
step "orders-0 deleted on node A, started on node B"
t=$(date +%s%N)
before=${ADDR[orders-0]}
cni DEL "$NA" c-orders-0-node-a "cdd-demo-orders-0-$ID" orders-0 "$TMP/member-node-a.json" >/dev/null 2>"$TMP/err" || fail "DEL orders-0 on node A: $(cat "$TMP/err")"
ip netns del "cdd-demo-orders-0-$ID"
printf '  %-9s %-7s %-8s %-14s %-12s %-6s %-5s %7s\n' pod node mode network address seg vlan time
pod orders-0 "$NB" node-b "$TMP/member-node-b.json" macvlan "vlan100 fixed" orders-0
[ "${ADDR[orders-0]}" = "$before" ] || fail "orders-0 came back with ${ADDR[orders-0]}, not its fixed $before"
[ "${VLAN[orders-0]}" = 100 ] || fail "orders-0 on node B is on VLAN ${VLAN[orders-0]}, not its segment's 100"
reach web-a orders-0 || fail "web-a (node A) does not reach orders-0 (node B) over VLAN 100"
printf '  same address %s, segment seg-a, VLAN 100 on node B %s; web-a (node A) -> orders-0 (node B) over VLAN 100 %s  (%s ms)\n' \
  "$before" "$OK" "$OK" "$(ms "$t")"

# --- placement -----------------------------------------------------------------------------------------------------
step "cdd-operator plan (deploy/operator/samples)"
t=$(date +%s%N)
plan=$(DOTNET_BUNDLE_EXTRACT_BASE_DIR="$TMP/bundle" "$OUT/cdd-operator" plan --inventory "$ROOT/deploy/operator/samples/nodes.yaml" \
  --clusters "$ROOT/deploy/operator/samples/clusters.yaml" 2>"$TMP/err") || fail "plan: $(cat "$TMP/err")"
echo "$plan" | sed -n '/^NODE/,/^$/p' | sed '/^$/d; s/^/  /'
summary=$(echo "$plan" | tail -1)
placed=$(echo "$summary" | sed -n 's/^placed \([0-9]*\)\/\([0-9]*\).*/\1 \2/p')
[ -n "$placed" ] && [ "${placed% *}" = "${placed#* }" ] || fail "not every cluster placed: $summary"
echo "  $summary $OK  ($(ms "$t") ms)"

# --- cleanup (DEL as the runtime would, then the namespaces go in the trap) -----------------------------------------
step "cleanup"
t=$(date +%s%N)
cni DEL "$NA" c-web-a-node-a "cdd-demo-web-a-$ID" web-a "$TMP/vlan100-node-a.json" >/dev/null
cni DEL "$NB" c-web-b-node-b "cdd-demo-web-b-$ID" web-b "$TMP/vlan120-node-b.json" >/dev/null
cni DEL "$NB" c-orders-0-node-b "cdd-demo-orders-0-$ID" orders-0 "$TMP/member-node-b.json" >/dev/null
cni DEL "$NA" c-ov-a-node-a "cdd-demo-ov-a-$ID" ov-a "$TMP/overlay-node-a.json" >/dev/null
cni DEL "$NB" c-ov-b-node-b "cdd-demo-ov-b-$ID" ov-b "$TMP/overlay-node-b.json" >/dev/null
left=$(find "$TMP/store/overlay" -maxdepth 1 -type f -name '10.*' 2>/dev/null | wc -l)
[ "$left" -eq 0 ] || fail "$left overlay addresses still reserved after DEL"
echo "  DEL of every pod $OK; overlay pool empty again; orders-0 keeps its binding (fixed) $OK  ($(ms "$t") ms)"

# --- the full path's sections ----------------------------------------------------------------------------------------
if [ "$MODE" = full ]; then
  for section in "$ROOT"/tests/demo/full.d/*.sh; do
    [ -e "$section" ] || continue
    # shellcheck source=/dev/null
    . "$section"
  done
fi

printf '\n%s demo (%s) in %s ms: two nodes, cdd-ipamd on a two-segment pool, macvlan (VLAN 100/120) and overlay pods, a ping matrix, a fixed-address member moved A -> B keeping address and VLAN, a placement plan; all removed.\n' \
  "$OK" "$MODE" "$(ms "$T0")"

#!/usr/bin/env bash
# The demo: cdd-cni exec'd exactly as a runtime does, on namespaces this script makes and removes.
#   quick: one macvlan pod with host-local IPAM: ADD, CHECK, DEL
#   full:  quick + two macvlan pods pinging + a two-node overlay (VXLAN) with a cross-node ping
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODE=${1:-quick}
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
ID=$$
NS=(); TMP=$(mktemp -d)
cleanup() {
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
mkns() { ip netns add "$1"; NS+=("$1"); ip -n "$1" link set lo up; }
cni() { # cni VERB NODE_NS CONTAINER POD_NS CONFIG
  CNI_COMMAND=$1 CNI_CONTAINERID=$3 CNI_NETNS=/var/run/netns/$4 CNI_IFNAME=eth0 \
  CNI_PATH="$ROOT/out:/usr/lib/cni" CDD_STATE_DIR="$TMP/state" \
    nsenter --net=/var/run/netns/"$2" "$ROOT/out/cdd-cni" < "$5"
}

echo "--- macvlan + host-local"
mkns "demo-node-$ID"; mkns "demo-pa-$ID"; mkns "demo-pb-$ID"
ip -n "demo-node-$ID" link add master0 type veth peer name master0p
ip -n "demo-node-$ID" link set master0 up
ip -n "demo-node-$ID" link set master0p up   # the master needs carrier for macvlan pods to talk
cat > "$TMP/mv.json" <<JSON
{"cniVersion":"1.0.0","name":"demo-mv","type":"cdd-cni","mode":"macvlan","master":"master0","macvlanMode":"bridge",
 "ipam":{"type":"host-local","dataDir":"$TMP/ipam","ranges":[[{"subnet":"10.250.0.0/24","gateway":"10.250.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}
JSON
cni ADD "demo-node-$ID" pod-a "demo-pa-$ID" "$TMP/mv.json" | tee "$TMP/a.json"; echo
ip -n "demo-pa-$ID" -br addr show dev eth0
# CHECK gets the config with the ADD result as prevResult
printf '%s,"prevResult":%s}' "$(sed '$ s/}[[:space:]]*$//' "$TMP/mv.json")" "$(cat "$TMP/a.json")" > "$TMP/check.json"
cni CHECK "demo-node-$ID" pod-a "demo-pa-$ID" "$TMP/check.json" && echo "CHECK ok"
if [ "$MODE" = full ]; then
  cni ADD "demo-node-$ID" pod-b "demo-pb-$ID" "$TMP/mv.json" >/dev/null
  b=$(ip -n "demo-pb-$ID" -4 -br addr show dev eth0 | awk '{print $3}' | cut -d/ -f1)
  ip netns exec "demo-pa-$ID" ping -c 2 -W 2 "$b" | tail -2
  cni DEL "demo-node-$ID" pod-b "demo-pb-$ID" "$TMP/mv.json"
fi
cni DEL "demo-node-$ID" pod-a "demo-pa-$ID" "$TMP/mv.json" && echo "DEL ok"
cni DEL "demo-node-$ID" pod-a "demo-pa-$ID" "$TMP/mv.json" && echo "DEL again ok (idempotent)"

if [ "$MODE" = full ]; then
  echo "--- overlay: two nodes, VXLAN over an underlay veth"
  mkns "demo-n1-$ID"; mkns "demo-n2-$ID"; mkns "demo-p1-$ID"; mkns "demo-p2-$ID"
  ip link add u1 netns "demo-n1-$ID" type veth peer name u2 netns "demo-n2-$ID"
  ip -n "demo-n1-$ID" addr add 192.0.2.1/24 dev u1; ip -n "demo-n1-$ID" link set u1 up
  ip -n "demo-n2-$ID" addr add 192.0.2.2/24 dev u2; ip -n "demo-n2-$ID" link set u2 up
  for n in 1 2; do cat > "$TMP/ov$n.json" <<JSON
{"cniVersion":"1.0.0","name":"demo-ov","type":"cdd-cni","mode":"overlay","vni":4242,"underlay":"u$n","peers":["192.0.2.1","192.0.2.2"],
 "ipam":{"type":"host-local","dataDir":"$TMP/ipam$n","ranges":[[{"subnet":"10.251.0.0/24","rangeStart":"10.251.0.${n}0","rangeEnd":"10.251.0.${n}9"}]]}}
JSON
  done
  cni ADD "demo-n1-$ID" p1 "demo-p1-$ID" "$TMP/ov1.json" >/dev/null
  cni ADD "demo-n2-$ID" p2 "demo-p2-$ID" "$TMP/ov2.json" >/dev/null
  ip netns exec "demo-p1-$ID" ping -c 2 -W 2 10.251.0.20 | tail -2
  cni DEL "demo-n1-$ID" p1 "demo-p1-$ID" "$TMP/ov1.json"
  cni DEL "demo-n2-$ID" p2 "demo-p2-$ID" "$TMP/ov2.json"
fi
echo "demo ($MODE) done"

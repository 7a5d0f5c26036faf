#!/bin/bash
# Capture real output of the host inspection commands for the unit tests.
#
# Builds a throw-away node that looks like a Neutron ML2/OVS (DVR) host:
# the Open vSwitch of a sandbox node (ovsdb-server + ovs-vswitchd, started
# and supervised by the sandbox's own code, openstack_netperf.sandbox.ovs,
# with the database, PID files and logs in a private directory), netdev
# bridges br-int/br-tun/br-phy with patch,
# VXLAN and internal ports, Neutron-like flows, router namespaces
# qrouter-/snat-/fip- with qr-/qg-/sg-/fg-/rfp-/fpr- devices, and two
# "guest" namespaces that ping each other through the router so that
# counters and flow n_packets move.  Everything runs inside a private
# mount + network namespace (unshare), so nothing of the host is touched:
# /run is a private tmpfs there and the namespaces vanish with it.
#
# Usage (root):  tools/capture-host-data.sh [OUTPUT_DIR]
# Default OUTPUT_DIR: tests/unit/data/hosts
# NPT_PYTHON: a Python that imports the project (default: the py3 tox
# env's), for the node's switch and the inspector's port-counter command.
# NPT_CAPTURE_THEN="command" runs a command inside the node after the
# captures (OVS_RUNDIR etc. exported), before the teardown: a way to try
# the inspectors and verdicts against live counters.
# Needs: openvswitch-switch (binaries only; no service is started),
# iproute2, iputils-ping.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# A Python that can import the project (paramiko included).
PYTHON=${NPT_PYTHON:-$REPO/.tox/py3/bin/python}
OUT=${1:-$REPO/tests/unit/data/hosts}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ "${NPT_CAPTURE_INSIDE:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
    for tool in ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ip ping \
            unshare; do
        command -v "$tool" >/dev/null || {
            echo "missing $tool (apt-get install openvswitch-switch" \
                 "iproute2 iputils-ping util-linux)" >&2; exit 1; }
    done
    [ -x "$PYTHON" ] || { echo "no $PYTHON: run tox -e py3 first, or set" \
        "NPT_PYTHON" >&2; exit 1; }
    # Private mount + network namespace: torn down by the kernel when
    # this process tree ends, whatever happens inside.
    NPT_CAPTURE_INSIDE=1 exec unshare --mount --net --propagation private \
        "$0" "$OUT"
fi

WORK=$(mktemp -d /tmp/npt-capture.XXXXXX)
# The sandbox's node switch, run here: start|stop, files under $WORK.
node_ovs() {
    PYTHONPATH="$REPO" "$PYTHON" -m openstack_netperf.sandbox.ovs "$1" "$WORK"
}
cleanup() {
    set +e
    node_ovs stop
    for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
        ip netns delete "$ns"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Private /run so `ip netns` and OVS never see (or create) host state;
# OVS uses its standard paths there, as in a sandbox node.
mount -t tmpfs npt-capture-run /run
mkdir -p /run/netns /run/openvswitch
export OVS_RUNDIR=/run/openvswitch OVS_DBDIR=$WORK/state/nodes/network/ovs \
       OVS_LOGDIR=$WORK/log/network
ip link set lo up

node_ovs start
ovs-vsctl --no-wait init

ROUTER=5f0c6a7e-3b1d-4e52-9a8c-2d7f1e6b4a10
EXTNET=b2e4d1c8-7a6f-4f3e-8d21-9c0b5a4e3f72
QR_A=qr-1a2b3c4d-5e
QR_B=qr-6f7a8b9c-0d
SG=sg-2b3c4d5e-6f
QG=qg-7a8b9c0d-1e
FG=fg-3c4d5e6f-70
RFP=rfp-5f0c6a7e-3
FPR=fpr-5f0c6a7e-3
TAP1=tap9e8d7c6b-5a
TAP2=tap4f3e2d1c-0b

vsctl() { ovs-vsctl --timeout=10 "$@"; }
for br in br-int br-tun br-phy br-ex; do
    vsctl add-br $br -- set bridge $br datapath_type=netdev \
        protocols=OpenFlow10,OpenFlow13
done
vsctl set bridge br-int fail_mode=secure -- set bridge br-tun fail_mode=secure
vsctl add-port br-int patch-tun -- set interface patch-tun type=patch \
        options:peer=patch-int \
    -- add-port br-tun patch-int -- set interface patch-int type=patch \
        options:peer=patch-tun
vsctl add-port br-tun vxlan-c6120c0c -- set interface vxlan-c6120c0c \
    type=vxlan options:local_ip=198.18.1.10 options:remote_ip=198.18.1.11 \
    options:in_key=flow options:out_key=flow options:dst_port=4789 \
    options:df_default=true
ip addr add 198.18.1.10/24 dev br-phy
ip link set br-phy up

# Router-side devices: OVS internal ports moved into router namespaces.
ip netns add "qrouter-$ROUTER"
ip netns add "snat-$ROUTER"
ip netns add "fip-$EXTNET"
add_internal() {  # bridge dev tag namespace cidr
    vsctl add-port "$1" "$2" tag="$3" -- set interface "$2" type=internal
    ip link set "$2" netns "$4"
    ip -n "$4" addr add "$5" dev "$2"
    ip -n "$4" link set "$2" up
}
add_internal br-int $QR_A 1 "qrouter-$ROUTER" 198.19.11.1/24
add_internal br-int $QR_B 2 "qrouter-$ROUTER" 198.19.12.1/24
add_internal br-int $SG 1 "snat-$ROUTER" 198.19.11.3/24
vsctl add-port br-ex $QG -- set interface $QG type=internal
ip link set $QG netns "snat-$ROUTER"
ip -n "snat-$ROUTER" addr add 198.18.100.100/24 dev $QG
ip -n "snat-$ROUTER" link set $QG up
vsctl add-port br-ex $FG -- set interface $FG type=internal
ip link set $FG netns "fip-$EXTNET"
ip -n "fip-$EXTNET" addr add 198.18.100.101/24 dev $FG
ip -n "fip-$EXTNET" link set $FG up
ip link add $RFP type veth peer name $FPR
ip link set $RFP netns "qrouter-$ROUTER"
ip link set $FPR netns "fip-$EXTNET"
ip -n "qrouter-$ROUTER" addr add 169.254.106.114/31 dev $RFP
ip -n "fip-$EXTNET" addr add 169.254.106.115/31 dev $FPR
ip -n "qrouter-$ROUTER" link set $RFP up
ip -n "fip-$EXTNET" link set $FPR up
for ns in "qrouter-$ROUTER" "snat-$ROUTER" "fip-$EXTNET"; do
    ip -n "$ns" link set lo up
done
ip netns exec "qrouter-$ROUTER" sysctl -qw net.ipv4.ip_forward=1

# Two guests on subnets A and B, plugged into br-int through veths
# (tx offload off: a netdev bridge does not fix partial checksums).
add_guest() {  # ns tap tag cidr gateway
    ip netns add "$1"
    ip link add "$2" type veth peer name eth0 netns "$1"
    ethtool -K "$2" tx off >/dev/null 2>&1 || true
    ip netns exec "$1" ethtool -K eth0 tx off >/dev/null 2>&1 || true
    ip link set "$2" up
    vsctl add-port br-int "$2" tag="$3"
    ip -n "$1" addr add "$4" dev eth0
    ip -n "$1" link set eth0 up
    ip -n "$1" link set lo up
    ip -n "$1" route add default via "$5"
}
add_guest npt-guest-a $TAP1 1 198.19.11.10/24 198.19.11.1
add_guest npt-guest-b $TAP2 2 198.19.12.10/24 198.19.12.1

# Neutron-like flows (tables of neutron_lib ovs_constants; cookies as the
# agent sets them).  OpenFlow13 so goto_table and set_field round-trip.
C=0x8f1e2d3c4b5a6978
ofctl() { ovs-ofctl -O OpenFlow13 "$@"; }
ofctl del-flows br-int
ofctl add-flows br-int - <<EOF
cookie=$C,table=0,priority=65535,vlan_tci=0x0fff/0x1fff,actions=drop
cookie=$C,table=0,priority=10,arp,in_port=$TAP1,actions=goto_table:24
cookie=$C,table=0,priority=2,in_port=patch-tun,actions=drop
cookie=$C,table=0,priority=0,actions=goto_table:60
cookie=$C,table=1,priority=20,ip,dl_vlan=1,dl_dst=fa:16:3e:11:22:33,nw_dst=198.19.11.0/24,actions=pop_vlan,set_field:fa:16:3e:aa:bb:01->eth_src,output:$TAP1
cookie=$C,table=24,priority=2,arp,in_port=$TAP1,arp_spa=198.19.11.10,actions=goto_table:60
cookie=$C,table=24,priority=0,actions=drop
cookie=$C,table=60,priority=3,actions=NORMAL
EOF
ofctl del-flows br-tun
ofctl add-flows br-tun - <<EOF
cookie=$C,table=0,priority=1,in_port=patch-int,actions=goto_table:1
cookie=$C,table=0,priority=1,in_port=vxlan-c6120c0c,actions=goto_table:4
cookie=$C,table=0,priority=0,actions=drop
cookie=$C,table=1,priority=3,arp,dl_vlan=1,arp_tpa=198.19.11.1,actions=drop
cookie=$C,table=1,priority=2,dl_vlan=1,dl_dst=fa:16:3e:aa:bb:01,actions=drop
cookie=$C,table=1,priority=1,dl_vlan=1,dl_src=fa:16:3e:aa:bb:01,actions=set_field:fa:16:3f:00:00:0a->eth_src,goto_table:2
cookie=$C,table=1,priority=0,actions=goto_table:2
cookie=$C,table=2,priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:20
cookie=$C,table=2,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:22
cookie=$C,table=4,priority=1,tun_id=0x3e9,actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:9
cookie=$C,table=4,priority=0,actions=drop
cookie=$C,table=9,priority=0,actions=goto_table:10
cookie=$C,table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,cookie=$C,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:patch-int
cookie=$C,table=20,priority=0,actions=goto_table:22
cookie=$C,table=22,priority=1,dl_vlan=1,actions=pop_vlan,set_field:0x3e9->tun_id,output:vxlan-c6120c0c
cookie=$C,table=22,priority=0,actions=drop
EOF

# Traffic: guest A pings guest B across the router (and a few broadcasts
# reach br-tun through the patch port).
ip netns exec npt-guest-a ping -q -c 50 -i 0.01 -s 1000 198.19.12.10 \
    >"$WORK/ping.txt"
ip netns exec npt-guest-a ping -q -c 3 -i 0.2 -b 198.19.11.255 \
    >/dev/null 2>&1 || true
sleep 1

ip -j netns list >"$OUT/ip-netns-list.json"
ip netns exec "qrouter-$ROUTER" ip -j -s link >"$OUT/ip-s-link-qrouter.json"
ip netns exec "snat-$ROUTER" ip -j -s link >"$OUT/ip-s-link-snat.json"
ip netns exec "fip-$EXTNET" ip -j -s link >"$OUT/ip-s-link-fip.json"
for br in br-int br-tun; do
    ovs-ofctl dump-flows $br >"$OUT/dump-flows-$br.txt"
    ovs-ofctl -O OpenFlow13 dump-flows $br >"$OUT/dump-flows-$br-of13.txt"
done
# The live port counters, read by the very command the inspector runs.
PORTS_COMMAND=$(PYTHONPATH="$REPO" "$PYTHON" -c 'from openstack_netperf.hosts \
import inspect; print(inspect.ovs_ports_command())')
sh -c "$PORTS_COMMAND" >"$OUT/ovs-ports.txt"
{
    echo "captured: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "iproute2: $(ip -V)"
    echo "openvswitch: $(ovs-vswitchd --version | head -1)"
    echo "ping: $(ping -V | head -1)"
    echo "guest ping summary: $(tail -2 "$WORK/ping.txt" | tr '\n' ' ')"
} >"$OUT/versions.txt"
echo "captures written to $OUT"
if [ -n "${NPT_CAPTURE_THEN:-}" ]; then
    sh -c "$NPT_CAPTURE_THEN"
fi

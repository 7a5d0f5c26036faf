#!/bin/bash
# Capture real iperf3 and ping output for the parser tests in
# tests/unit/data/{iperf3,ping}/ (see the README there).
#
# Two network namespaces joined by a veth pair, 198.18.250.1/30 (client)
# and 198.18.250.2/30 (server); nothing is routed out of them.  Loss is
# induced with nftables rules inside the server namespace (the kernel may
# lack sch_netem).  Everything created here is removed on exit, and only
# the PIDs started here are killed.
#
# Usage (root): tools/capture-measure-data.sh [OUTPUT_DIR]
# OUTPUT_DIR defaults to tests/unit/data; files are overwritten.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-tests/unit/data}
CLI_NS=npm-cap-cli
SRV_NS=npm-cap-srv
CLI_DEV=npm-cap-c
SRV_DEV=npm-cap-s
CLI_IP=198.18.250.1
SRV_IP=198.18.250.2
BCAST_IP=198.18.250.3
NOROUTE_IP=198.18.251.1
PORT=5201
CLOSED_PORT=5299
SERVER_PID=

if [ "$(id -u)" -ne 0 ]; then
    echo "Run as root: this creates network namespaces." >&2
    exit 1
fi

"$(dirname "$0")/install-prereqs.sh" --debs capture

for ns in "$CLI_NS" "$SRV_NS"; do
    if ip netns list | grep -qw "$ns"; then
        echo "Namespace $ns exists: another capture running, or left over" \
             "(remove it with: ip netns delete $ns)" >&2
        exit 1
    fi
done

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    # Deleting a namespace deletes the veth end inside it, and its peer.
    ip netns delete "$CLI_NS" 2>/dev/null || true
    ip netns delete "$SRV_NS" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { ip netns exec "$CLI_NS" "$@"; }
srv() { ip netns exec "$SRV_NS" "$@"; }

ip netns add "$CLI_NS"
ip netns add "$SRV_NS"
ip link add "$CLI_DEV" netns "$CLI_NS" type veth \
    peer name "$SRV_DEV" netns "$SRV_NS"
cli ip link set lo up
srv ip link set lo up
cli ip addr add "$CLI_IP/30" dev "$CLI_DEV"
srv ip addr add "$SRV_IP/30" dev "$SRV_DEV"
cli ip link set "$CLI_DEV" up
srv ip link set "$SRV_DEV" up

mkdir -p "$OUT/iperf3" "$OUT/ping"

# Server rules live in one nftables table that each case rebuilds.
set_rules() {
    srv nft delete table inet npm 2>/dev/null || true
    srv nft delete table arp npm 2>/dev/null || true
    if [ $# -gt 0 ]; then
        srv nft -f - <<EOF
$*
EOF
    fi
}

start_server() {
    srv iperf3 -s -p "$PORT" -1 >/dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do
        if srv ss -Hltn "sport = :$PORT" | grep -q LISTEN; then
            return 0
        fi
        sleep 0.1
    done
    echo "iperf3 server did not start listening on port $PORT" >&2
    exit 1
}

stop_server() {
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# One iperf3 client run against a fresh one-off server.
iperf() {
    local name=$1; shift
    echo "iperf3 $name: $*"
    start_server
    cli iperf3 -c "$SRV_IP" -p "$PORT" --json "$@" \
        >"$OUT/iperf3/$name.json" || true
    stop_server
}

iperf tcp -t 3 -O 0 -i 1
iperf tcp_reverse -t 3 -O 0 -i 1 -R
iperf tcp_parallel2 -t 3 -O 0 -i 1 -P 2
iperf tcp_omit -t 5 -O 2 -i 1
iperf udp -t 3 -O 0 -i 1 -u -b 50M
iperf udp_reverse -t 3 -O 0 -i 1 -u -b 50M -R
# Every tenth UDP datagram to the server is dropped: loss and jitter.
set_rules "table inet npm { chain in { type filter hook input priority 0;
    udp dport $PORT numgen inc mod 10 == 5 drop; }; }"
iperf udp_loss -t 3 -O 0 -i 1 -u -b 20M -l 1200
# The same rule dropping the very first datagram (iperf3's UDP "connect"
# message): iperf3 fails mid-test and says so in the JSON.
set_rules "table inet npm { chain in { type filter hook input priority 0;
    udp dport $PORT numgen inc mod 10 == 0 drop; }; }"
iperf udp_handshake_lost -t 3 -O 0 -i 1 -u -b 20M -l 1200
set_rules

echo "iperf3 refused"
cli iperf3 -c "$SRV_IP" -p "$CLOSED_PORT" --json -t 3 \
    >"$OUT/iperf3/refused.json" || true
cli iperf3 --version >"$OUT/iperf3/version.txt"
# A guest without iperf3, as dash and busybox sh report it.
env PATH=/nonexistent /bin/sh -c 'iperf3 --version' \
    >"$OUT/iperf3/not_found_dash.txt" 2>&1 || true
env PATH=/nonexistent /bin/busybox sh -c 'iperf3 --version' \
    >"$OUT/iperf3/not_found_busybox.txt" 2>&1 || true

# ping: stdout and stderr together, as a caller joining both would see.
pings() {
    local name=$1; shift
    echo "ping $name: $*"
    cli ping "$@" >"$OUT/ping/iputils_$name.txt" 2>&1 || true
    cli busybox ping "$@" >"$OUT/ping/busybox_$name.txt" 2>&1 || true
}

pings normal -c 30 -i 0.2 "$SRV_IP"
pings size -c 15 -i 0.2 -s 1400 "$SRV_IP"
# Every fourth echo request is dropped: a deterministic loss pattern
# (each run gets a fresh counter).
loss_rules="table inet npm { chain in { type filter hook input priority 0;
    icmp type echo-request numgen inc mod 4 == 1 drop; }; }"
echo "ping loss: -c 30 -i 0.2 $SRV_IP"
set_rules "$loss_rules"
cli ping -c 30 -i 0.2 "$SRV_IP" >"$OUT/ping/iputils_loss.txt" 2>&1 || true
set_rules "$loss_rules"
cli busybox ping -c 30 -i 0.2 "$SRV_IP" \
    >"$OUT/ping/busybox_loss.txt" 2>&1 || true
# Every echo request dropped: 100% loss, ended by the deadline.
set_rules "table inet npm { chain in { type filter hook input priority 0;
    icmp type echo-request drop; }; }"
pings total_loss -c 5 -i 0.2 -w 3 "$SRV_IP"
# The server answers no ARP: the kernel reports the host unreachable.
set_rules "table arp npm { chain in { type filter hook input priority 0;
    drop; }; }"
cli ip neigh flush dev "$CLI_DEV"
pings host_unreachable -c 6 -i 0.5 -w 5 "$SRV_IP"
set_rules
# No route at all: ping fails before sending anything.
pings network_unreachable -c 3 "$NOROUTE_IP"
# Broadcast: both namespaces answer, so replies come twice (DUP!).
cli sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
srv sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
echo "ping broadcast"
cli ping -b -c 5 -i 0.2 "$BCAST_IP" \
    >"$OUT/ping/iputils_broadcast.txt" 2>&1 || true
cli busybox ping -c 5 -i 0.2 "$BCAST_IP" \
    >"$OUT/ping/busybox_broadcast.txt" 2>&1 || true

versions() {
    echo "# Tool versions of the last capture"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "iperf3: $(iperf3 --version | head -n 1)"
    echo "iputils-ping: $(dpkg-query -W -f='${Version}' iputils-ping)"
    echo "busybox: $(dpkg-query -W -f='${Version}' busybox)"
    echo "nftables: $(dpkg-query -W -f='${Version}' nftables)"
}
versions >"$OUT/iperf3/VERSIONS.txt"
versions >"$OUT/ping/VERSIONS.txt"
echo "Captured into $OUT"

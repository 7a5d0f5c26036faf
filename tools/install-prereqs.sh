#!/bin/bash
# Install what the project's tox environments need on a fresh Debian 12
# machine (run as root): the test tools, and the guest image build's host
# tools. Idempotent: packages already present are skipped.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# The project's Debian package lists, one group per file (a package per
# line, '#' comments): tox's build needs, the tests' tools, the image build.
DEBS_DIR=$REPO/openstack_netperf/sandbox/debs
mapfile -t DEBS < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' \
    "$DEBS_DIR/dev" "$DEBS_DIR/tests" "$DEBS_DIR/image" \
    | awk 'NF && !seen[$0]++')

missing=()
for pkg in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' \
        || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing Debian packages: ${missing[*]}; run as root or install them." >&2
        exit 1
    fi
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# tox lives in its own venv so the system Python stays untouched.
TOOLS_VENV=${NETPERF_TOOLS_VENV:-$REPO/.ci-venv}
if [ ! -x "$TOOLS_VENV/bin/tox" ]; then
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install -q --upgrade pip
    "$TOOLS_VENV/bin/pip" install -q 'tox>=4.0.0'
fi
echo "$TOOLS_VENV"

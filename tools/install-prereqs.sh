#!/bin/bash
# Install what the project's tox environments need on a fresh Debian 12
# machine (run as root): the test tools, and the guest image build's host
# tools, then tox in its own venv, whose path it prints last.
# Idempotent: packages already present are skipped.
#
#   tools/install-prereqs.sh              everything the tests need
#   tools/install-prereqs.sh --debs G...  only the Debian package groups G
#                                         (files of openstack_netperf/sandbox/debs)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# The project's Debian package lists, one group per file (a package per
# line, '#' comments): tox's build needs, the tests' tools, the image build.
DEBS_DIR=$REPO/openstack_netperf/sandbox/debs
GROUPS_WANTED=(dev tests image)
ONLY_DEBS=0
if [ "${1:-}" = --debs ]; then
    shift
    GROUPS_WANTED=("$@")
    ONLY_DEBS=1
fi
lists=()
for group in "${GROUPS_WANTED[@]}"; do
    if [ ! -f "$DEBS_DIR/$group" ]; then
        echo "No Debian package group $group in $DEBS_DIR" >&2
        exit 2
    fi
    lists+=("$DEBS_DIR/$group")
done
mapfile -t DEBS < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" \
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

[ "$ONLY_DEBS" = 1 ] && exit 0

# tox lives in its own venv so the system Python stays untouched.
TOOLS_VENV=${NETPERF_TOOLS_VENV:-$REPO/.ci-venv}
if [ ! -x "$TOOLS_VENV/bin/tox" ]; then
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install -q --upgrade pip
    "$TOOLS_VENV/bin/pip" install -q 'tox>=4.0.0'
fi
echo "$TOOLS_VENV"

#!/bin/bash
# The project's test command (README "Run the tests"): installs what it
# needs, then runs style checks, unit tests and the docs build, printing
# how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
    local name=$1; shift
    local start=$SECONDS
    echo "==> stage $name"
    "$@"
    echo "==> stage $name: $((SECONDS - start)) s"
}

venv=$(tools/install-prereqs.sh | tail -n 1)
TOX="$venv/bin/tox"
stage pep8 "$TOX" -e pep8
stage unit "$TOX" -e py3
stage docs "$TOX" -e docs

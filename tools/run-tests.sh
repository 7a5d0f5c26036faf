#!/bin/bash
# The project's test command (README "Run the tests"): installs what it
# needs, then runs style checks, unit tests and the docs build, printing
# how long each stage took and, last, the test counts.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/stage.sh
. tools/stage.sh

venv=$(tools/install-prereqs.sh | tail -n 1)
TOX="$venv/bin/tox"
unit_log=$(mktemp)
trap 'rm -f "$unit_log"' EXIT

stage pep8 "$TOX" -e pep8
# shellcheck disable=SC2016  # expanded by the inner bash
stage unit bash -o pipefail -c '"$0" -e py3 | tee "$1"' "$TOX" "$unit_log"
stage docs "$TOX" -e docs

count() { sed -n "s/^ - $1: \([0-9]*\).*/\1/p" "$unit_log" | tail -n 1; }
echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"

# shellcheck shell=bash
# Sourced by the project's commands: run one named stage and print how
# long it took (and its exit status when it failed), so every run shows
# where its time went.  Returns the stage's status.
stage() {
    local name=$1; shift
    local start=$SECONDS status=0
    echo "==> stage $name"
    "$@" || status=$?
    if [ "$status" -eq 0 ]; then
        echo "==> stage $name: $((SECONDS - start)) s"
    else
        echo "==> stage $name: $((SECONDS - start)) s, FAILED (exit $status)"
    fi
    return "$status"
}

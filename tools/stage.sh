# Sourced by the project's commands: run one named stage and print how
# long it took, so every run shows where its time went.
stage() {
    local name=$1; shift
    local start=$SECONDS
    echo "==> stage $name"
    "$@"
    echo "==> stage $name: $((SECONDS - start)) s"
}

#!/usr/bin/env bash
# Runs every fuzz target of volte, one after the other, for SECONDS each
# (default 60), with cargo-fuzz. A crash stops the script and leaves its input
# in fuzz/artifacts/TARGET/; copy it to tests/fixtures/fuzz/TARGET/ once fixed.
#
#   fuzz/run.sh 300            five minutes per target
#   fuzz/run.sh 60 matcher     one target
#
# cargo-fuzz needs a nightly compiler; on stable, RUSTC_BOOTSTRAP=1 stands in.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rulebook front_matter sentences matcher)
fi
export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    # Seeds: the project's own files and the kept crash inputs.
    case "$target" in
        rulebook) seeds=(rules/*.yaml) ;;
        *) seeds=(corpus/*.md) ;;
    esac
    cp -n "${seeds[@]}" "$corpus/" 2>/dev/null || true
    if [ -d "tests/fixtures/fuzz/$target" ]; then
        cp -n tests/fixtures/fuzz/"$target"/* "$corpus/" 2>/dev/null || true
    fi
    echo "== fuzz $target for ${seconds}s"
    start=$(date +%s)
    cargo fuzz run --fuzz-dir fuzz "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536
    echo "== $target: $(( $(date +%s) - start ))s, no crash"
done

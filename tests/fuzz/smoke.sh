#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (own build directory, parser sources
# only) and runs each one briefly on its committed corpus, so an input that once
# crashed a parser keeps being tried on every test run.
#   PARLEY_FUZZ_SECONDS=5 bash tests/fuzz/smoke.sh [build-dir]   # 0: build only
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${1:-$root/build/fuzz}
seconds=${PARLEY_FUZZ_SECONDS:-5}
cxx=${PARLEY_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
[ "$seconds" -gt 0 ] || exit 0

# New inputs go to a scratch directory, not into the committed corpus.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for corpus in "$here"/corpus/*/; do
    target=$(basename "$corpus")
    mkdir -p "$scratch/$target"
    if "$build_dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$scratch/" "$scratch/$target" "$corpus" >"$scratch/$target.log" 2>&1; then
        printf '[fuzz] %-24s ok   %s\n' "$target" "$(grep -o 'stat::number_of_executed_units: [0-9]*\|#[0-9]*.*DONE.*' "$scratch/$target.log" | tail -1)"
    else
        status=1
        printf '[fuzz] %-24s FAILED\n' "$target"
        tail -n 60 "$scratch/$target.log"
        for artifact in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
            [ -e "$artifact" ] && { echo "[fuzz] reproducer (base64): $artifact"; base64 -w0 "$artifact"; echo; }
        done
    fi
done
exit $status

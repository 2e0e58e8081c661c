#!/usr/bin/env bash
# Long libFuzzer runs of the parser targets (tests/fuzz), at the lowest CPU
# priority, each on a corpus directory that grows between runs (outside the
# repository). Prints one row per target, summed over every run on that corpus
# directory: CPU time, executions, coverage (cov: edges, ft: features) at the
# end, corpus size and crashes found.
#   bash bench/fuzz/run.sh                       # every target, 10 min each, 2 at a time
#   PARLEY_FUZZ_SECONDS=3600 PARLEY_FUZZ_LANES=2 bash bench/fuzz/run.sh fuzz_socketio fuzz_jwt
#   PARLEY_FUZZ_CORPUS=/path/to/corpora          # default: build/fuzz-corpus
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${PARLEY_FUZZ_BUILD_DIR:-$root/build/fuzz}
corpora=${PARLEY_FUZZ_CORPUS:-$root/build/fuzz-corpus}
seconds=${PARLEY_FUZZ_SECONDS:-600}
lanes=${PARLEY_FUZZ_LANES:-2}
seeds=$root/tests/fuzz/corpus

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for dir in "$seeds"/*/; do targets+=("$(basename "$dir")"); done
fi

# Builds unless told the targets are there already (the smoke run builds them too).
if [ -z "${PARLEY_FUZZ_NO_BUILD:-}" ]; then
    PARLEY_FUZZ_SECONDS=0 bash "$root/tests/fuzz/smoke.sh" "$build_dir" >/dev/null
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$corpora"

run_target() {
    local target=$1 dir=$corpora/$1 log=$corpora/$1.log
    mkdir -p "$dir" "$corpora/artifacts"
    # A crash ends a libFuzzer run; start again (the reproducer is kept) until the time is up.
    local end=$((SECONDS + seconds)) crashes=0 left
    while left=$((end - SECONDS)); [ "$left" -gt 0 ]; do
        if /usr/bin/time -a -o "$corpora/$target.cpu" -f '%U %S' \
            nice -n 19 "$build_dir/$target" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$corpora/artifacts/$target-" \
            "$dir" "$seeds/$target" >>"$log" 2>&1; then
            break
        fi
        crashes=$((crashes + 1))
        [ "$crashes" -ge 20 ] && break
    done
    echo "$crashes" >>"$corpora/$target.crashes"
}

report() {
    printf '%-22s %10s %14s %8s %8s %8s %8s\n' target cpu-s executions cov ft corpus crashes
    for target in "${targets[@]}"; do
        local log=$corpora/$target.log
        [ -f "$log" ] || continue
        local cpu execs line
        cpu=$(awk '{ s += $1 + $2 } END { printf "%.0f", s }' "$corpora/$target.cpu" 2>/dev/null || echo 0)
        execs=$(awk '/stat::number_of_executed_units/ { s += $NF } END { print s + 0 }' "$log")
        line=$(grep -E '^#[0-9]+' "$log" | tail -1)
        printf '%-22s %10s %14s %8s %8s %8s %8s\n' "$target" "$cpu" "$execs" \
            "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")" \
            "$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")" \
            "$(find "$corpora/$target" -type f | wc -l)" \
            "$(awk '{ s += $1 } END { print s + 0 }' "$corpora/$target.crashes" 2>/dev/null)"
    done
}

if [ -n "${PARLEY_FUZZ_REPORT_ONLY:-}" ]; then
    report
    exit 0
fi
running=0
for target in "${targets[@]}"; do
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$lanes" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait
report

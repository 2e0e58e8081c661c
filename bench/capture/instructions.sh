#!/bin/sh
# Instructions per frame of each bench/capture variant, counted by callgrind: the same
# on a busy machine as on an idle one, where the CPU times of parley-bench-capture
# move by several percent between runs. Counts the measured run and its warm-up
# (frames + frames/10). Usage: instructions.sh BUILD_DIR [FRAMES]
set -eu
build=${1:?usage: instructions.sh BUILD_DIR [FRAMES]}
frames=${2:-40000}
bench="$build/bench/capture"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
counted=$((frames / 4 * 4 + frames / 10 / 4 * 4))
for variant in out off on lean; do
    program="$bench/parley-bench-capture"
    [ "$variant" = out ] && program="$bench/parley-bench-capture-out"
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$variant" --toggle-collect='*run*Workload*' \
        "$program" --raw "$variant" --frames "$frames" >/dev/null 2>"$work/log.$variant"
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/log.$variant")
    echo "$variant $ir"
done | awk -v n="$counted" '
    $1 == "out" { base = $2 }
    { printf "  %-5s %9.0f instructions/frame", $1, $2 / n; if ($1 != "out") printf "  %+6.1f%% vs compiled out", 100 * ($2 - base) / base; printf "\n" }'

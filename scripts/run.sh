#!/usr/bin/env bash
# Builds Parley (Release) on a fresh Debian 12 machine and runs it.
#   bash scripts/run.sh               # the desktop app hosting a local server: parley --host
#   bash scripts/run.sh --headless    # the server alone: parley-server
# Further arguments go to the program, e.g. bash scripts/run.sh --headless --listen 0.0.0.0:7275
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build_dir=${PARLEY_BUILD_DIR:-$root/build/release}

headless=0
args=()
for arg in "$@"; do
    case "$arg" in
        --headless) headless=1 ;;
        --host) ;;
        *) args+=("$arg") ;;
    esac
done

bash scripts/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)"

app=$build_dir/app/parley
server=$build_dir/server/cli/parley-server
if [ "$headless" = 0 ] && [ -x "$app" ]; then
    exec "$app" --host ${args[@]+"${args[@]}"}
fi
exec "$server" ${args[@]+"${args[@]}"}

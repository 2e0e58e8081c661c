#!/usr/bin/env bash
# Runs every Parley test on a fresh Debian 12 machine: installs the apt and npm
# dependencies, builds with AddressSanitizer + UndefinedBehaviorSanitizer and
# warnings as errors, then runs ctest headless (offscreen Qt, a private D-Bus
# session with an unlocked gnome-keyring for the QtKeychain tests).
#   PARLEY_SANITIZE=OFF bash scripts/test.sh   # a plain build instead
#   CTEST_ARGS="-R tst_socketio" bash scripts/test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
build_dir=${PARLEY_BUILD_DIR:-$root/build/test}
sanitize=${PARLEY_SANITIZE:-ON}

phase_start=$SECONDS
phase() {
    local now=$SECONDS
    if [ -n "${phase_name:-}" ]; then
        printf '[phase] %-28s %4ds\n' "$phase_name" $((now - phase_start))
    fi
    phase_name=$1
    phase_start=$now
    [ -n "$phase_name" ] && printf '[phase] %s ...\n' "$phase_name"
    return 0
}

phase "install apt packages"
bash scripts/install-deps.sh

phase "install npm packages"
for dir in tests/interop; do
    if [ -f "$dir/package-lock.json" ]; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
done

phase "configure"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DPARLEY_WERROR=ON -DPARLEY_SANITIZE="$sanitize" -DPARLEY_FAULT_POINTS=ON >/dev/null

phase "build"
cmake --build "$build_dir" -j "$(nproc)"

phase "ctest"
# Throwaway homes: tests never touch the user's data, keyring or settings.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/runtime"
export XDG_RUNTIME_DIR=$scratch/runtime
export XDG_DATA_HOME=$scratch/data XDG_CONFIG_HOME=$scratch/config XDG_CACHE_HOME=$scratch/cache
export QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CTEST_OUTPUT_ON_FAILURE=1
status=0
dbus-run-session -- bash -c '
    echo -n parley-ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    ctest --test-dir "$0" -j "$(nproc)" --timeout 600 $1
' "$build_dir" "${CTEST_ARGS:-}" || status=$?

phase "fuzz smoke"
bash tests/fuzz/smoke.sh "$(dirname "$build_dir")/fuzz" || status=1
phase ""
exit $status

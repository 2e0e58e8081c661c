#!/usr/bin/env bash
# Installs everything Parley needs to build, run and test on a fresh Debian 12 machine.
# Safe to run again: apt and npm skip what is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  cmake ninja-build g++ pkg-config git ca-certificates \
  qt6-base-dev qt6-base-dev-tools qt6-qpa-plugins \
  qt6-declarative-dev qt6-declarative-dev-tools qt6-websockets-dev \
  libqt6sql6-sqlite qtkeychain-qt6-dev \
  qml6-module-qtqml qml6-module-qtqml-workerscript qml6-module-qtqml-models \
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates \
  qml6-module-qtquick-layouts qml6-module-qtquick-window qml6-module-qttest \
  libssl-dev libsodium-dev libgl-dev fonts-dejavu-core strace sqlite3 \
  clang-14 libclang-rt-14-dev \
  xvfb xauth \
  dbus-daemon gnome-keyring libsecret-1-0 >/dev/null

# Node runs the interop tests (socket.io-client from npm). Keep a Node that is already
# there (Debian's nodejs would replace a newer one); install Debian's only when missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

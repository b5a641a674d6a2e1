#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need (only the missing ones).
set -euo pipefail

pkgs=(
  build-essential pkg-config meson ninja-build python3
  nettle-dev libgmp-dev libglib2.0-dev libglib2.0-bin libsqlite3-dev
  gettext
  openssl gnutls-bin
  glib-networking libsoup-3.0-dev
  clang llvm
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

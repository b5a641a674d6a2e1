#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs the demo: a TLS server and
# client in one process over loopback.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$here/build}

"$here/scripts/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$here"
fi
ninja -C "$builddir" examples/demo
exec "$builddir/examples/demo" "$@"

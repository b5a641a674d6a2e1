#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs the whole test suite.
# Extra arguments go to `meson setup` (e.g. -Db_sanitize=address,undefined).
# BUILDDIR picks the build directory (default: ./build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$here/build}

"$here/scripts/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$here" "$@"
fi
ninja -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=$?
python3 "$here/scripts/count-tests.py" "$builddir/meson-logs/testlog.json" || true
exit $status

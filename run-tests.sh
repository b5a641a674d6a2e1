#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs the whole test suite.
# Extra arguments go to `meson setup` (e.g. -Db_sanitize=address,undefined).
# BUILDDIR picks the build directory (default: ./build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$here/build}

echo "== 1/4 Debian packages (scripts/install-deps.sh)"
"$here/scripts/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  echo "== 2/4 Configuring the build in $builddir (meson setup)"
  # The API reference is part of what CI checks when gi-docgen is there
  # (install-deps.sh installs it).
  docs=()
  if command -v gi-docgen >/dev/null; then docs=(-Ddocs=true); fi
  meson setup "$builddir" "$here" "${docs[@]}" "$@"
fi
echo "== 3/4 Building (ninja)"
ninja -C "$builddir"
echo "== 4/4 Running the tests (meson test; each line is one test)"

status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=$?
python3 "$here/scripts/count-tests.py" "$builddir/meson-logs/testlog.json" || true
exit $status

#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs the demo: a GIO TLS server and
# client in one process over loopback, through this project's GIO module, printing what they
# negotiated.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$here/build}

echo "== 1/3 Debian packages (scripts/install-deps.sh)"
"$here/scripts/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  echo "== 2/3 Configuring the build in $builddir (meson setup)"
  meson setup "$builddir" "$here"
fi
echo "== 2/3 Building the module, the demo and gtls-tool (ninja)"
ninja -C "$builddir" examples/demo gio-module/libgiotlslite.so tools/gtls-tool
echo "== 3/3 The demo (examples/demo.c)"
# GIO_EXTRA_MODULES adds the build tree's module to the system's; GIO_USE_TLS picks it.
export GIO_EXTRA_MODULES=$builddir/gio-module${GIO_EXTRA_MODULES:+:$GIO_EXTRA_MODULES}
export GIO_USE_TLS=tlslite
exec "$builddir/examples/demo" "$@"

#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs the demo: a GIO TLS server and
# client in one process over loopback, through this project's GIO module, printing what they
# negotiated.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$here/build}

"$here/scripts/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$here"
fi
ninja -C "$builddir" examples/demo gio-module/libgiotlslite.so
# GIO_EXTRA_MODULES adds the build tree's module to the system's; GIO_USE_TLS picks it.
export GIO_EXTRA_MODULES=$builddir/gio-module${GIO_EXTRA_MODULES:+:$GIO_EXTRA_MODULES}
export GIO_USE_TLS=tlslite
exec "$builddir/examples/demo" "$@"

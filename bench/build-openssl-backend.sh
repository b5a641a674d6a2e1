#!/bin/sh
# bench/build-openssl-backend.sh: builds glib-networking 2.74's openssl GIO TLS backend out of tree, for bench-gio's third column.
#
# usage: bench/build-openssl-backend.sh SRC_DIR BUILD_DIR
#   SRC_DIR    a glib-networking 2.74 source tree you provide (the GNOME
#              tarball glib-networking-2.74.0.tar.xz, or git tag 2.74.0 of
#              https://gitlab.gnome.org/GNOME/glib-networking); this script
#              downloads nothing
#   BUILD_DIR  where to build (created, or reconfigured if it exists)
#
# Debian 12 packages only glib-networking's gnutls backend. This builds the
# openssl one (libssl-dev 3.0) with the proxy modules off, checks that GIO can
# load it, and prints the directory to give bench-gio:
#   bench-gio --module-dir build/gio-module --openssl-module-dir BUILD_DIR/tls/openssl
# Nothing is installed; nothing of glib-networking is part of this tree.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 SRC_DIR BUILD_DIR" >&2; exit 2; }
src=$1
build=$2

if [ ! -f "$src/meson.build" ] || [ ! -d "$src/tls/openssl" ]; then
  echo "$0: $src is not a glib-networking source tree (no meson.build and tls/openssl/)" >&2
  exit 2
fi
# The version is the project() call's; the bench was set up against 2.74
# (Debian 12's gnutls column is 2.74.0).
version=$(sed -n "s/^ *version: *'\([0-9.]*\)'.*/\1/p" "$src/meson.build" | head -n 1)
case $version in
  2.74.*) ;;
  *) echo "$0: $src is glib-networking '${version:-unknown}', not 2.74.x" >&2; exit 2 ;;
esac
pkg-config --exists openssl || {
  echo "$0: OpenSSL's development files are missing (apt-get install libssl-dev)" >&2
  exit 2
}

# debugoptimized (-O2 -g) as the project's own build; Debian's gnutls module
# is -O2 too.
opts="-Dgnutls=disabled -Dopenssl=enabled -Dlibproxy=disabled -Dgnome_proxy=disabled
      -Denvironment_proxy=disabled -Dbuildtype=debugoptimized"
if [ -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup --reconfigure $opts "$build" "$src"
else
  # shellcheck disable=SC2086
  meson setup $opts "$build" "$src"
fi
ninja -C "$build" tls/openssl/libgioopenssl.so

moddir=$(cd "$build/tls/openssl" && pwd)
# gio-querymodules dlopens every module of the directory and asks which
# extension points it implements: a module that does not load or does not
# register a TLS backend is caught here, not in the middle of a bench run.
querymodules=$(pkg-config --variable=gio_querymodules gio-2.0)
"$querymodules" "$moddir"
grep -q '^libgioopenssl.so: .*gio-tls-backend' "$moddir/giomodule.cache" || {
  echo "$0: $moddir/libgioopenssl.so did not register a gio-tls-backend:" >&2
  cat "$moddir/giomodule.cache" >&2
  exit 1
}
echo "glib-networking $version openssl backend: $moddir"
echo "GIO_USE_TLS=openssl GIO_MODULE_DIR=$moddir loads it; for bench-gio: --openssl-module-dir $moddir"

#!/usr/bin/env bash
# meson install into a temporary DESTDIR: library, headers, .pc, GIR/typelib,
# the module under the prefix's giomoduledir; then a program built from the
# installed .pc runs against the installed library and module.
# Arguments: BUILDDIR PREFIX LIBDIR INCLUDEDIR GIOMODULEDIR DATADIR GIR(yes|no) DOCS(yes|no) VERSION SANITIZE
#            BINDIR MANDIR BASH_COMPLETIONS_DIR LOCALEDIR
set -euo pipefail
build=$1 prefix=$2 libdir=$3 includedir=$4 giomoduledir=$5 datadir=$6 gir=$7 docs=$8 version=$9
sanitize=${10:-none} bindir=${11} mandir=${12} completionsdir=${13} localedir=${14}
# A sanitized library needs a sanitized program (its runtime first).
san=()
if [ "$sanitize" != none ]; then san=(-fsanitize="$sanitize"); export ASAN_OPTIONS=detect_leaks=0; fi

D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { [ -e "$D$1" ] || fail "not installed: $1"; }

meson install -C "$build" --destdir "$D" --no-rebuild --quiet >/dev/null

need "$libdir/libtlslite-gio-1.so"
need "$libdir/libtlslite-gio-1.so.0"
need "$includedir/tlslite-gio-1/tlslite-gio/tlslite.h"
need "$includedir/tlslite-gio-1/tlslite-gio/tlslite-version.h"
need "$libdir/pkgconfig/tlslite-gio-1.pc"
need "$giomoduledir/libgiotlslite.so"
case "$giomoduledir" in
  "$prefix"/*) ;;
  *) fail "module directory $giomoduledir is outside the prefix $prefix" ;;
esac
# gio-querymodules must not run under DESTDIR (the packager's trigger does).
[ ! -e "$D$giomoduledir/giomodule.cache" ] || fail "giomodule.cache written under DESTDIR"
# Private headers stay private.
[ ! -e "$D$includedir/tlslite-gio-1/tlslite-gio/tlslite-types.h" ] || fail "private header installed"
# gtls-tool with its manual page, its bash completion and the catalogues of the one domain.
need "$bindir/gtls-tool"
need "$mandir/man1/gtls-tool.1"
need "$completionsdir/gtls-tool"
case "$completionsdir" in
  "$prefix"/*) ;;
  *) fail "bash completion directory $completionsdir is outside the prefix $prefix" ;;
esac
for lang in de fr; do need "$localedir/$lang/LC_MESSAGES/tlslite-gio.mo"; done
if [ "$gir" = yes ]; then
  need "$datadir/gir-1.0/Tlslite-1.0.gir"
  need "$libdir/girepository-1.0/Tlslite-1.0.typelib"
  # Sanitizer builds: g-ir-scanner also lists the ASan/UBSan runtimes the library links
  # ("libasan.so.8,libubsan.so.1,libtlslite-gio-1.so.0"); ours must be among the names.
  grep -Eq 'shared-library="([^",]+,)*libtlslite-gio-1\.so\.0(,[^"]*)?"' "$D$datadir/gir-1.0/Tlslite-1.0.gir" ||
    fail "GIR does not name libtlslite-gio-1.so.0"
fi
if [ "$docs" = yes ]; then
  need "$datadir/doc/tlslite-gio-1/index.html"
fi
readelf -d "$D$giomoduledir/libgiotlslite.so" | grep -q 'NEEDED.*\[libtlslite-gio-1.so.0\]' ||
  fail "module does not link libtlslite-gio-1.so.0"

pc="$D$libdir/pkgconfig/tlslite-gio-1.pc"
grep -qx "Version: $version" "$pc" || fail ".pc version is not $version"
grep -qx 'Requires: gio-2.0' "$pc" || fail ".pc does not require gio-2.0"
grep -qx 'Libs: -L${libdir} -ltlslite-gio-1' "$pc" || fail ".pc Libs line"
grep -qx 'Cflags: -I${includedir}/tlslite-gio-1' "$pc" || fail ".pc Cflags line"

cat > "$D/prog.c" <<'C'
#include <tlslite-gio/tlslite.h>
#include <gio/gio.h>
#include <stdio.h>
int main (void)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  printf ("%s %s %d\n", tlslite_get_version (), G_OBJECT_TYPE_NAME (backend),
          tlslite_check_version (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION, TLSLITE_MICRO_VERSION));
  return 0;
}
C
grep -qx "prefix=$prefix" "$pc" || fail ".pc prefix is not $prefix"
# Relocated into DESTDIR the way a packager tests it: only our prefix moves,
# gio-2.0 stays the system's.
mkdir "$D/pc"
sed "s|^prefix=.*|prefix=$D$prefix|" "$pc" > "$D/pc/tlslite-gio-1.pc"
flags=$(PKG_CONFIG_PATH="$D/pc" pkg-config --cflags --libs tlslite-gio-1)
case "$flags" in
  *"-I$D$includedir/tlslite-gio-1"*) ;;
  *) fail "pkg-config --cflags gives '$flags'" ;;
esac
# shellcheck disable=SC2086
cc "${san[@]}" -o "$D/prog" "$D/prog.c" $flags
out=$(LD_LIBRARY_PATH="$D$libdir" GIO_MODULE_DIR="$D$giomoduledir" GIO_USE_TLS=tlslite \
      GSETTINGS_BACKEND=memory "$D/prog")
[ "$out" = "$version GTlsBackendTlslite 1" ] || fail "installed program printed '$out'"
echo "installed into $D$prefix: library, headers, .pc, module${gir:+, GIR=$gir}, docs=$docs; $out"

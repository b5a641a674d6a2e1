#!/bin/sh
# bench/callgrind-bulk.sh: user-space instructions per byte of our bulk path (bench-gio's bulk child), writer and reader apart, nettle apart, counted by callgrind.
#
# usage: bench/callgrind-bulk.sh BUILD_DIR SUITE WRITE_SIZE [MIB]
#   SUITE: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 or
#          TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3, X25519, no tickets).
#   WRITE_SIZE: bytes per g_output_stream_write_all (16384 or 1048576).
#   MIB: bytes moved (default 16 MiB).
#
# Only calls inside tlslite_connection_write (the client thread, 01, which
# writes) and tlslite_connection_read (the server thread, 02, which reads)
# are counted, so handshakes and set-up drop out. "crypto" is everything in
# libnettle; the rest is libc, GIO, our module and engine (user space only:
# the kernel's send and receive are not counted).
set -e
[ $# -eq 3 ] || [ $# -eq 4 ] || { echo "usage: $0 BUILD_DIR SUITE WRITE_SIZE [MIB]" >&2; exit 2; }
build=$(cd "$1" && pwd)
suite=$2 wsize=$3 mib=${4:-16}
bin=$build/bench/bench-gio
[ -x "$bin" ] || { echo "$0: no $bin (ninja -C $1 bench/bench-gio)" >&2; exit 2; }
bytes=$((mib * 1048576))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
GIO_USE_TLS=tlslite GIO_MODULE_DIR=$build/gio-module GSETTINGS_BACKEND=memory \
G_TLS_TLSLITE_CIPHERS=$suite G_TLS_TLSLITE_GROUPS=x25519 G_TLS_TLSLITE_NO_TICKETS=1 \
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.%p" \
  --toggle-collect=tlslite_connection_write --toggle-collect=tlslite_connection_read \
  "$bin" child bulk server-ecdsa filedb 3 $bytes "$wsize" 0 0 >"$out/log" 2>&1 ||
  { cat "$out/log" >&2; exit 1; }
for f in "$out"/cg.*-01 "$out"/cg.*-02; do
  case $f in *-01) side=writer ;; *) side=reader ;; esac
  callgrind_annotate "$f" 2>/dev/null | awk -v side=$side -v bytes=$bytes '
    /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
    /libnettle/ { v = $1; gsub(",", "", v); crypto += v }
    END { printf "%s: %.3f instructions/B (crypto %.3f, rest %.3f)\n", side,
          total / bytes, crypto / bytes, (total - crypto) / bytes }'
done

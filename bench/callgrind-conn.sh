#!/bin/sh
# bench/callgrind-conn.sh: user-space instructions per connection of a bench-gio conn row, per thread and per library (crypto apart), counted by callgrind.
#
# usage: bench/callgrind-conn.sh BUILD_DIR ROW BACKEND [N1 N2]
#   ROW: rsa13 (TLS 1.3 RSA-2048), ecdsa13 (TLS 1.3 ECDSA-P256), rsa12
#        (TLS 1.2 ECDHE-RSA); X25519 and AES-128-GCM, no tickets, file
#        database: the settings bench-gio gives these rows (bench/README.md).
#        ecdsa13r: "TLS1.3 ECDSA, resumption on" (tickets on, the client
#        resumes; every connection after the first is a resumed one).
#   BACKEND: tlslite or gnutls.
#   N1 N2: the child runs twice, with N1 and N2 connections (default 10 and
#        30); per connection is the difference divided by N2 - N1, so
#        one-time set-up (module loading, certificate parsing, the first
#        connection's caches) drops out.
#
# Threads: bench-gio's child runs the client in its main thread (01) and the
# server in a second thread (02). glib-networking runs each handshake in a
# GTask worker thread, shared by both ends, so for gnutls the client and
# server threads mostly wait and the work shows under "workers".
# Libraries: crypto = libnettle + libhogweed + libgmp; tlslite = our
# library and module (engine included); gnutls = libgnutls (its record
# layer and handshake, and its own hash/AES code); glib = libglib, libgobject,
# libgio; libc; ld.so = the dynamic linker (lazy binding); other = the rest.
set -e
[ $# -eq 3 ] || [ $# -eq 5 ] || { echo "usage: $0 BUILD_DIR ROW BACKEND [N1 N2]" >&2; exit 2; }
build=$(cd "$1" && pwd)
row=$2 backend=$3 n1=${4:-10} n2=${5:-30}
bin=$build/bench/bench-gio
[ -x "$bin" ] || { echo "$0: no $bin (ninja -C $1 bench/bench-gio)" >&2; exit 2; }
prio12=
case $row in
  rsa13) cert=server-rsa suite=TLS_AES_128_GCM_SHA256 ;;
  ecdsa13) cert=server-ecdsa suite=TLS_AES_128_GCM_SHA256 ;;
  rsa12) cert=server-rsa suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 prio12=":-VERS-TLS1.3:-KX-ALL:+ECDHE-RSA" ;;
  ecdsa13r) cert=server-ecdsa suite=TLS_AES_128_GCM_SHA256 ;;
  *) echo "$0: unknown row '$row' (rsa13, ecdsa13, rsa12, ecdsa13r)" >&2; exit 2 ;;
esac
case $backend in
  tlslite)
    set -- env GIO_USE_TLS=tlslite GIO_MODULE_DIR="$build/gio-module" \
      G_TLS_TLSLITE_GROUPS=x25519 G_TLS_TLSLITE_CIPHERS=$suite
    [ $row = ecdsa13r ] || set -- "$@" G_TLS_TLSLITE_NO_TICKETS=1 BENCH_GIO_NO_RESUME=1
    [ $row = rsa12 ] && set -- "$@" G_TLS_TLSLITE_MAX_VERSION=tls1.2 ;;
  gnutls)
    set -- env -u GIO_MODULE_DIR GIO_USE_TLS=gnutls \
      G_TLS_GNUTLS_PRIORITY="NORMAL$prio12:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-X25519" ;;
  *) echo "$0: unknown backend '$backend' (tlslite, gnutls)" >&2; exit 2 ;;
esac
# CALLGRIND_CONN_KEEP=DIR keeps the profiles there (cg.N-THREAD) for callgrind_annotate.
if [ -n "$CALLGRIND_CONN_KEEP" ]; then
  mkdir -p "$CALLGRIND_CONN_KEEP" && tmp=$(cd "$CALLGRIND_CONN_KEEP" && pwd)
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi
for n in $n1 $n2; do
  (cd "$tmp" && "$@" GSETTINGS_BACKEND=memory BENCH_GIO_HANDSHAKES=$n \
     valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg.$n" \
     "$bin" child conn $cert filedb 3 0 0 0 0 > "$tmp/out.$n" 2> "$tmp/log.$n") ||
    { cat "$tmp/log.$n" >&2; exit 1; }
done
# One line per thread and library: "n thread library instructions".
for n in $n1 $n2; do
  for f in "$tmp"/cg.$n-*; do
    t=${f##*-}
    callgrind_annotate --auto=no --threshold=100 "$f" 2>/dev/null | awk -v n=$n -v t=$t '
      /^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
        c = $1; gsub(",", "", c)
        lib = "other"
        if ($0 ~ /libnettle|libhogweed|libgmp/) lib = "crypto"
        else if ($0 ~ /libtlslite|libgiotlslite/) lib = "tlslite"
        else if ($0 ~ /libgnutls/) lib = "gnutls"
        else if ($0 ~ /libglib|libgobject|libgio/) lib = "glib"
        else if ($0 ~ /libc\.so/) lib = "libc"
        else if ($0 ~ /ld-linux|\/elf\//) lib = "ld.so"
        s[lib] += c
      }
      END { for (l in s) print n, t, l, s[l] }'
  done
done > "$tmp/sums"
echo "$row $backend: instructions per connection ((N=$n2) - (N=$n1)) / $((n2 - n1))"
awk -v n1=$n1 -v n2=$n2 '
  { th = $2 == "01" ? "client" : $2 == "02" ? "server" : "workers"
    v[th, $3] += ($1 == n2 ? $4 : -$4); seen[th] = 1; libs[$3] = 1 }
  END {
    split("crypto tlslite gnutls glib libc ld.so other", order, " ")
    printf "%-8s %12s", "thread", "total"
    for (i = 1; i <= 7; i++) printf " %10s", order[i]
    printf "\n"
    split("client server workers", ths, " ")
    for (j = 1; j <= 3; j++) {
      th = ths[j]; if (!(th in seen)) continue
      tot = 0; for (i = 1; i <= 7; i++) tot += v[th, order[i]]
      printf "%-8s %12.0f", th, tot / (n2 - n1)
      for (i = 1; i <= 7; i++) printf " %10.0f", v[th, order[i]] / (n2 - n1)
      printf "\n"
      for (i = 1; i <= 7; i++) all[i] += v[th, order[i]]
      alltot += tot
    }
    printf "%-8s %12.0f", "all", alltot / (n2 - n1)
    for (i = 1; i <= 7; i++) printf " %10.0f", all[i] / (n2 - n1)
    printf "\n"
  }' "$tmp/sums"

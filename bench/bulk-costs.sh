#!/bin/sh
# bench/bulk-costs.sh: what one byte of a bench-gio bulk row costs each end of one backend: user-space instructions per byte per thread (crypto, libc, rest; callgrind) and system calls per MiB (strace).
#
# usage: bench/bulk-costs.sh BUILD_DIR BACKEND [SUITE [BUFSIZE]]
#   BACKEND: tlslite, gnutls, or openssl=DIR (glib-networking's openssl
#            module directory, from bench/build-openssl-backend.sh)
#   SUITE:   a TLS 1.3 suite (default TLS_AES_128_GCM_SHA256), forced with
#            group X25519 as bench-gio forces them (bench/README.md)
#   BUFSIZE: the application writes (default 16384)
#
# Per byte is the difference of two transfers (callgrind: 24 and 8 MiB,
# strace: 40 and 8 MiB) divided by the difference in bytes, so the
# handshake and set-up drop out. Threads: bench-gio's child writes in its
# main thread (01) and reads in its server thread (02); glib-networking's
# handshake worker threads show as "others". crypto = libnettle, libhogweed,
# libgmp, libgnutls (gnutls's record layer is inside it too) or libcrypto;
# rest = everything else in user space (our library and module, libssl,
# GLib, GIO). Kernel time is not counted by callgrind; the system calls are.
set -e
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: $0 BUILD_DIR BACKEND [SUITE [BUFSIZE]]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
backend=$2 suite=${3:-TLS_AES_128_GCM_SHA256} bufsize=${4:-16384}
bin=$build/bench/bench-gio
[ -x "$bin" ] || { echo "$0: no $bin (ninja -C $1 bench/bench-gio)" >&2; exit 2; }
for tool in valgrind callgrind_annotate strace python3; do
  command -v $tool > /dev/null || { echo "$0: $tool is missing (apt-get install valgrind strace python3)" >&2; exit 2; }
done
case $suite in
  TLS_AES_128_GCM_SHA256) cipher=AES-128-GCM ;;
  TLS_AES_256_GCM_SHA384) cipher=AES-256-GCM ;;
  TLS_CHACHA20_POLY1305_SHA256) cipher=CHACHA20-POLY1305 ;;
  *) echo "$0: '$suite' is not a TLS 1.3 suite of the bulk rows" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $backend in
  tlslite)
    set -- env GIO_USE_TLS=tlslite GIO_MODULE_DIR="$build/gio-module" G_TLS_TLSLITE_NO_TICKETS=1 \
      BENCH_GIO_NO_RESUME=1 G_TLS_TLSLITE_GROUPS=x25519 G_TLS_TLSLITE_CIPHERS="$suite"
    type=GTlsBackendTlslite ;;
  gnutls)
    set -- env -u GIO_MODULE_DIR GIO_USE_TLS=gnutls \
      G_TLS_GNUTLS_PRIORITY="NORMAL:-CIPHER-ALL:+$cipher:-GROUP-ALL:+GROUP-X25519"
    type=GTlsBackendGnutls ;;
  openssl=*)
    dir=$(cd "${backend#openssl=}" && pwd)
    # The backend has no variable for TLS 1.3 suites: OpenSSL's
    # configuration file gives them, as in bench-gio.
    printf 'openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nCipherString = DEFAULT:@SECLEVEL=2\nCiphersuites = %s\n' \
      "$suite" > "$tmp/openssl.cnf"
    set -- env GIO_USE_TLS=openssl GIO_MODULE_DIR="$dir" OPENSSL_CONF="$tmp/openssl.cnf" \
      G_TLS_OPENSSL_CURVE_LIST=X25519
    type=GTlsBackendOpenssl ;;
  *) echo "$0: unknown backend '$backend' (tlslite, gnutls, openssl=DIR)" >&2; exit 2 ;;
esac
# The child checks it got this backend and this suite (exit 1 otherwise).
set -- "$@" GSETTINGS_BACKEND=memory BENCH_GIO_BACKEND_TYPE=$type BENCH_GIO_SUITE="$suite"
run() { # tag mib tool...
  tag=$1 mib=$2
  shift 2
  (cd "$tmp" && "$@" "$bin" child bulk server-ecdsa filedb 1 $((mib << 20)) "$bufsize" 0 0 \
     > "$tmp/out.$tag" 2> "$tmp/log.$tag") || { cat "$tmp/log.$tag" >&2; exit 1; }
}
for mib in 8 24; do
  run cg$mib $mib "$@" valgrind --tool=callgrind --separate-threads=yes \
    --callgrind-out-file="$tmp/cg.$mib"
  for f in "$tmp/cg.$mib"-*; do
    callgrind_annotate --auto=no --threshold=100 --inclusive=no "$f" > "$f.txt" 2> /dev/null
  done
done
for mib in 8 40; do
  run st$mib $mib "$@" strace -f -c -o "$tmp/st.$mib"
done
python3 - "$tmp" "$backend" "$suite" "$bufsize" <<'EOF'
import collections, glob, os, re, sys
tmp, backend, suite, bufsize = sys.argv[1:]
crypto = ('libnettle', 'libhogweed', 'libgmp', 'libgnutls', 'libcrypto')

def costs(path):
    """instructions per library group in one thread's callgrind_annotate output"""
    d = collections.Counter()
    for line in open(path):
        m = re.match(r'\s*([\d,]+) \([ \d.]+%\)\s+(.*)$', line)
        if not m or 'PROGRAM TOTALS' in line:
            continue
        lib = re.search(r'\[([^\]]*)\]\s*$', m.group(2))
        lib = os.path.basename(lib.group(1)) if lib else '?'
        group = ('crypto' if lib.startswith(crypto) else 'libc' if lib.startswith('libc.so')
                 else 'rest')
        d[group] += int(m.group(1).replace(',', ''))
    return d

def threads(mib):
    return {f.rsplit('-', 1)[1][:2]: costs(f) for f in glob.glob(f'{tmp}/cg.{mib}-*.txt')}

small, big = threads(8), threads(24)
nbytes = (24 - 8) << 20
print(f'{backend} {suite}, {bufsize}-byte writes: user-space instructions per byte (callgrind)')
names = {'01': 'writer (01)', '02': 'reader (02)'}
others = collections.Counter()
for t in sorted(set(small) | set(big)):
    diff = {g: (big.get(t, {}).get(g, 0) - small.get(t, {}).get(g, 0)) / nbytes
            for g in ('crypto', 'libc', 'rest')}
    if t not in names:
        others.update(diff)
        continue
    print(f'  {names[t]:12} crypto {diff["crypto"]:.3f} + libc {diff["libc"]:.3f} + rest '
          f'{diff["rest"]:.3f} = {sum(diff.values()):.3f}')
print(f'  {"others":12} {sum(others.values()):.3f}')

def calls(path):
    d = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != 'total':
            d[f[-1]] = int(f[3])
    return d

a, b = calls(f'{tmp}/st.8'), calls(f'{tmp}/st.40')
per = {k: (b.get(k, 0) - a.get(k, 0)) / 32 for k in set(a) | set(b)}
top = sorted((v, k) for k, v in per.items() if v >= 0.05)[::-1]
print(f'system calls per MiB (strace -f): {sum(per.values()):.1f} (' +
      ', '.join(f'{k} {v:.1f}' for v, k in top) + ')')
EOF

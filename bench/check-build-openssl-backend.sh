#!/bin/sh
# bench/check-build-openssl-backend.sh: build-openssl-backend.sh refuses what it cannot build (no glib-networking tree, another version, wrong arguments) with a message and exit 2, before running meson.
set -u
script=$(dirname "$0")/build-openssl-backend.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# expect CODE MESSAGE-PART ARGS...: the script exits with CODE and says MESSAGE-PART.
expect() {
  code=$1 want=$2
  shift 2
  "$script" "$@" > "$tmp/out" 2>&1
  got=$?
  if [ $got -ne "$code" ] || ! grep -q -- "$want" "$tmp/out"; then
    echo "FAIL: $script $* exited $got (wanted $code and '$want'):"
    cat "$tmp/out"
    fail=1
  else
    echo "ok: $* -> $code, '$want'"
  fi
}
expect 2 "usage:" "$tmp"
expect 2 "not a glib-networking source tree" "$tmp" "$tmp/build"
# A tree of another version: the version is read from project().
mkdir -p "$tmp/gn/tls/openssl"
printf "project(\n  'glib-networking', 'c',\n  version: '2.72.1',\n)\n" > "$tmp/gn/meson.build"
expect 2 "is glib-networking '2.72.1', not 2.74.x" "$tmp/gn" "$tmp/build"
# Nothing was configured for the refused trees.
if [ -e "$tmp/build" ]; then
  echo "FAIL: $tmp/build was created for a refused tree"
  fail=1
fi
exit $fail

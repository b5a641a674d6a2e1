#!/bin/bash
# libtcstore's exports served by gnutls-serv: files made by Debian's psktool / srptool go through
# an SQLite store (import, export), gnutls-serv --pskpasswd / --srppasswd serves the export, and
# gnutls-cli authenticates with the original keys and passwords (and fails with wrong ones).
# Usage: store-gnutls.sh STORE_FILES_HELPER psk|srp
set -u
helper=$1 case=$2
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

fail() {
  echo "FAIL ($case): $*"
  for f in "$tmp"/*.out "$tmp"/*.err; do
    [ -s "$f" ] && { echo "--- ${f##*/}"; head -c 5000 "$f"; echo; }
  done
  exit 1
}

free_port() {
  local p hex
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000)); hex=$(printf ':%04X ' "$p")
    grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return; }
  done
  echo 0
}

wait_port() {
  local hex; hex=$(printf ':%04X [0-9A-F:]* 0A ' "$1")
  for _ in $(seq 100); do
    grep -qE "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || fail "gnutls-serv exited before listening"
    sleep 0.1
  done
  fail "port $1 never opened"
}

serve() {
  port=$(free_port)
  gnutls-serv --port "$port" "$@" < /dev/null > "$tmp/serv.out" 2> "$tmp/serv.err" &
  pids+=($!)
  wait_port "$port" $!
}

# connect NAME ARGS...: gnutls-cli to the server, output in NAME.out
connect() {
  local name=$1; shift
  echo | timeout 20 gnutls-cli --port "$port" 127.0.0.1 "$@" > "$tmp/$name.out" 2>&1
}

case $case in
psk)
  psktool -u alice -p "$tmp/keys.psk" > /dev/null || fail "psktool failed"
  psktool -u 'we:ird' -s 48 -p "$tmp/keys.psk" > /dev/null || fail "psktool failed"
  "$helper" psk "$tmp/keys.psk" "$tmp/export.psk" 2> "$tmp/helper.err" || fail "store import/export failed"
  serve --pskpasswd "$tmp/export.psk" --priority 'NORMAL:+PSK:+ECDHE-PSK'
  key_alice=$(sed -n 's/^alice://p' "$tmp/keys.psk")
  key_weird=$(sed -n 's/^#77653a697264://p' "$tmp/keys.psk")
  [ -n "$key_alice" ] && [ -n "$key_weird" ] || fail "psktool wrote an unexpected file"
  for mode in PSK ECDHE-PSK; do
    connect "alice-$mode" --pskusername alice --pskkey "$key_alice" --priority "NORMAL:-KX-ALL:+$mode"
    grep -qF "Connected as 'alice'" "$tmp/alice-$mode.out" || fail "alice ($mode) not authenticated"
  done
  connect weird --pskusername 'we:ird' --pskkey "$key_weird" --priority 'NORMAL:-KX-ALL:+PSK'
  grep -qF "Connected as 'we:ird'" "$tmp/weird.out" || fail "we:ird not authenticated"
  connect wrong --pskusername alice --pskkey 00112233445566778899aabbccddeeff --priority 'NORMAL:-KX-ALL:+PSK'
  grep -qF "Handshake was completed" "$tmp/wrong.out" && fail "a wrong key was accepted"
  ;;
srp)
  srptool --create-conf "$tmp/tpasswd.conf" > /dev/null || fail "srptool --create-conf failed"
  printf 'alice pw\n' | srptool -p "$tmp/tpasswd" -v "$tmp/tpasswd.conf" -u alice -i 3 > /dev/null 2>&1 ||
    fail "srptool failed"
  printf 'bob pw\n' | srptool -p "$tmp/tpasswd" -v "$tmp/tpasswd.conf" -u bob -i 4 > /dev/null 2>&1 ||
    fail "srptool failed"
  "$helper" srp "$tmp/tpasswd" "$tmp/tpasswd.conf" "$tmp/export" "$tmp/export.conf" \
    2> "$tmp/helper.err" || fail "store import/export failed"
  serve --srppasswd "$tmp/export" --srppasswdconf "$tmp/export.conf" --priority 'NORMAL:+SRP'
  for u in alice bob; do
    connect "$u" --srpusername "$u" --srppasswd "$u pw" --priority 'NORMAL:-KX-ALL:+SRP'
    grep -qF "Handshake was completed" "$tmp/$u.out" || fail "$u not authenticated"
  done
  connect wrong --srpusername alice --srppasswd 'not it' --priority 'NORMAL:-KX-ALL:+SRP'
  grep -qF "Handshake was completed" "$tmp/wrong.out" && fail "a wrong password was accepted"
  ;;
*) fail "unknown case" ;;
esac
echo "PASS ($case)"

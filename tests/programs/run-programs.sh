#!/usr/bin/env bash
# Real GIO programs (GSocketClient, GThreadedSocketService, libsoup) on our backend against
# Debian's openssl and gnutls peers, loopback only. The libsoup cases run examples/soup-client and
# examples/soup-server (the programs the README shows), the others this folder's echo programs.
# Usage: run-programs.sh BUILD_DIR DATA_DIR CASE [EXAMPLES_BUILD_DIR]
# BACKEND=gnutls runs the same case on glib-networking's backend (to check the test itself).
set -uo pipefail
bin=$1 data=$2 case=$3 examples=${4:-}
backend=${BACKEND:-tlslite}
export GIO_USE_TLS=$backend
expect_type=GTlsBackendTlslite
[ "$backend" = gnutls ] && { expect_type=GTlsBackendGnutls; unset GIO_MODULE_DIR; }

need() { command -v "$1" >/dev/null || { echo "FAIL: $1 is not installed (scripts/install-deps.sh installs it)"; exit 1; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # bounded wait for a listening port, without connecting to it
  local hex; hex=$(printf ':%04X ' "$1")
  for _ in $(seq 100); do
    grep -q "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 never opened"; return 1
}

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cat "$data/server-rsa.pem" "$data/server-rsa-key.pem" > "$tmp/server-rsa-full.pem"
cat "$data/server-ecdsa.pem" "$data/server-ecdsa-key.pem" > "$tmp/server-ecdsa-full.pem"
cat "$data/client-rsa.pem" "$data/client-rsa-key.pem" > "$tmp/client-rsa-full.pem"

# Start a server program that prints "PORT n" on its first line; sets $port.
start_reporting() {
  "$@" > "$tmp/server.out" 2> "$tmp/server.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's/^PORT //p' "$tmp/server.out" 2>/dev/null)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "server did not start"; cat "$tmp/server.err"; return 1
}

# converse OUT PATTERN TEXT CMD...: run CMD with TEXT on its standard input, kept open until OUT
# shows PATTERN (the peer's answer) or CMD ends, polled with a bound instead of a fixed sleep.
converse() {
  local out=$1 pattern=$2 text=$3; shift 3
  local fifo=$tmp/stdin.fifo pid
  mkfifo "$fifo"
  "$@" < "$fifo" > "$out" 2> "${out%.out}.err" &
  pid=$!
  exec 3> "$fifo"
  printf '%s' "$text" >&3
  for _ in $(seq 200); do
    grep -q "$pattern" "$out" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  exec 3>&-
  wait $pid
  rm -f "$fifo"
}

fail() { echo "FAIL: $*"; for f in "$tmp"/*.err "$tmp"/*.out; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

client() { timeout 30 "$bin/gio-client" --backend "$expect_type" "$@"; }

case $case in
soup-*)
  [ -x "$examples/soup-client" ] || fail "examples/soup-client and soup-server are not built (libsoup-3.0-dev missing?)" ;;
esac
case $case in
gio-client-openssl|gio-client-openssl-ecdsa)
  need openssl; port=$(free_port)
  cert=server-rsa; ca=ca-rsa
  [ "$case" = gio-client-openssl-ecdsa ] && { cert=server-ecdsa; ca=ca-ecdsa; }
  openssl s_server -accept 127.0.0.1:$port -cert "$data/$cert.pem" -key "$data/$cert-key.pem" \
    -rev -naccept 1 > "$tmp/peer.out" 2> "$tmp/peer.err" & pids+=($!)
  wait_port $port || fail "openssl s_server"
  client --connect localhost:$port --ca "$data/$ca.pem" --send "hello tlslite" \
    --expect "etilslt olleh" > "$tmp/client.out" 2> "$tmp/client.err" || fail "client"
  grep -q 'version: TLSv1.3' "$tmp/client.err" || fail "not TLS 1.3"
  ;;
gio-client-openssl-tls12)
  need openssl; port=$(free_port)
  openssl s_server -accept 127.0.0.1:$port -cert "$data/server-rsa.pem" -key "$data/server-rsa-key.pem" \
    -tls1_2 -rev -naccept 1 > "$tmp/peer.out" 2> "$tmp/peer.err" & pids+=($!)
  wait_port $port || fail "openssl s_server"
  client --connect localhost:$port --ca "$data/ca-rsa.pem" --send "hello tlslite" \
    --expect "etilslt olleh" > "$tmp/client.out" 2> "$tmp/client.err" || fail "client"
  grep -q 'version: TLSv1.2' "$tmp/client.err" || fail "not TLS 1.2"
  ;;
gio-server-gnutls-cli-tls12)
  need gnutls-cli
  start_reporting "$bin/gio-server" --backend "$expect_type" --cert "$tmp/server-rsa-full.pem" --count 1 || fail start
  converse "$tmp/cli.out" 'echo: hi over TLS 1.2' $'hi over TLS 1.2\n' timeout 20 gnutls-cli \
    --x509cafile "$data/ca-rsa.pem" --priority NORMAL:-VERS-TLS1.3 -p "$port" localhost
  grep -q 'echo: hi over TLS 1.2' "$tmp/cli.out" || fail "no echo"
  grep -q 'TLS1.2' "$tmp/cli.out" "$tmp/cli.err" || fail "not TLS 1.2"
  ;;
gio-client-gnutls|gio-client-gnutls-async|gio-client-gnutls-client-cert)
  need gnutls-serv; port=$(free_port)
  extra=(); cargs=()
  [ "$case" = gio-client-gnutls-async ] && cargs+=(--async)
  if [ "$case" = gio-client-gnutls-client-cert ]; then
    extra+=(--require-client-cert --x509cafile "$data/ca-rsa.pem")
    cargs+=(--cert "$tmp/client-rsa-full.pem")
  fi
  gnutls-serv --echo -p $port --x509certfile "$data/server-rsa.pem" \
    --x509keyfile "$data/server-rsa-key.pem" "${extra[@]}" > "$tmp/peer.out" 2> "$tmp/peer.err" & pids+=($!)
  wait_port $port || fail "gnutls-serv"
  client --connect localhost:$port --ca "$data/ca-rsa.pem" --send "hello tlslite" \
    --expect "hello tlslite" "${cargs[@]}" > "$tmp/client.out" 2> "$tmp/client.err" || fail "client"
  grep -q 'version: TLSv1.3' "$tmp/client.err" || fail "not TLS 1.3"
  ;;
gio-server-gnutls-cli)
  need gnutls-cli
  start_reporting "$bin/gio-server" --backend "$expect_type" --cert "$tmp/server-rsa-full.pem" --count 1 || fail start
  converse "$tmp/cli.out" 'echo: hi from gnutls-cli' $'hi from gnutls-cli\n' timeout 20 gnutls-cli \
    --x509cafile "$data/ca-rsa.pem" -p "$port" localhost
  grep -q 'echo: hi from gnutls-cli' "$tmp/cli.out" || fail "no echo"
  grep -q 'TLS1.3' "$tmp/cli.out" "$tmp/cli.err" || fail "not TLS 1.3"
  ;;
gio-server-openssl)
  need openssl
  start_reporting "$bin/gio-server" --backend "$expect_type" --cert "$tmp/server-ecdsa-full.pem" --count 1 || fail start
  converse "$tmp/cli.out" 'echo: hi from s_client' $'hi from s_client\n' timeout 20 openssl s_client \
    -connect 127.0.0.1:$port -servername localhost -CAfile "$data/ca-ecdsa.pem" -verify_return_error -quiet
  grep -q 'echo: hi from s_client' "$tmp/cli.out" || fail "no echo"
  ;;
gio-server-openssl-client-cert)
  need openssl
  start_reporting "$bin/gio-server" --backend "$expect_type" --cert "$tmp/server-rsa-full.pem" \
    --ca "$data/ca-rsa.pem" --require-client-cert --count 1 || fail start
  converse "$tmp/cli.out" 'echo: hi with a client cert' $'hi with a client cert\n' timeout 20 openssl s_client \
    -connect 127.0.0.1:$port -servername localhost -CAfile "$data/ca-rsa.pem" \
    -cert "$data/client-rsa.pem" -key "$data/client-rsa-key.pem" -verify_return_error -quiet
  grep -q 'echo: hi with a client cert' "$tmp/cli.out" || fail "no echo"
  ;;
soup-client-openssl)
  need openssl; port=$(free_port)
  openssl s_server -accept 127.0.0.1:$port -cert "$data/server-rsa.pem" -key "$data/server-rsa-key.pem" \
    -www -naccept 1 > "$tmp/peer.out" 2> "$tmp/peer.err" & pids+=($!)
  wait_port $port || fail "openssl s_server"
  timeout 30 "$examples/soup-client" --ca "$data/ca-rsa.pem" --expect "Ciphers" "https://localhost:$port/" \
    > "$tmp/client.out" 2> "$tmp/client.err" || fail "soup client"
  grep -q "backend: $expect_type" "$tmp/client.err" || fail "wrong backend"
  ;;
soup-client-gnutls)
  need gnutls-serv; port=$(free_port)
  gnutls-serv --http -p $port --x509certfile "$data/server-ecdsa.pem" \
    --x509keyfile "$data/server-ecdsa-key.pem" > "$tmp/peer.out" 2> "$tmp/peer.err" & pids+=($!)
  wait_port $port || fail "gnutls-serv"
  timeout 30 "$examples/soup-client" --ca "$data/ca-ecdsa.pem" --expect "GnuTLS" "https://localhost:$port/" \
    > "$tmp/client.out" 2> "$tmp/client.err" || fail "soup client"
  grep -q "backend: $expect_type" "$tmp/client.err" || fail "wrong backend"
  ;;
soup-server-gnutls-cli)
  need gnutls-cli
  start_reporting "$examples/soup-server" --cert "$tmp/server-rsa-full.pem" --requests 1 || fail start
  grep -q "backend: $expect_type" "$tmp/server.err" || fail "wrong backend"
  converse "$tmp/cli.out" "hello from SoupServer on $expect_type" \
    $'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    timeout 20 gnutls-cli --x509cafile "$data/ca-rsa.pem" -p "$port" localhost
  grep -q "hello from SoupServer on $expect_type" "$tmp/cli.out" || fail "no page"
  grep -q '^HTTP/1.1 200' "$tmp/cli.out" || fail "not 200"
  ;;
*)
  echo "unknown case $case"; exit 2 ;;
esac
echo "PASS: $case ($backend)"
exit 0

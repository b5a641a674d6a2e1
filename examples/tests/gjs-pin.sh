#!/usr/bin/env bash
# examples/pinned-fetch.js: GJS and libsoup 3 on our backend fetch from Debian's openssl s_server
# with a self-signed certificate, trusted through a pin alone; a wrong pin fails the handshake.
# Usage: gjs-pin.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
need gjs; need openssl
port=$(free_port)
openssl s_server -accept 127.0.0.1:$port -cert "$data/server-self.pem" -key "$data/server-self-key.pem" \
  -www > "$tmp/s_server.out" 2> "$tmp/s_server.err" &
pids+=($!)
wait_port $port || fail "openssl s_server did not start"
pin="sha256//$(openssl x509 -in "$data/server-self.pem" -noout -pubkey | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64)"
fetch() { foreign timeout 30 gjs "$src/pinned-fetch.js" "https://localhost:$port/" "$1"; }

fetch "$pin" > "$tmp/gjs.out" 2> "$tmp/gjs.err" || fail "pinned fetch"
expect_backend "$tmp/gjs.out"
grep -q '^status: 200$' "$tmp/gjs.out" || fail "no 200"
grep -q 's_server -accept' "$tmp/gjs.out" || fail "not s_server's page"
other="sha256//$(openssl x509 -in "$data/server-ecdsa.pem" -noout -pubkey | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64)"
refused fetch "$other" > "$tmp/wrong.out" 2> "$tmp/wrong.err" || fail "a wrong pin was not refused"
grep -q 'matches none of the pinned keys' "$tmp/wrong.err" || fail "wrong pin: not a pin mismatch"
echo "PASS: GJS $(dpkg-query -W -f='${Version}' gjs 2>/dev/null) libsoup fetch with a pin"

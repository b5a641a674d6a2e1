#!/usr/bin/env bash
# examples/starttls-echo: plain-text echo, then an upgrade to TLS on the same socket, once asked
# for by the client and once announced by the server; the echo must go on over TLS.
# Usage: starttls-echo.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
cat "$data/server-rsa.pem" "$data/server-rsa-key.pem" > "$tmp/server.pem"
start_reporting server "$bin/starttls-echo" server --cert "$tmp/server.pem" || fail "server did not start"
expect_backend "$tmp/server.err"
for who in client server; do
  timeout 30 "$bin/starttls-echo" client --port "$port" --ca "$data/ca-rsa.pem" --initiator $who \
    > "$tmp/$who.out" 2> "$tmp/$who.err" || fail "upgrade initiated by the $who"
  grep -q "upgraded to TLS (TLS 1.3) on the same socket, $who initiated" "$tmp/$who.out" || fail "no upgrade ($who)"
  grep -q 'got "tls: hello over TLS"' "$tmp/$who.out" || fail "no echo over TLS ($who)"
done
# A client that does not trust the server's CA must fail the upgraded handshake.
refused timeout 30 "$bin/starttls-echo" client --port "$port" --ca "$data/ca-ecdsa.pem" \
  > "$tmp/badca.out" 2> "$tmp/badca.err" || fail "upgrade to an untrusted server was not refused"
grep -q '^client: .*certificate' "$tmp/badca.err" || fail "untrusted server: no certificate failure reported"
stop_ours "${pids[0]}" starttls-echo
cat "$tmp/client.out"
echo "PASS: STARTTLS upgrade both ways"

#!/usr/bin/env bash
# examples/threaded-server (GThreadedSocketService) serving 200 curl clients at once: the server
# holds every answer until all 200 requests are in flight together, so this proves 200 concurrent
# TLS connections, each answered with 200 OK. Usage: threaded-server.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
n=200
need curl
cat "$data/server-ecdsa.pem" "$data/server-ecdsa-key.pem" > "$tmp/server.pem"
start_reporting server "$bin/threaded-server" --cert "$tmp/server.pem" --threads 256 --together $n \
  || fail "threaded-server did not start"
expect_backend "$tmp/server.err"
# curl -Z: one connection per transfer, all opened at once (--parallel-immediate).
curl -sS -Z --parallel-max $n --parallel-immediate --max-time 50 --cacert "$data/ca-ecdsa.pem" \
  -w '%{http_code}\n' -o /dev/null "https://localhost:$port/client[1-$n]" \
  > "$tmp/curl.out" 2> "$tmp/curl.err" || fail "curl reported failed transfers"
ok=$(grep -c '^200$' "$tmp/curl.out")
[ "$ok" = $n ] || fail "$ok of $n transfers returned 200"
stop_ours "${pids[0]}" threaded-server
grep -q "^served $n failed 0 peak $n$" "$tmp/server.out" || fail "server: $(tail -1 "$tmp/server.out")"
echo "PASS: $n concurrent curl clients, all answered: $(tail -1 "$tmp/server.out")"

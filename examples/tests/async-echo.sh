#!/usr/bin/env bash
# examples/async-echo: one single-threaded GMainLoop server and one single-threaded client with
# 1000 connections established at once (async handshakes), each echoing a message; checks no
# failure, every echo right, no thread per connection, and bounded heap per connection.
# Usage: async-echo.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
n=${ASYNC_ECHO_CONNECTIONS:-1000}
cat "$data/server-ecdsa.pem" "$data/server-ecdsa-key.pem" > "$tmp/server.pem"
start_reporting server "$bin/async-echo" server --cert "$tmp/server.pem" --expect $n \
  || fail "async-echo server did not start"
expect_backend "$tmp/server.err"
timeout 55 "$bin/async-echo" client --port "$port" --ca "$data/ca-ecdsa.pem" --connections $n \
  > "$tmp/client.out" 2> "$tmp/client.err" || fail "client"
grep -q "^client: $n of $n echoes correct, 0 failures$" "$tmp/client.out" || fail "client results"
wait "${pids[0]}" || fail "server exited with an error"
line=$(grep '^established' "$tmp/server.out") || fail "the server never had all $n connections at once"
cat "$tmp/server.out" "$tmp/client.out"
read -r threads heap < <(sed -n 's/^established [0-9]* at once, threads \([0-9]*\), heap \([0-9]*\) bytes.*/\1 \2/p' <<< "$line")
# GLib's own helper threads (worker pool, signal handling) stay few; one per connection would be $n.
[ "$threads" -le 8 ] || fail "server used $threads threads for $n connections"
cthreads=$(sed -n 's/^client: .* threads \([0-9]*\)$/\1/p' "$tmp/client.out")
[ "$cthreads" -le 8 ] || fail "client used $cthreads threads for $n connections"
# glibc's mallinfo2, or in an ASan build the sanitizer's own count of allocated bytes.
[ -n "$heap" ] && [ "$heap" -gt 0 ] && [ "$heap" -le $((256 * 1024)) ] || fail "heap per connection '$heap' bytes"
echo "PASS: $n concurrent async connections, server threads $threads, heap per connection $heap bytes"

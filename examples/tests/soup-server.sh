#!/usr/bin/env bash
# examples/soup-server (our certificate, our server side) fetched by curl (OpenSSL), wget (GnuTLS)
# and our own examples/soup-client. Usage: soup-server.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
need curl; need wget
cat "$data/server-rsa.pem" "$data/server-rsa-key.pem" > "$tmp/server.pem"
start_reporting server "$bin/soup-server" --cert "$tmp/server.pem" || fail "soup-server did not start"
expect_backend "$tmp/server.err"
url="https://localhost:$port"
want="hello from SoupServer on GTlsBackendTlslite"

curl -sS --max-time 20 --cacert "$data/ca-rsa.pem" --tlsv1.3 -w 'curl-tls13 %{http_code} %{ssl_verify_result}\n' \
  "$url/curl-tls13" > "$tmp/curl13.out" 2> "$tmp/curl13.err" || fail "curl TLS 1.3"
grep -q "$want, path /curl-tls13" "$tmp/curl13.out" || fail "curl TLS 1.3: wrong page"
grep -q '^curl-tls13 200 0$' "$tmp/curl13.out" || fail "curl TLS 1.3: status or verification"

curl -sS --max-time 20 --cacert "$data/ca-rsa.pem" --tls-max 1.2 -w 'curl-tls12 %{http_code} %{ssl_verify_result}\n' \
  "$url/curl-tls12" > "$tmp/curl12.out" 2> "$tmp/curl12.err" || fail "curl TLS 1.2"
grep -q "$want, path /curl-tls12" "$tmp/curl12.out" || fail "curl TLS 1.2: wrong page"
grep -q '^curl-tls12 200 0$' "$tmp/curl12.out" || fail "curl TLS 1.2: status or verification"

# Debian's wget is built on GnuTLS: a second, independent TLS stack against our server.
wget -q -T 20 --tries=1 --ca-certificate="$data/ca-rsa.pem" -O "$tmp/wget.out" "$url/wget" \
  2> "$tmp/wget.err" || fail "wget"
grep -q "$want, path /wget" "$tmp/wget.out" || fail "wget: wrong page"

timeout 30 "$bin/soup-client" --ca "$data/ca-rsa.pem" --expect "$want, path /soup" "$url/soup" \
  > "$tmp/soup.out" 2> "$tmp/soup.err" || fail "soup-client"
expect_backend "$tmp/soup.err"

# A client that trusts another CA must refuse our server.
if curl -sS --max-time 20 --cacert "$data/ca-ecdsa.pem" "$url/x" > "$tmp/curlbad.out" 2> "$tmp/curlbad.err"; then
  fail "curl accepted a certificate from an untrusted CA"
fi
stop_ours "${pids[0]}" soup-server
grep -q '^served [0-9]* requests$' "$tmp/server.err" || fail "soup-server did not report its requests"
echo "PASS: SoupServer with curl $(curl --version | head -1 | cut -d' ' -f2), wget $(wget --version | head -1 | cut -d' ' -f3) and soup-client"

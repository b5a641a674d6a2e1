#!/usr/bin/env bash
# examples/soup-client against Debian's nginx on loopback: TLS 1.3, TLS 1.2, and a server that
# verifies client certificates. Usage: soup-nginx.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || fail "nginx is not installed (run scripts/install-deps.sh)"

p13=$(free_port); p12=$(free_port); pcc=$(free_port)
mkdir -p "$tmp/nginx/logs" "$tmp/nginx/temp"
# Workers run as root only when the test does (CI); otherwise as the calling user.
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"
cat > "$tmp/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log info;
events { worker_connections 64; }
http {
  access_log $tmp/nginx-access.log;
  client_body_temp_path $tmp/nginx/temp/body;
  proxy_temp_path $tmp/nginx/temp/proxy;
  fastcgi_temp_path $tmp/nginx/temp/fastcgi;
  uwsgi_temp_path $tmp/nginx/temp/uwsgi;
  scgi_temp_path $tmp/nginx/temp/scgi;
  ssl_certificate $data/server-rsa.pem;
  ssl_certificate_key $data/server-rsa-key.pem;
  server {
    listen 127.0.0.1:$p13 ssl;
    ssl_protocols TLSv1.3;
    location / { return 200 "nginx says hello over \$ssl_protocol\n"; }
  }
  server {
    listen 127.0.0.1:$p12 ssl;
    ssl_protocols TLSv1.2;
    location / { return 200 "nginx says hello over \$ssl_protocol with \$ssl_cipher\n"; }
  }
  server {
    listen 127.0.0.1:$pcc ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate $data/ca-rsa.pem;
    ssl_verify_client on;
    location / { return 200 "client \$ssl_client_s_dn verified: \$ssl_client_verify\n"; }
  }
}
CONF
"$nginx" -e "$tmp/nginx.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' \
  > "$tmp/nginx.out" 2>> "$tmp/nginx.err" &
pids+=($!)
for p in $p13 $p12 $pcc; do wait_port $p || fail "nginx did not start"; done

client() { timeout 30 "$bin/soup-client" --ca "$data/ca-rsa.pem" "$@"; }

client --expect "hello over TLSv1.3" "https://localhost:$p13/" > "$tmp/c13.out" 2> "$tmp/c13.err" \
  || fail "TLS 1.3 fetch"
expect_backend "$tmp/c13.err"
grep -q 'protocol: TLS 1.3' "$tmp/c13.err" || fail "TLS 1.3 not reported by libsoup"

client --expect "hello over TLSv1.2 with ECDHE-RSA-AES" "https://localhost:$p12/" \
  > "$tmp/c12.out" 2> "$tmp/c12.err" || fail "TLS 1.2 fetch"
grep -q 'protocol: TLS 1.2' "$tmp/c12.err" || fail "TLS 1.2 not reported by libsoup"

# nginx checks our certificate against its CA and puts the subject it verified in the page.
cat "$data/client-rsa.pem" "$data/client-rsa-key.pem" > "$tmp/client.pem"
client --cert "$tmp/client.pem" --expect "CN=client,DC=EXAMPLE,DC=COM verified: SUCCESS" \
  "https://localhost:$pcc/" > "$tmp/ccert.out" 2> "$tmp/ccert.err" || fail "client certificate fetch"
# Without a certificate nginx answers 400 "No required SSL certificate was sent".
client --status 400 --expect "No required SSL certificate" "https://localhost:$pcc/" \
  > "$tmp/nocert.out" 2> "$tmp/nocert.err" || fail "fetch without a client certificate"
# A server our CA file does not vouch for is refused: the wrong CA must fail.
refused timeout 30 "$bin/soup-client" --ca "$data/ca-ecdsa.pem" "https://localhost:$p13/" \
  > "$tmp/badca.out" 2> "$tmp/badca.err" || fail "a server outside the CA file was not refused"
grep -q 'request failed' "$tmp/badca.err" || fail "wrong CA: no TLS failure reported"
# Pins: the server key's SPKI hash (curl's --pinnedpubkey spelling) and the certificate's SHA-256.
spki="sha256//$(openssl x509 -in "$data/server-rsa.pem" -noout -pubkey | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64)"
certpin=$(openssl x509 -in "$data/server-rsa.pem" -noout -fingerprint -sha256 | cut -d= -f2)
client --pin "$spki" --expect "hello over TLSv1.3" "https://localhost:$p13/" \
  > "$tmp/pin.out" 2> "$tmp/pin.err" || fail "pinned fetch (pins and CA)"
# pin-only: a CA file that does not vouch for the server, the pin alone decides.
timeout 30 "$bin/soup-client" --ca "$data/ca-ecdsa.pem" --pin "$certpin" --pin-only \
  --expect "hello over TLSv1.3" "https://localhost:$p13/" > "$tmp/pinonly.out" 2> "$tmp/pinonly.err" \
  || fail "pin-only fetch"
grep -q 'accepted by pin despite certificate errors 0x1$' "$tmp/pinonly.err" || fail "pin-only: expected UNKNOWN_CA reported"
# A pin of another key fails the handshake, even with the right CA.
other="sha256//$(openssl x509 -in "$data/server-ecdsa.pem" -noout -pubkey | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64)"
refused client --pin "$other" "https://localhost:$p13/" > "$tmp/badpin.out" 2> "$tmp/badpin.err" \
  || fail "a server that does not match the pin was not refused"
grep -q 'request failed' "$tmp/badpin.err" || fail "wrong pin: no TLS failure reported"
echo "PASS: soup-client against nginx $(dpkg-query -W -f='${Version}' nginx 2>/dev/null)"

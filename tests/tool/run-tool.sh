#!/usr/bin/env bash
# gtls-tool (the GIO tool) on loopback: usage errors, client against server, failures that must fail.
# Usage: run-tool.sh GTLS_TOOL DATA_DIR CASE     Exit: 0 pass, 1 fail, 77 skip.
set -uo pipefail
# The tool picks the backend itself (GIO_USE_TLS semantics, our build-tree module by default).
unset GIO_USE_TLS GIO_MODULE_DIR
tool=$(readlink -f "$1") data=$(readlink -f "$2") case=$3
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

# Start a server on a free port (port 0; the tool prints the one it got).
start_server() {
  # A fresh file: the redirection below happens in the background job, so
  # the loop could otherwise read an earlier server's "Listening" line
  # (and its port) before the new server truncates the file.
  rm -f "$tmp/server.err"
  "$tool" server 127.0.0.1:0 "$@" 2>"$tmp/server.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's/^Listening on .* port \([0-9]*\)$/\1/p' "$tmp/server.err" | head -1)
    [ -n "$port" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || fail "server exited: $(cat "$tmp/server.err")"
    sleep 0.1
  done
  fail "server did not start"
}
rsa=(--cert "$data/server-rsa.pem" --key "$data/server-rsa-key.pem")
ecdsa=(--cert "$data/server-ecdsa.pem" --key "$data/server-ecdsa-key.pem")
need() { command -v "$1" >/dev/null || { echo "FAIL: $1 is not installed (scripts/install-deps.sh installs it)"; exit 1; }; }

# A loopback port nobody listens on, and a bounded wait until a peer listens there.
free_port() {
  local p hex
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000)); hex=$(printf ':%04X ' "$p")
    grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port"
}
start_peer() {
  local name=$1; shift
  port=$(free_port)
  local args=("${@//@PORT@/$port}")
  "${args[@]}" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  local hex; hex=$(printf ':%04X [0-9A-F:]* 0A ' "$port")
  for _ in $(seq 100); do
    grep -qE "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || fail "$name exited before listening"
    sleep 0.1
  done
  fail "$name never listened on $port"
}
# converse NAME INPUT PATTERN CMD...: a peer client that must keep stdin open until it got
# its answer; writes INPUT, waits (10 s at most) for PATTERN in NAME.out, then closes stdin.
converse() {
  local name=$1 input=$2 pattern=$3; shift 3
  rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
  timeout 20 "$@" <"$tmp/fifo" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  exec 3>"$tmp/fifo"
  printf '%s' "$input" >&3
  for _ in $(seq 100); do
    grep -qF -- "$pattern" "$tmp/$name.out" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  exec 3>&-
  wait $pid
}
# Whether the module has SRP/PSK (the libauth properties): the server refuses --srp-db otherwise.
have_auth() {
  local out
  out=$(timeout 3 "$tool" server 127.0.0.1:0 --srp-db /nonexistent/x.db --cert "$data/server-rsa.pem" \
        --key "$data/server-rsa-key.pem" </dev/null 2>&1 >/dev/null)
  case $out in *"does not support --srp-db"*) return 1 ;; esac
  return 0
}
client() { timeout 30 "$tool" client "127.0.0.1:$port" "$@"; }

# expect_usage "what" ARGS...: exit 2, one error line naming the problem plus the --help hint.
expect_usage() {
  local what=$1; shift
  "$tool" "$@" >"$tmp/out" 2>"$tmp/usage.err" </dev/null
  local rc=$?
  [ $rc -eq 2 ] || fail "'$*' exited $rc, not 2"
  [ "$(wc -l <"$tmp/usage.err")" -eq 2 ] || fail "'$*' printed not two lines: $(cat "$tmp/usage.err")"
  grep -q -- "$what" "$tmp/usage.err" || fail "'$*' did not say '$what': $(cat "$tmp/usage.err")"
  grep -q "^Try 'gtls-tool.*--help'\.$" "$tmp/usage.err" || fail "'$*' gave no --help hint"
}

case $case in
usage-errors)
  expect_usage "no command" 
  expect_usage "unknown command 'frobnicate'" frobnicate
  expect_usage "HOST:PORT missing" client
  expect_usage "too many" client a:1 b:2
  expect_usage "Unknown option --bogus" client --bogus 127.0.0.1:1
  expect_usage "not HOST:PORT" client localhost
  expect_usage "not HOST:PORT" client localhost:99999
  expect_usage "Unknown protocol version 'tls9'" client 127.0.0.1:1 --min-version tls9
  expect_usage "smtp, imap or pop3" client 127.0.0.1:1 --starttls ftp
  expect_usage "resume" client 127.0.0.1:1 --resume -1
  expect_usage "--key needs --cert" client 127.0.0.1:1 --key x
  expect_usage "exclude each other" client 127.0.0.1:1 --srp a --psk b:00
  expect_usage "IDENTITY:HEXKEY" client 127.0.0.1:1 --psk alice
  expect_usage "hex digits" client 127.0.0.1:1 --psk alice:abc
  expect_usage "HOST:PORT missing" server --cert x
  expect_usage "is required" server 127.0.0.1:0
  expect_usage "more --key" server 127.0.0.1:0 --cert a --key b --key c
  expect_usage "needs --ca" server 127.0.0.1:0 --cert a --require-client-cert
  expect_usage "Unknown option --bogus" server --bogus
  expect_usage "HOST:PORT and DIR are needed" servertest 127.0.0.1:0
  expect_usage "needs the server's port" clienttest 127.0.0.1:0 /tmp
  expect_usage "too many arguments" clienttest 127.0.0.1:1 a b
  expect_usage "DIR missing" testcreds
  ;;
help)
  "$tool" --help >"$tmp/h" || fail "--help exit $?"
  for c in server client cert db servertest clienttest testcreds; do
    grep -q "^  $c " "$tmp/h" || fail "top-level --help does not list $c"
    "$tool" $c --help >"$tmp/hc" || fail "$c --help exit $?"
    [ $c = db ] || [ $c = testcreds ] || grep -q -- "--backend" "$tmp/hc" || fail "$c --help lacks --backend"
    grep -q "^Usage:" "$tmp/hc" || fail "$c --help has no usage line"
  done
  "$tool" --version | grep -q '^gtls-tool [0-9]' || fail "--version"
  ;;
echo)
  start_server "${rsa[@]}"
  out=$(echo "hello through GIO" | client --ca "$data/ca-rsa.pem" --server-name localhost 2>"$tmp/client.err") ||
    fail "client exit $?"
  [ "$out" = "hello through GIO" ] || fail "echo gave '$out'"
  for w in "Protocol version: TLS 1.3" "Cipher suite: TLS_" "Subject: .*CN=localhost" \
           "Issuer: .*tlslite test RSA CA" "Valid: from 2020-01-01" "SHA-256 fingerprint: [0-9A-F:]\{95\}$" \
           "Verification: trusted" "ALPN: none" "Handshake time: " "'tlslite' backend" "Group: x25519" \
           "Resumed: no"; do
    grep -q "$w" "$tmp/client.err" || fail "summary lacks '$w'"
  done
  grep -q "^\[1\] 127.0.0.1:[0-9]* TLS 1.3 TLS_" "$tmp/server.err" || fail "server did not log the connection"
  ;;
tls12-alpn)
  start_server "${rsa[@]}" --alpn h2,http/1.1 --max-version tls1.2
  echo x | client --ca "$data/ca-rsa.pem" --server-name localhost --alpn http/1.1 >/dev/null 2>"$tmp/client.err" ||
    fail "client exit $?"
  grep -q "Protocol version: TLS 1.2" "$tmp/client.err" || fail "not TLS 1.2"
  grep -q "ALPN: http/1.1" "$tmp/client.err" || fail "ALPN not http/1.1"
  ;;
wrong-ca)
  start_server "${rsa[@]}"
  echo x | client --ca "$data/other-ca.pem" --server-name localhost >/dev/null 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "client against an unknown CA did not exit 1"
  grep -q "Verification: not signed by a trusted authority" "$tmp/client.err" || fail "no verification words"
  # The server goes on serving after the failed client.
  echo again | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null | grep -q again ||
    fail "server stopped after a bad client"
  ;;
wrong-host)
  start_server "${rsa[@]}"
  echo x | client --ca "$data/ca-rsa.pem" --server-name not-this-host.example >/dev/null 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "client with a wrong host name did not exit 1"
  grep -q "Verification: not valid for this host name" "$tmp/client.err" || fail "no host-name words"
  ;;
client-cert)
  start_server "${rsa[@]}" --require-client-cert --ca "$data/ca-rsa.pem"
  echo ok | client --ca "$data/ca-rsa.pem" --server-name localhost \
    --cert "$data/client-rsa.pem" --key "$data/client-rsa-key.pem" 2>"$tmp/client.err" | grep -q ok ||
    fail "client certificate connection"
  grep -q 'client="' "$tmp/server.err" || fail "server did not see the client certificate"
  echo no | client --ca "$data/ca-rsa.pem" --server-name localhost >/dev/null 2>&1 &&
    fail "a client without certificate got through --require-client-cert"
  true
  ;;
http)
  start_server "${rsa[@]}" --http
  out=$(printf 'GET / HTTP/1.0\r\n\r\n' | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null) ||
    fail "client exit $?"
  echo "$out" | grep -q "^HTTP/1.0 200 OK" || fail "no HTTP answer: $out"
  echo "$out" | grep -q "TLS 1.3 TLS_" || fail "page does not say what was negotiated"
  ;;
encrypted-key)
  printf 'secret\n' >"$tmp/pw"
  for k in server-rsa-key-enc.pem server-rsa-key-enc-aes128-sha1.pem; do
    start_server --cert "$data/server-rsa.pem" --key "$data/$k" --key-password-file "$tmp/pw"
    echo enc | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null | grep -q enc ||
      fail "server with encrypted key $k"
  done
  ;;
pkcs12)
  start_server --cert "$data/server-rsa-nopass.p12"
  echo p12 | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null | grep -q p12 ||
    fail "server with PKCS#12"
  printf '1234\n' >"$tmp/pw"
  start_server --cert "$data/server-rsa.p12" --key-password-file "$tmp/pw"
  echo p12pw | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null | grep -q p12pw ||
    fail "server with a password-protected PKCS#12"
  "$tool" server 127.0.0.1:0 --cert "$data/server-rsa.p12" </dev/null 2>"$tmp/nopw.err"
  [ $? -eq 1 ] || fail "PKCS#12 without its password did not exit 1"
  ;;
many)
  start_server "${rsa[@]}"
  for i in $(seq 20); do
    (echo "n$i" | client --ca "$data/ca-rsa.pem" --server-name localhost 2>/dev/null >"$tmp/many.$i") &
  done
  wait_list=$(jobs -p | grep -v -x -F "$(printf '%s\n' "${pids[@]}")")
  for j in $wait_list; do wait "$j"; done
  for i in $(seq 20); do grep -qx "n$i" "$tmp/many.$i" || fail "connection $i of 20"; done
  ;;
gnutls-backend)
  # The same command on glib-networking's GnuTLS backend, when installed.
  "$tool" client 127.0.0.1:1 --backend gnutls 2>"$tmp/b.err" </dev/null
  grep -q "no TLS backend 'gnutls'" "$tmp/b.err" && { echo "FAIL: glib-networking's gnutls backend is not installed"; exit 1; }
  start_server "${rsa[@]}"
  echo cmp | client --backend gnutls --ca "$data/ca-rsa.pem" --server-name localhost 2>"$tmp/client.err" |
    grep -q cmp || fail "gnutls backend client"
  grep -q "'gnutls' backend" "$tmp/client.err" || fail "not the gnutls backend"
  ;;
cert)
  "$tool" cert "$data/server-int-chain.pem" "$data/server-ecdsa.pem" >"$tmp/cert.out" || fail "cert exit $?"
  [ "$(grep -c ': certificate [0-9] of [0-9]$' "$tmp/cert.out")" -eq 3 ] || fail "not 3 certificates"
  grep -q "Subject alternative names: DNS:localhost, DNS:server.example.com, IP:127.0.0.1, IP:::1" \
    "$tmp/cert.out" || fail "SANs"
  grep -q "Key: ECDSA P-256, 256 bits" "$tmp/cert.out" || fail "ECDSA key"
  grep -q "Key: RSA, 2048 bits" "$tmp/cert.out" || fail "RSA key"
  # Fingerprint and SPKI pin agree with OpenSSL's.
  if command -v openssl >/dev/null; then
    fp=$(openssl x509 -in "$data/server-ecdsa.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
    grep -q "SHA-256 fingerprint: $fp$" "$tmp/cert.out" || fail "fingerprint is not OpenSSL's $fp"
    pin=$(openssl x509 -in "$data/server-ecdsa.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
          openssl dgst -sha256 -binary | base64)
    grep -q "SPKI pin: sha256//$pin$" "$tmp/cert.out" || fail "SPKI pin is not sha256//$pin"
  fi
  "$tool" cert "$data/README.md" >/dev/null 2>"$tmp/c.err"; [ $? -eq 1 ] || fail "cert on a non-certificate"
  expect_usage "FILE missing" cert
  expect_usage "go with --verify" cert --host x "$data/server-rsa.pem"
  expect_usage "one FILE" cert --verify "$data/server-rsa.pem" "$data/server-ecdsa.pem"
  ;;
cert-verify)
  v() { "$tool" cert --verify "$@" >"$tmp/v.out" 2>&1; }
  v --ca "$data/ca-rsa.pem" --host localhost "$data/server-int-chain.pem" || fail "chain via intermediate: $(cat "$tmp/v.out")"
  grep -q "for localhost: trusted" "$tmp/v.out" || fail "no 'trusted'"
  v --ca "$data/ca-rsa.pem" --host example.org "$data/server-rsa.pem" && fail "wrong host trusted"
  grep -q "not valid for this host name" "$tmp/v.out" || fail "host words"
  v --ca "$data/other-ca.pem" --host localhost "$data/server-rsa.pem" && fail "unknown CA trusted"
  grep -q "not signed by a trusted authority" "$tmp/v.out" || fail "CA words"
  v --ca "$data/ca-rsa.pem" --host localhost "$data/server-expired.pem" && fail "expired trusted"
  grep -q "expired" "$tmp/v.out" || fail "expired words"
  true
  ;;
pins)
  start_server "${rsa[@]}"
  pin=$("$tool" cert "$data/server-rsa.pem" | sed -n 's/^  SPKI pin: //p')
  fp=$("$tool" cert "$data/server-rsa.pem" | sed -n 's/^  SHA-256 fingerprint: //p')
  other=$("$tool" cert "$data/server-ecdsa.pem" | sed -n 's/^  SPKI pin: //p')
  echo p1 | client --ca "$data/ca-rsa.pem" --server-name localhost --pin "$other" --pin "$pin" 2>"$tmp/client.err" |
    grep -q p1 || fail "right SPKI pin refused"
  echo p2 | client --ca "$data/ca-rsa.pem" --server-name localhost --pin "$fp" 2>>"$tmp/client.err" |
    grep -q p2 || fail "right fingerprint pin refused"
  echo p3 | client --ca "$data/ca-rsa.pem" --server-name localhost --pin "$other" >/dev/null 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "wrong pin accepted"
  # pin-only: a pinned key needs no CA (an untrusted CA here).
  echo p4 | client --ca "$data/other-ca.pem" --server-name localhost --pin "$pin" --pin-only 2>"$tmp/client.err" |
    grep -q p4 || fail "pin-only with the right pin: $(cat "$tmp/client.err")"
  echo p5 | client --ca "$data/other-ca.pem" --server-name localhost --pin "$pin" >/dev/null 2>&1 &&
    fail "a pin alone (not pin-only) skipped CA validation"
  true
  ;;
db-srp)
  db() { "$tool" db "$@"; }
  cd "$tmp" || fail "cd"
  db create-srp u.db || fail "create-srp"
  db create-srp u.db 2>/dev/null && fail "create-srp over an existing file"
  echo 'alice pw' | db add u.db alice || fail "add alice"
  echo 'bob pw' | db add u.db bob --bits 1024 || fail "add bob"
  echo 'x' | db add u.db alice 2>/dev/null && fail "add of an existing user"
  [ "$(db list u.db)" = "$(printf 'alice 2048\nbob 1024')" ] || fail "list: $(db list u.db)"
  echo 'alice pw' | db check u.db alice >/dev/null || fail "check with the right password"
  echo 'wrong' | db check u.db alice >/dev/null; [ $? -eq 1 ] || fail "check with a wrong password is not exit 1"
  echo 'x' | db check u.db nobody >/dev/null 2>&1; [ $? -eq 1 ] || fail "check of an unknown user is not exit 1"
  printf 'new pw\n' >pwfile
  db passwd u.db alice --password-file pwfile || fail "passwd"
  echo 'new pw' | db check u.db alice >/dev/null || fail "check after passwd"
  db del u.db bob || fail "del"
  [ "$(db list u.db)" = "alice 2048" ] || fail "list after del"
  db del u.db bob 2>/dev/null; [ $? -eq 1 ] || fail "del of a missing user is not exit 1"
  command -v srptool >/dev/null || { echo "FAIL: srptool is not installed (gnutls-bin)"; exit 1; }
  # srptool's files in, checked by us; ours out, checked by srptool.
  srptool --create-conf tp.conf >/dev/null || fail "srptool --create-conf"
  printf 'carol pw\n' | srptool -p tp -v tp.conf -u carol -i 3 >/dev/null 2>&1 || fail "srptool add"
  db import s.db --format gnutls tp tp.conf || fail "import"
  echo 'carol pw' | db check s.db carol >/dev/null || fail "imported verifier does not check"
  echo 'dave pw' | db add s.db dave --bits 3072 || fail "add dave"
  db export s.db --format gnutls out out.conf || fail "export"
  printf 'dave pw\n' | srptool --verify -u dave -p out -v out.conf 2>&1 | grep -q "Password verified" ||
    fail "srptool does not verify our export"
  printf 'carol pw\n' | srptool --verify -u carol -p out -v out.conf 2>&1 | grep -q "Password verified" ||
    fail "srptool does not verify the round trip"
  printf 'nope\n' | srptool --verify -u dave -p out -v out.conf 2>&1 | grep -q "Password verified" &&
    fail "srptool verified a wrong password"
  true
  ;;
db-psk)
  db() { "$tool" db "$@"; }
  cd "$tmp" || fail "cd"
  db create-psk k.db || fail "create-psk"
  db add k.db alice --key 00112233445566778899aabbccddeeff || fail "add"
  db check k.db alice --key 00112233445566778899AABBCCDDEEFF >/dev/null || fail "check right key"
  db check k.db alice --key 00112233445566778899aabbccddeefe >/dev/null; [ $? -eq 1 ] || fail "wrong key not exit 1"
  db check k.db alice >/dev/null || fail "presence check"
  db add k.db bob 2>/dev/null; [ $? -eq 2 ] || fail "add without --key is not a usage error"
  db list k.db | grep -qx alice || fail "list"
  # Failures name their cause (the store's message, not an empty or an earlier one).
  db add k.db alice --key 00112233445566778899aabbccddeeff 2>err; [ $? -eq 1 ] || fail "add of an existing identity"
  grep -q "^gtls-tool: k.db: This identity is already in the database\.$" err || fail "existing identity: $(cat err)"
  db list missing.db 2>err; [ $? -eq 1 ] || fail "list of a missing file"
  grep -q "^gtls-tool: missing.db: missing.db does not exist\.$" err || fail "missing file: $(cat err)"
  echo junk >junk.db
  db list junk.db 2>err; [ $? -eq 1 ] || fail "list of a non-database"
  grep -q "junk.db is not a TLS Lite database" err || fail "non-database: $(cat err)"
  db list k.db | grep -q 0011 && fail "list printed a key"
  echo x | db add k.db alice --bits 2048 2>/dev/null; [ $? -eq 2 ] || fail "--bits on a PSK database"
  command -v psktool >/dev/null || { echo "FAIL: psktool is not installed (gnutls-bin)"; exit 1; }
  psktool -u zed -p z.psk >/dev/null || fail psktool
  db import z.db --format gnutls z.psk || fail "import"
  db export z.db --format gnutls z2.psk || fail "export"
  cmp -s z.psk z2.psk || fail "psktool file changed in the round trip"
  key=$(sed -n 's/^zed://p' z.psk)
  db check z.db zed --key "$key" >/dev/null || fail "imported key does not check"
  ;;
db-usage)
  expect_usage "OPERATION missing" db
  expect_usage "FILE missing" db list
  expect_usage "unknown operation 'frob'" db frob x
  expect_usage "wrong number of arguments for 'add'" db add x
  expect_usage "wrong number of arguments for 'list'" db list x y
  expect_usage "not an SRP group size" db add x alice --bits 1000
  expect_usage "goes with add or passwd" db list x --bits 2048
  expect_usage "knows only gnutls" db import x --format pem a
  expect_usage "goes with import or export" db list x --format gnutls
  expect_usage "Unknown option --bogus" db --bogus
  ;;
gnutls-server-srp)
  # Our GIO client's SRP login against gnutls-serv, verifiers from srptool. (OpenSSL 3.0's SRP
  # cannot be a peer: s_server loses the user name and s_client crashes, against gnutls too;
  # tests/interop's openssl-client-srp case documents it.)
  need gnutls-serv; need srptool
  srptool --create-conf "$tmp/tpasswd.conf" >/dev/null || fail "srptool --create-conf"
  printf 'alice pw\n' | srptool --passwd "$tmp/tpasswd" --passwd-conf "$tmp/tpasswd.conf" -u alice -i 3 \
    >/dev/null 2>&1 || fail "srptool"
  start_peer peer gnutls-serv -p @PORT@ --srppasswd "$tmp/tpasswd" --srppasswdconf "$tmp/tpasswd.conf" \
    --http --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+SRP'
  printf 'alice pw\nGET / HTTP/1.0\r\n\r\n' | client --srp alice >"$tmp/client.out" 2>"$tmp/client.err" ||
    fail "SRP login against gnutls-serv exit $?"
  grep -qi "^HTTP/1.[01] 200 ok" "$tmp/client.out" || fail "no page from gnutls-serv"
  grep -q "^Cipher suite: TLS_SRP_SHA_WITH_" "$tmp/client.err" || fail "not an SRP suite"
  grep -q "^SRP user: alice$" "$tmp/client.err" || fail "summary lacks the SRP user"
  printf 'not it\nGET / HTTP/1.0\r\n\r\n' | client --srp alice >"$tmp/client.out" 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "a wrong password against gnutls-serv did not exit 1"
  grep -q "SRP login failed" "$tmp/client.err" || fail "no SRP error: $(cat "$tmp/client.err")"
  [ -s "$tmp/client.out" ] && fail "data after a wrong password"
  true
  ;;
gnutls-client-srp)
  # gnutls-cli's SRP login against our GIO server, verifiers from gtls-tool db.
  need gnutls-cli
  "$tool" db create-srp "$tmp/u.db" && echo 'alice pw' | "$tool" db add "$tmp/u.db" alice || fail "db"
  start_server --srp-db "$tmp/u.db" --http
  converse peer $'GET / HTTP/1.0\r\n\r\n' "</html>" gnutls-cli -p "$port" --srpusername alice \
    --srppasswd 'alice pw' --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+SRP' 127.0.0.1
  grep -q "^HTTP/1.0 200 OK" "$tmp/peer.out" || fail "gnutls-cli got no page"
  grep -q "srp-username=alice" "$tmp/peer.out" || fail "page does not name the SRP user"
  grep -q "TLS 1.2 TLS_SRP_SHA_WITH_" "$tmp/peer.out" || fail "page does not say TLS 1.2 with an SRP suite"
  converse bad $'GET / HTTP/1.0\r\n\r\n' "</html>" gnutls-cli -p "$port" --srpusername alice \
    --srppasswd 'not it' --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+SRP' 127.0.0.1
  grep -q "200 OK" "$tmp/bad.out" && fail "gnutls-cli got in with a wrong password"
  # The server logs the refusal after sending its alert: the client may be gone first.
  for _ in $(seq 100); do grep -q "handshake failed" "$tmp/server.err" && break; sleep 0.1; done
  grep -q "SRP login of user “alice” failed: wrong password" "$tmp/server.err" || fail "server did not log the wrong password"
  ;;
gnutls-server-psk|openssl-server-psk)
  # Our GIO client with a shared key against the peer's server: TLS 1.3 external PSK, TLS 1.2 PSK.
  key=00112233445566778899aabbccddeeff
  if [ "$case" = openssl-server-psk ]; then
    need openssl
    start_peer peer openssl s_server -accept @PORT@ -nocert -psk "$key" -psk_identity bob -www
  else
    need gnutls-serv
    printf 'bob:%s\n' "$key" >"$tmp/keys.psk"
    start_peer peer gnutls-serv -p @PORT@ --pskpasswd "$tmp/keys.psk" --http \
      --priority 'NORMAL:+ECDHE-PSK:+DHE-PSK:+PSK'
  fi
  for v in tls1.3 tls1.2; do
    printf 'GET / HTTP/1.0\r\n\r\n' | client --psk "bob:$key" --max-version $v >"$tmp/client.out" \
      2>"$tmp/client.err" || fail "PSK ($v) against ${case%%-*} exit $?"
    grep -qi "^HTTP/1.[01] 200 ok" "$tmp/client.out" || fail "no page ($v)"
    grep -q "^PSK identity: bob$" "$tmp/client.err" || fail "summary lacks the PSK identity ($v)"
    grep -q "^Peer certificate: none$" "$tmp/client.err" || fail "a certificate in a PSK handshake ($v)"
  done
  grep -q "^Protocol version: TLS 1.2$" "$tmp/client.err" || fail "not TLS 1.2"
  grep -q "^Cipher suite: TLS_.*PSK_WITH" "$tmp/client.err" || fail "TLS 1.2 without a PSK suite"
  printf 'GET / HTTP/1.0\r\n\r\n' | client --psk "bob:${key%??}00" >"$tmp/client.out" 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "a wrong key did not exit 1"
  [ -s "$tmp/client.out" ] && fail "data with a wrong key"
  true
  ;;
gnutls-client-psk|openssl-client-psk)
  # The peer's client with a shared key against our GIO server (--psk-db), TLS 1.3 and 1.2.
  key=00112233445566778899aabbccddeeff
  "$tool" db create-psk "$tmp/k.db" && "$tool" db add "$tmp/k.db" bob --key $key || fail "db"
  start_server --psk-db "$tmp/k.db" --http
  for v in 1.3 1.2; do
    rm -f "$tmp/peer.out"
    if [ "$case" = openssl-client-psk ]; then
      need openssl
      printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -connect "127.0.0.1:$port" \
        -psk_identity bob -psk "$key" "-tls${v/./_}" -ign_eof >"$tmp/peer.out" 2>"$tmp/peer.err"
    else
      need gnutls-cli
      # Plain PSK: Debian 12's gnutls-cli (3.7.9) crashes after a DHE-PSK or ECDHE-PSK handshake, with
      # gnutls-serv and s_server as well.
      converse peer $'GET / HTTP/1.0\r\n\r\n' "</html>" gnutls-cli -p "$port" --pskusername bob \
        --pskkey "$key" --priority "NORMAL:-VERS-ALL:+VERS-TLS$v:-KX-ALL:+PSK" 127.0.0.1
    fi
    grep -q "^HTTP/1.0 200 OK" "$tmp/peer.out" || fail "${case%%-*} got no page (TLS $v)"
    grep -q "TLS $v .*psk-identity=bob" "$tmp/peer.out" || fail "page does not say TLS $v and bob"
  done
  grep -q "TLS 1.2 TLS_.*PSK_WITH" "$tmp/peer.out" || fail "TLS 1.2 without a PSK suite"
  ;;
openssl-server-*|gnutls-server-*)
  # Our GIO client against a peer server.
  peer=${case%%-server-*} what=${case#*-server-}
  need "$( [ "$peer" = openssl ] && echo openssl || echo gnutls-serv )"
  cert=("$data/server-rsa.pem" "$data/server-rsa-key.pem") ca="$data/ca-rsa.pem" extra=() cargs=()
  case $what in
    ecdsa) cert=("$data/server-ecdsa.pem" "$data/server-ecdsa-key.pem") ca="$data/ca-ecdsa.pem" ;;
    tls12) cargs=(--max-version tls1.2) ;;
    alpn) cargs=(--alpn h2,http/1.1) ;;
    client-cert) cargs=(--cert "$data/client-rsa.pem" --key "$data/client-rsa-key.pem") ;;
  esac
  if [ "$peer" = openssl ]; then
    case $what in alpn) extra=(-alpn http/1.1) ;; client-cert) extra=(-Verify 1 -CAfile "$data/ca-rsa.pem") ;; esac
    start_peer peer openssl s_server -accept @PORT@ -cert "${cert[0]}" -key "${cert[1]}" -www "${extra[@]}"
  else
    case $what in alpn) extra=(--alpn http/1.1) ;; client-cert) extra=(--require-client-cert --x509cafile "$data/ca-rsa.pem") ;; esac
    start_peer peer gnutls-serv -p @PORT@ --x509certfile "${cert[0]}" --x509keyfile "${cert[1]}" --http "${extra[@]}"
  fi
  printf 'GET / HTTP/1.0\r\n\r\n' | client --ca "$ca" --server-name localhost "${cargs[@]}" \
    >"$tmp/client.out" 2>"$tmp/client.err" || fail "client exit $?"
  grep -qi "^HTTP/1.[01] 200 ok" "$tmp/client.out" || fail "no page from $peer"
  grep -q "Verification: trusted" "$tmp/client.err" || fail "not verified"
  case $what in
    tls12) grep -q "Protocol version: TLS 1.2" "$tmp/client.err" || fail "not TLS 1.2" ;;
    alpn) grep -q "ALPN: http/1.1" "$tmp/client.err" || fail "ALPN" ;;
    *) grep -q "Protocol version: TLS 1.3" "$tmp/client.err" || fail "not TLS 1.3" ;;
  esac
  ;;
openssl-client-*|gnutls-client-*)
  # A peer client against our GIO server (--http).
  peer=${case%%-client-*} what=${case#*-client-}
  need "$( [ "$peer" = openssl ] && echo openssl || echo gnutls-cli )"
  sargs=("${rsa[@]}") ca="$data/ca-rsa.pem" pargs=()
  case $what in
    ecdsa) sargs=("${ecdsa[@]}") ca="$data/ca-ecdsa.pem" ;;
    tls12) sargs+=(--max-version tls1.2) ;;
    alpn) sargs+=(--alpn h2,http/1.1) ;;
    client-cert) sargs+=(--require-client-cert --ca "$data/ca-rsa.pem") ;;
  esac
  start_server "${sargs[@]}" --http
  if [ "$peer" = openssl ]; then
    case $what in alpn) pargs=(-alpn http/1.1) ;; client-cert) pargs=(-cert "$data/client-rsa.pem" -key "$data/client-rsa-key.pem") ;; esac
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" \
      -servername localhost -verify_return_error -ign_eof "${pargs[@]}" >"$tmp/peer.out" 2>"$tmp/peer.err"
  else
    case $what in alpn) pargs=(--alpn http/1.1) ;; client-cert) pargs=(--x509certfile "$data/client-rsa.pem" --x509keyfile "$data/client-rsa-key.pem") ;; esac
    converse peer $'GET / HTTP/1.0\r\n\r\n' "</html>" gnutls-cli -p "$port" --x509cafile "$ca" "${pargs[@]}" localhost
  fi
  grep -q "^HTTP/1.0 200 OK" "$tmp/peer.out" || fail "$peer got no page"
  case $what in
    tls12) grep -q "TLS 1.2 " "$tmp/peer.out" || fail "page does not say TLS 1.2" ;;
    alpn) grep -q "alpn=http/1.1" "$tmp/peer.out" || fail "page does not say ALPN http/1.1" ;;
    client-cert) grep -q 'client=".*CN=client' "$tmp/server.err" || fail "server did not log the client certificate" ;;
    *) grep -q "TLS 1.3 " "$tmp/peer.out" || fail "page does not say TLS 1.3" ;;
  esac
  ;;
starttls-*)
  # A small server of the protocol (tests/tool/starttls-server.py, Python's ssl for TLS) that
  # lists STARTTLS among its capabilities, then one that does not.
  need python3
  proto=${case#starttls-}
  start_starttls() {
    port=$(free_port)
    python3 "$(dirname "$0")/starttls-server.py" "$1" "$port" "$data/server-rsa.pem" \
      "$data/server-rsa-key.pem" >"$tmp/$1.out" 2>"$tmp/$1.err" &
    pids+=($!)
    local hex; hex=$(printf ':%04X [0-9A-F:]* 0A ' "$port")
    for _ in $(seq 100); do grep -qE "$hex" /proc/net/tcp && return 0; sleep 0.1; done
    fail "$1 server did not listen"
  }
  case $proto in
    smtp) input=$'NOOP\r\nQUIT\r\n' answer="^250 NOOP over TLS" bye="^221 " ;;
    imap) input=$'a003 NOOP\r\na004 LOGOUT\r\n' answer="^a003 OK NOOP over TLS" bye="^a004 OK LOGOUT" ;;
    pop3) input=$'NOOP\r\nQUIT\r\n' answer="^+OK NOOP over TLS" bye="^+OK Bye" ;;
  esac
  start_starttls "$proto"
  printf '%s' "$input" | client --starttls "$proto" --ca "$data/ca-rsa.pem" --server-name localhost \
    >"$tmp/client.out" 2>"$tmp/client.err" || fail "client exit $?"
  grep -q "$answer" "$tmp/client.out" || fail "no answer over TLS: $(cat "$tmp/client.out")"
  grep -q "$bye" "$tmp/client.out" || fail "no answer to the last command"
  grep -q "Verification: trusted" "$tmp/client.err" || fail "not verified"
  grep -q "Protocol version: TLS 1.3" "$tmp/client.err" || fail "not TLS 1.3"
  # A server without STARTTLS: the client says so and exits 1 without sending STARTTLS.
  start_starttls "$proto-nostarttls"
  printf '%s' "$input" | client --starttls "$proto" --ca "$data/ca-rsa.pem" --server-name localhost \
    >/dev/null 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "client against a server without STARTTLS did not exit 1"
  grep -q "The server does not offer STARTTLS ($proto)" "$tmp/client.err" || fail "no words for a missing STARTTLS"
  ;;
resume)
  start_server "${rsa[@]}"
  for v in tls1.3 tls1.2; do
    echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --max-version $v --resume 3 \
      >"$tmp/r.out" 2>"$tmp/client.err" || fail "client --resume 3 ($v) exit $?"
    grep -qx r "$tmp/r.out" || fail "no echo after resuming ($v)"
    grep -q "^Resumed: no$" "$tmp/client.err" || fail "first connection not reported as new ($v)"
    grep -q "^Resumed: 3 of 3$" "$tmp/client.err" || fail "not 3 of 3 resumed ($v): $(grep Resumed "$tmp/client.err")"
  done
  # A TLS 1.3 server without tickets resumes nothing: the count is measured, not assumed.
  G_TLS_TLSLITE_NO_TICKETS=1 start_server "${rsa[@]}"
  echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --resume 2 >/dev/null 2>"$tmp/client.err" ||
    fail "client against a ticketless server exit $?"
  grep -q "^Resumed: 0 of 2$" "$tmp/client.err" || fail "ticketless server: $(grep Resumed "$tmp/client.err")"
  ;;
session-cache)
  # Tickets off: TLS 1.2 resumes by session ID alone, from the server's --session-cache.
  start_server "${rsa[@]}" --session-cache 16 --settings tickets=false
  echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --max-version tls1.2 --resume 3 \
    >"$tmp/r.out" 2>"$tmp/client.err" || fail "client --resume 3 exit $?"
  grep -qx r "$tmp/r.out" || fail "no echo after resuming"
  grep -q "^Protocol version: TLS 1.2$" "$tmp/client.err" || fail "not TLS 1.2"
  grep -q "^Resumed: 3 of 3$" "$tmp/client.err" || fail "--session-cache 16: $(grep Resumed "$tmp/client.err")"
  # --session-cache 0: no cache, no session ID, so nothing resumes (the count is measured).
  start_server "${rsa[@]}" --session-cache 0 --settings tickets=false
  echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --max-version tls1.2 --resume 3 \
    >/dev/null 2>"$tmp/client.err" || fail "client against --session-cache 0 exit $?"
  grep -q "^Resumed: 0 of 3$" "$tmp/client.err" || fail "--session-cache 0: $(grep Resumed "$tmp/client.err")"
  # Without the option, the process-wide cache.
  start_server "${rsa[@]}" --settings tickets=false
  echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --max-version tls1.2 --resume 2 \
    >/dev/null 2>"$tmp/client.err" || fail "client against the default cache exit $?"
  grep -q "^Resumed: 2 of 2$" "$tmp/client.err" || fail "default cache: $(grep Resumed "$tmp/client.err")"
  expect_usage "--session-cache wants a number" server 127.0.0.1:0 --cert x --session-cache -5
  ;;
progress)
  # On a terminal (script's pty) long operations show a progress line; in a pipe they do not.
  need script
  cd "$tmp" || fail "cd"
  "$tool" db create-srp p.db || fail "create-srp"
  script -qec "printf 'pw\\n' | '$tool' db add p.db carol --bits 8192" /dev/null >pty.out 2>&1 ||
    fail "db add on a pty exit $?: $(cat pty.out)"
  grep -q "Computing the verifier: | 0 s elapsed" pty.out || fail "no spinner on a pty: $(od -c pty.out | head)"
  grep -q "Computing the verifier: done in [0-9.]* s" pty.out || fail "no final line on a pty"
  printf 'pw\n' | "$tool" db add p.db dave --bits 8192 >pipe.out 2>pipe.err || fail "db add in a pipe"
  [ -s pipe.err ] && fail "db add in a pipe printed: $(cat pipe.err)"
  [ "$("$tool" db list p.db)" = "$(printf 'carol 8192\ndave 8192')" ] || fail "list: $("$tool" db list p.db)"
  start_server "${rsa[@]}"
  script -qec "echo r | '$tool' client 127.0.0.1:$port --ca '$data/ca-rsa.pem' --server-name localhost --resume 3" \
    /dev/null >pty.out 2>&1 || fail "client --resume 3 on a pty exit $?: $(cat pty.out)"
  grep -q "Resuming: [0-3]/3, [0-9.]*/s, ETA [0-9]* s, [0-9]* s elapsed" pty.out ||
    fail "no progress with rate and ETA: $(od -c pty.out | tail -20)"
  grep -q "Resuming: 3/3 in [0-9.]* s" pty.out || fail "no final progress line"
  grep -q "Resumed: 3 of 3" pty.out || fail "resumption on a pty"
  echo r | client --ca "$data/ca-rsa.pem" --server-name localhost --resume 3 >/dev/null 2>pipe.err ||
    fail "client --resume 3 in a pipe"
  grep -q "Resuming" pipe.err && fail "progress in a pipe: $(cat pipe.err)"
  grep -q "^Resumed: 3 of 3$" pipe.err || fail "resumption in a pipe"
  ;;
selftest)
  need openssl
  "$tool" testcreds "$tmp/creds" >/dev/null || fail "testcreds exit $?"
  for f in ca.pem server-rsa.pem server-ecdsa.pem client.pem verifiers.db keys.db srp-password psk-key; do
    [ -s "$tmp/creds/$f" ] || fail "testcreds made no $f"
  done
  "$tool" servertest 127.0.0.1:0 "$tmp/creds" >"$tmp/st-server.out" 2>"$tmp/server.err" &
  spid=$!; pids+=($spid)
  for _ in $(seq 100); do
    port=$(sed -n 's/^Listening on .* port \([0-9]*\)$/\1/p' "$tmp/server.err"); [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || fail "servertest did not listen"
  timeout 300 "$tool" clienttest "127.0.0.1:$port" "$tmp/creds" >"$tmp/st-client.out" 2>"$tmp/client.err" ||
    fail "clienttest exit $?: $(cat "$tmp/st-client.out")"
  wait $spid || fail "servertest exit $?: $(cat "$tmp/st-server.out")"
  cat "$tmp/st-client.out"
  for side in client server; do
    grep -q "^Test succeeded" "$tmp/st-$side.out" || fail "$side did not succeed"
    grep -q ": failed" "$tmp/st-$side.out" && fail "$side has a failed step"
    # Every step has its line, and at least the certificate steps really ran.
    [ "$(grep -c '^ *[0-9]*/[0-9]* ' "$tmp/st-$side.out")" -eq "$(sed -n 's|^ *1/\([0-9]*\) .*|\1|p' "$tmp/st-$side.out")" ] ||
      fail "$side: not one line per step"
    [ "$(grep -c -e ': ok' -e 'as expected' "$tmp/st-$side.out")" -ge 31 ] || fail "$side: fewer than 31 steps ran"
  done
  grep -q "SSL 3.0: ok (SSL 3.0," "$tmp/st-client.out" || fail "SSL 3.0 step"
  # With SRP and PSK in the module, no step may be skipped.
  if have_auth; then
    grep -q "skipped" "$tmp/st-client.out" && fail "steps skipped although the module has SRP and PSK"
    grep -qx "Test succeeded" "$tmp/st-client.out" || fail "not a plain 'Test succeeded'"
  fi
  grep -q "abrupt close: refused as expected" "$tmp/st-client.out" || fail "abrupt close step"
  ;;
selftest-mismatch)
  # Credentials that do not belong together: the client must fail and name the step.
  need openssl
  "$tool" testcreds "$tmp/a" >/dev/null && "$tool" testcreds "$tmp/b" >/dev/null || fail "testcreds"
  "$tool" servertest 127.0.0.1:0 "$tmp/a" >"$tmp/st-server.out" 2>"$tmp/server.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's/^Listening on .* port \([0-9]*\)$/\1/p' "$tmp/server.err"); [ -n "$port" ] && break; sleep 0.1
  done
  timeout 300 "$tool" clienttest "127.0.0.1:$port" "$tmp/b" >"$tmp/st-client.out" 2>/dev/null
  [ $? -eq 1 ] || fail "clienttest with the wrong CA did not exit 1"
  grep -q "^ 1/[0-9]* RSA certificate, TLS 1.3: failed: " "$tmp/st-client.out" || fail "step 1 not reported failed"
  grep -q "^Test failed at step 1: RSA certificate, TLS 1.3$" "$tmp/st-client.out" || fail "no 'Test failed at step 1'"
  ;;
srp)
  have_auth || { echo "FAIL: the module has no SRP properties"; exit 1; }
  "$tool" db create-srp "$tmp/u.db" && echo 'alice pw' | "$tool" db add "$tmp/u.db" alice || fail "db"
  start_server "${rsa[@]}" --srp-db "$tmp/u.db"
  echo 'alice pw' >"$tmp/pw"; echo 'not it' >"$tmp/bad"
  echo s1 | client --ca "$data/ca-rsa.pem" --server-name localhost --srp alice --password-file "$tmp/pw" \
    2>"$tmp/client.err" | grep -qx s1 || fail "SRP login"
  grep -q "^SRP user: alice$" "$tmp/client.err" || fail "summary lacks the SRP user"
  grep -q "^Cipher suite: TLS_SRP_SHA" "$tmp/client.err" || fail "not an SRP suite"
  grep -q "srp-username=alice" "$tmp/server.err" || fail "server did not log the SRP user"
  echo s2 | client --ca "$data/ca-rsa.pem" --server-name localhost --srp alice --password-file "$tmp/bad" \
    >/dev/null 2>"$tmp/client.err"
  [ $? -eq 1 ] || fail "a wrong password did not exit 1"
  # The password from stdin's first line (not a terminal), the rest goes to the server.
  printf 'alice pw\ns3\n' | client --ca "$data/ca-rsa.pem" --server-name localhost --srp alice 2>/dev/null |
    grep -qx s3 || fail "password from stdin"
  # On the command line it works, with a warning.
  echo s4 | client --ca "$data/ca-rsa.pem" --server-name localhost --srp alice --password 'alice pw' \
    2>"$tmp/client.err" | grep -qx s4 || fail "--password"
  grep -q "warning: a password on the command line" "$tmp/client.err" || fail "no warning for --password"
  ;;
psk)
  have_auth || { echo "FAIL: the module has no PSK properties"; exit 1; }
  key=00112233445566778899aabbccddeeff
  "$tool" db create-psk "$tmp/k.db" && "$tool" db add "$tmp/k.db" bob --key $key || fail "db"
  start_server --psk-db "$tmp/k.db"
  for v in tls1.3 tls1.2; do
    echo "p-$v" | client --psk bob:$key --max-version $v 2>"$tmp/client.err" | grep -qx "p-$v" ||
      fail "PSK $v: $(cat "$tmp/client.err")"
    grep -q "^PSK identity: bob$" "$tmp/client.err" || fail "summary lacks the PSK identity ($v)"
  done
  grep -q "Cipher suite: TLS_.*PSK" "$tmp/client.err" || fail "TLS 1.2 without a PSK suite"
  printf 'bob:%s\n' $key >"$tmp/keys.psk"
  echo p-file | client --psk bob --psk-key-file "$tmp/keys.psk" 2>/dev/null | grep -qx p-file || fail "--psk-key-file"
  echo x | client --psk bob:00112233445566778899aabbccddeefe >/dev/null 2>&1
  [ $? -eq 1 ] || fail "a wrong key did not exit 1"
  ;;
*) echo "unknown case $case"; exit 1 ;;
esac
exit 0

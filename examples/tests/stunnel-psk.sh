#!/usr/bin/env bash
# Shared keys with Debian's stunnel4 (PSKsecrets): our GIO client (examples/psk-echo client)
# reaches an stunnel PSK service over TLS 1.2 and TLS 1.3; stunnel as a PSK client reaches our
# GIO server (examples/psk-echo server) whose key is in our shared-key database.
# Usage: stunnel-psk.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
stunnel=$(command -v stunnel4 || command -v stunnel || echo /usr/bin/stunnel4)
[ -x "$stunnel" ] || fail "stunnel4 is not installed (run scripts/install-deps.sh)"
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
echo "gateway-7:$key" > "$tmp/psk.txt"
chmod 600 "$tmp/psk.txt"
s12=$(free_port); s13=$(free_port); tunnel=$(free_port)

# Our server first: stunnel's client side connects to it.
start_reporting server "$bin/psk-echo" server --db "$tmp/keys.sqlite" --add "gateway-7:$key" \
  --hint "tlslite server" || fail "psk-echo server did not start"
expect_backend "$tmp/server.err"
ours=$port

cat > "$tmp/stunnel.conf" <<CONF
foreground = yes
pid =
debug = info
output = $tmp/stunnel.log
; a PSK echo service (cat behind TLS), TLS 1.2 only and TLS 1.3
[echo12]
accept = 127.0.0.1:$s12
exec = /bin/cat
ciphers = PSK
PSKsecrets = $tmp/psk.txt
sslVersionMax = TLSv1.2
[echo13]
accept = 127.0.0.1:$s13
exec = /bin/cat
PSKsecrets = $tmp/psk.txt
sslVersionMin = TLSv1.3
; stunnel as the PSK client of our server: plain text in on $tunnel, TLS-PSK out
[to-tlslite]
client = yes
accept = 127.0.0.1:$tunnel
connect = 127.0.0.1:$ours
PSKsecrets = $tmp/psk.txt
PSKidentity = gateway-7
CONF
"$stunnel" "$tmp/stunnel.conf" > "$tmp/stunnel.out" 2> "$tmp/stunnel.err" &
pids+=($!)
for p in $s12 $s13 $tunnel; do wait_port $p || fail "stunnel did not start"; done

for v in 12 13; do
  port=s$v
  timeout 30 "$bin/psk-echo" client --port ${!port} --psk-identity gateway-7 --psk-key "$key" \
    --message "through stunnel $v" > "$tmp/client$v.out" 2> "$tmp/client$v.err" || fail "client to stunnel ($v)"
  grep -q "^TLS: TLS 1\.${v#1}," "$tmp/client$v.out" || fail "not TLS 1.${v#1}"
  grep -qx "got: through stunnel $v" "$tmp/client$v.out" || fail "no echo from stunnel's cat ($v)"
done
expect_backend "$tmp/client12.err"

# Plain text into stunnel's client side comes back from our server over TLS-PSK.
exec 3<>/dev/tcp/127.0.0.1/$tunnel || fail "cannot reach the stunnel client service"
echo "plain in, PSK on the wire" >&3
read -r -t 20 reply <&3 || fail "no answer through stunnel from our server"
exec 3>&-
[ "$reply" = "psk echo: plain in, PSK on the wire" ] || fail "unexpected answer: $reply"
grep -q 'client "gateway-7" authenticated by its shared key' "$tmp/server.out" || fail "our server did not see the identity"

# A wrong key is refused by stunnel.
wrong=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
refused timeout 30 "$bin/psk-echo" client --port $s12 --psk-identity gateway-7 --psk-key "$wrong" \
  > "$tmp/wrong.out" 2> "$tmp/wrong.err" || fail "stunnel's refusal of a wrong key was not reported cleanly"
grep -q '^psk client: Wrong shared key' "$tmp/wrong.err" || fail "wrong key: not reported as such"
stop_ours "${pids[0]}" "psk-echo server"
cat "$tmp/client12.out" "$tmp/client13.out" "$tmp/server.out"
echo "PASS: stunnel $(dpkg-query -W -f='${Version}' stunnel4 2>/dev/null) PSK tunnels both ways"

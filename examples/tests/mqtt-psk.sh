#!/usr/bin/env bash
# examples/mqtt-psk against Debian's Mosquitto with psk_hint and psk_file: our GIO client
# subscribes, publishes and receives its message back over TLS 1.2 (checking the hint) and
# TLS 1.3 with the shared key only; mosquitto_sub (a second, real client) receives it too;
# a wrong key is refused. Usage: mqtt-psk.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[ -x "$mosquitto" ] || fail "mosquitto is not installed (run scripts/install-deps.sh)"
need mosquitto_sub
p12=$(free_port); p13=$(free_port)
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
echo "sensor-1:$key" > "$tmp/psk"
chmod 644 "$tmp/psk"   # mosquitto drops root for its own user before reading it
cat > "$tmp/mosquitto.conf" <<CONF
per_listener_settings true
persistence false
log_dest stdout
log_type all
listener $p12 127.0.0.1
psk_hint tlslite-hint
psk_file $tmp/psk
use_identity_as_username true
allow_anonymous false
tls_version tlsv1.2
listener $p13 127.0.0.1
psk_hint tlslite-hint
psk_file $tmp/psk
use_identity_as_username true
allow_anonymous false
tls_version tlsv1.3
CONF
# Line-buffered, so the test can watch for the subscription in the log.
stdbuf -oL "$mosquitto" -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
pids+=($!)
wait_port $p12 && wait_port $p13 || fail "mosquitto did not start"

for v in 12 13; do
  port=p$v; port=${!port}
  msg="reading $v from sensor-1 $RANDOM"
  # A real subscriber from Mosquitto's own clients (OpenSSL) must see what we publish.
  before=$(grep -c 'Received SUBSCRIBE' "$tmp/mosquitto.log")
  mosquitto_sub -h 127.0.0.1 -p $port --psk "$key" --psk-identity sensor-1 -t "sensors/$v" -C 1 -W 20 \
    > "$tmp/sub$v.out" 2> "$tmp/sub$v.err" &
  sub=$!
  for _ in $(seq 100); do
    [ "$(grep -c 'Received SUBSCRIBE' "$tmp/mosquitto.log")" -gt "$before" ] && break
    sleep 0.1
  done
  # Mosquitto's tls_version is a minimum: our client caps TLS 1.2 itself, through the backend's
  # plain-GIO setting, and checks the hint only TLS 1.2 carries.
  hintopt=(); maxv=tls1.3; [ $v = 12 ] && { hintopt=(--expect-hint tlslite-hint); maxv=tls1.2; }
  G_TLS_TLSLITE_MAX_VERSION=$maxv timeout 30 "$bin/mqtt-psk" --port $port --psk-identity sensor-1 --psk-key "$key" \
    --topic "sensors/$v" --message "$msg" "${hintopt[@]}" > "$tmp/mqtt$v.out" 2> "$tmp/mqtt$v.err" \
    || fail "MQTT over TLS-PSK ($v)"
  expect_backend "$tmp/mqtt$v.err"
  grep -q "^TLS: TLS 1\.${v#1}, .*identity sensor-1" "$tmp/mqtt$v.out" || fail "not TLS 1.${v#1} with PSK"
  grep -q "^received \"$msg\"" "$tmp/mqtt$v.out" || fail "our subscription did not get the message ($v)"
  wait $sub || fail "mosquitto_sub did not get our message ($v)"
  grep -qx "$msg" "$tmp/sub$v.out" || fail "mosquitto_sub got something else ($v)"
done
# The broker shows the shared key as the login: the identity is the MQTT user name.
grep -q "u'sensor-1'" "$tmp/mosquitto.log" || fail "mosquitto did not see identity sensor-1"
wrong=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
refused timeout 30 "$bin/mqtt-psk" --port $p12 --psk-identity sensor-1 --psk-key "$wrong" \
  > "$tmp/wrong.out" 2> "$tmp/wrong.err" || fail "a wrong key was not refused"
grep -q '^mqtt-psk failed: .*TLS alert' "$tmp/wrong.err" || fail "wrong key: no TLS alert from the broker reported"
cat "$tmp/mqtt12.out" "$tmp/mqtt13.out"
echo "PASS: MQTT over TLS-PSK with Mosquitto $(dpkg-query -W -f='${Version}' mosquitto 2>/dev/null)"

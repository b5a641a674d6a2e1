#!/usr/bin/env bash
# examples/soup-client logs in through SoupSession's tls-interaction (a TlsliteInteraction)
# to Debian's gnutls-serv --http: SRP (verifiers from srptool, TLS 1.2) and PSK (keys from
# psktool, TLS 1.2 and TLS 1.3); a wrong password and a wrong key fail.
# Usage: soup-gnutls-auth.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
need gnutls-serv; need srptool; need psktool
srptool --create-conf "$tmp/tpasswd.conf" > /dev/null || fail "srptool --create-conf"
password="soup srp $RANDOM"
printf '%s\n' "$password" | srptool --passwd "$tmp/tpasswd" --passwd-conf "$tmp/tpasswd.conf" \
  -u carol -i 3 > /dev/null 2>&1 || fail "srptool"
psktool -u dave -p "$tmp/psk.txt" > /dev/null 2>&1 || fail "psktool"
key=$(sed -n 's/^dave://p' "$tmp/psk.txt")
[ -n "$key" ] || fail "psktool wrote no key"
srp=$(free_port); psk12=$(free_port); psk13=$(free_port)
gnutls-serv --http -p $srp --srppasswd "$tmp/tpasswd" --srppasswdconf "$tmp/tpasswd.conf" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+SRP' > "$tmp/srp-serv.out" 2> "$tmp/srp-serv.err" &
pids+=($!)
gnutls-serv --http -p $psk12 --pskpasswd "$tmp/psk.txt" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:+PSK' > "$tmp/psk12-serv.out" 2> "$tmp/psk12-serv.err" &
pids+=($!)
gnutls-serv --http -p $psk13 --pskpasswd "$tmp/psk.txt" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+PSK' > "$tmp/psk13-serv.out" 2> "$tmp/psk13-serv.err" &
pids+=($!)
for p in $srp $psk12 $psk13; do wait_port $p || fail "gnutls-serv did not start"; done

printf '%s\n' "$password" | timeout 30 "$bin/soup-client" --srp-user carol "https://localhost:$srp/" \
  > "$tmp/srp.out" 2> "$tmp/srp.err" || fail "SRP login"
expect_backend "$tmp/srp.err"
grep -q '^suite: TLS_SRP_SHA_WITH_AES' "$tmp/srp.err" || fail "SRP: not an SRP suite"
grep -q "Connected as user 'carol'" "$tmp/srp.out" || fail "SRP: gnutls-serv's page does not name carol"
printf 'wrong\n' | refused timeout 30 "$bin/soup-client" --srp-user carol "https://localhost:$srp/" \
  > "$tmp/srpbad.out" 2> "$tmp/srpbad.err" || fail "SRP: a wrong password was not refused"
grep -q '^request failed: SRP login failed' "$tmp/srpbad.err" || fail "SRP: the wrong password is not reported as an SRP failure"

for v in 12 13; do
  port=psk$v
  timeout 30 "$bin/soup-client" --psk-identity dave --psk-key "$key" "https://localhost:${!port}/" \
    > "$tmp/psk$v.out" 2> "$tmp/psk$v.err" || fail "PSK login ($v)"
  grep -q "^protocol: TLS 1\.${v#1}$" "$tmp/psk$v.err" || fail "PSK: not TLS 1.${v#1}"
  grep -q "PSK authentication. Connected as 'dave'" "$tmp/psk$v-serv.out" || fail "PSK: gnutls-serv did not see dave ($v)"
done
wrong=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
refused timeout 30 "$bin/soup-client" --psk-identity dave --psk-key "$wrong" "https://localhost:$psk12/" \
  > "$tmp/pskbad.out" 2> "$tmp/pskbad.err" || fail "PSK: a wrong key was not refused"
grep -q '^request failed: Wrong shared key' "$tmp/pskbad.err" || fail "PSK: the wrong key is not reported as such"
echo "PASS: libsoup SRP and PSK logins to gnutls-serv $(dpkg-query -W -f='${Version}' gnutls-bin 2>/dev/null)"

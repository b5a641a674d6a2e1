#!/usr/bin/env bash
# examples/srp-fetch.py: Python (python3-gi) and libsoup 3 on our backend log in with SRP to
# Debian's gnutls-serv --http (verifiers from srptool, no certificate); a wrong password fails.
# Usage: python-srp.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
src=$(cd "$(dirname "$0")/.." && pwd)
need gnutls-serv; need srptool
# Debian's interpreter, the one python3-gi is installed for (a python3 earlier in PATH may not have it).
py=/usr/bin/python3
"$py" -c 'import gi; gi.require_version("Soup", "3.0")' 2>/dev/null || fail "python3-gi or gir1.2-soup-3.0 missing"
srptool --create-conf "$tmp/tpasswd.conf" > /dev/null || fail "srptool --create-conf"
password="open sesame $RANDOM"
printf '%s\n' "$password" | srptool --passwd "$tmp/tpasswd" --passwd-conf "$tmp/tpasswd.conf" \
  -u alice -i 3 > /dev/null 2>&1 || fail "srptool"
port=$(free_port)
gnutls-serv --http -p $port --srppasswd "$tmp/tpasswd" --srppasswdconf "$tmp/tpasswd.conf" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+SRP' > "$tmp/serv.out" 2> "$tmp/serv.err" &
pids+=($!)
wait_port $port || fail "gnutls-serv did not start"
fetch() { printf '%s\n' "$1" | foreign timeout 30 "$py" "$src/srp-fetch.py" "https://localhost:$port/" alice; }

fetch "$password" > "$tmp/py.out" 2> "$tmp/py.err" || fail "SRP fetch"
expect_backend "$tmp/py.out"
grep -q '^status: 200$' "$tmp/py.out" || fail "no 200"
grep -q '^suite: TLS_SRP_SHA_WITH_AES' "$tmp/py.out" || fail "not an SRP suite"
grep -q "Connected as user 'alice'" "$tmp/py.out" || fail "gnutls-serv's page does not name alice"
refused fetch "wrong $password" > "$tmp/bad.out" 2> "$tmp/bad.err" || fail "a wrong password was not refused"
grep -q 'fetch failed' "$tmp/bad.err" || fail "wrong password: no failure reported"
grep -q "$password" "$tmp/bad.err" "$tmp/py.out" && fail "the password was printed"
echo "PASS: python3-gi $(dpkg-query -W -f='${Version}' python3-gi 2>/dev/null) SRP login to gnutls-serv $(dpkg-query -W -f='${Version}' gnutls-bin 2>/dev/null)"

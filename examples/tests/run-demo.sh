#!/usr/bin/env bash
# ./run-demo.sh as the README tells a reader to run it (on this build directory): it must print
# the certificate connection, the refused wrong password and the SRP login, and exit 0.
# Usage: run-demo.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2")
unset GIO_USE_TLS GIO_MODULE_DIR
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILDDIR=$build "$src/run-demo.sh" >"$out" 2>&1
rc=$?
fail() { echo "FAIL: $*"; echo "--- run-demo.sh printed:"; cat "$out"; exit 1; }
[ $rc -eq 0 ] || fail "run-demo.sh exit $rc"
# The set-up says what it does: each step, the packages (all there in CI), ninja's progress.
for step in "== 1/3 Debian packages" "== 2/3 Building the module, the demo and gtls-tool (ninja)" "== 3/3 The demo"; do
  grep -qF "$step" "$out" || fail "set-up step '$step' not announced"
done
grep -q "^install-deps: all [0-9]* packages .* are installed\.$\|^Installing: " "$out" ||
  fail "install-deps.sh did not say what it installs"
grep -q "ninja: Entering directory\|ninja: no work to do" "$out" || fail "ninja's output is not shown"
# The demo's own lines, section by section (the set-up lines come before them).
demo=$(sed -n '/^TLS backend: /,$p' "$out")
[ -n "$demo" ] || fail "no 'TLS backend:' line"
section() { printf '%s\n' "$demo" | sed -n "/^$1/,/^[A-Z]/p" | sed '1d;$d'; }
printf '%s\n' "$demo" | head -1 | grep -qx "TLS backend: GTlsBackendTlslite" || fail "not the tlslite backend"
cert=$(section "Certificate connection to localhost:[0-9]*$")
grep -qx "  protocol:     TLS 1.3" <<<"$cert" || fail "certificate connection is not TLS 1.3"
grep -q "^  server:       .*CN=localhost (verified)$" <<<"$cert" || fail "server certificate not verified"
grep -qx "  server says:  hello, certificate client" <<<"$cert" || fail "no answer on the certificate connection"
wrong=$(section "SRP login as alice with a wrong password$")
grep -qx "  refused:      SRP login failed: wrong user name or password (TLSLITE_AUTH_ERROR_SRP_FAILED)" <<<"$wrong" ||
  fail "the wrong password was not refused with TLSLITE_AUTH_ERROR_SRP_FAILED"
grep -q "server says" <<<"$wrong" && fail "data went through after a wrong password"
srp=$(printf '%s\n' "$demo" | sed -n '/^SRP login as alice$/,$p')
grep -qx "  protocol:     TLS 1.2" <<<"$srp" || fail "SRP login is not TLS 1.2"
grep -q "^  cipher suite: TLS_SRP_SHA_" <<<"$srp" || fail "SRP login without an SRP suite"
grep -qx "  SRP user:     alice" <<<"$srp" || fail "SRP user not alice"
grep -qx "  server says:  hello, alice" <<<"$srp" || fail "the server did not see alice"
echo "run-demo.sh ok"

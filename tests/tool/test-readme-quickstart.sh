#!/usr/bin/env bash
# Runs README.md's quick start as written, so it cannot rot: the commands of its first sh block
# (after the set-up line) run verbatim in a scratch directory, with passwords piped in and the
# port replaced by a free one; the output block below it must match what the tool printed.
# Usage: test-readme-quickstart.sh README BUILD_ROOT     Exit: 0 pass, 1 fail.
set -uo pipefail
unset GIO_USE_TLS GIO_MODULE_DIR
readme=$(readlink -f "$1") build=$(readlink -f "$2")
tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

# The quick start's two blocks: the first ```sh block after "## Quick start" (commands) and the
# first plain ``` block after it (the output shown).
awk '/^## Quick start/ {q=1} q && /^```sh$/ && !c {c=1; next} c==1 && /^```$/ {c=2; next} c==1 {print}' \
  "$readme" >"$tmp/commands"
# (Fences counted: 1 opens the commands, 2 closes them, 3 opens the output, 4 closes it.)
awk '/^## Quick start/ {q=1} q && /^```/ {n++; if (n==3) {o=1; next} if (n==4) exit} o {print}' \
  "$readme" >"$tmp/expected"
[ -s "$tmp/commands" ] || fail "no sh block after '## Quick start' in README.md"
[ -s "$tmp/expected" ] || fail "no output block after the quick start's commands"

# The set-up line is what the test's own build already did; everything after it runs as written.
head -1 "$tmp/commands" | grep -q '^\./run-demo\.sh' || fail "the quick start does not begin with the set-up command"
grep -q '^export PATH=\$PWD/build/tools:\$PATH' "$tmp/commands" || fail "no PATH line for build/tools"

# A free loopback port in place of the README's 4433 (other tests may run at the same time).
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000)); hex=$(printf ':%04X ' "$p")
  grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { port=$p; break; }
done
[ -n "$port" ] || fail "no free port"

cd "$tmp" || fail "cd"
ln -s "$build" build   # so the README's $PWD/build/tools is this build's tool
declare -A password=([alice]=rabbit [bob]=builder)
n_client=0
while IFS= read -r line; do
  cmd=${line%%#*}                      # the comment is for the reader
  cmd=${cmd%"${cmd##*[![:space:]]}"}   # trailing blanks
  [ -n "$cmd" ] || continue
  case $cmd in ./run-demo.sh*) continue ;; esac
  cmd=${cmd//4433/$port}
  echo "+ $cmd"
  case $cmd in
    *"db add "*)
      user=${cmd##* }
      [ -n "${password[$user]:-}" ] || fail "no password for '$user' in this test"
      # Not a terminal: the password is stdin's first line.
      eval "$cmd" <<<"${password[$user]}" 2>"$tmp/db.err" || fail "'$line' exit $?"
      ;;
    *"&")
      eval "$cmd" </dev/null 2>"$tmp/server.err"
      server_pid=$!
      for _ in $(seq 100); do
        grep -q "^Listening on 127.0.0.1 port $port$" "$tmp/server.err" && break
        kill -0 "$server_pid" 2>/dev/null || fail "server exited"
        sleep 0.1
      done
      grep -q "^Listening on 127.0.0.1 port $port$" "$tmp/server.err" || fail "server did not listen"
      ;;
    *"client "*"--srp alice"*)
      n_client=$((n_client + 1))
      if [ $n_client -eq 1 ]; then
        # The right password, then a line that the server echoes.
        printf '%s\nhello\n' "${password[alice]}" | timeout 30 bash -c "$cmd" \
          >"$tmp/client1.out" 2>"$tmp/client1.err"
        rc=$?
        [ $rc -eq 0 ] || fail "login with the right password exit $rc"
        [ "$(cat "$tmp/client1.out")" = hello ] || fail "no echo: '$(cat "$tmp/client1.out")'"
      else
        printf 'carrot\nhello\n' | timeout 30 bash -c "$cmd" >"$tmp/client2.out" 2>"$tmp/client2.err"
        rc=$?
        [ $rc -eq 1 ] || fail "login with a wrong password exit $rc, not 1"
        [ -s "$tmp/client2.out" ] && fail "data got through after a wrong password"
        # The server logs the refusal after the client is gone: let it, before the README's kill.
        for _ in $(seq 100); do
          grep -q "handshake failed" "$tmp/server.err" && break
          sleep 0.1
        done
      fi
      ;;
    "kill %1")
      eval "$cmd" || fail "'$cmd' exit $?"
      wait "$server_pid" 2>/dev/null
      kill -0 "$server_pid" 2>/dev/null && fail "server still runs after '$cmd'"
      server_pid=
      ;;
    *) eval "$cmd" </dev/null 2>"$tmp/cmd.err" || fail "'$line' exit $?" ;;
  esac
done <"$tmp/commands"
[ $n_client -eq 2 ] || fail "expected two client commands (right and wrong password), saw $n_client"
[ -f users.db ] || fail "no users.db"
[ "$(build/tools/gtls-tool db list users.db)" = "$(printf 'alice 2048\nbob 2048')" ] ||
  fail "users.db does not hold alice and bob"

# The output shown in the README: each line printed by the right login (up to the second
# prompt) or the wrong one (after it); prompts appear only on a terminal, "hello" is the echo.
part=1
while IFS= read -r want; do
  case $want in
    *"password for alice:") [ "$want" = "SRP password for alice:" ] || fail "prompt '$want'"; continue ;;
  esac
  want=${want//4433/$port}
  if [ $part -eq 1 ] && [ "$want" = hello ]; then part=2; continue; fi
  grep -qxF -- "$want" "$tmp/client$part.err" ||
    fail "README shows '$want', login $part printed: $(cat "$tmp/client$part.err")"
done <"$tmp/expected"
[ $part -eq 2 ] || fail "the README's output shows no echoed hello"
grep -q "SRP login of user “alice” failed: wrong password" "$tmp/server.err" ||
  fail "the server did not log the failed login"
echo "quick start ok (port $port)"
exit 0

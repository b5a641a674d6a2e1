# Shared by the integration tests: a throw-away directory, peers started in the foreground and
# stopped on exit, readiness by polling, failure reports with every log. Sourced, not run.
set -uo pipefail

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlslite-integ.XXXXXX")
chmod 755 "$tmp"   # daemons that drop privileges (nginx workers, dovecot, postfix) must enter it
pids=()
stop_cmds=()   # run first on exit: peers that are stopped by a command, not by a signal
cleanup() {
  local p c
  for c in "${stop_cmds[@]}"; do eval "$c" > /dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  # Give each peer two seconds to stop, then kill it: nothing may outlive the test.
  for _ in $(seq 20); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  local f
  for f in "$tmp"/*.log "$tmp"/*.err "$tmp"/*.out; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f"; }
  done
  exit 1
}

# A real integration test never skips: a missing peer is a failure (scripts/install-deps.sh
# installs them all).
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (run scripts/install-deps.sh)"; }

# A TCP port nothing listens on or uses, below the kernel's ephemeral range (32768-60999) so no
# outgoing connection takes it meanwhile, and never the same one twice in a test. Plain bash: a
# python3 per port cost up to a second each on a loaded machine.
free_port() {
  local p hex
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % 20000))
    hex=$(printf ':%04X ' $p)
    grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && continue
    grep -qx $p "$tmp/.ports" 2>/dev/null && continue
    echo $p >> "$tmp/.ports"
    echo $p
    return 0
  done
  echo "no free port found" >&2
  return 1
}

# Bounded wait until something listens on TCP port $1 (checked in /proc, no connection made).
wait_port() {
  local hex; hex=$(printf ':%04X ' "$1")
  for _ in $(seq 200); do
    grep -q "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 never opened"; return 1
}

# Start a program of ours that prints "PORT n" as its first line; sets $port.
start_reporting() {
  local out=$1; shift
  "$@" > "$tmp/$out.out" 2> "$tmp/$out.err" &
  pids+=($!)
  for _ in $(seq 200); do
    port=$(sed -n 's/^PORT //p' "$tmp/$out.out" 2>/dev/null)
    [ -n "$port" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# A case that must be refused: our example has to exit with 1, its own "failed", after reporting
# the error; a crash, a sanitizer report (ASan aborts, LSan exits 23), a usage error (2) or a
# timeout (124) is not a refusal. Usage: refused CMD... > OUT 2> ERR || fail "..."
refused() {
  "$@"
  local rc=$?
  [ $rc = 1 ] && return 0
  echo "expected a clean refusal (exit 1), got exit $rc from: $*" >&2
  return 1
}

# Stops one of our own servers with SIGTERM and checks it exits 0: a leak or sanitizer report
# at exit (which a kill -9 would hide) fails the test. Usage: stop_ours PID NAME
stop_ours() {
  kill -TERM "$1" 2>/dev/null || fail "$2 was no longer running"
  local rc=0
  wait "$1" || rc=$?
  [ $rc = 0 ] || fail "$2 exited with $rc after SIGTERM"
}

# Every example must really run on our backend, not on glib-networking's.
export GIO_USE_TLS=tlslite
expect_backend() { grep -q 'backend: GTlsBackendTlslite' "$1" || fail "$1: not on the tlslite backend"; }

# Runs an interpreter (gjs, python3) that loads our module. In a sanitizer build the module
# needs the ASan runtime loaded first; the interpreter itself is not ours, so its own leaks at
# exit are not checked.
foreign() {
  local mod asan
  mod=$(ls "${GIO_MODULE_DIR:-}"/libgiotlslite.so 2>/dev/null)
  asan=$( [ -n "$mod" ] && ldd "$mod" | awk '/libasan\.so/ {print $3; exit}')
  if [ -n "$asan" ]; then
    LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
  else
    "$@"
  fi
}

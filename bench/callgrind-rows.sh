#!/bin/sh
# bench/callgrind-rows.sh: instructions per handshake pair (both sides), engine against floor, for bench-tls13 rows, counted by callgrind (independent of the machine's load).
#
# usage: bench/callgrind-rows.sh [--cache] BUILD_DIR ROW
#   ROW: resumed12, psk12, psk13 or full12 (bench-tls13 --only ROW 1)
#   --cache: also simulate the caches and branch predictors (--cache-sim,
#   --branch-sim) and print, per pair, L1 instruction misses, L1 data
#   misses (reads + writes) and mispredicted branches (conditional +
#   indirect) of the engine and of the floor
#
# The engine count is everything under pair_handshake and pair_free inside
# measure_handshakes (tc_conn_new to tc_conn_free of both sides, plus the
# bench's own copying between them), the floor count everything under the
# row's floor function; a dump before and after each measure_handshakes call
# keeps each row's warm-up handshakes out of its count.
#
# Valgrind's CPU offers no SHA extensions, so nettle hashes with its plain
# x86_64 code here (~76% of the engine's instructions in the resumed12 rows,
# ~85% of the floor's) and not with SHA-NI as natively: these ratios weigh
# the engine's non-cryptographic work several times less than the CPU does.
# Use them to compare engine changes, not as the rows' time ratios.
set -e
cache=
if [ "$1" = --cache ]; then
  cache="--cache-sim=yes --branch-sim=yes"
  shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--cache] BUILD_DIR ROW" >&2; exit 2; }
bin=$(cd "$1" && pwd)/bench/bench-tls13
row=$2
case $row in
  resumed12) floor=floor12_resumed_fn ;;
  psk12) floor=floor_psk12_fn ;;
  psk13) floor=floor_psk13_fn ;;
  full12) floor=floor12_full_fn ;;
  *) echo "$0: unknown row '$row' (resumed12, psk12, psk13, full12)" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "$0: no $bin (ninja -C $1 bench/bench-tls13)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for what in engine floor; do
  if [ $what = engine ]; then
    set -- --toggle-collect=pair_handshake --toggle-collect=pair_free
  else
    set -- --toggle-collect=$floor
  fi
  # shellcheck disable=SC2086 # $cache is a list of options
  (cd "$tmp" && valgrind --tool=callgrind --callgrind-out-file=$what.out $cache \
     --dump-before=measure_handshakes --dump-after=measure_handshakes "$@" \
     "$bin" --only "$row" 1 > $what.txt 2> $what.log) || { cat "$tmp/$what.log" >&2; exit 1; }
done
# Row k's measured handshakes are dump 2k; its count is the bench's own.
# With --cache the summary holds Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc
# Bcm Bi Bim (the "events:" line of the same file).
summary() { sed -n 's/^summary: //p' "$tmp/$1.out.$2" | head -n 1; }
if [ -n "$cache" ]; then
  printf '%-46s %8s %12s %12s %8s %13s %11s %13s\n' "row (per pair)" pairs engine floor \
    "eng/flr" "I1miss e/f" "D1miss e/f" "mispred e/f"
else
  printf '%-46s %8s %12s %12s %8s\n' "row (instructions per pair)" pairs engine floor "eng/flr"
fi
k=0
grep ', server' "$tmp/engine.txt" | while IFS= read -r line; do
  k=$((k + 1))
  e=$(summary engine $((2 * k)))
  f=$(summary floor $((2 * k)))
  printf '%s\n' "$line" | awk -v e="$e" -v f="$f" '{
    for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) break
    name = $1; for (j = 2; j < i; j++) name = name " " $j
    sub(/, server/, "", name); c = $i
    ne = split(e, E, " "); split(f, F, " ")
    printf "%-46s %8d %12.0f %12.0f %8.3f", name, c, E[1] / c, F[1] / c, E[1] / F[1]
    if (ne >= 13)
      printf " %6.0f/%-6.0f %5.0f/%-5.0f %6.0f/%-6.0f", E[4] / c, F[4] / c, (E[5] + E[6]) / c,
        (F[5] + F[6]) / c, (E[11] + E[13]) / c, (F[11] + F[13]) / c
    printf "\n" }'
done

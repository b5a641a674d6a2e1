#!/bin/sh
# bench/tls13-medians.sh: median and spread of bench-tls13's engine/floor ratio per row over several runs (single runs of the microsecond rows have outliers).
#
# usage: bench/tls13-medians.sh BUILD_DIR ROW [RUNS [SCALE]]
#   ROW: a bench-tls13 --only group (resumed12, psk12, psk13, full12, ...)
#   RUNS: how many runs of `bench-tls13 --cpu --only ROW SCALE` (default 9)
#   SCALE: bench-tls13's count multiplier (default 3)
#
# Prints, per row, the median of the runs' "time x" with its min-max, the
# medians of the engine and floor rates (handshakes/s or MB/s, as the bench
# prints them), and the load average before the first and after the last
# run.
set -e
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: $0 BUILD_DIR ROW [RUNS [SCALE]]" >&2
  exit 2
fi
bin=$(cd "$1" && pwd)/bench/bench-tls13
row=$2
runs=${3:-9}
scale=${4:-3}
case $runs$scale in
  *[!0-9]*) echo "$0: RUNS and SCALE are numbers" >&2; exit 2 ;;
esac
[ "$runs" -gt 0 ] || { echo "$0: RUNS must be at least 1" >&2; exit 2; }
[ -x "$bin" ] || { echo "$0: no $bin (ninja -C $1 bench/bench-tls13)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "before: $(uptime)"
i=0
while [ "$i" -lt "$runs" ]; do
  i=$((i + 1))
  "$bin" --cpu --only "$row" "$scale" > "$tmp/run.$i" 2> "$tmp/err.$i" || {
    cat "$tmp/err.$i" >&2
    exit 1
  }
done
echo "after:  $(uptime)"
# A row line: the name in 48 columns, then count, engine rate, floor rate,
# ratio and the target text (bench-tls13's row()).
cat "$tmp"/run.* | awk '
  $0 ~ /^(full|resumed|TLS|bulk)/ && length($0) > 48 {
    name = substr($0, 1, 48); sub(/ +$/, "", name)
    split(substr($0, 49), f, " ")
    print name "\t" f[2] "\t" f[3] "\t" f[4]
  }' > "$tmp/rows"
cut -f 1 "$tmp/rows" | awk '!seen[$0]++' > "$tmp/names"
[ -s "$tmp/names" ] || {
  echo "$0: no rows in the output of $bin --cpu --only $row $scale (its format changed?)" >&2
  exit 1
}
printf '%-48s %5s %8s %17s %10s %10s\n' "row ($runs runs, --cpu, scale $scale)" runs median \
  "(min-max)" engine floor
status=0
while IFS= read -r name; do
  awk -F '\t' -v n="$name" '$1 == n' "$tmp/rows" > "$tmp/one"
  med() { cut -f "$1" "$tmp/one" | sort -g | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  k=$(wc -l < "$tmp/one")
  lo=$(cut -f 4 "$tmp/one" | sort -g | head -n 1)
  hi=$(cut -f 4 "$tmp/one" | sort -g | tail -n 1)
  printf '%-48s %5d %8.3f %17s %10.1f %10.1f\n' "$name" "$k" "$(med 4)" "($lo-$hi)" "$(med 2)" \
    "$(med 3)"
  # Every run prints every row once: anything else means a line was misread.
  if [ "$k" -ne "$runs" ]; then
    echo "$0: row '$name' seen $k times in $runs runs" >&2
    status=1
  fi
done < "$tmp/names"
exit $status

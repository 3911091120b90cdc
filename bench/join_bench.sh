#!/usr/bin/env bash
# bench/join_bench.sh BUILD_DIR
#
# Joins (issue #6), CairnDB beside PostgreSQL 15 on this machine: a single
# CairnDB node (BUILD_DIR/cairn, free ports, temp dir) and a throwaway
# PostgreSQL (bench/postgres_peer.sh), each loaded with two tables of
# $JOIN_ROWS rows (jl, jr: id primary key, k = id % ($JOIN_ROWS / 4), pad),
# then pgbench (one client, $JOIN_RUNS runs) of each query of
# bench/queries/join_*.sql; CairnDB once with the join methods it chooses
# and, on a 2,000-row copy (jl_small, jr_small), once with SET
# enable_hashjoin = off and enable_mergejoin = off to show what the nested
# loop costs. Prints the mean latency of each and the ratios.
# Everything it starts is stopped on exit.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$(cd "$1" && pwd)"
ROWS="${JOIN_ROWS:-20000}"
RUNS="${JOIN_RUNS:-5}"
WORK="$(mktemp -d /tmp/cairn-join-bench.XXXXXX)"
. "$BENCH_DIR/side_by_side.sh"

load() {
  local quarter=$((ROWS / 4))
  for t in jl jr; do
    psql "$1" -qX -v ON_ERROR_STOP=1 -c "CREATE TABLE $t (id INT PRIMARY KEY, k INT, pad TEXT)" \
      -c "INSERT INTO $t SELECT g, g % $quarter, repeat('x', 20) FROM generate_series(1, $ROWS) g" \
      -c "CREATE TABLE ${t}_small (id INT PRIMARY KEY, k INT, pad TEXT)" \
      -c "INSERT INTO ${t}_small SELECT g, g % 500, repeat('x', 20) FROM generate_series(1, 2000) g"
  done
  psql "$1" -qX -c "ANALYZE" >/dev/null 2>&1 || true
}
load "$CAIRN_URI"
load "$PG_URI"

# Mean latency (ms) of pgbench running file $2 against $1, $RUNS times.
latency() {
  pgbench -n -c 1 -t "$RUNS" -f "$2" "$1" 2>/dev/null | awk '/latency average/ {print $4}'
}
printf '%-28s %12s %12s %8s\n' query cairn_ms postgres_ms ratio
for q in "$BENCH_DIR"/queries/join_*.sql; do
  c="$(latency "$CAIRN_URI" "$q")"; p="$(latency "$PG_URI" "$q")"
  printf '%-28s %12s %12s %8.1f\n' "$(basename "$q" .sql)" "$c" "$p" "$(echo "$c / $p" | bc -l)"
done
for q in "$BENCH_DIR"/queries/join_*.sql; do
  small="$WORK/$(basename "$q")"
  sed -e 's/\bjl\b/jl_small/g; s/\bjr\b/jr_small/g' "$q" >"$small"
  { echo "SET enable_hashjoin = off; SET enable_mergejoin = off;"; cat "$small"; } >"$small.nl"
  h="$(latency "$CAIRN_URI" "$small")"; n="$(latency "$CAIRN_URI" "$small.nl")"
  printf '%-28s chosen %10s ms  nested loop %10s ms  (%.1fx)\n' \
    "$(basename "$q" .sql) 2k rows" "$h" "$n" "$(echo "$n / $h" | bc -l)"
done

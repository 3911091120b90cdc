#!/usr/bin/env bash
# bench/analytics_bench.sh BUILD_DIR
#
# Issue #6's benchmark on one node, CairnDB beside PostgreSQL 15 on this
# machine (bench/postgres_peer.sh), the same data in both:
#   orders (id PRIMARY KEY, ref UNIQUE, cust_id, amount, day), $ANALYTICS_ROWS
#   rows (default 1,000,000), ref a permutation of id with its own unique
#   index; customers (id PRIMARY KEY, region, name), 10,000 rows.
# 1. Lookups (pgbench, $LOOKUP_SECONDS s each, 1 client): a point get by
#    primary key and by the secondary index, 100-row range sums by each, and
#    a 100-entry count over the index alone (a covering index scan).
# 2. Analytical queries (pgbench, $ANALYTIC_RUNS runs each): a join of both
#    tables with GROUP BY, a filtered GROUP BY, a join with a filter on the
#    small side (bench/analytics/q*.sql).
# Prints each figure and CairnDB / PostgreSQL. Everything it starts is
# stopped on exit.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$(cd "$1" && pwd)"
ROWS="${ANALYTICS_ROWS:-1000000}"
LOOKUP_SECONDS="${LOOKUP_SECONDS:-10}"
ANALYTIC_RUNS="${ANALYTIC_RUNS:-3}"
WORK="$(mktemp -d /tmp/cairn-analytics-bench.XXXXXX)"
. "$BENCH_DIR/side_by_side.sh"

load() {
  local start=$SECONDS
  psql "$1" -qX -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE customers (id INT PRIMARY KEY, region INT, name TEXT)" \
    -c "INSERT INTO customers SELECT g, g % 20, 'customer ' || g FROM generate_series(1, 10000) g" \
    -c "CREATE TABLE orders (id INT PRIMARY KEY, ref INT, cust_id INT, amount INT, day INT)"
  # In chunks of 100,000 rows: one transaction each.
  for ((from = 1; from <= ROWS; from += 100000)); do
    local to=$((from + 99999 < ROWS ? from + 99999 : ROWS))
    psql "$1" -qX -v ON_ERROR_STOP=1 -c "INSERT INTO orders SELECT g, ($ROWS + 1 - g), \
      ((g % 10000) * 7919) % 10000 + 1, g % 97, g % 365 FROM generate_series($from, $to) g"
  done
  psql "$1" -qX -v ON_ERROR_STOP=1 -c "CREATE UNIQUE INDEX orders_ref ON orders (ref)"
  psql "$1" -qX -c "ANALYZE" >/dev/null 2>&1 || true
  echo "$2 loaded in $((SECONDS - start)) s"
}
load "$CAIRN_URI" cairn
load "$PG_URI" postgres

tps() {  # pgbench TPS of file $2 against $1 for $LOOKUP_SECONDS s
  pgbench -n -c 1 -T "$LOOKUP_SECONDS" -D rows="$ROWS" -f "$2" "$1" 2>/dev/null |
    awk '/^tps/ {print $3}'
}
latency() {  # mean latency (ms) of $ANALYTIC_RUNS runs of file $2 against $1
  pgbench -n -c 1 -t "$ANALYTIC_RUNS" -f "$2" "$1" 2>/dev/null | awk '/latency average/ {print $4}'
}
printf '%-18s %12s %12s %10s\n' lookup cairn_tps postgres_tps ratio
for q in pk_point index_point pk_range index_range index_range_covering; do
  c="$(tps "$CAIRN_URI" "$BENCH_DIR/analytics/$q.sql")"; p="$(tps "$PG_URI" "$BENCH_DIR/analytics/$q.sql")"
  printf '%-18s %12s %12s %10.2f\n' "$q" "$c" "$p" "$(echo "$c / $p" | bc -l)"
done
printf '%-18s %12s %12s %10s\n' query cairn_ms postgres_ms ratio
for q in q1_join_group q2_filter_group q3_join_filter; do
  c="$(latency "$CAIRN_URI" "$BENCH_DIR/analytics/$q.sql")"; p="$(latency "$PG_URI" "$BENCH_DIR/analytics/$q.sql")"
  printf '%-18s %12s %12s %10.1f\n' "$q" "$c" "$p" "$(echo "$c / $p" | bc -l)"
done

#!/usr/bin/env bash
# bench/analytics_bench.sh BUILD_DIR
#
# Issue #6's benchmark, CairnDB beside PostgreSQL 15 on this machine
# (bench/postgres_peer.sh), the same data in all:
#   orders (id PRIMARY KEY, ref UNIQUE, cust_id, amount, day), $ANALYTICS_ROWS
#   rows (default 1,000,000), ref a permutation of id with its own unique
#   index; customers (id PRIMARY KEY, region, name), 10,000 rows. In
#   CairnDB, orders is split into $ANALYTICS_RANGES ranges of consecutive
#   ids (ALTER TABLE orders SPLIT AT VALUES ..., right after CREATE TABLE;
#   the split queue may split further a range past kv.range_max_bytes).
# 1. Lookups on 1 node (pgbench, $LOOKUP_SECONDS s each, 1 client): a point
#    get by primary key and by the secondary index, 100-row range sums by
#    each, and a 100-entry count over the index alone (a covering index
#    scan); TPS and CairnDB / PostgreSQL.
# 2. Analytical queries (pgbench, 1 client, $ANALYTIC_RUNS runs each, after
#    an untimed one that checks the rows): a join
#    of both tables with GROUP BY, a filtered GROUP BY, a join with a filter
#    on the small side (bench/analytics/q*.sql). CairnDB runs each twice:
#    with enable_pushdown on (filters, projections, limits and partial
#    aggregates evaluated at the ranges' leaseholders) and off, by a
#    SET enable_pushdown = on|off at the start of each run (the server does
#    not apply the startup packet's options: PGOPTIONS would not do); a
#    query's latency is its own statement's (pgbench -r), without the SET.
#    On 1 node, then, with NODES=3, on a fresh 3-node cluster (the 1-node
#    server stopped first): nodes 2 and 3 join node 1 (--join), the same
#    data is loaded through node 1 once SHOW CLUSTER NODES lists 3 live
#    nodes and every range has 3 voters, and the queries run through node 1
#    once orders has its ranges, their lease holders are on all three nodes
#    and the voters and lease holders of every range have not changed for
#    LEASE_SETTLE s (bench/lib/cluster_wait.sh; if the leases are not spread
#    by CLUSTER_WAIT s the run goes on and says so).
#    Prints the mean ms of each query on each system and system /
#    PostgreSQL, then notes: what EXPLAIN shows as pushed to the
#    leaseholders with enable_pushdown on and off, whether each system's
#    rows (sorted) are PostgreSQL's, orders' ranges and where their leases
#    are.
# Everything it starts is stopped on exit.
#
# Environment: ANALYTICS_ROWS (1000000), ANALYTICS_RANGES (6; 1: no split),
# LOOKUP_SECONDS (10; 0 skips the lookups), ANALYTIC_RUNS (3), NODES (1 or
# 3, default 1), CLUSTER_WAIT (seconds, 180) and LEASE_SETTLE (seconds, 8)
# for NODES=3.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$(cd "$1" && pwd)"
CAIRN="$BUILD_DIR/cairn"
ROWS="${ANALYTICS_ROWS:-1000000}"
RANGES="${ANALYTICS_RANGES:-6}"
LOOKUP_SECONDS="${LOOKUP_SECONDS:-10}"
ANALYTIC_RUNS="${ANALYTIC_RUNS:-3}"
NODES="${NODES:-1}"
CLUSTER_WAIT="${CLUSTER_WAIT:-180}"
LEASE_SETTLE="${LEASE_SETTLE:-8}"
case "$NODES" in 1|3) ;; *) echo "analytics_bench: NODES must be 1 or 3" >&2; exit 2 ;; esac
[ "$RANGES" -ge 1 ] && [ "$RANGES" -le "$ROWS" ] \
  || { echo "analytics_bench: ANALYTICS_RANGES must be between 1 and ANALYTICS_ROWS" >&2; exit 2; }
QUERIES="q1_join_group q2_filter_group q3_join_filter"
log() { echo "analytics_bench: $*" >&2; }
WORK="$(mktemp -d /tmp/cairn-analytics-bench.XXXXXX)"
if [ "$NODES" = 3 ]; then
  # cairn_start_node, cairn_wait_node, cairn_stop_node(s) (side_by_side.sh's
  # cleanup stops these nodes too); wait_cluster, wait_table, table_leases,
  # describe_ranges
  . "$BENCH_DIR/lib/cairn_nodes.sh"
  . "$BENCH_DIR/lib/cluster_wait.sh"
fi
# One CairnDB node (CAIRN_URI, stop_cairn) and PostgreSQL (PG_URI).
. "$BENCH_DIR/side_by_side.sh"

# Other cairn processes on the box take CPU from this run: say so.
OTHERS="$(pgrep -fc 'cairn start' || true)"
echo "analytics_bench: NODES=$NODES ANALYTICS_ROWS=$ROWS ANALYTICS_RANGES=$RANGES ANALYTIC_RUNS=$ANALYTIC_RUNS" \
  "LOOKUP_SECONDS=$LOOKUP_SECONDS, $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), other 'cairn start' processes: $((${OTHERS:-1} - 1))"

# SPLIT AT values cutting ids 1..ROWS into RANGES ranges: "(167),(334)".
split_values() {
  local i out=""
  for ((i = 1; i < RANGES; i++)); do out+="${out:+,}($((ROWS * i / RANGES + 1)))"; done
  echo "$out"
}

load() {  # URI NAME [split]: the tables, orders split into RANGES ranges with "split"
  local start=$SECONDS
  psql "$1" -qX -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE customers (id INT PRIMARY KEY, region INT, name TEXT)" \
    -c "INSERT INTO customers SELECT g, g % 20, 'customer ' || g FROM generate_series(1, 10000) g" \
    -c "CREATE TABLE orders (id INT PRIMARY KEY, ref INT, cust_id INT, amount INT, day INT)"
  if [ "${3:-}" = split ] && [ "$RANGES" -gt 1 ]; then
    psql "$1" -qX -v ON_ERROR_STOP=1 -c "ALTER TABLE orders SPLIT AT VALUES $(split_values)"
  fi
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
load "$CAIRN_URI" cairn split
load "$PG_URI" postgres

tps() {  # pgbench TPS of file $2 against $1 for $LOOKUP_SECONDS s
  pgbench -n -c 1 -T "$LOOKUP_SECONDS" -D rows="$ROWS" -f "$2" "$1" 2>/dev/null |
    awk '/^tps/ {print $3}'
}
if [ "$LOOKUP_SECONDS" -gt 0 ]; then
  printf '%-18s %12s %12s %10s\n' lookup cairn_tps postgres_tps ratio
  for q in pk_point index_point pk_range index_range index_range_covering; do
    c="$(tps "$CAIRN_URI" "$BENCH_DIR/analytics/$q.sql")"; p="$(tps "$PG_URI" "$BENCH_DIR/analytics/$q.sql")"
    printf '%-18s %12s %12s %10.2f\n' "$q" "$c" "$p" "$(echo "$c / $p" | bc -l)"
  done
fi

# latency URI QUERY [on|off]: mean ms of $ANALYTIC_RUNS runs of
# bench/analytics/QUERY.sql (pgbench -r, the query's own statement); with
# on|off, each run starts with SET enable_pushdown = on|off. "?" when
# pgbench fails (logged).
latency() {
  local file="$BENCH_DIR/analytics/$2.sql" label="$2_${3:-plain}" ms
  if [ $# -ge 3 ]; then
    file="$WORK/$2.pushdown_$3.sql"
    { echo "SET enable_pushdown = $3;"; cat "$BENCH_DIR/analytics/$2.sql"; } >"$file"
  fi
  if ! pgbench -n -c 1 -t "$ANALYTIC_RUNS" -r -f "$file" "$1" >"$WORK/$label.out" 2>&1; then
    log "pgbench $2 ${3:-} failed: $(grep -m1 -iE 'error|abort' "$WORK/$label.out" || tail -1 "$WORK/$label.out")"
    echo "?"; return 0
  fi
  # The statement latencies follow their header, one a line, the query last.
  ms="$(awk '/^statement latencies/ {s = 1; next} s && NF {v = $1} END {print v}' "$WORK/$label.out")"
  echo "${ms:-?}"
}
# rows URI QUERY [on|off]: the query's rows, sorted, as one checksum.
rows() {
  { [ $# -lt 3 ] || echo "SET enable_pushdown = $3;"; cat "$BENCH_DIR/analytics/$2.sql"; } \
    | psql "$1" -qAtX -v ON_ERROR_STOP=1 -f - 2>&1 | sort | md5sum | cut -c1-12
}
# pushed URI QUERY on|off: EXPLAIN's "Pushed to leaseholders" lines, or "-".
pushed() {
  local out
  out="$({ echo "SET enable_pushdown = $3;"; echo "EXPLAIN $(cat "$BENCH_DIR/analytics/$2.sql")"; } \
    | psql "$1" -qAtX -v ON_ERROR_STOP=1 -f - 2>&1 | grep -i 'pushed to leaseholders' | sed 's/^ *//' | paste -sd';' || true)"
  echo "${out:--}"
}

# Figures: MS[SYS,QUERY] (ms), SUM[SYS,QUERY] (rows checksum),
# PUSH[SYS,QUERY,on|off] (EXPLAIN), for SYS pg, one, one_off, three,
# three_off.
declare -A MS SUM PUSH
measure_cairn() {  # SYS URI: SYS (pushdown on) and SYS_off
  local q
  for q in $QUERIES; do
    # rows runs each query once before it is timed, with pushdown on and off.
    PUSH[$1,$q,on]="$(pushed "$2" "$q" on)"; PUSH[$1,$q,off]="$(pushed "$2" "$q" off)"
    SUM[$1,$q]="$(rows "$2" "$q" on)"; SUM[$1_off,$q]="$(rows "$2" "$q" off)"
    MS[$1,$q]="$(latency "$2" "$q" on)"; MS[$1_off,$q]="$(latency "$2" "$q" off)"
  done
}
for q in $QUERIES; do
  SUM[pg,$q]="$(rows "$PG_URI" "$q")"; MS[pg,$q]="$(latency "$PG_URI" "$q")"
done
SYSTEMS="pg one one_off"
measure_cairn one "$CAIRN_URI"
ONE_RANGES="$(psql "$CAIRN_URI" -AtqX -c 'SHOW RANGES FROM TABLE orders' | wc -l)"

if [ "$NODES" = 3 ]; then
  stop_cairn
  cairn_start_node n1 "$WORK/n1-data" "$WORK/n1.log"
  cairn_wait_node n1 || exit 1
  for n in n2 n3; do
    cairn_start_node "$n" "$WORK/$n-data" "$WORK/$n.log" --join "127.0.0.1:${CAIRN_NODE_RPC_PORT[n1]}"
    cairn_wait_node "$n" || exit 1
  done
  C3_URI="postgresql://root@127.0.0.1:${CAIRN_NODE_SQL_PORT[n1]}/postgres"
  log "3 nodes: waiting for 3 live nodes and 3 voters per range"
  wait_cluster "$C3_URI" || exit 1
  load "$C3_URI" "cairn 3 nodes" split
  start=$SECONDS
  log "3 nodes: waiting for orders' $RANGES+ ranges with 3 voters, leases on all nodes and settled"
  SPREAD_NOTE=""
  wait_table "$C3_URI" orders "$RANGES+" || exit 1
  echo "cairn 3 nodes settled in $((SECONDS - start)) s"
  THREE_LEASES="$(table_leases "$C3_URI" orders)"
  THREE_RANGES="$(describe_ranges "$C3_URI" orders)"
  measure_cairn three "$C3_URI"
  THREE_RANGES_AFTER="$(describe_ranges "$C3_URI" orders)"
  SYSTEMS+=" three three_off"
fi

declare -A NAME=([pg]=postgres [one]="1n" [one_off]="1n_nopush" [three]="3n" [three_off]="3n_nopush")
ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print('%.2f' % (float(a) / float(b)) if a != '?' and b != '?' and float(b) else '?')" "$1" "$2"; }
echo "analytical queries: ms per query (mean of $ANALYTIC_RUNS runs after one untimed, 1 client), then / postgres"
line="$(printf '%-16s' query)"
for s in $SYSTEMS; do line+="$(printf ' %12s' "${NAME[$s]}")"; done
for s in $SYSTEMS; do [ "$s" = pg ] || line+="$(printf ' %12s' "${NAME[$s]}/pg")"; done
echo "$line"
for q in $QUERIES; do
  line="$(printf '%-16s' "$q")"
  for s in $SYSTEMS; do line+="$(printf ' %12s' "${MS[$s,$q]}")"; done
  for s in $SYSTEMS; do [ "$s" = pg ] || line+="$(printf ' %12s' "$(ratio "${MS[$s,$q]}" "${MS[pg,$q]}")")"; done
  echo "$line"
done
echo "(nopush: SET enable_pushdown = off)"
echo "rows (sorted, md5) as postgres's:"
for q in $QUERIES; do
  line="  $q:"
  for s in $SYSTEMS; do
    [ "$s" = pg ] && continue
    [ "${SUM[$s,$q]}" = "${SUM[pg,$q]}" ] && line+=" ${NAME[$s]} same" || line+=" ${NAME[$s]} DIFFERENT"
  done
  echo "$line"
done
echo "EXPLAIN, pushed to the leaseholders (on / off):"
for s in one three; do
  [[ " $SYSTEMS " == *" $s "* ]] || continue
  for q in $QUERIES; do echo "  ${NAME[$s]} $q: ${PUSH[$s,$q,on]} / ${PUSH[$s,$q,off]}"; done
done
echo "orders' ranges (SHOW RANGES FROM TABLE orders, the last one orders_ref's): 1 node $ONE_RANGES"
if [ "$NODES" = 3 ]; then
  echo "3 nodes: leases $THREE_LEASES; $THREE_RANGES"
  [ "$THREE_RANGES_AFTER" = "$THREE_RANGES" ] || echo "  after the queries: $THREE_RANGES_AFTER"
  [ -z "$SPREAD_NOTE" ] || echo "WARNING: $SPREAD_NOTE"
fi

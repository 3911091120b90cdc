#!/usr/bin/env bash
# bench/clients_bench.sh BUILD_DIR
#
# The client benchmarks of issue #7, on one CairnDB node (BUILD_DIR/cairn,
# free ports, a temp dir) beside a throwaway PostgreSQL 15
# (bench/postgres_peer.sh) on the same machine, in the same run:
#   1. pgbench: `pgbench -i -s SCALE` (COPY, then ALTER TABLE ... ADD PRIMARY
#      KEY), then the default TPC-B-like script with PGBENCH_CLIENTS clients;
#   2. sysbench (Debian's, --db-driver=pgsql, prepared statements): prepare
#      one table of SYSBENCH_ROWS rows, then oltp_point_select and
#      oltp_read_write with SYSBENCH_THREADS threads.
# Tables are made with --create_secondary=off on both servers, the workload
# of the figures in bench/RESULTS.md (sysbench also runs unmodified, with its
# secondary index, in tests/e2e). Conflicting transactions fail with 40001 on
# CairnDB (PostgreSQL makes them wait): pgbench retries them (--max-tries),
# sysbench counts them as ignored errors and retries. Prints each figure and
# the CairnDB / PostgreSQL ratio.
#
# Environment: BENCH_TIME (seconds per run, default 30), SCALE (10),
# PGBENCH_CLIENTS (8), PGBENCH_THREADS (2), SYSBENCH_THREADS (8),
# SYSBENCH_ROWS (100000), KEEP_WORKDIR=1 (keep logs and data).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$(cd "$1" 2>/dev/null && pwd)" || { echo "clients_bench: no build dir $1" >&2; exit 2; }
CAIRN="$BUILD_DIR/cairn"
BENCH_TIME="${BENCH_TIME:-30}"
SCALE="${SCALE:-10}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-8}"
PGBENCH_THREADS="${PGBENCH_THREADS:-2}"
SYSBENCH_THREADS="${SYSBENCH_THREADS:-8}"
SYSBENCH_ROWS="${SYSBENCH_ROWS:-100000}"

[ -x "$CAIRN" ] || { echo "clients_bench: $CAIRN not built" >&2; exit 2; }
for tool in psql pgbench sysbench curl python3; do
  command -v "$tool" >/dev/null || { echo "clients_bench: $tool not found (scripts/install-deps)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/cairn_clients_bench.XXXXXX)"
export CAIRN_PG_PEER_STATE="$WORK/pg_peer.state"
PG_STARTED=""
log() { echo "clients_bench: $*" >&2; }
# cairn_start_node, cairn_wait_node, cairn_stop_nodes
source "$BENCH_DIR/lib/cairn_nodes.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  cairn_stop_nodes
  [ -z "$PG_STARTED" ] || "$BENCH_DIR/postgres_peer.sh" stop >/dev/null 2>&1 || true
  if [ "${KEEP_WORKDIR:-0}" = 1 ] || [ $rc -ne 0 ]; then
    log "logs and data kept in $WORK"
  else
    rm -rf -- "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the two servers ------------------------------------------------------
cairn_start_node cairn "$WORK/cairn-data" "$WORK/cairn.log"
cairn_wait_node cairn || exit 1
SQL_PORT="${CAIRN_NODE_SQL_PORT[cairn]}"
CAIRN_URI="postgresql://root@127.0.0.1:$SQL_PORT/postgres"
PG_URI="$("$BENCH_DIR/postgres_peer.sh" start | tail -1)"
PG_STARTED=1
PG_PORT="$(echo "$PG_URI" | sed 's|.*:\([0-9]*\)/.*|\1|')"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A FIG

# --- 1. pgbench TPC-B -----------------------------------------------------
for sys in cairn postgres; do
  uri="$CAIRN_URI"; [ "$sys" = postgres ] && uri="$PG_URI"
  log "$sys: pgbench -i -s $SCALE"
  start=$(date +%s.%N)
  pgbench -i -s "$SCALE" "$uri" >"$WORK/${sys}_pgbench_init.out" 2>&1
  FIG[$sys,init]="$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")"
  log "$sys: pgbench -c $PGBENCH_CLIENTS -j $PGBENCH_THREADS -T $BENCH_TIME"
  pgbench -c "$PGBENCH_CLIENTS" -j "$PGBENCH_THREADS" -T "$BENCH_TIME" --max-tries=1000 \
    "$uri" >"$WORK/${sys}_pgbench.out" 2>&1
  FIG[$sys,tpcb]="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/${sys}_pgbench.out")"
  FIG[$sys,tpcb_retried]="$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$WORK/${sys}_pgbench.out")"
done

# --- 2. sysbench ------------------------------------------------------------
sysbench_args() {  # SYSTEM
  if [ "$1" = cairn ]; then
    echo "--db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port=$SQL_PORT --pgsql-user=root --pgsql-db=postgres"
  else
    echo "--db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port=$PG_PORT --pgsql-user=postgres --pgsql-db=postgres"
  fi
}
for sys in cairn postgres; do
  common="$(sysbench_args $sys) --tables=1 --table-size=$SYSBENCH_ROWS --create_secondary=off"
  log "$sys: sysbench prepare ($SYSBENCH_ROWS rows)"
  sysbench oltp_point_select $common prepare >"$WORK/${sys}_sysbench_prepare.out" 2>&1
  for test in oltp_point_select oltp_read_write; do
    log "$sys: sysbench $test --threads=$SYSBENCH_THREADS --time=$BENCH_TIME"
    sysbench "$test" $common --threads="$SYSBENCH_THREADS" --time="$BENCH_TIME" run \
      >"$WORK/${sys}_${test}.out" 2>&1
    FIG[$sys,$test,qps]="$(sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$WORK/${sys}_${test}.out")"
    FIG[$sys,$test,tps]="$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$WORK/${sys}_${test}.out")"
    FIG[$sys,$test,errors]="$(sed -n 's/^ *ignored errors: *\([0-9]*\).*/\1/p' "$WORK/${sys}_${test}.out")"
  done
done

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
cat <<EOF

### Clients: pgbench and sysbench, CairnDB beside PostgreSQL 15 ($(date -u +%Y-%m-%d), $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown))

\`bench/clients_bench.sh $1\` (BENCH_TIME=$BENCH_TIME, SCALE=$SCALE), load average before: $LOAD_BEFORE

| benchmark | CairnDB | PostgreSQL 15 | ratio |
| --- | ---: | ---: | ---: |
| pgbench -i -s $SCALE, seconds | ${FIG[cairn,init]} | ${FIG[postgres,init]} | $(ratio "${FIG[postgres,init]}" "${FIG[cairn,init]}") |
| pgbench TPC-B, $PGBENCH_CLIENTS clients, TPS | ${FIG[cairn,tpcb]} | ${FIG[postgres,tpcb]} | **$(ratio "${FIG[cairn,tpcb]}" "${FIG[postgres,tpcb]}")** |
| sysbench oltp_point_select, $SYSBENCH_THREADS threads, QPS | ${FIG[cairn,oltp_point_select,qps]} | ${FIG[postgres,oltp_point_select,qps]} | **$(ratio "${FIG[cairn,oltp_point_select,qps]}" "${FIG[postgres,oltp_point_select,qps]}")** |
| sysbench oltp_read_write, $SYSBENCH_THREADS threads, TPS | ${FIG[cairn,oltp_read_write,tps]} | ${FIG[postgres,oltp_read_write,tps]} | **$(ratio "${FIG[cairn,oltp_read_write,tps]}" "${FIG[postgres,oltp_read_write,tps]}")** |

Retried (40001) pgbench transactions: CairnDB ${FIG[cairn,tpcb_retried]:-0}, PostgreSQL ${FIG[postgres,tpcb_retried]:-0};
sysbench ignored errors (retried) in oltp_read_write: CairnDB ${FIG[cairn,oltp_read_write,errors]:-0}, PostgreSQL ${FIG[postgres,oltp_read_write,errors]:-0}.
(The ratio for pgbench -i is PostgreSQL's time over CairnDB's.)
EOF

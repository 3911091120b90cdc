#!/usr/bin/env bash
# bench/cluster_insert_bench.sh BUILD_DIR
#
# Single-row INSERT latency (p50, p99) and throughput (issue #4, point 9) on,
# one after the other in the same run (never two at once):
#   (a) a throwaway PostgreSQL 15 (bench/postgres_peer.sh) on this machine;
#   (b) a 1-node CairnDB (BUILD_DIR/cairn start, free ports of 127.0.0.1, a
#       temp dir);
#   (c) a 3-node CairnDB cluster: node 1 as in (b), nodes 2 and 3 with
#       --join <node 1's RPC address>; measured once SHOW CLUSTER NODES
#       through node 1 lists 3 live nodes and SHOW RANGES shows every range
#       with 3 voters (no learners) and its lease holder among them, and
#       the lease holders have stayed put for LEASE_SETTLE seconds.
# Each starts with CREATE TABLE bench_insert (id BIGINT PRIMARY KEY, payload
# TEXT), then pgbench -n -M prepared runs one autocommit
#   INSERT INTO bench_insert VALUES (:id, repeat('x', 100))
# per transaction for BENCH_TIME seconds with CLIENTS clients: on (a) and (b)
# one pgbench (-j THREADS); on (c) the clients are spread over the three
# nodes' SQL ports (6/5/5 for 16), one pgbench per node (-j 1) run
# concurrently, their tps summed and their per-transaction logs merged. The
# id is (global client number) * 10^12 + a per-client counter (pgbench keeps
# a client's variables between transactions), so no two transactions of a
# run use the same key. pgbench retries nothing (--max-tries=1): a failed
# transaction (40001, 40P01) is counted, any other error aborts its client;
# both are reported. p50/p99 come from the --log files (latency in us, 3rd
# column, nearest rank); TPS from "tps = ... (without initial connection
# time)". After each run the rows in bench_insert are counted (they should
# equal the transactions pgbench counted as processed). Prints a Markdown
# block with the figures, the ratios 3-node/1-node, 3-node/PostgreSQL and
# 1-node/PostgreSQL, and the command.
#
# Environment: BENCH_TIME (seconds per run, default 20), CLIENTS (16),
# THREADS (2, pgbench -j of runs (a) and (b)), CLUSTER_WAIT (seconds to wait
# for 3 voters per range, 180), LEASE_SETTLE (seconds SHOW RANGES's voters
# and lease holders must stay unchanged before measuring, 8), KEEP_WORKDIR=1
# (keep logs and data).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# fsync_probe; cluster_state, wait_cluster, describe_ranges.
. "$BENCH_DIR/lib/fsync_probe.sh"
. "$BENCH_DIR/lib/cluster_wait.sh"
BUILD_DIR="$(cd "$1" 2>/dev/null && pwd)" || { echo "cluster_insert_bench: no build dir $1" >&2; exit 2; }
CAIRN="$BUILD_DIR/cairn"
BENCH_TIME="${BENCH_TIME:-20}"
CLIENTS="${CLIENTS:-16}"
THREADS="${THREADS:-2}"
CLUSTER_WAIT="${CLUSTER_WAIT:-180}"
LEASE_SETTLE="${LEASE_SETTLE:-8}"

[ -x "$CAIRN" ] || { echo "cluster_insert_bench: $CAIRN not built" >&2; exit 2; }
for tool in psql pgbench curl python3; do
  command -v "$tool" >/dev/null || { echo "cluster_insert_bench: $tool not found (scripts/install-deps)" >&2; exit 2; }
done
[ "$CLIENTS" -ge 3 ] || { echo "cluster_insert_bench: CLIENTS must be >= 3" >&2; exit 2; }

WORK="$(mktemp -d /tmp/cairn_cluster_insert_bench.XXXXXX)"
export CAIRN_PG_PEER_STATE="$WORK/pg_peer.state"
PG_STARTED=""
log() { echo "cluster_insert_bench: $*" >&2; }
# cairn_start_node, cairn_wait_node, cairn_stop_node(s), CAIRN_NODE_*
source "$BENCH_DIR/lib/cairn_nodes.sh"

stop_pg() {
  [ -n "$PG_STARTED" ] || return 0
  CAIRN_PG_PEER_KEEP_LOG="$WORK/postgres.log" "$BENCH_DIR/postgres_peer.sh" stop >/dev/null 2>&1 || true
  PG_STARTED=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  cairn_stop_nodes
  stop_pg
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

# Other cairn processes on the box (another session's tests) take CPU from
# this run: say so in the output.
OTHERS="$(pgrep -fc 'cairn start' || true)"
[ "${OTHERS:-0}" = 0 ] || log "warning: $OTHERS other 'cairn start' processes are running; figures will be disturbed"

# --- workload ---------------------------------------------------------------
CREATE_SQL="CREATE TABLE bench_insert (id BIGINT PRIMARY KEY, payload TEXT)"
SCRIPT="$WORK/insert.sql"
cat >"$SCRIPT" <<'EOF'
-- One single-row INSERT per transaction (autocommit). :n counts this
-- client's transactions (pgbench keeps a client's variables from one
-- transaction to the next; -D n=0 starts it), :base + :client_id numbers the
-- client across the pgbench processes of a run: no two transactions share an
-- id.
\set n :n + 1
\set id (:base + :client_id) * 1000000000000 + :n
INSERT INTO bench_insert VALUES (:id, repeat('x', 100));
EOF

# run_pgbench LABEL URI CLIENTS THREADS BASE: in the background when the
# caller puts it there; output in $WORK/LABEL.out, per-transaction logs in
# $WORK/LABEL.log.*, exit status in $WORK/LABEL.rc.
run_pgbench() {
  local label="$1" uri="$2" clients="$3" threads="$4" base="$5" rc=0
  (cd "$WORK" && pgbench -n -c "$clients" -j "$threads" -T "$BENCH_TIME" -M prepared \
     -f "$SCRIPT" -D n=0 -D "base=$base" --log --log-prefix="$WORK/$label.log" "$uri") \
    >"$WORK/$label.out" 2>&1 || rc=$?
  echo "$rc" >"$WORK/$label.rc"
}

# summarize LABEL...: "transactions failed aborted_clients p50_ms p99_ms
# mean_ms tps" over the pgbench runs LABEL... (tps summed, logs merged).
summarize() {
  python3 - "$WORK" "$@" <<'EOF'
import glob, math, re, sys
work, labels = sys.argv[1], sys.argv[2:]
lat, failed_in_log = [], 0
for label in labels:
    for path in glob.glob("%s/%s.log.*" % (work, label)):
        for line in open(path):
            cols = line.split()
            if len(cols) < 3:
                continue
            if cols[2].isdigit():
                lat.append(int(cols[2]))
            else:  # "failed" or "skipped"
                failed_in_log += 1
tps, processed, failed, aborted = 0.0, 0, 0, 0
for label in labels:
    out = open("%s/%s.out" % (work, label)).read()
    m = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", out, re.M)
    tps = tps + float(m.group(1)) if m else float("nan")
    m = re.search(r"number of transactions actually processed: (\d+)", out)
    processed += int(m.group(1)) if m else 0
    m = re.search(r"number of failed transactions: (\d+)", out)
    failed += int(m.group(1)) if m else 0
    aborted += len(re.findall(r"client \d+ script \d+ aborted", out))
lat.sort()
def pct(p):
    if not lat:
        return float("nan")
    return lat[max(0, math.ceil(p / 100.0 * len(lat)) - 1)] / 1000.0
mean = sum(lat) / len(lat) / 1000.0 if lat else float("nan")
if failed_in_log != failed:
    print("summarize: %s: %d failed in the logs, %d in pgbench's output"
          % (",".join(labels), failed_in_log, failed), file=sys.stderr)
print(processed, failed, aborted, "%.2f" % pct(50), "%.2f" % pct(99), "%.2f" % mean, "%.1f" % tps)
EOF
}

declare -A FIG
record() {  # SYS LABEL...
  local sys="$1"; shift
  read -r FIG[$sys,n] FIG[$sys,failed] FIG[$sys,aborted] FIG[$sys,p50] FIG[$sys,p99] \
    FIG[$sys,mean] FIG[$sys,tps] < <(summarize "$@")
  local label
  FIG[$sys,rc]=""
  for label in "$@"; do FIG[$sys,rc]+="$(cat "$WORK/$label.rc") "; done
  FIG[$sys,rc]="${FIG[$sys,rc]% }"
}

count_rows() { psql "$1" -AtqX -c "SELECT count(*) FROM bench_insert" 2>&1 | tail -1; }

FSYNC_MS="$(fsync_probe)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
PGBENCH_CMD="pgbench -n -c $CLIENTS -j $THREADS -T $BENCH_TIME -M prepared -f insert.sql -D n=0 -D base=0 --log"

# --- (a) PostgreSQL 15 ----------------------------------------------------------
PG_URI="$("$BENCH_DIR/postgres_peer.sh" start | tail -1)"
PG_STARTED=1
psql "$PG_URI" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" >/dev/null
FIG[pg,load]="$(cut -d' ' -f1 /proc/loadavg)"
log "postgres: $PGBENCH_CMD"
run_pgbench pg "$PG_URI" "$CLIENTS" "$THREADS" 0
record pg pg
FIG[pg,rows]="$(count_rows "$PG_URI")"
stop_pg

# --- (b) CairnDB, 1 node --------------------------------------------------------
cairn_start_node one "$WORK/one-data" "$WORK/one.log"
cairn_wait_node one || exit 1
ONE_URI="postgresql://root@127.0.0.1:${CAIRN_NODE_SQL_PORT[one]}/postgres"
psql "$ONE_URI" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" >/dev/null
FIG[one,load]="$(cut -d' ' -f1 /proc/loadavg)"
log "1 node: $PGBENCH_CMD"
run_pgbench one "$ONE_URI" "$CLIENTS" "$THREADS" 0
record one one
FIG[one,rows]="$(count_rows "$ONE_URI")"
cairn_stop_node one
FIG[one,exit]="${CAIRN_NODE_EXIT[one]}"

# --- (c) CairnDB, 3 nodes ---------------------------------------------------------
cairn_start_node n1 "$WORK/n1-data" "$WORK/n1.log"
cairn_wait_node n1 || exit 1
JOIN="127.0.0.1:${CAIRN_NODE_RPC_PORT[n1]}"
for n in n2 n3; do
  cairn_start_node "$n" "$WORK/$n-data" "$WORK/$n.log" --join "$JOIN"
  cairn_wait_node "$n" || exit 1
done
declare -A URI
for n in n1 n2 n3; do URI[$n]="postgresql://root@127.0.0.1:${CAIRN_NODE_SQL_PORT[$n]}/postgres"; done
start=$(date +%s.%N)
log "3 nodes: waiting for 3 live nodes and 3 voters per range"
wait_cluster "${URI[n1]}" || exit 1
psql "${URI[n1]}" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" >/dev/null
wait_cluster "${URI[n1]}" || exit 1
FIG[three,ready_s]="$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")"
FIG[three,ranges_before]="$(describe_ranges "${URI[n1]}")"
# CLIENTS over the three nodes: 6/5/5 for 16.
declare -A NC BASE
base=0
for i in 1 2 3; do
  NC[n$i]=$(( CLIENTS / 3 + (i <= CLIENTS % 3 ? 1 : 0) ))
  BASE[n$i]=$base
  base=$(( base + NC[n$i] ))
done
FIG[three,load]="$(cut -d' ' -f1 /proc/loadavg)"
log "3 nodes: three concurrent pgbench -c ${NC[n1]}/${NC[n2]}/${NC[n3]} -j 1, one per node"
pids=()
for n in n1 n2 n3; do
  run_pgbench "three_$n" "${URI[$n]}" "${NC[$n]}" 1 "${BASE[$n]}" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
record three three_n1 three_n2 three_n3
for n in n1 n2 n3; do record "three_$n" "three_$n"; done
FIG[three,rows]="$(count_rows "${URI[n1]}")"
FIG[three,rows_n2]="$(count_rows "${URI[n2]}")"
FIG[three,rows_n3]="$(count_rows "${URI[n3]}")"
FIG[three,ranges_after]="$(describe_ranges "${URI[n1]}")"
cairn_stop_node n1 n2 n3
FIG[three,exit]="${CAIRN_NODE_EXIT[n1]} ${CAIRN_NODE_EXIT[n2]} ${CAIRN_NODE_EXIT[n3]}"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# Errors the servers' clients saw (first of each pgbench output), for the notes.
ERRORS=""
for label in pg one three_n1 three_n2 three_n3; do
  e="$(grep -m1 -E 'error|ERROR' "$WORK/$label.out" || true)"
  [ -z "$e" ] || ERRORS+=$'\n'"- $label: \`$e\`"
done
[ -z "$ERRORS" ] || ERRORS="Errors in pgbench's output (first of each):$ERRORS"

ratio() { python3 -c "import math; a, b = float('$1'), float('$2'); print('?' if math.isnan(a) or math.isnan(b) or b == 0 else '%.2f' % (a / b))"; }
row() {  # SYS NAME CLIENTS
  echo "| $2 | $3 | ${FIG[$1,n]} | ${FIG[$1,failed]} | ${FIG[$1,aborted]} | ${FIG[$1,p50]} | ${FIG[$1,p99]} | ${FIG[$1,mean]} | ${FIG[$1,tps]} | ${FIG[$1,rows]:-} |"
}
ratio_row() {  # NAME A B
  echo "| $1 | $(ratio "${FIG[$2,p50]}" "${FIG[$3,p50]}") | $(ratio "${FIG[$2,p99]}" "${FIG[$3,p99]}") | $(ratio "${FIG[$2,tps]}" "${FIG[$3,tps]}") |"
}
cat <<EOF

### Single-row INSERT on 3 nodes vs 1 node vs PostgreSQL 15 ($(date -u +%Y-%m-%d), $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown))

\`BENCH_TIME=$BENCH_TIME CLIENTS=$CLIENTS THREADS=$THREADS bench/cluster_insert_bench.sh $1\`
(cairn: $CAIRN), load average before: $LOAD_BEFORE, after: $LOAD_AFTER
(1-min load at the start of each run: PostgreSQL ${FIG[pg,load]}, 1 node ${FIG[one,load]}, 3 nodes ${FIG[three,load]});
disk: $FSYNC_MS ms per 8 KiB O_DSYNC write; other \`cairn start\` processes at the start: ${OTHERS:-0}.

| system | clients | transactions | failed | aborted clients | p50 ms | p99 ms | mean ms | TPS | rows after |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(row pg "PostgreSQL 15" "$CLIENTS (-j $THREADS)")
$(row one "CairnDB, 1 node" "$CLIENTS (-j $THREADS)")
$(row three "CairnDB, 3 nodes" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row three_n1 "- through node 1" "${NC[n1]}")
$(row three_n2 "- through node 2" "${NC[n2]}")
$(row three_n3 "- through node 3" "${NC[n3]}")

| ratio | p50 | p99 | TPS |
| --- | ---: | ---: | ---: |
$(ratio_row "3 nodes / 1 node" three one)
$(ratio_row "3 nodes / PostgreSQL" three pg)
$(ratio_row "1 node / PostgreSQL" one pg)

Latencies are pgbench's per-transaction times (nearest-rank percentiles of the
--log files, merged over the three pgbench processes for 3 nodes); the 3-node
TPS is the sum of the three processes' "tps ... (without initial connection
time)". Each run: \`$PGBENCH_CMD\` on a fresh
\`$CREATE_SQL\`; on 3 nodes one such pgbench per node with -c ${NC[n1]}/${NC[n2]}/${NC[n3]},
-j 1 and -D base=${BASE[n1]}/${BASE[n2]}/${BASE[n3]}, run at the same time. The 3-node cluster was
measured ${FIG[three,ready_s]} s after node 3 was healthy (3 live nodes, 3 voters per range,
lease holders unchanged for ${LEASE_SETTLE} s);
ranges before: ${FIG[three,ranges_before]}; after: ${FIG[three,ranges_after]}.
Rows counted through nodes 2 and 3 after the run: ${FIG[three,rows_n2]}, ${FIG[three,rows_n3]}.
pgbench exit statuses: PostgreSQL ${FIG[pg,rc]}, 1 node ${FIG[one,rc]}, 3 nodes ${FIG[three,rc]};
cairn exit statuses on SIGTERM: 1 node ${FIG[one,exit]}, 3 nodes (n1 n2 n3) ${FIG[three,exit]}.
$ERRORS
EOF

# A run whose pgbench measured nothing is a failed run (the work dir is kept).
for sys in pg one three; do
  [ "${FIG[$sys,tps]}" != nan ] || { log "$sys: pgbench reported no tps; see $WORK"; exit 1; }
done

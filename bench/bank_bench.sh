#!/usr/bin/env bash
# bench/bank_bench.sh BUILD_DIR
#
# Bank transfers per second and their latency (p50, p99) (issue #5, point
# 9): one-phase against two-phase commit on a 3-node CairnDB cluster, and
# PostgreSQL 15 as the ratio to beat. One after the other in the same run
# (never two at once):
#   (a) a throwaway PostgreSQL 15 (bench/postgres_peer.sh) on this machine,
#       REPEATABLE READ;
#   (b) a 3-node CairnDB cluster (BUILD_DIR/cairn start on free ports of
#       127.0.0.1, nodes 2 and 3 with --join <node 1's RPC address>) with
#       every account in ONE range, the table's own: both rows of a transfer
#       commit in one step (one-phase commit);
#   (c) a fresh 3-node cluster as in (b), the accounts split into RANGES
#       ranges of ACCOUNTS/RANGES consecutive ids by ALTER TABLE bank SPLIT
#       AT VALUES (...), and transfers that always take their two accounts
#       from two different ranges (two-phase commit across ranges).
# A cluster is measured once SHOW CLUSTER NODES through node 1 lists 3 live
# nodes, SHOW RANGES shows every range with 3 voters (no learners) and its
# lease holder among them, the voters and lease holders have stayed put for
# LEASE_SETTLE seconds (bench/lib/cluster_wait.sh), SHOW RANGES FROM TABLE
# bank shows the table's 1 or RANGES ranges, and, in (c), their lease
# holders are on all three nodes (if they are not by CLUSTER_WAIT, the run
# goes on and the output says so).
#
# Each starts with CREATE TABLE bank (id INT PRIMARY KEY, balance BIGINT NOT
# NULL) and ACCOUNTS accounts of 1000 (one INSERT ... SELECT from
# generate_series). pgbench -n -M prepared then runs bench/pgbench/
# bank_transfer.sql for BENCH_TIME seconds with CLIENTS clients: BEGIN
# ISOLATION LEVEL REPEATABLE READ, balance - amt on one account, + amt on
# another, COMMIT. Which two accounts is what differs between (b) and (c):
# any two distinct accounts in (a) and (b) (-D groups=ACCOUNTS -D
# group_size=1), two accounts in different ranges in (c) (-D groups=RANGES
# -D group_size=ACCOUNTS/RANGES). On (a) one pgbench (-j THREADS); on (b)
# and (c) the clients are spread over the three nodes' SQL ports (6/5/5 for
# 16), one pgbench per node (-j 1, seeds SEED, SEED+1, SEED+2) run
# concurrently, their tps summed and their per-transaction logs merged.
# pgbench retries a transaction that fails with 40001 or 40P01 up to
# MAX_TRIES tries (--max-tries); retried transactions, the retries, the
# transactions that failed all their tries and the clients aborted by any
# other error are reported. p50/p99 come from the --log files (latency in
# us, 3rd column, nearest rank; a retried transaction's latency spans all
# its tries); TPS from "tps = ... (without initial connection time)". On
# the clusters, the Raft proposals per transfer (cairn_raft_proposals_total
# summed over the nodes' /metrics, before and after the run, over the
# transfers pgbench counted) show the commit path: each UPDATE in a
# transaction block locks its row through Raft, then one proposal commits
# in one phase, against a prewrite per range and a commit per range in two
# (retried tries and the nodes' own proposals count too). After each run,
# sum(balance) and count(*) of bank are read (through each node on a
# cluster): they must be ACCOUNTS*1000 and ACCOUNTS, or the run FAILs (the
# output says so; the script exits 1 after its report). Prints a Markdown
# block with the figures, the ratios (b)/(a), (c)/(a) and (c)/(b), and the
# command.
#
# Environment: BENCH_TIME (seconds per run, default 20), CLIENTS (16),
# THREADS (2, pgbench -j of run (a)), ACCOUNTS (1000), RANGES (8, ranges of
# run (c); must divide ACCOUNTS), MAX_TRIES (1000), SEED (1, pgbench
# --random-seed), CLUSTER_WAIT (seconds to wait for 3 voters per range, the
# table's ranges and their leases, 180), LEASE_SETTLE (seconds SHOW
# RANGES's voters and lease holders must stay unchanged before measuring,
# 8), KEEP_WORKDIR=1 (keep logs and data).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$(cd "$1" 2>/dev/null && pwd)" || { echo "bank_bench: no build dir $1" >&2; exit 2; }
CAIRN="$BUILD_DIR/cairn"
BENCH_TIME="${BENCH_TIME:-20}"
CLIENTS="${CLIENTS:-16}"
THREADS="${THREADS:-2}"
ACCOUNTS="${ACCOUNTS:-1000}"
RANGES="${RANGES:-8}"
MAX_TRIES="${MAX_TRIES:-1000}"
SEED="${SEED:-1}"
CLUSTER_WAIT="${CLUSTER_WAIT:-180}"
LEASE_SETTLE="${LEASE_SETTLE:-8}"

[ -x "$CAIRN" ] || { echo "bank_bench: $CAIRN not built" >&2; exit 2; }
for tool in psql pgbench curl python3; do
  command -v "$tool" >/dev/null || { echo "bank_bench: $tool not found (scripts/install-deps)" >&2; exit 2; }
done
[ "$CLIENTS" -ge 3 ] || { echo "bank_bench: CLIENTS must be >= 3" >&2; exit 2; }
[ "$RANGES" -ge 2 ] && [ $((ACCOUNTS % RANGES)) -eq 0 ] \
  || { echo "bank_bench: RANGES ($RANGES) must be >= 2 and divide ACCOUNTS ($ACCOUNTS)" >&2; exit 2; }
[ "$MAX_TRIES" -ge 1 ] || { echo "bank_bench: MAX_TRIES must be >= 1" >&2; exit 2; }

WORK="$(mktemp -d /tmp/cairn_bank_bench.XXXXXX)"
export CAIRN_PG_PEER_STATE="$WORK/pg_peer.state"
PG_STARTED=""
log() { echo "bank_bench: $*" >&2; }
# cairn_start_node, cairn_wait_node, cairn_stop_node(s), CAIRN_NODE_*
source "$BENCH_DIR/lib/cairn_nodes.sh"
# cluster_state, wait_cluster, describe_ranges
source "$BENCH_DIR/lib/cluster_wait.sh"
# summarize, record (into FIG)
source "$BENCH_DIR/lib/pgbench_summary.sh"
# fsync_probe
source "$BENCH_DIR/lib/fsync_probe.sh"

stop_pg() {
  [ -n "$PG_STARTED" ] || return 0
  CAIRN_PG_PEER_KEEP_LOG="$WORK/postgres.log" "$BENCH_DIR/postgres_peer.sh" stop >/dev/null 2>&1 || true
  PG_STARTED=""
}

# A pgbench still running (the script was interrupted) is stopped by its pid
# (run_pgbench records it).
stop_pgbench() {
  local f
  for f in "$WORK"/*.pgbench_pid; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pgbench
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
SCRIPT="$BENCH_DIR/pgbench/bank_transfer.sql"
GROUP_SIZE=$((ACCOUNTS / RANGES))
CREATE_SQL="CREATE TABLE bank (id INT PRIMARY KEY, balance BIGINT NOT NULL)"
LOAD_SQL="INSERT INTO bank SELECT g, 1000 FROM generate_series(1, $ACCOUNTS) AS g"
SPLIT_SQL="ALTER TABLE bank SPLIT AT VALUES $(seq -s, -f '(%.0f)' $((GROUP_SIZE + 1)) "$GROUP_SIZE" $((ACCOUNTS - GROUP_SIZE + 1)))"
WANT="$((ACCOUNTS * 1000))|$ACCOUNTS"
FAILS=""

# run_pgbench LABEL URI CLIENTS THREADS SEED GROUPS GROUP_SIZE: in the
# background when the caller puts it there; output in $WORK/LABEL.out,
# per-transaction logs in $WORK/LABEL.log.*, exit status in $WORK/LABEL.rc,
# pgbench's pid in $WORK/LABEL.pgbench_pid while it runs (for cleanup).
run_pgbench() {
  local label="$1" uri="$2" clients="$3" threads="$4" seed="$5" groups="$6" group_size="$7" rc=0 pid
  pgbench -n -c "$clients" -j "$threads" -T "$BENCH_TIME" -M prepared \
    --max-tries="$MAX_TRIES" --random-seed="$seed" -f "$SCRIPT" \
    -D "groups=$groups" -D "group_size=$group_size" \
    --log --log-prefix="$WORK/$label.log" "$uri" >"$WORK/$label.out" 2>&1 &
  pid=$!
  echo "$pid" >"$WORK/$label.pgbench_pid"
  wait "$pid" || rc=$?
  rm -f "$WORK/$label.pgbench_pid"
  echo "$rc" >"$WORK/$label.rc"
}


declare -A FIG

# check_bank SYS URI...: sum(balance)|count(*) of bank through each URI into
# FIG[SYS,sums]; FIG[SYS,check] is "ok", or "FAIL" (logged and added to
# FAILS) when one is not $WANT.
check_bank() {
  local sys="$1" uri got; shift
  FIG[$sys,sums]=""
  FIG[$sys,check]=ok
  for uri in "$@"; do
    got="$(psql "$uri" -AtqX -F'|' -c 'SELECT sum(balance), count(*) FROM bank' 2>&1 | tail -1)" || true
    FIG[$sys,sums]+="${FIG[$sys,sums]:+, }$got"
    if [ "$got" != "$WANT" ]; then
      FIG[$sys,check]=FAIL
      log "FAIL: $sys: sum(balance)|count(*) through $uri is '$got', not $WANT"
      FAILS+=$'\n'"- **FAIL**: $sys: \`SELECT sum(balance), count(*) FROM bank\` through $uri gave \`$got\`, not \`$WANT\`"
    fi
  done
}

# metric_total NAME NODE...: NAME summed over the nodes' /metrics.
metric_total() {
  local name="$1" n; shift
  for n in "$@"; do curl -fs "http://127.0.0.1:${CAIRN_NODE_HTTP_PORT[$n]}/metrics" || true; done \
    | awk -v m="$name" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}

# table_state URI WANT_RANGES: "ready" when SHOW RANGES FROM TABLE bank
# shows WANT_RANGES ranges whose lease holders are on min(3, WANT_RANGES)
# nodes; "ranges N" when their number is wrong; "leases ..." when they are
# on too few nodes.
table_state() {
  { psql "$1" -AtqX -F'|' -c 'SHOW RANGES FROM TABLE bank' 2>&1 || true; } | python3 -c '
import sys
want = int(sys.argv[1])
rows = [l.split("|") for l in sys.stdin.read().splitlines() if l]
if len(rows) != want:
    print("ranges %d" % len(rows)); sys.exit()
holders = sorted(set(r[4] for r in rows if len(r) > 4))
print("ready" if len(holders) >= min(3, want) else "leases on n" + ",n".join(holders))' "$2"
}

# table_leases URI: the bank ranges' leases per node, "n1:3 n2:3 n3:2".
table_leases() {
  { psql "$1" -AtqX -F'|' -c 'SHOW RANGES FROM TABLE bank' 2>&1 || true; } \
    | awk -F'|' '{ c[$5]++ } END { for (n = 1; n <= 3; n++) printf "%sn%d:%d", (n > 1 ? " " : ""), n, c[n]; print "" }'
}

# wait_table URI WANT_RANGES: wait_cluster, until table_state is "ready"
# too. Fails when the table has not WANT_RANGES ranges by CLUSTER_WAIT;
# leases still on too few nodes by then are logged and recorded in
# SPREAD_NOTE, and the run goes on.
wait_table() {
  local deadline=$(( $(date +%s) + CLUSTER_WAIT )) state
  while :; do
    wait_cluster "$1" || return 1
    state="$(table_state "$1" "$2")"
    [ "$state" != ready ] || return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      case "$state" in
        leases*) SPREAD_NOTE="the table's leases were not on all three nodes after ${CLUSTER_WAIT}s ($state)"
                 log "warning: $SPREAD_NOTE; measuring anyway"
                 return 0 ;;
        *) log "SHOW RANGES FROM TABLE bank after ${CLUSTER_WAIT}s: $state, not $2 ranges"; return 1 ;;
      esac
    fi
    sleep 1
  done
}

# CLIENTS over the three nodes: 6/5/5 for 16.
declare -A NC
for i in 1 2 3; do NC[n$i]=$(( CLIENTS / 3 + (i <= CLIENTS % 3 ? 1 : 0) )); done

# run_cluster SYS WANT_RANGES GROUPS GROUP_SIZE: a fresh 3-node cluster
# (nodes SYS_n1..3), bank loaded and, for WANT_RANGES > 1, split; once
# settled, three concurrent pgbench (labels SYS_n1..3), then the checks;
# the nodes are stopped again. Figures in FIG[SYS,...].
run_cluster() {
  local sys="$1" want_ranges="$2" groups="$3" group_size="$4" n i start pids=() p
  local -A uri
  cairn_start_node "${sys}_n1" "$WORK/${sys}_n1-data" "$WORK/${sys}_n1.log"
  cairn_wait_node "${sys}_n1" || exit 1
  for n in n2 n3; do
    cairn_start_node "${sys}_$n" "$WORK/${sys}_$n-data" "$WORK/${sys}_$n.log" \
      --join "127.0.0.1:${CAIRN_NODE_RPC_PORT[${sys}_n1]}"
    cairn_wait_node "${sys}_$n" || exit 1
  done
  for n in n1 n2 n3; do uri[$n]="postgresql://root@127.0.0.1:${CAIRN_NODE_SQL_PORT[${sys}_$n]}/postgres"; done
  start=$(date +%s.%N)
  log "$sys: waiting for 3 live nodes and 3 voters per range"
  wait_cluster "${uri[n1]}" || exit 1
  psql "${uri[n1]}" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" -c "$LOAD_SQL" >/dev/null
  if [ "$want_ranges" -gt 1 ]; then
    psql "${uri[n1]}" -qX -v ON_ERROR_STOP=1 -c "$SPLIT_SQL" >/dev/null
  fi
  log "$sys: waiting for $want_ranges range(s) of bank with 3 voters and settled leases"
  SPREAD_NOTE=""
  wait_table "${uri[n1]}" "$want_ranges" || exit 1
  FIG[$sys,spread_note]="$SPREAD_NOTE"
  FIG[$sys,ready_s]="$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")"
  FIG[$sys,ranges_before]="$(describe_ranges "${uri[n1]}" bank)"
  FIG[$sys,leases]="$(table_leases "${uri[n1]}")"
  FIG[$sys,load]="$(cut -d' ' -f1 /proc/loadavg)"
  local proposals_before; proposals_before="$(metric_total cairn_raft_proposals_total "${sys}_n1" "${sys}_n2" "${sys}_n3")"
  log "$sys: three concurrent pgbench -c ${NC[n1]}/${NC[n2]}/${NC[n3]} -j 1, one per node"
  i=0
  for n in n1 n2 n3; do
    run_pgbench "${sys}_$n" "${uri[$n]}" "${NC[$n]}" 1 $((SEED + i)) "$groups" "$group_size" &
    pids+=($!)
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  local proposals_after; proposals_after="$(metric_total cairn_raft_proposals_total "${sys}_n1" "${sys}_n2" "${sys}_n3")"
  record "$sys" "${sys}_n1" "${sys}_n2" "${sys}_n3"
  for n in n1 n2 n3; do record "${sys}_$n" "${sys}_$n"; done
  FIG[$sys,proposals]="$(python3 -c "
d, n = $proposals_after - $proposals_before, ${FIG[$sys,n]}
print('%.2f' % (d / n) if n else '?')")"
  check_bank "$sys" "${uri[n1]}" "${uri[n2]}" "${uri[n3]}"
  FIG[$sys,ranges_after]="$(describe_ranges "${uri[n1]}" bank)"
  cairn_stop_node "${sys}_n1" "${sys}_n2" "${sys}_n3"
  FIG[$sys,exit]="${CAIRN_NODE_EXIT[${sys}_n1]} ${CAIRN_NODE_EXIT[${sys}_n2]} ${CAIRN_NODE_EXIT[${sys}_n3]}"
}

FSYNC_MS="$(fsync_probe)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
PGBENCH_ARGS="-n -T $BENCH_TIME -M prepared --max-tries=$MAX_TRIES -f bench/pgbench/bank_transfer.sql --log"
PG_CMD="pgbench -c $CLIENTS -j $THREADS --random-seed=$SEED $PGBENCH_ARGS -D groups=$ACCOUNTS -D group_size=1"

# --- (a) PostgreSQL 15 ----------------------------------------------------------
PG_URI="$("$BENCH_DIR/postgres_peer.sh" start | tail -1)"
PG_STARTED=1
psql "$PG_URI" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" -c "$LOAD_SQL" >/dev/null
FIG[pg,load]="$(cut -d' ' -f1 /proc/loadavg)"
log "postgres: $PG_CMD"
run_pgbench pg "$PG_URI" "$CLIENTS" "$THREADS" "$SEED" "$ACCOUNTS" 1
record pg pg
check_bank pg "$PG_URI"
stop_pg

# --- (b) CairnDB, 3 nodes, one range: one-phase commits ---------------------------
run_cluster one 1 "$ACCOUNTS" 1

# --- (c) CairnDB, 3 nodes, RANGES ranges, two per transfer: two-phase commits -----
run_cluster many "$RANGES" "$RANGES" "$GROUP_SIZE"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# Errors the servers' clients saw (first of each pgbench output), for the notes.
ERRORS=""
for label in pg one_n1 one_n2 one_n3 many_n1 many_n2 many_n3; do
  e="$(grep -m1 -E 'error|ERROR' "$WORK/$label.out" || true)"
  [ -z "$e" ] || ERRORS+=$'\n'"- $label: \`$e\`"
done
[ -z "$ERRORS" ] || ERRORS="Errors in pgbench's output (first of each):$ERRORS"
SPREAD=""
[ -z "${FIG[many,spread_note]}" ] || SPREAD=$'\n'"Warning: in (c) ${FIG[many,spread_note]}."

ratio() { python3 -c "import math; a, b = float('$1'), float('$2'); print('?' if math.isnan(a) or math.isnan(b) or b == 0 else '%.2f' % (a / b))"; }
row() {  # SYS NAME CLIENTS
  echo "| $2 | $3 | ${FIG[$1,n]} | ${FIG[$1,retried]} | ${FIG[$1,retries]} | ${FIG[$1,failed]} | ${FIG[$1,aborted]} | ${FIG[$1,p50]} | ${FIG[$1,p99]} | ${FIG[$1,mean]} | ${FIG[$1,tps]} | ${FIG[$1,check]:-} |"
}
ratio_row() {  # NAME A B
  echo "| $1 | $(ratio "${FIG[$2,p50]}" "${FIG[$3,p50]}") | $(ratio "${FIG[$2,p99]}" "${FIG[$3,p99]}") | $(ratio "${FIG[$2,tps]}" "${FIG[$3,tps]}") |"
}
cat <<EOF

### Bank transfers: 1PC vs 2PC on 3 nodes vs PostgreSQL 15 ($(date -u +%Y-%m-%d), $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown))

\`BENCH_TIME=$BENCH_TIME CLIENTS=$CLIENTS THREADS=$THREADS ACCOUNTS=$ACCOUNTS RANGES=$RANGES MAX_TRIES=$MAX_TRIES SEED=$SEED bench/bank_bench.sh $1\`
(cairn: $CAIRN), load average before: $LOAD_BEFORE, after: $LOAD_AFTER
(1-min load at the start of each run: PostgreSQL ${FIG[pg,load]}, one range ${FIG[one,load]}, $RANGES ranges ${FIG[many,load]});
disk: $FSYNC_MS ms per 8 KiB O_DSYNC write; other \`cairn start\` processes at the start: ${OTHERS:-0}.

| system | clients | transfers | retried | retries | failed | aborted clients | p50 ms | p99 ms | mean ms | TPS | sum, count after |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
$(row pg "(a) PostgreSQL 15, REPEATABLE READ" "$CLIENTS (-j $THREADS)")
$(row one "(b) CairnDB, 3 nodes, 1 range (1PC)" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row one_n1 "- through node 1" "${NC[n1]}")
$(row one_n2 "- through node 2" "${NC[n2]}")
$(row one_n3 "- through node 3" "${NC[n3]}")
$(row many "(c) CairnDB, 3 nodes, $RANGES ranges, 2 per transfer (2PC)" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row many_n1 "- through node 1" "${NC[n1]}")
$(row many_n2 "- through node 2" "${NC[n2]}")
$(row many_n3 "- through node 3" "${NC[n3]}")

| ratio | p50 | p99 | TPS |
| --- | ---: | ---: | ---: |
$(ratio_row "(b) 1PC / (a) PostgreSQL" one pg)
$(ratio_row "(c) 2PC / (a) PostgreSQL" many pg)
$(ratio_row "(c) 2PC / (b) 1PC" many one)

A transfer is one transaction of bench/pgbench/bank_transfer.sql (BEGIN ISOLATION LEVEL
REPEATABLE READ, two UPDATEs of \`bank\` by primary key, COMMIT) on $ACCOUNTS accounts of 1000.
Latencies are pgbench's per-transaction times, retries included (nearest-rank percentiles of
the --log files, merged over the three pgbench processes on a cluster); the cluster TPS is the
sum of the three processes' "tps ... (without initial connection time)". "retried" counts
transfers retried at least once after 40001/40P01, "retries" the tries beyond the first,
"failed" the transfers that failed all $MAX_TRIES tries. Commands: (a) \`$PG_CMD\`;
(b) and (c) one \`pgbench -c ${NC[n1]}/${NC[n2]}/${NC[n3]} -j 1 --random-seed=$SEED/$((SEED + 1))/$((SEED + 2)) $PGBENCH_ARGS\`
per node, at the same time, with \`-D groups=$ACCOUNTS -D group_size=1\` (b) and
\`-D groups=$RANGES -D group_size=$GROUP_SIZE\` (c), each on a fresh cluster and a fresh
\`$CREATE_SQL\` loaded by \`$LOAD_SQL\`; in (c) split by
\`$SPLIT_SQL\`.
Raft proposals per transfer (all nodes): (b) ${FIG[one,proposals]}, (c) ${FIG[many,proposals]}.
Measured ${FIG[one,ready_s]} s (b) and ${FIG[many,ready_s]} s (c) after node 3 was healthy (3 live
nodes, 3 voters per range, lease holders unchanged for ${LEASE_SETTLE} s). bank's ranges,
(b): ${FIG[one,ranges_before]}; after: ${FIG[one,ranges_after]}.
(c): ${FIG[many,ranges_before]} (leases ${FIG[many,leases]}); after: ${FIG[many,ranges_after]}.$SPREAD
\`SELECT sum(balance), count(*) FROM bank\` after each run, expected \`$WANT\`: (a) ${FIG[pg,sums]};
(b) through nodes 1/2/3 ${FIG[one,sums]}; (c) ${FIG[many,sums]}.
pgbench exit statuses: (a) ${FIG[pg,rc]}, (b) ${FIG[one,rc]}, (c) ${FIG[many,rc]};
cairn exit statuses on SIGTERM (n1 n2 n3): (b) ${FIG[one,exit]}, (c) ${FIG[many,exit]}.
$ERRORS$FAILS
EOF

# A run whose pgbench measured nothing, or whose bank lost or made money,
# is a failed run (the work dir is kept).
for sys in pg one many; do
  [ "${FIG[$sys,tps]}" != nan ] || { log "$sys: pgbench reported no tps; see $WORK"; exit 1; }
done
[ -z "$FAILS" ] || { log "FAIL: the bank's invariant broke (see above); see $WORK"; exit 1; }

#!/usr/bin/env bash
# bench/bank_bench.sh BUILD_DIR
#
# Bank transfers per second and their latency (p50, p99) (issue #5, point
# 9): one-phase, async and two-phase commit on a 3-node CairnDB cluster,
# and PostgreSQL 15 as the ratio to beat. One after the other in the same
# run (never two at once):
#   (a) a throwaway PostgreSQL 15 (bench/postgres_peer.sh) on this machine,
#       REPEATABLE READ;
#   (b) a 3-node CairnDB cluster (BUILD_DIR/cairn start on free ports of
#       127.0.0.1, nodes 2 and 3 with --join <node 1's RPC address>) with
#       every account in ONE range, the table's own: both rows of a transfer
#       commit in one step (one-phase commit);
#   (c) a fresh 3-node cluster as in (b), the accounts split into RANGES
#       ranges of ACCOUNTS/RANGES consecutive ids by ALTER TABLE bank SPLIT
#       AT VALUES (...), and transfers that always take their two accounts
#       from two different ranges, with the cluster's default
#       kv.async_commit_max_keys (256): ASYNC COMMIT across ranges, the
#       client answered once both rows are locked (no round for the commit
#       point);
#   (d) the same cluster right after (c): SET CLUSTER SETTING
#       kv.async_commit_max_keys = 0 through node 1, then, once SHOW CLUSTER
#       SETTING kv.async_commit_max_keys answers 0 through every node (by
#       SETTING_WAIT) and SETTING_SETTLE seconds more (each node's sessions
#       take the setting from the node's own copy, refreshed in the
#       background, when a transaction begins), the same transfers as (c):
#       classic TWO-PHASE COMMIT across ranges. (d)'s pgbench processes
#       connect anew anyway; the bank is (c)'s, its balances moved but not
#       its sum.
# A cluster is measured once SHOW CLUSTER NODES through node 1 lists 3 live
# nodes, SHOW RANGES shows every range with 3 voters (no learners) and its
# lease holder among them, the voters and lease holders have stayed put for
# LEASE_SETTLE seconds (bench/lib/cluster_wait.sh), SHOW RANGES FROM TABLE
# bank shows the table's 1 or RANGES ranges, and, in (c), their lease
# holders are on all three nodes (if they are not by CLUSTER_WAIT, the run
# goes on and the output says so). (d) does not wait for the ranges again:
# their lease holders before (d) are reported beside (c)'s.
#
# Each cluster starts with CREATE TABLE bank (id INT PRIMARY KEY, balance
# BIGINT NOT NULL) and ACCOUNTS accounts of 1000 (one INSERT ... SELECT from
# generate_series). pgbench -n -M prepared then runs bench/pgbench/
# bank_transfer.sql for BENCH_TIME seconds with CLIENTS clients: BEGIN
# ISOLATION LEVEL REPEATABLE READ, balance - amt on one account, + amt on
# another, COMMIT. Which two accounts is what differs between (b) and
# (c)/(d): any two distinct accounts in (a) and (b) (-D groups=ACCOUNTS -D
# group_size=1), two accounts in different ranges in (c) and (d) (-D
# groups=RANGES -D group_size=ACCOUNTS/RANGES). On (a) one pgbench (-j
# THREADS); on (b), (c) and (d) the clients are spread over the three nodes'
# SQL ports (6/5/5 for 16), one pgbench per node (-j 1, seeds SEED, SEED+1,
# SEED+2) run concurrently, their tps summed and their per-transaction logs
# merged. pgbench retries a transaction that fails with 40001 or 40P01 up
# to MAX_TRIES tries (--max-tries); retried transactions, the retries, the
# transactions that failed all their tries and the clients aborted by any
# other error are reported. p50/p99 come from the --log files (latency in
# us, 3rd column, nearest rank; a retried transaction's latency spans all
# its tries); TPS from "tps = ... (without initial connection time)". On
# the clusters, the Raft proposals per transfer (cairn_raft_proposals_total
# summed over the nodes' /metrics, before and after the run, over the
# transfers pgbench counted) show the commit path: each UPDATE in a
# transaction block locks its row through Raft, then one proposal commits
# in one phase (b); across ranges, async commit (c) is a prewrite per range
# (the client is answered then) plus the commit records written in the
# background, two-phase commit (d) a prewrite per range, then the primary's
# commit (the client is answered then) plus the secondaries' (retried tries
# and the nodes' own proposals count too). After each run, sum(balance) and
# count(*) of bank are read (through each node on a cluster): they must be
# ACCOUNTS*1000 and ACCOUNTS, or the run FAILs (the output says so; the
# script exits 1 after its report). Prints a Markdown block with the
# figures, the ratios (b)/(a), (c)/(a), (d)/(a), (c)/(b) and (c)/(d) (async
# against two-phase commit), and the command.
#
# Environment: BENCH_TIME (seconds per run, default 20), CLIENTS (16),
# THREADS (2, pgbench -j of run (a)), ACCOUNTS (1000), RANGES (8, ranges of
# runs (c) and (d); must divide ACCOUNTS), MAX_TRIES (1000), SEED (1,
# pgbench --random-seed), CLUSTER_WAIT (seconds to wait for 3 voters per
# range, the table's ranges and their leases, 180), LEASE_SETTLE (seconds
# SHOW RANGES's voters and lease holders must stay unchanged before
# measuring, 8), SETTING_WAIT (seconds to wait for every node to SHOW
# kv.async_commit_max_keys = 0 before (d), 60), SETTING_SETTLE (seconds
# more before (d), 6), KEEP_WORKDIR=1 (keep logs and data).
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
SETTING_WAIT="${SETTING_WAIT:-60}"
# Seconds to wait, once SHOW CLUSTER SETTING answers the new value through
# every node, before measuring with it: SHOW reads the setting from the
# cluster's store, but a session takes kv.async_commit_max_keys from its
# node's own copy when a transaction BEGINs, and each node refreshes that copy
# in a background loop (periodically), so a node can show the new value
# while its transactions still begin with the old one.
SETTING_SETTLE="${SETTING_SETTLE:-6}"

[ -x "$CAIRN" ] || { echo "bank_bench: $CAIRN not built" >&2; exit 2; }
for tool in psql pgbench curl python3; do
  command -v "$tool" >/dev/null || { echo "bank_bench: $tool not found (scripts/install-deps)" >&2; exit 2; }
done
[ "$CLIENTS" -ge 3 ] || { echo "bank_bench: CLIENTS must be >= 3" >&2; exit 2; }
[ "$RANGES" -ge 2 ] && [ $((ACCOUNTS % RANGES)) -eq 0 ] \
  || { echo "bank_bench: RANGES ($RANGES) must be >= 2 and divide ACCOUNTS ($ACCOUNTS)" >&2; exit 2; }
[ "$MAX_TRIES" -ge 1 ] || { echo "bank_bench: MAX_TRIES must be >= 1" >&2; exit 2; }
[ "$SETTING_WAIT" -ge 1 ] && [ "$SETTING_SETTLE" -ge 0 ] \
  || { echo "bank_bench: SETTING_WAIT must be >= 1 and SETTING_SETTLE >= 0" >&2; exit 2; }

WORK="$(mktemp -d /tmp/cairn_bank_bench.XXXXXX)"
export CAIRN_PG_PEER_STATE="$WORK/pg_peer.state"
PG_STARTED=""
log() { echo "bank_bench: $*" >&2; }
# cairn_start_node, cairn_wait_node, cairn_stop_node(s), CAIRN_NODE_*
source "$BENCH_DIR/lib/cairn_nodes.sh"
# cluster_state, wait_cluster, describe_ranges, table_state, table_leases,
# wait_table
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

# CLIENTS over the three nodes: 6/5/5 for 16.
declare -A NC
for i in 1 2 3; do NC[n$i]=$(( CLIENTS / 3 + (i <= CLIENTS % 3 ? 1 : 0) )); done

# show_setting URI...: SHOW CLUSTER SETTING kv.async_commit_max_keys through
# each URI, "256/256/256" (psql's last line of output where it fails).
show_setting() {
  local uri got out=""
  for uri in "$@"; do
    got="$(psql "$uri" -AtqX -c 'SHOW CLUSTER SETTING kv.async_commit_max_keys' 2>&1 | tail -1)" || true
    out+="${out:+/}$got"
  done
  echo "$out"
}

# set_async_commit VALUE URI...: SET CLUSTER SETTING kv.async_commit_max_keys
# = VALUE through the first URI, then until SHOW CLUSTER SETTING answers
# VALUE through every URI, then SETTING_SETTLE seconds more (see there).
# Fails (after a log line) when the SET fails or past SETTING_WAIT; the
# seconds from the SET to every node showing VALUE go to SETTING_SECS.
set_async_commit() {
  local value="$1" start deadline now want; shift
  start=$(date +%s.%N)
  psql "$1" -qX -v ON_ERROR_STOP=1 \
    -c "SET CLUSTER SETTING kv.async_commit_max_keys = $value" >"$WORK/set_setting.out" 2>&1 \
    || { log "SET CLUSTER SETTING kv.async_commit_max_keys = $value failed: $(tail -1 "$WORK/set_setting.out")"; return 1; }
  want=""
  for _ in "$@"; do want+="${want:+/}$value"; done
  deadline=$(( $(date +%s) + SETTING_WAIT ))
  while :; do
    now="$(show_setting "$@")"
    [ "$now" != "$want" ] || break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "SHOW CLUSTER SETTING kv.async_commit_max_keys through nodes 1/2/3 after ${SETTING_WAIT}s: $now, not $want"
      return 1
    fi
    sleep 0.5
  done
  SETTING_SECS="$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")"
  log "kv.async_commit_max_keys is $value through every node after ${SETTING_SECS}s; ${SETTING_SETTLE}s more for the nodes' own copies"
  sleep "$SETTING_SETTLE"
}

# CURI[n1..3]: the SQL addresses of the cluster run_cluster started.
declare -A CURI

# measure_cluster SYS NODES GROUPS GROUP_SIZE: on the running cluster whose
# nodes are NODES_n1..3, three concurrent pgbench (labels SYS_n1..3), then
# the checks. Figures in FIG[SYS,...].
measure_cluster() {
  local sys="$1" nodes="$2" groups="$3" group_size="$4" n i pids=() p
  FIG[$sys,ranges_before]="$(describe_ranges "${CURI[n1]}" bank)"
  FIG[$sys,leases]="$(table_leases "${CURI[n1]}" bank)"
  FIG[$sys,setting]="$(show_setting "${CURI[n1]}" "${CURI[n2]}" "${CURI[n3]}")"
  FIG[$sys,load]="$(cut -d' ' -f1 /proc/loadavg)"
  local proposals_before; proposals_before="$(metric_total cairn_raft_proposals_total "${nodes}_n1" "${nodes}_n2" "${nodes}_n3")"
  log "$sys: three concurrent pgbench -c ${NC[n1]}/${NC[n2]}/${NC[n3]} -j 1, one per node (kv.async_commit_max_keys ${FIG[$sys,setting]})"
  i=0
  for n in n1 n2 n3; do
    run_pgbench "${sys}_$n" "${CURI[$n]}" "${NC[$n]}" 1 $((SEED + i)) "$groups" "$group_size" &
    pids+=($!)
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  local proposals_after; proposals_after="$(metric_total cairn_raft_proposals_total "${nodes}_n1" "${nodes}_n2" "${nodes}_n3")"
  record "$sys" "${sys}_n1" "${sys}_n2" "${sys}_n3"
  for n in n1 n2 n3; do record "${sys}_$n" "${sys}_$n"; done
  FIG[$sys,proposals]="$(python3 -c "
d, n = $proposals_after - $proposals_before, ${FIG[$sys,n]}
print('%.2f' % (d / n) if n else '?')")"
  check_bank "$sys" "${CURI[n1]}" "${CURI[n2]}" "${CURI[n3]}"
  FIG[$sys,ranges_after]="$(describe_ranges "${CURI[n1]}" bank)"
}

# run_cluster SYS WANT_RANGES GROUPS GROUP_SIZE [SYS2]: a fresh 3-node
# cluster (nodes SYS_n1..3), bank loaded and, for WANT_RANGES > 1, split;
# once settled, measure_cluster SYS; with SYS2, then async commit turned
# off (set_async_commit 0) and measure_cluster SYS2 on the same cluster; the
# nodes are stopped again. Figures in FIG[SYS,...] and FIG[SYS2,...].
run_cluster() {
  local sys="$1" want_ranges="$2" groups="$3" group_size="$4" sys2="${5:-}" n start
  cairn_start_node "${sys}_n1" "$WORK/${sys}_n1-data" "$WORK/${sys}_n1.log"
  cairn_wait_node "${sys}_n1" || exit 1
  for n in n2 n3; do
    cairn_start_node "${sys}_$n" "$WORK/${sys}_$n-data" "$WORK/${sys}_$n.log" \
      --join "127.0.0.1:${CAIRN_NODE_RPC_PORT[${sys}_n1]}"
    cairn_wait_node "${sys}_$n" || exit 1
  done
  for n in n1 n2 n3; do CURI[$n]="postgresql://root@127.0.0.1:${CAIRN_NODE_SQL_PORT[${sys}_$n]}/postgres"; done
  start=$(date +%s.%N)
  log "$sys: waiting for 3 live nodes and 3 voters per range"
  wait_cluster "${CURI[n1]}" || exit 1
  psql "${CURI[n1]}" -qX -v ON_ERROR_STOP=1 -c "$CREATE_SQL" -c "$LOAD_SQL" >/dev/null
  if [ "$want_ranges" -gt 1 ]; then
    psql "${CURI[n1]}" -qX -v ON_ERROR_STOP=1 -c "$SPLIT_SQL" >/dev/null
  fi
  log "$sys: waiting for $want_ranges range(s) of bank with 3 voters and settled leases"
  SPREAD_NOTE=""
  wait_table "${CURI[n1]}" bank "$want_ranges" || exit 1
  FIG[$sys,spread_note]="$SPREAD_NOTE"
  FIG[$sys,ready_s]="$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")"
  measure_cluster "$sys" "$sys" "$groups" "$group_size"
  if [ -n "$sys2" ]; then
    log "$sys2: SET CLUSTER SETTING kv.async_commit_max_keys = 0 through node 1"
    set_async_commit 0 "${CURI[n1]}" "${CURI[n2]}" "${CURI[n3]}" || exit 1
    FIG[$sys2,setting_s]="$SETTING_SECS"
    measure_cluster "$sys2" "$sys" "$groups" "$group_size"
  fi
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

# --- (c) CairnDB, 3 nodes, RANGES ranges, two per transfer: async commits --------
# --- (d) the same cluster, kv.async_commit_max_keys = 0: two-phase commits -------
run_cluster many "$RANGES" "$RANGES" "$GROUP_SIZE" many2pc
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# Errors the servers' clients saw (first of each pgbench output), for the notes.
ERRORS=""
for label in pg one_n1 one_n2 one_n3 many_n1 many_n2 many_n3 many2pc_n1 many2pc_n2 many2pc_n3; do
  e="$(grep -m1 -E 'error|ERROR' "$WORK/$label.out" || true)"
  [ -z "$e" ] || ERRORS+=$'\n'"- $label: \`$e\`"
done
[ -z "$ERRORS" ] || ERRORS="Errors in pgbench's output (first of each):$ERRORS"
SPREAD=""
[ -z "${FIG[many,spread_note]}" ] || SPREAD=$'\n'"Warning: in (c) and (d) ${FIG[many,spread_note]}."

ratio() { python3 -c "import math; a, b = float('$1'), float('$2'); print('?' if math.isnan(a) or math.isnan(b) or b == 0 else '%.2f' % (a / b))"; }
row() {  # SYS NAME CLIENTS
  echo "| $2 | $3 | ${FIG[$1,n]} | ${FIG[$1,retried]} | ${FIG[$1,retries]} | ${FIG[$1,failed]} | ${FIG[$1,aborted]} | ${FIG[$1,p50]} | ${FIG[$1,p99]} | ${FIG[$1,mean]} | ${FIG[$1,tps]} | ${FIG[$1,check]:-} |"
}
ratio_row() {  # NAME A B
  echo "| $1 | $(ratio "${FIG[$2,p50]}" "${FIG[$3,p50]}") | $(ratio "${FIG[$2,p99]}" "${FIG[$3,p99]}") | $(ratio "${FIG[$2,tps]}" "${FIG[$3,tps]}") |"
}
cat <<EOF

### Bank transfers: 1PC, async commit and 2PC on 3 nodes vs PostgreSQL 15 ($(date -u +%Y-%m-%d), $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo unknown))

\`BENCH_TIME=$BENCH_TIME CLIENTS=$CLIENTS THREADS=$THREADS ACCOUNTS=$ACCOUNTS RANGES=$RANGES MAX_TRIES=$MAX_TRIES SEED=$SEED bench/bank_bench.sh $1\`
(cairn: $CAIRN), load average before: $LOAD_BEFORE, after: $LOAD_AFTER
(1-min load at the start of each run: PostgreSQL ${FIG[pg,load]}, one range ${FIG[one,load]}, $RANGES ranges async ${FIG[many,load]}, 2PC ${FIG[many2pc,load]});
disk: $FSYNC_MS ms per 8 KiB O_DSYNC write; other \`cairn start\` processes at the start: ${OTHERS:-0}.

| system | clients | transfers | retried | retries | failed | aborted clients | p50 ms | p99 ms | mean ms | TPS | sum, count after |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
$(row pg "(a) PostgreSQL 15, REPEATABLE READ" "$CLIENTS (-j $THREADS)")
$(row one "(b) CairnDB, 3 nodes, 1 range (1PC)" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row one_n1 "- through node 1" "${NC[n1]}")
$(row one_n2 "- through node 2" "${NC[n2]}")
$(row one_n3 "- through node 3" "${NC[n3]}")
$(row many "(c) CairnDB, 3 nodes, $RANGES ranges, 2 per transfer (async commit)" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row many_n1 "- through node 1" "${NC[n1]}")
$(row many_n2 "- through node 2" "${NC[n2]}")
$(row many_n3 "- through node 3" "${NC[n3]}")
$(row many2pc "(d) the same cluster after (c), kv.async_commit_max_keys = 0 (2PC)" "${NC[n1]}/${NC[n2]}/${NC[n3]} via nodes 1/2/3")
$(row many2pc_n1 "- through node 1" "${NC[n1]}")
$(row many2pc_n2 "- through node 2" "${NC[n2]}")
$(row many2pc_n3 "- through node 3" "${NC[n3]}")

| ratio | p50 | p99 | TPS |
| --- | ---: | ---: | ---: |
$(ratio_row "(b) 1PC / (a) PostgreSQL" one pg)
$(ratio_row "(c) async / (a) PostgreSQL" many pg)
$(ratio_row "(d) 2PC / (a) PostgreSQL" many2pc pg)
$(ratio_row "(c) async / (b) 1PC" many one)
$(ratio_row "(c) async / (d) 2PC" many many2pc)

A transfer is one transaction of bench/pgbench/bank_transfer.sql (BEGIN ISOLATION LEVEL
REPEATABLE READ, two UPDATEs of \`bank\` by primary key, COMMIT) on $ACCOUNTS accounts of 1000.
Latencies are pgbench's per-transaction times, retries included (nearest-rank percentiles of
the --log files, merged over the three pgbench processes on a cluster); the cluster TPS is the
sum of the three processes' "tps ... (without initial connection time)". "retried" counts
transfers retried at least once after 40001/40P01, "retries" the tries beyond the first,
"failed" the transfers that failed all $MAX_TRIES tries. Commands: (a) \`$PG_CMD\`;
(b), (c) and (d) one \`pgbench -c ${NC[n1]}/${NC[n2]}/${NC[n3]} -j 1 --random-seed=$SEED/$((SEED + 1))/$((SEED + 2)) $PGBENCH_ARGS\`
per node, at the same time, with \`-D groups=$ACCOUNTS -D group_size=1\` (b) and
\`-D groups=$RANGES -D group_size=$GROUP_SIZE\` (c) and (d); (b) and (c) each on a fresh cluster
and a fresh \`$CREATE_SQL\` loaded by \`$LOAD_SQL\`; in (c) split by
\`$SPLIT_SQL\`;
(d) on (c)'s cluster and bank right after (c), once \`SET CLUSTER SETTING kv.async_commit_max_keys = 0\`
through node 1 showed 0 through every node (after ${FIG[many2pc,setting_s]} s) and ${SETTING_SETTLE} s more
(each node refreshes its copy of the settings in the background; a transaction reads its node's at BEGIN).
\`SHOW CLUSTER SETTING kv.async_commit_max_keys\` through nodes 1/2/3 before the run: (c) ${FIG[many,setting]}, (d) ${FIG[many2pc,setting]}.
Raft proposals per transfer (all nodes): (b) ${FIG[one,proposals]}, (c) ${FIG[many,proposals]}, (d) ${FIG[many2pc,proposals]}.
Measured ${FIG[one,ready_s]} s (b) and ${FIG[many,ready_s]} s (c) after node 3 was healthy (3 live
nodes, 3 voters per range, lease holders unchanged for ${LEASE_SETTLE} s). bank's ranges,
(b): ${FIG[one,ranges_before]}; after: ${FIG[one,ranges_after]}.
(c): ${FIG[many,ranges_before]} (leases ${FIG[many,leases]}); after: ${FIG[many,ranges_after]}.
(d): ${FIG[many2pc,ranges_before]} (leases ${FIG[many2pc,leases]}); after: ${FIG[many2pc,ranges_after]}.$SPREAD
\`SELECT sum(balance), count(*) FROM bank\` after each run, expected \`$WANT\`: (a) ${FIG[pg,sums]};
(b) through nodes 1/2/3 ${FIG[one,sums]}; (c) ${FIG[many,sums]}; (d) ${FIG[many2pc,sums]}.
pgbench exit statuses: (a) ${FIG[pg,rc]}, (b) ${FIG[one,rc]}, (c) ${FIG[many,rc]}, (d) ${FIG[many2pc,rc]};
cairn exit statuses on SIGTERM (n1 n2 n3): (b) ${FIG[one,exit]}, (c) and (d) ${FIG[many,exit]}.
$ERRORS$FAILS
EOF

# A run whose pgbench measured nothing, or whose bank lost or made money,
# is a failed run (the work dir is kept).
for sys in pg one many many2pc; do
  [ "${FIG[$sys,tps]}" != nan ] || { log "$sys: pgbench reported no tps; see $WORK"; exit 1; }
done
[ -z "$FAILS" ] || { log "FAIL: the bank's invariant broke (see above); see $WORK"; exit 1; }

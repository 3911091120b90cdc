#!/usr/bin/env bash
# bench/run_all.sh BUILD_DIR
#
# Runs every CairnDB benchmark against binaries already built in BUILD_DIR
# (`make bench` builds build-release first; this script builds nothing):
#   1. BUILD_DIR/bench/mvcc_bench: MVCC engine vs raw RocksDB (get, put, scan);
#   1b. BUILD_DIR/bench/raft_replication_bench: three replica_node processes
#      replicating over gRPC with fsync on, proposals/s and commit latency at
#      1 and 64 proposers in three rounds (and their medians), beside the
#      fdatasync floor of the same disk (and
#      pg_test_fsync's figure when PostgreSQL 15 is installed);
#   2. a single CairnDB node (BUILD_DIR/cairn) on free ports in a temp dir and
#      a throwaway PostgreSQL 15 (bench/postgres_peer.sh), each with
#      `CREATE TABLE bench_kv (k BIGINT PRIMARY KEY, v TEXT)` and 10,000 rows,
#      then pgbench (simple protocol) with bench/pgbench/select.sql and
#      insert.sql against each, the runs alternating between the two.
# Prints the figures, the CairnDB / PostgreSQL ratios and a summary block in
# the format of bench/RESULTS.md (also appended to BUILD_DIR/bench_history.md).
# Everything it starts is stopped on exit, failure or interrupt.
#
# Environment: PGBENCH_TIME (seconds per pgbench run, default 15),
# PGBENCH_CLIENTS (4), PGBENCH_THREADS (2), PGBENCH_ROUNDS (rounds of
# select + insert on each server, alternating, default 2; the summary gives
# the median per server), MVCC_MIN_TIME (seconds per micro-benchmark
# repetition, default 1), MVCC_REPETITIONS (default 3; the summary gives the
# median), RAFT_BENCH_SECONDS (seconds per raft measurement, default 10),
# KEEP_WORKDIR=1 (keep logs and data).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
BUILD_DIR="$(cd "$1" 2>/dev/null && pwd)" || { echo "run_all: no build dir $1" >&2; exit 2; }
CAIRN="$BUILD_DIR/cairn"
MVCC_BENCH="$BUILD_DIR/bench/mvcc_bench"
RAFT_BENCH="$BUILD_DIR/bench/raft_replication_bench"
REPLICA_NODE="$BUILD_DIR/tests/replication/replica_node"
RAFT_BENCH_SECONDS="${RAFT_BENCH_SECONDS:-10}"
PGBENCH_TIME="${PGBENCH_TIME:-15}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-4}"
PGBENCH_THREADS="${PGBENCH_THREADS:-2}"
PGBENCH_ROUNDS="${PGBENCH_ROUNDS:-2}"
MVCC_MIN_TIME="${MVCC_MIN_TIME:-1}"
MVCC_REPETITIONS="${MVCC_REPETITIONS:-3}"
ROWS=10000

for bin in "$CAIRN" "$MVCC_BENCH" "$RAFT_BENCH" "$REPLICA_NODE"; do
  [ -x "$bin" ] || { echo "run_all: $bin not built (ninja -C $BUILD_DIR cairn mvcc_bench raft_replication_bench replica_node)" >&2; exit 2; }
done
for tool in psql pgbench curl python3; do
  command -v "$tool" >/dev/null || { echo "run_all: $tool not found (scripts/install-deps)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/cairn_bench.XXXXXX)"
export CAIRN_PG_PEER_STATE="$WORK/pg_peer.state"
CAIRN_PID=""
PG_STARTED=""

log() { echo "run_all: $*" >&2; }

stop_cairn() {
  [ -n "$CAIRN_PID" ] || return 0
  if kill -0 "$CAIRN_PID" 2>/dev/null; then
    kill -TERM "$CAIRN_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$CAIRN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$CAIRN_PID" 2>/dev/null; then
      log "cairn (pid $CAIRN_PID) ignored SIGTERM for 30s; killing it"
      kill -KILL "$CAIRN_PID" 2>/dev/null || true
    fi
  fi
  local rc=0
  wait "$CAIRN_PID" 2>/dev/null || rc=$?
  [ $rc -eq 0 ] || log "cairn (pid $CAIRN_PID) exited with status $rc on SIGTERM (expected 0)"
  echo "$rc" >"$WORK/cairn_exit"
  CAIRN_PID=""
}

stop_pg() {
  [ -n "$PG_STARTED" ] || return 0
  CAIRN_PG_PEER_KEEP_LOG="$WORK/postgres.log" "$BENCH_DIR/postgres_peer.sh" stop || true
  PG_STARTED=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_cairn
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

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. MVCC engine vs raw RocksDB ----------------------------------------
log "mvcc_bench (${MVCC_REPETITIONS} x ${MVCC_MIN_TIME}s per benchmark)"
MVCC_ARGS="--benchmark_min_time=$MVCC_MIN_TIME --benchmark_repetitions=$MVCC_REPETITIONS"
TMPDIR="$WORK" "$MVCC_BENCH" $MVCC_ARGS --benchmark_display_aggregates_only=true \
  --benchmark_out="$WORK/mvcc.json" --benchmark_out_format=json >&2

# --- 1b. Raft replication over gRPC vs the fdatasync floor -----------------
log "raft_replication_bench (${RAFT_BENCH_SECONDS}s per measurement)"
"$RAFT_BENCH" --replica_node="$REPLICA_NODE" --seconds="$RAFT_BENCH_SECONDS" \
  --work_dir="$WORK" >"$WORK/raft.txt"
cat "$WORK/raft.txt" >&2
PG_TEST_FSYNC=/usr/lib/postgresql/15/bin/pg_test_fsync
if [ -x "$PG_TEST_FSYNC" ]; then
  "$PG_TEST_FSYNC" -s 1 -f "$WORK/pg_test_fsync.out" 2>&1 |
    grep -m1 -E '^\s+fdatasync' | sed 's/^ */pg_test_fsync -s 1, 8 KiB: /' >>"$WORK/raft.txt" || true
  rm -f "$WORK/pg_test_fsync.out"
fi

# --- 2. pgbench against CairnDB and PostgreSQL 15 -------------------------
# load_rows URI: the table and ROWS rows (k = 1..ROWS), in multi-row INSERTs.
load_rows() {
  local uri="$1"
  psql "$uri" -v ON_ERROR_STOP=1 -qX -c "CREATE TABLE bench_kv (k BIGINT PRIMARY KEY, v TEXT)" >/dev/null
  python3 - "$ROWS" >"$WORK/load.sql" <<'EOF'
import sys
rows, per = int(sys.argv[1]), 1000
for lo in range(1, rows + 1, per):
    vals = ",".join("(%d, '%s')" % (k, ("v%d" % k).ljust(100, "x")) for k in range(lo, min(lo + per, rows + 1)))
    print("INSERT INTO bench_kv (k, v) VALUES %s;" % vals)
EOF
  psql "$uri" -v ON_ERROR_STOP=1 -qX -f "$WORK/load.sql" >/dev/null
  local n
  n="$(psql "$uri" -AtqX -c "SELECT v FROM bench_kv WHERE k = $ROWS")"
  [ -n "$n" ] || { log "row $ROWS missing after load on $uri"; return 1; }
}

# run_pgbench SYSTEM SCRIPT ROUND PORT: one pgbench run; appends its figures
# to $WORK/pgbench.txt (output in $WORK/SYSTEM_SCRIPT_rROUND.out).
run_pgbench() {
  local system="$1" script="$2" round="$3" port="$4" rc=0
  local name="${system}_${script}_r${round}"
  local syncs0 syncs1
  syncs0="$(wal_syncs "$system")"
  pgbench -n -M simple -h 127.0.0.1 -p "$port" -U postgres \
    -f "$BENCH_DIR/pgbench/$script.sql" -c "$PGBENCH_CLIENTS" -j "$PGBENCH_THREADS" \
    -T "$PGBENCH_TIME" postgres >"$WORK/$name.out" 2>&1 || rc=$?
  syncs1="$(wal_syncs "$system")"
  local tps failed processed errors
  tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/$name.out")"
  failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/$name.out")"
  processed="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/$name.out")"
  errors="$(grep -c -E 'ERROR|FATAL|aborted' "$WORK/$name.out" || true)"
  echo "$system $script $round ${tps:-0} ${processed:-0} ${failed:-0} ${errors:-0} $rc" \
    "$(( ${syncs1:-0} - ${syncs0:-0} ))" >>"$WORK/pgbench.txt"
  if [ $rc -ne 0 ] || [ "${errors:-0}" -ne 0 ]; then
    log "pgbench $name: exit $rc, $errors error lines; first ones:"
    grep -E 'ERROR|FATAL|aborted' "$WORK/$name.out" | head -5 >&2 || true
  fi
  log "pgbench $name: tps ${tps:-?} (${processed:-?} transactions)"
}

# wal_syncs SYSTEM: the WAL fsyncs so far (CairnDB: Raft log syncs).
wal_syncs() {
  case "$1" in
    cairn) curl -s "http://127.0.0.1:$HTTP_PORT/metrics" |
             awk '$1 == "cairn_raft_fsyncs_total" {printf "%d\n", $2}' ;;
    pg) psql "$PG_URI" -AtqX -c "SELECT wal_sync FROM pg_stat_wal" ;;
  esac
}

SQL_PORT="$(free_port)"; RPC_PORT="$(free_port)"; HTTP_PORT="$(free_port)"
log "starting cairn on sql 127.0.0.1:$SQL_PORT (rpc $RPC_PORT, http $HTTP_PORT)"
"$CAIRN" start --data-dir "$WORK/cairn-data" --sql-addr "127.0.0.1:$SQL_PORT" \
  --rpc-addr "127.0.0.1:$RPC_PORT" --http-addr "127.0.0.1:$HTTP_PORT" >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
for _ in $(seq 1 600); do
  kill -0 "$CAIRN_PID" 2>/dev/null || { tail -20 "$WORK/cairn.log" >&2; log "cairn exited during start-up"; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200 ] \
  || { tail -20 "$WORK/cairn.log" >&2; log "cairn not healthy after 60s"; exit 1; }
CAIRN_URI="postgresql://postgres@127.0.0.1:$SQL_PORT/postgres"
log "loading $ROWS rows into cairn"
load_rows "$CAIRN_URI"

PG_URI="$("$BENCH_DIR/postgres_peer.sh" start)"
PG_STARTED=1
PG_PORT="${PG_URI##*:}"; PG_PORT="${PG_PORT%%/*}"
PG_VERSION="$(psql "$PG_URI" -AtqX -c "SHOW server_version")"
log "loading $ROWS rows into PostgreSQL ($PG_URI)"
load_rows "$PG_URI"
psql "$PG_URI" -qX -c "VACUUM ANALYZE bench_kv" >/dev/null

# fsync_probe: ms per 8 KiB O_DSYNC write in $WORK (the file system both
# servers write their logs to): what a commit's log sync costs right now.
fsync_probe() {
  local out secs
  out="$(LC_ALL=C dd if=/dev/zero of="$WORK/fsync_probe" bs=8k count=200 oflag=dsync 2>&1)" || true
  rm -f "$WORK/fsync_probe"
  secs="$(echo "$out" | sed -n 's/.* copied, \([0-9.e-]*\) s,.*/\1/p')"
  [ -n "$secs" ] && python3 -c "print('%.2f' % ($secs * 1000 / 200))" || echo "?"
}

# Both servers stay up and the runs alternate between them (the order
# flipping every round), so that both see the same machine: on a shared box
# the fsync latency and the CPU left over drift by several times in minutes.
FSYNC_MS_BEFORE="$(fsync_probe)"
for round in $(seq 1 "$PGBENCH_ROUNDS"); do
  for script in select insert; do
    if [ $((round % 2)) -eq 1 ]; then order="cairn pg"; else order="pg cairn"; fi
    for system in $order; do
      if [ "$system" = cairn ]; then port="$SQL_PORT"; else port="$PG_PORT"; fi
      run_pgbench "$system" "$script" "$round" "$port"
    done
  done
done

FSYNC_MS_AFTER="$(fsync_probe)"
log "fsync probe: ${FSYNC_MS_BEFORE} ms before the pgbench runs, ${FSYNC_MS_AFTER} ms after"
stop_cairn
stop_pg
grep -E '\[(error|critical|warning)\]' "$WORK/cairn.log" | head -20 >"$WORK/cairn_errors.txt" || true
if [ -s "$WORK/cairn_errors.txt" ]; then
  log "cairn log has warnings/errors (first ones):"
  cat "$WORK/cairn_errors.txt" >&2
fi

# --- 3. Summary ------------------------------------------------------------
# The commit of the source tree now; the binaries are only as new as the
# last build, so say so when sources changed after it.
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)"
[ "$DIRTY" -gt 0 ] && COMMIT="$COMMIT + $DIRTY uncommitted file(s)"
STALE="$( { find "$ROOT" -path "$ROOT/build*" -prune -o -path "$ROOT/.git" -prune -o \
    -path "$ROOT/tests" -prune -o -path "$ROOT/bench" -prune -o \
    \( -name '*.cc' -o -name '*.h' -o -name '*.g4' -o -name CMakeLists.txt \) \
    -newer "$CAIRN" -print; find "$BENCH_DIR" -name '*.cc' -newer "$MVCC_BENCH" -print; } \
  2>/dev/null | wc -l)"
if [ "$STALE" -gt 0 ]; then
  COMMIT="$COMMIT; WARNING: $STALE source file(s) newer than the binaries"
  log "the build is older than $STALE source file(s): figures may not match commit $COMMIT"
fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/mvcc.json" "$WORK/pgbench.txt" "$COMMIT" "$(nproc)" "$PG_VERSION" \
  "$PGBENCH_CLIENTS" "$PGBENCH_THREADS" "$PGBENCH_TIME" "$MVCC_ARGS" "$(basename "$BUILD_DIR")" \
  "$PGBENCH_ROUNDS" "$LOAD_BEFORE" "$LOAD_AFTER" "$(cat "$WORK/cairn_exit" 2>/dev/null || echo '?')" \
  "$FSYNC_MS_BEFORE" "$FSYNC_MS_AFTER" \
  >"$WORK/summary.md" <<'EOF'
import datetime, json, sys
(mvcc_json, pgb, commit, cores, pgver, clients, threads, secs, mvcc_args, build,
 rounds, load_before, load_after, cairn_exit, fsync_before, fsync_after) = sys.argv[1:]
pgver = pgver.split()[0]
bench = {b["name"]: b for b in json.load(open(mvcc_json))["benchmarks"]}
def ips(name):
    b = bench.get(name + "_median", bench.get(name))
    return b.get("items_per_second", 0.0) if b and not b.get("error_occurred") else 0.0
def ratio(a, b):
    return "n/a" if b == 0 else "%.2fx" % (a / b)
runs = {}  # (system, script) -> list of runs, by round
for line in open(pgb):
    system, script, rnd, tps, processed, failed, errors, rc, syncs = line.split()
    runs.setdefault((system, script), []).append(dict(
        round=int(rnd), tps=float(tps), processed=int(processed), failed=int(failed),
        errors=int(errors), rc=int(rc), syncs=int(syncs)))
def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return 0.0 if n == 0 else (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2)
def note(rs):
    bad = []
    for r in rs:
        if r["rc"]: bad.append("r%d: pgbench exit %d" % (r["round"], r["rc"]))
        if r["failed"]: bad.append("r%d: %d failed" % (r["round"], r["failed"]))
        if r["errors"]: bad.append("r%d: %d error lines" % (r["round"], r["errors"]))
    return "; ".join(bad) or "no errors"
today = datetime.date.today().isoformat()
print("### %s, commit %s, %s cores" % (today, commit, cores))
print()
print("Load average (1/5/15 min) before: %s, after: %s. Disk: %s ms per 8 KiB O_DSYNC write"
      " before the pgbench runs, %s ms after." % (load_before, load_after, fsync_before, fsync_after))
print()
print("MVCC engine vs raw RocksDB (`%s/bench/mvcc_bench %s`, median items/s, from CPU time,"
      " 1 thread, 100k keys x 100 B):" % (build, mvcc_args))
print()
print("| op | MVCC items/s | raw RocksDB items/s | MVCC / raw |")
print("| --- | ---: | ---: | ---: |")
for op, m, r in [("get (latest view, as RangeCommands::Get)", "BM_MvccGet", "BM_RawGet"),
                 ("get (snapshot per 100 gets)", "BM_MvccGetSharedSnapshot", "BM_RawGet"),
                 ("put (prewrite+commit, sync=false)", "BM_MvccPut", "BM_RawPut"),
                 ("put (one-phase commit, sync=false)", "BM_MvccPutOnePhase", "BM_RawPut"),
                 ("scan 100 keys (keys/s)", "BM_MvccScan", "BM_RawScan"),
                 ("get, lock CF tombstones", "BM_MvccGetLockTombstones", "BM_RawGet"),
                 ("scan 100 keys, lock CF tombstones", "BM_MvccScanLockTombstones", "BM_RawScan")]:
    print("| %s | %s | %s | %s |" % (op, "{:,.0f}".format(ips(m)), "{:,.0f}".format(ips(r)),
                                    ratio(ips(m), ips(r))))
g = ips("BM_MvccGet") / ips("BM_RawGet") if ips("BM_RawGet") else 0
print()
print("Target MVCC get >= 0.5x raw get: %s (%.2fx)." % ("met" if g >= 0.5 else "NOT met", g))
print()
print("pgbench, simple protocol, %s clients, %s threads, %ss, 10,000 preloaded rows"
      " (PostgreSQL %s, fsync on):" % (clients, threads, secs, pgver))
print()
print("| script | CairnDB TPS | PostgreSQL TPS | CairnDB / PostgreSQL | per round (CairnDB / PostgreSQL TPS) | errors |")
print("| --- | ---: | ---: | ---: | --- | --- |")
for s in ("select", "insert"):
    c, p = runs.get(("cairn", s), []), runs.get(("pg", s), [])
    if not c or not p:
        print("| %s.sql | missing | missing | n/a | run incomplete | |" % s); continue
    ct, pt = median([r["tps"] for r in c]), median([r["tps"] for r in p])
    per = ", ".join("r%d %s / %s" % (a["round"], "{:,.0f}".format(a["tps"]), "{:,.0f}".format(b["tps"]))
                    for a, b in zip(c, p))
    print("| %s.sql | %s | %s | %s | %s | CairnDB: %s; PostgreSQL: %s |" % (
        s, "{:,.1f}".format(ct), "{:,.1f}".format(pt), ratio(ct, pt), per, note(c), note(p)))
def per_txn(system):
    rs = runs.get((system, "insert"), [])
    n = sum(r["processed"] for r in rs)
    return "%.2f" % (sum(r["syncs"] for r in rs) / n) if n else "n/a"
print()
print("TPS are medians over %s round(s) of %ss per server and script, runs alternating"
      " between the servers." % (rounds, secs))
print("WAL fsyncs per insert transaction: CairnDB %s (cairn_raft_fsyncs_total),"
      " PostgreSQL %s (pg_stat_wal.wal_sync). CairnDB exit status on SIGTERM: %s." % (
          per_txn("cairn"), per_txn("pg"), cairn_exit))
EOF
{
  echo
  echo "Raft replication, 3 replica_node processes over gRPC on 127.0.0.1, fsync on"
  echo "(\`$(basename "$BUILD_DIR")/bench/raft_replication_bench --seconds=$RAFT_BENCH_SECONDS\`):"
  echo
  cat "$WORK/raft.txt"
} >>"$WORK/summary.md"
echo
cat "$WORK/summary.md"
{ echo; cat "$WORK/summary.md"; } >>"$BUILD_DIR/bench_history.md"
log "summary appended to $BUILD_DIR/bench_history.md"

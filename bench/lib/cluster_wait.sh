# bench/lib/cluster_wait.sh: sourced by the bench scripts that measure a
# 3-node cluster (bench/bank_bench.sh, bench/cluster_insert_bench.sh,
# bench/analytics_bench.sh with NODES=3).
#
# The caller sets CLUSTER_WAIT (seconds) and LEASE_SETTLE (seconds) and
# defines log() (one message on stderr); then, URI being one node's SQL
# address (postgresql://...):
#   cluster_state URI                "ready" when SHOW CLUSTER NODES lists 3
#                                    nodes, all live, and SHOW RANGES shows
#                                    every range with 3 distinct voters, no
#                                    learners and a lease holder among the
#                                    voters; else what is missing
#   wait_cluster URI                 until cluster_state is "ready" and the
#                                    voters and lease holders have not
#                                    changed for LEASE_SETTLE seconds; fails
#                                    (after a log line) past CLUSTER_WAIT
#   describe_ranges URI [TABLE]      SHOW RANGES [FROM TABLE TABLE] as
#                                    "r1 {1,2,3} lease n1; r2 ..." (psql's
#                                    error instead when it fails; it does
#                                    not fail itself)
#   table_state URI TABLE WANT_RANGES
#                                    "ready" when SHOW RANGES FROM TABLE
#                                    TABLE shows WANT_RANGES ranges (at
#                                    least N for WANT_RANGES "N+": the
#                                    split queue may split a big table
#                                    further) whose lease holders are on
#                                    min(3, N) nodes; "ranges N" when their
#                                    number is wrong; "leases on n1,n2"
#                                    when they are on too few nodes
#   table_leases URI TABLE           TABLE's ranges' leases per node,
#                                    "n1:3 n2:3 n3:2"
#   wait_table URI TABLE WANT_RANGES wait_cluster, until table_state is
#                                    "ready" too. Fails (after a log line)
#                                    when TABLE has not WANT_RANGES ranges
#                                    by CLUSTER_WAIT; leases still on too
#                                    few nodes by then are logged and
#                                    recorded in SPREAD_NOTE (which the
#                                    caller empties first), and it returns 0
#                                    (the run goes on)

cluster_state() {  # URI
  local nodes ranges
  nodes="$(psql "$1" -AtqX -F'|' -c 'SHOW CLUSTER NODES' 2>&1)" || { echo "SHOW CLUSTER NODES: $nodes"; return 0; }
  ranges="$(psql "$1" -AtqX -F'|' -c 'SHOW RANGES' 2>&1)" || { echo "SHOW RANGES: $ranges"; return 0; }
  python3 - "$nodes" "$ranges" <<'EOF'
import sys
nodes = [l.split("|") for l in sys.argv[1].splitlines() if l]
ranges = [l.split("|") for l in sys.argv[2].splitlines() if l]
live = [n[0] for n in nodes if len(n) >= 4 and n[3] == "t"]
if len(nodes) != 3 or len(live) != 3:
    print("%d nodes, live: %s" % (len(nodes), ",".join(live) or "none")); sys.exit()
if not ranges:
    print("no ranges"); sys.exit()
for r in ranges:
    if len(r) != 7:
        print("a SHOW RANGES row with %d columns: %s" % (len(r), "|".join(r))); sys.exit()
    voters = [v for v in r[3].strip("{}").split(",") if v]
    learners = [v for v in r[6].strip("{}").split(",") if v]
    if len(voters) != 3 or len(set(voters)) != 3 or learners or r[4] not in voters:
        print("range %s: voters %s, learners %s, lease holder %s" % (r[0], r[3], r[6], r[4])); sys.exit()
print("ready")
EOF
}

# The nodes hand leases to one another to spread them (one move per node
# every 3 s), and a range splits off for a new table or an ALTER TABLE ...
# SPLIT AT: hence the LEASE_SETTLE seconds without a change.
wait_cluster() {  # URI
  local state="" seen="" now stable_since=""
  for _ in $(seq 1 $((CLUSTER_WAIT * 2))); do
    state="$(cluster_state "$1")"
    if [ "$state" = ready ]; then
      now="$(describe_ranges "$1")"
      if [ "$now" != "$seen" ]; then
        seen="$now"; stable_since="$(date +%s)"
      elif [ $(( $(date +%s) - stable_since )) -ge "$LEASE_SETTLE" ]; then
        return 0
      fi
    else
      seen=""
    fi
    sleep 0.5
  done
  log "cluster not settled after ${CLUSTER_WAIT}s: $state; ranges: $seen"
  return 1
}

describe_ranges() {  # URI [TABLE]
  local sql='SHOW RANGES'
  [ $# -lt 2 ] || sql="SHOW RANGES FROM TABLE $2"
  { psql "$1" -AtqX -F'|' -c "$sql" 2>&1 || true; } \
    | awk -F'|' '{ printf "%sr%s %s lease n%s", (NR > 1 ? "; " : ""), $1, $4, $5 } END { print "" }'
}

table_state() {  # URI TABLE WANT_RANGES
  { psql "$1" -AtqX -F'|' -c "SHOW RANGES FROM TABLE $2" 2>&1 || true; } | python3 -c '
import sys
at_least = sys.argv[1].endswith("+")
want = int(sys.argv[1].rstrip("+"))
rows = [l.split("|") for l in sys.stdin.read().splitlines() if l]
if len(rows) < want or (len(rows) != want and not at_least):
    print("ranges %d" % len(rows)); sys.exit()
holders = sorted(set(r[4] for r in rows if len(r) > 4))
print("ready" if len(holders) >= min(3, want) else "leases on n" + ",n".join(holders))' "$3"
}

table_leases() {  # URI TABLE
  { psql "$1" -AtqX -F'|' -c "SHOW RANGES FROM TABLE $2" 2>&1 || true; } \
    | awk -F'|' '{ c[$5]++ } END { for (n = 1; n <= 3; n++) printf "%sn%d:%d", (n > 1 ? " " : ""), n, c[n]; print "" }'
}

wait_table() {  # URI TABLE WANT_RANGES
  local deadline=$(( $(date +%s) + CLUSTER_WAIT )) state
  while :; do
    wait_cluster "$1" || return 1
    state="$(table_state "$1" "$2" "$3")"
    [ "$state" != ready ] || return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      case "$state" in
        leases*) SPREAD_NOTE="the table's leases were not on all three nodes after ${CLUSTER_WAIT}s ($state)"
                 log "warning: $SPREAD_NOTE; measuring anyway"
                 return 0 ;;
        *) log "SHOW RANGES FROM TABLE $2 after ${CLUSTER_WAIT}s: $state, not $3 ranges"; return 1 ;;
      esac
    fi
    sleep 1
  done
}

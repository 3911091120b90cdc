# Sourced by the side-by-side benchmarks (join_bench.sh, analytics_bench.sh):
# with BENCH_DIR, BUILD_DIR and WORK set, starts a CairnDB node from
# BUILD_DIR on free ports in $WORK and a throwaway PostgreSQL 15
# (postgres_peer.sh), sets CAIRN_URI and PG_URI, and stops both (and
# removes $WORK) when the script exits. stop_cairn stops the node earlier.
# Nodes the script started with bench/lib/cairn_nodes.sh (when it sourced
# it) are stopped on exit too.
CAIRN_PID=""; PG_STARTED=""
export CAIRN_PG_PEER_STATE="$WORK/pg.state"
stop_cairn() {
  [ -n "$CAIRN_PID" ] && kill "$CAIRN_PID" 2>/dev/null && wait "$CAIRN_PID" 2>/dev/null || true
  CAIRN_PID=""
}
cleanup() {
  stop_cairn
  ! declare -F cairn_stop_nodes >/dev/null || cairn_stop_nodes
  [ -n "$PG_STARTED" ] && "$BENCH_DIR/postgres_peer.sh" stop >/dev/null 2>&1 || true
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
SQL_PORT="$(free_port)"; HTTP_PORT="$(free_port)"
"$BUILD_DIR/cairn" start --data-dir "$WORK/cairn" --sql-addr "127.0.0.1:$SQL_PORT" \
  --rpc-addr "127.0.0.1:$(free_port)" --http-addr "127.0.0.1:$HTTP_PORT" >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200 ] && break
  sleep 0.1
done
CAIRN_URI="postgresql://root@127.0.0.1:$SQL_PORT/postgres"
PG_URI="$("$BENCH_DIR/postgres_peer.sh" start | tail -1)"; PG_STARTED=1

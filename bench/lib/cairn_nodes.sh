# bench/lib/cairn_nodes.sh: sourced by the bench scripts that start `cairn`
# nodes of their own (bench/clients_bench.sh, bench/cluster_insert_bench.sh).
#
# The caller sets CAIRN (the binary) and defines log() (one message on
# stderr); then:
#   cairn_free_port                  a port free on 127.0.0.1 now (the race
#                                    until the server binds it is acceptable:
#                                    the start fails loudly if it is lost)
#   cairn_start_node NAME DATA_DIR LOG [ARG...]
#                                    `cairn start` on three fresh ports of
#                                    127.0.0.1, in the background, output to
#                                    LOG, ARGs appended (e.g. --join ...);
#                                    records CAIRN_NODE_PID[NAME],
#                                    CAIRN_NODE_SQL_PORT[NAME],
#                                    CAIRN_NODE_RPC_PORT[NAME],
#                                    CAIRN_NODE_HTTP_PORT[NAME]
#   cairn_wait_node NAME [TENTHS]    until its /health answers (default 300
#                                    tries, 0.1 s apart); fails when the
#                                    process exits or time runs out
#   cairn_stop_node NAME...          SIGTERM to each at once, up to 30 s,
#                                    then SIGKILL; records
#                                    CAIRN_NODE_EXIT[NAME] (143 or 137: it
#                                    died of the signal)
#   cairn_stop_nodes                 cairn_stop_node for every node started
#                                    (for the EXIT trap)
# Only the processes started here are signalled, by pid.

declare -gA CAIRN_NODE_PID=() CAIRN_NODE_SQL_PORT=() CAIRN_NODE_RPC_PORT=() \
  CAIRN_NODE_HTTP_PORT=() CAIRN_NODE_LOG=() CAIRN_NODE_EXIT=()
declare -ga CAIRN_NODE_NAMES=()

cairn_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Three distinct free ports, one a line (the sockets stay bound until all
# three are picked, so the kernel cannot hand out one twice).
cairn_free_ports3() {
  python3 -c '
import socket
socks = []
for _ in range(3):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
for s in socks: print(s.getsockname()[1])'
}

cairn_start_node() {  # NAME DATA_DIR LOG [ARG...]
  local name="$1" data_dir="$2" logfile="$3"; shift 3
  local ports; ports=($(cairn_free_ports3))
  CAIRN_NODE_SQL_PORT[$name]="${ports[0]}"
  CAIRN_NODE_RPC_PORT[$name]="${ports[1]}"
  CAIRN_NODE_HTTP_PORT[$name]="${ports[2]}"
  CAIRN_NODE_LOG[$name]="$logfile"
  "$CAIRN" start --data-dir "$data_dir" --sql-addr "127.0.0.1:${ports[0]}" \
    --rpc-addr "127.0.0.1:${ports[1]}" --http-addr "127.0.0.1:${ports[2]}" "$@" >"$logfile" 2>&1 &
  CAIRN_NODE_PID[$name]=$!
  CAIRN_NODE_NAMES+=("$name")
}

cairn_wait_node() {  # NAME [TENTHS]
  local name="$1" tries="${2:-300}"
  local pid="${CAIRN_NODE_PID[$name]}" port="${CAIRN_NODE_HTTP_PORT[$name]}"
  for _ in $(seq 1 "$tries"); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { log "cairn node $name (pid $pid) exited; see ${CAIRN_NODE_LOG[$name]}"; return 1; }
    sleep 0.1
  done
  log "cairn node $name not healthy after $((tries / 10)) s; see ${CAIRN_NODE_LOG[$name]}"
  return 1
}

cairn_stop_node() {  # NAME...
  local name pid rc pids=()
  for name in "$@"; do
    pid="${CAIRN_NODE_PID[$name]:-}"
    [ -n "$pid" ] || continue
    pids+=("$pid")
    kill -TERM "$pid" 2>/dev/null || true
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 1 300); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for name in "$@"; do
    pid="${CAIRN_NODE_PID[$name]:-}"
    [ -n "$pid" ] || continue
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    CAIRN_NODE_EXIT[$name]=$rc
    CAIRN_NODE_PID[$name]=""
  done
}

cairn_stop_nodes() {
  [ ${#CAIRN_NODE_NAMES[@]} -gt 0 ] || return 0
  cairn_stop_node "${CAIRN_NODE_NAMES[@]}"
}

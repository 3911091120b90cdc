#!/usr/bin/env bash
# bench/postgres_peer.sh start|stop|status
#
# A throwaway PostgreSQL 15 to benchmark CairnDB against, on the same machine
# and with the same durability:
#   - binaries from $PGBIN (default /usr/lib/postgresql/15/bin; Debian package
#     postgresql-15, installed by scripts/install-deps);
#   - a fresh data dir in a mktemp dir (under $CAIRN_PG_PEER_BASE, default
#     /tmp), removed again by `stop`;
#   - 127.0.0.1 only, on a free port picked at start, trust auth, user
#     "postgres", database "postgres", C locale, UTC;
#   - fsync = on, synchronous_commit = on, full_page_writes = on: a COMMIT
#     returns after its WAL is on disk, as CairnDB returns after its Raft log
#     is fsynced;
#   - when run as root, the server runs as the user $CAIRN_PG_PEER_USER
#     (default "cairnpg", created with useradd when missing), since
#     PostgreSQL refuses to run as root.
#
# `start` prints the connection URI on stdout (last line) and records the
# data dir and port in the state file $CAIRN_PG_PEER_STATE (default
# /tmp/cairn_pg_peer.<uid>.state), which `stop` and `status` read. Give each
# concurrent run its own state file.
set -euo pipefail

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
BASE="${CAIRN_PG_PEER_BASE:-/tmp}"
STATE="${CAIRN_PG_PEER_STATE:-/tmp/cairn_pg_peer.$(id -u).state}"
RUN_USER="${CAIRN_PG_PEER_USER:-cairnpg}"

die() { echo "postgres_peer: $*" >&2; exit 1; }

# state file: line 1 data dir (the mktemp dir), line 2 port, line 3 user
state_field() { [ -f "$STATE" ] && sed -n "${1}p" "$STATE" || true; }

as_user() {
  local user="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$user" -- "$@")
  else
    (cd / && "$@")
  fi
}

postmaster_pid() {
  local d; d="$(state_field 1)"
  [ -n "$d" ] && [ -f "$d/data/postmaster.pid" ] && head -1 "$d/data/postmaster.pid" || true
}

is_running() {
  local pid; pid="$(postmaster_pid)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

free_port() {
  # Ask the kernel for an unused port; the tiny race until postgres binds it
  # is acceptable for a benchmark (start fails loudly if it is lost).
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

uri() { echo "postgresql://postgres@127.0.0.1:$1/postgres"; }

cmd_start() {
  [ -x "$PGBIN/postgres" ] || die "no PostgreSQL binaries in $PGBIN (scripts/install-deps installs postgresql-15)"
  if is_running; then
    echo "postgres_peer: already running (pid $(postmaster_pid), state $STATE)" >&2
    uri "$(state_field 2)"
    return 0
  fi
  if [ -f "$STATE" ]; then  # left over from a crashed run
    local old; old="$(state_field 1)"
    [ -n "$old" ] && [ -d "$old" ] && rm -rf -- "$old"
    rm -f -- "$STATE"
  fi

  local user
  if [ "$(id -u)" -eq 0 ]; then
    user="$RUN_USER"
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  else
    user="$(id -un)"
  fi

  local d port
  d="$(mktemp -d "$BASE/cairn_pg_peer.XXXXXX")"
  chmod 700 "$d"
  [ "$(id -u)" -eq 0 ] && chown "$user": "$d"
  port="$(free_port)"
  printf '%s\n%s\n%s\n' "$d" "$port" "$user" > "$STATE"

  as_user "$user" "$PGBIN/initdb" -D "$d/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C >"$d/initdb.log" 2>&1 \
    || { cat "$d/initdb.log" >&2; die "initdb failed"; }

  cat >>"$d/data/postgresql.conf" <<EOF

# --- bench/postgres_peer.sh ---
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${d}'
max_connections = 100
shared_buffers = 128MB
fsync = on
synchronous_commit = on
full_page_writes = on
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
EOF
  cat >"$d/data/pg_hba.conf" <<EOF
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF

  as_user "$user" "$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
    || { tail -20 "$d/server.log" >&2 || true; die "server failed to start"; }
  echo "postgres_peer: PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') pid $(postmaster_pid)" \
       "as $user on 127.0.0.1:$port, data $d/data, log $d/server.log" >&2
  uri "$port"
}

cmd_stop() {
  local d pid user
  d="$(state_field 1)"
  user="$(state_field 3)"
  if [ -z "$d" ]; then
    echo "postgres_peer: not running (no state file $STATE)" >&2
    return 0
  fi
  pid="$(postmaster_pid)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    as_user "${user:-$(id -un)}" "$PGBIN/pg_ctl" -D "$d/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    if kill -0 "$pid" 2>/dev/null; then
      # pg_ctl failed: signal exactly the postmaster recorded in postmaster.pid
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "postgres_peer: stopped pid $pid" >&2
  else
    echo "postgres_peer: server was not running" >&2
  fi
  if [ -n "${CAIRN_PG_PEER_KEEP_LOG:-}" ] && [ -f "$d/server.log" ]; then
    cp -- "$d/server.log" "$CAIRN_PG_PEER_KEEP_LOG" || true
  fi
  rm -rf -- "$d"
  rm -f -- "$STATE"
}

cmd_status() {
  if is_running; then
    echo "postgres_peer: running, pid $(postmaster_pid), data $(state_field 1)/data" >&2
    uri "$(state_field 2)"
  else
    echo "postgres_peer: not running" >&2
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

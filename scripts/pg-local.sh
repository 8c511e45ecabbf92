#!/usr/bin/env bash
# scripts/pg-local.sh
#
# A throw-away PostgreSQL cluster for the demo and the integration tests.
#
#   scripts/pg-local.sh start        initdb if needed, start, print the conninfo
#   scripts/pg-local.sh stop         stop by the PID in postmaster.pid; no process,
#                                    port or socket is left behind
#   scripts/pg-local.sh status       exit 0 when running (prints pid and port)
#   scripts/pg-local.sh psql [args]  psql against the cluster (database postgres)
#   scripts/pg-local.sh env          print `export PGHOST=... PGPORT=...`
#   scripts/pg-local.sh load-sample  (re)create database ecommerce from sql/postgres-init.sql
#   scripts/pg-local.sh destroy      stop and delete the cluster folder
#
# PMN_PG_DIR selects the folder (default <repo>/.pg-local): the cluster is in
# $PMN_PG_DIR/data, the unix socket in $PMN_PG_DIR/sock, the server log in
# $PMN_PG_DIR/postgres.log. `start` writes $PMN_PG_DIR/conninfo (a libpq
# conninfo line) and $PMN_PG_DIR/env (a shell export line). PMN_PG_PORT asks
# for a first port to try; otherwise the last port used, or one derived from
# the folder name. A port in use is skipped.
#
# The server listens on 127.0.0.1 only. Superuser postgres, password postgres,
# checked with scram-sha-256 over TCP; the unix socket (mode 0700 directory)
# trusts its owner. PostgreSQL refuses to run as root, so under root the
# server runs as the `postgres` OS user (runuser) and owns the folder. When
# that user cannot reach the folder (e.g. a clone under /root) or the socket
# path would be too long for a unix socket, data/ and sock/ are symlinks into
# /tmp/pmn-pg-<hash>/.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}

# Settings the docker-compose.yml service uses too; tests/integration/002
# checks that both agree.
PMN_PG_SETTINGS=(
  "wal_level = logical"
  "max_replication_slots = 10"
  "max_wal_senders = 10"
)
# A throw-away cluster: durability is not needed, speed is.
PMN_PG_FAST=(
  "fsync = off"
  "full_page_writes = off"
)
PORT_MIN=20000
PORT_MAX=29999

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_DIR=${PMN_PG_DIR:-$REPO_DIR/.pg-local}
case $PG_DIR in /*) ;; *) PG_DIR=$PWD/$PG_DIR ;; esac
PG_DIR=${PG_DIR%/}
# Never keep a cwd inside the cluster: process detection looks at cwds.
cd /

die() { echo "pg-local: $*" >&2; exit 1; }
note() { echo "pg-local: $*" >&2; }

[ -x "$PG_BIN/postgres" ] || die "no PostgreSQL $PG_MAJOR server in $PG_BIN (run scripts/install-deps.sh)"

if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || die "running as root needs the postgres OS user (package postgresql-$PG_MAJOR)"
  AS_PG=(runuser -u postgres --)
  OWNER=postgres
else
  AS_PG=()
  OWNER=$(id -un)
fi
as_pg() { "${AS_PG[@]}" "$@"; }

# resolve_dirs [create]: sets DATA, SOCK, LOG (real paths). With `create`,
# makes the folders, choosing the /tmp fallback when needed.
resolve_dirs() {
  local home
  if [ "${1:-}" = create ]; then
    mkdir -p "$PG_DIR"
    PG_DIR=$(cd "$PG_DIR" && pwd -P)
    [ "$OWNER" = postgres ] && chown postgres: "$PG_DIR"
    # Links into a /tmp folder that was cleaned (e.g. by a reboot): start over.
    if [ -L "$PG_DIR/data" ] && [ ! -e "$PG_DIR/data" ]; then
      rm -f "$PG_DIR/data" "$PG_DIR/sock" "$PG_DIR/postgres.log"
    fi
    if [ ! -e "$PG_DIR/data" ]; then
      home=$PG_DIR
      if ! as_pg test -w "$PG_DIR" -a -x "$PG_DIR" 2>/dev/null ||
        [ ${#PG_DIR} -gt 80 ] || [[ ! $PG_DIR =~ ^[A-Za-z0-9_./+-]+$ ]]; then
        home=/tmp/pmn-pg-$(printf %s "$PG_DIR" | cksum | cut -d' ' -f1)
        mkdir -p "$home/data" "$home/sock"
        ln -sfn "$home/data" "$PG_DIR/data"
        ln -sfn "$home/sock" "$PG_DIR/sock"
        ln -sfn "$home/postgres.log" "$PG_DIR/postgres.log"
        note "the server cannot use $PG_DIR directly; cluster files are in $home"
      fi
      mkdir -p "$home/data"
    fi
    DATA=$(readlink -f "$PG_DIR/data")
    home=$(dirname "$DATA")
    mkdir -p "$home/sock" "$DATA"
    [ -e "$PG_DIR/sock" ] || ln -sfn "$home/sock" "$PG_DIR/sock"
    chmod 700 "$DATA" "$home/sock"
    if [ "$OWNER" = postgres ]; then
      chown postgres: "$home" "$home/sock" "$DATA"
      touch "$home/postgres.log" && chown postgres: "$home/postgres.log"
    fi
  else
    [ -d "$PG_DIR" ] && PG_DIR=$(cd "$PG_DIR" && pwd -P)
    DATA=$(readlink -f "$PG_DIR/data" 2>/dev/null || echo "$PG_DIR/data")
  fi
  SOCK=$(dirname "$DATA")/sock
  LOG=$(dirname "$DATA")/postgres.log
}

# cluster_pids: PIDs of every server process of this cluster (the postgres
# binary with its cwd in the data directory); never another cluster's.
cluster_pids() {
  local p exe
  # shellcheck disable=SC2044 # /proc/<pid>/cwd has no blanks
  for p in $(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$DATA" 2>/dev/null); do
    p=${p%/cwd}
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case $exe in */postgres) echo "${p#/proc/}" ;; esac
  done
}

# postmaster_pid: the PID in postmaster.pid when it is this cluster's live
# postmaster; empty otherwise (no file, dead PID, or a PID reused by another
# process after a crash or reboot).
postmaster_pid() {
  local pid
  [ -f "$DATA/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$DATA" ]; then
    case $(readlink "/proc/$pid/exe" 2>/dev/null) in */postgres) echo "$pid" ;; esac
  fi
}

# alive PID: the process exists and is not a zombie (in a container nobody
# may reap the orphaned postmaster).
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

running_port() { sed -n 4p "$DATA/postmaster.pid"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

next_port() {
  local p=$(($1 + 1))
  [ $p -gt $PORT_MAX ] && p=$PORT_MIN
  echo $p
}

write_conn_files() {
  local port=$1
  echo "host=127.0.0.1 port=$port user=postgres password=postgres dbname=postgres" >"$PG_DIR/conninfo"
  echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGPASSWORD=postgres PGDATABASE=postgres" >"$PG_DIR/env"
  echo "$port" >"$PG_DIR/port"
}

# wait_gone SECONDS: wait until no server process of this cluster is left;
# then SIGKILL the stragglers (all of them are this cluster's, see cluster_pids).
wait_gone() {
  local i pids
  for ((i = 0; i < $1 * 10; i++)); do
    pids=$(cluster_pids)
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086 # one PID per word
  note "killing leftover server processes:" $pids
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.5
  [ -z "$(cluster_pids)" ] || die "server processes still alive: $(cluster_pids | tr '\n' ' ')"
}

# clear_stale: the cluster is not running; remove what a crash left behind.
clear_stale() {
  if [ -n "$(cluster_pids)" ]; then
    note "waiting for the processes of a crashed server to exit"
    wait_gone 10
  fi
  if [ -f "$DATA/postmaster.pid" ]; then
    note "removing stale $DATA/postmaster.pid"
    rm -f "$DATA/postmaster.pid"
  fi
  rm -f "$SOCK"/.s.PGSQL.*
}

init_cluster() {
  local pwfile
  if [ -f "$DATA/PG_VERSION" ]; then
    [ "$(cat "$DATA/PG_VERSION")" = "$PG_MAJOR" ] ||
      die "$DATA holds a PostgreSQL $(cat "$DATA/PG_VERSION") cluster, not $PG_MAJOR; run: $0 destroy"
    return 0
  fi
  note "initdb $DATA"
  find "$DATA" -mindepth 1 -delete
  pwfile=$(dirname "$DATA")/.pwfile
  (umask 077 && echo postgres >"$pwfile")
  [ "$OWNER" = postgres ] && chown postgres: "$pwfile"
  if ! as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --locale=C --encoding=UTF8 \
    --no-sync >>"$LOG" 2>&1; then
    rm -f "$pwfile"
    tail -n 20 "$LOG" >&2
    die "initdb failed (log: $LOG)"
  fi
  rm -f "$pwfile"
  echo "include_if_exists = 'pmn.conf'" | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
}

# write_conf PORT: the settings of this start, rewritten every time.
write_conf() {
  {
    echo "# written by scripts/pg-local.sh at every start; edits are lost"
    echo "port = $1"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$SOCK'"
    printf '%s\n' "${PMN_PG_SETTINGS[@]}" "${PMN_PG_FAST[@]}"
  } | as_pg tee "$DATA/pmn.conf" >/dev/null
}

cmd_start() {
  local pid port attempt before
  resolve_dirs create
  exec 9>"$PG_DIR/.lock"
  flock -w 120 9 || die "another pg-local.sh holds $PG_DIR/.lock"
  pid=$(postmaster_pid)
  if [ -n "$pid" ]; then
    port=$(running_port)
    write_conn_files "$port"
    cat "$PG_DIR/conninfo"
    return 0
  fi
  clear_stale
  init_cluster

  if [ -n "${PMN_PG_PORT:-}" ]; then
    port=$PMN_PG_PORT
  elif [ -s "$PG_DIR/port" ]; then
    port=$(cat "$PG_DIR/port")
  else
    port=$((PORT_MIN + $(printf %s "$PG_DIR" | cksum | cut -d' ' -f1) % (PORT_MAX - PORT_MIN + 1)))
  fi
  for ((attempt = 1; attempt <= 30; attempt++)); do
    if port_busy "$port"; then
      port=$(next_port "$port")
      continue
    fi
    write_conf "$port"
    before=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
    # 9>&-: the server must not inherit (and hold forever) the lock.
    if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -s start >/dev/null 2>&1 9>&-; then
      write_conn_files "$port"
      note "running on 127.0.0.1:$port (pid $(postmaster_pid), log $LOG)"
      cat "$PG_DIR/conninfo"
      return 0
    fi
    if tail -c +$((before + 1)) "$LOG" | grep -q -e 'Address already in use' -e 'could not create any TCP/IP sockets'; then
      note "port $port is in use, trying another"
      clear_stale
      port=$(next_port "$port")
      continue
    fi
    tail -c +$((before + 1)) "$LOG" | tail -n 20 >&2
    clear_stale
    die "the server did not start (log: $LOG)"
  done
  die "no free port found after 30 attempts"
}

cmd_stop() {
  local pid
  resolve_dirs
  [ -d "$DATA" ] || { note "no cluster in $PG_DIR"; return 0; }
  exec 9>"$PG_DIR/.lock"
  flock -w 120 9 || die "another pg-local.sh holds $PG_DIR/.lock"
  pid=$(postmaster_pid)
  if [ -n "$pid" ]; then
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 -s stop >/dev/null 2>&1 9>&- &&
      alive "$pid"; then
      note "pg_ctl stop did not finish; sending SIGQUIT then SIGKILL to $pid"
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait_gone 15
    note "stopped (pid $pid)"
  else
    note "not running"
  fi
  clear_stale
}

cmd_status() {
  local pid
  resolve_dirs
  pid=$(postmaster_pid)
  if [ -n "$pid" ]; then
    echo "running: pid $pid, 127.0.0.1:$(running_port), data $DATA"
    return 0
  fi
  echo "not running ($PG_DIR)"
  return 3
}

require_running() {
  resolve_dirs
  [ -n "$(postmaster_pid)" ] || die "not running; start it with: $0 start"
  PORT=$(running_port)
}

run_psql() {
  PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGPASSWORD=postgres PGDATABASE=postgres \
    PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" "$@"
}

cmd_psql() {
  require_running
  run_psql "$@"
}

cmd_env() {
  require_running
  echo "export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGPASSWORD=postgres PGDATABASE=postgres"
}

cmd_load_sample() {
  local sql=$REPO_DIR/sql/postgres-init.sql
  require_running
  [ -f "$sql" ] || die "missing $sql"
  # A logical slot pins its database: end its walsender, drop it, then the database.
  run_psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<'EOF'
SET client_min_messages = warning;
SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots
 WHERE database = 'ecommerce' AND active_pid IS NOT NULL;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
 WHERE database = 'ecommerce';
DROP DATABASE IF EXISTS ecommerce WITH (FORCE);
EOF
  run_psql -X -q -v ON_ERROR_STOP=1 -f "$sql" >/dev/null
  note "loaded database ecommerce: $(run_psql -X -At -d ecommerce -c 'SELECT count(*) FROM products') products"
}

cmd_destroy() {
  local home
  cmd_stop
  resolve_dirs
  home=$(dirname "$DATA")
  # Only what this script creates: PMN_PG_DIR may be a folder with other files.
  if [ "$home" != "$PG_DIR" ] && [[ $home == /tmp/pmn-pg-* ]]; then
    rm -rf "$home"
  fi
  [ -d "$PG_DIR" ] || return 0
  rm -rf "${PG_DIR:?}/data" "$PG_DIR/sock" "$PG_DIR/postgres.log" "$PG_DIR/.pwfile" \
    "$PG_DIR/conninfo" "$PG_DIR/env" "$PG_DIR/port" "$PG_DIR/.lock"
  rmdir "$PG_DIR" 2>/dev/null || true
  note "removed the cluster in $PG_DIR"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  psql) shift; cmd_psql "$@" ;;
  env) cmd_env ;;
  load-sample) cmd_load_sample ;;
  destroy) cmd_destroy ;;
  *)
    echo "usage: $0 start|stop|status|psql [args]|env|load-sample|destroy" >&2
    exit 2
    ;;
esac

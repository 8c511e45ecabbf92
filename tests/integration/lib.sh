# shellcheck shell=bash disable=SC2034 # variables are for the sourcing test
# tests/integration/lib.sh
#
# Sourced by every tests/integration/NNN_<name>.sh. ctest (tests.cmake) runs
# each script with the fixture cluster started and sets PMN_PG_DIR, PGPAIMON,
# PMN_SOURCE_DIR, PMN_SHARED_DIR and PMN_TEST_TMP; run by hand, the defaults
# below point at the checkout and its .pg-local cluster
# (scripts/pg-local.sh start && scripts/pg-local.sh load-sample first).
#
# Gives the script:
#   PG_LOCAL, PG_BIN        scripts/pg-local.sh and the PostgreSQL binaries
#   TEST_NAME, TEST_TMP     the script's name and a fresh scratch directory
#   PGHOST ... PGDATABASE   exported, from $PMN_PG_DIR/env
#   psql_q SQL [DB]         run SQL (default database: $TEST_DB, else postgres),
#                           print unaligned tuples only; fails on any error
#   fresh_db NAME [TEMPLATE]  drop (with its replication slots) and create a
#                           database for this test, e.g. from TEMPLATE ecommerce;
#                           sets TEST_DB; dropped again when the test passes
#   assert_eq EXPECTED ACTUAL MESSAGE, fail MESSAGE, ok MESSAGE
#   on_exit COMMAND         run COMMAND when the script ends (last in, first run)
#   port_open PORT          true when something accepts on 127.0.0.1:PORT
#   cluster_pids DATA_DIR   PIDs of server processes whose cwd is DATA_DIR
#   alive PID               the process exists and is not a zombie
#
# Tests share one cluster but no mutable state: each test names its own
# databases and replication slots after itself.
set -euo pipefail

PMN_SOURCE_DIR=${PMN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PMN_PG_DIR=${PMN_PG_DIR:-$PMN_SOURCE_DIR/.pg-local}
PMN_SHARED_DIR=${PMN_SHARED_DIR:-$PMN_SOURCE_DIR/../shared}
PMN_TEST_TMP=${PMN_TEST_TMP:-/tmp/pmn-test}
PGPAIMON=${PGPAIMON:-$PMN_SOURCE_DIR/build/pgpaimon}
export PMN_SOURCE_DIR PMN_PG_DIR PMN_SHARED_DIR PMN_TEST_TMP PGPAIMON

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_LOCAL=$PMN_SOURCE_DIR/scripts/pg-local.sh
TEST_NAME=$(basename "$0" .sh)

if [ ! -f "$PMN_PG_DIR/env" ]; then
  echo "FAIL $TEST_NAME: no cluster in $PMN_PG_DIR (run: scripts/pg-local.sh start && scripts/pg-local.sh load-sample)" >&2
  exit 1
fi
# shellcheck disable=SC1091
source "$PMN_PG_DIR/env"
export PGCONNECT_TIMEOUT=10 PGPASSFILE=/dev/null

mkdir -p "$PMN_TEST_TMP"
TEST_TMP=$(mktemp -d "$PMN_TEST_TMP/$TEST_NAME.XXXXXX")
# Readable by the postgres OS user, which runs any cluster a test starts.
chmod 755 "$TEST_TMP"

_pmn_exit_cmds=()
_pmn_test_dbs=()

on_exit() { _pmn_exit_cmds+=("$1"); }

_pmn_finish() {
  local rc=$? i db
  set +e
  for ((i = ${#_pmn_exit_cmds[@]} - 1; i >= 0; i--)); do
    eval "${_pmn_exit_cmds[$i]}"
  done
  if [ $rc -eq 0 ]; then
    for db in ${_pmn_test_dbs[@]+"${_pmn_test_dbs[@]}"}; do
      _pmn_drop_db "$db" >/dev/null 2>&1
    done
    rm -rf "$TEST_TMP"
    echo "PASS $TEST_NAME"
  else
    echo "FAIL $TEST_NAME (exit $rc); kept $TEST_TMP${_pmn_test_dbs[*]:+ and database(s) ${_pmn_test_dbs[*]}}" >&2
  fi
  exit $rc
}
trap _pmn_finish EXIT

fail() {
  echo "not ok - $*" >&2
  exit 1
}

ok() { echo "ok - $*"; }

assert_eq() {
  if [ "$1" != "$2" ]; then
    fail "$3: expected '$1', got '$2'"
  fi
  ok "$3"
}

psql_q() {
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "${2:-${TEST_DB:-postgres}}" -c "$1"
}

_pmn_drop_db() {
  local lit=${1//\'/\'\'}
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d postgres -o /dev/null <<EOF
SET client_min_messages = warning;
SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots
 WHERE database = '$lit' AND active_pid IS NOT NULL;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$lit';
DROP DATABASE IF EXISTS "$1" WITH (FORCE);
EOF
}

fresh_db() {
  local name=$1 template=${2:-} err
  _pmn_drop_db "$name"
  # CREATE DATABASE ... TEMPLATE fails while anyone is connected to the
  # template; another test's psql may be, for a moment.
  for _ in $(seq 1 40); do
    if err=$(psql_q "CREATE DATABASE \"$name\"${template:+ TEMPLATE \"$template\"}" postgres 2>&1); then
      _pmn_test_dbs+=("$name")
      TEST_DB=$name
      return 0
    fi
    case $err in *"being accessed by other users"*) sleep 0.25 ;; *) break ;; esac
  done
  fail "cannot create database $name: $err"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cluster_pids() {
  local p
  # shellcheck disable=SC2044 # /proc/<pid>/cwd has no blanks
  for p in $(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$(readlink -f "$1")" 2>/dev/null); do
    p=${p%/cwd}
    echo "${p#/proc/}"
  done
}

# A zombie counts as gone: in a container PID 1 may never reap an orphaned
# postmaster, yet it holds no port, socket or memory.
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

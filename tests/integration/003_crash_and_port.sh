#!/usr/bin/env bash
# tests/integration/003_crash_and_port.sh
#
# scripts/pg-local.sh recovers on its own from what a crash or a busy machine
# leaves: a postmaster killed with SIGKILL (stale postmaster.pid, socket and
# shared memory), a postmaster.pid naming a PID that another process now has,
# and a port already taken by another server.
source "$(dirname "$0")/lib.sh"

a=$TEST_TMP/a
b=$TEST_TMP/b
pg_a() { PMN_PG_DIR=$a "$PG_LOCAL" "$@"; }
pg_b() { PMN_PG_DIR=$b "$PG_LOCAL" "$@"; }
on_exit "PMN_PG_DIR=$a $PG_LOCAL destroy >/dev/null 2>&1"
on_exit "PMN_PG_DIR=$b $PG_LOCAL destroy >/dev/null 2>&1"
one() { "$1" psql -X -A -t -q -c 'SELECT 1'; }

pg_a start >/dev/null 2>&1
pid1=$(head -n 1 "$a/data/postmaster.pid")
kill -KILL "$pid1"
for _ in $(seq 1 100); do alive "$pid1" || break; sleep 0.1; done
[ -f "$a/data/postmaster.pid" ] || fail "kill -9 should leave postmaster.pid"
if pg_a status >/dev/null; then fail "status says running after kill -9"; fi
ok "status sees the killed server as not running"
pg_a start >/dev/null 2>&1
pid2=$(head -n 1 "$a/data/postmaster.pid")
[ "$pid2" != "$pid1" ] || fail "no new postmaster after restart"
assert_eq 1 "$(one pg_a)" "starts again after kill -9"

pg_a stop 2>/dev/null
sleep 300 &
other=$!
on_exit "kill $other 2>/dev/null"
# A postmaster.pid from before a reboot, its PID now used by another process.
printf '%s\n%s\n0\n1\n\n\n\n' "$other" "$(readlink -f "$a/data")" >"$a/data/postmaster.pid"
pg_a start >/dev/null 2>&1
assert_eq 1 "$(one pg_a)" "starts despite a postmaster.pid naming someone else's PID"
alive "$other" || fail "the unrelated process $other was killed"
ok "the unrelated process is untouched"

port_a=$(sed -n 4p "$a/data/postmaster.pid")
PMN_PG_PORT=$port_a pg_b start >/dev/null 2>&1
port_b=$(sed -n 4p "$b/data/postmaster.pid")
[ "$port_b" != "$port_a" ] || fail "b got the busy port $port_a"
ok "a busy port is skipped ($port_a -> $port_b)"
assert_eq 1 "$(one pg_b)" "the second cluster answers"
assert_eq 1 "$(one pg_a)" "the first cluster still answers"

for d in "$a" "$b"; do
  data=$(readlink -f "$d/data")
  port=$(sed -n 4p "$data/postmaster.pid")
  PMN_PG_DIR=$d "$PG_LOCAL" stop 2>/dev/null
  assert_eq "" "$(cluster_pids "$data")" "no process left in $(basename "$d")"
  if port_open "$port"; then fail "port $port still open"; fi
done
ok "both stopped cleanly"

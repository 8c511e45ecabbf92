#!/usr/bin/env bash
# On a private cluster: PostgreSQL restarted under load with a fast and then
# an immediate shutdown, the job reconnects and resumes with nothing lost or
# doubled; then one 1,000,000-row transaction streams through a small write
# buffer (spilled to lake files, committed once) in bounded memory.
source "$(dirname "$0")/lib.sh"
P=$TEST_TMP/pg
pgp() { PMN_PG_DIR=$P "$PG_LOCAL" "$@"; }
on_exit "PMN_PG_DIR=$P $PG_LOCAL destroy >/dev/null 2>&1"
pgp start >/dev/null 2>&1
# shellcheck disable=SC1091
source "$P/env"
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d restartdb -c "$1"; }
psql -X -q -d postgres -c "CREATE DATABASE restartdb"
q "CREATE TABLE ev (id bigint PRIMARY KEY, v int NOT NULL)"
WH=$TEST_TMP/paimon
"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lake --table ev \
    --postgres_conf hostname=127.0.0.1 --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=restartdb --postgres_conf schema-name=public \
    --postgres_conf table-name=ev --postgres_conf slot.name=restart_slot \
    --table_conf write-buffer-size=8mb >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
on_exit "kill -9 $SYNC 2>/dev/null"

workload() {
  local n=$1
  while [ ! -f "$TEST_TMP/stop" ]; do
    n=$((n + 1))
    psql -X -q -d restartdb -c "INSERT INTO ev VALUES ($n, $n) ON CONFLICT (id) DO UPDATE SET v = ev.v + 1;
                                UPDATE ev SET v = v + 1 WHERE id = $((n / 2 + 1))" >/dev/null 2>&1 || sleep 0.1
  done
}
workload 0 &
LOAD=$!
on_exit "touch $TEST_TMP/stop; wait $LOAD 2>/dev/null"
sleep 2
for mode in fast immediate; do
  "$PG_BIN/pg_ctl" -D "$(readlink -f "$P/data")" status >/dev/null 2>&1 || true
  runas=""; [ "$(id -u)" = 0 ] && runas="runuser -u postgres --"
  $runas "$PG_BIN/pg_ctl" -D "$(readlink -f "$P/data")" -m "$mode" -w stop >/dev/null
  sleep 1
  pgp start >/dev/null 2>&1
  ok "PostgreSQL stopped ($mode) and started again"
  sleep 3
done
touch "$TEST_TMP/stop"
wait $LOAD
alive $SYNC || { cat "$TEST_TMP/sync.log" >&2; fail "the job died across the restarts"; }
grep -q "reconnecting" "$TEST_TMP/sync.log" || fail "the job never reconnected"
expected=$(q "SELECT count(*) || ' ' || sum(v) FROM ev")
lake_sum() { "$PGPAIMON" table scan --warehouse "$WH" lake.ev 2>/dev/null | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(len(rows), sum(r["v"] for r in rows))'; }
for _ in $(seq 1 150); do [ "$(lake_sum)" = "$expected" ] && break; sleep 0.2; done
assert_eq "$expected" "$(lake_sum)" "after two restarts the lake equals PostgreSQL (count, sum)"

q "INSERT INTO ev SELECT g, 1 FROM generate_series(10000001, 11000000) g"
expected=$(q "SELECT count(*) || ' ' || sum(v) FROM ev")
for _ in $(seq 1 600); do [ "$(lake_sum)" = "$expected" ] && break; sleep 0.5; done
assert_eq "$expected" "$(lake_sum)" "a 1,000,000-row transaction arrived whole"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SYNC/status")
[ "$hwm" -lt 262144 ] || fail "peak RSS ${hwm} kB with an 8 MB write buffer"
ok "peak RSS $((hwm / 1024)) MB with write-buffer-size=8mb"
snaps=$("$PGPAIMON" table snapshots --warehouse "$WH" lake.ev | awk 'NR > 1 && $6 == 1000000' | wc -l)
assert_eq 1 "$snaps" "the big transaction is one lake snapshot"
kill -TERM $SYNC; wait $SYNC

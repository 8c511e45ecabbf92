#!/usr/bin/env bash
# Exactly once across crashes: a workload of small transactions (inserts,
# updates, deletes, a key change) runs while `pgpaimon postgres_sync_table` is
# killed with SIGKILL at random moments (the first kills land during the
# initial snapshot) and restarted, 20 rounds. Afterwards the job catches up
# and the lake must equal PostgreSQL row for row.
source "$(dirname "$0")/lib.sh"
fresh_db sync_crash
WH=$TEST_TMP/paimon
SLOT=sync_crash_slot
ROUNDS=${PMN_CRASH_ROUNDS:-20}

psql_q "CREATE TABLE items (id bigint PRIMARY KEY, val text NOT NULL, amount numeric(12,2),
                            touched timestamptz NOT NULL DEFAULT now());
        INSERT INTO items SELECT g, 'v' || g, g * 1.5, now() FROM generate_series(1, 20000) g;"

on_exit "psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

start_sync() {
  "$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lake --table items \
      --postgres_conf hostname=127.0.0.1 --postgres_conf port="$PGPORT" \
      --postgres_conf username=postgres --postgres_conf password=postgres \
      --postgres_conf database-name=sync_crash --postgres_conf schema-name=public \
      --postgres_conf table-name=items --postgres_conf slot.name=$SLOT \
      --checkpointing-interval 200 >>"$TEST_TMP/sync.log" 2>&1 &
  SYNC=$!
}

# the workload: many small transactions until told to stop
workload() {
  local n=0
  while [ ! -f "$TEST_TMP/stop" ]; do
    n=$((n + 1))
    psql_q "BEGIN;
      INSERT INTO items (id, val, amount) SELECT 100000 + $n * 10 + g, 'new-$n-' || g, g
        FROM generate_series(1, 5) g;
      UPDATE items SET val = val || '+', amount = amount + 1, touched = now()
        WHERE id IN (SELECT (random() * 20000)::bigint + 1 FROM generate_series(1, 5));
      DELETE FROM items WHERE id = (SELECT (random() * 20000)::bigint + 1);
      UPDATE items SET id = -id WHERE id = 100000 + $n * 10 + 1;
      COMMIT;" >/dev/null || true
  done
}
workload &
LOAD=$!
on_exit "touch $TEST_TMP/stop; wait $LOAD 2>/dev/null; kill -9 \${SYNC:-0} 2>/dev/null"

for round in $(seq 1 "$ROUNDS"); do
  start_sync
  # early rounds die during the snapshot, later ones while streaming
  if [ "$round" -le 3 ]; then sleep "0.0$((RANDOM % 9 + 1))"; else sleep "0.$((RANDOM % 9 + 1))"; fi
  kill -9 $SYNC 2>/dev/null || true
  wait $SYNC 2>/dev/null || true
done
ok "$ROUNDS SIGKILL rounds under load"

touch "$TEST_TMP/stop"
wait $LOAD
start_sync
expected=$(psql_q "SELECT id || '|' || val || '|' || coalesce(amount::text, 'null') FROM items ORDER BY id")
lake_rows() {
  "$PGPAIMON" table scan --warehouse "$WH" lake.items 2>/dev/null | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["id"])
for r in rows: print("%s|%s|%s" % (r["id"], r["val"], r["amount"] if r["amount"] is not None else "null"))'
}
for _ in $(seq 1 100); do
  actual=$(lake_rows)
  [ "$actual" = "$expected" ] && break
  sleep 0.2
done
if [ "$actual" != "$expected" ]; then
  diff <(echo "$expected") <(echo "$actual") | head -20 >&2
  tail -20 "$TEST_TMP/sync.log" >&2
fi
assert_eq "$(echo "$expected" | wc -l)" "$(echo "$actual" | wc -l)" "row count equals PostgreSQL"
assert_eq "$expected" "$actual" "lake equals PostgreSQL after $ROUNDS crashes"
"$PGPAIMON" table check --warehouse "$WH" lake.items >/dev/null || fail "table check found violations"
kill -TERM $SYNC
wait $SYNC
assert_eq 0 $? "clean stop"

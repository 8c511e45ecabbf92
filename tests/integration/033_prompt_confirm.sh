#!/usr/bin/env bash
# The replication slot's confirmed position follows the lake's commits within about a second,
# not only at the next heartbeat (heartbeat.interval.ms, 10 s by default here): a job stopped
# or killed right after a commit leaves PostgreSQL holding little WAL.
source "$(dirname "$0")/lib.sh"
fresh_db sync_confirm
WH=$TEST_TMP/paimon
SLOT=prompt_confirm_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE t (id int PRIMARY KEY, v int)"
"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_confirm --postgres_conf schema-name=public \
    --postgres_conf table-name=t --postgres_conf slot.name=$SLOT \
    --postgres_conf heartbeat.interval.ms=10000 \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
count() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.t 2>/dev/null | grep -c . || true; }
for round in 1 2 3; do
  psql_q "INSERT INTO t SELECT $round * 1000 + g, g FROM generate_series(1, 50) g"
  for _ in $(seq 1 200); do [ "$(count)" = $((round * 50)) ] && break; sleep 0.1; done
  assert_eq $((round * 50)) "$(count)" "round $round synced"
  # the end LSN of the lake's last commit must be confirmed well before a 10 s heartbeat
  lsn=$("$PGPAIMON" table snapshots --warehouse "$WH" lakehouse.t | tail -n 1 | grep -o 'end-lsn=[0-9A-F/]*' | cut -d= -f2)
  [ -n "$lsn" ] || fail "no end-lsn in the lake's last snapshot"
  confirmed=f
  for _ in $(seq 1 40); do
    confirmed=$(psql_q "SELECT confirmed_flush_lsn >= '$lsn' FROM pg_replication_slots WHERE slot_name = '$SLOT'")
    [ "$confirmed" = t ] && break
    sleep 0.1
  done
  [ "$confirmed" = t ] || fail "round $round: slot not confirmed up to $lsn within 4 s: $(psql_q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$SLOT'")"
done
ok "the slot confirms each lake commit within seconds (heartbeat 10 s)"
kill -TERM $SYNC; wait $SYNC

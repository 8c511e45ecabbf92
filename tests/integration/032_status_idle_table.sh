#!/usr/bin/env bash
# `pgpaimon status`: a lake table with no changes since the job's last commit is as
# current as the job (the slot's confirmed position), not lagging by all the WAL
# written since its own last change.
source "$(dirname "$0")/lib.sh"
fresh_db sync_status_idle
WH=$TEST_TMP/paimon
SLOT=status_idle_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE busy (id int PRIMARY KEY, v int); CREATE TABLE idle (id int PRIMARY KEY);
        INSERT INTO idle VALUES (1);"
CONN=(--postgres_conf hostname=localhost --postgres_conf port="$PGPORT"
  --postgres_conf username=postgres --postgres_conf password=postgres
  --postgres_conf database-name=sync_status_idle)
"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse "${CONN[@]}" \
    --postgres_conf schema-name=public --postgres_conf table-name='busy|idle' \
    --postgres_conf slot.name=$SLOT --postgres_conf heartbeat.interval.ms=200 \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
for i in $(seq 1 30); do psql_q "INSERT INTO busy SELECT $i * 1000 + g, g FROM generate_series(1, 100) g"; done
count() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.busy 2>/dev/null | grep -c . || true; }
for _ in $(seq 1 100); do [ "$(count)" = 3000 ] && break; sleep 0.1; done
assert_eq 3000 "$(count)" "busy table synced"
# wait until the slot confirms the busy table's last change
busy_lsn=$("$PGPAIMON" table snapshots --warehouse "$WH" lakehouse.busy | tail -n 1 | grep -o 'end-lsn=[0-9A-F/]*' | cut -d= -f2)
for _ in $(seq 1 100); do
  [ "$(psql_q "SELECT confirmed_flush_lsn >= '$busy_lsn' FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = t ] && break
  sleep 0.1
done
status=$("$PGPAIMON" status "${CONN[@]}" --warehouse "$WH")
idle_lag=$(grep 'lakehouse.idle ' <<<"$status" | sed -n 's/.* lag \([0-9]*\) bytes.*/\1/p')
busy_lag=$(grep 'lakehouse.busy ' <<<"$status" | sed -n 's/.* lag \([0-9]*\) bytes.*/\1/p')
[ -n "$idle_lag" ] && [ -n "$busy_lag" ] || fail "no lag for lakehouse.idle or busy in: $status"
# other tests write WAL meanwhile (the server is shared), so both lags may grow; the idle
# table must not lag behind the busy one by the WAL written since its own last change
[ "$idle_lag" -le $((busy_lag + 100000)) ] ||
  fail "idle table lags $idle_lag bytes, the busy one $busy_lag, while the job is caught up: $status"
ok "an idle table is as current as the job ($idle_lag bytes, busy $busy_lag)"
kill -TERM $SYNC; wait $SYNC
